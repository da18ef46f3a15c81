"""Cut a document into chunks by section; every chunk carries the title so it stands alone.

Neighbouring short sections are packed together (never split across), long ones are cut
between paragraphs: multilingual-e5-small reads at most 512 tokens.

What gets a dense vector is a budget decision: on this 2-core machine the embedder reads
about 1,400 tokens/s, and the 3,000 real fiches hold 2.6 M tokens (half an hour). Oscar
snippets (the answer aids) are embedded whole. A fiche is embedded through its identity
passage (title, other names, summary) and through the start of each section people ask
about (métiers: the work, access, salary; formations: content, access, what comes next),
each capped in words and kept in a chunk of its own, so that "what does a … do all day" or
"how much does a … earn" meets the passage that says it; its other sections are found by the
lexical index.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.types import Chunk, Document, Section

TARGET_WORDS = 160  # pack short sections up to this size
MAX_WORDS = 230  # cut longer sections between paragraphs


# Bump when the way documents are cut or embedded changes: the content hash includes it, so the
# next ingest re-chunks every document instead of skipping it as unchanged.
CHUNKING_VERSION = 2


@dataclass(frozen=True)
class DensePolicy:
    """Which chunks get an embedding and how many words it reads.

    `sections=None`: every chunk; otherwise the first chunk (the identity passage) and the
    chunks that open with one of these sections, which are never packed with others.
    """

    sections: frozenset[str] | None = None
    words: int = MAX_WORDS


POLICIES = {
    "oscar": DensePolicy(),
    "ideo-metier": DensePolicy(
        sections=frozenset({"Nature du travail", "Accès au métier", "Vie professionnelle et salaire"}), words=110
    ),
    "ideo-formation": DensePolicy(
        sections=frozenset({"Présentation", "Accès", "Poursuite d'études", "Poursuites d'études possibles"}), words=110
    ),
}
MAX_NAMES = 8


def _words(text: str) -> int:
    return len(text.split())


def _split_long(section: Section) -> list[Section]:
    if _words(section.text) <= MAX_WORDS:
        return [section]
    parts: list[Section] = []
    current: list[str] = []
    for paragraph in section.text.split("\n\n"):
        words = paragraph.split()
        while len(words) > MAX_WORDS:  # a single huge paragraph: cut by words
            if current:
                parts.append(Section(section.heading, "\n\n".join(current)))
                current = []
            parts.append(Section(section.heading, " ".join(words[:MAX_WORDS])))
            words = words[MAX_WORDS:]
        if current and _words("\n\n".join(current)) + len(words) > MAX_WORDS:
            parts.append(Section(section.heading, "\n\n".join(current)))
            current = []
        if words:
            current.append(" ".join(words))
    if current:
        parts.append(Section(section.heading, "\n\n".join(current)))
    return parts


def _pack(sections: list[Section], alone: frozenset[str] = frozenset()) -> list[list[Section]]:
    """Neighbouring short sections packed together; a section named in `alone` opens its own
    group and takes no neighbour (its chunk gets a vector of its own)."""
    groups: list[list[Section]] = []
    for section in sections:
        if section.heading in alone:
            groups.append([section])
            continue
        previous = groups[-1] if groups else []
        if previous and previous[0].heading not in alone and sum(_words(s.text) for s in previous) + _words(section.text) <= TARGET_WORDS:
            groups[-1].append(section)
        else:
            groups.append([section])
    return groups


def _truncate(text: str, words: int) -> str:
    kept = text.split()
    return text if len(kept) <= words else " ".join(kept[:words])


def chunk(document: Document, content_hash: str) -> list[Chunk]:
    """Chunks of `document`; their ids carry the content hash, so a new version never
    overwrites the vectors the index is still answering with."""
    policy = POLICIES.get(document.source, DensePolicy())
    header = document.title
    if document.names:
        header += f"\nAutres intitulés : {', '.join(document.names[:MAX_NAMES])}"
    if document.tags:
        header += f"\nMots-clés : {', '.join(document.tags)}"
    pieces = [part for section in document.sections for part in _split_long(section)]
    alone = policy.sections or frozenset()
    chunks = []
    embedded_sections: set[str] = set()
    for ordinal, group in enumerate(_pack(pieces, alone) or [[Section("", "")]]):
        label = " · ".join(dict.fromkeys(s.heading for s in group if s.heading))
        body = "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in group)
        text = f"{header if ordinal == 0 else document.title}\n{body}".strip()
        opening = group[0].heading
        # the first part of a long answering section is embedded, not each of its parts
        embedded = policy.sections is None or ordinal == 0 or (opening in alone and opening not in embedded_sections)
        if ordinal > 0 and opening in alone:
            embedded_sections.add(opening)
        chunks.append(
            Chunk(
                chunk_id=f"{document.doc_id}#{content_hash[:12]}#{ordinal}",
                doc_id=document.doc_id,
                ordinal=ordinal,
                section=label,
                text=text,
                dense_text=_truncate(text, policy.words) if embedded else None,
            )
        )
    return chunks
