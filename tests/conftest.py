"""Shared fixtures: one engine for the whole run (rules load once, like in production)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from bot.engine import Engine
from bot.rewrite import Rewriter

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
