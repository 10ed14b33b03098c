"""Train rapport's learned reader and write it into the package as data, with a manifest.

    pip install -e '.[train]'
    python -m evals.train                 # train, pick settings on dev, write rules/models/
    python -m evals.train --dry-run       # the same, print dev metrics, write nothing

Trains on the corpus's train split, plus the real data in `../shared/data` where it fits (SMS
and YouTube spam for the kind, Stack Exchange requests for courtesy); picks each head's
regularisation on the dev split; calibrates the rules on dev and sets each rule's threshold for
every sensitivity from dev precision. The test split is never read here. Same code, same data,
same seed: same bytes (`--check` retrains and compares).
"""

from __future__ import annotations

import os

# One BLAS thread: summation order, and so the last bits of every weight, must not depend on
# how many cores the machine has.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from evals.learn import data  # noqa: E402
from evals.learn.artifact import code_version, data_digest, write_artifact  # noqa: E402
from evals.learn.fit import (  # noqa: E402
    PRECISION,
    Head,
    fit_binary,
    fit_kind,
    fit_ridge,
    platt,
    sigmoid,
    threshold_for_precision,
)
from evals.learn.matrix import EVIDENCE_SCALE, build_matrix  # noqa: E402
from evals.learn.metrics import spearman  # noqa: E402
from rapport.bot.engine.reader.features import HashSpace, evidence_names  # noqa: E402
from rapport.bot.models import KINDS, TEXT_RULE_IDS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "rules" / "models"
C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
ALPHA_GRID = (1.0, 3.0, 10.0, 30.0)
#: How much a real spam/ham message counts against a corpus draft when learning the kind.
REAL_WEIGHT = {"sms": 0.5, "youtube": 0.5}
#: Character n-gram lengths. (3, 5) halves the hashing per check for the same mean dev AP,
#: but its thresholds fell worse on dev (macro-F1 0.701 against 0.710, cold-ask 0.45 against
#: 0.52): kept at 2–5.
CHAR_NS = (2, 3, 4, 5)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Trainer:
    """Everything one training run needs, built once."""

    def __init__(
        self,
        bits: int,
        use_evidence: bool,
        use_real: bool,
        evidence_top: int = 0,
        char_ns: tuple[int, ...] = CHAR_NS,
    ) -> None:
        self.space = HashSpace(bits, char_ns)
        self.names = evidence_names() if use_evidence else ()
        self.train = data.corpus_examples("train")
        self.dev = data.corpus_examples("dev")
        self.real = (
            {
                "sms": data.sms_examples(),
                "youtube": data.youtube_examples(),
                "politeness": data.politeness_examples(),
            }
            if use_real
            else {"sms": [], "youtube": [], "politeness": []}
        )
        if not self.train or not self.dev:
            raise SystemExit("no corpus train/dev drafts: evals/data/corpus/ is empty")
        _say(
            f"train {len(self.train)} · dev {len(self.dev)} corpus drafts; real: "
            + ", ".join(f"{k} {len(v)}" for k, v in self.real.items())
            + ("" if use_real and any(self.real.values()) else " (../shared/data not found)")
        )
        self.Xtr = build_matrix(self.train, self.space, self.names)
        self.Xdev = build_matrix(self.dev, self.space, self.names)
        if evidence_top and len(self.names) > evidence_top:
            self.names = self._useful_evidence(evidence_top)
            self.Xtr = build_matrix(self.train, self.space, self.names)
            self.Xdev = build_matrix(self.dev, self.space, self.names)

    def _useful_evidence(self, top: int) -> tuple[str, ...]:
        """The `top` evidence features that move the rules most on train (spread × weight).

        Every evidence feature costs time on every check; most carry little the n-grams don't.
        Chosen from a quick fit on train only, so dev stays untouched.
        """
        ev = self.Xtr[:, self.space.size :].toarray()
        spread = ev.std(axis=0)
        weight = np.zeros(len(self.names))
        for rule in TEXT_RULE_IDS:
            y = np.array([rule in (e.rules or ()) for e in self.train], dtype=float)
            head = fit_binary(self.Xtr, y, 30.0)
            weight = np.maximum(weight, np.abs(head.weights[self.space.size :, 0]))
        order = np.argsort(-(spread * weight), kind="stable")[:top]
        keep = tuple(self.names[i] for i in sorted(order))
        _say(f"evidence: kept {len(keep)} of {len(self.names)} features")
        return keep

    # -- kind ---------------------------------------------------------------------------------
    def kind(self) -> tuple[Head, dict[str, Any]]:
        """The kind head, its C picked on dev accuracy."""
        extra = self.real["sms"] + self.real["youtube"]
        ex = self.train + extra
        X = build_matrix(ex, self.space, self.names)
        y = [e.kind or "other" for e in ex]
        w = np.array([REAL_WEIGHT.get(e.source, 1.0) for e in ex])
        truth = np.array([e.kind for e in self.dev])
        best: tuple[float, float, Head] | None = None
        for C in C_GRID:
            head = fit_kind(X, y, KINDS, C, w)
            acc = float(np.mean(np.array(KINDS)[head.scores(self.Xdev).argmax(1)] == truth))
            _say(f"  kind C={C}: dev accuracy {acc:.3f}")
            if best is None or acc > best[0]:
                best = (acc, C, head)
        assert best is not None
        return best[2], {"C": best[1], "dev_accuracy": best[0]}

    # -- rules --------------------------------------------------------------------------------
    def rule(self, rule: str, kind_dev: np.ndarray) -> tuple[Head, dict[str, Any]]:
        """One rule's head, its C picked on dev average precision; calibration and thresholds.

        A rule that belongs to some kinds (its file's `kinds`, `other` aside) is also tried as
        a *factored* head: trained only on drafts of those kinds, its probability multiplied by
        the reader's probability that the draft is one of them. Dev picks the better.
        """
        own = data.rule_examples(rule)
        X = sp.vstack([self.Xtr, build_matrix(own, self.space, self.names)]).tocsr()
        y = np.array([rule in (e.rules or ()) for e in self.train + own], dtype=float)
        ydev = np.array([rule in (e.rules or ()) for e in self.dev], dtype=float)
        kinds = _rule_kinds(rule)
        in_kinds = np.array([e.kind in kinds for e in self.train] + [True] * len(own), dtype=bool)
        share = kind_dev[:, [KINDS.index(k) for k in kinds]].sum(1) if kinds else None
        best: tuple[float, float, Head, bool] | None = None
        for factored in (False, True) if kinds else (False,):
            rows = np.flatnonzero(in_kinds) if factored else np.arange(X.shape[0])
            for C in C_GRID:
                head = fit_binary(X[rows], y[rows], C)
                z = head.scores(self.Xdev)[:, 0]
                score = _factored_logit(z, share) if factored and share is not None else z
                ap = average_precision(score, ydev)
                if best is None or ap > best[0]:
                    best = (ap, C, head, factored)
        assert best is not None
        ap, C, head, factored = best
        z = head.scores(self.Xdev)[:, 0]
        if factored and share is not None:
            z = _factored_logit(z, share)
        a, b = platt(z, ydev)
        prob = sigmoid(a * z + b)
        thresholds = {s: threshold_for_precision(prob, ydev, p) for s, p in PRECISION.items()}
        flagged = prob >= thresholds["balanced"]
        tp = float((flagged & (ydev > 0)).sum())
        precision = tp / max(1.0, float(flagged.sum()))
        recall = tp / max(1.0, float(ydev.sum()))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        _say(
            f"  {rule:18s} C={C:<4}{' factored' if factored else ''} AP {ap:.3f}  "
            f"balanced t={thresholds['balanced']:.3f} "
            f"P {precision:.2f} R {recall:.2f} F1 {f1:.2f} (dev positives {int(ydev.sum())})"
        )
        info = {
            "C": C,
            "factor_kinds": sorted(kinds) if factored else [],
            "dev_average_precision": ap,
            "calibration": [a, b],
            "thresholds": thresholds,
            "dev_balanced": {"precision": precision, "recall": recall, "f1": f1},
            "dev_positives": int(ydev.sum()),
        }
        return head, info

    # -- courtesy -----------------------------------------------------------------------------
    def courtesy(self) -> tuple[Head, dict[str, Any]]:
        """Courtesy: corpus labels (neutral counts half) and Stack Exchange requests."""
        ex = self.train + self.real["politeness"]
        X = build_matrix(ex, self.space, self.names)
        y = np.array([e.courtesy for e in ex], dtype=float)
        dev = [(i, e) for i, e in enumerate(self.dev) if e.courtesy in (0.0, 1.0)]
        rows = [i for i, _ in dev]
        truth = np.array([e.courtesy for _, e in dev])
        best: tuple[float, float, Head] | None = None
        for C in C_GRID:
            head = fit_binary(X, y, C)
            pred = head.scores(self.Xdev[rows])[:, 0] >= 0
            acc = float(np.mean(pred == (truth > 0.5)))
            _say(f"  courtesy C={C}: dev polite/impolite accuracy {acc:.3f}")
            if best is None or acc > best[0]:
                best = (acc, C, head)
        assert best is not None
        return best[2], {"C": best[1], "dev_accuracy": best[0]}

    # -- trust --------------------------------------------------------------------------------
    def trust(self) -> tuple[Head, dict[str, Any]]:
        """The Trust Quotient parts, from the drafts both annotators rated."""
        tr = [i for i, e in enumerate(self.train) if e.trust]
        dv = [i for i, e in enumerate(self.dev) if e.trust]
        y = np.array([[self.train[i].trust[p] for p in data.TRUST_PARTS] for i in tr])  # type: ignore[index]
        ydev = np.array([[self.dev[i].trust[p] for p in data.TRUST_PARTS] for i in dv])  # type: ignore[index]
        best: tuple[float, float, Head, list[float]] | None = None
        for alpha in ALPHA_GRID:
            head = fit_ridge(self.Xtr[tr], y, alpha)
            pred = head.scores(self.Xdev[dv])
            rho = [spearman(pred[:, k], ydev[:, k]) for k in range(len(data.TRUST_PARTS))]
            _say(f"  trust alpha={alpha}: dev Spearman {', '.join(f'{r:.2f}' for r in rho)}")
            if best is None or min(rho) > best[0]:
                best = (min(rho), alpha, head, rho)
        assert best is not None
        return best[2], {
            "alpha": best[1],
            "dev_spearman": dict(zip(data.TRUST_PARTS, best[3], strict=True)),
            "train_rated": len(tr),
            "dev_rated": len(dv),
        }

    def digest(self) -> str:
        """sha256 over every example the model learns from, with its labels."""
        own = [x for r in TEXT_RULE_IDS for x in data.rule_examples(r)]
        rows = [
            (
                e.source,
                e.id,
                f"{e.kind}|{sorted(e.rules or ())}|{e.courtesy}|{sorted((e.trust or {}).items())}",
            )
            for e in self.train + own + [x for v in self.real.values() for x in v]
        ]
        return data_digest(rows)


