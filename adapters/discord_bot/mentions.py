"""Discord's mentions (`<@123>`) as the core reads them: names in drafts, ids for the ledger."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import discord

__all__ = ["Resolve", "keyed", "mention_names", "resolver"]

_MENTION = re.compile(r"<@!?(\d+)>")

Resolve = Callable[[int], str | None]


def mention_names(text: str, resolve: Resolve) -> tuple[str, str, dict[str, str]]:
    """(text for drafts, text for ledger commands, mentions): `<@123>` → "@Dana" in drafts,
    `<@123|Dana>` in ledger commands (people keyed by id), and "@Dana" → its id."""
    mentions: dict[str, str] = {}

    def name(m: re.Match[str]) -> str:
        return resolve(int(m.group(1))) or m.group(1)

    readable = _MENTION.sub(lambda m: "@" + name(m), text)
    ids = _MENTION.sub(lambda m: f"<@{m.group(1)}|{name(m)}>", text)
    for m in _MENTION.finditer(text):
        mentions.setdefault("@" + name(m), f"<@{m.group(1)}|{name(m)}>")
    return readable, ids, mentions


def resolver(interaction: discord.Interaction, client: discord.Client) -> Resolve:
    """Names for user ids: the interaction's resolved data, else the guild, else the cache."""
    resolved: dict[int, Any] = {}
    data: Any = interaction.data or {}
    for uid, member in (data.get("resolved", {}) or {}).get("users", {}).items():
        resolved[int(uid)] = member.get("global_name") or member.get("username")

    def resolve(uid: int) -> str | None:
        if uid in resolved:
            return str(resolved[uid])
        guild = interaction.guild
        member = guild.get_member(uid) if guild else None
        user = member or client.get_user(uid)
        return user.display_name if user else None

    return resolve


def keyed(user_id: int, resolve: Resolve) -> str:
    """A picked member as the core keys people: `<@id|name>` (the id is the key)."""
    name = resolve(user_id) or str(user_id)
    return f"<@{user_id}|{name.replace('>', '').replace('|', ' ')}>"
