"""The command-line commands that use rapport's store: console, ledger, know, gave, received,
remember and forget, and the store-backed `check`.  Each opens the store, does one job and
closes it; a database that can't be used is a friendly exit 2, never a traceback."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from rapport.bot.config import Config

if TYPE_CHECKING:  # the parser is built on every run; the store only for the commands using it
    from rapport.bot.service.commands import Command
    from rapport.bot.storage.base import UserRef

__all__ = [
    "add_store_commands", "console_user", "run_store_command", "with_rapport",
]  # fmt: skip

T = TypeVar("T")


def console_user() -> UserRef:
    """Who is at this terminal: the OS user, in the console's own workspace."""
    import getpass

    from rapport.bot.storage.base import UserRef

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "me"
    return UserRef("console", "local", name)


def with_rapport(config: Config, job: Callable[..., Awaitable[T]], pool: bool = False) -> T:
    """Open the store, build the service, run `job(rapport)`, close — in one event loop.

    `pool`: run checks in worker processes (the console, where a slow check must not freeze
    the prompt); a one-shot command checks in-process and pays for no process.
    """
    import asyncio  # only the commands that open the database pay for the event loop

    from rapport.bot.service.rapport import Rapport, idle_hours
    from rapport.bot.storage import open_store

    async def main() -> T:
        workers = None
        if pool:
            from rapport.bot.service.workers import pool_from_env

            workers = pool_from_env(config)
        store = await open_store()
        rapport = Rapport(store, config=config, idle_hours=idle_hours(), workers=workers)
        if workers is not None:
            workers.start()
        try:
            return await job(rapport)
        finally:
            await rapport.close()

    return asyncio.run(main())


def add_store_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register console and the ledger commands on the `rapport` parser."""
    console = sub.add_parser(
        "console",
        help="the coaching session in this terminal",
        description="Write an honest, personal message with the coach. /quit leaves (the "
        "session is kept); /ledger, /know, /gave, /received, /remember, /saved and /forget work "
        "too.",
    )
    console.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the session (default: auto)",
    )
    ledger = sub.add_parser(
        "ledger",
        help="who you know, and endorsements given and received",
        description="Show your ledger: the people you know first-hand and how (with the other "
        "names you confirmed for them), the endorsements you gave and received, and who "
        "endorsed you unprompted and is waiting for you to return it. `ledger same NAME OTHER` "
        "files OTHER under NAME (one person, two names); `ledger forget NAME` deletes one "
        "person's entries.",
    )
    ledger.set_defaults(command="ledger")
    ledger.add_argument(
        "action",
        nargs="?",
        choices=("same", "forget"),
        help="same: two names are one person; forget: delete one person's entries",
    )
    ledger.add_argument(
        "names", nargs="*", metavar="NAME", help="the person (for same, then their other name)"
    )
    know = sub.add_parser(
        "know",
        help="record how you know someone",
        description="Record how you know someone first-hand; checks of messages to them "
        "stop calling them a cold ask.",
    )
    know.add_argument("name", metavar="NAME", help='their name (quote it: "Dana Lee") or @mention')
    know.add_argument("how", nargs="+", metavar="HOW", help="how you know them, in your words")
    gave = sub.add_parser(
        "gave",
        help="record an endorsement you gave",
        description="Record an endorsement you gave someone: giving before you ask, or "
        "returning theirs.",
    )
    gave.add_argument("name", metavar="NAME", help='who you endorsed (quote it: "Dana Lee")')
    gave.add_argument("note", nargs="*", metavar="NOTE", help="what for (optional)")
    received = sub.add_parser(
        "received",
        help="record an endorsement you received",
        description="Record an endorsement someone gave you; rapport reminds you to return "
        "one you didn't ask for.",
    )
    received.add_argument("name", metavar="NAME", help='who endorsed you (quote it: "Sam Ortiz")')
    received.add_argument("note", nargs="*", metavar="NOTE", help="what for (optional)")
    how = received.add_mutually_exclusive_group()
    how.add_argument("--unsolicited", action="store_true", help="they endorsed you unprompted")
    how.add_argument("--solicited", action="store_true", help="you had asked them")
    remember = sub.add_parser(
        "remember",
        help="keep (on) or stop keeping (off) finished messages",
        description="Choose whether rapport keeps the messages you finish with the coach. "
        "Off (the default) keeps none, and turning it off deletes the ones kept.",
    )
    remember.add_argument(
        "state",
        choices=("on", "off"),
        nargs="?",
        help="on: keep finished messages; off: keep none (leave out to see which it is)",
    )
    saved = sub.add_parser(
        "saved",
        help="the messages `remember on` kept, newest first",
        description="List the messages you finished with the coach while `remember on` was "
        "set, newest first, or delete one of them.",
    )
    saved.add_argument(
        "delete", nargs="?", choices=("delete",), help="delete one: `saved delete N`"
    )
    saved.add_argument("number", nargs="?", type=_number, help="the number `saved` shows")
    saved.add_argument(
        "--delete", dest="number_option", type=_number, metavar="N", help="the same as delete N"
    )
    serve = sub.add_parser(
        "serve",
        help="run the chat bots (Slack, Discord or both), with /healthz, /readyz and /metrics",
        description="Run rapport's Slack app (HTTP mode at /slack/events: SLACK_BOT_TOKEN, "
        "SLACK_SIGNING_SECRET; Socket Mode when SLACK_APP_TOKEN is set), the Discord bot "
        "(DISCORD_TOKEN, RAPPORT_DISCORD_GUILD, RAPPORT_DISCORD_SHARDS), or both, with "
        "/healthz, /readyz and /metrics on $RAPPORT_HOST:$RAPPORT_PORT. The database is "
        "$RAPPORT_DATABASE_URL (SQLite or PostgreSQL).",
    )
    serve.add_argument("platform", choices=("slack", "discord", "all"), help="what to serve")
    serve.add_argument(
        "--settings",
        metavar="FILE",
        help="a TOML file whose [env] table sets the same variables (the environment wins)",
    )
    forget = sub.add_parser(
        "forget",
        help="delete everything rapport holds about you",
        description="Delete everything rapport holds about you: ledger, open sessions, "
        "scores, fingerprints and kept messages. It asks first unless you add --yes.",
    )
    forget.add_argument("--yes", action="store_true", help="don't ask for confirmation")


def _number(raw: str) -> int:
    """A saved message's number: 1 to 999,999,999 in ASCII digits."""
    if not re.fullmatch(r"#?[0-9]{1,9}", raw) or int(raw.lstrip("#")) < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a message number (1, 2, …)")
    return int(raw.lstrip("#"))


