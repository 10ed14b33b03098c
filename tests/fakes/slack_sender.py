"""Requests to a Slack app as Slack sends them: signed slash commands, button clicks, events.

`sign` makes Slack's signature headers; `SlackSender` posts slash commands, interactive
payloads and events to an app, with response_urls from a `FakeSlack`, so the app's follow-ups
reach the fake.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.fakes.slack import BOT_USER, TEAM, FakeSlack, dm_of


def sign(secret: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature headers for `body`: `v0=` HMAC-SHA256 of `v0:<ts>:<body>`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


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
            "channel": dm_of(user),
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        return await self.event(event, event_id or f"EvDM{self._dm_count}", **kw)