def _rule_kinds(rule: str) -> list[str]:
    """The outreach kinds a rule belongs to (its file's `kinds` without `other`)."""
    from rapport.bot.engine.rules import load_rules

    kinds = next(r.kinds for r in load_rules() if r.id == rule)
    return [k for k in kinds if k != "other"]


def _factored_logit(z: np.ndarray, share: np.ndarray) -> np.ndarray:
    """logit(sigmoid(z) · share): the factored head's score, as the runtime computes it."""
    p = np.clip(sigmoid(z) * share, 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


def average_precision(scores: np.ndarray, y: np.ndarray) -> float:
    """Area under the precision-recall curve, by the step rule."""
    if y.sum() == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(y[order])
    precision = hits / np.arange(1, len(order) + 1)
    return float((precision * y[order]).sum() / y.sum())


def train(
    bits: int,
    use_evidence: bool,
    use_real: bool,
    seed: int,
    evidence_top: int = 0,
    char_ns: tuple[int, ...] = CHAR_NS,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Fit every head and return the weight matrix and the manifest (without weights' hash)."""
    np.random.seed(seed)
    t = Trainer(bits, use_evidence, use_real, evidence_top, char_ns)
    _say("kind:")
    kind_head, kind_info = t.kind()
    kz = kind_head.scores(t.Xdev)
    kz = np.exp(kz - kz.max(1, keepdims=True))
    kind_dev = kz / kz.sum(1, keepdims=True)
    _say("rules:")
    rules = [t.rule(r, kind_dev) for r in TEXT_RULE_IDS]
    _say("courtesy:")
    courtesy_head, courtesy_info = t.courtesy()
    _say("trust:")
    trust_head, trust_info = t.trust()
    heads = [kind_head, *(h for h, _ in rules), courtesy_head, trust_head]
    weights = np.hstack([h.weights for h in heads])
    weights[t.space.size :] *= EVIDENCE_SCALE  # the runtime feeds raw evidence values
    weights = weights.astype(np.float16)
    bias = np.concatenate([h.bias for h in heads])
    rule_info = {r: info for r, (_, info) in zip(TEXT_RULE_IDS, rules, strict=True)}
    f1s = [i["dev_balanced"]["f1"] for i in rule_info.values()]
    manifest = {
        "format": 1,
        "name": "rapport-reader",
        "trained_by": "python -m evals.train",
        "seed": seed,
        "code_version": code_version(),
        "training_data": {
            "sha256": t.digest(),
            "corpus_train": len(t.train),
            "corpus_dev": len(t.dev),
            **{k: len(v) for k, v in t.real.items()},
        },
        "hash_space": t.space.to_json(),
        "evidence": list(t.names),
        "outputs": {
            "kinds": list(KINDS),
            "rules": list(TEXT_RULE_IDS),
            "trust": list(data.TRUST_PARTS),
        },
        "bias": bias.astype(float).tolist(),
        "calibration": {r: i["calibration"] for r, i in rule_info.items()},
        "factor_kinds": {r: i["factor_kinds"] for r, i in rule_info.items() if i["factor_kinds"]},
        "thresholds": {r: i["thresholds"] for r, i in rule_info.items()},
        "settings": {
            "kind_C": kind_info["C"],
            "courtesy_C": courtesy_info["C"],
            "trust_alpha": trust_info["alpha"],
            "rule_C": {r: i["C"] for r, i in rule_info.items()},
            "precision_targets": PRECISION,
        },
        "dev_metrics": {
            "kind_accuracy": kind_info["dev_accuracy"],
            "rules_macro_f1_balanced": sum(f1s) / len(f1s),
            "rules": {
                r: {k: i[k] for k in ("dev_average_precision", "dev_balanced", "dev_positives")}
                for r, i in rule_info.items()
            },
            "courtesy_accuracy": courtesy_info["dev_accuracy"],
            "trust_spearman": trust_info["dev_spearman"],
        },
        "libraries": {"numpy": np.__version__, "scikit-learn": _sklearn_version()},
    }
    return weights, manifest


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


def main(argv: Sequence[str] | None = None) -> int:
    """Train and write (or compare) the artifact."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bits", type=int, default=17, help="hash space: 2**bits buckets")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-evidence", action="store_true", help="n-grams only")
    ap.add_argument(
        "--evidence-top", type=int, default=40, help="keep this many evidence features (0: all)"
    )
    ap.add_argument(
        "--char-ns",
        type=lambda v: tuple(int(n) for n in v.split(",")),
        default=CHAR_NS,
        help="character n-gram lengths, comma-separated (default %(default)s)",
    )
    ap.add_argument("--no-real", action="store_true", help="the corpus only")
    ap.add_argument("--dry-run", action="store_true", help="print dev metrics, write nothing")
    ap.add_argument(
        "--check", action="store_true", help="retrain and compare with the shipped files"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    weights, manifest = train(
        args.bits,
        not args.no_evidence,
        not args.no_real,
        args.seed,
        args.evidence_top,
        args.char_ns,
    )
    m = manifest["dev_metrics"]
    print(
        f"dev: kind accuracy {m['kind_accuracy']:.3f} · rules macro-F1 (balanced) "
        f"{m['rules_macro_f1_balanced']:.3f} · courtesy {m['courtesy_accuracy']:.3f} · trust "
        + ", ".join(f"{k} {v:.2f}" for k, v in m["trust_spearman"].items())
    )
    if args.dry_run:
        return 0
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            write_artifact(Path(tmp), "reader", weights, manifest)
            same = all(
                (Path(tmp) / f).read_bytes() == (args.out / f).read_bytes()
                for f in ("reader.npy", "reader.json")
            )
        print("same bytes as the shipped model" if same else "DIFFERENT from the shipped model")
        return 0 if same else 1
    digest = write_artifact(args.out, "reader", weights, manifest)
    print(f"wrote {args.out / 'reader.npy'} (sha256 {digest[:16]}…) and reader.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
