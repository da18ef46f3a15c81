"""SQLite's `INDEXED BY`, through SQLAlchemy's `with_hint` (whose SQLite compiler drops table hints).

The statistics name the index each of their queries reads on SQLite: without statistics on the
tables (nothing runs ANALYZE) SQLite's planner would rather sort a year's rows, and a query that
names a lost index fails at once instead of becoming slow. Other databases ignore the hint.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

Query = TypeVar("Query", bound=Select)


def through(query: Query, table: Any, index: str) -> Query:
    """`query`, reading `table` through `index` on SQLite."""
    return query.with_hint(table, f"INDEXED BY {index}", "sqlite")


@compiles(Table, "sqlite")
def _table_with_its_hint(table: Table, compiler: SQLCompiler, **kw: Any) -> str:
    text = compiler.visit_table(table, **kw)
    hints = kw.get("fromhints") or {}
    if kw.get("asfrom") and table in hints:
        text += " " + hints[table]
    return text
