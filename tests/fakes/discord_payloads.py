"""Discord ids and the payloads its gateway delivers, for feeding real discord.py code.

The ids are fixed snowflakes (the application, the bot, one server, one channel, two users);
`interaction` builds INTERACTION_CREATE payloads (slash commands, clicks, context menus, in a
server or a DM) and `message` MESSAGE_CREATE ones.  A user's DM channel id is the fake's own
convention, `dm_of`, which `FakeDiscord` recognises.
"""

from __future__ import annotations

import itertools
from typing import Any

APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD = "800000000000000001"
CHANNEL = "700000000000000001"
USER = "600000000000000001"
MANAGER = "600000000000000002"
MANAGE_GUILD = 1 << 5
_ids = itertools.count(500000000000000001)


def dm_of(uid: str) -> str:
    """The DM channel id the fake gives a user (its id × 10: one digit longer than any
    snowflake here, so it can't collide with one)."""
    return str(int(uid) * 10)


def is_dm(channel: str) -> bool:
    """Whether `channel` is a DM channel id made by `dm_of` (of an 18-digit user id)."""
    return channel.isdigit() and len(channel) == 19 and channel.endswith("0")


def snowflake() -> str:
    """A fresh id (18 digits, unique in this process)."""
    return str(next(_ids))


def user(uid: str = USER, name: str = "sam", bot: bool = False) -> dict[str, Any]:
    """A user object as Discord sends one."""
    return {
        "id": uid,
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name.title(),
        "bot": bot,
    }


def message(
    content: str, author: dict[str, Any] | None = None, channel: str = CHANNEL, **extra: Any
) -> dict[str, Any]:
    """A message object (a MESSAGE_CREATE payload, or what the REST API answers a send with)."""
    return {
        "id": snowflake(), "channel_id": channel, "content": content, "author": author or user(),
        "embeds": [], "attachments": [], "mentions": [], "mention_roles": [], "pinned": False,
        "mention_everyone": False, "tts": False, "timestamp": "2026-11-23T10:00:00+00:00",
        "edited_timestamp": None, "type": 0, "flags": 0, "components": [], **extra,
    }  # fmt: skip


def interaction(
    command: str | None = None,
    options: list[dict[str, Any]] | None = None,
    *,
    in_guild: bool = True,
    uid: str = USER,
    permissions: int = 0,
    kind: int = 2,
    data: dict[str, Any] | None = None,
    message_obj: dict[str, Any] | None = None,
    guild: str = GUILD,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: `/rapport <command> …` by default."""
    iid = snowflake()
    raw: dict[str, Any] = {
        "id": iid, "application_id": APP_ID, "type": kind, "token": f"tok{iid}", "version": 1,
        "attachment_size_limit": 8388608, "locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {}, "app_permissions": "0",
    }  # fmt: skip
    if data is None:
        data = {"id": "1", "name": "rapport", "type": 1,
                "options": [{"name": command, "type": 1, "options": options or []}]}  # fmt: skip
    raw["data"] = data
    who = user(uid, "ana" if uid == MANAGER else "sam")
    if in_guild:
        raw.update(
            guild_id=guild, channel_id=CHANNEL, guild_locale="en-US", context=0,
            channel={"id": CHANNEL, "type": 0, "guild_id": guild, "name": "general", "position": 0,
                     "permission_overwrites": [], "nsfw": False, "parent_id": None},
            member={"user": who, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False,
                    "mute": False, "permissions": str(permissions), "flags": 0},
        )  # fmt: skip
    else:
        raw.update(channel_id=dm_of(uid), user=who, context=1,
                   channel={"id": dm_of(uid), "type": 1, "recipients": [who]})  # fmt: skip
    if message_obj is not None:
        raw["message"] = message_obj
    return raw
