"""Every piece of evidence a rule file may name, resolved once, when the rule files load.

A rule file names evidence as plain strings: a phrase list or sentence frame (`relationship`,
`ask_endorsement_frame`), a computed feature (`feature:merge_field`), a property of the draft
(`signal:to_crowd`), something the caller knows (`context:known_relationship`) or a courtesy
floor (`courtesy:5`). This registry is the one place those names are known: `resolve` turns a
name into a test of an assessment, and an unknown name is an error the rule loader reports
with the file and key, instead of a check that silently never fires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING

from rapport.bot.engine.signals import FEATURE_NAMES
from rapport.bot.models import Context

if TYPE_CHECKING:
    from rapport.bot.engine.detectors import Assessment

__all__ = [
    "CONTEXT",
    "FEATURES",
    "SCORES",
    "SIGNALS",
    "UnknownEvidence",
    "cue_names",
    "resolve",
]


class UnknownEvidence(ValueError):
    """A rule names evidence rapport cannot compute."""


#: Counts computed by `Signals.feature` (`feature:<name>`), named where they are computed.
FEATURES = frozenset(FEATURE_NAMES)
#: Properties of a draft rule files may test (`signal:<name>`).
SIGNALS = frozenset({"to_crowd", "names_recipient", "self_focus_per_length", "self_focus"})
#: What the caller knows beyond the text (`context:<name>`): the fields of `Context`.
CONTEXT = frozenset(f.name for f in fields(Context))
#: What a `score` detector may read: a Trust Quotient part, courtesy, or a numeric signal.
SCORES = frozenset(
    {"credibility", "reliability", "intimacy", "self_orientation", "courtesy"}
    | {f"signal:{s}" for s in ("self_focus_per_length", "self_focus")}
)


@cache
def cue_names() -> frozenset[str]:
    """Every phrase list and sentence frame."""
    from rapport.bot.engine.frames import frames
    from rapport.bot.engine.scanner import phrase_index

    return frozenset(phrase_index().names) | frozenset(frames())


def resolve(name: str) -> Callable[[Assessment], bool]:
    """A test of whether `name` holds for an assessment; raises UnknownEvidence."""
    prefix, _, rest = name.partition(":")
    if not rest:
        if name not in cue_names():
            raise UnknownEvidence(f"no phrase list or frame named {name!r}")
        return lambda a: a.signals.has(name)
    if prefix == "feature":
        if rest not in FEATURES:
            raise UnknownEvidence(f"no feature named {rest!r}; features: {sorted(FEATURES)}")
        return lambda a: a.signals.feature(rest) > 0
    if prefix == "signal":
        if rest not in SIGNALS:
            raise UnknownEvidence(f"no signal named {rest!r}; signals: {sorted(SIGNALS)}")
        return lambda a: bool(getattr(a.signals, rest))
    if prefix == "context":
        if rest not in CONTEXT:
            raise UnknownEvidence(f"no context named {rest!r}; context: {sorted(CONTEXT)}")
        return lambda a: bool(getattr(a.signals.context, rest))
    if prefix == "courtesy":
        try:
            floor = float(rest)
        except ValueError:
            raise UnknownEvidence(f"courtesy:{rest} needs a number, as in courtesy:5") from None
        return lambda a: a.courtesy >= floor
    raise UnknownEvidence(f"unknown evidence {name!r}")
