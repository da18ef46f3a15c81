"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and an
older database is brought up to date without losing what it holds."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from web.db import alembic_config, make_engine, migrate
from web.models import Base


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
