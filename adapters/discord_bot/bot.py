"""rapport's Discord bot on discord.py: `/rapport …`, "Check etiquette", a modal, DM coaching.

Thin, like the Slack app: every interaction is deferred (or answered) at once, the core does
the work (`rapport.bot.service.chat`, the coach), and `embeds` lays the answer out.  `DiscordAdapter`'s
methods are the handlers, registered on its client in one place (`_listen`); `slash` holds the
application commands.  Every message is sent with `allowed_mentions` none, so no draft can ping
anyone.  Buttons are `DynamicItem`s registered in `setup_hook`, so buttons on old messages
work after a restart.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
from discord import app_commands

from rapport.adapters.common.failures import Tell, tell_try_again, told_on_failure, try_again
from rapport.adapters.common.inflight import InFlight, ack_after
from rapport.adapters.discord_bot.embeds import (
    DRAFT_EMBED_LIMIT,
    answer_embeds,
    draft_from,
    reply_content,
)
from rapport.adapters.discord_bot.limits import RateLimiter
from rapport.adapters.discord_bot.mentions import keyed, mention_names, resolver
from rapport.adapters.discord_bot.slash import RapportCommands, settings_command
from rapport.adapters.discord_bot.views import (
    CHOICE_PREFIX,
    MODAL_ID,
    ChoiceView,
    RapportView,
    draft_modal,
    send_parts,
    sent_once,
    submitted_draft,
)
from rapport.bot.coach.replies import Reply
from rapport.bot.metrics import metrics
from rapport.bot.service.chat import (
    Answer,
    changes_state,
    check_draft,
    run_chat_command,
    run_typed_command,
)
from rapport.bot.service.commands import Command
from rapport.bot.service.logs import new_request_id
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.verbs import draft_button_command, names_people
from rapport.bot.storage.base import SessionKey, UserRef
from rapport.bot.wording import say

__all__ = ["DiscordAdapter", "DiscordSettings", "RapportClient", "build_client", "invite_url"]

T = TypeVar("T")
#: Seconds a state change may take before its ack: Discord drops an interaction not
#: acknowledged within 3 s, so a slower write is acknowledged first and answered when done.
COMMIT_WAIT = 2.0

log = logging.getLogger("rapport.discord")

PLATFORM = "discord"
#: DMs belong to no server: a user's coaching sessions and ledger there live in "@me".
DM_WORKSPACE = "@me"
CMD = "/rapport"
#: Core work (checks, coach turns) running at once; more wait their turn after their defer.
#: A check is CPU work on the event loop, so a few at a time keep the loop free for new
#: requests' defers (bench/slack_load.py: ack p99 at 50 concurrent fell by a third against 32)
#: and lose no throughput: the database waits between them are short.  With checks in worker
#: processes (`rapport serve`), the pool says how many may wait there (`Runner.in_flight`),
#: so someone's slow check never keeps another user's work from starting.
MAX_IN_FLIGHT = 4
#: Buttons whose custom id is `rapport:<rest>` (`run:<command>`, `say:<answer>`, an action id).
_BUTTON_PREFIX = "rapport:"
_RUN = "run:"


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """What the bot needs: its token, where to sync commands, sharding, rate limits."""

    token: str
    guild: int | None = None  # sync commands to this server only (instant), for testing
    shards: int | None = None  # run as an AutoShardedClient with this many shards
    shard_ids: tuple[int, ...] | None = None  # … of which this process runs these (default all)
    rate: int = 8  # commands a user may run …
    per: float = 20.0  # … in this many seconds


def tag(interaction: discord.Interaction) -> None:
    """The interaction's id on this request's log lines, and a count by kind."""
    new_request_id("discord-", str(interaction.id))
    metrics().request(PLATFORM, interaction.type.name)


def user_ref(interaction: discord.Interaction) -> UserRef:
    """The user in this server (or in their DMs): the scope of everything rapport keeps."""
    workspace = str(interaction.guild_id) if interaction.guild_id else DM_WORKSPACE
    return UserRef(PLATFORM, workspace, str(interaction.user.id))


def dm_key(user_id: int, channel_id: int) -> SessionKey:
    """A coaching session in a user's DMs."""
    return SessionKey(UserRef(PLATFORM, DM_WORKSPACE, str(user_id)), str(channel_id))


