"""Rule files: load `rules/<id>.toml`, validate them against the schema, and hold the registry.

A rule is data: its principle, severity, wording, which message kinds it applies to, the
detectors it uses (see bot/engine/detectors.py) and its own passing and failing examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rapport.bot.engine.evidence import SCORES, UnknownEvidence, resolve
from rapport.bot.engine.lexicon import PhraseListError, compile_phrases
from rapport.bot.models import KINDS, RULE_IDS, Severity
from rapport.bot.recache import load_toml
from rapport.bot.resources import rules_dir
from rapport.bot.rule_ids import DATA_FILES

__all__ = [
    "DETECTOR_TYPES",
    "Detector",
    "Example",
    "Rule",
    "RuleFileError",
    "load_rule",
    "load_rules",
    "principles",
]

DETECTOR_TYPES = ("phrases", "entities", "missing", "score", "imperative", "history")
#: The fields each detector type takes, beside the ones every detector takes (`_COMMON`). A
#: field that doesn't apply to its type is an error, not silently ignored.
_COMMON = {"type", "message", "fix", "kinds", "strong"}
DETECTOR_FIELDS: dict[str, frozenset[str]] = {
    "phrases": frozenset({"lists", "phrases", "position", "unless_in_clause", "unless_message"}),
    "entities": frozenset({"entities"}),
    "missing": frozenset({"trigger", "evidence", "needs", "span"}),
    "score": frozenset({"score", "at_least", "at_most", "evidence", "span"}),
    "imperative": frozenset({"max_courtesy", "unless_message"}),
    "history": frozenset({"history", "at_least"}),
}
#: What a history detector reads from the caller's context (the ledger, earlier checks).
HISTORY = ("owed", "repeated")
_SPANS = {
    "missing": {"trigger", "sentence", "each_sentence", "greeting"},
    "score": {"sentence", "self_sentence"},
}
_ENTITIES = {"broadcast", "group", "user", "channel", "link", "email"}


_RULE_KEYS = {
    "id",
    "title",
    "principles",
    "severity",
    "message",
    "fix",
    "kinds",
    "severity_by_kind",
    "unless",
    "detectors",
    "fail",
    "pass",
}
_DETECTOR_KEYS = {
    "type",
    "lists",
    "phrases",
    "position",
    "unless_in_clause",
    "unless_message",
    "entities",
    "trigger",
    "evidence",
    "score",
    "at_least",
    "at_most",
    "max_courtesy",
    "span",
    "message",
    "fix",
    "kinds",
    "needs",
    "strong",
    "history",
}


#: The `flag` of an example whose finding points at no words (history, the whole message).
WHOLE_MESSAGE = "(whole message)"


class RuleFileError(ValueError):
    """A rule file that does not follow the schema; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Detector:
    """One way a rule finds its problem; which fields matter depends on `type`."""

    type: str
    lists: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    position: str = "anywhere"
    unless_in_clause: tuple[str, ...] = ()
    unless_message: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    trigger: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    score: str = ""
    at_least: float | None = None
    at_most: float | None = None
    max_courtesy: float | None = None
    span: str = "trigger"
    message: str = ""
    fix: str = ""
    kinds: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # cues that must also be present for the detector to fire
    history: str = ""  # for a history detector: "owed" or "repeated"
    # Strong phrase evidence: precise enough on the corpus to fire the rule on its own,
    # whatever the learned reader says (`python -m evals.strong` measures each detector).
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Example:
    """A rule's own test case: a draft, and for failing ones the words that must be flagged."""

    text: str
    flag: str | None = None
    note: str = ""
    to: str | None = None
    known_relationship: bool = False
    endorsements_given: int = 0
    owed: str | None = None  # a scenario: this person endorsed the user unprompted
    repeated_for: int = 0  # a scenario: the same message was checked for this many people
    # "exact": the finding's span is exactly `flag`; "overlap": it overlaps it (a span the
    # learned reader chooses, or one the detector words differently).
    match: str = "exact"


@dataclass(frozen=True, slots=True)
class Rule:
    """One etiquette rule, as written in its file."""

    id: str
    title: str
    principles: tuple[int, ...]
    severity: Severity
    message: str
    fix: str
    kinds: tuple[str, ...]
    detectors: tuple[Detector, ...]
    # evidence that the rule does not apply at all (a crowd message is a blast, not a cold ask)
    unless: tuple[str, ...] = ()
    severity_by_kind: Mapping[str, Severity] = field(default_factory=dict)
    failing: tuple[Example, ...] = ()
    passing: tuple[Example, ...] = ()
    path: Path | None = None

    def severity_for(self, kind: str) -> Severity:
        """The rule's severity for a message of this kind."""
        return self.severity_by_kind.get(kind, self.severity)

    @property
    def general_message(self) -> str:
        """The message with no draft in hand ("Someone endorsed you…" for a history rule)."""
        return _general(self.message)

    @property
    def general_fix(self) -> str:
        """The fix with no draft in hand."""
        return _general(self.fix)


