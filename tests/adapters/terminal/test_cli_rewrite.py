"""`rapport check --rewrite` and `rapport rewrite` as a user runs them: real processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.adapters.terminal.test_cli import rapport

BLAST = "Hey everyone! Please endorse me for Python and SQL ASAP, I need it by Friday."
CLEAN = (
    "Hi Sam, we worked together on the payments team at Acme in 2021. Could you introduce "
    "me to Lena at Stripe? I'm applying for the data role there.\n\nThanks,\nJo"
)


def test_check_rewrite_human_output() -> None:
    proc = rapport("check", "--rewrite", BLAST)
    out = proc.stdout.decode()
    assert proc.returncode == 1  # the draft still has an error finding
    assert "Suggested rewrite" in out
    assert "Would you be willing to endorse me for Python and SQL?" in out
    assert "Only you can fill in (or pass --fact NAME=…):" in out
    assert "relationship: [how you know them first-hand" in out
    assert "What changed:" in out and "Left out:" in out
    assert "Traceback" not in proc.stderr.decode()


def test_check_rewrite_json_has_the_contract_field() -> None:
    plain = json.loads(rapport("check", "--json", BLAST).stdout)
    assert "rewrite" not in plain
    result = json.loads(rapport("check", "--json", "--rewrite", "--to", "Dana", BLAST).stdout)
    rewrite = result["rewrite"]
    assert rewrite["text"].startswith("Hi Dana,")
    # giving first is the sender's to offer: an optional bracket, never words in their mouth
    assert {m["field"] for m in rewrite["missing"]} == {"relationship", "given"}
    assert "[optional: what you could honestly recommend Dana for" in rewrite["text"]
    assert rewrite["trust"]["quotient"] > result["trust"]["quotient"]


def test_check_rewrite_jsonl_one_rewrite_per_result_with_per_line_facts() -> None:
    lines = [
        {"id": "a", "text": BLAST, "facts": {"recipient": "Dana"}},
        {"id": "b", "text": "Can we move our 1:1 to Thursday?"},
        {"id": "c", "text": BLAST, "facts": {"colour": "blue"}},
    ]
    stdin = "".join(json.dumps(x) + "\n" for x in lines).encode()
    proc = rapport("check", "--rewrite", "--jsonl", "-", stdin=stdin)
    results = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert results[0]["rewrite"]["text"].startswith("Hi Dana,")
    assert results[1]["rewrite"]["text"] is None and results[1]["rewrite"]["note"]
    assert "facts" in results[2]["error"]
    assert proc.returncode == 2  # one line could not be read; the others were still checked


def test_rewrite_prints_only_the_rewrite() -> None:
    proc = rapport("rewrite", "--fact", "recipient=Dana", BLAST)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith("Hi Dana,") and "Kind" not in out and "Trust" not in out
    err = proc.stderr.decode()
    assert "fill in [how you know Dana first-hand" in err


def test_rewrite_reads_stdin_and_keeps_a_clean_draft() -> None:
    proc = rapport("rewrite", stdin=CLEAN.encode())
    assert proc.returncode == 0
    assert proc.stdout.decode().rstrip("\n") == CLEAN
    assert "Nothing to change" in proc.stderr.decode()


def test_rewrite_of_something_that_is_not_outreach() -> None:
    proc = rapport("rewrite", "Can we move our 1:1 to Thursday?")
    assert proc.returncode == 0
    assert proc.stdout == b""
    assert "nothing to rewrite" in proc.stderr.decode()


def test_facts_fill_the_prompts() -> None:
    proc = rapport(
        "rewrite",
        "--fact", "recipient=Dana",
        "--fact", "relationship=we shipped the Q3 billing migration together at Acme",
        "--fact", "given=happy to recommend you for the migration retros you ran",
        BLAST,
    )  # fmt: skip
    out = proc.stdout.decode()
    assert "[" not in out
    assert "We shipped the Q3 billing migration together at Acme." in out
    assert "Happy to recommend you for the migration retros you ran." in out


def test_bad_fact_options_are_usage_errors() -> None:
    proc = rapport("rewrite", "--fact", "colour=blue", BLAST)
    assert proc.returncode == 2
    assert "not a fact rapport uses" in proc.stderr.decode()
    proc = rapport("rewrite", "--fact", "recipient", BLAST)
    assert proc.returncode == 2 and "NAME=VALUE" in proc.stderr.decode()
    proc = rapport("check", "--fact", "recipient=Dana", BLAST)
    assert proc.returncode == 2 and "--rewrite" in proc.stderr.decode()


def test_a_broken_team_template_is_reported_and_the_built_in_used(tmp_path: Path) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "endorsement_request.j2").write_text("Hi {{ recipient }}\n{% for %}\n", "utf-8")
    (tmp_path / "rapport.toml").write_text('[templates]\nfolder = "ours"\n', "utf-8")
    proc = rapport("rewrite", BLAST, cwd=tmp_path)
    assert proc.returncode == 0
    err = proc.stderr.decode()
    assert "endorsement_request.j2, line 2" in err and "built-in template" in err
    assert "Would you be willing to endorse me" in proc.stdout.decode()
    assert "Traceback" not in err


def test_a_missing_template_folder_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "rapport.toml").write_text('[templates]\nfolder = "nope"\n', "utf-8")
    proc = rapport("rewrite", BLAST, cwd=tmp_path)
    assert proc.returncode == 2
    assert "is not a folder" in proc.stderr.decode()
