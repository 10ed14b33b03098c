"""Check an annotator's or adjudicator's output file for form, not for judgment.

Copied into each annotation folder as `validate.py` and run there by the annotator:

    python3 validate.py            # checks labels.jsonl against batch.jsonl

Standard library only, because annotators run it outside the project's environment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KINDS = {
    "endorsement_request",
    "referral_request",
    "endorsement",
    "connection_request",
    "promotion",
    "reciprocation",
    "other",
}
RULES = {
    "cold-ask",
    "ask-before-give",
    "quid-pro-quo",
    "blast",
    "engagement-bait",
    "self-centered",
    "vague-praise",
    "hollow-endorsement",
    "pressure",
    "impersonal",
    "curt",
}
COURTESY = {"polite", "neutral", "impolite"}
TRUST = ("credibility", "reliability", "intimacy", "self_orientation")


def label_problems(line: dict, item: dict) -> list[str]:
    """What is malformed in one annotation line (empty when it is well formed)."""
    out = []
    if line.get("kind") not in KINDS:
        out.append(f"kind {line.get('kind')!r} is not one of {sorted(KINDS)}")
    rules = line.get("rules")
    if not isinstance(rules, list) or any(r not in RULES for r in rules):
        out.append(f"rules {rules!r} must be a list of rule ids from {sorted(RULES)}")
        rules = []
    if len(set(rules)) != len(rules):
        out.append("a rule is listed twice")
    spans = line.get("spans", {})
    if not isinstance(spans, dict):
        out.append("spans must be an object {rule: words}")
    else:
        for rule, words in spans.items():
            if rule not in rules:
                out.append(f"span for {rule!r}, which is not in rules")
            elif not isinstance(words, str) or not words:
                out.append(f"span for {rule!r} must be a non-empty string")
            elif words != "(whole message)" and " ".join(words.split()) not in " ".join(
                item["text"].split()
            ):
                out.append(f"span for {rule!r} is not copied exactly from the text: {words!r}")
    if not isinstance(line.get("well_written"), bool):
        out.append("well_written must be true or false")
    elif line["well_written"] and rules:
        out.append("well_written is true but rules are listed")
    if line.get("courtesy") not in COURTESY:
        out.append(f"courtesy must be one of {sorted(COURTESY)}")
    if not isinstance(line.get("unsure"), bool):
        out.append("unsure must be true or false")
    if not isinstance(line.get("lang"), str) or not line.get("lang"):
        out.append("lang must be a language code such as 'en'")
    if item.get("rate_trust"):
        trust = line.get("trust")
        if not isinstance(trust, dict) or any(
            not isinstance(trust.get(k), int) or not 0 <= trust[k] <= 10 for k in TRUST
        ):
            out.append(f"trust must give whole numbers 0-10 for {', '.join(TRUST)}")
    return out


def decision_problems(line: dict, item: dict) -> list[str]:
    """What is malformed in one adjudicator decision (empty when it is well formed)."""
    out = []
    for field in item["disputed"]:
        value = line.get(field)
        if value == "unsure":
            continue
        if field == "kind" and value not in KINDS:
            out.append(f"kind {value!r} is not one of {sorted(KINDS)} or 'unsure'")
        elif field == "courtesy" and value not in COURTESY:
            out.append(f"courtesy {value!r} is not one of {sorted(COURTESY)} or 'unsure'")
        elif (field in RULES or field == "well_written") and not isinstance(value, bool):
            out.append(f"{field} must be true, false or 'unsure'")
    extra = set(line) - set(item["disputed"]) - {"bid", "note"}
    if extra:
        out.append(f"fields that were not disputed: {sorted(extra)}")
    return out


def check_decisions(here: Path) -> int:
    """The adjudicator's mode: decisions.jsonl against disputes.jsonl."""
    rows = [json.loads(x) for x in (here / "disputes.jsonl").read_text().splitlines() if x]
    items = {r["bid"]: r for r in rows}
    path = here / "decisions.jsonl"
    if not path.exists():
        print("decisions.jsonl is missing")
        return 1
    seen: set[str] = set()
    problems = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc})")
            continue
        bid = line.get("bid")
        if bid not in items or bid in seen:
            problems.append(f"line {n}: bid {bid!r} is unknown or repeated")
            continue
        seen.add(bid)
        problems += [f"line {n} ({bid}): {p}" for p in decision_problems(line, items[bid])]
    missing = [b for b in items if b not in seen]
    if missing:
        problems.append(f"{len(missing)} messages not decided yet, first: {missing[:5]}")
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


def main() -> int:
    """Print every problem found; exit 1 if there are any."""
    here = Path.cwd()
    if (here / "disputes.jsonl").exists():
        return check_decisions(here)
    batch = [json.loads(x) for x in (here / "batch.jsonl").read_text().splitlines() if x.strip()]
    items = {b["bid"]: b for b in batch}
    path = here / "labels.jsonl"
    if not path.exists():
        print("labels.jsonl is missing")
        return 1
    seen: dict[str, int] = {}
    problems = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not valid JSON ({exc})")
            continue
        bid = line.get("bid")
        if bid not in items:
            problems.append(f"line {n}: bid {bid!r} is not in the batch")
            continue
        if bid in seen:
            problems.append(f"line {n}: bid {bid} already labelled on line {seen[bid]}")
        seen[bid] = n
        problems += [f"line {n} ({bid}): {p}" for p in label_problems(line, items[bid])]
    missing = [b for b in items if b not in seen]
    if missing:
        problems.append(f"{len(missing)} messages not labelled yet, first: {missing[:5]}")
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
