"""Measure rewrites: better trust, clean once the prompts are answered, and nothing invented.

Over the hand-labelled development drafts and a generated set of flawed drafts (every rule in
every kind it applies to, see `evals/flawed.py`) it reports, for drafts with findings:

* the share of rewrites whose Trust Quotient is higher than the draft's (prompts left blank,
  and again once they are filled);
* the share with no error or warning finding once each [prompt] is answered with a plausible
  fact (supplied the way the coaching session supplies them);
* the share containing a fact token (name, number, organisation, date, link) that came from
  neither the draft nor the supplied facts — an invention;
* how often a link, number or name of the draft was set aside (it only lived in words a rule
  objected to) or had to be appended because no template slot kept it;
* meaning kept: rewrites that make a commitment in the sender's voice ("I'd be glad to…",
  "I'll…") the draft doesn't make (brackets don't count: the sender writes those), and asks
  for a recommendation or referral that admit the two don't know each other but still get a
  rewrite asking how they do.

    python -m evals.rewrite
    python -m evals.rewrite --corpus dev              # the corpus's flawed dev drafts
    python -m evals.rewrite --data evals/data/outreach-b.jsonl --show invented
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from evals.flawed import generate
from rapport.bot.engine.engine import Engine
from rapport.bot.models import Context, Kind, Report, Severity
from rapport.bot.rewriter.honesty import PROMPT, inventions
from rapport.bot.rewriter.rewrite import EXCUSED_BY, Rewriter

_HERE = Path(__file__).resolve().parent

#: A plausible answer for each prompt, in both shapes a template may ask for.
FILLS: dict[str, dict[str, str]] = {
    "recipient": {"phrase": "Dana", "sentence": "Dana"},
    "relationship": {
        "sentence": "We worked side by side on the reporting rebuild at Fernhill for two years.",
        "phrase": "our two years on the reporting rebuild at Fernhill",
    },
    "specific": {
        "sentence": "Their rebuild of the reporting pipeline cut our month-end close from five days to two.",
        "phrase": "the way you rebuilt the reporting pipeline at Fernhill",
    },
    "given": {
        "sentence": "I wrote you a recommendation last week about the reporting rebuild.",
        "phrase": "the way you ran the reporting rebuild at Fernhill",
    },
    "ask": {
        "phrase": "write two lines about the reporting work we did together",
        "sentence": "Could you write two lines about the reporting work we did together?",
    },
    "reason": {"sentence": "I'm applying for an analytics role at Fernhill next month.", "phrase": "an analytics role at Fernhill"},
    "endorsee": {"phrase": "Priya", "sentence": "Priya"},
    "received": {"phrase": "the recommendation you wrote me last week", "sentence": "Thank you for the recommendation you wrote me last week."},
    "details": {
        "sentence": "I put together a short guide to cleaning up CSV exports.",
        "phrase": "a short guide to cleaning up CSV exports",
    },
    "alternative": {
        "phrase": "point you to someone who managed their work directly",
        "sentence": "I could point you to someone who managed their work directly.",
    },
    "sender": {"phrase": "Alex", "sentence": "Alex"},
}  # fmt: skip


#: A commitment in the sender's voice: an offer or a promise.
_COMMITMENT = re.compile(
    r"(?i)\b(?:i'?ll|i will|i'?d be (?:glad|happy|delighted)|i'?m (?:glad|happy) to|"
    r"i am (?:glad|happy) to|i can|i could|i promise)\b[^.?!\n]{0,60}"
)
_WORDS = re.compile(r"\w+")


def added_commitments(draft: str, rewrite: str) -> list[str]:
    """Commitments the rewrite makes in the sender's voice that the draft doesn't make
    (compared word for word, outside [brackets], which the sender fills or deletes)."""
    said = " ".join(_WORDS.findall(draft.lower()))
    out = []
    for m in _COMMITMENT.finditer(PROMPT.sub(" ", rewrite)):
        words = " ".join(_WORDS.findall(m.group().lower()))
        if words and words not in said:
            out.append(m.group().strip())
    return out


def _blocking(report: Report) -> list[str]:
    return [f.rule for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def evaluate(items: list[dict[str, Any]], rewriter: Rewriter) -> dict[str, Any]:
    """Counts over the drafts; `failures` lists examples for --show."""
    engine: Engine = rewriter.engine
    words = rewriter.template_words()
    c: Counter[str] = Counter()
    failures: dict[str, list[str]] = {
        k: [] for k in ("tq", "filled", "invented", "appended", "selfcheck", "unchanged", "meaning")
    }
    for it in items:
        text = it["text"]
        context = Context(recipient=it.get("to"))
        report = rewriter.check(text, context)
        rw = report.rewrite
        assert rw is not None
        c["drafts"] += 1
        if report.kind is Kind.OTHER:
            c["other"] += 1
            continue
        if rw.unchanged:
            c["unchanged"] += 1
            if it.get("rules"):
                failures["unchanged"].append(f"[{it['id']}] {text!r}")
            continue
        signals = engine.analyse(text, context)[1]
        admits = report.kind in (Kind.ENDORSEMENT_REQUEST, Kind.REFERRAL_REQUEST) and (
            signals.has("cold_contact") or signals.has("no_firsthand")
        )  # "you don't know me, but…", "we've never worked together": asks between strangers
        c["admits"] += admits
        if rw.text is None:  # e.g. a hollow endorsement of the reader: advice, not a rewrite
            c["advice_only"] += 1
            continue
        if admits and rw.template != "decline" and "[how you know" in rw.text:
            c["admission_slot"] += 1
            failures["meaning"].append(f"[{it['id']}] admission, relationship slot\n{rw.text}")
        added = added_commitments(text, rw.text) if rw.template != "decline" else []
        if added:
            c["commitment_added"] += 1
            failures["meaning"].append(f"[{it['id']}] added {added}\n{text}\n---\n{rw.text}")
        assert rw.trust is not None
        c["rewritten"] += 1
        missing = {m.field for m in rw.missing}
        fixable = any(not (EXCUSED_BY.get(f.rule, frozenset()) & missing) for f in report.findings)
        c["fixable"] += fixable
        if rw.trust.quotient > report.trust.quotient:
            c["tq_up"] += 1
            c["fixable_tq_up"] += fixable
        else:
            failures["tq"].append(
                f"[{it['id']}] {report.trust.quotient} → {rw.trust.quotient}\n{text}\n---\n{rw.text}"
            )
        sources = [text, it.get("to") or ""]
        if inventions(rw.text, sources, words):
            c["invented"] += 1
            failures["invented"].append(
                f"[{it['id']}] {inventions(rw.text, sources, words)}\n{rw.text}"
            )
        if "(From your draft:" in rw.text:
            c["appended"] += 1
            failures["appended"].append(f"[{it['id']}]\n{text}\n---\n{rw.text}")
        if rw.set_aside:
            c["set_aside"] += 1
        unexcused = [f for f in rw.findings if not (EXCUSED_BY.get(f.rule, frozenset()) & missing)]
        if any(f.severity is Severity.ERROR for f in unexcused):
            c["selfcheck_error"] += 1
        if unexcused:
            c["selfcheck_any"] += 1
            failures["selfcheck"].append(
                f"[{it['id']}] {[f.rule for f in unexcused]}\n{text}\n---\n{rw.text}"
            )
        supplied = {m.field: FILLS[m.field][m.shape] for m in rw.missing}
        filled = rewriter.check(text, context, supplied).rewrite
        assert filled is not None and filled.text is not None
        after = engine.check_sync(filled.text, context)
        if not _blocking(after):
            c["filled_clean"] += 1
        else:
            failures["filled"].append(
                f"[{it['id']}] {_blocking(after)}\n{text}\n---\n{filled.text}"
            )
        if after.trust.quotient > report.trust.quotient:
            c["filled_tq_up"] += 1
        if inventions(filled.text, [*sources, *supplied.values()], words):
            c["filled_invented"] += 1
            failures["invented"].append(
                f"[{it['id']}] filled {inventions(filled.text, [*sources, *supplied.values()], words)}\n{filled.text}"
            )
        if filled.missing:
            c["still_missing"] += 1
    return {"counts": c, "failures": failures}


def _share(c: Counter[str], key: str, of: str = "rewritten") -> str:
    n = c[of]
    return f"{c[key] / n:6.1%} ({c[key]}/{n})" if n else "   n/a"


def report_numbers(name: str, result: dict[str, Any]) -> None:
    """Print the headline numbers for one data set."""
    c = result["counts"]
    print(
        f"{name}: {c['drafts']} drafts · {c['rewritten']} rewritten · {c['unchanged']} unchanged (no findings) · {c['other']} not outreach · {c['advice_only']} advice only"
    )
    print(f"  Trust Quotient higher than the draft's ........ {_share(c, 'tq_up')}")
    print(
        f"  … among drafts whose flaws need no new fact ... {_share(c, 'fixable_tq_up', 'fixable')}"
    )
    print(f"  … once the prompts are filled ................. {_share(c, 'filled_tq_up')}")
    print(f"  no error/warning once prompts are filled ...... {_share(c, 'filled_clean')}")
    print(
        f"  invented facts (prompts open / filled) ........ {_share(c, 'invented')} / {_share(c, 'filled_invented')}"
    )
    print(f"  self-check: error not explained by a prompt ... {_share(c, 'selfcheck_error')}")
    print(f"  self-check: any finding not explained by one .. {_share(c, 'selfcheck_any')}")
    print(f"  draft facts set aside with left-out words ..... {_share(c, 'set_aside')}")
    print(f"  draft facts appended (no slot kept them) ...... {_share(c, 'appended')}")
    print(f"  commitments added in the sender's voice ....... {_share(c, 'commitment_added')}")
    print(
        f"  admitted strangers asked how they know them ... {_share(c, 'admission_slot', 'admits')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, action="append", help="JSONL drafts (default: dev + generated)"
    )
    parser.add_argument(
        "--show",
        choices=["tq", "filled", "invented", "appended", "selfcheck", "unchanged", "meaning"],
    )
    parser.add_argument(
        "--corpus",
        choices=["dev", "test"],
        help="the corpus's flawed drafts of one split (test: numbers only, never a draft)",
    )
    parser.add_argument("--limit", type=int, default=15, help="examples to show")
    args = parser.parse_args()
    sets: list[tuple[str, list[dict[str, Any]]]] = []
    if args.corpus:
        from evals.rate import flawed_drafts

        drafts = [{"id": r["id"], "text": r["text"]} for r in flawed_drafts(args.corpus)]
        sets.append((f"corpus {args.corpus} flawed drafts", drafts))
    for path in args.data or ([] if args.corpus else [_HERE / "data" / "outreach-dev.jsonl"]):
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        sets.append((path.name, items))
    if not args.data and not args.corpus:
        sets.append(("generated flawed drafts", generate()))
    rewriter = Rewriter()
    for name, items in sets:
        result = evaluate(items, rewriter)
        report_numbers(name, result)
        if args.show and args.corpus != "test":
            for example in result["failures"][args.show][: args.limit]:
                print("\n" + example)
            print()


if __name__ == "__main__":
    main()