def _general(text: str) -> str:
    """A template's words filled with stand-ins, for `why` and the docs."""
    if "{{" not in text:
        return text
    import jinja2

    words = {"name": "someone", "when": "", "count": "several", "hours": 24}
    out = jinja2.Environment(autoescape=False).from_string(text).render(**words)
    return out[:1].upper() + out[1:]


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise RuleFileError(f"{where}: expected a list of strings")
    return tuple(raw)


def _detector(raw: Any, where: str) -> Detector:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where}: each [[detectors]] entry must be a table")
    unknown = set(raw) - _DETECTOR_KEYS
    if unknown:
        raise RuleFileError(f"{where}: unknown detector keys {sorted(unknown)}")
    dtype = raw.get("type")
    if dtype not in DETECTOR_TYPES:
        raise RuleFileError(f"{where}: type must be one of {', '.join(DETECTOR_TYPES)}")
    misplaced = set(raw) - _COMMON - DETECTOR_FIELDS[dtype]
    if misplaced:
        key = sorted(misplaced)[0]
        raise RuleFileError(
            f"{where}.{key}: a {dtype} detector has no `{key}` "
            f"(it takes {', '.join(sorted(DETECTOR_FIELDS[dtype]))})"
        )
    kwargs: dict[str, Any] = {"type": dtype}
    for key in (
        "lists",
        "phrases",
        "unless_in_clause",
        "unless_message",
        "entities",
        "trigger",
        "evidence",
        "kinds",
        "needs",
    ):
        if key in raw:
            kwargs[key] = _strings(raw[key], f"{where}.{key}")
    for key in ("position", "score", "span", "message", "fix", "history"):
        if key in raw:
            kwargs[key] = str(raw[key])
    for key in ("at_least", "at_most", "max_courtesy"):
        if key in raw:
            kwargs[key] = _number(raw[key], f"{where}.{key}")
    if "strong" in raw:
        if not isinstance(raw["strong"], bool):
            raise RuleFileError(f"{where}.strong: expected true or false")
        kwargs["strong"] = raw["strong"]
    det = Detector(**kwargs)
    if det.type == "phrases" and not (det.lists or det.phrases):
        raise RuleFileError(f"{where}: a phrases detector needs `lists` or `phrases`")
    if det.type == "missing" and not (det.trigger and det.evidence):
        raise RuleFileError(f"{where}: a missing detector needs `trigger` and `evidence`")
    if det.position not in ("anywhere", "line_start"):
        raise RuleFileError(f"{where}.position: must be 'anywhere' or 'line_start'")
    if "span" in raw and det.span not in _SPANS[dtype]:
        raise RuleFileError(f"{where}.span: must be one of {', '.join(sorted(_SPANS[dtype]))}")
    if det.type == "history" and det.history not in HISTORY:
        raise RuleFileError(f"{where}.history: must be one of {', '.join(HISTORY)}")
    if det.type == "score" and det.score not in SCORES:
        raise RuleFileError(f"{where}.score: must be one of {', '.join(sorted(SCORES))}")
    if det.type == "entities" and (not det.entities or set(det.entities) - _ENTITIES):
        raise RuleFileError(f"{where}.entities: must name some of {', '.join(sorted(_ENTITIES))}")
    if det.kinds and set(det.kinds) - set(KINDS):
        raise RuleFileError(f"{where}.kinds: unknown kinds {sorted(set(det.kinds) - set(KINDS))}")
    for name in det.lists:
        if not (rules_dir() / "lists" / f"{name}.txt").is_file():
            raise RuleFileError(f"{where}: no phrase list rules/lists/{name}.txt")
    for key in ("phrases", "unless_in_clause"):  # compiled now, so a typo fails at load time
        try:
            compile_phrases(getattr(det, key))
        except (PhraseListError, re.error) as exc:
            raise RuleFileError(f"{where}.{key}: {exc}") from None
    return det


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleFileError(f"{where}: expected a number")
    return float(raw)


