"""Team configuration: switch rules off, change severities, add a team's own phrases.

The same settings come from a TOML file (`rapport.toml`, or `[tool.rapport]` in a
pyproject.toml) on the command line, and later from per-workspace storage in the bots:

    [rules]
    disable = ["curt"]

    [rules.pressure]
    severity = "error"
    phrases = ["need it yesterday"]

    [templates]
    folder = "rapport-templates"   # the team's own rewrite templates (relative to this file)

    sensitivity = "balanced"       # or "quiet" (fewer, surer findings) or "strict" (more)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.bot.models import TEXT_RULE_IDS, Severity

__all__ = [
    "SENSITIVITIES",
    "Config",
    "ConfigError",
    "RuleSettings",
    "discover_config",
    "load_config",
]

_FILE_NAMES = ("rapport.toml", ".rapport.toml")
#: How sure the learned reader must be before a rule fires: quiet asks the most, strict the least.
SENSITIVITIES = ("quiet", "balanced", "strict")


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """A team's settings for one rule."""

    enabled: bool = True
    severity: Severity | None = None
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    """Per-team rule settings; an empty Config means rapport's defaults."""

    rules: Mapping[str, RuleSettings] = field(default_factory=dict)
    source: str = "defaults"
    templates: Path | None = None  # a team folder whose templates override the built-in ones
    sensitivity: str = "balanced"

    def settings(self, rule_id: str) -> RuleSettings:
        """The settings for one rule (defaults when the team said nothing)."""
        return self.rules.get(rule_id, RuleSettings())

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], source: str = "configuration", base: Path | None = None
    ) -> Config:
        """Validate a parsed `[rules]`-bearing mapping (a TOML file, or a workspace's stored JSON).

        `base` is the folder relative template paths are read from (the config file's own).
        """
        unknown_top = set(data) - {"rules", "templates", "sensitivity"}
        if unknown_top:
            raise ConfigError(
                f"{source}: unknown section(s) {sorted(unknown_top)}; expected [rules], "
                "[templates] or sensitivity"
            )
        sensitivity = data.get("sensitivity", "balanced")
        if sensitivity not in SENSITIVITIES:
            raise ConfigError(
                f"{source}: sensitivity must be one of {', '.join(SENSITIVITIES)}, "
                f"not {sensitivity!r}"
            )
        templates = _templates_folder(data.get("templates"), source, base)
        section = data.get("rules", {})
        if not isinstance(section, Mapping):
            raise ConfigError(f"{source}: [rules] must be a table")
        disabled = section.get("disable", [])
        if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
            raise ConfigError(f"{source}: rules.disable must be a list of rule ids")
        settings: dict[str, RuleSettings] = {}
        for rule_id in disabled:
            _check_id(rule_id, source)
            settings[rule_id] = RuleSettings(enabled=False)
        for rule_id, table in section.items():
            if rule_id == "disable":
                continue
            _check_id(rule_id, source)
            if not isinstance(table, Mapping):
                raise ConfigError(f"{source}: [rules.{rule_id}] must be a table")
            settings[rule_id] = _rule_settings(rule_id, table, source, settings.get(rule_id))
        return cls(rules=settings, source=source, templates=templates, sensitivity=sensitivity)

    def to_mapping(self) -> dict[str, Any]:
        """A plain mapping that `from_mapping` reads back (for per-workspace storage)."""
        rules: dict[str, Any] = {}
        for rule_id, st in self.rules.items():
            table: dict[str, Any] = {"enabled": st.enabled}
            if st.severity is not None:
                table["severity"] = st.severity.value
            if st.phrases:
                table["phrases"] = list(st.phrases)
            rules[rule_id] = table
        out: dict[str, Any] = {"rules": rules}
        if self.sensitivity != "balanced":
            out["sensitivity"] = self.sensitivity
        if self.templates is not None:
            out["templates"] = {"folder": str(self.templates)}
        return out


def _templates_folder(section: Any, source: str, base: Path | None) -> Path | None:
    if section is None:
        return None
    if not isinstance(section, Mapping) or set(section) - {"folder"}:
        raise ConfigError(f'{source}: [templates] takes one key, folder = "path/to/templates"')
    folder = section.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError(f"{source}: templates.folder must be a folder path")
    path = Path(folder).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_dir():
        raise ConfigError(f"{source}: templates.folder {str(path)!r} is not a folder")
    return path


def _check_id(rule_id: str, source: str) -> None:
    if rule_id not in TEXT_RULE_IDS:
        raise ConfigError(
            f"{source}: unknown rule {rule_id!r}; rules are: {', '.join(TEXT_RULE_IDS)}"
        )


def _rule_settings(
    rule_id: str, table: Mapping[str, Any], source: str, base: RuleSettings | None
) -> RuleSettings:
    unknown = set(table) - {"enabled", "severity", "phrases"}
    if unknown:
        raise ConfigError(
            f"{source}: [rules.{rule_id}] has unknown key(s) {sorted(unknown)}; "
            "use enabled, severity or phrases"
        )
    enabled = table.get("enabled", base.enabled if base else True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{source}: rules.{rule_id}.enabled must be true or false")
    severity = None
    if "severity" in table:
        try:
            severity = Severity(table["severity"])
        except ValueError:
            raise ConfigError(
                f"{source}: rules.{rule_id}.severity must be error, warning or info"
            ) from None
    phrases = table.get("phrases", [])
    if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
        raise ConfigError(f"{source}: rules.{rule_id}.phrases must be a list of words or phrases")
    return RuleSettings(enabled=enabled, severity=severity, phrases=tuple(phrases))


def load_config(path: Path) -> Config:
    """Read a `rapport.toml`, or the `[tool.rapport]` table of a pyproject.toml."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("rapport", {})
    return Config.from_mapping(data, source=str(path), base=path.resolve().parent)


def discover_config(start: Path | None = None) -> Config:
    """$RAPPORT_CONFIG, else rapport.toml or a pyproject with [tool.rapport] here or above."""
    env = os.environ.get("RAPPORT_CONFIG")
    if env:
        return load_config(Path(env))
    folder = (start or Path.cwd()).resolve()
    for directory in (folder, *folder.parents):
        for name in _FILE_NAMES:
            if (directory / name).is_file():
                return load_config(directory / name)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "rapport" in data.get("tool", {}):
                return load_config(pyproject)
    return Config()
