"""Login, sessions and roles on every console route, and the account commands."""

from __future__ import annotations

import pytest

from relais.settings import Settings
from tests.web.conftest import PASSWORD, login
from relais.components import open_store

pytestmark = pytest.mark.slow


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
