"""The SQLite store on real temporary files: migrations, start-up safety, every protocol method,
scoping, forgetting, scrubbing deleted text from the files, concurrency and indexed lookups."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import aiosqlite
import pytest

from rapport.bot.engine.fingerprint import bands
from rapport.bot.storage import (
    Endorsement,
    Person,
    Relationship,
    SessionKey,
    SQLiteStore,
    Store,
    StoreError,
    UserRef,
    database_url,
    default_url,
    open_store,
    sqlite_path,
)
from rapport.bot.storage import sqlite as sqlite_mod
from rapport.bot.storage.migrations import LATEST, migrate
from tests.paths import ROOT

ANA = UserRef("slack", "T1", "U-ana")
BEN = UserRef("slack", "T1", "U-ben")
ANA_ELSEWHERE = UserRef("slack", "T2", "U-ana")  # same user id, another workspace
ANA_DISCORD = UserRef("discord", "T1", "U-ana")


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "rapport.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    s = await open_store(url_of(db_path))
    yield s
    await s.close()


@pytest.fixture
async def any_store(any_database: str) -> AsyncIterator[Store]:
    """The store on SQLite, then on PostgreSQL: the protocol's behaviour is the same on both."""
    s = await open_store(any_database)
    yield s
    await s.close()


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain second connection for looking at what the store wrote."""
    with closing(sqlite3.connect(path)) as conn:
        yield conn


def files_bytes(path: Path) -> bytes:
    """The raw bytes of the database and its -wal/-shm files, whichever exist."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = path.with_name(path.name + suffix)
        if f.exists():
            out += f.read_bytes()
    return out


# -- URLs ---------------------------------------------------------------------------------------


def test_default_url_is_absolute_in_the_user_data_folder() -> None:
    url = default_url()
    assert url.startswith("sqlite:////") or url.startswith("sqlite:///C:")
    assert url.endswith("rapport.db")
    assert "rapport" in url[: -len("rapport.db")]


def test_database_url_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", "sqlite:///elsewhere.db")
    assert database_url() == "sqlite:///elsewhere.db"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", "  ")
    assert database_url() == default_url()
    monkeypatch.delenv("RAPPORT_DATABASE_URL")
    assert database_url() == default_url()


def test_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sqlite_path("sqlite:///data/r.db") == tmp_path / "data" / "r.db"
    assert sqlite_path("sqlite:////var/lib/r.db") == Path("/var/lib/r.db")
    assert sqlite_path("sqlite:///~/x.db") == tmp_path / "home" / "x.db"
    assert sqlite_path("sqlite+aiosqlite:///r.db") == tmp_path / "r.db"
    assert sqlite_path("sqlite:///:memory:") is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (
            "postgresql://ana:hunter2@127.0.0.1:1/rapport",
            r"can't connect to postgresql://ana:\*\*\*@127",
        ),
        ("postgres://127.0.0.1:1/rapport", "can't connect to postgresql://127.0.0.1:1"),
        ("mysql://db/rapport", "can't use mysql://"),
        ("rapport.db", "not a database URL"),
        ("sqlite://host/rapport.db", "no host part"),
        ("sqlite:///", "names no database file"),
        ("sqlite:///r.db?mode=ro", "options are not supported"),
    ],
)
async def test_unsupported_urls_are_explained(url: str, words: str) -> None:
    with pytest.raises(StoreError, match=words) as info:
        await open_store(url)
    assert "hunter2" not in str(info.value)


async def test_open_store_uses_the_environment_and_creates_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep" / "er" / "r.db"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url_of(path))
    store = await open_store()
    try:
        assert store.url == url_of(path)
        assert store.url.startswith("sqlite:////")
    finally:
        await store.close()
    assert path.is_file()


async def test_memory_store_is_throwaway() -> None:
    store = await open_store("sqlite:///:memory:")
    try:
        await store.save_session(SessionKey(ANA, "D1"), '{"step": 1}', 1.0)
        loaded = await store.load_session(SessionKey(ANA, "D1"))
        assert loaded is not None and loaded.state == '{"step": 1}'
        await store.forget(ANA)
    finally:
        await store.close()


# -- migrations ---------------------------------------------------------------------------------


def schema(path: Path) -> list[tuple[str, str]]:
    with raw(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    return [(str(n), str(s)) for n, s in rows]


def meta(path: Path) -> dict[str, str]:
    with raw(path) as conn:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())


async def test_new_file_is_created_migrated_and_in_wal_mode(db_path: Path) -> None:
    assert not db_path.exists()
    store = await open_store(url_of(db_path))
    await store.close()
    assert meta(db_path) == {"app": "rapport", "schema_version": str(LATEST)}
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {name for name, _ in schema(db_path)}
    assert set(sqlite_mod.USER_TABLES) | {"meta"} <= tables


async def test_empty_file_is_migrated(db_path: Path) -> None:
    db_path.touch()
    store = await open_store(url_of(db_path))
    await store.close()
    assert meta(db_path)["schema_version"] == str(LATEST)


