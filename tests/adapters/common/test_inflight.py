"""adapters/common/inflight.py: acknowledged work is bounded, refused when full, drained on
shutdown; a state change is acknowledged once stored, or after the wait if it is slow."""

from __future__ import annotations

import asyncio

import pytest

import rapport.bot.metrics as metrics_module
from rapport.adapters.common.inflight import InFlight, ack_after
from rapport.bot.metrics import Metrics
from rapport.bot.wording import say


class Errors(Metrics):
    """Records the errors counted (the real recorder's interface)."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def error(self, kind: str) -> None:
        self.kinds.append(kind)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> Errors:
    recorder = Errors()
    monkeypatch.setattr(metrics_module, "_current", recorder)
    return recorder


async def test_only_running_slots_run_at_once_the_rest_wait_their_turn() -> None:
    work = InFlight(running=2)
    running = 0
    most = 0
    release = asyncio.Event()

    async def job() -> None:
        nonlocal running, most
        async with work.working():
            running += 1
            most = max(most, running)
            await release.wait()
            running -= 1

    tasks = [asyncio.ensure_future(job()) for _ in range(5)]
    await asyncio.sleep(0.05)
    assert (running, work.count) == (2, 5)  # two run; all five are held
    release.set()
    await asyncio.gather(*tasks)
    assert most == 2 and work.count == 0


async def test_a_state_change_takes_no_slot() -> None:
    work = InFlight(running=1)
    hold = asyncio.Event()

    async def check() -> None:
        async with work.working():
            await hold.wait()

    slow = asyncio.ensure_future(check())
    await asyncio.sleep(0.01)
    async with asyncio.timeout(1):
        async with work.working(slot=False):  # not behind the check holding the only slot
            assert work.count == 2
    hold.set()
    await slow


async def test_full_refuses_with_the_cores_busy_words_and_counts_it(errors: Errors) -> None:
    work = InFlight(running=1, waiting=2)
    assert work.refusal() is None and work.room() == 2
    hold = asyncio.Event()

    async def job() -> None:
        async with work.working():
            await hold.wait()

    tasks = [asyncio.ensure_future(job()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert work.full() and work.room() == 0
    assert work.refusal() == say("chat.busy")
    assert errors.kinds == ["busy"]
    hold.set()
    await asyncio.gather(*tasks)
    assert not work.full() and work.refusal() is None and errors.kinds == ["busy"]


async def test_without_a_bound_it_is_never_full() -> None:
    work = InFlight(running=1)
    assert not work.full() and work.refusal() is None and work.room() > 1000


async def test_drain_waits_for_held_work_and_says_whether_it_ended() -> None:
    work = InFlight(running=1)
    assert await work.drain(0)  # nothing held: drained at once
    release = asyncio.Event()

    async def job() -> None:
        async with work.working():
            await release.wait()

    task = asyncio.ensure_future(job())
    await asyncio.sleep(0.01)
    assert not await work.drain(0.05)
    release.set()
    assert await work.drain(1)
    await task


async def test_a_failing_job_still_lets_drain_finish() -> None:
    work = InFlight(running=1)
    with pytest.raises(RuntimeError):
        async with work.working():
            raise RuntimeError("boom")
    assert work.count == 0 and await work.drain(0)


async def test_ack_after_a_quick_write_comes_once_it_is_stored() -> None:
    seen: list[str] = []

    async def write() -> str:
        await asyncio.sleep(0.01)
        seen.append("stored")
        return "ok"

    async def ack() -> None:
        seen.append("ack")

    done = await ack_after(write(), ack, wait=1.0)
    assert seen == ["stored", "ack"] and await done == "ok"


async def test_ack_after_a_slow_write_comes_after_the_wait_and_the_write_goes_on() -> None:
    seen: list[str] = []
    release = asyncio.Event()

    async def write() -> str:
        await release.wait()
        seen.append("stored")
        return "ok"

    async def ack() -> None:
        seen.append("ack")

    running = await ack_after(write(), ack, wait=0.05)
    assert seen == ["ack"] and not running.done()
    release.set()
    assert await running == "ok" and seen == ["ack", "stored"]


async def test_ack_after_a_failed_write_still_acks_and_leaves_the_failure_to_report() -> None:
    acked = []

    async def write() -> None:
        raise ValueError("no disk")

    async def ack() -> None:
        acked.append(True)

    failed = await ack_after(write(), ack, wait=1.0)
    assert acked == [True]
    with pytest.raises(ValueError, match="no disk"):
        await failed
