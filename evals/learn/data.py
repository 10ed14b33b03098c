"""Training and evaluation examples for the learned reader, from the corpus and the real data.

Each example carries only the labels its source has: corpus drafts have a kind, rules,
courtesy and sometimes Trust Quotient ratings; SMS and YouTube messages have spam or not (a
kind: promotion or other); politeness requests have polite or impolite. Real data is read from
`../shared/data` (or `$RAPPORT_SHARED_DATA`) at training time and never copied into the repo.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.corpus.load import load
from evals.data_paths import shared_data

__all__ = [
    "Example",
    "corpus_examples",
    "politeness_examples",
    "rule_examples",
    "sms_examples",
    "youtube_examples",
]

TRUST_PARTS = ("credibility", "reliability", "intimacy", "self_orientation")
COURTESY_TARGET = {"polite": 1.0, "neutral": 0.5, "impolite": 0.0}


@dataclass
class Example:
    """One text and whatever labels its source gives."""

    id: str
    text: str
    source: str  # corpus | sms | youtube | politeness
    group: str  # writer, video or source: what cross-validation keeps together
    kind: str | None = None
    rules: frozenset[str] | None = None
    courtesy: float | None = None  # 1 polite, 0.5 neutral, 0 impolite
    trust: dict[str, float] | None = None
    well_written: bool | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def corpus_examples(split: str) -> list[Example]:
    """English drafts of one corpus split that were settled (unsure ones left out)."""
    out = []
    for r in load(split, scored_only=True):
        if r.get("lang", "en") != "en":
            continue
        ratings = [a["trust"] for a in r["annotations"] if "trust" in a]
        trust = (
            {p: sum(t[p] for t in ratings) / len(ratings) for p in TRUST_PARTS}
            if len(ratings) >= 2
            else None
        )
        out.append(
            Example(
                id=r["id"],
                text=r["text"],
                source="corpus",
                group=r["writer"],
                kind=r["kind"],
                rules=frozenset(r["rules"]),
                courtesy=COURTESY_TARGET[r["courtesy"]],
                trust=trust,
                well_written=r["well_written"],
                meta={"writer": r["writer"], "platform": r["platform"], "case": r.get("case")},
            )
        )
    return out


def _require(relative: str) -> Path | None:
    root = shared_data()
    path = root / relative if root else None
    return path if path is not None and path.is_file() else None


def sms_examples() -> list[Example]:
    """The SMS Spam Collection's dev half: spam is promotion, ham is other."""
    path = _require("sms-spam/dev.tsv")
    if path is None:
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, raw = line.partition("\t")
        text = html.unescape(raw).strip()
        if not text:
            continue
        digest = hashlib.sha256(raw.encode()).hexdigest()[:12]
        out.append(
            Example(
                id=f"sms:{digest}",
                text=text,
                source="sms",
                group=f"sms-fold{int(digest, 16) % 10}",
                kind="promotion" if label == "spam" else "other",
                meta={"spam": label == "spam"},
            )
        )
    return out


YOUTUBE_FILES = ("Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv", "Youtube04-Eminem.csv")


def youtube_examples() -> list[Example]:
    """YouTube comments of the three development videos: spam is promotion, the rest other."""
    out = []
    for name in YOUTUBE_FILES:
        path = _require(f"youtube-spam/{name}")
        if path is None:
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text = html.unescape(row["CONTENT"]).replace("<br />", "\n").strip("\ufeff \n")
                if not text:
                    continue
                spam = row["CLASS"].strip() == "1"
                out.append(
                    Example(
                        id=f"yt:{name}:{row['COMMENT_ID']}",
                        text=text,
                        source="youtube",
                        group=name,
                        kind="promotion" if spam else "other",
                        meta={"spam": spam},
                    )
                )
    return out


def politeness_examples() -> list[Example]:
    """Stack Exchange requests, top and bottom quartile of politeness."""
    path = _require("politeness/stack-exchange.binary.jsonl")
    if path is None:
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        digest = int(hashlib.sha256(item["id"].encode()).hexdigest(), 16)
        out.append(
            Example(
                id=item["id"],
                text=item["text"],
                source="politeness",
                group=f"pol-fold{digest % 10}",
                courtesy=1.0 if item["label"] == "polite" else 0.0,
            )
        )
    return out


def rule_examples(rule_id: str) -> list[Example]:
    """A rule file's own examples: failing ones carry the rule, passing ones don't.

    They label that one rule only, so they train that rule's head and nothing else.
    """
    from rapport.bot.engine.rules import load_rules

    out = []
    for rule in load_rules():
        if rule.id != rule_id:
            continue
        for n, ex in enumerate(rule.failing):
            out.append(
                Example(
                    f"rule:{rule.id}:fail{n}", ex.text, "rules", "rules", rules=frozenset({rule.id})
                )
            )
        for n, ex in enumerate(rule.passing):
            if ex.known_relationship or ex.endorsements_given:
                continue  # passes because of the ledger, which the text alone doesn't show
            out.append(
                Example(f"rule:{rule.id}:pass{n}", ex.text, "rules", "rules", rules=frozenset())
            )
    return out