async def test_pragmas_are_set(store: Store, db_path: Path) -> None:
    assert isinstance(store, SQLiteStore)
    async with store._op("test") as db:
        values = {}
        for name in (
            "journal_mode",
            "synchronous",
            "busy_timeout",
            "secure_delete",
            "foreign_keys",
        ):
            rows = list(await db.execute_fetchall(f"PRAGMA {name}"))
            values[name] = rows[0][0]
    assert values == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": 5000,
        "secure_delete": 1,
        "foreign_keys": 1,
    }


async def test_reopening_is_idempotent(db_path: Path) -> None:
    store = await open_store(url_of(db_path))
    await store.save_session(SessionKey(ANA, "D1"), "{}", 1.0)
    secret = await store.secret()
    await store.close()
    before = schema(db_path)
    for _ in range(3):
        store = await open_store(url_of(db_path))
        assert await store.load_session(SessionKey(ANA, "D1")) is not None
        assert await store.secret() == secret
        await store.close()
    assert schema(db_path) == before
    assert meta(db_path)["schema_version"] == str(LATEST)


async def test_migration_from_v1_keeps_rows_and_backfills_bands(db_path: Path) -> None:
    # a database as the previous rapport left it: migration 1 only, with rows in it
    db = await aiosqlite.connect(db_path, isolation_level=None)
    assert await migrate(db, str(db_path), target=1) == 1
    high = 0xFEDC_BA98_7654_3210  # top bit set: stored as a negative INTEGER
    low = 0x0000_0000_0000_BEEF
    for h, at in ((high, 10.0), (low, 11.0)):
        signed = h - (1 << 64) if h >= 1 << 63 else h
        await db.execute(
            "INSERT INTO fingerprints (platform, workspace, user_id, simhash, recipient, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (*sqlite_mod._scope(ANA), signed, "r1", at),
        )
    await db.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, 'D1', '{\"step\": 2}', 5.0)",
        sqlite_mod._scope(ANA),
    )
    await db.close()
    assert meta(db_path)["schema_version"] == "1"
    with raw(db_path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(fingerprints)")]
    assert "b0" not in columns

    store = await open_store(url_of(db_path))
    try:
        assert meta(db_path)["schema_version"] == str(LATEST)
        session = await store.load_session(SessionKey(ANA, "D1"))
        assert session is not None and json.loads(session.state) == {"step": 2}
        with raw(db_path) as conn:
            rows = conn.execute("SELECT simhash, b0, b1, b2, b3 FROM fingerprints").fetchall()
        for signed, *stored_bands in rows:
            assert tuple(stored_bands) == bands(signed & ((1 << 64) - 1))
        # the backfilled bands answer lookups, for the negative-stored hash too
        hits = await store.similar_fingerprints(ANA, high ^ 0b101, 0.0, 3)
        assert [(h.simhash, h.distance, h.recipient) for h in hits] == [(high, 2, "r1")]
        hits = await store.similar_fingerprints(ANA, low ^ (1 << 63), 0.0, 3)
        assert [(h.simhash, h.distance) for h in hits] == [(low, 1)]
        # and v2 tables work
        await store.set_remember(ANA, True)
        assert await store.save_message(ANA, "kept", 12.0) > 0
    finally:
        await store.close()


# -- start-up safety ----------------------------------------------------------------------------


async def assert_refused(path: Path, *words: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        await open_store(url_of(path))
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert path.read_bytes() == before


async def test_random_bytes_are_refused_untouched(db_path: Path) -> None:
    db_path.write_bytes(random.Random(1).randbytes(8192))
    await assert_refused(db_path, "not a SQLite database", "RAPPORT_DATABASE_URL")
    assert not db_path.with_name(db_path.name + "-wal").exists()


async def test_damaged_sqlite_file_is_refused_untouched(db_path: Path) -> None:
    store = await open_store(url_of(db_path))
    await store.close()
    data = bytearray(db_path.read_bytes())
    data[100:] = random.Random(2).randbytes(len(data) - 100)  # keep the header, break the rest
    db_path.write_bytes(bytes(data))
    await assert_refused(db_path, "damaged")


@pytest.mark.parametrize("journal", ["delete", "wal"])
async def test_foreign_sqlite_database_is_refused_untouched(db_path: Path, journal: str) -> None:
    with raw(db_path) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal}")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
        conn.commit()
    await assert_refused(db_path, "not rapport's", "invoices")


async def test_foreign_database_with_its_own_meta_table_is_refused(db_path: Path) -> None:
    with raw(db_path) as conn:
        conn.execute("CREATE TABLE meta (k TEXT, v TEXT)")
        conn.commit()
    await assert_refused(db_path, "not rapport's")
    with raw(db_path) as conn:
        conn.execute("DROP TABLE meta")
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO meta VALUES ('app', 'something-else')")
        conn.commit()
    await assert_refused(db_path, "not rapport's")


async def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    store = await open_store(url_of(db_path))
    await store.close()
    with raw(db_path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(LATEST + 1),))
        conn.commit()
    await assert_refused(db_path, "newer rapport", f"schema version {LATEST + 1}", "upgrade")


