"""The `rapport` command line.  Exit codes: 0 clean, 1 error findings, 2 bad usage or input."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from rapport.adapters.terminal.cli_docs import DOC_COMMANDS, add_doc_commands, run_doc_command
from rapport.adapters.terminal.inputs import (
    BadInput,
    read_draft,
    read_draft_file,
    read_lines,
    validate_draft,
    validate_text,
)
from rapport.bot import __version__
from rapport.bot.config import Config, ConfigError, discover_config, load_config
from rapport.bot.engine.lexicon import PhraseListError
from rapport.bot.engine.rules import RuleFileError
from rapport.bot.errors import StoreError
from rapport.bot.models import FACT_FIELDS, Context
from rapport.bot.redact import redact

__all__ = ["build_parser", "main"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FACT_NAMES = tuple(FACT_FIELDS)
#: The end of `rapport check --help`: what a script can rely on (adapters/terminal/batch.py for --jsonl).
CHECK_EXIT_CODES = """\
exit codes:
  0  no error findings (warnings are fine)
  1  at least one error finding
  2  bad usage or input (nothing to check, not UTF-8, no such file, a broken config)

with --jsonl: 2 when any line could not be read (that line gets an error object and the
rest are still checked), else 1 when any message has an error finding, else 0."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with a one-line hint instead of a wall of usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from rapport.adapters.terminal.render import safe  # the message may quote what was typed

        message = safe(message)
        self.exit(
            EXIT_USAGE,
            f"rapport: {message}\nTry 'rapport {self.prog.split()[-1]} --help'.\n"
            if " " in self.prog
            else f"rapport: {message}\nTry 'rapport --help'.\n",
        )


def _draft_source(cmd: argparse.ArgumentParser, verb: str) -> None:
    cmd.add_argument(
        "text", nargs="*", metavar="TEXT", help=f"the draft to {verb} (or '-' for stdin)"
    )
    cmd.add_argument(
        "-f", "--file", metavar="FILE", help=f"{verb} the draft in FILE (UTF-8 text; '-' for stdin)"
    )


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--to", metavar="NAME", help="the recipient's name")
    cmd.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="team configuration (default: rapport.toml or [tool.rapport] nearby)",
    )


def _fact_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a fact only you know, used instead of its [prompt] "
        "(e.g. --fact relationship='We shipped the Q3 launch together'); "
        "names: " + ", ".join(FACT_NAMES),
    )


def build_parser() -> argparse.ArgumentParser:
    """The `rapport` parser with every subcommand (completion scripts are generated from it)."""
    parser = _Parser(prog="rapport", description="Coaching for honest, personal outreach.")
    parser.add_argument("--version", action="version", version=f"rapport {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = sub.add_parser(
        "check",
        help="check a draft for etiquette problems",
        description="Check a draft (TEXT, -f FILE, or stdin): its kind, trust and courtesy,\n"
        "and each finding with the words, why it matters and the fix.",
        epilog=CHECK_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _draft_source(check, "check")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument(
        "--jsonl",
        metavar="FILE|-",
        help='check many drafts: one {"id", "text"} per line, one result per line',
    )
    check.add_argument(
        "--rewrite", action="store_true", help="also suggest a personal rewrite of the draft"
    )
    check.add_argument(
        "--no-history",
        action="store_true",
        help="don't open rapport's database: no ledger, no repeated-message check, nothing "
        "kept (with --jsonl too: by default each line is checked with your history, in order)",
    )
    _common(check)
    _fact_option(check)
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the human output (default: auto)",
    )
    rewrite = sub.add_parser(
        "rewrite",
        help="print a personal rewrite of a draft (for piping)",
        description="Print only the rewrite of a draft (TEXT, -f FILE, or stdin); notes go to "
        "stderr.",
    )
    _draft_source(rewrite, "rewrite")
    _common(rewrite)
    _fact_option(rewrite)
    from rapport.adapters.terminal.cli_store import add_store_commands

    add_store_commands(sub)
    add_doc_commands(sub)
    return parser


def _facts(pairs: list[str]) -> dict[str, str]:
    """`--fact name=value` options as a mapping, with a clear message for a bad one."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lower()
        if not sep or not value.strip():
            raise BadInput(f"--fact {pair!r} needs the form NAME=VALUE, e.g. recipient=Dana")
        if name not in FACT_NAMES:
            raise BadInput(
                f"--fact {name!r} is not a fact rapport uses; use one of: {', '.join(FACT_NAMES)}"
            )
        out[name] = validate_text(value, f"--fact {name}")
    return out


def _fail(message: str) -> int:
    """Say what went wrong (credentials masked, control characters shown); exit 2."""
    from rapport.adapters.terminal.render import (
        safe,  # the message may quote a name, a path or a draft as typed
    )

    print(f"rapport: {safe(redact(message))}", file=sys.stderr)
    return EXIT_USAGE


def _config(path: Path | None) -> Config:
    return load_config(path) if path else discover_config()


def _read_draft(args: argparse.Namespace) -> str:
    """The draft from TEXT, -f FILE or stdin, with a hint when TEXT is really a file's name."""
    if args.file is not None:
        if args.text:
            raise BadInput("give either TEXT or -f FILE, not both")
        if args.file != "-":
            return read_draft_file(args.file)
    elif args.text and args.text != ["-"]:
        if len(args.text) == 1 and _names_a_file(args.text[0]):
            name, verb = args.text[0], args.command
            raise BadInput(
                f"`{name}` is a file: to {verb} its contents, run `rapport {verb} -f {name}` "
                f"(or `rapport {verb} < {name}`)"
            )
        return validate_draft(" ".join(args.text), "the draft")
    if not args.text and args.file is None and sys.stdin.isatty():
        raise BadInput("nothing to check: give the draft as TEXT, -f FILE, or on stdin")
    return read_draft(sys.stdin.buffer, "stdin")


