"""The coaching graph as data: state × kind of answer → handler → the states it may lead to.

Like python-telegram-bot's ConversationHandler, the escapes (`cancel`, `restart`, `help`,
`back`) are declared once for every state; each state then lists what every other kind of
answer does.  The machine looks a turn up here and nowhere else, and refuses a handler's move
to a state its row doesn't name, so this table is the graph: tests/coach/test_coach_machine.py
reads it (reachability, ways out, completeness) and bot/coach/diagram.py draws it for
docs/coaching.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapport.bot.coach.answers import Meaning
from rapport.bot.coach.states import DECISIONS, NEXT_QUESTION, QUESTIONS, State

__all__ = ["ESCAPES", "STORED_STATES", "TABLE", "Transition", "transition"]


@dataclass(frozen=True, slots=True)
class Transition:
    """What one kind of answer does in one state: the handler that runs (a name in
    handlers.HANDLERS) and every state it may move the session to."""

    handler: str
    targets: frozenset[State]


#: The answers that work in every state of a session, whatever the question.
ESCAPES = (Meaning.CANCEL, Meaning.RESTART, Meaning.HELP, Meaning.BACK)
#: The states a session can be saved in (START has no session yet; END deletes it).
STORED_STATES = tuple(s for s in State if s not in (State.START, State.END))
#: Where `back` can land: a snapshot is taken before each answer that moves the session.
_BACK_TO = NEXT_QUESTION | DECISIONS | {State.MENU}

_UNREADABLE = {Meaning.EMPTY, Meaning.TOO_LONG, Meaning.BINARY}
_NOT_TEXT = {Meaning.YES, Meaning.NO, Meaning.SKIP, Meaning.DONE, *_UNREADABLE}
_ANSWERS = {Meaning.TEXT, Meaning.YES, Meaning.NO, Meaning.SKIP, Meaning.DONE}
_YES_NO = {Meaning.YES, Meaning.NO, Meaning.SKIP, Meaning.TEXT}  # "no, not yet" is a no


def _escapes(state: State) -> Iterable[tuple[State, set[Meaning], str, set[State]]]:
    yield state, {Meaning.CANCEL}, "cancel", {State.END}
    yield state, {Meaning.RESTART}, "restart", {State.MENU}
    yield state, {Meaning.HELP}, "help", {state}
    yield state, {Meaning.BACK}, "back", {state, *_BACK_TO}


_S = State
_ROWS: tuple[tuple[State, set[Meaning], str, set[State]], ...] = (
    *(row for state in STORED_STATES for row in _escapes(state)),
    # No session yet: nothing to leave, undo or explain, so only text and restart differ.
    (_S.START, {Meaning.CANCEL}, "cancel", {_S.END}),
    (_S.START, {Meaning.RESTART}, "restart", {_S.MENU}),
    (_S.START, {Meaning.TEXT}, "open", {*NEXT_QUESTION, _S.MENU}),
    (_S.START, {*_NOT_TEXT, Meaning.HELP, Meaning.BACK}, "welcome", {_S.MENU}),
    (_S.MENU, {Meaning.TEXT}, "pick", {*NEXT_QUESTION, _S.MENU}),
    (_S.MENU, _NOT_TEXT, "pick_again", {_S.MENU}),
    # The flow's questions.  Any of them may take a whole pasted draft instead (NEXT_QUESTION).
    (_S.ASK, _ANSWERS, "answer_fact", {*NEXT_QUESTION, _S.HONEST}),
    (_S.KNOWN, _ANSWERS, "answer_known", set(NEXT_QUESTION)),
    (_S.GIVEN, _ANSWERS, "answer_given", {*NEXT_QUESTION, _S.GIVEN_WHAT, _S.OFFER_GIVE}),
    (_S.GIVEN_WHAT, _ANSWERS, "answer_gift_details", {*NEXT_QUESTION, _S.GIVEN_WHAT}),
    (_S.RETURN, _ANSWERS, "answer_return", {*NEXT_QUESTION, _S.RETURN_WHAT}),
    (_S.RETURN_WHAT, _ANSWERS, "answer_gift_details", {*NEXT_QUESTION, _S.RETURN_WHAT}),
    *((state, _UNREADABLE, "unreadable", {state}) for state in sorted(QUESTIONS)),
    # Yes/no decisions.
    (_S.HONEST, _YES_NO, "decide_honest", {*NEXT_QUESTION, _S.HONEST, _S.END}),
    (_S.OFFER_GIVE, _YES_NO, "decide_give_first", {*NEXT_QUESTION, _S.OFFER_GIVE}),
    (_S.LEDGER_OFFER, _YES_NO, "decide_ledger", {_S.LEDGER_OFFER, _S.END}),
    *((state, {Meaning.DONE, *_UNREADABLE}, "ask_yes_or_no", {state}) for state in sorted(DECISIONS)),
    # The message.
    (_S.REVIEW, {Meaning.DONE, Meaning.YES}, "finish", {*NEXT_QUESTION, _S.LEDGER_OFFER, _S.END}),
    (_S.REVIEW, {Meaning.TEXT}, "revise", set(NEXT_QUESTION)),
    (_S.REVIEW, {Meaning.NO, Meaning.SKIP, *_UNREADABLE}, "review_hint", {_S.REVIEW}),
)  # fmt: skip


def _build() -> dict[tuple[State, Meaning], Transition]:
    table: dict[tuple[State, Meaning], Transition] = {}
    for state, meanings, handler, targets in _ROWS:
        for meaning in sorted(meanings, key=list(Meaning).index):
            if (state, meaning) in table:
                raise ValueError(f"the coach's table says twice what {meaning} does in {state}")
            table[state, meaning] = Transition(handler, frozenset(targets))
    return table


#: (state, kind of answer) → transition, for every pair the machine can meet.
TABLE: dict[tuple[State, Meaning], Transition] = _build()


def transition(state: State, meaning: Meaning) -> Transition:
    """What this kind of answer does in this state."""
    return TABLE[state, meaning]
