"""Blind ratings of rewrites: would the recipient rather get the draft or rapport's rewrite?

People judge rewrites, not scripts: a rewrite can pass every automatic check and still read
worse than the draft. This prepares the material, and summarises what independent raters say.

    python -m evals.rate prepare --split dev          # 1. drafts, rewrites, batches to fill
    # 2. fillers (evals/briefs/filler.md) fill the [brackets]: fill-K.answers.jsonl
    python -m evals.rate pairs --split dev            # 3. A/B pairs in random order
    # 4. two raters (evals/briefs/rater.md) each rate every batch: rate-K.<rater>.jsonl
    python -m evals.rate summary --split dev          # 5. the numbers

Everything lives in `evals/data/ratings/<split>/`. Flawed drafts are the corpus's English,
settled drafts that the annotators found not well written; each gets rapport's rewrite (or
its note, when it has no rewrite). Fillers see a draft and its rewrite and replace each
[bracket] with words consistent with the draft (an optional bracket may be deleted); raters
see only the two texts of a pair, in random order, and never learn which is which. On the test
split nothing here prints a draft.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evals.corpus.load import load

HERE = Path(__file__).resolve().parent
RATINGS = HERE / "data" / "ratings"
BATCH = 50
_BRACKET = re.compile(r"\[[^\[\]\n]{2,200}\]")
QUESTIONS = ("recipient", "advise", "differ", "broken")


def _folder(split: str, name: str | None = None) -> Path:
    return RATINGS / (name or split)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def flawed_drafts(split: str) -> list[dict[str, Any]]:
    """The split's English, settled drafts that the annotators found not well written."""
    return [
        r
        for r in load(split, scored_only=True)
        if r.get("lang", "en") == "en" and not r["well_written"]
    ]


def prepare(split: str, n: int, seed: int, name: str | None = None) -> None:
    """Rewrite `n` flawed drafts (a seeded sample) and write the batches fillers work on."""
    from rapport.bot.rewriter.rewrite import Rewriter

    drafts = flawed_drafts(split)
    random.Random(seed).shuffle(drafts)
    rewriter = Rewriter()
    rows, help_counts = [], Counter()
    for record in drafts[:n]:
        report = rewriter.check(record["text"])
        rewrite = report.rewrite
        if rewrite is None or rewrite.text is None:
            help_counts["note only" if rewrite is not None and rewrite.note else "nothing"] += 1
            continue
        if rewrite.unchanged:
            help_counts["nothing to change"] += 1
            continue
        help_counts["rewrite"] += 1
        rows.append(
            {
                "id": record["id"],
                "draft": record["text"],
                "rewrite": rewrite.text,
                "brackets": _BRACKET.findall(rewrite.text),
            }
        )
    folder = _folder(split, name)
    _write_jsonl(folder / "rewrites.jsonl", rows)
    for k in range(0, len(rows), BATCH):
        batch = [
            {"item": f"f{k + i:03d}", "draft": r["draft"], "rewrite": r["rewrite"]}
            for i, r in enumerate(rows[k : k + BATCH])
        ]
        _write_jsonl(folder / f"fill-{k // BATCH}.jsonl", batch)
    (folder / "prepared.json").write_text(
        json.dumps({"split": split, "n": n, "seed": seed, "help": dict(help_counts)}, indent=2)
        + "\n",
        "utf-8",
    )
    print(f"{split}: {n} flawed drafts → " + ", ".join(f"{k} {v}" for k, v in help_counts.items()))
    print(f"wrote {len(rows)} rewrites in {-(-len(rows) // BATCH)} fill batches to {folder}")


def _filled(folder: Path) -> dict[str, str]:
    """item → the filled rewrite, from every fill-K.answers.jsonl."""
    out: dict[str, str] = {}
    for path in sorted(folder.glob("fill-*.answers.jsonl")):
        for row in _read_jsonl(path):
            out[str(row["item"])] = str(row["filled"])
    return out


def pairs(split: str, seed: int, name: str | None = None) -> None:
    """A/B pairs (draft and filled rewrite, in random order) in batches for the raters."""
    folder = _folder(split, name)
    rewrites = _read_jsonl(folder / "rewrites.jsonl")
    filled = _filled(folder)
    rng = random.Random(seed)
    rows, key = [], {}
    for i, r in enumerate(rewrites):
        text = filled.get(f"f{i:03d}")
        if text is None:
            continue
        pair = f"p{i:03d}"
        rewrite_is = rng.choice("AB")
        a, b = (text, r["draft"]) if rewrite_is == "A" else (r["draft"], text)
        rows.append({"pair": pair, "A": a, "B": b})
        key[pair] = {
            "id": r["id"],
            "rewrite": rewrite_is,
            "left_brackets": bool(_BRACKET.search(text)),
        }
    rng.shuffle(rows)
    for k in range(0, len(rows), BATCH):
        _write_jsonl(folder / f"rate-{k // BATCH}.jsonl", rows[k : k + BATCH])
    (folder / "key.json").write_text(json.dumps(key, indent=1, sort_keys=True) + "\n", "utf-8")
    print(
        f"{len(rows)} pairs in {-(-len(rows) // BATCH)} rating batches; key in {folder / 'key.json'}"
    )


