"""The corpus workflow outside the repository: writers' files in, annotation batches out.

The work folder (default `/work/corpus-work`, or `$RAPPORT_CORPUS_WORK`) holds what helpers
read and write; nothing there is committed. The steps, in order:

    python -m evals.corpus.stage collect            # parse finished writers' files
    python -m evals.corpus.stage batches w02 w03 …  # make annotation batches (A and B folders)
    python -m evals.corpus.stage disputes b01       # after A and B: what the third annotator settles
    python -m evals.corpus.stage assemble           # write evals/data/corpus/<writer>.jsonl

Annotators see only opaque ids (`bid`), the platform and the text, in their own random order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

from evals.corpus.grid import FLAW_RULE, PLATFORM_LABEL
from evals.corpus.neardup import close_pairs

__all__ = ["collect", "parse_writer"]

REPO = Path(__file__).resolve().parents[2]
WORK = Path(os.environ.get("RAPPORT_CORPUS_WORK", "/work/corpus-work"))
ASSIGNMENTS = REPO / "evals" / "briefs" / "writers" / "assignments.json"
SPLITS = REPO / "evals" / "data" / "corpus" / "splits.json"
BATCH_SIZE = 300
TRUST_SHARE = 0.16
_HEADER = re.compile(r"^@@@ (\d+) \| to=(.*?) \| lang=(\S*)\s*$")


def parse_writer(folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Drafts from a writer's part files, and the problems found (empty when complete)."""
    parts = sorted(folder.glob("part-*.txt"))
    drafts: list[dict[str, Any]] = []
    problems: list[str] = []
    ended = False
    for part in parts:
        current: dict[str, Any] | None = None
        lines: list[str] = []
        for raw in [*part.read_text(encoding="utf-8").splitlines(), "@@@ __EOF__"]:
            if raw.startswith("@@@"):
                if current is not None:
                    current["text"] = "\n".join(lines).strip()
                    drafts.append(current)
                current, lines = None, []
                if raw.strip() == "@@@ END":
                    ended = True
                    continue
                if raw == "@@@ __EOF__":
                    continue
                m = _HEADER.match(raw)
                if not m:
                    problems.append(f"{part.name}: bad header {raw!r}")
                    continue
                current = {"n": int(m[1]), "to": m[2].strip(), "lang": m[3] or "en"}
            elif current is not None:
                lines.append(raw.rstrip())
    numbers = [d["n"] for d in drafts]
    if len(set(numbers)) != len(numbers):
        problems.append("repeated draft numbers")
    if not ended:
        problems.append("no '@@@ END' line yet")
    problems += [f"draft {d['n']} is empty" for d in drafts if not d["text"]]
    return drafts, problems


def collect(writers: list[str] | None = None) -> dict[str, int]:
    """Parse finished writers into `drafts/<writer>.jsonl`, joined with their brief rows."""
    assignments = json.loads(ASSIGNMENTS.read_text(encoding="utf-8"))
    out = WORK / "drafts"
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in writers or sorted(assignments):
        drafts, problems = parse_writer(WORK / "writers" / name)
        if problems:
            print(f"{name}: not collected: {'; '.join(problems[:3])}")
            continue
        rows = {r["n"]: r for r in assignments[name]["rows"]}
        records = []
        for d in sorted(drafts, key=lambda d: d["n"]):
            row = rows.get(d["n"])
            if row is None:
                print(f"{name}: draft {d['n']} has no row in the brief; dropped")
                continue
            records.append(
                {
                    "id": f"{name}-{d['n']:03d}",
                    "writer": name,
                    "text": d["text"],
                    "to": d["to"],
                    "lang": d["lang"],
                    "platform": row["platform"],
                    "sender": row["sender"],
                    "relationship": row["relationship"],
                    "register": row["register"],
                    "noise": row["noise"],
                    "length_target": row["length"],
                    "case": row["special"] or None,
                    "brief": {
                        "kind": row["kind"],
                        "quality": row["quality"],
                        "rules": sorted(FLAW_RULE[f] for f in row["flaws"]),
                    },
                }
            )
        _write_jsonl(out / f"{name}.jsonl", records)
        counts[name] = len(records)
    return counts


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records),
        encoding="utf-8",
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _bid(draft_id: str) -> str:
    return hashlib.sha256(f"rapport-corpus:{draft_id}".encode()).hexdigest()[:8]


