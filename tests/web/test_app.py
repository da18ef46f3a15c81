"""The web app through real websockets (Starlette test client): widget, console, drafts, auth."""

from __future__ import annotations

import json

import pytest

from relais.settings import Settings
from tests.web.conftest import PASSWORD, login, receive_until
from web.app import open_store

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


def test_console_refuses_anonymous_and_wrong_roles(client):
    assert client.get("/console", follow_redirects=False).headers["location"] == "/login"
    with pytest.raises(Exception):
        with client.websocket_connect("/console/ws") as ws:
            ws.receive_json()
    assert login(client, password="faux").status_code == 401
    assert login(client, "qualite").status_code == 303
    assert client.get("/console").status_code == 403


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"login": "conseil", "password": PASSWORD, "csrf": "faux"})
    assert response.status_code == 403 and "expiré" in response.text


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client):
    page = client.get("/").text
    assert page.count("<script") == 1 and "/static/widget.js" in page
    assert client.get("/static/widget.js").status_code == 200


# -- offline hours, the contact form, the inbox and the mail ------------------------------
def test_opening_hours_per_service_and_closed_days():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from web.offline import is_open

    settings = Settings(opening_hours={"parcoursup": {"days": [0, 1, 2, 3, 4], "open": "09:00", "close": "18:00"}},
                        closed_days=[date(2026, 12, 25)])
    paris = ZoneInfo("Europe/Paris")
    assert is_open(settings, "parcoursup", datetime(2026, 11, 24, 10, 0, tzinfo=paris))  # a Tuesday morning
    assert not is_open(settings, "parcoursup", datetime(2026, 11, 24, 19, 0, tzinfo=paris))
    assert not is_open(settings, "parcoursup", datetime(2026, 11, 28, 10, 0, tzinfo=paris))  # Saturday
    assert is_open(settings, "moel", datetime(2026, 11, 28, 10, 0, tzinfo=paris))  # no hours: always open
    assert not is_open(settings, "moel", datetime(2026, 12, 25, 10, 0, tzinfo=paris))


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from tests.web.conftest import free_port

    received = []

    class Keep(Message):
        def handle_message(self, message) -> None:
            received.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, received
    controller.stop()


def test_an_offline_question_is_answered_later_by_mail(client, services, smtp_server):
    port, received = smtp_server
    services.settings.smtp_host, services.settings.smtp_port = "127.0.0.1", port
    refused = client.post("/offline", json={"service": "parcoursup", "question": "Bonjour", "email": "a@b.fr", "consent": False})
    assert refused.status_code == 422 and "accepter" in refused.json()["detail"]
    created = client.post("/offline", json={"service": "parcoursup", "email": "lea.martin@exemple.fr", "consent": True,
                                            "question": "je suis Léa Martin, quand ouvre la phase complémentaire ?"})
    assert created.status_code == 201 and "courriel" in created.json()["message"]
    from web.models import OfflineRequest

    with services.store.sessions() as session:
        stored = session.get(OfflineRequest, created.json()["id"])
        assert "Léa" not in stored.question and b"lea.martin" not in stored.email
    login(client)
    with client.websocket_connect("/console/ws") as console:
        console.receive_json()
        console.send_json({"type": "inbox"})
        inbox = receive_until(console, "inbox")["requests"]
        assert inbox[0]["question"] == "je suis Léa Martin, quand ouvre la phase complémentaire ?"
        console.send_json({"type": "answer_offline", "id": inbox[0]["id"], "text": "Consultez le calendrier sur parcoursup.gouv.fr."})
        assert receive_until(console, "ack")["outcome"] == "answered"
        console.send_json({"type": "inbox"})
        assert receive_until(console, "inbox")["requests"] == []
    [mail] = received
    assert mail["To"] == "lea.martin@exemple.fr"
    body = mail.get_payload(decode=True).decode("utf-8") if not mail.is_multipart() else mail.get_payload()[0].get_payload()
    assert "Consultez le calendrier sur parcoursup.gouv.fr." in body and "Léa Martin" in body


