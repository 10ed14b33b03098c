"""Signals: the evidence one draft holds (cues in the sender's own words, who it addresses, the
specifics it gives, how it asks), read through `Signals`' public properties on real drafts."""

from __future__ import annotations

import pytest

from rapport.bot.engine.lexicon import PhraseListError
from rapport.bot.engine.signals import FEATURE_NAMES, Hit, Signals, cue_pattern
from rapport.bot.engine.text import prepare
from rapport.bot.models import Context


def signals(text: str, **context: object) -> Signals:
    return Signals(prepare(text), Context(**context))  # type: ignore[arg-type]


def words(s: Signals, hits: list[Hit]) -> list[str]:
    return [s.doc.norm[h.start : h.end] for h in hits]


# -- cues: quoted, negated, affirmed ----------------------------------------------------------
def test_a_cue_in_the_senders_own_words_is_affirmed() -> None:
    s = signals("Please like my page and share it!")
    assert "like my page" in words(s, s.voice("engagement"))
    assert s.has("engagement")


def test_a_negated_cue_is_a_hit_but_not_the_senders_voice() -> None:
    s = signals("I'm not asking you to like my page.")
    (hit,) = s.hits("engagement")
    assert s.negated(hit)
    assert s.voice("engagement") == [] and not s.has("engagement")


def test_quoted_words_are_someone_elses() -> None:
    s = signals('My friend said "please like my page" and I laughed.')
    assert s.hits("engagement") and all(h.quoted for h in s.hits("engagement"))
    assert not s.has("engagement")
    assert "please like my page" not in s.own_text
    assert len(s.own_text) == len(s.doc.norm)  # blanked, not cut: spans still line up


def test_a_quoted_line_is_left_out_of_the_senders_words() -> None:
    s = signals("> like my page\nthanks, will do")
    assert s.own_text.strip() == "thanks, will do"
    assert s.word_count == 3


def test_an_unknown_cue_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no phrase list or frame named 'relationshp'"):
        signals("Hi").hits("relationshp")


def test_a_bad_phrase_names_its_list(monkeypatch: pytest.MonkeyPatch) -> None:
    import rapport.bot.engine.signals as module

    monkeypatch.setattr(module, "load_list", lambda name: ("{nosuchmacro} thing",))
    cue_pattern.cache_clear()
    try:
        with pytest.raises(PhraseListError, match=r"rules/lists/broken\.txt: unknown macro"):
            cue_pattern("broken")
    finally:
        cue_pattern.cache_clear()


def test_only_cues_first_on_their_line_count_as_salutations() -> None:
    s = signals("Hi everyone,\nI told them hello everyone too\n> hey all")
    starts = s.at_line_start("crowd_greeting")
    assert words(s, starts) == ["hi everyone"]  # mid-line, and quoted, don't count


def test_list_markers_before_a_greeting_still_start_the_line() -> None:
    s = signals("- Hi all, quick note")
    assert words(s, s.at_line_start("crowd_greeting")) == ["hi all"]


# -- who it is for ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi Dana, could you endorse me?", "dana"),
        ("hey dana! quick one", "dana"),
        ("Dana, quick question about the deck.", "dana"),
        ("Loved the talk. Thanks so much, Priya", "priya"),
        ("Could you look at this, Sam? Thanks.", "sam"),
    ],
)
def test_the_name_a_draft_addresses(text: str, name: str) -> None:
    assert signals(text).greeting_name == name


@pytest.mark.parametrize(
    "text",
    ["Hi there, could you endorse me?", "Hello everyone!", "hey, do u know anyone at Stripe?",
     "Thanks, Monday works."],
)  # fmt: skip
def test_crowds_and_ordinary_words_are_not_names(text: str) -> None:
    s = signals(text)
    assert s.greeting_name is None
    assert not s.names_recipient


def test_a_mention_or_the_recipients_name_names_the_recipient() -> None:
    assert signals("Could you endorse me <@U123>?").names_recipient
    assert signals("Could you endorse me? Dana Lee said you might.", recipient="Dana Lee")
    assert signals("Lee, could you endorse me?", recipient="Dana Lee").names_recipient
    assert not signals("Could you endorse me for SQL?", recipient="Dana Lee").names_recipient
    # a one-letter part of a name is not evidence ("D" is in every draft)
    assert not signals("Could you do me a favour?", recipient="D Smith").names_recipient


# -- how much is about the sender ---------------------------------------------------------------
def test_pronouns_are_counted_in_the_senders_words_only() -> None:
    s = signals('You and I should meet. We could talk. She said "you you you".')
    assert (s.first_person, s.second_person, s.first_plural) == (1, 1, 1)


