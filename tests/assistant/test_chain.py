"""The chain end to end on the demo base: scrub -> retrieve -> draft -> check."""

from datetime import date

import pytest

from assistant.chain import ABSTENTION, Assistant
from assistant.drafting import ExtractiveDrafter
from assistant.llm import LLMDrafter
from assistant.pii import MappingStore, ScrubFailed
from ingest.pipeline import SourceSpec, run_ingest
from tests.assistant.openai_server import FakeLLM
from tests.conftest import snippet, write_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(demo_index, scrubber):
    return Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())


def test_an_answerable_question_gets_a_cited_friendly_draft(assistant):
    draft = assistant.ask("c koi exactement la CAES et comment on la sollicite ?", service="parcoursup")
    assert not draft.abstained and draft.confidence >= assistant.abstain_below
    assert draft.citations[0].doc_id == "oscar:ps-caes"
    assert draft.text.startswith("Bonjour,") and "commission d'accès à l'enseignement supérieur" in draft.text
    assert "https://www.parcoursup.gouv.fr" in draft.text
    assert (draft.drafter, draft.model, draft.index_version) == ("extractive", "extractive-v2", 1)
    assert draft.flags == [] and draft.confidence_words in ("fiable", "à vérifier")
    assert draft.sources[0].passage and draft.sources[0].doc_id == "oscar:ps-caes"  # shown beside the draft


def test_a_situation_that_changes_the_procedure_adds_a_complement_and_keeps_the_main_answer(assistant):
    plain = assistant.ask("comment confirmer mes voeux sur parcoursup ?", service="parcoursup", conversation_id="p1")
    helped = assistant.ask("je suis en situation de handicap, comment confirmer mes voeux sur parcoursup ?",
                           service="parcoursup", conversation_id="p2")
    assert plain.citations[0].doc_id == helped.citations[0].doc_id == "oscar:ps-confirmation-voeux"
    assert plain.complement is None and helped.complement is not None and "handicap" in helped.complement.doc_id
    assert helped.main_text == plain.text  # the same answer for both, the complement on top
    assert helped.text.startswith(plain.text.rsplit("\n\nPour en savoir plus", 1)[0])
    assert [c.doc_id for c in helped.citations] == ["oscar:ps-confirmation-voeux", helped.complement.doc_id]


def test_a_counsellor_can_have_the_draft_written_from_another_candidate(assistant):
    first = assistant.draft_scrubbed("c koi la CAES ?", "parcoursup")
    other = next(s.doc_id for s in first.sources if s.doc_id != first.citations[0].doc_id)
    again = assistant.draft_scrubbed("c koi la CAES ?", "parcoursup", source=other)
    assert again.citations[0].doc_id == other and again.chosen_source == other and not again.abstained


def test_a_fiche_metier_draft_uses_the_inclusive_title(assistant):
    draft = assistant.ask("le métier de boulangère, ça consiste en quoi ?")
    assert draft.citations[0].doc_id == "ideo-metier:MET.17"
    assert "« boulanger/ère »" in draft.text
    assert not [f for f in draft.flags if f.code == "titre_non_inclusif"]


def test_a_question_the_base_does_not_answer_abstains_with_sources(assistant):
    draft = assistant.ask("quel est le meilleur club de foot de Marseille ?")
    assert draft.abstained and draft.text == ABSTENTION
    assert draft.citations == [] and len(draft.sources) >= 3


def test_personal_data_never_reaches_retrieval(assistant, monkeypatch):
    seen = []
    real_candidates = assistant.index.candidates
    monkeypatch.setattr(assistant.index, "candidates", lambda q, **kw: seen.append(q) or real_candidates(q, **kw))
    draft = assistant.ask("je suis Léa Martin (06 12 34 56 78), comment demander une bourse ?", conversation_id="c42",
                          history=["bonjour, c'est encore Léa Martin, ma conseillère est Mme Dupont"])
    assert seen and all("Léa" not in query and "06 12" not in query and "Dupont" not in query for query in seen)
    assert "<PERSONNE_1>" in draft.question and "<TELEPHONE_1>" in draft.question
    assert assistant.mappings.get("c42").restore(draft.question).startswith("je suis Léa Martin (06 12 34 56 78)")


def test_service_decides_between_neighbouring_snippets(assistant):
    question = "comment ça marche la liste d'attente et le rang ?"
    parcoursup = assistant.ask(question, service="parcoursup")
    master = assistant.ask(question, service="monmaster")
    assert parcoursup.citations[0].doc_id.startswith("oscar:ps-")
    assert master.citations[0].doc_id.startswith("oscar:mm-")


def test_scrubbing_failure_stops_the_chain(assistant, monkeypatch):
    monkeypatch.setattr(assistant.scrubber._analyzer, "analyze", lambda **kw: 1 / 0)
    with pytest.raises(ScrubFailed):
        assistant.ask("je suis Léa Martin")


