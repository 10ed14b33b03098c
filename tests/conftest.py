"""Shared fixtures: one engine for the whole run (rules load once, like in production)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from bot.engine.engine import Engine
from bot.rewriter.rewrite import Rewriter

settings.register_profile("default", max_examples=150)
settings.register_profile("long", max_examples=3000)  # RAPPORT_HYPOTHESIS=long pytest …
settings.load_profile(os.environ.get("RAPPORT_HYPOTHESIS", "default"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    """rapport's default engine."""
    return Engine.default()


@pytest.fixture(scope="session")
def rewriter(engine: Engine) -> Rewriter:
    """A rewriter over the default engine, built-in templates only."""
    return Rewriter(engine)


@pytest.fixture(scope="session", autouse=True)
def _private_database(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test (and every `rapport` process a test starts) uses a throwaway database,
    never the user's own."""
    folder = tmp_path_factory.mktemp("rapport-db")
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{folder / 'rapport.db'}"


#: A PostgreSQL server for the tests that run on both engines (`scripts/with-postgres` starts
#: one and sets this); without it those tests are skipped, saying why, unless
#: RAPPORT_REQUIRE_POSTGRES=1 (as in `.ci/run`) makes a missing server a failure.
PG_ENV = "RAPPORT_TEST_POSTGRES_URL"


def no_postgres(why: str) -> None:
    """Skip a PostgreSQL test, or fail it where PostgreSQL is required (CI)."""
    if os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{why}, and RAPPORT_REQUIRE_POSTGRES=1", pytrace=False)
    pytest.skip(why)


@contextlib.asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A database URL whose tables live in a new, empty schema, dropped afterwards."""
    base = os.environ.get(PG_ENV, "").strip()
    if not base:
        no_postgres(f"no PostgreSQL server: set {PG_ENV} (scripts/with-postgres starts one)")
    import asyncpg

    schema = "t_" + uuid.uuid4().hex[:16]
    conn = await asyncpg.connect(base)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}search_path={schema}"
    finally:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database URL on each engine in turn: SQLite (a temporary file) and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rapport.db'}"
        return
    async with postgres_schema() as url:
        yield url
