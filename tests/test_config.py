"""Team configuration: files, pyproject discovery, validation with friendly errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.bot.config import Config, ConfigError, discover_config, load_config
from rapport.bot.engine.engine import Engine
from rapport.bot.models import Severity

ASK = "Could you write me a recommendation? I need it ASAP."


def test_disable_severity_and_team_phrases(tmp_path: Path) -> None:
    path = tmp_path / "rapport.toml"
    path.write_text(
        '[rules]\ndisable = ["impersonal"]\n\n[rules.pressure]\nseverity = "error"\n\n'
        '[rules.curt]\nphrases = ["need it yesterday"]\n',
        encoding="utf-8",
    )
    engine = Engine(config=load_config(path))
    report = engine.check_sync(ASK + " Honestly I need it yesterday.")
    rules = {f.rule: f for f in report.findings}
    assert "impersonal" not in rules
    assert rules["pressure"].severity is Severity.ERROR
    assert "need it yesterday" in report.text[rules["curt"].start : rules["curt"].end]


def test_team_phrases_are_literal_and_respect_quotation(tmp_path: Path) -> None:
    config = Config.from_mapping({"rules": {"blast": {"phrases": ["dear valued partner (vip)"]}}})
    engine = Engine(config=config)
    assert any(
        f.rule == "blast" for f in engine.check_sync("Dear valued partner (VIP), hi").findings
    )
    quoted = engine.check_sync('They sent "Dear valued partner (VIP), hi". Rude?')
    assert not any(f.rule == "blast" for f in quoted.findings)


def test_pyproject_tool_table_is_discovered_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORT_CONFIG", raising=False)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.rapport.rules]\ndisable = ["curt"]\n', encoding="utf-8"
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = discover_config(sub)
    assert not config.settings("curt").enabled


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"rules": {"disable": ["no-such-rule"]}}, "unknown rule 'no-such-rule'"),
        ({"rules": {"pressure": {"severity": "fatal"}}}, "severity must be error, warning or info"),
        ({"rules": {"pressure": {"phrases": "asap"}}}, "must be a list"),
        ({"rules": {"pressure": {"colour": "red"}}}, "unknown key"),
        ({"rulez": {}}, "unknown section"),
    ],
)
def test_bad_configuration_is_explained(mapping: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_mapping(mapping, source="team.toml")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "rapport.toml"
    path.write_text("[rules\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_mapping_round_trip_for_workspace_storage() -> None:
    config = Config.from_mapping(
        {"rules": {"disable": ["curt"], "pressure": {"severity": "info", "phrases": ["eod pls"]}}}
    )
    again = Config.from_mapping(config.to_mapping())
    assert again.rules == config.rules
