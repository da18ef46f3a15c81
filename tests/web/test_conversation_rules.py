"""Who may act on a conversation, in which state, for which service — tried as an attacker would.

Each test here was written before its fix and failed on the code it guards.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from tests.web.conftest import PASSWORD, login, receive_until
from web.models import AuditEntry, Conversation, DraftRecord, Message

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


@pytest.fixture
def master(services):
    """A counsellor of the Mon Master helpline only."""
    services.store.add_user("master", PASSWORD, "counsellor", ["monmaster"])
    return "master"


def console_as(client, user: str):
    """A console socket logged in as `user` (the client's cookie jar then holds that session)."""
    client.cookies.clear()
    assert login(client, user).status_code == 303
    return client.websocket_connect("/console/ws")


def start_conversation(widget, service: str, text: str) -> str:
    widget.send_json({"type": "hello", "service": service})
    conversation = receive_until(widget, "welcome")["conversation"]
    widget.send_json({"type": "message", "text": text, "key": "k1"})
    receive_until(widget, "ack")
    return conversation


def drain(socket) -> list[dict]:
    """Every frame sent to `socket` until now (a ping's pong marks the end)."""
    socket.send_json({"type": "ping"})
    frames = []
    while (frame := socket.receive_json())["type"] != "pong":
        frames.append(frame)
    return frames


def wait_for_draft(services, conversation: str) -> int:
    for _ in range(200):
        pending = services.store.pending_draft(conversation)
        if pending:
            return pending[0]
        time.sleep(0.05)
    raise AssertionError("no draft")


def test_a_counsellor_cannot_decide_or_redraft_a_draft_of_another_conversation(client, services, master):
    with client.websocket_connect("/widget/ws") as other, client.websocket_connect("/widget/ws") as own:
        foreign = start_conversation(other, "monmaster", "quand sont publiés les résultats de mon master ?")
        foreign_draft = wait_for_draft(services, foreign)
        mine = start_conversation(own, "parcoursup", "c'est quoi la phase complémentaire ?")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            for frame in ({"type": "reject", "conversation": mine, "draft_id": foreign_draft},
                          {"type": "send", "conversation": mine, "text": "Bonjour", "key": "c1", "draft_id": foreign_draft},
                          {"type": "redraft", "conversation": mine, "draft_id": foreign_draft, "source": "oscar:x"}):
                console.send_json(frame)
                assert receive_until(console, "error")["code"] == "introuvable"
    with services.store.sessions() as session:
        record = session.get(DraftRecord, foreign_draft)
        assert record.outcome is None and record.final_text is None
    assert [m.author for m in services.store.messages_since(mine, 0)] == ["user"]  # the refused send stored nothing


def test_a_transferred_conversation_is_relayed_to_the_new_service_only(client, services, master):
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "je voudrais changer de formation")
        with console_as(client, "master") as receiving, console_as(client, "conseil") as sending:
            receive_until(receiving, "queues")
            receive_until(sending, "queues")
            sending.send_json({"type": "transfer", "conversation": conversation, "service": "monmaster"})
            receive_until(sending, "transferred")
            receive_until(receiving, "transferred")
            drain(sending)
            widget.send_json({"type": "message", "text": "c'est pour un master de droit en fait", "key": "k2"})
            receive_until(widget, "ack")
            assert receive_until(receiving, "message")["text"] == "c'est pour un master de droit en fait"
            receive_until(receiving, "draft")
            leaked = [f for f in drain(sending) if f.get("conversation") == conversation and f["type"] in ("message", "draft")]
            assert leaked == []
            sending.send_json({"type": "send", "conversation": conversation, "text": "Bonjour", "key": "c1"})
            assert receive_until(sending, "error")["code"] == "introuvable"  # no longer its service
    with services.store.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.transferred")).all()
        assert audit and audit[0].detail["from"] == "parcoursup" and audit[0].detail["service"] == "monmaster"


