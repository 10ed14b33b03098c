"""rapport's Discord bot on discord.py: `/rapport …`, "Check etiquette", a modal, DM coaching.

Thin, like the Slack app: every interaction is deferred (or answered) at once, the core does
the work (`bot.service.chat`, the coach), and `embeds` lays the answer out.  Every message is sent with
`allowed_mentions` none, so no draft can ping anyone.  Buttons are `DynamicItem`s registered in
`setup_hook`, so buttons on old messages work after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
from discord import app_commands

from adapters.discord_bot.embeds import (
    DRAFT_EMBED_LIMIT,
    LIMITS,
    answer_embeds,
    custom_id,
    cut,
    draft_from,
    parts,
    reply_content,
)
from bot.coach.replies import Reply
from bot.config import SENSITIVITIES
from bot.metrics import metrics
from bot.models import RULE_IDS
from bot.service.chat import (
    SUBCOMMANDS,
    Answer,
    changes_state,
    check_draft,
    draft_command,
    run_chat_command,
    run_typed_command,
)
from bot.service.commands import Command
from bot.service.logs import new_request_id
from bot.service.rapport import Rapport
from bot.storage.base import SessionKey, UserRef
from bot.wording import say

__all__ = ["DiscordSettings", "build_client"]

T = TypeVar("T")
#: Seconds a state change may take before its ack: Discord drops an interaction not
#: acknowledged within 3 s, so a slower write is acknowledged first and answered when done.
COMMIT_WAIT = 2.0

log = logging.getLogger("rapport.discord")

PLATFORM = "discord"
#: DMs belong to no server: a user's coaching sessions and ledger there live in "@me".
DM_WORKSPACE = "@me"
CMD = "/rapport"
MODAL_LIMIT = 4000
#: Core work (checks, coach turns) running at once; more wait their turn after their defer.
#: A check is CPU work on the event loop, so a few at a time keep the loop free for new
#: requests' defers (bench/slack_load.py: ack p99 at 50 concurrent fell by a third against 32)
#: and lose no throughput: the database waits between them are short.  With checks in worker
#: processes (`rapport serve`), the pool says how many may wait there (`Runner.in_flight`),
#: so someone's slow check never keeps another user's work from starting.
MAX_IN_FLIGHT = 4
_MENTION = re.compile(r"<@!?(\d+)>")
#: Rule ids as Discord pickers (at most 25 choices).
RULE_CHOICES = [app_commands.Choice(name=rule, value=rule) for rule in RULE_IDS][:25]


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """What the bot needs: its token, where to sync commands, sharding, rate limits."""

    token: str
    guild: int | None = None  # sync commands to this server only (instant), for testing
    shards: int | None = None  # run as an AutoShardedClient with this many shards
    shard_ids: tuple[int, ...] | None = None  # … of which this process runs these (default all)
    rate: int = 8  # commands a user may run …
    per: float = 20.0  # … in this many seconds


class RateLimiter:
    """A sliding window per user: friendly cooldowns instead of a flooded core."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.per, self.clock = rate, per, clock
        self._seen: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}
        self._swept = float("-inf")

    def wait(self, user_id: int) -> float:
        """0 if the user may go ahead now (and counts it), else seconds to wait."""
        now = self.clock()
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] >= self.per:
            seen.popleft()
        if len(seen) >= self.rate:
            return self.per - (now - seen[0])
        seen.append(now)
        self._told.pop(user_id, None)
        if len(self._seen) > 50_000 and now - self._swept > self.per:  # bounded, swept rarely
            self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.per}
            self._swept = now
        return 0.0

    def should_tell(self, user_id: int) -> bool:
        """True once per window for a user who is being held back (the first refusal only)."""
        now = self.clock()
        last = self._told.get(user_id)
        if last is not None and now - last < self.per:
            return False
        if len(self._told) > 50_000:
            self._told.clear()
        self._told[user_id] = now
        return True


