"""Checks that know the ledger and the user's history, on a real SQLite file: relationships and
gifts on record, unreciprocated endorsements, the same message checked for many people, the
privacy promises (no draft text left in the database files), and concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rapport.bot.service.commands import parse_command, run_command
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef

ANA = UserRef("slack", "T1", "U_ANA")
BEN = UserRef("slack", "T1", "U_BEN")
ANA_ELSEWHERE = UserRef("slack", "T2", "U_ANA")
ASK = "Hi Dana, could you endorse me for Python on LinkedIn? It would help my job search."


@pytest.fixture
async def rapport(any_database: str) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(any_database))
    yield r
    await r.close()


def rules(report: object) -> set[str]:
    return {f.rule for f in report.findings}  # type: ignore[attr-defined]


async def test_a_recorded_relationship_answers_the_cold_ask(rapport: Rapport) -> None:
    cold = await rapport.check(ANA, ASK)
    assert "cold-ask" in rules(cold)
    note = next(f.message for f in cold.findings if f.rule == "cold-ask")
    assert "Your ledger has no record of how you know Dana." in note
    await rapport.ledger.know(ANA, "Dana", "we shipped the Atlas migration together")
    warm = await rapport.check(ANA, ASK)
    assert "cold-ask" not in rules(warm)
    assert warm.trust.quotient > cold.trust.quotient
    # the ledger is per user and per workspace
    assert "cold-ask" in rules(await rapport.check(BEN, ASK))
    assert "cold-ask" in rules(await rapport.check(ANA_ELSEWHERE, ASK))


async def test_a_recorded_gift_answers_ask_before_give(rapport: Rapport) -> None:
    await rapport.ledger.know(ANA, "Dana", "we worked together at Acme")
    assert "ask-before-give" in rules(await rapport.check(ANA, ASK))
    await rapport.ledger.gave(ANA, "Dana", "recommended her for the PM role")
    assert "ask-before-give" not in rules(await rapport.check(ANA, ASK))


async def test_an_unsolicited_endorsement_waits_to_be_returned(rapport: Rapport) -> None:
    await rapport.ledger.received(ANA, "Dana", solicited=False)
    report = await rapport.check(ANA, ASK)
    waiting = [f for f in report.findings if f.rule == "unreciprocated"]
    assert waiting and "Dana endorsed you without being asked" in waiting[0].message
    assert "thank Dana" in waiting[0].fix
    ledger = await run_command(rapport, ANA, parse_command("ledger"))  # type: ignore[arg-type]
    assert "Waiting for you to return them" in ledger and "Dana" in ledger
    await rapport.ledger.gave(ANA, "Dana")
    assert "unreciprocated" not in rules(await rapport.check(ANA, ASK))


async def test_the_same_message_for_many_people_is_a_blast(rapport: Rapport) -> None:
    body = (
        "I'm launching a newsletter about data engineering careers next month and would love "
        "your support. Could you endorse me for SQL and Python on LinkedIn?"
    )
    first = await rapport.check(ANA, f"Hi Dana, {body}")
    second = await rapport.check(ANA, f"Hi Sam, {body}")
    third = await rapport.check(ANA, f"Hi Priya, {body}")
    assert "blast" not in rules(first) and "blast" not in rules(second)
    repeated = [f for f in third.findings if f.rule == "blast"]
    assert repeated and "3 different people" in repeated[0].message
    # the same person twice is not a blast; another user's history doesn't count
    assert "blast" not in rules(await rapport.check(BEN, f"Hi Dana, {body}"))


async def test_the_fingerprint_window_forgets_old_checks(tmp_path: Path) -> None:
    now = [1_700_000_000.0]
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'w.db'}"), clock=lambda: now[0])
    try:
        body = "Could you endorse me for SQL? I'm building my profile before the hiring season."
        await r.check(ANA, f"Hi Dana, {body}")
        await r.check(ANA, f"Hi Sam, {body}")
        now[0] += 3 * 24 * 3600
        assert "blast" not in rules(await r.check(ANA, f"Hi Priya, {body}"))
    finally:
        await r.close()


async def test_checks_keep_scores_and_fingerprints_not_text(
    rapport: Rapport, tmp_path: Path
) -> None:
    marker = "Zanzibar-7781 quokka"
    await rapport.check(ANA, f"Hi Dana, could you endorse me for {marker}?")
    await rapport.close()
    assert _in_database_files(tmp_path, marker) == []


async def test_a_finished_session_leaves_no_text_behind(tmp_path: Path) -> None:
    marker = "Quetzalcoatl-4411 orbit"
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 's.db'}"))
    key = SessionKey(ANA, "dm")
    for line in ("1", "Dana", f"we built the {marker} project together", "yes",
                 f"I recommended you for {marker}", f"endorse me for {marker}"):  # fmt: skip
        await r.talk(key, line)
    assert _in_database_files(tmp_path, marker), "the session holds the answers while it runs"
    await r.talk(key, "done")
    await r.talk(key, "no")  # don't save to the ledger
    await r.close()
    assert _in_database_files(tmp_path, marker) == []


async def test_forget_deletes_everything_and_leaves_no_text(tmp_path: Path) -> None:
    marker = "Ouagadougou-9912 heron"
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'f.db'}"))
    await r.ledger.know(ANA, "Dana", f"we met at {marker}")
    await r.store.set_remember(ANA, True)
    await r.store.save_message(ANA, f"Hi Dana, {marker}", 1.0)
    await r.talk(SessionKey(ANA, "dm"), "1")
    await r.talk(SessionKey(ANA, "dm"), f"{marker} person")
    await r.ledger.know(BEN, "Sam", "we worked together")
    assert _in_database_files(tmp_path, marker)
    reply = await run_command(r, ANA, parse_command("forget yes"))  # type: ignore[arg-type]
    assert "records deleted" in reply
    assert (await r.ledger.view(ANA)).relationships == ()
    assert (await r.ledger.view(BEN)).relationships != ()
    await r.close()
    assert _in_database_files(tmp_path, marker) == []


async def test_forget_asks_first(rapport: Rapport) -> None:
    await rapport.ledger.know(ANA, "Dana", "we worked together")
    reply = await run_command(rapport, ANA, parse_command("forget"))  # type: ignore[arg-type]
    assert "Send *forget yes*" in reply
    assert (await rapport.ledger.view(ANA)).relationships != ()


async def test_two_hundred_concurrent_checks_lose_nothing(rapport: Rapport) -> None:
    drafts = [f"Hi Person{i}, could you endorse me for skill number {i}?" for i in range(200)]
    reports = await asyncio.gather(*(rapport.check(ANA, d) for d in drafts))
    assert len(reports) == 200
    since = 0.0
    from rapport.bot.engine.fingerprint import simhash

    found = await rapport.store.similar_fingerprints(ANA, simhash(drafts[0]), since, 64)
    assert len(found) == 200


async def test_ledger_commands_read_as_typed(rapport: Rapport) -> None:
    async def run(text: str) -> str:
        cmd = parse_command(text)
        assert cmd is not None, text
        return await run_command(rapport, ANA, cmd)

    assert "you know Dana Lee" in await run("/know Dana Lee: we worked together at Acme since 2019")
    assert "you endorsed Sam" in await run('gave "Sam" for SQL')
    assert "unprompted" in await run("received <@U42|priya> unsolicited for design")
    view = await rapport.ledger.view(ANA)
    assert view.relationships[0].since == "2019"
    assert [e.other.display for e in view.unreciprocated] == ["priya"]
    assert "I didn't understand" in await run("gave")
    assert parse_command("hello there") is None


def _in_database_files(folder: Path, marker: str) -> list[str]:
    """Which of the database files (main, WAL, shared memory) still hold the text."""
    needle = marker.encode()
    return [
        p.name for p in folder.iterdir()
        if p.is_file() and ".db" in p.name and needle in p.read_bytes()
    ]  # fmt: skip


async def test_workspace_settings_from_another_process_apply_within_seconds(
    any_database: str,
) -> None:
    from rapport.bot.service.workspace import WorkspaceSettings

    here, there = Rapport(await open_store(any_database)), Rapport(await open_store(any_database))
    admin = UserRef("slack", "T1", "UADMIN")
    try:
        draft = "Send me the deck now."
        assert "curt" in rules(await there.check(ANA, draft))  # `there` has read the settings
        await here.workspaces.run(admin, "off curt", "/rapport")
        assert "curt" not in rules(await here.check(ANA, draft))  # at once where it was made
        assert "curt" in rules(await there.check(ANA, draft))  # elsewhere: still the old read
        there.workspaces.fresh_seconds = 0.0  # … until the read goes stale
        assert "curt" not in rules(await there.check(ANA, draft))
        assert WorkspaceSettings.fresh_seconds <= 10  # "within seconds", as documented
    finally:
        await here.close()
        await there.close()


async def test_one_check_reads_each_ledger_table_at_most_once(rapport: Rapport) -> None:
    from rapport.bot.metrics import Metrics, measured_store

    calls: list[str] = []

    class Count(Metrics):
        def database(self, operation: str, seconds: float) -> None:
            calls.append(operation)

    import rapport.bot.metrics as metrics_module

    saved = metrics_module._current
    metrics_module._current = Count()
    try:
        counted = Rapport(measured_store(rapport.store))
        await counted.ledger.received(ANA, "Dana", solicited=False)
        calls.clear()
        await counted.check(ANA, ASK)  # greets Dana: relationship, given and owed are all asked
        assert calls.count("endorsements") == 1
        assert calls.count("workspace_settings") <= 1
    finally:
        metrics_module._current = saved


async def test_a_workspace_chooses_its_sensitivity(rapport: Rapport) -> None:
    admin = UserRef("slack", "T1", "UADMIN")
    draft = "hey can u endorse me for sql, need it for my applications"
    counts = {}
    for level in ("quiet", "strict"):
        reply = await rapport.workspaces.run(admin, f"sensitivity {level}", "/rapport")
        assert f"sensitivity: {level}" in reply
        counts[level] = len((await rapport.check(ANA, draft)).findings)
    assert counts["strict"] > counts["quiet"]
    assert "quiet, balanced or strict" in await rapport.workspaces.run(
        admin, "sensitivity loud", "/rapport"
    )
    reply = await rapport.workspaces.run(admin, "sensitivity balanced", "/rapport")
    assert "sensitivity" not in reply  # the default is not worth mentioning
    assert (await rapport.check(ANA_ELSEWHERE, draft)).findings  # other workspaces unaffected
