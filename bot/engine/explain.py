"""A rule explained with no draft in hand: what it means, the principles behind it, the fix and
its own examples.  One explanation for every surface that answers `why` (the chat bots and
`rapport why`), so they can't drift apart; each surface only decides how it looks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapport.bot.engine.rules import Example, Rule, load_rules, principles
from rapport.bot.models import RULE_IDS

__all__ = [
    "Explanation",
    "close_rule_ids",
    "example_setting",
    "explain",
    "principle_lines",
    "severity_words",
]


@dataclass(frozen=True, slots=True)
class Explanation:
    """A rule as `why` tells it."""

    id: str
    title: str
    severity: str  # "error (warning for connection request)"
    message: str  # the general wording: no draft, no names
    fix: str
    principles: tuple[str, ...]  # one line each: "1. Relationship first: …"
    failing: tuple[Example, ...]  # drafts it flags, each with the words it flags
    passing: tuple[Example, ...]  # drafts it leaves alone, traps included


def principle_lines(numbers: Iterable[int]) -> tuple[str, ...]:
    """Each principle as "N. Title: statement", in the order given; unknown numbers are skipped."""
    known = principles()
    return tuple(f"{n}. {known[n][0]}: {known[n][1]}" for n in numbers if n in known)


def severity_words(rule: Rule) -> str:
    """The rule's severity, with the kinds of message where it differs."""
    words = rule.severity.value
    if rule.severity_by_kind:
        words += (
            " ("
            + ", ".join(
                f"{s.value} for {k.replace('_', ' ')}" for k, s in rule.severity_by_kind.items()
            )
            + ")"
        )
    return words


def explain(name: str) -> Explanation | None:
    """The rule called `name` (any case, stray punctuation ignored), or None if there is none."""
    rule = {r.id: r for r in load_rules()}.get(name.strip().strip(",.").lower())
    if rule is None:
        return None
    return Explanation(
        id=rule.id,
        title=rule.title,
        severity=severity_words(rule),
        message=rule.general_message,
        fix=rule.general_fix,
        principles=principle_lines(rule.principles),
        failing=rule.failing,
        passing=rule.passing,
    )


def close_rule_ids(name: str) -> list[str]:
    """Rule ids that look like a mistyped `name` ("cold-aks" → ["cold-ask"]), best first."""
    import difflib  # only for a mistyped rule id: a check never needs it

    return difflib.get_close_matches(name.strip().lower(), RULE_IDS, n=3, cutoff=0.6)


def example_setting(example: Example) -> str:
    """What an example assumes beyond its words (the ledger, earlier checks), in words."""
    parts = []
    if example.to:
        parts.append(f"to {example.to}")
    if example.known_relationship:
        parts.append("the ledger says how you know them")
    if example.endorsements_given:
        parts.append("you endorsed them before")
    if example.owed:
        parts.append(f"{example.owed} endorsed you unprompted")
    if example.repeated_for:
        parts.append(f"the same message was checked for {example.repeated_for} people")
    return "; ".join(parts)
