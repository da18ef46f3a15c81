"""Onisep's AI charter as checks on a draft; each broken rule becomes a flag for the counsellor.

- every draft cites at least one source, or abstains;
- job titles in their inclusive form (the Idéo `nom_metier`), unless the user's own word is repeated;
- no steering by gender, origin, disability or place;
- no personal data in the draft (placeholders only);
- no source outside its validity dates used as an answer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable, Sequence

from assistant.pii.pseudonyms import PLACEHOLDER
from assistant.types import CharterFlag, Citation, Entity
from knowledge.lexical import fold
from knowledge.types import Hit

_GROUPS = (
    r"filles?|gar[çc]ons?|femmes?|hommes?|handicap[ée]s?|personnes?\s+handicap[ée]es?|[ée]trangers?|immigr[ée]s?"
    r"|jeunes\s+de\s+(?:banlieue|cit[ée]|quartiers?)|ruraux|provinciaux|musulman(?:e|s)?|noirs?|arabes?"
)
STEERING = [
    re.compile(rf"\b(?:plut[ôo]t|surtout|uniquement|seulement|r[ée]serv[ée]e?s?|fait(?:e|s)?|pas\s+fait(?:e|s)?|pas\s+adapt[ée]e?s?|d[ée]conseill[ée]e?s?|[ée]vite[rz]?)\s+(?:pour|aux?)\s+(?:les\s+|des\s+)?(?:{_GROUPS})\b", re.IGNORECASE),
    re.compile(r"\b(?:m[ée]tier|fili[èe]re|formation|voie)s?\s+(?:de|pour)\s+(?:filles?|gar[çc]ons?|femmes?|hommes?|mecs?|nanas?)\b", re.IGNORECASE),
    re.compile(rf"\b(?:(?:en\s+tant\s+qu['’e]\s*|comme\s+tu\s+es\s+)(?:une?\s+)?(?:{_GROUPS}|femme|fille|gar[çc]on|handicap[ée]e?)"
               r"|vu\s+(?:ton|votre)\s+(?:origine|handicap|sexe|genre|quartier))\b", re.IGNORECASE),
    re.compile(r"\b(?:avec\s+(?:ton|votre)\s+(?:handicap|origine|accent|nom)|d['’]o[ùu]\s+(?:tu\s+viens|vous\s+venez))\s*,?\s*(?:tu|vous)\s+(?:ne\s+)?(?:devr|pourr|peu|ser)", re.IGNORECASE),
]


def _mentions(text: str, phrase: str) -> bool:
    return bool(phrase) and re.search(rf"(?<!\w){re.escape(fold(phrase))}(?!\w)", fold(text)) is not None


def inclusive_title_flags(draft: str, question: str, cited: Sequence[Hit]) -> list[CharterFlag]:
    flags = []
    for hit in cited:
        if hit.source != "ideo-metier" or len(hit.names) < 2 or "/" not in hit.title:
            continue
        feminine, masculine = hit.names[0], hit.names[1]
        if _mentions(draft, hit.title):
            continue
        for gendered in (masculine, feminine):
            if _mentions(draft, gendered) and not _mentions(question, gendered):
                flags.append(
                    CharterFlag(
                        "titre_non_inclusif",
                        f"Le brouillon dit « {gendered} » : utilisez l'intitulé inclusif « {hit.title} ».",
                    )
                )
                break
    return flags


def steering_flags(draft: str) -> list[CharterFlag]:
    for pattern in STEERING:
        match = pattern.search(draft)
        if match:
            return [
                CharterFlag(
                    "orientation_discriminante",
                    f"Le brouillon oriente selon le genre, l'origine, le handicap ou le lieu (« {match.group(0)} ») : à reformuler.",
                )
            ]
    return []


# A line opening with one word and a colon ("**Candidature** : sur Parcoursup") is a heading
# of the source text; the French NER takes some of them for names. Only drafts get this
# leniency: a user's message is scrubbed as is.
_HEADING_LABEL = re.compile(r"^\s*(?:[-•]\s*)?\**(\w+)\**\s*:", re.MULTILINE)


def personal_data_flags(draft: str, find: Callable[[str], Sequence[Entity]]) -> list[CharterFlag]:
    visible = PLACEHOLDER.sub(" ", draft)
    labels = {match.span(1) for match in _HEADING_LABEL.finditer(visible)}
    found = sorted({entity.type for entity in find(visible) if (entity.start, entity.end) not in labels})
    if not found:
        return []
    return [CharterFlag("donnees_personnelles", f"Le brouillon contient des données personnelles ({', '.join(found)}).")]


def validity_flags(hits: Sequence[Hit], today: date) -> list[CharterFlag]:
    flags = []
    for hit in hits:
        if hit.valid_until and hit.valid_until < today:
            flags.append(CharterFlag("source_perimee", f"« {hit.title} » ({hit.doc_id}) n'est plus valide depuis le {hit.valid_until:%d/%m/%Y} : non utilisée."))
        elif hit.valid_from and hit.valid_from > today:
            flags.append(CharterFlag("source_pas_encore_valide", f"« {hit.title} » ({hit.doc_id}) ne sera valide qu'à partir du {hit.valid_from:%d/%m/%Y} : non utilisée."))
    return flags


def check(
    draft: str,
    question: str,
    citations: Sequence[Citation],
    cited_hits: Sequence[Hit],
    abstained: bool,
    find: Callable[[str], Sequence[Entity]],
) -> list[CharterFlag]:
    """All the charter checks on one draft."""
    flags: list[CharterFlag] = []
    if not abstained and not citations:
        flags.append(CharterFlag("sans_source", "Le brouillon ne cite aucune source : ne l'envoyez pas tel quel."))
    flags += inclusive_title_flags(draft, question, cited_hits)
    flags += steering_flags(draft)
    flags += personal_data_flags(draft, find)
    return flags
