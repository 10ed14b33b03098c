"""The detector kinds rule files compose, each run on real drafts through `run_detector`: what
they flag (as spans of the normalised draft), and the negation, quotation, evidence and
threshold cases that keep them quiet."""

from __future__ import annotations

import pytest

from rapport.bot.engine.detectors import Assessment, holds, run_detector, team_phrase_spans
from rapport.bot.engine.rules import Detector
from rapport.bot.engine.signals import Signals
from rapport.bot.engine.text import prepare
from rapport.bot.models import Context, Kind, Trust

EVEN = Trust(5, 5, 5, 5)
ASK = "Could you endorse me for Python on LinkedIn?"


def assess(
    text: str, kind: Kind = Kind.ENDORSEMENT_REQUEST, trust: Trust = EVEN, **context: object
) -> Assessment:
    return Assessment(Signals(prepare(text), Context(**context)), kind, trust)  # type: ignore[arg-type]


def flagged(det: Detector, text: str, **kwargs: object) -> list[str]:
    """The words each span covers (spans are in `Doc.norm`, the lower-cased draft)."""
    a = assess(text, **kwargs)  # type: ignore[arg-type]
    return [a.signals.doc.norm[s:e] for s, e in run_detector(det, a)]


# -- phrases -------------------------------------------------------------------------------------
ENGAGEMENT = Detector("phrases", lists=("engagement",))


def test_phrases_flag_the_senders_words() -> None:
    assert "like my page" in flagged(ENGAGEMENT, "Please like my page and share it!")


@pytest.mark.parametrize(
    "text",
    ["I'm not asking you to like my page.", 'She wrote "please like my page" to me.',
     "> please like my page\nhow do I answer this?"],
)  # fmt: skip
def test_phrases_skip_negated_and_quoted_words(text: str) -> None:
    assert flagged(ENGAGEMENT, text) == []


def test_inline_phrases_work_like_a_list() -> None:
    det = Detector("phrases", phrases=("circle back",))
    assert flagged(det, "Let's circle   back next week.") == ["circle   back"]
    assert flagged(det, "Let's not circle back.") == []


def test_line_start_phrases_must_open_their_line() -> None:
    det = Detector("phrases", lists=("crowd_greeting",), position="line_start")
    assert flagged(det, "Hi everyone,\nbig news") == ["hi everyone"]
    assert flagged(det, "I told them hi everyone") == []


def test_a_guard_earlier_in_the_clause_excuses_the_phrase() -> None:
    det = Detector("phrases", lists=("pressure_urgent",), unless_in_clause=("i'?ll",))
    assert "asap" in flagged(det, "I need it ASAP.")
    assert flagged(det, "I'll send it ASAP.") == []  # the sender's own promise
    assert flagged(det, "I'll send it today, but I need yours ASAP.") == ["asap"]  # new clause


def test_a_cue_anywhere_in_the_message_silences_the_detector() -> None:
    det = Detector("phrases", lists=("engagement",), unless_message=("gratitude",))
    assert flagged(det, "Please like my page!")
    assert flagged(det, "Thank you so much! Please like my page!") == []


# -- entities ------------------------------------------------------------------------------------
def test_entities_flag_crowd_pings_not_quoted_ones() -> None:
    det = Detector("entities", entities=("broadcast",))
    assert flagged(det, "@here please read") == ["@here"]
    assert len(flagged(det, "<!here> please read")) == 1
    assert flagged(det, 'He said "<!channel>" was rude') == []
    assert flagged(det, "Hi <@U123>, thanks") == []  # a person is not a crowd


def test_entities_of_another_type_are_left_alone() -> None:
    det = Detector("entities", entities=("user",))
    assert len(flagged(det, "Hi <@U123>, thanks")) == 1
    assert flagged(det, "<!here> please read") == []


# -- missing -------------------------------------------------------------------------------------
COLD = Detector("missing", trigger=("ask_endorsement",), evidence=("relationship",))


