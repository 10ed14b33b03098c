"""What rapport keeps, behind one small async protocol (SQLite now, PostgreSQL later).

Every row is scoped by platform and workspace (a Slack workspace, a Discord server, or
"console/local"), and users are platform user ids.  Callers never see SQL: they get and give
the frozen records below.  Draft text lives only in an active session (and in saved messages
when the user said `remember on`); everything else is ids, names as the user typed them,
their own descriptions of a relationship, scores and fingerprints.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from rapport.bot.errors import StoreError

__all__ = [
    "QUICK_WRITE_SECONDS",
    "Alias",
    "Endorsement",
    "FingerprintHit",
    "Job",
    "Person",
    "Relationship",
    "SavedMessage",
    "SessionKey",
    "Store",
    "StoreError",
    "StoredSession",
    "UserRef",
]


@dataclass(frozen=True, slots=True)
class UserRef:
    """One user in one workspace: the scope of every row."""

    platform: str  # "slack" | "discord" | "console"
    workspace: str  # team id, guild id, or "local"
    user_id: str


@dataclass(frozen=True, slots=True)
class SessionKey:
    """A coaching session: one per user per channel (a DM, a thread, the console)."""

    user: UserRef
    channel: str


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session's serialised state and when it last moved."""

    key: SessionKey
    state: str  # JSON written by the coach; opaque to the store
    updated_at: float  # Unix seconds


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in the ledger: a stable key (a platform id, or a lower-cased name) and a label."""

    key: str
    display: str


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name (or platform mention) the user confirmed is a person already in the
    ledger: entries under `alias.key` are filed under `person_key`."""

    alias: Person
    person_key: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Relationship:
    """How the user knows someone, in the user's own words."""

    other: Person
    how: str
    since: str | None  # as the user said it: "2019", "since the Acme days"
    created_at: float


@dataclass(frozen=True, slots=True)
class Endorsement:
    """An endorsement the user gave or received."""

    id: int | None  # None until stored
    direction: str  # "given" | "received"
    other: Person
    solicited: bool | None  # None: unknown
    note: str | None
    at: float
    reciprocated: bool = False


@dataclass(frozen=True, slots=True)
class FingerprintHit:
    """A stored fingerprint near the one looked up (for the cross-draft blast check)."""

    simhash: int
    recipient: str | None  # a keyed hash of the recipient, never the name
    at: float
    distance: int


@dataclass(frozen=True, slots=True)
class SavedMessage:
    """A finished message kept because the user opted in (`remember on`)."""

    id: int
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class Job:
    """Acknowledged work kept until it is carried out: what the adapter wrote, as it wrote it."""

    id: int
    platform: str
    payload: str  # JSON written by the adapter; opaque to the store
    at: float  # when it was acknowledged


#: How long `enqueue` and `probe_write` wait for a database lock before failing: a platform
#: needs an answer within seconds, and a readiness check must not hang on a stuck writer.
QUICK_WRITE_SECONDS = 1.0


