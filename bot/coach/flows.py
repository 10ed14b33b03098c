"""The coaching flows: what each one is for, what it asks, and how a first message picks one.

A flow lists the facts it gathers, in order; the template behind it decides what is still
missing after that (the rewrite's `missing` facts), so the coach never asks for something it
will not use, and never asks twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport.bot.models import Kind

__all__ = ["FLOWS", "FLOW_FOR_KIND", "MENU", "Flow", "flow_from_words"]


@dataclass(frozen=True, slots=True)
class Flow:
    """One kind of help the coach gives."""

    name: str
    kind: Kind  # the message it ends with
    steps: tuple[str, ...]  # facts to ask for first, in order
    optional: frozenset[str] = frozenset()  # may be skipped without a prompt left behind
    decline: bool = False  # ends with the gracious-decline template


FLOWS: dict[str, Flow] = {
    f.name: f
    for f in (
        Flow("ask_endorsement", Kind.ENDORSEMENT_REQUEST, ("recipient", "relationship", "given", "ask"),
             frozenset({"given"})),
        Flow("ask_referral", Kind.REFERRAL_REQUEST, ("recipient", "relationship", "ask", "reason"),
             frozenset({"reason"})),
        Flow("endorse", Kind.ENDORSEMENT, ("endorsee", "recipient", "relationship", "specific"),
             frozenset({"recipient"})),
        Flow("reciprocate", Kind.RECIPROCATION, ("recipient", "received", "specific", "return"),
             frozenset({"specific", "return"})),
        Flow("blast", Kind.PROMOTION, ("draft", "recipients")),
        Flow("decline", Kind.ENDORSEMENT, ("recipient", "endorsee", "alternative"),
             frozenset({"alternative"}), decline=True),
        Flow("connect", Kind.CONNECTION_REQUEST, ("recipient", "relationship", "reason"),
             frozenset({"reason"})),
    )
}  # fmt: skip
#: The menu, in order (connect is reached from the honest path, or by asking for it).
MENU: tuple[str, ...] = (
    "ask_endorsement",
    "ask_referral",
    "endorse",
    "reciprocate",
    "blast",
    "decline",
)
#: A pasted draft's kind → the flow that works from it.
FLOW_FOR_KIND: dict[Kind, str] = {
    Kind.ENDORSEMENT_REQUEST: "ask_endorsement",
    Kind.REFERRAL_REQUEST: "ask_referral",
    Kind.ENDORSEMENT: "endorse",
    Kind.RECIPROCATION: "reciprocate",
    Kind.PROMOTION: "blast",
    Kind.CONNECTION_REQUEST: "connect",
}

# Plain words for each flow, most specific first.  Asking for yourself ("endorse me", "ask Dana
# for a recommendation") and endorsing someone else ("recommend my colleague Sam") are told
# apart by who benefits.
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("decline", r"\b(?:decline|say no|turn (?:it |them |him |her )?down|can'?t (?:honestly )?(?:endorse|recommend)|"
                    r"don'?t (?:really )?know (?:them|him|her)|refuse)\b"),
        ("reciprocate", r"\b(?:thank|thanks|reciprocat\w*|return (?:the|an?|her|his|their) (?:endorsement|favou?r|rec\w*)|"
                        r"(?:endorsed|recommended|vouched for) me)\b"),
        ("blast", r"\b(?:blast|everyone|many people|mass|group message|newsletter|announcement|"
                  r"personal notes|lots of people|my network|promot\w*|launch)\b"),
        ("connect", r"\b(?:get to know|connect with|network with|reach out to|introduce myself|say hello to)\b"),
        ("endorse", r"\bwrite (?:a |an )?(?:short )?(?:recommendation|reference|endorsement|testimonial) "
                    r"(?:for|about)\b(?!\s+me\b)"),
        ("ask_endorsement", r"\b(?:endorse|recommend|vouch for|refer)\s+me\b|"
                            r"\b(?:ask\w*|get|need|want|request\w*)\b.{0,40}?\b(?:an? |some |more )?"
                            r"(?:endorsements?|recommendations?|references?|testimonials?|reviews?|recs?)\b"),
        ("ask_referral", r"\b(?:referral|refer me|intro(?:duction)? to|introduce me|connect me|"
                         r"put me in touch|get me in front)\b"),
        ("endorse", r"\b(?:endorse|recommend|vouch for|write (?:a |an )?(?:recommendation|reference) for|"
                    r"nominate)\b"),
        ("ask_referral", r"\b(?:refer\w*|intro\w*)\b"),
    )
)  # fmt: skip


def flow_from_words(text: str) -> str | None:
    """The flow someone names in their own words ("I want to ask Dana for a recommendation")."""
    for name, pattern in _WORDS:
        if pattern.search(text):
            return name
    return None
