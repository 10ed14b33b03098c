"""How precise is each rule's phrase evidence on its own?  Which detectors may be `strong`?

A detector marked `strong = true` in its rule file fires the rule whatever the learned reader
says, so it must be right nearly every time it fires. This prints, for every detector of every
rule, how often it fires on the corpus's train and dev drafts and how often the annotators
agreed the rule applies there (precision). Mark as strong only detectors at 0.9 or above with
enough firings; the test split is never read here.

    python -m evals.strong
"""

from __future__ import annotations

import argparse

from evals.corpus.load import load
from rapport.bot.engine.detectors import Assessment, holds, run_detector
from rapport.bot.engine.rules import load_rules
from rapport.bot.engine.scoring import trust
from rapport.bot.engine.signals import Signals
from rapport.bot.engine.text import prepare
from rapport.bot.models import Kind

__all__ = ["detector_precision"]


def detector_precision(min_fired: int = 10) -> list[tuple[str, int, str, int, float, bool]]:
    """(rule, detector index, type, times fired, precision, marked strong) for every detector."""
    records = [
        r
        for split in ("train", "dev")
        for r in load(split, scored_only=True)
        if r.get("lang", "en") == "en"
    ]
    rules = load_rules()
    fired: dict[tuple[str, int], list[bool]] = {}
    for r in records:
        signals = Signals(prepare(r["text"]))
        kind = Kind(r["kind"])
        a = Assessment(signals, kind, trust(signals, kind))
        for rule in rules:
            if kind is Kind.OTHER and rule.kinds and "other" not in rule.kinds:
                continue
            if any(holds(item, a) for item in rule.unless):
                continue
            for i, det in enumerate(rule.detectors):
                if run_detector(det, a):
                    fired.setdefault((rule.id, i), []).append(rule.id in r["rules"])
    out = []
    for rule in rules:
        for i, det in enumerate(rule.detectors):
            hits = fired.get((rule.id, i), [])
            precision = sum(hits) / len(hits) if hits else 0.0
            out.append((rule.id, i, det.type, len(hits), precision, det.strong))
    return out


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args()
    print(f"{'rule':<20}{'#':>3}  {'type':<11}{'fired':>6}  {'precision':>9}  strong")
    for rule, i, dtype, n, p, strong in detector_precision():
        mark = "yes" if strong else ""
        print(f"{rule:<20}{i:>3}  {dtype:<11}{n:>6}  {p:9.2f}  {mark}")


if __name__ == "__main__":
    main()
