"""The README and the docs stay true: the rules table is generated from the rule files, and the
commands a newcomer and CI run are the ones they show."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from rapport.bot.engine.rules_table import rules_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
RULES_PAGE = DOCS / "rules.md"
TEST_COMMAND = "pip install -e '.[test]' && ruff check . && ruff format --check . && mypy && pytest"


def test_rules_table_matches_the_rule_files() -> None:
    text = RULES_PAGE.read_text(encoding="utf-8")
    section = re.search(r"<!-- rules:start -->\n(.*?)\n<!-- rules:end -->", text, re.S)
    assert section, "docs/rules.md has no rules section"
    assert section.group(1) == rules_table(), "run: python scripts/update_readme.py"


def test_readme_gives_the_two_commands() -> None:
    for page in (README, DOCS / "index.md"):
        text = page.read_text(encoding="utf-8")
        assert "pip install . && rapport console" in text, page  # the first thing a newcomer runs
        assert f"```sh\n{TEST_COMMAND}\n```" in text, f"{page} lost the test command"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    assert f'"{TEST_COMMAND}"' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_links_into_the_docs_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    assert any(link.startswith("docs/") for link in links), "the README links to no docs page"
    for link in links:
        if "://" not in link:
            assert (ROOT / link).is_file(), f"the README links to a missing file: {link}"


def test_every_docs_page_is_in_the_site() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    assert "index.md" in pages
    missing = [name for name in pages if not re.search(rf":\s+{re.escape(name)}$", nav, re.M)]
    assert not missing, f"not in mkdocs.yml's nav: {missing}"


def test_the_readme_transcript_is_what_rapport_prints(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```console\n(.*?)```", text, re.S)
    assert block, "the README's transcript is missing"
    sessions = re.split(r"^\$ ", block.group(1), flags=re.M)[1:]
    assert len(sessions) >= 2
    env = dict(os.environ, NO_COLOR="1", COLUMNS="88")
    env["RAPPORT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'rapport.db'}"
    for session in sessions:
        command, shown = session.split("\n", 1)
        args = shlex.split(command.removesuffix(" 2>/dev/null"))
        assert args[0] == "rapport", command
        done = subprocess.run([sys.executable, "-m", "rapport.adapters.terminal.cli", *args[1:]], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=120, check=False)  # fmt: skip
        assert done.stdout == shown, f"the README shows something else for: {command}"
