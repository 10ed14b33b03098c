"""The coach's questions: what to ask next, how each question is worded, and the review of the
finished message.  Each function returns a `Turn` naming the position to move to and leaves
moving there to the machine.  No I/O but through the `Tools` given in."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from rapport.bot.coach.answers import MAX_ANSWER, Answer, Meaning
from rapport.bot.coach.flows import FLOW_FOR_KIND, FLOWS, Flow
from rapport.bot.coach.ledger import Ledger
from rapport.bot.coach.pasted import Pasted
from rapport.bot.coach.replies import Choice, Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Position, State, Turn
from rapport.bot.engine.lexicon import greeting_words
from rapport.bot.models import Context, Finding, Kind, Report, Rewrite, Trust
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import has, say

__all__ = [
    "Tools",
    "ask",
    "names",
    "next_question",
    "question_text",
    "review_hint",
    "revise",
    "stay",
    "work_from_draft",
    "yes_no",
]

_SUFFIX = {
    "endorse": "endorse",
    "reciprocate": "thanks",
    "decline": "decline",
    "connect": "connect",
}
_YES_NO = (
    Choice("rapport:coach:yes", "Yes", "yes"),
    Choice("rapport:coach:no", "No", "no"),
)
_DONE = (Choice("rapport:coach:done", "Looks good", "done"),)
_GREETING = re.compile(r"(?i)^" + greeting_words() + r"\b")
_REVIEW = Position(State.REVIEW)


@dataclass(frozen=True, slots=True)
class Tools:
    """What the steps may use: the ledger, and the engine's work (ledger-aware checks, the
    rewriter), all awaited: the service runs the CPU work off the event loop."""

    ledger: Ledger
    context_for: Callable[[UserRef, str | None], Awaitable[Context]]
    check: Callable[[UserRef, str, str | None], Awaitable[Report]]
    read_pasted: Callable[[UserRef, str], Awaitable[Pasted]]  # a pasted message's kind and people
    #: (user, draft, context, answers) → the draft's rewrite
    rewrite: Callable[[UserRef, str, Context, Mapping[str, str]], Awaitable[Rewrite | None]]
    #: (user, kind, answers, context, decline, skipped) → a message from the answers alone
    compose: Callable[
        [UserRef, Kind, Mapping[str, str], Context, bool, Collection[str]], Awaitable[Rewrite]
    ]


def names(s: CoachSession) -> dict[str, str]:
    """The people a question may name, with fallbacks for the ones not known yet."""
    name = s.answers.get("recipient")
    return {
        "name": name or "them",
        "possessive": f"{name}'s" if name else "theirs",
        "their": f"{name}'s" if name else "their",
        "endorsee": s.answers.get("endorsee") or "them",
    }


def question_text(s: CoachSession, at: Position) -> str:
    """The wording of the question at `at`, for this flow (falls back to the generic one)."""
    if at.state is State.KNOWN:
        return say("questions.relationship_each", name=at.name)
    field, flow = at.question or "", s.flow or ""
    specific = f"questions.{field}_{_SUFFIX[flow]}" if flow in _SUFFIX else ""
    key = specific if specific and has(specific) else f"questions.{field}"
    return say(key, **names(s)) if has(key) else say("questions.details", **names(s))


def yes_no(text: str, s: CoachSession | None = None, question: str = "") -> Reply:
    """A yes/no question, with buttons (remembered so `back` and `help` can ask it again)."""
    if s is not None and question:
        s.question = question
    return Reply(text, choices=_YES_NO)


def stay(s: CoachSession, reply: Reply) -> Turn:
    """A turn that keeps the session where it is (a question asked again, a hint)."""
    return Turn(s.position, reply)


def ask(s: CoachSession, at: Position, lead: str = "") -> Turn:
    """Put the question at `at` on the table."""
    text = question_text(s, at)
    s.question = text
    body, extras = f"{lead}\n\n{text}".strip(), {"question": at.question}
    if at.state in (State.GIVEN, State.RETURN):
        return Turn(at, Reply(body, choices=_YES_NO, extras=extras))
    return Turn(at, Reply(body, extras=extras))


def _done_with(s: CoachSession, field: str) -> bool:
    if field == "draft":
        return s.draft is not None
    if field == "recipients":
        return bool(s.recipients)
    if field == "return":
        return "return" in s.skipped or "given" in s.answers
    return field in s.answers or field in s.skipped


async def next_question(tools: Tools, s: CoachSession, user: UserRef, lead: str = "") -> Turn:
    """Ask the next thing the flow needs, or show the message when nothing is missing: one of
    states.NEXT_QUESTION."""
    flow = FLOWS[s.flow or "ask_endorsement"]
    if s.draft is None or flow.name == "blast":
        for step in flow.steps:
            if not _done_with(s, step):
                field = "return_honestly" if step == "return" else step
                return ask(s, Position.asking(field), lead)
    if flow.name == "blast":
        for name in s.recipients:
            if name not in s.known:
                return ask(s, Position(State.KNOWN, name=name), lead)
    rewrite = await _compose(tools, s, user, flow)
    if rewrite is not None:
        for missing in rewrite.missing:
            if not _done_with(s, missing.field):
                return ask(s, Position.asking(missing.field), lead)
    return await _review(tools, s, user, flow, rewrite, lead)


async def _compose(tools: Tools, s: CoachSession, user: UserRef, flow: Flow) -> Rewrite | None:
    if flow.name == "blast":
        return None
    context = await tools.context_for(user, s.answers.get("recipient"))
    if s.draft is not None:
        return await tools.rewrite(user, s.draft, context, s.answers)
    skipped = [f for f in s.skipped if f in flow.optional]
    return await tools.compose(user, flow.kind, s.answers, context, flow.decline, skipped)


async def _review(
    tools: Tools, s: CoachSession, user: UserRef, flow: Flow, rewrite: Rewrite | None, lead: str
) -> Turn:
    s.pending = []
    s.question = say("review.next")
    if flow.name == "blast":
        notes = []
        assert s.draft is not None
        for name in s.recipients:
            context = await tools.context_for(user, name)
            supplied = {
                "recipient": name,
                **({"relationship": s.known[name]} if s.known.get(name) else {}),
            }
            personal = await tools.rewrite(user, s.draft, context, supplied)
            notes.append((name, personal.text if personal and personal.text else s.draft))
        s.message = "\n\n---\n\n".join(text for _, text in notes)
        body = f"{lead}\n\n{say('review.blast_intro')}".strip()
        return Turn(_REVIEW, Reply(body, messages=tuple(notes), footer=s.question, choices=_DONE,
                                   extras=_extras(s)))  # fmt: skip
    if rewrite is None or rewrite.text is None:
        s.message = s.draft
        why = rewrite.note if rewrite else ""
        return Turn(_REVIEW, Reply(f"{lead}\n\n{why}".strip(), message=s.draft, footer=s.question))
    s.message = rewrite.text
    s.verdict = _verdict(flow.kind.value, rewrite.findings, rewrite.trust)
    s.pending = [m.field for m in rewrite.missing]
    parts = [lead, say("draft_clean") if rewrite.unchanged else say("review.intro")]
    footer = [say("review.prompts_left")] if rewrite.missing else []
    return Turn(
        _REVIEW,
        Reply(
            "\n\n".join(p for p in parts if p),
            message=rewrite.text,
            trust=rewrite.trust,
            findings=rewrite.findings,
            choices=_DONE,
            footer="\n".join([*footer, s.question]),
            extras=_extras(s),
        ),
    )


def _verdict(kind: str, findings: tuple[Finding, ...], trust: Trust | None) -> dict[str, Any]:
    """What a finished session keeps of its message: the kind, rule ids and the score."""
    return {
        "kind": kind,
        "rules": sorted({f.rule for f in findings}),
        "quotient": trust.quotient if trust else 0.0,
    }


def _extras(s: CoachSession) -> dict[str, str]:
    return {"flow": s.flow or "", "state": State.REVIEW.value}


def _looks_like_edit(text: str, message: str | None) -> bool:
    """An edited message, not a remark about it: several lines, a greeting, or message-sized."""
    if "\n" in text or _GREETING.match(text):
        return True
    return len(text.split()) >= 12 or (message is not None and len(text) >= len(message) / 2)


def review_hint(s: CoachSession) -> Turn:
    """In review, an answer that is neither done nor text: say how to go on."""
    return stay(s, Reply(say("review.next"), choices=_DONE))


async def revise(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """In review: an edited message is checked again; a short answer fills the next [prompt];
    a remark about the message says how to go on."""
    if answer.meaning is not Meaning.TEXT:
        return review_hint(s)
    if not _looks_like_edit(answer.text, s.message):
        if s.pending and len(answer.text) <= MAX_ANSWER:  # the answer to a [prompt]
            s.remember_turn()
            field = s.pending[0]
            s.answers[field] = answer.text
            return await next_question(tools, s, user, say("review.prompt_filled"))
        return stay(s, Reply(say("edit_or_done"), choices=_DONE))
    s.remember_turn()
    report = await tools.check(user, answer.text, s.answers.get("recipient"))
    s.message = answer.text
    s.pending = []
    s.verdict = _verdict(report.kind.value, report.findings, report.trust)
    verdict = [say("review.clean")] if not report.findings else []
    return stay(
        s,
        Reply(
            say("review.edited"),
            message=answer.text,
            trust=report.trust,
            findings=report.findings,
            choices=_DONE,
            footer="\n".join([*verdict, say("review.next")]),
            extras=_extras(s),
        ),
    )


async def work_from_draft(
    tools: Tools, s: CoachSession, user: UserRef, text: str, pasted: Pasted, lead: str = ""
) -> Turn:
    """Work from a pasted draft, in the flow its kind calls for, knowing what it already says
    (who it is for, who it recommends): the coach asks only for what it lacks."""
    s.draft = text
    s.flow = FLOW_FOR_KIND.get(pasted.kind, s.flow)
    if pasted.recipient:
        s.answers["recipient"] = pasted.recipient
    if pasted.endorsee and "endorsee" in FLOWS[s.flow or "endorse"].steps:
        s.answers["endorsee"] = pasted.endorsee
    return await next_question(tools, s, user, lead)
