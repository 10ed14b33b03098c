"""`/rapport …` for chat platforms, on a real SQLite file: each subcommand's answer (words, a
checked report, buttons that carry the command they run), who a draft is for, the admin-only
and confirm-first commands, and the helpers adapters use to show a report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rapport.bot.config import Config
from rapport.bot.models import RULE_IDS, Kind
from rapport.bot.service.chat import (
    SUBCOMMANDS,
    Answer,
    addressed,
    changes_state,
    check_draft,
    draft_command,
    finding_views,
    kind_label,
    rewrite_text,
    run_chat_command,
    run_typed_command,
    trust_parts,
    why,
)
from rapport.bot.service.commands import Command
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.workers import CheckRefused, Runner
from rapport.bot.storage import open_store
from rapport.bot.storage.base import UserRef

ANA = UserRef("slack", "T1", "U_ANA")
ASK = "Hi Dana, could you endorse me for Python on LinkedIn? It would help my job search."


@pytest.fixture
async def rapport(tmp_path: Path) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'chat.db'}"))
    yield r
    await r.close()


async def chat(rapport: Rapport, text: str, **kwargs: Any) -> Answer:
    return await run_chat_command(rapport, ANA, text, **kwargs)


def buttons(answer: Answer) -> dict[str, str]:
    return {a.id: a.command for a in answer.actions}


async def yes() -> bool:
    return True


async def no() -> bool:
    return False


# -- help and unknown words ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "help", "HELP"])
async def test_nothing_or_help_is_the_help(rapport: Rapport, text: str) -> None:
    answer = await chat(rapport, text, cmd="/rp")
    assert answer.ok and answer.text.startswith("*rapport* reads your outreach")
    assert "`/rp check <draft>`" in answer.text


async def test_an_unknown_subcommand_is_named_then_helped(rapport: Rapport) -> None:
    answer = await chat(rapport, "frobnicate the deck")
    assert answer.text.startswith("I don't know *frobnicate*. Here's what I can do:\n*rapport*")
    long = await chat(rapport, "x" * 500)
    assert f"*{'x' * 40}*" in long.text and "x" * 41 not in long.text


# -- checks --------------------------------------------------------------------------------------
async def test_a_check_answers_with_the_report_and_whats_next(rapport: Rapport) -> None:
    answer = await chat(rapport, "check " + ASK)
    assert answer.ok and answer.report is not None and answer.text == ""
    assert answer.report.kind is Kind.ENDORSEMENT_REQUEST
    rules = list(dict.fromkeys(f.rule for f in answer.report.findings))
    assert "cold-ask" in rules
    assert buttons(answer) == {
        "rapport:rewrite": "rewrite " + ASK,
        "rapport:coach-dm": "coach " + ASK,
        "rapport:why": "why " + " ".join(rules),
    }
    assert dict((a.id, a.style) for a in answer.actions)["rapport:rewrite"] == "primary"


async def test_a_rewrite_has_no_rewrite_button(rapport: Rapport) -> None:
    answer = await chat(rapport, "rewrite " + ASK)
    assert answer.report is not None and answer.report.rewrite is not None
    assert "rapport:rewrite" not in buttons(answer) and "rapport:coach-dm" in buttons(answer)


async def test_a_draft_that_is_not_outreach_offers_nothing_to_fix(rapport: Rapport) -> None:
    answer = await chat(rapport, "check What time is lunch?")
    assert answer.report is not None and answer.report.kind is Kind.OTHER
    assert answer.actions == ()


@pytest.mark.parametrize("text", ["check", "check   ", "rewrite", "check --to @dana"])
async def test_a_check_without_a_draft_asks_for_one(rapport: Rapport, text: str) -> None:
    answer = await chat(rapport, text)
    assert not answer.ok and answer.report is None
    assert answer.text.startswith("Give me a draft to read: `/rapport " + text.split()[0])


async def test_to_names_who_the_draft_is_for_and_the_rewrite_keeps_it(rapport: Rapport) -> None:
    draft = "could you endorse me for Python?"
    answer = await chat(rapport, f"check --to <@U2|dana> {draft}")
    assert answer.recipient == "<@U2|dana>"
    assert buttons(answer)["rapport:rewrite"] == f"rewrite --to <@U2|dana> {draft}"
    mapped = await chat(rapport, f"check --to @dana {draft}", mentions={"@dana": "<@U2|dana>"})
    assert mapped.recipient == "<@U2|dana>"


async def test_a_draft_that_opens_with_a_mention_is_for_them(rapport: Rapport) -> None:
    draft = "Hi @dana, could you endorse me for Python?"
    answer = await chat(rapport, "check " + draft, mentions={"@dana": "<@U2|dana>"})
    assert answer.recipient == "<@U2|dana>"
    assert buttons(answer)["rapport:rewrite"] == "rewrite --to <@U2|dana> " + draft
    assert (await chat(rapport, "check " + draft)).recipient is None  # no mention to map


async def test_a_recorded_relationship_reaches_a_check_for_that_person(rapport: Rapport) -> None:
    draft = "could you endorse me for Python on LinkedIn?"
    await chat(rapport, "know <@U2|dana> we shipped Atlas together at Acme")
    cold = await chat(rapport, f"check --to <@U3|sam> {draft}")
    warm = await chat(rapport, f"check --to <@U2|dana> {draft}")
    assert cold.report is not None and warm.report is not None
    assert "cold-ask" in {f.rule for f in cold.report.findings}
    assert "cold-ask" not in {f.rule for f in warm.report.findings}


async def test_someone_elses_message_leaves_no_history(rapport: Rapport) -> None:
    answer = await check_draft(rapport, ANA, ASK, record=False)
    assert answer.report is not None and answer.report.findings
    assert await rapport.forget(ANA) == 0  # nothing was kept about it
    await check_draft(rapport, ANA, ASK)
    assert await rapport.forget(ANA) > 0  # the user's own draft leaves its scores


class Busy(Runner):
    """Every worker is taken: what a saturated worker pool says."""

    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        raise CheckRefused("busy")


async def test_a_refused_check_is_a_gentle_error(tmp_path: Path) -> None:
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 'busy.db'}"), workers=Busy())
    try:
        for text in ("check " + ASK, "why --draft " + ASK):
            answer = await chat(rapport, text)
            assert not answer.ok and answer.report is None and answer.text, text
    finally:
        await rapport.close()


# -- coach, thank, why ---------------------------------------------------------------------------
async def test_coach_and_thank_open_the_dm_with_what_was_typed(rapport: Rapport) -> None:
    assert (await chat(rapport, "coach I want a referral to Acme")).coach == (
        "I want a referral to Acme"
    )
    assert (await chat(rapport, "coach")).coach == ""
    assert (await chat(rapport, "thank  Sam Ortiz")).coach == "thank Sam Ortiz"
    assert (await chat(rapport, "thank")).coach == "thank"


async def test_why_explains_each_rule_named_once(rapport: Rapport) -> None:
    answer = await chat(rapport, "why cold-ask, curt cold-ask")
    assert answer.ok and answer.text.startswith("*Why these rules?*")
    assert answer.text.count("(cold-ask)") == 1 and "(curt)" in answer.text
    assert "*Fix:*" in answer.text


def test_why_names_what_it_does_not_know_and_lists_the_rules() -> None:
    answer = why("colld-ask")
    assert "There's no rule called *colld-ask*" in answer.text
    assert all(rule in answer.text for rule in RULE_IDS)
    empty = why("  ", cmd="/rp")
    assert not empty.ok and "`/rp why cold-ask`" in empty.text
    assert why(" ".join(RULE_IDS)).text.count("*Fix:*") == 10  # at most ten at once


async def test_why_for_a_draft_explains_its_findings(rapport: Rapport) -> None:
    answer = await chat(rapport, "why --draft Send me the deck now.")
    assert "(curt)" in answer.text
    assert await rapport.forget(ANA) == 0  # a button's draft is not a new check to keep


# -- config: admins only -------------------------------------------------------------------------
async def test_config_is_for_admins_only(rapport: Rapport) -> None:
    for is_admin in (None, no):
        answer = await chat(rapport, "config off curt", is_admin=is_admin)
        assert not answer.ok and answer.text.startswith("Only workspace admins")
    assert (await rapport.workspaces.load("slack", "T1")).rules == {}
    discord = await run_chat_command(rapport, UserRef("discord", "G1", "U1"), "config", is_admin=no)
    assert discord.text.startswith("Only members who can manage this server")


async def test_an_admin_changes_the_workspaces_settings(rapport: Rapport) -> None:
    answer = await chat(rapport, "config off curt", is_admin=yes)
    assert answer.ok and answer.text == "Saved. Settings for this workspace: off: curt."
    assert not (await rapport.workspaces.load("slack", "T1")).settings("curt").enabled


# -- forget: confirm first -----------------------------------------------------------------------
async def test_forget_asks_first_with_two_buttons(rapport: Rapport) -> None:
    await chat(rapport, "gave Dana")
    answer = await chat(rapport, "forget")
    assert [(a.id, a.command, a.style) for a in answer.actions] == [
        ("rapport:forget:yes", "forget yes", "danger"),
        ("rapport:forget:no", "forget no", ""),
    ]
    assert (await chat(rapport, "forget maybe")).actions == answer.actions
    assert len(await rapport.store.endorsements(ANA)) == 1


async def test_forget_no_keeps_and_forget_yes_deletes(rapport: Rapport) -> None:
    await chat(rapport, "gave Dana")
    kept = await chat(rapport, "forget no")
    assert kept.text == "Nothing deleted." and kept.replaces
    assert len(await rapport.store.endorsements(ANA)) == 1
    gone = await chat(rapport, "forget yes")
    assert gone.replaces and gone.text.startswith("Done:")
    assert await rapport.store.endorsements(ANA) == []


# -- ledger commands -----------------------------------------------------------------------------
async def test_ledger_commands_run_as_typed(rapport: Rapport) -> None:
    assert (await chat(rapport, "gave Dana for SQL")).text == "Noted: you endorsed Dana."
    assert "Dana" in (await chat(rapport, "ledger")).text
    bad = await chat(rapport, "remember maybe")
    assert not bad.ok and bad.text.startswith("I didn't understand that command.")


async def test_a_typed_command_is_carried_out_as_given(rapport: Rapport) -> None:
    answer = await run_typed_command(rapport, ANA, Command("know", "Dana Lee", "we ran Atlas"))
    assert answer.ok and "Dana Lee" in answer.text
    assert [r.how for r in await rapport.store.relationships(ANA)] == ["we ran Atlas"]
    unconfirmed = await run_typed_command(rapport, ANA, Command("forget"))
    assert "rapport:forget:yes" in buttons(unconfirmed)
    confirmed = await run_typed_command(rapport, ANA, Command("forget", confirmed=True))
    assert confirmed.replaces and await rapport.store.relationships(ANA) == []
    problem = await run_typed_command(rapport, ANA, Command("ledger", problem="Say it again."))
    assert not problem.ok and problem.text == "Say it again."


# -- what changes state --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["gave Dana", "received Sam unsolicited", "know Dana: we met", "config off curt",
     "forget yes", "FORGET --yes", "ledger forget Dana", "ledger same Dana Lee = Dana",
     "ledger delete Dana", "ledger remove Dana", "ledger merge Dana Lee = Dana",
     "remember on", "remember off", "saved delete 2", "saved remove 2", "saved forget #2"],
)  # fmt: skip
def test_commands_that_change_what_rapport_keeps(text: str) -> None:
    assert changes_state(text)


@pytest.mark.parametrize(
    "text",
    ["", "check Hi Dana", "rewrite Hi Dana", "why cold-ask", "help", "ledger", "forget",
     "forget no", "remember", "saved", "coach", "thank Sam", "frobnicate"],
)  # fmt: skip
def test_commands_that_only_read(text: str) -> None:
    assert not changes_state(text)


async def test_every_state_changing_synonym_really_changes_state(rapport: Rapport) -> None:
    """What `changes_state` says about the ledger's synonyms is what running them does."""
    await chat(rapport, 'know "Dana Lee" we met at Acme')
    await chat(rapport, "gave Dana")
    assert changes_state('ledger merge "Dana Lee" Dana')
    await chat(rapport, 'ledger merge "Dana Lee" Dana')
    assert await rapport.store.aliases(ANA)
    assert changes_state("ledger remove Dana")
    await chat(rapport, "ledger remove Dana")
    assert await rapport.store.relationships(ANA) == []


