"""The rule-file loader's error paths, on small rule files written for each test: every mistake
(malformed TOML, unknown or missing keys, a bad phrase, a wrong type, an id another file has)
is a `RuleFileError` whose message names the file and the problem; and the rules table built
from the shipped files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rapport.bot.engine.rules import RuleFileError, load_rule, load_rules, principles
from rapport.bot.engine.rules_table import rules_table, rules_text
from rapport.bot.models import RULE_IDS, Severity

HEAD = """\
id = "{id}"
title = "Pushy ask"
principles = [7]
severity = "warning"
message = "It reads as pushy."
fix = "Give them room."
"""
DETECTOR = """
[[detectors]]
type = "phrases"
phrases = ["right now"]
"""
EXAMPLES = """
[[fail]]
text = "Send it right now."
flag = "right now"
[[pass]]
text = "Whenever suits you."
"""


def write(folder: Path, text: str, name: str = "pushy") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rule_text(head: str = "", detector: str = DETECTOR, examples: str = EXAMPLES) -> str:
    return HEAD.format(id="pushy") + head + detector + examples


def problem(tmp_path: Path, text: str) -> str:
    """The loader's message for this file's text (it must refuse it)."""
    with pytest.raises(RuleFileError) as caught:
        load_rule(write(tmp_path, text))
    return str(caught.value)


# -- a good file ---------------------------------------------------------------------------------
def test_a_well_formed_rule_file_loads_as_written(tmp_path: Path) -> None:
    rule = load_rule(write(tmp_path, rule_text('kinds = ["endorsement_request"]\n')))
    assert (rule.id, rule.title, rule.principles) == ("pushy", "Pushy ask", (7,))
    assert rule.severity is Severity.WARNING and rule.kinds == ("endorsement_request",)
    assert rule.detectors[0].phrases == ("right now",)
    assert [e.flag for e in rule.failing] == ["right now"] and rule.passing[0].flag is None


def test_a_folder_of_rules_loads_its_rules_and_skips_the_data_files(tmp_path: Path) -> None:
    write(tmp_path, rule_text())
    write(tmp_path, "not = [a rule", name="kinds")  # an engine data file, never read as a rule
    assert [r.id for r in load_rules(tmp_path)] == ["pushy"]


# -- malformed files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ['id = "pushy"\ntitle = "unterminated', 'id = "pushy"\nid = "again"\n', "[[detectors]\n"],
)
def test_malformed_toml_names_the_file(tmp_path: Path, text: str) -> None:
    assert re.match(r"pushy\.toml: not valid TOML \(.+\)", problem(tmp_path, text))


def test_bytes_that_are_not_utf8_are_not_valid_toml(tmp_path: Path) -> None:
    path = tmp_path / "pushy.toml"
    path.write_bytes(rule_text().encode() + b'\nnote = "caf\xe9"\n')
    with pytest.raises(RuleFileError, match=r"^pushy\.toml: not valid TOML"):
        load_rule(path)


# -- keys ----------------------------------------------------------------------------------------
def test_an_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    assert problem(tmp_path, rule_text('sevrity = "error"\n')) == (
        "pushy.toml: unknown keys ['sevrity']"
    )


def test_an_unknown_detector_key_is_named(tmp_path: Path) -> None:
    text = rule_text(detector='\n[[detectors]]\ntype = "phrases"\nphrase = ["x"]\n')
    assert problem(tmp_path, text) == "pushy.toml detectors[0]: unknown detector keys ['phrase']"


@pytest.mark.parametrize("key", ["id", "title", "message", "fix"])
def test_each_required_text_field_is_named_when_missing(tmp_path: Path, key: str) -> None:
    head = "\n".join(
        line for line in HEAD.format(id="pushy").splitlines() if not line.startswith(key)
    )
    assert problem(tmp_path, head + DETECTOR) == f"pushy.toml: `{key}` is required text"


def test_blank_text_is_missing_text(tmp_path: Path) -> None:
    text = rule_text().replace('fix = "Give them room."', 'fix = "   "')
    assert problem(tmp_path, text) == "pushy.toml: `fix` is required text"


@pytest.mark.parametrize("value", ["[]", "[9]", '["seven"]', "[true]", "7"])
def test_principles_must_be_known_numbers(tmp_path: Path, value: str) -> None:
    text = rule_text().replace("principles = [7]", f"principles = {value}")
    assert "`principles` must list principle numbers 1-8" in problem(tmp_path, text)


def test_a_missing_or_unknown_severity_is_named(tmp_path: Path) -> None:
    missing = rule_text().replace('severity = "warning"\n', "")
    assert problem(tmp_path, missing) == "pushy.toml: severity must be error, warning or info"
    loud = rule_text().replace('"warning"', '"fatal"')
    assert problem(tmp_path, loud) == "pushy.toml: severity must be error, warning or info"


def test_no_detectors_is_an_error(tmp_path: Path) -> None:
    assert "at least one [[detectors]] entry is required" in problem(
        tmp_path, rule_text(detector="")
    )
    # a single [detectors] table instead of [[detectors]] entries says the same
    one = rule_text(detector='\n[detectors]\ntype = "phrases"\nphrases = ["x"]\n')
    assert "at least one [[detectors]] entry is required" in problem(tmp_path, one)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('kinds = ["spam"]\n', "pushy.toml: unknown kinds ['spam']"),
        ('kinds = "promotion"\n', "pushy.toml.kinds: expected a list of strings"),
        ('unless = "signal:to_crowd"\n', "pushy.toml.unless: expected a list of strings"),
        ('severity_by_kind = "error"\n',
         "pushy.toml: [severity_by_kind] must map message kinds to severities"),
        ("[severity_by_kind]\nspam = \"error\"\n",
         "pushy.toml: [severity_by_kind] must map message kinds to severities"),
        ("[severity_by_kind]\npromotion = \"loud\"\n",
         "pushy.toml.severity_by_kind: severity must be error, warning or info"),
    ],
)  # fmt: skip
def test_kinds_and_severities_by_kind_are_checked(tmp_path: Path, head: str, expected: str) -> None:
    # [severity_by_kind] is a table: it goes after the top-level keys, before [[detectors]]
    assert problem(tmp_path, rule_text(head)) == expected


def test_severity_by_kind_is_kept_per_kind(tmp_path: Path) -> None:
    rule = load_rule(write(tmp_path, rule_text('[severity_by_kind]\npromotion = "info"\n')))
    assert rule.severity_for("promotion") is Severity.INFO
    assert rule.severity_for("endorsement") is Severity.WARNING


# -- detectors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("detector", "expected"),
    [
        ('type = "regex"\n', "detectors[0]: type must be one of phrases, entities, missing"),
        ("phrases = [\"x\"]\n", "detectors[0]: type must be one of"),
        ('type = "phrases"\n', "detectors[0]: a phrases detector needs `lists` or `phrases`"),
        ('type = "phrases"\nlists = ["praiz"]\n', "detectors[0]: no phrase list rules/lists/praiz.txt"),
        ('type = "phrases"\nlists = "praise"\n', "detectors[0].lists: expected a list of strings"),
        ('type = "phrases"\nphrases = ["x"]\nposition = "end"\n',
         "detectors[0].position: must be 'anywhere' or 'line_start'"),
        ('type = "missing"\ntrigger = ["ask_endorsement"]\n',
         "detectors[0]: a missing detector needs `trigger` and `evidence`"),
        ('type = "history"\nhistory = "grudges"\n', "detectors[0].history: must be one of owed, repeated"),
        ('type = "score"\nscore = "courtesy"\nat_most = "low"\n', "detectors[0].at_most: expected a number"),
        ('type = "imperative"\nmax_courtesy = true\n', "detectors[0].max_courtesy: expected a number"),
    ],
)  # fmt: skip
def test_a_bad_detector_names_the_file_entry_and_key(
    tmp_path: Path, detector: str, expected: str
) -> None:
    text = rule_text(detector="\n[[detectors]]\n" + detector)
    message = problem(tmp_path, text)
    assert message.startswith("pushy.toml ") and expected in message


def test_the_second_detector_is_named_by_its_index(tmp_path: Path) -> None:
    text = rule_text(detector=DETECTOR + '\n[[detectors]]\ntype = "entities"\nentities = ["all"]\n')
    assert problem(tmp_path, text).startswith("pushy.toml detectors[1].entities: must name")


@pytest.mark.parametrize(
    ("key", "phrase", "reason"),
    [
        ("phrases", "right (now", "bad phrase"),
        ("phrases", "right [now", "bad phrase"),
        ("phrases", "{nosuch} now", "unknown macro {nosuch}"),
        ("unless_in_clause", "i (will", "bad phrase"),
    ],
)
def test_a_phrase_that_does_not_compile_fails_at_load_time(
    tmp_path: Path, key: str, phrase: str, reason: str
) -> None:
    detector = (
        f'\n[[detectors]]\ntype = "phrases"\nlists = ["praise"]\n{key} = ["fine", "{phrase}"]\n'
    )
    message = problem(tmp_path, rule_text(detector=detector))
    assert message.startswith(f"pushy.toml detectors[0].{key}: ") and reason in message


def test_an_unknown_evidence_name_is_named_with_its_key(tmp_path: Path) -> None:
    detector = (
        '\n[[detectors]]\ntype = "missing"\ntrigger = ["ask_endorsement"]\n'
        'evidence = ["relationship", "context:friendship"]\n'
    )
    write(tmp_path, rule_text(detector=detector))
    with pytest.raises(RuleFileError, match=r"^pushy\.toml detectors\[0\]\.evidence: no context"):
        load_rules(tmp_path)


def test_an_unknown_unless_name_is_named(tmp_path: Path) -> None:
    write(tmp_path, rule_text('unless = ["signal:to_crowed"]\n'))
    with pytest.raises(RuleFileError, match=r"^pushy\.toml unless: no signal named 'to_crowed'"):
        load_rules(tmp_path)


# -- examples ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("examples", "expected"),
    [
        ('\n[[fail]]\ntext = "Send it right now."\nflag = "ASAP"\n',
         "pushy.toml [[fail]]: `flag` must quote words that appear in `text`"),
        ('\n[[fail]]\ntext = "Send it right now."\n',
         "pushy.toml [[fail]]: `flag` must quote words"),
        ('\n[[pass]]\ntext = "Whenever."\nflag = "Whenever"\n',
         "pushy.toml [[pass]]: passing examples have no `flag`"),
        ('\n[[pass]]\ntext = "  "\n', "pushy.toml [[pass]]: each example needs a non-empty `text`"),
        ('\n[[pass]]\nnote = "no text"\n', "pushy.toml [[pass]]: each example needs a non-empty"),
        ('\n[[pass]]\ntext = "Hi"\nmatch = "fuzzy"\n',
         'pushy.toml [[pass]].match: must be "exact" or "overlap"'),
        ('\n[[pass]]\ntext = "Hi"\nrepeated_for = "three"\n',
         "pushy.toml [[pass]].repeated_for: expected a whole number"),
        ('\n[[pass]]\ntext = "Hi"\nendorsements_given = 1.5\n',
         "pushy.toml [[pass]].endorsements_given: expected a whole number"),
        ('\n[fail]\ntext = "Send it right now."\nflag = "right now"\n',
         "pushy.toml: examples are [[fail]] entries"),
    ],
)  # fmt: skip
def test_a_bad_example_names_the_file_and_the_problem(
    tmp_path: Path, examples: str, expected: str
) -> None:
    assert expected in problem(tmp_path, rule_text(examples=examples))


def test_a_finding_about_no_words_may_flag_the_whole_message(tmp_path: Path) -> None:
    examples = '\n[[fail]]\ntext = "Thanks!"\nflag = "(whole message)"\nowed = "Sam"\n'
    rule = load_rule(write(tmp_path, rule_text(examples=examples)))
    assert rule.failing[0].owed == "Sam"


# -- ids -----------------------------------------------------------------------------------------
def test_an_id_must_match_its_file_name(tmp_path: Path) -> None:
    text = HEAD.format(id="Pushy") + DETECTOR
    assert problem(tmp_path, text) == "pushy.toml: id 'Pushy' must match the file name"


def test_a_second_file_claiming_an_id_names_itself(tmp_path: Path) -> None:
    """Ids are unique because each is its file's name: a copy that keeps the id is refused."""
    write(tmp_path, rule_text())
    write(tmp_path, rule_text(), name="pushy-copy")
    with pytest.raises(RuleFileError, match=r"^pushy-copy\.toml: id 'pushy' must match the file"):
        load_rules(tmp_path)


def test_the_shipped_rules_have_unique_ids_in_contract_order() -> None:
    ids = [r.id for r in load_rules()]
    assert len(ids) == len(set(ids)) and ids == [i for i in RULE_IDS if i in ids]


# -- the rules table -----------------------------------------------------------------------------
def test_the_rules_table_has_one_well_formed_row_per_rule() -> None:
    rows = rules_table().splitlines()
    assert rows[0].startswith("| rule | severity | principle |")
    body = rows[2:]
    assert [row.split("`")[1] for row in body] == [r.id for r in load_rules()]
    for row, rule in zip(body, load_rules(), strict=True):
        assert row.count(" | ") == 4, row  # five cells: no stray `|` in a message or fix
        assert rule.message in row and rule.fix in row
        for n in rule.principles:
            assert f"{n}. {principles()[n][0]}" in row


def test_the_rules_text_lists_each_rule_with_its_severity_and_title() -> None:
    lines = rules_text().splitlines()
    assert len(lines) == 2 * len(load_rules())
    for line, rule in zip(lines[::2], load_rules(), strict=True):
        assert line.split()[:2] == [rule.id, rule.severity.value] and rule.title in line
