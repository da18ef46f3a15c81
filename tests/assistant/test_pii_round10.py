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
