"""Structured logs for `rapport serve`: one JSON object per line, each with the request id of
the Slack request or Discord interaction it belongs to.

What rapport logs is ids, rule ids, timings and error kinds: never draft text, never secrets.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import uuid

__all__ = ["configure", "new_request_id", "request_id"]

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id(prefix: str = "", known: str | None = None) -> str:
    """Start a request: its id (the platform's own, `known`, when it has one; else a fresh one)
    goes on every log line written while it runs, in this task and the tasks it starts."""
    rid = f"{prefix}{known or uuid.uuid4().hex[:12]}"
    request_id.set(rid)
    return rid


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure(level: str = "INFO", json_lines: bool = True) -> None:
    """Log to stderr: JSON lines (for log collectors) or plain text (`RAPPORT_LOG_FORMAT=text`)."""
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
    handler.addFilter(_RequestId())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The libraries' own debug lines can carry message text (request bodies), which rapport
    # keeps out of its logs: they never go below INFO, whatever RAPPORT_LOG_LEVEL says.
    for library in ("slack_bolt", "slack_sdk", "discord", "aiohttp", "asyncpg", "aiosqlite"):
        logging.getLogger(library).setLevel(max(logging.INFO, root.level))
    for noisy in ("aiohttp.access", "discord.gateway", "discord.http"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
