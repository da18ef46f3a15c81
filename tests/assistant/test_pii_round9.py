"""Round 9 of the personal-data rules: dates of birth beside dates that are not, names in hard
places, and the look-alikes each rule must leave visible. Every example is made up for this file."""

from __future__ import annotations

import pytest

from assistant.pii import PseudonymMap

pytestmark = pytest.mark.unit


def found(scrubber, text):
    return [(e.type, text[e.start : e.end]) for e in scrubber.find(text)]


# -- a date after a number's cue is a date, not a dossier number ----------------------------------


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("Candidat : ROUSSEL Théo / DN 2007-04-09 / Lycée Hoche", "2007-04-09"),  # « DN » before an ISO date
        ("pour mon inscription mon master ils veulent ma ddn, j'ai mis 03.07.01 et ça bloque", "03.07.01"),
    ],
)
def test_a_date_of_birth_after_a_number_s_cue_is_a_birth_not_a_dossier(scrubber, text, birth):
    assert ("DATE_NAISSANCE", birth) in found(scrubber, text)
    assert not [value for kind, value in found(scrubber, text) if kind == "DOSSIER"]


@pytest.mark.parametrize(
    "text",
    [
        "Date d'envoi du dossier : 2025-03-12, toujours rien",
        "numéro de dossier reçu le 14-02-2025, on attend",
    ],
)
def test_a_date_after_a_dossier_cue_stays_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_a_dossier_number_in_groups_is_still_found(scrubber):
    assert ("DOSSIER", "2025-0511873") in found(scrubber, "mon numéro de dossier c'est 2025-0511873 merci")


# -- someone and a whole date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("jsuis du 9/5/2006 mdr c la veille de mon anniv", "9/5/2006"),
        ("je suis du 11/02/2006 et je veux m'inscrire seule", "11/02/2006"),
        ("on me demande si j'ai 17 ans, moi c'est le 3 avril 2007, ça passe ?", "3 avril 2007"),
        ("le site demande la date de mon fils, lui c 14/08/2006", "14/08/2006"),
        ("jsuis ne le 3 4 06 c bon pr linscription ?", "3 4 06"),
    ],
)
def test_a_whole_date_said_of_oneself_or_a_child_is_a_birth(scrubber, text, birth):
    assert ("DATE_NAISSANCE", birth) in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "le dossier il est du 12/03/2024 je crois",  # a thing's date, and a recent one
        "la réunion c'est le 6 juin 2025, moi c'est le 6 juin au soir",
        "le code de la salle c 12 12 07 pour l'examen",  # three numbers, no birth cue
        "je suis du 93 et je cherche un BTS",  # a department
        "je suis du 01/09/2008 au 30/06/2009 en apprentissage",  # a period, not a birth
        "moi c'est le 12/03/2008 que j'ai eu mon brevet",  # a cleft: an event
    ],
)
def test_dates_and_numbers_near_those_words_stay_visible(scrubber, text):
    assert not [kind for kind, _ in found(scrubber, text) if kind == "DATE_NAISSANCE"]


def test_the_answer_to_a_question_about_a_date_of_birth_is_hidden(scrubber):
    text = "le site demande la date de naissance du parent ? 14/11/1979 c bon ?"
    assert ("DATE_NAISSANCE", "14/11/1979") in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "faut-il mettre la date de naissance ? 12/03/2025 est la date limite",  # a deadline answers
        "c'est quoi la date de naissance ? Le 12/03/2001 j'ai eu mon bac",  # not opening the sentence
    ],
)
def test_a_date_after_the_question_that_is_no_answer_stays_visible(scrubber, text):
    assert not [kind for kind, _ in found(scrubber, text) if kind == "DATE_NAISSANCE"]


