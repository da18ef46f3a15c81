"""Personal data at rest on SQLite: what is purged or erased leaves no trace in the database file,
its write-ahead log or its free pages; the files are readable by their owner only."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.pii import PseudonymMap
from web.db import database_url, make_engine, migrate, session_factory
from web.security import Vault
from web.store import Store

pytestmark = pytest.mark.integration

# Words no scrubber would hide: they stay in clear in a pseudonymised message, as the substance of a question does.
PLANTED = "girafe-violette-7319"


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def sqlite_store(home):
    """A store on the default SQLite file of a data dir, as `relais serve` opens it; the engine
    stays open while the test reads the files, as a running server's does."""
    url = database_url(None, home)
    migrate(url)
    engine = make_engine(url)
    yield Store(session_factory(engine), Vault("secret-de-test"))
    engine.dispose()


def holding(home: Path, value: str) -> list[str]:
    """The files SQLite keeps for the database (the file with its free pages, its WAL, its shared
    memory) whose bytes hold `value`."""
    return [path.name for path in sorted(home.glob("relais.sqlite*")) if value.encode() in path.read_bytes()]


def test_an_erased_conversation_leaves_no_trace_in_the_database_its_log_or_its_free_pages(sqlite_store, home):
    kept, _ = sqlite_store.open_conversation("moel")
    sqlite_store.append(kept, "user", "une question qui reste", idempotency_key="k")
    erased, _ = sqlite_store.open_conversation("parcoursup")
    message = sqlite_store.append(erased, "user", f"je veux devenir {PLANTED}, comment faire ?", idempotency_key="e1")
    sqlite_store.save_draft(erased, message.message_id, {"draft": f"Pour devenir {PLANTED}…", "citations": []})
    for n in range(40):  # enough rows to fill pages, so that some are freed by the erasure
        sqlite_store.append(erased, "user", f"{PLANTED} message {n} " + "x" * 200, idempotency_key=f"m{n}")
    assert holding(home, PLANTED)  # the check can see it

    assert sqlite_store.erase([erased]) == 1

    assert holding(home, PLANTED) == []
    assert holding(home, "une question qui reste") == ["relais.sqlite"]
    assert (home / "relais.sqlite-wal").stat().st_size == 0  # checkpointed and truncated


def test_purged_conversations_and_offline_requests_leave_no_trace(sqlite_store, home):
    old, _ = sqlite_store.open_conversation("moel")
    sqlite_store.append(old, "user", f"ancienne question sur {PLANTED}", idempotency_key="k")
    sqlite_store.add_offline("moel", f"hors ligne : {PLANTED} ?", "lea.martin@exemple.fr", PseudonymMap("offline"))
    assert holding(home, PLANTED)

    assert sqlite_store.purge(datetime.now(timezone.utc) + timedelta(days=400)) == 2

    assert holding(home, PLANTED) == []
    assert (home / "relais.sqlite-wal").stat().st_size == 0


@pytest.fixture
def open_umask():
    """The loosest umask: a file's mode is then what the code asks for, nothing removes bits."""
    before = os.umask(0)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_the_database_its_log_and_the_generated_key_are_private(open_umask, home, monkeypatch):
    from relais.components import open_store
    from relais.settings import Settings

    monkeypatch.delenv("RELAIS_SECRET_KEY", raising=False)
    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    store = open_store(Settings(home=home))
    store.open_conversation("moel")  # a write: the WAL and the shared memory exist while the engine is open
    assert mode(home) == 0o700
    files = {path.name: mode(path) for path in home.iterdir()}
    assert files == {"relais.sqlite": 0o600, "relais.sqlite-wal": 0o600, "relais.sqlite-shm": 0o600, "secret_key": 0o600}
    store.sessions.kw["bind"].dispose()


def test_a_database_left_readable_by_others_is_made_private_when_opened(home):
    import sqlite3

    home.mkdir()
    with sqlite3.connect(home / "relais.sqlite") as legacy:  # as an earlier version left it, under a 022 umask
        legacy.execute("CREATE TABLE t (x)")
    os.chmod(home / "relais.sqlite", 0o644)
    engine = make_engine(database_url(None, home))
    assert mode(home / "relais.sqlite") == 0o600
    engine.dispose()


def answered_and_failed(store: Store, answer: str) -> int:
    """An offline request answered by a counsellor, whose mail then finally failed: the answer
    is shown back in the inbox, to be sent again."""
    counsellor = store.add_user("c.dupont", "mot-de-passe-solide", "counsellor", ["moel"])
    request = store.add_offline("moel", "une question", "lea.martin@exemple.fr", PseudonymMap("offline"))
    store.queue_offline_answer(request, answer, counsellor.id)
    now = datetime.now(timezone.utc)
    mail = store.claim_mail(now, now + timedelta(minutes=1), "<un-id@onisep.fr>")
    assert store.mail_failed(mail.id, mail.claim, "le serveur de messagerie a coupé la connexion")
    return request


def test_an_offline_answer_is_kept_sealed_and_shown_back_when_its_mail_failed(sqlite_store, home):
    answer = f"Bonjour Léa Martin, pour devenir {PLANTED}, voici les étapes."

    answered_and_failed(sqlite_store, answer)

    assert holding(home, PLANTED) == []  # neither the request nor its mail keep it in clear
    [entry] = sqlite_store.offline_inbox(None)
    assert (entry["mail"], entry["answer"]) == ("failed", answer)


def test_rotating_the_key_reseals_the_offline_answers(sqlite_store):
    answer = f"Pour devenir {PLANTED}, voici les étapes."
    answered_and_failed(sqlite_store, answer)

    counts = Store(sqlite_store.sessions, Vault("nouveau-secret", ["secret-de-test"])).reseal()

    assert {c.kind: c.resealed for c in counts}["offline_request.answer"] == 1
    [entry] = Store(sqlite_store.sessions, Vault("nouveau-secret")).offline_inbox(None)
    assert entry["answer"] == answer


def test_answers_kept_in_clear_by_an_earlier_version_are_dropped_by_the_migration_and_their_mails_kept(home):
    from alembic import command
    from sqlalchemy import text

    from web.db import alembic_config

    url = database_url(None, home)
    command.upgrade(alembic_config(url), "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO offline_requests (id, service, question, email, status, answer, created_at, "
                                "retain_until) VALUES (1, 'moel', 'question', x'00', 'answered', :answer, '2026-01-01', "
                                "'2027-01-01')"), {"answer": f"réponse {PLANTED}"})
        connection.execute(text("INSERT INTO mail_outbox (request_id, service, recipient, body, status, attempts, "
                                "next_attempt_at, queued_at) VALUES (1, 'moel', x'00', x'01', 'queued', 0, '2026-01-01', "
                                "'2026-01-01')"))
    engine.dispose()

    migrate(url)

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT answer FROM offline_requests")).all() == [(None,)]
        assert connection.execute(text("SELECT count(*) FROM mail_outbox")).scalar() == 1  # still to be mailed
    engine.dispose()
    assert holding(home, PLANTED) == []


def test_a_data_dir_made_by_any_command_is_private(open_umask, home, monkeypatch):
    from typer.testing import CliRunner

    from relais.cli import app

    monkeypatch.delenv("RELAIS_DATABASE_URL", raising=False)
    CliRunner().invoke(app, ["search", "bts"], env={"RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "k"})
    assert mode(home) == 0o700  # a search in a new data dir makes its index there: nobody else may read it
