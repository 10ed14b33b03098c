"""The SQLite schema as an ordered list of migrations, applied at start-up.

A `meta` table (key/value) says whose database this is (`app = 'rapport'`) and which
migrations it has (`schema_version`).  Each migration runs in its own `BEGIN IMMEDIATE`
transaction that also bumps the version, so a database is always at exactly one version, and
two processes opening the same file at once migrate it once (the second sees the new version
inside its own transaction and skips).  Append new migrations; never edit a released one.

Every table carries platform, workspace and user_id, and every query is scoped by them.
Draft text lives only in `sessions.state` and `saved_messages.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from rapport.bot.storage.base import StoreError

__all__ = ["APP", "LATEST", "MIGRATIONS", "Migration", "classify", "migrate"]

APP = "rapport"


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: the statements taking a database from `version - 1` to `version`."""

    version: int
    summary: str
    statements: tuple[str, ...]


_SCOPE = "platform TEXT NOT NULL, workspace TEXT NOT NULL, user_id TEXT NOT NULL"

_V1 = Migration(
    1,
    "sessions, relationships, endorsements, checks, fingerprints",
    (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('app', 'rapport')",
        f"""CREATE TABLE sessions (
            {_SCOPE},
            channel TEXT NOT NULL,
            state TEXT NOT NULL CHECK (json_valid(state)),
            updated_at REAL NOT NULL,
            PRIMARY KEY (platform, workspace, user_id, channel)
        )""",
        f"""CREATE TABLE relationships (
            {_SCOPE},
            other_key TEXT NOT NULL,
            other_display TEXT NOT NULL,
            how TEXT NOT NULL,
            since TEXT,
            created_at REAL NOT NULL,
            UNIQUE (platform, workspace, user_id, other_key)
        )""",
        f"""CREATE TABLE endorsements (
            id INTEGER PRIMARY KEY,
            {_SCOPE},
            direction TEXT NOT NULL CHECK (direction IN ('given', 'received')),
            other_key TEXT NOT NULL,
            other_display TEXT NOT NULL,
            solicited INTEGER CHECK (solicited IN (0, 1)),
            note TEXT,
            at REAL NOT NULL,
            reciprocated INTEGER NOT NULL DEFAULT 0 CHECK (reciprocated IN (0, 1))
        )""",
        "CREATE INDEX endorsements_scope ON endorsements (platform, workspace, user_id, at)",
        f"""CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            {_SCOPE},
            kind TEXT NOT NULL,
            rules TEXT NOT NULL CHECK (json_valid(rules)),
            quotient REAL NOT NULL,
            at REAL NOT NULL
        )""",
        "CREATE INDEX checks_scope ON checks (platform, workspace, user_id, at)",
        # simhash is the unsigned 64-bit value stored as SQLite's signed 64-bit INTEGER
        f"""CREATE TABLE fingerprints (
            id INTEGER PRIMARY KEY,
            {_SCOPE},
            simhash INTEGER NOT NULL,
            recipient TEXT,
            at REAL NOT NULL
        )""",
        "CREATE INDEX fingerprints_scope ON fingerprints (platform, workspace, user_id, at)",
    ),
)

# Bands are the 16-bit quarters of the unsigned hash.  SQLite's >> is arithmetic on the signed
# value, but masking to 16 bits after shifting by at most 48 gives the same bits either way.
_V2 = Migration(
    2,
    "fingerprint bands and their indexes, preferences, saved messages",
    (
        *(f"ALTER TABLE fingerprints ADD COLUMN b{n} INTEGER NOT NULL DEFAULT 0" for n in range(4)),
        "UPDATE fingerprints SET b0 = simhash & 65535, b1 = (simhash >> 16) & 65535, "
        "b2 = (simhash >> 32) & 65535, b3 = (simhash >> 48) & 65535",
        *(
            f"CREATE INDEX fingerprints_b{n} ON fingerprints (platform, workspace, user_id, b{n}, at)"
            for n in range(4)
        ),
        f"""CREATE TABLE preferences (
            {_SCOPE},
            remember INTEGER NOT NULL DEFAULT 0 CHECK (remember IN (0, 1)),
            PRIMARY KEY (platform, workspace, user_id)
        )""",
        f"""CREATE TABLE saved_messages (
            id INTEGER PRIMARY KEY,
            {_SCOPE},
            text TEXT NOT NULL,
            at REAL NOT NULL
        )""",
        "CREATE INDEX saved_messages_scope ON saved_messages (platform, workspace, user_id, at)",
    ),
)

