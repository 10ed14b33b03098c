"""`/rapport …` and `/rapport-config` as Discord application commands: options and pickers
that Discord's UI explains, each command a few lines that hand the core its words or a typed
`Command` (the command words themselves are the core's, `rapport.bot.service.verbs`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from rapport.adapters.discord_bot.views import draft_modal
from rapport.bot.config import SENSITIVITIES
from rapport.bot.models import RULE_IDS
from rapport.bot.service.commands import Command, ledger_command, saved_command
from rapport.bot.service.verbs import SUBCOMMANDS, Verb, draft_command

if TYPE_CHECKING:
    from rapport.adapters.discord_bot.bot import DiscordAdapter

__all__ = ["RapportCommands", "settings_command"]

#: Rule ids as Discord pickers (at most 25 choices).
RULE_CHOICES = [app_commands.Choice(name=rule, value=rule) for rule in RULE_IDS][:25]
_SWITCH = [app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
_ASKED = [
    app_commands.Choice(name="I asked for it", value="solicited"),
    app_commands.Choice(name="They did it unprompted", value="unsolicited"),
]


class RapportCommands(app_commands.Group):
    """`/rapport <subcommand>`: each method one subcommand, handed to the adapter."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        super().__init__(
            name="rapport", description="Honest, personal outreach: check, rewrite, coach"
        )
        self.adapter = adapter
        assert {c.name for c in self.commands} <= set(SUBCOMMANDS)

    def _who(self, interaction: discord.Interaction, user: discord.abc.Snowflake) -> str:
        return self.adapter.picked(interaction, user)

    @app_commands.command(
        name=Verb.CHECK, description="What a recipient will feel about a draft, and why"
    )
    @app_commands.describe(draft="The message you plan to send (leave empty for a long-draft box)")
    async def check(self, interaction: discord.Interaction, draft: str | None = None) -> None:
        if not draft:
            await interaction.response.send_modal(draft_modal())
            return
        await self.adapter.run(interaction, draft_command(Verb.CHECK, draft))

    @app_commands.command(
        name=Verb.REWRITE, description="The check plus a more personal version (your facts only)"
    )
    @app_commands.describe(draft="The message you plan to send")
    async def rewrite(self, interaction: discord.Interaction, draft: str) -> None:
        await self.adapter.run(interaction, draft_command(Verb.REWRITE, draft))

    @app_commands.command(
        name=Verb.COACH, description="Write a message with rapport in your DMs, step by step"
    )
    async def coach(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.COACH)

    @app_commands.command(
        name=Verb.GAVE, description="Record an endorsement or recommendation you gave"
    )
    @app_commands.describe(user="Who you endorsed", note="What for (optional)")
    async def gave(
        self, interaction: discord.Interaction, user: discord.User, note: str | None = None
    ) -> None:
        command = Command(Verb.GAVE, who=self._who(interaction, user), note=note or "")
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(
        name=Verb.RECEIVED, description="Record an endorsement or recommendation you received"
    )
    @app_commands.describe(
        user="Who endorsed you", solicited="Had you asked them for it?", note="What for (optional)"
    )
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

    @app_commands.command(name=Verb.KNOW, description="Record how you know someone first-hand")
    @app_commands.describe(user="Who", how="How you know them, in your words")
    async def know(self, interaction: discord.Interaction, user: discord.User, how: str) -> None:
        command = Command(Verb.KNOW, who=self._who(interaction, user), note=how)
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(
        name=Verb.LEDGER, description="Who you know, endorsements given and received"
    )
    @app_commands.describe(
        forget="A name in your ledger: delete that person's entries",
        same="A name in your ledger that is also known by another name…",
        also="…and that other name (the two become one person)",
    )
    async def ledger(
        self,
        interaction: discord.Interaction,
        forget: str | None = None,
        same: str | None = None,
        also: str | None = None,
    ) -> None:
        command = ledger_command(forget=forget or "", same=same or "", also=also or "")
        await self.adapter.run_typed(interaction, command)

    @app_commands.command(
        name=Verb.REMEMBER, description="Keep the messages you finish with the coach (on), or not"
    )
    @app_commands.describe(state="on keeps them, off deletes them; leave empty to see the state")
    @app_commands.choices(state=_SWITCH)
    async def remember(
        self, interaction: discord.Interaction, state: app_commands.Choice[str] | None = None
    ) -> None:
        switch = None if state is None else state.value == _SWITCH[0].value
        await self.adapter.run_typed(interaction, Command(Verb.REMEMBER, switch=switch))

    @app_commands.command(
        name=Verb.SAVED, description="The messages rapport kept for you, newest first"
    )
    @app_commands.describe(delete="The number of a saved message to delete")
    async def saved(self, interaction: discord.Interaction, delete: int | None = None) -> None:
        await self.adapter.run_typed(interaction, saved_command(delete))

    @app_commands.command(
        name=Verb.FORGET, description="Delete everything rapport holds about you here"
    )
    async def forget(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.FORGET)

    @app_commands.command(name=Verb.HELP, description="What rapport can do")
    async def help_(self, interaction: discord.Interaction) -> None:
        await self.adapter.run(interaction, Verb.HELP)

    @app_commands.command(
        name=Verb.WHY, description="The principle behind a rule, and how to fix it"
    )
    @app_commands.describe(rule="The rule a check raised")
    @app_commands.choices(rule=RULE_CHOICES)
    async def why(self, interaction: discord.Interaction, rule: app_commands.Choice[str]) -> None:
        await self.adapter.run(interaction, f"{Verb.WHY} {rule.value}")

    @app_commands.command(
        name=Verb.CONFIG, description="Switch rules off or change severities (server managers)"
    )
    @app_commands.describe(
        change="off RULE · on RULE · severity RULE error|warning|info · reset (empty: show)"
    )
    async def config(self, interaction: discord.Interaction, change: str | None = None) -> None:
        await self.adapter.run(interaction, f"{Verb.CONFIG} {change or ''}".strip())


#: `/rapport-config`'s actions; "show" adds nothing to `config`, which then shows the settings.
_SHOW = "show"
_ACTIONS = [
    app_commands.Choice(name="Show the settings", value=_SHOW),
    app_commands.Choice(name="Switch a rule off", value="off"),
    app_commands.Choice(name="Switch a rule back on", value="on"),
    app_commands.Choice(name="Change a rule's severity", value="severity"),
    app_commands.Choice(name="Change how sensitive rapport is", value="sensitivity"),
    app_commands.Choice(name="Back to rapport's defaults", value="reset"),
]


def settings_command(adapter: DiscordAdapter) -> app_commands.Command[Any, Any, None]:
    """`/rapport-config`: the server's settings with pickers, shown only to members who can
    manage the server (Discord lets only top-level commands carry default permissions; the
    permission is checked again when it runs, as for `/rapport config`)."""

    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.describe(
        action="What to change (leave empty to see the settings)",
        rule="The rule to switch off, on, or make louder or quieter",
        severity="How loud the rule is (for 'severity')",
        sensitivity="Fewer, surer findings (quiet) or every likely one (strict)",
    )
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
        description="Switch rapport's rules off or change their severity",
        callback=configure,
    )
