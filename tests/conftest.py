"""Shared fixtures: one engine for the whole run (rules load once, like in production)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from rapport.bot.engine.engine import Engine
from rapport.bot.rewriter.rewrite import Rewriter

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


#: Test modules whose tests start processes, pseudo-terminals, servers or database clusters: the
#: slow tier (the Slack and Discord suites start local fakes of the platforms and a server).
#: `pytest -m "not slow"` runs the rest (the engine, rewriter, coach, ledger, storage, service,
#: commands) in well under 30 seconds; CI runs everything.
SLOW_MODULES = frozenset({
    "test_cli", "test_cli_conventions", "test_cli_limits", "test_cli_rewrite", "test_console",
    "test_console_pty", "test_container", "test_discord", "test_durable", "test_fake_discord",
    "test_fake_slack", "test_postgres", "test_serve", "test_serve_privacy", "test_slack",
    "test_workers",
})  # fmt: skip
#: Single tests as slow as those (a corpus-wide scan, property tests, a lock held on purpose).
SLOW_TESTS = frozenset(
    {
        "test_no_test_draft_is_close_to_a_train_or_dev_draft",
        "test_probe_write_fails_fast_when_another_process_holds_the_write_lock",
        "test_many_stores_open_a_new_file_at_once",
        "test_serve_slack_runs_answers_and_stops_on_sigterm",
        # every phrase of every list against every example and corpus draft: the scanner,
        # prefilter and plain matcher agreeing with whole regular expressions
        "test_every_match_of_a_plain_scan_is_found",
        "test_every_hit_is_a_real_match_of_some_phrase",
        "test_the_needs_of_every_phrase_hold_wherever_it_matches",
        "test_scanning_with_only_the_possible_phrases_finds_what_whole_patterns_find",
        "test_every_plain_alternative_of_the_lists_matches_as_re_does",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tier (see SLOW_MODULES); `pytest -m "not slow"` leaves it out."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        name = item.name.split("[", 1)[0]
        if module in SLOW_MODULES or module == "test_rewrite_properties" or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
