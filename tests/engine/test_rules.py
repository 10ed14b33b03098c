"""Rule files are strictly validated: a mistake names its file and key instead of failing quietly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rapport.bot.engine.evidence import UnknownEvidence, resolve
from rapport.bot.engine.rules import RuleFileError, load_rule, load_rules
from rapport.bot.resources import rules_dir

BASE = """
id = "cold-ask"
title = "Cold ask"
principles = [1]
severity = "error"
message = "m"
fix = "f"
"""


def _rule(tmp_path: Path, detector: str, extra: str = "") -> Path:
    path = tmp_path / "cold-ask.toml"
    path.write_text(BASE + extra + "\n[[detectors]]\n" + detector, encoding="utf-8")
    return path


def test_a_misspelt_evidence_name_names_the_file_and_key(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    text = (folder / "cold-ask.toml").read_text(encoding="utf-8")
    (folder / "cold-ask.toml").write_text(
        text.replace('"relationship",', '"relationshp",', 1), encoding="utf-8"
    )
    with pytest.raises(
        RuleFileError, match=r"cold-ask\.toml detectors\[0\]\.evidence.*relationshp"
    ):
        load_rules(folder)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("feature:merge_feild", "no feature named 'merge_feild'"),
        ("signal:to_crowed", "no signal named"),
        ("context:known", "no context named"),
        ("courtesy:high", "needs a number"),
        ("vibes:good", "unknown evidence"),
    ],
)
def test_every_kind_of_evidence_name_is_checked(name: str, problem: str) -> None:
    with pytest.raises(UnknownEvidence, match=problem):
        resolve(name)


def test_known_evidence_resolves() -> None:
    for name in ("relationship", "feature:merge_field", "signal:to_crowd", "context:recipient"):
        assert callable(resolve(name))


@pytest.mark.parametrize(
    ("detector", "problem"),
    [
        ('type = "phrases"\nlists = ["praise"]\ntrigger = ["praise"]\n', r"\.trigger: a phrases"),
        (
            'type = "missing"\ntrigger = ["ask_endorsement"]\nevidence = ["relationship"]\n'
            "at_least = 3\n",
            r"\.at_least: a missing detector has no",
        ),
        ('type = "score"\nscore = "warmth"\n', r"\.score: must be one of"),
        ('type = "entities"\nentities = ["everyone"]\n', r"\.entities: must name"),
        (
            'type = "missing"\ntrigger = ["ask_endorsement"]\nevidence = ["relationship"]\n'
            'span = "paragraph"\n',
            r"\.span: must be one of",
        ),
        ('type = "phrases"\nlists = ["praise"]\nstrong = "yes"\n', r"\.strong: expected true"),
        ('type = "phrases"\nlists = ["praise"]\nkinds = ["spam"]\n', r"\.kinds: unknown kinds"),
    ],
)
def test_a_field_that_does_not_apply_is_an_error(
    tmp_path: Path, detector: str, problem: str
) -> None:
    with pytest.raises(RuleFileError, match=r"cold-ask\.toml detectors\[0\]" + problem):
        load_rule(_rule(tmp_path, detector))


def test_the_shipped_rules_load() -> None:
    assert {r.id for r in load_rules()} >= {"cold-ask", "blast", "curt"}
