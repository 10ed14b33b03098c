"""Checks off the event loop (bot/service/workers.py): the pool gives the same answers as checking
in-process, a check over its budget is a friendly answer and its worker is replaced, a full
pool says "busy", and a slow check never holds up another user on the real Slack path."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from rapport.adapters.slack.app import SlackSettings, adapter_of, build_app
from rapport.adapters.slack.server import web_app
from rapport.bot.config import Config, ConfigError
from rapport.bot.models import Context, Kind
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.workers import CheckRefused, Runner, WorkerPool, pool_from_env
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_sender import SlackSender

SECRET = "test-signing-secret"
USER = UserRef("slack", "T1", "U1")
OTHER = UserRef("slack", "T1", "U2")
DRAFTS = (
    "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!",
    "hey can u write me a recommendation asap?? need it by friday",
    "Hi Sam, thank you so much for the recommendation about my data work last week.",
    "Hi everyone!! Please like and share my new page <https://example.com|here> :tada:",
    "I'd like to connect: we met at PyCon in Lisbon and talked about async Python.",
    "John is great. Highly recommend!",
    "<@U2|dana> can you refer me to Lena at Stripe? I'll return the favour.",
    "Lunch at noon?",
    "PLEASE ENDORSE ME NOW " * 40,
    "x" * 3000,
)
SLOW = "[slow]"


class SlowFor(Runner):
    """The real pool, where a draft marked `[slow]` first waits `seconds` in its worker: a
    stand-in for a draft that takes the engine that long."""

    def __init__(self, pool: WorkerPool, seconds: float) -> None:
        self.pool, self.seconds = pool, seconds

    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        if job in ("read", "pasted") and SLOW in args[0]:
            await self.pool.run(key, config, "pause", self.seconds)
        return await self.pool.run(key, config, job, *args)

    async def close(self) -> None:
        await self.pool.close()


async def _pool(size: int = 2, budget: float = 10.0, queue: int = 16) -> WorkerPool:
    pool = WorkerPool(Config(), size=size, budget=budget, queue=queue)
    assert await pool.wait_ready(), "the check workers did not start"
    return pool


async def test_pool_answers_equal_in_process_answers(tmp_path: Path) -> None:
    here = Rapport(await open_store(f"sqlite:///{tmp_path / 'here.db'}"))
    there = Rapport(await open_store(f"sqlite:///{tmp_path / 'there.db'}"), workers=await _pool())
    try:
        for draft in DRAFTS:
            for rewrite in (False, True):
                for to in (None, "Dana"):
                    a = await here.check(USER, draft, to, rewrite=rewrite)
                    b = await there.check(USER, draft, to, rewrite=rewrite)
                    assert json.dumps(a.to_json()) == json.dumps(b.to_json()), draft
            assert await here.read_pasted(USER, draft) == await there.read_pasted(USER, draft)
        # the coach's own calls: a rewrite with answers, and a message from answers alone
        answers = {"recipient": "Dana", "relationship": "we shipped Atlas together at Acme"}
        context = Context(recipient="Dana")
        for service in (here, there):
            assert service.coach is not None
        rewrites = [await s._rewrite_for_coach(USER, DRAFTS[0], context, answers)
                    for s in (here, there)]  # fmt: skip
        assert rewrites[0] == rewrites[1] and rewrites[0] is not None
        composed = [await s._compose_for_coach(USER, Kind.ENDORSEMENT_REQUEST, answers, context,
                                               False, ()) for s in (here, there)]  # fmt: skip
        assert composed[0] == composed[1]
        # a whole coaching session reads the same through the pool
        for text in ("1", "Dana", "we shipped Atlas together at Acme", "no", "endorse me for SQL"):
            mine = await here.talk(SessionKey(USER, "D1"), text)
            pooled = await there.talk(SessionKey(USER, "D1"), text)
            assert (mine.text, mine.message, mine.findings) == (
                pooled.text,
                pooled.message,
                pooled.findings,
            )
    finally:
        await here.close()
        await there.close()


async def test_a_check_over_budget_is_a_friendly_answer_and_the_pool_recovers(
    tmp_path: Path,
) -> None:
    pool = await _pool(size=1, budget=0.5)
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 'b.db'}"),
                      workers=SlowFor(pool, 30))  # fmt: skip
    try:
        with pytest.raises(CheckRefused) as refused:
            await rapport.check(USER, f"{SLOW} Hi Dana, could you endorse me?")
        assert refused.value.reason == "too_long"
        # the stuck worker was killed and replaced: the next check works
        report = await rapport.check(USER, DRAFTS[0])
        assert report.kind is Kind.ENDORSEMENT_REQUEST
        # a coaching turn says so in words, and the session is as it was before it
        key = SessionKey(USER, "D1")
        await rapport.talk(key, "1")
        before = await rapport.store.load_session(key)
        reply = await rapport.talk(key, f"Hi Dana, could you endorse me for Python? {SLOW} " * 2)
        assert "too long or unusual" in reply.text and "first part" in reply.text
        after = await rapport.store.load_session(key)
        assert before is not None and after is not None and after.state == before.state
        assert "Who is it for?" in (await rapport.talk(key, "help")).text
    finally:
        await rapport.close()


async def test_a_full_pool_says_busy() -> None:
    pool = await _pool(size=1, budget=5, queue=0)
    try:
        first = asyncio.ensure_future(pool.run("", Config(), "pause", 0.5))
        await asyncio.sleep(0.05)  # the one worker is taken, and nothing may wait for it
        with pytest.raises(CheckRefused) as refused:
            await pool.run("", Config(), "pause", 0)
        assert refused.value.reason == "busy" and refused.value.wording == "check_busy"
        assert await first == 0.5
        assert await pool.run("", Config(), "pause", 0) == 0
    finally:
        await pool.close()


async def test_a_job_error_comes_back_and_the_worker_stays() -> None:
    pool = await _pool(size=1)
    try:
        with pytest.raises(ValueError, match="outreach kind"):
            await pool.run("", Config(), "compose", Kind.OTHER, {}, Context(), False, ())
        assert await pool.run("", Config(), "pause", 0) == 0
    finally:
        await pool.close()


def test_settings_come_from_the_environment() -> None:
    pool = pool_from_env(Config(), {"RAPPORT_CHECK_WORKERS": "3", "RAPPORT_CHECK_SECONDS": "2.5",
                                    "RAPPORT_CHECK_QUEUE": "7"})  # fmt: skip
    assert (pool.size, pool.budget, pool.queue) == (3, 2.5, 7)
    assert (pool_from_env(Config(), {}).size, pool_from_env(Config(), {}).budget) == (2, 5)
    for name, value in (("RAPPORT_CHECK_WORKERS", "0"), ("RAPPORT_CHECK_WORKERS", "1.5"),
                        ("RAPPORT_CHECK_SECONDS", "soon"), ("RAPPORT_CHECK_QUEUE", "-1")):  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            pool_from_env(Config(), {name: value})


class LoopLag:
    """Wakes every 5 ms and records how late it woke: the event loop's stalls."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - before - 0.005)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.ensure_future(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@pytest.fixture
