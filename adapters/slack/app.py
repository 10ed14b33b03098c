"""rapport's Slack app on slack-bolt: listeners that ack at once, call the core, render.

No etiquette here: `rapport.bot.service.chat` runs `/rapport …`, the coach runs DMs, and `blocks` lays the
answers out.  `SlackAdapter`'s methods are the listeners, registered on its Bolt app in one
place (`_listen`); each translates Slack's payload into a core call (who, which workspace,
which channel) and the core's answer into Web API calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from rapport.adapters.common.failures import told_on_failure, try_again
from rapport.adapters.common.inflight import InFlight, ack_after
from rapport.adapters.slack import blocks
from rapport.adapters.slack.delivery import Delivery, Respond
from rapport.adapters.slack.directory import Directory
from rapport.adapters.slack.jobs import JOB_LEASE_SECONDS, Jobs
from rapport.adapters.slack.markup import mention_ids, readable, with_mentions
from rapport.bot.coach.replies import Reply
from rapport.bot.metrics import metrics
from rapport.bot.service.chat import Answer, changes_state, check_draft, run_chat_command
from rapport.bot.service.home import home_page
from rapport.bot.service.logs import new_request_id
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.verbs import BUTTON_IDS, names_people
from rapport.bot.storage.base import Job, SessionKey, UserRef
from rapport.bot.wording import say

__all__ = ["SlackAdapter", "SlackSettings", "adapter_of", "build_app"]

log = logging.getLogger("rapport.slack")

PLATFORM = "slack"
#: Seconds a click's state change may take before its ack (Slack wants one within 3 s).
COMMIT_WAIT = 2.0
#: The slash command fields a job keeps (not Slack's legacy verification `token`).
_JOB_FIELDS = (
    "command", "text", "user_id", "team_id", "enterprise_id", "channel_id", "response_url",
)  # fmt: skip
#: A modal submission waits this long for the check before showing "checking…" instead.
MODAL_WAIT_SECONDS = 2.0
_COACH_CHOICE = re.compile(r"^rapport:coach:")
#: The message shortcut ("Check etiquette") and the global one (the long-draft box), as the
#: app's manifest names them.
CHECK_MESSAGE_SHORTCUT = "rapport:check-message"
CHECK_DRAFT_SHORTCUT = "rapport:check-draft"
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


def _user(body: dict[str, Any]) -> UserRef:
    """The person behind a click, shortcut or submission."""
    return UserRef(PLATFORM, _team(body), str(body["user"]["id"]))


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
    """The listeners of rapport's Slack app, and what they share: the core, the bounded work
    after acks, the job queue, Slack's answers about people, one HTTP session."""

    def __init__(self, rapport: Rapport, settings: SlackSettings) -> None:
        self.rapport = rapport
        self.settings = settings
        self.cmd = settings.command
        self.work = InFlight(max(MAX_IN_FLIGHT, rapport.workers.in_flight), MAX_QUEUED)
        self.jobs = Jobs(rapport.store, self.work, self.run_job)
        self.people = Directory()
        self.session = aiohttp.ClientSession()  # one connection pool for every call to Slack
        self.client = AsyncWebClient(
            token=settings.bot_token, base_url=_api_base(settings.api_url), session=self.session
        )
        self.out = Delivery(rapport, self.people, self.session, self.cmd)
        self.app = AsyncApp(client=self.client, signing_secret=settings.signing_secret,
                            name="rapport")  # fmt: skip
        self._listen(self.app)

    def _listen(self, app: AsyncApp) -> None:
        """Every listener, in one place."""
        app.middleware(self.tag_request)
        app.command(self.cmd)(self.slash)
        app.action(BUTTON_IDS)(self.button)
        app.action(_COACH_CHOICE)(self.coach_choice)
        app.shortcut(CHECK_MESSAGE_SHORTCUT)(self.check_message)
        app.shortcut(CHECK_DRAFT_SHORTCUT)(self.open_modal)
        app.view(blocks.MODAL_ID)(self.submit_modal)
        app.event({"type": "message", "channel_type": "im"})(self.direct_message)
        app.event("message")(self.other_message)
        app.event("app_home_opened")(self.home)

    # -- the adapter's life ----------------------------------------------------------------------
    def start_recovery(self, lease: float = JOB_LEASE_SECONDS) -> None:
        """Carry out jobs a dead process left, now and from time to time (see `Jobs`)."""
        self.jobs.start_recovery(lease)

    async def recover(self, lease: float = JOB_LEASE_SECONDS) -> int:
        """Take and start the jobs no process has renewed for `lease` seconds; how many."""
        return await self.jobs.recover(lease)

    async def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) for work already acked to finish; True if it did."""
        return await self.work.drain(timeout)

    async def close(self) -> None:
        """Stop the job queue's background work and close the HTTP session."""
        await self.jobs.close()
        await self.session.close()

    # -- every request -----------------------------------------------------------------------------
    async def tag_request(self, body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        """A request id for the log lines of this request and of the work after its ack, and
        a count by kind (HTTP mode and Socket Mode alike)."""
        kind = "command" if body.get("command") else str(body.get("type") or "other")
        new_request_id("slack-", str(body.get("event_id") or "") or None)
        metrics().request(PLATFORM, kind)
        await next()

    # -- /rapport ----------------------------------------------------------------------------------
    async def slash(
        self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient,
        request: AsyncBoltRequest,
    ) -> None:  # fmt: skip
        """Acknowledged means kept: a command that changes what rapport keeps is written to
        the job queue before its ack (or answered "try again" in the ack when it can't be);
        anything else is acknowledged at once.  A replay of a signed request runs nothing."""
        if (busy := self.work.refusal()) is not None:
            await ack(text=busy)
            return
        user = UserRef(PLATFORM, _team(command), str(command["user_id"]))
        respond = self.out.responder(command.get("response_url"))
        delivery = slash_delivery(command, request)
        if not changes_state(str(command.get("text") or "")):
            await ack()
            async with self.work.working():
                if await self.jobs.first(delivery):
                    await self.answer_command(command, respond, client, user)
            return
        kept = {k: command[k] for k in _JOB_FIELDS if command.get(k) is not None}
        try:
            job = await self.jobs.keep(delivery, json.dumps(kept))
        except Exception as exc:
            await ack(text=try_again(log, "couldn't keep a command before its ack", exc))
            return
        await ack()
        if job is None:
            return  # a replay: the first one is done, or kept and being done
        self.jobs.hold(job)
        async with self.work.working():
            await self.answer_command(command, respond, client, user)
            await self.jobs.finish(job)

    async def run_job(self, job: Job) -> None:
        """A command acknowledged by a process that died: carried out and answered now
        (through its response_url, valid for 30 minutes after the command)."""
        command = json.loads(job.payload)
        user = UserRef(PLATFORM, _team(command), str(command["user_id"]))
        respond = self.out.responder(command.get("response_url"))
        await self.answer_command(command, respond, self.client, user)
        await self.jobs.finish(job.id)

    async def answer_command(
        self, command: dict[str, Any], respond: Respond | None, client: AsyncWebClient,
        user: UserRef,
    ) -> None:  # fmt: skip
        """Run `/rapport <text>` in the core and show the answer."""
        async with told_on_failure(self.out.ephemeral(respond), log, "request failed"):
            text, mentions = await self.command_text(client, user.workspace,
                                                     str(command.get("text") or ""))  # fmt: skip
            answer = await run_chat_command(
                self.rapport, user, text, cmd=str(command.get("command") or self.cmd),
                is_admin=lambda: self.people.is_admin(client, user), mentions=mentions,
            )  # fmt: skip
            await self.out.deliver(answer, client, user, respond)

    async def command_text(
        self, client: AsyncWebClient, team: str, text: str
    ) -> tuple[str, dict[str, str]]:
        """A slash command's text as the core reads it, and its user mentions by id: mentions
        stay `<@U…|name>` in commands that name people (keyed by id); drafts read as written."""
        if "<@" in text:
            text = await self.people.name_mentions(client, team, text)
        if names_people(text):
            return with_mentions(text), {}
        return readable(text), mention_ids(text)

    # -- buttons -----------------------------------------------------------------------------------
    async def button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A click runs the command it carries.  One that changes what rapport keeps (the
        *forget* confirmation) is carried out before its ack, so an acknowledged click is a
        stored change; a write still running after COMMIT_WAIT seconds is acknowledged anyway
        (Slack wants the ack within 3 s) and answered when it ends."""
        user = _user(body)
        respond = self.out.responder(body.get("response_url"))
        command = blocks.button_command(body, action)
        if command is not None and changes_state(command):
            async with self.work.working():
                work = await ack_after(self.button_answer(command, client, user), ack, COMMIT_WAIT)
                await self.show_button_answer(work, body, respond, client, user)
            return
        await ack()
        if (busy := self.work.refusal()) is not None:
            await self.out.tell_quietly(respond, busy)
            return
        async with self.work.working():
            await self.show_button_answer(
                self.button_answer(command, client, user), body, respond, client, user
            )

    async def button_answer(
        self, command: str | None, client: AsyncWebClient, user: UserRef
    ) -> Answer:
        """The core's answer to a click (a damaged button says so)."""
        if command is None:
            return Answer(say("chat.expired_button", cmd=self.cmd), ok=False)
        return await run_chat_command(self.rapport, user, command, cmd=self.cmd,
                                      is_admin=lambda: self.people.is_admin(client, user))  # fmt: skip

    async def show_button_answer(
        self, work: Awaitable[Answer], body: dict[str, Any], respond: Respond | None,
        client: AsyncWebClient, user: UserRef,
    ) -> None:  # fmt: skip
        """A click's answer: in the modal it came from, else privately where it was clicked."""
        async with told_on_failure(self.out.ephemeral(respond), log, "request failed"):
            answer = await work
            view = body.get("view") or {}
            in_modal = (body.get("container") or {}).get("type") == "view"
            if in_modal and view.get("type") == "modal" and answer.coach is None:
                shown = blocks.result_view(answer, self.cmd, view.get("private_metadata") or None)
                await client.views_update(view_id=view["id"], hash=view.get("hash"), view=shown)
                return
            await self.out.deliver(answer, client, user, respond,
                                   channel=(body.get("channel") or {}).get("id"),
                                   replace=answer.replaces)  # fmt: skip

    async def coach_choice(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A choice on a coach turn's message: the user's answer to it."""
        await ack()
        user = _user(body)
        channel = (body.get("channel") or {}).get("id") or await self.people.dm_channel(
            client, user.user_id
        )
        if not channel:
            return
        async with self.work.working():
            await self.turn(client, SessionKey(user, channel), str(action.get("value") or ""))

    # -- shortcuts and the modal -------------------------------------------------------------------
    async def check_message(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """ "Check etiquette" on someone's message: checked, not recorded as the user's own."""
        await ack()
        user = _user(shortcut)
        respond = self.out.responder(shortcut.get("response_url"))
        if (busy := self.work.refusal()) is not None:
            await self.out.tell_quietly(respond, busy)
            return
        async with (
            self.work.working(),
            told_on_failure(self.out.ephemeral(respond), log, "request failed"),
        ):
            text = readable(str((shortcut.get("message") or {}).get("text") or ""))
            answer = await check_draft(self.rapport, user, text, cmd=self.cmd, record=False)
            await self.out.deliver(answer, client, user, respond,
                                   channel=(shortcut.get("channel") or {}).get("id"))  # fmt: skip

    async def open_modal(
        self, ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """The long-draft box."""
        await ack()
        await client.views_open(trigger_id=shortcut["trigger_id"], view=blocks.modal_view())

    async def submit_modal(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A draft from the modal: its result shown in the modal (at once when the check is
        quick, else "checking…" first and the result when it is ready)."""
        draft, picked = blocks.submitted(view)
        if not draft.strip():
            await ack(
                response_action="errors", errors={blocks.DRAFT_BLOCK: say("chat.modal.empty")}
            )
            return
        if (busy := self.work.refusal()) is not None:
            await ack(response_action="errors", errors={blocks.DRAFT_BLOCK: busy})
            return
        job = asyncio.ensure_future(self.check_modal(client, _user(body), readable(draft), picked))
        done, _ = await asyncio.wait({job}, timeout=MODAL_WAIT_SECONDS)
        if done:
            await ack(response_action="update", view=await self.modal_result(job))
            return
        # a slow moment: answer Slack in time, show the result when it's ready
        await ack(response_action="update", view=blocks.result_view(None))
        async with self.work.working():
            result = await self.modal_result(job)
            if view.get("id"):
                await client.views_update(view_id=view["id"], view=result)

    async def check_modal(
        self, client: AsyncWebClient, user: UserRef, text: str, picked: str | None
    ) -> tuple[Answer, str | None]:
        """The modal's check, and the metadata that carries its draft for the buttons."""
        recipient = None
        if picked:  # looked up inside the job: a slow users.info can't delay the ack
            recipient = with_mentions(
                await self.people.name_mentions(client, user.workspace, f"<@{picked}>")
            )
        answer = await check_draft(self.rapport, user, text, cmd=self.cmd, recipient=recipient)
        return answer, blocks.carry(text, recipient)

    async def modal_result(self, job: Awaitable[tuple[Answer, str | None]]) -> dict[str, Any]:
        """The modal's result view (a failed check asks to try again)."""
        try:
            answer, metadata = await job
        except Exception as exc:
            answer, metadata = Answer(try_again(log, "modal check failed", exc), ok=False), None
        return blocks.result_view(answer, self.cmd, metadata)

    # -- DMs and App Home --------------------------------------------------------------------------
    async def direct_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A DM is a coaching turn."""
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return  # other bots, edits, joins: only what a person types is a turn
        user = UserRef(PLATFORM, _team(body), str(event["user"]))
        channel = str(event["channel"])
        if (busy := self.work.refusal()) is not None:
            await self.out.post_reply(client, channel, Reply(busy))
            return
        async with self.work.working():  # bounded, and waited for on shutdown
            # Slack retries an event it thinks went unanswered: each event id is handled once,
            # told after the ack (Bolt acks events before their listener), never before it.
            if not await self.jobs.first(str(body.get("event_id") or "")):
                return
            await self.turn(client, SessionKey(user, channel), str(event.get("text") or ""),
                            typed=True)  # fmt: skip

    async def turn(
        self, client: AsyncWebClient, key: SessionKey, text: str, typed: bool = False
    ) -> None:
        """One coaching turn in the DM, answered there (a failure is a kind word, not silence).
        `typed`: Slack's markup, read as the person wrote it ("<@U3>" as their name)."""
        try:
            if typed and "<@" in text:
                text = await self.people.name_mentions(client, key.user.workspace, text)
            reply = await self.rapport.talk(key, readable(text) if typed else text)
        except Exception as exc:
            reply = Reply(try_again(log, "coaching turn failed", exc))
        await self.out.post_reply(client, key.channel, reply)

    async def other_message(self, event: dict[str, Any]) -> None:
        """Messages elsewhere (and edits) are not for rapport; acknowledged and dropped."""

    async def home(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """App Home: intro, ledger, reminders, settings (published as the user opens it)."""
        if event.get("tab", "home") != "home":
            return
        user = UserRef(PLATFORM, _team(body), str(event["user"]))
        async with self.work.working():
            try:
                sections, actions = await home_page(
                    self.rapport, user, self.cmd, lambda: self.people.is_admin(client, user)
                )
            except Exception as exc:
                sections, actions = [try_again(log, "app home failed", exc)], ()
            await client.views_publish(
                user_id=user.user_id, view=blocks.home_view(sections, actions)
            )


#: The adapter behind each app built here, for `adapter_of` (weakly: an app and its adapter
#: go together once nothing else holds the app).
_ADAPTERS: weakref.WeakKeyDictionary[AsyncApp, weakref.ref[SlackAdapter]] = (
    weakref.WeakKeyDictionary()
)


def build_app(rapport: Rapport, settings: SlackSettings) -> AsyncApp:
    """The Bolt app with every rapport listener registered."""
    adapter = SlackAdapter(rapport, settings)
    _ADAPTERS[adapter.app] = weakref.ref(adapter)
    return adapter.app


def adapter_of(app: AsyncApp) -> SlackAdapter:
    """The adapter behind an app built here (to drain in-flight work and close its session)."""
    adapter = _ADAPTERS[app]()
    assert adapter is not None  # the app's listeners hold it
    return adapter
