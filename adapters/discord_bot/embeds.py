"""Discord embeds and components for rapport's answers and coach turns.

Only layout: the words come from the core.  Discord's limits are respected everywhere (256
for a title or field name, 1,024 for a field, 4,096 for a description, 6,000 for all the embeds
of a message, 25 fields, 2,000 for plain content, 100 for a button's custom id) by cutting with
a note.  Buttons carry what they run in their custom id; a draft is too long for one, so a
check's message carries the draft itself in its last embed, and its buttons read it back from
there: nothing is kept on rapport's side, and buttons work after a restart.
"""

from __future__ import annotations

import re

import discord

from rapport.bot.coach.replies import Reply
from rapport.bot.models import Report
from rapport.bot.service.chat import (
    Action,
    Answer,
    finding_views,
    kind_label,
    rewrite_text,
    trust_line,
    trust_parts,
    verdict_line,
)
from rapport.bot.wording import say

__all__ = [
    "DRAFT_EMBED_LIMIT",
    "LIMITS",
    "MAX_PARTS",
    "answer_embeds",
    "custom_id",
    "draft_from",
    "neutral",
    "parts",
    "reply_content",
    "words",
]

LIMITS = {
    "title": 256,
    "field_name": 256,
    "field_value": 1024,
    "description": 4096,
    "footer": 2048,
    "total": 6000,
    "fields": 25,
    "content": 2000,
    "custom_id": 100,
    "label": 80,
    "embeds": 10,
}
#: The longest draft a check's message carries for its buttons (the rest of the 6,000 goes
#: to the findings); a longer draft gets its rewrite straight away instead.
DRAFT_EMBED_LIMIT = 1800
DRAFT_TITLE = "rapport:draft"
DRAFT_TO = "to"
_DISCORD_MENTION = re.compile(r"<@!?\d+>")
_COLOURS = {"error": 0xD93F0B, "warning": 0xFBCA04, "info": 0x1D76DB, "clean": 0x0E8A16}
_SEVERITY_MARK = {"error": "🔴", "warning": "🟠", "info": "🔵"}


_KEYED_MENTION = re.compile(r"<@!?(\d+)\|[^<>\n]*>")
_CORE_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
#: At most this many messages for one answer; the rest is counted, not sent.
MAX_PARTS = 4


def neutral(text: str) -> str:
    """Text whose mentions can't resolve even where allowed_mentions is ignored (defence in
    depth: every message is sent with allowed_mentions none as well); the core's keyed
    mentions (`<@123|Dana>`) are shown as Discord's own (`<@123>`), which pings no one here."""
    text = _KEYED_MENTION.sub(lambda m: f"<@{m.group(1)}>", text)
    return text.replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")


def words(text: str) -> str:
    """The core's words for Discord: its `*bold*` is Discord's `**bold**` (drafts are never
    passed through here: their asterisks are the writer's)."""
    return neutral(_CORE_BOLD.sub(r"**\1**", text))


def parts(text: str, limit: int = LIMITS["content"]) -> list[str]:
    """Long content as several messages, split at line breaks (or spaces), each within
    `limit`; past `MAX_PARTS` the rest is counted in a note instead of sent."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= limit:
            pieces.append(rest)
            break
        at = rest.rfind("\n", 0, limit)
        if at < limit // 2:
            at = rest.rfind(" ", 0, limit)
        if at < limit // 2:
            at = limit
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if len(pieces) > MAX_PARTS:
        note = say("chat.cut_messages", count=len(pieces) - MAX_PARTS)
        last = pieces[MAX_PARTS - 1]
        pieces = [*pieces[: MAX_PARTS - 1], cut(last, limit - len(note) - 1) + "\n" + note]
    return pieces


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bar(value: int, top: int = 10) -> str:
    filled = max(0, min(top, value))
    return "▰" * filled + "▱" * (top - filled)


def custom_id(action: Action) -> str:
    """A button's custom id: `rapport:run:<command>` when it fits, else the action's own id
    (its draft is then read from the message it sits on)."""
    full = f"rapport:run:{action.command}"
    return full if len(full) <= LIMITS["custom_id"] else action.id


def draft_from(message: discord.Message | None) -> tuple[str, str | None] | None:
    """(draft, who it is for) that a check's message carries for its buttons, if any."""
    if message is None:
        return None
    for embed in message.embeds:
        if embed.title == DRAFT_TITLE and embed.description:
            to = next((f.value for f in embed.fields if f.name == DRAFT_TO and f.value), None)
            return embed.description, to
    return None


