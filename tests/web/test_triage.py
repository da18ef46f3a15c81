"""Offline triage: each offline request gets a draft in the background, live chat drafting first;
`relais triage` drafts the older ones; the inbox carries the draft; answering files the decision."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from assistant.pii import PseudonymMap
from relais.cli import app as cli
from tests.web.conftest import login, receive_until
from web.models import AuditEntry, OfflineRequest
from web.triage import Triage, triage_waiting

QUESTION = "Bonjour, je suis Léa Martin, comment formuler mes vœux sur Parcoursup ?"


def offline(store, scrubber, question: str = QUESTION, service: str = "parcoursup") -> int:
    mapping = PseudonymMap("offline")
    return store.add_offline(service, scrubber.scrub(question, mapping).text, "lea.martin@exemple.fr", mapping)


def a_draft(text: str = "Vous formulez vos vœux sur la plateforme.") -> dict:
    return {"draft": text, "citations": [{"doc_id": "oscar:ps-voeux", "title": "Les vœux", "url": None, "source": "oscar"}],
            "confidence": 0.8, "abstained": False}


def test_a_request_is_claimed_once_drafted_once_and_shown_in_the_inbox_with_its_draft(store, scrubber):
    first, second = offline(store, scrubber), offline(store, scrubber, "Et pour le BTS ?")

    claimed = store.claim_undrafted_offline()
    assert claimed[0] == first and "<PERSONNE_1>" in claimed[1] and claimed[2] == "parcoursup"
    assert store.claim_undrafted_offline()[0] == second  # the first is another drafter's for now
    assert store.claim_undrafted_offline() is None
    assert store.save_offline_draft(first, a_draft("Bonjour <PERSONNE_1>, vous formulez vos vœux."))
    assert not store.save_offline_draft(first, a_draft("Un second brouillon"))  # the first draft stays
    store.release_offline_claim(second)  # drafting failed: free again at once
    assert store.claim_undrafted_offline()[0] == second

    inbox = {entry["id"]: entry for entry in store.offline_inbox(None)}
    assert inbox[first]["draft_text"] == "Bonjour Léa Martin, vous formulez vos vœux."  # restored for the counsellor
    assert inbox[first]["draft"]["citations"][0]["doc_id"] == "oscar:ps-voeux" and inbox[first]["drafted_at"]
    assert inbox[second]["draft"] is None and inbox[second]["drafted_at"] is None
    assert store.undrafted_offline_count() == 1


def test_a_claim_left_by_a_dead_drafter_expires(store, scrubber):
    request_id = offline(store, scrubber)
    assert store.claim_undrafted_offline()[0] == request_id
    assert store.claim_undrafted_offline(lease=timedelta(minutes=10)) is None
    assert store.claim_undrafted_offline(lease=timedelta(seconds=-1))[0] == request_id


@pytest.mark.parametrize("answer, outcome", [("Bonjour Léa Martin, vous formulez vos vœux.", "sent"),
                                             ("Bonjour Léa Martin, voyez la rubrique « Mes vœux ».", "edited")])
def test_answering_files_what_the_counsellor_did_with_the_draft(store, scrubber, answer, outcome):
    counsellor = store.add_user("c.dupont", "un-mot-de-passe-solide", "counsellor", ["parcoursup"])
    request_id = offline(store, scrubber)
    store.claim_undrafted_offline()
    store.save_offline_draft(request_id, a_draft("Bonjour <PERSONNE_1>, vous formulez vos vœux."))

    store.queue_offline_answer(request_id, answer, counsellor.id)

    with store.sessions() as session:
        draft = session.get(OfflineRequest, request_id).draft
        audit = session.query(AuditEntry).filter(AuditEntry.action.like("draft.%")).all()
    assert draft["outcome"] == outcome and draft["decided_at"]
    assert [(a.action, a.detail, a.user_id) for a in audit] == [(f"draft.{outcome}", {"offline_request_id": request_id},
                                                                  counsellor.id)]


def test_the_background_drafter_waits_for_live_chat_drafts_then_drafts(services, scrubber):
    store = services.store
    request_id = offline(store, scrubber)

    async def story() -> None:
        live = asyncio.create_task(asyncio.sleep(30))  # a live chat draft under way
        services.hub.drafting.add(live)
        triage = Triage(services)
        drafting = asyncio.create_task(triage.draft_one())
        await asyncio.sleep(1.0)
        with store.sessions() as session:  # the live draft goes first: the request is not even claimed
            assert not drafting.done() and session.get(OfflineRequest, request_id).drafted_at is None
        live.cancel()
        services.hub.drafting.discard(live)
        assert await asyncio.wait_for(drafting, timeout=120) is True
        assert await triage.draft_one() is False  # nothing else waits

    asyncio.run(story())
    [entry] = store.offline_inbox(None)
    assert entry["id"] == request_id and entry["draft"]["citations"] and "confidence" in entry["draft"]
    assert "Léa" not in json.dumps(entry["draft"], ensure_ascii=False)  # stored pseudonymised


def test_triage_of_older_requests_drafts_each_once_with_progress(services, scrubber):
    store = services.store
    ids = [offline(store, scrubber, f"Question {n} : comment formuler mes vœux ?") for n in range(3)]
    seen = []
    assistant = services.nlp.assistant

    drafted = triage_waiting(store, lambda q, s: assistant.draft_scrubbed(q, s).to_json(), lambda d, t: seen.append((d, t)))

    assert drafted == 3 and seen == [(1, 3), (2, 3), (3, 3)]
    assert [e["id"] for e in store.offline_inbox(None) if e["draft"]] == ids
    assert triage_waiting(store, lambda q, s: pytest.fail("nothing left to draft")) == 0


def test_the_triage_command_says_when_nothing_waits(tmp_path):
    result = CliRunner().invoke(cli, ["triage"], env={"RELAIS_HOME": str(tmp_path), "RELAIS_SECRET_KEY": "x"})
    assert result.exit_code == 0 and "Aucune demande hors ligne" in result.stdout


def test_a_request_left_through_the_form_reaches_the_inbox_with_its_draft(client, services, closed):
    sent = client.post("/offline", json={"service": "parcoursup", "question": QUESTION, "email": "lea.martin@exemple.fr",
                                         "consent": True})
    assert sent.status_code == 201
    login(client)
    deadline = time.monotonic() + 120
    with client.websocket_connect("/console/ws") as console:
        console.receive_json()
        while True:
            console.send_json({"type": "inbox"})
            [request] = receive_until(console, "inbox")["requests"]
            if request["draft"] or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert request["draft"], "no background draft within two minutes"
    assert request["draft"]["citations"] and request["drafted_at"]
    assert "Léa Martin" in request["question"]  # the counsellor sees the real text
