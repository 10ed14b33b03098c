"""Errors a user can meet, in a module that imports nothing: the CLI names them at start-up
without loading the storage layer (a one-shot `rapport check --no-history` never opens it)."""

from __future__ import annotations

__all__ = ["StoreError"]


class StoreError(RuntimeError):
    """The database can't be used (corrupt, foreign, newer than this rapport, unwritable).

    The message names the file or URL and says what to do; rapport never overwrites it.
    """