# Workspace settings are an admin's, not a user's: scoped by platform and workspace only.
# Deliveries remember the ids of platform events already handled (Slack retries an event it
# thinks went unanswered), so a retry never runs a coaching turn or a ledger write twice.
_V3 = Migration(
    3,
    "workspace settings, handled deliveries",
    (
        """CREATE TABLE workspace_settings (
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL,
            settings TEXT NOT NULL CHECK (json_valid(settings)),
            updated_by TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (platform, workspace)
        )""",
        """CREATE TABLE deliveries (
            platform TEXT NOT NULL,
            delivery TEXT NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (platform, delivery)
        )""",
        "CREATE INDEX deliveries_at ON deliveries (at)",
    ),
)

# One person under several names ("Dana", "Dana Lee", a Slack mention) once the user says so:
# each alias key points at the key the ledger files that person under.
_V4 = Migration(
    4,
    "aliases: other names for a person in the ledger",
    (
        f"""CREATE TABLE aliases (
            {_SCOPE},
            alias_key TEXT NOT NULL,
            alias_display TEXT NOT NULL,
            person_key TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (platform, workspace, user_id, alias_key)
        )""",
    ),
)

# Acknowledged work that changes what rapport keeps (a ledger entry, settings, a forget): kept
# here before the platform is told "got it", carried out after, deleted once answered.  A
# process that dies in between leaves its jobs; a restarted process (or, on PostgreSQL, another
# one after a lease) takes them (`taken_at`), carries them out and answers.  `delivery` is the
# id the job was claimed under in `deliveries`, so a replayed request never makes a second job.
_V5 = Migration(
    5,
    "jobs: acknowledged state changes kept until carried out",
    (
        """CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            delivery TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            at REAL NOT NULL,
            taken_at REAL NOT NULL
        )""",
        "CREATE INDEX jobs_taken ON jobs (platform, taken_at)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _V5)
LATEST = MIGRATIONS[-1].version

_ELSEWHERE = "set RAPPORT_DATABASE_URL to another file (sqlite:///path/to/rapport.db)"
_ADVICE = f"rapport left it untouched; move it aside, or {_ELSEWHERE}"


def classify(where: str, tables: Sequence[str], meta: dict[str, str] | None) -> int:
    """The schema version of a database from its table names and `meta` rows (0: empty, new);
    a foreign database or one newer than this rapport raises `StoreError` naming `where`."""
    if not tables:
        return 0
    if meta is None or meta.get("app") != APP:
        message = (
            f"{where} is a SQLite database, but not rapport's (it has tables "
            f"{', '.join(sorted(tables)[:5])}{'…' if len(tables) > 5 else ''} and no rapport "
            f"marker); {_ADVICE}"
        )
        raise StoreError(message, message)  # a local file: its path helps the person at it
    raw = meta.get("schema_version", "0")
    try:
        version = int(raw)
    except ValueError:
        message = f"{where}: rapport's schema_version is {raw!r}, not a number; {_ADVICE}"
        raise StoreError(message, message) from None
    if version > LATEST:
        message = (
            f"{where} was written by a newer rapport (schema version {version}; this rapport "
            f"knows up to {LATEST}); rapport left it untouched; upgrade rapport, or {_ELSEWHERE}"
        )
        raise StoreError(message, message)
    return version


async def read_schema(db: aiosqlite.Connection) -> tuple[list[str], dict[str, str] | None]:
    """Table names and, if there is a usable `meta` table, its rows."""
    rows = await db.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    tables = [str(r[0]) for r in rows]
    if "meta" not in tables:
        return tables, None
    columns = {str(r[1]) for r in await db.execute_fetchall("PRAGMA table_info(meta)")}
    if not {"key", "value"} <= columns:  # someone else's table called meta
        return tables, None
    meta_rows = await db.execute_fetchall("SELECT key, value FROM meta")
    return tables, {str(k): str(v) for k, v in meta_rows}


async def migrate(db: aiosqlite.Connection, where: str, target: int = LATEST) -> int:
    """Bring the database up to `target` (one transaction per migration); returns the version.

    The connection must be in autocommit mode (isolation_level=None).  Each step re-reads the
    version inside its write transaction, so concurrent openers never apply a step twice, and
    re-checks that the file is rapport's, so nothing is written to a foreign database.
    """
    version = 0
    for migration in MIGRATIONS:
        if migration.version > target:
            break
        await db.execute("BEGIN IMMEDIATE")
        try:
            tables, meta = await read_schema(db)
            version = classify(where, tables, meta)
            if version >= migration.version:
                await db.execute("ROLLBACK")
                continue
            if version != migration.version - 1:  # unreachable while versions are 1, 2, …
                raise StoreError(f"{where}: can't migrate from schema version {version}")
            for statement in migration.statements:
                await db.execute(statement)
            await db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(migration.version),),
            )
            await db.execute("COMMIT")
            version = migration.version
        except BaseException:
            if db.in_transaction:
                await db.execute("ROLLBACK")
            raise
    if version == 0:  # target 0: nothing applied; report what is there
        tables, meta = await read_schema(db)
        version = classify(where, tables, meta)
    return version