def _ratings(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """rater → pair → answers, from every rate-K.<rater>.jsonl."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted(folder.glob("rate-*.*.jsonl")):
        rater = path.name.split(".")[1]
        for row in _read_jsonl(path):
            out.setdefault(rater, {})[str(row["pair"])] = {
                q: str(row.get(q, "")) for q in QUESTIONS
            }
    return out


def summary(split: str, name: str | None = None) -> None:
    """What the raters said, per rater and together, with their agreement."""
    folder = _folder(split, name)
    key = json.loads((folder / "key.json").read_text("utf-8"))
    prepared = json.loads((folder / "prepared.json").read_text("utf-8"))
    ratings = _ratings(folder)
    if not ratings:
        raise SystemExit(f"no ratings in {folder} yet")
    print(f"{folder.name}: {prepared['n']} flawed drafts · help: " + ", ".join(
        f"{k} {v}" for k, v in prepared["help"].items()))  # fmt: skip
    for rater, answers in sorted(ratings.items()):
        _print_rater(rater, answers, key)
    raters = sorted(ratings)
    if len(raters) >= 2:
        shared = sorted(set.intersection(*(set(ratings[r]) for r in raters)))
        for q in ("recipient", "advise"):
            same = sum(len({ratings[r][p][q] for r in raters}) == 1 for p in shared)
            print(
                f"  raters agree on '{q}': {same}/{len(shared)} ({same / max(1, len(shared)):.0%})"
            )
    themes = _themes(folder, key)
    if themes["notes"]:
        named = " · ".join(f"{t} {themes[t]}" for t in THEMES if themes[t])
        print(f"  notes on broken rewrites ({themes['notes']}) name: {named}")


#: What a rater's note on a broken rewrite names, counted by keyword (a note may name several).
THEMES: dict[str, re.Pattern[str]] = {
    "lost or narrowed ask": re.compile(
        r"(?i)\b(?:drop|drops|dropped|lost|loses|omits?|omitted|missing|removes?|removed|cut)\b"
        r"[^;,.]*\b(?:ask|request|cta|vote|review|sign-?up|referral|follow\w*|share|intro\w*|"
        r"link|approv\w*)|\b(?:ask|asks|request|vote|link)\w*\s+(?:dropped|lost|missing|removed|"
        r"gone)|never asks|no (?:clear |real )?ask"
    ),
    "repeated line": re.compile(r"(?i)\b(?:repeat\w*|twice|duplicat\w*|double[ds]?)\b"),
    "fragment or garbled": re.compile(
        r"(?i)\b(?:fragment\w*|garbl\w*|dangling|orphan\w*|broken sentence|run-on|scrambled|"
        r"ungrammatical|half[- ]sentence|antecedent|unreferenced|referent|spliced)"
    ),
    "order": re.compile(
        r"(?i)\b(?:order|reorder\w*|jumbled)\b|at the (?:top|start)|before (?:the )?(?:main )?"
        r"(?:ask|greeting|being|it is)"
    ),
    "stray closing, subject or signature": re.compile(
        r"(?i)\b(?:stray|mid-message|mid-body|subject|signature|sign-?off|closing|regards|"
        r"yours (?:faithfully|sincerely))\b"
    ),
    "deadline": re.compile(r"(?i)\b(?:deadline|by friday|today|tonight|this week|urgen\w*)\b"),
    "greeting": re.compile(r"(?i)\b(?:greet\w*|salutation|name after)|'hi [a-z]+"),
    "contradiction": re.compile(r"(?i)\b(?:contradict\w*|no worries)"),
    "group lines": re.compile(r"(?i)\b(?:group|everyone|crowd|channel|one-to-one|1:1|broadcast)\b"),
    "added claim or offer": re.compile(
        r"(?i)\b(?:adds?|added|invent\w*|unconditional)\b[^;,.]*\b(?:claim|fact|offer|"
        r"promise|relationship|project|connection|meetup|commitment)"
    ),
}


def _themes(folder: Path, key: dict[str, Any]) -> Counter[str]:
    """Counts of what the notes on broken rewrites name (keywords, no text printed)."""
    counts: Counter[str] = Counter()
    for path in sorted(folder.glob("rate-*.*.jsonl")):
        for row in _read_jsonl(path):
            pair = key.get(str(row.get("pair")))
            if pair is None or row.get("broken") not in (pair["rewrite"], "both"):
                continue
            counts["notes"] += 1
            note = str(row.get("note", ""))
            for theme, pattern in THEMES.items():
                counts[theme] += bool(pattern.search(note))
    return counts


def _print_rater(rater: str, answers: dict[str, dict[str, str]], key: dict[str, Any]) -> None:
    n = len(answers)
    prefer = sum(a["recipient"] == key[p]["rewrite"] for p, a in answers.items())
    advise = sum(a["advise"] == key[p]["rewrite"] for p, a in answers.items())
    differ = sum(a["differ"].lower().startswith("y") for a in answers.values())
    broken_rw = sum(a["broken"] in (key[p]["rewrite"], "both") for p, a in answers.items())
    broken_dr = sum(
        a["broken"] in ({"A": "B", "B": "A"}[key[p]["rewrite"]], "both") for p, a in answers.items()
    )
    print(
        f"  {rater}: {n} pairs · recipient would rather get the rewrite {prefer / n:.0%} · "
        f"advise sending the rewrite {advise / n:.0%} · differ in facts or commitments "
        f"{differ / n:.0%} · broken: rewrite {broken_rw / n:.0%}, draft {broken_dr / n:.0%}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """prepare | pairs | summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["prepare", "pairs", "summary"])
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--n", type=int, default=260, help="flawed drafts to sample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--name", help="folder under evals/data/ratings/ (default: the split), for a later round"
    )
    args = ap.parse_args(argv)
    if args.step == "prepare":
        prepare(args.split, args.n, args.seed, args.name)
    elif args.step == "pairs":
        pairs(args.split, args.seed, args.name)
    else:
        summary(args.split, args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
