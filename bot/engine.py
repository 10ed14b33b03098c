"""The etiquette engine: draft (+ context) in, report out.  Deterministic, no I/O, thread-safe.

Every surface calls this one API: the command line, the console coach, the Slack and Discord
adapters.  Rules, phrase lists and weights are loaded once; each check builds its own `Doc` and
`Signals`, so concurrent checks share nothing mutable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.classify import classify
from bot.config import Config
from bot.detectors import Assessment, Span, holds, run_detector, team_phrase_spans
from bot.models import Context, Finding, Kind, Report, Trust
from bot.rules import Rule, load_rules
from bot.scoring import trust
from bot.signals import Signals
from bot.text import prepare

__all__ = ["Engine", "Judgement"]

#: More findings than this for one rule in one draft add noise, not insight.
_MAX_PER_RULE = 5


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge the ones that overlap or touch."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the self-check of a rewrite needs: its kind, Trust Quotient and findings."""

    kind: Kind
    trust: Trust
    findings: tuple[Finding, ...]


class Engine:
    """Runs the enabled rules over drafts, with a team's configuration applied."""

    def __init__(self, rules: Iterable[Rule] | None = None, config: Config | None = None) -> None:
        self.config = config or Config()
        all_rules = tuple(rules) if rules is not None else load_rules()
        self.rules = tuple(r for r in all_rules if self.config.settings(r.id).enabled)

    @classmethod
    def default(cls) -> Engine:
        """rapport's built-in rules with no team configuration."""
        return cls()

    async def check(self, text: str, context: Context | None = None) -> Report:
        """Check a draft (async surface for the bots; the work itself never blocks on I/O)."""
        return self.check_sync(text, context)

    def check_sync(self, text: str, context: Context | None = None) -> Report:
        """Check a draft and return its kind, Trust Quotient, courtesy and findings."""
        return self.analyse(text, context)[0]

    def analyse(
        self, text: str, context: Context | None = None, kind: Kind | None = None
    ) -> tuple[Report, Signals]:
        """Check a draft and also return the evidence behind the report (the rewriter reads it).

        `kind` skips classification: a rewrite is checked as the kind of message it rewrites.
        """
        assessment, findings = self._assess(text, context, kind)
        score, courtesy_evidence = assessment.courtesy_with_evidence
        doc = assessment.signals.doc
        report = Report(
            text=doc.original,
            kind=assessment.kind,
            trust=assessment.trust,
            courtesy=score,
            findings=findings,
            truncated=doc.truncated,
            courtesy_evidence=courtesy_evidence,
        )
        return report, assessment.signals

    def judge(
        self, text: str, context: Context | None = None, kind: Kind | None = None
    ) -> Judgement:
        """Findings and Trust Quotient only (courtesy is scored only if a rule needs it): the
        rewriter's self-check, run on every rewrite."""
        assessment, findings = self._assess(text, context, kind)
        return Judgement(assessment.kind, assessment.trust, findings)

    def _assess(
        self, text: str, context: Context | None, kind: Kind | None
    ) -> tuple[Assessment, tuple[Finding, ...]]:
        doc = prepare(text)
        signals = Signals(doc, context)
        kind = kind or classify(signals)
        assessment = Assessment(signals, kind, trust(signals, kind))
        findings: list[Finding] = []
        for rule in self.rules:
            findings.extend(self._apply(rule, assessment))
        findings.sort(key=lambda f: (f.start, f.severity.rank, f.rule))
        return assessment, tuple(findings)

    def _apply(self, rule: Rule, a: Assessment) -> list[Finding]:
        settings = self.config.settings(rule.id)
        applies = (not rule.kinds or a.kind.value in rule.kinds) and not any(
            holds(item, a) for item in rule.unless
        )
        spans: list[tuple[Span, str, str]] = []
        if applies:
            for det in rule.detectors:
                for span in run_detector(det, a):
                    spans.append((span, det.message or rule.message, det.fix or rule.fix))
        if settings.phrases:
            for span in team_phrase_spans(settings.phrases, a):
                spans.append((span, rule.message, rule.fix))
        if not spans:
            return []
        severity = settings.severity or rule.severity_for(a.kind.value)
        wording: dict[Span, tuple[str, str]] = {}
        for span, message, fix in spans:
            wording.setdefault(span, (message, fix))
        findings = []
        for start, end in _merge(span for span, _, _ in spans)[:_MAX_PER_RULE]:
            message, fix = next(
                (w for (s, e), w in wording.items() if start <= s and e <= end),
                (rule.message, rule.fix),
            )
            o_start, o_end = a.signals.doc.span(start, end)
            findings.append(
                Finding(rule.id, severity, o_start, o_end, message, fix, rule.principles)
            )
        return findings
