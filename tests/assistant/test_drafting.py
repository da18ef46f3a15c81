"""Answer-focused extractive drafting, on small French sources written for the test."""

from __future__ import annotations

import pytest

from assistant.drafting import DraftRequest, ExtractiveDrafter, answer_units
from assistant.understanding import Profile, Understanding
from knowledge.types import Hit, Link, Passage

pytestmark = pytest.mark.unit

BAKER = "ideo-metier:MET.17"
BAKER_PASSAGES = [
    Passage(f"{BAKER}#h#0", "En bref", "boulanger/ère\nAutres intitulés : boulangère, boulanger\nEn bref\n"
            "Le boulanger fabrique le pain chaque nuit et le vend le matin.", 0.9),
    Passage(f"{BAKER}#h#3", "Nature du travail", "boulanger/ère\nNature du travail\nIl pétrit la pâte, la laisse lever, "
            "façonne les baguettes et surveille la cuisson. Il prépare aussi les viennoiseries.", 0.5),
    Passage(f"{BAKER}#h#6", "Vie professionnelle et salaire", "boulanger/ère\nVie professionnelle et salaire\nSalaire\n"
            "Un boulanger débutant gagne à peu près le Smic. Le salaire augmente avec l'expérience et la prise de responsabilités.", 0.4),
    Passage(f"{BAKER}#h#7", "Accès au métier", "boulanger/ère\nAccès au métier\nLe CAP boulanger, en deux ans, est le diplôme "
            "le plus courant. Il se prépare souvent en apprentissage.", 0.3),
]


def baker(passages=BAKER_PASSAGES) -> Hit:
    return Hit(doc_id=BAKER, source="ideo-metier", title="boulanger/ère", score=0.9, url="https://www.onisep.fr/metier/MET.17",
               passages=passages[:1], names=("boulangère", "boulanger"))


def request(need: str, evidence: list[Hit], profile: Profile = Profile(), complement: Hit | None = None) -> DraftRequest:
    by_doc = {BAKER: BAKER_PASSAGES, CONFIRM.doc_id: CONFIRM_PASSAGES, DISABILITY.doc_id: DISABILITY_PASSAGES}
    return DraftRequest(question=need, understood=Understanding(need=need, profile=profile), evidence=evidence,
                        complement=complement, passages=lambda doc_id: by_doc.get(doc_id, []))


CONFIRM_PASSAGES = [Passage("oscar:ps-confirmer#h#0", "", "Faut-il confirmer ses vœux ?\nNon, pas tant que la date limite n'est "
                            "pas passée : vous pouvez les modifier jusque-là.\nAprès la date limite de confirmation, un vœu "
                            "non confirmé est supprimé.", 0.8)]
CONFIRM = Hit(doc_id="oscar:ps-confirmer", source="oscar", title="Faut-il confirmer ses vœux ?", score=0.8, url=None,
              passages=CONFIRM_PASSAGES, links=(Link("Parcoursup", "https://www.parcoursup.gouv.fr"),))
DISABILITY_PASSAGES = [Passage("oscar:ps-handicap#h#0", "", "Candidats en situation de handicap\nChaque formation a un référent "
                               "handicap. Vous pouvez remplir une fiche de liaison pour préparer votre arrivée.", 0.7)]
DISABILITY = Hit(doc_id="oscar:ps-handicap", source="oscar", title="Candidats en situation de handicap", score=0.7, url=None,
                 passages=DISABILITY_PASSAGES)


def test_a_salary_question_gets_the_salary_sentence_first_not_the_whole_fiche():
    units = answer_units(Understanding(need="combien gagne un boulanger au début"), baker(), BAKER_PASSAGES)
    assert units and "gagne à peu près le Smic" in units[0].text
    assert all("pétrit" not in u.text for u in units)
    draft = ExtractiveDrafter().compose(request("combien gagne un boulanger au début", [baker()])).text
    assert draft.index("Smic") < draft.index("Pour en savoir plus")
    assert "pétrit" not in draft and "« boulanger/ère »" in draft


def test_an_access_question_gets_the_diploma():
    draft = ExtractiveDrafter().compose(request("quel diplome pour etre boulanger", [baker()])).text
    assert "CAP boulanger" in draft and "Smic" not in draft


def test_a_parent_is_answered_about_their_child():
    parent = Profile(writer="parent", child="fille")
    draft = ExtractiveDrafter().compose(request("quel diplome pour etre boulangère", [baker()], parent)).text
    assert draft.startswith("Bonjour,\n\nVoici ce qui concerne votre fille.")
    assert ExtractiveDrafter().compose(request("quel diplome pour etre boulangère", [baker()])).text.startswith("Bonjour,\n\nD'après")


def test_yes_or_no_only_when_the_source_answers_that_very_question():
    same_question = ExtractiveDrafter().compose(request("faut-il confirmer ses vœux ?", [CONFIRM])).text
    assert "\n\nNon, pas tant que" in same_question
    other_question = ExtractiveDrafter().compose(request("j'ai oublié de confirmer mes vœux, c'est trop tard ?", [CONFIRM])).text
    assert "Non," not in other_question and "\n\nPas tant que la date limite" in other_question
    assert "un vœu non confirmé est supprimé" in other_question  # the rest of the validated answer follows


def test_a_complement_is_added_and_never_replaces_the_main_answer():
    profile = Profile(situations=("handicap",))
    plain = ExtractiveDrafter().compose(request("faut-il confirmer ses vœux ?", [CONFIRM]))
    helped = ExtractiveDrafter().compose(request("faut-il confirmer ses vœux ?", [CONFIRM], profile, complement=DISABILITY))
    assert [h.doc_id for h in helped.cited] == ["oscar:ps-confirmer", "oscar:ps-handicap"]
    assert helped.main_text == plain.text  # the same main answer…
    assert "À noter, pour une situation particulière (situation de handicap)" in helped.text  # …plus the complement
    assert "référent handicap" in helped.text and helped.text.index("Non, pas tant") < helped.text.index("À noter")
