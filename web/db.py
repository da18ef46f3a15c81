"""Database engine and migrations: SQLite (WAL) by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from relais.settings import private_dir

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def database_url(url: str | None, home: Path) -> str:
    """The configured URL, or a SQLite file in the data dir."""
    if url:
        return url
    private_dir(home)
    return f"sqlite:///{(home / 'relais.sqlite').resolve()}"


def private_sqlite(url: str) -> None:
    """Make the SQLite database file readable by its owner only, whatever the umask: created
    0600 before SQLite opens it (SQLite gives its -wal and -shm the database's mode), and an
    existing one readable by others (left by an earlier version) tightened with its companions."""
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except FileNotFoundError:  # no such directory: SQLite says so itself
        return
    else:
        os.fchmod(fd, 0o600)  # exactly 0600, not less either
        os.close(fd)
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if stat.S_IMODE(each.stat().st_mode) & 0o077:
                each.chmod(0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:  # not ours to change: say so, the database still opens
            log.warning("could not make %s private: %s", each, exc)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_sqlite(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros, not left in free pages
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    command.upgrade(alembic_config(url), "head")


def checkpoint(engine: Engine) -> bool:
    """On SQLite, copy the write-ahead log into the database and truncate it to zero bytes, so
    that rows just deleted (zeroed by `secure_delete`) leave no copy in the log; whether it did
    it all (a reader holding an old snapshot past the busy timeout leaves it partial). Nothing
    to do elsewhere."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning("WAL checkpoint left partial: a reader held the database")
    return not busy


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
