"""`SQLiteStore`: the `Store` protocol on one SQLite file (or `:memory:`), through aiosqlite.

One connection per store.  aiosqlite runs its statements one at a time on its own thread, and
an asyncio lock keeps each operation (and each multi-statement transaction) whole when many
coroutines share the store.  Other processes (or stores) on the same file wait for each other
through WAL mode and `busy_timeout`; write transactions start with `BEGIN IMMEDIATE`, so they
queue for the write lock instead of failing on a lock upgrade.

Start-up never writes to a file that isn't rapport's: a file that isn't SQLite, a SQLite
database without rapport's `meta` marker, or one from a newer rapport raises `StoreError`
naming the file, after looking at it only through a read-only connection.

Privacy: deleting text (`delete_session`, `forget`, `set_remember(False)`) leaves no copy in the
database files.  `secure_delete=ON` makes SQLite zero deleted cells and freed pages; in WAL
mode the zeroed pages go to the WAL first, while older WAL frames (and the main file) still hold
the text, so the delete is followed by `PRAGMA wal_checkpoint(TRUNCATE)`: the zeroed pages are
copied over the main file and the WAL is cut to zero bytes.  tests/storage/test_storage.py checks
the raw bytes of the .db, -wal and -shm files; no VACUUM was needed (see `_scrub`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Collection
from pathlib import Path
from typing import Any

import aiosqlite

from rapport.bot.engine.fingerprint import BANDS, bands, hamming
from rapport.bot.errors import couldnt as _couldnt
from rapport.bot.storage.base import (
    QUICK_WRITE_SECONDS,
    Alias,
    Endorsement,
    FingerprintHit,
    Job,
    Person,
    Relationship,
    SavedMessage,
    SessionKey,
    StoredSession,
    StoreError,
    UserRef,
)
from rapport.bot.storage.migrations import classify, migrate, read_schema

__all__ = ["SHARED_TABLES", "USER_TABLES", "SQLiteStore"]

_MAGIC = b"SQLite format 3\x00"
_MASK64 = (1 << 64) - 1
_SIGN = 1 << 63

# Per-connection settings, busy_timeout first so everything after it waits for locks.
# temp_store=MEMORY: sorts and temporary b-trees never spill draft text into temporary files.
_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
)

#: Every table holding a user's rows: what `forget` deletes from (a test keeps it complete).
USER_TABLES = (
    "sessions",
    "relationships",
    "endorsements",
    "checks",
    "fingerprints",
    "preferences",
    "saved_messages",
    "aliases",
)

#: Tables with no user rows: rapport's marker and key, an admin's workspace settings (whose
#: `updated_by` forget blanks), ids of platform deliveries already handled, and acknowledged
#: work not yet carried out (deleted, and scrubbed, once done).
SHARED_TABLES = ("meta", "workspace_settings", "deliveries", "jobs")

_SCOPE = "platform = ? AND workspace = ? AND user_id = ?"
_OPEN_ATTEMPTS = 20

# Near-duplicate lookup: a hash within 3 bits agrees exactly with the stored one on at least one
# of its four 16-bit bands (pigeonhole), so the candidates are the union of four equality
# lookups, each on its own (scope, band, at) index.  INDEXED BY makes a missing index an error
# instead of a silent scan.  The exact distance is computed in Python.
_PIGEONHOLE_MAX = BANDS - 1
_SIMILAR_BANDED = " UNION ".join(
    f"SELECT id, simhash, recipient, at FROM fingerprints INDEXED BY fingerprints_b{n} "
    f"WHERE {_SCOPE} AND b{n} = ? AND at >= ?"
    for n in range(BANDS)
)
# Wider searches can't use the bands: every fingerprint of the user since `since` is compared.
_SIMILAR_SCAN = (
    "SELECT id, simhash, recipient, at FROM fingerprints INDEXED BY fingerprints_scope "
    f"WHERE {_SCOPE} AND at >= ?"
)


def _signed(h: int) -> int:
    """The unsigned 64-bit hash as SQLite's signed 64-bit INTEGER (same bits)."""
    if not 0 <= h <= _MASK64:
        raise ValueError(f"a fingerprint is an unsigned 64-bit integer, got {h}")
    return h - (1 << 64) if h & _SIGN else h


