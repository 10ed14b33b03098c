"""rapport's Slack app on slack-bolt: listeners that ack at once, call the core, render.

No etiquette here: `bot.service.chat` runs `/rapport …`, the coach runs DMs, and `blocks` lays the
answers out.  This module only translates Slack's payloads into core calls (who, which
workspace, which channel) and the core's answers into Web API calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import blocks
from adapters.slack.markup import mention_ids, readable, with_mentions
from bot.coach.replies import Reply
from bot.metrics import metrics
from bot.service.chat import Action, Answer, changes_state, check_draft, run_chat_command
from bot.service.commands import ledger_text
from bot.service.logs import new_request_id
from bot.service.rapport import Rapport
from bot.storage.base import Job, SessionKey, UserRef
from bot.wording import say

__all__ = ["SlackAdapter", "SlackSettings", "adapter_of", "build_app"]

log = logging.getLogger("rapport.slack")

PLATFORM = "slack"
#: How long a handled event id (or a slash command's fingerprint) is remembered: Slack retries
#: events within minutes, and a signed request is accepted for 5 minutes, so a replay of it
#: within that window is recognised.
DELIVERY_KEEP_SECONDS = 3600.0
#: A job taken this long ago and not finished belongs to a process that died (PostgreSQL, where
#: several processes share the queue); a SQLite file serves one process, whose restart takes
#: every job taken before it started at once.
JOB_LEASE_SECONDS = 20.0
#: Seconds a click's state change may take before its ack (Slack wants one within 3 s).
COMMIT_WAIT = 2.0
#: How often a process looks for jobs a dead process left.
RECOVER_EVERY_SECONDS = 10.0
#: The slash command fields a job keeps (not Slack's legacy verification `token`).
_JOB_FIELDS = (
    "command", "text", "user_id", "team_id", "enterprise_id", "channel_id", "response_url",
)  # fmt: skip
#: A modal submission waits this long for the check before showing "checking…" instead.
MODAL_WAIT_SECONDS = 2.0
_ADMIN_CACHE_SECONDS = 60.0
_BUTTONS = re.compile(r"^rapport:(rewrite|why|coach-dm|forget:yes|forget:no|thank(:.*)?)$")
_COACH_CHOICE = re.compile(r"^rapport:coach:")


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """What the Slack app needs: credentials, where the Web API is, the command's name."""

    bot_token: str
    signing_secret: str
    api_url: str = "https://slack.com/api/"
    app_token: str | None = None  # Socket Mode when set
    command: str = "/rapport"


def _api_base(url: str) -> str:
    """slack_sdk joins method names onto the base URL, so it must end in a slash."""
    return url if url.endswith("/") else url + "/"


