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


def new_request_id(prefix: str = "") -> str:
    """Start a request: a fresh id for every log line written while it runs."""
    rid = f"{prefix}{uuid.uuid4().hex[:12]}"
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
    for noisy in ("aiohttp.access", "discord.gateway", "discord.http"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