def test_missing_flags_a_trigger_without_evidence() -> None:
    assert flagged(COLD, ASK) == ["could you endorse me"]


def test_missing_is_quiet_when_evidence_is_in_the_text_or_the_context() -> None:
    assert flagged(COLD, "We worked together at Acme for two years. " + ASK) == []
    det = Detector(
        "missing", trigger=("ask_endorsement",), evidence=("context:known_relationship",)
    )
    assert flagged(det, ASK, known_relationship=True) == []
    assert flagged(det, ASK) == ["could you endorse me"]


def test_missing_needs_its_trigger() -> None:
    assert flagged(COLD, "Hope the launch went well!") == []


def test_missing_with_needs_fires_only_when_they_hold_too() -> None:
    det = Detector("missing", trigger=("ask_endorsement",), evidence=("relationship",),
                   needs=("cold_contact",))  # fmt: skip
    assert flagged(det, ASK) == []
    assert flagged(det, "We haven't met, but could you endorse me for Python on LinkedIn?") == [
        "could you endorse me"
    ]


def test_missing_spans_a_sentence_or_the_greeting_when_asked() -> None:
    det = Detector("missing", trigger=("ask_endorsement",), evidence=("relationship",),
                   span="sentence")  # fmt: skip
    assert flagged(det, "Big news today. " + ASK + " Thanks.") == [ASK.lower()]
    whole = Detector("missing", trigger=("message",), evidence=("signal:names_recipient",),
                     span="greeting")  # fmt: skip
    assert flagged(whole, "Hello there,\nCould you endorse me?") == ["hello there"]
    assert flagged(whole, "Quick question. Could you endorse me?") == ["quick question."]
    assert flagged(whole, "Hi Dana. Could you endorse me?") == []


def test_missing_each_sentence_flags_every_sentence_with_a_trigger() -> None:
    det = Detector("missing", trigger=("ask_endorsement",), evidence=("relationship",),
                   span="each_sentence")  # fmt: skip
    text = "Could you endorse me for SQL? Also, could you endorse me for Python?"
    assert flagged(det, text) == ["could you endorse me for sql?",
                                  "also, could you endorse me for python?"]  # fmt: skip


# -- score ---------------------------------------------------------------------------------------
def test_score_fires_between_its_bounds() -> None:
    det = Detector("score", score="credibility", at_least=6)
    assert flagged(det, "One. Two.", trust=Trust(7, 1, 1, 1)) == ["one."]
    assert flagged(det, "One. Two.", trust=Trust(5, 1, 1, 1)) == []
    capped = Detector("score", score="intimacy", at_most=2)
    assert flagged(capped, "One. Two.", trust=Trust(1, 1, 3, 1)) == []
    assert flagged(capped, "One. Two.", trust=Trust(1, 1, 2, 1)) == ["one."]


def test_score_reads_courtesy() -> None:
    det = Detector("score", score="courtesy", at_most=4)
    assert flagged(det, "Send me the deck now.") == ["send me the deck now."]
    polite = "Hi Dana, thank you so much! Could you please send the deck when you have a moment?"
    assert flagged(det, polite) == []


def test_score_evidence_excuses_it() -> None:
    det = Detector("score", score="courtesy", at_most=4, evidence=("context:known_relationship",))
    assert flagged(det, "Send me the deck now.", known_relationship=True) == []


def test_score_can_point_at_the_most_self_focused_sentence() -> None:
    det = Detector("score", score="signal:self_focus_per_length", at_least=3, span="self_sentence")
    text = "Hope you're well. I closed $2.4M and I led 12 engineers and I want a referral. Bye."
    assert flagged(det, text) == ["i closed $2.4m and i led 12 engineers and i want a referral."]
    assert flagged(det, "Hope you're well. Your talk on indexes was great.") == []


# -- imperative ----------------------------------------------------------------------------------
CURT = Detector("imperative", max_courtesy=7)


