"""A fake Slack on 127.0.0.1 for driving rapport's real slack-bolt app, in tests and benches.

It answers the Web API (`/api/<method>`), response_url posts (`/hooks/<id>`) and Socket Mode's
websocket (`/link`), records every call, and refuses what Slack refuses, answering as Slack
does (HTTP 200, `{"ok": false, "error": …}`): a missing or unknown token (`not_authed`,
`invalid_auth`), a token of the wrong kind (`not_allowed_token_type`), a channel the bot isn't
in (`channel_not_found`), a message with no text (`no_text`) or too much (`msg_too_long`),
blocks that break Block Kit's limits (`invalid_blocks`, see `blockkit`), a bad view
(`invalid_arguments`).  A response_url refuses bad blocks with HTTP 400 and works five times.

Tokens: only those passed in `tokens` are valid (none by default, as a workspace knows only the
tokens it issued); each must also be shaped like a bot (`xoxb-`) or app-level (`xapp-`) token.  Channels: the bot is in `channels` (default "C1")
and in every DM, whose ids the fake derives from the user's (`U1` ↔ `D1`, as `dm_of`).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
from aiohttp import web

from tests.fakes.blockkit import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT,
    block_problems,
    parse_blocks,
    refusal,
    view_problems,
)

BOT_USER = "UBOT"
TEAM = "T1"
HOOK_USES = 5  # a response_url takes five posts (within 30 minutes)
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_BOT_TOKEN = re.compile(r"^xox[bp]-[A-Za-z0-9-]+$")
_APP_TOKEN = re.compile(r"^xapp-[A-Za-z0-9-]+$")


def dm_of(user: str) -> str:
    """The id of the bot's DM with `user` (U1 → D1), as the fake's conversations.open gives."""
    return "D" + user[1:]


@dataclass
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage", or "hook:<id>" for response_url posts
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() on arrival (CLOCK_MONOTONIC: comparable across processes)
    error: str | None = None  # the error the fake answered with, None if it accepted the call


@dataclass
class FakeSlack:
    """The Web API, response_url hooks and a Socket Mode websocket, recording everything."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)  # the tokens this workspace issued
    channels: set[str] = field(default_factory=lambda: {"C1"})  # besides DMs
    calls: list[Call] = field(default_factory=list)
    socket_envelopes: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # what Slack refused
    delays: dict[str, float] = field(default_factory=dict)  # seconds before answering a method
    on_call: Callable[[Call], None] | None = None  # told of each call once it is answered
    url: str = ""

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._hook_ids = 0
        self._hook_uses: dict[str, int] = {}

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{hook}", self._hook)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def hook_url(self) -> str:
        """A fresh response_url (`…/hooks/h<n>`)."""
        self._hook_ids += 1
        return f"{self.url}/hooks/h{self._hook_ids}"

    @property
    def hooks_issued(self) -> int:
        """How many response_urls `hook_url` has handed out (the next is `h<this + 1>`)."""
        return self._hook_ids

    # -- recording ------------------------------------------------------------------------------
    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _answered(self, call: Call, error: str | None, problems: list[str]) -> None:
        call.error = error
        if error is not None:
            self.rejected.append((call.method, [error, *problems]))
        if self.on_call is not None:
            self.on_call(call)

    def of(self, method: str) -> list[dict[str, Any]]:
        """Bodies of the calls to `method` so far (refused ones too)."""
        return [c.body for c in self.calls if c.method == method]

    def hooks(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.method.startswith("hook:")]

    async def wait_for(
        self, method: str, n: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until `method` was called `n` times ("hook" for any response_url post)."""

        def enough() -> bool:
            return len(self.hooks() if method == "hook" else self.of(method)) >= n

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), timeout)
        return self.hooks() if method == "hook" else self.of(method)

    def everything_sent(self) -> str:
        """Every body rapport sent to Slack, as one string (for "pings no one" checks)."""
        return "\n".join(json.dumps(c.body) for c in self.calls)

    # -- the Web API -----------------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                body.update(json.loads(raw))
            else:
                body.update(dict(urllib.parse.parse_qsl(raw.decode())))
        return body

    async def _api(self, request: web.Request) -> web.Response:
        call = Call(request.match_info["method"], {}, dict(request.headers), time.monotonic())
        call.body = await self._body(request)
        await self._record(call)
        deadline = time.monotonic() + self.delays.get(call.method, 0.0)
        while self.delays.get(call.method) and time.monotonic() < deadline:  # cleared: answer now
            await asyncio.sleep(0.02)
        answer = self.answer(call)
        problems = answer.get("errors", [])
        self._answered(call, None if answer["ok"] else answer["error"], problems)
        return web.json_response(answer)

    def token_error(self, call: Call) -> str | None:
        """Why Slack would refuse the call's token (None if it wouldn't)."""
        auth = call.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else str(call.body.get("token", ""))
        if not token:
            return "not_authed"
        app_level = bool(_APP_TOKEN.match(token))
        if not (app_level or _BOT_TOKEN.match(token)):
            return "invalid_auth"
        if token not in self.tokens:
            return "invalid_auth"
        if app_level != (call.method == "apps.connections.open"):
            return "not_allowed_token_type"  # app-level tokens open sockets, and nothing else
        return None

    def answer(self, call: Call) -> dict[str, Any]:
        """Slack's answer to a Web API call: `{"ok": true, …}` or its refusal."""
        method, body = call.method, call.body
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        error = self.token_error(call)
        if error is not None:
            return {"ok": False, "error": error}
        return handler(self, body)

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": TEAM,
                "team": "Acme", "user": "rapport"}  # fmt: skip

    def _users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        uid = str(body.get("user", ""))
        if uid not in self.users and not _USER_ID.match(uid):
            return {"ok": False, "error": "user_not_found"}
        unlisted = {"id": uid, "name": uid.lower(), "profile": {}}  # anyone shaped like a user
        return {"ok": True, "user": self.users.get(uid, unlisted)}

    def _conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(body.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if not all(u in self.users or _USER_ID.match(u) for u in users):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_of(users[0])}}

    def _apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.url.replace("http", "ws") + "/link"}

    def knows_channel(self, channel: str) -> bool:
        """Whether the bot can post in `channel`: one of `channels`, or a DM."""
        return channel in self.channels or (channel.startswith("D") and len(channel) > 1)

    def _message(self, body: dict[str, Any], ephemeral: bool) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if not self.knows_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        if ephemeral and not _USER_ID.match(str(body.get("user", ""))):
            return {"ok": False, "error": "user_not_found"}
        refused = message_refusal(body)
        if refused is not None:
            return refused
        reply: dict[str, Any] = {"ok": True, "channel": channel}
        if ephemeral:
            reply["message_ts"] = f"{time.time():.6f}"
        else:
            reply["ts"] = f"{time.time():.6f}"
        return reply

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._message(body, ephemeral=False)

    def _post_ephemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._message(body, ephemeral=True)

    def _view(self, body: dict[str, Any], needs: str, home: bool = False) -> dict[str, Any]:
        if needs and not body.get(needs) and not (needs == "view_id" and body.get("external_id")):
            return refusal("invalid_arguments", [f"missing required field: {needs}"])
        problems = view_problems(body.get("view"))
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view) if not problems else {}
        if not problems and (view.get("type") == "home") != home:
            problems = ["must be " + ("home" if home else "modal") + " [json-pointer:/view/type]"]
        if problems:
            return refusal("invalid_arguments", problems)
        return {"ok": True, "view": {"id": body.get("view_id") or "V1", **view}}

    def _views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._view(body, "trigger_id")

    def _views_push(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._view(body, "trigger_id")

    def _views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._view(body, "view_id")

    def _views_publish(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._view(body, "user_id", home=True)

    _methods: ClassVar[dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]]] = {
        "auth.test": _auth_test,
        "users.info": _users_info,
        "conversations.open": _conversations_open,
        "apps.connections.open": _apps_connections_open,
        "chat.postMessage": _post_message,
        "chat.postEphemeral": _post_ephemeral,
        "views.open": _views_open,
        "views.push": _views_push,
        "views.update": _views_update,
        "views.publish": _views_publish,
    }

    # -- response_url ---------------------------------------------------------------------------
    async def _hook(self, request: web.Request) -> web.Response:
        hook = request.match_info["hook"]
        call = Call("hook:" + hook, {}, dict(request.headers), time.monotonic())
        call.body = await self._body(request)
        await self._record(call)
        uses = self._hook_uses[hook] = self._hook_uses.get(hook, 0) + 1
        if uses > HOOK_USES:
            self._answered(call, "used_url", [])
            return web.Response(status=404, text="used_url")
        refused = message_refusal(call.body)
        if refused is not None:
            self._answered(call, refused["error"], refused.get("errors", []))
            return web.Response(status=400, text=refused["error"])
        self._answered(call, None, [])
        return web.Response(text="ok")

    # -- Socket Mode ----------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.socket_envelopes:
            await ws.send_json(envelope)
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                async with self._changed:
                    self.socket_acks.append(json.loads(message.data))
                    self._changed.notify_all()
        return ws

    async def wait_for_socket_acks(self, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.socket_acks) >= n), timeout
            )
        return self.socket_acks


def message_refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """Slack's refusal of a message's content (text and blocks), or None if it is fine."""
    blocks = body.get("blocks")
    if blocks:
        try:
            blocks = parse_blocks(blocks)
        except ValueError:
            return refusal("invalid_blocks_format", [])
    text = body.get("text")
    if not blocks and not text and not body.get("attachments"):
        return refusal("no_text", [])
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return refusal("msg_too_long", [])
    problems = block_problems(blocks or [], MESSAGE_BLOCKS)
    return refusal("invalid_blocks", problems) if problems else None
