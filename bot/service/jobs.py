"""The CPU work of a check, in pieces that need nothing but their arguments.

`Rapport` keeps the database work (ledger reads, fingerprints, records) on the event loop and
hands these pieces to a runner (`rapport.bot.service.workers`): in the same process for the one-shot CLI, in a
worker process for the bots and the console.  Arguments and results are plain picklable
values (text, `Context`, `Config`, `Report`, `Rewrite`, `Pasted`); the engine's `Signals` never
cross, so a job that needs them reads the draft again (or finds it in a one-entry cache).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from rapport.bot.config import Config
from rapport.bot.engine.engine import Engine
from rapport.bot.models import Context, Finding, Kind, Report, Rewrite
from rapport.bot.resources import templates_dir
from rapport.bot.rewriter.rewrite import Rewriter

if TYPE_CHECKING:
    from rapport.bot.coach.pasted import Pasted
    from rapport.bot.engine.signals import Signals

__all__ = ["JOBS", "Engines", "First", "finish", "greeted"]

#: A process keeps engines for this many distinct settings (workspaces share most).
_MAX_ENGINES = 64


class Engines:
    """An engine and rewriter per configuration, built once, keyed by the caller's key."""

    def __init__(self) -> None:
        self._built: dict[str, tuple[Engine, Rewriter]] = {}

    def seed(self, key: str, engine: Engine, rewriter: Rewriter) -> None:
        """Use these for `key` (the service's own default engine, already built)."""
        self._built[key] = (engine, rewriter)

    def get(self, key: str, config: Config) -> tuple[Engine, Rewriter]:
        """The engine and rewriter for `config` (known to the caller as `key`)."""
        hit = self._built.get(key)
        if hit is None:
            engine = Engine(config=config)
            hit = (engine, Rewriter(engine))
            if len(self._built) >= _MAX_ENGINES:  # many workspaces, many settings: stay bounded
                self._built.clear()
            self._built[key] = hit
        return hit


@dataclass(frozen=True, slots=True)
class First:
    """A draft's first reading: the report, who it is to, and its fingerprint for that name."""

    report: Report
    name: str | None
    fingerprint: int


#: The last draft read in this process, so the second half of a check can reuse its signals.
_last: list[tuple[tuple[int, str, Context], Report, Signals]] = []


def _analyse(engine: Engine, text: str, context: Context) -> tuple[Report, Signals]:
    key = (id(engine), text, context)
    if _last and _last[0][0] == key:
        return _last[0][1], _last[0][2]
    report, signals = engine.analyse(text, context)
    _last[:] = [(key, report, signals)]
    return report, signals


def read(tools: tuple[Engine, Rewriter], text: str, context: Context, to: str | None) -> First:
    """The first reading of a draft, before history is known: who it greets, its fingerprint."""
    from rapport.bot.engine.fingerprint import simhash

    report, signals = _analyse(tools[0], text, context)
    name = to or greeted(signals.greeting_name)
    return First(report, name, simhash(text, names=[name] if name else []))


def check(
    tools: tuple[Engine, Rewriter],
    text: str,
    context: Context,
    name: str | None,
    rewrite: bool,
    supplied: Mapping[str, str] | None,
) -> Report:
    """The draft read with everything history says, with the ledger's notes (and a rewrite)."""
    engine, rewriter = tools
    report, signals = _analyse(engine, text, context)
    report = finish(report, name)
    if rewrite:
        report = replace(report, rewrite=rewriter.rewrite(report, signals, supplied))
    return report


def pasted(tools: tuple[Engine, Rewriter], text: str) -> Pasted:
    """A message pasted to the coach: its kind, who it is to and who it recommends."""
    from rapport.bot.coach.pasted import read_pasted

    report, signals = _analyse(tools[0], text, Context())
    return read_pasted(report, signals)


def rewrite(
    tools: tuple[Engine, Rewriter], text: str, context: Context, supplied: Mapping[str, str]
) -> Rewrite | None:
    """The coach's rewrite of a draft with the answers so far."""
    report, signals = _analyse(tools[0], text, context)
    return tools[1].rewrite(report, signals, supplied)


def compose(
    tools: tuple[Engine, Rewriter],
    kind: Kind,
    supplied: Mapping[str, str],
    context: Context,
    decline: bool,
    skipped: Collection[str],
) -> Rewrite:
    """The coach's message built from the answers alone."""
    return tools[1].compose(kind, supplied, context, decline=decline, skipped=skipped)


def warm(tools: tuple[Engine, Rewriter]) -> bool:
    """Load the reader and templates once, so a worker's first real check is not slow."""
    tools[1].check("Hi Dana, could you endorse me for Python? I'd be glad to return it.")
    return True


def pause(tools: tuple[Engine, Rewriter], seconds: float) -> float:
    """Only wait: the stand-in for a slow check in the tests and `bench/loop_stall.py`."""
    import time

    time.sleep(seconds)
    return seconds


#: What a runner may be asked to do, by name (a worker process receives the name).
JOBS: dict[str, Callable[..., Any]] = {
    "read": read,
    "check": check,
    "pasted": pasted,
    "rewrite": rewrite,
    "compose": compose,
    "warm": warm,
    "pause": pause,
}


def finish(report: Report, name: str | None) -> Report:
    """The report with the ledger's notes on its findings, in reading order."""
    findings = tuple(_ledger_notes(report.findings, name))
    return replace(report, findings=tuple(sorted(findings, key=_order)))


def greeted(name: str | None) -> str | None:
    """The name a draft greets ("hi dana" → "Dana"); never a mention."""
    if not name or name.startswith("@"):
        return None
    return name[:1].upper() + name[1:]


@cache
def _wording() -> dict[str, Any]:
    return tomllib.loads((templates_dir() / "findings.toml").read_text(encoding="utf-8"))


@cache
def _compiled(text: str) -> Any:
    """A findings template, compiled once (the wording is fixed per process)."""
    import jinja2

    return jinja2.Environment(autoescape=False).from_string(text)


def _ledger_notes(findings: tuple[Finding, ...], name: str | None) -> list[Finding]:
    from rapport.bot.coach.ledger import person

    notes = _wording()["notes"]
    out = []
    for f in findings:
        if name and f.rule in ("cold-ask", "ask-before-give"):
            note = _compiled(notes[f.rule.replace("-", "_")]).render(name=person(name).display)
            f = replace(f, message=f.message + str(note))
        out.append(f)
    return out


def _order(f: Finding) -> tuple[int, int, str]:
    return (f.start, f.severity.rank, f.rule)
