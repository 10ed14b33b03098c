"""The CLI's limits: bounded reads of stdin, -f FILE and --jsonl lines; every bad --jsonl line an
error object; user-typed text shown with its control characters visible, never sent raw."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.adapters.terminal.batch import Check, run_batch
from rapport.adapters.terminal.inputs import (
    MAX_DRAFT_BYTES,
    MAX_DRAFT_CHARS,
    MAX_LINE_BYTES,
    BadInput,
    LongLine,
    read_draft,
    read_lines,
)
from rapport.adapters.terminal.jsonl import MAX_DEPTH
from rapport.adapters.terminal.render import safe
from rapport.bot.engine.engine import Engine
from rapport.bot.engine.text import MAX_CHARS
from tests.adapters.terminal.test_cli import _no_traceback, rapport


class Endless(io.RawIOBase):
    """A stream that never ends (like /dev/zero or `yes`), counting what was read from it."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern, self.served = pattern, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = len(buffer)
        whole = (self.pattern * (n // len(self.pattern) + 1))[:n]
        buffer[:n] = whole
        self.served += n
        return n


# -- the cap on a draft ------------------------------------------------------------------------


def test_the_cap_is_a_few_times_what_the_engine_reads() -> None:
    assert MAX_DRAFT_CHARS == 5 * MAX_CHARS and MAX_DRAFT_BYTES == 4 * MAX_DRAFT_CHARS
    assert MAX_LINE_BYTES >= 6 * MAX_DRAFT_CHARS  # the longest draft, all in \uXXXX escapes


@pytest.mark.parametrize(
    ("pattern", "message"),
    [(b"y\n", "longer than 100,000 characters"), (b"\x00", "binary data, not text")],
)
def test_endless_input_is_refused_after_a_bounded_read(pattern: bytes, message: str) -> None:
    raw = Endless(pattern)
    with pytest.raises(BadInput, match=message):
        read_draft(io.BufferedReader(raw), "stdin")
    assert raw.served <= MAX_DRAFT_BYTES + 2 * (1 << 16)


def test_a_draft_at_the_cap_is_read_in_any_script_and_one_more_character_is_not() -> None:
    for char in ("a", "é", "語", "🙂"):
        text = char * MAX_DRAFT_CHARS
        assert read_draft(io.BytesIO(text.encode()), "stdin") == text
        with pytest.raises(BadInput, match="check the first part"):
            read_draft(io.BytesIO((text + char).encode()), "stdin")


def test_a_character_split_across_chunks_and_a_bom_are_fine() -> None:
    text = "a" * ((1 << 16) - 1) + "🙂 thanks"
    assert read_draft(io.BytesIO(b"\xef\xbb\xbf" + text.encode()), "stdin") == text
    with pytest.raises(BadInput, match=r"not valid UTF-8 text \(byte 65549\)"):  # 3 + 65,546
        read_draft(io.BytesIO(b"\xef\xbb\xbf" + text.encode() + b"\xff"), "stdin")


#: A bounded generator: 5.5 MB of one line over and over, written as fast as it is read.
PRODUCER = "import sys\nfor _ in range(250):\n    sys.stdout.buffer.write(b'Could you endorse me?\\n' * 1000)"


@pytest.mark.parametrize("args", [("check",), ("check", "-f", "-"), ("rewrite",)])
def test_a_large_piped_draft_exits_2_with_the_limit(args: tuple[str, ...]) -> None:
    producer = subprocess.Popen(
        [sys.executable, "-c", PRODUCER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", *args],
        stdin=producer.stdout,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert producer.stdout is not None
    producer.stdout.close()  # rapport stopped reading: the producer's next write fails
    producer.wait(timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode() == (
        "rapport: the draft is longer than 100,000 characters; rapport reads drafts up to "
        "100,000 characters: check the first part\n"
    )
    assert proc.stdout == b""


def test_a_large_file_and_a_large_argument_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"hello there. " * 1_000_000)
    proc = rapport("check", "-f", str(path))
    assert proc.returncode == 2 and f"{path}: the draft is longer than".encode() in proc.stderr
    proc = rapport("check", "--no-history", "x" * (MAX_DRAFT_CHARS + 1))
    assert proc.returncode == 2 and b"the draft is longer than 100,000" in proc.stderr
    zero = rapport("check", "-f", "/dev/zero")
    assert zero.returncode == 2 and b"binary data, not text" in zero.stderr


# -- --jsonl lines -----------------------------------------------------------------------------


def test_a_long_line_is_skipped_in_chunks_and_the_next_is_read() -> None:
    data = b'{"id": "big", "text": "' + b"a" * (3 * MAX_LINE_BYTES) + b'"}\n{"id": 2}\n\n{"id": 3}'
    lines = list(read_lines(io.BufferedReader(io.BytesIO(data))))
    assert [n for n, _ in lines] == [1, 2, 4]
    assert isinstance(lines[0][1], LongLine) and lines[0][1].head.startswith(b'{"id": "big"')
    assert lines[1][1] == b'{"id": 2}\n' and lines[2][1] == b'{"id": 3}'
    exact = b"x" * MAX_LINE_BYTES + b"\n"
    assert list(read_lines(io.BytesIO(exact))) == [(1, exact)]


def _plain(engine: Engine) -> Check:
    return lambda text, context, facts: engine.check_sync(text, context)


#: A bad line, the id its error object carries, and words of its one-line reason.
BAD_LINES = [
    (b"[" * 100_000, None, f"nests arrays or objects more than {MAX_DEPTH} deep"),
    (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, None, "nests arrays or objects"),
    (b'{"id": 1, "text": "hi", "x": ' + b"[" * 70 + b"]" * 70 + b"}", 1, "more than 64 deep"),
    (
        b'{"id": 2, "text": "hi", "n": ' + b"9" * 5000 + b"}",
        2,
        "number too long to read (5,000 digits)",
    ),
    (b'{"id": 3, "text": "hi", "n": 1e999}', 3, "number too large to read (1e999)"),
    (b'{"id": 4, "text": "hi", "n": NaN}', 4, "has NaN, which is not a JSON number"),
    (b'{"id": 5, "text": "hi", "n": Infinity}', 5, "has Infinity"),
    (b'{"id": 6, "text": "hi", "n": -Infinity}', 6, "has -Infinity"),
    (b'{"id": 7, "text": "hi", "text": "again"}', 7, 'has the key "text" twice'),
    (b'{"id": 8, "text": 5}', 8, '"text" must be a string, not a number'),
    (b'{"id": 9, "text": null}', 9, '"text" must be a string, not null'),
    (b'{"id": 10, "text": {"a": 1}}', 10, '"text" must be a string, not an object'),
    (b'{"id": 11}', 11, 'has no "text" string'),
    (b'{"id": 12, "text": "hi \\ud800 there"}', 12, "\\ud800, half of a character"),
    (b'{"id": "\\udc00", "text": "hi"}', None, "\\udc00, half of a character"),
    (b'{"id": 13, "text": "hi", "to": ["Dana"]}', 13, '"to" must be the recipient\'s name'),
    (b'{"id": 14, "text": "' + b"a" * (MAX_DRAFT_CHARS + 1) + b'"}', 14, "longer than 100,000"),
    (b'{"id": 15, "text": "' + b"a" * (2 * MAX_LINE_BYTES) + b'"}', 15, "longer than 1,048,576"),
    (b'{"id": "x\\u0000", "text": "hi\\u0000"}', "x\x00", "binary data"),
    (b"\x00\x00\x00", None, "binary data"),
    (b'"just a string"', None, "must be a JSON object"),
    (b"{not json", None, "not valid JSON"),
]


@pytest.mark.parametrize(("raw", "item_id", "reason"), BAD_LINES)
def test_every_bad_line_is_an_error_object_with_a_one_line_reason(
    raw: bytes, item_id: object, reason: str, engine: Engine
) -> None:
    out = io.StringIO()
    good = b'{"id": "ok", "text": "Thanks again for lunch, Sam!"}\n'
    summary = run_batch(_plain(engine), io.BytesIO(raw + b"\n" + good), out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == {"id": item_id, "line": 1, "error": first["error"]}
    assert reason in first["error"] and "\n" not in first["error"]
    assert first["error"].startswith("line 1")
    assert second["id"] == "ok" and "kind" in second
    assert (summary.messages, summary.bad_lines, summary.exit_code) == (1, 1, 2)


@pytest.mark.parametrize(
    "item_id", ["a", 7, -1.5, True, False, None, [1, "two", {"three": 3}], {"n": [None]}]
)
def test_an_id_of_any_json_type_comes_back_as_given(item_id: object, engine: Engine) -> None:
    out = io.StringIO()
    line = json.dumps({"id": item_id, "text": "Thanks again for lunch, Sam!"})
    run_batch(_plain(engine), io.BytesIO(line.encode()), out)
    assert json.loads(out.getvalue())["id"] == item_id


def test_a_bom_on_the_first_line_and_crlf_line_ends_are_fine(engine: Engine) -> None:
    out = io.StringIO()
    data = b'\xef\xbb\xbf{"id": 1, "text": "hi Sam"}\r\n{"id": 2, "text": "hi Dana"}\r\n'
    summary = run_batch(_plain(engine), io.BytesIO(data), out)
    assert [json.loads(x)["id"] for x in out.getvalue().splitlines()] == [1, 2]
    assert summary.bad_lines == 0


def test_the_real_cli_reads_past_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = b'{"id": "last", "text": "Thanks again for lunch, Sam!"}'
    path.write_bytes(b"\n".join(raw for raw, _, _ in BAD_LINES) + b"\n" + good + b"\n")
    for history in ((), ("--no-history",)):
        proc = rapport("check", "--jsonl", str(path), *history)
        _no_traceback(proc)
        assert b"internal error" not in proc.stderr and proc.returncode == 2
        out = [json.loads(line) for line in proc.stdout.splitlines()]
        assert len(out) == len(BAD_LINES) + 1 and out[-1]["id"] == "last"
        assert all("error" in o for o in out[:-1]) and "kind" in out[-1]


# -- control characters made visible -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Dana\x1b[31m", "Dana␛[31m"),
        ("a\x07b\x08c\x00", "a␇b␈c␀"),
        ("line\r\nnext", "line\nnext"),
        ("over\rwrite", "over␍write"),
        ("tab\there", "tab here"),
        ("del\x7f", "del␡"),
        ("csi\x9b2J", "csi\\x9b2J"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("half\udc9b", "half\\udc9b"),
        ("Zoë 🙂 語", "Zoë 🙂 語"),
    ],
)
def test_safe_shows_control_characters(typed: str, shown: str) -> None:
    assert safe(typed) == shown and safe(shown) == shown


ESC_NAME = "Dana\x1b]0;pwned\x07\x1b[2J\u009b31m"


def _terminal(proc: subprocess.CompletedProcess[bytes]) -> str:
    both = proc.stdout + proc.stderr
    assert b"\x1b" not in both and b"\x07" not in both and "\u009b".encode() not in both
    return both.decode()


def test_to_is_shown_with_its_escapes_visible() -> None:
    draft = "Hi Dana, could you endorse me for Python?"
    check = _terminal(rapport("check", "--no-history", "--rewrite", "--to", ESC_NAME, draft))
    assert "Dana␛]0;pwned␇␛[2J\\x9b31m" in check
    bad = rapport("check", "--to", "Dana\udcff", draft)
    assert bad.returncode == 2 and b"--to is not valid UTF-8" in bad.stderr


def test_ledger_names_and_notes_are_shown_with_their_escapes_visible(tmp_path: Path) -> None:
    """A name holding escapes is not a name (refused, shown visibly); a note's escapes are kept
    as typed and shown, never sent."""
    env = {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"}

    def run(*args: str, code: int = 0) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "rapport.adapters.terminal.cli", *args],
            capture_output=True,
            env=env,
            check=False,
        )
        assert proc.returncode == code, proc.stderr
        return _terminal(proc)

    refused = run("know", ESC_NAME, "we worked at Acme", code=2)
    assert "isn't a name" in refused and "\x1b" not in refused.replace("\\x1b", "")
    assert "you know Dana" in run("know", "Dana", "we worked\x1b[5m at Acme")
    assert "you endorsed Sam" in run("gave", "Sam", "for\x1b[2J Python")
    ledger = run("ledger")
    assert "we worked␛[5m at Acme" in ledger and "for␛[2J Python" in ledger
    assert "isn't a name" in run("ledger", "forget", "Zed\x1b[1m", code=2)


def test_arguments_echoed_in_errors_are_shown_not_sent() -> None:
    usage = _terminal(rapport("check", "--bogus\x1b[2J"))
    assert "unrecognized arguments: --bogus␛[2J" in usage
    missing = _terminal(rapport("check", "-f", "/no/such\x1b[2J.txt"))
    assert "no such file: /no/such␛[2J.txt" in missing
