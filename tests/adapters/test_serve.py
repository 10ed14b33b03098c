"""`rapport serve`: health, readiness and metrics endpoints, JSON logs, graceful shutdown, the
settings file, and a database that goes away and comes back.  The platforms are the fakes in
tests/fakes/slack.py and tests/fakes/discord.py on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from rapport.adapters.serve import load_env, pool_size, run_serve
from rapport.bot.config import Config, ConfigError
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_sender import SlackSender
from tests.paths import ROOT

SECRET = "serve-secret"
ASK = "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(tmp_path: Path, fake: FakeSlack, port: int, db: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-serve", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url + "/api",
        RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port),
        RAPPORT_DATABASE_URL=db or f"sqlite:///{tmp_path / 'serve.db'}",
    )  # fmt: skip
    return env


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as resp:
        return resp.status, await resp.text()


async def wait_up(session: aiohttp.ClientSession, base: str, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            status, _ = await get(session, base + "/healthz")
            if status == 200:
                return
        except aiohttp.ClientError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("rapport serve did not come up")
        await asyncio.sleep(0.05)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    yield fake
    await fake.stop()


async def test_serve_all_health_ready_metrics_and_logs(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    discord_fake = await FakeDiscord(tokens={"discord-token"}).start()
    port = free_port()
    env = base_env(tmp_path, fake_slack, port)
    env.update(DISCORD_TOKEN="discord-token", RAPPORT_TEST_DISCORD_API=discord_fake.url)
    # the child points discord.py at the fake before serving (see tests/serve_child.py)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "tests" / "serve_child.py"), "all", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, base)
            assert await get(session, base + "/healthz") == (200, '{"status": "ok"}')
            for _ in range(200):  # Discord connects through the fake gateway
                status, body = await get(session, base + "/readyz")
                if status == 200:
                    break
                await asyncio.sleep(0.05)
            assert status == 200, body
            assert json.loads(body) == {
                "ready": True,
                "database": "ok",
                "slack": "ok",
                "discord": "ok",
            }
            sender = SlackSender(base + "/slack/events", SECRET, fake_slack, session)
            status, _, _ = await sender.slash(f"check {ASK}")
            assert status == 200
            await fake_slack.wait_for("hook")
            status, text = await get(session, base + "/metrics")
            assert status == 200
            assert 'rapport_checks_total{kind="endorsement_request",platform="slack"} 1.0' in text
            assert 'rapport_findings_total{rule="' in text
            assert (
                "rapport_check_seconds_bucket" in text and "rapport_database_seconds_bucket" in text
            )
            assert 'rapport_requests_total{kind="command",platform="slack"}' in text
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        assert proc.stderr is not None
        logs = (await proc.stderr.read()).decode()
        lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        assert lines and all(
            {"time", "level", "logger", "message", "request_id"} <= set(x) for x in lines
        )
        assert "Python on LinkedIn" not in logs  # no draft text in logs
        assert "xoxb-serve" not in logs and "discord-token" not in logs and SECRET not in logs
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await discord_fake.stop()


async def test_sigterm_drains_a_request_in_flight(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.bot.service.rapport import Rapport

    release = asyncio.Event()
    real = Rapport.check

    async def slow(self: Rapport, *args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Rapport, "check", slow)
    port = free_port()
    env = base_env(tmp_path, fake_slack, port)
    server = asyncio.ensure_future(run_serve(("slack",), env, Config()))
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, base)
            sender = SlackSender(base + "/slack/events", SECRET, fake_slack, session)
            status, _, _ = await sender.slash(f"check {ASK}")
            assert status == 200  # acknowledged; the check is still running
            assert len(fake_slack.of("auth.test")) == 1  # at start only: Bolt was handed it
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.3)
            assert not server.done()  # waiting for the work in flight
            status, body = await get(session, base + "/readyz")  # the kept-alive connection
            assert status == 503 and json.loads(body)["process"] == "shutting down"
            status, _, _ = await sender.slash(f"check {ASK}")
            assert status == 503  # no new work, even on a connection that was already open
            async with aiohttp.ClientSession() as fresh:
                with pytest.raises(aiohttp.ClientError):
                    await get(fresh, base + "/healthz")  # no new connections
            release.set()
            assert await asyncio.wait_for(server, 20) == 0
        replies = await fake_slack.wait_for("hook")
        assert len(replies) == 1  # the request in flight completed; the refused one never ran
        assert "Request for an endorsement" in json.dumps(replies[-1])
    finally:
        release.set()
        if not server.done():
            server.cancel()
            with contextlib.suppress(BaseException):
                await server


def test_settings_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "rapport-serve.toml"
    path.write_text('[env]\nRAPPORT_PORT = 4000\nSLACK_BOT_TOKEN = "xoxb-file"\n', encoding="utf-8")
    env = load_env(str(path), {"SLACK_BOT_TOKEN": "xoxb-env"})
    assert env["RAPPORT_PORT"] == "4000" and env["SLACK_BOT_TOKEN"] == "xoxb-env"
    with pytest.raises(ConfigError, match="does not exist"):
        load_env(str(tmp_path / "missing.toml"), {})
    path.write_text("[slack]\ntoken = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[env\] table"):
        load_env(str(path), {})


def test_pool_size_setting() -> None:
    assert pool_size({}) == 10 and pool_size({"RAPPORT_DATABASE_POOL": " 25 "}) == 25
    for bad in ("1", "ten", "-4", "9999"):
        with pytest.raises(ConfigError, match="RAPPORT_DATABASE_POOL"):
            pool_size({"RAPPORT_DATABASE_POOL": bad})


async def test_database_lost_while_running_recovers(tmp_path: Path, fake_slack: FakeSlack) -> None:
    from tests.pg_cluster import cluster

    with cluster() as pg:
        port = free_port()
        env = base_env(tmp_path, fake_slack, port, db=pg.url)
        server = asyncio.ensure_future(run_serve(("slack",), env, Config()))
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                await wait_up(session, base)
                sender = SlackSender(base + "/slack/events", SECRET, fake_slack, session)
                await sender.slash("know <@U2|dana> we ran the Atlas launch together")
                await fake_slack.wait_for("hook", 1)
                assert (await get(session, base + "/readyz"))[0] == 200

                await asyncio.to_thread(pg.stop, "immediate")  # the database goes away
                status, body = await get(session, base + "/readyz")
                assert status == 503 and json.loads(body)["database"].startswith("unavailable")
                status, _, _ = await sender.slash(f"check {ASK}")
                assert status == 200
                sorry = (await fake_slack.wait_for("hook", 2))[-1]
                assert "Something went wrong on my side" in json.dumps(sorry)

                await asyncio.to_thread(pg.start)  # and comes back: no restart of rapport
                for _ in range(100):
                    if (await get(session, base + "/readyz"))[0] == 200:
                        break
                    await asyncio.sleep(0.1)
                assert (await get(session, base + "/readyz"))[0] == 200
                await sender.slash("ledger")
                ledger = (await fake_slack.wait_for("hook", 3))[-1]
                assert "we ran the Atlas launch together" in json.dumps(
                    ledger
                )  # committed data kept
                status, text = await get(session, base + "/metrics")
                assert 'rapport_errors_total{kind="store"}' in text
            os.kill(os.getpid(), signal.SIGTERM)
            assert await asyncio.wait_for(server, 20) == 0
        finally:
            if not server.done():
                server.cancel()
                with contextlib.suppress(BaseException):
                    await server


def test_database_down_at_start_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(DISCORD_TOKEN="t", RAPPORT_DATABASE_URL="postgresql://rapport:pw@127.0.0.1:1/x")
    done = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "discord"], env=env, capture_output=True,
        text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert "can't connect to postgresql://rapport:***@127.0.0.1:1/x" in done.stderr
    assert "Traceback" not in done.stderr


def test_debug_logging_keeps_library_request_bodies_out() -> None:
    import logging

    from rapport.bot.service.logs import configure

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure("DEBUG", json_lines=True)
        assert root.level == logging.DEBUG  # rapport's own debug lines
        for library in ("slack_sdk", "slack_bolt", "discord", "asyncpg"):
            assert not logging.getLogger(library).isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
