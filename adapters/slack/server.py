"""Serving the Slack app: settings, the `/slack/events` route, and a start-up token check
(`adapters/serve.py` runs it, in HTTP mode or Socket Mode).

Configuration comes from the environment: `SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`, and
`SLACK_APP_TOKEN` for Socket Mode; `SLACK_API_URL` points at another Web API (GovSlack, or a
test server); `RAPPORT_HOST`/`RAPPORT_PORT` say where HTTP mode listens.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from rapport.adapters.slack.app import SlackSettings
from rapport.bot.config import ConfigError
from rapport.bot.redact import redact

__all__ = [
    "listen_address", "settings_from_env", "signed", "slack_routes", "verify_token", "web_app",
]  # fmt: skip

EVENTS_PATH = "/slack/events"
_MAX_AGE = 60 * 5  # seconds: Slack's own rule for a request's timestamp

log = logging.getLogger("rapport.slack")


def settings_from_env(env: Mapping[str, str] | None = None) -> SlackSettings:
    """Slack settings from environment variables; a missing secret is a clear error."""
    env = os.environ if env is None else env
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    missing = [
        n for n, v in (("SLACK_BOT_TOKEN", token), ("SLACK_SIGNING_SECRET", secret)) if not v
    ]
    if (app_token is None and missing) or (app_token is not None and not token):
        raise ConfigError(
            f"rapport serve slack needs {' and '.join(missing)} (from your Slack app's settings; "
            "see docs/slack.md)"
        )
    if token and not token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN should be the app's bot token (it starts with xoxb-)")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN should be an app-level token (it starts with xapp-)")
    return SlackSettings(
        bot_token=token,
        signing_secret=secret or "socket-mode-needs-no-signing-secret",
        api_url=env.get("SLACK_API_URL", "").strip() or "https://slack.com/api/",
        app_token=app_token,
        command=env.get("RAPPORT_SLACK_COMMAND", "").strip() or "/rapport",
    )


def listen_address(env: Mapping[str, str] | None = None) -> tuple[str, int]:
    """(host, port) from RAPPORT_HOST and RAPPORT_PORT (default 127.0.0.1:3000)."""
    env = os.environ if env is None else env
    host = env.get("RAPPORT_HOST", "").strip() or "127.0.0.1"
    raw = env.get("RAPPORT_PORT", "").strip() or "3000"
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"RAPPORT_PORT must be a port number, not {raw!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"RAPPORT_PORT must be between 0 and 65535, not {port}")
    return host, port


async def verify_token(app: AsyncApp) -> None:
    """Ask Slack who we are before listening: a wrong token fails at start, not at the first
    command.  The answer is handed to Bolt's authorization, which would otherwise ask again
    on the first request (once per request that arrives before the first answer)."""
    try:
        answer = await app.client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error or exc.response.status_code}); copy the Bot "
            "User OAuth Token from your app's OAuth & Permissions page"
        ) from None
    except aiohttp.ClientError as exc:
        raise ConfigError(
            redact(f"can't reach Slack's Web API at {app.client.base_url} ({exc})")
        ) from None
    from slack_bolt.middleware.authorization.async_single_team_authorization import (
        AsyncSingleTeamAuthorization,
    )

    # Bolt keeps its middleware in a private list; if that changes, it just asks again itself.
    for middleware in getattr(app, "_async_middleware_list", ()):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = answer


def signed(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> bool:
    """Whether Slack signed this request (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`, sent
    within five minutes): checked on the raw bytes, before anything parses or logs them."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > _MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def slack_routes(app: AsyncApp, signing_secret: str | None = None) -> list[web.RouteDef]:
    """`POST /slack/events` (slash commands, interactions and events) for an aiohttp app.

    An unsigned or stale request is refused (401) before its body is parsed or logged, so
    anyone's request costs one HMAC and writes nothing; a signed one that Bolt can't read is a
    400 with one line in the log (its kind, never its body).  Bolt checks the signature again."""
    secret = signing_secret or app._signing_secret  # Bolt keeps the one it was given there

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        if not signed(secret, request.headers, body):
            log.debug("refused an unsigned or stale Slack request (%d bytes)", len(body))
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
            if not isinstance(bolt_request.body, dict):
                raise TypeError(f"a {type(bolt_request.body).__name__}, not an object")
        except Exception as exc:  # not UTF-8, not JSON, JSON of the wrong shape, too deep
            log.warning("a signed Slack request couldn't be read (%s)", type(exc).__name__)
            return web.json_response({"error": "bad request"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return [web.post(EVENTS_PATH, events)]


def web_app(app: AsyncApp) -> web.Application:
    """An aiohttp application serving the Slack app."""
    web_application = web.Application(client_max_size=1024 * 1024)
    web_application.add_routes(slack_routes(app))
    return web_application
