"""Drafters: the extractive one (default, no LLM) and the interface an LLM drafter follows.

The extractive drafter never invents: it assembles the validated text of the best source
(an Oscar snippet's body, or a fiche's passage) between a greeting and a closing line, and
ends with the source's links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from knowledge.types import Hit

GREETING = "Bonjour,"
CLOSING = "N'hésitez pas à revenir vers nous si vous avez d'autres questions. Bonne journée !"
MAX_FICHE_WORDS = 160
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_HEADER_LINES = ("Autres intitulés :", "Mots-clés :")


class DraftFailed(RuntimeError):
    """A drafter could not produce a usable draft (the chain falls back to the extractive one)."""


@dataclass(frozen=True)
class Composed:
    text: str
    cited: list[Hit]


class Drafter(Protocol):
    name: str
    model: str

    def compose(self, question: str, evidence: Sequence[Hit]) -> Composed: ...


def passage_body(hit: Hit) -> str:
    """The best passage without the lines that only repeat the title and names."""
    lines = hit.best_passage.splitlines()
    if lines and lines[0].strip() == hit.title:
        lines = lines[1:]
    lines = [line for line in lines if not line.startswith(_HEADER_LINES)]
    return _EMPHASIS.sub(r"\2", "\n".join(lines)).strip()


def _cut(text: str, words: int) -> str:
    """At most `words` words, ending on a sentence when possible."""
    tokens = text.split(" ")
    if len(tokens) <= words:
        return text
    cut = " ".join(tokens[:words])
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    return cut[: end + 1] if end > len(cut) // 2 else cut + "…"


def links_line(hit: Hit) -> str:
    links = [(link.title, link.url) for link in hit.links] or ([(hit.title, hit.url)] if hit.url else [])
    if hit.source.startswith("ideo") and hit.url:
        links = [(f"la fiche « {hit.title} » sur onisep.fr", hit.url)]
    return "\n".join(f"- {title} : {url}" for title, url in links)


class ExtractiveDrafter:
    """Greeting, the validated answer, its links, a closing line."""

    name = "extractive"
    model = "extractive-v1"

    def compose(self, question: str, evidence: Sequence[Hit]) -> Composed:
        if not evidence:
            raise DraftFailed("aucune source utilisable")
        best = evidence[0]
        body = passage_body(best)
        if best.source == "oscar":
            answer = body
        else:
            kind = "métier" if best.source == "ideo-metier" else "formation"
            answer = f"Voici ce qu'indique la fiche {kind} « {best.title} » de l'Onisep :\n\n{_cut(body, MAX_FICHE_WORDS)}"
        parts = [GREETING, answer]
        links = links_line(best)
        if links:
            parts.append(f"Pour en savoir plus :\n{links}")
        parts.append(CLOSING)
        return Composed("\n\n".join(parts), [best])
