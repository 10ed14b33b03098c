"""What rapport counts while it serves: checks, findings by rule, sessions, latencies, errors and
database time, as Prometheus metrics.

The core reports through `metrics()`, which does nothing until `rapport serve` turns counting on
(`enable()`), so `rapport check` never loads prometheus-client.  Labels are rule ids, kinds,
platforms and error kinds: never text, never user ids.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Metrics", "PrometheusMetrics", "enable", "measured_store", "metrics"]


class Metrics:
    """The no-op recorder (the default): every method is free."""

    def check(self, platform: str, kind: str, rules: tuple[str, ...], seconds: float) -> None:
        """A draft was checked."""

    def turn(self, platform: str, seconds: float, started: bool, ended: bool) -> None:
        """A coaching turn was answered (maybe starting or ending a session)."""

    def error(self, kind: str) -> None:
        """Something failed: "store", "platform", "internal", …"""

    def failed(self, exc: BaseException) -> None:
        """Count a failure by its kind: the database ("store") or anything else ("internal")."""
        from rapport.bot.errors import StoreError

        self.error("store" if isinstance(exc, StoreError) else "internal")

    def database(self, operation: str, seconds: float) -> None:
        """One store operation took this long."""

    def request(self, platform: str, kind: str) -> None:
        """A platform request arrived (slash command, button, event, interaction)."""


class PrometheusMetrics(Metrics):
    """The same, counted in a Prometheus registry of rapport's own."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        fast = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
        r = self.registry
        self.checks = Counter("rapport_checks", "Drafts checked", ["platform", "kind"], registry=r)
        self.findings = Counter(
            "rapport_findings", "Findings raised, by rule", ["rule"], registry=r
        )
        self.check_seconds = Histogram(
            "rapport_check_seconds",
            "Time to check a draft (with the ledger)",
            buckets=fast,
            registry=r,
        )
        self.sessions_started = Counter(
            "rapport_sessions_started", "Coaching sessions started", ["platform"], registry=r
        )
        self.sessions_finished = Counter(
            "rapport_sessions_finished", "Coaching sessions ended", ["platform"], registry=r
        )
        self.turn_seconds = Histogram(
            "rapport_turn_seconds", "Time to answer a coaching turn", buckets=fast, registry=r
        )
        self.errors = Counter("rapport_errors", "Failures, by kind", ["kind"], registry=r)
        self.db_seconds = Histogram(
            "rapport_database_seconds", "Time per store operation", ["operation"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0), registry=r,
        )  # fmt: skip
        self.requests = Counter(
            "rapport_requests", "Platform requests received", ["platform", "kind"], registry=r
        )

    def check(self, platform: str, kind: str, rules: tuple[str, ...], seconds: float) -> None:
        self.checks.labels(platform, kind).inc()
        for rule in rules:
            self.findings.labels(rule).inc()
        self.check_seconds.observe(seconds)

    def turn(self, platform: str, seconds: float, started: bool, ended: bool) -> None:
        self.turn_seconds.observe(seconds)
        if started:
            self.sessions_started.labels(platform).inc()
        if ended:
            self.sessions_finished.labels(platform).inc()

    def error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    def database(self, operation: str, seconds: float) -> None:
        self.db_seconds.labels(operation).observe(seconds)

    def request(self, platform: str, kind: str) -> None:
        self.requests.labels(platform, kind).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The /metrics body and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_current: Metrics = Metrics()


def metrics() -> Metrics:
    """The recorder in use (a no-op unless `enable()` was called)."""
    return _current


def enable() -> PrometheusMetrics:
    """Start counting (once per process; later calls return the same recorder)."""
    global _current
    if not isinstance(_current, PrometheusMetrics):
        _current = PrometheusMetrics()
    return _current


def measured_store(store: Any, clock: Callable[[], float] = time.perf_counter) -> Any:
    """`store` with every coroutine method timed into `rapport_database_seconds`."""
    return _Measured(store, clock)


class _Measured:
    """A transparent proxy: attribute access passes through, coroutine methods are timed."""

    def __init__(self, store: Any, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = self._clock()
            try:
                return await attr(*args, **kwargs)
            finally:
                metrics().database(name, self._clock() - started)

        return timed
