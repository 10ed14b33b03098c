"""Trust Quotient (Green, *The Trusted Advisor*): (credibility + reliability + intimacy) / self-orientation.

Each part starts from a modest base and moves with evidence the sender gives in their own words;
every step records a short reason so people see *why* ("intimacy 2/10: no name, no shared
history").  Credibility, reliability and intimacy run 0–10; self-orientation 1–10.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapport.bot.engine.signals import Signals
from rapport.bot.models import Kind, Trust

__all__ = ["learned_trust", "trust"]

_ASK_KINDS = (Kind.ENDORSEMENT_REQUEST, Kind.REFERRAL_REQUEST, Kind.CONNECTION_REQUEST)


@dataclass(slots=True)
class _Part:
    """One component being scored, with its reasons."""

    value: float
    low: int
    reasons: list[str] = field(default_factory=list)

    def add(self, amount: float, reason: str) -> None:
        self.value += amount
        self.reasons.append(("+ " if amount > 0 else "- ") + reason)

    def result(self) -> int:
        return int(max(self.low, min(10, round(self.value))))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _credibility(s: Signals, kind: Kind) -> _Part:
    """Specific, checkable facts: numbers, names of things, concrete work, links, first-hand basis."""
    part = _Part(2, 0)
    numbers = len(s.numbers)
    if numbers:
        part.add(
            min(3, numbers), f"{_plural(numbers, 'number')} or date{'s' if numbers > 1 else ''}"
        )
    names = len(s.proper_nouns)
    if names:
        part.add(min(2, names) * 0.75, f"named {', '.join(s.proper_nouns[:3])}")
    work = len(s.voice("accomplishment"))
    if work:
        part.add(min(2, work), "concrete work described")
    if s.links:
        part.add(1, "a link to check")
    if s.has("relationship"):
        part.add(1, "first-hand basis")
    if not (numbers or names or work or s.links):
        part.reasons.append("- no specifics a reader could check")
    if s.has("no_firsthand") or s.has("visibility_motive"):
        part.add(-3, "admits no first-hand knowledge")
    praise = len(s.voice("praise"))
    if praise >= 2 and not (numbers or work):
        part.add(-1, "praise without detail")
    if kind is Kind.PROMOTION and (s.has("promo_offer") or s.feature("shouting")):
        part.add(-2, "sales claims")
    if s.feature("merge_field"):
        part.add(-2, "unfilled template fields")
    return part


def _reliability(s: Signals, kind: Kind) -> _Part:
    """A record of following through and keeping in touch; asks that are easy to honour."""
    part = _Part(2, 0)
    hollow_gift = s.has("visibility_motive")  # given to boost numbers: no track record
    if (s.has("gave_already") and not hollow_gift) or s.context.endorsements_given:
        part.add(3, "has already given")
    if s.has("relationship") or s.context.known_relationship:
        part.add(2, "an existing relationship")
    if s.has("give_offer"):
        part.add(2, "offers something first")
    if s.has("easy_out"):
        part.add(1, "an easy way to say no")
    if s.has("pressure_urgent"):
        part.add(-2, "pressure")
    if s.to_crowd:
        part.add(-2, "sent to a crowd")
    if s.feature("merge_field"):
        part.add(-2, "a template sent without care")
    if s.has("cold_contact"):
        part.add(-1, "no contact before")
    if len(part.reasons) == 0:
        part.reasons.append("- nothing shows a track record with them")
    return part


def _intimacy(s: Signals, kind: Kind) -> _Part:
    """A real shared history and a private, personal tone."""
    part = _Part(1, 0)
    if s.names_recipient:
        part.add(2, "uses their name")
    else:
        part.reasons.append("- no name")
    if s.has("relationship") or s.context.known_relationship:
        part.add(3, "shared history")
        if len(s.voice("relationship")) > 1:
            part.add(1, "more than one shared memory")
    elif s.has("shared_context"):
        part.add(1.5, "shared context")
    else:
        part.reasons.append("- no shared history")
    if s.has("personal_detail"):
        part.add(1, "something about them in particular")
    if s.has("well_wishes"):
        part.add(1, "a warm, personal tone")
    if s.to_crowd:
        part.add(-4, "addressed to a crowd")
    if s.feature("merge_field"):
        part.add(-3, "unfilled template fields")
    if s.has("cold_contact"):
        part.add(-1, "says you have not met")
    if s.at_line_start("generic_greeting"):
        part.add(-1, "a nameless salutation")
    return part


def _self_orientation(s: Signals, kind: Kind) -> _Part:
    """How much the message is about the sender's wants: it divides everything else."""
    # Any request is partly about the asker: asks never score below 2.
    part = _Part(2, 2 if kind in _ASK_KINDS else 1)
    me, you = s.first_person, s.second_person + (1 if s.names_recipient else 0)
    if me >= 3 and me > 1.5 * you:
        part.add(min(3.0, (me - you) / 2.5), f'"I/me/my" {me} times, "you" {you}')
    elif you > me and you >= 2:
        part.add(-0.5, "about them more than you")
    focus = s.self_focus
    if focus >= 1:
        part.add(min(4.0, focus), "dwells on your own wants and credentials")
    if kind in _ASK_KINDS:
        part.add(1, "asks for something")
    if kind is Kind.PROMOTION:
        part.add(2, "promotes your own thing")
    if s.has("engagement"):
        part.add(1.5, "asks for likes or follows")
    if s.has("pressure_urgent") or s.has("demand"):
        part.add(1.5, "pushes for what you want")
    if s.has("quid_pro_quo"):
        part.add(1.5, "trades favours")
    if s.has("give_offer") or s.has("gave_already"):
        part.add(-1, "gives first")
    if s.has("recipient_focus") or s.has("personal_detail"):
        part.add(-1, "thinks of what they need")
    if s.has("easy_out"):
        part.add(-0.5, "leaves them free to say no")
    return part


