"""What the coach says back: platform-neutral, so each adapter only decides how it looks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapport.bot.models import Finding, Trust

__all__ = ["Choice", "Reply"]


@dataclass(frozen=True, slots=True)
class Choice:
    """A button (or a numbered option in a terminal) that sends `value` back as the answer."""

    id: str  # stable and namespaced: "rapport:coach:flow:ask_endorsement"
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One turn of the coach: words, maybe a drafted message with its check, maybe choices."""

    text: str
    message: str | None = None  # a drafted message, shown so it can be copied
    messages: tuple[tuple[str, str], ...] = ()  # several drafts: (for whom, text)
    trust: Trust | None = None
    findings: tuple[Finding, ...] = ()
    choices: tuple[Choice, ...] = ()
    footer: str = ""  # what to do next, shown after the message
    ended: bool = False  # the session is over (done or cancelled)
    extras: dict[str, Any] = field(default_factory=dict)  # for adapters: flow, state, question

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for logs and tests."""
        return {
            "text": self.text,
            "message": self.message,
            "messages": [list(m) for m in self.messages],
            "trust": self.trust.to_json() if self.trust else None,
            "findings": [f.to_json() for f in self.findings],
            "choices": [{"id": c.id, "label": c.label, "value": c.value} for c in self.choices],
            "footer": self.footer,
            "ended": self.ended,
            **self.extras,
        }
