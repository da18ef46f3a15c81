"""Equal treatment by construction (charter §6): what the writer says of themselves never reaches
retrieval, ranking or confidence, and a situation that changes the procedure only adds a complement.

Every example is ours, made up for this test, never taken from an evaluation set.
"""

from __future__ import annotations

import pytest

from assistant.chain import Assistant
from assistant.drafting import ExtractiveDrafter
from assistant.pii import MappingStore
from assistant.understanding import Understander

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def understand(demo_index):
    understander = Understander(demo_index)
    return lambda *turns: understander.run(list(turns))


@pytest.fixture(scope="module")
def assistant(demo_index, scrubber):
    return Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())


# Pairs that differ only in who writes: the need must be the same on both sides.
SAME_NEED = {
    "place": ("J'habite en Seine-Saint-Denis, comment confirmer mes vœux sur Parcoursup ?",
              "J'habite à Neuilly, comment confirmer mes vœux sur Parcoursup ?"),
    "place, a school's town": ("Je suis en seconde dans un lycée de Seine-Saint-Denis. Comment changer de voie ?",
                               "Je suis en seconde dans un lycée de la Creuse. Comment changer de voie ?"),
    "place, after the level": ("je suis en terminale à Roubaix, c'est quoi la CAES ?",
                               "je suis en terminale à Versailles, c'est quoi la CAES ?"),
    "origin": ("Mes parents sont venus du Mali, je suis en 1re. Comment se passe le bac de français ?",
               "Je suis en 1re. Comment se passe le bac de français ?"),
    "origin, nationality": ("Je suis d'origine vietnamienne. Comment demander une bourse pour la fac ?",
                            "Comment demander une bourse pour la fac ?"),
    "disability": ("je suis dyspraxique et en terminale, c'est quoi la CAES ?", "je suis en terminale, c'est quoi la CAES ?"),
    "disability, an aside": ("Je suis malvoyant (une canne blanche) et je voudrais faire du droit. Comment marche la licence ?",
                             "Je voudrais faire du droit. Comment marche la licence ?"),
    "scholarship": ("je suis boursière échelon 5, comment confirmer mes vœux ?", "comment confirmer mes vœux ?"),
    "scholarship, denied": ("je ne suis pas boursier, la phase complémentaire c'est pour qui ?",
                            "la phase complémentaire c'est pour qui ?"),
    "age and level": ("ma fille de 14 ans est en 3e à Toulouse, comment marche l'affectation au lycée ?",
                      "ma fille est en 3e, comment marche l'affectation au lycée ?"),
    "age told in passing": ("J'ai 38 ans et j'ai quitté le lycée il y a vingt ans. Comment s'inscrire sur Parcoursup ?",
                            "Comment s'inscrire sur Parcoursup ?"),
    "family": ("Comment choisir une licence ? Nous sommes une famille nombreuse et mes parents sont séparés.",
               "Comment choisir une licence ?"),
    "someone else": ("Ma cousine est en terminale et elle veut savoir comment on confirme ses vœux.",
                     "Mon cousin est en terminale et il veut savoir comment on confirme ses vœux."),
    "origin, an aside in a sentence that tells": (
        "Bonjour, je travaille comme caissier depuis deux ans à Lille (je suis tunisien). Je voudrais reprendre "
        "mes études, on peut avoir une bourse ?",
        "Bonjour, je travaille comme caissier depuis deux ans à Lille. Je voudrais reprendre mes études, on peut "
        "avoir une bourse ?"),
    "family, joined to a wish": (
        "Mon père est marocain et je voudrais partir un an au Maroc après le bac. Est-ce que je garde ma place ?",
        "Je voudrais partir un an au Maroc après le bac. Est-ce que je garde ma place ?"),
    "gender, « s'il » and « si elle »": ("Mon fils hésite, il ne sait pas s'il doit faire un BTS ou une licence.",
                                         "Ma fille hésite, elle ne sait pas si elle doit faire un BTS ou une licence."),
    "family, in care": ("Je suis en famille d'accueil et je n'ai pas d'aide de mes parents. Comment s'inscrire en BTS ?",
                        "Comment s'inscrire en BTS ?"),
    "scholarship, what is left of the sentence": (
        "J'ai eu une place en BTS à Brest. Je suis boursière au collège. Comment trouver un logement ?",
        "J'ai eu une place en BTS à Brest. Comment trouver un logement ?"),
    "disability, its support": ("J'ai un TDAH reconnu par la MDPH. Comment écrire une lettre de motivation pour un BTS ?",
                                "Comment écrire une lettre de motivation pour un BTS ?"),
    "scholarship, in other words": ("On touche la bourse de lycée. Mon fils peut-il faire un BTS en alternance ?",
                                    "Mon fils peut-il faire un BTS en alternance ?"),
    "family, separated parents": ("Je suis séparée du père de ma fille. Comment suivre son dossier Parcoursup ?",
                                  "Comment suivre son dossier Parcoursup ?"),
    "place, the kind of school": ("Je suis en 1re dans un lycée rural du Cantal, comment trouver un stage ?",
                                  "Je suis en 1re dans un lycée parisien, comment trouver un stage ?"),
    "gender, non-binary": ("je suis non binaire, je veux devenir infirmier, il faut faire quelles études ?",
                           "je veux devenir infirmier, il faut faire quelles études ?"),
    "origin, and for how long one has lived here": (
        "je suis né au Sénégal mais je vis en France depuis petit, combien de vœux je peux faire ?",
        "combien de vœux je peux faire ?"),
    "scholarship, the family's means": ("on a peu d'argent à la maison, je suis sur liste d'attente, je peux encore être pris ?",
                                        "je suis sur liste d'attente, je peux encore être pris ?"),
    "disability, a disorder one has": ("j'ai un trouble de l'attention, c'est quoi un BTS en alternance ?",
                                       "c'est quoi un BTS en alternance ?"),
    "family, raised by one parent": ("ma mère m'élève seule, après un bac pro commerce on peut faire quoi ?",
                                     "après un bac pro commerce on peut faire quoi ?"),
}


