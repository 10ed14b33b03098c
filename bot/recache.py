"""Start-up helpers: regexes compiled on first use, and a disk cache of rapport's own data.

Python compiles regexes in pure Python, so rapport compiles as little as it can, as late as it
can: `rx` patterns are compiled the first time they are used (most checks never use most of
them), and the phrase scanner compiles only the phrases a draft could match
(bot/engine/scanner.py, bot/engine/prefilter.py).  What is slow to derive and is plain data
(parsed rule files, expanded phrase lists, the phrase index, each phrase's alternatives with the
words they need) is kept with `marshal` (plain values only: no objects of rapport's, no pickle)
under the user's cache folder, keyed by the Python version and rapport's own code.  No compiled
regex and no private interpreter API is involved: a damaged or missing file only means the data
is derived again.

RAPPORT_CACHE_DIR moves the cache; RAPPORT_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import atexit
import marshal
import mmap
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Any

__all__ = ["load_toml", "memo", "rx", "save"]

_KEY = sys.implementation.cache_tag  # marshal's format may change between Python versions
#: The file: this magic, the index's length (8 bytes), the index, then one marshal blob per
#: entry. The index maps a short id (kind, source length, CRC-32 of the source) to an entry's
#: offset (from the first blob) and length; each blob holds the source too, so a CRC collision is a miss, never a
#: wrong answer. A one-shot check reads the index and only the entries it uses, where reading
#: and unmarshalling the whole file cost about 10 ms per start.
_MAGIC = b"rapport-data-cache-1\n"
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
    for name in (
        "recache.py",
        "engine/lexicon.py",
        "engine/regex_tree.py",
        "engine/firstword.py",
        "engine/prefilter.py",
        "engine/plainmatch.py",
        "engine/scanner.py",
    ):
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
    return folder / f"data-{_KEY}-{_code_tag()}.marshal"


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".data-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + len(packed).to_bytes(8, "little") + packed)
            for blob in blobs.values():
                fh.write(blob)
        os.replace(tmp, path)
        _new.clear()
        for stale in path.parent.glob(f"data-{_KEY}-*.marshal"):  # older rapport code
            if stale != path:
                stale.unlink(missing_ok=True)
        for old in path.parent.glob("regex-*.marshal"):  # compiled regex code, no longer used
            old.unlink(missing_ok=True)
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


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled the first time the pattern is used.

    For module-level patterns: importing a module then costs nothing, and a check compiles
    only the patterns it reaches.
    """
    return _Lazy(pattern, flags)  # type: ignore[return-value]


class _Lazy:
    """Stands in for a compiled pattern; compiles it on the first use of any of its attributes.

    After that, each attribute used (`search`, `finditer`, `flags`…) is the compiled pattern's
    own, copied onto this object, so later uses cost what they cost on the pattern itself.
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # only for names not yet on the object
        if name.startswith("__"):
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self._flags)
        value = getattr(self._compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"rx({self.pattern!r}, {self._flags!r})"


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file parsed once per content (tomllib is pure Python and rule files are long)."""
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = memo("toml", text, lambda: _parse_toml(text))
    return data


def _parse_toml(text: str) -> dict[str, Any]:
    import tomllib  # only on a cache miss: importing it costs a few ms of regex compiling

    return tomllib.loads(text)
