"""The engine API: async and sync, deterministic, concurrent, spans into the original text."""

from __future__ import annotations

import asyncio

from rapport.bot.engine.engine import Engine
from rapport.bot.models import Context, Kind, Severity

COLD = "Hi, I came across your profile. Could you write me a LinkedIn recommendation?"
WARM = (
    "Hi Dana, it's been a while since we shipped the billing migration together at Acme. "
    "Would you be open to writing me a LinkedIn recommendation? Happy to write one for you too."
)


def test_report_fields_follow_the_contract(engine: Engine) -> None:
    report = engine.check_sync(COLD)
    data = report.to_json()
    assert set(data) >= {"kind", "trust", "courtesy", "findings"}
    assert set(data["trust"]) == {
        "credibility",
        "reliability",
        "intimacy",
        "self_orientation",
        "quotient",
    }
    t = report.trust
    assert 0 <= t.credibility <= 10 and 0 <= t.intimacy <= 10 and 1 <= t.self_orientation <= 10
    assert data["trust"]["quotient"] == round(
        (t.credibility + t.reliability + t.intimacy) / t.self_orientation, 2
    )
    assert 0 <= report.courtesy <= 10
    for f in data["findings"]:
        assert set(f) >= {"rule", "severity", "start", "end", "message", "fix"}


def test_cold_ask_is_an_error_and_a_warm_ask_is_clean(engine: Engine) -> None:
    cold = engine.check_sync(COLD)
    assert cold.kind is Kind.ENDORSEMENT_REQUEST
    assert any(f.rule == "cold-ask" and f.severity is Severity.ERROR for f in cold.findings)
    warm = engine.check_sync(WARM)
    assert warm.findings == ()
    assert warm.trust.quotient > cold.trust.quotient * 2


def test_spans_index_the_original_text_even_with_emoji_and_curly_quotes(engine: Engine) -> None:
    text = "Hi all 🙏🙏 — it’s “launch day”: please like my page and share it with your friends!"
    report = engine.check_sync(text)
    spans: dict[str, list[str]] = {}
    for f in report.findings:
        spans.setdefault(f.rule, []).append(text[f.start : f.end])
    assert spans["blast"] == ["Hi all"]
    assert any("like my page" in s for s in spans["engagement-bait"])


def test_context_from_the_ledger_changes_the_judgement(engine: Engine) -> None:
    text = "Could you introduce me to Lee?"
    assert any(f.rule == "cold-ask" for f in engine.check_sync(text).findings)
    known = engine.check_sync(text, Context(known_relationship=True))
    assert not any(f.rule == "cold-ask" for f in known.findings)
    given = engine.check_sync(COLD, Context(endorsements_given=1))
    assert not any(f.rule == "ask-before-give" for f in given.findings)


def test_recipient_name_counts_as_personal(engine: Engine) -> None:
    text = "Thanks, Priya! Could you introduce me to your CTO?"
    assert not any(
        f.rule == "impersonal" for f in engine.check_sync(text, Context(recipient="Priya")).findings
    )


def test_checks_are_deterministic(engine: Engine) -> None:
    assert engine.check_sync(WARM).to_json() == engine.check_sync(WARM).to_json()


async def test_async_checks_run_concurrently_and_agree_with_sync(engine: Engine) -> None:
    drafts = [COLD, WARM, "Please like my page!", "Why haven't you replied?"] * 25
    reports = await asyncio.gather(*(engine.check(d) for d in drafts))
    assert [r.to_json() for r in reports] == [engine.check_sync(d).to_json() for d in drafts]


def test_odd_input_never_raises(engine: Engine) -> None:
    for text in [
        "",
        "   ",
        "\x00\x01",
        "🙂" * 500,
        "<@",
        "```",
        ">",
        "[Name]",
        "{x}",
        "a" * 25_000,
    ]:
        report = engine.check_sync(text)
        assert report.kind in Kind


def test_phrase_spans_point_at_a_rules_own_words_and_nothing_else() -> None:
    engine = Engine.default()
    draft = (
        "Hi Sam, we worked together at Acme for two years. Could you endorse me for SQL? "
        "Don't let me down, you owe me one."
    )
    report, signals = engine.analyse(draft)
    spans = engine.phrase_spans("pressure", report, signals)
    assert [draft[a:b] for a, b in spans] == ["Don't let me down", "you owe me"]
    no_such_list = engine.phrase_spans("pressure", report, signals, frozenset({"nothing"}))
    assert no_such_list == []
    assert engine.phrase_spans("no-such-rule", report, signals) == []
