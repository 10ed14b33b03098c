"""Acknowledged means kept (issue 16): commands acked before a kill -9 are carried out and
answered after the restart, a replayed signed command runs once, `/readyz` turns red when
writes fail and green after, the DM ack never waits on a locked database, and overload answers
"busy" at once.  Real slack-bolt against tests/fakes/slack.py, real child processes, real
database files and real PostgreSQL servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import rapport.adapters.slack.app as slack_app
from rapport.adapters.serve import run_serve
from rapport.adapters.slack.app import SlackAdapter, SlackSettings, adapter_of, build_app
from rapport.adapters.slack.server import web_app
from rapport.bot.config import Config
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import UserRef
from tests.adapters.test_serve import ROOT, SECRET, base_env, free_port, get, wait_up
from tests.fakes.slack import TEAM, FakeSlack
from tests.fakes.slack_sender import SlackSender

U1 = UserRef("slack", TEAM, "U1")
ASK = "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!"
FORM = "application/x-www-form-urlencoded"


async def ready_within(
    session: aiohttp.ClientSession, url: str, status: int, limit: float
) -> float:
    """Seconds until /readyz answers `status` (fails after `limit`)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if (await get(session, url))[0] == status:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"/readyz did not answer {status} within {limit} s")


# -- kill -9 after acknowledged commands ---------------------------------------------------------


async def _spawn(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack", env=env, cwd=ROOT,
            stdout=out, stderr=out,
        )  # fmt: skip


async def test_kill_9_right_after_acks_loses_no_gave(tmp_path: Path, any_database: str) -> None:
    n = 30  # under MAX_QUEUED: all are kept, none answered busy
    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    fake.delays["users.info"] = 120.0  # the work after each ack waits on Slack: none finishes
    port = free_port()
    env = base_env(tmp_path, fake, port, db=any_database)
    env.update(RAPPORT_JOB_LEASE_SECONDS="1", RAPPORT_LOG_LEVEL="WARNING")
    base, log = f"http://127.0.0.1:{port}", tmp_path / "serve.log"
    child = await _spawn(env, log)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, base)
            sender = SlackSender(base + "/slack/events", SECRET, fake, session)
            acks = await asyncio.gather(
                *(sender.slash(f"gave <@U{100 + i}> SQL, number {i}") for i in range(n))
            )
            assert [a[:2] for a in acks] == [(200, "")] * n  # all acknowledged, none refused
            assert max(a[2] for a in acks) < 3.0
            child.send_signal(signal.SIGKILL)
            assert await child.wait() == -signal.SIGKILL
            assert fake.hooks() == []  # nothing was answered before the kill

            fake.delays.clear()
            child = await _spawn(env, log)  # the restart carries the jobs out and answers
            await wait_up(session, base)
            hooks = await fake.wait_for("hook", n, timeout=30)
        await asyncio.sleep(0.3)
        answered = {c.method for c in fake.calls if c.method.startswith("hook:")}
        assert len(answered) == len(fake.hooks()) == n  # each command answered, once
        assert not any("went wrong" in json.dumps(h) for h in hooks)
        store = await open_store(any_database)
        try:
            given = await store.endorsements(U1)
            assert sorted(e.note or "" for e in given) == sorted(
                f"SQL, number {i}" for i in range(n)
            )
            assert await store.take_jobs("slack", 1e12, time.time(), 100) == []  # all finished
        finally:
            await store.close()
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.wait(), 20)
            if child.returncode is None:
                child.kill()
                await child.wait()
        await fake.stop()


# -- an app in this process ----------------------------------------------------------------------


_ADAPTERS: dict[int, SlackAdapter] = {}


def adapter_of_rapport(rapport: Rapport) -> SlackAdapter:
    """The Slack adapter `serving` built over this service."""
    return _ADAPTERS[id(rapport)]


