"""`PostgresStore`: the `Store` protocol on PostgreSQL through an asyncpg connection pool.

For deployments with several bot processes on one database.  Every operation is one statement
or one transaction, so two processes handling the same user never lose an update: a session
turn replaces the row in one upsert, ledger writes are single inserts/updates, and `forget`
deletes everything in one transaction.  Migrations (`pg_schema.py`) run at start-up under an
advisory lock, so processes starting together migrate once.

A connection lost while running is an error for the operation in flight (`StoreError`, which
the bots turn into a friendly "try again"); the pool reconnects on the next operation, so the
process recovers when the database returns, without a restart.

Privacy: PostgreSQL keeps deleted rows until VACUUM reclaims them (autovacuum does, soon after);
`flush` runs a VACUUM of the tables that hold text, which makes the space reusable but, like any
MVCC database, is not a guarantee that no copy survives on disk (WAL, backups): use disk
encryption for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

import asyncpg

from rapport.bot.engine.fingerprint import BANDS, bands, hamming
from rapport.bot.errors import couldnt as _couldnt
from rapport.bot.redact import redact
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
from rapport.bot.storage.migrations import APP, LATEST
from rapport.bot.storage.pg_schema import ADVISORY_LOCK, PG_MIGRATIONS

__all__ = ["PostgresStore", "redact"]

_MASK64 = (1 << 64) - 1
_SIGN = 1 << 63
_SCOPE = "platform = $1 AND workspace = $2 AND user_id = $3"
_USER_TABLES = (
    "sessions", "relationships", "endorsements", "checks", "fingerprints", "preferences",
    "saved_messages", "aliases",
)  # fmt: skip
_LOST = (
    OSError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.InterfaceError,
)


#: How a person is told which database failed: never its URL, host or user.
_THE_DATABASE = "the PostgreSQL database in RAPPORT_DATABASE_URL"


def _signed(h: int) -> int:
    if not 0 <= h <= _MASK64:
        raise ValueError(f"a fingerprint is an unsigned 64-bit integer, got {h}")
    return h - (1 << 64) if h & _SIGN else h


def _scope(user: UserRef) -> tuple[str, str, str]:
    return (user.platform, user.workspace, user.user_id)


async def _migrate(conn: asyncpg.Connection, where: str) -> int:
    """Apply what's missing, one transaction per step, under the advisory lock."""
    version = 0
    for migration in PG_MIGRATIONS:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK)
            version = await _version(conn, where)
            if version >= migration.version:
                continue
            for statement in migration.statements:
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                str(migration.version),
            )
            version = migration.version
    return version


