"""One --jsonl line read as JSON, strictly: anything that is not plain, sensible JSON is a
`BadInput` with a one-line reason (the line's number first), never an exception from deep
inside the parser.

Refused: text that is not JSON, a key given twice in one object, NaN and Infinity, a number
too long or too large to read, arrays or objects nested more than `MAX_DEPTH` deep (the parser's
own recursion limit is caught too), and a `\\uD800`-style escape that is half a character.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rapport.adapters.terminal.inputs import BadInput, decode_bytes

__all__ = ["MAX_DEPTH", "json_kind", "load_line"]

#: The deepest nesting of arrays and objects a line may have (a draft line needs two).
MAX_DEPTH = 64


class _Invalid(ValueError):
    """Raised from inside the JSON parser: what is wrong with the line, without its number."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Invalid(f"has the key {_shown(key)} twice")
        seen.add(key)
    return dict(pairs)


def _int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # past Python's limit on digits (4,300 by default)
        raise _Invalid(f"has a number too long to read ({len(digits):,} digits)") from None


def _float(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise _Invalid(f"has a number too large to read ({digits[:20]})")
    return value


def _constant(name: str) -> Any:
    raise _Invalid(f"has {name}, which is not a JSON number")


def _shown(value: str, limit: int = 40) -> str:
    """A string from the input as JSON with \\u escapes, short: safe in any message."""
    text = json.dumps(value[:limit])
    return text if len(value) <= limit else text[:-1] + '…"'


def load_line(raw: bytes | str, number: int) -> Any:
    """The JSON value on one line, or BadInput with a one-line reason: not JSON, a duplicate
    key, NaN or Infinity, a number too large, nesting deeper than MAX_DEPTH, a lone surrogate."""
    line = decode_bytes(raw, f"line {number}") if isinstance(raw, bytes) else raw
    try:
        item = json.loads(
            line,
            object_pairs_hook=_unique,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
        _walk(item)
    except _Invalid as exc:
        raise BadInput(f"line {number} {exc}") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"line {number} is not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise BadInput(
            f"line {number} nests arrays or objects more than {MAX_DEPTH} deep"
        ) from None
    return item


def _walk(item: Any) -> None:
    """_Invalid for nesting deeper than MAX_DEPTH or a string that is not text (a lone
    surrogate from a \\u escape); iterative, so any depth is safe."""
    stack = [(item, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = f"\\u{ord(value[exc.start]):04x}"
                raise _Invalid(
                    f"has {code}, half of a character (a lone surrogate): not text"
                ) from None
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _Invalid(f"nests arrays or objects more than {MAX_DEPTH} deep")
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children)


def json_kind(value: Any) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "an object"