class DiscordAdapter:
    """The handlers, over one `Rapport`, and what they share: the rate limiter and the bounded
    work after defers."""

    def __init__(self, rapport: Rapport, settings: DiscordSettings) -> None:
        self.rapport = rapport
        self.settings = settings
        self.limiter = RateLimiter(settings.rate, settings.per)
        self.work = InFlight(max(MAX_IN_FLIGHT, rapport.workers.in_flight))
        client_class = ShardedRapportClient if settings.shards else RapportClient
        self.client: RapportClient = client_class(self, **_client_options(settings))
        self._listen(self.client.tree)

    def _listen(self, tree: app_commands.CommandTree[Any]) -> None:
        """Every command and handler, in one place (events: `RapportClient`)."""
        tree.add_command(RapportCommands(self))
        tree.add_command(settings_command(self))
        menu = app_commands.ContextMenu(
            name=say("chat.shortcuts.check_message"), callback=self.check_message
        )
        tree.add_command(menu)
        tree.error(self.on_command_error)

    async def setup(self) -> None:
        """Before the gateway: buttons of old messages routed here, commands synced."""
        self.client.add_dynamic_items(CommandButton)
        tree = self.client.tree
        if self.settings.guild:
            guild = discord.Object(id=self.settings.guild)
            tree.copy_global_to(guild=guild)
            await tree.sync(guild=guild)
        else:
            await tree.sync()

    async def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) for deferred interactions to get their answers."""
        return await self.work.drain(timeout)

    # -- sending -------------------------------------------------------------------------------
    async def send(
        self, interaction: discord.Interaction, answer: Answer, draft: str | None = None
    ) -> None:
        """Send an answer privately (after `defer`): content, embeds and buttons."""
        if answer.coach is not None:
            opened = await self.open_coach(interaction, answer.coach)
            answer = Answer(
                say("chat.coach_opened" if opened else "chat.coach_dm_failed", platform=PLATFORM)
            )
        carry = (
            draft
            if draft and len(draft) <= DRAFT_EMBED_LIMIT and answer.report is not None
            else None
        )
        content, embeds = answer_embeds(answer, CMD, carry)
        view = RapportView(answer) if answer.actions else None
        if view is not None and carry is None:
            dropped = False
            for item in list(view.children):  # their draft can't ride on this message
                if isinstance(item, discord.ui.Button) and not (item.custom_id or "").startswith(
                    _BUTTON_PREFIX + _RUN
                ):
                    view.remove_item(item)
                    dropped = True
            if dropped:
                content = f"{content}\n{say('chat.long_for_buttons', cmd=CMD)}".strip()
        extra: dict[str, Any] = {"embeds": embeds}
        if view is not None and view.children:
            extra["view"] = sent_once(view)
        await send_parts(
            lambda **kw: interaction.followup.send(ephemeral=True, **kw), content, extra
        )

    async def open_coach(self, interaction: discord.Interaction, first: str) -> bool:
        """Start or resume the DM session (sending it `first`, a pasted draft, if any)."""
        try:
            dm = await interaction.user.create_dm()
        except discord.HTTPException:
            return False
        key = dm_key(interaction.user.id, dm.id)
        reply = (
            await self.rapport.talk(key, first)
            if first.strip()
            else await self.rapport.coach.resume(key)
        )
        try:
            await self.post_reply(dm, reply)
        except discord.Forbidden:
            return False
        return True

    async def post_reply(self, channel: discord.abc.Messageable, reply: Reply) -> None:
        """A coach reply (words and choices) in the DM."""
        content, embeds = reply_content(reply)
        extra: dict[str, Any] = {"embeds": embeds}
        if reply.choices:
            extra["view"] = sent_once(ChoiceView(reply))
        await send_parts(channel.send, content, extra)

    async def guard(self, interaction: discord.Interaction) -> bool:
        """Tag the request, then rate limit: tells the user kindly and returns False when they
        must wait."""
        tag(interaction)
        wait = self.limiter.wait(interaction.user.id)
        if wait <= 0:
            return True
        await interaction.response.send_message(
            say("chat.cooldown", seconds=max(1, round(wait))), ephemeral=True
        )
        return False

    def tell(self, interaction: discord.Interaction) -> Tell:
        """A few words for the user alone, as the interaction's answer or after it."""

        async def tell(words: str) -> None:
            if interaction.response.is_done():
                await interaction.followup.send(words, ephemeral=True)
            else:
                await interaction.response.send_message(words, ephemeral=True)

        return tell

    async def on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A command that raised before (or outside) its handler: logged, the user told."""
        await tell_try_again(self.tell(interaction), log, "interaction failed", error)

    # -- commands ------------------------------------------------------------------------------
    async def run(
        self, interaction: discord.Interaction, text: str, draft: str | None = None
    ) -> None:
        """`/rapport <text>`: defer, run the core, send the answer."""
        if not await self.guard(interaction):
            return
        async with told_on_failure(self.tell(interaction), log, "interaction failed"):
            if changes_state(text):  # stored, then acknowledged: a write never waits for a slot
                answer, draft = await self.commit_first(
                    interaction, self._answer(interaction, text, draft)
                )
            else:  # acknowledged at once; the check waits its turn for a slot
                await interaction.response.defer(ephemeral=True, thinking=True)
                async with self.work.working():
                    answer, draft = await self._answer(interaction, text, draft)
            await self.send(interaction, answer, draft)

    async def commit_first(self, interaction: discord.Interaction, work: Awaitable[T]) -> T:
        """Carry out a state change, then acknowledge it: Discord's defer is the ack, and what
        a user sees acknowledged must already be stored (see `ack_after`).  A ledger write is
        one short statement: it takes no work slot (slots are for checks), so a busy bot never
        makes it late."""
        defer = functools.partial(interaction.response.defer, ephemeral=True, thinking=True)
        async with self.work.working(slot=False):
            task = await ack_after(work, defer, COMMIT_WAIT)
            return await task

    async def _answer(
        self, interaction: discord.Interaction, text: str, draft: str | None
    ) -> tuple[Answer, str | None]:
        """The core's answer to `/rapport <text>`, and the draft its buttons may carry."""
        readable, ids, mentions = mention_names(text, resolver(interaction, self.client))
        answer = await run_chat_command(
            self.rapport, user_ref(interaction), ids if names_people(text) else readable,
            cmd=CMD, is_admin=lambda: self.is_manager(interaction), mentions=mentions,
        )  # fmt: skip
        if draft is None and answer.report is not None:
            draft = readable.split(None, 1)[1] if " " in readable.strip() else None
        return answer, draft

    def picked(self, interaction: discord.Interaction, user: discord.abc.Snowflake) -> str:
        """A picked member as the core keys people: `<@id|name>` (the id is the key; the name
        comes from the interaction's resolved data, the guild or the cache)."""
        return keyed(user.id, resolver(interaction, self.client))

    async def run_typed(self, interaction: discord.Interaction, command: Command) -> None:
        """A ledger or saved-message command built from Discord's own options and pickers:
        the core gets the chosen values as they are, never text to parse again."""
        if not await self.guard(interaction):
            return
        async with told_on_failure(self.tell(interaction), log, "interaction failed"):
            work = run_typed_command(self.rapport, user_ref(interaction), command)
            if command.changes_state:  # stored, then acknowledged: never waits for a slot
                answer = await self.commit_first(interaction, work)
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
                async with self.work.working():
                    answer = await work
            await self.send(interaction, answer, None)

    async def is_manager(self, interaction: discord.Interaction) -> bool:
        """Server managers (Manage Server) may change rapport's settings for the server."""
        perms = interaction.permissions
        return interaction.guild_id is not None and bool(perms.manage_guild or perms.administrator)

    async def check_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """ "Check etiquette" on someone's message: checked, not recorded as the user's own."""
        if not await self.guard(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with (
            self.work.working(),
            told_on_failure(self.tell(interaction), log, "interaction failed"),
        ):
            resolve = resolver(interaction, self.client)
            readable, _, mentions = mention_names(message.content or "", resolve)
            answer = await check_draft(self.rapport, user_ref(interaction), readable, cmd=CMD,
                                       record=False, mentions=mentions)  # fmt: skip
            await self.send(interaction, answer, readable)

    async def check_long_draft(self, interaction: discord.Interaction, draft: str) -> None:
        """A draft from the modal (too long to ride on a button: rewritten at once)."""
        if not await self.guard(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with (
            self.work.working(),
            told_on_failure(self.tell(interaction), log, "interaction failed"),
        ):
            readable, _, mentions = mention_names(draft, resolver(interaction, self.client))
            rewrite = len(readable) > DRAFT_EMBED_LIMIT
            answer = await check_draft(self.rapport, user_ref(interaction), readable, cmd=CMD,
                                       rewrite=rewrite, mentions=mentions)  # fmt: skip
            await self.send(interaction, answer, readable)

    # -- buttons ---------------------------------------------------------------------------------
    async def button(self, interaction: discord.Interaction, rest: str) -> None:
        """A click: run the command it carries, answer the coach, or open the modal."""
        full = _BUTTON_PREFIX + rest
        if full == MODAL_ID:
            await interaction.response.send_modal(draft_modal())
            return
        if full.startswith(CHOICE_PREFIX):
            await self.coach_answer(interaction, full[len(CHOICE_PREFIX) :])
            return
        if rest.startswith(_RUN):
            await self.run(interaction, rest[len(_RUN) :])
            return
        found = draft_from(interaction.message)
        command = None
        if found is not None:
            draft, to = found
            command = draft_button_command(full, draft, to)
        if found is None or command is None:
            await interaction.response.send_message(
                say("chat.expired_button", cmd=CMD), ephemeral=True
            )
            return
        await self.run(interaction, command, draft=found[0])

    async def coach_answer(self, interaction: discord.Interaction, value: str) -> None:
        """A coach choice clicked: the user's answer to the turn."""
        tag(interaction)
        await interaction.response.defer()
        channel = interaction.channel
        if channel is None:
            return
        async with self.work.working():
            await self.turn(channel, dm_key(interaction.user.id, channel.id), value)  # type: ignore[arg-type]

    async def turn(self, channel: discord.abc.Messageable, key: SessionKey, text: str) -> None:
        """One coaching turn, answered in the DM (a failure is a kind word, not silence)."""
        try:
            reply = await self.rapport.talk(key, text)
        except Exception as exc:
            reply = Reply(try_again(log, "coaching turn failed", exc))
        await self.post_reply(channel, reply)

    # -- DMs and modal submissions -----------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """A DM is a coaching turn (rate limited; told once per window when flooding)."""
        if message.author.bot or not isinstance(message.channel, discord.DMChannel):
            return  # bots (itself included) and server messages are not for rapport
        if self.client.user is None or message.author.id == self.client.user.id:
            return
        new_request_id("discord-", str(message.id))
        metrics().request(PLATFORM, "dm")
        wait = self.limiter.wait(message.author.id)
        if wait > 0:  # flooding a DM: said once per window; the next message after it is answered
            if self.limiter.should_tell(message.author.id):
                await message.channel.send(say("chat.cooldown", seconds=max(1, round(wait))))
            return
        text, _, _ = mention_names(message.content or "", lambda uid: None)
        await self.turn(message.channel, dm_key(message.author.id, message.channel.id), text)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions, read from the payload (the modal is sent stopped)."""
        data: Any = interaction.data or {}
        if (
            interaction.type is discord.InteractionType.modal_submit
            and data.get("custom_id") == MODAL_ID
        ):
            await self.check_long_draft(interaction, submitted_draft(data) or "")


class CommandButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(_BUTTON_PREFIX) + r"(?P<rest>.+)", re.S),
):
    """Every rapport button, old or new: `run:<command>`, `say:<answer>`, or an action id whose
    draft is read from the message the button sits on."""

    def __init__(self, rest: str) -> None:
        super().__init__(discord.ui.Button(label="rapport", custom_id=_BUTTON_PREFIX + rest))
        self.rest = rest

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CommandButton:
        return cls(match["rest"])

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        assert isinstance(client, RapportClient)
        await client.rapport_adapter.button(interaction, self.rest)


class RapportClient(discord.Client):
    """discord.py's client for rapport: its command tree, and its events handed to the
    adapter."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.rapport_adapter = adapter
        self.tree: app_commands.CommandTree[RapportClient] = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        await self.rapport_adapter.setup()

    async def on_message(self, message: discord.Message) -> None:
        await self.rapport_adapter.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.rapport_adapter.on_interaction(interaction)

    async def on_ready(self) -> None:
        app_id = self.application_id
        log.info("connected as %s; invite: %s", self.user, invite_url(app_id) if app_id else "?")


class ShardedRapportClient(RapportClient, discord.AutoShardedClient):
    """The same, over several gateway shards."""


def _client_options(settings: DiscordSettings) -> dict[str, Any]:
    """Intents (no message content: DMs are read as sent to the bot), no mentions, shards."""
    intents = discord.Intents.none()
    intents.guilds = True  # server names and permissions for interactions
    intents.dm_messages = True  # DMs are the coaching session (no message-content intent needed)
    options: dict[str, Any] = {
        "intents": intents,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if settings.shards:
        options["shard_count"] = settings.shards
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
    return options


def build_client(rapport: Rapport, settings: DiscordSettings) -> RapportClient:
    """The discord.py client with rapport's commands, context menu, buttons and DM handler."""
    return DiscordAdapter(rapport, settings).client


def invite_url(application_id: int) -> str:
    """The invite link with the minimal scopes (no permissions: replies go through
    interactions and DMs, which need none)."""
    return (
        "https://discord.com/oauth2/authorize?client_id="
        f"{application_id}&scope=bot+applications.commands&permissions=0"
    )
