"""The coaching state machine read as data: the table's graph (reachable, no dead ends, ways out
everywhere, complete, every handler real), one writer of a session's position, the stored form
of a position (old sessions still load and resume exactly as before), and the generated
diagram in docs/coaching.md."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rapport.bot.coach import diagram
from rapport.bot.coach.answers import Meaning
from rapport.bot.coach.handlers import HANDLERS
from rapport.bot.coach.machine import IllegalMove, _enter
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import (
    DECISIONS,
    NEXT_QUESTION,
    QUESTIONS,
    STORED,
    Position,
    State,
    Turn,
)
from rapport.bot.coach.table import ESCAPES, STORED_STATES, TABLE, Transition
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef
from tests.paths import ROOT

KEY = SessionKey(UserRef("console", "local", "ana"), "dm")
NOW = 1_700_000_000.0
#: Sessions stored by rapport before the table existed, and that version's replies to them.
OLD = json.loads((ROOT / "tests" / "data" / "coach_sessions_v1.json").read_text(encoding="utf-8"))
OLD_SESSIONS = sorted(k for k in OLD if not k.startswith("_"))


def _moves() -> dict[State, set[State]]:
    """Where each state can lead, escapes left out: cancel ends anything and back only returns
    where the user has been, so neither may make a state reachable or a flow finishable."""
    edges: dict[State, set[State]] = {state: set() for state in State}
    for (state, meaning), step in TABLE.items():
        if state is State.START or meaning not in ESCAPES:
            edges[state] |= step.targets
    return edges


def _reachable(start: State, edges: dict[State, set[State]]) -> set[State]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


# The table as a graph.


def test_every_state_is_reachable_from_the_start() -> None:
    assert _reachable(State.START, _moves()) == set(State)


def test_every_state_can_finish_without_cancelling() -> None:
    moves = _moves()
    stuck = sorted(s for s in State if State.END not in _reachable(s, moves))
    assert not stuck, f"states that only cancel can end: {stuck}"


def test_no_dead_ends_but_the_end() -> None:
    moves = _moves()
    assert [s for s in State if not moves[s] - {s}] == [State.END]


@pytest.mark.parametrize("state", STORED_STATES)
def test_every_state_has_its_ways_out(state: State) -> None:
    assert TABLE[state, Meaning.CANCEL] == Transition("cancel", frozenset({State.END}))
    assert TABLE[state, Meaning.RESTART] == Transition("restart", frozenset({State.MENU}))
    assert TABLE[state, Meaning.HELP] == Transition("help", frozenset({state}))
    back = TABLE[state, Meaning.BACK]
    assert back.handler == "back" and state in back.targets


def test_every_pair_the_machine_can_meet_is_handled() -> None:
    """A session is at START or a stored state when a message comes; any answer may come."""
    missing = [
        (s, m) for s in (State.START, *STORED_STATES) for m in Meaning if (s, m) not in TABLE
    ]
    assert not missing
    assert not [pair for pair in TABLE if pair[0] is State.END]  # nothing is said after the end


def test_every_handler_named_exists_and_every_handler_is_named() -> None:
    named = {step.handler for step in TABLE.values()}
    assert named - HANDLERS.keys() == set(), "the table names handlers that don't exist"
    assert HANDLERS.keys() - named == set(), "handlers no row of the table uses"
    assert all(callable(h) for h in HANDLERS.values())


def test_nothing_leads_back_to_the_start() -> None:
    assert not [pair for pair, step in TABLE.items() if State.START in step.targets]


def test_the_state_groups_are_consistent() -> None:
    assert NEXT_QUESTION - {State.REVIEW} <= QUESTIONS
    assert not QUESTIONS & DECISIONS
    assert {Position(s).stored()[0] for s in STORED_STATES} == STORED


# One writer of a session's position.


def _writes_to(attr: str) -> list[str]:
    """file:function for every assignment to `<something>.<attr>` in bot/coach."""
    found = []
    for path in sorted((ROOT / "bot" / "coach").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                targets: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    targets = node.targets
                elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                    targets = [node.target]
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "setattr"
                    and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value == attr
                ):
                    found.append(f"{path.name}:{fn.name}")
                for target in targets:
                    for part in ast.walk(target):
                        if isinstance(part, ast.Attribute) and part.attr == attr:
                            found.append(f"{path.name}:{fn.name}")
    return found


def test_one_function_moves_a_session() -> None:
    assert _writes_to("position") == ["machine.py:_enter"]
    assert _writes_to("state") == []  # a read-only view of the position
    session = CoachSession()
    with pytest.raises(AttributeError):
        session.state = State.REVIEW  # type: ignore[misc]


def test_a_move_the_table_does_not_name_is_refused() -> None:
    session = CoachSession()
    step = Transition("pick", frozenset({State.MENU, State.ASK}))
    with pytest.raises(IllegalMove, match="pick moved a session from menu to review"):
        _enter(session, step, Turn(Position(State.REVIEW), Reply("")))
    with pytest.raises(IllegalMove):  # an ended reply must end the session, and only then
        _enter(session, step, Turn(Position(State.MENU), Reply("", ended=True)))
    assert session.position == Position(State.MENU)
    _enter(session, step, Turn(Position(State.ASK, field="recipient"), Reply("")))
    assert session.position == Position(State.ASK, field="recipient")


# The stored form of a position.


@pytest.mark.parametrize(
    ("state", "asking", "position"),
    [
        ("menu", None, Position(State.MENU)),
        ("ask", "relationship", Position(State.ASK, field="relationship")),
        ("ask", "known:Ana", Position(State.KNOWN, name="Ana")),
        ("ask", "known:Mary Ann O'Neil", Position(State.KNOWN, name="Mary Ann O'Neil")),
        ("ask", "given", Position(State.GIVEN)),
        ("ask", "given_what", Position(State.GIVEN_WHAT)),
        ("ask", "return_honestly", Position(State.RETURN)),
        ("ask", "return_what", Position(State.RETURN_WHAT)),
        ("honest", "relationship", Position(State.HONEST)),  # the last question, left behind
        ("offer_give", "given", Position(State.OFFER_GIVE)),
        ("review", None, Position(State.REVIEW)),
        ("ledger_offer", None, Position(State.LEDGER_OFFER)),
    ],
)
def test_stored_positions_load(state: str, asking: str | None, position: Position) -> None:
    assert Position.from_stored(state, asking) == position
    stored = position.stored()
    assert stored[0] == state
    assert Position.from_stored(*stored) == position
    if state == "ask":
        assert stored == (state, asking)  # written back exactly as every version wrote it


@pytest.mark.parametrize(
    ("state", "asking"),
    [("start", None), ("end", None), ("ask", None), ("ask", ""), ("known", "Ana"), ("wizard", None),
     (None, None), ("ask", 3)],
)  # fmt: skip
def test_positions_no_version_stored_are_refused(state: Any, asking: Any) -> None:
    assert Position.from_stored(state, asking) is None


@pytest.mark.parametrize("name", OLD_SESSIONS)
def test_an_old_stored_session_loads_and_saves_the_same(name: str) -> None:
    stored = OLD[name]["stored"]
    session = CoachSession.from_json(stored)
    assert session is not None
    expected = json.loads(stored)
    if expected["state"] != "ask":  # outside a question the last one asked isn't kept
        expected["asking"] = None
    assert json.loads(session.to_json()) == expected


def test_a_stored_session_with_a_broken_snapshot_is_restarted() -> None:
    raw = json.loads(OLD["blast_known"]["stored"])
    raw["history"][0]["state"] = "wizard"
    assert CoachSession.from_json(json.dumps(raw)) is None
    raw["history"] = "not a list"
    assert CoachSession.from_json(json.dumps(raw)) is None


@pytest.fixture
async def rapport(tmp_path: Path) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'rapport.db'}"), clock=lambda: NOW)
    yield r
    await r.close()


@pytest.mark.parametrize("name", OLD_SESSIONS)
async def test_an_old_stored_session_resumes_as_it_did(rapport: Rapport, name: str) -> None:
    """Replay what the version before the table replied, turn by turn (the first is resume)."""
    await rapport.store.save_session(KEY, OLD[name]["stored"], NOW)
    first, *turns = OLD[name]["turns"]
    assert (await rapport.coach.resume(KEY)).to_json() == first["reply"]
    for turn in turns:
        assert (await rapport.talk(KEY, turn["said"])).to_json() == turn["reply"], turn["said"]


async def test_the_blast_question_about_one_person_is_data(rapport: Rapport) -> None:
    await rapport.store.save_session(KEY, OLD["blast_known"]["stored"], NOW)
    session = await rapport.coach.current(KEY)
    assert session is not None and session.position == Position(State.KNOWN, name="Ana")
    await rapport.talk(KEY, "we met at PyCon")
    session = await rapport.coach.current(KEY)
    assert session is not None and session.position == Position(State.KNOWN, name="Bob")
    assert session.known == {"Ana": "we met at PyCon"}


# The machine, turn by turn.


async def test_a_first_message_starts_at_start(rapport: Rapport) -> None:
    for said in ("help", "back", "yes", ""):
        reply = await rapport.talk(KEY, said)
        assert "What would you like to do?" in reply.text and reply.extras["state"] == "menu"
        await rapport.talk(KEY, "cancel")
    assert (await rapport.talk(KEY, "cancel")).ended
    assert await rapport.store.load_session(KEY) is None  # cancelling nothing stores nothing


async def test_escapes_at_every_kind_of_state(rapport: Rapport) -> None:
    """cancel, help and back in a question, a decision and review."""
    await rapport.talk(KEY, "1")
    for said, state in (("Dana", State.ASK), ("we worked together at Acme", State.GIVEN),
                        ("no", State.OFFER_GIVE)):  # fmt: skip
        await rapport.talk(KEY, said)
        session = await rapport.coach.current(KEY)
        assert session is not None and session.state is state
        helped = await rapport.talk(KEY, "help")
        assert "cancel" in helped.text
        assert (await rapport.coach.current(KEY)).position == session.position  # type: ignore[union-attr]
    await rapport.talk(KEY, "back")
    session = await rapport.coach.current(KEY)
    assert session is not None and session.position == Position(State.GIVEN)


async def test_an_answer_that_cannot_be_read_keeps_the_position(rapport: Rapport) -> None:
    await rapport.talk(KEY, "1")
    for bad in ("", "\x00", "x" * 5000):
        reply = await rapport.talk(KEY, bad)
        assert reply.extras["question"] == "recipient"
        session = await rapport.coach.current(KEY)
        assert session is not None and session.position == Position(State.ASK, field="recipient")


# The diagram in the docs.


def test_the_docs_show_the_current_table() -> None:
    """If this fails, run `python -m rapport.bot.coach.diagram --write` and commit docs/coaching.md."""
    page = diagram.DOC.read_text(encoding="utf-8")
    assert diagram.render() in page, "docs/coaching.md is out of date with bot/coach/table.py"


def test_the_diagram_names_every_state_and_handler() -> None:
    drawn = diagram.mermaid()
    assert drawn.startswith("stateDiagram-v2\n")
    for state in State:
        if state not in (State.START, State.END):
            assert f" {state.value}" in drawn, state
    table = diagram.markdown_table()
    assert all(f"| {name} |" in table for name in HANDLERS)
    assert all(f"| any but start | {e.value} |" in table for e in ESCAPES)


def test_the_page_is_in_the_site_nav() -> None:
    assert "coaching.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_write_updates_only_the_generated_part(tmp_path: Path) -> None:
    page = tmp_path / "coaching.md"
    page.write_text(f"# Title\n\nProse.\n\n{diagram.BEGIN}\nstale\n{diagram.END}\n\nMore.\n")
    assert diagram.write(page) is True
    text = page.read_text()
    assert text.startswith("# Title\n\nProse.\n\n") and text.endswith("\n\nMore.\n")
    assert diagram.render() in text and "stale" not in text
    assert diagram.write(page) is False