async def send_parts(
    send: Callable[..., Awaitable[Any]], content: str, last: dict[str, Any]
) -> None:
    """Content longer than one message goes out as several, split at line breaks; the embeds
    and buttons (`last`) ride on the final one."""
    pieces = parts(content) or [""]
    for n, piece in enumerate(pieces):
        extra = last if n == len(pieces) - 1 else {}
        await send(content=piece or None, **extra)


def tag(interaction: discord.Interaction) -> None:
    """The interaction's id on this request's log lines, and a count by kind."""
    new_request_id("discord-", str(interaction.id))
    metrics().request(PLATFORM, interaction.type.name)


def user_ref(interaction: discord.Interaction) -> UserRef:
    """The user in this server (or in their DMs): the scope of everything rapport keeps."""
    workspace = str(interaction.guild_id) if interaction.guild_id else DM_WORKSPACE
    return UserRef(PLATFORM, workspace, str(interaction.user.id))


def mention_names(
    text: str, resolve: Callable[[int], str | None]
) -> tuple[str, str, dict[str, str]]:
    """(text for drafts, text for ledger commands, mentions): `<@123>` → "@Dana" in drafts,
    `<@123|Dana>` in ledger commands (people keyed by id), and "@Dana" → its id."""
    mentions: dict[str, str] = {}

    def name(m: re.Match[str]) -> str:
        return resolve(int(m.group(1))) or m.group(1)

    readable = _MENTION.sub(lambda m: "@" + name(m), text)
    keyed = _MENTION.sub(lambda m: f"<@{m.group(1)}|{name(m)}>", text)
    for m in _MENTION.finditer(text):
        mentions.setdefault("@" + name(m), f"<@{m.group(1)}|{name(m)}>")
    return readable, keyed, mentions


def sent_once(view: discord.ui.View) -> discord.ui.View:
    """Stop a view before it is sent: its buttons still go out, but discord.py won't keep it in
    its view store (one entry per message, forever, for a view without a timeout).  Clicks
    reach `CommandButton`, the dynamic item, whatever message they come from."""
    view.stop()
    return view


class RapportView(discord.ui.View):
    """Buttons for an answer (a view is only a container; the buttons are dynamic items)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(timeout=None)
        for action in answer.actions[:25]:
            style = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}
            self.add_item(
                discord.ui.Button(
                    label=cut(action.label, LIMITS["label"]),
                    custom_id=custom_id(action),
                    style=style.get(action.style, discord.ButtonStyle.secondary),
                )
            )


class ChoiceView(discord.ui.View):
    """A coach turn's choices, each sending its value back as the user's answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(timeout=None)
        for choice in reply.choices[:25]:
            cid = f"rapport:say:{choice.value}"
            if len(cid) > LIMITS["custom_id"]:
                continue
            self.add_item(
                discord.ui.Button(label=cut(choice.label, LIMITS["label"]), custom_id=cid)
            )


MODAL_ID = "rapport:modal"
MODAL_INPUT = "rapport:draft"


def draft_modal() -> discord.ui.Modal:
    """The long-draft box (up to 4,000 characters).  It is sent stopped, so discord.py keeps
    no copy keyed by its custom id (one shared id would hand one person's submission to
    another's modal, and a restart would drop it): `on_interaction` reads every submission
    from the payload instead."""
    modal = discord.ui.Modal(title=cut(say("chat.modal.title"), 45), custom_id=MODAL_ID)
    modal.add_item(
        discord.ui.TextInput(
            label=cut(say("chat.modal.draft"), 45),
            custom_id=MODAL_INPUT,
            style=discord.TextStyle.paragraph,
            placeholder=cut(say("chat.modal.draft_placeholder"), 100),
            max_length=MODAL_LIMIT,
            required=True,
        )
    )
    modal.stop()
    return modal


