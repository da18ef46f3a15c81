"""The production stack: two `relais serve` processes (each with its model processes) sharing a
PostgreSQL database and a real Redis, and a real SMTP server: queues, relay, drafts, transfer,
close and the mailed offline answer, across processes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time

import httpx
import pytest
import websockets

from tests.conftest import ROOT
from tests.web.conftest import free_port, wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed: .ci/run installs it (apt-get install redis-server)"
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def smtp_inbox():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, received
    controller.stop()


@pytest.fixture(scope="module")
def two_servers(demo_home, redis_url, postgres_server, smtp_inbox):
    import psycopg

    home, _ = demo_home
    name = f"t_{os.getpid()}_two"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_DATABASE_URL": postgres_server.rsplit("/", 1)[0] + f"/{name}",
           "RELAIS_REDIS_URL": redis_url, "RELAIS_SECRET_KEY": "secret-partage",
           "RELAIS_SMTP_HOST": "127.0.0.1", "RELAIS_SMTP_PORT": str(smtp_inbox[0]),
           "RELAIS_OPENING_HOURS": json.dumps({"monmaster": {"days": []}})}  # Mon Master closed: its offline form is open
    for login, role, services in (("conseil", "counsellor", ["moel"]), ("superviseur", "supervisor", [])):
        subprocess.run([sys.executable, "-m", "relais", "users", "add", login, "--role", role,
                        *(arg for service in services for arg in ("--service", service))],
                       input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    processes, bases = [], []
    for _ in range(2):
        port = free_port()
        processes.append(subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    for base, process in zip(bases, processes):
        wait_ready(base, process)
    yield bases
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def session_cookie(base: str, login: str = "conseil") -> str:
    with httpx.Client(base_url=base) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"login": login, "password": PASSWORD, "csrf": csrf})
        assert response.status_code in (200, 303)
        return f"relais_session={client.cookies['relais_session']}"


async def until(socket, kind: str, **match) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


def test_a_message_crosses_from_one_process_to_the_other_and_back(two_servers):
    widget_base, console_base = two_servers
    cookie = session_cookie(console_base)

    async def scenario() -> None:
        ws = lambda base: base.replace("http", "ws")  # noqa: E731
        async with websockets.connect(ws(console_base) + "/console/ws", additional_headers={"Cookie": cookie}) as console, \
                websockets.connect(ws(widget_base) + "/widget/ws") as widget:
            await until(console, "queues")
            # the client offers permessage-deflate; `relais serve` declines it (small frames: CPU at both ends for nothing)
            assert widget.response.headers.get("Sec-WebSocket-Extensions") is None
            await widget.send(json.dumps({"type": "hello", "service": "moel"}))
            conversation = (await until(widget, "welcome"))["conversation"]
            await widget.send(json.dumps({"type": "message", "text": "comment devenir boulangère ?", "key": "k1"}))
            seen = await until(console, "message", conversation=conversation)
            assert seen["text"] == "comment devenir boulangère ?"
            draft = await until(console, "draft", conversation=conversation)
            await console.send(json.dumps({"type": "take", "conversation": conversation}))
            await console.send(json.dumps({"type": "send", "conversation": conversation, "key": "c1",
                                           "text": draft["text"], "draft_id": draft["draft_id"]}))
            answer = await until(widget, "message", author="counsellor")
            assert answer["text"] == draft["text"]

    asyncio.run(scenario())


def test_transfer_close_and_the_mailed_offline_answer_cross_processes(two_servers, smtp_inbox):
    widget_base, console_base = two_servers
    counsellor, supervisor = session_cookie(console_base), session_cookie(widget_base, "superviseur")
    ws = lambda base: base.replace("http", "ws")  # noqa: E731

    async def scenario() -> None:
        async with websockets.connect(ws(console_base) + "/console/ws", additional_headers={"Cookie": counsellor}) as console, \
                websockets.connect(ws(widget_base) + "/console/ws", additional_headers={"Cookie": supervisor}) as watch, \
                websockets.connect(ws(widget_base) + "/widget/ws") as widget:
            await until(console, "queues")
            await until(watch, "queues")
            await widget.send(json.dumps({"type": "hello", "service": "moel"}))
            conversation = (await until(widget, "welcome"))["conversation"]
            await widget.send(json.dumps({"type": "message", "text": "je veux changer de voeu sur parcoursup", "key": "k1"}))
            await until(console, "message", conversation=conversation)
            await console.send(json.dumps({"type": "transfer", "conversation": conversation, "service": "parcoursup",
                                           "note": "question de voeux"}))
            await until(watch, "transferred", conversation=conversation, service="parcoursup")
            await until(widget, "message", author="system")
            await widget.send(json.dumps({"type": "message", "text": "et la date limite ?", "key": "k2"}))
            relayed = await until(watch, "message", conversation=conversation, author="user")
            assert relayed["service"] == "parcoursup" and relayed["text"] == "et la date limite ?"
            await console.send(json.dumps({"type": "close", "conversation": conversation}))  # no longer the counsellor's
            assert (await until(console, "error"))["code"] == "introuvable"
            await watch.send(json.dumps({"type": "close", "conversation": conversation}))
            await until(watch, "closed", conversation=conversation)
            await widget.send(json.dumps({"type": "message", "text": "encore une question", "key": "k3"}))
            assert (await until(widget, "error"))["code"] == "fermee"

            with httpx.Client(base_url=widget_base) as public:
                assert public.post("/offline", json={"service": "moel", "question": "Bonjour", "email": "a@exemple.fr",
                                                     "consent": True}).status_code == 409  # moel is open: the tchat answers
                created = public.post("/offline", json={"service": "monmaster", "email": "ines.roux@exemple.fr", "consent": True,
                                                        "question": "je suis Inès Roux, quand ouvre la phase de candidature ?"})
                assert created.status_code == 201
            request_id = (await until(watch, "offline"))["id"]
            await watch.send(json.dumps({"type": "answer_offline", "id": request_id, "text": "Fin février, sur monmaster.gouv.fr."}))
            assert (await until(watch, "ack", offline_id=request_id))["outcome"] == "queued"
            await until(watch, "offline_sent", id=request_id)

    asyncio.run(scenario())
    [mail] = smtp_inbox[1]
    assert mail["To"] == "ines.roux@exemple.fr" and mail["Date"] and mail["Message-ID"]
    assert "Fin février" in mail.get_payload(decode=True).decode("utf-8") and "Inès Roux" in mail.get_payload(decode=True).decode("utf-8")