async def _version(conn: asyncpg.Connection, where: str) -> int:
    """The schema version (0: an empty database); StoreError for someone else's database or a
    newer rapport's."""
    tables = {
        r["tablename"]
        for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    if not tables:
        return 0
    if "meta" not in tables:
        advice = "rapport left it untouched: point RAPPORT_DATABASE_URL at an empty database"
        raise StoreError(
            f"{where} has tables ({', '.join(sorted(tables)[:5])}) but none of them is rapport's; "
            f"{advice}",
            f"{_THE_DATABASE} has tables, but none of them is rapport's; {advice}",
        )
    meta = {r["key"]: r["value"] for r in await conn.fetch("SELECT key, value FROM meta")}
    if meta.get("app") != APP:
        raise StoreError(
            f"{where} is not rapport's database; rapport left it untouched",
            f"{_THE_DATABASE} is not rapport's; rapport left it untouched",
        )
    version = int(meta.get("schema_version", "0"))
    if version > LATEST:
        newer = (
            f"was written by a newer rapport (schema version {version}; this rapport knows up to "
            f"{LATEST}); upgrade rapport"
        )
        raise StoreError(f"{where} {newer}", f"{_THE_DATABASE} {newer}")
    return version


class PostgresStore:
    """rapport's storage on PostgreSQL; open it with `PostgresStore.open` (or `open_store`)."""

    url: str

    def __init__(self, pool: asyncpg.Pool, url: str, max_size: int = 10) -> None:
        self.url = url
        self._pool = pool
        self._secret: bytes | None = None
        # Turns holding a session lock keep one connection each; at most half the pool, so
        # the operations inside those turns always find a connection (no pool deadlock).
        self._lock_slots = asyncio.Semaphore(max(1, max_size // 2))

    @classmethod
    async def open(cls, url: str, min_size: int = 1, max_size: int = 10) -> PostgresStore:
        """Connect, migrate and return the store; StoreError (naming the database, never its
        password) when it can't be reached or isn't rapport's."""
        where = redact(url)
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=min_size, max_size=max_size, timeout=10, command_timeout=30,
                reset=_keep_session,
            )  # fmt: skip
        except (*_LOST, asyncpg.PostgresError, TimeoutError) as exc:
            raise StoreError(
                f"can't connect to {where} ({type(exc).__name__}: {exc})",
                f"can't connect to {_THE_DATABASE}; check that the server is up and that the "
                "URL, user and password are right",
            ) from None
        except (ValueError, TypeError) as exc:  # the driver can't read the URL (a raw ?, #, /)
            raise StoreError(
                f"can't read the PostgreSQL URL {where} ({type(exc).__name__})",
                "can't read the PostgreSQL URL in RAPPORT_DATABASE_URL; percent-encode special "
                "characters in the password (? as %3F, # as %23, / as %2F, @ as %40)",
            ) from None
        try:
            async with pool.acquire() as conn:
                await _migrate(conn, where)
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, StoreError):
                raise
            if isinstance(exc, (*_LOST, asyncpg.PostgresError)):
                raise StoreError(
                    f"{where}: can't prepare the database ({exc})",
                    f"can't prepare {_THE_DATABASE} for rapport; can its user create tables?",
                ) from None
            raise
        return cls(pool, where, max_size)

    # -- plumbing ---------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _conn(self, what: str) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; lost connections and database errors become `StoreError`."""
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except StoreError:
            raise
        except (*_LOST, asyncpg.PostgresError, TimeoutError) as exc:
            raise StoreError(
                f"{self.url}: couldn't {what} ({type(exc).__name__})", _couldnt(what)
            ) from exc

    @contextlib.asynccontextmanager
    async def _quick(self, what: str) -> AsyncIterator[asyncpg.Connection]:
        """A transaction that gives up after `QUICK_WRITE_SECONDS` (a connection, a lock or the
        statements): a platform needs an answer within seconds."""
        try:
            pooled = self._pool.acquire(timeout=QUICK_WRITE_SECONDS)
            async with pooled as conn, conn.transaction():
                ms = int(QUICK_WRITE_SECONDS * 1000)
                await conn.execute(f"SET LOCAL statement_timeout = {ms}")
                yield conn
        except StoreError:
            raise
        except (*_LOST, asyncpg.PostgresError, TimeoutError) as exc:
            raise StoreError(f"{self.url}: couldn't {what} ({type(exc).__name__})") from exc

    async def _fetch(self, what: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._conn(what) as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows

    async def _execute(self, what: str, sql: str, *args: Any) -> str:
        async with self._conn(what) as conn:
            status: str = await conn.execute(sql, *args)
            return status

    async def ping(self) -> None:
        """One round trip (for readiness checks); StoreError when the database is away."""
        await self._fetch("reach the database", "SELECT 1")

    async def close(self) -> None:
        await self._pool.close()

    async def flush(self) -> None:
        """Make deleted text's space reusable now (see the module's note on privacy)."""
        async with self._conn("vacuum") as conn:
            for table in ("sessions", "saved_messages"):
                await conn.execute(f"VACUUM {table}")

    # -- coaching sessions -----------------------------------------------------------------------
    async def load_session(self, key: SessionKey) -> StoredSession | None:
        rows = await self._fetch(
            "load a session",
            f"SELECT state::text, updated_at FROM sessions WHERE {_SCOPE} AND channel = $4",
            *_scope(key.user), key.channel,
        )  # fmt: skip
        if not rows:
            return None
        return StoredSession(key, str(rows[0][0]), float(rows[0][1]))

    async def save_session(self, key: SessionKey, state: str, updated_at: float) -> None:
        try:
            json.loads(state)
        except ValueError:
            raise StoreError(
                f"{self.url}: session state must be valid JSON; the previous state is kept"
            ) from None
        await self._execute(
            "save a session",
            "INSERT INTO sessions (platform, workspace, user_id, channel, state, updated_at) "
            "VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (platform, workspace, user_id, "
            "channel) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            *_scope(key.user), key.channel, state, updated_at,
        )  # fmt: skip

    async def delete_session(self, key: SessionKey) -> None:
        await self._execute(
            "delete a session",
            f"DELETE FROM sessions WHERE {_SCOPE} AND channel = $4",
            *_scope(key.user), key.channel,
        )  # fmt: skip

    @contextlib.asynccontextmanager
    async def session_lock(self, key: SessionKey) -> AsyncIterator[None]:
        """A PostgreSQL advisory lock on the session for the whole turn, across processes."""
        lock_id = _lock_id(key)
        async with self._lock_slots, self._conn("lock a session") as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", lock_id)
            try:
                yield
            finally:
                try:
                    await conn.execute("SELECT pg_advisory_unlock($1)", lock_id)
                except (*_LOST, asyncpg.PostgresError, TimeoutError):
                    conn.terminate()  # the server drops a session's locks with the session
                except BaseException:  # cancelled mid-unlock: the same, then stop
                    conn.terminate()
                    raise

    async def sessions_of(self, user: UserRef) -> list[StoredSession]:
        rows = await self._fetch(
            "list sessions",
            f"SELECT channel, state::text, updated_at FROM sessions WHERE {_SCOPE} "
            "ORDER BY updated_at, channel",
            *_scope(user),
        )
        return [StoredSession(SessionKey(user, str(c)), str(s), float(u)) for c, s, u in rows]

    # -- ledger ----------------------------------------------------------------------------------
    async def save_relationship(self, user: UserRef, relationship: Relationship) -> None:
        r = relationship
        await self._execute(
            "save a relationship",
            "INSERT INTO relationships (platform, workspace, user_id, other_key, other_display, "
            "how, since, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (platform, workspace, user_id, other_key) DO UPDATE SET "
            "other_display = excluded.other_display, how = excluded.how, since = excluded.since, "
            "created_at = excluded.created_at",
            *_scope(user), r.other.key, r.other.display, r.how, r.since, r.created_at,
        )  # fmt: skip

    async def relationship(self, user: UserRef, other_key: str) -> Relationship | None:
        rows = await self._fetch(
            "load a relationship",
            "SELECT other_key, other_display, how, since, created_at FROM relationships "
            f"WHERE {_SCOPE} AND other_key = $4",
            *_scope(user), other_key,
        )  # fmt: skip
        return _relationship(rows[0]) if rows else None

    async def relationships(self, user: UserRef) -> list[Relationship]:
        rows = await self._fetch(
            "list relationships",
            "SELECT other_key, other_display, how, since, created_at FROM relationships "
            f"WHERE {_SCOPE} ORDER BY created_at, ctid",
            *_scope(user),
        )
        return [_relationship(r) for r in rows]

    async def add_endorsement(self, user: UserRef, endorsement: Endorsement) -> int:
        e = endorsement
        if e.direction not in ("given", "received"):
            raise ValueError(
                f"endorsement direction must be 'given' or 'received', not {e.direction!r}"
            )
        rows = await self._fetch(
            "add an endorsement",
            "INSERT INTO endorsements (platform, workspace, user_id, direction, other_key, "
            "other_display, solicited, note, at, reciprocated) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            *_scope(user), e.direction, e.other.key, e.other.display, e.solicited, e.note, e.at,
            e.reciprocated,
        )  # fmt: skip
        return int(rows[0][0])

    async def endorsements(self, user: UserRef) -> list[Endorsement]:
        rows = await self._fetch(
            "list endorsements",
            "SELECT id, direction, other_key, other_display, solicited, note, at, reciprocated "
            f"FROM endorsements WHERE {_SCOPE} ORDER BY at, id",
            *_scope(user),
        )
        return [
            Endorsement(int(i), str(d), Person(str(k), str(n)), s, note, float(at), bool(rec))
            for i, d, k, n, s, note, at, rec in rows
        ]

    async def mark_reciprocated(self, user: UserRef, endorsement_id: int) -> bool:
        status = await self._execute(
            "mark an endorsement reciprocated",
            "UPDATE endorsements SET reciprocated = TRUE "
            f"WHERE {_SCOPE} AND id = $4 AND direction = 'received'",
            *_scope(user), endorsement_id,
        )  # fmt: skip
        return status.split()[-1] != "0"

    async def aliases(self, user: UserRef) -> list[Alias]:
        rows = await self._fetch(
            "list aliases",
            "SELECT alias_key, alias_display, person_key, created_at FROM aliases "
            f"WHERE {_SCOPE} ORDER BY created_at, alias_key",
            *_scope(user),
        )
        return [Alias(Person(str(k), str(d)), str(p), float(at)) for k, d, p, at in rows]

    async def merge_people(self, user: UserRef, keep: Person, alias: Person, at: float) -> int:
        scope = _scope(user)
        async with self._conn("merge two people") as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE endorsements SET other_key = $4, other_display = $5 "
                f"WHERE {_SCOPE} AND other_key = $6",
                *scope, keep.key, keep.display, alias.key,
            )  # fmt: skip
            moved = int(status.split()[-1])
            row = await conn.fetchrow(
                f"SELECT how, since FROM relationships WHERE {_SCOPE} AND other_key = $4",
                *scope, alias.key,
            )  # fmt: skip
            if row is not None:
                status = await conn.execute(
                    "UPDATE relationships SET how = how || '; ' || $4, "
                    f"since = COALESCE(since, $5) WHERE {_SCOPE} AND other_key = $6",
                    *scope, str(row[0]), row[1], keep.key,
                )  # fmt: skip
                if status.split()[-1] != "0":  # both had one: keep both accounts, in one row
                    await conn.execute(
                        f"DELETE FROM relationships WHERE {_SCOPE} AND other_key = $4",
                        *scope, alias.key,
                    )  # fmt: skip
                else:
                    await conn.execute(
                        "UPDATE relationships SET other_key = $4, other_display = $5 "
                        f"WHERE {_SCOPE} AND other_key = $6",
                        *scope, keep.key, keep.display, alias.key,
                    )  # fmt: skip
                moved += 1
            await conn.execute(
                f"UPDATE aliases SET person_key = $4 WHERE {_SCOPE} AND person_key = $5",
                *scope, keep.key, alias.key,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO aliases (platform, workspace, user_id, alias_key, alias_display, "
                "person_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (platform, workspace, user_id, alias_key) DO UPDATE SET "
                "alias_display = excluded.alias_display, person_key = excluded.person_key",
                *scope, alias.key, alias.display, keep.key, at,
            )  # fmt: skip
        return moved

    async def forget_person(self, user: UserRef, keys: Collection[str]) -> int:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return 0
        scope = _scope(user)
        deleted = 0
        async with self._conn("forget a person") as conn, conn.transaction():
            for table in ("relationships", "endorsements"):
                status = await conn.execute(
                    f"DELETE FROM {table} WHERE {_SCOPE} AND other_key = ANY($4::text[])",
                    *scope, wanted,
                )  # fmt: skip
                deleted += int(status.split()[-1])
            await conn.execute(
                f"DELETE FROM aliases WHERE {_SCOPE} AND "
                "(alias_key = ANY($4::text[]) OR person_key = ANY($4::text[]))",
                *scope, wanted,
            )  # fmt: skip
        return deleted

    # -- checks and fingerprints ----------------------------------------------------------------
    async def record_check(
        self, user: UserRef, kind: str, rules: tuple[str, ...], quotient: float, at: float
    ) -> None:
        await self._execute(
            "record a check",
            "INSERT INTO checks (platform, workspace, user_id, kind, rules, quotient, at) "
            "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
            *_scope(user), kind, json.dumps(list(rules)), quotient, at,
        )  # fmt: skip

    async def add_fingerprint(
        self, user: UserRef, simhash: int, recipient: str | None, at: float
    ) -> None:
        signed = _signed(simhash)
        await self._execute(
            "add a fingerprint",
            "INSERT INTO fingerprints (platform, workspace, user_id, simhash, recipient, at, "
            "b0, b1, b2, b3) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            *_scope(user), signed, recipient, at, *bands(simhash),
        )  # fmt: skip

    async def similar_fingerprints(
        self, user: UserRef, simhash: int, since: float, max_distance: int
    ) -> list[FingerprintHit]:
        """Up to 3 bits: four indexed band lookups (pigeonhole); wider: every fingerprint of
        the user since `since`."""
        _signed(simhash)
        if max_distance < 0:
            return []
        if max_distance <= BANDS - 1:
            b = bands(simhash)
            sql = (
                f"SELECT simhash, recipient, at FROM fingerprints WHERE {_SCOPE} AND at >= $4 "
                "AND (b0 = $5 OR b1 = $6 OR b2 = $7 OR b3 = $8)"
            )
            rows = await self._fetch("look up fingerprints", sql, *_scope(user), since, *b)
        else:
            sql = f"SELECT simhash, recipient, at FROM fingerprints WHERE {_SCOPE} AND at >= $4"
            rows = await self._fetch("look up fingerprints", sql, *_scope(user), since)
        hits = []
        for stored, recipient, at in rows:
            value = int(stored) & _MASK64
            distance = hamming(simhash, value)
            if distance <= max_distance:
                hits.append(FingerprintHit(value, recipient, float(at), distance))
        hits.sort(key=lambda h: h.at)
        return hits

    # -- preferences and opted-in text ------------------------------------------------------------
    async def remembers(self, user: UserRef) -> bool:
        rows = await self._fetch(
            "read a preference", f"SELECT remember FROM preferences WHERE {_SCOPE}", *_scope(user)
        )
        return bool(rows and rows[0][0])

    async def set_remember(self, user: UserRef, on: bool) -> None:
        if on:
            await self._execute(
                "save a preference",
                "INSERT INTO preferences (platform, workspace, user_id, remember) "
                "VALUES ($1, $2, $3, TRUE) ON CONFLICT (platform, workspace, user_id) "
                "DO UPDATE SET remember = TRUE",
                *_scope(user),
            )
            return
        async with self._conn("forget saved messages") as conn, conn.transaction():
            await conn.execute(f"DELETE FROM preferences WHERE {_SCOPE}", *_scope(user))
            await conn.execute(f"DELETE FROM saved_messages WHERE {_SCOPE}", *_scope(user))

    async def save_message(self, user: UserRef, text: str, at: float) -> int:
        rows = await self._fetch(
            "save a message",
            "INSERT INTO saved_messages (platform, workspace, user_id, text, at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            *_scope(user), text, at,
        )  # fmt: skip
        return int(rows[0][0])

    async def saved_messages(self, user: UserRef) -> list[SavedMessage]:
        rows = await self._fetch(
            "list saved messages",
            f"SELECT id, text, at FROM saved_messages WHERE {_SCOPE} ORDER BY at, id",
            *_scope(user),
        )
        return [SavedMessage(int(i), str(t), float(a)) for i, t, a in rows]

    async def delete_saved_message(self, user: UserRef, message_id: int) -> bool:
        status = await self._execute(
            "delete a saved message",
            f"DELETE FROM saved_messages WHERE {_SCOPE} AND id = $4",
            *_scope(user), message_id,
        )  # fmt: skip
        return status.split()[-1] != "0"

    async def secret(self) -> bytes:
        if self._secret is None:
            async with self._conn("read the database key") as conn:
                await conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('secret', $1) ON CONFLICT DO NOTHING",
                    secrets.token_hex(32),
                )
                value = await conn.fetchval("SELECT value FROM meta WHERE key = 'secret'")
            self._secret = bytes.fromhex(str(value))
        return self._secret

    # -- workspaces and deliveries ----------------------------------------------------------------
    async def workspace_settings(self, platform: str, workspace: str) -> str | None:
        rows = await self._fetch(
            "read workspace settings",
            "SELECT settings::text FROM workspace_settings WHERE platform = $1 AND workspace = $2",
            platform, workspace,
        )  # fmt: skip
        return str(rows[0][0]) if rows else None

    async def save_workspace_settings(
        self, platform: str, workspace: str, settings: str, updated_by: str, at: float
    ) -> None:
        await self._execute(
            "save workspace settings",
            "INSERT INTO workspace_settings (platform, workspace, settings, updated_by, updated_at) "
            "VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (platform, workspace) DO UPDATE SET "
            "settings = excluded.settings, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            platform, workspace, settings, updated_by, at,
        )  # fmt: skip

    async def claim_delivery(self, platform: str, delivery: str, at: float, keep: float) -> bool:
        async with self._conn("record a delivery") as conn, conn.transaction():
            await conn.execute("DELETE FROM deliveries WHERE at < $1", at - keep)
            status = await conn.execute(
                "INSERT INTO deliveries (platform, delivery, at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                platform, delivery, at,
            )  # fmt: skip
        return bool(status.endswith(" 1"))

    # -- acknowledged work -----------------------------------------------------------------------
    async def enqueue(
        self, platform: str, delivery: str, payload: str, at: float, keep: float
    ) -> int | None:
        async with self._quick("keep acknowledged work") as conn:
            await conn.execute("DELETE FROM deliveries WHERE at < $1", at - keep)
            status = await conn.execute(
                "INSERT INTO deliveries (platform, delivery, at) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING",
                platform, delivery, at,
            )  # fmt: skip
            if not status.endswith(" 1"):
                return None
            job_id = await conn.fetchval(
                "INSERT INTO jobs (platform, delivery, payload, at, taken_at) "
                "VALUES ($1, $2, $3::jsonb, $4, $4) RETURNING id",
                platform, delivery, payload, at,
            )  # fmt: skip
        return int(job_id)

    async def take_jobs(
        self, platform: str, stale_before: float, now: float, limit: int
    ) -> list[Job]:
        rows = await self._fetch(
            "take acknowledged work",
            "UPDATE jobs SET taken_at = $3 WHERE id IN (SELECT id FROM jobs WHERE platform = $1 "
            "AND taken_at < $2 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
            "RETURNING id, payload::text, at",
            platform, stale_before, now, max(limit, 0),
        )  # fmt: skip
        jobs = [Job(int(r[0]), platform, str(r[1]), float(r[2])) for r in rows]
        return sorted(jobs, key=lambda j: j.id)

    async def finish_job(self, job_id: int) -> None:
        await self._execute("finish acknowledged work", "DELETE FROM jobs WHERE id = $1", job_id)

    async def renew_jobs(self, job_ids: Collection[int], now: float) -> None:
        ids = list(job_ids)
        if ids:
            await self._execute(
                "renew acknowledged work",
                "UPDATE jobs SET taken_at = $1 WHERE id = ANY($2::bigint[])",
                now, ids,
            )  # fmt: skip

    async def probe_write(self) -> None:
        async with self._quick("write to the database") as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ('probe', $1) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                str(time.time()),
            )

    # -- privacy ----------------------------------------------------------------------------------
    async def forget(self, user: UserRef) -> int:
        deleted = 0
        async with self._conn("forget a user") as conn, conn.transaction():
            for table in _USER_TABLES:
                status = await conn.execute(f"DELETE FROM {table} WHERE {_SCOPE}", *_scope(user))
                deleted += int(status.split()[-1])
            await conn.execute(
                "UPDATE workspace_settings SET updated_by = '' "
                "WHERE platform = $1 AND workspace = $2 AND updated_by = $3",
                *_scope(user),
            )
        return deleted

    async def tables(self) -> Sequence[str]:
        """The tables in rapport's schema (for tests comparing engines)."""
        rows = await self._fetch(
            "list tables", "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        return sorted(str(r[0]) for r in rows)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What the pool runs when a connection comes back: nothing on the server.  asyncpg's own
    reset costs a round trip per operation (advisory unlock-all, CLOSE ALL, UNLISTEN, RESET
    ALL); rapport sets no session state, its transactions always end (asyncpg rolls back any
    that didn't), and `session_lock` releases its lock or closes the connection."""


def _lock_id(key: SessionKey) -> int:
    """A stable signed 64-bit advisory lock id for a session (distinct from the migration lock)."""
    text = "\x1f".join((key.user.platform, key.user.workspace, key.user.user_id, key.channel))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8, person=b"rapport-turn").digest()
    return int.from_bytes(digest, "big", signed=True)


def _relationship(row: Any) -> Relationship:
    key, display, how, since, created_at = row
    return Relationship(Person(str(key), str(display)), str(how), since, float(created_at))
