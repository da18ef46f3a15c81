"""Search filters: services, sources, audiences (any of each) and a validity date.

Each backend translates them itself: the Chroma store into a `where` clause
(`knowledge.store`), the manifest into SQL for the lexical side (`Manifest.ids_where`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NO_DATE, FAR_FUTURE = 0, 99991231


def day_number(day: date | None) -> int:
    """A date as an integer Chroma can compare (yyyymmdd); 0 for none."""
    return day.year * 10000 + day.month * 100 + day.day if day else NO_DATE


@dataclass(frozen=True)
class SearchFilters:
    """Restrict search to services / sources / audiences (any of each) and a validity date."""

    services: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    valid_on: date | None = None

    def sql(self) -> tuple[str, list[object]]:
        """A condition on the manifest's `documents d` and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        if self.sources:
            clauses.append(f"d.source IN ({','.join('?' * len(self.sources))})")
            params += list(self.sources)
        for column, values in (("services", self.services), ("audience", self.audience)):
            if values:
                clauses.append("(" + " OR ".join(f"d.{column} LIKE ?" for _ in values) + ")")
                params += [f'%"{value}"%' for value in values]
        if self.valid_on:
            clauses.append("(d.valid_from IS NULL OR d.valid_from <= ?) AND (d.valid_until IS NULL OR d.valid_until >= ?)")
            params += [self.valid_on.isoformat()] * 2
        return (" AND ".join(clauses) or "1=1"), params

    @property
    def active(self) -> bool:
        return bool(self.services or self.sources or self.audience or self.valid_on)
