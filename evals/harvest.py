"""Harvest: counsellors' edited and rejected drafts become candidate test cases for review.

A candidate has the fields of a `golden.jsonl` line, with what a reviewer decides left empty
(`audience`, `kind`, `answerable`, `gold`, `key_facts`) and a `review` object holding what the
draft and the counsellor said. Stored texts are already pseudonymised; every free text is
scrubbed once more here, because a counsellor may have typed personal data the live scrubber
missed. Placeholders already in the text are kept as they are.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.pii.pseudonyms import PLACEHOLDER, PseudonymMap

if TYPE_CHECKING:
    from assistant.pii import Scrubber
    from web.store import Store

log = logging.getLogger(__name__)


def harvest(store: Store, since: date | datetime, scrubber: Scrubber) -> list[dict]:
    """Candidate cases from drafts edited or rejected since `since` (a date means 00:00 UTC), by decision time."""
    moment = since if isinstance(since, datetime) else datetime.combine(since, time.min, tzinfo=timezone.utc)
    cases = candidates(store.decided_drafts(moment, ("edited", "rejected")), scrubber)
    log.info("harvest: %d candidates since %s", len(cases), moment.isoformat())
    return cases


def candidates(records: list[dict], scrubber: Scrubber | None) -> list[dict]:
    """Candidate cases from decided drafts (`Store.decided_drafts` or `Store.quality_drafts`
    records): the edited and rejected ones with a question. `scrubber` None: the texts as stored
    (already pseudonymised), without the second pass."""
    cases: list[dict] = []
    seen: set[int] = set()
    for record in records:
        if record["outcome"] not in ("edited", "rejected") or record["draft_id"] in seen \
                or not (record["question"] or "").strip():
            continue
        seen.add(record["draft_id"])
        if "next_counsellor_text" not in record:  # a quality_drafts record
            record = {**record, "next_counsellor_text": record["answer_sent"] if record["outcome"] == "rejected" else None}
        cases.append(_candidate(record, scrubber))
    return cases


def write_candidates(cases: list[dict], path: Path) -> None:
    """One candidate per line, UTF-8 JSON Lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")


def _candidate(record: dict, scrubber: Scrubber | None) -> dict:
    payload = record["payload"] or {}
    answer = record["final_text"] if record["outcome"] == "edited" else record["next_counsellor_text"]
    texts = [record["question"], payload.get("draft"), answer, record.get("reject_reason")]
    question, draft, answer, reason = _rescrub(texts, scrubber) if scrubber is not None else texts
    cited = [c["doc_id"] for c in payload.get("citations", []) + payload.get("sources", [])]
    return {
        "id": f"h-{record['draft_id']}",
        "question": question,
        "service": record["service"],
        "audience": None,
        "kind": None,
        "answerable": None,
        "gold": [],
        "key_facts": [],
        "review": {
            "outcome": record["outcome"],
            "draft": draft,
            "draft_sources": list(dict.fromkeys(cited)),
            "chosen_source": payload.get("chosen_source"),
            "confidence": payload.get("confidence"),
            "flags": [flag["code"] for flag in payload.get("charter_flags", [])],
            "counsellor_answer": answer,
            "reject_reason": reason,
            "decided_at": record["decided_at"].isoformat(),
        },
    }


def _rescrub(texts: list[str | None], scrubber: Scrubber) -> list[str | None]:
    """Replace personal data found outside existing placeholders by new placeholders.

    Numbering goes on after the highest placeholder of each type in the case's texts, and a
    value seen twice in the case gets the same placeholder, as in a conversation's mapping.
    """
    mapping = PseudonymMap("harvest")
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            mapping.reserve(match.group(0))

    scrubbed: list[str | None] = []
    for text in texts:
        if not text:
            scrubbed.append(text)
            continue
        kept = [m.span() for m in PLACEHOLDER.finditer(text)]
        pieces, cursor = [], 0
        for entity in scrubber.find(text):
            for start, end in _outside(text, entity.start, entity.end, kept):
                if start >= cursor:
                    pieces += [text[cursor:start], mapping.placeholder(entity.type, text[start:end])]
                    cursor = end
        scrubbed.append("".join(pieces) + text[cursor:])
    return scrubbed


def _outside(text: str, start: int, end: int, kept: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of an entity's span [start, end) outside the placeholders, trimmed to the value."""
    parts = []
    for kept_start, kept_end in kept:
        if kept_start < end and kept_end > start:
            parts.append((start, kept_start))
            start = kept_end
    parts.append((start, end))
    trimmed = []
    for part_start, part_end in parts:
        while part_start < part_end and not text[part_start].isalnum() and text[part_start] not in "+(":
            part_start += 1
        while part_end > part_start and not text[part_end - 1].isalnum():
            part_end -= 1
        if part_end > part_start:
            trimmed.append((part_start, part_end))
    return trimmed
