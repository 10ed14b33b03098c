"""Value types shared by the whole core; each maps one-to-one to the JSON contract in the README."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "KINDS",
    "RULE_IDS",
    "TEXT_RULE_IDS",
    "Context",
    "Finding",
    "Kind",
    "Report",
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


#: Every rule id in the public contract.  `unreciprocated` comes from the ledger, not the text.
RULE_IDS: tuple[str, ...] = (
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
    "unreciprocated",
)
TEXT_RULE_IDS: tuple[str, ...] = tuple(r for r in RULE_IDS if r != "unreciprocated")


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

    def to_json(self) -> dict[str, Any]:
        """The contract's finding object."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "fix": self.fix,
            "principle": list(self.principle),
        }


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
        if self.truncated:
            out["truncated"] = True
        return out