def test_a_date_of_birth_written_again_in_another_format_is_hidden_everywhere(scrubber):
    text = ("ma date de naissance : 2 mars 2003. Mon passeport indique 02/03/2003 et ma carte 02.03.2003, "
            "la réunion est le 02/03/2025.")
    births = [value for kind, value in found(scrubber, text) if kind == "DATE_NAISSANCE"]
    assert births == ["2 mars 2003", "02/03/2003", "02.03.2003"]  # not the meeting, another year


def test_a_child_listed_with_the_day_they_were_born(scrubber):
    text = "mes 2 fils: eliott 04/11/2009 et noah 15/02/2006, on peut avoir un rdv le 15/03/2025 ?"
    result = found(scrubber, text)
    for value in (("PERSONNE", "eliott"), ("DATE_NAISSANCE", "04/11/2009"), ("PERSONNE", "noah"), ("DATE_NAISSANCE", "15/02/2006")):
        assert value in result
    assert "15/03/2025" not in [v for _, v in result]


@pytest.mark.parametrize("text", ["Paris 12/03/2008 : inscriptions ouvertes", "Lyon, 12/03/2024", "Fait à Rennes le 04/11/2009"])
def test_a_town_or_a_letter_s_date_is_no_one_listed_with_a_birth(scrubber, text):
    assert found(scrubber, text) == []


# -- names in hard places -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("mon prof de maths, Garnier, veut qu'on fasse un exposé", "Garnier"),
        ("ma prof principale Vasseur dit que c'est possible", "Vasseur"),
        ("pourriez-vous rappeler la famille Benkirane au 06 12 48 90 33 ?", "Benkirane"),
        ("Re bonjour, c'est encore moi, Mathis. J'ai trouvé, merci !", "Mathis"),
        ("une élève de première, Chloé, n'a pas de représentant légal joignable.", "Chloé"),
        ("Nom de l'élève : Le Bihan\nPrénom de l'élève : Loïc", "Le Bihan"),
        ("Mes jumeaux Hugo et Léna sont au lycée Victor Hugo, ils veulent les mêmes vœux", "Hugo"),
    ],
)
def test_round_9_names_in_hard_places_are_hidden(scrubber, text, name):
    assert ("PERSONNE", name) in found(scrubber, text)


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("mon prof de maths Parcoursup m'a aidé", "Parcoursup"),
        ("la famille Paris est une série que j'aime", "Paris"),
        ("la famille d'accueil est sympa, le BTS aussi", "accueil"),
        ("Le concours Avenir Plus a lieu le 12 avril.", "Avenir Plus"),
        ("Pour mon grand oral je parle de Jean Jaurès et de la paix.", "Jean Jaurès"),
        ("mon exposé, je vais parler de Simone Veil, ça ira pour Sciences Po ?", "Simone Veil"),
    ],
)
def test_round_9_look_alikes_of_those_names_stay_visible(scrubber, text, visible):
    start = text.index(visible)
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE" and e.start < start + len(visible) and start < e.end]


def test_a_person_spoken_of_in_an_oral_by_their_relation_is_still_hidden(scrubber):
    assert ("PERSONNE", "Lucas") in found(scrubber, "pour mon grand oral je parle de mon fils Lucas")


# -- the host opening an address ------------------------------------------------------------------


def test_the_host_opening_an_address_is_hidden_with_it(scrubber):
    # one span, « chez » line included: it hides the host whichever way a reader marks it (postal
    # usage puts the « chez » line in the address)
    text = "Adresse : chez Mme Girard, 5 allée des Lilas, 93270 Sevran"
    assert found(scrubber, text) == [("ADRESSE", "chez Mme Girard, 5 allée des Lilas, 93270 Sevran")]
    mapping = PseudonymMap("host")
    stored = scrubber.scrub(text, mapping)
    assert "Girard" not in stored.text and "Lilas" not in stored.text
    assert mapping.restore(stored.text) == text


def test_a_host_without_an_address_after_stays_as_written(scrubber):
    assert found(scrubber, "je dors chez Mamie ce soir, c'est grave pour le bac blanc ?") == []


