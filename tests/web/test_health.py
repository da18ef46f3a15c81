"""`/healthz` (the process answers) and `/readyz` (the database, the broker and the model
processes answer), as a load balancer or an operator would call them."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

pytestmark = pytest.mark.slow


def test_health_and_readiness_name_what_is_down(client, services):
    assert client.get("/healthz").json() == {"statut": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"base": "ok", "diffusion": "ok", "modeles": "ok"}
    services.store.sessions = sessionmaker(create_engine("sqlite:////nonexistent/relais.sqlite"))
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["base"] == "indisponible" and down.json()["modeles"] == "ok"
    assert client.get("/healthz").status_code == 200
