"""Reversible pseudonymisation: typed placeholders stable within a conversation.

The same value written two ways ("06 12 34 56 78", "+33612345678", "O6.12.34.56.78") gets the
same placeholder, restored as first written. A part of a name written alone ("Mme Garnier" after
"Sophie Garnier") gets its own, so that restoring gives back what was written, never more. The
mapping stays server-side, per conversation (or phone call), for a limited time; the
counsellor's view restores the real text from it.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

from assistant.pii.checksums import compact, phone_canonical
from assistant.pii.normalise import normalise

PLACEHOLDER = re.compile(r"<([A-Z_]+)_(\d+)>")


def canonical(entity_type: str, value: str) -> str:
    """The form two spellings of the same value share: read as the scrubber reads it (invisible
    characters dropped, any space or digit as ASCII, « O6 » as « 06 », a spelled-out address
    folded), then compacted for identifiers, or lowercased without accents or punctuation.

    >>> canonical("TELEPHONE", "O6.12.34.56.78") == canonical("TELEPHONE", "06 12 34 56 78")
    True
    >>> canonical("PERSONNE", "So\u200bphie  GARNIER")
    'sophie garnier'
    """
    value = normalise(value).text
    if entity_type == "TELEPHONE":
        return phone_canonical(value) or compact(value)
    if entity_type in ("IBAN", "NIR", "INE", "DOSSIER"):
        return compact(value)
    folded = unicodedata.normalize("NFKD", value.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", folded))


@dataclass
class PseudonymMap:
    """The placeholders of one conversation and the values behind them."""

    conversation_id: str
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _values: dict[str, str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, entity_type: str, value: str) -> str:
        key = (entity_type, canonical(entity_type, value))
        found = self._by_value.get(key)
        if found is None:
            self._counts[entity_type] = self._counts.get(entity_type, 0) + 1
            found = f"<{entity_type}_{self._counts[entity_type]}>"
            self._by_value[key] = found
            self._values[found] = value
        return found

    def reserve(self, placeholder: str) -> None:
        """Count a placeholder already in use elsewhere, so new ones of its type number after it."""
        entity_type, number = placeholder[1:-1].rsplit("_", 1)
        self._counts[entity_type] = max(self._counts.get(entity_type, 0), int(number))

    def restore(self, text: str) -> str:
        """Put the real values back (the counsellor's view only)."""
        return PLACEHOLDER.sub(lambda m: self._values.get(m.group(0), m.group(0)), text)

    def known_values(self) -> list[tuple[str, str]]:
        """(type, value) of everything already pseudonymised in this conversation."""
        return [(placeholder[1:].rsplit("_", 1)[0], value) for placeholder, value in self._values.items()]

    def placeholders(self) -> set[str]:
        return set(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def to_json(self) -> dict:
        return {"entries": [[t, c, p] for (t, c), p in self._by_value.items()], "values": self._values}

    @classmethod
    def from_json(cls, conversation_id: str, data: dict) -> "PseudonymMap":
        mapping = cls(conversation_id)
        for entity_type, canonical_value, placeholder in data["entries"]:
            mapping._by_value[(entity_type, canonical_value)] = placeholder
            mapping.reserve(placeholder)
        mapping._values = dict(data["values"])
        return mapping


class MappingStore:
    """Mappings kept in memory: each for `ttl_seconds` after its last use, at most `max_entries`
    of them (the least recently used goes first), and any dropped at once with `forget`.

    Every mapping Relais keeps in memory lives in one of these, under these rules: the web
    process's cache of conversation mappings, the phone calls of the console, the questions of
    `relais ask`. The model processes keep none (a mapping crosses to them as JSON and back).
    """

    def __init__(self, ttl_seconds: float = 30 * 24 * 3600, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._maps: OrderedDict[str, tuple[PseudonymMap, float]] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> PseudonymMap:
        """The kept mapping, or a new empty one (kept from now on)."""
        with self._lock:
            mapping = self._use(conversation_id)
            if mapping is None:
                mapping = PseudonymMap(conversation_id)
                self._keep(mapping)
            return mapping

    def peek(self, conversation_id: str) -> PseudonymMap | None:
        """The kept mapping, or None; a new one is not made."""
        with self._lock:
            return self._use(conversation_id)

    def put(self, mapping: PseudonymMap) -> None:
        """Keep `mapping` (in place of the one of the same id, if any)."""
        with self._lock:
            self._expire(self._clock())
            self._keep(mapping)

    def replace(self, mapping: PseudonymMap) -> bool:
        """Keep `mapping` in place of the one of its id only if that one is still kept (not
        forgotten or expired meanwhile); whether it was."""
        with self._lock:
            if self._use(mapping.conversation_id) is None:
                return False
            self._keep(mapping)
            return True

    def forget(self, conversation_id: str) -> None:
        """Drop a mapping now (a closed conversation, an ended call, erasure on request)."""
        with self._lock:
            self._maps.pop(conversation_id, None)

    def __contains__(self, conversation_id: str) -> bool:
        with self._lock:
            self._expire(self._clock())
            return conversation_id in self._maps

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._maps)

    def _use(self, conversation_id: str) -> PseudonymMap | None:
        now = self._clock()
        self._expire(now)
        kept = self._maps.get(conversation_id)
        if kept is None:
            return None
        self._maps[conversation_id] = (kept[0], now)
        self._maps.move_to_end(conversation_id)
        return kept[0]

    def _keep(self, mapping: PseudonymMap) -> None:
        self._maps[mapping.conversation_id] = (mapping, self._clock())
        self._maps.move_to_end(mapping.conversation_id)
        while len(self._maps) > self._max:
            self._maps.popitem(last=False)

    def _expire(self, now: float) -> None:
        while self._maps:
            _, used = next(iter(self._maps.values()))
            if now - used <= self._ttl:
                return
            self._maps.popitem(last=False)
