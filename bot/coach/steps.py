"""The coach's questions and what each answer does: one handler per state, each returning the
reply and leaving the session in its next state.  No I/O but through the `Tools` given in."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.coach.answers import MAX_ANSWER, MAX_DRAFT, Answer, Meaning, denies, read_answer
from bot.coach.flows import FLOWS, Flow
from bot.coach.replies import Choice, Reply
from bot.coach.session import CoachSession
from bot.coach.wording import has, say
from bot.ledger import Ledger
from bot.models import Context, Finding, Report, Rewrite, Trust
from bot.rewrite import Rewriter
from bot.storage.base import UserRef

__all__ = ["Tools", "answer_question", "next_question", "on_review", "question_text", "yes_no"]

_SUFFIX = {"endorse": "endorse", "reciprocate": "thanks", "decline": "decline"}
_YES_NO = (
    Choice("rapport:coach:yes", "Yes", "yes"),
    Choice("rapport:coach:no", "No", "no"),
)
_DONE = (Choice("rapport:coach:done", "Looks good", "done"),)
_SKIPPABLE = frozenset({"reason", "specific", "alternative", "given", "recipient"})


@dataclass(frozen=True, slots=True)
class Tools:
    """What the steps may use: the rewriter, the ledger, and ledger-aware checks."""

    rewriter: Rewriter
    ledger: Ledger
    context_for: Callable[[UserRef, str | None], Awaitable[Context]]
    check: Callable[[UserRef, str, str | None], Awaitable[Report]]
    recipient_of: Callable[[str], str | None]  # who a pasted draft greets


def _names(s: CoachSession) -> dict[str, str]:
    return {
        "name": s.answers.get("recipient") or "them",
        "endorsee": s.answers.get("endorsee") or "them",
    }


def question_text(s: CoachSession, field: str) -> str:
    """The wording of a question, for this flow (falls back to the generic one)."""
    return _question(s, field)


def _question(s: CoachSession, field: str) -> str:
    flow = s.flow or ""
    specific = f"questions.{field}_{_SUFFIX[flow]}" if flow in _SUFFIX else ""
    key = specific if specific and has(specific) else f"questions.{field}"
    return say(key, **_names(s)) if has(key) else say("questions.details", **_names(s))


def yes_no(text: str) -> Reply:
    """A yes/no question, with buttons."""
    return Reply(text, choices=_YES_NO)


def _ask(s: CoachSession, field: str, lead: str = "") -> Reply:
    s.state, s.asking = "ask", field
    text = _question(s, field)
    if field in ("given", "return_honestly", "ledger_offer"):
        return yes_no(f"{lead}\n\n{text}".strip())
    return Reply(f"{lead}\n\n{text}".strip(), extras={"question": field})


def _done_with(s: CoachSession, field: str) -> bool:
    if field == "draft":
        return s.draft is not None
    if field == "recipients":
        return bool(s.recipients)
    if field == "return":
        return "return" in s.skipped or "given" in s.answers
    return field in s.answers or field in s.skipped


async def next_question(tools: Tools, s: CoachSession, user: UserRef, lead: str = "") -> Reply:
    """Ask the next thing the flow needs, or show the message when nothing is missing."""
    flow = FLOWS[s.flow or "ask_endorsement"]
    if s.draft is None or flow.name == "blast":
        for step in flow.steps:
            if not _done_with(s, step):
                if step == "return":
                    return _ask(s, "return_honestly", lead)
                return _ask(s, step, lead)
    if flow.name == "blast":
        for name in s.recipients:
            if name not in s.known:
                s.state, s.asking = "ask", f"known:{name}"
                text = say("questions.relationship_each", name=name)
                return Reply(f"{lead}\n\n{text}".strip(), extras={"question": "relationship"})
    rewrite = await _compose(tools, s, user, flow)
    if rewrite is not None:
        for missing in rewrite.missing:
            if not _done_with(s, missing.field):
                return _ask(s, missing.field, lead)
    return await _review(tools, s, user, flow, rewrite, lead)


async def _compose(tools: Tools, s: CoachSession, user: UserRef, flow: Flow) -> Rewrite | None:
    recipient = s.answers.get("recipient")
    context = await tools.context_for(user, recipient)
    if flow.name == "blast":
        return None
    if s.draft is not None:
        report = tools.rewriter.check(s.draft, context, s.answers)
        return report.rewrite
    return tools.rewriter.compose(flow.kind, s.answers, context, decline=flow.decline)


async def _review(
    tools: Tools, s: CoachSession, user: UserRef, flow: Flow, rewrite: Rewrite | None, lead: str
) -> Reply:
    s.state, s.asking = "review", None
    if flow.name == "blast":
        notes = []
        assert s.draft is not None
        for name in s.recipients:
            context = await tools.context_for(user, name)
            supplied = {
                "recipient": name,
                **({"relationship": s.known[name]} if s.known.get(name) else {}),
            }
            personal = tools.rewriter.check(s.draft, context, supplied).rewrite
            notes.append((name, personal.text if personal and personal.text else s.draft))
        s.message = "\n\n---\n\n".join(text for _, text in notes)
        body = f"{lead}\n\n{say('review.blast_intro')}".strip()
        return Reply(body, messages=tuple(notes), footer=say("review.next"), choices=_DONE,
                     extras=_extras(s))  # fmt: skip
    if rewrite is None or rewrite.text is None:
        s.message = s.draft
        why = rewrite.note if rewrite else ""
        return Reply(f"{lead}\n\n{why}".strip(), message=s.draft, footer=say("review.next"))
    s.message = rewrite.text
    s.verdict = _verdict(flow.kind.value, rewrite.findings, rewrite.trust)
    parts = [lead, say("draft_clean") if rewrite.unchanged else say("review.intro")]
    footer = [say("review.prompts_left")] if rewrite.missing else []
    return Reply(
        "\n\n".join(p for p in parts if p),
        message=rewrite.text,
        trust=rewrite.trust,
        findings=rewrite.findings,
        choices=_DONE,
        footer="\n".join([*footer, say("review.next")]),
        extras=_extras(s),
    )


def _verdict(kind: str, findings: tuple[Finding, ...], trust: Trust | None) -> dict[str, Any]:
    """What a finished session keeps of its message: the kind, rule ids and the score."""
    return {
        "kind": kind,
        "rules": sorted({f.rule for f in findings}),
        "quotient": trust.quotient if trust else 0.0,
    }


def _extras(s: CoachSession) -> dict[str, str]:
    return {"flow": s.flow or "", "state": s.state}


async def on_review(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Reply:
    """In review: a pasted edit is checked again; anything else re-shows the options."""
    if answer.meaning is not Meaning.TEXT:
        return Reply(say("review.next"), choices=_DONE)
    s.remember_turn()
    report = await tools.check(user, answer.text, s.answers.get("recipient"))
    s.message = answer.text
    s.verdict = _verdict(report.kind.value, report.findings, report.trust)
    verdict = [say("review.clean")] if not report.findings else []
    return Reply(
        say("review.edited"),
        message=answer.text,
        trust=report.trust,
        findings=report.findings,
        choices=_DONE,
        footer="\n".join([*verdict, say("review.next")]),
        extras=_extras(s),
    )


_PROFILE = re.compile(
    r"(?i)^(?:profile|their profile|(?:for )?(?:his|her|their) profile|linkedin|public)$"
)


async def answer_question(tools: Tools, s: CoachSession, user: UserRef, raw: str) -> Reply:
    """Take the answer to the question on the table, then ask the next one."""
    field = s.asking or ""
    answer = read_answer(raw, MAX_DRAFT)
    if field not in ("draft", "recipients") and await _is_draft(tools, user, answer):
        s.remember_turn()
        s.draft = answer.text  # a pasted draft: from now on, ask only what it lacks
        named = tools.recipient_of(answer.text)
        if named and not named.startswith("<"):
            s.answers.setdefault("recipient", named)
        return await next_question(tools, s, user, say("draft_received", kind="your draft"))
    limit = MAX_DRAFT if field == "draft" else MAX_ANSWER
    if answer.meaning is Meaning.TEXT and len(answer.text) > limit:
        answer = Answer(Meaning.TOO_LONG, "")
    if answer.meaning in (Meaning.EMPTY, Meaning.BINARY, Meaning.TOO_LONG):
        problem = {Meaning.EMPTY: "empty", Meaning.BINARY: "binary", Meaning.TOO_LONG: "too_long"}
        lead = say(problem[answer.meaning], hint=_question(s, field), limit=limit)
        return Reply(lead, extras={"question": field})
    s.remember_turn()
    lead = ""
    if field in ("given", "return_honestly"):
        return await _yes_no_step(tools, s, user, field, answer)
    if answer.meaning is Meaning.SKIP or (answer.meaning is Meaning.NO and field in _SKIPPABLE):
        s.skipped.append(field.split(":")[0] if not field.startswith("known:") else field)
        if field.startswith("known:"):
            s.known[field[6:]] = ""
        return await next_question(tools, s, user)
    if answer.meaning is not Meaning.TEXT:
        s.undo()
        return Reply(say("not_understood", hint=_question(s, field)), extras={"question": field})
    text = answer.text
    if field == "relationship" and denies(text):
        s.state = "honest"
        flow = "endorse" if s.flow in ("endorse", "decline") else "ask"
        lead = say(f"honest_path.no_relationship_{flow}", **_names(s))
        return yes_no(f"{lead}\n\n{say(f'honest_path.options_{flow}', **_names(s))}")
    if field.startswith("known:"):
        s.known[field[6:]] = text
    elif field == "recipients":
        s.recipients = [n.strip() for n in re.split(r",|\band\b|\n", text) if n.strip()][:20]
    elif field == "draft":
        s.draft = text
    elif field == "recipient" and s.flow == "endorse" and _PROFILE.match(text):
        s.skipped.append("recipient")
    elif field == "given_what":
        s.answers["given"] = text
    elif field == "return_what":
        s.answers["given"] = say("facts.return_offer", what=text)
    else:
        s.answers[field] = text
    if field == "recipient" and "relationship" not in s.answers:
        known = await tools.ledger.relationship(user, text)
        if known is not None:
            s.answers["relationship"] = known.how
            lead = say("ledger_knows", name=text, how=known.how)
    return await next_question(tools, s, user, lead)


_GREETING = re.compile(r"(?i)^(?:hi|hey|hello|dear|good (?:morning|afternoon|evening)|greetings)\b")


async def _is_draft(tools: Tools, user: UserRef, answer: Answer) -> bool:
    """A whole message pasted in place of an answer: greeted, or long and outreach-shaped."""
    text = answer.text
    if answer.meaning is not Meaning.TEXT or len(text) < 60:
        return False
    if not (_GREETING.match(text) or "\n" in text or len(text) > 160):
        return False
    report = await tools.check(user, text, None)
    return report.kind.value != "other"


async def _yes_no_step(
    tools: Tools, s: CoachSession, user: UserRef, field: str, answer: Answer
) -> Reply:
    if answer.meaning is Meaning.TEXT:  # they answered the follow-up directly
        answer = Answer(Meaning.YES, answer.text)
    if answer.meaning not in (Meaning.YES, Meaning.NO, Meaning.SKIP):
        s.undo()
        return yes_no(say("not_understood", hint=_question(s, field)))
    if field == "given":
        if answer.meaning is Meaning.YES:
            if answer.text:
                s.answers["given"] = answer.text
                return await next_question(tools, s, user)
            return _ask(s, "given_what")
        s.skipped.append("given")
        s.state = "offer_give"
        return yes_no(say("honest_path.offer_give", **_names(s)))
    if answer.meaning is Meaning.YES:
        if answer.text:
            s.answers["given"] = say("facts.return_offer", what=answer.text)
            return await next_question(tools, s, user)
        return _ask(s, "return_what")
    s.skipped.append("return")
    return await next_question(tools, s, user, say("honest_path.no_return"))
