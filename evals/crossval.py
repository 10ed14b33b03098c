"""The learned reader on real data it partly trains on, measured on folds it never saw.

The shipped model learns the kind from the SMS dev half and the YouTube videos and courtesy
from the Stack Exchange requests, so scoring it on them would be in-sample. Here each fold
retrains only the head that data feeds (kind or courtesy, with the shipped settings) without
that fold, puts it into a copy of the shipped model, and runs the real engine on the fold.

    python -m evals.crossval sms          # 10 folds of the SMS dev half
    python -m evals.crossval youtube      # leave one video out
    python -m evals.crossval politeness   # 10 folds of Stack Exchange: courtesy >= 5 is polite
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import copy  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from evals.learn import data  # noqa: E402
from evals.learn.fit import Head, fit_binary, fit_kind  # noqa: E402
from evals.learn.matrix import EVIDENCE_SCALE, build_matrix  # noqa: E402
from evals.train import REAL_WEIGHT  # noqa: E402
from rapport.bot.engine.engine import Engine  # noqa: E402
from rapport.bot.engine.reader.dense import DenseTable  # noqa: E402
from rapport.bot.engine.reader.model import Reader, reader  # noqa: E402
from rapport.bot.models import KINDS, Kind  # noqa: E402

FLAG_RULES = {"blast", "engagement-bait"}


def _with_head(base: Reader, head: Head, cols: slice) -> Reader:
    """A copy of the shipped model with one head's weights and biases replaced."""
    assert isinstance(base.table, DenseTable)
    weights = base.table.matrix()
    w = head.weights.copy()
    w[base.space.size :] *= EVIDENCE_SCALE
    weights[:, cols] = w
    manifest = copy.deepcopy(base.manifest)
    bias = np.asarray(manifest["bias"], dtype=float)
    bias[cols] = head.bias
    manifest["bias"] = bias.tolist()
    return Reader(manifest, DenseTable.from_array(weights.astype(np.float16), base.space))


def _folds(examples: list[data.Example]) -> list[str]:
    return sorted({e.group for e in examples})


def kind_folds(name: str, examples: list[data.Example], is_hit: Callable[..., bool]) -> None:
    """Retrain the kind head without each fold and check the fold through the engine."""
    base = reader()
    m = base.manifest
    names = tuple(m["evidence"])
    space = base.space
    corpus = data.corpus_examples("train")
    others = [e for src, exs in (("sms", data.sms_examples()), ("youtube", data.youtube_examples()))
              if src != name for e in exs]  # fmt: skip
    C = float(m["settings"]["kind_C"])
    counts = {True: [0, 0], False: [0, 0]}  # spam: [caught, n]; ham: [touched, n]
    for fold in _folds(examples):
        held = [e for e in examples if e.group == fold]
        kept = [e for e in examples if e.group != fold]
        ex = corpus + others + kept
        X = build_matrix(ex, space, names)
        w = np.array([REAL_WEIGHT.get(e.source, 1.0) for e in ex])
        head = fit_kind(X, [e.kind or "other" for e in ex], KINDS, C, w)
        engine = Engine(model=_with_head(base, head, slice(0, len(KINDS))))
        caught = n = 0
        for e in held:
            hit = is_hit(engine, e.text)
            spam = bool(e.meta["spam"])
            counts[spam][0] += hit
            counts[spam][1] += 1
            caught += hit == spam
            n += 1
        print(f"  fold {fold}: {caught}/{n} right", file=sys.stderr)
    s_hit, s_n = counts[True]
    h_hit, h_n = counts[False]
    print(
        f"{name}: spam read as promotion or flagged blast/engagement-bait {s_hit / s_n:.1%} "
        f"({s_hit}/{s_n}) · ordinary messages touched {h_hit / h_n:.1%} ({h_hit}/{h_n})"
    )


def caught(engine: Engine, text: str) -> bool:
    """Promotion, or a blast / engagement-bait finding: what a spam message should get."""
    report = engine.check_sync(text)
    return report.kind is Kind.PROMOTION or any(f.rule in FLAG_RULES for f in report.findings)


def politeness_folds() -> None:
    """Retrain the courtesy head without each fold; courtesy >= 5 must mean polite."""
    base = reader()
    m = base.manifest
    names = tuple(m["evidence"])
    examples = data.politeness_examples()
    corpus = data.corpus_examples("train")
    col = len(m["outputs"]["kinds"]) + len(m["outputs"]["rules"])
    C = float(m["settings"]["courtesy_C"])
    right = total = 0
    for fold in _folds(examples):
        held = [e for e in examples if e.group == fold]
        kept = [e for e in examples if e.group != fold]
        ex = corpus + kept
        X = build_matrix(ex, base.space, names)
        head = fit_binary(X, np.array([e.courtesy for e in ex], dtype=float), C)
        engine = Engine(model=_with_head(base, head, slice(col, col + 1)))
        ok = sum((engine.check_sync(e.text).courtesy >= 5) == (e.courtesy == 1.0) for e in held)
        right += ok
        total += len(held)
        print(f"  fold {fold}: {ok}/{len(held)}", file=sys.stderr)
    print(f"politeness (Stack Exchange, 10 folds): accuracy of courtesy >= 5 {right / total:.3f}")


def main() -> int:
    """Run one cross-validation."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", choices=["sms", "youtube", "politeness"])
    args = ap.parse_args()
    if args.data == "politeness":
        if not data.politeness_examples():
            print("skipped: ../shared/data/politeness not found")
            return 0
        politeness_folds()
        return 0
    examples = data.sms_examples() if args.data == "sms" else data.youtube_examples()
    if not examples:
        print(f"skipped: ../shared/data for {args.data} not found")
        return 0
    kind_folds(args.data, examples, caught)
    return 0


if __name__ == "__main__":
    sys.exit(main())