def test_credentials_and_wants_raise_self_focus() -> None:
    about_me = signals("I closed $2.4M in deals and I led 12 engineers. I want a referral.")
    about_you = signals("Your talk on Postgres indexes changed how our team works.")
    assert about_me.self_credentials == 2
    assert about_me.self_focus >= 3 > about_you.self_focus


def test_shared_history_is_not_a_credential() -> None:
    s = signals("We met at PyCon 2019 and I wrote you about the sprint.")
    assert s.self_credentials == 0


def test_self_focus_is_scaled_down_for_long_letters() -> None:
    s = signals("I want a job. " + "You did great work on the launch. " * 11)
    assert s.self_focus_per_length == pytest.approx(s.self_focus * 6 / 12)
    short = signals("I want a job.")
    assert short.self_focus_per_length == short.self_focus


# -- specifics ----------------------------------------------------------------------------------
def test_numbers_dates_and_counted_durations_are_specifics() -> None:
    s = signals("We shipped Atlas at Acme in 2019, cut costs by 40% and worked three years on it.")
    assert s.numbers == ["2019", "40%", "three years"]


def test_ratings_are_enthusiasm_not_specifics() -> None:
    assert signals("10/10 would recommend. 100% the best.").numbers == []


def test_proper_nouns_leave_out_greetings_sentence_starts_and_shouting() -> None:
    assert signals("Hi Dana, we shipped Atlas at Acme with Python.").proper_nouns == [
        "Atlas", "Acme", "Python",
    ]  # fmt: skip
    assert signals("HELLO THERE FRIEND WE ARE GREAT AT ACME").proper_nouns == []


def test_links_count_and_quoted_links_are_not_the_senders() -> None:
    s = signals("See https://example.com or mail me at ana@example.com")
    assert s.links == 2 and s.feature("link") == 2
    quoted = signals('He said "see https://example.com" was spam')
    assert quoted.links == 1 and quoted.feature("link") == 0


# -- features ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "feature", "count"),
    [
        ("Hello everyone, please like my page", "crowd", 1),
        ("I said hello everyone to the room", "crowd", 0),
        ("<!here> please share", "broadcast", 1),
        ('He wrote "<!channel>" in the thread', "broadcast", 0),
        ("Hi {first_name}, join us at [Company]", "merge_field", 2),
        ("Call me on 07911 123456", "phone", 1),
        ("Win £250 cash today", "money", 1),
        ("text WIN to 80086 now", "sms_keyword", 1),
        ("text WIN to 80086 now", "short_code", 1),
        ("Acme Ltd, PO Box 123", "business_footer", 2),
        ("THIS IS HUGE NEWS", "shouting", 1),
        ("This is huge news", "shouting", 0),
        ("She rebuilt our billing system.", "third_person_work", 1),
        ("I rebuilt our billing system.", "third_person_work", 0),
        ("She is brilliant and so kind.", "third_person_praise", 1),
        ("We shipped Atlas at Acme.", "named_thing", 1),
    ],
)
def test_each_feature_counts_what_it_names(text: str, feature: str, count: int) -> None:
    assert signals(text).feature(feature) == count


def test_every_feature_name_answers_and_a_typo_raises() -> None:
    s = signals("Hi Dana, we shipped Atlas at Acme in 2019.")
    assert all(s.feature(name) >= 0 for name in FEATURE_NAMES)
    with pytest.raises(AttributeError):
        s.feature("merge_feild")


def test_a_crowd_message_is_to_a_crowd() -> None:
    assert signals("Hey all! Please share this with your network").to_crowd
    assert signals("<!everyone> new post is up").to_crowd
    assert not signals("Hi Dana, thanks for the intro").to_crowd


# -- how requests are worded --------------------------------------------------------------------
def test_a_bare_command_is_an_unsoftened_imperative() -> None:
    s = signals("Send me the deck.")
    assert s.imperatives == [(0, 17, False)]
    assert s.imperatives_for_sender == [(0, 17, False)]


@pytest.mark.parametrize("text", ["Please send me the deck.", "Send me the deck?",
                                  "Send me the deck when you get a chance."])  # fmt: skip
def test_please_a_question_or_an_easy_out_softens_a_command(text: str) -> None:
    ((_, _, softened),) = signals(text).imperatives
    assert softened


@pytest.mark.parametrize("text", ["Do you have the deck?", "Don't send the deck.",
                                  "We shipped it."])  # fmt: skip
def test_questions_negations_and_statements_are_not_commands(text: str) -> None:
    assert signals(text).imperatives == []


def test_advice_is_a_command_but_not_one_for_the_sender() -> None:
    s = signals("Go to Marisol. Tell her the story.")
    assert len(s.imperatives) == 2
    assert s.imperatives_for_sender == []