def test_out_of_date_snippets_are_flagged_and_not_used(tmp_path, make_index, scrubber):
    index = make_index()
    body = "Les vœux se confirment dans le dossier avant la date limite du calendrier."
    records = [
        snippet(id="ps-confirmer-2025", title="Confirmer ses vœux (campagne 2025)", body=body, valid_until="2025-04-02"),
        snippet(id="ps-confirmer", title="Confirmer ses vœux", body=body + " Chaque vœu doit être confirmé.", valid_from="2025-09-01"),
    ]
    run_ingest(index, [SourceSpec("oscar", write_jsonl(tmp_path / "o.jsonl", records))])

    def ask_on(day):
        assistant = Assistant(index=index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter(),
                              abstain_below=0.0, today=lambda: day)
        return assistant.ask("comment confirmer mes voeux ?")

    later = ask_on(date(2026, 3, 1))
    assert later.citations[0].doc_id == "oscar:ps-confirmer"
    assert any(f.code == "source_perimee" and "ps-confirmer-2025" in f.message for f in later.flags)
    earlier = ask_on(date(2025, 3, 1))
    assert earlier.citations[0].doc_id == "oscar:ps-confirmer-2025"
    assert any(f.code == "source_pas_encore_valide" for f in earlier.flags)


# -- the LLM drafter against a real HTTP server speaking the OpenAI protocol ----------------
@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


def llm_assistant(demo_index, scrubber, server, timeout=5.0):
    drafter = LLMDrafter(base_url=server.base_url, model="albert-test", api_key="k", find=scrubber.find, timeout=timeout)
    return Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=drafter)


QUESTION = "je suis Léa Martin, j'ai eu aucune proposition, c'est quoi la CAES ?"


def test_llm_draft_is_used_when_it_cites_its_sources(demo_index, scrubber, llm):
    llm.reply = "Bonjour <PERSONNE_1>,\n\nLa CAES de votre académie peut vous accompagner [1].\n\nBonne journée !"
    draft = llm_assistant(demo_index, scrubber, llm).ask(QUESTION)
    assert (draft.drafter, draft.model, draft.fallback_reason) == ("llm", "albert-test", None)
    assert draft.text.startswith("Bonjour <PERSONNE_1>") and draft.citations
    sent = str(llm.requests[0]["messages"])
    assert "Léa" not in sent and "<PERSONNE_1>" in sent and "[1]" in sent  # numbered sources, pseudonymised


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Bonjour, la CAES vous aide.", "ne cite aucune source"),
        ("Bonjour, voyez [7].", "n'existe pas"),
        ("Bonjour <PERSONNE_2>, la CAES vous aide [1].", "balises"),
        ("Bonjour, appelez le 06 98 76 54 32 [1].", "données personnelles"),
        ("ABSTENTION", "abstenu"),
    ],
)
def test_a_bad_llm_draft_falls_back_to_the_extractive_one(demo_index, scrubber, llm, reply, reason):
    llm.reply = reply
    draft = llm_assistant(demo_index, scrubber, llm).ask(QUESTION)
    assert draft.drafter == "extractive" and reason in draft.fallback_reason
    assert draft.citations and draft.text.startswith("Bonjour,")


def test_a_slow_llm_falls_back_after_the_timeout(demo_index, scrubber, llm):
    llm.delay = 3.0
    draft = llm_assistant(demo_index, scrubber, llm, timeout=0.5).ask(QUESTION)
    assert draft.drafter == "extractive" and "n'a pas répondu" in draft.fallback_reason


def test_a_fiche_draft_quotes_the_section_that_was_asked_for(assistant):
    salary = assistant.ask("une infirmière ça gagne combien en début de carrière ?")
    assert salary.citations[0].doc_id == "ideo-metier:MET.38"
    lead = salary.main_text.split("\n\n")[2]  # after the greeting and the fiche's name: the answer
    assert "Salaire" in lead and "rémunération" in salary.main_text
    studies = assistant.ask("quelles études pour devenir infirmier ?")
    assert "IFSI" in studies.main_text.split("\n\n", 3)[2]  # the métier or the diploma fiche, access first


def test_the_personal_data_check_of_a_draft_runs_once_per_distinct_text(demo_index, scrubber, monkeypatch):
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())
    checked = []
    real_find = scrubber.find
    monkeypatch.setattr(scrubber, "find", lambda text: checked.append(text) or real_find(text))
    first = assistant.draft_scrubbed("c koi la CAES ?", "parcoursup")
    again = assistant.draft_scrubbed("c koi la CAES ?", "parcoursup")  # another user, the same question
    other = assistant.draft_scrubbed("comment demander une bourse sur critères sociaux ?", "moel")
    assert first.text == again.text != other.text
    assert (first.flags, len(checked)) == (again.flags, 2)  # the second CAES draft reuses the first check


def test_a_draft_with_personal_data_is_flagged(demo_index, scrubber):
    class Leaky(ExtractiveDrafter):
        def compose(self, request):
            composed = super().compose(request)
            return type(composed)(composed.text + "\nAppelez Mme Camille Durand au 06 12 34 56 78.", composed.cited)

    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=Leaky())
    for _ in range(2):  # the remembered check gives the same flag
        draft = assistant.draft_scrubbed("c koi la CAES ?", "parcoursup")
        assert [f.code for f in draft.flags] == ["donnees_personnelles"]
