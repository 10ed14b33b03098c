"""How a session ends: "done" on a message, an offer to note what happened in the ledger, and
the goodbye (after the finish hook has recorded the session)."""

from __future__ import annotations

from rapport.bot.coach.context import Ctx
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Position, State, Turn
from rapport.bot.coach.steps import next_question, yes_no
from rapport.bot.storage.base import SessionKey
from rapport.bot.wording import say

__all__ = ["end", "finish", "write_ledger"]


async def finish(ctx: Ctx, key: SessionKey, s: CoachSession) -> Turn:
    """The user is happy with the message: back to a set-aside ask, the ledger offer, or the
    end."""
    if s.suspended is not None:  # the give-first recommendation is done: back to the ask
        gift = s.message or ""
        s.restore(s.suspended)  # the ask's answers; next_question decides where it goes on
        s.suspended = None
        s.answers["given"] = say("facts.gave_recommendation")
        who = s.answers.get("recipient", "")
        s.ledger.append({"kind": "gave", "name": who, "note": "",
                         "label": f"you recommended {who}"})  # fmt: skip
        lead = say("honest_path.give_first_done", name=s.answers.get("recipient", "them"))
        turn = await next_question(ctx.tools, s, key.user, lead)
        reply = turn.reply
        return Turn(turn.position, Reply(reply.text, message=gift or reply.message,
                    trust=reply.trust, findings=reply.findings, choices=reply.choices,
                    extras=reply.extras))  # fmt: skip
    entries = await _ledger_entries(ctx, key, s)
    if entries:
        s.ledger = entries
        summary = "; ".join(e["label"] for e in entries)
        return Turn(
            Position(State.LEDGER_OFFER), yes_no(say("questions.ledger_offer", entries=summary))
        )
    return await end(ctx, key, s, "")


async def end(ctx: Ctx, key: SessionKey, s: CoachSession, lead: str) -> Turn:
    """Hand the finished session to the hook, and say goodbye."""
    kept = await ctx.on_finish(key, s)
    text = f"{lead}\n\n{say('review.finished', kept=kept)}".strip()
    return Turn(Position(State.END), Reply(text, ended=True))


async def _ledger_entries(ctx: Ctx, key: SessionKey, s: CoachSession) -> list[dict[str, str]]:
    """What this session taught the ledger: a relationship, a recommendation given, an
    endorsement received, thanked or returned."""
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
        owed = await ctx.tools.ledger.owed_to(key.user, who)
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
        owed = await ctx.tools.ledger.owed_to(key.user, s.answers.get("recipient", ""))
        if owed is None:
            entries = [e for e in entries if e["kind"] != "thanked"]
    return entries


async def write_ledger(ctx: Ctx, key: SessionKey, s: CoachSession) -> None:
    """Note the offered entries in the ledger (the user said yes)."""
    ledger, user = ctx.tools.ledger, key.user
    for entry in s.ledger:
        if entry["kind"] == "know":
            await ledger.know(user, entry["name"], entry["note"])
        elif entry["kind"] == "gave":
            await ledger.gave(user, entry["name"])
        elif entry["kind"] == "received":
            await ledger.received(user, entry["name"], solicited=None)
        elif entry["kind"] == "thanked":
            await ledger.thanked(user, entry["name"])
