"""Slack's text formats, both ways: what arrives (`<@U1|dana>`, `&lt;`) and what we send.

Everything rapport echoes is escaped (`&`, `<`, `>`), so no draft can become `<!channel>`, a
user ping or a link; bare `@here`/`@channel`/`@everyone` get a zero-width joiner as well, so
they stay inert even if a workspace links names.  Text is cut to Slack's limits with a note
rather than risking a failed API call.
"""

from __future__ import annotations

import re

__all__ = [
    "LIMITS",
    "bold",
    "cut",
    "escape",
    "mention_ids",
    "readable",
    "split",
    "with_mentions",
]

#: Slack's documented limits (characters) for what we send.
LIMITS = {
    "section": 3000,
    "field": 2000,
    "context": 2000,
    "button_label": 75,
    "button_value": 2000,
    "header": 150,
    "message_blocks": 50,
    "view_blocks": 100,
    "modal_title": 24,
    "text": 3000,  # the notification fallback `text`; Slack takes more, but nobody reads it
}

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_OTHER_SPECIAL = re.compile(r"<!([^>|]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^>|]+)(?:\|([^>]*))?>")
_CROWD = re.compile(r"@(here|channel|everyone)\b", re.I)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def readable(text: str) -> str:
    """Slack-formatted input as the person wrote it: `<@U1|dana>` → `@dana`, `<!here>` →
    `@here`, `<https://x|site>` → `site (https://x)`, entities unescaped."""
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), text)
    text = _OTHER_SPECIAL.sub(lambda m: m.group(2) or m.group(1), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(_link, text)
    return _unescape(text)


def _link(m: re.Match[str]) -> str:
    url, label = m.group(1), m.group(2)
    if url.startswith("mailto:") and label:
        return label
    return f"{label} ({url})" if label and label != url else url


def with_mentions(text: str) -> str:
    """Like `readable`, but user mentions stay `<@U1|name>` so the ledger keys people by id."""
    keep: list[str] = []

    def hold(m: re.Match[str]) -> str:
        keep.append(m.group(0))
        return f"\x00{len(keep) - 1}\x00"

    held = _USER.sub(hold, text)
    out = readable(held)
    return re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], out)


def mention_ids(text: str) -> dict[str, str]:
    """Each user mention as `readable` shows it ("@dana") → the mention itself (`<@U2|dana>`)."""
    out: dict[str, str] = {}
    for m in _USER.finditer(text):
        out.setdefault("@" + (m.group(2) or m.group(1)), m.group(0))
    return out


def escape(text: str) -> str:
    """Text safe to send as Slack mrkdwn or plain_text: nothing in it can ping or link."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CROWD.sub(lambda m: "@\u2060" + m.group(1), text)


def bold(text: str) -> str:
    """rapport's `*bold*` is Slack's too; kept as a function so the intent reads at call sites."""
    return text


def cut(text: str, limit: int, note: str = "…") -> str:
    """`text` within `limit` characters, ending in `note` when it had to be cut."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(note) - 1)
    head = text[:room]
    space = head.rfind(" ")
    if space > room * 0.8:
        head = head[:space]
    return head.rstrip() + " " + note if note != "…" else head.rstrip() + "…"


def split(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, broken at line ends where possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        at = rest.rfind("\n", 0, limit)
        if at < limit // 2:
            at = rest.rfind(" ", 0, limit)
        if at < limit // 2:
            at = limit
        pieces.append(rest[:at])
        rest = rest[at:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
