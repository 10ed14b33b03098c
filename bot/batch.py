"""`rapport check --jsonl`: one `{"id", "text"}` per line in, one result per line out.

A bad line becomes an error object for that line (with its line number and id) and the rest
are still checked.  Input is streamed, so a large file never sits in memory.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from bot.inputs import BadInput, decode_bytes, validate_text
from bot.models import FACT_FIELDS, Context, Report

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


def _parse(raw: bytes, number: int) -> tuple[Any, str, Context, dict[str, str]]:
    """(id, text, context, facts) from one input line, or BadInput naming what is wrong."""
    line = decode_bytes(raw, f"line {number}")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInput(f"line {number} is not valid JSON ({exc.msg})") from None
    if not isinstance(item, dict):
        raise BadInput(f'line {number} must be a JSON object like {{"id": 1, "text": "…"}}')
    text = item.get("text")
    if not isinstance(text, str):
        raise BadInput(f'line {number} has no "text" string')
    recipient = item.get("to")
    context = Context(recipient=recipient if isinstance(recipient, str) else None)
    facts = item.get("facts", {})
    if not isinstance(facts, dict) or not all(
        k in FACT_FIELDS and isinstance(v, str) for k, v in facts.items()
    ):
        raise BadInput(
            f'line {number}: "facts" must map fact names ({", ".join(FACT_FIELDS)}) to strings'
        )
    return item.get("id"), validate_text(text, f"line {number}"), context, facts


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        if raw.strip():
            yield number, raw


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
    for number, raw in _lines(stream):
        item_id: Any = None
        try:
            item_id, text, context, facts = _item(raw, number, default_recipient)
            report = await check(text, context, {**(default_facts or {}), **facts})
        except BadInput as exc:
            _bad(summary, out, raw, number, item_id, exc)
        else:
            _good(summary, out, item_id, report)
        if progress is not None:
            progress.update(1)
    return summary


def _item(
    raw: bytes, number: int, default_recipient: str | None
) -> tuple[Any, str, Context, dict[str, str]]:
    item_id, text, context, facts = _parse(raw, number)
    if context.recipient is None and default_recipient:
        context = Context(recipient=default_recipient)
    return item_id, text, context, facts


def _bad(
    summary: BatchSummary, out: TextIO, raw: bytes, number: int, item_id: Any, exc: BadInput
) -> None:
    summary.bad_lines += 1
    if item_id is None:
        item_id = _salvage_id(raw)
    result = {"id": item_id, "line": number, "error": str(exc)}
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def _good(summary: BatchSummary, out: TextIO, item_id: Any, report: Report) -> None:
    summary.messages += 1
    summary.with_errors += report.has_errors
    summary.by_rule.update(f.rule for f in report.findings)
    out.write(json.dumps({"id": item_id, **report.to_json()}, ensure_ascii=False) + "\n")


def _salvage_id(raw: bytes) -> Any:
    """The id of a line that failed later than JSON parsing, when it can be read at all."""
    try:
        item = json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        return None
    return item.get("id") if isinstance(item, dict) else None
