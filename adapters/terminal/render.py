"""Human output for a terminal: kind, a trust bar, courtesy, and each finding with why and fix.

Colour only when the stream is a terminal and NO_COLOR is unset; everything echoed from the
user (the draft, names, notes) goes through `safe`, which shows control characters instead of
sending them, so a draft or a name can't rewrite the user's terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from typing import TextIO

from rapport.bot.engine.courtesy import strategies as courtesy_strategies
from rapport.bot.engine.explain import Explanation, example_setting, principle_lines
from rapport.bot.engine.rules import WHOLE_MESSAGE
from rapport.bot.engine.text import MAX_CHARS
from rapport.bot.engine.verdict import verdict_line
from rapport.bot.models import Finding, Report, Rewrite, Severity
from rapport.bot.rewriter.honesty import PROMPT
from rapport.bot.wording import VERBATIM

__all__ = ["render_report", "render_rewrite", "render_why", "safe", "terminal_words", "use_colour"]

_CODES = {"bold": "1", "dim": "2", "red": "31", "yellow": "33", "cyan": "36", "green": "32"}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_SEVERITY_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "•"}
#: Chat bold in rapport's own words (`say *thank Sam* to the coach`); a lone `*` is left alone.
_CHAT_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")


def use_colour(stream: TextIO, mode: str = "auto") -> bool:
    """Colour when asked, or in auto mode when `stream` is a terminal and NO_COLOR is unset."""
    if mode in ("always", "never"):
        return mode == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


#: Characters that reorder what a terminal shows (bidirectional overrides and isolates).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown(c: str) -> str:
    """How one character that is not printable is shown in a terminal."""
    code = ord(c)
    if code < 0x20:
        return " " if c == "\t" else chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ␍ for CR…
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:  # C1 controls: \x9b is a CSI to some terminals
        return f"\\x{code:02x}"
    if c in _BIDI or 0xD800 <= code <= 0xDFFF:  # reordering marks; half characters
        return f"\\u{code:04x}"
    return " "  # other invisible characters (non-breaking spaces, joiners…): a space, as typed


def safe(text: str) -> str:
    """Text the user typed (a draft, a name, a note, an argument) made harmless and visible for a
    terminal: control and escape characters are shown (ESC as ␛, BEL as ␇, C1 controls and
    bidirectional overrides as \\x9b or \\u202e) instead of acting on the screen; newlines are
    kept (CRLF becomes one), tabs and other blank characters become spaces.  Every terminal
    printing of user-typed text goes through here; JSON output is JSON-escaped instead."""
    text = text.replace("\r\n", "\n")
    return "".join(c if c.isprintable() or c == "\n" else _shown(c) for c in text)


def terminal_words(text: str, colour: bool = False) -> str:
    """rapport's chat wording for a terminal: `*bold*` is bold with colour and plain words
    without, so no chat asterisks reach the screen; control characters are shown (`safe`).  Lines
    quoting the user's own words (`VERBATIM`) keep their asterisks."""
    paint = _Painter(colour)
    return "\n".join(
        line
        if line.startswith(VERBATIM)
        else _CHAT_BOLD.sub(lambda m: paint(m.group(1), "bold"), line)
        for line in safe(text).split("\n")
    )


class _Painter:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _excerpt(report: Report, f: Finding, limit: int = 70) -> str:
    """The flagged words, quoted; a finding about no words in particular (history, the whole
    message) says so instead of quoting nothing."""
    words = " ".join(safe(report.text[f.start : f.end]).split())
    if not words:
        return WHOLE_MESSAGE
    return '"' + (words if len(words) <= limit else words[: limit - 1].rstrip() + "…") + '"'


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"{line}:{col}"


def _bar(value: float, width: int = 10, scale: float = 10) -> str:
    filled = max(0, min(width, round(value / scale * width)))
    return "█" * filled + "░" * (width - filled)


def _wrap(text: str, indent: str, width: int, first: str | None = None) -> list[str]:
    """`text` (which may quote the user: a name, a note) made safe and wrapped."""
    return textwrap.wrap(
        safe(text),
        width=max(40, width),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
    )


def _why(principles: tuple[str, ...], indent: str, width: int) -> list[str]:
    """ "Why:" and the principles, one per line, each wrapped under the first."""
    lines: list[str] = []
    hang = indent + " " * len("Why: ")
    for i, principle in enumerate(principles):
        lines += _wrap(principle, hang, width, first=indent + "Why: " if i == 0 else hang)
    return lines


