"""The labelled corpus at a glance, and the checks that it is big, varied and leak-free.

python -m evals.corpus stats            # counts per kind, rule, platform, writer, … + kappas
python -m evals.corpus stats --json     # the same, as JSON
python -m evals.corpus check            # the minimums (exit 1 when one fails)
python -m evals.corpus freeze           # record the test split's hash (once)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from evals.corpus.agreement import kappas
from evals.corpus.grid import HARD_NEGATIVES, LENGTH_BANDS, length_band
from evals.corpus.load import CORPUS, digest_of_test_split, load, splits
from evals.corpus.neardup import close_pairs
from rapport.bot.models import KINDS as ALL_KINDS
from rapport.bot.models import TEXT_RULE_IDS

RULES = list(TEXT_RULE_IDS)
KINDS = list(ALL_KINDS)
MINIMUMS = {
    "drafts": 5000,
    "writers": 24,
    "hard_negatives_each": 150,
    "trust_rated": 600,
    "test_drafts": 1200,
    "test_writers": 6,
}


def collect_stats(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Every count the stats command prints."""
    by = {
        "split": Counter(r["split"] for r in records),
        "kind": Counter(r["kind"] for r in records),
        "rule": Counter(x for r in records for x in r["rules"]),
        "platform": Counter(r["platform"] for r in records),
        "writer": Counter(r["writer"] for r in records),
        "register": Counter(r["register"] for r in records),
        "noise": Counter(x for r in records for x in (r["noise"] or ["none"])),
        "length": Counter(length_band(len(r["text"])) for r in records),
        "courtesy": Counter(r["courtesy"] for r in records),
        "language": Counter(r["lang"] for r in records),
        "hard_negative": Counter(r["case"] for r in records if r["case"]),
        "sender": Counter(r["sender"] for r in records),
        "relationship": Counter(r["relationship"] for r in records),
    }
    per_writer_well = {
        w: sum(r["well_written"] for r in records if r["writer"] == w) / n
        for w, n in by["writer"].items()
    }
    trust_rated = sum(1 for r in records if sum(1 for a in r["annotations"] if "trust" in a) >= 2)
    return {
        "drafts": len(records),
        "writers": len(by["writer"]),
        "well_written": sum(r["well_written"] for r in records),
        "unsure": sum(bool(r["unsure"]) for r in records),
        "adjudicated": sum(bool(r["adjudicated"]) for r in records),
        "trust_rated": trust_rated,
        "with_spans": sum(bool(r["spans"]) for r in records),
        "test_writers": len({r["writer"] for r in records if r["split"] == "test"}),
        "per_writer_well_written": per_writer_well,
        "counts": {k: dict(v.most_common()) for k, v in by.items()},
        "kappa": kappas(records, RULES),
    }


def leaks(records: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """Test drafts close to a train or dev draft: (test id, other id, similarity)."""
    test = [r for r in records if r["split"] == "test"]
    rest = [r for r in records if r["split"] != "test"]
    pairs = close_pairs([r["text"] for r in test], [r["text"] for r in rest])
    return [(test[c.left]["id"], rest[c.right]["id"], c.similarity) for c in pairs]


def failures(stats: dict[str, Any]) -> list[str]:
    """Which minimums of the corpus issue fail (empty when all hold)."""
    out = []
    for key in ("drafts", "writers", "trust_rated", "test_writers"):
        if stats[key] < MINIMUMS[key]:
            out.append(f"{key}: {stats[key]} < {MINIMUMS[key]}")
    test = stats["counts"]["split"].get("test", 0)
    if test < MINIMUMS["test_drafts"]:
        out.append(f"test drafts: {test} < {MINIMUMS['test_drafts']}")
    for case in HARD_NEGATIVES:
        got = stats["counts"]["hard_negative"].get(case, 0)
        if got < MINIMUMS["hard_negatives_each"]:
            out.append(f"hard negative {case}: {got} < {MINIMUMS['hard_negatives_each']}")
    return out


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:5.2f}"


def print_stats(stats: dict[str, Any]) -> None:
    """The stats as plain tables."""
    print(
        f"{stats['drafts']} drafts from {stats['writers']} writers; "
        f"{stats['well_written']} well written ({stats['well_written'] / stats['drafts']:.0%}); "
        f"{stats['adjudicated']} adjudicated; {stats['unsure']} unsure (left out of scoring); "
        f"{stats['trust_rated']} with Trust Quotient ratings from both annotators; "
        f"{stats['with_spans']} with spans"
    )
    order = {
        "length": [f"{lo}-{hi}" for lo, hi in LENGTH_BANDS],
        "kind": KINDS,
        "rule": RULES,
    }
    for name, counts in stats["counts"].items():
        keys = [k for k in order.get(name, []) if k in counts] or list(counts)
        keys += [k for k in counts if k not in keys]
        print(f"\n{name}:")
        line = "  " + "  ".join(f"{k} {counts[k]}" for k in keys)
        print(line)
    wells = stats["per_writer_well_written"]
    print(
        f"\nwell written per writer: min {min(wells.values()):.0%}, max {max(wells.values()):.0%}"
    )
    print("\nagreement between the two annotators (Cohen's kappa; per-batch range; raw agreement)")
    for field, k in stats["kappa"].items():
        print(
            f"  {field:20s} kappa {_fmt(k['kappa'])}  batches {_fmt(k['min'])}..{_fmt(k['max'])}"
            f"  agreement {k['agreement']:.1%}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run a command."""
    ap = argparse.ArgumentParser(prog="python -m evals.corpus", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    st = sub.add_parser("stats", help="counts and agreement")
    st.add_argument("--json", action="store_true")
    sub.add_parser("check", help="the minimums, the frozen test hash and the leak check")
    sub.add_parser("freeze", help="record the test split's hash in splits.json")
    args = ap.parse_args(argv)
    records = load()
    if not records:
        print(f"no corpus files in {CORPUS}")
        return 1
    stats = collect_stats(records)
    if args.cmd == "stats":
        if args.json:
            print(json.dumps(stats, indent=1, sort_keys=True))
        else:
            print_stats(stats)
        return 0
    if args.cmd == "freeze":
        data = splits()
        if data.get("test_sha256"):
            print(f"already frozen: {data['test_sha256']}")
            return 1
        data["test_sha256"] = digest_of_test_split()
        (CORPUS / "splits.json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"test split frozen: {data['test_sha256']}")
        return 0
    problems = failures(stats)
    frozen = splits().get("test_sha256")
    if frozen and frozen != digest_of_test_split():
        problems.append("the test split's files changed since they were frozen")
    problems += [f"leak: {t} is close to {o} ({s:.2f})" for t, o, s in leaks(records)]
    for p in problems:
        print(p)
    print("corpus OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
