"""The one line a check ends with when it has no findings: clean, not English, or not outreach."""

from __future__ import annotations

from rapport.bot.models import Report

__all__ = ["verdict_line"]


def verdict_line(report: Report) -> str:
    """What to say when there are no findings (every surface words it the same way)."""
    # Imported here: the wording module brings the coach with it, which a plain check never needs.
    from rapport.bot.engine.reader.language import language_name
    from rapport.bot.wording import say

    if report.notice == "not_english":
        return say("chat.not_english", language=language_name(report.language))
    if report.notice == "not_outreach":
        return say("chat.not_outreach")
    return say("chat.clean")
