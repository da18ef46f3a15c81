"""What the assistant returns: a Draft with its citations, confidence and charter flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.pii.scrubber import Entity


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    url: str | None
    source: str

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "url": self.url, "source": self.source}


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
    sources: list[Citation]  # the closest sources, shown even when abstaining
    confidence: float
    abstained: bool
    drafter: str
    model: str
    index_version: int
    entities: tuple[Entity, ...] = ()
    flags: list[CharterFlag] = field(default_factory=list)
    fallback_reason: str | None = None
    understood: dict = field(default_factory=dict)  # need, profile, intent, expansions (assistant.understanding)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "draft": self.text,
            "citations": [c.to_json() for c in self.citations],
            "sources": [c.to_json() for c in self.sources],
            "confidence": round(self.confidence, 3),
            "abstained": self.abstained,
            "drafter": self.drafter,
            "model": self.model,
            "index_version": self.index_version,
            "charter_flags": [f.to_json() for f in self.flags],
            "fallback_reason": self.fallback_reason,
            "entities": [e.to_json() for e in self.entities],
            "understood": self.understood,
        }