def _rate_trust(draft_id: str) -> bool:
    h = int(hashlib.sha256(f"trust:{draft_id}".encode()).hexdigest(), 16)
    return (h % 10_000) / 10_000 < TRUST_SHARE


def dedupe(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Drop near-duplicates within these records and of drafts already batched (first kept)."""
    batched = _batched_records()
    kept: list[dict[str, Any]] = []
    dropped: list[str] = []
    texts = [r["text"] for r in records]
    close_within = close_pairs(texts)
    close_before = close_pairs(texts, [r["text"] for r in batched]) if batched else []
    bad = {c.right for c in close_within} | {c.left for c in close_before}
    for i, r in enumerate(records):
        if i in bad:
            dropped.append(r["id"])
        else:
            kept.append(r)
    return kept, dropped


def _batched_records() -> list[dict[str, Any]]:
    path = WORK / "annot" / "batched.jsonl"
    return _read_jsonl(path) if path.exists() else []


def make_batches(writers: list[str], seed: int) -> list[str]:
    """Annotation batches of these writers' drafts, each in an A and a B folder."""
    records = [r for w in writers for r in _read_jsonl(WORK / "drafts" / f"{w}.jsonl")]
    records, dropped = dedupe(records)
    if dropped:
        print(f"near-duplicates left out: {len(dropped)} ({', '.join(dropped[:8])}…)")
    rng = random.Random(seed)
    rng.shuffle(records)
    n_batches = max(1, round(len(records) / BATCH_SIZE))
    annot = WORK / "annot"
    annot.mkdir(parents=True, exist_ok=True)
    existing = sorted(p.name for p in annot.glob("b[0-9][0-9]"))
    first = len(existing) + 1
    made = []
    for k in range(n_batches):
        name = f"b{first + k:02d}"
        chunk = records[k::n_batches]
        (annot / name).mkdir()
        _write_jsonl(annot / name / "members.jsonl", chunk)
        for side in "AB":
            folder = annot / f"{name}-{side}"
            folder.mkdir()
            items = [
                {
                    "bid": _bid(r["id"]),
                    "platform": PLATFORM_LABEL[r["platform"]],
                    "text": r["text"],
                    **({"rate_trust": True} if _rate_trust(r["id"]) else {}),
                }
                for r in chunk
            ]
            random.Random(f"{seed}:{name}:{side}").shuffle(items)
            _write_jsonl(folder / "batch.jsonl", items)
            _install_guides(folder, "annotator.md")
        made.append(name)
        with (annot / "batched.jsonl").open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk)
    return made


def _install_guides(folder: Path, brief: str) -> None:
    shutil.copy(REPO / "evals" / "briefs" / brief, folder / "BRIEF.md")
    shutil.copy(REPO / "evals" / "LABELLING.md", folder / "LABELLING.md")
    shutil.copy(REPO / "evals" / "corpus" / "validate_labels.py", folder / "validate.py")


RULE_IDS = sorted(FLAW_RULE.values())
FIELDS = ["kind", *RULE_IDS, "courtesy", "well_written"]


def _labels(batch: str, side: str) -> dict[str, dict[str, Any]]:
    folder = WORK / "annot" / f"{batch}-{side}"
    path = folder / "labels.jsonl"
    lines = _read_jsonl(path) if path.exists() else []
    return {x["bid"]: x for x in lines}


def _values(label: dict[str, Any]) -> dict[str, Any]:
    rules = set(label["rules"])
    return {
        "kind": label["kind"],
        **{r: r in rules for r in RULE_IDS},
        "courtesy": label["courtesy"],
        "well_written": label["well_written"],
    }


