"""Running the Discord bot: settings from the environment, then the gateway until SIGTERM.

`DISCORD_TOKEN` is the bot's token; `RAPPORT_DISCORD_GUILD` syncs the commands to one server
at once (global sync can take a while to show); `RAPPORT_DISCORD_SHARDS` runs an
AutoShardedClient with that many shards, and `RAPPORT_DISCORD_SHARD_IDS` ("0,1") which of them
this process runs (the others run elsewhere); `RAPPORT_RATE_LIMIT` commands per
`RAPPORT_RATE_WINDOW` seconds per person (default 8 per 20).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from rapport.adapters.discord_bot.bot import DiscordSettings
from rapport.bot.config import ConfigError

__all__ = ["settings_from_env"]


def _number(env: Mapping[str, str], name: str, low: int) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < low:
        raise ConfigError(f"{name} must be at least {low}")
    return value


def _shard_ids(env: Mapping[str, str], shards: int | None) -> tuple[int, ...] | None:
    """RAPPORT_DISCORD_SHARD_IDS ("0,1"): the shards this process runs, of RAPPORT_DISCORD_SHARDS."""
    raw = env.get("RAPPORT_DISCORD_SHARD_IDS", "").strip()
    if not raw:
        return None
    if shards is None:
        raise ConfigError(
            "RAPPORT_DISCORD_SHARD_IDS needs RAPPORT_DISCORD_SHARDS (how many in all)"
        )
    try:
        ids = tuple(sorted({int(part) for part in raw.replace(" ", "").split(",") if part}))
    except ValueError:
        raise ConfigError(
            f"RAPPORT_DISCORD_SHARD_IDS must be shard numbers like 0,1, not {raw!r}"
        ) from None
    if not ids or not all(0 <= i < shards for i in ids):
        raise ConfigError(
            f"RAPPORT_DISCORD_SHARD_IDS must be between 0 and {shards - 1} (RAPPORT_DISCORD_SHARDS "
            f"is {shards}), not {raw!r}"
        )
    return ids


def settings_from_env(env: Mapping[str, str] | None = None) -> DiscordSettings:
    """Discord settings from environment variables; a missing token is a clear error."""
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "rapport serve discord needs DISCORD_TOKEN (the bot token from the Discord developer "
            "portal; see docs/discord.md)"
        )
    shards = _number(env, "RAPPORT_DISCORD_SHARDS", 1)
    return DiscordSettings(
        token=token,
        guild=_number(env, "RAPPORT_DISCORD_GUILD", 1),
        shards=shards,
        shard_ids=_shard_ids(env, shards),
        rate=_number(env, "RAPPORT_RATE_LIMIT", 1) or 8,
        per=float(_number(env, "RAPPORT_RATE_WINDOW", 1) or 20),
    )