def _count(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RuleFileError(f"{where}: expected a whole number")
    return raw


def _example(raw: Any, where: str, failing: bool) -> Example:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise RuleFileError(f"{where}: each example needs a non-empty `text`")
    flag = raw.get("flag")
    if failing:
        if not isinstance(flag, str) or (flag not in raw["text"] and flag != WHOLE_MESSAGE):
            raise RuleFileError(
                f"{where}: `flag` must quote words that appear in `text` (or be "
                f'"{WHOLE_MESSAGE}" for a finding about no words in particular)'
            )
    elif flag is not None:
        raise RuleFileError(f"{where}: passing examples have no `flag`")
    return Example(
        text=raw["text"],
        flag=flag,
        note=str(raw.get("note", "")),
        to=raw.get("to"),
        known_relationship=bool(raw.get("known_relationship", False)),
        endorsements_given=_count(raw.get("endorsements_given", 0), f"{where}.endorsements_given"),
        owed=raw.get("owed"),
        repeated_for=_count(raw.get("repeated_for", 0), f"{where}.repeated_for"),
        match=_match(raw.get("match", "exact"), where),
    )


def _match(value: Any, where: str) -> str:
    if value not in ("exact", "overlap"):
        raise RuleFileError(f'{where}.match: must be "exact" or "overlap"')
    return str(value)


def _severity(raw: Any, where: str) -> Severity:
    try:
        return Severity(raw)
    except ValueError:
        raise RuleFileError(f"{where}: severity must be error, warning or info") from None


def load_rule(path: Path) -> Rule:
    """Parse and validate one rule file."""
    where = path.name
    try:
        data = load_toml(path)
    except ValueError as exc:  # tomllib.TOMLDecodeError, or bytes that aren't UTF-8
        raise RuleFileError(f"{where}: not valid TOML ({exc})") from None
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise RuleFileError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "title", "message", "fix"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise RuleFileError(f"{where}: `{key}` is required text")
    if data["id"] != path.stem:
        raise RuleFileError(f"{where}: id {data['id']!r} must match the file name")
    principles_ = data.get("principles")
    if (
        not isinstance(principles_, list)
        or not principles_
        or not all(
            isinstance(p, int) and not isinstance(p, bool) and p in principles()
            for p in principles_
        )
    ):
        raise RuleFileError(f"{where}: `principles` must list principle numbers 1-8")
    kinds = _strings(data.get("kinds", []), f"{where}.kinds")
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise RuleFileError(f"{where}: unknown kinds {bad}")
    by_kind_raw = data.get("severity_by_kind", {})
    if not isinstance(by_kind_raw, dict) or set(by_kind_raw) - set(KINDS):
        raise RuleFileError(f"{where}: [severity_by_kind] must map message kinds to severities")
    by_kind = {str(k): _severity(v, f"{where}.severity_by_kind") for k, v in by_kind_raw.items()}
    detectors = data.get("detectors")
    if not isinstance(detectors, list) or not detectors:
        raise RuleFileError(f"{where}: at least one [[detectors]] entry is required")
    for key in ("fail", "pass"):
        if not isinstance(data.get(key, []), list):
            raise RuleFileError(f"{where}: examples are [[{key}]] entries (each with a `text`)")
    return Rule(
        id=data["id"],
        title=data["title"],
        principles=tuple(principles_),
        severity=_severity(data.get("severity"), where),
        message=data["message"].strip(),
        fix=data["fix"].strip(),
        kinds=kinds,
        unless=_strings(data.get("unless", []), f"{where}.unless"),
        detectors=tuple(_detector(d, f"{where} detectors[{i}]") for i, d in enumerate(detectors)),
        severity_by_kind=by_kind,
        failing=tuple(_example(e, f"{where} [[fail]]", True) for e in data.get("fail", [])),
        passing=tuple(_example(e, f"{where} [[pass]]", False) for e in data.get("pass", [])),
        path=path,
    )


@cache
def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """Every rule file, validated, in contract order; raises RuleFileError on the first problem."""
    folder = directory or rules_dir()
    rules = {
        r.id: r
        for r in (load_rule(p) for p in sorted(folder.glob("*.toml")) if p.stem not in DATA_FILES)
    }
    for rule in rules.values():
        _check_references(rule, folder)
    order = {rid: i for i, rid in enumerate(RULE_IDS)}
    return tuple(sorted(rules.values(), key=lambda r: order.get(r.id, len(order))))


def _check_references(rule: Rule, folder: Path) -> None:
    """Every piece of evidence a rule names must resolve in the registry (`bot/engine/evidence.py`)."""
    where = rule.path.name if rule.path else f"{rule.id}.toml"
    named = [("unless", n) for n in rule.unless]
    for i, det in enumerate(rule.detectors):
        for key in ("trigger", "evidence", "unless_message", "needs"):
            named += [(f"detectors[{i}].{key}", n) for n in getattr(det, key)]
    for key, name in named:
        if key.endswith(".trigger") and name == "message":
            continue  # a missing detector anchored on the message itself
        try:
            resolve(name)
        except UnknownEvidence as exc:
            raise RuleFileError(f"{where} {key}: {exc}") from None


@cache
def principles() -> dict[int, tuple[str, str]]:
    """Principle number → (title, one-line statement)."""
    data = load_toml(rules_dir() / "principles.toml")
    return {int(k): (str(v["title"]), str(v["text"])) for k, v in data.items()}