# -- a date named after, a cleft, an establishment in apposition ----------------------------------


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("12/05/2009 (date de naissance) et l'INE à venir", "12/05/2009"),
        ("mon fils 12/05/2009 c sa date de naissance", "12/05/2009"),
        ("04/10/2008 c ma date de naissance mais le site refuse", "04/10/2008"),
    ],
)
def test_a_date_of_birth_named_after_it_is_hidden(scrubber, text, birth):
    assert ("DATE_NAISSANCE", birth) in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "Parcoursup ferme le 12/03/2025, date de naissance à vérifier",  # a deadline, and the cue goes on
        "inscription le 12/05/2009, naissance du projet l'année d'après",
        "j'ai eu mon bac le 04/07/2008 (date de naissance demandée aussi ?)",
        "elle c'est le 3 mars 2015 qu'elle a eu son CAP",  # a cleft: an event
    ],
)
def test_an_event_s_date_near_a_birth_word_stays_visible(scrubber, text):
    assert not [kind for kind, _ in found(scrubber, text) if kind == "DATE_NAISSANCE"]


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("Mon lycée, Jean Moulin, a un BTS ?", "Jean Moulin"),
        ("Pour mon oral je présente Marie Curie et le radium", "Marie Curie"),
    ],
)
def test_an_establishment_in_apposition_and_an_oral_s_figure_stay_visible(scrubber, text, visible):
    start = text.index(visible)
    assert not [e for e in scrubber.find(text) if e.start < start + len(visible) and start < e.end]


def test_a_child_in_apposition_is_still_hidden(scrubber):
    assert ("PERSONNE", "Jade") in found(scrubber, "Ma fille, Jade, est au lycée Hoche")


# -- a given name that is also a word, subject of what happens to a candidate --------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bonjour, Ambre a reçu une proposition hier.", "Ambre"),
        ("Pour information, Céleste a déjà été acceptée.", "Céleste"),
        ("Bonjour, Aurore a raté son examen, que faire ?", "Aurore"),
    ],
)
def test_a_given_name_that_is_a_word_subject_of_a_candidate_s_event_is_hidden(scrubber, text, name):
    assert ("PERSONNE", name) in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "Orange a refusé mon stage, je cherche ailleurs",  # a firm (and a commune)
        "Le lycée Marie Curie a été choisi pour le salon",  # an establishment
        "Parcoursup a refusé mon dossier",
    ],
)
def test_firms_schools_and_services_that_receive_or_refuse_stay_visible(scrubber, text):
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE"]


# -- a form's « Parent : » field, and a box ticked -----------------------------------------------


def test_a_parent_field_hides_the_family_name_in_capitals_too(scrubber):
    assert ("PERSONNE", "HOARAU Jean-Claude") in found(scrubber, "Parent : HOARAU Jean-Claude\nClasse : 2nde")


@pytest.mark.parametrize("text", ["Parent : oui", "Élève : non\nClasse : 1re", "Vous êtes : Parent"])
def test_a_field_answered_by_a_word_stays_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_a_name_field_keeps_a_name_that_is_also_a_word(scrubber):
    assert ("PERSONNE", "rose") in found(scrubber, "Prénom : rose")


# -- a first name closing the message after a phone number ---------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [("rappelez-moi au 06 12 34 56 78 Julie", "Julie"), ("mon num 0612345678 Kevin Durand", "Kevin Durand")],
)
def test_a_name_signing_after_a_phone_number_is_hidden(scrubber, text, name):
    assert ("PERSONNE", name) in found(scrubber, text)


@pytest.mark.parametrize("text", ["appelez le 01 40 50 60 70 Paris", "le standard 01 40 50 60 70 Merci", "rappelez le 06 12 34 56 78 Lundi"])
def test_a_town_a_thanks_or_a_day_after_a_phone_number_stays_visible(scrubber, text):
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE"]
