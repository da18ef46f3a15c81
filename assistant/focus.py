"""Pick the section of a fiche that answers what was asked (salary, studies, conditions…).

Search ranks documents; within a fiche, the passage it found best is often the summary.
When the question asks for something a fiche has a section for, that section is quoted.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.index import KnowledgeIndex
from knowledge.lexical import fold
from knowledge.types import Hit

# (cue words in the question, section headings that answer them), first match wins.
CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"\b(?:{words})", re.IGNORECASE), sections)
    for words, sections in (
        (r"salaire|gagn|combien|pay[ée]|paye|r[ée]mun[ée]r|smic|euros?|€|thune|sous\b", ("Vie professionnelle et salaire",)),
        (r"[ée]tudes|dipl[ôo]me|formation|devenir|acc[eè]s|acc[ée]der|[ée]cole|concours|bac\b|apr[eè]s le bac|cursus|entrer|admission",
         ("Accès au métier", "Accès", "Attendus")),
        (r"horaires?|conditions?|rythme|nuit|week|d[ée]placements?", ("Conditions de travail",)),
        (r"comp[ée]tences?|qualit[ée]s?|profil|aptitudes?", ("Compétences",)),
        (r"d[ée]bouch[ée]s?|poursui|apr[eè]s (?:le|ce|un) (?:bts|but|cap|dipl)|continuer", ("Poursuite d'études", "Poursuites d'études possibles", "Métiers accessibles")),
        (r"emploi|embauche|carri[eè]re|[ée]volution|ch[ôo]mage|recrut", ("Vie professionnelle et salaire",)),
    )
)


def focus(question: str, hit: Hit, index: KnowledgeIndex) -> Hit:
    """`hit` with the passage of the asked-for section first, when it is a fiche and has one."""
    if not hit.source.startswith("ideo"):
        return hit
    asked = fold(question)
    for cue, sections in CUES:
        if not cue.search(asked):
            continue
        for passage in index.passages(hit.doc_id):
            if any(section in passage.section.split(" · ") for section in sections):
                others = [p for p in hit.passages if p.chunk_id != passage.chunk_id]
                best = max((p.score for p in hit.passages), default=0.0)
                return replace(hit, passages=[replace(passage, score=best), *others])  # as close as the closest
    return hit
