"""The compiled-regex disk cache: same patterns as re.compile, and harmless when damaged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import recache

SAMPLES = [
    (r"(?<!\w)(?:hello|wor(?:ld|k))(?!\w)", re.M),
    (r"(?P<name>[a-z]+)@(?P<host>\w+)\.com", 0),
    (r"(?i)caf[eé]\s+\d{2,}", 0),
]


@pytest.mark.parametrize(("pattern", "flags"), SAMPLES)
def test_cached_patterns_behave_like_re_compile(pattern: str, flags: int) -> None:
    text = "Hello world, work at cafe 12 and ann@example.com, CAFÉ 345"
    cached = recache.cached_compile(pattern, flags)
    plain = re.compile(pattern, flags)
    assert [m.span() for m in cached.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert cached.groupindex == plain.groupindex and cached.flags == plain.flags


def _run(code: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"RAPPORT_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_cache_is_written_reused_and_survives_a_damaged_file(tmp_path: Path) -> None:
    code = (
        "from bot.recache import cached_compile\n"
        "p = cached_compile(r'(?:alpha|beta)\\d+')\n"
        "print(p.findall('alpha1 beta22 gamma3'))\n"
    )
    first = _run(code, tmp_path)
    assert first.stdout.strip() == "['alpha1', 'beta22']", first.stderr
    files = list(tmp_path.glob("regex-*.marshal"))
    assert len(files) == 1
    files[0].write_bytes(b"\x00garbage\xff" * 10)
    again = _run(code, tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == "['alpha1', 'beta22']", again.stderr


def test_cache_can_be_turned_off(tmp_path: Path) -> None:
    code = "from bot.recache import cached_compile; print(cached_compile('a+').match('aa').group())"
    env_off = {"RAPPORT_NO_CACHE": "1", "RAPPORT_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
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
