"""Who people are on Slack, asked of its Web API and remembered a while: admins (who may change
rapport's settings), display names (the ledger shows names and keys people by id), DM channels.
"""

from __future__ import annotations

import logging
import re
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from rapport.bot.storage.base import UserRef

__all__ = ["Directory"]

log = logging.getLogger("rapport.slack")

#: How long an admin lookup is trusted before Slack is asked again.
ADMIN_CACHE_SECONDS = 60.0
#: Entries a cache may hold before it starts over (a bound, not a working set).
CACHE_LIMIT = 10_000
#: Mentions in one text that are looked up (the rest stay ids).
MAX_NAMED = 5


class Directory:
    """Slack's answers about people, cached per workspace and user."""

    def __init__(self) -> None:
        self._admins: dict[tuple[str, str], tuple[float, bool]] = {}
        self._names: dict[tuple[str, str], str] = {}

    async def is_admin(self, client: AsyncWebClient, user: UserRef) -> bool:
        """Workspace admins and owners may change rapport's settings (asked of Slack, cached)."""
        key = (user.workspace, user.user_id)
        hit = self._admins.get(key)
        if hit and time.monotonic() - hit[0] < ADMIN_CACHE_SECONDS:
            return hit[1]
        try:
            info = await client.users_info(user=user.user_id)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error"))
            return False
        u = info.get("user") or {}
        admin = bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))
        if len(self._admins) >= CACHE_LIMIT:
            self._admins.clear()
        self._admins[key] = (time.monotonic(), admin)
        return admin

    async def name_mentions(self, client: AsyncWebClient, team: str, text: str) -> str:
        """`<@U1>` → `<@U1|Dana Lee>`: the ledger keys people by id and shows their name."""
        ids = sorted(set(re.findall(r"<@([UW][A-Z0-9]+)>", text)))[:MAX_NAMED]
        for uid in ids:
            name = self._names.get((team, uid))
            if name is None:
                name = await self._display_name(client, uid)
                if len(self._names) >= CACHE_LIMIT:
                    self._names.clear()
                self._names[(team, uid)] = name
            text = text.replace(f"<@{uid}>", f"<@{uid}|{name}>")
        return text

    async def _display_name(self, client: AsyncWebClient, uid: str) -> str:
        """The name a person shows in Slack (their id if Slack won't say), safe inside `<@…|…>`."""
        try:
            info = await client.users_info(user=uid)
            u = info.get("user") or {}
            profile = u.get("profile") or {}
            name = (
                profile.get("display_name") or profile.get("real_name")
                or u.get("real_name") or u.get("name") or uid
            )  # fmt: skip
        except SlackApiError:
            name = uid
        return str(name).replace(">", "").replace("|", " ")

    async def dm_channel(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The DM channel between rapport and the user (opened if need be); None if Slack
        won't open one."""
        try:
            opened = await client.conversations_open(users=user_id)
        except SlackApiError as exc:
            log.warning("conversations.open failed: %s", exc.response.get("error"))
            return None
        channel = opened.get("channel") or {}
        return str(channel["id"]) if channel.get("id") else None