def _unsigned(value: int) -> int:
    return value & _MASK64


def _scope(user: UserRef) -> tuple[str, str, str]:
    return (user.platform, user.workspace, user.user_id)


async def _inspect(path: Path) -> None:
    """Refuse a file that isn't an empty or rapport database, touching it read-only."""
    where = str(path)
    if path.is_dir():
        message = f"{where} is a folder, not a database file; point the URL at a file"
        raise StoreError(message, message)
    try:
        with path.open("rb") as f:
            head = f.read(len(_MAGIC))
    except FileNotFoundError:
        return  # created and migrated
    except OSError as exc:
        message = f"{where}: can't read it ({exc.strerror})"
        raise StoreError(message, message) from None
    if not head:
        return  # an empty file is a new database
    if head != _MAGIC:
        message = (
            f"{where} is not a SQLite database; rapport left it untouched: move it aside, "
            "or set RAPPORT_DATABASE_URL to another file (sqlite:///path/to/rapport.db)"
        )
        raise StoreError(message, message)
    try:
        ro = await aiosqlite.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(
            f"{where}: can't open it read-only ({exc})", f"{where}: can't open it read-only"
        ) from None
    try:
        await ro.execute(_PRAGMAS[0])  # busy_timeout: another rapport may be migrating it
        tables, meta = await read_schema(ro)
    except sqlite3.OperationalError as exc:
        raise StoreError(
            f"{where}: can't read it ({exc}); is another program using it?",
            f"{where}: can't read it; is another program using it?",
        ) from None
    except sqlite3.DatabaseError as exc:
        advice = "rapport left it untouched: restore it from a backup or move it aside"
        raise StoreError(
            f"{where} is damaged or not a SQLite database ({exc}); {advice}",
            f"{where} is damaged or not a SQLite database; {advice}",
        ) from None
    finally:
        await ro.close()
    classify(where, tables, meta)


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (extended codes included)."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (5, 6)


async def _prepare(db: aiosqlite.Connection, on_disk: bool, where: str) -> None:
    """Settings, migrations, then WAL mode: persistent, so set once the file is known to be
    rapport's (migrate re-checks that inside its own transaction)."""
    for pragma in _PRAGMAS:
        await db.execute(pragma)
    await migrate(db, where)
    rows = list(await db.execute_fetchall("PRAGMA journal_mode = WAL"))
    mode = str(rows[0][0]) if rows else "?"
    if on_disk and mode.lower() != "wal":
        message = f"{where}: can't switch to WAL mode (journal mode is {mode})"
        raise StoreError(message, message)
    # A process killed between a deletion and its delayed scrub left the deleted text in old
    # WAL frames: scrub at every start, so no ended session outlives a kill -9 on disk.
    await db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")


@contextlib.asynccontextmanager
async def _immediate(db: aiosqlite.Connection) -> AsyncIterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")


