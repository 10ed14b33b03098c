"""`rapport serve slack|discord|all`: the bots, health checks and metrics in one process.

One aiohttp server on `RAPPORT_HOST`:`RAPPORT_PORT` answers `/healthz` (the process is up),
`/readyz` (the database takes a small write within 2 s and every platform is connected; 503
otherwise, and while shutting down) and `/metrics` (Prometheus), plus Slack's `/slack/events` in HTTP mode.  Discord
and Slack's Socket Mode run beside it.  SIGTERM stops new work, lets work already acknowledged
finish (bounded), then closes the platforms and the database.

Settings are environment variables; `--settings FILE` (or `RAPPORT_SETTINGS`) reads the same
names from a TOML file's `[env]` table, and the environment wins over the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import tomllib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from rapport.bot.config import Config, ConfigError
from rapport.bot.metrics import PrometheusMetrics, enable, measured_store
from rapport.bot.service.logs import configure, libraries_from_env
from rapport.bot.service.rapport import idle_hours

__all__ = ["Service", "job_lease", "load_env", "run_serve"]

log = logging.getLogger("rapport.serve")

#: On SIGTERM, how long acknowledged work may take before the process closes anyway.
DRAIN_SECONDS = 10.0
_READY_TIMEOUT = 2.0


def load_env(settings_file: str | None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings: a TOML file's `[env]` table overlaid by the real environment."""
    real = dict(os.environ if env is None else env)
    path = settings_file or real.get("RAPPORT_SETTINGS", "").strip() or None
    if not path:
        return real
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"settings file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"settings file {path}: can't read it ({exc})") from None
    table = data.get("env", {})
    if not isinstance(table, dict) or set(data) - {"env"}:
        raise ConfigError(f"settings file {path}: put the settings in an [env] table")
    merged = {str(k): str(v) for k, v in table.items() if not isinstance(v, (dict, list))}
    merged.update(real)
    return merged


@dataclass
class Service:
    """What one `rapport serve` process runs, and how to tell whether it is ready."""

    platforms: tuple[str, ...]
    rapport: Any = None
    slack: Any = None  # the SlackAdapter, whose `app` is served
    socket_handler: Any = None
    discord: Any = None  # the DiscordAdapter, whose `client` is connected
    draining: bool = False
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    probe: asyncio.Task[None] | None = None

    async def writable(self) -> str:
        """ "ok" when the database took a small write (the probe row in `meta`) within 2 s.

        A slow probe is reported, not cancelled (cancelling a SQLite transaction midway could
        leave it open); the next check starts a new one only once it has ended."""
        if self.probe is None or self.probe.done():
            self.probe = asyncio.ensure_future(self.rapport.store.probe_write())
        done, _ = await asyncio.wait({self.probe}, timeout=_READY_TIMEOUT)
        if not done:
            return "unavailable (writes are not answered)"
        exc = self.probe.exception()
        # unreachable, read-only, locked, closed: all mean "not ready"
        return "ok" if exc is None else f"unavailable ({type(exc).__name__})"

    async def ready(self) -> tuple[bool, dict[str, str]]:
        """Every dependency's state, and whether all are fine."""
        parts: dict[str, str] = {"database": await self.writable()}
        if self.slack is not None:
            if self.socket_handler is not None:
                connected = await _socket_connected(self.socket_handler)
                parts["slack"] = "ok" if connected else "disconnected"
            else:
                parts["slack"] = "ok"  # HTTP mode: the token was verified at start
        if self.discord is not None:
            c = self.discord.client
            parts["discord"] = "ok" if c.is_ready() and not c.is_closed() else "connecting"
        if self.draining:
            parts["process"] = "shutting down"
        return all(v == "ok" for v in parts.values()), parts


async def _socket_connected(handler: Any) -> bool:
    try:
        return bool(await handler.client.is_connected())
    except Exception:
        return False


