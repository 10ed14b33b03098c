"""Score rapport on hand-labelled outreach drafts, through `rapport check --jsonl` as a user would.

Reports per-rule precision/recall/F1, macro-F1, kind accuracy and the false-alarm rate on
well-written drafts (any error or warning finding counts as a false alarm).

    python -m evals.outreach                       # evals/data/outreach-dev.jsonl
    python -m evals.outreach --data evals/data/outreach-holdout.jsonl
    python -m evals.outreach --show cold-ask       # list this rule's misses and false alarms
    python -m evals.outreach --corpus dev          # the labelled corpus's dev split, by writer

The corpus's test split (`--corpus test`) is scored only in aggregate: `--show` is refused
there, so its items are never read to fix something.  Drafts left unsure after adjudication
are left out; drafts not in English are scored for kind only with `--all-languages`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rapport.bot.models import KINDS, TEXT_RULE_IDS

_HERE = Path(__file__).resolve().parent


def run_rapport(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Results by id, from the real command line."""
    lines = "".join(
        json.dumps(
            {"id": it["id"], "text": it["text"], **({"to": it["to"]} if it.get("to") else {})}
        )
        + "\n"
        for it in items
    )
    proc = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "check", "--jsonl", "-"],
        input=lines.encode(),
        capture_output=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"rapport failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return {r["id"]: r for r in map(json.loads, proc.stdout.decode().splitlines())}


def score(items: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per-rule counts and the headline numbers."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    kind_ok = 0
    kind_confusion: Counter[tuple[str, str]] = Counter()
    well, well_alarm = 0, 0
    for it in items:
        res = results[it["id"]]
        got = {f["rule"] for f in res["findings"]}
        want = set(it["rules"])
        for rule in TEXT_RULE_IDS:
            if rule in got and rule in want:
                tp[rule] += 1
            elif rule in got:
                fp[rule] += 1
            elif rule in want:
                fn[rule] += 1
        kind_ok += res["kind"] == it["kind"]
        if res["kind"] != it["kind"]:
            kind_confusion[(it["kind"], res["kind"])] += 1
        if it.get("well_written"):
            well += 1
            well_alarm += any(f["severity"] in ("error", "warning") for f in res["findings"])
    per_rule = {}
    for rule in TEXT_RULE_IDS:
        p = tp[rule] / (tp[rule] + fp[rule]) if tp[rule] + fp[rule] else 1.0
        r = tp[rule] / (tp[rule] + fn[rule]) if tp[rule] + fn[rule] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_rule[rule] = {"tp": tp[rule], "fp": fp[rule], "fn": fn[rule], "p": p, "r": r, "f1": f1}
    return {
        "per_rule": per_rule,
        "macro_f1": sum(v["f1"] for v in per_rule.values()) / len(per_rule),
        "kind_accuracy": kind_ok / len(items),
        "kind_confusion": kind_confusion,
        "well_written": well,
        "false_alarm_rate": well_alarm / well if well else 0.0,
    }


def per_writer(items: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Macro-F1 over the rules for each writer's drafts alone."""
    writers = sorted({it["writer"] for it in items})
    return {
        w: score([it for it in items if it["writer"] == w], results)["macro_f1"] for w in writers
    }


def load_items(args: argparse.Namespace) -> tuple[str, list[dict[str, Any]]]:
    """The drafts to score, and a name for them."""
    if args.corpus:
        from evals.corpus.load import load

        if args.corpus == "test" and args.show:
            raise SystemExit("the test split is scored in aggregate only: --show is refused")
        items = load(args.corpus, scored_only=True)
        if not args.all_languages:
            items = [it for it in items if it.get("lang", "en") == "en"]
        return f"corpus {args.corpus} split", items
    items = [
        json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line
    ]
    return args.data.name, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_HERE / "data" / "outreach-dev.jsonl")
    parser.add_argument("--corpus", choices=["train", "dev", "test"], help="a corpus split")
    parser.add_argument("--all-languages", action="store_true", help="keep non-English drafts")
    parser.add_argument("--show", metavar="RULE|kind|well", help="print the errors for one rule")
    args = parser.parse_args()
    name, items = load_items(args)
    for it in items:
        assert it["kind"] in KINDS and set(it["rules"]) <= set(TEXT_RULE_IDS), it["id"]
    results = run_rapport(items)
    s = score(items, results)
    print(f"{name}: {len(items)} drafts")
    print(f"{'rule':<20} {'P':>5} {'R':>5} {'F1':>5}   tp  fp  fn")
    for rule, v in s["per_rule"].items():
        print(
            f"{rule:<20} {v['p']:5.2f} {v['r']:5.2f} {v['f1']:5.2f}  {v['tp']:3} {v['fp']:3} {v['fn']:3}"
        )
    print(
        f"macro-F1 {s['macro_f1']:.3f} · kind accuracy {s['kind_accuracy']:.3f} · "
        f"false alarms on well-written {s['false_alarm_rate']:.3f} (of {s['well_written']})"
    )
    if args.corpus:
        spread = per_writer(items, results)
        mean = sum(spread.values()) / len(spread)
        low = min(spread, key=spread.__getitem__)
        print(
            f"per writer macro-F1: mean {mean:.3f}, worst {spread[low]:.3f} ({low}), "
            f"best {max(spread.values()):.3f}"
        )
    if s["kind_confusion"]:
        worst = ", ".join(f"{a}→{b} {n}" for (a, b), n in s["kind_confusion"].most_common(8))
        print(f"kind confusions: {worst}")
    if args.show:
        for it in items:
            res = results[it["id"]]
            got = {f["rule"] for f in res["findings"]}
            if args.show == "kind":
                bad = res["kind"] != it["kind"]
                why = f"want {it['kind']} got {res['kind']}"
            elif args.show == "well":
                bad = bool(it.get("well_written")) and bool(got)
                why = f"flagged {sorted(got)}"
            else:
                bad = (args.show in got) != (args.show in it["rules"])
                why = "FALSE ALARM" if args.show in got else "MISSED"
            if bad:
                print(
                    f"\n[{it['id']}] {why} (kind {it['kind']}/{res['kind']}; want {it['rules']}, "
                    f"got {sorted(got)})\n  {it['text'][:400]}"
                )


if __name__ == "__main__":
    main()