async def test_opening_waits_for_another_writer(db_path: Path) -> None:
    # a database being migrated by another process (rollback journal, exclusive lock held)
    db = await aiosqlite.connect(db_path, isolation_level=None)
    await migrate(db, str(db_path), target=1)
    await db.close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, holder.execute, ("COMMIT",))
    release.start()
    try:
        store = await open_store(url_of(db_path))
        await store.close()
    finally:
        release.join()
        holder.close()
    assert meta(db_path)["schema_version"] == str(LATEST)


async def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        await open_store(url_of(tmp_path))


async def test_closed_store_refuses_work(db_path: Path) -> None:
    store = await open_store(url_of(db_path))
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        await store.load_session(SessionKey(ANA, "D1"))


# -- round trips --------------------------------------------------------------------------------


async def test_sessions_round_trip(any_store: Store) -> None:
    d1, d2 = SessionKey(ANA, "D1"), SessionKey(ANA, "thread-9")
    assert await any_store.load_session(d1) is None
    await any_store.save_session(d1, '{"step": "ask"}', 100.0)
    await any_store.save_session(d2, '{"step": "who"}', 50.0)
    loaded = await any_store.load_session(d1)
    assert loaded is not None
    assert (loaded.key, loaded.state, loaded.updated_at) == (d1, '{"step": "ask"}', 100.0)
    await any_store.save_session(d1, '{"step": "review"}', 200.0)
    loaded = await any_store.load_session(d1)
    assert loaded is not None and (loaded.state, loaded.updated_at) == ('{"step": "review"}', 200.0)
    assert [(s.key.channel, s.state) for s in await any_store.sessions_of(ANA)] == [
        ("thread-9", '{"step": "who"}'),
        ("D1", '{"step": "review"}'),
    ]
    await any_store.delete_session(d1)
    await any_store.delete_session(d1)  # already gone: fine
    assert await any_store.load_session(d1) is None
    assert [s.key for s in await any_store.sessions_of(ANA)] == [d2]


async def test_failed_save_keeps_the_previous_state(any_store: Store) -> None:
    key = SessionKey(ANA, "D1")
    await any_store.save_session(key, '{"step": "ask", "draft": "Hi Dana"}', 1.0)
    with pytest.raises(StoreError, match="valid JSON"):
        await any_store.save_session(key, '{"step": "ask", "draft": ', 2.0)
    loaded = await any_store.load_session(key)
    assert loaded is not None
    assert (loaded.state, loaded.updated_at) == ('{"step": "ask", "draft": "Hi Dana"}', 1.0)
    with pytest.raises(StoreError):
        await any_store.save_session(SessionKey(ANA, "D2"), "not json", 3.0)
    assert await any_store.load_session(SessionKey(ANA, "D2")) is None
    await any_store.save_session(key, "[1, 2]", 4.0)  # the any_store still works afterwards


async def test_relationships_round_trip(any_store: Store) -> None:
    dana = Relationship(Person("dana", "Dana Lee"), "we shipped billing together", "2019", 10.0)
    omar = Relationship(Person("u-omar", "Omar"), "met at PyCon", None, 5.0)
    await any_store.save_relationship(ANA, dana)
    await any_store.save_relationship(ANA, omar)
    assert await any_store.relationship(ANA, "dana") == dana
    assert await any_store.relationship(ANA, "nobody") is None
    assert await any_store.relationships(ANA) == [omar, dana]
    changed = Relationship(Person("dana", "Dana"), "she mentored me", "since Acme", 20.0)
    await any_store.save_relationship(ANA, changed)
    assert await any_store.relationships(ANA) == [omar, changed]


async def test_endorsements_round_trip(any_store: Store) -> None:
    given = Endorsement(None, "given", Person("dana", "Dana"), None, "Python", 1.0)
    received = Endorsement(None, "received", Person("omar", "Omar"), False, None, 2.0)
    id_given = await any_store.add_endorsement(ANA, given)
    id_received = await any_store.add_endorsement(ANA, received)
    assert id_given != id_received
    listed = await any_store.endorsements(ANA)
    assert listed == [
        Endorsement(id_given, "given", Person("dana", "Dana"), None, "Python", 1.0, False),
        Endorsement(id_received, "received", Person("omar", "Omar"), False, None, 2.0, False),
    ]
    assert await any_store.mark_reciprocated(ANA, id_received) is True
    assert await any_store.mark_reciprocated(ANA, id_given) is False  # only received ones
    assert await any_store.mark_reciprocated(ANA, 999_999) is False
    assert await any_store.mark_reciprocated(BEN, id_received) is False  # not Ben's
    assert [e.reciprocated for e in await any_store.endorsements(ANA)] == [False, True]
    solicited = Endorsement(None, "received", Person("li", "Li"), True, None, 3.0, True)
    new_id = await any_store.add_endorsement(ANA, solicited)
    assert (await any_store.endorsements(ANA))[-1] == Endorsement(
        new_id, "received", Person("li", "Li"), True, None, 3.0, True
    )


