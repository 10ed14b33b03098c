"""Answers about the recipient, turned to speak to them."""

from __future__ import annotations

import pytest

from rapport.bot.rewriter.second_person import second_person


@pytest.mark.parametrize(
    ("about", "to"),
    [
        ("I was on her data platform team", "I was on your data platform team"),
        ("how she ran our on-call rotation", "how you ran our on-call rotation"),
        ("I managed her for two years", "I managed you for two years"),
        ("I helped her.", "I helped you."),
        ("she reported to me at Acme", "you reported to me at Acme"),
        ("he does great work", "you do great work"),
        ("She is the best manager I had", "You are the best manager I had"),
        ("she's been my mentor since 2020", "you've been my mentor since 2020"),
        ("he's great to work with", "you're great to work with"),
        ("I met him at PyCon", "I met you at PyCon"),
        ("his talk on incident reviews", "your talk on incident reviews"),
        ("the book is hers", "the book is yours"),
        ("Maya's team hired me", "Your team hired me"),
        ("we shipped the launch together", "we shipped the launch together"),
        ("they were on the team too", "they were on the team too"),  # "they" may be a team
    ],
)
def test_third_person_becomes_second(about: str, to: str) -> None:
    assert second_person(about, "Maya Chen") == to


def test_a_mention_is_never_rewritten_as_a_name() -> None:
    assert second_person("<@U123>'s team", "<@U123>") == "<@U123>'s team"
