"""Running the Discord bot: settings from the environment, then the gateway until SIGTERM.

`DISCORD_TOKEN` is the bot's token; `RAPPORT_DISCORD_GUILD` syncs the commands to one server
at once (global sync can take a while to show); `RAPPORT_DISCORD_SHARDS` runs an
AutoShardedClient with that many shards; `RAPPORT_RATE_LIMIT` commands per
`RAPPORT_RATE_WINDOW` seconds per person (default 8 per 20).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping

from adapters.discord_bot.bot import DiscordSettings, build_client, run_until
from bot.config import ConfigError
from bot.service import Rapport

__all__ = ["serve_discord", "settings_from_env"]


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


def settings_from_env(env: Mapping[str, str] | None = None) -> DiscordSettings:
    """Discord settings from environment variables; a missing token is a clear error."""
    env = os.environ if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "rapport serve discord needs DISCORD_TOKEN (the bot token from the Discord developer "
            "portal; see the README's 'Discord' section)"
        )
    return DiscordSettings(
        token=token,
        guild=_number(env, "RAPPORT_DISCORD_GUILD", 1),
        shards=_number(env, "RAPPORT_DISCORD_SHARDS", 1),
        rate=_number(env, "RAPPORT_RATE_LIMIT", 1) or 8,
        per=float(_number(env, "RAPPORT_RATE_WINDOW", 1) or 20),
    )


async def serve_discord(rapport: Rapport, settings: DiscordSettings) -> None:
    """Connect and serve until SIGINT/SIGTERM, then close the connection cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    client = build_client(rapport, settings)
    print("rapport: connecting to Discord", flush=True)
    await run_until(client, settings.token, stop.wait())
