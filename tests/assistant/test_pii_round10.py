"""Round 10 of the personal-data rules: schools, works and figures named like people, dates of birth
said in pieces, streets' short forms in capitals, names that are words after a title, « s'appelle »,
a kinship adjective or a wish, phone numbers with a typo; and the look-alikes each rule must leave as
they are. Every example is made up for this file."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def found(scrubber, text):
    return [(e.type, text[e.start : e.end]) for e in scrubber.find(text)]


def names(scrubber, text):
    return [value for kind, value in found(scrubber, text) if kind == "PERSONNE"]


# -- schools named after someone, in the plural; a figure one asks about ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "c'est fou le nombre de lycées qui s'appellent Victor Hugo, il y a une raison ?",
        "Pourquoi tant de collèges portent le nom de Jules Ferry ?",
        "plein d'écoles s'appellent Louise Michel dans ma région",
        "Paul Langevin ? c'était qui au juste, mon lycée porte son nom",
        "Olympe de Gouges, c'est qui ? on en parle en EMC",
    ],
)
def test_schools_named_after_someone_and_figures_asked_about_stay_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_someone_introduced_is_hidden_even_before_a_question_with_who(scrubber):
    assert "Inès Marchal" in names(scrubber, "je suis Inès Marchal, c'est qui mon référent pour l'alternance ?")


def test_a_child_whose_name_is_given_is_still_hidden(scrubber):
    assert "Anaëlle" in names(scrubber, "ma fille s'appelle Anaëlle et elle veut faire un CAP")


# -- names in a list of what one studies or reads ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "En première on lit Émile Zola, Colette et Marguerite Duras, c'est beaucoup ?",
        "on étudie Voltaire, Simone Weil ou Hannah Arendt en philo ?",
        "Pour la rentrée je dois lire Germinal et Madame Bovary, c'est obligatoire ?",
    ],
)
def test_authors_and_works_in_a_reading_list_stay_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_people_listed_after_a_place_are_still_hidden(scrubber):
    assert "Sofiane" in names(scrubber, "j'ai été prise à Rennes, Sofiane et Maëlle aussi")


def test_people_met_with_their_title_are_still_hidden(scrubber):
    text = "j'ai rendez-vous avec Madame Perrin et Monsieur Adjani jeudi"
    assert names(scrubber, text) == ["Perrin", "Adjani"]


# -- a date of birth given by its year, then its day ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "day"),
    [
        ("ma fille est née fin 2008, le 28 décembre, elle peut s'inscrire seule ?", "2008", "28 décembre"),
        ("je suis né début 2009, le 4 janvier, donc j'ai pas 17 ans", "2009", "4 janvier"),
    ],
)
def test_a_birth_given_by_its_year_then_its_day_is_hidden_whole(scrubber, text, year, day):
    births = [value for kind, value in found(scrubber, text) if kind == "DATE_NAISSANCE"]
    assert any(year in value for value in births) and any(day in value for value in births)


@pytest.mark.parametrize(
    "text",
    [
        "les élèves nés fin 2008 passent le bac en 2026 ?",
        "le dossier est à rendre fin 2025, le 15 décembre au plus tard",
    ],
)
def test_a_year_of_pupils_in_general_or_a_deadline_stays_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_a_birth_date_after_a_long_aside_is_hidden(scrubber):
    text = "Ma date de naissance, celle que j'ai recopiée sur la fiche d'inscription et qui ne passe toujours pas, c'est le 12/05/2008. Merci"
    assert ("DATE_NAISSANCE", "12/05/2008") in found(scrubber, text)


def test_a_deadline_after_a_long_aside_stays_visible(scrubber):
    text = "Ma date de naissance est bonne, mais la date limite de confirmation que le lycée m'a indiquée sur le papier, c'est le 12/05/2026"
    assert found(scrubber, text) == []


# -- a day and a year of birth said apart ----------------------------------------------------------


def test_a_day_after_a_whole_date_of_birth_is_an_event(scrubber):
    text = "jsuis né le 03/03/2008, le 14 juin j'ai mon oral de français, je peux avoir un aménagement ?"
    assert [value for kind, value in found(scrubber, text) if kind == "DATE_NAISSANCE"] == ["03/03/2008"]


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("ma fille est née un 29 février, en 2008, elle a quel âge légalement ?", "29 février, en 2008"),
        ("il est né le 11 novembre 2009", "11 novembre 2009"),
    ],
)
def test_a_day_and_its_year_of_birth_said_apart_are_hidden(scrubber, text, birth):
    births = [value for kind, value in found(scrubber, text) if kind == "DATE_NAISSANCE"]
    assert any(birth in value for value in births)


def test_a_day_and_month_then_a_later_year_of_an_event_is_not_a_birth(scrubber):
    text = "je suis née le 3 mars, en 2026 je passe le bac"
    assert [value for kind, value in found(scrubber, text) if kind == "DATE_NAISSANCE"] == ["3 mars"]


# -- a street's short form is a whole word: « AVEC », « AVOIR », « BDE » in capitals are no avenue ---


@pytest.mark.parametrize(
    "text",
    [
        "LÉNA PETIT NÉE LE 02/02/2008 QUESTION : COMMENT AVOIR UNE PLACE EN BTS AVEC LA COMMISSION D'ACCÈS ?",
        "BONJOUR JE VOUDRAIS AVOIR UN STAGE AVEC LA MAIRIE DE TOURS, LE BDE DE MA FAC PEUT AIDER ?",
    ],
)
def test_words_in_capitals_starting_like_a_street_s_short_form_are_no_address(scrubber, text):
    assert [kind for kind, _ in found(scrubber, text) if kind == "ADRESSE"] == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("j'habite au 3 place du Marché, 35000 Rennes", "3 place du Marché, 35000 Rennes"),
        ("ADRESSE : 12 AV. DE LA GARE 37000 TOURS", "12 AV. DE LA GARE 37000 TOURS"),
        ("adresse : Bd Carnot, 06000 Nice", "Bd Carnot, 06000 Nice"),
    ],
)
def test_streets_and_their_short_forms_are_still_addresses(scrubber, text, address):
    assert ("ADRESSE", address) in found(scrubber, text)


# -- a family name in lower case after a title of address ----------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("notre prof principale madame rousseau a dit que c'était trop tard", "rousseau"),
        ("j'ai vu monsieur boucher hier au CIO", "boucher"),
        ("mme fontaine nous a conseillé un BTS", "fontaine"),
    ],
)
def test_a_family_name_that_is_a_word_after_a_title_of_address_is_hidden(scrubber, text, name):
    assert name in names(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "merci madame pour votre réponse rapide",
        "bonjour madame conseillère, j'ai une question sur Parcoursup",
        "oui monsieur tout à fait, merci",
        "merci monsieur le proviseur",
    ],
)
def test_words_after_a_title_of_address_stay_visible(scrubber, text):
    assert names(scrubber, text) == []


# -- a first name that is a word, given with « s'appelle » ----------------------------------------


@pytest.mark.parametrize(("text", "name"), [("elle s'appelle Prune et elle est en 1re", "Prune"), ("mon fils s'appelle Pierre, il a 15 ans", "Pierre")])
def test_a_given_name_that_is_a_word_after_s_appelle_is_hidden(scrubber, text, name):
    assert name in names(scrubber, text)


@pytest.mark.parametrize("text", ["la formation s'appelle Design graphique", "ça s'appelle Parcoursup", "la ville s'appelle Nancy ? non c'est Metz"])
def test_things_named_with_s_appelle_stay_visible(scrubber, text):
    assert names(scrubber, text) == []


# -- a relative with an adjective before the word of kinship ----------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("mon petit frère gabin est en 6e et moi en 3e", "gabin"),
        ("ma grande sœur Maëlys a fait un BTS MCO", "Maëlys"),
        ("mon fils aîné Nolan voudrait faire un bac pro", "Nolan"),
    ],
)
def test_a_relative_named_after_an_adjective_of_kinship_is_hidden(scrubber, text, name):
    assert name in names(scrubber, text)


@pytest.mark.parametrize("text", ["mon petit frère est en 6e", "ma grande sœur étudie à Lyon", "mon fils aîné redouble sa seconde"])
def test_a_relative_without_a_name_leaves_the_message_unaltered(scrubber, text):
    assert found(scrubber, text) == []


# -- a given name that is a word, opening the message as the subject of a wish ----------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ambre voudrait faire un BTS esthétique, c'est possible après un bac général ?", "Ambre"),
        ("Capucine souhaite entrer en prépa, je suis sa mère", "Capucine"),
    ],
)
def test_a_given_name_opening_the_message_as_who_wishes_is_hidden(scrubber, text, name):
    assert name in names(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "Orange voudrait des alternants en BTS NDRC, c'est vrai ?",
        "France Travail veut que je fasse une formation",
        "Rose voudrait dire rose pâle ou rose vif sur la fiche ?",
    ],
)
def test_a_firm_or_a_word_opening_the_message_stays_visible(scrubber, text):
    assert names(scrubber, text) == []


# -- a phone number with a digit missing or too many, after a phone's cue --------------------------


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("mon tel : 6 12 34 56 78, le zéro est tombé", "6 12 34 56 78"),
        ("joignable au 07 81 23 45 6 après 18h", "07 81 23 45 6"),
        ("portable de ma mère 06 12 34 56 789 (je crois qu'il y a un chiffre en trop)", "06 12 34 56 789"),
    ],
)
def test_a_phone_number_with_a_typo_after_its_cue_is_hidden(scrubber, text, phone):
    assert ("TELEPHONE", phone) in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    [
        "mon numéro de dossier 2 12 34 56 78 ne marche pas",
        "je suis 6 12 34 56 78 sur la liste ? non je plaisante, rang 612",
        "tel : le standard du lycée au 02 99 12 34 5",
    ],
)
def test_a_number_without_a_phone_cue_or_of_a_service_stays_visible(scrubber, text):
    assert [kind for kind, _ in found(scrubber, text) if kind == "TELEPHONE"] == []


# -- given names that are words, in the places a sentence keeps for people --------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c'est pour mon neveu, il s'appelle ange et il a 16 ans", ["ange"]),
        ("Rose, Jade et moi on veut faire médecine à Tours", ["Rose", "Jade"]),
        ("Marine et Pierre ont été pris en BTS à Lyon, pas moi", ["Marine", "Pierre"]),
        ("je suis en couple avec Ambre et on veut partir en Erasmus ensemble", ["Ambre"]),
    ],
)
def test_given_names_that_are_words_where_only_people_stand_are_hidden(scrubber, text, expected):
    assert all(name in names(scrubber, text) for name in expected)


@pytest.mark.parametrize(
    "text",
    [
        "ça s'appelle rose gold, c'est une couleur",
        "Orange et Free ont été pris comme partenaires du salon ?",
        "la Marine et l'Armée ont été présentes au forum",
        "Rouge, Bleu et moi c'est le nom des équipes du forum",
    ],
)
def test_words_in_those_places_that_name_no_one_stay_visible(scrubber, text):
    assert names(scrubber, text) == []


# -- two numbers side by side; an area code in brackets ---------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tel: 05 56 12 34 78 / 06 41 22 90 13", ["05 56 12 34 78", "06 41 22 90 13"]),
        ("joignable au 07 12 45 78 96 - 01 39 48 20 11 le soir", ["07 12 45 78 96", "01 39 48 20 11"]),
        ("portable 0641229013/0556123478", ["0641229013", "0556123478"]),
        ("vous pouvez m'appeler au (06) 41 22 90 13", ["(06) 41 22 90 13"]),
        ("le fixe de mes parents : (02) 98 44 12 67", ["(02) 98 44 12 67"]),
    ],
)
def test_each_of_two_numbers_side_by_side_and_a_bracketed_prefix_is_a_phone(scrubber, text, expected):
    assert [value for kind, value in found(scrubber, text) if kind == "TELEPHONE"] == expected


def test_a_long_run_of_digits_is_not_cut_into_phones(scrubber):
    # a dossier number of 20 digits is no two phones (it is no phone at all)
    assert not [v for k, v in found(scrubber, "référence de paiement 0612345678 9012345678 9") if k == "TELEPHONE"]