@pytest.mark.parametrize("a, b", SAME_NEED.values(), ids=SAME_NEED.keys())
def test_the_need_is_the_same_whoever_writes(understand, a, b):
    assert understand(a).query == understand(b).query


def test_a_first_name_never_reaches_the_need(assistant):
    kevin = assistant.ask("Bonjour, c'est Kévin Morel, comment confirmer mes voeux ?", conversation_id="kevin")
    aurelien = assistant.ask("Bonjour, c'est Aurélien Petit, comment confirmer mes voeux ?", conversation_id="aurelien")
    assert kevin.understood["need"] == aurelien.understood["need"]
    assert "Kévin" not in kevin.understood["need"] and kevin.main_text == aurelien.main_text


def test_the_writers_facts_stay_in_the_profile(understand):
    understood = understand("mon fils de 15 ans est boursier et en 3e à Lyon, il veut faire un CAP boulanger, comment ça se passe ?")
    assert understood.profile.level == "3e" and understood.profile.age == 15 and understood.profile.writer == "parent"
    assert "boursier" in understood.profile.situations
    assert not {"15", "ans", "boursier", "Lyon", "fils"} & set(understood.need.replace(",", " ").split())
    assert "CAP boulanger" in understood.need


def test_a_denied_situation_is_no_situation(understand):
    assert understand("je ne suis pas boursière, la phase complémentaire c'est pour qui ?").profile.situations == ()


def test_a_french_school_abroad_is_what_is_asked_not_a_place(understand):
    assert "lycée français" in understand("on vit au Maroc et mon fils est au lycée français, il passe par où pour la fac ?").need


def test_a_town_asked_about_stays_in_the_need(understand):
    assert "Lyon" in understand("je voudrais faire un BTS à Lyon, comment faire ?").need


