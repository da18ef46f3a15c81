"""The types that cross package boundaries do not drag the models in.

Written before the fix: `assistant.types` imported `Entity` from the scrubber, so importing it
(or anything of `web` that names a mapping) loaded presidio and spaCy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("presidio_analyzer", "spacy", "langchain_core", "chromadb")


def modules_loaded_by(module: str) -> set[str]:
    """The heavy packages found in sys.modules of a fresh interpreter that imported only `module`."""
    probe = f"import json, sys, {module}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1])) & set(HEAVY)


@pytest.mark.parametrize("module", ["assistant.types", "web.protocol", "web.conversations", "web.hub", "assistant.pii"])
def test_boundary_modules_import_no_model_library(module):
    assert modules_loaded_by(module) == set()


def test_entity_is_a_plain_dataclass_of_assistant_types():
    import dataclasses

    from assistant import pii, types

    assert dataclasses.is_dataclass(types.Entity)
    assert pii.Entity is types.Entity and pii.ScrubFailed is types.ScrubFailed
    assert types.Entity("PERSONNE", 0, 3, "<PERSONNE_1>").to_json() == {"type": "PERSONNE", "start": 0, "end": 3,
                                                                        "placeholder": "<PERSONNE_1>"}


def test_only_the_pii_package_imports_presidio():
    importers = subprocess.run(["grep", "-rlE", r"^\s*(from|import) presidio", "--include=*.py",
                                "assistant", "knowledge", "ingest", "web", "evals", "relais"],
                               cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert importers and all(path.startswith("assistant/pii/") for path in importers), importers
