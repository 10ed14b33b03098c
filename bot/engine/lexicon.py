"""Phrase lists: plain-text files of lower-case regex fragments, compiled once into one pattern.

A phrase is written as people write: a space matches any run of whitespace, `{name}` expands a
macro from `rules/lists/macros.toml` (`{you}` also matches "u" and "ya"), `{name?}` makes a
macro and the space after it optional.  Team phrases from configuration are literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rapport.bot.recache import load_toml, rx
from rapport.bot.resources import rules_dir

__all__ = [
    "PhraseListError",
    "compile_phrases",
    "expand_phrases",
    "keeps_negation",
    "literal_phrase",
    "load_list",
    "macros",
]


class PhraseListError(ValueError):
    """A phrase that does not compile; the message names the phrase and the reason."""


#: A list whose phrases are negative by design ("we haven't met") starts with this line, so a
#: negation inside one of its matches is part of the phrase, not a reversal of it.
NEGATION_PRAGMA = "#! negation-is-part-of-the-phrase"

_MACRO = rx(r"(?<!\\)\{([a-z_]+)(\?)?\}( ?)")
_SPACE = rx(r"(?<!\\) +([?*](?!\?))?")
_LOOKBEHIND = rx(r"\(\?<[!=][^()]*\)")
_CHAR_CLASS = rx(r"((?<!\\)\[(?:\\.|[^\]\\])*\])")


@cache
def macros() -> dict[str, str]:
    """Named regex fragments shared by every phrase list."""
    table = load_toml(rules_dir() / "lists" / "macros.toml")["macros"]
    return {str(k): str(v) for k, v in table.items()}


def _space(m: re.Match[str]) -> str:
    """A space is any whitespace; `" ?"` or `" *"` makes it optional."""
    return r"\s*" if m.group(1) else r"\s+"


def _expand(phrase: str, table: dict[str, str]) -> str:
    """Expand macros and turn literal spaces into `\\s+`; raises ValueError on unknown macros."""

    def macro(m: re.Match[str]) -> str:
        name, optional, space = m.group(1), m.group(2), m.group(3)
        if name not in table:
            raise ValueError(f"unknown macro {{{name}}} in phrase {phrase!r}")
        body = f"(?:{table[name]})"
        if optional:
            return f"(?:{body}\\s+)?" if space else f"{body}?"
        return body + ("\x00" if space else "")

    expanded = _MACRO.sub(macro, phrase.strip())
    # inside a lookbehind a space is exactly one whitespace character (it must be fixed-width)
    expanded = _LOOKBEHIND.sub(lambda m: m.group(0).replace(" ", "\x01"), expanded)
    parts = _CHAR_CLASS.split(expanded)  # keep spaces inside [...] classes literal
    out = [p if _CHAR_CLASS.fullmatch(p) else _SPACE.sub(_space, p) for p in parts]
    return "".join(out).replace("\x00", r"\s+").replace("\x01", r"\s")


def expand_phrases(phrases: Iterable[str], where: str = "") -> tuple[str, ...]:
    """Each phrase as a regex body (macros expanded, spaces made flexible)."""
    table = macros()
    out = []
    for phrase in phrases:
        if not phrase.strip():
            continue
        try:
            out.append(_expand(phrase, table))
        except ValueError as exc:
            raise PhraseListError(f"{where + ': ' if where else ''}{exc}") from None
    return tuple(out)


def compile_phrases(phrases: Iterable[str], expanded: bool = False) -> re.Pattern[str] | None:
    """One alternation of every phrase, anchored at word edges; None when there are none."""
    bodies = tuple(phrases) if expanded else expand_phrases(phrases)
    bodies = tuple(b for b in bodies if b)
    if not bodies:
        return None
    pattern = r"(?<!\w)(?:" + "|".join(bodies) + r")(?!\w)"
    try:
        return re.compile(pattern, re.M)
    except re.error:
        for body in bodies:  # name the phrase at fault, not the whole alternation
            try:
                re.compile(body)
            except re.error as exc:
                raise PhraseListError(f"bad phrase {body!r}: {exc}") from None
        raise


def literal_phrase(text: str) -> str:
    """A team's own phrase, matched literally (case-insensitive, any whitespace)."""
    words = text.lower().split()
    return r"\s+".join(re.escape(w) for w in words)


@cache
def keeps_negation(name: str) -> bool:
    """True when the list is marked as negative by design (see NEGATION_PRAGMA)."""
    path: Path = rules_dir() / "lists" / f"{name}.txt"
    return NEGATION_PRAGMA in path.read_text(encoding="utf-8").splitlines()[:3]


@cache
def load_list(name: str) -> tuple[str, ...]:
    """The phrases of `rules/lists/<name>.txt`, comments and blank lines dropped."""
    path: Path = rules_dir() / "lists" / f"{name}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def greeting_words() -> str:
    """The greeting words, as one regex alternation from `rules/lists/greeting.txt`.

    Every module that spots a salutation ("Hi Dana,", "Good morning all") builds its pattern
    from this one list, so a greeting added there is known everywhere.
    """
    return "(?:" + "|".join(load_list("greeting")) + ")"
