"""rapport as one service: checks that know the ledger, the coach, and the ledger commands.

Every surface (the console, `rapport check`, Slack, Discord) talks to this class and nothing
else; it owns the store.  A check here is the engine's check plus what only history can
tell: that the user has no recorded relationship with the recipient or has never given them
anything, that the recipient endorsed them unprompted and is still waiting, and that the
same message has been checked for many different people today.

The engine's CPU work goes through a runner (`rapport.bot.service.workers`): in-process by default (the
one-shot CLI), or a pool of worker processes (`rapport serve`, the console), so that a slow
check never holds up the event loop and other users' answers.  Only the database work runs
here, on the loop.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from rapport.bot.coach.ledger import Ledger, LedgerReader
from rapport.bot.config import Config, ConfigError
from rapport.bot.engine.engine import Engine
from rapport.bot.metrics import metrics
from rapport.bot.models import Context, Kind, Report, Rewrite
from rapport.bot.rewriter.rewrite import Rewriter
from rapport.bot.service.jobs import First, finish
from rapport.bot.service.workers import CheckRefused, InProcess, Runner
from rapport.bot.service.workspace import WorkspaceSettings, from_json
from rapport.bot.storage.base import SessionKey, Store, UserRef

if TYPE_CHECKING:  # the coach is built on first use: `rapport check` never loads it
    from rapport.bot.coach.machine import Coach
    from rapport.bot.coach.pasted import Pasted
    from rapport.bot.coach.replies import Reply
    from rapport.bot.coach.session import CoachSession

__all__ = ["Rapport", "idle_hours"]


def idle_hours(env: Mapping[str, str] | None = None) -> float:
    """$RAPPORT_SESSION_IDLE_HOURS (default 24): how long a quiet session is kept."""
    raw = (os.environ if env is None else env).get("RAPPORT_SESSION_IDLE_HOURS", "").strip()
    if not raw:
        return 24.0
    try:
        hours = float(raw)
    except ValueError:
        raise ConfigError(
            f"RAPPORT_SESSION_IDLE_HOURS must be a number of hours, not {raw!r}"
        ) from None
    if not 0 < hours <= 24 * 365:
        raise ConfigError("RAPPORT_SESSION_IDLE_HOURS must be between 0 and 8760 hours")
    return hours


class Rapport:
    """Checks, rewrites, coaching and the ledger over one store."""

    #: How far back the same message to different people counts (blast.toml says how many).
    blast_window_hours = 24.0

    def __init__(
        self,
        store: Store,
        config: Config | None = None,
        clock: Callable[[], float] = time.time,
        idle_hours: float = 24.0,
        workers: Runner | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config or Config()
        self.engine = Engine(config=self.config)
        self.rewriter = Rewriter(self.engine)
        #: Where the engine's work runs: here, or a `WorkerPool` (see `rapport.bot.service.workers`).
        self.workers = workers or InProcess(self.engine, self.rewriter)
        self.workspaces = WorkspaceSettings(store, clock)
        self._configs: dict[str, Config] = {}  # by a workspace's stored JSON
        self.ledger = Ledger(store, clock)
        self.idle_hours = idle_hours
        self._coach: Coach | None = None

    @property
    def coach(self) -> Coach:
        """The coaching state machine (built on first use)."""
        if self._coach is None:
            from rapport.bot.coach.machine import Coach
            from rapport.bot.coach.steps import Tools

            tools = Tools(
                self.ledger,
                self.context_for,
                self._check_for_coach,
                self.read_pasted,
                self._rewrite_for_coach,
                self._compose_for_coach,
            )
            self._coach = Coach(
                self.store, tools, self._finished, idle_hours=self.idle_hours, clock=self.clock
            )
        return self._coach

    async def close(self) -> None:
        """Stop the workers and close the store."""
        await self.workers.close()
        await self.store.close()

    # -- checks -----------------------------------------------------------------------------
    async def config_for(self, user: UserRef) -> tuple[str, Config]:
        """This workspace's settings (an admin's choices over the team file), and their key
        for the engines built from them ("" for the team file alone).

        Settings are read again every few seconds (`WorkspaceSettings.fresh_seconds`), so a
        change made through another process applies soon; engines are built once per distinct
        settings, in each process that runs checks.
        """
        if user.platform == "console":
            return "", self.config
        raw = await self.workspaces.raw(user.platform, user.workspace)
        if raw is None:
            return "", self.config
        config = self._configs.get(raw)
        if config is None:
            ws = from_json(raw)
            config = Config(
                rules={**self.config.rules, **ws.rules},
                source=ws.source,
                templates=self.config.templates,
                # the workspace's own choice wins; otherwise the team file's (or the default)
                sensitivity=ws.sensitivity if '"sensitivity"' in raw else self.config.sensitivity,
            )
            if len(self._configs) >= 256:  # many workspaces, many settings: stay bounded
                self._configs.clear()
            self._configs[raw] = config
        return raw, config

    async def context_for(
        self, user: UserRef, recipient: str | None, reader: LedgerReader | None = None
    ) -> Context:
        """What the ledger says about writing to this person (`reader`: this check's reads)."""
        if not recipient:
            return Context()
        reader = reader or self.ledger.reader(user)
        known = await reader.relationship(recipient)
        given = await reader.given_to(recipient)
        return Context(
            recipient=recipient, known_relationship=known is not None, endorsements_given=given
        )

    async def check(
        self,
        user: UserRef,
        text: str,
        recipient: str | None = None,
        rewrite: bool = False,
        supplied: Mapping[str, str] | None = None,
        record: bool = True,
    ) -> Report:
        """Check a draft with everything rapport knows about this user's outreach.

        Raises CheckRefused when the workers are all taken or the draft is too slow to check.
        """
        started = time.perf_counter()
        key, config = await self.config_for(user)
        reader = self.ledger.reader(user)
        context = await self.context_for(user, recipient, reader)
        first: First = await self.workers.run(key, config, "read", text, context, recipient)
        name = first.name
        if name and not recipient:  # the ledger may know the person the draft greets
            context = await self.context_for(user, name, reader)
        # What earlier checks and the ledger know: the rules read it from the context.
        context = await self._with_history(user, first.fingerprint, name, record, context, reader)
        if context != Context() or rewrite:
            job = (text, context, name, rewrite, supplied)
            report: Report = await self.workers.run(key, config, "check", *job)
        else:
            report = finish(first.report, name)
        rules = tuple(sorted({f.rule for f in report.findings}))
        if record:
            await self.store.record_check(
                user, report.kind.value, rules, report.trust.quotient, self.clock()
            )
        metrics().check(user.platform, report.kind.value, rules, time.perf_counter() - started)
        return report

    async def _with_history(
        self,
        user: UserRef,
        fingerprint: int,
        name: str | None,
        record: bool,
        context: Context,
        reader: LedgerReader,
    ) -> Context:
        """The context with who is owed a thank-you and how many got this same message."""
        from rapport.bot.engine.fingerprint import NEAR, recipient_key

        owed = await reader.owed_to(name) if name else None
        now = self.clock()
        secret = await self.store.secret()
        key = recipient_key(_first_name(name), secret) if name else None
        since = now - self.blast_window_hours * 3600
        hits = await self.store.similar_fingerprints(user, fingerprint, since, NEAR)
        people = {h.recipient for h in hits if h.recipient} | ({key} if key else set())
        if record:
            await self.store.add_fingerprint(user, fingerprint, key, now)
        return replace(
            context,
            owed_name=owed.other.display if owed is not None else None,
            owed_at=owed.at if owed is not None else None,
            repeated_for=len(people) if len(people) > 1 else 0,
            repeat_hours=self.blast_window_hours,
        )

    async def read_pasted(self, user: UserRef, text: str) -> Pasted:
        """A message pasted to the coach, read with this workspace's engine: its kind, who it
        is written to, who it recommends, and whether it reads as written to someone."""
        key, config = await self.config_for(user)
        pasted: Pasted = await self.workers.run(key, config, "pasted", text)
        return pasted

    async def _check_for_coach(self, user: UserRef, text: str, recipient: str | None) -> Report:
        return await self.check(user, text, recipient, record=False)

    async def _rewrite_for_coach(
        self, user: UserRef, text: str, context: Context, supplied: Mapping[str, str]
    ) -> Rewrite | None:
        """The coach's rewrite of a draft (with rapport's own settings, as the coach always
        used)."""
        rewrite: Rewrite | None = await self.workers.run(
            "", self.config, "rewrite", text, context, dict(supplied)
        )
        return rewrite

    async def _compose_for_coach(
        self,
        user: UserRef,
        kind: Kind,
        supplied: Mapping[str, str],
        context: Context,
        decline: bool,
        skipped: Collection[str],
    ) -> Rewrite:
        """The coach's message built from the answers alone."""
        job = (kind, dict(supplied), context, decline, list(skipped))
        composed: Rewrite = await self.workers.run("", self.config, "compose", *job)
        return composed

    # -- coaching ---------------------------------------------------------------------------
    async def talk(self, key: SessionKey, text: str) -> Reply:
        """One message to the coach in this channel.  A turn whose check the workers refuse
        (all busy, or the draft too slow to read) says so and leaves the session as it was."""
        try:
            return await self.coach.handle(key, text)
        except CheckRefused as refused:
            from rapport.bot.coach.replies import Reply
            from rapport.bot.wording import say

            return Reply(say(refused.wording))

    async def _finished(self, key: SessionKey, session: CoachSession) -> str:
        """A session ended with a message: keep its scores (and the text, if opted in)."""
        from rapport.bot.wording import say

        if session.message:
            await self._keep_verdict(key.user, session)
            if await self.store.remembers(key.user):
                await self.store.save_message(key.user, session.message, self.clock())
                return say("review.kept_message")
        return say("review.kept_nothing")

    async def _keep_verdict(self, user: UserRef, session: CoachSession) -> None:
        """Record the finished message's check (already made at review) and its fingerprint."""
        from rapport.bot.engine.fingerprint import recipient_key, simhash

        assert session.message is not None
        verdict = session.verdict
        if verdict is None:  # reviewed before verdicts were kept: check it once more
            report = await self.check(user, session.message, None, record=False)
            verdict = {"kind": report.kind.value, "rules": [f.rule for f in report.findings],
                       "quotient": report.trust.quotient}  # fmt: skip
        now = self.clock()
        rules = tuple(sorted(set(verdict["rules"])))
        await self.store.record_check(user, verdict["kind"], rules, verdict["quotient"], now)
        name = session.answers.get("recipient")
        key = recipient_key(_first_name(name), await self.store.secret()) if name else None
        names = [name] if name else []
        await self.store.add_fingerprint(user, simhash(session.message, names=names), key, now)

    # -- privacy ----------------------------------------------------------------------------
    async def forget(self, user: UserRef) -> int:
        """Delete everything about the user in this workspace."""
        return await self.store.forget(user)


def _first_name(name: str) -> str:
    """Who a message is to, for counting different people: "Dana" and "Dana Lee" are one."""
    return name if name.startswith("<") else (name.split() or [name])[0]