def _words(words: list[str], what: str) -> str:
    """Free words from the command line (how, a note) as one line; blank is empty."""
    from rapport.adapters.terminal.inputs import validate_text

    text = " ".join(" ".join(words).split())
    return validate_text(text, what) if text else ""


def _name(args: argparse.Namespace) -> str:
    """The person a ledger command names, or BadInput saying what a name looks like."""
    from rapport.adapters.terminal.inputs import BadInput
    from rapport.bot.coach.ledger import clean_name

    example = f'e.g. rapport {args.command} "Dana Lee"'
    if not args.name.strip():
        raise BadInput(f"NAME is empty: say who, {example}")
    name = clean_name(_words([args.name], "NAME"))
    if name is None:
        raise BadInput(
            f"{args.name.strip()[:40]!r} isn't a name: give one to five words, {example}"
        )
    return name


def _command(args: argparse.Namespace) -> Command:
    """The command the arguments ask for, field by field (nothing is re-parsed from text); bad
    arguments are BadInput (exit 2), so the CLI never answers "I didn't understand that"."""
    from rapport.adapters.terminal.inputs import BadInput
    from rapport.bot.service.commands import Command

    verb = args.command
    if verb == "know":
        who, how = _name(args), _words(args.how, "HOW")
        if not how:
            raise BadInput(f"say how you know {who}, e.g. rapport know {who} we worked at Acme")
        return Command(verb, who=who, note=how)
    if verb == "gave":
        return Command(verb, who=_name(args), note=_words(args.note, "NOTE"))
    if verb == "received":
        solicited = True if args.solicited else False if args.unsolicited else None
        note = _words(args.note, "NOTE")
        first = note.split(" ", 1)[0].lower() if note else ""
        if solicited is None and first in ("solicited", "unsolicited", "asked", "unprompted"):
            flag = "--solicited" if first in ("solicited", "asked") else "--unsolicited"
            raise BadInput(f"did you mean {flag}? (the words after the name are the note)")
        return Command(verb, who=_name(args), note=note, solicited=solicited)
    if verb == "remember":
        return Command(verb, switch=None if args.state is None else args.state == "on")
    if verb == "forget":
        return Command(verb, confirmed=True)
    if verb == "saved":
        number = args.number_option if args.number_option is not None else args.number
        if args.delete and number is None:
            raise BadInput("say which: rapport saved delete N (the number `rapport saved` shows)")
        if number is None:
            return Command(verb)
        return Command(verb, action="delete", item=number)
    names = [" ".join(n.split()) for n in args.names]
    from rapport.bot.coach.ledger import clean_name

    for name in names:
        if name and clean_name(name) is None:
            raise BadInput(f'{name[:40]!r} isn\'t a name: give one to five words, e.g. "Dana Lee"')
    if args.action == "forget":
        if not " ".join(names).strip():
            raise BadInput('ledger forget needs a name, e.g. rapport ledger forget "Dana Lee"')
        return Command("ledger", action="forget", who=" ".join(names))
    if args.action == "same":
        if len(names) != 2 or not all(names):
            raise BadInput('ledger same needs two names, e.g. rapport ledger same "Dana Lee" Dana')
        return Command("ledger", action="same", who=names[0], other=names[1])
    if names:
        raise BadInput(
            "ledger takes names only after `same` or `forget`: rapport ledger forget Dana"
        )
    return Command("ledger")


def run_store_command(args: argparse.Namespace, config: Config) -> int:
    """Run console or a ledger command; returns the exit code."""
    from rapport.adapters.terminal.console import run_console
    from rapport.adapters.terminal.render import terminal_words, use_colour
    from rapport.bot.service.commands import run_command

    if args.command == "console":
        return with_rapport(config, lambda r: run_console(r, colour=args.color), pool=True)
    if args.command == "serve":
        return serve(args, config)
    if args.command == "forget" and not args.yes:
        if not sys.stdin.isatty():
            print(
                "rapport: forget deletes everything about you; add --yes to confirm",
                file=sys.stderr,
            )
            return 2
        answer = input(
            "This deletes your ledger, open sessions, scores and fingerprints. Type yes: "
        )
        if answer.strip().lower() not in ("yes", "y"):
            print("Nothing deleted.")
            return 0
    command = _command(args)
    reply = with_rapport(config, lambda r: run_command(r, console_user(), command))
    print(terminal_words(reply, use_colour(sys.stdout)))
    return 0


def serve(args: argparse.Namespace, config: Config) -> int:
    """`rapport serve slack|discord|all`: settings are checked before anything starts."""
    import asyncio

    from rapport.adapters.serve import load_env, run_serve

    env = load_env(args.settings)
    platforms = ("slack", "discord") if args.platform == "all" else (args.platform,)
    return asyncio.run(run_serve(platforms, env, config))