async def test_checks_keep_no_text(store: Store, db_path: Path) -> None:
    await store.record_check(ANA, "endorsement_request", ("cold-ask", "pressure"), 1.5, 7.0)
    with raw(db_path) as conn:
        rows = conn.execute("SELECT kind, rules, quotient, at FROM checks").fetchall()
    assert rows == [("endorsement_request", '["cold-ask", "pressure"]', 1.5, 7.0)]


async def test_preferences_and_saved_messages_round_trip(any_store: Store) -> None:
    assert await any_store.remembers(ANA) is False
    await any_store.set_remember(ANA, True)
    await any_store.set_remember(ANA, True)
    assert await any_store.remembers(ANA) is True
    first = await any_store.save_message(ANA, "Hi Dana, …", 1.0)
    second = await any_store.save_message(ANA, "Hi Omar, …", 2.0)
    messages = await any_store.saved_messages(ANA)
    assert [(m.id, m.text, m.at) for m in messages] == [
        (first, "Hi Dana, …", 1.0),
        (second, "Hi Omar, …", 2.0),
    ]
    await any_store.set_remember(ANA, False)
    assert await any_store.remembers(ANA) is False
    assert await any_store.saved_messages(ANA) == []


async def test_secret_is_made_once_per_database(db_path: Path, tmp_path: Path) -> None:
    store = await open_store(url_of(db_path))
    other = await open_store(url_of(tmp_path / "other.db"))
    try:
        secret = await store.secret()
        assert len(secret) == 32
        assert await store.secret() == secret
        assert await other.secret() != secret
    finally:
        await store.close()
        await other.close()
    store = await open_store(url_of(db_path))
    try:
        assert await store.secret() == secret
        await store.forget(ANA)
        assert await store.secret() == secret  # not user data
    finally:
        await store.close()


async def test_fingerprints_round_trip_all_64_bits(any_store: Store) -> None:
    for h in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        await any_store.add_fingerprint(ANA, h, None, 1.0)
        hits = await any_store.similar_fingerprints(ANA, h, 1.0, 0)
        assert [(x.simhash, x.distance, x.recipient, x.at) for x in hits] == [(h, 0, None, 1.0)]
    with pytest.raises(ValueError):
        await any_store.add_fingerprint(ANA, 1 << 64, None, 1.0)
    with pytest.raises(ValueError):
        await any_store.add_fingerprint(ANA, -1, None, 1.0)


# -- scoping and forgetting ---------------------------------------------------------------------


async def fill(store: Store, user: UserRef, marker: str) -> int:
    """One or more rows of `user` in every table; returns how many rows."""
    await store.save_session(SessionKey(user, "D1"), json.dumps({"draft": marker}), 1.0)
    await store.save_session(SessionKey(user, "D2"), "{}", 2.0)
    await store.save_relationship(user, Relationship(Person("dana", "Dana"), marker, None, 1.0))
    await store.add_endorsement(user, Endorsement(None, "given", Person("d", "D"), None, None, 1))
    await store.record_check(user, "other", (), 1.0, 1.0)
    await store.add_fingerprint(user, 0xABCD, "r", 1.0)
    await store.set_remember(user, True)
    await store.save_message(user, marker, 1.0)
    return 8


async def test_every_query_is_scoped(any_store: Store) -> None:
    users = (ANA, BEN, ANA_ELSEWHERE, ANA_DISCORD)
    for user in users:
        await fill(any_store, user, f"text of {user.platform}/{user.workspace}/{user.user_id}")
    for user in users:
        mine = f"text of {user.platform}/{user.workspace}/{user.user_id}"
        sessions = await any_store.sessions_of(user)
        assert [json.loads(s.state).get("draft") for s in sessions] == [mine, None]
        assert all(s.key.user == user for s in sessions)
        assert [r.how for r in await any_store.relationships(user)] == [mine]
        assert len(await any_store.endorsements(user)) == 1
        assert [m.text for m in await any_store.saved_messages(user)] == [mine]
        assert len(await any_store.similar_fingerprints(user, 0xABCD, 0.0, 3)) == 1
        assert len(await any_store.similar_fingerprints(user, 0xABCD, 0.0, 10)) == 1
    await any_store.set_remember(ANA, False)
    assert await any_store.remembers(ANA) is False
    assert await any_store.remembers(ANA_ELSEWHERE) is True
    await any_store.delete_session(SessionKey(ANA, "D1"))
    assert await any_store.load_session(SessionKey(ANA_ELSEWHERE, "D1")) is not None


async def test_forget_deletes_all_and_only_that_users_rows(store: Store, db_path: Path) -> None:
    others = (BEN, ANA_ELSEWHERE, ANA_DISCORD)
    expected = await fill(store, ANA, "ana")
    await store.add_endorsement(ANA, Endorsement(None, "received", Person("b", "B"), None, None, 2))
    await store.save_session(SessionKey(ANA, "D3"), "{}", 3.0)
    expected += 2
    for user in others:
        await fill(store, user, "someone else")

    def counts() -> dict[tuple[str, str, str, str], int]:
        out = {}
        with raw(db_path) as conn:
            for table in sqlite_mod.USER_TABLES:
                query = (
                    f"SELECT platform, workspace, user_id, count(*) FROM {table} GROUP BY 1, 2, 3"
                )
                for p, w, u, n in conn.execute(query):
                    out[(table, p, w, u)] = n
        return out

    before = counts()
    assert await store.forget(ANA) == expected
    after = counts()
    assert {k: v for k, v in before.items() if k[1:] != sqlite_mod._scope(ANA)} == after
    assert not any(k[1:] == sqlite_mod._scope(ANA) for k in after)
    assert await store.forget(ANA) == 0


