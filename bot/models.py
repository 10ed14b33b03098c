"""Value types shared by the whole core; each maps one-to-one to the JSON contract (docs/checking.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rapport.bot.rule_ids import RULE_IDS as _RULE_IDS
from rapport.bot.rule_ids import TEXT_RULE_IDS as _TEXT_RULE_IDS

__all__ = [
    "FACT_FIELDS",
    "KINDS",
    "RULE_IDS",
    "TEXT_RULE_IDS",
    "Context",
    "Finding",
    "Kind",
    "MissingFact",
    "Report",
    "Rewrite",
    "Severity",
    "Trust",
]


class Kind(StrEnum):
    """What the draft is trying to do; the contract's seven message kinds."""

    ENDORSEMENT_REQUEST = "endorsement_request"
    REFERRAL_REQUEST = "referral_request"
    ENDORSEMENT = "endorsement"
    CONNECTION_REQUEST = "connection_request"
    PROMOTION = "promotion"
    RECIPROCATION = "reciprocation"
    OTHER = "other"


KINDS: tuple[str, ...] = tuple(k.value for k in Kind)


class Severity(StrEnum):
    """How much a finding matters; only errors make `rapport check` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: errors first."""
        return {"error": 0, "warning": 1, "info": 2}[self.value]


#: Facts a user (or a coaching session) can supply by name, and what each one is.
FACT_FIELDS: dict[str, str] = {
    "recipient": "their name",
    "relationship": "how you know them first-hand (one sentence)",
    "specific": "one specific thing you saw them do, or that their help led to",
    "given": "what you gave them or can offer first",
    "received": "what they did for you (the endorsement or help you are thanking them for)",
    "ask": "exactly what you'd like them to do, starting with a verb",
    "reason": "why you are asking, in one sentence",
    "endorsee": "the person you recommend or introduce",
    "details": "what you made or are sharing, in one sentence",
    "alternative": "an honest alternative you can offer instead",
    "sender": "your name, for the sign-off",
}


#: Every rule id, and the ones judged from the draft's words: read from the rule files.
RULE_IDS, TEXT_RULE_IDS = _RULE_IDS, _TEXT_RULE_IDS


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a draft: which rule, how bad, where (code-point offsets), why and how to fix."""

    rule: str
    severity: Severity
    start: int
    end: int
    message: str
    fix: str
    principle: tuple[int, ...] = ()
    # How likely the rule applies, from the learned reader (None for a rule it doesn't know).
    confidence: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's finding object."""
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "fix": self.fix,
            "principle": list(self.principle),
        }
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(frozen=True, slots=True)
class Trust:
    """Trust Quotient parts (Green): (credibility + reliability + intimacy) / self-orientation."""

    credibility: int
    reliability: int
    intimacy: int
    self_orientation: int
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def quotient(self) -> float:
        """(C + R + I) / S, rounded to two places so JSON output is stable."""
        return round(
            (self.credibility + self.reliability + self.intimacy) / self.self_orientation, 2
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's trust object."""
        return {
            "credibility": self.credibility,
            "reliability": self.reliability,
            "intimacy": self.intimacy,
            "self_orientation": self.self_orientation,
            "quotient": self.quotient,
        }


@dataclass(frozen=True, slots=True)
class Context:
    """What the caller knows beyond the text: the recipient, and later the ledger's facts."""

    recipient: str | None = None
    known_relationship: bool = False
    endorsements_given: int = 0
    # History the text can't show: who endorsed the user unprompted and wasn't thanked yet
    # (and when), and for how many people the same message was checked lately.
    owed_name: str | None = None
    owed_at: float | None = None
    repeated_for: int = 0
    repeat_hours: float = 24.0


@dataclass(frozen=True, slots=True)
class MissingFact:
    """A fact only the user can give, shown in the rewrite as a visible [prompt]."""

    field: str  # one of `rapport.bot.rewriter.facts.FACT_FIELDS`
    prompt: str  # the words inside the brackets
    shape: str = "sentence"  # "sentence" or "phrase": how an answer is slotted back in

    def to_json(self) -> dict[str, Any]:
        """The contract's missing-fact object (what a coaching session asks for)."""
        return {"field": self.field, "prompt": self.prompt, "shape": self.shape}


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A suggested personal rewrite of a draft, or a note saying why there is none."""

    text: str | None
    note: str
    template: str | None = None
    unchanged: bool = False
    missing: tuple[MissingFact, ...] = ()
    changes: tuple[str, ...] = ()
    removed: tuple[tuple[tuple[str, ...], str], ...] = ()  # (rules, words left out)
    set_aside: tuple[str, ...] = ()  # links, numbers, names only the left-out words held
    trust: Trust | None = None
    findings: tuple[Finding, ...] = ()  # what the self-check still flags (missing facts only)
    template_error: str | None = None  # a team template that failed, and where

    def to_json(self) -> dict[str, Any]:
        """The contract's `rewrite` object."""
        out: dict[str, Any] = {
            "text": self.text,
            "note": self.note,
            "template": self.template,
            "unchanged": self.unchanged,
            "missing": [m.to_json() for m in self.missing],
            "changes": list(self.changes),
            "removed": [{"rules": list(rules), "text": text} for rules, text in self.removed],
            "set_aside": list(self.set_aside),
        }
        if self.trust is not None:
            out["trust"] = self.trust.to_json()
        out["findings"] = [{"rule": f.rule, "severity": f.severity.value} for f in self.findings]
        if self.template_error:
            out["template_error"] = self.template_error
        return out


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the engine concluded about one draft."""

    text: str
    kind: Kind
    trust: Trust
    courtesy: float
    findings: tuple[Finding, ...]
    truncated: bool = False
    courtesy_evidence: tuple[str, ...] = ()
    rewrite: Rewrite | None = None
    language: str = "en"  # ISO 639-1; rapport judges English drafts only
    outreach: bool = True  # False when the draft reads as ordinary conversation, not outreach

    @property
    def notice(self) -> str | None:
        """Why there are no findings when rapport didn't judge the draft as outreach."""
        if self.language != "en":
            return "not_english"
        if not self.outreach and not self.findings:
            return "not_outreach"
        return None

    @property
    def has_errors(self) -> bool:
        """True when any finding is an error (the CLI then exits 1)."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def polite(self) -> bool:
        """Courtesy of 5 or more reads as polite."""
        return self.courtesy >= 5

    def to_json(self) -> dict[str, Any]:
        """The contract's result object (the CLI adds `id` in batch mode)."""
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "trust": self.trust.to_json(),
            "courtesy": self.courtesy,
            "findings": [f.to_json() for f in self.findings],
        }
        out["language"] = self.language
        if self.notice:
            out["notice"] = self.notice
        if self.truncated:
            out["truncated"] = True
        if self.rewrite is not None:
            out["rewrite"] = self.rewrite.to_json()
        return out