def test_a_failed_mail_keeps_the_request_in_the_inbox(client, services):
    services.settings.smtp_host, services.settings.smtp_port = "127.0.0.1", 9  # nothing listens there
    client.post("/offline", json={"service": "parcoursup", "question": "Une question", "email": "x@y.fr", "consent": True})
    login(client)
    with client.websocket_connect("/console/ws") as console:
        console.receive_json()
        console.send_json({"type": "inbox"})
        request_id = receive_until(console, "inbox")["requests"][0]["id"]
        console.send_json({"type": "answer_offline", "id": request_id, "text": "Réponse"})
        assert receive_until(console, "error")["code"] == "courriel"
        console.send_json({"type": "inbox"})
        assert len(receive_until(console, "inbox")["requests"]) == 1


def test_quality_staff_read_closed_conversations_pseudonymised_only(client, services):
    login(client)
    with client.websocket_connect("/console/ws") as console, client.websocket_connect("/widget/ws") as widget:
        console.receive_json()
        widget.send_json({"type": "hello", "service": "parcoursup"})
        conversation = widget.receive_json()["conversation"]
        widget.send_json({"type": "message", "text": "je suis Léa Martin, c'est quoi un oui-si ?", "key": "k"})
        receive_until(console, "draft")
        console.send_json({"type": "close", "conversation": conversation})
        receive_until(console, "closed")
    assert client.get("/quality/conversations").status_code == 403  # a counsellor is not quality staff
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    assert client.get("/quality/conversations").status_code == 401
    login(client, "qualite")
    [closed] = client.get("/quality/conversations").json()
    assert closed["conversation"] == conversation
    assert closed["messages"][0]["text"] == "je suis <PERSONNE_1>, c'est quoi un oui-si ?"
    assert "Léa" not in str(closed)


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


@pytest.mark.parametrize("user", [None, "qualite"])
def test_every_console_route_refuses_anonymous_and_wrong_role_callers(client, user):
    from starlette.websockets import WebSocketDisconnect

    if user:
        login(client, user)
    assert client.get("/console", follow_redirects=False).status_code in (303, 403)
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/console/ws") as ws:
            ws.receive_json()
    assert refused.value.code == 4401
    if user is None:
        assert client.get("/session").status_code == 401
        assert client.get("/quality/conversations").status_code == 401
        assert client.post("/logout", data={"csrf": "x"}).status_code == 403


def test_users_and_purge_commands(tmp_path):
    from typer.testing import CliRunner

    from relais.cli import app

    runner = CliRunner()
    env = {"RELAIS_HOME": str(tmp_path), "RELAIS_SECRET_KEY": "cli"}
    twice = f"{PASSWORD}\n{PASSWORD}\n"
    created = runner.invoke(app, ["users", "add", "c.martin", "--role", "counsellor", "--service", "parcoursup"],
                            input=twice, env=env)
    assert created.exit_code == 0 and "c.martin" in created.stdout
    again = runner.invoke(app, ["users", "add", "c.martin", "--service", "moel"], input=twice, env=env)
    assert again.exit_code == 2 and "existe déjà" in again.output
    every_queue = runner.invoke(app, ["users", "add", "c.dupont"], input=twice, env=env)
    assert every_queue.exit_code == 2 and "au moins une file" in every_queue.output
    unknown = runner.invoke(app, ["users", "add", "c.dupont", "--service", "parcoursupp"], input=twice, env=env)
    assert unknown.exit_code == 2 and "file inconnue" in unknown.output
    disabled = runner.invoke(app, ["users", "disable", "c.martin"], env=env)
    assert disabled.exit_code == 0 and "désactivé" in disabled.stdout
    store = open_store(Settings(home=tmp_path, secret_key="cli"))
    conversation, _ = store.open_conversation("moel")
    erased = runner.invoke(app, ["purge", "--conversation", conversation], env=env)
    assert "1 conversation(s) effacée(s)" in erased.stdout
    assert "supprimé" in runner.invoke(app, ["purge"], env=env).stdout


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