def disputes(batches: list[str], name: str, seed: int) -> int:
    """An adjudication folder with every disputed field of these annotated batches."""
    rows = []
    for batch in batches:
        members = _read_jsonl(WORK / "annot" / batch / "members.jsonl")
        a, b = _labels(batch, "A"), _labels(batch, "B")
        for r in members:
            bid = _bid(r["id"])
            if bid not in a or bid not in b:
                raise SystemExit(f"{batch}: {r['id']} is not labelled by both annotators yet")
            la, lb = a[bid], b[bid]
            rng = random.Random(f"{seed}:{bid}")
            if rng.random() < 0.5:  # A is not the same annotator every time
                la, lb = lb, la
            va, vb = _values(la), _values(lb)
            disputed: dict[str, Any] = {}
            for f in FIELDS:
                if va[f] != vb[f]:
                    entry: dict[str, Any] = {"A": va[f], "B": vb[f]}
                    for side, lab in (("A", la), ("B", lb)):
                        span = lab.get("spans", {}).get(f)
                        if span and f in RULE_IDS:
                            entry[f"{side}_span"] = span
                    disputed[f] = entry
            if disputed:
                rows.append(
                    {
                        "bid": bid,
                        "platform": PLATFORM_LABEL[r["platform"]],
                        "text": r["text"],
                        "disputed": disputed,
                        "notes": {"A": la.get("note", ""), "B": lb.get("note", "")},
                    }
                )
    random.Random(f"{seed}:{name}").shuffle(rows)
    folder = WORK / "adjud" / name
    folder.mkdir(parents=True)
    _write_jsonl(folder / "disputes.jsonl", rows)
    _install_guides(folder, "adjudicator.md")
    (folder / "batches.json").write_text(json.dumps(batches))
    return len(rows)


def _decisions() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((WORK / "adjud").glob("*/decisions.jsonl")):
        for line in _read_jsonl(path):
            out[line["bid"]] = line
    return out


def settle(
    la: dict[str, Any], lb: dict[str, Any], decision: dict[str, Any] | None
) -> tuple[dict[str, Any], list[str], bool]:
    """Final values, the fields the third annotator decided, and whether any stays unsure."""
    va, vb = _values(la), _values(lb)
    final: dict[str, Any] = {}
    decided, unsure = [], False
    for f in FIELDS:
        if va[f] == vb[f]:
            final[f] = va[f]
            continue
        if decision is None or f not in decision:
            raise KeyError(f)
        decided.append(f)
        value = decision[f]
        if value == "unsure":
            unsure = True
            value = va[f] if f not in RULE_IDS else (va[f] or vb[f])
        final[f] = value
    # Both annotators doubting a draft, even when they agreed, leaves it out of scoring too.
    unsure = unsure or (la.get("unsure") is True and lb.get("unsure") is True)
    rules = [r for r in RULE_IDS if final[r]]
    well = bool(final["well_written"]) and not rules
    spans = {}
    for r in rules:
        span = la.get("spans", {}).get(r) or lb.get("spans", {}).get(r)
        if span:
            spans[r] = span
    return (
        {
            "kind": final["kind"],
            "rules": rules,
            "spans": spans,
            "well_written": well,
            "courtesy": final["courtesy"],
        },
        decided,
        unsure,
    )


def _trust_ratings(batch: str, la: dict[str, Any], lb: dict[str, Any]) -> dict[str, Any]:
    """`{"trust": {annotator: parts}}` when both annotators rated the draft, else nothing."""
    if "trust" not in la or "trust" not in lb:
        return {}
    return {"trust": {f"{batch}-A": la["trust"], f"{batch}-B": lb["trust"]}}


def _annotation(side: str, label: dict[str, Any]) -> dict[str, Any]:
    keep = ("lang", "kind", "rules", "well_written", "courtesy", "unsure", "note", "trust")
    return {"by": side, **{k: label[k] for k in keep if k in label and label[k] != ""}}


SPLIT_RANK = {"test": 0, "dev": 1, "train": 2}


def dropped_before_annotation() -> dict[str, str]:
    """Drafts written but never batched (near-duplicates found before annotation): id -> why."""
    batched = _batched_records()
    seen = {r["id"] for r in batched}
    written = [r for p in sorted((WORK / "drafts").glob("w*.jsonl")) for r in _read_jsonl(p)]
    left = [r for r in written if r["id"] not in seen]
    if not left:
        return {}
    out = {}
    pairs = close_pairs([r["text"] for r in left], [r["text"] for r in batched])
    for c in sorted(pairs, key=lambda c: -c.similarity):
        out.setdefault(
            left[c.left]["id"],
            f"close to {batched[c.right]['id']} (Jaccard {c.similarity:.2f}), before annotation",
        )
    for r in left:
        out.setdefault(r["id"], "close to another draft, before annotation")
    return out


