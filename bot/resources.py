"""Where the rule files and templates live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["rules_dir", "templates_dir"]

_HERE = Path(__file__).resolve().parent


@cache
def _data_dir(name: str) -> Path:
    """The wheel ships data under bot/_data; a checkout keeps it at the repository root."""
    for candidate in (_HERE / "_data" / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rapport's {name}/ folder is missing from this installation")


def rules_dir() -> Path:
    """The folder of rule files (`rules/*.toml`) and phrase lists (`rules/lists/*.txt`)."""
    return _data_dir("rules")


def templates_dir() -> Path:
    """The folder of jinja2 templates."""
    return _data_dir("templates")