def _names_a_file(word: str) -> bool:
    """True when `word` is the path of an existing file; a draft too long or odd to be a path
    (the OS would refuse it: "File name too long") is simply not one."""
    if "\n" in word or len(word) > 4096:
        return False
    try:
        return Path(word).is_file()
    except (OSError, ValueError):
        return False


def _recipient(args: argparse.Namespace) -> None:
    """`--to ""` is a mistake, not "no recipient": say so rather than check for nobody."""
    if args.to is not None and not args.to.strip():
        raise BadInput("--to needs the recipient's name, e.g. --to Dana")
    try:  # bytes that are not UTF-8 arrive as lone surrogates, which can't be shown or kept
        (args.to or "").encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput("--to is not valid UTF-8 text: type the name again") from None


def _check(args: argparse.Namespace) -> int:
    if args.fact and not args.rewrite:
        return _fail("--fact is for rewrites: add --rewrite (or use 'rapport rewrite')")
    supplied = _facts(args.fact)
    _recipient(args)
    if args.jsonl is not None:
        if args.text or args.file is not None:
            return _fail("give either TEXT, -f FILE or --jsonl, not both")
        if not args.no_history:
            return _batch_with_history(args, supplied)
        from rapport.bot.engine.engine import Engine

        engine = Engine(config=_config(args.config))
        if args.rewrite:
            from rapport.bot.rewriter.rewrite import Rewriter

            return _batch(args, supplied, Rewriter(engine).check)
        return _batch(args, supplied, _plain(engine))
    from rapport.bot.engine.reader.model import one_shot

    one_shot()  # one draft, then exit: the reader skips numpy's import
    text = _read_draft(args)
    if args.no_history:
        from rapport.bot.engine.engine import Engine

        engine = Engine(config=_config(args.config))
        context = Context(recipient=args.to)
        if args.rewrite:
            from rapport.bot.rewriter.rewrite import Rewriter

            report = Rewriter(engine).check(text, context, supplied)
        else:
            report = engine.check_sync(text, context)
    else:
        from rapport.adapters.terminal.cli_store import console_user, with_rapport

        report = with_rapport(
            _config(args.config),
            lambda r: r.check(
                console_user(), text, args.to, rewrite=args.rewrite, supplied=supplied
            ),
        )
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        from rapport.adapters.terminal.render import render_report, render_rewrite, use_colour

        colour = use_colour(sys.stdout, args.color)
        print(render_report(report, colour=colour))
        if report.rewrite is not None:
            print()
            print(render_rewrite(report.rewrite, report.trust.quotient, colour=colour))
    return EXIT_FINDINGS if report.has_errors else EXIT_CLEAN


def _plain(engine: Any) -> Any:
    def check(text: str, context: Context, supplied: Any = None) -> Any:
        return engine.check_sync(text, context)

    return check


def _rewrite(args: argparse.Namespace) -> int:
    from rapport.adapters.terminal.cli_store import console_user, with_rapport
    from rapport.adapters.terminal.render import safe
    from rapport.bot.engine.reader.model import one_shot

    supplied = _facts(args.fact)
    _recipient(args)
    one_shot()
    text = _read_draft(args)
    report = with_rapport(
        _config(args.config),
        lambda r: r.check(console_user(), text, args.to, True, supplied, record=False),
    )
    rewrite = report.rewrite
    assert rewrite is not None
    if rewrite.template_error:
        print(f"rapport: {safe(rewrite.template_error)}", file=sys.stderr)
    if rewrite.text is not None:  # as written when piped; a terminal is shown its controls
        print(safe(rewrite.text) if sys.stdout.isatty() else rewrite.text)
    print(f"rapport: {safe(rewrite.note)}", file=sys.stderr)
    for m in rewrite.missing:
        print(f"rapport: fill in [{safe(m.prompt)}] or pass --fact {m.field}=…", file=sys.stderr)
    return EXIT_CLEAN


