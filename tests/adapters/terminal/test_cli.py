"""`rapport check` as a user runs it: a real process, real stdin/stdout, exit codes 0/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.bot.models import KINDS, TEXT_RULE_IDS


def rapport(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI in a fresh interpreter, the way a user's shell would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_CONFIG")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", *args],
        input=stdin,
        capture_output=True,
        check=False,
        env=env,
        cwd=cwd,
    )


def _no_traceback(proc: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in proc.stderr and b"Traceback" not in proc.stdout


def test_clean_draft_exits_0_with_a_readable_report() -> None:
    proc = rapport(
        "check",
        "Hi Dana, it's been a while since we shipped the Atlas migration together. "
        "Would you be open to writing me a LinkedIn recommendation? Happy to write one for you too.",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "Kind  endorsement request" in out and "Trust" in out and "Nothing to fix" in out
    assert "\x1b[" not in out  # no colour when piped


def test_error_findings_exit_1_and_explain_themselves() -> None:
    proc = rapport("check", "Hi all! Please endorse me for Python ASAP.")
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "blast" in out and '"Hi all"' in out and "Why:" in out and "Fix:" in out


def test_json_output_is_the_contract() -> None:
    proc = rapport("check", "--json", "--to", "Dana", "Could you write me a recommendation?")
    data = json.loads(proc.stdout)
    assert data["kind"] in KINDS
    assert set(data["trust"]) == {
        "credibility",
        "reliability",
        "intimacy",
        "self_orientation",
        "quotient",
    }
    assert isinstance(data["courtesy"], float | int)
    for f in data["findings"]:
        assert f["rule"] in TEXT_RULE_IDS and f["severity"] in ("error", "warning", "info")
        assert (
            isinstance(f["start"], int) and isinstance(f["end"], int) and f["message"] and f["fix"]
        )


def test_stdin_is_read_when_no_text_is_given() -> None:
    proc = rapport("check", "--json", stdin=b"Please like my page and share it!")
    assert json.loads(proc.stdout)["kind"] == "promotion"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("check", "   "), None, b"nothing to check"),
        (("check",), b"", b"nothing to check"),
        (("check",), b"\xff\xfe\xfa not utf-8", b"not valid UTF-8"),
        (("check",), b"PK\x03\x04\x00\x00binary", b"binary"),
        (("check", "--jsonl", "/no/such/file.jsonl"), None, b"no such file"),
        (("check", "--config", "/no/such/rapport.toml", "hello"), None, b"does not exist"),
        (("check", "--bogus"), None, b"unrecognized arguments"),
    ],
)
def test_bad_input_exits_2_with_a_friendly_message(
    args: tuple[str, ...], stdin: bytes | None, message: bytes
) -> None:
    proc = rapport(*args, stdin=stdin)
    assert proc.returncode == 2
    assert message in proc.stderr
    _no_traceback(proc)


def test_very_long_text_is_checked_up_to_the_limit() -> None:
    proc = rapport("check", "--json", stdin=("Could you endorse me? " * 2000).encode())
    data = json.loads(proc.stdout)
    assert data["truncated"] is True
    human = rapport("check", stdin=("hello there. " * 3000).encode())
    assert b"checked its first 20,000 characters" in human.stdout


def test_jsonl_checks_every_line_and_reports_bad_ones(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Could you write me a recommendation?"}),
        "{not json",
        json.dumps({"id": 7, "text": ""}),
        json.dumps({"id": "no-text"}),
        "",
        json.dumps({"id": "b", "text": "Thanks for the intro to Sam, Priya!", "to": "Priya"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "bad-bytes", "text": "\xff"}\n')
    proc = rapport("check", "--jsonl", str(path))
    assert proc.returncode == 2
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o.get("id") for o in out] == ["a", None, 7, "no-text", "b", "bad-bytes"]
    assert out[0]["kind"] == "endorsement_request" and "findings" in out[0]
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2]["line"] == 3 and "nothing to check" in out[2]["error"]
    assert out[3]["line"] == 4 and '"text"' in out[3]["error"]
    assert out[4]["kind"] == "reciprocation"
    assert out[5]["line"] == 7 and "UTF-8" in out[5]["error"]
    summary = proc.stderr.decode()
    assert "checked 2 messages" in summary and "4 lines could not be read" in summary
    _no_traceback(proc)


def test_jsonl_from_stdin_exit_code_reflects_findings() -> None:
    clean = json.dumps({"id": 1, "text": "Thanks again for lunch, Sam!"}) + "\n"
    assert rapport("check", "--jsonl", "-", stdin=clean.encode()).returncode == 0
    bad = json.dumps({"id": 1, "text": "Hi all, endorse me please!"}) + "\n"
    assert rapport("check", "--jsonl", "-", stdin=bad.encode()).returncode == 1


def test_team_config_is_found_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text(
        '[rules]\ndisable = ["blast", "cold-ask"]\n', encoding="utf-8"
    )
    proc = rapport("check", "--json", "Hi all, could you endorse me?", cwd=tmp_path)
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert "blast" not in rules and "cold-ask" not in rules


def test_broken_team_config_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text('[rules]\ndisable = ["nope"]\n', encoding="utf-8")
    proc = rapport("check", "hello", cwd=tmp_path)
    assert proc.returncode == 2 and b"unknown rule 'nope'" in proc.stderr
    _no_traceback(proc)


def test_echoed_draft_cannot_drive_the_terminal() -> None:
    proc = rapport("check", "Hi all\x1b[2J\x1b]0;pwned\x07, endorse me!")
    assert b"\x1b[2J" not in proc.stdout and b"\x1b]0" not in proc.stdout


def test_rules_command_lists_every_rule() -> None:
    out = rapport("rules").stdout.decode()
    for rule in TEXT_RULE_IDS:
        assert rule in out


def test_no_command_prints_help_and_exits_2() -> None:
    proc = rapport()
    assert proc.returncode == 2 and b"check" in proc.stdout
