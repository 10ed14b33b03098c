"""The per-draft prefilter: rapport's own regex parser, what each phrase needs, and the scan it
speeds up, which must find exactly what the whole patterns find."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bench.corpus import chat_messages
from rapport.bot.engine import scanner
from rapport.bot.engine.lexicon import expand_phrases, load_list
from rapport.bot.engine.prefilter import TEXT, WORD, DraftText, alternatives, needs
from rapport.bot.engine.regex_tree import max_width, parse
from rapport.bot.engine.rules import load_rules
from rapport.bot.engine.text import prepare
from rapport.bot.resources import rules_dir

LISTS = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))
TEXTS = [ex.text for rule in load_rules() for ex in (*rule.failing, *rule.passing)]
TEXTS += chat_messages(150, seed=7)
NORMS = [prepare(t).norm for t in TEXTS]


def _alternatives() -> Iterator[str]:
    for name in LISTS:
        for phrase in expand_phrases(load_list(name)):
            yield from alternatives(phrase)


def test_widths_are_those_re_would_allow() -> None:
    assert max_width(parse(r"please\s{1,3}help")) == 6 + 3 + 4
    assert max_width(parse(r"(?:a|bcd)e?")) == 4
    assert max_width(parse(r"(?<!x)ab(?=c)")) == 2
    assert max_width(parse(r"a\s+b")) > 10**9


@pytest.mark.parametrize("bad", [r"(?P=name)", r"\1", r"(?i)x", r"\u2019", "(a", "a)"])
def test_syntax_the_parser_does_not_read_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse(bad)


def test_alternatives_split_only_at_the_top_level() -> None:
    assert alternatives(r"a|b(?:c|d)|[|x]|\|y") == ["a", "b(?:c|d)", "[|x]", r"\|y"]
    assert alternatives(r"[]|](?:x|y)") == [r"[]|](?:x|y)"]


def test_what_a_phrase_needs() -> None:
    assert needs(r"please\s+endorse\s+me") == [WORD + "please", WORD + "endorse", WORD + "me"]
    # "me\w*" only says "me" is in the text; an alternation is a choice of what each needs
    assert needs(r"(?:could|would)\s+you") == [WORD + "you", [[WORD + "could"], [WORD + "would"]]]
    assert needs(r"ask\s+me\w*") == [WORD + "ask", TEXT + "me"]
    assert needs(r"[a-z]+") == []


def test_the_needs_of_every_phrase_hold_wherever_it_matches() -> None:
    for alt in _alternatives():
        wanted = needs(alt)
        plain = re.compile(r"(?<!\w)(?:" + alt + r")(?!\w)", re.M)
        for norm in NORMS:
            if plain.search(norm):
                assert DraftText(norm).allows(wanted), (alt, norm[:120])


def _scan_all(partial: int) -> list[scanner.Hits]:
    scanner.phrase_index.cache_clear()
    scanner._ALTERNATIVE_MATCHERS.clear()
    old = scanner.PARTIAL_PATTERNS
    scanner.PARTIAL_PATTERNS = partial
    try:
        return [scanner.scan(norm) for norm in NORMS]
    finally:
        scanner.PARTIAL_PATTERNS = old
        scanner.phrase_index.cache_clear()


def test_scanning_with_only_the_possible_phrases_finds_what_whole_patterns_find() -> None:
    whole = _scan_all(partial=0)
    fitted = _scan_all(partial=10**9)
    assert any(whole) and fitted == whole
