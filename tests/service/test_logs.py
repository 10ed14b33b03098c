"""`rapport.bot.service.logs`: library debug lines stay out at any RAPPORT_LOG_LEVEL (even after Bolt resets its
loggers) unless opted in, Bolt's failed-verification line loses the body, and credentials are
masked in messages, tracebacks and extra fields, in JSON and in text."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from rapport.bot.service.logs import LIBRARIES, configure, libraries_from_env

PW = "hunter2-Xq"
DRAFT = "could you endorse me for Python"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    # Bolt apps built by other tests left levels on their loggers (and on "rapport", its name)
    touched = [
        n for n in logging.root.manager.loggerDict if n.startswith(("slack_bolt", "rapport"))
    ]
    levels = {n: logging.getLogger(n).level for n in (*LIBRARIES, *touched)}
    for name in touched:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def lines(err: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_libraries_stay_at_info_after_bolt_builds_its_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from slack_bolt.async_app import AsyncApp

    configure("DEBUG")
    AsyncApp(token="xoxb-x", signing_secret="s", name="rapport")  # sets its loggers to DEBUG
    assert logging.getLogger("slack_bolt.AsyncApp").isEnabledFor(logging.DEBUG)  # Bolt did
    logging.getLogger("slack_bolt.AsyncApp").debug("body: %s", DRAFT)
    logging.getLogger("rapport:direct_message").debug("listener: %s", DRAFT)  # Bolt's app logger
    logging.getLogger("aiohttp.client").debug("sent %s", DRAFT)
    logging.getLogger("websockets.client").debug("frame %s", DRAFT)
    logging.getLogger("rapport.slack").debug("rapport's own debug line")
    logging.getLogger("slack_bolt.AsyncApp").info("an info line")
    out = lines(capsys.readouterr().err)
    assert [x["message"] for x in out] == ["rapport's own debug line", "an info line"]


def test_an_opt_in_names_the_libraries_whose_debug_lines_are_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure("DEBUG", libraries=libraries_from_env("slack_bolt, websockets"))
    assert libraries_from_env(" slack_bolt,aiohttp  asyncpg") == (
        "slack_bolt",
        "aiohttp",
        "asyncpg",
    )
    logging.getLogger("slack_bolt.AsyncApp").debug("bolt")
    logging.getLogger("rapport:direct_message").debug("bolt's listener")
    logging.getLogger("websockets.client").debug("ws")
    logging.getLogger("aiohttp.client").debug("aiohttp")
    assert [x["message"] for x in lines(capsys.readouterr().err)] == [
        "bolt",
        "bolt's listener",
        "ws",
    ]


def test_info_level_drops_even_rapport_s_debug(capsys: pytest.CaptureFixture[str]) -> None:
    configure("INFO", libraries=("slack_bolt",))
    logging.getLogger("rapport.slack").debug("hidden")
    logging.getLogger("slack_bolt.AsyncApp").debug("hidden")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("opted_in", [(), ("slack_bolt",)])
def test_a_request_failing_verification_is_logged_without_its_body(
    capsys: pytest.CaptureFixture[str], opted_in: tuple[str, ...]
) -> None:
    configure("DEBUG", libraries=opted_in)
    logging.getLogger("slack_bolt.AsyncRequestVerification").info(
        "Invalid request signature detected (signature: v0=1, timestamp: 1, body: "
        f"command=%2Frapport&text={DRAFT}&response_url=https://hooks.slack.com/x)"
    )
    err = capsys.readouterr().err
    (line,) = lines(err)
    assert line["message"].startswith("Invalid request signature detected")
    assert DRAFT not in err and "hooks.slack.com" not in err


@pytest.mark.parametrize("json_lines", [True, False])
def test_credentials_are_masked_in_messages_tracebacks_and_extras(
    capsys: pytest.CaptureFixture[str], json_lines: bool
) -> None:
    configure("INFO", json_lines=json_lines)
    log = logging.getLogger("rapport.serve")
    url = f"postgresql://rapport@127.0.0.1:5/postgres?password={PW}"
    log.error("can't open %s", url)
    log.info("start", extra={"database": f"postgresql://ana:{PW}@db/x"})
    try:
        raise RuntimeError(f"lost host=db password={PW} (dsn)")
    except RuntimeError:
        log.exception("failed")
    logging.getLogger("asyncpg.pool").warning("PGPASSWORD=%s", PW)
    err = capsys.readouterr().err
    assert PW not in err
    assert "password=***" in err and "RuntimeError" in err and "PGPASSWORD=***" in err
    if json_lines:
        out = lines(err)  # still valid JSON, one object a line
        assert out[1]["database"] == "postgresql://ana:***@db/x"
        assert "Traceback" in out[2]["exc_info"]
