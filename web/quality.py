"""What the quality team reads: which closed conversations a selection holds (as SQL conditions
the store applies), the word-level difference between a draft and the answer sent, and the
selection's drafts as CSV.

Everything here works on stored texts, which are pseudonymised (placeholders such as
`<PERSONNE_1>`): the quality team never sees a real name, address or number.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Literal

from sqlalchemy import and_, literal_column, not_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Exists

from web.models import Conversation, DraftRecord, Rating

Outcome = Literal["sent", "edited", "rejected", "none"]  # "none": the conversation had no draft at all
Band = Literal["low", "medium", "high"]
BANDS: dict[str, tuple[float, float]] = {"low": (0.0, 0.4), "medium": (0.4, 0.7), "high": (0.7, 1.01)}
OUTCOME_LABELS = {"sent": "envoyé tel quel", "edited": "modifié", "rejected": "rejeté", None: "sans décision"}
WORDS = re.compile(r"^\s+|\S+\s*")  # each word with the spaces after it


@dataclass(frozen=True)
class Selection:
    """The closed conversations a quality reader asks for; every field narrows it (None: any)."""

    services: tuple[str, ...] | None = None
    closed_from: datetime | None = None  # closed at or after
    closed_before: datetime | None = None  # closed before
    outcome: Outcome | None = None  # a draft of the conversation had this outcome
    confidence: Band | None = None  # a draft of the conversation had a confidence in this band
    flagged: bool | None = None  # a draft of the conversation had (True) / none had (False) a charter flag
    rating: int | None = None  # 1-5: rated so; 0: not rated

    def conditions(self) -> list[ColumnElement]:
        """SQL conditions on `Conversation`, for the store's queries."""
        where: list[ColumnElement] = [Conversation.status == "closed"]
        if self.services is not None:
            where.append(Conversation.service.in_(self.services))
        if self.closed_from is not None:
            where.append(Conversation.closed_at >= self.closed_from)
        if self.closed_before is not None:
            where.append(Conversation.closed_at < self.closed_before)
        # aliases: the queries these conditions go into may join drafts and ratings themselves
        draft, rated = aliased(DraftRecord), aliased(Rating)
        drafts = draft.conversation_id == Conversation.id
        if self.outcome == "none":
            where.append(not_(_any(drafts)))
        elif self.outcome is not None:
            where.append(_any(drafts, draft.outcome == self.outcome))
        if self.confidence is not None:
            low, high = BANDS[self.confidence]
            where.append(_any(drafts, draft.confidence >= low, draft.confidence < high))
        if self.flagged is not None:
            flag = _any(drafts, draft.flagged.is_(True))
            where.append(flag if self.flagged else not_(flag))
        if self.rating == 0:
            where.append(not_(_any(rated.conversation_id == Conversation.id)))
        elif self.rating is not None:
            where.append(_any(rated.conversation_id == Conversation.id, rated.score == self.rating))
        return where

    def conversation_ids(self) -> Any:
        """The selected conversations' ids, as a subquery."""
        return select(Conversation.id).where(and_(*self.conditions()))


def _any(*conditions: ColumnElement) -> Exists:
    """EXISTS (SELECT 1 …): no column asked for, so that an index with the conditions' columns answers
    it alone (the drafts' `ix_drafts_quality`), never the rows and their payloads."""
    return select(literal_column("1")).where(*conditions).exists()


def word_diff(draft: str | None, sent: str | None) -> list[dict]:
    """The draft against the answer sent, word by word: runs of `equal`, `delete` (in the draft
    only), `insert` (in the answer only). Each word carries the spaces after it, so both texts come
    back whole from the runs.

    >>> word_diff("Le dossier est ouvert.", "Le dossier est fermé.")
    [{'op': 'equal', 'text': 'Le dossier est '}, {'op': 'delete', 'text': 'ouvert.'}, {'op': 'insert', 'text': 'fermé.'}]
    """
    before, after = WORDS.findall(draft or ""), WORDS.findall(sent or "")
    runs: list[dict] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op in ("equal", "delete", "replace") and i2 > i1:
            _add(runs, "equal" if op == "equal" else "delete", "".join(before[i1:i2]))
        if op in ("insert", "replace") and j2 > j1:
            _add(runs, "insert", "".join(after[j1:j2]))
    return runs


def _add(runs: list[dict], op: str, text: str) -> None:
    if runs and runs[-1]["op"] == op:
        runs[-1]["text"] += text
    else:
        runs.append({"op": op, "text": text})


CSV_COLUMNS = ("conversation", "service", "closed_at", "draft_id", "question", "draft", "confidence", "abstained",
               "charter_flags", "sources", "outcome", "counsellor", "decided_at", "final_text", "answer_sent",
               "reject_reason", "rating")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def _cell(value: object) -> object:
    """A text a spreadsheet shows as text: one that would start a formula gets a leading « ' »
    (OWASP's advice for CSV injection); the public writes these texts."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def drafts_csv(records: Iterable[dict]) -> str:
    """One line per draft of the selection (texts pseudonymised, as stored; never a formula)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        payload = record["payload"] or {}
        writer.writerow([_cell(value) for value in (
            record["conversation"], record["service"], _iso(record["closed_at"]), record["draft_id"], record["question"],
            payload.get("draft"), payload.get("confidence"), payload.get("abstained"),
            " ".join(flag["code"] for flag in payload.get("charter_flags", [])),
            " ".join(c["doc_id"] for c in payload.get("citations", [])),
            record["outcome"] or "", record["counsellor"] or "", _iso(record["decided_at"]), record["final_text"] or "",
            record["answer_sent"] or "", record["reject_reason"] or "", record["rating"] or "",
        )])
    return out.getvalue()


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""
