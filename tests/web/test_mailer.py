"""Offline answers go through the outbox: queued with the counsellor's answer in one transaction,
mailed in the background by a real SMTP exchange (aiosmtpd), retried with a backoff kept in the
database, sent once even by two senders, and never stored in clear."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import pytest

from assistant.pii import PseudonymMap
from relais.settings import Settings
from tests.web.conftest import PASSWORD, free_port
from web.mailer import Mailer
from web.models import utcnow
from web.store import AlreadyAnswered, NotFound, Store

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ANSWER = "Consultez le calendrier sur parcoursup.gouv.fr."


class SmtpServer:
    """A real SMTP server on a fixed port, which can be down, then up again. It refuses the
    addresses starting with `refuse`, quoting them as real servers do."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list = []
        self._controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        received = self.received

        class Keep:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.startswith("refuse"):
                    return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def counsellor(store) -> int:
    return store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"]).id


@pytest.fixture
def smtp():
    server = SmtpServer()  # down until a test starts it
    yield server
    server.stop()


def settings_for(smtp: SmtpServer | None, **overrides) -> Settings:
    return Settings(**{"secret_key": "test-secret", "smtp_host": "127.0.0.1" if smtp else None,
                       "smtp_port": smtp.port if smtp else 25, "mail_retry_seconds": 0, **overrides})


