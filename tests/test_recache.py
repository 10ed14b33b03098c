"""rapport's start-up helpers: lazy patterns, the data cache, and no private interpreter APIs."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.bot import recache

ROOT = Path(__file__).resolve().parent.parent
#: Private modules of the interpreter: their interfaces change between releases without notice.
PRIVATE = re.compile(
    r"(?<![\w.])(?:_sre|sre_compile|sre_parse|sre_constants)\b|\bre\._\w+|\bsys\._\w+"
)

SAMPLES = [
    (r"(?<!\w)(?:hello|wor(?:ld|k))(?!\w)", re.M),
    (r"(?P<name>[a-z]+)@(?P<host>\w+)\.com", 0),
    (r"(?i)caf[eé]\s+\d{2,}", 0),
]


@pytest.mark.parametrize(("pattern", "flags"), SAMPLES)
def test_lazy_patterns_behave_like_re_compile(pattern: str, flags: int) -> None:
    text = "Hello world, work at cafe 12 and ann@example.com, CAFÉ 345"
    lazy = recache.rx(pattern, flags)
    plain = re.compile(pattern, flags)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert lazy.sub("#", text) == plain.sub("#", text)
    assert lazy.groupindex == plain.groupindex and lazy.flags == plain.flags
    assert lazy.pattern == pattern


def test_a_pattern_is_compiled_on_first_use_only() -> None:
    lazy = recache.rx(r"(unclosed")  # a bad pattern: nothing happens until it is used
    assert lazy.pattern == "(unclosed"
    with pytest.raises(re.error):
        lazy.search("x")


def test_runtime_code_uses_no_private_interpreter_modules() -> None:
    found = []
    for folder in ("bot", "adapters"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    names = [f"{node.value.id}.{node.attr}"]
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    names = [node.value] if PRIVATE.fullmatch(node.value) else []
                found += [
                    f"{path.relative_to(ROOT)}:{node.lineno}: {name}"  # type: ignore[attr-defined]
                    for name in names
                    if PRIVATE.match(name)
                ]
    assert found == []


def test_the_private_module_check_would_catch_them() -> None:
    for name in ("_sre", "sre_compile", "re._compiler", "re._parser", "sys._getframe"):
        assert PRIVATE.match(name), name
    for name in ("re", "re.compile", "sys.argv", "presre_x", "rapport.bot.recache"):
        assert not PRIVATE.match(name), name


def _run(code: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"RAPPORT_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_cache_is_written_reused_and_survives_a_damaged_file(tmp_path: Path) -> None:
    code = "from bot.recache import memo; print(memo('t', 'alpha', lambda: ['built']))"
    first = _run(code, tmp_path)
    assert first.stdout.strip() == "['built']", first.stderr
    files = list(tmp_path.glob("data-*.marshal"))
    assert len(files) == 1
    files[0].write_bytes(b"\x00garbage\xff" * 10)
    again = _run(code, tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "['built']", again.stderr


def test_old_compiled_regex_caches_are_removed(tmp_path: Path) -> None:
    old = tmp_path / "regex-cpython-311-20220615-4-4-8908e7e4.marshal"
    old.write_bytes(b"rapport-regex-cache-2\n")
    code = "from bot.recache import memo; print(memo('t', 'alpha', lambda: 1))"
    assert _run(code, tmp_path).stdout.strip() == "1"
    assert not old.exists() and list(tmp_path.glob("data-*.marshal"))


def test_cache_can_be_turned_off(tmp_path: Path) -> None:
    code = "from bot.recache import memo; print(memo('t', 'a', lambda: 'aa'))"
    env_off = {
        "RAPPORT_NO_CACHE": "1",
        "RAPPORT_CACHE_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env_off, check=False
    )
    assert out.stdout.strip() == "aa" and not list(tmp_path.iterdir())


def test_entries_are_read_back_by_a_later_process(tmp_path: Path) -> None:
    write = "from bot.recache import memo; print(memo('t', 'source', lambda: ['built']))"
    read = "from bot.recache import memo; print(memo('t', 'source', lambda: ['rebuilt']))"
    assert _run(write, tmp_path).stdout.strip() == "['built']"
    assert _run(read, tmp_path).stdout.strip() == "['built']"
    other = "from bot.recache import memo; print(memo('t', 'other source', lambda: ['other']))"
    assert _run(other, tmp_path).stdout.strip() == "['other']"
    # the file now holds both; each process reads only the entry it asks for
    assert _run(read, tmp_path).stdout.strip() == "['built']"


def test_an_id_collision_is_a_miss_not_a_wrong_answer(tmp_path: Path) -> None:
    code = (
        "import bot.recache as r\n"
        "r._entry_id = lambda kind, source: 'same'\n"
        "print(r.memo('t', {src!r}, lambda: {val!r}))\n"
    )
    assert _run(code.format(src="one", val="first"), tmp_path).stdout.strip() == "first"
    assert _run(code.format(src="two", val="second"), tmp_path).stdout.strip() == "second"
    assert _run(code.format(src="two", val="again"), tmp_path).stdout.strip() == "second"


def test_a_check_from_a_cold_and_a_warm_cache_reports_the_same(tmp_path: Path) -> None:
    code = (
        "from bot.engine.engine import Engine\n"
        "r = Engine.default().check_sync('Hi Dana, could you please endorse me for Python asap?')\n"
        "print(sorted((f.rule, f.start, f.end) for f in r.findings))\n"
    )
    cold = _run(code, tmp_path)
    warm = _run(code, tmp_path)
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout == warm.stdout and cold.stdout.startswith("[")
