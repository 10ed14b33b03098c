"""Regenerate the rules table in docs/rules.md from the rule files (tests/test_readme.py checks it)."""

from __future__ import annotations

import re
from pathlib import Path

from rapport.bot.engine.rules_table import rules_table

RULES_PAGE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
SECTION = re.compile(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)", re.S)


def main() -> None:
    text = RULES_PAGE.read_text(encoding="utf-8")
    RULES_PAGE.write_text(
        SECTION.sub(lambda m: m.group(1) + rules_table() + "\n" + m.group(2), text),
        encoding="utf-8",
    )
    print(f"updated {RULES_PAGE}")


if __name__ == "__main__":
    main()
