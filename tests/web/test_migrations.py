"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and an
older database is brought up to date without losing what it holds."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from web.db import alembic_config, make_engine, migrate
from web.models import Base


SQLITE_ONLY_INDEXES = {"ix_conversations_day", "ix_conversations_waiting", "ix_conversations_waiting_by_service",
                       "ix_conversations_handling", "ix_conversations_handling_by_service"}
# SQLAlchemy does not reflect SQLite's indexes on expressions (migration 0007's): it says so, and compares the rest
EXPRESSION_INDEXES_UNREFLECTED = "ignore:Skipped unsupported reflection of expression-based index"


@pytest.mark.filterwarnings(EXPRESSION_INDEXES_UNREFLECTED)
def test_the_migrations_build_the_schema_of_the_models(database_url):
    migrate(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_conversations_closed_before_closing_times_were_kept_get_their_last_change_as_closing_time(database_url):
    command.upgrade(alembic_config(database_url), "0004")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for public_id, status in (("ferme", "closed"), ("ouvert", "waiting")):
            connection.execute(text(
                "INSERT INTO conversations (public_id, token_hash, service, status, last_seq, created_at, updated_at, "
                "retain_until) VALUES (:id, 'x', 'moel', :status, 1, '2026-01-01 09:00:00', '2026-01-02 10:00:00', "
                "'2027-01-01 00:00:00')"), {"id": public_id, "status": status})
    engine.dispose()

    migrate(database_url)

    engine = make_engine(database_url)
    with engine.connect() as connection:
        closed = dict(connection.execute(text("SELECT public_id, closed_at FROM conversations")).all())
    engine.dispose()
    assert closed["ouvert"] is None
    assert str(closed["ferme"]).startswith("2026-01-02 10:00:00")


def test_the_statistics_columns_are_filled_from_what_was_stored_before_them(database_url):
    command.upgrade(alembic_config(database_url), "0005")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conversations (id, public_id, token_hash, service, status, last_seq, created_at, updated_at, "
            "retain_until) VALUES (1, 'c', 'x', 'moel', 'closed', 3, '2026-01-01 09:00:00', '2026-01-01 10:00:00', "
            "'2027-01-01 00:00:00')"))
        for seq, author, at in ((1, "user", "09:01:00"), (2, "user", "09:02:00"), (3, "counsellor", "09:05:00")):
            connection.execute(text("INSERT INTO messages (id, conversation_id, seq, author, text, created_at) "
                                    "VALUES (:seq, 1, :seq, :author, 't', :at)"), {"seq": seq, "author": author, "at": f"2026-01-01 {at}"})
        connection.execute(text(
            "INSERT INTO drafts (id, conversation_id, message_id, payload, created_at) VALUES (1, 1, 1, :payload, '2026-01-01 09:01:01')"),
            {"payload": '{"draft": "d", "confidence": 0.25, "abstained": false, "citations": [{"doc_id": "oscar:a"}], '
                        '"charter_flags": [{"code": "x"}]}'})
        connection.execute(text(
            "INSERT INTO drafts (id, conversation_id, message_id, payload, created_at) VALUES (2, 1, 2, :payload, '2026-01-01 09:02:01')"),
            {"payload": '{"draft": "d", "confidence": 0.9, "abstained": true, "citations": [], "charter_flags": []}'})
    engine.dispose()

    migrate(database_url)

    engine = make_engine(database_url)
    with engine.connect() as connection:
        first_user, first_answer = connection.execute(text("SELECT first_user_at, first_answer_at FROM conversations")).one()
        drafts = connection.execute(text("SELECT service, main_source, confidence, abstained, flagged FROM drafts ORDER BY id")).all()
    engine.dispose()
    assert str(first_user).startswith("2026-01-01 09:01:00") and str(first_answer).startswith("2026-01-01 09:05:00")
    assert [tuple(row) for row in drafts] == [("moel", "oscar:a", 0.25, False, True), ("moel", None, 0.9, True, False)]


def _indexes(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        else:
            names = {ix["name"] for table in ("conversations", "drafts") for ix in inspect(connection).get_indexes(table)}
    engine.dispose()
    return names


@pytest.mark.filterwarnings(EXPRESSION_INDEXES_UNREFLECTED)
def test_the_statistics_indexes_come_and_go_with_their_migration(database_url):
    migrate(database_url)
    sqlite = database_url.startswith("sqlite")
    made = _indexes(database_url)
    assert {"ix_drafts_decisions", "ix_conversations_profiles"} <= made and "ix_drafts_usage" not in made
    assert (SQLITE_ONLY_INDEXES <= made) if sqlite else not (SQLITE_ONLY_INDEXES & made)

    command.downgrade(alembic_config(database_url), "0006")
    before = _indexes(database_url)
    assert "ix_drafts_usage" in before
    assert not ({"ix_drafts_decisions", "ix_conversations_profiles"} | SQLITE_ONLY_INDEXES) & before

    migrate(database_url)
    assert _indexes(database_url) == made
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
