"""The coach's questions and what each answer does: one handler per state, each returning the
reply and leaving the session in its next state.  No I/O but through the `Tools` given in."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from bot.coach.answers import (
    MAX_ANSWER,
    MAX_DRAFT,
    Answer,
    Meaning,
    denies,
    non_answer,
    read_answer,
    yes_or_no,
)
from bot.coach.flows import FLOW_FOR_KIND, FLOWS, Flow
from bot.coach.ledger import Ledger, clean_name
from bot.coach.pasted import Pasted
from bot.coach.replies import Choice, Reply
from bot.coach.session import CoachSession
from bot.engine.lexicon import greeting_words
from bot.models import Context, Finding, Kind, Report, Rewrite, Trust
from bot.storage.base import UserRef
from bot.wording import has, say

__all__ = [
    "YES_NO_STATES",
    "Tools",
    "answer_question",
    "next_question",
    "on_review",
    "question_text",
    "work_from_draft",
    "yes_no",
]

YES_NO_STATES = frozenset({"honest", "offer_give", "ledger_offer"})
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
_SKIPPABLE = frozenset({"reason", "specific", "alternative", "recipient", "received"})
_NAMES = frozenset({"recipient", "endorsee"})
_GREETING = re.compile(r"(?i)^" + greeting_words() + r"\b")

_PROFILE = re.compile(
    r"(?i)^(?:profile|their profile|(?:for )?(?:his|her|their) profile|linkedin|public)$"
)
_CLAUSE = re.compile(r"(?i)^(?:he|she|they|you|i|we|it|his|her|their)\b")
_ENDORSED_FOR = re.compile(r"(?i)^(?:the|a|an|your|their|his|her|that|this)\b|^\w+ing\b")


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


def _names(s: CoachSession) -> dict[str, str]:
    name = s.answers.get("recipient")
    return {
        "name": name or "them",
        "possessive": f"{name}'s" if name else "theirs",
        "their": f"{name}'s" if name else "their",
        "endorsee": s.answers.get("endorsee") or "them",
    }


def question_text(s: CoachSession, field: str) -> str:
    """The wording of a question, for this flow (falls back to the generic one)."""
    if field.startswith("known:"):
        return say("questions.relationship_each", name=field[6:])
    flow = s.flow or ""
    specific = f"questions.{field}_{_SUFFIX[flow]}" if flow in _SUFFIX else ""
    key = specific if specific and has(specific) else f"questions.{field}"
    return say(key, **_names(s)) if has(key) else say("questions.details", **_names(s))


def yes_no(text: str, s: CoachSession | None = None, question: str = "") -> Reply:
    """A yes/no question, with buttons (remembered so `back` and `help` can ask it again)."""
    if s is not None and question:
        s.question = question
    return Reply(text, choices=_YES_NO)


def _ask(s: CoachSession, field: str, lead: str = "") -> Reply:
    s.state, s.asking = "ask", field
    text = question_text(s, field)
    s.question = text
    if field in ("given", "return_honestly"):
        return Reply(f"{lead}\n\n{text}".strip(), choices=_YES_NO, extras={"question": field})
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
                return _ask(s, f"known:{name}", lead)
    rewrite = await _compose(tools, s, user, flow)
    if rewrite is not None:
        for missing in rewrite.missing:
            if not _done_with(s, missing.field):
                return _ask(s, missing.field, lead)
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
) -> Reply:
    s.state, s.asking, s.pending = "review", None, []
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
        s.question = say("review.next")
        body = f"{lead}\n\n{say('review.blast_intro')}".strip()
        return Reply(body, messages=tuple(notes), footer=s.question, choices=_DONE,
                     extras=_extras(s))  # fmt: skip
    s.question = say("review.next")
    if rewrite is None or rewrite.text is None:
        s.message = s.draft
        why = rewrite.note if rewrite else ""
        return Reply(f"{lead}\n\n{why}".strip(), message=s.draft, footer=s.question)
    s.message = rewrite.text
    s.verdict = _verdict(flow.kind.value, rewrite.findings, rewrite.trust)
    s.pending = [m.field for m in rewrite.missing]
    parts = [lead, say("draft_clean") if rewrite.unchanged else say("review.intro")]
    footer = [say("review.prompts_left")] if rewrite.missing else []
    return Reply(
        "\n\n".join(p for p in parts if p),
        message=rewrite.text,
        trust=rewrite.trust,
        findings=rewrite.findings,
        choices=_DONE,
        footer="\n".join([*footer, s.question]),
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


def _looks_like_edit(text: str, message: str | None) -> bool:
    """An edited message, not a remark about it: several lines, a greeting, or message-sized."""
    if "\n" in text or _GREETING.match(text):
        return True
    return len(text.split()) >= 12 or (message is not None and len(text) >= len(message) / 2)


async def on_review(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Reply:
    """In review: an edited message is checked again; a short answer fills the next [prompt];
    anything else says how to go on."""
    if answer.meaning is not Meaning.TEXT:
        return Reply(say("review.next"), choices=_DONE)
    if not _looks_like_edit(answer.text, s.message):
        if s.pending and len(answer.text) <= MAX_ANSWER:  # the answer to a [prompt]
            s.remember_turn()
            field = s.pending[0]
            s.answers[field] = answer.text
            return await next_question(tools, s, user, say("review.prompt_filled"))
        return Reply(say("edit_or_done"), choices=_DONE)
    s.remember_turn()
    report = await tools.check(user, answer.text, s.answers.get("recipient"))
    s.message = answer.text
    s.pending = []
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


async def _pasted_draft(tools: Tools, user: UserRef, answer: Answer) -> Pasted | None:
    """A whole message pasted in place of an answer, or None if it isn't one.  An answer may
    be a sentence or two, so only a message-sized text that greets or spans lines counts."""
    text = answer.text
    if answer.meaning is not Meaning.TEXT or len(text) < 60:
        return None
    if not (_GREETING.match(text) or "\n" in text or len(text) > 160):
        return None
    pasted = await tools.read_pasted(user, text)
    return None if pasted.kind is Kind.OTHER else pasted


async def answer_question(tools: Tools, s: CoachSession, user: UserRef, raw: str) -> Reply:
    """Take the answer to the question on the table, then ask the next one."""
    field = s.asking or ""
    answer = read_answer(raw, MAX_DRAFT)
    if field not in ("draft", "recipients"):
        pasted = await _pasted_draft(tools, user, answer)
        if pasted is not None:
            return await _use_draft(tools, s, user, answer.text, pasted)
    limit = MAX_DRAFT if field == "draft" else MAX_ANSWER
    if answer.meaning is Meaning.TEXT and len(answer.text) > limit:
        answer = Answer(Meaning.TOO_LONG, "")
    if answer.meaning in (Meaning.EMPTY, Meaning.BINARY, Meaning.TOO_LONG):
        problem = {Meaning.EMPTY: "empty", Meaning.BINARY: "binary", Meaning.TOO_LONG: "too_long"}
        lead = say(problem[answer.meaning], hint=question_text(s, field), limit=limit)
        return Reply(lead, extras={"question": field})
    if field in ("given", "given_what", "return_honestly", "return_what"):
        return await _gift_step(tools, s, user, field, answer)
    text = answer.text
    if field == "relationship" or field.startswith("known:"):
        denied = answer.meaning is Meaning.NO or (answer.meaning is Meaning.TEXT and denies(text))
        if denied and field.startswith("known:"):
            answer = Answer(Meaning.SKIP, "")
        elif denied and s.flow == "connect":
            hint = question_text(s, field)
            return Reply(say("questions.connect_no_denial", hint=hint), extras={"question": field})
        elif denied:
            s.remember_turn()
            s.state = "honest"
            flow = "endorse" if s.flow in ("endorse", "decline") else "ask"
            lead = say(f"honest_path.no_relationship_{flow}", **_names(s))
            question = say(f"honest_path.options_{flow}", **_names(s))
            return yes_no(f"{lead}\n\n{question}", s, question)
    if answer.meaning is Meaning.SKIP or (answer.meaning is Meaning.NO and field in _SKIPPABLE):
        s.remember_turn()
        if field.startswith("known:"):
            s.known[field[6:]] = ""
        else:
            s.skipped.append(field)
        return await next_question(tools, s, user)
    if answer.meaning is not Meaning.TEXT:
        return Reply(
            say("not_understood", hint=question_text(s, field)), extras={"question": field}
        )
    if field not in _NAMES and field not in ("draft", "recipients"):
        why = non_answer(text, field == "relationship" or field.startswith("known:"))
        if why is not None:
            key = "opinion_not_relationship" if why == "opinion" else "non_answer"
            return Reply(say(key, hint=question_text(s, field)), extras={"question": field})
    if field in _NAMES:
        name = clean_name(text)
        if name is None:
            return Reply(
                say("not_a_name", hint=question_text(s, field)), extras={"question": field}
            )
        text = name
    s.remember_turn()
    return await _store_answer(tools, s, user, field, text)


async def _store_answer(
    tools: Tools, s: CoachSession, user: UserRef, field: str, text: str
) -> Reply:
    lead = ""
    if field.startswith("known:"):
        s.known[field[6:]] = text
    elif field == "recipients":
        names = [clean_name(n) for n in re.split(r",|\band\b|\n|;", text)]
        unique: dict[str, str] = {}
        for n in names:
            if n:
                unique.setdefault(n.lower(), n)  # the first spelling wins
        s.recipients = list(unique.values())[:20]
        if not s.recipients:
            s.undo()
            return Reply(
                say("not_a_name", hint=question_text(s, field)), extras={"question": field}
            )
    elif field == "draft":
        s.draft = text
    elif field == "recipient" and s.flow == "endorse" and _PROFILE.match(text):
        s.skipped.append("recipient")
    elif field == "received":
        key = "facts.thanks_for" if _ENDORSED_FOR.match(text) else "facts.thanks_for_endorsing"
        s.answers["received"] = text
        s.answers["thanks"] = say(key, what=text.rstrip(".!"))
    else:
        s.answers[field] = text
    if field == "recipient" and "relationship" not in s.answers and s.flow != "connect":
        known = await tools.ledger.relationship(user, text)
        if known is not None:
            s.answers["relationship"] = known.how
            s.from_ledger.append("relationship")
            lead = say("ledger_knows", name=text, how=known.how)
    return await next_question(tools, s, user, lead)


async def work_from_draft(
    tools: Tools, s: CoachSession, user: UserRef, text: str, pasted: Pasted, lead: str = ""
) -> Reply:
    """Work from a pasted draft, in the flow its kind calls for, knowing what it already says
    (who it is for, who it recommends): the coach asks only for what it lacks."""
    s.state, s.draft = "ask", text
    s.flow = FLOW_FOR_KIND.get(pasted.kind, s.flow)
    if pasted.recipient:
        s.answers["recipient"] = pasted.recipient
    if pasted.endorsee and "endorsee" in FLOWS[s.flow or "endorse"].steps:
        s.answers["endorsee"] = pasted.endorsee
    return await next_question(tools, s, user, lead)


async def _use_draft(
    tools: Tools, s: CoachSession, user: UserRef, text: str, pasted: Pasted
) -> Reply:
    """A whole draft pasted mid-flow: work from it instead."""
    s.remember_turn()
    lead = say("draft_received_mid", kind=pasted.kind.value.replace("_", " "))
    return await work_from_draft(tools, s, user, text, pasted, lead)


async def _gift_step(
    tools: Tools, s: CoachSession, user: UserRef, field: str, answer: Answer
) -> Reply:
    """Have you given first? / Can you return it honestly? — and what, if so."""
    meaning, details = yes_or_no(answer)
    if field in ("given_what", "return_what"):
        if meaning in (Meaning.SKIP, Meaning.NO):
            s.remember_turn()
            s.skipped.append("given" if field == "given_what" else "return")
            return await next_question(tools, s, user)
        if meaning is not Meaning.TEXT and not details:
            return Reply(say("not_understood", hint=question_text(s, field)))
        s.remember_turn()
        what = details or answer.text
        if field == "given_what":
            s.answers["given"] = what
        else:
            s.answers["given"] = _return_offer(what)
        return await next_question(tools, s, user)
    if meaning is Meaning.TEXT:  # a sentence answering the follow-up directly
        meaning, details = Meaning.YES, answer.text
    if meaning not in (Meaning.YES, Meaning.NO, Meaning.SKIP):
        return yes_no(say("not_understood", hint=question_text(s, field)))
    s.remember_turn()
    if field == "given":
        if meaning is Meaning.YES:
            if details:
                s.answers["given"] = details
                return await next_question(tools, s, user)
            return _ask(s, "given_what")
        s.skipped.append("given")
        if meaning is Meaning.SKIP:
            return await next_question(tools, s, user)
        s.state = "offer_give"
        question = say("honest_path.offer_give", **_names(s))
        return yes_no(question, s, question)
    if meaning is Meaning.YES:
        if details:
            s.answers["given"] = _return_offer(details)
            return await next_question(tools, s, user)
        return _ask(s, "return_what")
    s.skipped.append("return")
    lead = say("honest_path.no_return") if meaning is Meaning.NO else ""
    return await next_question(tools, s, user, lead)


def _return_offer(what: str) -> str:
    """The offer to return an endorsement, in words that stay grammatical around the answer."""
    what = what.strip().rstrip(".!")
    key = "facts.return_offer_plain" if _CLAUSE.match(what) else "facts.return_offer"
    return say(key, what=what[:1].lower() + what[1:] if not _CLAUSE.match(what) else what)
