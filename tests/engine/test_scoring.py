"""Trust Quotient and courtesy: direction and evidence, on drafts people actually write."""

from __future__ import annotations

from rapport.bot.engine.courtesy import strategies as courtesy_strategies
from rapport.bot.engine.engine import Engine

PERSONAL = (
    "Hi Dana, it's been two years since we shipped the Atlas migration together at Acme. "
    "I'm applying to Stripe; would you be comfortable introducing me to Sam? "
    "I can send a short blurb so it takes you two minutes. No worries at all if not."
)
BLAST = "Hi all!! I need endorsements ASAP, endorse me for Python and share this with everyone."


def test_personal_draft_outscores_a_blast_on_every_part(engine: Engine) -> None:
    good, bad = engine.check_sync(PERSONAL).trust, engine.check_sync(BLAST).trust
    assert good.credibility > bad.credibility
    assert good.reliability > bad.reliability
    assert good.intimacy > bad.intimacy
    assert good.self_orientation < bad.self_orientation
    assert good.quotient > 3 * bad.quotient


def test_every_part_explains_itself(engine: Engine) -> None:
    trust = engine.check_sync(BLAST).trust
    assert "- no name" in trust.evidence["intimacy"]
    assert any("crowd" in reason for reason in trust.evidence["intimacy"])
    assert any("pressure" in reason for reason in trust.evidence["reliability"])


def test_courtesy_reads_politeness_strategies(engine: Engine) -> None:
    polite = engine.check_sync(
        "Hi Sam, hope you're well! Could you send the deck when you have a moment? Thanks!"
    )
    bare = engine.check_sync("Send me the deck.")
    blame = engine.check_sync("Why haven't you sent the deck yet?")
    assert polite.courtesy >= 7 > 5 > bare.courtesy > blame.courtesy
    assert polite.polite and not blame.polite
    assert any("thanks" in e for e in courtesy_strategies(polite.text))
