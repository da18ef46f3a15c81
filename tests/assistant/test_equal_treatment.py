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
    # What a statement about the writer leaves behind once its known words are out goes with it.
    "disability, the kind of handicap": ("j'ai un handicap moteur, c'est quoi un BTS en alternance ?",
                                         "c'est quoi un BTS en alternance ?"),
    "family, the parents' work": ("mes parents sont ouvriers, je suis sur liste d'attente, je peux encore être pris ?",
                                  "je suis sur liste d'attente, je peux encore être pris ?"),
    "family, a parent out of work": ("mon père est au chômage, ma fille veut devenir vétérinaire, c'est long ?",
                                     "ma fille veut devenir vétérinaire, c'est long ?"),
    "family, many children": ("on est sept enfants à la maison, comment on fait pour confirmer ses voeux ?",
                              "comment on fait pour confirmer ses voeux ?"),
    "family, an orphan": ("je suis orpheline, comment on fait pour confirmer ses voeux ?",
                          "comment on fait pour confirmer ses voeux ?"),
    "origin, the parents' language": ("mes parents ne parlent pas français, combien de vœux je peux faire ?",
                                      "combien de vœux je peux faire ?"),
    "origin, arrived lately": ("je suis arrivée en France il y a deux ans, combien de vœux je peux faire ?",
                               "combien de vœux je peux faire ?"),
    # Statements that had no rule at all.
    "origin, a refugee": ("je suis réfugié, je veux devenir infirmier, il faut faire quelles études ?",
                          "je veux devenir infirmier, il faut faire quelles études ?"),
    "origin, a religion worn": ("après un bac pro commerce on peut faire quoi ? Je porte le voile.",
                                "après un bac pro commerce on peut faire quoi ?"),
    "origin, a religion said": ("je suis musulmane, après un bac pro commerce on peut faire quoi ?",
                                "après un bac pro commerce on peut faire quoi ?"),
    "scholarship, the family's allowances": ("je touche les APL, c'est quoi un BTS en alternance ?",
                                             "c'est quoi un BTS en alternance ?"),
    "scholarship, a minimum income": ("on est au RSA, mon fils n'a aucune proposition, qu'est-ce qu'il peut faire ?",
                                      "mon fils n'a aucune proposition, qu'est-ce qu'il peut faire ?"),
    "scholarship, a filler aside": ("Quand ouvre la phase complémentaire ? (Je suis boursière, au cas où ça compte.)",
                                    "Quand ouvre la phase complémentaire ?"),
    "scholarship, in apposition": ("Je suis en BTS, boursier, et je veux faire une licence pro. Comment candidater ?",
                                   "Je suis en BTS et je veux faire une licence pro. Comment candidater ?"),
    "disability, in apposition": ("J'ai 40 ans, une RQTH depuis mon accident, et je voudrais faire un CAP cuisine. C'est possible ?",
                                  "J'ai 40 ans et je voudrais faire un CAP cuisine. C'est possible ?"),
    "disability, a chronic illness": ("j'ai une mucoviscidose, c'est quoi un BTS en alternance ?",
                                      "c'est quoi un BTS en alternance ?"),
    "family, a guardian": ("J'ai la tutelle de ma nièce depuis la mort de mon frère. Elle peut faire un CAP coiffure ?",
                           "Elle peut faire un CAP coiffure ?"),
    "family, a parent of young children": ("Je suis papa de trois enfants et en M1 de droit. Les masters sont-ils tous sur Mon Master ?",
                                           "Je suis en M1 de droit. Les masters sont-ils tous sur Mon Master ?"),
    "family, a single parent on a low wage": ("Je l'élève seul avec un SMIC. Comment se passe la seconde ?",
                                              "Comment se passe la seconde ?"),
    "scholarship, and since when": ("Je touche la bourse depuis la seconde. Comment marche la phase complémentaire ?",
                                    "Comment marche la phase complémentaire ?"),
    "scholarship, and since which year": ("Je suis boursier depuis la L2. Comment marche la phase complémentaire ?",
                                          "Comment marche la phase complémentaire ?"),
    "disability, and since when": ("j'ai un PAP depuis le CP, c'est quoi un BTS en alternance ?",
                                   "c'est quoi un BTS en alternance ?"),
    "family, who raises the child": ("Je l'élève avec sa grand-mère. Comment se passe la seconde ?",
                                     "Comment se passe la seconde ?"),
    "age, retired": ("je suis à la retraite, je suis sur liste d'attente, je peux encore être pris ?",
                     "je suis sur liste d'attente, je peux encore être pris ?"),
}


