"""Turning raw input into draft text, with a friendly error for anything that is not a draft."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BadInput", "decode_bytes", "read_draft_file", "validate_text"]


class BadInput(ValueError):
    """Input rapport cannot check; the message is shown to the user as is."""


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


def read_draft_file(name: str) -> str:
    """The draft in the file `name`, as checked UTF-8 text; a missing file or a folder is
    BadInput naming it."""
    if not name.strip():
        raise BadInput("-f needs a file name")
    path = Path(name)
    try:
        if path.is_dir():
            raise BadInput(f"{path} is a folder: give the file that holds the draft")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except OSError as exc:
        raise BadInput(f"can't read {path}: {exc.strerror or exc}") from None
    return validate_text(decode_bytes(data, str(path)), str(path))