async def test_forget_knows_every_table(store: Store, db_path: Path) -> None:
    with raw(db_path) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        for table in tables - set(sqlite_mod.SHARED_TABLES):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert {"platform", "workspace", "user_id"} <= columns, table
    assert tables - set(sqlite_mod.SHARED_TABLES) == set(sqlite_mod.USER_TABLES)


# -- privacy: deleted text leaves the files -----------------------------------------------------


@pytest.mark.parametrize("how", ["delete_session", "forget", "remember_off"])
async def test_deleted_text_leaves_no_trace_in_the_files(db_path: Path, how: str) -> None:
    tag = os.urandom(6).hex()
    in_session, in_message = f"ZQX-session-{tag}".encode(), f"ZQX-message-{tag}".encode()
    store = await open_store(url_of(db_path))
    try:
        key = SessionKey(ANA, "D1")
        draft = f"Hi Dana, {in_session.decode()} "
        # long enough to need overflow pages, plus short copies in cells of their own
        await store.save_session(key, json.dumps({"draft": draft * 400}), 1.0)
        await store.set_remember(ANA, True)
        await store.save_message(ANA, f"Hi Omar, {in_message.decode()}", 2.0)
        await store.save_message(ANA, f"{in_message.decode()} " * 300, 3.0)
        for i in range(50):  # neighbours that stay, so pages are shared and rebalanced
            await store.save_session(SessionKey(BEN, f"C{i}"), json.dumps({"n": "x" * i * 20}), i)
            await store.save_message(BEN, "kept text " * i, float(i))
        await store.save_session(key, json.dumps({"draft": draft}), 4.0)  # an update
        before = files_bytes(db_path)
        assert in_session in before and in_message in before  # so the test can fail

        if how == "forget":
            assert await store.forget(ANA) > 0
        elif how == "delete_session":
            await store.delete_session(key)
            assert in_message in files_bytes(db_path)  # kept: the user opted in
            await store.set_remember(ANA, False)
        else:
            await store.set_remember(ANA, False)
            assert in_session in files_bytes(db_path)  # the open session is untouched
            await store.delete_session(key)
        await store.flush()  # an ended session is scrubbed within a moment; now, for the test
        after = files_bytes(db_path)  # while the store is still open
        assert in_session not in after and in_message not in after
        assert len(await store.saved_messages(BEN)) == 50
        assert len(await store.sessions_of(BEN)) == 50
    finally:
        await store.close()
    after = files_bytes(db_path)
    assert in_session not in after and in_message not in after


# -- concurrency --------------------------------------------------------------------------------


async def test_200_concurrent_writes_lose_nothing(store: Store, db_path: Path) -> None:
    jobs = []
    for i in range(200):
        jobs.append(store.add_fingerprint(ANA, i, f"r{i}", float(i)))
        jobs.append(store.record_check(ANA, "other", ("curt",), 1.0, float(i)))
    await asyncio.gather(*jobs)
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 200
        assert conn.execute("SELECT count(DISTINCT simhash) FROM fingerprints").fetchone()[0] == 200
        assert conn.execute("SELECT count(*) FROM checks").fetchone()[0] == 200


async def test_concurrent_mixed_operations(any_store: Store) -> None:
    async def user_life(i: int) -> None:
        user = UserRef("slack", "T1", f"U{i}")
        await any_store.save_session(SessionKey(user, "D"), json.dumps({"i": i}), i)
        await any_store.set_remember(user, True)
        await any_store.save_message(user, f"m{i}", i)
        if i % 2:
            assert await any_store.forget(user) == 3

    await asyncio.gather(*(user_life(i) for i in range(60)))
    for i in range(60):
        user = UserRef("slack", "T1", f"U{i}")
        assert len(await any_store.saved_messages(user)) == (0 if i % 2 else 1)


async def test_two_stores_on_one_file_write_concurrently(db_path: Path) -> None:
    first, second = await asyncio.gather(
        open_store(url_of(db_path)), open_store(url_of(db_path))
    )  # opening together: migrated once
    try:
        jobs = []
        for i in range(150):
            jobs.append(first.add_fingerprint(ANA, i, "a", float(i)))
            jobs.append(second.add_fingerprint(BEN, i, "b", float(i)))
            jobs.append(second.record_check(ANA, "other", (), 1.0, float(i)))
            if i % 25 == 0:
                jobs.append(first.forget(UserRef("slack", "T9", "nobody")))
                jobs.append(second.set_remember(ANA, bool(i % 2)))
        await asyncio.gather(*jobs)
        assert len(await second.similar_fingerprints(ANA, 0, 0.0, 10)) == 150
        assert len(await first.similar_fingerprints(BEN, 0, 0.0, 10)) == 150
    finally:
        await first.close()
        await second.close()
    assert meta(db_path)["schema_version"] == str(LATEST)


