"""A fake Discord on 127.0.0.1 (REST and a minimal gateway) for driving real discord.py code.

It records every REST call, answers with the JSON discord.py needs (Content-Type exactly
`application/json`, which discord.py requires to parse a body), refuses messages that break
Discord's length limits as Discord does (400), and answers unknown routes with 404 so nothing
retries.  Payload builders make interactions and DMs the way the gateway delivers them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD = "800000000000000001"
CHANNEL = "700000000000000001"
USER = "600000000000000001"
MANAGER = "600000000000000002"
MANAGE_GUILD = 1 << 5
_ids = itertools.count(500000000000000001)


def dm_of(uid: str) -> str:
    """The DM channel id the fake gives a user."""
    return str(int(uid) * 10)


def snowflake() -> str:
    return str(next(_ids))


def user(uid: str = USER, name: str = "sam", bot: bool = False) -> dict[str, Any]:
    return {
        "id": uid,
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name.title(),
        "bot": bot,
    }


def message(
    content: str, author: dict[str, Any] | None = None, channel: str = CHANNEL, **extra: Any
) -> dict[str, Any]:
    return {
        "id": snowflake(), "channel_id": channel, "content": content, "author": author or user(),
        "embeds": [], "attachments": [], "mentions": [], "mention_roles": [], "pinned": False,
        "mention_everyone": False, "tts": False, "timestamp": "2026-11-23T10:00:00+00:00",
        "edited_timestamp": None, "type": 0, "flags": 0, "components": [], **extra,
    }  # fmt: skip


def embed_problems(body: dict[str, Any]) -> list[str]:
    """What Discord would reject in a message body (rapport must respect every limit)."""
    problems = []
    if len(body.get("content") or "") > 2000:
        problems.append("content > 2000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for e in embeds:
        title, desc = e.get("title") or "", e.get("description") or ""
        if len(title) > 256:
            problems.append("title > 256")
        if len(desc) > 4096:
            problems.append("description > 4096")
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append("more than 25 fields")
        total += len(title) + len(desc) + len((e.get("footer") or {}).get("text", ""))
        for f in fields:
            if len(f["name"]) > 256 or len(f["value"]) > 1024 or not f["value"] or not f["name"]:
                problems.append("bad field")
            total += len(f["name"]) + len(f["value"])
    if total > 6000:
        problems.append(f"embeds total {total} > 6000")
    for row in body.get("components") or []:
        for c in row.get("components", []):
            if len(c.get("custom_id", "")) > 100:
                problems.append("custom_id > 100")
            if len(c.get("label", "")) > 80:
                problems.append("label > 80")
    return problems


@dataclass
class Call:
    method: str
    path: str
    body: Any


@dataclass
class FakeDiscord:
    """Discord's REST API (the parts rapport uses) and a gateway that speaks HELLO/READY."""

    calls: list[Call] = field(default_factory=list)
    url: str = ""
    gateway_frames: list[dict[str, Any]] = field(default_factory=list)  # sent after READY
    identify: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def json(self, data: Any, status: int = 200) -> web.Response:
        return web.Response(
            status=status, body=json.dumps(data).encode(), content_type="application/json"
        )

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        raw = await request.read()
        body: Any = None
        if raw:
            if request.content_type == "application/json":
                body = json.loads(raw)
            elif request.content_type.startswith("multipart"):
                reader = await request.multipart()
                async for part in reader:
                    if part.name == "payload_json":
                        body = json.loads(await part.text())
        async with self._changed:
            self.calls.append(Call(request.method, path, body))
            self._changed.notify_all()
        if path == "/users/@me" and request.method == "GET":
            return self.json(user(BOT_ID, "rapport", bot=True))
        if path == "/oauth2/applications/@me":
            return self.json({
                "id": APP_ID, "name": "rapport", "description": "", "icon": None, "bot_public": True,
                "bot_require_code_grant": False, "owner": user(MANAGER, "owner"), "verify_key": "k", "flags": 0,
            })  # fmt: skip
        if path.startswith("/interactions/") and path.endswith("/callback"):
            if isinstance(body, dict) and embed_problems(body.get("data") or {}):
                return self.json({"message": "Invalid Form Body", "code": 50035}, 400)
            iid = path.split("/")[2]
            return self.json(
                {"interaction": {"id": iid, "type": 2}, "resource": {"type": body["type"]}}
            )
        if path.startswith("/webhooks/"):
            if embed_problems(body or {}):
                return self.json(
                    {"message": "Invalid Form Body", "code": 50035, "errors": embed_problems(body)},
                    400,
                )
            return self.json(
                message(
                    (body or {}).get("content") or "",
                    user(BOT_ID, "rapport", True),
                    embeds=(body or {}).get("embeds") or [],
                )
            )
        if path == "/users/@me/channels":
            return self.json(
                {
                    "id": dm_of(body["recipient_id"]),
                    "type": 1,
                    "recipients": [user(body["recipient_id"])],
                }
            )
        if (
            path.startswith("/channels/")
            and path.endswith("/messages")
            and request.method == "POST"
        ):
            if embed_problems(body or {}):
                return self.json({"message": "Invalid Form Body", "code": 50035}, 400)
            channel = path.split("/")[2]
            return self.json(
                message(
                    (body or {}).get("content") or "",
                    user(BOT_ID, "rapport", True),
                    channel=channel,
                )
            )
        if (
            path.startswith("/applications/")
            and path.endswith("/commands")
            and request.method == "PUT"
        ):
            return self.json([
                {**c, "id": snowflake(), "application_id": APP_ID, "version": "1", "description": c.get("description", "")}
                for c in body
            ])  # fmt: skip
        return self.json({"message": "Unknown route", "code": 0}, 404)

    # -- recorded calls -----------------------------------------------------------------------------
    def bodies(self, prefix: str, method: str = "POST") -> list[Any]:
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

    # -- gateway ---------------------------------------------------------------------------------------
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


def interaction(
    command: str | None = None,
    options: list[dict[str, Any]] | None = None,
    *,
    in_guild: bool = True,
    uid: str = USER,
    permissions: int = 0,
    kind: int = 2,
    data: dict[str, Any] | None = None,
    message_obj: dict[str, Any] | None = None,
    guild: str = GUILD,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: `/rapport <command> …` by default."""
    iid = snowflake()
    raw: dict[str, Any] = {
        "id": iid, "application_id": APP_ID, "type": kind, "token": f"tok{iid}", "version": 1,
        "attachment_size_limit": 8388608, "locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {}, "app_permissions": "0",
    }  # fmt: skip
    if data is None:
        data = {"id": "1", "name": "rapport", "type": 1,
                "options": [{"name": command, "type": 1, "options": options or []}]}  # fmt: skip
    raw["data"] = data
    who = user(uid, "ana" if uid == MANAGER else "sam")
    if in_guild:
        raw.update(
            guild_id=guild, channel_id=CHANNEL, guild_locale="en-US", context=0,
            channel={"id": CHANNEL, "type": 0, "guild_id": guild, "name": "general", "position": 0,
                     "permission_overwrites": [], "nsfw": False, "parent_id": None},
            member={"user": who, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00", "deaf": False,
                    "mute": False, "permissions": str(permissions), "flags": 0},
        )  # fmt: skip
    else:
        raw.update(channel_id=dm_of(uid), user=who, context=1,
                   channel={"id": dm_of(uid), "type": 1, "recipients": [who]})  # fmt: skip
    if message_obj is not None:
        raw["message"] = message_obj
    return raw