def trust(signals: Signals, kind: Kind) -> Trust:
    """Score the four Trust Quotient parts and keep the reasons behind each."""
    parts = {
        "credibility": _credibility(signals, kind),
        "reliability": _reliability(signals, kind),
        "intimacy": _intimacy(signals, kind),
        "self_orientation": _self_orientation(signals, kind),
    }
    return Trust(
        credibility=parts["credibility"].result(),
        reliability=parts["reliability"].result(),
        intimacy=parts["intimacy"].result(),
        self_orientation=parts["self_orientation"].result(),
        evidence={name: tuple(p.reasons) for name, p in parts.items()},
    )


#: A reason pointing one way is left out when the reader's score sits firmly the other way.
_HIGH, _LOW = 6, 3


def learned_trust(signals: Signals, kind: Kind, parts: dict[str, float]) -> Trust:
    """The reader's Trust Quotient parts, with the evidence reasons that agree with them.

    The parts come from the learned reader (fitted to annotators' ratings); the reasons come
    from the phrase evidence. A reason is shown only if it doesn't argue against the score: a
    draft the reader rates high on intimacy is not told "no shared history".
    """
    evidence = trust(signals, kind).evidence
    values = {
        "credibility": round(parts["credibility"]),
        "reliability": round(parts["reliability"]),
        "intimacy": round(parts["intimacy"]),
        "self_orientation": max(1, round(parts["self_orientation"])),
    }
    # What the ledger knows and the text doesn't show: the corpus has no ledger to learn from.
    ledger: dict[str, list[str]] = {name: [] for name in values}
    if signals.context.known_relationship:
        values["intimacy"] = min(10, values["intimacy"] + 2)
        values["reliability"] = min(10, values["reliability"] + 1)
        ledger["intimacy"].append("+ your ledger records how you know them")
    if signals.context.endorsements_given:
        values["reliability"] = min(10, values["reliability"] + 1)
        values["self_orientation"] = max(1, values["self_orientation"] - 1)
        ledger["self_orientation"].append("- your ledger shows you gave first")
    kept: dict[str, tuple[str, ...]] = {}
    for name, reasons in evidence.items():
        value = values[name]
        kept[name] = tuple(
            r
            for r in reasons
            if not (r.startswith("- ") and value >= _HIGH)
            and not (r.startswith("+ ") and value <= _LOW)
        ) + tuple(r for r in ledger[name] if r not in reasons)
    return Trust(
        credibility=values["credibility"],
        reliability=values["reliability"],
        intimacy=values["intimacy"],
        self_orientation=values["self_orientation"],
        evidence=kept,
    )