def test_a_closed_conversation_refuses_writes_and_is_not_reopened(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "merci pour tout")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "close", "conversation": conversation})
            receive_until(console, "closed")
            widget.send_json({"type": "message", "text": "encore une question", "key": "k2"})
            refused = receive_until(widget, "error")
            assert refused["code"] == "fermee" and "nouvelle conversation" in refused["message"]
            for frame in ({"type": "take", "conversation": conversation},
                          {"type": "transfer", "conversation": conversation, "service": "moel"},
                          {"type": "send", "conversation": conversation, "text": "Bonjour", "key": "c1"}):
                console.send_json(frame)
                assert receive_until(console, "error")["code"] == "fermee"
    with services.store.sessions() as session:
        stored = session.query(Conversation).filter_by(public_id=conversation).one()
        assert stored.status == "closed" and stored.service == "parcoursup"
        texts = [m.text for m in session.query(Message).filter_by(conversation_id=stored.id)]
    assert "encore une question" not in texts and "Bonjour" not in texts


@pytest.mark.parametrize("path", ["/widget/ws", "/console/ws"])
def test_binary_deeply_nested_and_out_of_range_frames_get_an_error_frame(client, path):
    login(client)
    with client.websocket_connect(path) as socket:
        if path == "/console/ws":
            receive_until(socket, "queues")
        socket.send_bytes(b"\x00\x01binaire")
        assert receive_until(socket, "error")["code"] == "invalide"
        socket.send_text("[" * 5000 + "]" * 5000)
        assert receive_until(socket, "error")["code"] == "invalide"
        huge = {"type": "hello", "last_seq": 10**30} if path == "/widget/ws" else {"type": "open", "conversation": "x", "last_seq": 10**30}
        socket.send_text(json.dumps(huge))
        assert receive_until(socket, "error")["code"] == "invalide"
        socket.send_json({"type": "ping"})
        assert receive_until(socket, "pong") == {"type": "pong"}


def test_the_console_socket_refuses_a_foreign_origin(client):
    login(client)
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/console/ws", headers={"origin": "https://pirate.example"}) as socket:
            socket.receive_json()
    assert refused.value.code == 4403
    with client.websocket_connect("/console/ws", headers={"origin": "http://testserver"}) as socket:
        assert socket.receive_json()["type"] == "queues"


