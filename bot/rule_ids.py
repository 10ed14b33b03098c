"""The rule ids, read from the rule files: a rule exists because its file does.

`rules/<id>.toml` is a rule unless it is one of the engine's data files. A rule whose detectors
all read history (the ledger, earlier checks) rather than the draft's words is not a *text*
rule: the learned reader has no output for it and the corpus doesn't label it.
"""

from __future__ import annotations

from rapport.bot.recache import load_toml
from rapport.bot.resources import rules_dir

__all__ = ["DATA_FILES", "RULE_IDS", "TEXT_RULE_IDS"]

#: TOML files in rules/ that are data for the engine, not rules.
DATA_FILES = frozenset({"kinds", "courtesy", "principles", "frames"})


def _rule_ids() -> tuple[tuple[str, ...], tuple[str, ...]]:
    paths = sorted(p for p in rules_dir().glob("*.toml") if p.stem not in DATA_FILES)
    ids = tuple(p.stem for p in paths)
    text = tuple(
        p.stem
        for p in paths
        if any(d.get("type") != "history" for d in load_toml(p).get("detectors", []))
    )
    return ids, text


RULE_IDS, TEXT_RULE_IDS = _rule_ids()
