"""Shared fixtures: one engine for the whole run (rules load once, like in production)."""

from __future__ import annotations

import pytest

from bot.engine import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    """rapport's default engine."""
    return Engine.default()
