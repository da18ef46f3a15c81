"""Waiting and handling times of a period: their count, median and 90th percentile, per service
and for all, computed in SQL.

Waiting runs from a conversation's first user message to a counsellor's first message, handling
from the first user message to the close. Percentiles are continuous (interpolated, like
PostgreSQL's `percentile_cont`):

- PostgreSQL computes them itself, both times in one scan (`GROUPING SETS`: per service and all);
- SQLite has no percentile: migration 0007 keeps, on SQLite only, indexes ordered by each time
  (overall, and per service) that hold only the conversations having it, and a percentile is an
  OFFSET into one of them that reads the two values around it. Nothing is sorted at query time.
  The queries name their index (web/indexed.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal_column, select, tuple_
from sqlalchemy.orm import Session

from web.indexed import through
from web.models import Conversation

FRACTIONS = (0.5, 0.9)
ENDS = {"waiting": Conversation.first_answer_at, "handling": Conversation.closed_at}
# SQLite's indexes of each time (migration 0007): ordered by the time, and by service then time
SQLITE_INDEXES = {"waiting": ("ix_conversations_waiting", "ix_conversations_waiting_by_service"),
                  "handling": ("ix_conversations_handling", "ix_conversations_handling_by_service")}


@dataclass
class Durations:
    """Times in seconds: how many were measured, and their median and 90th percentile."""

    count: int = 0
    p50: float | None = None
    p90: float | None = None


def seconds_between(start: Any, end: Any, dialect: str) -> Any:
    """`end - start` in seconds. On SQLite the very expression migration 0007 indexes (its factor a
    literal, not a parameter: SQLite matches an indexed expression only to the same expression)."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * literal_column("86400.0")
    return func.extract("epoch", end - start)


def durations(session: Session, conversations: list, dialect: str) -> dict[str, dict[str, Durations]]:
    """{"waiting": …, "handling": …}, each service (of those with such times) -> Durations, and "all",
    for the conversations matching the conditions `conversations`."""
    if dialect == "postgresql":
        return _computed_by_postgresql(session, conversations)
    return {measure: _walked_on_sqlite(session, conversations, measure) for measure in ENDS}


def _computed_by_postgresql(session: Session, conversations: list) -> dict[str, dict[str, Durations]]:
    first_user = Conversation.first_user_at
    times = {measure: case((end >= first_user, seconds_between(first_user, end, "postgresql")))
             for measure, end in ENDS.items()}  # NULL when not measured: the aggregates skip it
    values = (select(Conversation.service, *(time.label(measure) for measure, time in times.items()))
              .where(*conversations, first_user.is_not(None)).subquery())
    columns = [func.grouping(values.c.service)]
    for measure in ENDS:
        column = values.c[measure]
        columns += [func.count(column), *(func.percentile_cont(f).within_group(column) for f in FRACTIONS)]
    query = select(values.c.service, *columns).group_by(func.grouping_sets(tuple_(values.c.service), tuple_()))
    result: dict[str, dict[str, Durations]] = {measure: {} for measure in ENDS}
    for service, overall, *figures in session.execute(query):
        for index, measure in enumerate(ENDS):
            count, p50, p90 = figures[3 * index:3 * index + 3]
            if overall or count:
                result[measure]["all" if overall else service] = Durations(
                    count, None if p50 is None else float(p50), None if p90 is None else float(p90))
    for measure in ENDS:  # no conversation at all in the period: no row for "all" either
        result[measure].setdefault("all", Durations())
    return result


def _walked_on_sqlite(session: Session, conversations: list, measure: str) -> dict[str, Durations]:
    first_user, end = Conversation.first_user_at, ENDS[measure]
    overall, by_service = SQLITE_INDEXES[measure]
    seconds = seconds_between(first_user, end, "sqlite")
    where = [*conversations, first_user.is_not(None), end >= first_user]  # the indexes' own condition, word for word
    counts = dict(session.execute(through(select(Conversation.service, func.count()), Conversation, by_service)
                                  .where(*where).group_by(Conversation.service)).all())
    result: dict[str, Durations] = {}
    for service, n in [*counts.items(), ("all", sum(counts.values()))]:
        if not n:
            result[service] = Durations()
            continue
        ranks: dict[int, float] = {}
        for fraction in FRACTIONS:
            low = int(fraction * (n - 1))
            high = min(low + 1, n - 1)  # the two ranks around the percentile (one at the very end)
            query = select(seconds).where(*where)
            if low < n // 2:  # walked from the shortest time
                query, first, step = query.order_by(seconds).offset(low), low, 1
            else:  # from the longest: a 90th percentile walks a tenth of the index
                query, first, step = query.order_by(seconds.desc()).offset(n - 1 - high), high, -1
            query = query.limit(high - low + 1)
            if service == "all":
                query = through(query, Conversation, overall)
            else:
                query = through(query.where(Conversation.service == service), Conversation, by_service)
            for offset, value in enumerate(session.scalars(query)):
                ranks[first + step * offset] = float(value)
        result[service] = Durations(n, *(_interpolated(ranks, n, fraction) for fraction in FRACTIONS))
    return result


def _interpolated(ranks: dict[int, float], n: int, fraction: float) -> float:
    position = fraction * (n - 1)
    low = int(position)
    if low + 1 >= n:
        return ranks[low]
    return ranks[low] + (ranks[low + 1] - ranks[low]) * (position - low)
