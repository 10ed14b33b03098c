"""Property-based tests (hypothesis): the rewriter never crashes, and never drops a link, a
number or a name that the draft gave outside the words a rule objected to."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.bot.engine.engine import Engine
from rapport.bot.models import Context
from rapport.bot.rewriter.honesty import fact_tokens, missing_from
from rapport.bot.rewriter.rewrite import Rewriter

REWRITER = Rewriter(Engine.default())
# How many examples: the profile in conftest.py (RAPPORT_HYPOTHESIS=long for a deep run).
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.from_regex(r"[BDFGKLMNPRTVZ][aeiou][bdfgklmnprtvz][aeiou][lnrs]?", fullmatch=True)
orgs = st.from_regex(
    r"[BDFGKLMNPRTVZ][aeiou][bdfgklmnprtvz]{1,2}(?:ex|ly|io|ora|ware)", fullmatch=True
)
years = st.integers(2001, 2029).map(str)
counts = st.integers(2, 950).map(str)
urls = st.from_regex(r"https://[a-z]{3,10}\.example\.com/[a-z0-9]{1,8}", fullmatch=True)

#: Sentences a careful sender writes, each carrying facts; and flaws that carry none.
CLEAN = (
    "We worked together at {org} in {year}.",
    "I saw your talk at {org} last year and it changed how we run retros.",
    "Could you endorse me for {skill}?",
    "Could you introduce me to {name} at {org}?",
    "My portfolio is at {url} if it helps.",
    "We shipped {n} releases together on the payments team.",
    "I'd be glad to write you a recommendation about the {org} launch.",
    "I'm applying for the data role at {org} in {year}.",
    "{name} and I ran the {org} migration for {n} weeks.",
)
FLAWS = (
    "Please like and share my post!",
    "I need this ASAP.",
    "I'll endorse you if you endorse me.",
    "You're amazing!!",
    "Endorse me now.",
    "This is my third reminder.",
    "I want more followers and I need visibility.",
)
GREETINGS = ("Hi {name},", "Hey {name}!", "Dear {name},", "Hey everyone!", "@here", "Hi,", "")
SKILLS = ("Python", "SQL", "Kubernetes", "UX research")


@st.composite
def drafts(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A draft of clean sentences with flaws mixed in, and the facts its clean parts carry."""
    fill = {
        "name": draw(names),
        "org": draw(orgs),
        "year": draw(years),
        "n": draw(counts),
        "url": draw(urls),
        "skill": draw(st.sampled_from(SKILLS)),
    }
    clean = draw(st.lists(st.sampled_from(CLEAN), min_size=1, max_size=4, unique=True))
    flaws = draw(st.lists(st.sampled_from(FLAWS), max_size=2, unique=True))
    parts = [s.format(**fill) for s in clean] + list(flaws)
    order = draw(st.permutations(parts))
    greeting = draw(st.sampled_from(GREETINGS)).format(**fill)
    sign = draw(st.sampled_from(("", "\n\nThanks,\nAlex", "\n\nBest,\nNoor")))
    text = (greeting + draw(st.sampled_from((" ", "\n\n"))) + " ".join(order)).strip() + sign
    expected = fact_tokens(" ".join(s.format(**fill) for s in clean))
    return text, expected


@SETTINGS
@given(drafts())
def test_rewrites_keep_every_fact_of_the_sound_sentences(case: tuple[str, list[str]]) -> None:
    text, expected = case
    report = REWRITER.check(text)
    rewrite = report.rewrite
    assert rewrite is not None
    if rewrite.text is None:
        return
    dropped = missing_from(rewrite.text, expected)
    assert not dropped, f"dropped {dropped}\n--- draft\n{text}\n--- rewrite\n{rewrite.text}"


@SETTINGS
@given(drafts())
def test_nothing_is_lost_silently(case: tuple[str, list[str]]) -> None:
    text, _ = case
    report, signals = REWRITER.engine.analyse(text)
    rewrite = REWRITER.rewrite(report, signals)
    if rewrite.text is None:
        return
    for token in missing_from(rewrite.text, REWRITER.facts_to_keep(report, signals)):
        assert token in rewrite.set_aside, f"{token!r} vanished from\n{text}\n---\n{rewrite.text}"


@SETTINGS
@given(drafts(), st.sampled_from((None, "Dana", "Priya Shah")))
def test_every_url_survives(case: tuple[str, list[str]], to: str | None) -> None:
    text, _ = case
    rewrite = REWRITER.check(text, Context(recipient=to)).rewrite
    assert rewrite is not None
    if rewrite.text is not None:
        for url in re.findall(r"https://\S+?(?=[\s,.;!?]*(?:\s|$))", text):
            assert url in rewrite.text


MARKUP = "<>@!#:*_`~|&[](){}\n\t "
messy = st.text(
    alphabet=st.one_of(st.sampled_from(list(MARKUP)), st.characters(codec="utf-8")),
    max_size=300,
)


@SETTINGS
@given(messy, st.dictionaries(st.sampled_from(("recipient", "relationship", "ask", "specific")),
                              st.text(max_size=40), max_size=3))  # fmt: skip
def test_never_crashes_on_any_text_or_facts(text: str, supplied: dict[str, str]) -> None:
    report = REWRITER.check(text, supplied=supplied)
    assert report.rewrite is not None
    assert report.rewrite.note