async def test_many_stores_open_a_new_file_at_once(tmp_path: Path) -> None:
    # without the retry in SQLiteStore.open, a few in 240 of these failed with "database is
    # locked" (two connections switching a new file to WAL mode at once)
    for round_ in range(10):
        path = tmp_path / f"r{round_}.db"
        stores = await asyncio.gather(*(open_store(url_of(path)) for _ in range(6)))
        await asyncio.gather(*(s.add_fingerprint(ANA, i, None, 1.0) for i, s in enumerate(stores)))
        await asyncio.gather(*(s.close() for s in stores))
        assert meta(path)["schema_version"] == str(LATEST)
        with raw(path) as conn:
            assert conn.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 6


# -- near-duplicate lookups ---------------------------------------------------------------------


async def test_similar_fingerprints_near_far_and_old(any_store: Store) -> None:
    base = 0x0123_4567_89AB_CDEF
    one_bit_per_band = base ^ (1 | 1 << 17 | 1 << 34)  # 3 bits, in 3 different bands
    await any_store.add_fingerprint(ANA, base, "r0", 100.0)
    await any_store.add_fingerprint(ANA, base ^ 1, "r1", 101.0)
    await any_store.add_fingerprint(ANA, one_bit_per_band, "r3", 102.0)
    await any_store.add_fingerprint(ANA, base ^ 0b1111, "r4", 103.0)  # 4 bits: not near
    await any_store.add_fingerprint(ANA, base ^ (1 | 1 << 17 | 1 << 34 | 1 << 51), "r5", 104.0)
    await any_store.add_fingerprint(ANA, base ^ (1 << 63), "old", 10.0)  # near, but too old
    await any_store.add_fingerprint(ANA, ~base & ((1 << 64) - 1), "far", 105.0)
    await any_store.add_fingerprint(BEN, base, "ben", 100.0)  # near, but someone else's

    hits = await any_store.similar_fingerprints(ANA, base, 50.0, 3)
    assert [(h.recipient, h.distance) for h in hits] == [("r0", 0), ("r1", 1), ("r3", 3)]
    assert [h.at for h in hits] == [100.0, 101.0, 102.0]
    hits = await any_store.similar_fingerprints(ANA, base, 0.0, 1)
    assert [(h.recipient, h.distance) for h in hits] == [("old", 1), ("r0", 0), ("r1", 1)]
    hits = await any_store.similar_fingerprints(ANA, base, 50.0, 4)  # beyond the bands: a scan
    assert [(h.recipient, h.distance) for h in hits] == [
        ("r0", 0),
        ("r1", 1),
        ("r3", 3),
        ("r4", 4),
        ("r5", 4),
    ]
    assert await any_store.similar_fingerprints(ANA, base, 50.0, -1) == []
    assert await any_store.similar_fingerprints(ANA, base, 200.0, 3) == []


def plan(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> list[str]:
    return [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


async def test_band_lookup_uses_the_band_indexes(store: Store, db_path: Path) -> None:
    for i in range(300):
        await store.add_fingerprint(ANA, i * 0x9E37_79B9_7F4A_7C15 % (1 << 64), None, float(i))
    params = tuple(p for band in bands(0x1234) for p in (*sqlite_mod._scope(ANA), band, 0.0))
    with raw(db_path) as conn:
        conn.execute("ANALYZE")  # whatever the statistics say, the plan stays indexed
        steps = plan(conn, sqlite_mod._SIMILAR_BANDED, params)
        scan = plan(conn, sqlite_mod._SIMILAR_SCAN, (*sqlite_mod._scope(ANA), 0.0))
    text = "\n".join(steps)
    for n in range(4):
        assert f"SEARCH fingerprints USING INDEX fingerprints_b{n} (" in text
        assert f"b{n}=?" in text
    assert not any(s.startswith("SCAN fingerprints") for s in steps), text
    assert any("USING INDEX fingerprints_scope" in s for s in scan), scan


async def test_band_lookup_reads_only_candidates(db_path: Path) -> None:
    """Counting, not trusting the plan: SQLite's VM steps for a lookup don't grow with the
    number of the user's (far) fingerprints."""
    store = await open_store(url_of(db_path))
    assert isinstance(store, SQLiteStore)
    rng = random.Random(5)
    steps = []
    try:
        for size in (200, 4000):
            async with store._op("fill") as db:
                await db.executemany(
                    "INSERT INTO fingerprints (platform, workspace, user_id, simhash, recipient, "
                    "at, b0, b1, b2, b3) VALUES (?, ?, ?, ?, NULL, 1.0, ?, ?, ?, ?)",
                    [
                        (*sqlite_mod._scope(ANA), sqlite_mod._signed(h), *bands(h))
                        for h in (rng.getrandbits(64) for _ in range(size))
                    ],
                )
            with raw(db_path) as conn:
                counter = [0]

                def tick(counter: list[int] = counter) -> int:
                    counter[0] += 1
                    return 0

                conn.set_progress_handler(tick, 1)
                params = tuple(
                    p for band in bands(0x1234_5678) for p in (*sqlite_mod._scope(ANA), band, 0.0)
                )
                conn.execute(sqlite_mod._SIMILAR_BANDED, params).fetchall()
                steps.append(counter[0])
    finally:
        await store.close()
    assert steps[1] < steps[0] * 2, steps  # 20× the rows, about the same work


async def test_migration_from_v2_adds_workspace_settings_and_deliveries(db_path: Path) -> None:
    db = await aiosqlite.connect(db_path, isolation_level=None)
    assert await migrate(db, str(db_path), target=2) == 2
    await db.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, 'D1', '{\"step\": 3}', 5.0)",
        sqlite_mod._scope(ANA),
    )
    await db.close()
    store = await open_store(url_of(db_path))
    try:
        assert meta(db_path)["schema_version"] == str(LATEST) == "5"
        session = await store.load_session(SessionKey(ANA, "D1"))
        assert session is not None and json.loads(session.state) == {"step": 3}
        assert await store.workspace_settings("slack", "T1") is None
    finally:
        await store.close()


