"""Where the mappings of personal data live in memory, and when they go.

Phone mode keeps one mapping per call (not per counsellor); a conversation's mapping leaves the
web process's cache when the conversation closes and after a while unused; `forget_mapping`
drops one from every process; `relais ask` keeps none once a question is answered.
Each test here was written before its fix and failed on the code it guards.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import pytest

from assistant.pii import PseudonymMap
from tests.assistant.openai_server import FakeLLM
from tests.web.conftest import PASSWORD, login, receive_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

GREETING = "Bonjour <PERSONNE_1>,\n\nLa CAES de votre académie peut vous accompagner [1].\n\nBonne journée !"
FIRST = "je suis Sophie Garnier, j'ai eu aucune proposition, c'est quoi la CAES ?"
SECOND = "mon frère Hugo Petit est aussi sans proposition, et moi Sophie Garnier : c'est quoi la CAES ?"


@pytest.fixture
def llm():
    with FakeLLM() as server:
        server.reply = GREETING  # greets whoever is <PERSONNE_1> in the call's mapping
        yield server


@pytest.fixture
def services(tmp_path, demo_index, scrubber, llm):
    """The web app's parts with an LLM drafter (a real HTTP server speaking the OpenAI protocol)."""
    from assistant.chain import Assistant
    from assistant.llm import LLMDrafter
    from assistant.pii import MappingStore
    from relais.components import open_store
    from relais.settings import Settings
    from web.broker import LocalBroker
    from web.deps import Services
    from web.hub import Hub
    from web.nlp import ThreadedNlp

    settings = Settings(home=tmp_path, secret_key="test-secret")
    store = open_store(settings)
    for name in ("conseil", "collegue"):
        store.add_user(name, PASSWORD, "counsellor", ["parcoursup"])
    drafter = LLMDrafter(base_url=llm.base_url, model="albert-test", api_key="k", find=scrubber.find, timeout=10)
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=drafter)
    return Services(settings, store, ThreadedNlp(assistant), LocalBroker(), Hub(store))


@pytest.fixture
def client(services):
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(services=services)) as test_client:
        yield test_client


def console_as(client, user: str = "conseil"):
    client.cookies.clear()
    assert login(client, user).status_code == 303
    socket = client.websocket_connect("/console/ws")
    return socket


def ask(console, question: str, call: str | None) -> dict:
    frame = {"type": "phone", "question": question, "service": "parcoursup"}
    if call is not None:
        frame["call"] = call
    console.send_json(frame)
    return answer(console, "phone_draft")


def answer(socket, kind: str) -> dict:
    """The next frame of `kind`; an error frame met first fails the test at once."""
    for _ in range(10):
        frame = socket.receive_json()
        assert frame["type"] != "error" or kind == "error", frame
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def greeted(draft: dict) -> str:
    return draft["text"].split(",")[0]


# -- phone mode: a mapping per call -------------------------------------------------------------------


def test_phone_mode_mapping_per_call(client):
    """The questions of one call share its mapping (the caller named first stays <PERSONNE_1>, so the
    second draft greets her); a new call starts clean; the counsellor sees real names, the drafter never."""
    call, other = uuid.uuid4().hex, uuid.uuid4().hex
    with console_as(client) as console:
        receive_until(console, "queues")
        first = ask(console, FIRST, call)
        second = ask(console, SECOND, call)
        fresh = ask(console, SECOND, other)
    assert (greeted(first), greeted(second), greeted(fresh)) == ("Bonjour Sophie Garnier", "Bonjour Sophie Garnier",
                                                                 "Bonjour Hugo Petit")
    assert second["call"] == call and fresh["call"] == other
    assert "Sophie" not in second["draft"]["question"] and "<PERSONNE_2>" in second["draft"]["question"]


def test_ending_a_call_drops_its_mapping(client, services):
    call = uuid.uuid4().hex
    with console_as(client) as console:
        receive_until(console, "queues")
        ask(console, FIRST, call)
        console.send_json({"type": "phone", "call": call, "end": True})
        assert answer(console, "ack")["outcome"] == "call_ended"
        assert len(services.hub.calls(services.settings.phone_mapping_minutes)) == 0
        again = ask(console, SECOND, call)  # the same id after its end: nothing of the ended call is left
    assert greeted(again) == "Bonjour Hugo Petit"


def test_a_call_mapping_expires_after_the_phone_mapping_minutes(client, services):
    services.settings.phone_mapping_minutes = 0.002  # 0.12 s
    call = uuid.uuid4().hex
    with console_as(client) as console:
        receive_until(console, "queues")
        ask(console, FIRST, call)
        time.sleep(0.5)
        later = ask(console, SECOND, call)
    assert greeted(later) == "Bonjour Hugo Petit"


def test_a_call_id_reaches_only_its_own_counsellor_s_mapping(client):
    call = uuid.uuid4().hex
    with console_as(client, "conseil") as console:
        receive_until(console, "queues")
        ask(console, FIRST, call)
    with console_as(client, "collegue") as console:
        receive_until(console, "queues")
        theirs = ask(console, SECOND, call)  # the same call id, sent by another counsellor
    assert greeted(theirs) == "Bonjour Hugo Petit"


