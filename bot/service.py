"""rapport as one service: checks that know the ledger, the coach, and the ledger commands.

Every surface (the console, `rapport check`, Slack, Discord) talks to this class and nothing
else; it owns the store.  A check here is the engine's check plus what only history can
tell: that the user has no recorded relationship with the recipient or has never given them
anything, that the recipient endorsed them unprompted and is still waiting, and that the
same message has been checked for many different people today.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.config import Config
from bot.engine import Engine
from bot.ledger import Ledger, LedgerReader, person
from bot.metrics import metrics
from bot.models import Context, Finding, Report
from bot.resources import templates_dir
from bot.rewrite import Rewriter
from bot.storage.base import SessionKey, Store, UserRef
from bot.workspace import WorkspaceSettings, from_json

if TYPE_CHECKING:  # the coach is built on first use: `rapport check` never loads it
    from bot.coach.machine import Coach
    from bot.coach.pasted import Pasted
    from bot.coach.replies import Reply
    from bot.coach.session import CoachSession

__all__ = ["Rapport"]


@cache
def _wording() -> dict[str, Any]:
    return tomllib.loads((templates_dir() / "findings.toml").read_text(encoding="utf-8"))


@cache
def _compiled(text: str) -> Any:
    """A findings template, compiled once (the wording is fixed per process)."""
    import jinja2

    return jinja2.Environment(autoescape=False).from_string(text)


def _render(text: str, **values: Any) -> str:
    return str(_compiled(text).render(**values))


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
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config or Config()
        self.engine = Engine(config=self.config)
        self.rewriter = Rewriter(self.engine)
        self.workspaces = WorkspaceSettings(store, clock)
        self._engines: dict[str, tuple[Engine, Rewriter]] = {}  # by a workspace's stored JSON
        self.ledger = Ledger(store, clock)
        self.idle_hours = idle_hours
        self._coach: Coach | None = None

    @property
    def coach(self) -> Coach:
        """The coaching state machine (built on first use)."""
        if self._coach is None:
            from bot.coach.machine import Coach
            from bot.coach.steps import Tools

            tools = Tools(
                self.rewriter,
                self.ledger,
                self.context_for,
                self._check_for_coach,
                self.read_pasted,
            )
            self._coach = Coach(
                self.store, tools, self._finished, idle_hours=self.idle_hours, clock=self.clock
            )
        return self._coach

    async def close(self) -> None:
        """Close the store."""
        await self.store.close()

    # -- checks -----------------------------------------------------------------------------
    async def engine_for(self, user: UserRef) -> tuple[Engine, Rewriter]:
        """The engine with this workspace's settings (an admin's choices over the team file).

        Settings are read again every few seconds (`WorkspaceSettings.fresh_seconds`), so a
        change made through another process applies soon; engines are built once per distinct
        settings.
        """
        if user.platform == "console":
            return self.engine, self.rewriter
        raw = await self.workspaces.raw(user.platform, user.workspace)
        if raw is None:
            return self.engine, self.rewriter
        hit = self._engines.get(raw)
        if hit is None:
            ws = from_json(raw)
            config = Config(
                rules={**self.config.rules, **ws.rules},
                source=ws.source,
                templates=self.config.templates,
                # the workspace's own choice wins; otherwise the team file's (or the default)
                sensitivity=ws.sensitivity if '"sensitivity"' in raw else self.config.sensitivity,
            )
            engine = Engine(config=config)
            hit = (engine, Rewriter(engine))
            if len(self._engines) >= 256:  # many workspaces, many settings: stay bounded
                self._engines.clear()
            self._engines[raw] = hit
        return hit

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
        """Check a draft with everything rapport knows about this user's outreach."""
        started = time.perf_counter()
        engine, rewriter = await self.engine_for(user)
        reader = self.ledger.reader(user)
        context = await self.context_for(user, recipient, reader)
        report, signals = engine.analyse(text, context)
        name = recipient or _greeted(signals.greeting_name)
        if name and not recipient:  # the ledger may know the person the draft greets
            context = await self.context_for(user, name, reader)
        # What earlier checks and the ledger know: the rules read it from the context.
        context = await self._with_history(user, text, name, record, context, reader)
        if context != Context():
            report, signals = engine.analyse(text, context)
        findings = tuple(self._ledger_notes(report.findings, name))
        report = replace(report, findings=tuple(sorted(findings, key=_order)))
        if rewrite:
            report = replace(report, rewrite=rewriter.rewrite(report, signals, supplied))
        rules = tuple(sorted({f.rule for f in report.findings}))
        if record:
            await self.store.record_check(
                user, report.kind.value, rules, report.trust.quotient, self.clock()
            )
        metrics().check(user.platform, report.kind.value, rules, time.perf_counter() - started)
        return report

    def _ledger_notes(self, findings: tuple[Finding, ...], name: str | None) -> list[Finding]:
        notes = _wording()["notes"]
        out = []
        for f in findings:
            if name and f.rule in ("cold-ask", "ask-before-give"):
                note = _render(notes[f.rule.replace("-", "_")], name=person(name).display)
                f = replace(f, message=f.message + note)
            out.append(f)
        return out

    async def _with_history(
        self,
        user: UserRef,
        text: str,
        name: str | None,
        record: bool,
        context: Context,
        reader: LedgerReader,
    ) -> Context:
        """The context with who is owed a thank-you and how many got this same message."""
        from bot.fingerprint import NEAR, recipient_key, simhash

        owed = await reader.owed_to(name) if name else None
        now = self.clock()
        fingerprint = simhash(text, names=[name] if name else [])
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
        from bot.coach.pasted import read_pasted

        engine, _ = await self.engine_for(user)
        report, signals = engine.analyse(text)
        return read_pasted(report, signals)

    async def _check_for_coach(self, user: UserRef, text: str, recipient: str | None) -> Report:
        return await self.check(user, text, recipient, record=False)

    # -- coaching ---------------------------------------------------------------------------
    async def talk(self, key: SessionKey, text: str) -> Reply:
        """One message to the coach in this channel."""
        return await self.coach.handle(key, text)

    async def _finished(self, key: SessionKey, session: CoachSession) -> str:
        """A session ended with a message: keep its scores (and the text, if opted in)."""
        from bot.coach.wording import say

        if session.message:
            await self._keep_verdict(key.user, session)
            if await self.store.remembers(key.user):
                await self.store.save_message(key.user, session.message, self.clock())
                return say("review.kept_message")
        return say("review.kept_nothing")

    async def _keep_verdict(self, user: UserRef, session: CoachSession) -> None:
        """Record the finished message's check (already made at review) and its fingerprint."""
        from bot.fingerprint import recipient_key, simhash

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


def _greeted(name: str | None) -> str | None:
    if not name or name.startswith("@"):
        return None
    return name[:1].upper() + name[1:]


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.start, f.severity.rank, f.rule)
