"""PostgreSQL-only behaviour: the schema matches SQLite's, processes starting together migrate
once, two processes on the same user lose nothing, and an unreachable database is a clear error.

The suites that run on both engines (storage, coaching, service) are in their own files; these
need a PostgreSQL server (`RAPPORT_TEST_POSTGRES_URL`, which `.ci/run` sets) and skip without.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef
from rapport.bot.storage.migrations import LATEST
from tests.conftest import postgres_schema
from tests.paths import ROOT

ANA = UserRef("slack", "T1", "U_ANA")


async def _pg_columns(url: str) -> dict[str, set[str]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    finally:
        await conn.close()
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], set()).add(r["column_name"])
    return out


async def test_the_schema_matches_sqlite_s(tmp_path: Path) -> None:
    sqlite_file = tmp_path / "s.db"
    store = await open_store(f"sqlite:///{sqlite_file}")
    await store.close()
    with sqlite3.connect(sqlite_file) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        lite = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    async with postgres_schema() as url:
        store = await open_store(url)
        await store.close()
        assert await _pg_columns(url) == lite


async def test_processes_starting_together_migrate_once() -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys
        from rapport.bot.storage import open_store
        async def main():
            store = await open_store(sys.argv[1])
            await store.close()
        asyncio.run(main())
        """
    )
    async with postgres_schema() as url:
        procs = [
            await asyncio.create_subprocess_exec(sys.executable, "-c", script, url, cwd=ROOT)
            for _ in range(4)
        ]
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), 120)
        assert codes == [0, 0, 0, 0]
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            meta = dict(await conn.fetch("SELECT key, value FROM meta"))
        finally:
            await conn.close()
        assert meta["schema_version"] == str(LATEST) and meta["app"] == "rapport"


_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.storage import open_store
    from rapport.bot.storage.base import SessionKey, UserRef

    async def main(url, name, rounds):
        rapport = Rapport(await open_store(url))
        store = rapport.store
        ana = UserRef("slack", "T1", "U_ANA")
        shared = SessionKey(ana, "counter")
        for i in range(rounds):
            # a read-modify-write turn on the session both processes share
            async with store.session_lock(shared):
                found = await store.load_session(shared)
                n = json.loads(found.state)["n"] if found else 0
                await asyncio.sleep(0)  # let the other process try to interleave
                await store.save_session(shared, json.dumps({"n": n + 1}), float(i))
            # ledger writes and real coaching turns for the same user
            await rapport.ledger.gave(ana, f"{name} person {i}")
            await rapport.ledger.know(ana, f"{name} friend {i}", "we worked together at Acme")
            await rapport.talk(SessionKey(ana, f"dm-{name}"), "hi" if i % 3 == 0 else "1")
            # and real coaching turns on one DM both processes serve (a retried event, say)
            await rapport.talk(SessionKey(ana, "dm-shared"), ("hi", "1", "Dana", "back")[i % 4])
        await rapport.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


async def test_two_processes_on_the_same_user_lose_no_update() -> None:
    rounds = 40
    async with postgres_schema() as url:
        store = await open_store(url)  # migrate first, so both workers start on the same schema
        await store.close()
        procs = [
            await asyncio.create_subprocess_exec(sys.executable, "-c", _WORKER, url, name, str(rounds), cwd=ROOT)
            for name in ("a", "b")
        ]  # fmt: skip
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), 240)
        assert codes == [0, 0]
        store = await open_store(url)
        try:
            session = await store.load_session(SessionKey(ANA, "counter"))
            assert session is not None and json.loads(session.state)["n"] == 2 * rounds
            given = [e for e in await store.endorsements(ANA) if e.direction == "given"]
            assert len(given) == 2 * rounds
            assert len(await store.relationships(ANA)) == 2 * rounds
            channels = {s.key.channel for s in await store.sessions_of(ANA)}
            assert {"dm-a", "dm-b", "dm-shared"} <= channels
            from rapport.bot.coach.session import CoachSession

            shared = await store.load_session(SessionKey(ANA, "dm-shared"))
            assert shared is not None
            assert CoachSession.from_json(shared.state) is not None  # whole, never half a turn
        finally:
            await store.close()


def test_an_unreachable_database_stops_serve_with_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s",
        RAPPORT_DATABASE_URL="postgresql://rapport:hunter2@127.0.0.1:1/rapport",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack"], env=env, capture_output=True,
        text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert "can't connect to postgresql://rapport:***@127.0.0.1:1/rapport" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("bad", ["not json", ""])
async def test_invalid_session_state_keeps_the_old_one(bad: str) -> None:
    from rapport.bot.storage import StoreError

    async with postgres_schema() as url:
        store = await open_store(url)
        try:
            key = SessionKey(ANA, "D1")
            await store.save_session(key, '{"step": 1}', 1.0)
            with pytest.raises(StoreError, match="valid JSON"):
                await store.save_session(key, bad, 2.0)
            found = await store.load_session(key)
            assert found is not None and json.loads(found.state) == {"step": 1}
        finally:
            await store.close()


async def _advisory_locks(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
    finally:
        await conn.close()


async def test_a_cancelled_turn_leaves_no_session_lock_behind() -> None:
    async with postgres_schema() as url:
        store = await open_store(url)
        key = SessionKey(ANA, "dm")
        try:
            entered = asyncio.Event()

            async def turn() -> None:
                async with store.session_lock(key):
                    entered.set()
                    await asyncio.sleep(30)

            task = asyncio.ensure_future(turn())
            await asyncio.wait_for(entered.wait(), 10)
            assert await _advisory_locks(url) == 1
            task.cancel()  # a turn cut off mid-way (shutdown, a timeout)
            with pytest.raises(asyncio.CancelledError):
                await task
            async with asyncio.timeout(5):  # the next turn for the session isn't blocked
                async with store.session_lock(key):
                    pass
            for _ in range(50):  # pooled connections keep no lock (no reset query runs)
                await store.ping()
            assert await _advisory_locks(url) == 0
        finally:
            await store.close()