class Consoles:
    """What the consoles were told (the `notify` the lead wires to the broker)."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    async def __call__(self, event: dict) -> None:
        self.events.append(event)


def offline_request(store: Store, email: str = "lea.martin@exemple.fr", name: str = "Léa Martin") -> int:
    mapping = PseudonymMap("offline")
    question = f"je suis {mapping.placeholder('PERSONNE', name)}, quand ouvre la phase complémentaire ?"
    return store.add_offline("parcoursup", question, email, mapping)


def body_of(mail) -> str:
    return mail.get_content()


def run(mailer: Mailer) -> int:
    return asyncio.run(mailer.run_once())


def test_an_answer_is_mailed_once_with_its_date_message_id_and_body(store, smtp, counsellor):
    smtp.start()
    consoles = Consoles()
    mailer = Mailer(store, settings_for(smtp), consoles)
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    assert store.offline_inbox(None) == []  # queued: it has left the inbox

    assert run(mailer) == 1
    [mail] = smtp.received
    assert mail["To"] == "lea.martin@exemple.fr" and mail["Subject"] == "Réponse à votre question — Onisep"
    assert abs(parsedate_to_datetime(mail["Date"]) - utcnow()) < timedelta(minutes=5)
    assert mail["Message-ID"].endswith("@onisep.fr>") and mail["Message-ID"] == store.offline_mail(request_id).message_id
    assert "« je suis Léa Martin, quand ouvre la phase complémentaire ? »" in body_of(mail) and ANSWER in body_of(mail)
    assert consoles.events == [{"type": "offline_sent", "id": request_id, "service": "parcoursup"}]
    assert store.offline_mail(request_id).status == "sent"

    assert run(mailer) == 0 and len(smtp.received) == 1  # sent is sent
    assert store.offline_inbox(None) == []


def test_a_request_is_answered_once_and_an_unknown_one_not_at_all(store, counsellor):
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    with pytest.raises(AlreadyAnswered):
        store.queue_offline_answer(request_id, "Une autre réponse", counsellor_id=counsellor)
    with pytest.raises(NotFound):
        store.queue_offline_answer(request_id + 100, ANSWER, counsellor_id=counsellor)
    assert store.offline_mail(request_id).status == "queued"


def test_a_mail_waits_while_the_server_is_down_and_goes_once_it_is_up(store, smtp, counsellor):
    consoles = Consoles()
    mailer = Mailer(store, settings_for(smtp), consoles)
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)

    assert run(mailer) == 0
    waiting = store.offline_mail(request_id)
    assert waiting.status == "queued" and waiting.attempts == 1 and "injoignable" in waiting.last_error
    assert consoles.events == [] and store.offline_inbox(None) == []  # still on its way: not back in the inbox

    smtp.start()
    assert run(mailer) == 1
    [mail] = smtp.received
    assert mail["Message-ID"] == waiting.message_id  # the retry is the same message
    sent = store.offline_mail(request_id)
    assert sent.status == "sent" and sent.attempts == 2
    assert consoles.events == [{"type": "offline_sent", "id": request_id, "service": "parcoursup"}]


def test_retries_wait_twice_as_long_each_time_then_the_request_is_back_in_the_inbox(store, smtp, counsellor):
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    start = utcnow()
    now = [start]
    consoles = Consoles()
    mailer = Mailer(store, settings_for(smtp, mail_retry_seconds=60, mail_max_attempts=3), consoles, clock=lambda: now[0])

    assert run(mailer) == 0
    assert store.offline_mail(request_id).next_attempt_at == start + timedelta(seconds=60)
    now[0] = start + timedelta(seconds=59)
    assert run(mailer) == 0 and store.offline_mail(request_id).attempts == 1  # not due yet: not tried
    now[0] = start + timedelta(seconds=60)
    assert run(mailer) == 0
    second = store.offline_mail(request_id)
    assert second.attempts == 2 and second.next_attempt_at == now[0] + timedelta(seconds=120)
    assert consoles.events == []

    now[0] = second.next_attempt_at
    assert run(mailer) == 0  # the last attempt
    failed = store.offline_mail(request_id)
    assert failed.status == "failed" and failed.attempts == 3
    [event] = consoles.events
    assert event["type"] == "offline_failed" and event["id"] == request_id and event["service"] == "parcoursup"
    assert "après 3 tentatives" in event["message"] and "injoignable" in event["message"]
    [entry] = store.offline_inbox(["parcoursup"])
    assert entry["id"] == request_id and entry["mail"] == "failed" and entry["reason"] == event["message"]
    assert entry["answer"] == ANSWER and "Léa Martin" in entry["question"]
    assert store.offline_contact(request_id)[0] == "lea.martin@exemple.fr"  # the console may answer it again

    store.queue_offline_answer(request_id, ANSWER + " Bonne journée.", counsellor_id=counsellor)
    again = store.offline_mail(request_id)
    assert again.status == "queued" and again.attempts == 0 and again.last_error is None
    assert store.offline_inbox(None) == []
    smtp.start()
    assert run(mailer) == 1
    [mail] = smtp.received
    assert "Bonne journée." in body_of(mail) and store.offline_mail(request_id).status == "sent"
    assert consoles.events[-1] == {"type": "offline_sent", "id": request_id, "service": "parcoursup"}


def test_a_refused_address_fails_at_once_and_the_servers_words_are_not_kept(store, smtp, counsellor):
    smtp.start()
    consoles = Consoles()
    mailer = Mailer(store, settings_for(smtp), consoles)
    refused = offline_request(store, email="refuse.moi@exemple.fr")
    invalid = offline_request(store, email=".a@x.fr")  # an address the mail library refuses
    store.queue_offline_answer(refused, ANSWER, counsellor_id=counsellor)
    store.queue_offline_answer(invalid, ANSWER, counsellor_id=counsellor)

    assert run(mailer) == 0 and smtp.received == []
    assert [(e["type"], e["id"]) for e in consoles.events] == [("offline_failed", refused), ("offline_failed", invalid)]
    inbox = {entry["id"]: entry for entry in store.offline_inbox(None)}
    assert "refuse l'adresse du destinataire (code 550)" in inbox[refused]["reason"]
    assert "refuse.moi" not in inbox[refused]["reason"] and "refuse.moi" not in store.offline_mail(refused).last_error
    assert "n'est pas valide" in inbox[invalid]["reason"]
    assert store.offline_mail(refused).attempts == 1 and store.offline_mail(invalid).attempts == 1


def test_without_a_mail_server_the_answer_stays_queued_and_the_inbox_says_why(store, smtp, counsellor):
    consoles = Consoles()
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)

    assert run(Mailer(store, settings_for(None), consoles)) == 0
    [entry] = store.offline_inbox(None)
    assert entry["id"] == request_id and entry["mail"] == "queued" and "RELAIS_SMTP_HOST" in entry["reason"]
    with pytest.raises(AlreadyAnswered):  # it is answered: it waits for a server, not for a counsellor
        store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    assert store.offline_mail(request_id).attempts == 0

    smtp.start()
    assert run(Mailer(store, settings_for(smtp), consoles)) == 1
    assert len(smtp.received) == 1 and store.offline_inbox(None) == []


def second_store(database_url: str) -> tuple[Store, object]:
    """Another process's view of the same database: its own engine and connections."""
    from web.db import make_engine, session_factory
    from web.security import Vault

    engine = make_engine(database_url)
    return Store(session_factory(engine), Vault("secret-de-test")), engine


