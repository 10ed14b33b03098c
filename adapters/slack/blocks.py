"""Block Kit for rapport's answers: checks, rewrites, coach turns, the modal and App Home.

Only layout lives here; every word comes from the core (`rapport.bot.service.chat`, the coach's replies and
`templates/chat.toml`).  All text from users is escaped, and every block respects Slack's
limits (cut with a note, or split over several blocks), so no API call fails on length.
Block and action ids are stable and namespaced (`rapport:…`).
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

from rapport.adapters.slack.markup import LIMITS, cut, escape, split
from rapport.bot.coach.replies import Reply
from rapport.bot.models import Report
from rapport.bot.service.chat import (
    Action,
    Answer,
    finding_views,
    kind_label,
    rewrite_text,
    trust_line,
    trust_parts,
    verdict_line,
)
from rapport.bot.service.verbs import carries_draft, draft_command
from rapport.bot.wording import say

__all__ = [
    "answer_blocks",
    "button_command",
    "carried_command",
    "carry",
    "fallback_text",
    "home_view",
    "modal_view",
    "pack",
    "reply_blocks",
    "result_view",
    "submitted",
    "unpack",
]

Block = dict[str, Any]

#: Findings shown in one message; the rest are counted (a message holds 50 blocks).
MAX_FINDINGS = 20
_SEVERITY_MARK = {
    "error": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":large_blue_circle:",
}
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")

MODAL_ID = "rapport:check-draft"
DRAFT_BLOCK, DRAFT_INPUT = "rapport:draft", "rapport:draft-input"
RECIPIENT_BLOCK, RECIPIENT_INPUT = "rapport:recipient", "rapport:recipient-input"
DRAFT_LIMIT = 3000


def safe(text: str, limit: int) -> str:
    """User text escaped and cut to `limit` (never leaving half an `&amp;`)."""
    out = escape(text)
    if len(out) <= limit:
        return out
    note = say("chat.cut", left=len(out) - limit)
    return _ENTITY_TAIL.sub("", cut(out, limit - 2, note)[:limit])


def _section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _code_blocks(text: str, block_id: str) -> list[Block]:
    """A message shown so it can be copied: preformatted, split over sections if long."""
    pieces = split(escape(text), LIMITS["section"] - 8)
    return [
        _section(f"```{piece}```", f"{block_id}:{n}" if n else block_id)
        for n, piece in enumerate(pieces)
    ]


def _bar(value: int, top: int = 10) -> str:
    filled = max(0, min(top, value))
    return "▰" * filled + "▱" * (top - filled)


def pack(command: str, limit: int = LIMITS["button_value"]) -> str | None:
    """A button's value for a command (compressed if long); None if it can't fit."""
    if len(command) <= limit and not command.startswith(("z:", "m:")):
        return command
    packed = "z:" + base64.b64encode(zlib.compress(command.encode("utf-8"), 9)).decode("ascii")
    return packed if len(packed) <= limit else None


def unpack(value: str) -> str | None:
    """The command on a button (None if the value is damaged)."""
    if not value.startswith("z:"):
        return value
    try:
        return zlib.decompress(base64.b64decode(value[2:], validate=True)).decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


#: A modal's private_metadata holds at most this many characters (Slack keeps it, not rapport).
METADATA_LIMIT = 3000


def carry(draft: str, recipient: str | None) -> str | None:
    """A modal's private_metadata carrying its draft (and recipient) for buttons whose command
    is too long for a button value; None if even compressed it doesn't fit."""
    return pack(json.dumps({"d": draft, "t": recipient}), METADATA_LIMIT)


def carried_command(verb: str, metadata: str) -> str | None:
    """The command a `m:<verb>` button runs, from its modal's private_metadata."""
    raw = unpack(metadata) if metadata else None
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not carries_draft(verb):
        return None
    to = data.get("t")
    return draft_command(verb, data["d"], to if isinstance(to, str) else None)


def button_command(body: dict[str, Any], action: dict[str, Any]) -> str | None:
    """The command a clicked button runs (None if its value is damaged)."""
    value = str(action.get("value") or "")
    if value.startswith("m:"):  # a modal's button whose draft rides in the modal
        metadata = str((body.get("view") or {}).get("private_metadata") or "")
        return carried_command(value[2:], metadata)
    return unpack(value)


def submitted(view: dict[str, Any]) -> tuple[str, str | None]:
    """(draft, the user picked as its recipient) from a submitted modal."""
    values = view.get("state", {}).get("values", {})
    draft = str(values.get(DRAFT_BLOCK, {}).get(DRAFT_INPUT, {}).get("value") or "")
    picked = values.get(RECIPIENT_BLOCK, {}).get(RECIPIENT_INPUT, {}).get("selected_user")
    return draft, str(picked) if picked else None