@pytest.mark.parametrize("path", ["/", "/login", "/static/widget.js"])
def test_pages_forbid_framing_sniffing_and_foreign_scripts(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_logout_ends_the_session_even_for_a_copied_cookie(client):
    login(client)
    copied = client.cookies.get("relais_session")
    assert client.get("/session").status_code == 200
    client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
    client.cookies.clear()
    replayed = {"cookie": f"relais_session={copied}"}
    assert client.get("/session", headers=replayed).status_code == 401
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/console/ws", headers=replayed) as socket:
            socket.receive_json()
    assert refused.value.code == 4401


def test_failed_logins_are_throttled_per_account_with_429_and_retry_after(client):
    statuses = [login(client, "conseil", "pas-le-bon-mot-de-passe").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    throttled = login(client, "conseil", PASSWORD)  # even the right password waits now
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "réessayez" in throttled.text.lower()
    assert login(client, "qualite", PASSWORD).status_code == 303  # another account is not locked out


def test_empty_conversations_do_not_queue_and_new_ones_are_limited_per_address(client, services):
    from web.limits import Limits

    services.settings.conversations_per_address = 3
    services.limits = Limits.from_settings(services.settings)
    with client.websocket_connect("/widget/ws") as first, client.websocket_connect("/widget/ws") as second, \
            client.websocket_connect("/widget/ws") as third, client.websocket_connect("/widget/ws") as fourth:
        for ghost in (first, second):  # opened, never written to
            ghost.send_json({"type": "hello", "service": "parcoursup"})
            receive_until(ghost, "welcome")
        third.send_json({"type": "hello", "service": "parcoursup"})
        assert receive_until(third, "welcome")["position"] == 1  # the empty ones are not ahead
        third.send_json({"type": "message", "text": "bonjour, une question sur mes vœux", "key": "k"})
        receive_until(third, "ack")
        fourth.send_json({"type": "hello", "service": "parcoursup"})
        refused = receive_until(fourth, "error")
        assert refused["code"] == "trop_de_conversations" and "patientez" in refused["message"]
        fourth.send_json({"type": "ping"})
        assert receive_until(fourth, "pong") == {"type": "pong"}
        with console_as(client, "conseil") as console:
            queued = receive_until(console, "queues")["conversations"]
            assert [c["last_seq"] for c in queued] == [1]


def test_a_burst_of_new_conversations_from_one_address_is_paced_and_what_is_written_meanwhile_waits_with_it(client, services):
    from web.limits import MemoryPace

    services.limits.conversations_pace = MemoryPace(2, 0.5, 15.0)  # two at once, then one each half second
    with client.websocket_connect("/widget/ws") as first, client.websocket_connect("/widget/ws") as second, \
            client.websocket_connect("/widget/ws") as third, client.websocket_connect("/widget/ws") as other:
        for pupil in (first, second):  # a class opens the tchat together
            pupil.send_json({"type": "hello", "service": "moel"})
            receive_until(pupil, "welcome")
        asked = time.monotonic()
        third.send_json({"type": "hello", "service": "moel"})
        third.send_json({"type": "message", "text": "bonjour, une question sur l'apprentissage", "key": "k"})  # typed meanwhile
        other.send_json({"type": "ping"})
        assert receive_until(other, "pong") == {"type": "pong"}  # nobody else waits with it
        welcome = receive_until(third, "welcome")
        assert time.monotonic() - asked >= 0.4  # its turn came half a second after the burst
        assert welcome["token"] and receive_until(third, "ack")["seq"] == 1  # and the message went into it


def test_a_new_conversation_that_waits_its_turn_says_so_at_once_in_french(client, services):
    """Waiting for its turn can take seconds: the person is told at once, not left with a silent panel."""
    from web.limits import MemoryPace

    services.limits.conversations_pace = MemoryPace(1, 2.0, 15.0)  # one at once, then one each 2 s
    with client.websocket_connect("/widget/ws") as first, client.websocket_connect("/widget/ws") as second:
        first.send_json({"type": "hello", "service": "moel"})
        receive_until(first, "welcome")
        asked = time.monotonic()
        second.send_json({"type": "hello", "service": "moel"})
        waiting = second.receive_json()
        assert time.monotonic() - asked < 1.0  # told before its turn comes
        assert waiting["type"] == "opening" and 1 <= waiting["seconds"] <= 2
        assert "conversation s'ouvre dans" in waiting["message"] and "seconde" in waiting["message"]
        assert receive_until(second, "welcome")["token"]
        assert time.monotonic() - asked >= 1.5


def test_a_new_conversation_whose_turn_is_too_far_is_refused_in_french_and_not_counted(client, services):
    from web.limits import Limits, MemoryPace

    services.settings.conversations_per_address = 2
    services.limits = Limits.from_settings(services.settings)
    services.limits.conversations_pace = MemoryPace(1, 1.0, 0.5)  # one at once, then one a second; half a second's wait at most
    with client.websocket_connect("/widget/ws") as first, client.websocket_connect("/widget/ws") as second, \
            client.websocket_connect("/widget/ws") as third:
        first.send_json({"type": "hello", "service": "moel"})
        receive_until(first, "welcome")
        second.send_json({"type": "hello", "service": "moel"})
        refused = receive_until(second, "error")
        assert refused["code"] == "trop_de_conversations" and "réessayez" in refused["message"]
        time.sleep(1.0)
        third.send_json({"type": "hello", "service": "moel"})
        assert receive_until(third, "welcome")["token"]  # the refused one did not use up the address's 2


def test_hello_after_hello_on_one_socket_does_not_queue_for_a_turn(client, services):
    """A widget opens its first conversation when its panel opens; only a script sends hello after
    hello: those get a turn free now or a refusal, and never pile up unread behind a wait."""
    from web.limits import MemoryPace

    services.limits.conversations_pace = MemoryPace(1, 5.0, 15.0)  # one at once, then one each 5 s
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        receive_until(widget, "welcome")
        widget.send_json({"type": "hello", "service": "moel"})
        assert receive_until(widget, "error")["code"] == "trop_de_conversations"  # at once, not a welcome 5 s later
        widget.send_json({"type": "ping"})
        assert receive_until(widget, "pong") == {"type": "pong"}


# -- found by the adversarial pass over the first fixes --------------------------------------
def test_an_open_console_socket_closes_when_its_session_ends(client, services):
    login(client)
    with client.websocket_connect("/console/ws") as console:
        receive_until(console, "queues")
        client.post("/logout", data={"csrf": client.get("/session").json()["csrf"]})
        with pytest.raises(WebSocketDisconnect) as ended:
            console.send_json({"type": "ping"})
            receive_until(console, "pong")
        assert ended.value.code == 4401
    login(client)
    with client.websocket_connect("/console/ws") as console:
        receive_until(console, "queues")
        services.store.disable_user("conseil")  # `relais users disable`, from another process
        with pytest.raises(WebSocketDisconnect) as disabled:
            console.send_json({"type": "take", "conversation": "x"})
            receive_until(console, "pong")
        assert disabled.value.code == 4401


def test_a_search_never_reads_the_turns_of_a_conversation_of_another_service(client, services, master):
    with client.websocket_connect("/widget/ws") as other:
        foreign = start_conversation(other, "monmaster", "je m'appelle Inès Roux, je cherche un master de droit")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "search", "query": "et après ?", "conversation": foreign, "service": "monmaster"})
            assert receive_until(console, "error")["code"] == "introuvable"


