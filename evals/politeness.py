"""Stanford Politeness Corpus (Stack Exchange, top vs bottom quartile): does courtesy >= 5 mean polite?

Runs the shipped engine, as a user gets it.  The weights were fitted on this same corpus, so
this is in-sample; `python -m evals.train_courtesy --dry-run` reports the 10-fold
cross-validated accuracy, the honest estimate for unseen text.

    python -m evals.politeness
"""

from __future__ import annotations

import json
from collections import Counter

from evals.data_paths import require
from rapport.bot.engine.engine import Engine


def main() -> None:
    path = require("politeness/stack-exchange.binary.jsonl")
    engine = Engine.default()
    counts: Counter[tuple[str, bool]] = Counter()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            counts[(item["label"], engine.check_sync(item["text"]).courtesy >= 5)] += 1
    total = sum(counts.values())
    right = counts[("polite", True)] + counts[("impolite", False)]
    print(f"{total} requests: accuracy of courtesy >= 5 predicting 'polite' = {right / total:.3f}")
    print(
        f"  polite read as polite {counts[('polite', True)]}, as impolite {counts[('polite', False)]}"
    )
    print(
        f"  impolite read as impolite {counts[('impolite', False)]}, as polite {counts[('impolite', True)]}"
    )


if __name__ == "__main__":
    main()
