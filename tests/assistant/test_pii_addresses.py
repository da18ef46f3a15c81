"""Postal addresses in the shapes of the sixth round (issue 11): numbers in words, abbreviations,
streets abroad, post-office boxes and their towns, overseas postal codes the COG lacks, a town
after « à » or closing the sentence, flats and buildings in lower case. Every example is made up
for this file; look-alikes (residences that are no address, a school's street) stay visible."""

from __future__ import annotations

import pytest

from tests.assistant.test_pii_cues import assert_hidden, assert_visible

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a street number in words, a commune after « à » (any case, checked against the COG)
        ("slt jhabite quarante-deux avenue des tilleuls a montbeliard et je cherche un bts", "quarante-deux avenue des tilleuls a montbeliard"),
        ("J'habite 8 impasse des Saules à Montbéliard, est-ce loin de Besançon ?", "8 impasse des Saules à Montbéliard"),
        # abbreviations
        ("Je soussigné, demeurant 7 chem. des Vignes, 21000 Dijon, atteste", "7 chem. des Vignes, 21000 Dijon"),
        ("adresse : 3 all. du Parc, 35000 Rennes, merci", "3 all. du Parc, 35000 Rennes"),
        # a street numbered, not named, and « n° »
        ("Adresse : Cité Ennasr, rue 5210 n°8, 2037 Ariana. Je veux un master.", "Cité Ennasr, rue 5210 n°8, 2037 Ariana"),
        ("Adresse : Cité 200 Logements, Bt 3 n°7, 16000 Alger, Algérie. Merci", "Cité 200 Logements, Bt 3 n°7, 16000 Alger, Algérie"),
        # streets abroad, a Spanish floor, a Portuguese postal code, a country closing the address
        ("en Erasmus, j'habite Calle Mayor 15, 2º A, 41001 Sevilla. Est-ce grave ?", "Calle Mayor 15, 2º A, 41001 Sevilla"),
        ("Adresse : Rua Augusta 80, 1100-053 Lisboa, Portugal\nQuestion : frais ?", "Rua Augusta 80, 1100-053 Lisboa, Portugal"),
        ("mon adresse : Goethestraße 12, 10115 Berlin. Merci", "Goethestraße 12, 10115 Berlin"),
        # a post-office box and the town of its office; an overseas postal code the COG does not hold
        ("Adresse : BP 2210, Libreville, Gabon. Je veux m'inscrire en L1.", "BP 2210, Libreville, Gabon"),
        ("Mon adresse postale : BP 310, 98714 Papeete (Tahiti). Merci", "BP 310, 98714 Papeete"),
        ("j'habite 4 rue des Remparts, 98800 Nouméa et je veux faire un master", "4 rue des Remparts, 98800 Nouméa"),
        # a place named before its number, and a town closing the sentence
        ("Bonjour, nous vivons à Hay Riad 2, villa 18, Rabat. Quelle adresse mettre ?", "Hay Riad 2, villa 18, Rabat"),
        # « le Bourg » with its article in lower case
        ("Bonjour, j'habite le Bourg, 19270 Ussac et je voudrais un CAP.", "le Bourg, 19270 Ussac"),
        # flats, buildings and residences in lower case, in one run
        ("jai change dadresse c appt 12 bat c 8 rue des acacias 59000 lille", "appt 12 bat c 8 rue des acacias 59000 lille"),
        ("jhabite res les glycines 14 av jean jaures 31000 toulouse c pr la bourse", "res les glycines 14 av jean jaures 31000 toulouse"),
        ("J'habite n° 9 derb Lalla Aouda, médina, 30000 Fès. Merci", "n° 9 derb Lalla Aouda, médina, 30000 Fès"),
    ],
)
def test_an_address_is_hidden_whole(scrubber, text, value):
    assert_hidden(scrubber, text, value, "ADRESSE")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Résidence alternée : quelle adresse mettre sur Parcoursup ? Mon père vit à Nantes.", "Résidence alternée"),
        ("Adresse de résidence principale : je la mets où ?", "résidence principale"),
        ("je cherche un BTS près de 69003 ou de Villeurbanne", "BTS"),
        ("La fac est à Oran ou à Alger ? je sais plus", "Oran"),
        ("le CROUS de Créteil a des résidences à Vitry et Villejuif ?", "Villejuif"),
        ("Le CIO est situé rue de la République à Lyon ? il ouvre à 9h", "Lyon"),
    ],
)
def test_look_alikes_stay_visible(scrubber, text, value):
    assert_visible(scrubber, text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("le cio c'est bien au 14 rue Pasteur ? jveux prendre rdv", "14 rue Pasteur"),
        ("Le lycée est situé 5 avenue de la Gare, 26000 Valence. Y a-t-il un internat ?", "5 avenue de la Gare"),
        ("Quelle est l'adresse du CIO de Bobigny ? 1 rue Carnot, 93000 Bobigny c'est bien ça ?", "1 rue Carnot"),
    ],
)
def test_an_establishment_s_address_stays_visible(scrubber, text, value):
    assert_visible(scrubber, text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mon fils est au lycée Jean Zay, nous habitons 4 rue des Prés, 45000 Orléans", "4 rue des Prés, 45000 Orléans"),
        ("Le lycée m'a écrit au 9 rue des Lilas, 69008 Lyon, mais je n'y vis plus", "9 rue des Lilas, 69008 Lyon"),
        ("Je suis au lycée Lamartine et j'habite 12 rue Jean Macé, 71000 Mâcon", "12 rue Jean Macé, 71000 Mâcon"),
    ],
)
def test_a_home_near_a_school_is_still_hidden(scrubber, text, value):
    assert_hidden(scrubber, text, value, "ADRESSE")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Adresse : 6 rue des Écoles\nCode postal : 75005\nVille : Paris\nClasse : 2nde", "6 rue des Écoles\nCode postal : 75005\nVille : Paris"),
        ("Je réside 7 rue Didouche Mourad, Hydra, Alger, Algérie. Merci", "7 rue Didouche Mourad, Hydra, Alger, Algérie"),
        ("nous sommes au 27 bis rue Jean Moulin, 2e étage gauche, 86000 Poitiers", "27 bis rue Jean Moulin, 2e étage gauche, 86000 Poitiers"),
        ("mon fils habite 5 cours Lafayette, Lyon 3e, il cherche un BTS", "5 cours Lafayette, Lyon 3e"),
        ("jhabite ds le 93 a montreuil 5 rue de paris", "montreuil 5 rue de paris"),
    ],
)
def test_an_address_s_town_in_a_form_field_after_commas_or_before_the_street(scrubber, text, value):
    assert_hidden(scrubber, text, value, "ADRESSE")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rendez-vous au CIO, 2 rue des Tanneurs, 67000 Strasbourg, le mardi à 10h ?", "2 rue des Tanneurs"),
        ("ma prof m'a dit d'aller à la médiathèque, 3 place du marché, pour le stage", "3 place du marché"),
        ("mon entreprise d'accueil est au 40 rue du Port, 56100 Lorient, je peux loger au foyer ?", "40 rue du Port"),
        ("Le rectorat est au 12 rue de la Paix, Rennes, c'est bien ça ?", "12 rue de la Paix"),
    ],
)
def test_an_establishment_s_address_in_apposition_or_after_a_possessive_stays_visible(scrubber, text, value):
    assert_visible(scrubber, text, value)


