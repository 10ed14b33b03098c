"""Structured logs for `rapport serve`: one JSON object per line, each with the request id of
the Slack request or Discord interaction it belongs to.

What rapport logs is ids, rule ids, timings and error kinds: never draft text, never secrets.
One filter on the handler enforces it for every line, the libraries' included:
- the libraries' own lines below INFO (which carry request and response bodies) are dropped,
  whatever `RAPPORT_LOG_LEVEL` says and whatever level a library sets on its own loggers (Bolt
  resets its loggers to the root's level when it builds an app), unless
  `RAPPORT_LOG_LIBRARIES` names the library (a debugging aid: those lines can hold drafts);
- slack-bolt's line about a request that failed signature verification loses the request's
  body (anyone can send one, so it is never logged, opted in or not);
- every credential in a message, a traceback or an extra field is masked (`rapport.bot.redact`).
"""

from __future__ import annotations

import contextvars
import logging
import sys
import uuid
from collections.abc import Iterable

from rapport.bot.redact import redact

__all__ = ["LIBRARIES", "configure", "libraries_from_env", "new_request_id", "request_id"]

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

#: The libraries whose debug output is kept out unless named in RAPPORT_LOG_LIBRARIES.
LIBRARIES = ("slack_bolt", "slack_sdk", "discord", "aiohttp", "asyncpg", "aiosqlite")
_NOISY = ("aiohttp.access", "discord.gateway", "discord.http")  # WARNING and up
# Bolt names its listener and middleware loggers after the app ("rapport", "rapport:<function>");
# they count as slack_bolt's.  rapport's own loggers are "rapport.<part>".
_BOLT_APP = ("rapport", "rapport:")
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
_UNVERIFIED = "Invalid request signature detected"


def new_request_id(prefix: str = "", known: str | None = None) -> str:
    """Start a request: its id (the platform's own, `known`, when it has one; else a fresh one)
    goes on every log line written while it runs, in this task and the tasks it starts."""
    rid = f"{prefix}{known or uuid.uuid4().hex[:12]}"
    request_id.set(rid)
    return rid


def libraries_from_env(raw: str | None) -> tuple[str, ...]:
    """RAPPORT_LOG_LIBRARIES: comma- or space-separated logger names ("slack_bolt,aiohttp")."""
    return tuple(n for n in (raw or "").replace(",", " ").split() if n)


def _under(name: str, parent: str) -> bool:
    return name == parent or name.startswith(parent + ".")


def _library_of(name: str) -> str | None:
    """The library a logger belongs to (None: rapport's own, or an unknown one)."""
    if name == _BOLT_APP[0] or name.startswith(_BOLT_APP[1]):
        return "slack_bolt"
    if _under(name, "rapport"):
        return None
    return next((lib for lib in LIBRARIES if _under(name, lib)), name.split(".", 1)[0])


class _Guard(logging.Filter):
    """Request ids on every line; library debug lines out; pre-authentication bodies out;
    credentials masked."""

    def __init__(self, opted_in: Iterable[str]) -> None:
        super().__init__()
        self.opted_in = tuple(opted_in)
        self._tracebacks = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        if record.levelno < logging.INFO and not self._debug_allowed(record.name):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format arguments: keep what can be kept
            message = str(record.msg)
        if record.name.startswith("slack_bolt") and message.startswith(_UNVERIFIED):
            message = f"{_UNVERIFIED}; the request was refused (its body is not logged)"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = self._tracebacks.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        return True

    def _debug_allowed(self, name: str) -> bool:
        library = _library_of(name)
        return library is None or any(
            _under(name, opted) or library == opted for opted in self.opted_in
        )


def configure(level: str = "INFO", json_lines: bool = True, libraries: Iterable[str] = ()) -> None:
    """Log to stderr: JSON lines (for log collectors) or plain text (`RAPPORT_LOG_FORMAT=text`).

    `level` is rapport's own; the libraries stay at INFO unless named in `libraries`."""
    opted_in = tuple(libraries)
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(_Guard(opted_in))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The filter decides; these levels only spare the libraries building lines nobody reads.
    for library in LIBRARIES:
        wanted = root.level if library in opted_in else max(logging.INFO, root.level)
        logging.getLogger(library).setLevel(wanted)
    for noisy in _NOISY:
        if not any(_under(noisy, opted) for opted in opted_in):
            logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
