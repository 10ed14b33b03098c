"""The README stays true: its rules table is generated from the rule files."""

from __future__ import annotations

import re
from pathlib import Path

from bot.engine.rules_table import rules_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_rules_table_matches_the_rule_files() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"<!-- rules:start -->\n(.*?)\n<!-- rules:end -->", text, re.S)
    assert section, "README has no rules section"
    assert section.group(1) == rules_table(), "run: python scripts/update_readme.py"


def test_readme_gives_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install . && rapport console" in text  # the first thing a newcomer runs
    assert "pytest" in text