class SQLiteStore:
    """rapport's storage in one SQLite file; open it with `SQLiteStore.open` (or `open_store`)."""

    url: str
    scrub_delay = 0.2  # seconds between a session's end and the scrub of its text

    def __init__(self, db: aiosqlite.Connection, url: str) -> None:
        self.url = url
        self._db = db
        self._lock = asyncio.Lock()
        self._closed = False
        self._secret: bytes | None = None
        self._scrub_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | None) -> SQLiteStore:
        """Open (creating and migrating if needed) the database at `path`; None: in memory.

        Refuses, without writing to it, a file that isn't rapport's or is from a newer rapport.
        """
        url = "sqlite:///" + (str(path) if path is not None else ":memory:")
        where = str(path) if path is not None else url
        if path is not None:
            await _inspect(path)
        # Two processes opening a new file at once can collide where SQLite won't wait (both
        # switching it to WAL mode): start again; every step is idempotent.
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                db = await aiosqlite.connect(
                    str(path) if path is not None else ":memory:", isolation_level=None
                )
            except sqlite3.Error as exc:
                raise StoreError(
                    f"{where}: can't open the database ({exc})", f"{where}: can't open it"
                ) from None
            try:
                await _prepare(db, path is not None, where)
            except sqlite3.Error as exc:
                await db.close()
                if _busy(exc) and attempt + 1 < _OPEN_ATTEMPTS:
                    await asyncio.sleep(0.01 * (attempt + 1))
                    continue
                raise StoreError(
                    f"{where}: can't prepare the database ({exc})", f"{where}: can't prepare it"
                ) from None
            except BaseException:
                await db.close()
                raise
            return cls(db, url)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- plumbing ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _op(self, what: str) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, to this operation alone; SQLite errors become `StoreError`."""
        async with self._lock:
            if self._closed:
                raise StoreError(f"{self.url}: the store is closed")
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise StoreError(f"{self.url}: couldn't {what} ({exc})", _couldnt(what)) from exc

    @contextlib.asynccontextmanager
    async def _transaction(self, what: str) -> AsyncIterator[aiosqlite.Connection]:
        """`_op` inside BEGIN IMMEDIATE … COMMIT (rolled back on any error)."""
        async with self._op(what) as db, _immediate(db):
            yield db

    @contextlib.asynccontextmanager
    async def _quick(self, what: str) -> AsyncIterator[aiosqlite.Connection]:
        """`_transaction`, waiting at most `QUICK_WRITE_SECONDS` for another process's lock."""
        async with self._op(what) as db:
            await db.execute(f"PRAGMA busy_timeout = {int(QUICK_WRITE_SECONDS * 1000)}")
            try:
                async with _immediate(db):
                    yield db
            finally:
                await db.execute(_PRAGMAS[0])

    async def _scrub(self) -> None:
        """Move zeroed pages into the main file and empty the WAL (call after deleting text).

        Measured with a churn of 2,000 sessions and saved messages of 100 B to 20 kB for 20
        users (updates, deletes and `set_remember(False)` at random, then `forget` for all),
        counting unique markers left in the raw .db/-wal/-shm bytes while the store is open:
        secure_delete=ON and this checkpoint leave 0; secure_delete=FAST leaves 146 (it skips
        freelist and overflow pages), OFF 248; ON without the checkpoint leaves 186 in the
        -wal.  Freed pages are zeroed, so no VACUUM or incremental vacuum is needed (the file
        keeps its size; the space is reused).  If another connection holds an old snapshot the
        checkpoint can't finish; the WAL is then emptied by a later checkpoint or the last close.
        """
        await self._db.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    def _scrub_soon(self) -> None:
        """Scrub within `scrub_delay` seconds: a busy bot ends many sessions a second, and one
        checkpoint (an fsync, about 1.5 ms) for all of them keeps turns fast.  `flush` and
        `close` scrub at once."""
        if self._scrub_task is None or self._scrub_task.done():
            self._scrub_task = asyncio.get_running_loop().create_task(self._scrub_later())

    async def _scrub_later(self) -> None:
        await asyncio.sleep(self.scrub_delay)
        async with self._lock:
            if not self._closed:
                with contextlib.suppress(sqlite3.Error):  # a later scrub or the close retries
                    await self._scrub()

    async def ping(self) -> None:
        """One round trip to the database (readiness checks)."""
        async with self._op("reach the database") as db:
            await db.execute_fetchall("SELECT 1")

    async def flush(self) -> None:
        """Scrub deleted text from the database files now, rather than in a moment."""
        task, self._scrub_task = self._scrub_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._op("scrub deleted text"):
            await self._scrub()

    async def close(self) -> None:
        """Flush and close; the store can't be used afterwards."""
        task, self._scrub_task = self._scrub_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._lock:
            if self._closed:
                return
            with contextlib.suppress(sqlite3.Error):
                await self._scrub()
            self._closed = True
            with contextlib.suppress(sqlite3.Error):  # statistics only; closing matters more
                await self._db.execute("PRAGMA optimize")
            await self._db.close()

    # -- coaching sessions -------------------------------------------------------------------

    async def load_session(self, key: SessionKey) -> StoredSession | None:
        """The session in this channel, if any."""
        async with self._op("load a session") as db:
            rows = list(
                await db.execute_fetchall(
                    f"SELECT state, updated_at FROM sessions WHERE {_SCOPE} AND channel = ?",
                    (*_scope(key.user), key.channel),
                )
            )
        if not rows:
            return None
        return StoredSession(key=key, state=str(rows[0][0]), updated_at=float(rows[0][1]))

    async def save_session(self, key: SessionKey, state: str, updated_at: float) -> None:
        """Replace the session's state in one statement, so one transaction: state that isn't
        valid JSON fails the table's CHECK and the old state stays."""
        async with self._op("save a session") as db:
            try:
                await db.execute(
                    "INSERT INTO sessions (platform, workspace, user_id, channel, state, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (platform, workspace, user_id, channel) DO UPDATE SET "
                    "state = excluded.state, updated_at = excluded.updated_at",
                    (*_scope(key.user), key.channel, state, updated_at),
                )
            except sqlite3.IntegrityError:
                raise StoreError(
                    f"{self.url}: session state must be valid JSON; the previous state is kept"
                ) from None

    async def delete_session(self, key: SessionKey) -> None:
        """End the session; its text is scrubbed from the database files."""
        async with self._op("delete a session") as db:
            cursor = await db.execute(
                f"DELETE FROM sessions WHERE {_SCOPE} AND channel = ?",
                (*_scope(key.user), key.channel),
            )
            if cursor.rowcount:
                self._scrub_soon()

    def session_lock(self, key: SessionKey) -> contextlib.AbstractAsyncContextManager[None]:
        """Nothing to do: a SQLite database serves one bot process, and the coach already runs
        one turn at a time per session in a process."""
        return contextlib.nullcontext()

    async def sessions_of(self, user: UserRef) -> list[StoredSession]:
        """Every open session of a user (all channels), least recently moved first."""
        async with self._op("list sessions") as db:
            rows = await db.execute_fetchall(
                f"SELECT channel, state, updated_at FROM sessions WHERE {_SCOPE} "
                "ORDER BY updated_at, channel",
                _scope(user),
            )
        return [
            StoredSession(SessionKey(user, str(channel)), str(state), float(updated_at))
            for channel, state, updated_at in rows
        ]

    # -- ledger ------------------------------------------------------------------------------

    async def save_relationship(self, user: UserRef, relationship: Relationship) -> None:
        """Record (or replace, keyed by the other person's key) how the user knows someone."""
        r = relationship
        async with self._op("save a relationship") as db:
            await db.execute(
                "INSERT INTO relationships (platform, workspace, user_id, other_key, "
                "other_display, how, since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, workspace, user_id, other_key) DO UPDATE SET "
                "other_display = excluded.other_display, how = excluded.how, "
                "since = excluded.since, created_at = excluded.created_at",
                (*_scope(user), r.other.key, r.other.display, r.how, r.since, r.created_at),
            )

    async def relationship(self, user: UserRef, other_key: str) -> Relationship | None:
        """How the user knows this person, if recorded."""
        async with self._op("load a relationship") as db:
            rows = list(
                await db.execute_fetchall(
                    "SELECT other_key, other_display, how, since, created_at FROM relationships "
                    f"WHERE {_SCOPE} AND other_key = ?",
                    (*_scope(user), other_key),
                )
            )
        return _relationship(rows[0]) if rows else None

    async def relationships(self, user: UserRef) -> list[Relationship]:
        """Everyone the user has recorded, oldest first."""
        async with self._op("list relationships") as db:
            rows = await db.execute_fetchall(
                "SELECT other_key, other_display, how, since, created_at FROM relationships "
                f"WHERE {_SCOPE} ORDER BY created_at, rowid",
                _scope(user),
            )
        return [_relationship(row) for row in rows]

    async def add_endorsement(self, user: UserRef, endorsement: Endorsement) -> int:
        """Record an endorsement (its `id` is ignored: a new one is assigned and returned)."""
        e = endorsement
        if e.direction not in ("given", "received"):
            raise ValueError(
                f"endorsement direction must be 'given' or 'received', not {e.direction!r}"
            )
        solicited = None if e.solicited is None else int(e.solicited)
        async with self._op("add an endorsement") as db:
            cursor = await db.execute(
                "INSERT INTO endorsements (platform, workspace, user_id, direction, other_key, "
                "other_display, solicited, note, at, reciprocated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *_scope(user),
                    e.direction,
                    e.other.key,
                    e.other.display,
                    solicited,
                    e.note,
                    e.at,
                    int(e.reciprocated),
                ),
            )
            return _rowid(cursor.lastrowid)

    async def endorsements(self, user: UserRef) -> list[Endorsement]:
        """The user's endorsements, given and received, oldest first."""
        async with self._op("list endorsements") as db:
            rows = await db.execute_fetchall(
                "SELECT id, direction, other_key, other_display, solicited, note, at, "
                f"reciprocated FROM endorsements WHERE {_SCOPE} ORDER BY at, id",
                _scope(user),
            )
        return [
            Endorsement(
                id=int(id_),
                direction=str(direction),
                other=Person(str(key), str(display)),
                solicited=None if solicited is None else bool(solicited),
                note=None if note is None else str(note),
                at=float(at),
                reciprocated=bool(reciprocated),
            )
            for id_, direction, key, display, solicited, note, at, reciprocated in rows
        ]

    async def mark_reciprocated(self, user: UserRef, endorsement_id: int) -> bool:
        """Mark a received endorsement as returned; False if the user has no such endorsement
        (including one they gave: only received endorsements are reciprocated)."""
        async with self._op("mark an endorsement reciprocated") as db:
            cursor = await db.execute(
                "UPDATE endorsements SET reciprocated = 1 "
                f"WHERE {_SCOPE} AND id = ? AND direction = 'received'",
                (*_scope(user), endorsement_id),
            )
            return cursor.rowcount > 0

    async def aliases(self, user: UserRef) -> list[Alias]:
        """Other names the user confirmed for people in their ledger, oldest first."""
        async with self._op("list aliases") as db:
            rows = await db.execute_fetchall(
                "SELECT alias_key, alias_display, person_key, created_at FROM aliases "
                f"WHERE {_SCOPE} ORDER BY created_at, rowid",
                _scope(user),
            )
        return [Alias(Person(str(k), str(d)), str(p), float(at)) for k, d, p, at in rows]

    async def merge_people(self, user: UserRef, keep: Person, alias: Person, at: float) -> int:
        """File everything under `alias` under `keep`, in one transaction; returns rows moved."""
        scope = _scope(user)
        async with self._transaction("merge two people") as db:
            moved = 0
            cursor = await db.execute(
                "UPDATE endorsements SET other_key = ?, other_display = ? "
                f"WHERE {_SCOPE} AND other_key = ?",
                (keep.key, keep.display, *scope, alias.key),
            )
            moved += max(cursor.rowcount, 0)
            rows = list(
                await db.execute_fetchall(
                    f"SELECT how, since FROM relationships WHERE {_SCOPE} AND other_key = ?",
                    (*scope, alias.key),
                )
            )
            if rows:
                cursor = await db.execute(
                    "UPDATE relationships SET how = how || '; ' || ?, since = COALESCE(since, ?) "
                    f"WHERE {_SCOPE} AND other_key = ?",
                    (str(rows[0][0]), rows[0][1], *scope, keep.key),
                )
                if cursor.rowcount:  # both had one: keep both accounts, in one row
                    await db.execute(
                        f"DELETE FROM relationships WHERE {_SCOPE} AND other_key = ?",
                        (*scope, alias.key),
                    )
                else:
                    await db.execute(
                        "UPDATE relationships SET other_key = ?, other_display = ? "
                        f"WHERE {_SCOPE} AND other_key = ?",
                        (keep.key, keep.display, *scope, alias.key),
                    )
                moved += 1
            await db.execute(
                f"UPDATE aliases SET person_key = ? WHERE {_SCOPE} AND person_key = ?",
                (keep.key, *scope, alias.key),
            )
            await db.execute(
                "INSERT INTO aliases (platform, workspace, user_id, alias_key, alias_display, "
                "person_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, workspace, user_id, alias_key) DO UPDATE SET "
                "alias_display = excluded.alias_display, person_key = excluded.person_key",
                (*scope, alias.key, alias.display, keep.key, at),
            )
        return moved

    async def forget_person(self, user: UserRef, keys: Collection[str]) -> int:
        """Delete one person's relationships, endorsements and aliases; returns the entries
        (relationships and endorsements) deleted."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return 0
        marks = ", ".join("?" for _ in keys)
        scope = _scope(user)
        deleted = 0
        async with self._transaction("forget a person") as db:
            for table in ("relationships", "endorsements"):
                cursor = await db.execute(
                    f"DELETE FROM {table} WHERE {_SCOPE} AND other_key IN ({marks})",
                    (*scope, *keys),
                )
                deleted += max(cursor.rowcount, 0)
            await db.execute(
                f"DELETE FROM aliases WHERE {_SCOPE} AND "
                f"(alias_key IN ({marks}) OR person_key IN ({marks}))",
                (*scope, *keys, *keys),
            )
        if deleted:
            async with self._op("scrub deleted rows"):
                await self._scrub()
        return deleted

    # -- checks and fingerprints -------------------------------------------------------------

    async def record_check(
        self, user: UserRef, kind: str, rules: tuple[str, ...], quotient: float, at: float
    ) -> None:
        """Keep what a check found (rule ids and scores only, never the text)."""
        async with self._op("record a check") as db:
            await db.execute(
                "INSERT INTO checks (platform, workspace, user_id, kind, rules, quotient, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*_scope(user), kind, json.dumps(list(rules)), quotient, at),
            )

    async def add_fingerprint(
        self, user: UserRef, simhash: int, recipient: str | None, at: float
    ) -> None:
        """Keep a checked draft's 64-bit SimHash (and its bands, for lookups) and its recipient
        key; ValueError if `simhash` isn't an unsigned 64-bit integer."""
        signed = _signed(simhash)
        async with self._op("add a fingerprint") as db:
            await db.execute(
                "INSERT INTO fingerprints (platform, workspace, user_id, simhash, recipient, at, "
                "b0, b1, b2, b3) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_scope(user), signed, recipient, at, *bands(simhash)),
            )

    async def similar_fingerprints(
        self, user: UserRef, simhash: int, since: float, max_distance: int
    ) -> list[FingerprintHit]:
        """Stored fingerprints of this user since `since` within `max_distance` bits, oldest
        first.  Up to 3 bits this is four indexed band lookups (never a scan of the user's
        fingerprints); beyond 3 bits it compares every fingerprint of the user since `since`."""
        _signed(simhash)  # validates
        if max_distance < 0:
            return []
        if max_distance <= _PIGEONHOLE_MAX:
            sql = _SIMILAR_BANDED
            params: tuple[Any, ...] = tuple(
                p for band in bands(simhash) for p in (*_scope(user), band, since)
            )
        else:
            sql, params = _SIMILAR_SCAN, (*_scope(user), since)
        async with self._op("look up fingerprints") as db:
            rows = await db.execute_fetchall(sql, params)
        hits = []
        for _id, stored, recipient, at in rows:
            distance = hamming(simhash, _unsigned(stored))
            if distance <= max_distance:
                hits.append(
                    FingerprintHit(
                        simhash=_unsigned(stored),
                        recipient=None if recipient is None else str(recipient),
                        at=float(at),
                        distance=distance,
                    )
                )
        hits.sort(key=lambda h: h.at)
        return hits

    # -- preferences and opted-in text -------------------------------------------------------

    async def remembers(self, user: UserRef) -> bool:
        """True when the user asked rapport to keep their finished messages."""
        async with self._op("read a preference") as db:
            rows = list(
                await db.execute_fetchall(
                    f"SELECT remember FROM preferences WHERE {_SCOPE}", _scope(user)
                )
            )
        return bool(rows and rows[0][0])

    async def set_remember(self, user: UserRef, on: bool) -> None:
        """Turn keeping finished messages on or off; off deletes the kept messages (scrubbed
        from the files) and the preference row itself, since off is the default."""
        if on:
            async with self._op("save a preference") as db:
                await db.execute(
                    "INSERT INTO preferences (platform, workspace, user_id, remember) "
                    "VALUES (?, ?, ?, 1) ON CONFLICT (platform, workspace, user_id) "
                    "DO UPDATE SET remember = 1",
                    _scope(user),
                )
            return
        async with self._transaction("forget saved messages") as db:
            await db.execute(f"DELETE FROM preferences WHERE {_SCOPE}", _scope(user))
            cursor = await db.execute(f"DELETE FROM saved_messages WHERE {_SCOPE}", _scope(user))
            deleted = cursor.rowcount
        if deleted:
            async with self._op("scrub deleted messages"):
                await self._scrub()

    async def save_message(self, user: UserRef, text: str, at: float) -> int:
        """Keep a finished message (only ever called when the user opted in); returns its id."""
        async with self._op("save a message") as db:
            cursor = await db.execute(
                "INSERT INTO saved_messages (platform, workspace, user_id, text, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (*_scope(user), text, at),
            )
            return _rowid(cursor.lastrowid)

    async def saved_messages(self, user: UserRef) -> list[SavedMessage]:
        """The user's kept messages, oldest first."""
        async with self._op("list saved messages") as db:
            rows = await db.execute_fetchall(
                f"SELECT id, text, at FROM saved_messages WHERE {_SCOPE} ORDER BY at, id",
                _scope(user),
            )
        return [SavedMessage(int(id_), str(text), float(at)) for id_, text, at in rows]

    async def delete_saved_message(self, user: UserRef, message_id: int) -> bool:
        """Delete one kept message and scrub it from the files; False if there is none."""
        async with self._op("delete a saved message") as db:
            cursor = await db.execute(
                f"DELETE FROM saved_messages WHERE {_SCOPE} AND id = ?",
                (*_scope(user), message_id),
            )
            if cursor.rowcount <= 0:
                return False
            await self._scrub()
        return True

    async def secret(self) -> bytes:
        """This database's own random 32-byte key, made on first use and kept in `meta`, for
        keyed hashes of recipients (the first of several concurrent callers wins)."""
        if self._secret is None:
            async with self._op("read the database key") as db:
                await db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)",
                    (secrets.token_hex(32),),
                )
                rows = list(
                    await db.execute_fetchall("SELECT value FROM meta WHERE key = 'secret'")
                )
            self._secret = bytes.fromhex(str(rows[0][0]))
        return self._secret

    # -- workspaces and deliveries ----------------------------------------------------------

    async def workspace_settings(self, platform: str, workspace: str) -> str | None:
        """The workspace's rule settings as JSON, or None for rapport's defaults."""
        async with self._op("read workspace settings") as db:
            rows = list(
                await db.execute_fetchall(
                    "SELECT settings FROM workspace_settings WHERE platform = ? AND workspace = ?",
                    (platform, workspace),
                )
            )
        return str(rows[0][0]) if rows else None

    async def save_workspace_settings(
        self, platform: str, workspace: str, settings: str, updated_by: str, at: float
    ) -> None:
        """Replace the workspace's rule settings in one statement."""
        async with self._op("save workspace settings") as db:
            await db.execute(
                "INSERT INTO workspace_settings (platform, workspace, settings, updated_by, "
                "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, workspace) DO UPDATE "
                "SET settings = excluded.settings, updated_by = excluded.updated_by, "
                "updated_at = excluded.updated_at",
                (platform, workspace, settings, updated_by, at),
            )

    async def claim_delivery(self, platform: str, delivery: str, at: float, keep: float) -> bool:
        """True the first time this delivery id is seen; old ids are pruned on the way."""
        async with self._transaction("record a delivery") as db:
            await db.execute("DELETE FROM deliveries WHERE at < ?", (at - keep,))
            cursor = await db.execute(
                "INSERT OR IGNORE INTO deliveries (platform, delivery, at) VALUES (?, ?, ?)",
                (platform, delivery, at),
            )
            return cursor.rowcount == 1

    # -- acknowledged work -------------------------------------------------------------------

    async def enqueue(
        self, platform: str, delivery: str, payload: str, at: float, keep: float
    ) -> int | None:
        """Claim the delivery and keep the job in one quick transaction; None for a replay."""
        async with self._quick("keep acknowledged work") as db:
            await db.execute("DELETE FROM deliveries WHERE at < ?", (at - keep,))
            cursor = await db.execute(
                "INSERT OR IGNORE INTO deliveries (platform, delivery, at) VALUES (?, ?, ?)",
                (platform, delivery, at),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await db.execute(
                "INSERT INTO jobs (platform, delivery, payload, at, taken_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (platform, delivery, payload, at, at),
            )
            return _rowid(cursor.lastrowid)

    async def take_jobs(
        self, platform: str, stale_before: float, now: float, limit: int
    ) -> list[Job]:
        """Jobs left by a dead process, oldest first, marked taken now."""
        async with self._transaction("take acknowledged work") as db:
            rows = list(
                await db.execute_fetchall(
                    "SELECT id, payload, at FROM jobs WHERE platform = ? AND taken_at < ? "
                    "ORDER BY id LIMIT ?",
                    (platform, stale_before, max(limit, 0)),
                )
            )
            if rows:
                marks = ", ".join("?" for _ in rows)
                await db.execute(
                    f"UPDATE jobs SET taken_at = ? WHERE id IN ({marks})",
                    (now, *(row[0] for row in rows)),
                )
        return [Job(int(id_), platform, str(payload), float(at)) for id_, payload, at in rows]

    async def finish_job(self, job_id: int) -> None:
        """Delete a job carried out; its words are scrubbed from the files within a moment."""
        async with self._op("finish acknowledged work") as db:
            cursor = await db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            if cursor.rowcount:
                self._scrub_soon()

    async def renew_jobs(self, job_ids: Collection[int], now: float) -> None:
        """Mark jobs this process is still carrying out as taken now (its heartbeat)."""
        ids = list(job_ids)
        if not ids:
            return
        marks = ", ".join("?" for _ in ids)
        async with self._op("renew acknowledged work") as db:
            await db.execute(f"UPDATE jobs SET taken_at = ? WHERE id IN ({marks})", (now, *ids))

    async def probe_write(self) -> None:
        """Rewrite the `probe` row in `meta` (readiness), waiting briefly for a lock."""
        async with self._quick("write to the database") as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES ('probe', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(time.time()),),
            )

    # -- privacy -----------------------------------------------------------------------------

    async def forget(self, user: UserRef) -> int:
        """Delete every row of the user in this workspace, in one transaction, and scrub the
        files; returns the number of rows deleted (other users and workspaces untouched)."""
        deleted = 0
        async with self._transaction("forget a user") as db:
            for table in USER_TABLES:
                cursor = await db.execute(f"DELETE FROM {table} WHERE {_SCOPE}", _scope(user))
                deleted += max(cursor.rowcount, 0)
            await db.execute(
                "UPDATE workspace_settings SET updated_by = '' "
                "WHERE platform = ? AND workspace = ? AND updated_by = ?",
                _scope(user),
            )
        if deleted:
            async with self._op("scrub deleted rows"):
                await self._scrub()
        return deleted


def _relationship(row: Any) -> Relationship:
    key, display, how, since, created_at = row
    return Relationship(
        other=Person(str(key), str(display)),
        how=str(how),
        since=None if since is None else str(since),
        created_at=float(created_at),
    )


def _rowid(value: int | None) -> int:
    if value is None:  # pragma: no cover - SQLite always reports the rowid of an INSERT
        raise StoreError("SQLite did not report the new row's id")
    return value