def report_embeds(report: Report, cmd: str) -> list[discord.Embed]:
    """Kind and trust, then the findings (each: quoted words, why, fix)."""
    worst = min((f.severity.rank for f in report.findings), default=3)
    colour = _COLOURS[["error", "warning", "info", "clean"][worst]]
    head = discord.Embed(
        title=cut(kind_label(report.kind), LIMITS["title"]),
        description=neutral(trust_line(report)),
        colour=colour,
    )
    for part in trust_parts(report):
        reasons = "; ".join(part.reasons)
        value = f"{part.value}/10 {_bar(part.value)}" + (f"\n{reasons}" if reasons else "")
        head.add_field(name=part.label, value=cut(neutral(value), 300), inline=True)
    embeds = [head]
    views = finding_views(report)
    if not views:
        embeds.append(
            discord.Embed(
                description=("✅ " if report.notice is None else "ℹ️ ") + verdict_line(report),
                colour=_COLOURS["clean"],
            )
        )
        return embeds
    body = discord.Embed(title=say("chat.labels.findings"), colour=colour)
    shown = 0
    for f in views:
        if len(body.fields) >= LIMITS["fields"] - 1:
            break
        quote = f"“{f.quote}”\n" if f.quote else ""
        value = (
            f"{quote}{f.message}\n**{say('chat.labels.why')}:** {f.why}\n"
            f"**{say('chat.labels.fix')}:** {f.fix}"
        )
        body.add_field(
            name=cut(
                f"{_SEVERITY_MARK.get(f.severity, '')} {f.rule} ({f.severity})",
                LIMITS["field_name"],
            ),
            value=cut(neutral(value), LIMITS["field_value"]),
            inline=False,
        )
        shown += 1
    if shown < len(views):
        body.set_footer(text=say("chat.more_findings", count=len(views) - shown, cmd=cmd))
    embeds.append(body)
    return embeds


def answer_embeds(
    answer: Answer, cmd: str, draft: str | None = None
) -> tuple[str, list[discord.Embed]]:
    """(content, embeds) for a chat command's answer, within Discord's limits."""
    content = words(answer.text) if answer.text else ""
    embeds: list[discord.Embed] = []
    if answer.report is not None:
        embeds += report_embeds(answer.report, cmd)
        heading, text = rewrite_text(answer.report)
        if heading or text:
            rewrite = discord.Embed(title=cut(heading, LIMITS["title"]) if heading else None)
            if text:
                rewrite.description = cut(
                    neutral("```\n" + text.replace("```", "'''") + "\n```"), LIMITS["description"]
                )
            embeds.append(rewrite)
    notes = " · ".join(answer.notes)
    if notes and embeds:
        embeds[-1].set_footer(text=cut(notes, LIMITS["footer"]))
    elif notes:
        content = f"{content}\n{notes}".strip()
    if draft:
        carrier = discord.Embed(title=DRAFT_TITLE, description=neutral(draft))
        to = neutral(answer.recipient or "")
        if _DISCORD_MENTION.fullmatch(to):  # shown as a mention; read back by the buttons
            carrier.add_field(name=DRAFT_TO, value=to)
        embeds.append(carrier)
    total = len(answer.report.findings) if answer.report is not None else None
    return content, _fit(embeds, cmd, total)


def _fit(
    embeds: list[discord.Embed], cmd: str = "/rapport", findings_total: int | None = None
) -> list[discord.Embed]:
    """Embeds within the 6,000-character total: findings fields are dropped from the end (and
    counted in the footer), then the longest description is cut."""
    embeds = embeds[: LIMITS["embeds"]]
    while sum(len(e) for e in embeds) > LIMITS["total"]:
        findings = next(
            (e for e in reversed(embeds) if len(e.fields) > 1 and e.title != DRAFT_TITLE), None
        )
        if findings is not None:
            findings.remove_field(len(findings.fields) - 1)
            if findings_total is not None:
                left = findings_total - len(findings.fields)
                findings.set_footer(text=say("chat.more_findings", count=left, cmd=cmd))
            else:
                findings.set_footer(text=say("chat.cut_parts", count=1))
            continue
        longest = max(embeds, key=lambda e: len(e.description or ""))
        if not longest.description:
            break
        excess = sum(len(e) for e in embeds) - LIMITS["total"]
        longest.description = cut(
            longest.description, max(1, len(longest.description) - excess - 1)
        )
    return embeds


def reply_content(reply: Reply) -> tuple[str, list[discord.Embed]]:
    """A coach turn in the DM: the words as content, the drafted message(s) and check as embeds."""
    content = words(reply.text)
    embeds: list[discord.Embed] = []
    if reply.message:
        embeds.append(discord.Embed(title=say("chat.labels.message"),
                                    description=cut(neutral(reply.message), LIMITS["description"])))  # fmt: skip
    for who, text in reply.messages[: LIMITS["embeds"] - 2]:
        embeds.append(discord.Embed(title=cut(say("chat.labels.for_whom", name=who), LIMITS["title"]),
                                    description=cut(neutral(text), LIMITS["description"])))  # fmt: skip
    if reply.trust is not None or reply.findings or reply.footer:
        t = reply.trust
        check = discord.Embed()
        if t is not None:
            line = say("chat.trust_line", quotient=t.quotient, c=t.credibility, r=t.reliability,
                       i=t.intimacy, s=t.self_orientation)  # fmt: skip
            check.description = neutral(line)
        for f in reply.findings[: LIMITS["fields"] - 1]:
            check.add_field(name=cut(f"{_SEVERITY_MARK.get(f.severity.value, '')} {f.rule}", LIMITS["field_name"]),
                            value=cut(neutral(f.message), LIMITS["field_value"]), inline=False)  # fmt: skip
        if reply.footer:
            check.set_footer(text=cut(reply.footer.replace("*", ""), LIMITS["footer"]))
        embeds.append(check)
    return content, _fit(embeds, findings_total=len(reply.findings))
