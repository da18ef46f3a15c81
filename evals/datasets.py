"""The evaluation datasets (JSON Lines, one case per line) and the suites that group them.

Each line is validated by a pydantic model. A file with malformed lines is refused as a
whole, with every bad line listed by number: an evaluation on half a dataset would give
figures nobody can compare. The formats are documented in docs/eval-datasets.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.oscar import explain
from knowledge.vocabulary import Hotline

DATASETS = Path(__file__).parent / "datasets"
Service = Hotline  # questions are asked of a hotline


class DatasetError(ValueError):
    """A dataset that cannot be used; the message names the file and the bad lines."""


Split = Literal["train", "test"]


class _Case(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(min_length=1)
    # Dev sets are halved, once and for all: tune on `train`, report `test`. The golden set has none.
    split: Split | None = None


class RetrievalCase(_Case):
    """A question and the documents a search must find (retrieval_dev.jsonl)."""

    question: str = Field(min_length=1)
    gold: frozenset[str] = Field(min_length=1)
    kind: str = ""
    service: Service | None = None
    source: str = ""


class DraftCase(_Case):
    """A question to draft for: its gold documents and key facts, or unanswerable (golden.jsonl, answerable_dev.jsonl)."""

    question: str = Field(min_length=1)
    service: Service | None = None
    audience: str | None = None
    kind: str | None = None
    answerable: bool
    gold: frozenset[str] = frozenset()
    key_facts: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _answerable_has_gold(self) -> DraftCase:
        if self.answerable and not self.gold:
            raise ValueError("une question à laquelle la base répond doit avoir au moins un document attendu (gold)")
        return self


class ConversationCase(_Case):
    """A conversation's user turns; the gold documents answer the last turn read in context (conversations_dev.jsonl)."""

    turns: tuple[str, ...] = Field(min_length=1)
    gold: frozenset[str] = Field(min_length=1)
    kind: str = ""
    service: Service | None = None

    @property
    def question(self) -> str:
        return self.turns[-1]


class PiiEntity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    type: str
    start: int = Field(ge=0)
    end: int


class PiiCase(_Case):
    """A message and the personal data in it, as character spans (pii_dev.jsonl)."""

    text: str = Field(min_length=1)
    entities: tuple[PiiEntity, ...] = ()
    kind: str = ""
    style: str = ""

    @model_validator(mode="after")
    def _spans_inside_text(self) -> PiiCase:
        for entity in self.entities:
            if not entity.start < entity.end <= len(self.text):
                raise ValueError(f"l'entité {entity.type} [{entity.start}, {entity.end}] sort du texte")
        return self


class FairnessPair(_Case):
    """Two questions identical but for one attribute (fairness_pairs.jsonl)."""

    attribute: Literal["gender", "first_name", "origin", "disability", "place", "scholarship", "age", "family"]
    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    swapped: tuple[tuple[str, str], ...] = Field(min_length=1)
    service: Service | None = None
    gold: frozenset[str] = frozenset()  # what answers the main question, for both sides
    # `same`: the attribute must not change the answer; `complement`: side a's situation adds
    # the `complement` snippet to the same main answer.
    expect: Literal["same", "complement"] = "same"
    complement: frozenset[str] = frozenset()

    @field_validator("swapped")
    @classmethod
    def _swaps_are_words(cls, swapped: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        if any(not a.strip() and not b.strip() for a, b in swapped):  # one side may be empty: a mention removed
            raise ValueError("un remplacement vide des deux côtés dans swapped")
        return swapped


Case = TypeVar("Case", bound=_Case)


def _reason(exc: ValidationError | json.JSONDecodeError) -> str:
    return f"JSON illisible (colonne {exc.colno})" if isinstance(exc, json.JSONDecodeError) else explain(exc)


def load(path: Path, model: type[Case]) -> list[Case]:
    """Every case of a JSONL file, or a DatasetError listing each malformed line with its number."""
    cases: list[Case] = []
    errors: list[str] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} : lecture impossible ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = model.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            errors.append(f"{path.name}, ligne {number} : {_reason(exc)}")
            continue
        if case.id in seen:
            errors.append(f"{path.name}, ligne {number} : identifiant « {case.id} » déjà utilisé")
            continue
        seen.add(case.id)
        cases.append(case)
    if errors:
        raise DatasetError(f"{len(errors)} ligne(s) invalide(s) :\n" + "\n".join(errors))
    if not cases:
        raise DatasetError(f"{path.name} : aucun cas")
    return cases


def load_retrieval(path: Path = DATASETS / "retrieval_dev.jsonl") -> list[RetrievalCase]:
    return load(path, RetrievalCase)


# What each suite runs, part by part: (dataset file, split or None for every line).
# `golden` is held out: nothing is tuned on it. `train` is what weights, thresholds, rankers and
# recognizers are tuned on; `test` is what they are reported on; `dev` is both (the CI gate).
Selection = tuple[str, "Split | None"]
_DEV_FILES = {
    "retrieval": "retrieval_dev.jsonl",
    "drafts": "answerable_dev.jsonl",
    "conversations": "conversations_dev.jsonl",
    "pii": "pii_dev.jsonl",
    "fairness": "fairness_pairs.jsonl",
}
SUITES: dict[str, dict[str, tuple[Selection, ...]]] = {
    "golden": {"retrieval": (), "drafts": (("golden.jsonl", None),), "conversations": (),
               "pii": (("pii_dev.jsonl", "test"),), "fairness": (("fairness_pairs.jsonl", "test"),)},
    **{split or "dev": {part: ((name, split),) for part, name in _DEV_FILES.items()} for split in ("train", "test", None)},
}
PART_MODELS: dict[str, type[_Case]] = {"retrieval": RetrievalCase, "drafts": DraftCase, "conversations": ConversationCase,
                                       "pii": PiiCase, "fairness": FairnessPair}


def selection_name(file_name: str, split: Split | None) -> str:
    """How a selection is named in results: `retrieval_dev.jsonl:test`, or the file name alone."""
    return f"{file_name}:{split}" if split else file_name


def load_suite(name: str, directory: Path = DATASETS) -> dict[str, dict[str, list]]:
    """{part: {selection name: cases}} for a suite; every file is checked before anything runs."""
    if name not in SUITES:
        raise DatasetError(f"suite inconnue « {name} » (connues : {', '.join(SUITES)})")
    loaded: dict[str, dict[str, list]] = {}
    errors = []
    files: dict[tuple[str, str], list] = {}
    for part, selections in SUITES[name].items():
        loaded[part] = {}
        for file_name, split in selections:
            if (part, file_name) not in files:
                try:
                    files[part, file_name] = load(directory / file_name, PART_MODELS[part])
                except DatasetError as exc:
                    errors.append(str(exc))
                    continue
            cases = files[part, file_name]
            loaded[part][selection_name(file_name, split)] = [c for c in cases if split is None or c.split == split]
    if errors:
        raise DatasetError("\n".join(errors))
    return loaded
