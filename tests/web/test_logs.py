"""The server's access and error logs: written by `relais serve` under RELAIS_HOME/logs, private,
and without personal data (no query string, no address, no exception message)."""

from __future__ import annotations

import json
import re
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import ROOT
from tests.web.conftest import free_port, wait_ready
from web.logs import _WithoutMessages, loggable_path, mask

PERSONAL = ("lea.martin", "Léa", "Martin", "06 12 34 56 78", "0612345678", "1234567890A", "127.0.0.1")


def test_error_lines_keep_the_trace_but_not_what_a_person_wrote():
    written = ["1234567890A", "Léa Martin a écrit : « rappelez-moi au 06 12 34 56 78 »"]
    try:
        try:
            raise KeyError(written[0])
        except KeyError as inner:
            raise ValueError(written[1]) from inner
    except ValueError:
        record = logging.LogRecord("web.mailer", logging.ERROR, __file__, 1,
                                   "offline answer 3: attempt 1 failed (%s)", ("550 <lea.martin@free.fr> refused",),
                                   sys.exc_info())
    line = _WithoutMessages("%(asctime)s %(levelname)s %(name)s: %(message)s").format(record)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR web.mailer", line), line  # the date is not a number to mask
    assert "offline answer 3: attempt 1 failed (550 <<courriel>> refused)" in line
    assert "builtins.ValueError (message non journalisé)" in line and "builtins.KeyError (message non journalisé)" in line
    assert "test_logs.py" in line and "raise ValueError(written[1]) from inner" in line  # where it failed stays
    assert line.index("KeyError (message") < line.index("qui a provoqué") < line.index("ValueError (message")
    assert not [value for value in PERSONAL if value in line], line


def test_mask_hides_addresses_and_long_numbers_only():
    assert mask("a.b+c@mail.example.fr 06.12.34.56.78 et 2 94 11 69 388 052 47") == "<courriel> <nombre> et <nombre>"
    assert mask("POST /offline 201 12 ms, port 8000") == "POST /offline 201 12 ms, port 8000"


def test_a_path_someone_typed_is_not_logged_and_the_others_are_bounded():
    assert loggable_path("/Jean Dupont/INE 123456789AB/rue de Rivoli", 404) == "<chemin inconnu>"
    assert len(loggable_path("/static/" + "a" * 100_000, 200)) <= 201
    forged = loggable_path("/static/x\r\n2026-11-30 13:00:00,000 GET /forged 200", 200)
    assert "\n" not in forged and "\r" not in forged and "\\x0d\\x0a" in forged
    assert mask("a" * 200_000 + " et 1" + "." * 100_000) == "a" * 200_000 + " et 1" + "." * 100_000  # linear, not stuck


@pytest.mark.slow
def test_relais_serve_says_where_to_go_and_logs_without_personal_data(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home[0], home)
    port = free_port()
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "une-cle-de-test"}
    server = subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        with httpx.Client(base_url=base) as client:
            assert client.get("/healthz", params={"courriel": "lea.martin@free.fr"}).status_code == 200
            offline = client.post("/offline", json={"service": "moel", "question": "Je suis Léa Martin, 06 12 34 56 78",
                                                    "email": "lea.martin@free.fr", "consent": True})
            assert offline.status_code == 409  # every service is open by default: the tchat answers
            assert client.get("/introuvable").status_code == 404
            assert client.get("/lea.martin@free.fr/0612345678").status_code == 404
            assert client.get("/Jean%20Dupont/a%0aFORGED").status_code == 404
        with connect(f"ws://127.0.0.1:{port}/widget/ws", origin=base) as widget:
            widget.send("Léa Martin, INE 1234567890A, pas du JSON")
            assert json.loads(widget.recv())["type"] == "error"
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C, as the startup message says
        stdout, stderr = server.communicate(timeout=60)

    assert f"http://localhost:{port}/console" in stdout and "Ctrl+C pour arrêter" in stdout, stdout
    assert "Relais arrêté." in stdout, stdout + stderr
    logs = home / "logs"
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    access = (logs / "access.log").read_text(encoding="utf-8")
    for expected in ("GET /healthz 200", "POST /offline 409", "GET <chemin inconnu> 404", "WS /widget/ws"):
        assert expected in access, access
    for name in ("access.log", "errors.log"):
        assert stat.S_IMODE((logs / name).stat().st_mode) == 0o600
        text = (logs / name).read_text(encoding="utf-8")
        assert not [value for value in (*PERSONAL, "courriel=", "Jean", "FORGED") if value in text], text
