"""Round 11 of the personal-data rules: a birthday in SMS style, a date of birth after a long aside
that comes back with « est », addresses of a lotissement, a Guadeloupe « section », a residence
written short, a flat abroad with its British postcode and country, a given name that is also in a
school's longer name, and figures a written work is about. Every example is made up for this file."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def found(scrubber, text):
    return [(e.type, text[e.start : e.end]) for e in scrubber.find(text)]


def of_type(scrubber, text, kind):
    return [value for found_kind, value in found(scrubber, text) if found_kind == kind]


# -- dates of birth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("mon anniv c le 14/02 alors jsuis tjr le plus jeune, ça compte ?", "14/02"),
        ("son anniversaire c le 3 mars, elle aura 15 ans", "3 mars"),
    ],
)
def test_a_birthday_in_sms_style_is_hidden(scrubber, text, birth):
    assert birth in of_type(scrubber, text, "DATE_NAISSANCE")


def test_a_birth_date_coming_back_with_est_after_a_long_aside_is_hidden(scrubber):
    text = ("Ma date de naissance, que le lycée a recopiée de travers sur mon dossier l'année dernière, est en fait "
            "le 21/10/2007. Qui peut la corriger ?")
    assert "21/10/2007" in "".join(of_type(scrubber, text, "DATE_NAISSANCE"))


def test_a_deadline_after_a_birth_cue_and_an_aside_stays_visible(scrubber):
    text = "Ma date de naissance, que je dois encore vérifier, est à saisir avant le 12/03/2026 ?"
    assert of_type(scrubber, text, "DATE_NAISSANCE") == []


# -- addresses --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Mon adresse : Lotissement Les Palmistes, lot 7, 97200 Fort-de-France. Je n'ai rien reçu.",
         "Lotissement Les Palmistes, lot 7, 97200 Fort-de-France"),
        ("Section Morne Rouge, 97160 Le Moule, Guadeloupe — c'est mon adresse, le courrier arrive ?",
         "Section Morne Rouge, 97160 Le Moule, Guadeloupe"),
        ("adresse pr le dossier :\nres les Tilleuls bat 2\n9 av Jean Jaurès\n94200 ivry sur seine",
         "res les Tilleuls bat 2\n9 av Jean Jaurès\n94200 ivry sur seine"),
        ("Je vis à Londres : Flat 12, 8 Camden Road, London NW1 9DP, Royaume-Uni. Je passe par Parcoursup ?",
         "Flat 12, 8 Camden Road, London NW1 9DP, Royaume-Uni"),
    ],
)
def test_addresses_of_this_round_are_hidden_whole(scrubber, text, address):
    assert address in of_type(scrubber, text, "ADRESSE")


@pytest.mark.parametrize(
    "text",
    [
        "La section européenne du lycée, c'est combien d'heures ?",
        "Dans le lotissement on est nombreux à passer le bac cette année, c'est quand les résultats ?",
        "Je voudrais étudier à London, au Royaume-Uni, après le bac.",
    ],
)
def test_their_look_alikes_stay_visible(scrubber, text):
    assert of_type(scrubber, text, "ADRESSE") == []


# -- names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "times"),
    [
        ("Bonjour, mes deux filles Zoé et Jeanne sont au lycée Jeanne d'Arc. Zoé est en terminale, Jeanne en seconde.", "Jeanne", 2),
        ("mes deux fils Tom et Louis sont au lycée Louis Pasteur. Tom est en seconde, Louis en première.", "Louis", 2),
        ("Mes jumelles Rose et Jeanne sont au lycée Jeanne d'Arc. Jeanne veut faire un BTS, Rose une licence.", "Jeanne", 2),
    ],
)
def test_a_given_name_also_in_a_schools_longer_name_is_still_hidden(scrubber, text, name, times):
    hidden = of_type(scrubber, text, "PERSONNE")
    assert hidden.count(name) == times
    assert "Arc" not in " ".join(hidden) and "Pasteur" not in " ".join(hidden)


def test_a_school_named_again_by_its_whole_name_stays_visible(scrubber):
    assert of_type(scrubber, "au lycée Jean Moulin, est-ce que Jean Moulin a un BTS ?", "PERSONNE") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ma lettre de motivation parle de Marie Curie et de Rosalind Franklin, c'est trop scolaire ?",
        "Mon projet de formation motivé parle d'Albert Camus, est-ce une bonne idée pour une licence de lettres ?",
    ],
)
def test_figures_a_written_work_is_about_stay_visible(scrubber, text):
    assert of_type(scrubber, text, "PERSONNE") == []


def test_a_relative_a_letter_is_about_is_still_hidden(scrubber):
    assert "Chloé Bertin" in of_type(scrubber, "Ma lettre de motivation parle de ma sœur Chloé Bertin, ça passe ?", "PERSONNE")