async def test_migration_from_v3_adds_aliases_and_keeps_the_ledger(db_path: Path) -> None:
    db = await aiosqlite.connect(db_path, isolation_level=None)
    assert await migrate(db, str(db_path), target=3) == 3
    await db.execute(
        "INSERT INTO relationships VALUES (?, ?, ?, 'dana', 'Dana', 'Acme', NULL, 1.0)",
        sqlite_mod._scope(ANA),
    )
    await db.close()
    store = await open_store(url_of(db_path))
    try:
        assert meta(db_path)["schema_version"] == str(LATEST)
        assert [r.other.key for r in await store.relationships(ANA)] == ["dana"]
        assert await store.aliases(ANA) == []
    finally:
        await store.close()


async def test_merge_people_files_entries_under_one_key(any_store: Store) -> None:
    dana, dana_lee = Person("dana", "Dana"), Person("dana lee", "Dana Lee")
    await any_store.save_relationship(ANA, Relationship(dana, "met at JSConf", None, 1.0))
    await any_store.save_relationship(ANA, Relationship(dana_lee, "worked at Acme", None, 2.0))
    await any_store.add_endorsement(ANA, Endorsement(None, "given", dana, None, "SQL", 3.0))
    await any_store.add_endorsement(BEN, Endorsement(None, "given", dana, None, None, 3.0))
    moved = await any_store.merge_people(ANA, dana_lee, dana, 4.0)
    assert moved == 2
    (rel,) = await any_store.relationships(ANA)
    assert rel.other == dana_lee and rel.how == "worked at Acme; met at JSConf"
    (given,) = await any_store.endorsements(ANA)
    assert given.other == dana_lee and given.note == "SQL"
    (alias,) = await any_store.aliases(ANA)
    assert alias.alias == dana and alias.person_key == "dana lee"
    assert [e.other.key for e in await any_store.endorsements(BEN)] == ["dana"]  # Ben's own


async def test_forget_person_deletes_one_person_under_every_key(any_store: Store) -> None:
    dana, sam = Person("dana lee", "Dana Lee"), Person("sam", "Sam")
    await any_store.save_relationship(ANA, Relationship(dana, "Acme", None, 1.0))
    await any_store.save_relationship(ANA, Relationship(sam, "school", None, 1.0))
    await any_store.add_endorsement(ANA, Endorsement(None, "received", dana, False, None, 2.0))
    await any_store.add_endorsement(ANA, Endorsement(None, "given", Person("u1", "@dana"), None,
                                                     None, 2.0))  # fmt: skip
    await any_store.merge_people(ANA, dana, Person("dana", "Dana"), 3.0)
    await any_store.merge_people(ANA, dana, Person("u1", "@dana"), 3.0)
    assert await any_store.forget_person(ANA, ["dana lee", "dana", "u1"]) == 3
    assert [r.other.key for r in await any_store.relationships(ANA)] == ["sam"]
    assert await any_store.endorsements(ANA) == [] and await any_store.aliases(ANA) == []


async def test_delete_one_saved_message(any_store: Store) -> None:
    await any_store.set_remember(ANA, True)
    first = await any_store.save_message(ANA, "Hi Dana, first", 1.0)
    second = await any_store.save_message(ANA, "Hi Sam, second", 2.0)
    assert not await any_store.delete_saved_message(BEN, first)  # someone else's: untouched
    assert await any_store.delete_saved_message(ANA, first)
    assert not await any_store.delete_saved_message(ANA, first)
    assert [m.id for m in await any_store.saved_messages(ANA)] == [second]


async def test_workspace_settings_are_per_workspace(any_store: Store) -> None:
    await any_store.save_workspace_settings("slack", "T1", '{"rules": {}}', "U1", 1.0)
    await any_store.save_workspace_settings("slack", "T1", '{"rules": {"curt": {}}}', "U2", 2.0)
    assert await any_store.workspace_settings("slack", "T1") == '{"rules": {"curt": {}}}'
    assert await any_store.workspace_settings("slack", "T2") is None
    assert await any_store.workspace_settings("discord", "T1") is None