# -- helpers for adapters ------------------------------------------------------------------------
def test_draft_command_keeps_the_recipient_for_a_rewrite_only() -> None:
    assert draft_command("rewrite", "Hi", "<@U2>") == "rewrite --to <@U2> Hi"
    assert draft_command("coach", "Hi", "<@U2>") == "coach Hi"
    assert draft_command("rewrite", "Hi") == "rewrite Hi"


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        ("Hi @dana, could you…", "<@U2|dana>"),
        ("@dana could you…", "<@U2|dana>"),
        ("  Hey   @dana: could you…", "<@U2|dana>"),
        ("Hi @sam, could you…", None),  # a mention the platform didn't give
        ("Could you ask @dana?", None),  # not how the draft opens
    ],
)
def test_addressed_is_the_mention_a_draft_opens_with(draft: str, expected: str | None) -> None:
    assert addressed(draft, {"@dana": "<@U2|dana>"}) == expected


async def test_views_of_a_report_for_adapters(rapport: Rapport) -> None:
    answer = await chat(rapport, "rewrite " + ASK)
    report = answer.report
    assert report is not None
    views = finding_views(report, quote_limit=10)
    assert views and all(len(v.quote) <= 10 for v in views)
    cold = next(v for v in views if v.rule == "cold-ask")
    assert cold.quote.endswith("…") and cold.severity == "error"
    assert cold.why.startswith("First-hand only: ")
    parts = trust_parts(report)
    assert [p.key for p in parts] == ["credibility", "reliability", "intimacy", "self_orientation"]
    assert [p.value for p in parts] == [
        report.trust.credibility, report.trust.reliability,
        report.trust.intimacy, report.trust.self_orientation,
    ]  # fmt: skip
    assert kind_label(report.kind) == "Request for an endorsement"
    heading, text = rewrite_text(report)
    assert heading and text == report.rewrite.text  # type: ignore[union-attr]
    assert rewrite_text((await chat(rapport, "check " + ASK)).report) == ("", None)  # type: ignore[arg-type]


async def test_odd_input_to_any_subcommand_gets_an_answer(rapport: Rapport) -> None:
    for sub in SUBCOMMANDS:
        for rest in ("\x00\x1b[2J <@U1> @here <!channel>", '"', "--to", "💥" * 50):
            answer = await chat(rapport, f"{sub} {rest}", is_admin=yes)
            assert answer.text or answer.report is not None or answer.coach is not None, sub
