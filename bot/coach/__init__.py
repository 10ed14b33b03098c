"""DM coaching sessions: a state machine shared by the console, Slack and Discord.

The names below load on first use, so that importing one small module of the package (the
wording, say) doesn't import the whole machine and asyncio with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapport.bot.coach.machine import Coach
    from rapport.bot.coach.replies import Choice, Reply

__all__ = ["Choice", "Coach", "Reply"]


def __getattr__(name: str) -> Any:
    if name == "Coach":
        from rapport.bot.coach.machine import Coach

        return Coach
    if name in ("Choice", "Reply"):
        from rapport.bot.coach import replies

        return getattr(replies, name)
    raise AttributeError(f"module 'rapport.bot.coach' has no attribute {name!r}")
