"""Message kinds: one clear draft of each kind, and the traps that look like another kind."""

from __future__ import annotations

import pytest

from rapport.bot.engine.engine import Engine
from rapport.bot.models import Kind

CASES = [
    (
        "Would you be willing to write me a reference for the grad school application?",
        Kind.ENDORSEMENT_REQUEST,
    ),
    ("Could you introduce me to someone on the data team at Stripe?", Kind.REFERRAL_REQUEST),
    ("I highly recommend Maria: she rebuilt our billing pipeline in 2022.", Kind.ENDORSEMENT),
    ("Great meeting you at PyCon yesterday. I'd love to connect!", Kind.CONNECTION_REQUEST),
    ("We just launched our app! Sign up today and get 20% off.", Kind.PROMOTION),
    ("Thank you so much for the recommendation, Sam!", Kind.RECIPROCATION),
    ("Can we move the standup to 10am tomorrow?", Kind.OTHER),
    pytest.param(
        "I'd like to connect you with Sam, who runs growth at Ramp.",
        Kind.ENDORSEMENT,
        marks=pytest.mark.xfail(
            reason="the learned reader reads 'connect you with' as a connection request: "
            "introductions phrased this way are rare in the corpus",
            strict=True,
        ),
    ),
    ("Would you like to grab coffee next week?", Kind.OTHER),
    ('Got this: "Hi all, please like my page!" How should I reply?', Kind.OTHER),
    ("URGENT! You have won a £900 prize. Call 09061701461 to claim. T&Cs apply", Kind.PROMOTION),
]


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_kind(engine: Engine, text: str, kind: Kind) -> None:
    assert engine.check_sync(text).kind is kind
