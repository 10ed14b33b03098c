"""Turning raw input into draft text, with a friendly error for anything that is not a draft.

Every read is bounded.  The engine checks the first `MAX_CHARS` (20,000) characters of a draft;
rapport reads a draft of up to `MAX_DRAFT_CHARS` (five times that: 100,000 characters), so any
draft the engine reads whole, in any script, fits with room to spare and a long one gets the
engine's "checked its first 20,000 characters" note, while a file dumped by mistake, `yes` or
/dev/zero is refused after at most `MAX_DRAFT_BYTES` (400,000 bytes: UTF-8 takes at most four
bytes a character) instead of filling memory.  A --jsonl line may be up to `MAX_LINE_BYTES`
(1 MiB: a draft at the cap written entirely in `\\uXXXX` escapes, six bytes a character, plus its
id, recipient and facts); a longer line is skipped in chunks, never held whole.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from rapport.bot.engine.text import MAX_CHARS

__all__ = [
    "MAX_DRAFT_BYTES", "MAX_DRAFT_CHARS", "MAX_LINE_BYTES", "BadInput", "LongLine",
    "decode_bytes", "read_draft", "read_draft_file", "read_lines", "too_long",
    "validate_draft", "validate_text",
]  # fmt: skip

#: The longest draft rapport reads, in characters (the engine checks the first MAX_CHARS).
MAX_DRAFT_CHARS = 5 * MAX_CHARS
#: The most bytes of one draft ever read: a UTF-8 character is at most four bytes.
MAX_DRAFT_BYTES = 4 * MAX_DRAFT_CHARS
#: The longest --jsonl line read, in bytes: the longest draft as `\uXXXX` escapes, and room.
MAX_LINE_BYTES = 1 << 20
_CHUNK = 1 << 16


class BadInput(ValueError):
    """Input rapport cannot check; the message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class LongLine:
    """A --jsonl line longer than MAX_LINE_BYTES: only its first bytes were kept."""

    head: bytes


def too_long(where: str | None = None) -> BadInput:
    """The error for a draft past MAX_DRAFT_CHARS (`where` names the file or line, if any)."""
    prefix = f"{where}: " if where else ""
    return BadInput(
        f"{prefix}the draft is longer than {MAX_DRAFT_CHARS:,} characters; rapport reads "
        f"drafts up to {MAX_DRAFT_CHARS:,} characters: check the first part"
    )


def decode_bytes(data: bytes, where: str = "input") -> str:
    """UTF-8 text from bytes (a BOM is fine); binary data and other encodings are refused."""
    if b"\x00" in data:
        raise BadInput(f"{where} looks like binary data, not text; rapport checks UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{where} is not valid UTF-8 text (byte {exc.start}); "
            "save the draft as UTF-8 and try again"
        ) from None


def validate_text(text: str, where: str = "input") -> str:
    """The draft itself, or BadInput when there is nothing to check or it is not real text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: undecodable bytes on the command line
        raise BadInput(
            f"{where} is not valid UTF-8 text; save the draft as UTF-8 and try again"
        ) from None
    if "\x00" in text:
        raise BadInput(f"{where} looks like binary data, not text")
    if not text.strip():
        raise BadInput("nothing to check: the draft is empty")
    return text


def validate_draft(text: str, where: str = "input") -> str:
    """`validate_text`, and BadInput for a draft longer than MAX_DRAFT_CHARS."""
    if len(text) > MAX_DRAFT_CHARS:
        raise too_long(None if where in ("stdin", "the draft") else where)
    return validate_text(text, where)


def read_draft(stream: BinaryIO, where: str = "stdin") -> str:
    """The draft in `stream`, read in chunks and refused as soon as it is binary, not UTF-8 or
    longer than MAX_DRAFT_CHARS: memory stays flat on endless input such as /dev/zero."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    parts: list[str] = []
    chars = offset = 0
    while True:
        chunk = stream.read(_CHUNK)
        if b"\x00" in chunk:
            raise BadInput(f"{where} looks like binary data, not text; rapport checks UTF-8 text")
        try:
            part = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"{where} is not valid UTF-8 text (byte {offset + max(0, exc.start)}); "
                "save the draft as UTF-8 and try again"
            ) from None
        chars += len(part)
        if chars > MAX_DRAFT_CHARS:
            raise too_long(None if where == "stdin" else where)
        parts.append(part)
        offset += len(chunk)
        if not chunk:
            return validate_text("".join(parts), where)


def read_draft_file(name: str) -> str:
    """The draft in the file `name`, as checked UTF-8 text; a missing file or a folder is
    BadInput naming it."""
    if not name.strip():
        raise BadInput("-f needs a file name")
    path = Path(name)
    try:
        if path.is_dir():
            raise BadInput(f"{path} is a folder: give the file that holds the draft")
        with path.open("rb") as stream:
            return read_draft(stream, str(path))
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except OSError as exc:
        raise BadInput(f"can't read {path}: {exc.strerror or exc}") from None


def read_lines(
    stream: BinaryIO, limit: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes | LongLine]]:
    """(line number, bytes) for each non-blank line of `stream`; a line longer than `limit`
    bytes is a `LongLine` holding its first bytes, the rest then read in chunks and dropped."""
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            if raw.strip():
                yield number, raw
            continue
        yield number, LongLine(raw[:512])  # said at once, even if the line never ends
        while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
            pass
