"""Errors a user can meet, in a module that imports next to nothing: the CLI names them at
start-up without loading the storage layer (a one-shot `rapport check --no-history` never opens
it)."""

from __future__ import annotations

from rapport.bot.redact import redact

__all__ = ["StoreError", "couldnt"]

#: What a person is told when nothing more specific applies.
UNAVAILABLE = "rapport's database can't be used right now; please try again in a moment"


class StoreError(RuntimeError):
    """The database can't be used (corrupt, foreign, newer than this rapport, unwritable, away).

    `str(error)` is for logs and operators: it names the database (credentials masked) and the
    underlying error.  `public` is for people: what failed and what to do, in plain words, with
    no URL, host, password or exception text (a local SQLite file's path at most, for the
    person running rapport on their own machine).  Chat answers use neither: the coach and the
    bots say what they couldn't do in their own words.
    """

    def __init__(self, message: str, public: str = UNAVAILABLE) -> None:
        super().__init__(redact(message))
        self.public = public


def couldnt(what: str) -> str:
    """The plain words for an operation that failed on a database that was working."""
    return f"rapport couldn't {what} in its database; please try again"
