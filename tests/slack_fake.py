"""A fake Slack on 127.0.0.1 for driving rapport's real slack-bolt app, and a request signer.

The fake answers the Web API (`/api/<method>`), response_url posts (`/hooks/<id>`) and Socket
Mode's websocket (`/link`), records every call, and, like Slack, refuses blocks that break
Slack's limits (`invalid_blocks`), so a test sees the failure a real workspace would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_USER = "UBOT"
TEAM = "T1"


@dataclass
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage", or "hook:<id>" for response_url posts
    body: dict[str, Any]
    headers: dict[str, str]


def block_problems(blocks: Any, limit: int = 50) -> list[str]:
    """What Slack would reject in a list of blocks (the limits rapport must respect)."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks > {limit}")
    for b in blocks:
        text = (b.get("text") or {}).get("text", "")
        if b["type"] == "section" and len(text) > 3000:
            problems.append(f"section text {len(text)} > 3000")
        if b["type"] == "section" and not text and not b.get("fields"):
            problems.append("empty section")
        for f in b.get("fields", []):
            if len(f["text"]) > 2000:
                problems.append(f"field {len(f['text'])} > 2000")
        for e in b.get("elements", []):
            if b["type"] == "context" and len(e.get("text", "")) > 2000:
                problems.append("context text > 2000")
            if e.get("type") == "button":
                if len(e.get("value", "")) > 2000:
                    problems.append("button value > 2000")
                if len(e["text"]["text"]) > 75:
                    problems.append("button label > 75")
                if len(e["action_id"]) > 255:
                    problems.append("action_id > 255")
        if len(b.get("block_id", "")) > 255:
            problems.append("block_id > 255")
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        problems.append("duplicate block_id")
    return problems


@dataclass
class FakeSlack:
    """The Web API, response_url hooks and a Socket Mode websocket, recording everything."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    socket_envelopes: list[dict[str, Any]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # what Slack would refuse
    delays: dict[str, float] = field(default_factory=dict)  # seconds before answering a method
    url: str = ""

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._hook_ids = 0

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{hook}", self._hook)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app)
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
        self._hook_ids += 1
        return f"{self.url}/hooks/h{self._hook_ids}"

    # -- recording ------------------------------------------------------------------------------
    async def _record(self, method: str, body: dict[str, Any], request: web.Request) -> None:
        async with self._changed:
            self.calls.append(Call(method, body, dict(request.headers)))
            self._changed.notify_all()

    def of(self, method: str) -> list[dict[str, Any]]:
        """Bodies of the calls to `method` so far."""
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

    # -- endpoints -------------------------------------------------------------------------------
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
        method = request.match_info["method"]
        body = await self._body(request)
        await self._record(method, body, request)
        deadline = time.monotonic() + self.delays.get(method, 0.0)
        while self.delays.get(method) and time.monotonic() < deadline:  # cleared: answer now
            await asyncio.sleep(0.02)
        reply: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            reply.update(user_id=BOT_USER, bot_id="BBOT", team_id=TEAM, team="Acme", user="rapport")
        elif method == "users.info":
            uid = body.get("user", "")
            reply["user"] = self.users.get(uid, {"id": uid, "name": uid.lower(), "profile": {}})
        elif method == "conversations.open":
            reply["channel"] = {"id": "D" + str(body.get("users", "X"))[1:]}
        elif method == "apps.connections.open":
            reply["url"] = self.url.replace("http", "ws") + "/link"
        elif method in (
            "chat.postMessage",
            "chat.postEphemeral",
            "views.open",
            "views.update",
            "views.publish",
        ):
            blocks = body.get("blocks") or (body.get("view") or {}).get("blocks") or []
            if isinstance(body.get("view"), str):
                blocks = json.loads(body["view"]).get("blocks", [])
            limit = 50 if method.startswith("chat.") else 100
            problems = block_problems(blocks, limit)
            if problems:
                self.rejected.append((method, problems))
                return web.json_response(
                    {"ok": False, "error": "invalid_blocks", "problems": problems}
                )
            if method.startswith("chat."):
                reply.update(channel=body.get("channel"), ts=f"{time.time():.6f}")
        return web.json_response(reply)

    async def _hook(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        await self._record("hook:" + request.match_info["hook"], body, request)
        problems = block_problems(body.get("blocks", []))
        if problems:
            self.rejected.append(("hook", problems))
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

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


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class SlackSender:
    """Posts signed requests to the app as Slack does."""

    app_url: str
    secret: str
    fake: FakeSlack
    session: aiohttp.ClientSession

    async def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[int, str, float]:
        """(status, body, seconds taken)."""
        all_headers = {"Content-Type": content_type, **sign(secret or self.secret, body, timestamp)}
        all_headers.update(headers or {})
        started = time.perf_counter()
        async with self.session.post(self.app_url, data=body.encode(), headers=all_headers) as resp:
            text = await resp.text()
            return resp.status, text, time.perf_counter() - started

    async def slash(
        self, text: str, user: str = "U1", team: str = TEAM, **kw: Any
    ) -> tuple[int, str, float]:
        hook = self.fake.hook_url()
        form = {
            "command": "/rapport",
            "text": text,
            "user_id": user,
            "user_name": user.lower(),
            "team_id": team,
            "channel_id": "C1",
            "response_url": hook,
            "trigger_id": "trig." + hook.rsplit("/", 1)[-1],  # one per invocation, as Slack's
        }
        return await self.post(
            urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw
        )

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def click(
        self,
        button: dict[str, Any],
        user: str = "U1",
        team: str = TEAM,
        channel: str = "C1",
        container: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        with_response_url: bool = True,
    ) -> tuple[int, str, float]:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "team_id": team},
            "team": {"id": team},
            "channel": {"id": channel},
            "container": container or {"type": "message", "is_ephemeral": True},
            "trigger_id": "trig.2",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": "rapport:actions",
                    "value": button.get("value", ""),
                    "action_ts": "1",
                }
            ],
        }
        if with_response_url:
            payload["response_url"] = self.fake.hook_url()
        if view is not None:
            payload["view"] = view
            payload.pop("channel")
        return await self.interactive(payload)

    async def event(
        self,
        event: dict[str, Any],
        event_id: str = "Ev1",
        team: str = TEAM,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, float]:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": team,
                "api_app_id": "A1",
                "event": event,
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
            }
        )
        return await self.post(body, "application/json", headers=headers)

    async def dm(
        self, text: str, user: str = "U1", event_id: str | None = None, **kw: Any
    ) -> tuple[int, str, float]:
        self._dm_count = getattr(self, "_dm_count", 0) + 1
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": "D" + user[1:],
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        return await self.event(event, event_id or f"EvDM{self._dm_count}", **kw)
