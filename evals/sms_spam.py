"""SMS Spam Collection (dev half): is spam judged `promotion` or flagged blast/engagement-bait?

Targets: at least 85% of spam caught, at most 2% of ham touched.  The dev half is split again
by a hash of the text into parts A and B, so a change tuned on one part can be checked on the
other.

    python -m evals.sms_spam            # numbers
    python -m evals.sms_spam --show ham # ham that was flagged (or: spam that was missed)
"""

from __future__ import annotations

import argparse
import hashlib
import html

from evals.data_paths import require
from rapport.bot.engine.engine import Engine
from rapport.bot.models import Kind

FLAG_RULES = {"blast", "engagement-bait"}


def caught(engine: Engine, text: str) -> bool:
    """True when rapport reads the SMS as promotion or mass/bait messaging."""
    report = engine.check_sync(text)
    return report.kind is Kind.PROMOTION or any(f.rule in FLAG_RULES for f in report.findings)


def part(text: str) -> str:
    """A or B, from the text alone."""
    return "A" if hashlib.md5(text.encode()).digest()[0] % 2 == 0 else "B"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=("ham", "spam"), help="print the errors of one class")
    args = parser.parse_args()
    path = require("sms-spam/dev.tsv")
    engine = Engine.default()
    counts = {(c, p): [0, 0] for c in ("spam", "ham") for p in "AB"}
    errors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, raw = line.partition("\t")
        text = html.unescape(raw)
        hit = caught(engine, text)
        cell = counts[(label, part(raw))]
        cell[0] += hit
        cell[1] += 1
        if args.show and label == args.show and hit == (label == "ham"):
            errors.append(text)
    for p in ("A", "B", "all"):
        parts = "AB" if p == "all" else p
        s_hit = sum(counts[("spam", q)][0] for q in parts)
        s_n = sum(counts[("spam", q)][1] for q in parts)
        h_hit = sum(counts[("ham", q)][0] for q in parts)
        h_n = sum(counts[("ham", q)][1] for q in parts)
        print(
            f"part {p:>3}: spam caught {s_hit / s_n:6.1%} ({s_hit}/{s_n}) · "
            f"ham flagged {h_hit / h_n:5.1%} ({h_hit}/{h_n})"
        )
    for text in errors:
        print("-", text[:200])


if __name__ == "__main__":
    main()