def _routes(service: Service, recorder: PrometheusMetrics) -> list[web.RouteDef]:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        ok, parts = await service.ready()
        return web.json_response({"ready": ok, **parts}, status=200 if ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        body, content_type = recorder.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    return [
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/metrics", metrics_page),
    ]


def _slack_requests(service: Service) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Once shutdown has begun, new Slack requests are turned away (503), even on a kept-alive
    connection; the health, readiness and metrics pages still answer."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith("/slack/"):
            return await handler(request)
        if service.draining:
            return web.json_response(
                {"error": "shutting down"}, status=503, headers={"Connection": "close"}
            )
        return await handler(request)

    return middleware


def job_lease(env: Mapping[str, str]) -> float:
    """$RAPPORT_JOB_LEASE_SECONDS: how long a job may go without its process renewing it
    (every quarter lease) before another process, or the next start, carries it out (default
    20)."""
    raw = env.get("RAPPORT_JOB_LEASE_SECONDS", "").strip()
    if not raw:
        return 20.0
    if not raw.isdigit() or not 1 <= int(raw) <= 1800:
        raise ConfigError(f"RAPPORT_JOB_LEASE_SECONDS must be from 1 to 1800 seconds, not {raw!r}")
    return float(raw)


def pool_size(env: Mapping[str, str]) -> int:
    """$RAPPORT_DATABASE_POOL: PostgreSQL connections per process (default 10)."""
    raw = env.get("RAPPORT_DATABASE_POOL", "").strip()
    if not raw:
        return 10
    if not raw.isdigit() or not 2 <= int(raw) <= 500:
        raise ConfigError(
            f"RAPPORT_DATABASE_POOL must be a number of connections from 2 to 500, not {raw!r}"
        )
    return int(raw)


async def run_serve(platforms: tuple[str, ...], env: dict[str, str], config: Config) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    from rapport.bot.redact import redact
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.service.workers import pool_from_env
    from rapport.bot.storage import StoreError, open_store

    configure(
        env.get("RAPPORT_LOG_LEVEL", "INFO"),
        env.get("RAPPORT_LOG_FORMAT", "json") != "text",
        libraries_from_env(env.get("RAPPORT_LOG_LIBRARIES")),
    )
    recorder = enable()
    slack_settings = discord_settings = None
    if "slack" in platforms:
        from rapport.adapters.slack.server import settings_from_env

        slack_settings = settings_from_env(env)
    if "discord" in platforms:
        from rapport.adapters.discord_bot.serve import settings_from_env as discord_from_env

        discord_settings = discord_from_env(env)
    from rapport.adapters.slack.server import listen_address

    host, port = listen_address(env)
    idle = idle_hours(env)
    pool = pool_size(env)
    workers = pool_from_env(config, env)  # checks run in worker processes, off the loop
    url = env.get("RAPPORT_DATABASE_URL", "").strip() or None
    try:
        store = await open_store(url, pool_size=pool)
    except StoreError as exc:  # the log has the reason (masked); the terminal plain words, exit 2
        log.error("can't open the database: %s", exc)
        raise
    where = redact(store.url)
    service = Service(platforms)
    service.rapport = Rapport(
        measured_store(store), config=config, idle_hours=idle, workers=workers
    )
    workers.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    app = web.Application(middlewares=[_slack_requests(service)], client_max_size=1024 * 1024)
    app.add_routes(_routes(service, recorder))
    runner: web.AppRunner | None = None
    try:
        if slack_settings is not None:
            from rapport.adapters.slack.app import SlackAdapter
            from rapport.adapters.slack.server import slack_routes, verify_token

            service.slack = SlackAdapter(service.rapport, slack_settings)
            await verify_token(service.slack.app)
            # jobs acknowledged before a kill are carried out and answered now
            service.slack.start_recovery(lease=job_lease(env))
            if slack_settings.app_token:
                from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

                service.socket_handler = AsyncSocketModeHandler(
                    service.slack.app, app_token=slack_settings.app_token
                )
                try:
                    await asyncio.wait_for(service.socket_handler.connect_async(), 30)
                except TimeoutError:  # Bolt retries forever; a start-up gives up with a reason
                    raise ConfigError(
                        "couldn't open a Socket Mode connection to Slack within 30 s: check "
                        "SLACK_APP_TOKEN (an app-level token with connections:write)"
                    ) from None
            else:
                app.add_routes(slack_routes(service.slack.app))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        if discord_settings is not None:
            from rapport.adapters.discord_bot.bot import DiscordAdapter

            service.discord = DiscordAdapter(service.rapport, discord_settings)
            service.tasks.append(
                asyncio.ensure_future(service.discord.client.start(discord_settings.token))
            )
        mode = "Socket Mode" if service.socket_handler is not None else "HTTP"
        print(
            f"rapport: serving {', '.join(platforms)} on http://{host}:{port} "
            f"(Slack {mode if slack_settings else 'off'}; /healthz /readyz /metrics); "
            f"database {where}",
            flush=True,
        )
        log.info("serving", extra={"platforms": list(platforms), "host": host, "port": port})
        failed = await _wait(stop, service.tasks)
        return await _shutdown(service, runner, site, failed)
    except BaseException:
        await _close(service, runner)
        raise


async def _wait(stop: asyncio.Event, tasks: list[asyncio.Task[Any]]) -> BaseException | None:
    """Until a stop signal, or a platform connection failing for good (returned)."""
    waiter = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    for task in done:
        if task is not waiter and not task.cancelled() and task.exception() is not None:
            return task.exception()
    return None


async def _shutdown(
    service: Service, runner: web.AppRunner, site: web.TCPSite, failed: BaseException | None
) -> int:
    """Stop taking work, let acknowledged work finish (bounded), close everything."""
    service.draining = True
    await site.stop()
    adapters = [a for a in (service.slack, service.discord) if a is not None]
    results = await asyncio.gather(*(a.drain(DRAIN_SECONDS) for a in adapters))
    if not all(results):
        log.warning("shutdown: some work was still running after %.0f s", DRAIN_SECONDS)
    await _close(service, runner)
    if failed is not None:
        from rapport.bot.redact import redact

        print(
            redact(f"rapport: a platform connection failed: {type(failed).__name__}: {failed}"),
            flush=True,
        )
        return 1
    return 0


async def _close(service: Service, runner: web.AppRunner | None) -> None:
    if service.socket_handler is not None:
        with contextlib.suppress(Exception):
            await service.socket_handler.close_async()
    if service.discord is not None:
        with contextlib.suppress(Exception):
            await service.discord.client.close()
    for task in service.tasks:
        task.cancel()
    if service.slack is not None:
        await service.slack.close()
    if runner is not None:
        await runner.cleanup()
    if service.rapport is not None:
        await service.rapport.close()
