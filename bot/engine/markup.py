"""Chat markup (Slack, Discord, Markdown, URLs) found and masked without moving any character.

Masking keeps every offset: markup is overwritten with spaces or placeholder characters of the
same length, so a match in the masked text indexes the draft exactly as the user typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport.bot.recache import rx

__all__ = ["Entity", "is_broadcast", "mask_markup"]


@dataclass(frozen=True, slots=True)
class Entity:
    """A piece of markup the rules care about: a mention, a broadcast ping, a link, code, emoji."""

    type: str  # user | broadcast | group | channel | link | email | code | emoji
    start: int
    end: int
    value: str


# Order matters: code first (its content is never markup), then angle-bracket tokens, then URLs.
_CODE_BLOCK = rx(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = rx(r"`[^`\n]+`")
_ANGLE = rx(r"<([@#!:]|a:|t:|https?://|mailto:)([^<>\s|]*)(?:\|([^<>]*))?>")
_URL = rx(r"\b(?:https?://|www\.)[^\s<>()\[\]{}\"']+[^\s<>()\[\]{}\"'.,;:!?]", re.I)
_DOMAIN = rx(
    r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co\.uk|co|uk|ly|me|app|dev|ai|"
    r"biz|info|tv|gg|us|de|fr|in)(?:/[^\s<>\"']*[^\s<>\"'.,;:!?])?(?![\w.])",
    re.I,
)
# a dot followed by a known top-level domain: the cheap test before the full domain pattern
_TLD_HINT = rx(r"\w\.(?:com|net|org|io|co|uk|ly|me|app|dev|ai|biz|info|tv|gg|us|de|fr|in)\b", re.I)
_EMAIL = rx(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SHORTCODE = rx(r"(?<![\w:]):[a-z0-9_+-]*[a-z][a-z0-9_+-]*:(?![\w:])", re.I)
_PLAIN_BROADCAST = rx(r"(?<![\w@])@(everyone|here|channel)\b", re.I)
_HTML_ENTITY = rx(r"&(?:gt|lt|amp|quot|#\d{1,5});")

_BROADCASTS = {"here", "channel", "everyone", "group"}


def _pad(word: str, length: int) -> str:
    """`word` padded with spaces (or cut) to exactly `length` characters."""
    return (word + " " * length)[:length]


def _placeholder(sigil: str, length: int) -> str:
    """A word-like stand-in such as `@_____` that keeps a mention's length and reads as a name."""
    return (sigil + "_" * length)[:length]


class _Masker:
    """Rewrites a list of characters in place while recording entities."""

    def __init__(self, text: str) -> None:
        self.chars = list(text)
        self.entities: list[Entity] = []
        self._taken = bytearray(len(text))

    def free(self, start: int, end: int) -> bool:
        return not any(self._taken[start:end])

    def put(self, start: int, replacement: str, etype: str | None, value: str) -> None:
        end = start + len(replacement)
        self.chars[start:end] = replacement
        self._taken[start:end] = b"\x01" * (end - start)
        if etype:
            self.entities.append(Entity(etype, start, end, value))


def _angle_token(m: re.Match[str]) -> tuple[str, str | None, str]:
    """Replacement, entity type and value for one `<…>` token."""
    sigil, body, label = m.group(1), m.group(2), m.group(3)
    length = m.end() - m.start()
    if sigil == "@":
        if body.startswith("&"):  # Discord role mention pings a whole group
            return _placeholder("@", length), "group", body[1:]
        return _placeholder("@", length), "user", body.lstrip("!")
    if sigil == "!":
        name = body.split("^")[0]
        if name in ("here", "channel", "everyone"):
            return _pad("@" + name, length), "broadcast", name
        if name == "subteam":
            return _pad("@group", length), "group", body
        if name == "date" and label:  # <!date^…|fallback>: keep the fallback words
            return _keep_label(m, label), None, label
        return _pad("", length), None, body
    if sigil == "#":
        return _placeholder("#", length), "channel", label or body
    if sigil in (":", "a:", "t:"):
        return _pad("", length), "emoji" if sigil != "t:" else None, body
    url = sigil + body
    if label:
        return _keep_label(m, label), "link", url
    return _pad("", length), "link" if sigil != "mailto:" else "email", url


def _keep_label(m: re.Match[str], label: str) -> str:
    """Blank the markup of `<url|label>` but keep the label's words where they stand."""
    length = m.end() - m.start()
    label_at = m.start(3) - m.start()
    return " " * label_at + label + " " * (length - label_at - len(label))


def mask_markup(text: str) -> tuple[str, list[Entity]]:
    """Return `text` with markup masked (same length) and the entities found, in text order."""
    if not any(c in text for c in "`<:@&/."):
        return text, []
    mk = _Masker(text)
    stripped = text.strip()
    whole_block = (
        stripped.startswith("```") and stripped.endswith("```") and stripped.count("```") == 2
    )
    has = text.__contains__
    for m in _CODE_BLOCK.finditer(text) if has("`") else ():
        if whole_block:  # a draft pasted inside one code block: drop the fences, read the draft
            inner = m.group(0)
            first_nl = inner.find("\n")
            fence = (
                first_nl + 1 if 0 <= first_nl < len(inner) and inner[3:first_nl].isalnum() else 3
            )
            mk.put(m.start(), " " * fence, None, "")
            mk.put(m.end() - 3, "   ", None, "")
        else:
            mk.put(m.start(), " " * (m.end() - m.start()), "code", m.group(0))
    for m in _INLINE_CODE.finditer(text) if has("`") else ():
        if mk.free(m.start(), m.end()):
            mk.put(m.start(), " " * (m.end() - m.start()), "code", m.group(0)[1:-1])
    for m in _ANGLE.finditer(text) if has("<") else ():
        if mk.free(m.start(), m.end()):
            replacement, etype, value = _angle_token(m)
            mk.put(m.start(), replacement, etype, value)
    passes = (
        (_URL, "link", has("://") or "www." in text.lower()),
        (_EMAIL, "email", has("@")),
        (_DOMAIN, "link", _TLD_HINT.search(text) is not None),
    )
    for pattern, etype, needed in passes:
        for m in pattern.finditer(text) if needed else ():
            if mk.free(m.start(), m.end()):
                mk.put(m.start(), " " * (m.end() - m.start()), etype, m.group(0))
    for m in _SHORTCODE.finditer(text) if has(":") else ():
        if mk.free(m.start(), m.end()):
            mk.put(m.start(), " " * (m.end() - m.start()), "emoji", m.group(0)[1:-1].lower())
    for m in _PLAIN_BROADCAST.finditer(text) if has("@") else ():
        if mk.free(m.start(), m.end()):
            mk.entities.append(Entity("broadcast", m.start(), m.end(), m.group(1).lower()))
    for m in _HTML_ENTITY.finditer(text) if has("&") else ():
        if mk.free(m.start(), m.end()):
            plain = {"&gt;": ">", "&lt;": "<", "&amp;": "&", "&quot;": '"'}.get(m.group(0), " ")
            mk.put(m.start(), _pad(plain, m.end() - m.start()), None, "")
    mk.entities.sort(key=lambda e: e.start)
    return "".join(mk.chars), mk.entities


def is_broadcast(entity: Entity) -> bool:
    """True for pings that reach a crowd: @here, @channel, @everyone, user groups and roles."""
    return entity.type in ("broadcast", "group") or entity.value in _BROADCASTS