def test_a_question_without_a_call_shares_nothing(client, services):
    with console_as(client) as console:
        receive_until(console, "queues")
        ask(console, FIRST, None)
        alone = ask(console, SECOND, None)
    assert greeted(alone) == "Bonjour Hugo Petit"
    assert len(services.hub.calls(services.settings.phone_mapping_minutes)) == 0


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "phone", "call": "c" * 32}, "question_manquante"),
        ({"type": "phone", "end": True}, "appel_manquant"),
        ({"type": "phone", "call": "c" * 32, "end": True, "question": "bonjour"}, "invalide"),
        ({"type": "phone", "question": "bonjour", "call": "<script>"}, "invalide"),
    ],
)
def test_a_malformed_phone_frame_gets_a_french_error_and_the_console_goes_on(client, frame, code):
    with console_as(client) as console:
        receive_until(console, "queues")
        console.send_json(frame)
        error = receive_until(console, "error")
        assert error["code"] == code and error["message"]
        console.send_json({"type": "ping"})
        assert receive_until(console, "pong")


# -- conversations: out of the web cache at close, and when unused ---------------------------------


def test_closing_a_conversation_drops_its_mapping_from_the_web_process(client, services):
    services.settings.drafts = False
    with client.websocket_connect("/widget/ws") as widget, console_as(client) as console:
        receive_until(console, "queues")
        widget.send_json({"type": "hello", "service": "parcoursup"})
        conversation = receive_until(widget, "welcome")["conversation"]
        widget.send_json({"type": "message", "text": FIRST, "key": "k1"})
        receive_until(widget, "ack")
        assert receive_until(console, "message")["text"] == FIRST
        assert conversation in services.hub.mappings
        console.send_json({"type": "take", "conversation": conversation})
        receive_until(console, "taken")
        console.send_json({"type": "close", "conversation": conversation})
        receive_until(console, "closed")
        receive_until(widget, "message")  # the closing words, delivered after the close
    assert conversation not in services.hub.mappings
    assert services.store.mapping(conversation).restore("<PERSONNE_1>") == "Sophie Garnier"  # stored, until retention


def test_an_unused_conversation_mapping_leaves_the_web_cache(services):
    from web.hub import Hub

    hub = Hub(services.store, mapping_idle=timedelta(seconds=0.1))
    conversation, _ = services.store.open_conversation("parcoursup")
    mapping = PseudonymMap(conversation)
    mapping.placeholder("PERSONNE", "Sophie Garnier")
    services.store.save_mapping(mapping)
    restored = asyncio.run(hub.mapping(conversation, "Bonjour <PERSONNE_1>"))
    assert restored.restore("Bonjour <PERSONNE_1>") == "Bonjour Sophie Garnier" and conversation in hub.mappings
    time.sleep(0.3)
    assert conversation not in hub.mappings


def test_text_without_placeholders_reads_and_keeps_no_mapping(services):
    conversation, _ = services.store.open_conversation("parcoursup")
    asyncio.run(services.hub.mapping(conversation, "La conversation est terminée."))
    assert conversation not in services.hub.mappings


# -- forget_mapping: every process ------------------------------------------------------------------


@pytest.mark.integration
def test_forget_mapping_evicts_a_conversation_from_every_process(services):
    """Two web processes sharing a Redis: forgetting in one drops the mapping from both caches."""
    from tests.web.test_broker import start_redis, until
    from tests.web.conftest import free_port
    from web.broker import RedisBroker
    from web.deps import Services
    from web.hub import Hub
    from web.mappings import forget_mapping

    port = free_port()
    redis = start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    conversation, _ = services.store.open_conversation("parcoursup")
    mapping = PseudonymMap(conversation)
    mapping.placeholder("PERSONNE", "Sophie Garnier")
    services.store.save_mapping(mapping)

    async def scenario() -> None:
        here, there = (Services(services.settings, services.store, services.nlp, RedisBroker(url), Hub(services.store))
                       for _ in range(2))
        for process in (here, there):
            await process.broker.start(process.hub.dispatch)
            await process.hub.mapping(conversation, "<PERSONNE_1>")
            assert conversation in process.hub.mappings
        await forget_mapping(here, conversation)
        assert conversation not in here.hub.mappings  # at once here
        await until(lambda: conversation not in there.hub.mappings)
        for process in (here, there):
            await process.broker.stop()

    try:
        asyncio.run(scenario())
    finally:
        redis.kill()
        redis.wait(timeout=10)


# -- relais ask ---------------------------------------------------------------------------------------


def test_relais_ask_keeps_no_mapping_once_a_question_is_answered(demo_home, monkeypatch):
    from typer.testing import CliRunner

    import relais.cli
    from relais.cli import app

    opened = []
    real_open = relais.cli.open_assistant
    monkeypatch.setattr(relais.cli, "open_assistant", lambda *a, **k: opened.append(real_open(*a, **k)) or opened[-1])
    env = {"RELAIS_HOME": str(demo_home[0])}
    questions = "je suis Sophie Garnier, c'est quoi la CAES ?\nmon tel 06 12 34 56 78, et la phase complémentaire ?\n"
    result = CliRunner().invoke(app, ["ask"], input=questions, env=env)
    assert result.exit_code == 0, result.output
    conversations = '{"service": "parcoursup", "turns": ["je suis Hugo Petit", "c\'est quoi la CAES ?"]}\n'
    result = CliRunner().invoke(app, ["ask", "--conversation"], input=conversations, env=env)
    assert result.exit_code == 0, result.output
    assert [len(assistant.mappings) for assistant in opened] == [0, 0]
