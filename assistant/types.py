"""What the assistant returns: a Draft with its citations, confidence and charter flags, and the
personal data found in a message (`Entity`). Plain dataclasses: importing them loads no model."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    """A piece of personal data: its type, its place in the original text, its placeholder."""

    type: str
    start: int
    end: int
    placeholder: str = ""

    def to_json(self) -> dict:
        return {"type": self.type, "start": self.start, "end": self.end, "placeholder": self.placeholder}


class ScrubFailed(RuntimeError):
    """The message could not be analysed: it must not go any further (fail closed)."""


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    url: str | None
    source: str

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "url": self.url, "source": self.source}


@dataclass(frozen=True)
class Source(Citation):
    """A candidate source shown beside a draft: the passage that made it a candidate, its score."""

    passage: str = ""
    section: str = ""
    score: float = 0.0

    def to_json(self) -> dict:
        return {**super().to_json(), "passage": self.passage, "section": self.section, "score": self.score}


@dataclass(frozen=True)
class CharterFlag:
    """A charter rule the draft may break; shown to the counsellor, never hidden."""

    code: str
    message: str

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass
class Draft:
    """A draft answer for a counsellor: never sent without a counsellor's action."""

    question: str  # pseudonymised
    text: str  # pseudonymised; the counsellor's view restores it
    citations: list[Citation]
    sources: list[Citation]  # the closest sources (with their passage), shown even when abstaining
    confidence: float
    abstained: bool
    drafter: str
    model: str
    index_version: int
    entities: tuple[Entity, ...] = ()
    flags: list[CharterFlag] = field(default_factory=list)
    fallback_reason: str | None = None
    understood: dict = field(default_factory=dict)  # need, profile, intent, expansions (assistant.understanding)
    confidence_words: str = ""  # « fiable », « à vérifier », « pas de réponse validée »
    main_text: str = ""  # the draft without its complement
    complement: Citation | None = None  # the snippet added for the writer's situation
    chosen_source: str | None = None  # the source a counsellor asked to draft from

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "draft": self.text,
            "citations": [c.to_json() for c in self.citations],
            "sources": [c.to_json() for c in self.sources],
            "confidence": round(self.confidence, 3),
            "confidence_words": self.confidence_words,
            "abstained": self.abstained,
            "drafter": self.drafter,
            "model": self.model,
            "index_version": self.index_version,
            "charter_flags": [f.to_json() for f in self.flags],
            "fallback_reason": self.fallback_reason,
            "entities": [e.to_json() for e in self.entities],
            "understood": self.understood,
            "main_text": self.main_text or self.text,
            "complement": self.complement.to_json() if self.complement else None,
            "chosen_source": self.chosen_source,
        }
