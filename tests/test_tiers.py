"""The fast tier's list of slow tests stays true: every module and test it names exists, so a
rename can't quietly move a slow test into `pytest -m "not slow"`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SLOW_MODULES, SLOW_TESTS

TESTS = Path(__file__).resolve().parent


def test_every_slow_module_exists() -> None:
    missing = sorted(m for m in SLOW_MODULES if not any(TESTS.rglob(f"{m}.py")))
    assert not missing, f"SLOW_MODULES names files that don't exist: {missing}"


def test_every_slow_test_exists() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    defined = set(re.findall(r"^(?:async )?def (test_\w+)", source, re.M))
    missing = sorted(SLOW_TESTS - defined)
    assert not missing, f"SLOW_TESTS names tests that don't exist: {missing}"
