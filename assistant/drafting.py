"""Drafters: the extractive one (default, no LLM) and the interface an LLM drafter follows.

Both get the same `DraftRequest`: the message, how it was understood (the need, the profile),
the conversation's earlier turns, the candidate sources (best first) and, when the writer's
situation changes the procedure, a complement snippet.

The extractive drafter never invents: it opens with the sentences of the chosen source that
answer the need (scored on the need's words, the passage the search found closest and the
section the need asks about), then gives the rest of a snippet's validated text, or the
fiche's link; a complement follows, marked as such; then the links and a closing line. It
keeps a source's leading « Oui »/« Non » only when the source answers that very question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from assistant.understanding import Understanding
from knowledge.lexical import fold, tokenize
from knowledge.types import Hit, Passage

GREETING = "Bonjour,"
CLOSING = "N'hésitez pas à revenir vers nous si vous avez d'autres questions. Bonne journée !"
MAX_LEAD_WORDS = 90  # the answer that opens a draft
MAX_FICHE_WORDS = 160
MAX_SNIPPET_WORDS = 260
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_HEADER_LINES = ("Autres intitulés :", "Mots-clés :")
_YES_NO = re.compile(r"^\s*(?:Oui|Non)\s*[,.!:]\s*", re.IGNORECASE)
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:est-ce|est ce|peut-on|puis-je|peux|pourrai|faut-il|dois-je|doit-on|a-t-on|ai-je|y a-t-il|je\s+(?:peux|dois|suis)|"
    r"on\s+(?:peut|doit)|c'est\s+(?:obligatoire|possible|grave|trop\s+tard)|il\s+(?:faut|est))", re.IGNORECASE)
SITUATION_LABELS = {"handicap": "situation de handicap", "boursier": "boursier ou boursière", "apprenti": "apprentissage",
                    "outre_mer": "outre-mer", "etranger": "études ou diplôme à l'étranger", "adulte": "reprise d'études",
                    "sport_haut_niveau": "sport de haut niveau"}
CHILD = {"fille": "votre fille", "fils": "votre fils", "enfant": "votre enfant"}


class DraftFailed(RuntimeError):
    """A drafter could not produce a usable draft (the chain falls back to the extractive one)."""


@dataclass(frozen=True)
class DraftRequest:
    """Everything a drafter may use; all of it pseudonymised."""

    question: str
    understood: Understanding
    evidence: Sequence[Hit]  # candidate sources, best first
    history: tuple[str, ...] = ()
    complement: Hit | None = None  # the snippet for the writer's situation, if any
    passages: Callable[[str], list[Passage]] = field(default=lambda doc_id: [])  # every passage of a document

    @property
    def need(self) -> str:
        return self.understood.need or self.question


@dataclass(frozen=True)
class Composed:
    text: str
    cited: list[Hit]
    main_text: str = ""  # the draft as it reads without the complement (the same as `text` without one)


class Drafter(Protocol):
    name: str
    model: str

    def compose(self, request: DraftRequest) -> Composed: ...


def clean(text: str, title: str = "") -> str:
    """A passage without the lines that only repeat the title and names, without Markdown emphasis."""
    lines = text.splitlines()
    if lines and title and lines[0].strip() == title:
        lines = lines[1:]
    lines = [line for line in lines if not line.startswith(_HEADER_LINES)]
    return _EMPHASIS.sub(r"\2", "\n".join(lines)).strip()


def passage_body(hit: Hit) -> str:
    """The best passage without the lines that only repeat the title and names."""
    return clean(hit.best_passage, hit.title)


def _units(text: str) -> list[tuple[str, int]]:
    """Sentences and list items of a text, in order, each with the number of its line (a list
    item stays whole; sentences of one paragraph share its line)."""
    units: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines()):
        line = line.strip()
        if not line:
            continue
        if re.match(r"^(?:[-•*]|\d+[.)])\s", line):
            units.append((line, number))
        else:
            units += [(s.strip(), number) for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"(])", line) if s.strip()]
    return units


def _join(units: list[tuple[str, tuple[int, int]]]) -> str:
    """Units back into text: a space within a paragraph, a line break between paragraphs."""
    text, previous = "", None
    for unit, where in units:
        text += (" " if where == previous else "\n") + unit if text else unit
        previous = where
    return text


@dataclass(frozen=True)
class Unit:
    text: str
    section: str
    position: int
    score: float = 0.0
    paragraph: tuple[int, int] = (0, 0)  # (passage, line): units of one paragraph are joined by a space


def answer_units(need: Understanding, hit: Hit, passages: list[Passage]) -> list[Unit]:
    """The units of a source that answer the need, in reading order.

    A unit scores by the share of the need's words it holds (the words that only name the
    document left out: they are in every passage), plus the closeness the search found for its
    passage; the best units within reach of the best one are kept, up to MAX_LEAD_WORDS."""
    naming = set(tokenize(" ".join((hit.title, *hit.names))))
    # the search's closest passages, by rank (a rank does not move with a swapped word as a score does)
    closeness = {p.chunk_id: 1.0 / (rank + 1) for rank, p in enumerate(hit.passages)}
    top = 1.0
    candidates: list[tuple[str, str, tuple[int, int], set[str], float]] = []
    for number, passage in enumerate(passages or hit.passages):
        body = clean(passage.text, hit.title)
        for text, line in _units(body):
            if text.rstrip(":") == passage.section or len(text.split()) < 3:
                continue  # a heading, or a scrap
            candidates.append((text, passage.section, (number, line), set(tokenize(text)), closeness.get(passage.chunk_id, 0.0)))
    if not candidates:
        return []
    # In a snippet (a validated answer, short), only the need's words that it holds somewhere choose
    # among its sentences: a word no sentence holds (a town, a school, a situation told in passing)
    # cannot tell them apart, and must not change which ones lead. A fiche's sections are chosen
    # by the section the need asks about (focus) and keep the need's whole weight.
    query = set(tokenize(need.query))
    if hit.source == "oscar":
        query &= set().union(*(words for *_, words, _ in candidates))
    asked = query - naming or query
    units: list[Unit] = []
    for text, section, paragraph, words, close in candidates:
        overlap = len(asked & words) / len(asked) if asked else 0.0
        units.append(Unit(text, section, len(units), overlap + 0.3 * close / top, paragraph))
    best = max(u.score for u in units)
    chosen, words = [], 0
    for unit in sorted(units, key=lambda u: (-u.score, u.position)):
        if unit.score < 0.6 * best or words + len(unit.text.split()) > MAX_LEAD_WORDS and chosen:
            continue
        chosen.append(unit)
        words += len(unit.text.split())
    # a question of the source ("Vous êtes lycéen ?") heads its answer: never kept without it
    kept = {u.position for u in chosen}
    return sorted((u for u in chosen if not u.text.endswith("?") or u.position + 1 in kept), key=lambda u: u.position)


def answers_that_question(need: Understanding, hit: Hit) -> bool:
    """Does the source (a snippet titled by a question) answer the very yes/no question asked?"""
    if hit.source != "oscar" or not _YES_NO_QUESTION.search(fold(need.need)):
        return False
    asked, titled = set(tokenize(need.need)), set(tokenize(hit.title))
    return bool(titled) and len(asked & titled) / len(titled) >= 0.6


def _lead(units: list[Unit], need: Understanding, hit: Hit) -> str:
    return _no_yes_no(_join([(u.text, u.paragraph) for u in units]), need, hit)


def _no_yes_no(text: str, need: Understanding, hit: Hit) -> str:
    """A unit without its leading « Oui »/« Non » unless the source answers that very question."""
    if _YES_NO.match(text) and not answers_that_question(need, hit):
        text = _YES_NO.sub("", text, count=1)
        return text[:1].upper() + text[1:]
    return text


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


def opening(need: Understanding) -> str:
    """« Bonjour, » — and, to a parent, who the answer is about."""
    child = CHILD.get(need.profile.child or "")
    return f"{GREETING}\n\nVoici ce qui concerne {child}." if need.profile.writer == "parent" and child else GREETING


class ExtractiveDrafter:
    """The answer first, from the source's own sentences; then the rest, the complement, the links."""

    name = "extractive"
    model = "extractive-v2"

    def compose(self, request: DraftRequest) -> Composed:
        if not request.evidence:
            raise DraftFailed("aucune source utilisable")
        best = request.evidence[0]
        need = request.understood
        passages = request.passages(best.doc_id) or list(best.passages)
        units = answer_units(need, best, passages)
        lead = _lead(units, need, best) if units else _cut(passage_body(best), MAX_LEAD_WORDS)
        if best.source == "oscar":
            led = {u.text for u in units}
            rest = [(_no_yes_no(text, need, best), (n, line)) for n, p in enumerate(passages)
                    for text, line in _units(clean(p.text, best.title)) if text not in led]
            answer = lead + (f"\n\n{_cut(_join(rest), MAX_SNIPPET_WORDS)}" if rest else "")
        else:
            kind = "métier" if best.source == "ideo-metier" else "formation"
            # the answer first, then what its section goes on to say (not the whole fiche)
            led, sections = {u.text for u in units}, {u.section for u in units}
            more = [(text, (n, line)) for n, p in enumerate(passages) if p.section in sections
                    for text, line in _units(clean(p.text, best.title))
                    if text not in led and text.rstrip(":") != p.section and len(text.split()) >= 3]
            rest = _cut(_join(more), max(0, MAX_FICHE_WORDS - len(lead.split()))) if more and len(lead.split()) < MAX_FICHE_WORDS else ""
            answer = f"D'après la fiche {kind} « {best.title} » de l'Onisep :\n\n{_cut(lead, MAX_FICHE_WORDS)}"
            if rest:
                answer += f"\n\n{rest}"
        main = self._assemble([opening(need), answer], [best])
        if request.complement is None:
            return Composed(main, [best], main)
        complement = self._complement(need, request.complement, request.passages)
        return Composed(self._assemble([opening(need), answer, complement], [best, request.complement]),
                        [best, request.complement], main)

    @staticmethod
    def _assemble(parts: list[str], cited: list[Hit]) -> str:
        links = "\n".join(line for line in (links_line(hit) for hit in cited) if line)
        if links:
            parts = [*parts, f"Pour en savoir plus :\n{links}"]
        return "\n\n".join([*parts, CLOSING])

    @staticmethod
    def _complement(need: Understanding, hit: Hit, passages: Callable[[str], list[Passage]]) -> str:
        situation = next((SITUATION_LABELS[s] for s in need.profile.situations if s in SITUATION_LABELS), "votre situation")
        units = answer_units(need, hit, passages(hit.doc_id) or list(hit.passages))
        text = _join([(u.text, u.paragraph) for u in units[:3]]) or _cut(passage_body(hit), 60)
        return f"À noter, pour une situation particulière ({situation}) — « {hit.title} » :\n{_YES_NO.sub('', text, count=1)}"