def test_a_draft_still_being_written_at_a_transfer_goes_to_the_new_service(client, services, master):
    import asyncio

    from web.conversations import draft_for_counsellors

    public_id, _ = services.store.open_conversation("parcoursup")
    stored = services.store.append(public_id, "user", "je cherche un master de chimie", idempotency_key="k")
    published = []
    services.broker.publish = lambda event: asyncio.sleep(0, published.append(event))
    services.store.transfer(public_id, "monmaster", None)  # while the draft was being written
    asyncio.run(draft_for_counsellors(services, stored))
    assert [(e["service"], e["payload"]["type"]) for e in published] == [("monmaster", "draft")]


def test_a_transfer_note_is_stored_pseudonymised(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "je voudrais changer de formation")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "transfer", "conversation": conversation, "service": "moel",
                               "note": "Rappeler Jean Dupont au 06 12 34 56 78"})
            receive_until(console, "transferred")
    with services.store.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.transferred")).all()
    assert "Dupont" not in entry.detail["note"] and "06 12" not in entry.detail["note"]


def test_a_closed_conversation_refuses_rejects_and_redrafts(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "c'est quoi la CAES ?")
        draft_id = wait_for_draft(services, conversation)
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "close", "conversation": conversation})
            receive_until(console, "closed")
            for frame in ({"type": "reject", "conversation": conversation, "draft_id": draft_id},
                          {"type": "redraft", "conversation": conversation, "draft_id": draft_id, "source": "oscar:ps-caes"}):
                console.send_json(frame)
                assert receive_until(console, "error")["code"] == "fermee"


def test_the_message_limit_holds_across_reconnects(client):
    codes = []
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "moel"})
        welcome = receive_until(widget, "welcome")
        for n in range(6):
            widget.send_json({"type": "message", "text": f"message {n}", "key": f"a{n}"})
            codes.append(receive_until(widget, "ack")["type"])
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "conversation": welcome["conversation"], "token": welcome["token"]})
        receive_until(widget, "welcome")
        for n in range(6):
            widget.send_json({"type": "message", "text": f"encore {n}", "key": f"b{n}"})
            frame = widget.receive_json()
            while frame["type"] not in ("ack", "error"):
                frame = widget.receive_json()
            codes.append(frame.get("code", "ack"))
    assert codes[:10] == ["ack"] * 10 and codes[10:] == ["trop_rapide"] * 2


@pytest.mark.parametrize("email", ["a,b@x.fr", "a@x.fr\x00", "=?utf-8?q?victim=40evil.fr?=@x.fr", "<a@x.fr>", '"x"@x.fr',
                                   ".a@x.fr", "a.@x.fr", "v%evil.fr@x.fr"])
def test_the_offline_form_takes_exactly_one_plain_address(client, email):
    refused = client.post("/offline", json={"service": "moel", "question": "Bonjour", "email": email, "consent": True})
    assert refused.status_code == 422 and "adresse" in str(refused.json()["detail"]).lower()


def test_the_offline_form_is_limited_per_address_sized_and_strict(client, services, closed):
    form = {"service": "moel", "question": "Une question", "email": "a@exemple.fr", "consent": True}
    assert client.post("/offline", json={**form, "junk": "x"}).status_code == 422
    assert client.post("/offline", json={**form, "consent": "yes"}).status_code == 422
    assert client.post("/offline", content=b'{"question": "' + b"x" * 200_000 + b'"}',
                       headers={"content-type": "application/json"}).status_code == 413
    statuses = [client.post("/offline", json=form).status_code for _ in range(6)]
    assert statuses[:5] == [201] * 5 and statuses[5] == 429