def _team(body: dict[str, Any]) -> str:
    """The workspace of a payload (an org id for org-wide apps on Enterprise Grid)."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    for key in ("team_id", "enterprise_id"):
        if body.get(key):
            return str(body[key])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return "unknown"


Respond = Callable[..., Awaitable[Any]]

#: Core work (checks, coach turns) running at once; more wait their turn after their ack.
#: A check is CPU work on the event loop, so a few at a time keep the loop free for new
#: requests' acks (bench/slack_load.py: ack p99 at 50 concurrent fell by a third against 32)
#: and lose no throughput: the database waits between them are short.  With checks in worker
#: processes (`rapport serve`), the pool says how many may wait there (`Runner.in_flight`),
#: so someone's slow check never keeps another user's work from starting.
MAX_IN_FLIGHT = 4
#: Work acknowledged and not yet finished (running or waiting its turn) in one process; beyond
#: this a request is answered "busy, try again in a minute" at once instead of waiting without
#: bound.  Under overload the loop also parses, verifies and answers every refused request, so
#: fewer checks a second get done: bench/slack_overload.py at 300 commands/s kept ack-to-answer
#: p99 at 1.2 s with 32 (6.7 s with 100, which also accepted fewer).
MAX_QUEUED = 32
_CACHE_LIMIT = 10_000


def slash_delivery(command: dict[str, Any], request: AsyncBoltRequest | None) -> str:
    """A slash command's fingerprint: a replay of the same signed request (same workspace,
    user, command, text, trigger and signature timestamp) has the same one."""
    headers = request.headers if request is not None else {}
    stamp = (headers.get("x-slack-request-timestamp") or [""])[0]
    parts = (
        _team(command), command.get("user_id"), command.get("command"), command.get("text"),
        command.get("trigger_id"), stamp,
    )  # fmt: skip
    digest = hashlib.sha256("\x1f".join(str(p or "") for p in parts).encode()).hexdigest()
    return "cmd:" + digest[:40]


class SlackAdapter:
    """Listeners and the little they need to remember (admin lookups, for a minute)."""

    def __init__(self, rapport: Rapport, settings: SlackSettings) -> None:
        self.rapport = rapport
        self.settings = settings
        self.cmd = settings.command
        self._admins: dict[tuple[str, str], tuple[float, bool]] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._slots = asyncio.Semaphore(max(MAX_IN_FLIGHT, rapport.workers.in_flight))
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.session: aiohttp.ClientSession | None = None
        self.started = time.time()
        self.run_job: Callable[[Job], Awaitable[None]] | None = None  # set by build_app
        self._recovery: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._held: set[int] = set()  # ids of the jobs this process is carrying out
        self._jobs: set[asyncio.Task[None]] = set()

    def full(self) -> bool:
        """True when this process already has all the acknowledged work it may hold."""
        return self._in_flight >= MAX_QUEUED

    async def first(self, delivery: str) -> bool:
        """True the first time a delivery (an event id, a command's fingerprint) is seen here
        or by another process on the database; True too when that can't be told."""
        if not delivery:
            return True
        try:
            return bool(
                await self.rapport.store.claim_delivery(
                    PLATFORM, delivery, time.time(), DELIVERY_KEEP_SECONDS
                )
            )
        except Exception:
            log.exception("couldn't record delivery %s", delivery)
            return True  # better a rare double than a dropped message

    def hold(self, job_id: int) -> None:
        """This process is carrying the job out: its heartbeat keeps the job from looking
        abandoned to any other process (or to this one's own recovery)."""
        self._held.add(job_id)

    async def finish(self, job_id: int) -> None:
        """The job is done and answered: take it off the queue (a failure leaves it to run
        again after a restart, a double rather than a loss)."""
        try:
            await self.rapport.store.finish_job(job_id)
        except Exception as exc:
            metrics().failed(exc)
            log.exception("couldn't finish job %s", job_id)
        finally:
            self._held.discard(job_id)

    def start_recovery(self, lease: float = JOB_LEASE_SECONDS) -> None:
        """Carry out, now and every `RECOVER_EVERY_SECONDS`, the jobs a dead process left (a
        job is abandoned once no process has renewed it for `lease` seconds); renew this
        process's own jobs every quarter lease."""
        if self._recovery is None:
            loop = asyncio.get_running_loop()
            self._recovery = loop.create_task(self._recover_forever(lease))
            self._heartbeat = loop.create_task(self._renew_forever(lease / 4))

    async def _renew_forever(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            if self._held:
                try:
                    await self.rapport.store.renew_jobs(set(self._held), time.time())
                except Exception as exc:
                    metrics().failed(exc)
                    log.exception("couldn't renew this process's jobs")

    async def _recover_forever(self, lease: float) -> None:
        while True:
            try:
                taken = await self.recover(lease)
            except Exception as exc:
                metrics().failed(exc)
                log.exception("couldn't take jobs left by another process")
                taken = 0
            await asyncio.sleep(0.2 if taken else min(RECOVER_EVERY_SECONDS, lease))

    async def recover(self, lease: float = JOB_LEASE_SECONDS) -> int:
        """Take jobs no process has renewed for `lease` seconds (a dead process's; no more than
        half the free room) and start them."""
        room = (MAX_QUEUED - self._in_flight) // 2
        if room <= 0 or self.run_job is None:
            return 0
        now = time.time()
        jobs = await self.rapport.store.take_jobs(PLATFORM, now - lease, now, room)
        for job in jobs:
            self.hold(job.id)
            log.info("carrying out job %s acknowledged before a restart", job.id)
            task = asyncio.get_running_loop().create_task(self._recovered(job))
            self._jobs.add(task)
            task.add_done_callback(self._jobs.discard)
        return len(jobs)

    async def _recovered(self, job: Job) -> None:
        assert self.run_job is not None
        async with self.working():
            await self.run_job(job)

    def http(self) -> aiohttp.ClientSession:
        """One HTTP session (and its connection pool) for every call to Slack."""
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession()
        return self.session

    def responder(self, response_url: str | None) -> Respond | None:
        """Posts to a payload's response_url over the shared session (Bolt's `respond` opens a
        new session and connection for every post)."""
        if not response_url:
            return None
        hook = AsyncWebhookClient(response_url, session=self.http())

        async def respond(**body: Any) -> None:
            await hook.send_dict(body)

        return respond

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Core work after an ack: bounded in number, and counted so shutdown can wait for it."""
        self._in_flight += 1
        self._idle.clear()
        try:
            async with self._slots:
                yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) for work already acked to finish; True if it did."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        for task in (self._recovery, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.session is not None:
            await self.session.close()

    # -- helpers -------------------------------------------------------------------------------
    async def is_admin(self, client: AsyncWebClient, user: UserRef) -> bool:
        """Workspace admins and owners may change rapport's settings (asked of Slack, cached)."""
        key = (user.workspace, user.user_id)
        hit = self._admins.get(key)
        if hit and time.monotonic() - hit[0] < _ADMIN_CACHE_SECONDS:
            return hit[1]
        try:
            info = await client.users_info(user=user.user_id)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error"))
            return False
        u = info.get("user") or {}
        admin = bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))
        if len(self._admins) >= _CACHE_LIMIT:
            self._admins.clear()
        self._admins[key] = (time.monotonic(), admin)
        return admin

    async def name_mentions(self, client: AsyncWebClient, team: str, text: str) -> str:
        """`<@U1>` → `<@U1|Dana Lee>`: the ledger keys people by id and shows their name."""
        ids = sorted(set(re.findall(r"<@([UW][A-Z0-9]+)>", text)))[:5]
        for uid in ids:
            name = self._names.get((team, uid))
            if name is None:
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
                if len(self._names) >= _CACHE_LIMIT:
                    self._names.clear()
                self._names[(team, uid)] = str(name).replace(">", "").replace("|", " ")
            text = text.replace(f"<@{uid}>", f"<@{uid}|{self._names[(team, uid)]}>")
        return text

    async def command_text(
        self, client: AsyncWebClient, team: str, text: str
    ) -> tuple[str, dict[str, str]]:
        """A slash command's text as the core reads it, and its user mentions by id: mentions
        stay `<@U…|name>` in ledger commands (people are keyed by id); drafts read as written."""
        word = text.strip().split(None, 1)[0].lower() if text.strip() else ""
        if "<@" in text:
            text = await self.name_mentions(client, team, text)
        if word in ("gave", "received", "know", "thank"):
            return with_mentions(text), {}
        return readable(text), mention_ids(text)

    async def dm_channel(self, client: AsyncWebClient, user_id: str) -> str | None:
        try:
            opened = await client.conversations_open(users=user_id)
        except SlackApiError as exc:
            log.warning("conversations.open failed: %s", exc.response.get("error"))
            return None
        channel = opened.get("channel") or {}
        return str(channel["id"]) if channel.get("id") else None

    async def turn(self, client: AsyncWebClient, key: SessionKey, text: str) -> None:
        """One coaching turn in the DM, answered there (a failure is a kind word, not silence)."""
        try:
            reply = await self.rapport.talk(key, text)
        except Exception as exc:
            metrics().failed(exc)
            log.exception("coach turn failed")
            reply = Reply(say("chat.try_again"))
        await self.post_reply(client, key.channel, reply)

    async def post_reply(self, client: AsyncWebClient, channel: str, reply: Reply) -> None:
        await client.chat_postMessage(
            channel=channel,
            text=blocks.reply_text(reply),
            blocks=blocks.reply_blocks(reply),
            link_names=False,
            unfurl_links=False,
            unfurl_media=False,
        )

    async def open_coach(self, client: AsyncWebClient, user: UserRef, first: str) -> bool:
        """Start or resume the DM session (sending it `first`, a pasted draft, if any)."""
        channel = await self.dm_channel(client, user.user_id)
        if channel is None:
            return False
        key = SessionKey(user, channel)
        reply = (
            await self.rapport.talk(key, first)
            if first.strip()
            else await self.rapport.coach.resume(key)
        )
        await self.post_reply(client, channel, reply)
        return True

    async def deliver(
        self,
        answer: Answer,
        client: AsyncWebClient,
        user: UserRef,
        respond: Respond | None,
        channel: str | None = None,
        replace: bool = False,
    ) -> None:
        """Show an answer privately: through response_url, else as an ephemeral message
        (`replace`: in place of the message whose button asked for it)."""
        if answer.coach is not None:
            opened = await self.open_coach(client, user, answer.coach)
            answer = Answer(
                say("chat.coach_opened" if opened else "chat.coach_dm_failed", platform=PLATFORM)
            )
        text = blocks.fallback_text(answer)
        layout = blocks.answer_blocks(answer, self.cmd)
        if respond is not None:
            await respond(
                text=text, blocks=layout, response_type="ephemeral", replace_original=replace
            )
        elif channel:
            await client.chat_postEphemeral(
                channel=channel, user=user.user_id, text=text, blocks=layout, link_names=False
            )
        else:  # from App Home: the DM is the private place
            dm = await self.dm_channel(client, user.user_id)
            if dm:
                await client.chat_postMessage(
                    channel=dm, text=text, blocks=layout, link_names=False, unfurl_links=False
                )

    async def busy(self, respond: Respond | None) -> None:
        """Too much acknowledged work already: say so at once (nothing was done)."""
        metrics().error("busy")
        if respond is not None:
            with contextlib.suppress(Exception):
                await respond(
                    response_type="ephemeral", replace_original=False, text=say("chat.busy")
                )

    async def failed(self, respond: Respond | None, exc: BaseException) -> None:
        """Something broke in the core: say so kindly (the details go to the log, not Slack)."""
        metrics().failed(exc)
        log.exception("request failed", exc_info=exc)
        if respond is not None:
            try:
                await respond(
                    response_type="ephemeral", replace_original=False, text=say("chat.try_again")
                )
            except Exception:  # the user can't be told; the log has it
                log.exception("couldn't report the failure")

    async def home_sections(
        self, client: AsyncWebClient, user: UserRef
    ) -> tuple[list[str], tuple[Action, ...]]:
        """App Home's words: intro, ledger, reminders of endorsements to return, settings."""
        sections = [say("chat.home_intro", cmd=self.cmd), await ledger_text(self.rapport, user)]
        view = await self.rapport.ledger.view(user)
        actions: list[Action] = [
            Action("rapport:coach-dm", say("chat.buttons.coach"), "coach", "primary")
        ]
        if view.unreciprocated:
            people = list(dict.fromkeys(e.other.display for e in view.unreciprocated))
            sections.append(say("chat.home_reminders", names=", ".join(people), first=people[0]))
            actions += [
                Action(f"rapport:thank:{n}", say("chat.buttons.thank", name=name), f"thank {name}")
                for n, name in enumerate(people[:5])
            ]
        if await self.is_admin(client, user):
            from bot.service.workspace import summary

            config = await self.rapport.workspaces.load(user.platform, user.workspace)
            sections.append(say("chat.home_admin", summary=summary(config), cmd=self.cmd))
        return sections, tuple(actions)


