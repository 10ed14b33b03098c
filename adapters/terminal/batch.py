"""`rapport check --jsonl`: one `{"id", "text"}` per line in, one result per line out.

A bad line becomes an error object for that line (with its line number and id) and the rest
are still checked.  Input is streamed, so a large file never sits in memory.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from rapport.adapters.terminal.inputs import (
    MAX_DRAFT_CHARS,
    MAX_LINE_BYTES,
    BadInput,
    LongLine,
    read_lines,
    validate_draft,
)
from rapport.adapters.terminal.jsonl import json_kind, load_line
from rapport.bot.models import FACT_FIELDS, Context, Report

#: What checks one draft: the engine alone, or the rewriter (check + rewrite).
Check = Callable[[str, Context, Mapping[str, str] | None], Report]
#: The same as a coroutine (the store-backed check reads the ledger and earlier checks).
AsyncCheck = Callable[[str, Context, Mapping[str, str] | None], Awaitable[Report]]

__all__ = ["AsyncCheck", "BatchSummary", "Check", "run_batch", "run_batch_async"]


@dataclass(slots=True)
class BatchSummary:
    """What a batch run saw, for the closing summary line and the exit code."""

    messages: int = 0
    bad_lines: int = 0
    with_errors: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def exit_code(self) -> int:
        """2 when any line was unreadable, else 1 when any message has an error finding."""
        if self.bad_lines:
            return 2
        return 1 if self.with_errors else 0

    def line(self) -> str:
        """One line: messages checked, findings by rule, unreadable lines."""
        rules = ", ".join(f"{rule} {n}" for rule, n in self.by_rule.most_common()) or "none"
        text = (
            f"checked {self.messages:,} message{'s' if self.messages != 1 else ''}; "
            f"{self.with_errors:,} with errors; findings by rule: {rules}"
        )
        if self.bad_lines:
            text += (
                f"; {self.bad_lines:,} line{'s' if self.bad_lines != 1 else ''} could not be read"
            )
        return text


_UNREAD = object()


def _fields(item: Any, number: int) -> tuple[str, Context, dict[str, str]]:
    """(text, context, facts) from one parsed line, or BadInput naming what is wrong."""
    if not isinstance(item, dict):
        raise BadInput(f'line {number} must be a JSON object like {{"id": 1, "text": "…"}}')
    text = item.get("text")
    if "text" not in item:
        raise BadInput(f'line {number} has no "text" string')
    if not isinstance(text, str):
        raise BadInput(f'line {number}: "text" must be a string, not {json_kind(text)}')
    recipient = item.get("to")
    if recipient is not None and not isinstance(recipient, str):
        raise BadInput(
            f'line {number}: "to" must be the recipient\'s name, not {json_kind(recipient)}'
        )
    context = Context(recipient=recipient)
    facts = item.get("facts", {})
    if not isinstance(facts, dict) or not all(
        k in FACT_FIELDS and isinstance(v, str) for k, v in facts.items()
    ):
        raise BadInput(
            f'line {number}: "facts" must map fact names ({", ".join(FACT_FIELDS)}) to strings'
        )
    return validate_draft(text, f"line {number}"), context, facts


def run_batch(
    check: Check,
    stream: BinaryIO,
    out: TextIO,
    default_recipient: str | None = None,
    progress: Any = None,
    default_facts: Mapping[str, str] | None = None,
) -> BatchSummary:
    """Check every line of `stream`, writing one JSON result (or error) per line to `out`.

    A line may carry its own `"to"` and `"facts"`; they win over the command line's.
    """
    import asyncio

    async def checked(text: str, context: Context, facts: Mapping[str, str] | None) -> Report:
        return check(text, context, facts)

    return asyncio.run(
        run_batch_async(checked, stream, out, default_recipient, progress, default_facts)
    )


async def run_batch_async(
    check: AsyncCheck,
    stream: BinaryIO,
    out: TextIO,
    default_recipient: str | None = None,
    progress: Any = None,
    default_facts: Mapping[str, str] | None = None,
) -> BatchSummary:
    """`run_batch` with a coroutine check, one line after another in order: over the store a
    line is checked as `rapport check` checks one draft (the ledger, unreciprocated
    endorsements, the same message sent to many), so a repeat further down is found."""
    summary = BatchSummary()
    for number, raw in read_lines(stream):
        item: Any = _UNREAD
        item_id: Any = None
        try:
            if isinstance(raw, LongLine):
                raise _too_long(number)
            item = load_line(raw, number)
            item_id = item.get("id") if isinstance(item, dict) else None
            text, context, facts = _fields(item, number)
            if context.recipient is None and default_recipient:
                context = Context(recipient=default_recipient)
            report = await check(text, context, {**(default_facts or {}), **facts})
        except BadInput as exc:
            if item is _UNREAD:  # e.g. bad UTF-8 elsewhere on the line: the id may still be read
                item_id = _salvage_id(raw)
            _bad(summary, out, number, item_id, exc)
        else:
            _good(summary, out, item_id, report)
        if progress is not None:
            progress.update(1)
    return summary


def _too_long(number: int) -> BadInput:
    """The error for a line past MAX_LINE_BYTES (only its first bytes were read)."""
    return BadInput(
        f"line {number} is longer than {MAX_LINE_BYTES:,} bytes; rapport reads --jsonl lines "
        f"up to {MAX_LINE_BYTES:,} bytes (a draft of up to {MAX_DRAFT_CHARS:,} characters): "
        "check the first part"
    )


def _bad(
    summary: BatchSummary,
    out: TextIO,
    number: int,
    item_id: Any,
    exc: BadInput,
) -> None:
    summary.bad_lines += 1
    result = {"id": item_id, "line": number, "error": str(exc)}
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def _good(summary: BatchSummary, out: TextIO, item_id: Any, report: Report) -> None:
    summary.messages += 1
    summary.with_errors += report.has_errors
    summary.by_rule.update(f.rule for f in report.findings)
    out.write(json.dumps({"id": item_id, **report.to_json()}, ensure_ascii=False) + "\n")


#: `{"id": <a string or number>,` at the start of a line: the id of a line that can't be read.
_LEADING_ID = re.compile(
    rb'\s*(?:\xef\xbb\xbf)?\s*\{\s*"id"\s*:\s*(-?[0-9]{1,30}|"(?:[^"\\\x00-\x1f]|\\.){0,200}")\s*[,}]'
)


def _salvage_id(raw: bytes | LongLine) -> Any:
    """The id of a line that could not be read, when it can be: from the whole line with bad
    UTF-8 replaced, else from a `{"id": …,` at its start (all a long line keeps)."""
    if isinstance(raw, bytes):
        try:
            item = load_line(raw.decode("utf-8", errors="replace"), 0)
            return item.get("id") if isinstance(item, dict) else None
        except BadInput:
            pass
    found = _LEADING_ID.match(raw.head if isinstance(raw, LongLine) else raw[:512])
    try:
        return load_line(found.group(1).decode("utf-8"), 0) if found else None
    except (BadInput, UnicodeDecodeError):
        return None
