"""The rules as a table: docs/rules.md's table is generated from the rule files."""

from __future__ import annotations

from rapport.bot.engine.explain import severity_words
from rapport.bot.engine.rules import load_rules, principles

__all__ = ["rules_table", "rules_text"]


def rules_table() -> str:
    """A Markdown table of every rule: id, severity, principles, what it means, the fix."""
    known = principles()
    rows = [
        "| rule | severity | principle | what a recipient feels | fix |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in load_rules():
        principle = ", ".join(f"{n}. {known[n][0]}" for n in rule.principles)
        severity = severity_words(rule)
        rows.append(f"| `{rule.id}` | {severity} | {principle} | {rule.message} | {rule.fix} |")
    return "\n".join(rows)


def rules_text() -> str:
    """A plain listing for the terminal."""
    lines = []
    for rule in load_rules():
        lines.append(f"{rule.id:<20} {rule.severity.value:<8} {rule.title}")
        lines.append(f"{'':<29} {rule.message}")
    return "\n".join(lines)