def test_no_api_schema_is_served(client):
    assert client.get("/openapi.json").status_code == 404


def test_behind_a_trusted_proxy_limits_count_the_real_client_address(services):
    from fastapi.testclient import TestClient

    from web.app import create_app

    services.settings.trusted_proxies = ["testclient"]  # the test client's own address plays the proxy

    def fail(n: int) -> int:
        return login(proxied, f"inconnu{n}", "pas-le-bon").status_code

    with TestClient(create_app(services=services)) as proxied:
        proxied.headers["x-forwarded-for"] = "203.0.113.7"
        assert [fail(n) for n in range(21)][-2:] == [401, 429]  # 20 per address
        proxied.headers["x-forwarded-for"] = "198.51.100.2"
        assert fail(99) == 401  # another client behind the same proxy is not locked out


def test_passwords_are_asked_never_given_on_the_command_line_and_must_be_strong(tmp_path):
    from typer.testing import CliRunner

    from relais.cli import app

    runner, env = CliRunner(), {"RELAIS_HOME": str(tmp_path), "RELAIS_SECRET_KEY": "cli"}
    add = ["users", "add", "c.martin", "--service", "moel"]
    on_the_line = runner.invoke(app, [*add, "--password", PASSWORD], env=env)
    assert on_the_line.exit_code == 2 and "--password" in on_the_line.output  # no such option: it would sit in shell history
    for weak, reason in (("aaaaaaaaaaaaaaaa", "trop simple"), ("c.martin-mot-de-passe", "identifiant"), ("court", "12 caractères")):
        refused = runner.invoke(app, add, input=f"{weak}\n{weak}\n", env=env)
        assert refused.exit_code == 2 and reason in refused.output
    assert runner.invoke(app, add, input=f"{PASSWORD}\n{PASSWORD}\n", env=env).exit_code == 0
    listed = runner.invoke(app, ["users", "list"], env=env)
    assert "c.martin" in listed.stdout and "counsellor" in listed.stdout and "moel" in listed.stdout and PASSWORD not in listed.stdout
    new = "un-autre-mot-de-passe-solide"
    reset = runner.invoke(app, ["users", "reset-password", "c.martin"], input=f"{new}\n{new}\n", env=env)
    assert reset.exit_code == 0 and "session" in reset.stdout
    from relais.settings import Settings
    from relais.components import open_store

    store = open_store(Settings(home=tmp_path, secret_key="cli"))
    assert store.authenticate("c.martin", new) and not store.authenticate("c.martin", PASSWORD)


# -- found by the second adversarial pass ----------------------------------------------------
def test_parallel_login_attempts_are_counted_before_the_password_is_checked(client):
    from concurrent.futures import ThreadPoolExecutor

    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)

    def attempt(n: int) -> int:
        form = {"login": "conseil", "password": f"faux-{n}", "csrf": csrf}
        return client.post("/login", data=form, follow_redirects=False).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(attempt, range(16)))
    assert statuses.count(401) == 5 and statuses.count(429) == 11


def test_a_draft_is_decided_once(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "c'est quoi la CAES ?")
        draft_id = wait_for_draft(services, conversation)
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "send", "conversation": conversation, "text": "Bonjour, voici.", "key": "c1",
                               "draft_id": draft_id})
            receive_until(console, "ack")
            console.send_json({"type": "reject", "conversation": conversation, "draft_id": draft_id})
            assert receive_until(console, "error")["code"] == "deja_traite"
    with services.store.sessions() as session:
        assert session.get(DraftRecord, draft_id).outcome == "edited"


def test_a_redraft_during_a_transfer_goes_to_the_new_service(client, services):
    import asyncio

    from web.conversations import _draft_notice

    public_id, _ = services.store.open_conversation("parcoursup")
    services.store.append(public_id, "user", "je cherche un master de chimie", idempotency_key="k")
    services.store.transfer(public_id, "monmaster", None)  # while the redraft was being written
    notice = asyncio.run(_draft_notice(services, public_id, 1, 1, {"draft": "Bonjour"}))
    assert notice.envelope()["service"] == "monmaster"


