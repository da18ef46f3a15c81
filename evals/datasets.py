"""Loaders for the evaluation datasets (JSON Lines); a malformed line is reported with its number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATASETS = Path(__file__).parent / "datasets"


class DatasetError(ValueError):
    """A dataset line that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class RetrievalCase:
    id: str
    question: str
    gold: frozenset[str]
    kind: str
    service: str | None
    source: str


def load_retrieval(path: Path = DATASETS / "retrieval_dev.jsonl") -> list[RetrievalCase]:
    cases: list[RetrievalCase] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                cases.append(
                    RetrievalCase(
                        id=str(raw["id"]),
                        question=str(raw["question"]),
                        gold=frozenset(raw["gold"]),
                        kind=str(raw.get("kind", "")),
                        service=raw.get("service"),
                        source=str(raw.get("source", "")),
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DatasetError(f"{path.name}, ligne {number} : entrée invalide ({exc})") from exc
            if not cases[-1].gold:
                raise DatasetError(f"{path.name}, ligne {number} : aucun document attendu (gold)")
    return cases
