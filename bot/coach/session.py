"""A coaching session's data: plain values, saved as JSON after every turn.

Everything here is what the user typed during this session (it is deleted when the session
ends, unless they asked rapport to remember finished messages).  `history` holds snapshots for
`back`; `suspended` holds an ask set aside while the user drafts the endorsement they'll give
first.  The position in the graph is stored as the two strings every version has written,
`state` and `asking` (see states.Position); only the machine moves it (Coach._enter).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any

from rapport.bot.coach.states import Position, State

__all__ = ["SCHEMA", "CoachSession"]

SCHEMA = 1  # bump when the JSON shape changes; older sessions are then restarted politely
_HISTORY = 30  # how many answers `back` can undo
_POSITION = ("state", "asking")  # the stored form of `position`, in the JSON and in snapshots
_AT_MENU = Position(State.MENU)


@dataclass(slots=True)
class CoachSession:
    """Where a conversation is, and what the user has told the coach so far."""

    position: Position = _AT_MENU
    flow: str | None = None
    answers: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    draft: str | None = None  # a pasted draft the flow works from
    recipients: list[str] = field(default_factory=list)  # the blast flow's people
    known: dict[str, str] = field(default_factory=dict)  # blast: how the user knows each one
    message: str | None = None  # the message under review (composed, or the user's edit)
    verdict: dict[str, Any] | None = None  # its check: kind, rule ids, Trust Quotient
    pending: list[str] = field(default_factory=list)  # facts its [prompts] still wait for
    question: str = ""  # the last question asked, to ask again after back, help or a restart
    from_ledger: list[str] = field(default_factory=list)  # answers the ledger supplied
    ledger: list[dict[str, str]] = field(default_factory=list)  # entries offered at the end
    history: list[dict[str, Any]] = field(default_factory=list)
    suspended: dict[str, Any] | None = None
    started_at: float = 0.0

    @property
    def state(self) -> State:
        """The named state the session is in (its parameter, if any, is on `position`)."""
        return self.position.state

    def snapshot(self) -> dict[str, Any]:
        """What `back` restores: everything but the history itself (copied, not shared), with
        the position in its stored form."""
        state, asking = self.position.stored()
        data: dict[str, Any] = {"state": state, "asking": asking}
        for name in _DATA:
            if name == "history":
                continue
            value = getattr(self, name)
            if isinstance(value, dict):
                value = copy.deepcopy(value) if name == "suspended" else dict(value)
            elif isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            data[name] = value
        return data

    def restore(self, snapshot: dict[str, Any]) -> Position:
        """Put back a snapshot's data and return its position, for the machine to move to."""
        for name, value in snapshot.items():
            if name not in _POSITION and name != "history":
                setattr(self, name, value)
        return _position(snapshot) or _AT_MENU

    def remember_turn(self) -> None:
        """Push the current state so the next answer can be undone."""
        self.history.append(self.snapshot())
        del self.history[:-_HISTORY]

    def undo(self) -> Position | None:
        """Go back one answer: the data is restored here, the position returned (None when
        there is nothing to undo)."""
        if not self.history:
            return None
        return self.restore(self.history.pop())

    def reset(self, started_at: float) -> None:
        """Forget everything the user said (a restart); the machine moves the position."""
        for name, value in _fresh_data().items():
            setattr(self, name, value)
        self.started_at = started_at

    def to_json(self) -> str:
        """The stored form."""
        state, asking = self.position.stored()
        data = {name: getattr(self, name) for name in _DATA}
        return json.dumps(
            {"schema": SCHEMA, "state": state, "asking": asking, **data}, ensure_ascii=False
        )

    @classmethod
    def from_json(cls, data: str) -> CoachSession | None:
        """The session, or None when it was saved by an incompatible version."""
        try:
            raw = json.loads(data)
        except json.JSONDecodeError:
            return None
        if not isinstance(raw, dict) or raw.pop("schema", None) != SCHEMA:
            return None
        position = _position(raw)
        history, suspended = raw.get("history", []), raw.get("suspended")
        if position is None or not isinstance(history, list):
            return None
        snapshots = [*history, *([suspended] if suspended is not None else [])]
        if not all(isinstance(snap, dict) and _position(snap) for snap in snapshots):
            return None  # a snapshot `back` could not return to
        try:
            return cls(position, **{k: v for k, v in raw.items() if k not in _POSITION})
        except TypeError:
            return None


def _position(stored: dict[str, Any]) -> Position | None:
    return Position.from_stored(stored.get("state"), stored.get("asking"))


#: The session's data: every field but the position (which is stored as `state` and `asking`).
_DATA: tuple[str, ...] = tuple(f.name for f in fields(CoachSession) if f.name != "position")


def _fresh_data() -> dict[str, Any]:
    fresh = CoachSession()
    return {name: getattr(fresh, name) for name in _DATA}