def drop_cross_split_duplicates(by_writer: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Remove near-duplicates across splits, keeping the test side, then dev: id -> reason."""
    split = json.loads(SPLITS.read_text())["writers"]
    flat = [(w, r) for w, rs in by_writer.items() for r in rs]
    removed: dict[str, str] = {}
    for c in close_pairs([r["text"] for _, r in flat]):
        (wl, rl), (wr, rr) = flat[c.left], flat[c.right]
        if split[wl] == split[wr]:
            continue
        loser, keeper = (rr, rl) if SPLIT_RANK[split[wl]] < SPLIT_RANK[split[wr]] else (rl, rr)
        removed[loser["id"]] = f"close to {keeper['id']} (Jaccard {c.similarity:.2f})"
    for w in by_writer:
        by_writer[w] = [r for r in by_writer[w] if r["id"] not in removed]
    return removed


def assemble(out_dir: Path) -> dict[str, int]:
    """Write one JSONL file per writer whose drafts are all labelled and settled."""
    decisions = _decisions()
    by_writer: dict[str, list[dict[str, Any]]] = {}
    pending: dict[str, int] = {}
    for folder in sorted((WORK / "annot").glob("b[0-9][0-9]")):
        a, b = _labels(folder.name, "A"), _labels(folder.name, "B")
        for r in _read_jsonl(folder / "members.jsonl"):
            bid = _bid(r["id"])
            if bid not in a or bid not in b:
                pending[r["writer"]] = pending.get(r["writer"], 0) + 1
                continue
            try:
                gold, decided, unsure = settle(a[bid], b[bid], decisions.get(bid))
            except KeyError:
                pending[r["writer"]] = pending.get(r["writer"], 0) + 1
                continue
            record = {
                "id": r["id"],
                "text": r["text"],
                "writer": r["writer"],
                "platform": r["platform"],
                **gold,
                "lang": r["lang"],
                "to": r["to"],
                "sender": r["sender"],
                "relationship": r["relationship"],
                "register": r["register"],
                "noise": r["noise"],
                "case": r["case"],
                "unsure": unsure,
                **_trust_ratings(folder.name, a[bid], b[bid]),
                "adjudicated": decided,
                "annotations": [
                    _annotation(f"{folder.name}-A", a[bid]),
                    _annotation(f"{folder.name}-B", b[bid]),
                ],
                "brief": r["brief"],
            }
            by_writer.setdefault(r["writer"], []).append(record)
    out_dir.mkdir(parents=True, exist_ok=True)
    for writer in sorted(pending):
        print(f"{writer}: {pending[writer]} drafts not settled yet; not written")
        by_writer.pop(writer, None)
    removed = {**dropped_before_annotation(), **drop_cross_split_duplicates(by_writer)}
    (out_dir / "removed.json").write_text(json.dumps(removed, indent=1, sort_keys=True) + "\n")
    written = {}
    for writer, records in sorted(by_writer.items()):
        records.sort(key=lambda x: x["id"])
        _write_jsonl(out_dir / f"{writer}.jsonl", records)
        written[writer] = len(records)
    return written


def main(argv: list[str] | None = None) -> None:
    """Run one step of the workflow."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="step", required=True)
    c = sub.add_parser("collect")
    c.add_argument("writers", nargs="*")
    b = sub.add_parser("batches")
    b.add_argument("writers", nargs="+")
    b.add_argument("--seed", type=int, default=7)
    d = sub.add_parser("disputes")
    d.add_argument("name")
    d.add_argument("batches", nargs="+")
    d.add_argument("--seed", type=int, default=11)
    sub.add_parser("assemble")
    args = ap.parse_args(argv)
    if args.step == "assemble":
        print(assemble(REPO / "evals" / "data" / "corpus"))
    elif args.step == "disputes":
        print(disputes(args.batches, args.name, args.seed), "disputed drafts")
    elif args.step == "collect":
        print(collect(args.writers or None))
    elif args.step == "batches":
        print(make_batches(args.writers, args.seed))


if __name__ == "__main__":
    main()