def submitted_draft(data: Any) -> str | None:
    """The draft in a modal submission's payload (its text input may sit in a row or a label)."""
    if isinstance(data, dict):
        if data.get("custom_id") == MODAL_INPUT and isinstance(data.get("value"), str):
            return str(data["value"])
        children = [data.get("component"), *(data.get("components") or [])]
        data = [c for c in children if c]
    if isinstance(data, list):
        for item in data:
            found = submitted_draft(item)
            if found is not None:
                return found
    return None


class CommandButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(r"rapport:(?P<rest>.+)", re.S),
):
    """Every rapport button, old or new: `run:<command>`, `say:<answer>`, or an action id whose
    draft is read from the message the button sits on."""

    def __init__(self, rest: str) -> None:
        super().__init__(discord.ui.Button(label="rapport", custom_id=f"rapport:{rest}"))
        self.rest = rest

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CommandButton:
        return cls(match["rest"])

    async def callback(self, interaction: discord.Interaction) -> None:
        adapter: DiscordAdapter = interaction.client.rapport_adapter  # type: ignore[attr-defined]
        await adapter.button(interaction, self.rest)


class DiscordAdapter:
    """The handlers, over one `Rapport`."""

    def __init__(self, client: discord.Client, rapport: Rapport, settings: DiscordSettings) -> None:
        self.client = client
        self.rapport = rapport
        self.settings = settings
        self.limiter = RateLimiter(settings.rate, settings.per)
        self._slots = asyncio.Semaphore(max(MAX_IN_FLIGHT, rapport.workers.in_flight))
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def working(self, slot: bool = True) -> AsyncIterator[None]:
        """Core work: counted so shutdown can wait, and (checks, with `slot`) bounded in number;
        a state change takes no slot, so it is never late for its ack."""
        self._in_flight += 1
        self._idle.clear()
        try:
            if slot:
                async with self._slots:
                    yield
            else:
                yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) for deferred interactions to get their answers."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

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
                    "rapport:run:"
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
        key = SessionKey(UserRef(PLATFORM, DM_WORKSPACE, str(interaction.user.id)), str(dm.id))
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

    async def failed(self, interaction: discord.Interaction, exc: BaseException) -> None:
        metrics().failed(exc)
        log.exception("interaction failed", exc_info=exc)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(say("chat.try_again"), ephemeral=True)
            else:
                await interaction.response.send_message(say("chat.try_again"), ephemeral=True)
        except discord.HTTPException:
            log.exception("couldn't report the failure")

    # -- commands ------------------------------------------------------------------------------
    def resolver(self, interaction: discord.Interaction) -> Callable[[int], str | None]:
        resolved: dict[int, Any] = {}
        data: Any = interaction.data or {}
        for uid, member in (data.get("resolved", {}) or {}).get("users", {}).items():
            resolved[int(uid)] = member.get("global_name") or member.get("username")

        def resolve(uid: int) -> str | None:
            if uid in resolved:
                return str(resolved[uid])
            guild = interaction.guild
            member = guild.get_member(uid) if guild else None
            user = member or self.client.get_user(uid)
            return user.display_name if user else None

        return resolve

    async def run(
        self, interaction: discord.Interaction, text: str, draft: str | None = None
    ) -> None:
        """`/rapport <text>`: defer, run the core, send the answer."""
        if not await self.guard(interaction):
            return
        try:
            if changes_state(text):  # stored, then acknowledged: a write never waits for a slot
                answer, draft = await self.commit_first(
                    interaction, self._answer(interaction, text, draft)
                )
            else:  # acknowledged at once; the check waits its turn for a slot
                await interaction.response.defer(ephemeral=True, thinking=True)
                async with self.working():
                    answer, draft = await self._answer(interaction, text, draft)
            await self.send(interaction, answer, draft)
        except Exception as exc:
            await self.failed(interaction, exc)

    async def commit_first(self, interaction: discord.Interaction, work: Awaitable[T]) -> T:
        """Carry out a state change, then acknowledge it: Discord's defer is the ack, and what
        a user sees acknowledged must already be stored.  Discord wants the ack within 3 s, so
        a write still running after COMMIT_WAIT seconds is acknowledged anyway and answered
        when it ends.  A ledger write is one short statement: it takes no work slot (slots are
        for checks), so a busy bot never makes it late."""
        async with self.working(slot=False):
            task = asyncio.ensure_future(work)
            await asyncio.wait({task}, timeout=COMMIT_WAIT)
            await interaction.response.defer(ephemeral=True, thinking=True)
            return await task

    async def _answer(
        self, interaction: discord.Interaction, text: str, draft: str | None
    ) -> tuple[Answer, str | None]:
        """The core's answer to `/rapport <text>`, and the draft its buttons may carry."""
        readable, keyed, mentions = mention_names(text, self.resolver(interaction))
        word = text.split(None, 1)[0].lower() if text.strip() else ""
        command = keyed if word in ("gave", "received", "know", "thank") else readable
        answer = await run_chat_command(
            self.rapport, user_ref(interaction), command, cmd=CMD,
            is_admin=lambda: self.is_manager(interaction), mentions=mentions,
        )  # fmt: skip
        if draft is None and answer.report is not None:
            draft = readable.split(None, 1)[1] if " " in readable.strip() else None
        return answer, draft

    def picked(self, interaction: discord.Interaction, user: discord.abc.Snowflake) -> str:
        """A picked member as the core keys people: `<@id|name>` (the id is the key; the name
        comes from the interaction's resolved data, the guild or the cache)."""
        name = self.resolver(interaction)(user.id) or str(user.id)
        return f"<@{user.id}|{name.replace('>', '').replace('|', ' ')}>"

    async def run_typed(self, interaction: discord.Interaction, command: Command) -> None:
        """A ledger or saved-message command built from Discord's own options and pickers:
        the core gets the chosen values as they are, never text to parse again."""
        if not await self.guard(interaction):
            return
        try:
            work = run_typed_command(self.rapport, user_ref(interaction), command)
            if command.changes_state:  # stored, then acknowledged: never waits for a slot
                answer = await self.commit_first(interaction, work)
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
                async with self.working():
                    answer = await work
            await self.send(interaction, answer, None)
        except Exception as exc:
            await self.failed(interaction, exc)

    async def is_manager(self, interaction: discord.Interaction) -> bool:
        """Server managers (Manage Server) may change rapport's settings for the server."""
        perms = interaction.permissions
        return interaction.guild_id is not None and bool(perms.manage_guild or perms.administrator)

    async def check_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        if not await self.guard(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.working():
            await self._check_message(interaction, message)

    async def _check_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        try:
            readable, _, mentions = mention_names(message.content or "", self.resolver(interaction))
            answer = await check_draft(self.rapport, user_ref(interaction), readable, cmd=CMD,
                                       record=False, mentions=mentions)  # fmt: skip
            await self.send(interaction, answer, readable)
        except Exception as exc:
            await self.failed(interaction, exc)

    async def check_long_draft(self, interaction: discord.Interaction, draft: str) -> None:
        if not await self.guard(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.working():
            await self._check_long_draft(interaction, draft)

    async def _check_long_draft(self, interaction: discord.Interaction, draft: str) -> None:
        try:
            readable, _, mentions = mention_names(draft, self.resolver(interaction))
            rewrite = len(readable) > DRAFT_EMBED_LIMIT  # too long to ride on a button: rewrite now
            answer = await check_draft(self.rapport, user_ref(interaction), readable, cmd=CMD,
                                       rewrite=rewrite, mentions=mentions)  # fmt: skip
            await self.send(interaction, answer, readable)
        except Exception as exc:
            await self.failed(interaction, exc)

    async def button(self, interaction: discord.Interaction, rest: str) -> None:
        """A click: run the command it carries, answer the coach, or open the modal."""
        if rest == "modal":
            await interaction.response.send_modal(draft_modal())
            return
        if rest.startswith("say:"):
            await self.coach_answer(interaction, rest[4:])
            return
        if rest.startswith("run:"):
            await self.run(interaction, rest[4:])
            return
        found = draft_from(interaction.message)
        if rest not in ("rewrite", "coach-dm", "why") or found is None:
            await interaction.response.send_message(
                say("chat.expired_button", cmd=CMD), ephemeral=True
            )
            return
        draft, to = found
        command = {
            "rewrite": draft_command("rewrite", draft, to),
            "coach-dm": draft_command("coach", draft),
            "why": f"why --draft {draft}",  # too many rules for the button: read from the check
        }[rest]
        await self.run(interaction, command, draft=draft)

    async def coach_answer(self, interaction: discord.Interaction, value: str) -> None:
        tag(interaction)
        await interaction.response.defer()
        channel = interaction.channel
        if channel is None:
            return
        key = SessionKey(UserRef(PLATFORM, DM_WORKSPACE, str(interaction.user.id)), str(channel.id))
        async with self.working():
            try:
                reply = await self.rapport.talk(key, value)
            except Exception as exc:
                metrics().failed(exc)
                log.exception("coach turn failed")
                reply = Reply(say("chat.try_again"))
            await self.post_reply(channel, reply)  # type: ignore[arg-type]

    # -- DMs -------------------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not isinstance(message.channel, discord.DMChannel):
            return  # bots (itself included) and server messages are not for rapport
        if self.client.user is None:
            return
        if message.author.id == self.client.user.id:
            return
        new_request_id("discord-", str(message.id))
        metrics().request(PLATFORM, "dm")
        wait = self.limiter.wait(message.author.id)
        if wait > 0:  # flooding a DM: said once per window; the next message after it is answered
            if self.limiter.should_tell(message.author.id):
                await message.channel.send(say("chat.cooldown", seconds=max(1, round(wait))))
            return
        key = SessionKey(
            UserRef(PLATFORM, DM_WORKSPACE, str(message.author.id)), str(message.channel.id)
        )
        try:
            text, _, _ = mention_names(message.content or "", lambda uid: None)
            reply = await self.rapport.talk(key, text)
        except Exception as exc:
            metrics().failed(exc)
            log.exception("coach turn failed")
            reply = Reply(say("chat.try_again"))
        await self.post_reply(message.channel, reply)


def _group(adapter: DiscordAdapter) -> app_commands.Group:
    """`/rapport …` as an application command group, described so Discord's UI explains it."""
    group = app_commands.Group(
        name="rapport", description="Honest, personal outreach: check, rewrite, coach"
    )

    @group.command(name="check", description="What a recipient will feel about a draft, and why")
    @app_commands.describe(draft="The message you plan to send (leave empty for a long-draft box)")
    async def check(interaction: discord.Interaction, draft: str | None = None) -> None:
        if not draft:
            await interaction.response.send_modal(draft_modal())
            return
        await adapter.run(interaction, f"check {draft}")

    @group.command(
        name="rewrite", description="The check plus a more personal version (your facts only)"
    )
    @app_commands.describe(draft="The message you plan to send")
    async def rewrite(interaction: discord.Interaction, draft: str) -> None:
        await adapter.run(interaction, f"rewrite {draft}")

    @group.command(
        name="coach", description="Write a message with rapport in your DMs, step by step"
    )
    async def coach(interaction: discord.Interaction) -> None:
        await adapter.run(interaction, "coach")

    @group.command(name="gave", description="Record an endorsement or recommendation you gave")
    @app_commands.describe(user="Who you endorsed", note="What for (optional)")
    async def gave(
        interaction: discord.Interaction, user: discord.User, note: str | None = None
    ) -> None:
        await adapter.run_typed(
            interaction, Command("gave", who=adapter.picked(interaction, user), note=note or "")
        )

    @group.command(
        name="received", description="Record an endorsement or recommendation you received"
    )
    @app_commands.describe(
        user="Who endorsed you", solicited="Had you asked them for it?", note="What for (optional)"
    )
    @app_commands.choices(
        solicited=[
            app_commands.Choice(name="I asked for it", value="solicited"),
            app_commands.Choice(name="They did it unprompted", value="unsolicited"),
        ]
    )
    async def received(
        interaction: discord.Interaction,
        user: discord.User,
        solicited: app_commands.Choice[str] | None = None,
        note: str | None = None,
    ) -> None:
        chosen = None if solicited is None else solicited.value == "solicited"
        await adapter.run_typed(
            interaction,
            Command(
                "received", who=adapter.picked(interaction, user), note=note or "", solicited=chosen
            ),
        )

    @group.command(name="know", description="Record how you know someone first-hand")
    @app_commands.describe(user="Who", how="How you know them, in your words")
    async def know(interaction: discord.Interaction, user: discord.User, how: str) -> None:
        await adapter.run_typed(
            interaction, Command("know", who=adapter.picked(interaction, user), note=how)
        )

    @group.command(name="ledger", description="Who you know, endorsements given and received")
    @app_commands.describe(
        forget="A name in your ledger: delete that person's entries",
        same="A name in your ledger that is also known by another name…",
        also="…and that other name (the two become one person)",
    )
    async def ledger(
        interaction: discord.Interaction,
        forget: str | None = None,
        same: str | None = None,
        also: str | None = None,
    ) -> None:
        if forget and (same or also):  # one change at a time: say how instead of guessing
            command = Command("ledger", problem=say("ledger.usage"))
        elif forget:
            command = Command("ledger", action="forget", who=forget)
        elif same or also:
            command = Command("ledger", action="same", who=same or "", other=also or "")
        else:
            command = Command("ledger")
        await adapter.run_typed(interaction, command)

    @group.command(
        name="remember", description="Keep the messages you finish with the coach (on), or not"
    )
    @app_commands.describe(state="on keeps them, off deletes them; leave empty to see the state")
    @app_commands.choices(
        state=[
            app_commands.Choice(name="on", value="on"),
            app_commands.Choice(name="off", value="off"),
        ]
    )
    async def remember(
        interaction: discord.Interaction, state: app_commands.Choice[str] | None = None
    ) -> None:
        switch = None if state is None else state.value == "on"
        await adapter.run_typed(interaction, Command("remember", switch=switch))

    @group.command(name="saved", description="The messages rapport kept for you, newest first")
    @app_commands.describe(delete="The number of a saved message to delete")
    async def saved(interaction: discord.Interaction, delete: int | None = None) -> None:
        if delete is None:
            await adapter.run_typed(interaction, Command("saved"))
        else:
            await adapter.run_typed(interaction, Command("saved", action="delete", item=delete))

    @group.command(name="forget", description="Delete everything rapport holds about you here")
    async def forget(interaction: discord.Interaction) -> None:
        await adapter.run(interaction, "forget")

    @group.command(name="help", description="What rapport can do")
    async def help_(interaction: discord.Interaction) -> None:
        await adapter.run(interaction, "help")

    @group.command(name="why", description="The principle behind a rule, and how to fix it")
    @app_commands.describe(rule="The rule a check raised")
    @app_commands.choices(rule=RULE_CHOICES)
    async def why(interaction: discord.Interaction, rule: app_commands.Choice[str]) -> None:
        await adapter.run(interaction, f"why {rule.value}")

    @group.command(
        name="config", description="Switch rules off or change severities (server managers)"
    )
    @app_commands.describe(
        change="off RULE · on RULE · severity RULE error|warning|info · reset (empty: show)"
    )
    async def config(interaction: discord.Interaction, change: str | None = None) -> None:
        await adapter.run(interaction, f"config {change or ''}".strip())

    assert {c.name for c in group.commands} <= set(SUBCOMMANDS)
    return group


def _settings_command(adapter: DiscordAdapter) -> app_commands.Command[Any, Any, None]:
    """`/rapport-config`: the server's settings with pickers, shown only to members who can
    manage the server (Discord lets only top-level commands carry default permissions; the
    permission is checked again when it runs, as for `/rapport config`)."""

    @app_commands.command(
        name="rapport-config", description="Switch rapport's rules off or change their severity"
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.describe(
        action="What to change (leave empty to see the settings)",
        rule="The rule to switch off, on, or make louder or quieter",
        severity="How loud the rule is (for 'severity')",
        sensitivity="Fewer, surer findings (quiet) or every likely one (strict)",
    )
    @app_commands.choices(
        action=[
            app_commands.Choice(name="Show the settings", value="show"),
            app_commands.Choice(name="Switch a rule off", value="off"),
            app_commands.Choice(name="Switch a rule back on", value="on"),
            app_commands.Choice(name="Change a rule's severity", value="severity"),
            app_commands.Choice(name="Change how sensitive rapport is", value="sensitivity"),
            app_commands.Choice(name="Back to rapport's defaults", value="reset"),
        ],
        rule=RULE_CHOICES,
        severity=[app_commands.Choice(name=v, value=v) for v in ("error", "warning", "info")],
        sensitivity=[app_commands.Choice(name=v, value=v) for v in SENSITIVITIES],
    )
    async def settings(
        interaction: discord.Interaction,
        action: app_commands.Choice[str] | None = None,
        rule: app_commands.Choice[str] | None = None,
        severity: app_commands.Choice[str] | None = None,
        sensitivity: app_commands.Choice[str] | None = None,
    ) -> None:
        picked = (action, rule, severity, sensitivity)
        words = [c.value for c in picked if c is not None and c.value != "show"]
        await adapter.run(interaction, " ".join(["config", *words]))

    return settings


def build_client(rapport: Rapport, settings: DiscordSettings) -> discord.Client:
    """The discord.py client with rapport's commands, context menu, buttons and DM handler."""
    intents = discord.Intents.none()
    intents.guilds = True  # server names and permissions for interactions
    intents.dm_messages = True  # DMs are the coaching session (no message-content intent needed)
    cls: type[discord.Client] = discord.AutoShardedClient if settings.shards else discord.Client
    kwargs: dict[str, Any] = {
        "intents": intents,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if settings.shards:
        kwargs["shard_count"] = settings.shards
        if settings.shard_ids is not None:
            kwargs["shard_ids"] = list(settings.shard_ids)
    client = cls(**kwargs)
    tree = app_commands.CommandTree(client)
    adapter = DiscordAdapter(client, rapport, settings)
    client.rapport_adapter = adapter  # type: ignore[attr-defined]
    client.tree = tree  # type: ignore[attr-defined]
    tree.add_command(_group(adapter))
    tree.add_command(_settings_command(adapter))

    @app_commands.context_menu(name=say("chat.shortcuts.check_message"))
    async def check_etiquette(interaction: discord.Interaction, message: discord.Message) -> None:
        await adapter.check_message(interaction, message)

    tree.add_command(check_etiquette)

    @tree.error
    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await adapter.failed(interaction, error)

    async def setup_hook() -> None:
        client.add_dynamic_items(CommandButton)
        if settings.guild:
            guild = discord.Object(id=settings.guild)
            tree.copy_global_to(guild=guild)
            await tree.sync(guild=guild)
        else:
            await tree.sync()

    client.setup_hook = setup_hook  # type: ignore[method-assign]

    @client.event
    async def on_message(message: discord.Message) -> None:
        await adapter.on_message(message)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        data: Any = interaction.data or {}
        if (
            interaction.type is discord.InteractionType.modal_submit
            and data.get("custom_id") == MODAL_ID
        ):
            await adapter.check_long_draft(interaction, submitted_draft(data) or "")

    @client.event
    async def on_ready() -> None:
        app_id = client.application_id
        log.info("connected as %s; invite: %s", client.user, invite_url(app_id) if app_id else "?")

    return client


def invite_url(application_id: int) -> str:
    """The invite link with the minimal scopes (no permissions: replies go through
    interactions and DMs, which need none)."""
    return (
        "https://discord.com/oauth2/authorize?client_id="
        f"{application_id}&scope=bot+applications.commands&permissions=0"
    )
