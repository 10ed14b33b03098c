"""`/rapport …` and `/rapport-config` as Discord application commands: options and pickers
that Discord's UI explains, each command a few lines that hand the core its words or a typed
`Command` (the command words themselves are the core's, `rapport.bot.service.verbs`, and so is
what the picker says: `templates/chat.toml`, under `[discord]`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from rapport.adapters.discord_bot.views import draft_modal
from rapport.bot.config import SENSITIVITIES
from rapport.bot.models import RULE_IDS
from rapport.bot.service.commands import Command, ledger_command, saved_command
from rapport.bot.service.verbs import SUBCOMMANDS, Verb, draft_command
from rapport.bot.wording import say

if TYPE_CHECKING:
    from rapport.adapters.discord_bot.bot import DiscordAdapter

__all__ = ["RapportCommands", "settings_command"]

#: Rule ids as Discord pickers (at most 25 choices).
RULE_CHOICES = [app_commands.Choice(name=rule, value=rule) for rule in RULE_IDS][:25]
_SWITCH = [app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
_Callback = TypeVar("_Callback", bound=Callable[..., Any])


def _says(what: str) -> str:
    """Discord's UI text for a command, option or choice (`templates/chat.toml`, `[discord]`)."""
    return say(f"chat.discord.{what}")


def _command(verb: str) -> str:
    return _says(f"commands.{verb}")


def _described(command: str) -> Callable[[_Callback], _Callback]:
    """`app_commands.describe` for every option of the callback (its parameters after the
    interaction), each option's words read from the core as `options.<command>_<option>`."""

    def describe(callback: _Callback) -> _Callback:
        names = list(inspect.signature(callback).parameters)
        options = names[names.index("interaction") + 1 :]
        words = {name: _says(f"options.{command}_{name}") for name in options}
        return app_commands.describe(**words)(callback)

    return describe


def _choices(*values: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=_says(f"choices.{value}"), value=value) for value in values]


_ASKED = _choices("solicited", "unsolicited")


