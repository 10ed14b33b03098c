"""Discord's command picker (adapters/discord_bot/slash.py): the words come from the core
(`templates/chat.toml`, `[discord]`), fit Discord's limits, and every subcommand has its line."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import discord
from discord import app_commands

from rapport.adapters.discord_bot import slash
from rapport.bot.service.verbs import SUBCOMMANDS
from rapport.bot.wording import say


class _Adapter:
    def picked(self, *_: object) -> str:
        return ""


def _definitions() -> list[dict[str, Any]]:
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    adapter: Any = _Adapter()
    return [
        slash.RapportCommands(adapter).to_dict(tree),
        slash.settings_command(adapter).to_dict(tree),
    ]


def _texts(node: dict[str, Any]) -> list[str]:
    """Every description and choice name in a command definition, depth first."""
    found = [node["description"]] if node.get("description") else []
    found += [choice["name"] for choice in node.get("choices", [])]
    for child in node.get("options", []):
        found += _texts(child)
    return found


def test_every_subcommand_is_described_from_the_core() -> None:
    group = _definitions()[0]
    assert group["description"] == say("chat.discord.group")
    for sub in group["options"]:
        assert sub["name"] in SUBCOMMANDS
        assert sub["description"] == say(f"chat.discord.commands.{sub['name']}")


def test_the_words_fit_discords_limits() -> None:
    """Descriptions and choice names: 1 to 100 characters, or Discord refuses the sync."""
    texts = [text for definition in _definitions() for text in _texts(definition)]
    assert len(texts) > 40
    too_long = [t for t in texts if not 1 <= len(t) <= 100]
    assert not too_long


def test_the_adapter_holds_no_ui_sentences() -> None:
    """No description or option text written in the adapter: string literals there are ids."""
    tree = ast.parse(inspect.getsource(slash))
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " " in node.value.strip()
    ]
    docstrings = {
        ast.get_docstring(n, clean=False)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Module)
    }
    assert [text for text in literals if text not in docstrings] == []
