"""What reaches people and logs from a real `rapport serve slack` (a child process, over HTTP on
127.0.0.1, with Slack faked by tests/fakes/slack.py): no database credentials, hosts or paths in
chat answers; no request bodies or draft text in logs, at DEBUG too; unsigned and malformed
requests refused cheaply (401/400) without a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.adapters.test_serve import ROOT, SECRET, base_env, free_port, wait_up
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_sender import SlackSender

PW = "hunter2-Xq"
DRAFT = "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!"


@dataclass
class Served:
    base: str
    send: SlackSender
    session: aiohttp.ClientSession
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.asynccontextmanager
async def serving(env: dict[str, str], fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Served]:
    """`rapport serve slack` in a child process; its stdout and stderr go to one file."""
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack", env=env, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{env['RAPPORT_PORT']}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_up(session, base)
            yield Served(
                base, SlackSender(base + "/slack/events", SECRET, fake, session), session, log
            )
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    yield fake
    await fake.stop()


def signature(body: bytes, timestamp: str) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


async def post(s: Served, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    async with s.session.post(
        s.base + "/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    ) as resp:
        await resp.read()
        return resp.status


def unsigned(stale: bool = False) -> dict[str, str]:
    now = int(time.time()) - (3600 if stale else 0)
    return {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "0" * 64}


MALFORMED = [
    (b"payload=%7B", "application/x-www-form-urlencoded"),
    (b"[1, 2, 3]", "application/json"),
    (b'{"type": "event_callback", "event": \xff\xfe\x80}', "application/json"),
    (b"payload=" + urllib.parse.quote("[" * 100_000).encode(), "application/x-www-form-urlencoded"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),
]


async def test_unsigned_and_malformed_requests_are_cheap_and_quiet(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = base_env(tmp_path, fake_slack, free_port())
    env["RAPPORT_LOG_LEVEL"] = "DEBUG"  # and it still holds
    async with serving(env, fake_slack, tmp_path) as s:
        served_at = len(s.text())
        # 1 MB of someone's draft, unsigned; and the same genuine request arriving an hour late
        form = {"command": "/rapport", "text": (DRAFT + " ") * 16_000, "user_id": "U1",
                "team_id": "T1", "response_url": fake_slack.hook_url()}  # fmt: skip
        big = urllib.parse.urlencode(form).encode()[:1_000_000]
        assert len(big) == 1_000_000
        started = time.perf_counter()
        for _ in range(20):
            assert await post(s, big, "application/x-www-form-urlencoded", unsigned()) == 401
        assert time.perf_counter() - started < 10
        stale = int(time.time()) - 3600
        assert (
            await post(s, big, "application/x-www-form-urlencoded", signature(big, str(stale)))
            == 401
        )
        for body, content_type in MALFORMED:  # unsigned: refused before anything reads them
            assert await post(s, body, content_type, unsigned()) == 401
        assert await post(s, b"payload=%7B", "application/x-www-form-urlencoded",
                          {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}) == 401  # fmt: skip
        for body, content_type in MALFORMED:  # signed but unreadable: 400, never a 500
            now = str(int(time.time()))
            assert await post(s, body, content_type, signature(body, now)) == 400
        status, _, _ = await s.send.slash(f"check {DRAFT}")  # the real thing still works
        assert status == 200
        await fake_slack.wait_for("hook")
        logs = s.text()
    written = logs[served_at:]
    assert len(written) < 20_000, len(written)  # a few lines, not megabytes
    assert "Python on LinkedIn" not in logs and "/hooks/" not in logs
    assert "Traceback" not in logs and "%7B" not in logs
    assert fake_slack.hooks() and len(fake_slack.hooks()) == 1  # no refused request ran


async def test_debug_level_logs_no_draft_text(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = base_env(tmp_path, fake_slack, free_port())
    env["RAPPORT_LOG_LEVEL"] = "DEBUG"
    async with serving(env, fake_slack, tmp_path) as s:
        status, _, _ = await s.send.slash(f"check {DRAFT}")
        assert status == 200
        await fake_slack.wait_for("hook")
        status, _, _ = await s.send.dm(DRAFT)
        assert status == 200
        await fake_slack.wait_for("chat.postMessage")
        await post(s, b"x=1", "application/x-www-form-urlencoded", unsigned())
        await asyncio.sleep(0.2)
    logs = s.text()
    lines = [json.loads(x) for x in logs.splitlines() if x.startswith("{")]
    assert any(x["level"] == "DEBUG" and x["logger"].startswith("rapport.") for x in lines)
    assert not any(x["level"] == "DEBUG" and not x["logger"].startswith("rapport.") for x in lines)
    assert "Python on LinkedIn" not in logs and "endorse me" not in logs


async def test_a_read_only_database_answers_in_plain_words(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """The probe: RAPPORT_DATABASE_URL with ?password=…, the server switched read-only, a coach
    turn in a Slack DM.  The answer names what failed; no password, host or URL anywhere."""
    import asyncpg

    from tests.pg_cluster import cluster

    with cluster() as pg:
        url = f"{pg.url}?password={PW}"
        env = base_env(tmp_path, fake_slack, free_port(), db=url)
        env["RAPPORT_LOG_LEVEL"] = "DEBUG"
        async with serving(env, fake_slack, tmp_path) as s:
            admin = await asyncpg.connect(pg.url)
            try:
                await admin.execute("ALTER SYSTEM SET default_transaction_read_only = on")
                await admin.execute("SELECT pg_reload_conf()")
            finally:
                await admin.close()
            await asyncio.sleep(0.5)  # every backend re-reads its settings
            status, _, _ = await s.send.dm("1")
            assert status == 200
            (answer,) = await fake_slack.wait_for("chat.postMessage")
            # a state change is written down before its ack: here the ack itself says sorry
            status, sorry, _ = await s.send.slash("ledger forget Dana")
            assert status == 200
        logs = s.text()
    said = json.dumps(answer) + json.dumps(sorry)
    assert "couldn't save that step" in said and "try again" in said
    for internal in (PW, "password", "postgresql", "127.0.0.1", str(pg.port), "rapport@"):
        assert internal not in said, internal
    assert PW not in logs
    assert "password=***" in logs  # the start-up line and the error line name it, masked
    assert "couldn't save a coaching step" in logs and "ReadOnlySQLTransactionError" in logs


def test_the_terminal_is_told_in_plain_words(tmp_path: Path) -> None:
    """A database that can't be reached: plain words and exit 2, never its URL or password."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_"))}
    env["RAPPORT_DATABASE_URL"] = f"postgresql://rapport@127.0.0.1:1/rapport?password={PW}"
    for args in (["ledger"], ["console"]):
        done = subprocess.run(
            [sys.executable, "-m", "rapport.adapters.terminal.cli", *args], env=env, capture_output=True, text=True,
            timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 2
        assert "can't connect to the PostgreSQL database in RAPPORT_DATABASE_URL" in done.stderr
        for internal in (PW, "postgresql://", "127.0.0.1", "Traceback", "OSError"):
            assert internal not in done.stderr, (internal, done.stderr)
    env["RAPPORT_DEBUG"] = "1"  # the details, on request, masked
    done = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "ledger"], env=env, capture_output=True, text=True,
        timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert "details: can't connect to postgresql://rapport@127.0.0.1:1/rapport?password=***" in (
        done.stderr
    )
    assert PW not in done.stderr


def test_a_url_the_driver_cannot_read_is_said_plainly(tmp_path: Path) -> None:
    """A raw "?" or "#" in the password: plain words and exit 2, the password masked even in
    the details RAPPORT_DEBUG=1 shows (it used to be an internal error with a traceback)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_"))}
    env["RAPPORT_DATABASE_URL"] = f"postgresql://rapport:{PW}?x#y@127.0.0.1:1/rapport"
    for debug in ("", "1"):
        done = subprocess.run(
            [sys.executable, "-m", "rapport.adapters.terminal.cli", "ledger"], env={**env, "RAPPORT_DEBUG": debug},
            capture_output=True, text=True, timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 2
        assert "can't read the PostgreSQL URL in RAPPORT_DATABASE_URL" in done.stderr
        assert PW not in done.stderr and "Traceback" not in done.stderr
