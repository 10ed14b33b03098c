"""Per-workspace settings: what an admin types (`config off curt`, `severity pressure error`,
`sensitivity strict`, `reset`), how it changes the settings, how they read back, and how they
are kept per workspace in a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rapport.bot.config import Config, ConfigError, RuleSettings
from rapport.bot.models import Severity
from rapport.bot.service.workspace import (
    ConfigChange,
    WorkspaceSettings,
    apply,
    from_json,
    parse_change,
    summary,
)
from rapport.bot.storage import open_store
from rapport.bot.storage.base import Store, UserRef

ADMIN = UserRef("slack", "T1", "U_ADMIN")
CMD = "/rapport"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(f"sqlite:///{tmp_path / 'settings.db'}")
    yield s
    await s.close()


# -- what an admin types -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "change"),
    [
        ("", ConfigChange("show")),
        ("show", ConfigChange("show")),
        ("LIST", ConfigChange("show")),
        ("off curt", ConfigChange("off", "curt")),
        ("disable curt", ConfigChange("off", "curt")),
        ("on curt", ConfigChange("on", "curt")),
        ("Enable Curt", ConfigChange("on", "curt")),
        ("severity pressure error", ConfigChange("severity", "pressure", Severity.ERROR)),
        ("severity, pressure, info", ConfigChange("severity", "pressure", Severity.INFO)),
        ("sensitivity strict", ConfigChange("sensitivity", sensitivity="strict")),
        ("reset", ConfigChange("reset")),
        ("defaults", ConfigChange("reset")),
    ],
)
def test_an_admins_words_become_a_change(words: str, change: ConfigChange) -> None:
    assert parse_change(words, CMD) == change


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("off curtt", "There's no rule called *curtt*"),
        ("off unreciprocated", "There's no rule called *unreciprocated*"),  # not a text rule
        ("severity nosuch error", "There's no rule called *nosuch*"),
        ("severity pressure loud", "Severity must be error, warning or info, not *loud*"),
        ("sensitivity loud", "Sensitivity must be quiet, balanced or strict, not *loud*"),
        ("off", "I didn't understand that. Try `/rapport config off curt`"),
        ("off curt pressure", "I didn't understand that."),
        ("reset now", "I didn't understand that."),
        ("show everything", "I didn't understand that."),
        ("explode", "I didn't understand that."),
    ],
)
def test_what_cannot_be_read_is_said_not_done(words: str, says: str) -> None:
    reply = parse_change(words, CMD)
    assert isinstance(reply, str) and reply.startswith(says)


def test_an_unknown_rule_lists_the_rules_an_admin_can_choose() -> None:
    reply = parse_change("off curtt", CMD)
    assert isinstance(reply, str) and "cold-ask" in reply and "curt" in reply


# -- changes -------------------------------------------------------------------------------------
def test_off_and_on_keep_a_rules_other_settings() -> None:
    config = Config(rules={"pressure": RuleSettings(True, Severity.ERROR, ("need it now",))})
    off = apply(config, ConfigChange("off", "pressure"))
    assert off.settings("pressure") == RuleSettings(False, Severity.ERROR, ("need it now",))
    on = apply(off, ConfigChange("on", "pressure"))
    assert on.settings("pressure") == RuleSettings(True, Severity.ERROR, ("need it now",))


def test_a_change_leaves_other_rules_and_sensitivity_alone() -> None:
    config = Config(rules={"curt": RuleSettings(False)}, sensitivity="strict")
    changed = apply(config, ConfigChange("severity", "pressure", Severity.INFO))
    assert not changed.settings("curt").enabled
    assert changed.settings("pressure").severity is Severity.INFO
    assert changed.sensitivity == "strict"
    assert apply(changed, ConfigChange("sensitivity", sensitivity="quiet")).rules == changed.rules


def test_switching_a_rule_back_on_forgets_it() -> None:
    config = apply(Config(), ConfigChange("off", "curt"))
    assert apply(config, ConfigChange("on", "curt")).rules == {}


def test_reset_is_rapports_defaults() -> None:
    config = Config(rules={"curt": RuleSettings(False)}, sensitivity="strict")
    reset = apply(config, ConfigChange("reset"))
    assert reset.rules == {} and reset.sensitivity == "balanced"


# -- summaries -----------------------------------------------------------------------------------
def test_the_summary_says_only_what_differs_from_the_defaults() -> None:
    assert summary(Config()) == "rapport's defaults"
    assert summary(Config(sensitivity="balanced")) == "rapport's defaults"
    config = Config(
        rules={"curt": RuleSettings(False), "pressure": RuleSettings(True, Severity.ERROR)},
        sensitivity="quiet",
    )
    assert summary(config) == "off: curt; severity: pressure → error; sensitivity: quiet"
    assert summary(Config(sensitivity="strict")) == "sensitivity: strict"


# -- stored settings -----------------------------------------------------------------------------
def test_stored_settings_read_back_and_bad_ones_are_refused() -> None:
    assert from_json(None).rules == {} and from_json("").rules == {}
    config = apply(Config(), ConfigChange("off", "curt"))
    assert from_json(json.dumps(config.to_mapping())).settings("curt").enabled is False
    with pytest.raises(ConfigError, match="unknown rule 'nosuch'"):
        from_json('{"rules": {"nosuch": {"enabled": false}}}')


async def test_show_on_a_new_workspace_is_the_defaults(store: Store) -> None:
    reply = await WorkspaceSettings(store).run(ADMIN, "", CMD)
    assert reply.startswith("*Settings for this workspace:* rapport's defaults.")
    assert await store.workspace_settings("slack", "T1") is None  # showing writes nothing
    discord = UserRef("discord", "G1", "U1")
    assert "this server" in await WorkspaceSettings(store).run(discord, "show", CMD)


async def test_a_change_is_saved_as_the_same_mapping_a_team_file_holds(store: Store) -> None:
    settings = WorkspaceSettings(store, clock=lambda: 1234.0)
    reply = await settings.run(ADMIN, "off curt", CMD)
    assert reply == "Saved. Settings for this workspace: off: curt."
    assert json.loads(await store.workspace_settings("slack", "T1") or "{}") == {
        "rules": {"curt": {"enabled": False}}
    }
    assert not (await settings.load("slack", "T1")).settings("curt").enabled


async def test_changes_build_on_each_other_until_reset(store: Store) -> None:
    settings = WorkspaceSettings(store)
    await settings.run(ADMIN, "off curt", CMD)
    await settings.run(ADMIN, "severity pressure error", CMD)
    reply = await settings.run(ADMIN, "sensitivity strict", CMD)
    assert reply.endswith("off: curt; severity: pressure → error; sensitivity: strict.")
    assert "off: curt; severity: pressure → error" in await settings.run(ADMIN, "show", CMD)
    assert await settings.run(ADMIN, "reset", CMD) == (
        "Saved. Settings for this workspace: rapport's defaults."
    )
    assert (await settings.load("slack", "T1")).rules == {}


async def test_a_bad_change_saves_nothing(store: Store) -> None:
    settings = WorkspaceSettings(store)
    assert "no rule called" in await settings.run(ADMIN, "off curtt", CMD)
    assert await store.workspace_settings("slack", "T1") is None


async def test_each_workspace_has_its_own_settings(store: Store) -> None:
    settings = WorkspaceSettings(store)
    await settings.run(ADMIN, "off curt", CMD)
    for platform, workspace in (("slack", "T2"), ("discord", "T1")):
        assert (await settings.load(platform, workspace)).rules == {}
    assert not (await settings.load("slack", "T1")).settings("curt").enabled


async def test_another_process_sees_a_change_once_its_read_is_stale(store: Store) -> None:
    here, there = WorkspaceSettings(store), WorkspaceSettings(store)
    assert await there.raw("slack", "T1") is None  # read, and kept for a few seconds
    await here.run(ADMIN, "off curt", CMD)
    assert await here.raw("slack", "T1") is not None  # where it was made: at once
    assert await there.raw("slack", "T1") is None  # elsewhere: the earlier read still holds
    there.fresh_seconds = 0.0
    assert await there.raw("slack", "T1") is not None