def test_an_address_the_mail_library_refuses_never_breaks_the_console(client, services):
    from assistant.pii import PseudonymMap
    from web.models import OfflineRequest

    request_id = services.store.add_offline("parcoursup", "Une question", ".a@x.fr", PseudonymMap("offline"))
    services.settings.smtp_host, services.settings.smtp_port = "127.0.0.1", 9
    with console_as(client, "conseil") as console:
        receive_until(console, "queues")
        console.send_json({"type": "answer_offline", "id": request_id, "text": "Réponse"})
        assert receive_until(console, "ack")["outcome"] == "queued"
        receive_until(console, "offline_failed")  # refused at once: no retry can change the address
        console.send_json({"type": "ping"})
        assert receive_until(console, "pong") == {"type": "pong"}
    with services.store.sessions() as session:
        assert session.get(OfflineRequest, request_id).status == "open"


# -- lifecycle and routing in the typed layer ------------------------------------------------------
def test_the_offline_form_is_refused_while_the_service_is_open(client, services):
    form = {"service": "moel", "question": "Une question", "email": "a@exemple.fr", "consent": True}
    refused = client.post("/offline", json=form)
    assert refused.status_code == 409 and "tchat" in refused.json()["detail"]
    assert services.store.offline_inbox(None) == []


def test_opening_hours_are_enforced_by_the_server_not_only_the_widget(client, services, closed):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello", "service": "parcoursup"})
        welcome = receive_until(widget, "welcome")
        assert welcome["open"] is False
        widget.send_json({"type": "message", "text": "je veux parler à quelqu'un", "key": "k1"})
        assert receive_until(widget, "error")["code"] == "ferme"
    assert services.store.state(welcome["conversation"])[2] == 0  # nothing stored, nobody queued


def test_a_conversation_taken_before_closing_time_goes_on(client, services):
    from web.offline import today

    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "je cherche une licence de droit")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "take", "conversation": conversation})
            receive_until(console, "taken")
        services.settings.closed_days = [*services.settings.closed_days, today(services.settings)]  # closing time
        widget.send_json({"type": "message", "text": "et après la licence ?", "key": "k2"})
        assert receive_until(widget, "ack")["seq"] > 1


