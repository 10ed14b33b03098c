"""Fact extraction: what the draft says, in the user's own words, sorted by the role it plays."""

from __future__ import annotations

import pytest

from rapport.bot.engine.engine import Engine
from rapport.bot.models import Context
from rapport.bot.rewriter.facts import Facts, as_phrase, as_sentence, extract_facts


def facts_of(engine: Engine, text: str, to: str | None = None, **supplied: str) -> Facts:
    report, signals = engine.analyse(text, Context(recipient=to))
    return extract_facts(report, signals, supplied)


def test_recipient_from_greeting_to_option_mention_and_supplied(engine: Engine) -> None:
    assert facts_of(engine, "hi dana, could you endorse me for SQL?").recipient == "Dana"
    assert facts_of(engine, "Could you endorse me for SQL?", to="Priya Shah").recipient == "Priya"
    assert (
        facts_of(engine, "<@U024BE7LH> could you endorse me for SQL?").recipient == "<@U024BE7LH>"
    )
    supplied = facts_of(engine, "Hi Dana, endorse me?", recipient="Dana Lee")
    assert supplied.recipient == "Dana Lee"


def test_personal_salutation_is_kept_as_written(engine: Engine) -> None:
    f = facts_of(
        engine, "Dear Prof. Okafor,\n\nWould you write me a reference letter? We met in 2019."
    )
    assert f.salutation == "Dear Prof. Okafor,"
    assert facts_of(engine, "Dear Sir/Madam, please endorse me.").salutation is None


def test_sender_and_closing_from_the_sign_off(engine: Engine) -> None:
    f = facts_of(
        engine, "Hi Dana, could you refer me for the SRE role?\n\nWith thanks,\nWanjiru Kamau"
    )
    assert (f.sender, f.closing) == ("Wanjiru Kamau", "With thanks")


@pytest.mark.parametrize(
    ("text", "ask_type", "phrase"),
    [
        ("Hi Dana, could you endorse me for Python and SQL on LinkedIn ASAP?", "skills",
         "endorse me for Python and SQL on LinkedIn"),
        ("Hi Dana, could you introduce me to Lena at Stripe?", "intro", "introduce me to Lena at Stripe"),
        ("Hi Dana, could you refer me for the Senior PM role at Figma?", "referral",
         "refer me for the Senior PM role at Figma"),
        ("Hi Dana, would you pass my resume along to the hiring manager?", "referral",
         "pass my resume along to the hiring manager"),
        ("Hi Dana, could you write me a short LinkedIn recommendation about the migration?",
         "recommendation", "write me a short LinkedIn recommendation about the migration"),
        ("Hi Dana, would you be a reference for my Acme application?", "reference",
         "be a reference for my Acme application"),
        ("yo can u endorse me 4 photoshop n illustrator?", "skills", "endorse me for photoshop n illustrator"),
    ],
)  # fmt: skip
def test_the_ask_is_read_in_the_users_words(
    engine: Engine, text: str, ask_type: str, phrase: str
) -> None:
    ask = facts_of(engine, text).ask
    assert ask is not None
    assert (ask.type, ask.phrase) == (ask_type, phrase)


def test_deadline_and_links(engine: Engine) -> None:
    f = facts_of(engine, "Hi Dana, I need the referral by Friday! My CV: https://cv.example.com/jo")
    assert f.deadline == "Friday"
    assert f.links == ["https://cv.example.com/jo"]


def test_sentences_are_sorted_by_role_and_kept_verbatim(engine: Engine) -> None:
    f = facts_of(
        engine,
        "Hi Sam, hope the new job is going well! We worked together on the payments team at "
        "Acme in 2021. I've just written you a recommendation about the fraud models. Could "
        "you write me one about the billing migration? No worries if not.\n\nThanks,\nJo",
    )
    assert f.warm == ["Hope the new job is going well!"]
    assert f.relationship == ["We worked together on the payments team at Acme in 2021."]
    assert f.given == ["I've just written you a recommendation about the fraud models."]
    assert f.asks == ["Could you write me one about the billing migration?"]
    assert f.easy_out == ["No worries if not."]
    assert f.removed == []


def test_a_trade_keeps_the_offer_for_the_sender_to_make_and_drops_the_condition(
    engine: Engine,
) -> None:
    f = facts_of(engine, "Hi Dana, I'll endorse you for Python if you endorse me for Java.")
    assert f.given == []  # never an unconditional promise written for them
    assert f.offer == "endorse you for Python"
    assert f.removed[0].rules == ("quid-pro-quo",)
    assert f.ask is not None and f.ask.phrase == "endorse me for Java"


def test_crowd_pings_and_urgency_are_cut_out_of_a_sentence_that_stands(engine: Engine) -> None:
    f = facts_of(
        engine, "@here we worked together at Acme on the 2022 launch. Send me the intro ASAP."
    )
    assert "@here" not in " ".join(f.sentences())
    assert any("Acme" in s for s in f.relationship + f.details + f.specific)
    assert all("ASAP" not in s for s in f.sentences())


def test_engagement_bait_is_left_out_but_the_news_is_kept(engine: Engine) -> None:
    f = facts_of(
        engine, "@everyone check out my new album https://band.example.com and like + share!!"
    )
    assert f.dropped_bait
    assert any("my new album" in s for s in f.sentences())
    assert all("share" not in s for s in f.sentences())


def test_a_self_centred_draft_keeps_one_sentence_of_its_own_need(engine: Engine) -> None:
    f = facts_of(
        engine,
        "I need a job. I've been applying everywhere and I'm getting nowhere. I want something "
        "in product. I'm great at roadmaps. I need you to refer me to your company.",
    )
    assert len(f.reason) == 1
    assert any(r.rules == ("self-centered",) for r in f.removed)


def test_vague_praise_keeps_the_clause_with_a_fact(engine: Engine) -> None:
    f = facts_of(
        engine,
        "I recommend Lena. We never met, but I reviewed Lena's pull requests for a year and they "
        "were excellent.",
    )
    assert "I reviewed Lena's pull requests for a year." in f.sentences()
    assert all("excellent" not in s for s in f.sentences())


def test_supplied_facts_are_shaped_for_their_slot() -> None:
    assert as_sentence("we shipped the Q3 launch together") == "We shipped the Q3 launch together."
    assert (
        as_phrase("The way you ran the incident reviews.") == "the way you ran the incident reviews"
    )
    assert as_phrase("Priya's design system") == "Priya's design system"


def test_a_comma_inside_a_number_is_not_a_clause_break() -> None:
    from rapport.bot.rewriter.facts import _CLAUSE

    assert not _CLAUSE.search("The launch price (KES 1,500/month instead of 4,000) is fixed")
    assert _CLAUSE.search("We met at Acme, and I loved it")


def test_an_item_of_a_list_is_not_taken_for_the_recipient(engine: Engine) -> None:
    from rapport.bot.rewriter.facts import recipient_in

    for text, expected in [
        ("I Have 6 Years Go/Python, Kubernetes, Postgres. Please Refer Me Today.", None),
        ("I have endorsements for Environmental Policy, Research, Excel. Endorse me too!!", None),
        ("Thanks, Dana, for the endorsement!", "Dana"),
    ]:
        report, signals = engine.analyse(text)
        assert recipient_in(report, signals) == expected, text
