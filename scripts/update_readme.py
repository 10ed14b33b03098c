"""Regenerate the README's rules table from the rule files (tests/test_readme.py checks it)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.engine.rules_table import rules_table

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = re.compile(r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)", re.S)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(
        SECTION.sub(lambda m: m.group(1) + rules_table() + "\n" + m.group(2), text),
        encoding="utf-8",
    )
    print(f"updated {README}")


if __name__ == "__main__":
    main()
