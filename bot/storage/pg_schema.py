"""The PostgreSQL schema: the same numbered migrations as SQLite's (`migrations.py`), in
PostgreSQL's dialect.

Version N here makes the same tables, columns and indexes as version N there (a test compares
them), so both engines move together.  Several processes starting at once are serialised by a
transaction-level advisory lock: the first applies each step, the others find it done.
"""

from __future__ import annotations

from rapport.bot.storage.migrations import MIGRATIONS, Migration

__all__ = ["ADVISORY_LOCK", "PG_MIGRATIONS"]

#: The advisory lock key every rapport process takes while migrating ("rapport" in ASCII).
ADVISORY_LOCK = 0x7261_7070_6F72_74

_SCOPE = "platform TEXT NOT NULL, workspace TEXT NOT NULL, user_id TEXT NOT NULL"

_V1 = Migration(
    1,
    MIGRATIONS[0].summary,
    (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO meta (key, value) VALUES ('app', 'rapport') ON CONFLICT DO NOTHING",
        f"""CREATE TABLE sessions (
            {_SCOPE},
            channel TEXT NOT NULL,
            state JSONB NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (platform, workspace, user_id, channel)
        )""",
        f"""CREATE TABLE relationships (
            {_SCOPE},
            other_key TEXT NOT NULL,
            other_display TEXT NOT NULL,
            how TEXT NOT NULL,
            since TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            UNIQUE (platform, workspace, user_id, other_key)
        )""",
        f"""CREATE TABLE endorsements (
            id BIGSERIAL PRIMARY KEY,
            {_SCOPE},
            direction TEXT NOT NULL CHECK (direction IN ('given', 'received')),
            other_key TEXT NOT NULL,
            other_display TEXT NOT NULL,
            solicited BOOLEAN,
            note TEXT,
            at DOUBLE PRECISION NOT NULL,
            reciprocated BOOLEAN NOT NULL DEFAULT FALSE
        )""",
        "CREATE INDEX endorsements_scope ON endorsements (platform, workspace, user_id, at)",
        f"""CREATE TABLE checks (
            id BIGSERIAL PRIMARY KEY,
            {_SCOPE},
            kind TEXT NOT NULL,
            rules JSONB NOT NULL,
            quotient DOUBLE PRECISION NOT NULL,
            at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX checks_scope ON checks (platform, workspace, user_id, at)",
        f"""CREATE TABLE fingerprints (
            id BIGSERIAL PRIMARY KEY,
            {_SCOPE},
            simhash BIGINT NOT NULL,
            recipient TEXT,
            at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX fingerprints_scope ON fingerprints (platform, workspace, user_id, at)",
    ),
)

_V2 = Migration(
    2,
    MIGRATIONS[1].summary,
    (
        *(f"ALTER TABLE fingerprints ADD COLUMN b{n} INTEGER NOT NULL DEFAULT 0" for n in range(4)),
        "UPDATE fingerprints SET b0 = (simhash & 65535)::int, b1 = ((simhash >> 16) & 65535)::int, "
        "b2 = ((simhash >> 32) & 65535)::int, b3 = ((simhash >> 48) & 65535)::int",
        *(
            f"CREATE INDEX fingerprints_b{n} ON fingerprints (platform, workspace, user_id, b{n}, at)"
            for n in range(4)
        ),
        f"""CREATE TABLE preferences (
            {_SCOPE},
            remember BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (platform, workspace, user_id)
        )""",
        f"""CREATE TABLE saved_messages (
            id BIGSERIAL PRIMARY KEY,
            {_SCOPE},
            text TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX saved_messages_scope ON saved_messages (platform, workspace, user_id, at)",
    ),
)

_V3 = Migration(
    3,
    MIGRATIONS[2].summary,
    (
        """CREATE TABLE workspace_settings (
            platform TEXT NOT NULL,
            workspace TEXT NOT NULL,
            settings JSONB NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (platform, workspace)
        )""",
        """CREATE TABLE deliveries (
            platform TEXT NOT NULL,
            delivery TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (platform, delivery)
        )""",
        "CREATE INDEX deliveries_at ON deliveries (at)",
    ),
)

_V4 = Migration(
    4,
    MIGRATIONS[3].summary,
    (
        f"""CREATE TABLE aliases (
            {_SCOPE},
            alias_key TEXT NOT NULL,
            alias_display TEXT NOT NULL,
            person_key TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (platform, workspace, user_id, alias_key)
        )""",
    ),
)

_V5 = Migration(
    5,
    MIGRATIONS[4].summary,
    (
        """CREATE TABLE jobs (
            id BIGSERIAL PRIMARY KEY,
            platform TEXT NOT NULL,
            delivery TEXT NOT NULL,
            payload JSONB NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            taken_at DOUBLE PRECISION NOT NULL
        )""",
        "CREATE INDEX jobs_taken ON jobs (platform, taken_at)",
    ),
)

PG_MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _V5)