def test_the_service_the_user_picks_when_writing_is_honoured_over_the_guess(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello"})  # « je ne sais pas » when the panel opened
        conversation = receive_until(widget, "welcome")["conversation"]
        # words the guess reads as Parcoursup, but the user picked Mon Master before writing
        widget.send_json({"type": "message", "text": "mes voeux en terminale", "key": "k1", "service": "monmaster"})
        assert receive_until(widget, "service") == {"type": "service", "service": "monmaster"}
        receive_until(widget, "ack")
    assert services.store.service_of(conversation) == "monmaster"


def test_without_a_pick_the_first_message_is_guessed_and_later_ones_never_move_it(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        widget.send_json({"type": "hello"})
        conversation = receive_until(widget, "welcome")["conversation"]
        widget.send_json({"type": "message", "text": "j'ai oublié de confirmer mes voeux parcoursup", "key": "k1"})
        receive_until(widget, "ack")
        widget.send_json({"type": "message", "text": "et pour mon master ?", "key": "k2", "service": "monmaster"})
        receive_until(widget, "ack")
    assert services.store.service_of(conversation) == "parcoursup"


def test_a_failed_draft_tells_the_counsellors_and_keeps_the_message(client, services):
    async def broken(*args, **kwargs):
        raise RuntimeError("the drafting process died")

    services.nlp.draft = broken
    with console_as(client, "conseil") as console:
        receive_until(console, "queues")
        with client.websocket_connect("/widget/ws") as widget:
            conversation = start_conversation(widget, "parcoursup", "je cherche un BTS en alternance")
            message = receive_until(console, "message")
            unavailable = receive_until(console, "draft_unavailable")
    assert unavailable["conversation"] == conversation and unavailable["seq"] == message["seq"]
    assert "Brouillon indisponible" in unavailable["message"]


def test_every_frame_the_server_sends_fits_its_typed_schema(client, services, master):
    from pydantic import TypeAdapter

    from web import protocol

    widget_out, console_out = TypeAdapter(protocol.WidgetOut), TypeAdapter(protocol.ConsoleOut)
    widget_frames, console_frames = [], []
    with console_as(client, "conseil") as console:
        console_frames.append(receive_until(console, "queues"))
        with client.websocket_connect("/widget/ws") as widget:
            widget.send_json({"type": "hello", "service": "parcoursup"})
            widget_frames.append(receive_until(widget, "welcome"))
            widget.send_json({"type": "message", "text": "je suis Léa, c'est quoi un oui-si ?", "key": "k1"})
            widget_frames += [receive_until(widget, "ack"), receive_until(widget, "message")]
            conversation = widget_frames[0]["conversation"]
            console_frames += [receive_until(console, "message"), draft := receive_until(console, "draft")]
            console.send_json({"type": "send", "conversation": conversation, "text": "Bonjour Léa", "key": "c1",
                               "draft_id": draft["draft_id"]})
            console_frames.append(receive_until(console, "ack"))
            widget_frames.append(receive_until(widget, "message"))
            console.send_json({"type": "transfer", "conversation": conversation, "service": "moel"})
            console_frames.append(receive_until(console, "transferred"))
            widget_frames.append(receive_until(widget, "message"))
            console.send_json({"type": "reject", "conversation": "nope", "draft_id": 1})
            console_frames.append(receive_until(console, "error"))
    for frame in widget_frames:
        assert frame["type"] not in {"draft", "queues", "taken", "transferred"}
        widget_out.validate_python(frame)
    for frame in console_frames:
        console_out.validate_python(frame)


def test_the_service_check_and_the_act_are_one_unit_of_work(services):
    """A counsellor's act names the services they serve; a conversation moved out of them in the
    meantime is not found, and nothing is stored."""
    from web.store import NotFound

    public_id, _ = services.store.open_conversation("parcoursup")
    services.store.append(public_id, "user", "une question", idempotency_key="u1")
    services.store.transfer(public_id, "monmaster", None)  # after the counsellor's console read its service
    for act in (lambda: services.store.append(public_id, "counsellor", "réponse", "c1", 1, scope=("parcoursup",)),
                lambda: services.store.take(public_id, 1, ("parcoursup",)),
                lambda: services.store.close(public_id, 1, ("parcoursup",)),
                lambda: services.store.transfer(public_id, "moel", 1, None, ("parcoursup",))):
        with pytest.raises(NotFound):
            act()
    assert services.store.state(public_id) == ("monmaster", "waiting", 1)


def test_a_conversation_taken_by_one_counsellor_cannot_be_taken_by_another(client, services):
    services.store.add_user("collegue", PASSWORD, "counsellor", ["parcoursup"])
    with client.websocket_connect("/widget/ws") as widget:
        conversation = start_conversation(widget, "parcoursup", "je cherche un BTS")
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            console.send_json({"type": "take", "conversation": conversation})
            receive_until(console, "taken")
        with console_as(client, "collegue") as other:
            receive_until(other, "queues")
            other.send_json({"type": "take", "conversation": conversation})
            assert receive_until(other, "error")["code"] == "deja_pris"
    with services.store.sessions() as session:
        taken = session.query(Conversation).filter_by(public_id=conversation).one()
        assert taken.counsellor_id == services.store.authenticate("conseil", PASSWORD).id


def test_opening_a_conversation_shows_the_draft_that_came_before(client, services):
    with client.websocket_connect("/widget/ws") as widget:
        with console_as(client, "conseil") as first:
            receive_until(first, "queues")
            conversation = start_conversation(widget, "parcoursup", "c'est quoi la phase complémentaire ?")
            draft = receive_until(first, "draft")
        with console_as(client, "conseil") as later:  # a counsellor arriving after the draft was written
            receive_until(later, "queues")
            later.send_json({"type": "open", "conversation": conversation})
            assert receive_until(later, "message")["text"] == "c'est quoi la phase complémentaire ?"
            shown = receive_until(later, "draft")
    assert shown["draft_id"] == draft["draft_id"] and shown["text"] == draft["text"]


def test_past_the_draft_backlog_the_message_is_relayed_and_the_draft_skipped(client, services):
    services.settings.draft_backlog = 0
    with console_as(client, "conseil") as console:
        receive_until(console, "queues")
        with client.websocket_connect("/widget/ws") as widget:
            conversation = start_conversation(widget, "parcoursup", "je cherche une licence")
            assert receive_until(console, "message")["conversation"] == conversation
            assert receive_until(console, "draft_skipped") == {"type": "draft_skipped", "conversation": conversation, "seq": 1}


def test_an_event_for_counsellors_cannot_be_addressed_to_the_public():
    from web import protocol
    from web.conversations import Notice

    draft = protocol.Draft(conversation="c", draft_id=1, seq=1, text="Bonjour", draft={})
    with pytest.raises(TypeError):
        Notice(draft, "c")  # to the conversation's widgets
    assert Notice(draft, "c", "parcoursup").envelope()["to"] == "consoles"


def test_a_colleague_cannot_answer_decide_transfer_or_close_a_conversation_someone_has_taken(client, services):
    services.store.add_user("collegue", PASSWORD, "counsellor", ["parcoursup"])
    services.store.add_user("chef", PASSWORD, "supervisor", [])
    with client.websocket_connect("/widget/ws") as widget:
        with console_as(client, "conseil") as console:
            receive_until(console, "queues")
            conversation = start_conversation(widget, "parcoursup", "je cherche un BTS en alternance")
            draft = receive_until(console, "draft")
            console.send_json({"type": "take", "conversation": conversation})
            receive_until(console, "taken")
        with console_as(client, "collegue") as other:
            receive_until(other, "queues")
            for frame in ({"type": "send", "conversation": conversation, "text": "intrus", "key": "x1"},
                          {"type": "send", "conversation": conversation, "text": "intrus", "key": "x2", "draft_id": draft["draft_id"]},
                          {"type": "reject", "conversation": conversation, "draft_id": draft["draft_id"]},
                          {"type": "transfer", "conversation": conversation, "service": "moel"},
                          {"type": "close", "conversation": conversation}):
                other.send_json(frame)
                assert receive_until(other, "error")["code"] == "deja_pris", frame
        with console_as(client, "chef") as chief:  # a supervisor can step in
            receive_until(chief, "queues")
            chief.send_json({"type": "close", "conversation": conversation})
            receive_until(chief, "closed")
    assert [m.author for m in services.store.messages_since(conversation, 0)].count("counsellor") == 0


def test_of_two_counsellors_taking_at_once_one_wins(store):
    from concurrent.futures import ThreadPoolExecutor

    from web.store import AlreadyTaken

    public_id, _ = store.open_conversation("parcoursup")
    store.append(public_id, "user", "une question", idempotency_key="u1")
    ids = [store.add_user(f"c{i}", PASSWORD, "counsellor", ["parcoursup"]).id for i in range(2)]

    def take(counsellor_id: int) -> str:
        try:
            store.take(public_id, counsellor_id, ("parcoursup",))
            return "taken"
        except AlreadyTaken:
            return "refused"

    for _ in range(5):
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(take, ids))
        assert outcomes == ["refused", "taken"], outcomes
        store.transfer(public_id, "parcoursup", None)  # back in the queue for the next round


def test_a_burst_of_one_conversation_keeps_three_drafts_at_most_and_skips_the_rest(services, caplog):
    """Adversarial pass 7: long messages sent in a burst filled the shared draft backlog, so that
    nobody else got a draft for minutes. Now a conversation has three drafts in progress at most."""
    import asyncio

    from web.conversations import DRAFTS_PER_CONVERSATION, start_draft

    conversation = services.store.open_in_queue("parcoursup").public_id
    other = services.store.open_in_queue("parcoursup").public_id

    async def scenario() -> tuple[int, int]:
        gate = services.hub.drafters(services.settings.draft_workers)
        release = asyncio.Event()

        async def busy() -> None:  # the drafting processes are busy elsewhere
            async with gate.turn("ailleurs"):
                await release.wait()

        holders = [asyncio.create_task(busy()) for _ in range(gate.width)]
        await asyncio.sleep(0)
        for n in range(6):
            start_draft(services, services.store.append(conversation, "user", f"question {n} sur les vœux", f"k{n}"))
        start_draft(services, services.store.append(other, "user", "et la CVEC ?", "o1"))
        in_progress = services.hub.drafts_of[conversation], services.hub.drafts_of[other]
        release.set()
        await asyncio.gather(*holders, *list(services.hub.drafting))
        return in_progress

    with caplog.at_level("WARNING", logger="web.conversations"):
        in_progress = asyncio.run(scenario())
    assert in_progress == (DRAFTS_PER_CONVERSATION, 1)  # the other conversation still gets its draft
    assert sum("draft skipped" in r.getMessage() for r in caplog.records) == 6 - DRAFTS_PER_CONVERSATION
    assert not services.hub.drafts_of  # counted down as they end
