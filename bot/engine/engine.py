"""The etiquette engine: draft (+ context) in, report out.  Deterministic, no I/O, thread-safe.

Every surface calls this one API: the command line, the console coach, the Slack and Discord
adapters.  The learned reader (`bot/engine/reader/`) decides what a draft is and which rules apply,
with a calibrated confidence; each rule's detectors then explain the judgment on the exact
words.  A rule also fires on its *strong* phrase evidence alone, and rules the reader doesn't
know (a team's own) run on their detectors as before.  Each check builds its own `Doc` and
`Signals`, so concurrent checks share nothing mutable.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from rapport.bot.config import Config
from rapport.bot.engine.detectors import Assessment, Span, holds, run_detector, team_phrase_spans
from rapport.bot.engine.reader.explain import SentenceScores
from rapport.bot.engine.reader.language import ENGLISH, language_of
from rapport.bot.engine.reader.model import Reader, Reading, reader
from rapport.bot.engine.rules import Rule, load_rules
from rapport.bot.engine.scoring import learned_trust, trust
from rapport.bot.engine.signals import Signals
from rapport.bot.engine.text import prepare
from rapport.bot.models import Context, Finding, Kind, Report, Trust

__all__ = ["Engine", "Judgement"]

#: More findings than this for one rule in one draft add noise, not insight.
_MAX_PER_RULE = 5
#: The confidence reported when strong phrase evidence fires a rule the model scored lower.
STRONG_CONFIDENCE = 0.9
#: A rule this probable overrules an `other` kind (see `Engine._kind`).
_RULE_IMPLIES_KIND = 0.95
#: Below this probability of `other`, a draft with no findings still reads as outreach.
_NOT_OUTREACH = 0.6


def _merge(spans: Iterable[Span], text: str) -> list[Span]:
    """Sort spans and merge the ones that overlap, touch, or sit next to each other with only
    spaces and punctuation between ("John is great. Highly recommend!" is one vague praise)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (
            start <= merged[-1][1] or not any(ch.isalnum() for ch in text[merged[-1][1] : start])
        ):
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

    def __init__(
        self,
        rules: Iterable[Rule] | None = None,
        config: Config | None = None,
        model: Reader | None = None,
    ) -> None:
        self.config = config or Config()
        all_rules = tuple(rules) if rules is not None else load_rules()
        self.rules = tuple(r for r in all_rules if self.config.settings(r.id).enabled)
        self._model = model

    @classmethod
    def default(cls) -> Engine:
        """rapport's built-in rules with no team configuration."""
        return cls()

    @property
    def model(self) -> Reader:
        """The learned reader (rapport's shipped one unless another was given)."""
        if self._model is None:
            self._model = reader()
        return self._model

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
        doc = assessment.signals.doc
        reading = assessment.reading
        # The reader scores courtesy; the strategies behind it are listed only by the terminal
        # report, which asks `rapport.bot.engine.courtesy.strategies` for them (the bots never show them).
        score = round(assessment.courtesy, 1)
        report = Report(
            text=doc.original,
            kind=assessment.kind,
            trust=assessment.trust,
            courtesy=score,
            findings=findings,
            truncated=doc.truncated,
            language=assessment.language,
            outreach=reading is None or reading.kind_probs.get("other", 0.0) < _NOT_OUTREACH,
        )
        return report, assessment.signals

    def judge(
        self,
        text: str,
        context: Context | None = None,
        kind: Kind | None = None,
        language: str | None = None,
    ) -> Judgement:
        """Findings and Trust Quotient only (courtesy is scored only if a rule needs it): the
        rewriter's self-check, run on every rewrite.  `language` skips identification: a
        rewrite is in its draft's language, and telling it again costs a third of a check."""
        assessment, findings = self._assess(text, context, kind, language)
        return Judgement(assessment.kind, assessment.trust, findings)

    def phrase_spans(
        self, rule_id: str, report: Report, signals: Signals, lists: frozenset[str] | None = None
    ) -> list[tuple[int, int]]:
        """Where a rule's own phrase detectors point in a checked draft (original offsets),
        whether or not the reader fired the rule.

        The rewriter uses them to keep words a rule objects to ("as soon as you see this",
        "TODAY") out of a rewrite even when the reader judged the draft as a whole fine on that
        rule: a rewrite is held to the rule's words, not only to the reader's overall call.
        """
        rule = next((r for r in self.rules if r.id == rule_id), None)
        if rule is None or (rule.kinds and report.kind.value not in rule.kinds):
            return []
        a = Assessment(signals, report.kind, report.trust)
        doc = signals.doc
        return [
            doc.span(start, end)
            for det in rule.detectors
            if det.type == "phrases" and (lists is None or lists & set(det.lists))
            for start, end in run_detector(det, a)
        ]

    def _assess(
        self, text: str, context: Context | None, kind: Kind | None, language: str | None = None
    ) -> tuple[Assessment, tuple[Finding, ...]]:
        doc = prepare(text)
        signals = Signals(doc, context)
        language = language or language_of(doc.original)
        if language != ENGLISH:
            # rapport reads English only: say so rather than judge words it can't read.
            assessment = Assessment(signals, kind or Kind.OTHER, trust(signals, Kind.OTHER))
            assessment.language = language
            return assessment, ()
        reading = self.model.read(doc.original, signals)
        kind = kind or self._kind(reading)
        assessment = Assessment(
            signals, kind, learned_trust(signals, kind, reading.trust), reading=reading
        )
        findings: list[Finding] = []
        for rule in self.rules:
            findings.extend(self._apply(rule, assessment))
        findings.sort(key=lambda f: (f.start, f.severity.rank, f.rule))
        return assessment, tuple(findings)

    def _kind(self, reading: Reading) -> Kind:
        """The reader's kind, unless it says `other` while nearly sure of a rule that only
        exists in some kinds (vague praise is about an endorsement): then the likeliest of those.
        """
        kind = Kind(reading.kind)
        if kind is not Kind.OTHER:
            return kind
        for rule in self.rules:
            if (
                rule.kinds
                and Kind.OTHER.value not in rule.kinds
                and reading.rule_probs.get(rule.id, 0.0) >= _RULE_IMPLIES_KIND
            ):
                return Kind(max(rule.kinds, key=lambda k: reading.kind_probs.get(k, 0.0)))
        return kind

    def _apply(self, rule: Rule, a: Assessment) -> list[Finding]:
        settings = self.config.settings(rule.id)
        reading = a.reading
        learned = reading is not None and rule.id in reading.rule_probs
        confidence: float | None = None
        spans: list[tuple[Span, str, str]] = []
        if learned:
            assert reading is not None
            spans, confidence = self._learned_spans(rule, a, reading)
        else:
            applies = (not rule.kinds or a.kind.value in rule.kinds) and not any(
                holds(item, a) for item in rule.unless
            )
            if applies:
                for det in rule.detectors:
                    for span in run_detector(det, a):
                        spans.append(
                            (span, *_wording(det.message or rule.message, det.fix or rule.fix, a))
                        )
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
        for start, end in _merge((span for span, _, _ in spans), a.signals.doc.norm)[
            :_MAX_PER_RULE
        ]:
            message, fix = next(
                (w for (s, e), w in wording.items() if start <= s and e <= end),
                (rule.message, rule.fix),
            )
            o_start, o_end = a.signals.doc.span(start, end)
            findings.append(
                Finding(
                    rule.id, severity, o_start, o_end, message, fix, rule.principles, confidence
                )
            )
        return findings

    def _learned_spans(
        self, rule: Rule, a: Assessment, reading: Reading
    ) -> tuple[list[tuple[Span, str, str]], float | None]:
        """Where a rule the reader knows applies: its words, and how sure the reader is."""
        if a.kind is Kind.OTHER and rule.kinds and Kind.OTHER.value not in rule.kinds:
            return [], None  # a rule that belongs to outreach kinds is silent on other messages
        p = reading.rule_probs[rule.id]
        fires = p >= self.model.threshold(rule.id, self.config.sensitivity)
        if fires and _ledger_answers(rule, a):
            return [], None
        unless = any(holds(item, a) for item in rule.unless)
        spans: list[tuple[Span, str, str]] = []
        strong = False
        for det in rule.detectors:
            history = det.type == "history"  # what the ledger or earlier checks know
            if not (fires or history or (det.strong and not unless)):
                continue
            for span in run_detector(det, a):
                spans.append((span, *_wording(det.message or rule.message, det.fix or rule.fix, a)))
                strong = strong or not history
        if not spans and fires:
            if a.sentences is None:
                a.sentences = SentenceScores(self.model, a.signals)
            best = a.sentences.best(rule.id)
            if best is not None:
                spans.append((best, rule.message, rule.fix))
        if not spans:
            return [], None
        if not (fires or strong):
            return spans, None  # from history alone: no words for the reader to be sure of
        confidence = p if fires else max(p, STRONG_CONFIDENCE)
        return spans, round(confidence, 2)


def _ledger_answers(rule: Rule, a: Assessment) -> bool:
    """True when the ledger holds what the rule finds missing (a known relationship, an
    endorsement already given): the corpus has no ledger, so the reader can't learn this."""
    return any(
        item.startswith("context:") and holds(item, a)
        for det in rule.detectors
        for item in det.evidence
    )


def _wording(message: str, fix: str, a: Assessment) -> tuple[str, str]:
    """A finding's message and fix, with what the context knows filled in (a history rule
    names the person owed a thank-you, or how many people got the same message)."""
    if "{{" not in message and "{{" not in fix:
        return message, fix
    ctx = a.signals.context
    when = time.strftime(" on %d %b", time.localtime(ctx.owed_at)) if ctx.owed_at else ""
    values = {
        "name": ctx.owed_name or "",
        "when": when,
        "count": ctx.repeated_for,
        "hours": round(ctx.repeat_hours),
    }
    return _template(message).render(**values), _template(fix).render(**values)


@cache
def _template(text: str) -> Any:
    import jinja2

    return jinja2.Environment(autoescape=False).from_string(text)