def _batch(args: argparse.Namespace, supplied: dict[str, str], check: Any) -> int:
    """`--jsonl --no-history`: the engine (or rewriter) alone, nothing read or kept."""
    from rapport.adapters.terminal.batch import run_batch

    with _batch_input(args) as (stream, progress):
        summary = run_batch(check, stream, sys.stdout, args.to, progress, supplied)
    return _summarise(summary)


def _batch_with_history(args: argparse.Namespace, supplied: dict[str, str]) -> int:
    """`--jsonl` as one check after another would be: the ledger and earlier checks count."""
    from rapport.adapters.terminal.batch import run_batch_async
    from rapport.adapters.terminal.cli_store import console_user, with_rapport

    user = console_user()
    _jsonl_path(args)  # a bad path is said before the database is opened (or made)

    async def job(rapport: Any) -> Any:
        async def check(text: str, context: Context, facts: Any) -> Any:
            return await rapport.check(user, text, context.recipient, args.rewrite, facts)

        with _batch_input(args) as (stream, progress):
            return await run_batch_async(check, stream, sys.stdout, args.to, progress, supplied)

    return _summarise(with_rapport(_config(args.config), job))


@contextlib.contextmanager
def _batch_input(args: argparse.Namespace) -> Iterator[tuple[BinaryIO, Any]]:
    """The --jsonl stream (a file or stdin) and a progress bar when stderr is a terminal."""
    stream: BinaryIO
    total = None
    path = _jsonl_path(args)
    if path is None:
        stream = sys.stdin.buffer
    else:
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise BadInput(f"can't read {path}: {exc.strerror or exc}") from None
        if sys.stderr.isatty():
            with path.open("rb") as fh:
                total = sum(1 for _ in read_lines(fh))
    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(total=total, unit="msg", file=sys.stderr, leave=False)
    try:
        yield stream, progress
    finally:
        if progress is not None:
            progress.close()
        if stream is not sys.stdin.buffer:
            stream.close()


def _jsonl_path(args: argparse.Namespace) -> Path | None:
    """The --jsonl file (None for stdin), or BadInput saying what is wrong with the path."""
    if args.jsonl == "-":
        return None
    if not args.jsonl.strip():
        raise BadInput("--jsonl needs a file name, or - for stdin")
    path = Path(args.jsonl)
    try:
        if path.is_dir():
            raise BadInput(f"{path} is a folder: give a .jsonl file, or - for stdin")
        if not path.is_file():
            raise BadInput(f"no such file: {path}")
    except OSError as exc:
        raise BadInput(f"can't read {path}: {exc.strerror or exc}") from None
    return path


def _summarise(summary: Any) -> int:
    print(summary.line(), file=sys.stderr)
    return int(summary.exit_code)


#: Commands whose free words (a note, how you know someone) may come after their options, as
#: people type them: `rapport received Sam --solicited advice on my CV`.
_WORDS_AFTER_OPTIONS = {"know": "how", "gave": "note", "received": "note"}


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments, with a ledger command's words after its options joined to its note
    (argparse fills a trailing list before it reaches the options); anything else unknown is
    still a usage error."""
    args, extra = parser.parse_known_args(argv)
    field = _WORDS_AFTER_OPTIONS.get(args.command or "")
    if extra and field and not any(word.startswith("-") for word in extra):
        setattr(args, field, [*getattr(args, field), *extra])
    elif extra:  # said by the subcommand's parser, so the hint names its --help
        subparsers = next(
            (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        owner = subparsers.choices.get(args.command) if subparsers and args.command else None
        (owner or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rapport` console script."""
    parser = build_parser()
    args = _parse(parser, argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rewrite":
            return _rewrite(args)
        if args.command in DOC_COMMANDS:
            return run_doc_command(args, parser)
        if args.command in (
            "console",
            "ledger",
            "know",
            "gave",
            "received",
            "remember",
            "saved",
            "forget",
            "serve",
        ):
            from rapport.adapters.terminal.cli_store import run_store_command

            return run_store_command(args, _config(getattr(args, "config", None)))
        parser.print_help()
        return EXIT_USAGE
    except (BadInput, ConfigError) as exc:
        return _fail(str(exc))
    except StoreError as exc:  # plain words; the database's address and the reason are opt-in
        if str(exc) == exc.public:
            return _fail(exc.public)
        if os.environ.get("RAPPORT_DEBUG"):
            return _fail(f"{exc.public}\nrapport: details: {exc}")
        return _fail(f"{exc.public} (RAPPORT_DEBUG=1 shows the details)")
    except (RuleFileError, PhraseListError) as exc:
        return _fail(f"rapport's rule data is broken: {exc}")
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # e.g. `rapport check --jsonl big.jsonl | head`
        return EXIT_CLEAN
    except Exception as exc:  # a bug in rapport: say so plainly; the traceback is opt-in
        if os.environ.get("RAPPORT_DEBUG"):
            raise
        return _fail(
            f"internal error ({type(exc).__name__}); nothing was changed. "
            "Run again with RAPPORT_DEBUG=1 to see the details, and please report it."
        )


if __name__ == "__main__":
    raise SystemExit(main())
