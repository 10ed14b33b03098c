"""`/rapport …` for chat platforms: one command layer that Slack and Discord only translate.

A subcommand comes in as words (`check Hi Dana…`, `gave <@U1|dana> SQL`, `config off curt`);
an `Answer` goes out: words, a checked report with the facts an adapter needs to show it
(kind, trust components, each finding's quoted words, why and fix), and buttons.  Buttons
carry the command they run (`rewrite <draft>`, `why cold-ask pressure`), so a click on a
message from before a restart still works: nothing about it is kept on rapport's side.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from rapport.bot.engine.explain import explain
from rapport.bot.engine.lexicon import greeting_words
from rapport.bot.engine.rules import principles
from rapport.bot.engine.text import MAX_CHARS
from rapport.bot.engine.verdict import verdict_line
from rapport.bot.models import RULE_IDS, Finding, Kind, Report
from rapport.bot.service.commands import Command, parse_command, run_command
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.verbs import SUBCOMMANDS, ButtonId, Verb, draft_command
from rapport.bot.service.workers import CheckRefused
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

__all__ = [
    "SUBCOMMANDS",
    "Action",
    "Answer",
    "FindingView",
    "TrustPart",
    "changes_state",
    "draft_command",
    "finding_views",
    "kind_label",
    "run_chat_command",
    "run_typed_command",
    "trust_parts",
    "verdict_line",
]


#: Subcommands that take a draft.
DRAFT_COMMANDS = (Verb.CHECK, Verb.REWRITE)


@dataclass(frozen=True, slots=True)
class Action:
    """A button: clicking it runs `command` as if the user had typed `/rapport <command>`."""

    id: str  # stable and namespaced: "rapport:rewrite"
    label: str
    command: str
    style: str = ""  # "primary" | "danger" | "" (the platform's default)


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding as a person reads it: the quoted words, what's wrong, why, and the fix."""

    rule: str
    severity: str
    quote: str
    message: str
    why: str
    fix: str


