"""What a source yields besides documents: rejected records (with a reason) and ignored ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """A record that breaks the format: where it is and why, in French for the operator."""

    source: str
    where: str
    reason: str
    fatal: bool = False  # the source may be cut short: vanished documents are not deleted

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "where": self.where, "reason": self.reason}


@dataclass(frozen=True)
class Ignored:
    """A valid record that is deliberately not indexed (e.g. a snippet still in draft)."""

    source: str
    where: str
    reason: str


class SourceUnreadable(RuntimeError):
    """The source as a whole cannot be read (missing file, not XML, truncated file)."""
