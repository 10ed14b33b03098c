"""Plain-word phrase alternatives matched by string tests: wherever they are tried they must end
exactly where `re` ends `(?:alternative)(?!\\w)`, and anything else is left to `re`."""

from __future__ import annotations

import re

import pytest

from bench.corpus import chat_messages
from rapport.bot.engine.lexicon import expand_phrases, load_list
from rapport.bot.engine.plainmatch import matcher, steps
from rapport.bot.engine.prefilter import alternatives
from rapport.bot.engine.rules import load_rules
from rapport.bot.engine.text import prepare
from rapport.bot.resources import rules_dir

LISTS = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))


def _ends(alternative: str, text: str) -> tuple[list[int | None], list[int | None]]:
    """(plain, re) end at every position of `text`."""
    plain = matcher(steps(alternative) or [])
    pattern = re.compile("(?:" + alternative + r")(?!\w)", re.M)
    got = [plain(text, pos) for pos in range(len(text) + 1)]
    want = [m.end() if (m := pattern.match(text, pos)) else None for pos in range(len(text) + 1)]
    return got, want


@pytest.mark.parametrize(
    ("alternative", "text"),
    [
        (r"please\s+endorse\s+me", "please \u00a0endorse\tme. please endorse meh please endorseme"),
        (r"endorse\s*me", "endorseme endorse  me endorse_me endorse me2"),
        (r"hi\s?there", "hithere hi there hi  there"),
        (r"t&c's", "t&c's t&c'sx (t&c's)"),
        (r"thx\b", "thx! thx_ thx"),
        (r"(?:happy)\s+to", "happy to happy\u2003to happy\u3000\u3000to"),
        (r"colou[ry]", "colour colory colours colou"),
        (r"hi!", "hi! hi!! hi!a"),
        ("caf\u00e9", "caf\u00e9 caf\u00e9s caf\u00e9\u00e9 caf\u00e9!"),
    ],
)
def test_plain_steps_end_where_re_ends(alternative: str, text: str) -> None:
    assert steps(alternative) is not None
    got, want = _ends(alternative, text)
    assert got == want


@pytest.mark.parametrize(
    "alternative",
    [
        r"please\s+",  # trailing whitespace: re may give some back to (?!\w)
        r"a\s+\s*b",  # two runs of whitespace in a row
        r"a\s+[ b]",  # whitespace before something that may be whitespace
        r"(?:hi|hey)\s+there",  # alternation of words: re backtracks
        r"(?:\w+\s+)?me",
        r"(?<!not\s)happy",
        r"(?i:hi)",
        r"(hi)",
        r"hi\S",
        r"\1",
        r"cafés?",  # a repeated character
    ],
)
def test_what_needs_re_is_left_to_re(alternative: str) -> None:
    assert steps(alternative) is None


def test_every_plain_alternative_of_the_lists_matches_as_re_does() -> None:
    texts = [ex.text for rule in load_rules() for ex in (*rule.failing, *rule.passing)]
    norms = [prepare(t).norm for t in texts + chat_messages(60, seed=11)]
    plain = {a for n in LISTS for p in expand_phrases(load_list(n)) for a in alternatives(p)}
    plain = {a for a in plain if steps(a) is not None}
    assert len(plain) > 300  # most word-sequence phrases are read as plain steps
    for alternative in sorted(plain):
        pattern = re.compile("(?:" + alternative + r")(?!\w)", re.M)
        plan = steps(alternative) or []
        match = matcher(plan)
        firsts = plan[0][1][:1] if plan[0][0] == "lit" else plan[0][1]
        for norm in norms:
            for pos, ch in enumerate(norm):  # where it could start (elsewhere both refuse)
                if ch in firsts:
                    want = pattern.match(norm, pos)
                    assert match(norm, pos) == (want.end() if want else None), (alternative, norm)