class Store(Protocol):
    """rapport's storage; every method is a coroutine and safe to call concurrently."""

    url: str  # where it lives, for messages ("sqlite:////home/ana/.local/share/rapport/…")

    async def close(self) -> None:
        """Flush and close; the store can't be used afterwards."""

    async def ping(self) -> None:
        """One round trip to the database (readiness checks); StoreError when it's away."""

    async def flush(self) -> None:
        """Scrub deleted text from the database files now (ended sessions are scrubbed within
        a moment anyway; `forget` and `remember off` scrub at once)."""

    # -- coaching sessions -----------------------------------------------------------------
    async def load_session(self, key: SessionKey) -> StoredSession | None:
        """The session in this channel, if any."""

    async def save_session(self, key: SessionKey, state: str, updated_at: float) -> None:
        """Replace the session's state in one transaction (a failed write keeps the old one)."""

    async def delete_session(self, key: SessionKey) -> None:
        """End the session; its text is scrubbed from the database files within a moment."""

    def session_lock(self, key: SessionKey) -> AbstractAsyncContextManager[None]:
        """Held for a whole coaching turn (load, answer, save), so two processes answering the
        same session never both build on the same state and lose one turn."""

    async def sessions_of(self, user: UserRef) -> list[StoredSession]:
        """Every open session of a user (all channels)."""

    # -- ledger ------------------------------------------------------------------------------
    async def save_relationship(self, user: UserRef, relationship: Relationship) -> None:
        """Record (or replace) how the user knows someone."""

    async def relationship(self, user: UserRef, other_key: str) -> Relationship | None:
        """How the user knows this person, if recorded."""

    async def relationships(self, user: UserRef) -> list[Relationship]:
        """Everyone the user has recorded, oldest first."""

    async def add_endorsement(self, user: UserRef, endorsement: Endorsement) -> int:
        """Record an endorsement; returns its id."""

    async def endorsements(self, user: UserRef) -> list[Endorsement]:
        """The user's endorsements, given and received, oldest first."""

    async def mark_reciprocated(self, user: UserRef, endorsement_id: int) -> bool:
        """Mark a received endorsement as returned; False if there is no such endorsement."""

    async def aliases(self, user: UserRef) -> list[Alias]:
        """Other names the user confirmed for people in their ledger, oldest first."""

    async def merge_people(self, user: UserRef, keep: Person, alias: Person, at: float) -> int:
        """File everything under `alias` under `keep` (one transaction; two relationships are
        joined, not dropped) and remember the alias; returns the rows moved."""

    async def forget_person(self, user: UserRef, keys: Collection[str]) -> int:
        """Delete the user's relationships, endorsements and aliases for one person (all of
        their keys); returns the relationships and endorsements deleted."""

    # -- checks and fingerprints ---------------------------------------------------------------
    async def record_check(
        self, user: UserRef, kind: str, rules: tuple[str, ...], quotient: float, at: float
    ) -> None:
        """Keep what a check found (rule ids and scores only, never the text)."""

    async def add_fingerprint(
        self, user: UserRef, simhash: int, recipient: str | None, at: float
    ) -> None:
        """Keep a checked draft's 64-bit SimHash and its (hashed) recipient."""

    async def similar_fingerprints(
        self, user: UserRef, simhash: int, since: float, max_distance: int
    ) -> list[FingerprintHit]:
        """Stored fingerprints of this user since `since` within `max_distance` bits (indexed)."""

    # -- preferences and opted-in text ------------------------------------------------------
    async def remembers(self, user: UserRef) -> bool:
        """True when the user asked rapport to keep their finished messages."""

    async def set_remember(self, user: UserRef, on: bool) -> None:
        """Turn keeping finished messages on or off (off deletes the ones kept)."""

    async def save_message(self, user: UserRef, text: str, at: float) -> int:
        """Keep a finished message (only ever called when the user opted in)."""

    async def saved_messages(self, user: UserRef) -> list[SavedMessage]:
        """The user's kept messages, oldest first."""

    async def delete_saved_message(self, user: UserRef, message_id: int) -> bool:
        """Delete one kept message (scrubbed); False if the user has no such message."""

    async def secret(self) -> bytes:
        """This database's own random key (made once), for keyed hashes of recipients."""

    # -- workspaces and deliveries ------------------------------------------------------------
    async def workspace_settings(self, platform: str, workspace: str) -> str | None:
        """The workspace's rule settings as JSON (an admin's choices), or None for defaults."""

    async def save_workspace_settings(
        self, platform: str, workspace: str, settings: str, updated_by: str, at: float
    ) -> None:
        """Replace the workspace's rule settings (JSON written by `rapport.bot.service.workspace`)."""

    async def claim_delivery(self, platform: str, delivery: str, at: float, keep: float) -> bool:
        """True the first time a platform delivery id is seen (False for a retry); ids older
        than `keep` seconds are forgotten."""

    # -- acknowledged work ------------------------------------------------------------------
    async def enqueue(
        self, platform: str, delivery: str, payload: str, at: float, keep: float
    ) -> int | None:
        """Claim `delivery` (as `claim_delivery`) and keep `payload` as a job, in one
        transaction, waiting at most `QUICK_WRITE_SECONDS` for a lock: the job's id, or None for
        a delivery already seen (a replay).  StoreError when it couldn't be kept."""

    async def take_jobs(
        self, platform: str, stale_before: float, now: float, limit: int
    ) -> list[Job]:
        """Up to `limit` jobs of this platform last taken before `stale_before` (left by a
        process that died), oldest first, each marked taken at `now` so no one else takes it."""

    async def finish_job(self, job_id: int) -> None:
        """Delete a job that was carried out and answered."""

    async def renew_jobs(self, job_ids: Collection[int], now: float) -> None:
        """Mark jobs this process is still carrying out as taken at `now`: a live process's
        jobs never look abandoned to another (a rolling restart, several processes)."""

    async def probe_write(self) -> None:
        """A tiny write (the `probe` row in `meta`), waiting at most `QUICK_WRITE_SECONDS` for a
        lock: StoreError when the database can't be written (readiness)."""

    # -- privacy ---------------------------------------------------------------------------
    async def forget(self, user: UserRef) -> int:
        """Delete everything about the user in this workspace; returns rows deleted."""