def test_gendered_words_meet_their_other_form_on_both_search_sides(understand):
    she = understand("est-ce qu'une fille peut devenir boulangère ? elle est motivée")
    he = understand("est-ce qu'un garçon peut devenir boulanger ? il est motivé")
    assert she.query == he.query  # the lexical and the dense side read it
    assert she.short_query == he.short_query
    assert "boulangère" in she.need  # what the writer wrote is still shown as written
    assert understand("est-ce qu'une femme peut devenir sage-femme ?").query.endswith("sage-femme?")


@pytest.mark.parametrize("a, b", [
    ("je suis en terminale à Sarcelles, comment confirmer mes voeux sur parcoursup ?",
     "je suis en terminale à Neuilly-sur-Seine, comment confirmer mes voeux sur parcoursup ?"),
    ("je suis une fille et je veux devenir boulangère, il faut quel diplôme ?",
     "je suis un garçon et je veux devenir boulanger, il faut quel diplôme ?"),
    ("mes parents viennent d'Algérie, c'est quoi la CAES ?", "c'est quoi la CAES ?"),
], ids=["place", "gender", "origin"])
def test_the_same_first_source_decision_and_confidence_through_the_real_index(assistant, a, b):
    draft_a, draft_b = assistant.ask(a, service="parcoursup"), assistant.ask(b, service="parcoursup")
    assert draft_a.sources[0].doc_id == draft_b.sources[0].doc_id
    assert draft_a.abstained == draft_b.abstained and draft_a.confidence == draft_b.confidence
    assert [c.doc_id for c in draft_a.citations] == [c.doc_id for c in draft_b.citations]


def test_a_gendered_job_is_drafted_with_the_inclusive_title_on_both_sides(assistant):
    she = assistant.ask("le métier de boulangère, ça consiste en quoi ? c'est pour ma fille")
    he = assistant.ask("le métier de boulanger, ça consiste en quoi ? c'est pour mon fils")
    assert she.citations[0].doc_id == he.citations[0].doc_id == "ideo-metier:MET.17"
    assert "« boulanger/ère »" in she.main_text and "« boulanger/ère »" in he.main_text
    assert she.main_text.replace("votre fille", "votre fils") == he.main_text


@pytest.mark.parametrize("situation", ["je suis en situation de handicap", "je suis boursier"])
def test_a_situation_adds_a_complement_to_the_same_main_answer(assistant, situation):
    plain = assistant.ask("comment confirmer mes voeux sur parcoursup ?", service="parcoursup")
    helped = assistant.ask(f"{situation}, comment confirmer mes voeux sur parcoursup ?", service="parcoursup")
    assert helped.sources[0].doc_id == plain.sources[0].doc_id and helped.abstained == plain.abstained
    assert helped.main_text == plain.text  # the main answer is untouched…
    assert helped.complement is not None and helped.complement.doc_id != plain.citations[0].doc_id  # …plus a complement
    assert helped.text.startswith(plain.text.rsplit("\n\nPour en savoir plus", 1)[0])
    assert "À noter, pour une situation particulière" in helped.text


def test_a_second_situation_still_gets_its_complement_when_the_main_answer_is_about_the_first(assistant):
    # the main answer is the disability snippet: the scholarship still adds its own
    draft = assistant.ask("je suis en situation de handicap et boursière : qui contacter pour mes vœux sur parcoursup ?",
                          service="parcoursup")
    assert "handicap" in draft.citations[0].title.lower()
    assert draft.complement is not None and "bours" in draft.complement.title.lower()


def test_a_draft_lead_does_not_move_with_words_the_source_does_not_hold(assistant):
    plain = assistant.ask("c'est quoi la CAES et comment la saisir ?", service="parcoursup")
    told = assistant.ask("c'est quoi la CAES et comment la saisir ? mon cousin de Cayenne m'en a parlé", service="parcoursup")
    assert told.sources[0].doc_id == plain.sources[0].doc_id
    assert told.main_text == plain.main_text
