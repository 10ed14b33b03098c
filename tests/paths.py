"""Where the checkout and its tests/ folder are, for test modules at any depth below tests/.

A test file's own `__file__` says where *it* sits, which moves when the tree is rearranged; this
module stays at the top of tests/ (next to conftest.py), so these two never move.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT", "TESTS"]

#: The tests/ folder itself.
TESTS = Path(__file__).resolve().parent
#: The checkout's root (pyproject.toml, bot/, adapters/, rules/ …).
ROOT = TESTS.parent
