"""The command-line commands that tell about rapport itself: `rules`, `why RULE` and
`completion SHELL`.  None of them reads a draft or opens the database."""

from __future__ import annotations

import argparse
import sys

from rapport.adapters.terminal.inputs import BadInput

__all__ = ["DOC_COMMANDS", "add_doc_commands", "run_doc_command"]

DOC_COMMANDS = ("rules", "why", "completion")
SHELLS = ("bash", "zsh", "fish")


def add_doc_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register rules, why and completion on the `rapport` parser."""
    rules = sub.add_parser(
        "rules",
        help="list the etiquette rules",
        description="List every rule rapport checks: its id, severity, title and what a "
        "recipient feels. `rapport why RULE` explains one in full.",
    )
    rules.add_argument(
        "--markdown", action="store_true", help="print the rules table (as in docs/rules.md)"
    )
    why = sub.add_parser(
        "why",
        help="explain rules: what they mean, why, the fix and examples",
        description="Explain rules by id (as `rapport rules` lists them and findings name "
        "them): what a recipient feels, the principles behind the rule, the fix, and drafts "
        "it flags or leaves alone.",
    )
    why.add_argument("rules", nargs="+", metavar="RULE", help="a rule id, e.g. cold-ask")
    why.add_argument(
        "--all", action="store_true", help="show every example, not the first three of each"
    )
    completion = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for your shell, generated from rapport's own "
        "options. Install it once, e.g. "
        "`rapport completion bash > ~/.local/share/bash-completion/completions/rapport`; "
        "docs/checking.md has the line for zsh and fish.",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run_doc_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run rules, why or completion; returns the exit code."""
    if args.command == "rules":
        from rapport.bot.engine.rules_table import rules_table, rules_text

        print(rules_table() if args.markdown else rules_text())
        return 0
    if args.command == "why":
        return _why(args.rules, every=args.all)
    return _completion(parser, args.shell)


def _why(names: list[str], every: bool) -> int:
    from rapport.adapters.terminal.render import render_why, use_colour
    from rapport.bot.engine.explain import close_rule_ids, explain
    from rapport.bot.models import RULE_IDS

    found = []
    for name in dict.fromkeys(names):
        rule = explain(name)
        if rule is None:
            close = close_rule_ids(name)
            hint = (
                f"did you mean {' or '.join(close)}?" if close else "rules: " + ", ".join(RULE_IDS)
            )
            raise BadInput(f"there is no rule called {name!r}; {hint}")
        found.append(rule)
    print(render_why(found, colour=use_colour(sys.stdout), examples=0 if every else 3))
    return 0


def _completion(parser: argparse.ArgumentParser, shell: str) -> int:
    import shtab  # only this command needs it

    from rapport.bot.models import RULE_IDS

    for action in _actions(parser):
        if action.metavar in ("FILE", "FILE|-"):
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif action.metavar == "RULE":
            action.choices = RULE_IDS
    print(shtab.complete(parser, shell=shell))
    return 0


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every argument of the parser and of its subcommands."""
    found = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += _actions(child)
    return found
