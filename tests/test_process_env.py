"""Every relais process makes OpenMP's waiting threads sleep (two processes embedding at once on two
cores otherwise slow each other's searches tenfold), unless the operator chose otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

PRINT = "import relais, os; print(os.environ['OMP_WAIT_POLICY'])"


def _policy(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | extra
    return subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_waiting_threads_sleep_by_default():
    assert _policy() == "PASSIVE"


def test_the_operators_choice_wins():
    assert _policy(OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"
