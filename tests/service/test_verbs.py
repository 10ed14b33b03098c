"""bot/service/verbs.py: the command words and button ids are the core's, named once; the
chat adapters ask for them and hold none of them themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rapport.bot.service.chat import SUBCOMMANDS as CHAT_SUBCOMMANDS
from rapport.bot.service.commands import Command, ledger_command, saved_command
from rapport.bot.service.verbs import (
    BUTTON_IDS,
    SUBCOMMANDS,
    ButtonId,
    Verb,
    carries_draft,
    draft_button_command,
    draft_command,
    names_people,
    thank_button,
)
from rapport.bot.wording import say
from tests.paths import ROOT

#: The chat adapters (the terminal has its own command line) and what they share.
CHAT_ADAPTERS = ("adapters/slack", "adapters/discord_bot", "adapters/common", "adapters/serve.py")


def test_the_subcommands_are_the_verbs_in_order() -> None:
    assert SUBCOMMANDS == CHAT_SUBCOMMANDS == tuple(v.value for v in Verb)
    assert SUBCOMMANDS[:3] == ("check", "rewrite", "coach") and len(set(SUBCOMMANDS)) == 14


@pytest.mark.parametrize("button", [*ButtonId, thank_button(0), thank_button(4)])
def test_every_core_button_is_routed(button: str) -> None:
    assert BUTTON_IDS.match(button)


@pytest.mark.parametrize(
    "other",
    ["rapport:coach:text:1", "rapport:rewrite-heading", "rapport:thanks", "rapport:why:x",
     "rapport:check-draft", "xrapport:why", "rapport:run:why curt"],
)  # fmt: skip
def test_other_ids_are_not_core_buttons(other: str) -> None:
    assert not BUTTON_IDS.match(other)


def test_commands_that_name_people_keep_their_ids() -> None:
    assert names_people("gave <@U1> for SQL") and names_people("  THANK Dana")
    assert not names_people("check Hi <@U1>, would you…") and not names_people("")


def test_a_drafts_button_command_read_back_from_its_message() -> None:
    assert draft_button_command(ButtonId.REWRITE, "Hi Dana", "<@U2|dana>") == (
        "rewrite --to <@U2|dana> Hi Dana"
    )
    assert draft_button_command(ButtonId.COACH, "Hi Dana", "<@U2|dana>") == "coach Hi Dana"
    assert draft_button_command(ButtonId.WHY, "Hi Dana") == "why --draft Hi Dana"
    assert draft_button_command(ButtonId.FORGET_YES, "Hi Dana") is None
    assert draft_command(Verb.CHECK, "Hi", "<@U2>") == "check Hi"
    assert carries_draft("rewrite") and not carries_draft("why")


def test_ledger_and_saved_commands_from_form_fields() -> None:
    assert ledger_command() == Command("ledger")
    assert ledger_command(forget="Dana") == Command("ledger", action="forget", who="Dana")
    assert ledger_command(same="Dana Lee", also="Dana") == Command(
        "ledger", action="same", who="Dana Lee", other="Dana"
    )
    both = ledger_command(forget="Dana", also="Sam")  # one change at a time: say how
    assert both.problem == say("ledger.usage") and not both.changes_state
    assert saved_command() == Command("saved")
    assert saved_command(3) == Command("saved", action="delete", item=3)
    assert saved_command(3).changes_state


def _strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal in a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]  # fmt: skip


def _command_word(text: str) -> str | None:
    """The core word a literal spells: a subcommand alone or starting a command ("why …"),
    or a core button's name ("coach-dm")."""
    buttons = {b.value.removeprefix("rapport:") for b in ButtonId}
    for word in (*SUBCOMMANDS, *buttons):
        if text == word or text.startswith(word + " "):
            return word
    return None


def test_the_chat_adapters_hold_none_of_the_cores_command_words() -> None:
    files = [p for part in CHAT_ADAPTERS for p in sorted((ROOT / part).glob("**/*.py"))]
    files += [ROOT / p for p in CHAT_ADAPTERS if p.endswith(".py")]
    assert len(files) > 10
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in files
        for line, text in _strings(path)
        if _command_word(text)
    ]
    assert not found, "command words belong to bot/service/verbs.py:\n" + "\n".join(found)


def test_the_word_check_catches_what_it_should() -> None:
    assert _command_word("why ") == "why" and _command_word("forget yes") == "forget"
    assert _command_word("coach-dm") == "coach-dm" and _command_word("help") == "help"
    assert _command_word("rapport:check-message") is None and _command_word("checked") is None
