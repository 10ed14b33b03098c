"""`rapport serve …` with discord.py pointed at a fake Discord (for tests/adapters/test_serve.py):
the REST base and the gateway URL are process-wide settings of discord.py, so they are set here,
in the child, before the real CLI runs."""

from __future__ import annotations

import os
import sys

import discord
import yarl

from rapport.adapters.terminal.cli import main

if __name__ == "__main__":
    api = os.environ["RAPPORT_TEST_DISCORD_API"]
    discord.http.Route.BASE = api + "/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(api.replace("http", "ws") + "/gw")
    sys.exit(main(["serve", *sys.argv[1:]]))
