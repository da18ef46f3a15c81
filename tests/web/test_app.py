"""The widget and the console through real websockets (Starlette test client): messages, drafts,
resume, malformed frames, limits. Auth, offline and the quality team's read have their own files."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import login, receive_until

pytestmark = pytest.mark.slow


def test_a_question_reaches_the_counsellor_with_a_draft_and_the_answer_reaches_the_public(client, services):
    assert login(client).status_code == 303
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        assert console.receive_json()["type"] == "queues"
        widget.send_json({"type": "hello", "service": "parcoursup"})
        welcome = widget.receive_json()
        assert welcome["type"] == "welcome" and welcome["position"] == 1 and len(welcome["token"]) >= 40
        widget.send_json({"type": "message", "text": "je suis Léa Martin, c'est quoi la CAES ?", "key": "k1"})
        assert widget.receive_json() == {"type": "ack", "key": "k1", "seq": 1}
        seen = receive_until(console, "message")
        assert seen["text"] == "je suis Léa Martin, c'est quoi la CAES ?"  # restored for the counsellor
        draft = receive_until(console, "draft")
        assert draft["draft"]["citations"] and draft["text"].startswith("Bonjour,")
        conversation = welcome["conversation"]
        console.send_json({"type": "take", "conversation": conversation})
        console.send_json({"type": "send", "conversation": conversation, "text": "Bonjour Léa Martin, la CAES peut vous aider.",
                           "key": "c1", "draft_id": draft["draft_id"]})
        answer = receive_until(widget, "message")
        while answer["author"] != "counsellor":
            answer = receive_until(widget, "message")
        assert answer["text"] == "Bonjour Léa Martin, la CAES peut vous aider."
    stored = services.store.messages_since(conversation, 0)
    assert "Léa" not in " ".join(m.text for m in stored)  # stored pseudonymised
    with services.store.sessions() as session:
        from web.models import DraftRecord

        record = session.get(DraftRecord, draft["draft_id"])
        assert (record.outcome, record.final_text) == ("edited", "Bonjour <PERSONNE_1>, la CAES peut vous aider.")


def test_a_follow_up_is_drafted_and_searched_with_the_turns_before_it(client):
    assert login(client).status_code == 303
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        receive_until(console, "queues")
        widget.send_json({"type": "hello", "service": "parcoursup"})
        conversation = widget.receive_json()["conversation"]
        widget.send_json({"type": "message", "text": "ma fille veut devenir infirmière, elle est en terminale", "key": "k1"})
        first = receive_until(console, "draft")
        assert not first["draft"]["understood"]["followup"]
        widget.send_json({"type": "message", "text": "et en alternance c'est possible ?", "key": "k2"})
        second = receive_until(console, "draft")
        understood = second["draft"]["understood"]
        assert understood["followup"] and understood["need"].startswith("infirmi") and "alternance" in understood["need"]
        assert understood["profile"]["writer"] == "parent"
        assert "ideo-metier:MET.38" in [s["doc_id"] for s in second["draft"]["sources"][:3]]
        # the counsellor's manual search is read with the open conversation too
        console.send_json({"type": "search", "query": "et le salaire ?", "conversation": conversation})
        results = receive_until(console, "search_results")
        assert results["understood"]["followup"] and results["results"][0]["doc_id"] == "ideo-metier:MET.38"


def test_reconnecting_resumes_without_losing_or_doubling(client):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        welcome = widget.receive_json()
        widget.send_json({"type": "message", "text": "premier message", "key": "a"})
        receive_until(widget, "ack")
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "conversation": welcome["conversation"], "token": welcome["token"], "last_seq": 0})
        assert widget.receive_json()["type"] == "welcome"
        assert receive_until(widget, "message")["text"] == "premier message"
        widget.send_json({"type": "message", "text": "premier message", "key": "a"})  # resent after the drop
        assert receive_until(widget, "ack")["seq"] == 1
        widget.send_json({"type": "message", "text": "deuxième", "key": "b"})
        assert receive_until(widget, "ack")["seq"] == 2


def test_another_token_opens_nothing(client):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        conversation = widget.receive_json()["conversation"]
    with client.websocket_connect("/widget/ws") as intruder:
        intruder.send_json({"type": "hello", "conversation": conversation, "token": "x" * 43})
        assert intruder.receive_json()["code"] == "introuvable"


@pytest.mark.parametrize(
    ("frame", "code"),
    [("pas du json", "invalide"), (json.dumps({"type": "inconnu"}), "invalide"),
     (json.dumps({"type": "message", "text": "x" * 3000, "key": "k"}), "invalide"), ("x" * 20000, "trop_long")],
)
def test_a_malformed_frame_gets_an_error_frame_and_the_connection_carries_on(client, frame, code):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_text(frame)
        error = widget.receive_json()
        assert error["type"] == "error" and error["code"] == code and error["message"]
        widget.send_json({"type": "ping"})
        assert widget.receive_json() == {"type": "pong"}


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client):
    page = client.get("/").text
    assert page.count("<script") == 1 and "/static/widget.js" in page
    assert client.get("/static/widget.js").status_code == 200


def test_foreign_origins_and_too_many_sockets_from_one_address_are_refused(client, services):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/widget/ws", headers={"origin": "https://pirate.example"}) as ws:
            ws.receive_json()
    assert refused.value.code == 4403
    services.settings.widget_connections_per_ip = 2
    with client.websocket_connect("/widget/ws") as first, client.websocket_connect("/widget/ws") as second:
        with pytest.raises(WebSocketDisconnect) as too_many:
            with client.websocket_connect("/widget/ws") as third:
                third.receive_json()
        assert too_many.value.code == 4429
        first.send_json({"type": "ping"})
        assert first.receive_json() == {"type": "pong"}


def test_a_user_writing_too_fast_is_slowed_down_not_disconnected(client):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        widget.receive_json()
        codes = []
        for n in range(12):
            widget.send_json({"type": "message", "text": f"message {n}", "key": f"k{n}"})
            frame = widget.receive_json()
            while frame["type"] not in ("ack", "error"):
                frame = widget.receive_json()
            codes.append(frame.get("code", "ack"))
        assert codes[:10] == ["ack"] * 10 and codes[10:] == ["trop_rapide", "trop_rapide"]
        widget.send_json({"type": "ping"})
        assert receive_until(widget, "pong") == {"type": "pong"}


def test_the_service_is_guessed_from_the_first_message_when_not_picked(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello"})
        conversation = widget.receive_json()["conversation"]
        widget.send_json({"type": "message", "text": "j'ai candidaté en master sur mon master, pas de réponse", "key": "k"})
        assert receive_until(widget, "service")["service"] == "monmaster"
    assert services.store.service_of(conversation) == "monmaster"


def test_a_scrubbing_failure_on_a_counsellor_answer_keeps_the_console_open(client, services, monkeypatch):
    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        console.receive_json()
        widget.send_json({"type": "hello", "service": "parcoursup"})
        conversation = widget.receive_json()["conversation"]
        monkeypatch.setattr(services.nlp.scrubber._analyzer, "analyze", lambda **kw: 1 / 0)
        console.send_json({"type": "send", "conversation": conversation, "text": "Bonjour", "key": "c"})
        assert receive_until(console, "error")["code"] == "indisponible"
        console.send_json({"type": "ping"})
        assert receive_until(console, "pong") == {"type": "pong"}
    assert services.store.messages_since(conversation, 0) == []
