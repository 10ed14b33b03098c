"""adapters/common/failures.py: a failure in the core is logged with its traceback, counted,
and the user is told the core's "try again" (never the error, never silence)."""

from __future__ import annotations

import asyncio
import logging

import pytest

import rapport.bot.metrics as metrics_module
from rapport.adapters.common.failures import tell_try_again, told_on_failure, try_again
from rapport.bot.errors import StoreError
from rapport.bot.metrics import Metrics
from rapport.bot.wording import say

log = logging.getLogger("test_failures.adapter")


@pytest.fixture(autouse=True)
def _captured(caplog: pytest.LogCaptureFixture) -> object:
    """The log's records reach caplog once, whatever logging set-up an earlier test left
    (`rapport serve` configures the `rapport` loggers)."""
    log.addHandler(caplog.handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    yield
    log.removeHandler(caplog.handler)


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


def test_try_again_logs_counts_and_gives_the_cores_words(
    errors: Errors, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise StoreError("database is locked")
    except StoreError as exc:
        words = try_again(log, "coach turn failed", exc)
    assert words == say("chat.try_again") and "database" not in words
    assert errors.kinds == ["store"]
    (record,) = [r for r in caplog.records if r.name == log.name]
    assert record.levelno == logging.ERROR and record.getMessage() == "coach turn failed"
    assert record.exc_info is not None and record.exc_info[0] is StoreError


async def test_told_on_failure_tells_once_and_ends_the_failure(errors: Errors) -> None:
    told: list[str] = []

    async def tell(words: str) -> None:
        told.append(words)

    async with told_on_failure(tell, log, "request failed"):
        raise RuntimeError("boom")
    assert told == [say("chat.try_again")] and errors.kinds == ["internal"]


async def test_told_on_failure_says_nothing_when_all_is_well(errors: Errors) -> None:
    told: list[str] = []

    async def tell(words: str) -> None:
        told.append(words)

    async with told_on_failure(tell, log, "request failed"):
        pass
    assert told == [] and errors.kinds == []


async def test_nobody_to_tell_is_still_logged(
    errors: Errors, caplog: pytest.LogCaptureFixture
) -> None:
    async with told_on_failure(None, log, "request failed"):
        raise RuntimeError("boom")
    assert errors.kinds == ["internal"]
    assert [r.getMessage() for r in caplog.records if r.name == log.name] == ["request failed"]


async def test_a_failure_to_tell_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def tell(words: str) -> None:
        raise ConnectionError("platform down")

    await tell_try_again(tell, log, "interaction failed", RuntimeError("boom"))
    messages = [r.getMessage() for r in caplog.records if r.name == log.name]
    assert messages == ["interaction failed", "couldn't report the failure"]


async def test_cancellation_is_not_a_failure_to_report() -> None:
    told: list[str] = []

    async def tell(words: str) -> None:
        told.append(words)

    with pytest.raises(asyncio.CancelledError):
        async with told_on_failure(tell, log, "request failed"):
            raise asyncio.CancelledError
    assert told == []