@contextlib.asynccontextmanager
async def serving(url: str) -> AsyncIterator[tuple[FakeSlack, SlackSender, Rapport]]:
    fake = await FakeSlack(tokens={"xoxb-test"}).start()
    rapport = Rapport(await open_store(url))
    app = build_app(rapport, SlackSettings("xoxb-test", SECRET, api_url=fake.url + "/api"))
    _ADAPTERS[id(rapport)] = adapter_of(app)
    runner = web.AppRunner(web_app(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield (
                fake,
                SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session),
                rapport,
            )
    finally:
        await adapter_of(app).drain(10)
        await runner.cleanup()
        await adapter_of(app).close()
        await rapport.close()
        await fake.stop()


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID",
                 "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def _form(fake: FakeSlack, text: str, trigger: str) -> str:
    return urllib.parse.urlencode({
        "command": "/rapport", "text": text, "user_id": "U1", "user_name": "u1",
        "team_id": TEAM, "channel_id": "C1", "response_url": fake.hook_url(),
        "trigger_id": trigger,
    })  # fmt: skip


async def test_a_replayed_signed_command_runs_once(any_database: str) -> None:
    async with serving(any_database) as (fake, send, rapport):
        stamp = int(time.time())
        gave, check = _form(fake, "gave Dana for SQL", "trig.r1"), _form(fake, f"check {ASK}", "t2")
        for body in (gave, gave, gave, check, check):  # the same signed bodies, posted again
            status, text, _ = await send.post(body, FORM, timestamp=stamp)
            assert (status, text) == (200, "")
        await fake.wait_for("hook", 2)
        await asyncio.sleep(0.5)
        assert len(fake.hooks()) == 2  # one answer each
        assert len(await rapport.store.endorsements(U1)) == 1
        # the same words typed again are a new command (a new trigger): they run
        await send.post(_form(fake, "gave Dana for SQL", "trig.r3"), FORM, timestamp=stamp)
        await fake.wait_for("hook", 3)
        assert len(await rapport.store.endorsements(U1)) == 2


async def test_a_live_process_keeps_its_jobs_from_a_second_one(any_database: str) -> None:
    """A rolling restart or a second process on the same database: the job a live process is
    carrying out is renewed, so the other never takes it, and the gave is stored once."""
    async with serving(any_database) as (fake, send, rapport):
        fake.delays["users.info"] = 3.0  # the work after the ack takes a while
        first = adapter_of_rapport(rapport)
        first.start_recovery(lease=1.0)  # renews its own jobs every 0.25 s
        assert (await send.slash("gave <@U77> for SQL"))[:2] == (200, "")
        async with serving(any_database) as (_, _, other_rapport):
            second = adapter_of_rapport(other_rapport)
            for _ in range(6):  # 3 s of looking, three leases
                await asyncio.sleep(0.5)
                assert await second.recover(lease=1.0) == 0
        await fake.wait_for("hook", 1, timeout=20)
        await asyncio.sleep(0.3)
        assert len(fake.hooks()) == 1 and len(await rapport.store.endorsements(U1)) == 1


async def test_the_dm_ack_does_not_wait_on_a_locked_database(tmp_path: Path) -> None:
    db = tmp_path / "dm.db"
    async with serving(f"sqlite:///{db}") as (fake, send, _):
        await send.dm("hello", event_id="EvWarm")
        await fake.wait_for("chat.postMessage")
        with contextlib.closing(sqlite3.connect(db)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            status, _, took = await send.dm("1", event_id="EvLocked")
            assert status == 200 and took < 1.0
            await asyncio.sleep(1.5)
            other.rollback()
        await fake.wait_for("chat.postMessage", 2)  # answered once the lock is gone


async def test_overload_answers_busy_at_once_instead_of_parking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = Rapport.check

    async def slow(self: Rapport, *args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(Rapport, "check", slow)
    monkeypatch.setattr(slack_app, "MAX_QUEUED", 3)
    async with serving(f"sqlite:///{tmp_path / 'busy.db'}") as (fake, send, rapport):
        first = [await send.slash(f"check {ASK} {i}") for i in range(3)]
        assert [a[:2] for a in first] == [(200, "")] * 3  # kept: running or waiting
        more = await asyncio.gather(*(send.slash(f"check {ASK} more {i}") for i in range(5)))
        gave = await send.slash("gave Dana for SQL")
        for status, text, took in (*more, gave):
            assert status == 200 and "busy right now" in text and took < 1.0
        release.set()
        await fake.wait_for("hook", 3)
        await asyncio.sleep(0.3)
        assert len(fake.hooks()) == 3  # the refused ones never ran
        assert await rapport.store.endorsements(U1) == []
        assert (await send.slash("gave Dana for SQL"))[:2] == (200, "")  # room again
        await fake.wait_for("hook", 4)
        assert len(await rapport.store.endorsements(U1)) == 1


# -- readiness -----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def served(env: dict[str, str]) -> AsyncIterator[str]:
    server = asyncio.ensure_future(run_serve(("slack",), env, Config()))
    base = f"http://127.0.0.1:{env['RAPPORT_PORT']}"
    try:
        yield base
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(server, 20) == 0
    finally:
        if not server.done():
            server.cancel()
            with contextlib.suppress(BaseException):
                await server


async def test_readyz_turns_red_when_sqlite_writes_fail_and_green_after(tmp_path: Path) -> None:
    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    db = tmp_path / "ready.db"
    env = base_env(tmp_path, fake, free_port(), db=f"sqlite:///{db}")
    try:
        async with served(env) as base, aiohttp.ClientSession() as session:
            await wait_up(session, base)
            assert (await get(session, base + "/readyz"))[0] == 200
            with contextlib.closing(sqlite3.connect(db)) as other:
                other.execute("BEGIN IMMEDIATE")  # no write can get through
                await ready_within(session, base + "/readyz", 503, 5.0)
                body = json.loads((await get(session, base + "/readyz"))[1])
                assert body["database"].startswith("unavailable")
                send = SlackSender(base + "/slack/events", SECRET, fake, session)
                status, text, took = await send.slash("gave Dana for SQL")
                assert status == 200 and "nothing was changed" in text and took < 3.0
                other.rollback()
            await ready_within(session, base + "/readyz", 200, 5.0)
    finally:
        await fake.stop()


async def test_readyz_turns_red_when_postgresql_is_read_only_and_green_after(
    tmp_path: Path,
) -> None:
    import asyncpg

    from tests.pg_cluster import cluster

    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    try:
        with cluster() as pg:
            env = base_env(tmp_path, fake, free_port(), db=pg.url)
            async with served(env) as base, aiohttp.ClientSession() as session:
                await wait_up(session, base)
                assert (await get(session, base + "/readyz"))[0] == 200
                admin = await asyncpg.connect(pg.url)
                try:
                    await admin.execute("ALTER SYSTEM SET default_transaction_read_only = on")
                    await admin.execute("SELECT pg_reload_conf()")
                    await ready_within(session, base + "/readyz", 503, 5.0)
                    await admin.execute("ALTER SYSTEM RESET default_transaction_read_only")
                    await admin.execute("SELECT pg_reload_conf()")
                finally:
                    await admin.close()
                await ready_within(session, base + "/readyz", 200, 5.0)
    finally:
        await fake.stop()
