"""The coach's named states, a position in the graph (a state plus its parameter), and a turn.

A session's position used to be two strings: `state` ("ask") and `asking` ("relationship",
"given_what", "known:Ana").  Those strings are still what a session stores (so sessions saved
before this module existed load unchanged, and the other way round), but in memory a position
is a `Position`: `Position(State.KNOWN, name="Ana")` rather than `"known:Ana"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapport.bot.coach.replies import Reply

__all__ = [
    "DECISIONS",
    "NEXT_QUESTION",
    "QUESTIONS",
    "STORED",
    "Position",
    "State",
    "Turn",
]


class State(StrEnum):
    """Where a conversation can be.  START and END are never stored: before the first message
    there is no session, and an ended session is deleted."""

    START = "start"  # no session yet in this channel
    MENU = "menu"  # which kind of help?
    ASK = "ask"  # one fact the flow needs (Position.field names it)
    KNOWN = "known"  # a blast: how the user knows one of its people (Position.name)
    GIVEN = "given"  # have you given them something first? (yes / no)
    GIVEN_WHAT = "given_what"  # …what did you give?
    RETURN = "return"  # can you honestly return their endorsement? (yes / no)
    RETURN_WHAT = "return_what"  # …what would you say about them?
    HONEST = "honest"  # no first-hand relationship: take the honest path instead? (yes / no)
    OFFER_GIVE = "offer_give"  # nothing given yet: write them a recommendation first? (yes / no)
    REVIEW = "review"  # the message, checked: edit it, fill a [prompt], or say done
    LEDGER_OFFER = "ledger_offer"  # note what happened in the ledger? (yes / no)
    END = "end"  # done or cancelled: the session is deleted


#: The flow's questions: a session in any of these is stored as state "ask".
QUESTIONS = frozenset(
    {State.ASK, State.KNOWN, State.GIVEN, State.GIVEN_WHAT, State.RETURN, State.RETURN_WHAT}
)
#: Yes/no decisions outside the flow's questions (`back` asks them again rather than recompute).
DECISIONS = frozenset({State.HONEST, State.OFFER_GIVE, State.LEDGER_OFFER})
#: Where "ask the next thing the flow needs" can lead (steps.next_question decides which).
NEXT_QUESTION = frozenset({State.ASK, State.KNOWN, State.GIVEN, State.RETURN, State.REVIEW})
#: The stored `state` strings a saved session may hold.
STORED = frozenset({"menu", "ask", "honest", "offer_give", "review", "ledger_offer"})

# The stored `asking` value of the questions that take no parameter.
_ASKING = {
    State.GIVEN: "given",
    State.GIVEN_WHAT: "given_what",
    State.RETURN: "return_honestly",
    State.RETURN_WHAT: "return_what",
}
_BY_ASKING = {asking: state for state, asking in _ASKING.items()}
_KNOWN = "known:"


@dataclass(frozen=True, slots=True)
class Position:
    """A state and its parameter: the fact asked for (ASK) or the person asked about (KNOWN)."""

    state: State
    field: str | None = None
    name: str | None = None

    @classmethod
    def asking(cls, field: str) -> Position:
        """The question that asks for `field` ("relationship", "given", "known:Ana", …)."""
        if field in _BY_ASKING:
            return cls(_BY_ASKING[field])
        if field.startswith(_KNOWN):
            return cls(State.KNOWN, name=field[len(_KNOWN) :])
        return cls(State.ASK, field=field)

    @property
    def question(self) -> str | None:
        """The question on the table as the stored `asking` string (and a reply's "question")."""
        if self.state is State.ASK:
            return self.field
        if self.state is State.KNOWN:
            return f"{_KNOWN}{self.name}"
        return _ASKING.get(self.state)

    def stored(self) -> tuple[str, str | None]:
        """(state, asking) as a session stores them: every question is state "ask"."""
        if self.state in QUESTIONS:
            return "ask", self.question
        return self.state.value, None

    @classmethod
    def from_stored(cls, state: object, asking: object) -> Position | None:
        """The position a stored (state, asking) pair names, or None for one no version wrote
        (the session is then restarted politely)."""
        if state not in STORED:
            return None
        if state == "ask":
            return cls.asking(asking) if isinstance(asking, str) and asking else None
        return cls(State(str(state)))  # a decision or review: the last question no longer matters


@dataclass(frozen=True, slots=True)
class Turn:
    """What a handler returns: the position to move to (the machine writes it) and the reply."""

    position: Position
    reply: Reply
