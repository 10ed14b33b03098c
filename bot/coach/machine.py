"""The coaching session as a state machine: load, handle one message, save — every turn.

`cancel`, `restart`, `back` and `help` work in every state.  A session is saved after every
turn (a failed save leaves the previous state untouched and says so), survives a restart of
the process, and expires after `idle_hours` without a message.  Turns of the same session are
serialised; different channels are independent sessions.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from weakref import WeakValueDictionary

from bot.coach.answers import MAX_DRAFT, Meaning, choice_number, read_answer, yes_or_no
from bot.coach.flows import FLOWS, MENU, flow_from_words
from bot.coach.pasted import Shape, shape_of, worth_reading
from bot.coach.replies import Choice, Reply
from bot.coach.session import CoachSession
from bot.coach.steps import (
    YES_NO_STATES,
    Tools,
    answer_question,
    next_question,
    on_review,
    question_text,
    work_from_draft,
    yes_no,
)
from bot.metrics import metrics
from bot.storage.base import SessionKey, Store, StoreError
from bot.wording import say

log = logging.getLogger("rapport.coach")

__all__ = ["Coach", "FinishHook"]


def _duration(seconds: float) -> str:
    """24 hours, 90 minutes: how long a quiet session is kept, in words."""
    if seconds >= 7200:
        return f"{round(seconds / 3600)} hours"
    return f"{max(1, round(seconds / 60))} minutes"


#: Called when a session ends with a message: record its scores, keep it if the user opted in.
FinishHook = Callable[[SessionKey, CoachSession], Awaitable[str]]
_NAMED = re.compile(
    r"(?:ask|thank|endorse|recommend|refer|introduce|decline|write (?:to|for))\s+"
    r"(?!(?:me|him|her|them|us|you|my|our|your|their|his|someone|people|everyone)\b)"
    r"([^\W\d_][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,2})(?=\s+(?:for|to|about|with|on)\b|[\s,.!?]*$)"
)


class Coach:
    """Runs coaching sessions over a store; one instance serves every user and channel."""

    def __init__(
        self,
        store: Store,
        tools: Tools,
        on_finish: FinishHook,
        idle_hours: float = 24.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tools = tools
        self.on_finish = on_finish
        self.idle_seconds = idle_hours * 3600
        self.clock = clock
        self._locks: WeakValueDictionary[SessionKey, asyncio.Lock] = WeakValueDictionary()

    async def handle(self, key: SessionKey, text: str) -> Reply:
        """One message from the user in this channel; returns what the coach says."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        started = time.perf_counter()
        async with lock, self.store.session_lock(key):  # this process, then every process
            before, lead = await self._load(key)
            session, reply = await self._turn(key, before, text, lead)
            reply = await self._save(key, session, reply)
        new = before is None and session is not None and not reply.ended
        metrics().turn(key.user.platform, time.perf_counter() - started, new, reply.ended)
        return reply

    async def resume(self, key: SessionKey) -> Reply:
        """What to say when the user opens the conversation: where they left off, or the menu."""
        session, lead = await self._load(key)
        if session is None or session.state == "menu":
            return await self._reminded(key, self._menu(lead))
        if session.state == "review" and session.message:
            return Reply(say("welcome_back"), message=session.message, footer=say("review.next"))
        return self._ask_again(session, say("welcome_back"))

    async def current(self, key: SessionKey) -> CoachSession | None:
        """The open session in this channel, if any (for adapters' "resume" buttons)."""
        session, _ = await self._load(key)
        return session

    async def _load(self, key: SessionKey) -> tuple[CoachSession | None, str]:
        stored = await self.store.load_session(key)
        if stored is None:
            return None, ""
        session = CoachSession.from_json(stored.state)
        if session is None:  # saved by an older rapport: start again rather than guess
            await self.store.delete_session(key)
            return None, say("restarted")
        if self.clock() - stored.updated_at > self.idle_seconds:
            await self.store.delete_session(key)
            title = say(f"flows.{session.flow}") if session.flow else "your session"
            return None, say("expired", flow_title=title, idle=_duration(self.idle_seconds))
        return session, ""

    async def _save(self, key: SessionKey, session: CoachSession | None, reply: Reply) -> Reply:
        try:
            if session is None or reply.ended:
                await self.store.delete_session(key)
            else:
                await self.store.save_session(key, session.to_json(), self.clock())
        except StoreError as exc:  # the reason goes to the log (masked), never to the person
            metrics().failed(exc)
            log.warning("couldn't save a coaching step: %s", exc)
            return Reply(say("save_failed"))
        return reply

    async def _turn(
        self, key: SessionKey, session: CoachSession | None, text: str, lead: str
    ) -> tuple[CoachSession | None, Reply]:
        answer = read_answer(text, MAX_DRAFT)
        if answer.meaning is Meaning.CANCEL:
            return session, Reply(say("cancelled"), ended=True)
        if session is None or answer.meaning is Meaning.RESTART:
            fresh = CoachSession(started_at=self.clock())
            if answer.meaning is Meaning.RESTART:
                lead = say("restarted")
            elif answer.meaning is Meaning.TEXT:
                picked = await self._pick(key, fresh, answer.text, lead)
                if picked is not None:
                    return fresh, picked
            return fresh, await self._reminded(key, self._menu(lead))
        if answer.meaning is Meaning.HELP:
            return session, self._ask_again(session, say("help"))
        if answer.meaning is Meaning.BACK:
            if not session.undo():
                return session, self._ask_again(session, say("nothing_to_undo"))
            if session.state == "menu":
                return session, self._menu(say("went_back"))
            if session.state in YES_NO_STATES or session.state == "review":
                return session, self._ask_again(session, say("went_back"))
            went_back = say("went_back")
            return session, await next_question(self.tools, session, key.user, went_back)
        return session, await self._dispatch(key, session, text)

    async def _dispatch(self, key: SessionKey, s: CoachSession, text: str) -> Reply:
        answer = read_answer(text, MAX_DRAFT)
        if s.state == "menu":
            return await self._pick(key, s, answer.text, "") or self._menu(say("pick_flow"))
        if s.state == "ask":
            return await answer_question(self.tools, s, key.user, text)
        if s.state == "review":
            if answer.meaning is Meaning.DONE or (
                answer.meaning is Meaning.YES and not answer.text
            ):
                return await self._finish(key, s)
            return await on_review(self.tools, s, key.user, answer)
        if s.state in YES_NO_STATES:
            meaning, _ = yes_or_no(answer)
            if meaning is Meaning.SKIP:
                meaning = Meaning.NO
            if meaning not in (Meaning.YES, Meaning.NO):
                return yes_no(say("not_understood", hint=s.question or "(yes / no)"))
            return await self._decide(key, s, meaning is Meaning.YES)
        return self._menu("")

    async def _decide(self, key: SessionKey, s: CoachSession, yes: bool) -> Reply:
        s.remember_turn()
        if s.state == "ledger_offer":
            if yes:
                await self._write_ledger(key, s)
            return await self._end(key, s, say("review.ledger_saved") if yes else "")
        if s.state == "honest":
            if not yes:
                return Reply(say("cancelled"), ended=True)
            keep = {k: v for k, v in s.answers.items() if k in ("recipient", "endorsee")}
            s.flow = "decline" if s.flow in ("endorse", "decline") else "connect"
            s.answers, s.skipped = keep, []
            return await next_question(self.tools, s, key.user)
        # offer_give
        if not yes:
            return await next_question(self.tools, s, key.user)
        s.suspended = s.snapshot()
        name = s.answers.get("recipient", "")
        relationship = s.answers.get("relationship")
        s.flow, s.answers, s.skipped = "endorse", {"endorsee": name}, ["recipient"]
        if relationship:
            s.answers["relationship"] = relationship
        return await next_question(self.tools, s, key.user)

    async def _finish(self, key: SessionKey, s: CoachSession) -> Reply:
        if s.suspended is not None:  # the give-first recommendation is done: back to the ask
            gift = s.message or ""
            for name, value in s.suspended.items():
                setattr(s, name, value)
            s.suspended = None
            s.answers["given"] = say("facts.gave_recommendation")
            who = s.answers.get("recipient", "")
            s.ledger.append({"kind": "gave", "name": who, "note": "",
                             "label": f"you recommended {who}"})  # fmt: skip
            lead = say("honest_path.give_first_done", name=s.answers.get("recipient", "them"))
            reply = await next_question(self.tools, s, key.user, lead)
            return Reply(reply.text, message=gift or reply.message, trust=reply.trust,
                         findings=reply.findings, choices=reply.choices, extras=reply.extras)  # fmt: skip
        entries = await self._ledger_entries(key, s)
        if entries:
            s.ledger = entries
            s.state = "ledger_offer"
            summary = "; ".join(e["label"] for e in entries)
            return yes_no(say("questions.ledger_offer", entries=summary))
        return await self._end(key, s, "")

    async def _ledger_entries(self, key: SessionKey, s: CoachSession) -> list[dict[str, str]]:
        entries = [e for e in s.ledger if e.get("label")]
        name = s.answers.get("recipient") or s.answers.get("endorsee")
        first_hand = "relationship" not in s.from_ledger  # the ledger already knows that one
        if (
            name
            and first_hand
            and s.answers.get("relationship")
            and s.flow in ("ask_endorsement", "ask_referral", "endorse")
        ):
            who = s.answers.get("endorsee") if s.flow == "endorse" else name
            entries.append({"kind": "know", "name": who or name, "note": s.answers["relationship"],
                            "label": f'you know {who or name}: "{s.answers["relationship"]}"'})  # fmt: skip
        if s.flow == "endorse" and s.answers.get("endorsee"):
            entries.append({"kind": "gave", "name": s.answers["endorsee"], "note": "",
                            "label": f"you recommended {s.answers['endorsee']}"})  # fmt: skip
        if s.flow == "reciprocate" and s.answers.get("recipient"):
            who = s.answers["recipient"]
            owed = await self.tools.ledger.owed_to(key.user, who)
            if owed is None:  # not on record yet
                entries.append({"kind": "received", "name": who, "note": "",
                                "label": f"{who} endorsed you"})  # fmt: skip
            if s.answers.get("given"):
                entries.append({"kind": "gave", "name": who, "note": "",
                                "label": f"you're returning {who}'s endorsement"})  # fmt: skip
            else:  # an honest thank-you settles it too
                entries.append({"kind": "thanked", "name": who, "note": "",
                                "label": f"you've thanked {who}"})  # fmt: skip
        if any(e["kind"] == "thanked" for e in entries):
            owed = await self.tools.ledger.owed_to(key.user, s.answers.get("recipient", ""))
            if owed is None:
                entries = [e for e in entries if e["kind"] != "thanked"]
        return entries

    async def _write_ledger(self, key: SessionKey, s: CoachSession) -> None:
        ledger, user = self.tools.ledger, key.user
        for entry in s.ledger:
            if entry["kind"] == "know":
                await ledger.know(user, entry["name"], entry["note"])
            elif entry["kind"] == "gave":
                await ledger.gave(user, entry["name"])
            elif entry["kind"] == "received":
                await ledger.received(user, entry["name"], solicited=None)
            elif entry["kind"] == "thanked":
                await ledger.thanked(user, entry["name"])

    async def _end(self, key: SessionKey, s: CoachSession, lead: str) -> Reply:
        kept = await self.on_finish(key, s)
        return Reply(f"{lead}\n\n{say('review.finished', kept=kept)}".strip(), ended=True)

    async def _pick(self, key: SessionKey, s: CoachSession, text: str, lead: str) -> Reply | None:
        """Start the flow the user picked by number, named in words, or pasted a draft for."""
        number = choice_number(text, len(MENU))
        flow = MENU[number - 1] if number else None
        if flow is None and worth_reading(text):
            pasted = await self.tools.read_pasted(key.user, text)
            shape = shape_of(text, pasted)
            if shape is Shape.DRAFT:
                kind = pasted.kind.value.replace("_", " ")
                lead = f"{lead}\n\n{say('draft_received', kind=kind)}".strip()
                return await work_from_draft(self.tools, s, key.user, text, pasted, lead)
            if shape is Shape.NOT_OUTREACH:
                return self._menu(say("not_outreach"))
        flow = flow or flow_from_words(text)
        if flow is None:
            return None
        s.flow, s.state = flow, "ask"
        named = _NAMED.search(text)
        if named:
            s.answers["endorsee" if flow == "endorse" else "recipient"] = named.group(1)
        return await next_question(self.tools, s, key.user, lead.strip())

    async def _reminded(self, key: SessionKey, menu: Reply) -> Reply:
        """The menu, with a reminder of endorsements received unprompted and not yet returned
        (and a one-step way to start the thank-you for the first of them)."""
        waiting = await self.tools.ledger.view_unreciprocated(key.user)
        if not waiting:
            return menu
        names = list(dict.fromkeys(e.other.display for e in waiting))
        first = names[0]
        note = say("unreciprocated", names=", ".join(names), first=first)
        thank = Choice(
            f"rapport:coach:thank:{waiting[0].other.key}", f"Thank {first}", f"thank {first}"
        )
        return Reply(f"{menu.text}\n\n{note}", choices=(*menu.choices, thank), extras=menu.extras)

    def _menu(self, lead: str) -> Reply:
        items = "\n".join(f"{i}. {say(f'flows.{name}')}" for i, name in enumerate(MENU, 1))
        text = f"{lead}\n\n{say('welcome')}\n{items}\n\n{say('menu_hint')}".strip()
        choices = tuple(
            Choice(f"rapport:coach:flow:{name}", say(f"flows.{name}"), str(i))
            for i, name in enumerate(MENU, 1)
        )
        return Reply(text, choices=choices, extras={"state": "menu"})

    @staticmethod
    def _ask_again(s: CoachSession, lead: str) -> Reply:
        """Repeat the question on the table (after help, back, or coming back)."""
        if s.state == "menu" or not s.flow:
            return Reply(f"{lead}\n\n{say('menu_hint')}")
        if s.state == "review":
            return Reply(lead, message=s.message, footer=say("review.next"))
        question = s.question or question_text(s, s.asking or "")
        if s.state in YES_NO_STATES or s.asking in ("given", "return_honestly"):
            return yes_no(f"{lead}\n\n{question}")
        return Reply(f"{lead}\n\n{question}")

    @staticmethod
    def flows() -> dict[str, str]:
        """Flow name → its title, for menus and help."""
        return {name: say(f"flows.{name}") for name in FLOWS}
