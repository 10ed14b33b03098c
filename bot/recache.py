"""A disk cache of compiled regular expressions, so `rapport check` starts in milliseconds.

Python compiles regexes in pure Python; rapport's phrase lists take about half a second to
compile, every run.  The compiled form is a list of integers handed to `_sre.compile`, the
same call `re` makes itself.  This module stores those lists (with `marshal`, which can only
rebuild plain data, never code) under the user's cache folder, keyed by the Python version
and the regex engine's MAGIC number.  Anything unexpected (another Python, a damaged file, a
changed private interface) falls back to `re.compile`, silently and correctly.

RAPPORT_CACHE_DIR moves the cache; RAPPORT_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import atexit
import importlib
import marshal
import os
import re
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

# The regex engine's private parts: typed as Any on purpose, every use falls back to re.compile.
_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("_sre")

__all__ = ["cached_compile", "load_toml", "memo", "rx", "save"]

_KEY = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}-{array('I').itemsize}"
_entries: dict[str, Any] | None = None
_used: set[str] = set()
_dirty = False
#: Past this size the file is rewritten with only what this process used (old rule versions go).
MAX_BYTES = 8 * 1024 * 1024


def _code_tag() -> str:
    """A digest of the modules that derive cached data: changing their code empties the cache."""
    import zlib

    here = Path(__file__).resolve().parent
    crc = 0
    for name in ("recache.py", "lexicon.py", "firstword.py", "scanner.py"):
        try:
            crc = zlib.crc32((here / name).read_bytes(), crc)
        except OSError:
            return "nocode"
    return f"{crc:08x}"


def _cache_file() -> Path | None:
    if os.environ.get("RAPPORT_NO_CACHE"):
        return None
    root = os.environ.get("RAPPORT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    folder = base if os.environ.get("RAPPORT_CACHE_DIR") else base / "rapport"
    return folder / f"regex-{_KEY}-{_code_tag()}.marshal"


def _load() -> dict[str, Any]:
    global _entries
    if _entries is None:
        _entries = {}
        path = _cache_file()
        try:
            if path is not None and path.is_file():
                data = marshal.loads(path.read_bytes())
                if isinstance(data, dict):
                    _entries = data
        except (OSError, ValueError, EOFError, TypeError):
            _entries = {}
        atexit.register(save)
    return _entries


def save() -> None:
    """Write new entries to disk (atomically); never raises."""
    global _dirty
    path = _cache_file()
    if not _dirty or path is None or _entries is None:
        return
    try:
        data = marshal.dumps(_entries)
        if len(data) > MAX_BYTES:
            data = marshal.dumps({k: v for k, v in _entries.items() if k in _used})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regex-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        _dirty = False
        for stale in path.parent.glob(f"regex-{_KEY}-*.marshal"):  # older rapport code
            if stale != path:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass


def memo(kind: str, source: str, build: Any) -> Any:
    """`build()` cached on disk under (kind, source); the value must be plain marshal data."""
    global _dirty
    entries = _load()
    key = f"{kind}\0{source}"  # the source itself is the key: hashing it would cost more
    _used.add(key)
    if key in entries:
        return entries[key]
    value = build()
    try:
        marshal.dumps(value)
    except ValueError:
        return value
    entries[key] = value
    _dirty = True
    return value


def _compile_parts(pattern: str, flags: int) -> tuple[int, bytes, int, dict[str, int], tuple]:  # type: ignore[type-arg]
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the code is stored packed: loading bytes is far cheaper than rebuilding a list of ints
    packed = array("I", [int(op) for op in code]).tobytes()
    return (
        int(flags | parsed.state.flags),
        packed,
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def cached_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, built from cached code when this Python has seen it."""
    try:
        final_flags, packed, groups, groupindex, indexgroup = memo(
            "re", f"{int(flags)}\x00{pattern}", lambda: _compile_parts(pattern, flags)
        )
        code = array("I")
        code.frombytes(packed)
        compiled: re.Pattern[str] = _sre.compile(
            pattern, final_flags, code.tolist(), groups, groupindex, indexgroup
        )
        return compiled
    except Exception:  # any mismatch in the private interface: compile the ordinary way
        return re.compile(pattern, flags)


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Shorthand for `cached_compile`, for module-level patterns."""
    return cached_compile(pattern, flags)


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file parsed once per content (tomllib is pure Python and rule files are long)."""
    import tomllib

    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = memo("toml", text, lambda: tomllib.loads(text))
    return data
