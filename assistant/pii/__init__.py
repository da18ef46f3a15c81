"""French personal data: detection (presidio + French recognizers) and reversible pseudonymisation.

The names are loaded on first use: `from assistant.pii import PseudonymMap` does not load
presidio and spaCy (only the scrubber needs them).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.pii.pseudonyms import MappingStore, PseudonymMap
    from assistant.pii.scrubber import Scrubber, ScrubResult
    from assistant.types import Entity, ScrubFailed

_HOMES = {
    "Entity": "assistant.types",
    "ScrubFailed": "assistant.types",
    "MappingStore": "assistant.pii.pseudonyms",
    "PseudonymMap": "assistant.pii.pseudonyms",
    "Scrubber": "assistant.pii.scrubber",
    "ScrubResult": "assistant.pii.scrubber",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