class RapportCommands(app_commands.Group):
    """`/rapport <subcommand>`: each method one subcommand, handed to the adapter."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        super().__init__(name="rapport", description=_says("group"))
        self.adapter = adapter
        assert {c.name for c in self.commands} <= set(SUBCOMMANDS)

    def _who(self, interaction: discord.Interaction, user: discord.abc.Snowflake) -> str:
        return self.adapter.picked(interaction, user)

    @app_commands.command(name=Verb.CHECK, description=_command(Verb.CHECK))
    @_described(Verb.CHECK)
    async def check(self, interaction: discord.Interaction, draft: str | None = None) -> None:
        if not draft:
            await interaction.response.send_modal(draft_modal())
            return
        await self.adapter.run(interaction, draft_command(Verb.CHECK, draft))

    @app_commands.command(name=Verb.REWRITE, description=_command(Verb.REWRITE))
    @_described(Verb.REWRITE)
    async def rewrite(self, interaction: discord.Interaction, draft: str) -> None:
        await self.adapter.run(interaction, draft_command(Verb.REWRITE, draft))

    @app_commands.command(name=Verb.COACH, description=_command(Verb.COACH))
    async def coach(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.COACH)

    @app_commands.command(name=Verb.GAVE, description=_command(Verb.GAVE))
    @_described(Verb.GAVE)
    async def gave(
        self, interaction: discord.Interaction, user: discord.User, note: str | None = None
    ) -> None:
        command = Command(Verb.GAVE, who=self._who(interaction, user), note=note or "")
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(name=Verb.RECEIVED, description=_command(Verb.RECEIVED))
    @_described(Verb.RECEIVED)
    @app_commands.choices(solicited=_ASKED)
    async def received(
        self,
        interaction: discord.Interaction,
        user: discord.User,
        solicited: app_commands.Choice[str] | None = None,
        note: str | None = None,
    ) -> None:
        asked = None if solicited is None else solicited.value == _ASKED[0].value
        who = self._who(interaction, user)
        command = Command(Verb.RECEIVED, who=who, note=note or "", solicited=asked)
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(name=Verb.KNOW, description=_command(Verb.KNOW))
    @_described(Verb.KNOW)
    async def know(self, interaction: discord.Interaction, user: discord.User, how: str) -> None:
        command = Command(Verb.KNOW, who=self._who(interaction, user), note=how)
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(name=Verb.LEDGER, description=_command(Verb.LEDGER))
    @_described(Verb.LEDGER)
    async def ledger(
        self,
        interaction: discord.Interaction,
        forget: str | None = None,
        same: str | None = None,
        also: str | None = None,
    ) -> None:
        command = ledger_command(forget=forget or "", same=same or "", also=also or "")
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(name=Verb.REMEMBER, description=_command(Verb.REMEMBER))
    @_described(Verb.REMEMBER)
    @app_commands.choices(state=_SWITCH)
    async def remember(
        self, interaction: discord.Interaction, state: app_commands.Choice[str] | None = None
    ) -> None:
        switch = None if state is None else state.value == _SWITCH[0].value
        await self.adapter.run_typed(interaction, Command(Verb.REMEMBER, switch=switch))

    @app_commands.command(name=Verb.SAVED, description=_command(Verb.SAVED))
    @_described(Verb.SAVED)
    async def saved(self, interaction: discord.Interaction, delete: int | None = None) -> None:
        await self.adapter.run_typed(interaction, saved_command(delete))

    @app_commands.command(name=Verb.FORGET, description=_command(Verb.FORGET))
    async def forget(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.FORGET)

    @app_commands.command(name=Verb.HELP, description=_command(Verb.HELP))
    async def help_(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.HELP)

    @app_commands.command(name=Verb.WHY, description=_command(Verb.WHY))
    @_described(Verb.WHY)
    @app_commands.choices(rule=RULE_CHOICES)
    async def why(self, interaction: discord.Interaction, rule: app_commands.Choice[str]) -> None:
        await self.adapter.run(interaction, f"{Verb.WHY} {rule.value}")

    @app_commands.command(name=Verb.CONFIG, description=_command(Verb.CONFIG))
    @_described(Verb.CONFIG)
    async def config(self, interaction: discord.Interaction, change: str | None = None) -> None:
        await self.adapter.run(interaction, f"{Verb.CONFIG} {change or ''}".strip())


#: `/rapport-config`'s actions; "show" adds nothing to `config`, which then shows the settings.
_SHOW = "show"
_ACTIONS = _choices(_SHOW, "off", "on", "severity", "sensitivity", "reset")


def settings_command(adapter: DiscordAdapter) -> app_commands.Command[Any, Any, None]:
    """`/rapport-config`: the server's settings with pickers, shown only to members who can
    manage the server (Discord lets only top-level commands carry default permissions; the
    permission is checked again when it runs, as for `/rapport config`)."""

    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @_described("settings")
    @app_commands.choices(
        action=_ACTIONS,
        rule=RULE_CHOICES,
        severity=[app_commands.Choice(name=v, value=v) for v in ("error", "warning", "info")],
        sensitivity=[app_commands.Choice(name=v, value=v) for v in SENSITIVITIES],
    )
    async def configure(
        interaction: discord.Interaction,
        action: app_commands.Choice[str] | None = None,
        rule: app_commands.Choice[str] | None = None,
        severity: app_commands.Choice[str] | None = None,
        sensitivity: app_commands.Choice[str] | None = None,
    ) -> None:
        picked = (action, rule, severity, sensitivity)
        words = [c.value for c in picked if c is not None and c.value != _SHOW]
        await adapter.run(interaction, " ".join([Verb.CONFIG, *words]))

    return app_commands.Command(
        name="rapport-config",
        description=_says("settings"),
        callback=configure,
    )