@dataclass(frozen=True, slots=True)
class TrustPart:
    """One component of the Trust Quotient, with the evidence behind its score."""

    key: str  # "credibility" | "reliability" | "intimacy" | "self_orientation"
    label: str
    value: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a chat command produced; adapters decide only how it looks."""

    text: str = ""  # words, *bold* marked
    report: Report | None = None
    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()  # small print under the answer
    coach: str | None = None  # open the DM coaching session, sending it this (may be "")
    ok: bool = True  # False: the user should fix their input (shown as a gentle error)
    replaces: bool = False  # answers a question with buttons: shown in its place
    recipient: str | None = None  # who a checked draft is for, as the platform mentions them


def kind_label(kind: Kind) -> str:
    """The message kind in words."""
    return say(f"chat.kinds.{kind.value}")


def trust_parts(report: Report) -> tuple[TrustPart, ...]:
    """The four components, labelled, each with the reasons for its score."""
    t = report.trust
    values = (
        ("credibility", t.credibility),
        ("reliability", t.reliability),
        ("intimacy", t.intimacy),
        ("self_orientation", t.self_orientation),
    )
    return tuple(
        TrustPart(
            key, say(f"chat.labels.{key}"), value, tuple(r[2:] for r in t.evidence.get(key, ()))
        )
        for key, value in values
    )


def trust_line(report: Report) -> str:
    """ "Trust 2.40: (credibility 6 + …) / self-orientation 5"."""
    t = report.trust
    return say(
        "chat.trust_line", quotient=t.quotient, c=t.credibility, r=t.reliability,
        i=t.intimacy, s=t.self_orientation,
    )  # fmt: skip


def finding_views(report: Report, quote_limit: int = 120) -> tuple[FindingView, ...]:
    """Each finding with its quoted words and the principles behind it, in words."""
    known = principles()
    out = []
    for f in report.findings:
        out.append(
            FindingView(
                rule=f.rule,
                severity=f.severity.value,
                quote=_quote(report.text, f, quote_limit),
                message=f.message,
                why="; ".join(f"{known[n][0]}: {known[n][1]}" for n in f.principle if n in known),
                fix=f.fix,
            )
        )
    return tuple(out)


def _quote(text: str, f: Finding, limit: int) -> str:
    words = " ".join(text[f.start : f.end].split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def changes_state(text: str) -> bool:
    """Whether `/rapport <text>` may change what rapport keeps: such a command is kept in the
    database before it is acknowledged (`config` with no words only shows, and is harmless
    to keep anyway).  Ledger, privacy and saved-message commands answer as `parse_command`
    reads them, so every synonym it accepts (`ledger delete`, `saved remove`) counts."""
    if text.strip().partition(" ")[0].lower() == "config":
        return True
    command = parse_command(text.strip())
    return command is not None and command.changes_state


async def run_chat_command(
    rapport: Rapport,
    user: UserRef,
    text: str,
    *,
    cmd: str = "/rapport",
    is_admin: Callable[[], Awaitable[bool]] | None = None,
    recipient: str | None = None,
    mentions: Mapping[str, str] | None = None,
) -> Answer:
    """Carry out `/rapport <text>` for this user; never raises for anything the user typed."""
    word, _, rest = text.strip().partition(" ")
    sub = word.lower()
    rest = rest.strip()
    where = user.platform
    if not sub or sub == "help":
        return Answer(say("chat.help", cmd=cmd, platform=where))
    if sub not in SUBCOMMANDS:
        return Answer(
            say("chat.unknown", word=word[:40]) + "\n" + say("chat.help", cmd=cmd, platform=where)
        )
    if sub in DRAFT_COMMANDS:
        to, rest = _addressee(rest, mentions or {})
        return await check_draft(rapport, user, rest, rewrite=sub == "rewrite", cmd=cmd,
                                 recipient=recipient or to, mentions=mentions)  # fmt: skip
    if sub == "coach":
        return Answer(say("chat.coach_opened"), coach=rest)
    if sub == "thank":
        return Answer(say("chat.coach_opened"), coach=f"thank {rest}".strip())
    if sub == "why":
        if rest.startswith("--draft "):  # a button that could carry only the draft
            try:
                report = await rapport.check(user, rest[len("--draft ") :], record=False)
            except CheckRefused as refused:  # the workers are busy, or the draft too slow
                return Answer(say(refused.wording), ok=False)
            return why(" ".join(dict.fromkeys(f.rule for f in report.findings)), cmd)
        return why(rest, cmd)
    if sub == "config":
        if is_admin is None or not await is_admin():
            return Answer(say("chat.config.admins_only", cmd=cmd, platform=where), ok=False)
        return Answer(await rapport.workspaces.run(user, rest, cmd))
    if sub == "forget" and rest.lower() in ("no", "n", "keep"):
        return Answer(say("chat.forget.kept"), replaces=True)
    if sub == "forget" and rest.lower() not in ("yes", "confirm", "y", "--yes"):
        return Answer(
            say("chat.forget.confirm"),
            actions=(
                Action(ButtonId.FORGET_YES, say("chat.buttons.forget_yes"), "forget yes", "danger"),
                Action(ButtonId.FORGET_NO, say("chat.buttons.forget_no"), "forget no"),
            ),
        )
    command = parse_command(f"{sub} {rest}")
    if command is None:  # pragma: no cover - every remaining subcommand is a ledger command
        return Answer(say("chat.help", cmd=cmd, platform=where))
    return await run_typed_command(rapport, user, command)


async def run_typed_command(rapport: Rapport, user: UserRef, command: Command) -> Answer:
    """A ledger, privacy or saved-message command an adapter built from its own inputs (a
    picker, a choice, a note field): carried out as given, never re-read from text."""
    if command.verb == "forget" and not command.confirmed:
        return await run_chat_command(rapport, user, "forget")  # the buttons that confirm
    return Answer(await run_command(rapport, user, command), ok=not command.problem,
                  replaces=command.verb == "forget")  # fmt: skip


async def check_draft(
    rapport: Rapport,
    user: UserRef,
    draft: str,
    *,
    rewrite: bool = False,
    cmd: str = "/rapport",
    recipient: str | None = None,
    record: bool = True,
    mentions: Mapping[str, str] | None = None,
) -> Answer:
    """Check (and maybe rewrite) a draft; the answer carries the buttons for what comes next.

    `record=False` for someone else's message (the "Check etiquette" shortcut): it is not the
    user's outreach, so it leaves no scores or fingerprints in their history.  `mentions` maps
    the platform's mentions as the draft shows them ("@dana") to their ids ("<@U2|dana>"), so a
    draft that opens by mentioning someone is checked against the ledger entry for that person.
    """
    if not draft.strip():
        return Answer(say("chat.empty_draft", cmd=cmd, sub="rewrite" if rewrite else "check",
                          platform=user.platform), ok=False)  # fmt: skip
    recipient = recipient or addressed(draft, mentions or {})
    try:
        report = await rapport.check(user, draft, recipient, rewrite=rewrite, record=record)
    except CheckRefused as refused:  # the workers are busy, or the draft too slow to read
        return Answer(say(refused.wording), ok=False)
    notes = (say("chat.truncated_draft", limit=f"{MAX_CHARS:,}"),) if report.truncated else ()
    actions = []
    if not rewrite and report.kind is not Kind.OTHER:
        actions.append(Action(ButtonId.REWRITE, say("chat.buttons.rewrite"), f"rewrite {draft}",
                              "primary"))  # fmt: skip
    if report.kind is not Kind.OTHER:
        actions.append(Action(ButtonId.COACH, say("chat.buttons.coach"), f"coach {draft}"))
    if recipient and _MENTION_FORM.fullmatch(recipient):  # the buttons check for them too
        actions = [
            replace(a, command=draft_command("rewrite", draft, recipient))
            if a.id == ButtonId.REWRITE
            else a
            for a in actions
        ]
    rules = [f.rule for f in report.findings]
    if rules:
        command = "why " + " ".join(dict.fromkeys(rules))
        actions.append(Action(ButtonId.WHY, say("chat.buttons.why"), command))
    return Answer(report=report, actions=tuple(actions), notes=notes, recipient=recipient)


#: A chat platform's mention of one person, as the core keys people: `<@U2|Dana Lee>`.
_MENTION_FORM = re.compile(r"<@[^<>\n]+>")
#: `--to <@U2|dana>` (or `--to @dana`, `--to Dana`) before a draft: who it is for.
_TO = re.compile(r"--to\s+(<@[^<>\n]+>|\S+)\s*")


def _addressee(rest: str, mentions: Mapping[str, str]) -> tuple[str | None, str]:
    """(recipient, draft) from `--to <who> <draft>`; (None, rest) without `--to`."""
    m = _TO.match(rest)
    if m is None:
        return None, rest
    who = m.group(1)
    return mentions.get(who, who), rest[m.end() :]


_OPENING = re.compile(r"(?i)^\W*(?:" + greeting_words() + r"\b[\s,]*)?(@[^\s,:;!?]+)")


def addressed(draft: str, mentions: Mapping[str, str]) -> str | None:
    """The person a draft opens by mentioning ("Hi @dana, …"), as the platform's id."""
    m = _OPENING.match(draft)
    return mentions.get(m.group(1)) if m else None


def rewrite_text(report: Report) -> tuple[str, str | None]:
    """The words above a rewrite and the rewrite itself (None when there is none)."""
    rw = report.rewrite
    if rw is None:
        return "", None
    if rw.unchanged:
        return say("chat.rewrite_unchanged"), None
    if rw.text is None:
        return say("chat.no_rewrite", note=rw.note), None
    return say("chat.rewrite_heading"), rw.text


def why(words: str, cmd: str = "/rapport") -> Answer:
    """The rules named, each with its principles and fix."""
    names = list(dict.fromkeys(w.strip(",.").lower() for w in words.split()))
    all_rules = ", ".join(RULE_IDS)
    if not names:
        return Answer(say("chat.why_none", cmd=cmd, rules=all_rules), ok=False)
    parts = []
    for name in names[:10]:
        rule = explain(name)
        if rule is None:
            parts.append(say("chat.why_unknown", rule=name[:40], rules=all_rules))
            continue
        parts.append(say("chat.why_rule", title=rule.title, rule=rule.id, message=rule.message,
                         principles=rule.principles, fix=rule.fix))  # fmt: skip
    return Answer("*" + say("chat.why_heading") + "*\n\n" + "\n\n".join(parts))
