"""Opening hours, the offline contact form, the counsellors' inbox and the answer by mail."""

from __future__ import annotations

import pytest

from relais.settings import Settings
from tests.web.conftest import login, receive_until

pytestmark = pytest.mark.slow


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


def test_an_offline_question_is_answered_later_by_mail(client, services, smtp_server, closed):
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
        assert receive_until(console, "ack")["outcome"] == "queued"  # the console goes on; the mail leaves in the background
        assert receive_until(console, "offline_sent") == {"type": "offline_sent", "id": inbox[0]["id"], "service": "parcoursup"}
        console.send_json({"type": "inbox"})
        assert receive_until(console, "inbox")["requests"] == []
    [mail] = received
    assert mail["To"] == "lea.martin@exemple.fr"
    body = mail.get_payload(decode=True).decode("utf-8") if not mail.is_multipart() else mail.get_payload()[0].get_payload()
    assert "Consultez le calendrier sur parcoursup.gouv.fr." in body and "Léa Martin" in body


def test_a_failed_mail_keeps_the_request_in_the_inbox(client, services, closed):
    services.settings.smtp_host, services.settings.smtp_port = "127.0.0.1", 9  # nothing listens there
    services.settings.mail_max_attempts = 1
    client.post("/offline", json={"service": "parcoursup", "question": "Une question", "email": "x@y.fr", "consent": True})
    login(client)
    with client.websocket_connect("/console/ws") as console:
        console.receive_json()
        console.send_json({"type": "inbox"})
        request_id = receive_until(console, "inbox")["requests"][0]["id"]
        console.send_json({"type": "answer_offline", "id": request_id, "text": "Réponse"})
        assert receive_until(console, "ack")["outcome"] == "queued"
        assert "Vous pouvez répondre à nouveau" in receive_until(console, "offline_failed")["message"]
        console.send_json({"type": "inbox"})
        [request] = receive_until(console, "inbox")["requests"]
        assert request["mail"] == "failed" and request["answer"] == "Réponse"


def test_errors_of_the_framework_are_answered_in_french_without_echoing_the_input(client, closed):
    bad = client.post("/offline", json={"service": "monmaster", "question": "je suis Léa Martin", "email": "a@b.fr", "consent": "oui"})
    assert bad.status_code == 422 and bad.json() == {"detail": "Champ invalide ou manquant : consent."}
    assert "Léa" not in bad.text
    assert client.post("/offline", content=b"{not json", headers={"content-type": "application/json"}).json()["detail"] \
        == "Requête illisible : JSON attendu."
    assert client.get("/nulle-part").json() == {"detail": "Page introuvable."}
    assert client.put("/offline").json() == {"detail": "Méthode non autorisée pour cette adresse."}
    assert client.get("/offline/status", params={"service": "nope"}).json() == {"detail": "Champ invalide ou manquant : service."}