@pytest.mark.parametrize("a, b", SAME_NEED.values(), ids=SAME_NEED.keys())
def test_the_need_is_the_same_whoever_writes(understand, a, b):
    assert understand(a).query == understand(b).query


def test_a_first_name_never_reaches_the_need(assistant):
    kevin = assistant.ask("Bonjour, c'est Kévin Morel, comment confirmer mes voeux ?", conversation_id="kevin")
    aurelien = assistant.ask("Bonjour, c'est Aurélien Petit, comment confirmer mes voeux ?", conversation_id="aurelien")
    assert kevin.understood["need"] == aurelien.understood["need"]
    assert "Kévin" not in kevin.understood["need"] and kevin.main_text == aurelien.main_text


def test_an_introduction_whose_name_was_scrubbed_leaves_nothing(understand):
    """« Je m'appelle <PERSONNE_1> »: the name goes with the scrubber, the words that brought it too."""
    asked = "ma fille veut devenir vétérinaire, c'est combien d'années d'études ?"
    for said in (f"je m'appelle <PERSONNE_1>, {asked}", f"{asked} Je m'appelle <PERSONNE_1>.",
                 f"moi c'est <PERSONNE_1>, {asked}"):
        assert understand(said).query == understand(asked).query, said


def test_what_the_statement_leaves_stays_when_it_is_asked_about(understand):
    """The residue rule drops only words that say nothing asked: a track, a wish or a procedure stays."""
    assert "STMG" in understand("ma fille est en terminale STMG, elle peut faire un BTS ?").need
    assert "liste d'attente" in understand("mes parents sont inquiets, je suis sur liste d'attente, je peux être pris ?").need
    assert "vétérinaire" in understand("mon père est vétérinaire et je veux devenir vétérinaire, il faut quoi ?").need


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


@pytest.mark.parametrize("situation", ["je suis en situation de handicap", "je suis boursier",
                                       "on vit avec très peu d'argent", "ma mère est au RSA"])
def test_a_situation_adds_a_complement_to_the_same_main_answer(assistant, situation):
    plain = assistant.ask("comment confirmer mes voeux sur parcoursup ?", service="parcoursup")
    helped = assistant.ask(f"{situation}, comment confirmer mes voeux sur parcoursup ?", service="parcoursup")
    assert helped.sources[0].doc_id == plain.sources[0].doc_id and helped.abstained == plain.abstained
    assert helped.main_text == plain.text  # the main answer is untouched…
    assert helped.complement is not None and helped.complement.doc_id != plain.citations[0].doc_id  # …plus a complement
    assert helped.text.startswith(plain.text.rsplit("\n\nPour en savoir plus", 1)[0])
    assert "À noter, pour une situation particulière" in helped.text


@pytest.mark.parametrize("said", ["on a peu d'argent à la maison", "mes parents touchent le RSA", "je l'élève seule avec un SMIC",
                                  "je n'ai aucun soutien financier de ma famille"])
def test_a_family_with_little_money_is_pointed_to_the_scholarships(understand, said):
    """Low means are no scholarship yet, but they are what scholarships are for: the bourse snippet
    comes as a complement, the main answer does not move (charter: equal access)."""
    assert "boursier" in understand(f"{said}, comment confirmer mes voeux ?").profile.situations


def test_means_denied_or_about_something_else_are_no_situation(understand):
    assert understand("on n'a pas de problème d'argent, comment confirmer mes voeux ?").profile.situations == ()
    assert understand("combien coûte une école de commerce ? on a un petit budget").profile.situations == ()
    # an adult out of work has other funding than a student's scholarship; their parents out of work do not
    assert "boursier" not in understand("je suis au chômage, comment reprendre des études ?").profile.situations
    assert "boursier" in understand("mes parents sont au chômage, comment confirmer mes voeux ?").profile.situations


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