def render_report(report: Report, colour: bool = False, width: int | None = None) -> str:
    """The full human report for one draft."""
    paint = _Painter(colour)
    width = width or min(100, shutil.get_terminal_size((88, 24)).columns)
    if report.notice == "not_english":
        return paint(
            "ℹ " + safe(verdict_line(report)), "yellow"
        )  # no scores for words it can't read
    t = report.trust
    lines = [
        f"{paint('Kind', 'dim')}  {report.kind.value.replace('_', ' ')}    "
        f"{paint('Courtesy', 'dim')}  {report.courtesy:g}/10 "
        + paint(
            "polite" if report.polite else "not yet polite", "green" if report.polite else "yellow"
        ),
        f"{paint('Trust', 'dim')} {paint(f'{t.quotient:.2f}', 'bold')} on a 0–30 scale  "
        f"{_bar(t.quotient, scale=30)}  (credibility {t.credibility} + reliability "
        f"{t.reliability} + intimacy {t.intimacy}) / self-orientation {t.self_orientation}",
    ]
    for name, value in (
        ("credibility", t.credibility),
        ("reliability", t.reliability),
        ("intimacy", t.intimacy),
        ("self-orientation", t.self_orientation),
    ):
        reasons = t.evidence.get(name.replace("-", "_"), ())
        why = "; ".join(r[2:] for r in reasons) or "nothing notable"
        lines.append(f"  {paint(f'{name:<17}', 'dim')}{value:>2}/10  {safe(why)}")
    strategies = report.courtesy_evidence or courtesy_strategies(report.text)
    if strategies:
        label = paint(f"{'courtesy':<17}", "dim")
        lines.append(f"  {label}       " + safe("; ".join(strategies)))
    if report.truncated:
        lines.append(
            paint(f"Note: the draft is long; checked its first {MAX_CHARS:,} characters.", "yellow")
        )
    lines.append("")
    if not report.findings:
        if report.notice is None:
            lines.append(paint("✓ " + safe(verdict_line(report)), "green"))
        else:
            lines.append(paint("ℹ " + safe(verdict_line(report)), "yellow"))
        return "\n".join(lines)
    for f in report.findings:
        style = _SEVERITY_STYLE[f.severity]
        quote = _excerpt(report, f)
        where = "" if quote == WHOLE_MESSAGE else "  " + paint(_where(report.text, f.start), "dim")
        head = (
            f"{paint(_SEVERITY_MARK[f.severity] + ' ' + f.severity.value, style, 'bold')}  "
            f"{paint(f.rule, 'bold')}  {quote}{where}"
        )
        lines.append(head)
        lines += _wrap(f.message, "    ", width)
        lines += _why(principle_lines(f.principle), "    ", width)
        lines += _wrap(f"Fix: {f.fix}", "    ", width)
        lines.append("")
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    summary = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    lines.append(summary + ".")
    return "\n".join(lines)


def render_rewrite(
    rewrite: Rewrite, before: float, colour: bool = False, width: int | None = None
) -> str:
    """The suggested rewrite, what changed, what was left out, and what only the user can add."""
    paint = _Painter(colour)
    width = width or min(100, shutil.get_terminal_size((88, 24)).columns)
    lines = [paint("Suggested rewrite", "bold")]
    if rewrite.text is None:
        lines += _wrap(rewrite.note, "  ", width)
        return "\n".join(lines)
    if rewrite.unchanged:
        lines += _wrap(rewrite.note, "  ", width)
        return "\n".join(lines)
    body = PROMPT.sub(lambda m: paint(m.group(0), "yellow", "bold"), safe(rewrite.text))
    lines += ["  │ " + line if line else "  │" for line in body.split("\n")]
    lines.append("")
    lines += _wrap(rewrite.note, "  ", width)
    if rewrite.trust is not None:
        after = rewrite.trust.quotient
        trend = paint(f"{after:.2f}", "green" if after > before else "yellow")
        lines.append(f"  {paint('Trust', 'dim')} {trend} (the draft: {before:.2f}; scale 0–30)")
    if rewrite.missing:
        lines.append(paint("  Only you can fill in (or pass --fact NAME=…):", "dim"))
        for m in rewrite.missing:
            lines += _wrap(f"{m.field}: [{safe(m.prompt)}]", "    ", width)
    if rewrite.changes:
        lines.append(paint("  What changed:", "dim"))
        for change in rewrite.changes:
            lines += _wrap(f"• {change}", "    ", width)
    if rewrite.removed:
        lines.append(paint("  Left out:", "dim"))
        for rules, words in rewrite.removed:
            excerpt = " ".join(safe(words).split())
            excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79].rstrip() + "…"
            lines += _wrap(f'"{excerpt}" ({", ".join(rules)})', "    ", width)
    if rewrite.template_error:
        lines += _wrap(f"Note: {rewrite.template_error}.", "  ", width)
    return "\n".join(lines)


def render_why(
    rules: list[Explanation], colour: bool = False, width: int | None = None, examples: int = 3
) -> str:
    """Rules explained for `rapport why`: meaning, principles, fix, and drafts each flags or
    leaves alone (the first `examples` of each; 0 for all)."""
    paint = _Painter(colour)
    width = width or min(100, shutil.get_terminal_size((88, 24)).columns)
    blocks = []
    for rule in rules:
        lines = [f"{paint(rule.id, 'bold')}  {rule.title} · {rule.severity}"]
        lines += _wrap(rule.message, "    ", width)
        lines += _why(rule.principles, "    ", width)
        lines += _wrap(f"Fix: {rule.fix}", "    ", width)
        for label, shown, mark, style in (
            ("Flags, for example", rule.failing, "✖", "red"),
            ("Leaves alone", rule.passing, "✓", "green"),
        ):
            chosen = shown if examples <= 0 else shown[:examples]
            if not chosen:
                continue
            more = len(shown) - len(chosen)
            tail = f" ({more} more with --all)" if more else ""
            lines.append(paint(f"    {label}{tail}:", "dim"))
            for ex in chosen:
                note = "; ".join(x for x in (example_setting(ex), ex.note) if x)
                text = _wrap(safe(ex.text), "        ", width, first=f"      {mark} ")
                lines += [text[0].replace(mark, paint(mark, style), 1), *text[1:]]
                if ex.flag is not None:
                    flag = ex.flag if ex.flag == WHOLE_MESSAGE else f'"{safe(ex.flag)}"'
                    lines += _wrap(f"flags {flag}", "        ", width)
                if note:
                    lines += [paint(x, "dim") for x in _wrap(f"({safe(note)})", "        ", width)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
