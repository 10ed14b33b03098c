"""The two honesty checks: which facts a rewrite must keep, and which it must never invent."""

from __future__ import annotations

from rapport.bot.rewriter.honesty import fact_tokens, inventions, missing_from

DRAFT = (
    "Hi Dana,\n\nWe worked together at Acme on Project Falcon in 2021. My notes are at "
    "https://x.example.com/a and <@U123> has them too. I owe you 3 coffees.\n\nThanks,\nSam"
)


def test_fact_tokens_are_links_numbers_mentions_and_names() -> None:
    tokens = fact_tokens(DRAFT)
    for expected in ("https://x.example.com/a", "<@U123>", "2021", "3", "Dana", "Acme", "Falcon"):
        assert expected in tokens
    assert "We" not in tokens and "My" not in tokens  # sentence openings are ordinary words
    assert "I" not in tokens


def test_prompts_and_shouting_are_not_facts() -> None:
    assert fact_tokens("Hi [their name], PLEASE reply NOW about [the project]") == []


def test_crowd_pings_are_not_facts() -> None:
    assert "@here" not in fact_tokens("@here who knows Kubernetes?")


def test_missing_from_is_case_insensitive_and_whole_word() -> None:
    assert missing_from("we met at acme in 2021", ["Acme", "2021", "20"]) == ["20"]


def test_an_invented_history_is_caught() -> None:
    rewrite = "Hi Dana, it was great working with you on the Q3 launch at Google with Bob!"
    assert set(inventions(rewrite, [DRAFT], {"hi", "it"})) == {"Q3", "Google", "Bob"}


def test_sentence_openings_are_fine_when_ordinary_template_words() -> None:
    rewrite = "Hi Dana,\n\nWould you be willing to help? No worries at all if not.\n\nThanks,\nSam"
    assert inventions(rewrite, [DRAFT], {"would", "no", "thanks", "hi"}) == []
    # …but a name that starts a sentence is still a fact
    assert inventions("Priya said yes.", [DRAFT], {"would"}) == ["Priya"]


def test_supplied_facts_count_as_sources() -> None:
    assert inventions("We met at PyCon 2019.", [DRAFT, "We met at PyCon 2019"], set()) == []
