"""Per-workspace rule settings: what a Slack workspace's or Discord server's admins chose.

Admins switch rules off and change severities with `config` (the adapters decide who is an
admin; this module never sees the platform).  Settings are stored as the same mapping a
`rapport.toml` holds, so a team's file and its workspace settings mean the same thing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from rapport.bot.config import SENSITIVITIES, Config, RuleSettings
from rapport.bot.models import TEXT_RULE_IDS, Severity
from rapport.bot.storage.base import Store, UserRef
from rapport.bot.wording import say

__all__ = ["ConfigChange", "WorkspaceSettings", "parse_change", "summary"]

_RULES = ", ".join(TEXT_RULE_IDS)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """One admin change: `off`/`on` a rule, set its `severity`, or `reset` everything."""

    action: str  # "show" | "off" | "on" | "severity" | "sensitivity" | "reset"
    rule: str = ""
    severity: Severity | None = None
    sensitivity: str = ""


def parse_change(words: str, cmd: str) -> ConfigChange | str:
    """The change an admin typed ("off curt", "severity pressure error"), or what's wrong."""
    parts = words.lower().replace(",", " ").split()
    if not parts:
        return ConfigChange("show")
    action, args = parts[0], parts[1:]
    if action in ("show", "list") and not args:
        return ConfigChange("show")
    if action in ("reset", "defaults") and not args:
        return ConfigChange("reset")
    if action in ("off", "disable", "on", "enable") and len(args) == 1:
        if args[0] not in TEXT_RULE_IDS:
            return say("chat.config.unknown_rule", rule=args[0], rules=_RULES)
        return ConfigChange("off" if action in ("off", "disable") else "on", args[0])
    if action == "sensitivity" and len(args) == 1:
        if args[0] not in SENSITIVITIES:
            return say("chat.config.bad_sensitivity", value=args[0])
        return ConfigChange("sensitivity", sensitivity=args[0])
    if action == "severity" and len(args) == 2:
        rule, value = args
        if rule not in TEXT_RULE_IDS:
            return say("chat.config.unknown_rule", rule=rule, rules=_RULES)
        if value not in {s.value for s in Severity}:
            return say("chat.config.bad_severity", value=value)
        return ConfigChange("severity", rule, Severity(value))
    return say("chat.config.usage", cmd=cmd)


def apply(config: Config, change: ConfigChange) -> Config:
    """`config` with one change made (rules not mentioned keep their settings)."""
    if change.action == "reset":
        return Config(source="workspace")
    if change.action == "sensitivity":
        return Config(rules=config.rules, source="workspace", sensitivity=change.sensitivity)
    rules = dict(config.rules)
    current = config.settings(change.rule)
    if change.action == "off":
        rules[change.rule] = RuleSettings(False, current.severity, current.phrases)
    elif change.action == "on":
        rules[change.rule] = RuleSettings(True, current.severity, current.phrases)
    elif change.action == "severity":
        rules[change.rule] = RuleSettings(current.enabled, change.severity, current.phrases)
    rules = {k: v for k, v in rules.items() if v != RuleSettings()}
    return Config(rules=rules, source="workspace", sensitivity=config.sensitivity)


def summary(config: Config) -> str:
    """The settings in a few words ("off: curt; severity: pressure → error")."""
    off = [r for r in TEXT_RULE_IDS if not config.settings(r).enabled]
    changed = [
        f"{r} → {s.value}" for r in TEXT_RULE_IDS if (s := config.settings(r).severity) is not None
    ]
    sensitivity = config.sensitivity if config.sensitivity != "balanced" else ""
    if not off and not changed and not sensitivity:
        return say("chat.config.summary_default")
    return say("chat.config.summary", off=off, changed=changed, sensitivity=sensitivity)


class WorkspaceSettings:
    """Reads and writes a workspace's settings in the store."""

    #: How long a process keeps a workspace's settings before reading them again: a change
    #: made here applies at once, one made through another process within this many seconds.
    fresh_seconds = 5.0

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._read: dict[tuple[str, str], tuple[float, str | None]] = {}

    async def raw(self, platform: str, workspace: str) -> str | None:
        """The stored JSON (None: rapport's defaults), for callers that cache by it."""
        key = (platform, workspace)
        now = time.monotonic()
        hit = self._read.get(key)
        if hit is not None and now - hit[0] < self.fresh_seconds:
            return hit[1]
        raw = await self.store.workspace_settings(platform, workspace)
        if len(self._read) >= 10_000:
            self._read.clear()
        self._read[key] = (now, raw)
        return raw

    async def load(self, platform: str, workspace: str) -> Config:
        """The workspace's settings (rapport's defaults when none were saved)."""
        return from_json(await self.raw(platform, workspace))

    async def run(self, admin: UserRef, words: str, cmd: str) -> str:
        """Carry out an admin's `config …` and say what the settings are now."""
        change = parse_change(words, cmd)
        if isinstance(change, str):
            return change
        config = await self.load(admin.platform, admin.workspace)
        if change.action == "show":
            return say("chat.config.show", summary=summary(config), cmd=cmd, rules=_RULES,
                       platform=admin.platform)  # fmt: skip
        config = apply(config, change)
        await self.store.save_workspace_settings(
            admin.platform,
            admin.workspace,
            json.dumps(config.to_mapping(), sort_keys=True),
            admin.user_id,
            self.clock(),
        )
        self._read.pop((admin.platform, admin.workspace), None)  # applies here at once
        return say("chat.config.saved", summary=summary(config), platform=admin.platform)


def from_json(raw: str | None) -> Config:
    """Stored settings back into a `Config` (validated like a team's file)."""
    if not raw:
        return Config(source="workspace")
    return Config.from_mapping(json.loads(raw), source="workspace settings")