def build_app(rapport: Rapport, settings: SlackSettings) -> AsyncApp:
    """The Bolt app with every rapport listener registered."""
    slack = SlackAdapter(rapport, settings)
    client = AsyncWebClient(
        token=settings.bot_token, base_url=_api_base(settings.api_url), session=slack.http()
    )
    app = AsyncApp(client=client, signing_secret=settings.signing_secret, name="rapport")
    app_any: Any = app

    @app.middleware
    async def tag_request(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        """A request id for the log lines of this request and of the work after its ack, and
        a count by kind (HTTP mode and Socket Mode alike)."""
        kind = "command" if body.get("command") else str(body.get("type") or "other")
        new_request_id("slack-", str(body.get("event_id") or "") or None)
        metrics().request(PLATFORM, kind)
        await next()

    # -- /rapport ------------------------------------------------------------------------------
    @app.command(settings.command)
    async def slash(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, request: AsyncBoltRequest
    ) -> None:
        """Acknowledged means kept: a command that changes what rapport keeps is written to
        the job queue before its ack (or answered "try again" in the ack when it can't be);
        anything else is acknowledged at once.  A replay of a signed request runs nothing."""
        if slack.full():
            metrics().error("busy")
            await ack(text=say("chat.busy"))
            return
        user = UserRef(PLATFORM, _team(command), str(command["user_id"]))
        respond = slack.responder(command.get("response_url"))
        delivery = slash_delivery(command, request)
        if not changes_state(str(command.get("text") or "")):
            await ack()
            async with slack.working():
                if await slack.first(delivery):
                    await _slash(command, respond, client, user)
            return
        kept = {k: command[k] for k in _JOB_FIELDS if command.get(k) is not None}
        try:
            job = await rapport.store.enqueue(
                PLATFORM, delivery, json.dumps(kept), time.time(), DELIVERY_KEEP_SECONDS
            )
        except Exception as exc:
            metrics().failed(exc)
            log.exception("couldn't keep a command before its ack")
            await ack(text=say("chat.try_again"))
            return
        await ack()
        if job is None:
            return  # a replay: the first one is done, or kept and being done
        slack.hold(job)
        async with slack.working():
            await _slash(command, respond, client, user)
            await slack.finish(job)

    async def run_job(job: Job) -> None:
        """A command acknowledged by a process that died: carried out and answered now
        (through its response_url, valid for 30 minutes after the command)."""
        command = json.loads(job.payload)
        user = UserRef(PLATFORM, _team(command), str(command["user_id"]))
        await _slash(command, slack.responder(command.get("response_url")), client, user)
        await slack.finish(job.id)

    slack.run_job = run_job

    async def _slash(
        command: dict[str, Any], respond: Respond | None, client: AsyncWebClient, user: UserRef
    ) -> None:
        try:
            raw = str(command.get("text") or "")
            text, mentions = await slack.command_text(client, user.workspace, raw)
            answer = await run_chat_command(
                rapport, user, text, cmd=str(command.get("command") or settings.command),
                is_admin=lambda: slack.is_admin(client, user), mentions=mentions,
            )  # fmt: skip
            await slack.deliver(answer, client, user, respond)
        except Exception as exc:
            await slack.failed(respond, exc)

    # -- buttons ---------------------------------------------------------------------------------
    @app.action(_BUTTONS)
    async def button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
    ) -> None:
        """A click runs the command it carries.  One that changes what rapport keeps (the
        *forget* confirmation) is carried out before its ack, so an acknowledged click is a
        stored change; a write still running after COMMIT_WAIT seconds is acknowledged anyway
        (Slack wants the ack within 3 s) and answered when it ends."""
        user = UserRef(PLATFORM, _team(body), str(body["user"]["id"]))
        respond = slack.responder(body.get("response_url"))
        command = _button_command(body, action)
        if command is not None and changes_state(command):
            async with slack.working():
                work = asyncio.ensure_future(_button_answer(command, client, user))
                await asyncio.wait({work}, timeout=COMMIT_WAIT)
                await ack()
                await _button_reply(work, body, respond, client, user)
            return
        await ack()
        if slack.full():
            await slack.busy(respond)
            return
        async with slack.working():
            work = asyncio.ensure_future(_button_answer(command, client, user))
            await _button_reply(work, body, respond, client, user)

    def _button_command(body: dict[str, Any], action: dict[str, Any]) -> str | None:
        value = str(action.get("value") or "")
        if value.startswith("m:"):  # a modal's button whose draft rides in the modal
            metadata = str((body.get("view") or {}).get("private_metadata") or "")
            return blocks.carried_command(value[2:], metadata)
        return blocks.unpack(value)

    async def _button_answer(command: str | None, client: AsyncWebClient, user: UserRef) -> Answer:
        if command is None:
            return Answer(say("chat.expired_button", cmd=settings.command), ok=False)
        return await run_chat_command(rapport, user, command, cmd=settings.command,
                                      is_admin=lambda: slack.is_admin(client, user))  # fmt: skip

    async def _button_reply(
        work: asyncio.Future[Answer],
        body: dict[str, Any],
        respond: Respond | None,
        client: AsyncWebClient,
        user: UserRef,
    ) -> None:
        try:
            answer = await work
            container = body.get("container") or {}
            if (
                container.get("type") == "view"
                and body.get("view", {}).get("type") == "modal"
                and answer.coach is None
            ):
                view = body["view"]
                await client.views_update(
                    view_id=view["id"],
                    hash=view.get("hash"),
                    view=blocks.result_view(
                        answer, settings.command, view.get("private_metadata") or None
                    ),
                )
                return
            await slack.deliver(answer, client, user, respond,
                                channel=(body.get("channel") or {}).get("id"),
                                replace=answer.replaces)  # fmt: skip
        except Exception as exc:
            await slack.failed(respond, exc)

    @app.action(_COACH_CHOICE)
    async def coach_choice(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = UserRef(PLATFORM, _team(body), str(body["user"]["id"]))
        channel = (body.get("channel") or {}).get("id") or await slack.dm_channel(
            client, user.user_id
        )
        if not channel:
            return
        async with slack.working():
            await slack.turn(client, SessionKey(user, channel), str(action.get("value") or ""))

    # -- shortcuts and the modal -----------------------------------------------------------------
    @app.shortcut("rapport:check-message")
    async def check_message(
        ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = UserRef(PLATFORM, _team(shortcut), str(shortcut["user"]["id"]))
        respond = slack.responder(shortcut.get("response_url"))
        if slack.full():
            await slack.busy(respond)
            return
        async with slack.working():
            await _check_message(shortcut, respond, client, user)

    async def _check_message(
        shortcut: dict[str, Any], respond: Respond | None, client: AsyncWebClient, user: UserRef
    ) -> None:
        try:
            text = readable(str((shortcut.get("message") or {}).get("text") or ""))
            answer = await check_draft(rapport, user, text, cmd=settings.command, record=False)
            await slack.deliver(answer, client, user, respond,
                                channel=(shortcut.get("channel") or {}).get("id"))  # fmt: skip
        except Exception as exc:
            await slack.failed(respond, exc)

    @app.shortcut("rapport:check-draft")
    async def open_modal(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=shortcut["trigger_id"], view=blocks.modal_view())

    @app.view(blocks.MODAL_ID)
    async def submit_modal(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view.get("state", {}).get("values", {})
        draft = str(
            values.get(blocks.DRAFT_BLOCK, {}).get(blocks.DRAFT_INPUT, {}).get("value") or ""
        )
        picked = (
            values.get(blocks.RECIPIENT_BLOCK, {})
            .get(blocks.RECIPIENT_INPUT, {})
            .get("selected_user")
        )
        if not draft.strip() or slack.full():
            words = say("chat.modal.empty") if not draft.strip() else say("chat.busy")
            await ack(response_action="errors", errors={blocks.DRAFT_BLOCK: words})
            return
        user = UserRef(PLATFORM, _team(body), str(body["user"]["id"]))
        text = readable(draft)

        async def check() -> tuple[Answer, str | None]:
            recipient = None
            if picked:  # looked up inside the job: a slow users.info can't delay the ack
                recipient = with_mentions(
                    await slack.name_mentions(client, user.workspace, f"<@{picked}>")
                )
            answer = await check_draft(
                rapport, user, text, cmd=settings.command, recipient=recipient
            )
            return answer, blocks.carry(text, recipient)

        job = asyncio.ensure_future(check())
        done, _ = await asyncio.wait({job}, timeout=MODAL_WAIT_SECONDS)
        if not done:  # a slow moment: answer Slack in time, show the result when it's ready
            await ack(response_action="update", view=blocks.result_view(None))
            view_id = view.get("id")
            async with slack.working():
                try:
                    answer, metadata = await job
                except Exception as exc:
                    metrics().failed(exc)
                    log.exception("modal check failed")
                    answer, metadata = Answer(say("chat.try_again"), ok=False), None
                if view_id:
                    await client.views_update(
                        view_id=view_id, view=blocks.result_view(answer, settings.command, metadata)
                    )
            return
        try:
            answer, metadata = job.result()
        except Exception as exc:
            metrics().failed(exc)
            log.exception("modal check failed")
            answer, metadata = Answer(say("chat.try_again"), ok=False), None
        await ack(
            response_action="update", view=blocks.result_view(answer, settings.command, metadata)
        )

    # -- DMs and App Home ----------------------------------------------------------------------
    @app.event({"type": "message", "channel_type": "im"})
    async def direct_message(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return  # other bots, edits, joins: only what a person types is a turn
        user = UserRef(PLATFORM, _team(body), str(event["user"]))
        channel = str(event["channel"])
        if slack.full():
            await slack.post_reply(client, channel, Reply(say("chat.busy")))
            return
        async with slack.working():  # bounded, and waited for on shutdown
            # Slack retries an event it thinks went unanswered: each event id is handled once,
            # told after the ack (Bolt acks events before their listener), never before it.
            if not await slack.first(str(body.get("event_id") or "")):
                return
            try:
                raw = str(event.get("text") or "")
                if "<@" in raw:  # "<@U3>" reads as the person's name, as in slash commands
                    raw = await slack.name_mentions(client, user.workspace, raw)
                reply = await rapport.talk(SessionKey(user, channel), readable(raw))
            except Exception as exc:
                metrics().failed(exc)
                log.exception("coach turn failed")
                reply = Reply(say("chat.try_again"))
            await slack.post_reply(client, channel, reply)

    @app.event("message")
    async def other_message(event: dict[str, Any]) -> None:
        """Messages elsewhere (and edits) are not for rapport; acknowledged and dropped."""

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = UserRef(PLATFORM, _team(body), str(event["user"]))
        async with slack.working():
            try:
                sections, actions = await slack.home_sections(client, user)
            except Exception as exc:
                metrics().failed(exc)
                log.exception("app home failed")
                sections, actions = [say("chat.try_again")], ()
            await client.views_publish(
                user_id=user.user_id, view=blocks.home_view(sections, actions)
            )

    app_any._rapport_adapter = slack
    return app


def adapter_of(app: AsyncApp) -> SlackAdapter:
    """The adapter behind an app built here (to drain in-flight work and close its session)."""
    adapter: SlackAdapter = getattr(app, "_rapport_adapter")  # noqa: B009
    return adapter
