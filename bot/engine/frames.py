"""Sentence frames: cues that hold when several phrase lists meet in one sentence.

Defined in `rules/frames.toml`.  Each entry of `all` may offer alternatives ("a|b"), and
`signal:imperative` stands for a sentence that opens with a command verb.  Component hits are
taken in the sender's own, affirmed voice, so quotation and negation carry through.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from rapport.bot.recache import load_toml
from rapport.bot.resources import rules_dir

if TYPE_CHECKING:
    from rapport.bot.engine.signals import Hit, Signals

__all__ = ["Frame", "frame_hits", "frames"]

_IMPERATIVE = "signal:imperative"


@dataclass(frozen=True, slots=True)
class Frame:
    """Lists that must (all), may (any) and must not (none) meet in one sentence."""

    name: str
    all: tuple[tuple[str, ...], ...]
    any: tuple[str, ...]
    none: tuple[str, ...]

    def lists(self) -> set[str]:
        """Every list or frame this frame reads."""
        names = {n for group in self.all for n in group} | set(self.any) | set(self.none)
        return names - {_IMPERATIVE}


def _names(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        raise ValueError(f"rules/frames.toml [{where}]: expected a list of list names")
    return tuple(raw)


@cache
def frames() -> dict[str, Frame]:
    """Every frame in rules/frames.toml, checked for unknown lists and cycles."""
    data = load_toml(rules_dir() / "frames.toml")
    out = {}
    for name, table in data.items():
        out[name] = Frame(
            name=name,
            all=tuple(tuple(entry.split("|")) for entry in _names(table.get("all", []), name)),
            any=_names(table.get("any", []), name),
            none=_names(table.get("none", []), name),
        )
    lists_dir = rules_dir() / "lists"
    for frame in out.values():
        if not frame.all:
            raise ValueError(f"rules/frames.toml [{frame.name}]: `all` is required")
        for ref in frame.lists():
            if ref not in out and not (lists_dir / f"{ref}.txt").is_file():
                raise ValueError(f"rules/frames.toml [{frame.name}]: no list or frame {ref!r}")
            if ref == frame.name:
                raise ValueError(f"rules/frames.toml [{frame.name}]: a frame cannot read itself")
    return out


def _by_sentence(s: Signals, names: tuple[str, ...]) -> dict[int, list[Hit]]:
    """Affirmed hits of the named lists, grouped by sentence index."""
    groups: dict[int, list[Hit]] = defaultdict(list)
    for name in names:
        if name == _IMPERATIVE:
            for start, end, _ in s.imperatives:
                groups[s.doc.sentence_index(start)].append(_hit(start, end))
            continue
        for h in s.voice(name):
            groups[s.doc.sentence_index(h.start)].append(h)
    return groups


def _hit(start: int, end: int) -> Hit:
    from rapport.bot.engine.signals import Hit

    return Hit(start, end, False, False)


def frame_hits(s: Signals, frame: Frame) -> list[Hit]:
    """One hit per sentence where the frame holds, spanning the words that made it hold."""
    required = [_by_sentence(s, group) for group in frame.all]
    candidates = set(required[0])
    for group in required[1:]:
        candidates &= set(group)
    if not candidates:
        return []
    wanted = _by_sentence(s, frame.any) if frame.any else None
    blocked = _by_sentence(s, frame.none) if frame.none else {}
    out = []
    for index in sorted(candidates):
        if (wanted is not None and index not in wanted) or index in blocked:
            continue
        parts = [h for group in required for h in group[index]]
        out.append(_hit(min(h.start for h in parts), max(h.end for h in parts)))
    return out
