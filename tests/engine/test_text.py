"""Text preparation: offsets into the original, sentences, quotation and negation scope."""

from __future__ import annotations

import re

from rapport.bot.engine.clauses import CLAUSE_BREAK
from rapport.bot.engine.lexicon import compile_phrases
from rapport.bot.engine.text import MAX_CHARS, Doc, prepare, wrapped


def test_norm_keeps_offsets_for_curly_quotes_and_emoji() -> None:
    text = "Hi “Dana” 👋 — I’d love an intro."
    doc = prepare(text)
    i = doc.norm.index("intro")
    a, b = doc.span(i, i + 5)
    assert text[a:b] == "intro"
    assert "\u2019" not in doc.norm and "'" in doc.norm


def test_invisible_characters_do_not_split_words_and_spans_still_map() -> None:
    text = "please li\u200bke my page"
    doc = prepare(text)
    assert "like my page" in doc.norm
    i = doc.norm.index("like")
    a, b = doc.span(i, i + len("like my page"))
    assert text[a:b] == "li\u200bke my page"


def test_compatibility_letters_are_folded() -> None:
    doc = prepare("𝐥𝐢𝐤𝐞 my page")
    assert doc.norm.startswith("like")


def test_sentences_skip_abbreviations_initials_and_decimals() -> None:
    doc = prepare("I met Dr. Lee at 3.30 p.m. on Friday. J. Smith was there too! Great.")
    texts = [doc.norm[s:e] for s, e in doc.sentences]
    assert texts == ["i met dr. lee at 3.30 p.m. on friday.", "j. smith was there too!", "great."]


def test_newlines_end_sentences() -> None:
    doc = prepare("hey dana\ncould you intro me to sam")
    assert len(doc.sentences) == 2


def test_double_quotes_blockquotes_and_reported_speech_are_quoted() -> None:
    doc = prepare('Got this: "Hi all, please like my page!" How do I reply?')
    assert doc.is_quoted(doc.norm.index("like my page"))
    assert not doc.is_quoted(doc.norm.index("how do i reply"))
    doc = prepare("> @everyone vote for me\nsomeone posted this. ugh")
    assert doc.is_quoted(doc.norm.index("vote"))
    doc = prepare(
        "A recruiter sent me this:\nHi {first_name}, I'd love to connect!\n\nHow should I respond?"
    )
    assert doc.is_quoted(doc.norm.index("first_name"))
    assert not doc.is_quoted(doc.norm.index("how should"))


def test_single_quotes_may_hold_apostrophes() -> None:
    doc = prepare(
        "Got this today: 'Hi {first_name}, I'd love to connect!' Is it rude to ignore it?"
    )
    assert doc.is_quoted(doc.norm.index("love to connect"))


def test_quotes_the_sender_wrote_are_the_senders_words() -> None:
    doc = prepare("Here's your rec! 'Chloe is an outstanding professional.' lmk if that works")
    assert not doc.is_quoted(doc.norm.index("outstanding"))


def test_negation_scopes_over_its_clause_only() -> None:
    doc = prepare("I'm not asking you to like my page, but please share the doc.")
    assert doc.is_negated(doc.norm.index("like my page"))
    assert not doc.is_negated(doc.norm.index("share the doc"))


def test_idioms_with_negation_words_do_not_negate() -> None:
    doc = prepare("Don't forget to like and subscribe!")
    assert not doc.is_negated(doc.norm.index("like and"))
    doc = prepare("No worries if not, but could you intro me?")
    assert not doc.is_negated(doc.norm.index("intro"))


def test_long_text_is_truncated_and_flagged() -> None:
    doc = prepare("a" * (MAX_CHARS + 50))
    assert doc.truncated and len(doc.original) == MAX_CHARS


def test_common_letter_swaps_are_fixed_without_moving_offsets() -> None:
    text = "remember teh time you stayed late"
    doc = prepare(text)
    assert "the time" in doc.norm and len(doc.norm) == len(text)


def test_a_hard_wrap_is_told_from_a_line_of_its_own() -> None:
    norm = prepare(
        "Hi Dana,\n\nI and some of my colleagues in the SF office\nhave been hearing good "
        "things.\nThanks,\nSam"
    ).norm
    breaks = [i for i, c in enumerate(norm) if c == "\n"]
    assert [wrapped(norm, i) for i in breaks] == [False, False, True, False, False]


# -- linear time (issue 16): counted in characters scanned, never timed ----------------------

_GUARD = compile_phrases(["i'?ll", "i will", "let me", "if possible"])


def _scan_clause_start(doc: Doc, pos: int) -> int:
    """The per-hit rescan the clause index replaced: the reference answer."""
    start, _ = doc.sentence_at(pos)
    found = start
    for m in CLAUSE_BREAK.finditer(doc.norm, start, pos):
        found = m.end()
    return found


def test_clause_questions_scan_each_character_a_bounded_number_of_times() -> None:
    # Unpunctuated repetition: one sentence, one clause.  Rescanning from the sentence start
    # for every hit read ~n²/2 characters (20,000 of these took seconds); the index reads the
    # draft a few times, plus a window of a few dozen characters per question.
    per_char = []
    for reps in (100, 800):
        doc = prepare("PLEASE ENDORSE ME NOW " * reps)
        words = [m.start() for m in re.finditer(r"\w+", doc.norm)]
        for pos in words:
            doc.is_negated(pos)
            doc.clause_has(_GUARD, pos)
        assert len(words) == 4 * reps
        assert doc.clauses.steps <= 3 * len(doc.norm) + 32 * len(words), (reps, doc.clauses.steps)
        per_char.append(doc.clauses.steps / len(doc.norm))
    assert per_char[1] <= 1.1 * per_char[0], per_char  # 8× the draft, not 8× the work per char


def test_clause_index_answers_exactly_as_the_rescan_did() -> None:
    # Breaks that end right at the position asked about ("but" cut off inside "butter"),
    # dashes across a sentence start, long whitespace runs inside a guard phrase ("i     will").
    text = (
        "I will, but butter now - and yet\n- the thing i     will send however thoughtful now. "
        "Not now: if possible (ill) let me, although whereas x - y!  But now?\nyet "
    ) * 3
    doc = prepare(text)
    fallback = re.compile(r"(?<!\w)(?:i(?=\s)\s+will)(?!\w)")  # a lookahead: searched as before
    for pos in range(len(doc.norm) + 2):
        start = _scan_clause_start(doc, pos)
        assert doc.clause_start(pos) == start, pos
        for pattern in (_GUARD, fallback):
            expected = pattern.search(doc.norm, start, pos) is not None
            assert doc.clause_has(pattern, pos) is expected, (pos, pattern.pattern)
