"""Where rapport keeps sessions, the ledger and fingerprints: open the store named by a URL.

    store = await open_store()                      # $RAPPORT_DATABASE_URL, else the default
    store = await open_store("sqlite:///rapport.db")            # relative to the working folder
    store = await open_store("sqlite:////var/lib/rapport.db")   # absolute: four slashes
    store = await open_store("sqlite:///:memory:")              # throwaway

    store = await open_store("postgresql://rapport:secret@db:5432/rapport")  # several processes

URLs follow SQLAlchemy's convention; `postgresql+asyncpg://` and `postgres://` work too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.bot.storage.base import (
    Endorsement,
    FingerprintHit,
    Person,
    Relationship,
    SavedMessage,
    SessionKey,
    Store,
    StoredSession,
    StoreError,
    UserRef,
)

if TYPE_CHECKING:
    from rapport.bot.storage.sqlite import SQLiteStore

__all__ = [
    "Endorsement",
    "FingerprintHit",
    "Person",
    "Relationship",
    "SQLiteStore",
    "SavedMessage",
    "SessionKey",
    "Store",
    "StoreError",
    "StoredSession",
    "UserRef",
    "database_url",
    "default_url",
    "is_postgres",
    "open_store",
    "sqlite_path",
]

ENV = "RAPPORT_DATABASE_URL"
_USAGE = (
    "use sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:///:memory: "
    "or postgresql://user:password@host:5432/database"
)


def is_postgres(url: str) -> bool:
    """True for a PostgreSQL URL (postgresql://, postgres://, postgresql+asyncpg://)."""
    return url.partition("://")[0].lower().split("+", 1)[0] in ("postgresql", "postgres")


def default_url() -> str:
    """The per-user database rapport uses when nothing is configured (the platform's data
    folder, e.g. ~/.local/share/rapport/rapport.db), as an absolute SQLite URL."""
    import platformdirs

    return "sqlite:///" + str(Path(platformdirs.user_data_dir("rapport")) / "rapport.db")


def database_url() -> str:
    """$RAPPORT_DATABASE_URL when set and not empty, else `default_url()`: one place decides."""
    return os.environ.get(ENV, "").strip() or default_url()


def sqlite_path(url: str) -> Path | None:
    """The absolute file a SQLite URL names (None for `:memory:`); StoreError for anything else,
    worded for the person who set the URL (and never echoing a password in it)."""
    scheme, sep, rest = url.partition("://")
    base = scheme.lower().split("+", 1)[0]
    if not sep:
        raise StoreError(
            f"{url!r} is not a database URL; {_USAGE}",
            f"RAPPORT_DATABASE_URL is not a database URL; {_USAGE}",
        )
    if base != "sqlite":
        message = f"rapport can't use {scheme}:// databases; {_USAGE}"
        raise StoreError(message, message)
    if not rest.startswith("/"):
        raise StoreError(
            f"{url!r}: a SQLite URL has no host part; {_USAGE}",
            f"RAPPORT_DATABASE_URL: a SQLite URL has no host part; {_USAGE}",
        )
    raw = rest[1:]
    if raw == ":memory:":
        return None
    if not raw.strip() or "?" in raw:
        raise StoreError(
            f"{url!r} names no database file (options are not supported); {_USAGE}",
            f"RAPPORT_DATABASE_URL names no database file (options are not supported); {_USAGE}",
        )
    return Path(raw).expanduser().absolute()


async def open_store(url: str | None = None, pool_size: int = 10) -> Store:
    """Open (creating and migrating if needed) the store at `url`, else at `database_url()`.

    Creates the file's folder; raises StoreError for an unsupported URL or a file that isn't
    rapport's, which is never modified.  `pool_size` caps a PostgreSQL store's connections
    (per process).
    """
    url = database_url() if url is None else url
    if is_postgres(url):
        from rapport.bot.storage.postgres import PostgresStore  # asyncpg loads only for PostgreSQL

        return await PostgresStore.open(
            url.replace("postgres://", "postgresql://", 1), max_size=pool_size
        )
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            message = f"can't create the folder {path.parent} ({exc.strerror})"
            raise StoreError(message, message) from None
    from rapport.bot.storage.sqlite import SQLiteStore  # aiosqlite loads only when a store opens

    return await SQLiteStore.open(path)


def __getattr__(name: str) -> Any:
    if name == "SQLiteStore":  # imported lazily: `StoreError` alone shouldn't load aiosqlite
        from rapport.bot.storage.sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