async def pooled_slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID",
                 "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    fake = await FakeSlack(tokens={"xoxb-test"}).start()
    workers = SlowFor(await _pool(size=2, budget=1.5), 3.0)
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 's.db'}"), workers=workers)
    app = build_app(rapport, SlackSettings("xoxb-test", SECRET, api_url=fake.url + "/api"))
    runner = web.AppRunner(web_app(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session), fake
    await runner.cleanup()
    await adapter_of(app).close()
    await rapport.close()
    await fake.stop()


async def test_a_slow_check_holds_up_no_one_else_on_slack(pooled_slack: Any) -> None:
    send, fake = pooled_slack
    await send.slash("help", user="U9")  # warm Bolt's auth.test before timing anything
    await fake.wait_for("hook", 1)
    status, _, _ = await send.slash(f"check {SLOW} Hi Dana, could you endorse me?", user="U1")
    assert status == 200  # acknowledged while its check waits in a worker
    status, _, _ = await send.slash(f"check {DRAFTS[0]}", user="U2")
    assert status == 200
    hooks = await fake.wait_for("hook", 3)
    order = [c.method for c in fake.calls if c.method.startswith("hook:")]
    assert order == ["hook:h1", "hook:h3", "hook:h2"]  # the other user's answer came first
    assert "Request for an endorsement" in json.dumps(hooks[1])
    # the slow one ran over its budget (1.5 s): a clear answer, not silence
    assert "too long or unusual" in json.dumps(hooks[2])


async def test_an_adversarial_draft_leaves_the_loop_free(tmp_path: Path) -> None:
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 'a.db'}"), workers=await _pool())
    try:
        started = time.perf_counter()
        with LoopLag() as lag:
            long_one = asyncio.ensure_future(
                rapport.check(USER, "PLEASE ENDORSE ME NOW " * 1000, rewrite=True)
            )
            quick = await rapport.check(OTHER, DRAFTS[0])
            assert not long_one.done()  # the other user did not wait for it
            await asyncio.gather(long_one, return_exceptions=True)
        assert quick.kind is Kind.ENDORSEMENT_REQUEST
        # loose on purpose (machines are noisy): on the loop this draft stalls it for seconds;
        # bench/loop_stall.py measures the real figure
        assert lag.worst < 0.5, (lag.worst, time.perf_counter() - started)
    finally:
        await rapport.close()