async def test_claim_delivery_once_and_prunes_old_ids(any_store: Store) -> None:
    assert await any_store.claim_delivery("slack", "Ev1", 100.0, keep=60.0)
    assert not await any_store.claim_delivery("slack", "Ev1", 101.0, keep=60.0)
    assert await any_store.claim_delivery("discord", "Ev1", 101.0, keep=60.0)
    # long after, the old id is pruned and a new delivery with it counts again
    assert await any_store.claim_delivery("slack", "Ev1", 1000.0, keep=60.0)


async def test_concurrent_claims_of_one_delivery_have_one_winner(any_store: Store) -> None:
    import asyncio

    wins = await asyncio.gather(
        *(any_store.claim_delivery("slack", "Ev9", 5.0, 60.0) for _ in range(20))
    )
    assert sum(wins) == 1


# -- acknowledged work, write probes, scrubbing after a kill ------------------------------------


async def test_jobs_are_kept_replays_refused_and_taken_once(any_store: Store) -> None:
    first = await any_store.enqueue("slack", "cmd:a", '{"text": "gave Dana"}', 100.0, keep=600.0)
    assert first is not None
    assert await any_store.enqueue("slack", "cmd:a", '{"text": "gave Dana"}', 101.0, 600.0) is None
    second = await any_store.enqueue("slack", "cmd:b", '{"text": "know Sam"}', 102.0, 600.0)
    assert second is not None and second != first
    assert not await any_store.claim_delivery("slack", "cmd:b", 103.0, 600.0)  # one id space
    assert await any_store.take_jobs("slack", 100.0, 200.0, 10) == []  # taken at 100 and 102
    assert await any_store.take_jobs("discord", 1000.0, 200.0, 10) == []
    taken = await any_store.take_jobs("slack", 150.0, 200.0, 1)
    assert [(j.id, json.loads(j.payload), j.at) for j in taken] == [
        (first, {"text": "gave Dana"}, 100.0)
    ]
    again = await any_store.take_jobs("slack", 150.0, 201.0, 10)  # `first` was taken at 200
    assert [j.id for j in again] == [second]
    await any_store.finish_job(first)
    assert [j.id for j in await any_store.take_jobs("slack", 1e9, 300.0, 10)] == [second]
    await any_store.finish_job(second)
    assert await any_store.take_jobs("slack", 1e9, 400.0, 10) == []
    with pytest.raises(StoreError):
        await any_store.enqueue("slack", "cmd:c", "not json", 500.0, 600.0)


async def test_concurrent_takers_never_share_a_job(any_database: str) -> None:
    a, b = await open_store(any_database), await open_store(any_database)
    try:
        for n in range(40):
            await a.enqueue("slack", f"cmd:{n}", "{}", float(n), 600.0)
        got = await asyncio.gather(
            *(s.take_jobs("slack", 1000.0, 2000.0, 5) for s in (a, b) for _ in range(6))
        )
        ids = [j.id for batch in got for j in batch]
        assert len(ids) == len(set(ids)) == 40
    finally:
        await a.close()
        await b.close()


async def test_probe_write_fails_fast_when_another_process_holds_the_write_lock(
    db_path: Path,
) -> None:
    store = await open_store(url_of(db_path))
    try:
        await store.probe_write()
        assert float(meta(db_path)["probe"]) > 0
        with raw(db_path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            with pytest.raises(StoreError, match="write to the database"):
                await store.probe_write()
            with pytest.raises(StoreError, match="keep acknowledged work"):
                await store.enqueue("slack", "cmd:x", "{}", 1.0, 600.0)
            assert time.monotonic() - started < 3.0  # a second each, not busy_timeout's 5
            conn.rollback()
        await store.probe_write()
        assert await store.enqueue("slack", "cmd:x", "{}", 1.0, 600.0) is not None
    finally:
        await store.close()


_KILLED_AFTER_DELETE = """
import asyncio, json, os, signal, sys
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef

async def main():
    store = await open_store(sys.argv[1])
    key = SessionKey(UserRef("slack", "T1", "U1"), "D1")
    await store.save_session(key, json.dumps({"draft": sys.argv[2] * 50}), 1.0)
    await store.delete_session(key)  # scrubbed within scrub_delay … but killed first
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


async def test_text_left_by_a_kill_9_before_the_scrub_is_gone_after_a_restart(
    db_path: Path,
) -> None:
    import subprocess
    import sys

    marker = f"ZQX-killed-{os.urandom(6).hex()} "
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_DELETE, url_of(db_path), marker],
        capture_output=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == -9, done.stderr
    assert marker.encode() in files_bytes(db_path)  # the kill left it in the -wal
    store = await open_store(url_of(db_path))
    try:
        assert marker.encode() not in files_bytes(db_path)  # scrubbed at start, while open
        assert await store.sessions_of(UserRef("slack", "T1", "U1")) == []
    finally:
        await store.close()