def _buttons(
    actions: tuple[Action, ...], block_id: str, carried: bool = False
) -> tuple[list[Block], bool]:
    """The actions block, and whether a button was left out (its command too long to ride on
    it, outside a modal that carries the draft)."""
    elements = []
    dropped = False
    for a in actions:
        value = pack(a.command)
        if value is None and carried and carries_draft(a.command.split(" ", 1)[0]):
            value = "m:" + a.command.split(" ", 1)[0]  # the modal carries the draft
        if value is None:
            dropped = True
            continue
        button: Block = {
            "type": "button",
            "action_id": a.id,
            "text": {"type": "plain_text", "text": cut(a.label, LIMITS["button_label"])},
            "value": value,
        }
        if a.style in ("primary", "danger"):
            button["style"] = a.style
        elements.append(button)
    block = [{"type": "actions", "block_id": block_id, "elements": elements[:25]}]
    return (block if elements else []), dropped


def report_blocks(report: Report, cmd: str = "/rapport") -> list[Block]:
    """Kind, trust bar with its four parts, and each finding: quoted words, why, fix."""
    blocks: list[Block] = [
        _section(
            f"*{say('chat.labels.kind')}:* {escape(kind_label(report.kind))}\n"
            f"*{escape(trust_line(report))}*",
            "rapport:summary",
        )
    ]
    fields = []
    for part in trust_parts(report):
        top = 10
        reasons = "; ".join(part.reasons)
        line = f"*{part.label}* {part.value}/{top}\n{_bar(part.value, top)}"
        if reasons:
            line += "\n" + safe(reasons, 300)
        fields.append({"type": "mrkdwn", "text": line})
    blocks.append({"type": "section", "block_id": "rapport:trust", "fields": fields})
    blocks.append({"type": "divider"})
    views = finding_views(report)
    if not views:
        mark = ":white_check_mark: " if report.notice is None else ":information_source: "
        blocks.append(_section(mark + verdict_line(report), "rapport:clean"))
        return blocks
    for n, f in enumerate(views[:MAX_FINDINGS]):
        mark = _SEVERITY_MARK.get(f.severity, "")
        text = f"{mark} *{f.rule}* ({f.severity})"
        if f.quote:
            text += f"  “{safe(f.quote, 300)}”"
        text += f"\n{escape(f.message)}\n*{say('chat.labels.why')}:* {escape(f.why)}"
        text += f"\n*{say('chat.labels.fix')}:* {escape(f.fix)}"
        blocks.append(_section(cut(text, LIMITS["section"]), f"rapport:finding:{n}"))
    if len(views) > MAX_FINDINGS:
        more = say("chat.more_findings", count=len(views) - MAX_FINDINGS, cmd=cmd)
        blocks.append(_context(escape(more)))
    return blocks


def answer_blocks(
    answer: Answer, cmd: str = "/rapport", with_actions: bool = True, carried: bool = False
) -> list[Block]:
    """The blocks for a chat command's answer (`carried`: in a modal that carries its draft)."""
    blocks: list[Block] = []
    if answer.text:
        blocks += [
            _section(piece, f"rapport:text:{n}" if n else "rapport:text")
            for n, piece in enumerate(split(escape(answer.text), LIMITS["section"]))
        ]
    if answer.report is not None:
        blocks += report_blocks(answer.report, cmd)
        heading, text = rewrite_text(answer.report)
        if heading:
            blocks.append({"type": "divider"})
            blocks.append(_section(escape(heading), "rapport:rewrite-heading"))
        if text:
            blocks += _code_blocks(text, "rapport:rewrite")
    for note in answer.notes:
        blocks.append(_context(safe(note, LIMITS["context"])))
    if with_actions:
        buttons, dropped = _buttons(answer.actions, "rapport:actions", carried)
        if dropped:
            blocks.append(_context(escape(say("chat.long_for_buttons", cmd=cmd))))
        blocks += buttons
    return _fit(blocks, LIMITS["message_blocks"])


def _fit(blocks: list[Block], limit: int) -> list[Block]:
    """At most `limit` blocks, keeping the last (the buttons) and saying what was left out."""
    if len(blocks) <= limit:
        return blocks
    tail = blocks[-1:] if blocks[-1].get("type") == "actions" else []
    body = blocks[: limit - 1 - len(tail)]
    left = len(blocks) - len(body) - len(tail)
    return [*body, _context(escape(say("chat.cut_parts", count=left))), *tail]


def fallback_text(answer: Answer) -> str:
    """The notification text Slack shows where blocks can't be (and in screen readers)."""
    if answer.report is not None:
        return cut(escape(f"{kind_label(answer.report.kind)} · {trust_line(answer.report)}"), 300)
    return cut(escape(answer.text), LIMITS["text"])


