"""Does rapport's Trust Quotient agree with people? Spearman per part against the annotators.

Each corpus draft in the rated subset carries two annotators' 0–10 ratings of credibility,
reliability, intimacy and self-orientation. This prints Spearman's rho between rapport's part
(as `rapport check` reports it) and the annotators' mean, per part, on a split.

    python -m evals.trust --split dev
    python -m evals.trust --split test     # aggregate only
"""

from __future__ import annotations

import argparse

from evals.corpus.load import load
from evals.learn.metrics import spearman
from rapport.bot.engine.engine import Engine

PARTS = ("credibility", "reliability", "intimacy", "self_orientation")


def main() -> None:
    """Print rho per part."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "dev", "test"], default="dev")
    args = ap.parse_args()
    engine = Engine.default()
    ours: dict[str, list[float]] = {p: [] for p in PARTS}
    theirs: dict[str, list[float]] = {p: [] for p in PARTS}
    n = 0
    for r in load(args.split, scored_only=True):
        if r.get("lang", "en") != "en" or len(r.get("trust", {})) < 2:
            continue
        t = engine.check_sync(r["text"]).trust
        ratings = list(r["trust"].values())
        for p in PARTS:
            ours[p].append(float(getattr(t, p)))
            theirs[p].append(sum(x[p] for x in ratings) / len(ratings))
        n += 1
    rho = {p: spearman(ours[p], theirs[p]) for p in PARTS}
    print(
        f"{args.split}: {n} rated drafts; Spearman "
        + ", ".join(f"{p} {v:.2f}" for p, v in rho.items())
    )


if __name__ == "__main__":
    main()
