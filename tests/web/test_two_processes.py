"""Two `relais serve` processes sharing a database and a real Redis: queues and relay both ways."""

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
def two_servers(demo_home, redis_url, tmp_path_factory):
    home, _ = demo_home
    database = tmp_path_factory.mktemp("shared") / "relais.sqlite"
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_DATABASE_URL": f"sqlite:///{database}",
           "RELAIS_REDIS_URL": redis_url, "RELAIS_SECRET_KEY": "secret-partage"}
    subprocess.run([sys.executable, "-m", "relais", "users", "add", "conseil", "--role", "counsellor",
                    "--service", "moel"], input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)
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


def session_cookie(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        response = client.post("/login", data={"login": "conseil", "password": PASSWORD, "csrf": csrf})
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
