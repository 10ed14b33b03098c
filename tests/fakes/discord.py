"""A fake Discord on 127.0.0.1 (REST and a minimal gateway) for driving real discord.py code,
in tests and benches.

It records every REST call and answers with the JSON discord.py needs (Content-Type exactly
`application/json`, the only one discord.py parses).  It refuses what Discord refuses, as
Discord does: a bot route without a valid `Bot` token (401), a message over Discord's limits
or with a bad `allowed_mentions` (400, code 50035, see `discord_limits`), an empty message
(400, 50006), an interaction answered twice (400, 40060), a followup to an interaction never
answered or of another application (404, 10015), a channel the bot can't see (404, 10003), an
unknown route (404; never 5xx, which discord.py retries).  The gateway speaks HELLO, IDENTIFY
and READY, closes with 4004 on a bad token, then sends `gateway_frames`.

Tokens: only the bot tokens named in `tokens` are valid (none by default).  Channels: the bot
sees `channels` (default: the one server channel), the DMs it opened, and every DM channel
`dm_of` makes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.discord_limits import (
    CALLBACK_TYPES,
    EMPTY_MESSAGE,
    Errors,
    add_error,
    invalid_form_body,
    is_empty,
    message_errors,
)
from tests.fakes.discord_payloads import (
    APP_ID,
    BOT_ID,
    CHANNEL,
    MANAGER,
    dm_of,
    is_dm,
    message,
    snowflake,
    user,
)

Answer = tuple[int, Any]  # (HTTP status, JSON body)
UNAUTHORIZED = {"message": "401: Unauthorized", "code": 0}
NOT_FOUND = {"message": "404: Not Found", "code": 0}
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}
UNKNOWN_WEBHOOK = {"message": "Unknown Webhook", "code": 10015}
ALREADY_ACKNOWLEDGED = {"message": "Interaction has already been acknowledged.", "code": 40060}
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
APPLICATION = {
    "id": APP_ID, "name": "rapport", "description": "", "icon": None, "bot_public": True,
    "bot_require_code_grant": False, "owner": user(MANAGER, "owner"), "verify_key": "k", "flags": 0,
}  # fmt: skip


def refused_field(path: tuple[str | int, ...], code: str, message: str) -> Answer:
    """A 400 "Invalid Form Body" naming one field."""
    errors: Errors = {}
    add_error(errors, path, code, message)
    return 400, invalid_form_body(errors)


def sent_message(body: dict[str, Any], channel: str = CHANNEL) -> dict[str, Any]:
    """The message object Discord answers a send with: the bot's, with the body's content."""
    return message(body.get("content") or "", user(BOT_ID, "rapport", bot=True),
                   channel=channel, embeds=body.get("embeds") or [])  # fmt: skip


@dataclass
class Call:
    """One REST request the fake received, and how it answered."""

    method: str
    path: str  # under /api/v10, e.g. "/channels/123/messages"
    body: Any
    at: float = 0.0  # time.monotonic() on arrival (CLOCK_MONOTONIC: comparable across processes)
    status: int = 0  # the HTTP status the fake answered with
    answer: Any = None  # the JSON it answered with


@dataclass
class FakeDiscord:
    """Discord's REST API (the parts rapport uses) and a gateway that speaks HELLO/READY."""

    tokens: set[str] = field(default_factory=set)  # the bot tokens Discord issued
    channels: set[str] = field(default_factory=lambda: {CHANNEL})  # besides DMs
    calls: list[Call] = field(default_factory=list)
    rejected: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, answer)
    on_call: Callable[[Call], None] | None = None  # told of each call once it is answered
    url: str = ""
    gateway_frames: list[dict[str, Any]] = field(default_factory=list)  # sent after READY
    identify: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._acknowledged: dict[str, str] = {}  # interaction token → its id

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @staticmethod
    def json(data: Any, status: int = 200) -> web.Response:
        """JSON with Content-Type exactly `application/json` (discord.py parses no other)."""
        return web.Response(
            status=status, body=json.dumps(data).encode(), content_type="application/json"
        )

    # -- REST --------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        call = Call(request.method, "/" + request.match_info["path"], None, time.monotonic())
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                call.body = json.loads(raw)
            elif request.content_type.startswith("multipart"):
                reader = await request.multipart()
                async for part in reader:
                    if isinstance(part, aiohttp.BodyPartReader) and part.name == "payload_json":
                        call.body = json.loads(await part.text())
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        call.status, call.answer = self.answer(call, request.headers.get("Authorization", ""))
        if call.status >= 400:
            self.rejected.append((call.method, call.path, call.answer))
        if self.on_call is not None:
            self.on_call(call)
        return self.json(call.answer, call.status)

    def token_ok(self, token: str) -> bool:
        return bool(token) and token in self.tokens

    def answer(self, call: Call, authorization: str) -> Answer:
        """Discord's answer to a REST call: (status, JSON)."""
        method, path, body = call.method, call.path, call.body
        if path.startswith("/interactions/") and path.endswith("/callback") and method == "POST":
            return self._callback(path, body)  # interaction routes carry their own token
        if path.startswith("/webhooks/"):
            return self._webhook(method, path, body)
        if not self.token_ok(authorization.removeprefix("Bot ").strip()):
            return 401, UNAUTHORIZED
        if path == "/users/@me" and method == "GET":
            return 200, user(BOT_ID, "rapport", bot=True)
        if path == "/oauth2/applications/@me" and method == "GET":
            return 200, APPLICATION
        if path == "/users/@me/channels" and method == "POST":
            return self._open_dm(body)
        parts = path.split("/")
        if (
            len(parts) == 4
            and parts[1] == "channels"
            and parts[3] == "messages"
            and method == "POST"
        ):
            return self._send(parts[2], body)
        if parts[1:2] == ["applications"] and parts[-1] == "commands" and method == "PUT":
            return self._sync(parts[2], body)
        return 404, NOT_FOUND

    def _callback(self, path: str, body: Any) -> Answer:
        _, _, iid, token, _ = path.split("/")
        kind = body.get("type") if isinstance(body, dict) else None
        if kind not in CALLBACK_TYPES:
            return refused_field(
                ("type",), "ENUM_TYPE_COERCE", f'Value "{kind}" is not a valid enum value.'
            )
        if token in self._acknowledged:
            return 400, ALREADY_ACKNOWLEDGED
        data = body.get("data") or {}
        errors = message_errors(data)
        if errors:
            return 400, invalid_form_body({"data": errors})
        if kind == 4 and is_empty(data):
            return 400, EMPTY_MESSAGE
        self._acknowledged[token] = iid
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 7):
            resource["message"] = sent_message(data)
        return 200, {"interaction": {"id": iid, "type": 2}, "resource": resource}

    def _webhook(self, method: str, path: str, body: Any) -> Answer:
        """Followups (POST /webhooks/{app}/{token}) and edits of an interaction's messages
        (PATCH /webhooks/{app}/{token}/messages/{id})."""
        parts = path.split("/")
        if len(parts) < 4 or parts[2] != APP_ID or parts[3] not in self._acknowledged:
            return 404, UNKNOWN_WEBHOOK
        if method not in ("POST", "PATCH") or (method == "PATCH") != (len(parts) == 6):
            return 404, NOT_FOUND
        errors = message_errors(body)
        if errors:
            return 400, invalid_form_body(errors)
        if method == "POST" and is_empty(body):
            return 400, EMPTY_MESSAGE
        return 200, sent_message(body or {})

    def _open_dm(self, body: Any) -> Answer:
        recipient = body.get("recipient_id") if isinstance(body, dict) else None
        if not recipient:
            return refused_field(("recipient_id",), "BASE_TYPE_REQUIRED", "This field is required")
        self.channels.add(dm_of(recipient))
        return 200, {"id": dm_of(recipient), "type": 1, "recipients": [user(recipient)]}

    def _send(self, channel: str, body: Any) -> Answer:
        if channel not in self.channels and not is_dm(channel):
            return 404, UNKNOWN_CHANNEL
        errors = message_errors(body)
        if errors:
            return 400, invalid_form_body(errors)
        if is_empty(body):
            return 400, EMPTY_MESSAGE
        return 200, sent_message(body, channel)

    def _sync(self, app: str, commands: Any) -> Answer:
        """PUT …/commands (global or a server's): Discord checks names and descriptions."""
        if app != APP_ID:
            return 403, {"message": "Missing Access", "code": 50001}
        errors: Errors = {}
        for n, c in enumerate(commands if isinstance(commands, list) else []):
            name, desc = c.get("name") or "", c.get("description") or ""
            slash = c.get("type", 1) == 1  # context menus' names may have spaces and capitals
            if slash:
                good_name = bool(_COMMAND_NAME.match(name)) and name == name.lower()
            else:
                good_name = 1 <= len(name) <= 32
            if not good_name:
                add_error(errors, (n, "name"), "APPLICATION_COMMAND_INVALID_NAME",
                          "Command name is invalid")  # fmt: skip
            if slash and not 1 <= len(desc) <= 100:
                add_error(errors, (n, "description"), "BASE_TYPE_BAD_LENGTH",
                          "Must be between 1 and 100 in length.")  # fmt: skip
            if len(c.get("options") or []) > 25:
                add_error(errors, (n, "options"), "BASE_TYPE_MAX_LENGTH",
                          "Must be 25 or fewer in length.")  # fmt: skip
        if errors:
            return 400, invalid_form_body(errors)
        return 200, [
            {**c, "id": snowflake(), "application_id": APP_ID, "version": "1",
             "description": c.get("description", "")}
            for c in commands
        ]  # fmt: skip

    # -- recorded calls ----------------------------------------------------------------------------
    def bodies(self, prefix: str, method: str = "POST") -> list[Any]:
        """Bodies of the calls whose path starts with `prefix` (refused ones too)."""
        return [c.body for c in self.calls if c.path.startswith(prefix) and c.method == method]

    def sent(self) -> list[Any]:
        """Every body rapport sent that shows something to a person."""
        return [
            c.body for c in self.calls
            if c.method in ("POST", "PATCH") and c.body is not None
            and (c.path.startswith(("/interactions/", "/webhooks/")) or c.path.endswith("/messages"))
        ]  # fmt: skip

    async def wait_for(self, prefix: str, n: int = 1, timeout: float = 10.0) -> list[Any]:
        def enough() -> bool:
            return len(self.bodies(prefix)) >= n

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), timeout)
        return self.bodies(prefix)

    # -- gateway -----------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        seq = 0
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data.get("op") == 1:
                await ws.send_json({"op": 11})
            if data.get("op") == 2:
                async with self._changed:
                    self.identify.append(data)
                    self._changed.notify_all()
                if not self.token_ok(str(data["d"].get("token", ""))):
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                seq += 1
                shard = data["d"].get("shard")  # a sharded client identifies as [id, count]
                await ws.send_json({"op": 0, "t": "READY", "s": seq, "d": {
                    "v": 10, "user": user(BOT_ID, "rapport", True), "guilds": [], "session_id": "sess",
                    "resume_gateway_url": self.url.replace("http", "ws") + "/gw",
                    "application": {"id": APP_ID, "flags": 0},
                    **({"shard": shard} if shard else {}),
                }})  # fmt: skip
                if shard and shard[0] != 0:
                    continue  # the test's frames go through shard 0 only
                for frame in self.gateway_frames:
                    seq += 1
                    await ws.send_json({"op": 0, "s": seq, **frame})
        return ws
