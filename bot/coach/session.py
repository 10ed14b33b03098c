"""A coaching session's state: plain data, saved as JSON after every turn.

Everything here is what the user typed during this session (it is deleted when the session
ends, unless they asked rapport to remember finished messages).  `history` holds snapshots for
`back`; `suspended` holds an ask set aside while the user drafts the endorsement they'll give
first.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["SCHEMA", "CoachSession"]

SCHEMA = 1  # bump when the JSON shape changes; older sessions are then restarted politely
_HISTORY = 30  # how many answers `back` can undo


@dataclass(slots=True)
class CoachSession:
    """Where a conversation is, and what the user has told the coach so far."""

    flow: str | None = None
    state: str = "menu"  # menu | ask | honest | offer_give | review | ledger_offer
    asking: str | None = None  # the question on the table (a fact, or a sub-question)
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

    def snapshot(self) -> dict[str, Any]:
        """What `back` restores: everything but the history itself (copied, not shared)."""
        data: dict[str, Any] = {}
        for name in _FIELDS:
            if name == "history":
                continue
            value = getattr(self, name)
            if isinstance(value, dict):
                value = copy.deepcopy(value) if name == "suspended" else dict(value)
            elif isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            data[name] = value
        return data

    def remember_turn(self) -> None:
        """Push the current state so the next answer can be undone."""
        self.history.append(self.snapshot())
        del self.history[:-_HISTORY]

    def undo(self) -> bool:
        """Go back one answer; False when there is nothing to undo."""
        if not self.history:
            return False
        previous = self.history.pop()
        for key, value in previous.items():
            setattr(self, key, value)
        return True

    def to_json(self) -> str:
        """The stored form."""
        fields = {name: getattr(self, name) for name in _FIELDS}
        return json.dumps({"schema": SCHEMA, **fields}, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> CoachSession | None:
        """The session, or None when it was saved by an incompatible version."""
        try:
            raw = json.loads(data)
        except json.JSONDecodeError:
            return None
        if not isinstance(raw, dict) or raw.pop("schema", None) != SCHEMA:
            return None
        try:
            return cls(**raw)
        except TypeError:
            return None


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CoachSession))
