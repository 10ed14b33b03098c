"""Imports run one way: adapters → service → coaching → storage → rewriter → engine → core.

Every module of `bot/` and `adapters/` (installed as `rapport.bot` and `rapport.adapters`) is parsed (imports inside functions and under
`TYPE_CHECKING` count too) and each import of rapport's own code must point to its own layer or
one below.  Core is the handful of shared modules directly in `bot/` (models, config, errors,
redact, resources, wording, metrics, recache, …).  Storage sits below coaching and the service;
it may use the engine (fingerprints) but never the coach or the service.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Layers from the bottom up; a module may import its own layer and those before it.
LAYERS = ("core", "engine", "rewriter", "storage", "coaching", "service", "adapters")
_PACKAGES = {
    "rapport.bot.engine": "engine",
    "rapport.bot.rewriter": "rewriter",
    "rapport.bot.storage": "storage",
    "rapport.bot.coach": "coaching",
    "rapport.bot.service": "service",
    "rapport.adapters": "adapters",
}


def layer(module: str) -> str | None:
    """The layer of a module of rapport's own, or None for anything else (stdlib, libraries)."""
    for package, name in _PACKAGES.items():
        if module == package or module.startswith(package + "."):
            return name
    if module == "rapport.bot" or module.startswith("rapport.bot."):
        return "core"
    return None


def module_name(path: Path) -> str:
    """`bot/engine/text.py` is the module `rapport.bot.engine.text`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["rapport", *parts])


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))  # rapport/bot and rapport/adapters link to the folders
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, target] if target else base)
            found.append((node.lineno, target))
            # `from rapport.bot.coach import ledger` imports the module rapport.bot.coach.ledger too
            names = (f"{target}.{alias.name}" for alias in node.names)
            found += [(node.lineno, name) for name in names if _is_module(name)]
    return found


def wrong_way(path: Path, module: str) -> list[str]:
    """One line per import of `module` (in `path`) that points to a layer above its own."""
    own = layer(module)
    assert own is not None, module
    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}: {module} ({own}) imports {target} ({theirs})"
        for line, target in imported(path, module)
        if (theirs := layer(target)) is not None and LAYERS.index(theirs) > LAYERS.index(own)
    ]


def _sources() -> list[Path]:
    return sorted(p for d in ("bot", "adapters") for p in (ROOT / d).rglob("*.py"))


def test_imports_run_one_way() -> None:
    problems = [line for p in _sources() for line in wrong_way(p, module_name(p))]
    assert not problems, "imports going the wrong way:\n" + "\n".join(problems)


def test_every_package_is_in_a_layer() -> None:
    packages = {module_name(p.parent / "__init__.py") for p in (ROOT / "bot").glob("*/__init__.py")}
    assert packages <= set(_PACKAGES), f"a package of bot/ in no layer: {packages - set(_PACKAGES)}"


def test_a_wrong_way_import_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "text.py"
    fake.write_text("def f():\n    from rapport.bot.service.chat import answer\n", encoding="utf-8")
    assert wrong_way(fake, "rapport.bot.engine.text") == [
        "text.py:2: rapport.bot.engine.text (engine) imports rapport.bot.service.chat (service)"
    ]
    fake.write_text(
        "from rapport.bot import service\nfrom rapport.bot.engine import text\n", encoding="utf-8"
    )
    assert wrong_way(fake, "rapport.bot.metrics") == [
        "text.py:1: rapport.bot.metrics (core) imports rapport.bot.service (service)",
        "text.py:2: rapport.bot.metrics (core) imports rapport.bot.engine (engine)",
        "text.py:2: rapport.bot.metrics (core) imports rapport.bot.engine.text (engine)",
    ]
