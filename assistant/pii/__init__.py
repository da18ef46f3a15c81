"""French personal data: detection (presidio + French recognizers) and reversible pseudonymisation."""

from assistant.pii.pseudonyms import MappingStore, PseudonymMap
from assistant.pii.scrubber import Entity, ScrubFailed, Scrubber, ScrubResult

__all__ = ["Entity", "MappingStore", "PseudonymMap", "ScrubFailed", "ScrubResult", "Scrubber"]
