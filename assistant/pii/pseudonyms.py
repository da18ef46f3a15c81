"""Reversible pseudonymisation: typed placeholders stable within a conversation.

The same value written two ways ("06 12 34 56 78", "+33612345678") gets the same
placeholder. The mapping stays server-side, per conversation, for a limited time; the
counsellor's view restores the real text from it.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field

from assistant.pii.checksums import compact, phone_canonical

PLACEHOLDER = re.compile(r"<([A-Z_]+)_(\d+)>")


def canonical(entity_type: str, value: str) -> str:
    """The form two spellings of the same value share."""
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
    """Per-conversation maps kept in memory for `ttl_seconds` after their last use."""

    def __init__(self, ttl_seconds: float = 30 * 24 * 3600, clock=time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._maps: dict[str, tuple[PseudonymMap, float]] = {}
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> PseudonymMap:
        now = self._clock()
        with self._lock:
            self._expire(now)
            mapping = self._maps.get(conversation_id, (PseudonymMap(conversation_id), now))[0]
            self._maps[conversation_id] = (mapping, now)
            return mapping

    def forget(self, conversation_id: str) -> None:
        """Erase a conversation's mapping (erasure on request)."""
        with self._lock:
            self._maps.pop(conversation_id, None)

    def __contains__(self, conversation_id: str) -> bool:
        with self._lock:
            self._expire(self._clock())
            return conversation_id in self._maps

    def _expire(self, now: float) -> None:
        for key in [k for k, (_, used) in self._maps.items() if now - used > self._ttl]:
            del self._maps[key]