def test_a_home_after_a_living_verb_near_a_school_is_hidden(scrubber):
    text = "j'habite près du lycée, 5 rue des Saules, 25000 Besançon"
    assert_hidden(scrubber, text, "5 rue des Saules, 25000 Besançon", "ADRESSE")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("adresse : 4 r. des Lilas, 59000 Lille", "4 r. des Lilas, 59000 Lille"),
        ("j'habite 12 pl. de la Mairie 24000 Périgueux", "12 pl. de la Mairie 24000 Périgueux"),
        ("domicilié 3 fbg Saint-Antoine, Paris", "3 fbg Saint-Antoine, Paris"),
        ("nous habitons 5 sq. Molière, 80000 Amiens", "5 sq. Molière, 80000 Amiens"),
        ("jhabite 10 rue victor hugo, 2eme etage, porte droite, 69003 lyon", "10 rue victor hugo, 2eme etage, porte droite, 69003 lyon"),
        ("j'habite a montreuil, 14 rue de paris", "montreuil, 14 rue de paris"),
    ],
)
def test_street_abbreviations_a_door_and_a_commune_before_the_street(scrubber, text, value):
    assert_hidden(scrubber, text, value, "ADRESSE")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("salut jsuis en seconde a Roubaix, dans un quartier prioritaire, et jhesite a aller en STMG", "un quartier prioritaire"),
        ("je vis dans une cité à Sarcelles, est-ce qu'on peut demander une césure ?", "cité"),
    ],
)
def test_a_kind_of_place_is_no_address(scrubber, text, value):
    assert_visible(scrubber, text, value)


def test_round_7_a_town_after_a_comma_and_a_relative_s_home(scrubber):
    text = "mon fils habite chez son père, 8 rue Pasteur, à Brest"
    assert [(e.type, text[e.start : e.end]) for e in scrubber.find(text)] == [("ADRESSE", "8 rue Pasteur, à Brest")]
