"""Phrase lists and macros: every list compiles, and the phrase syntax means what it says."""

from __future__ import annotations

import re

import pytest

from rapport.bot.engine.lexicon import (
    PhraseListError,
    compile_phrases,
    keeps_negation,
    literal_phrase,
)
from rapport.bot.resources import rules_dir

LISTS = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))


@pytest.mark.parametrize("name", LISTS)
def test_every_phrase_list_compiles(name: str) -> None:
    from rapport.bot.engine.signals import cue_pattern

    assert cue_pattern(name) is not None


def _match(phrase: str, text: str) -> str | None:
    pattern = compile_phrases([phrase])
    assert pattern is not None
    m = pattern.search(text)
    return m.group(0) if m else None


def test_a_space_matches_any_whitespace() -> None:
    assert _match("like my page", "please like  my\npage") == "like  my\npage"


def test_macros_expand_to_chat_spellings() -> None:
    assert _match("{could} {you} endorse me", "cud u endorse me") == "cud u endorse me"


def test_optional_macro_takes_its_space_with_it() -> None:
    assert _match("{please?} like my page", "like my page") == "like my page"
    assert _match("{please?} like my page", "pls like my page") == "pls like my page"


def test_space_question_mark_means_optional_whitespace() -> None:
    assert _match("hard-? ?working", "hardworking") == "hardworking"
    assert _match("hard-? ?working", "hard-working") == "hard-working"


def test_phrases_match_whole_words_only() -> None:
    assert _match("asap", "asapiens") is None
    assert _match("asap", "need it asap!") == "asap"


def test_team_phrases_are_literal() -> None:
    pattern = re.compile(literal_phrase("Need it (yesterday)"))
    assert pattern.search("we need it (yesterday)")
    assert not pattern.search("need it yesterday")


def test_bad_phrase_names_itself() -> None:
    with pytest.raises(PhraseListError, match="bad phrase"):
        compile_phrases(["(unclosed"])


def test_unknown_macro_is_an_error() -> None:
    with pytest.raises(PhraseListError, match="unknown macro"):
        compile_phrases(["{nosuchmacro} word"])


def test_negation_pragma_marks_lists_negative_by_design() -> None:
    assert keeps_negation("cold_contact")
    assert not keeps_negation("relationship")


def test_spaces_in_a_lookbehind_keep_it_fixed_width() -> None:
    assert _match("(?<!asked for )an intro", "could i get an intro") == "an intro"
    assert _match("(?<!asked for )an intro", "he asked for an intro") is None