def reply_blocks(reply: Reply) -> list[Block]:
    """A coach turn in the DM: words, the drafted message(s), its check, choices, next step."""
    blocks: list[Block] = [
        _section(piece, f"rapport:coach:text:{n}")
        for n, piece in enumerate(split(escape(reply.text), LIMITS["section"]))
        if piece.strip()
    ]
    if reply.message:
        blocks += _code_blocks(reply.message, "rapport:coach:message")
    for n, (who, text) in enumerate(reply.messages):
        blocks.append(_context(escape(say("chat.labels.for_whom", name=who))))
        blocks += _code_blocks(text, f"rapport:coach:note:{n}")
    if reply.trust is not None:
        t = reply.trust
        line = say("chat.trust_line", quotient=t.quotient, c=t.credibility, r=t.reliability,
                   i=t.intimacy, s=t.self_orientation)  # fmt: skip
        blocks.append(_context(escape(line)))
    for f in reply.findings[:MAX_FINDINGS]:
        mark = _SEVERITY_MARK.get(f.severity.value, "")
        blocks.append(_context(cut(f"{mark} *{f.rule}*: {escape(f.message)}", LIMITS["context"])))
    if reply.choices:
        elements = [
            {
                "type": "button",
                "action_id": c.id,
                "text": {"type": "plain_text", "text": cut(c.label, LIMITS["button_label"])},
                "value": c.value[: LIMITS["button_value"]],
            }
            for c in reply.choices[:25]
        ]
        blocks.append(
            {"type": "actions", "block_id": "rapport:coach:choices", "elements": elements}
        )
    if reply.footer:
        blocks.append(_context(cut(escape(reply.footer), LIMITS["context"])))
    if not blocks:
        blocks.append(_section(" "))
    return _fit(blocks, LIMITS["message_blocks"])


def reply_text(reply: Reply) -> str:
    """The notification text of a coach turn."""
    return cut(escape(reply.text or reply.message or " "), 300)


def modal_view(draft: str = "") -> dict[str, Any]:
    """The "Check a draft" modal: a multi-line draft (up to 3,000 characters) and a recipient."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": DRAFT_INPUT,
        "multiline": True,
        "max_length": DRAFT_LIMIT,
        "placeholder": {"type": "plain_text", "text": say("chat.modal.draft_placeholder")},
    }
    if draft:
        element["initial_value"] = draft[:DRAFT_LIMIT]
    return {
        "type": "modal",
        "callback_id": MODAL_ID,
        "title": {
            "type": "plain_text",
            "text": cut(say("chat.modal.title"), LIMITS["modal_title"]),
        },
        "submit": {"type": "plain_text", "text": say("chat.modal.submit")},
        "close": {"type": "plain_text", "text": say("chat.modal.close")},
        "blocks": [
            {
                "type": "input",
                "block_id": DRAFT_BLOCK,
                "label": {"type": "plain_text", "text": say("chat.modal.draft")},
                "hint": {
                    "type": "plain_text",
                    "text": say("chat.modal.draft_hint", limit=f"{DRAFT_LIMIT:,}"),
                },
                "element": element,
            },
            {
                "type": "input",
                "block_id": RECIPIENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": say("chat.modal.recipient")},
                "hint": {"type": "plain_text", "text": say("chat.modal.recipient_hint")},
                "element": {"type": "users_select", "action_id": RECIPIENT_INPUT},
            },
        ],
    }


def result_view(
    answer: Answer | None, cmd: str = "/rapport", metadata: str | None = None
) -> dict[str, Any]:
    """The modal once submitted: the answer (or a "checking…" line while it comes).
    `metadata` (from `carry`) lets its buttons run on a draft too long for a button."""
    if answer is None:
        blocks = [_section(say("chat.checking"))]
    else:
        blocks = answer_blocks(answer, cmd, carried=metadata is not None)
    extra = {"private_metadata": metadata} if metadata else {}
    return {
        **extra,
        "type": "modal",
        "callback_id": "rapport:result",
        "title": {
            "type": "plain_text",
            "text": cut(say("chat.modal.result_title"), LIMITS["modal_title"]),
        },
        "close": {"type": "plain_text", "text": say("chat.modal.done")},
        "blocks": _fit(blocks, LIMITS["view_blocks"]),
    }


def home_view(sections: list[str], actions: tuple[Action, ...]) -> dict[str, Any]:
    """App Home: what rapport is, the user's ledger, reminders, and admins' settings."""
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": cut(say("chat.home_title"), LIMITS["header"])},
        }
    ]
    for n, text in enumerate(sections):
        for m, piece in enumerate(split(escape(text), LIMITS["section"])):
            blocks.append(_section(piece, f"rapport:home:{n}:{m}"))
        blocks.append({"type": "divider"})
    blocks += _buttons(actions, "rapport:home:actions")[0]
    return {"type": "home", "blocks": _fit(blocks, LIMITS["view_blocks"])}