def test_a_bare_order_is_flagged_and_a_softened_one_is_not() -> None:
    assert flagged(CURT, "Send me the deck.") == ["send me the deck."]
    assert flagged(CURT, "Please send me the deck.") == []


def test_a_polite_message_excuses_a_bare_order() -> None:
    text = "Hi Dana, thank you so much for the intro, I really appreciate it! Send me the deck."
    assert assess(text).courtesy >= 3  # polite enough that only orders for the sender count
    assert flagged(Detector("imperative"), text) == ["send me the deck."]
    assert flagged(Detector("imperative", max_courtesy=assess(text).courtesy), text) == []


def test_an_unless_cue_silences_the_imperative() -> None:
    det = Detector("imperative", unless_message=("engagement",))
    assert flagged(det, "Send me the deck. Like my page.") == []


def test_in_a_terse_message_even_advice_reads_as_an_order() -> None:
    text = "Meet Gary. Talk to him."
    assert assess(text).courtesy < 3
    assert flagged(Detector("imperative"), text) == ["talk to him."]
    warm = "Hi Dana, thank you so much for the intro, I really appreciate it! Talk to him."
    assert assess(warm).courtesy >= 3
    assert flagged(Detector("imperative"), warm) == []  # advice, not an order for the sender


# -- history -------------------------------------------------------------------------------------
def test_history_owed_points_at_no_words() -> None:
    det = Detector("history", history="owed")
    a = assess("Thanks!", owed_name="Sam")
    assert run_detector(det, a) == [(0, 0)]
    assert run_detector(det, assess("Thanks!")) == []


def test_history_repeated_counts_against_its_threshold() -> None:
    det = Detector("history", history="repeated", at_least=3)
    assert run_detector(det, assess("Hi", repeated_for=3)) == [(0, 0)]
    assert run_detector(det, assess("Hi", repeated_for=2)) == []
    assert run_detector(Detector("history", history="repeated"), assess("Hi", repeated_for=1))


# -- kinds, evidence names, team phrases ---------------------------------------------------------
def test_a_detector_for_some_kinds_skips_the_others() -> None:
    det = Detector("phrases", lists=("engagement",), kinds=("promotion",))
    assert flagged(det, "Please like my page!", kind=Kind.ENDORSEMENT_REQUEST) == []
    assert flagged(det, "Please like my page!", kind=Kind.PROMOTION)


@pytest.mark.parametrize(
    ("item", "text", "context", "expected"),
    [
        ("relationship", "We worked together at Acme for years.", {}, True),
        ("relationship", "We have never worked together.", {}, False),
        ("feature:merge_field", "Hi {first_name}!", {}, True),
        ("signal:to_crowd", "Hello everyone!", {}, True),
        ("context:known_relationship", "Hi", {"known_relationship": True}, True),
        ("context:known_relationship", "Hi", {}, False),
        ("courtesy:0", "Send it.", {}, True),
        ("courtesy:9", "Send it.", {}, False),
    ],
)
def test_holds_reads_every_kind_of_evidence(
    item: str, text: str, context: dict[str, object], expected: bool
) -> None:
    assert holds(item, assess(text, **context)) is expected  # type: ignore[arg-type]


def test_team_phrases_are_literal_and_in_the_senders_voice() -> None:
    a = assess(
        "My boss says 'need it yesterday' a lot. I don't need it yesterday. "
        "But NEED IT   yesterday (a.b) really."
    )
    spans = team_phrase_spans(("need it yesterday", "(a.b)"), a)
    assert [a.signals.doc.norm[s:e] for s, e in spans] == ["need it   yesterday", "(a.b)"]
    assert team_phrase_spans(("a.b",), assess("axb")) == []  # a dot is a dot, not any letter
    assert team_phrase_spans((), a) == []


def test_courtesy_is_scored_on_first_use_with_its_evidence() -> None:
    rude = assess("Send it.")
    score, evidence = rude.courtesy_with_evidence
    assert rude.courtesy == score < 5 and evidence
    assert assess("Thank you so much, Dana! Could you please send it?").courtesy >= 5
