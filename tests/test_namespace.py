"""One import name: an installed rapport claims `rapport` only, so a user's own `bot/` or
`adapters/` package never clashes with it.

The checkout keeps bot/ and adapters/ at its top (the design card's layout); rapport/bot and
rapport/adapters link to them, and every import of rapport's own code goes through `rapport.`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_FOLDERS = ("bot", "adapters", "tests", "evals", "bench", "scripts")


def _top_level_imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_code_imports_the_bare_folder_names() -> None:
    bare = [
        f"{path.relative_to(ROOT)}:{line}: import {name}"
        for folder in CODE_FOLDERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, name in _top_level_imports(path)
        if name.split(".")[0] in {"bot", "adapters"}
    ]
    assert not bare, "import rapport's code as rapport.bot / rapport.adapters:\n" + "\n".join(bare)


def test_the_links_point_at_the_folders() -> None:
    for name in ("bot", "adapters"):
        link = ROOT / "rapport" / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve()


def test_an_installed_rapport_answers_to_rapport_only(tmp_path: Path) -> None:
    """Outside the checkout, `rapport` imports and the bare folder names do not."""
    probe = (
        "import importlib.util as u, rapport.bot.engine.engine as e;"
        "print(u.find_spec('bot') is None, u.find_spec('adapters') is None, e.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "rapport.bot.engine.engine"]
