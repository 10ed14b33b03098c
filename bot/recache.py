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
import mmap
import os
import re
import sys
import zlib
from array import array
from pathlib import Path
from typing import Any

# The regex engine's private parts: typed as Any on purpose, every use falls back to re.compile.
_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("_sre")

__all__ = ["cached_compile", "load_toml", "memo", "rx", "save"]

_KEY = f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}-{array('I').itemsize}"
#: The file: this magic, the index's length (8 bytes), the index, then one marshal blob per
#: entry. The index maps a short id (kind, source length, CRC-32 of the source) to an entry's
#: offset (from the first blob) and length; each blob holds the source too, so a CRC collision is a miss, never a
#: wrong answer. A one-shot check reads the index and only the entries it uses (a sixth of
#: the file), where reading and unmarshalling the whole file cost about 10 ms per start.
_MAGIC = b"rapport-regex-cache-2\n"
_index: dict[str, tuple[int, int]] | None = None
_blob: bytes | mmap.mmap = b""
_base = 0  # where the first blob starts in `_blob`
_new: dict[str, tuple[str, Any]] = {}  # built by this process, not yet on disk
_read: dict[str, tuple[str, Any]] = {}  # read from disk by this process
_used: set[str] = set()
#: Past this size the file is rewritten with only what this process used (old rule versions go).
MAX_BYTES = 8 * 1024 * 1024


def _code_tag() -> str:
    """A digest of the modules that derive cached data: changing their code empties the cache."""
    here = Path(__file__).resolve().parent
    crc = 0
    for name in ("recache.py", "engine/lexicon.py", "engine/firstword.py", "engine/scanner.py"):
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


def _load() -> dict[str, tuple[int, int]]:
    """The index of the cache file (mapped, not read: entries are read when asked for)."""
    global _index, _blob, _base
    if _index is None:
        _index = {}
        path = _cache_file()
        try:
            if path is not None and path.is_file():
                with path.open("rb") as fh:
                    mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                head = len(_MAGIC) + 8
                if mapped[: len(_MAGIC)] == _MAGIC:
                    size = int.from_bytes(mapped[len(_MAGIC) : head], "little")
                    index = marshal.loads(mapped[head : head + size])
                    if isinstance(index, dict):
                        _index, _blob, _base = index, mapped, head + size
        except (OSError, ValueError, EOFError, TypeError):
            _index = {}
        atexit.register(save)
    return _index


def _entry_id(kind: str, source: str) -> str:
    return f"{kind}\0{len(source)}\0{zlib.crc32(source.encode('utf-8', 'surrogatepass')):08x}"


def _stored(entry: str) -> tuple[str, Any] | None:
    """(source, value) of an entry in the file, or None when absent or unreadable."""
    item = _read.get(entry)
    if item is not None:
        return item
    where = _load().get(entry)
    if where is None:
        return None
    offset, length = where
    try:
        item = marshal.loads(_blob[_base + offset : _base + offset + length])
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(item, tuple) and len(item) == 2):
        return None
    _read[entry] = item
    return item


def save() -> None:
    """Write new entries to disk (atomically) beside the old ones; never raises."""
    path = _cache_file()
    if not _new or path is None or _index is None:
        return
    try:
        blobs: dict[str, bytes] = {}
        for entry, (offset, length) in _index.items():
            if entry not in _new:
                blobs[entry] = bytes(_blob[_base + offset : _base + offset + length])
        for entry, item in _new.items():
            blobs[entry] = marshal.dumps(item)
        if sum(map(len, blobs.values())) > MAX_BYTES:
            blobs = {e: b for e, b in blobs.items() if e in _used}
        index: dict[str, tuple[int, int]] = {}
        offset = 0
        for entry, blob in blobs.items():
            index[entry] = (offset, len(blob))
            offset += len(blob)
        packed = marshal.dumps(index)
        import tempfile  # only when there is something new to write

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regex-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + len(packed).to_bytes(8, "little") + packed)
            for blob in blobs.values():
                fh.write(blob)
        os.replace(tmp, path)
        _new.clear()
        for stale in path.parent.glob(f"regex-{_KEY}-*.marshal"):  # older rapport code
            if stale != path:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass


def memo(kind: str, source: str, build: Any) -> Any:
    """`build()` cached on disk under (kind, source); the value must be plain marshal data."""
    entry = _entry_id(kind, source)
    _used.add(entry)
    fresh = _new.get(entry)
    if fresh is not None and fresh[0] == source:
        return fresh[1]
    stored = _stored(entry)
    if stored is not None and stored[0] == source:
        return stored[1]
    value = build()
    try:
        marshal.dumps(value)
    except ValueError:
        return value
    _new[entry] = (source, value)
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
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = memo("toml", text, lambda: _parse_toml(text))
    return data


def _parse_toml(text: str) -> dict[str, Any]:
    import tomllib  # only on a cache miss: importing it costs a few ms of regex compiling

    return tomllib.loads(text)