def test_a_restarted_sender_mails_what_the_previous_one_left_queued(store, smtp, database_url, counsellor):
    consoles = Consoles()
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    assert run(Mailer(store, settings_for(smtp), consoles)) == 0  # the server is down; then this process stops

    smtp.start()
    restarted, engine = second_store(database_url)

    async def after_restart() -> None:
        mailer = Mailer(restarted, settings_for(smtp), consoles, poll_seconds=0.2)
        await mailer.start()
        deadline = time.monotonic() + 30
        while not smtp.received:
            assert time.monotonic() < deadline, "the restarted sender sent nothing"
            await asyncio.sleep(0.1)
        await mailer.stop()

    try:
        asyncio.run(after_restart())
    finally:
        engine.dispose()
    assert len(smtp.received) == 1 and store.offline_mail(request_id).status == "sent"
    assert consoles.events == [{"type": "offline_sent", "id": request_id, "service": "parcoursup"}]


def test_two_senders_at_once_send_each_mail_once(store, smtp, database_url, counsellor):
    smtp.start()
    requests = [offline_request(store, email=f"eleve{n}@exemple.fr") for n in range(12)]
    for request_id in requests:
        store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    other, engine = second_store(database_url)
    consoles = Consoles()

    async def both() -> list[int]:
        return await asyncio.gather(Mailer(store, settings_for(smtp), consoles).run_once(),
                                    Mailer(other, settings_for(smtp), consoles).run_once())

    try:
        counts = asyncio.run(both())
    finally:
        engine.dispose()
    assert sum(counts) == 12
    assert sorted(mail["To"] for mail in smtp.received) == sorted(f"eleve{n}@exemple.fr" for n in range(12))
    assert len({mail["Message-ID"] for mail in smtp.received}) == 12
    assert sorted(e["id"] for e in consoles.events) == sorted(requests)


def test_a_claim_is_a_lease_a_dead_sender_only_delays_its_mail(store, counsellor):
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    now = utcnow()
    held = store.claim_mail(now, now + timedelta(minutes=10), "<first@onisep.fr>")
    assert held is not None and held.recipient == "lea.martin@exemple.fr" and held.request_id == request_id
    assert store.claim_mail(now, now + timedelta(minutes=10), "<other@onisep.fr>") is None  # it is taken

    later = now + timedelta(minutes=11)  # the first sender died holding it
    taken_again = store.claim_mail(later, later + timedelta(minutes=10), "<second@onisep.fr>")
    assert taken_again is not None and taken_again.attempts == 2 and taken_again.message_id == "<first@onisep.fr>"
    assert not store.mail_sent(held.id, held.claim)  # the dead sender's claim no longer counts
    assert store.mail_sent(taken_again.id, taken_again.claim) and store.offline_mail(request_id).status == "sent"


def test_a_purged_request_takes_its_mail_with_it(store, counsellor):
    request_id = offline_request(store)
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    store.purge(now=utcnow() + timedelta(days=400))
    assert store.offline_mail(request_id) is None


def test_the_recipient_and_the_body_are_not_stored_in_clear(tmp_path, smtp):
    from web.db import make_engine, migrate, session_factory
    from web.security import Vault

    path = tmp_path / "outbox.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    store = Store(session_factory(engine), Vault("secret-de-test"))
    counsellor = store.add_user("conseil", PASSWORD, "counsellor", ["parcoursup"]).id
    request_id = offline_request(store, email="planted.witness@exemple.fr", name="Zoé Planquette")
    store.queue_offline_answer(request_id, ANSWER, counsellor_id=counsellor)
    smtp.start()
    asyncio.run(Mailer(store, settings_for(smtp), Consoles()).run_once())  # sent: its row stays, with its message id
    assert "Zoé Planquette" in body_of(smtp.received[0])
    engine.dispose()

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.sqlite*"))
    assert "quand ouvre la phase complémentaire".encode() in stored  # the file is readable: the test would see a clear address
    for planted in ("planted.witness", "Planquette", ANSWER):  # the counsellor's answer is sealed too
        assert planted.encode() not in stored and planted.encode("utf-16-le") not in stored


def test_the_outbox_migration_goes_down_and_up_again(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from web.db import alembic_config, make_engine, migrate

    url = f"sqlite:///{tmp_path / 'relais.sqlite'}"
    migrate(url)
    command.downgrade(alembic_config(url), "0002")
    engine = make_engine(url)
    assert "mail_outbox" not in inspect(engine).get_table_names()
    migrate(url)
    assert "mail_outbox" in inspect(engine).get_table_names()
    engine.dispose()
