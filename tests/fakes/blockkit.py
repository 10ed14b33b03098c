"""What Slack refuses in Block Kit, so the fake refuses it too.

The limits are Slack's documented ones (blocks, block elements, composition objects, views, and
chat.postMessage's text).  Each problem reads as Slack reports it, a reason and a JSON pointer,
e.g. `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`; Slack answers a
message with any of them `invalid_blocks` and a view `invalid_arguments`.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in a modal or the App Home
MESSAGE_TEXT = 40_000  # a message's `text` (chat.postMessage: msg_too_long beyond)
TEXT = 3000  # any text object

#: Every block type Slack knows; anything else is refused.
BLOCK_TYPES = frozenset({
    "actions", "context", "context_actions", "divider", "file", "header", "image", "input",
    "markdown", "rich_text", "section", "table", "video",
})  # fmt: skip
_SELECTS = frozenset({
    f"{multi}{kind}_select" for multi in ("", "multi_")
    for kind in ("static", "external", "users", "conversations", "channels")
})  # fmt: skip
#: Interactive elements an actions block (or a section's accessory) may hold.
ACTION_ELEMENTS = _SELECTS | {
    "button", "checkboxes", "datepicker", "datetimepicker", "overflow", "radio_buttons",
    "timepicker", "workflow_button", "rich_text_input",
}  # fmt: skip
#: Elements an input block may hold.
INPUT_ELEMENTS = _SELECTS | {
    "checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input",
    "number_input", "plain_text_input", "radio_buttons", "rich_text_input", "timepicker",
    "url_text_input",
}  # fmt: skip
SECTION_ACCESSORIES = (ACTION_ELEMENTS - {"rich_text_input"}) | {"image"}


class _Found:
    """Problems found so far, each with the JSON pointer of the field at fault."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, at: str, why: str) -> None:
        self.problems.append(f"{why} [json-pointer:{at}]")

    def string(self, value: Any, at: str, most: int, required: bool = False) -> None:
        if value is None:
            if required:
                self.add(at, "missing required field")
        elif not isinstance(value, str):
            self.add(at, "must be a string")
        elif len(value) > most:
            self.add(at, f"must be less than {most + 1} characters")
        elif required and not value:
            self.add(at, "must be more than 0 characters")

    def array(self, value: Any, at: str, most: int, least: int = 1) -> list[Any]:
        """The array's items (none if it isn't one)."""
        if not isinstance(value, list):
            self.add(at, "must provide an array")
            return []
        if len(value) > most:
            self.add(at, f"no more than {most} items allowed")
        elif len(value) < least:
            self.add(at, f"must provide at least {least} items")
        return value

    def text(self, obj: Any, at: str, most: int = TEXT, plain: bool = False) -> None:
        """A text object: plain_text or mrkdwn (`plain`: plain_text only), 1..`most` chars."""
        if not isinstance(obj, dict):
            self.add(at, "must provide an object")
            return
        kind = obj.get("type")
        if kind not in (("plain_text",) if plain else ("plain_text", "mrkdwn")):
            self.add(f"{at}/type", "must be a valid enum value")
        self.string(obj.get("text"), f"{at}/text", most, required=True)
        if "emoji" in obj and kind != "plain_text":
            self.add(f"{at}/emoji", "emoji is only allowed on plain_text")
        if "verbatim" in obj and kind != "mrkdwn":
            self.add(f"{at}/verbatim", "verbatim is only allowed on mrkdwn")

    def optional_text(self, obj: Any, at: str, most: int, plain: bool = True) -> None:
        if obj is not None:
            self.text(obj, at, most, plain)


def _element(found: _Found, e: Any, at: str, allowed: frozenset[str] | set[str]) -> None:
    """One block element (a button, a select, an input, an image)."""
    if not isinstance(e, dict):
        found.add(at, "must provide an object")
        return
    kind = e.get("type")
    if kind not in allowed:
        found.add(f"{at}/type", f"unsupported type: {kind}")
        return
    found.string(e.get("action_id"), f"{at}/action_id", 255)
    found.optional_text(e.get("placeholder"), f"{at}/placeholder", 150)
    if "confirm" in e:
        c, where = e["confirm"], f"{at}/confirm"
        if not isinstance(c, dict):
            found.add(where, "must provide an object")
        else:
            found.text(c.get("title"), f"{where}/title", 100, plain=True)
            found.text(c.get("text"), f"{where}/text", 300)
            found.text(c.get("confirm"), f"{where}/confirm", 30, plain=True)
            found.text(c.get("deny"), f"{where}/deny", 30, plain=True)
    if kind == "button":
        found.text(e.get("text"), f"{at}/text", 75, plain=True)
        found.string(e.get("value"), f"{at}/value", 2000)
        found.string(e.get("url"), f"{at}/url", 3000)
        found.string(e.get("accessibility_label"), f"{at}/accessibility_label", 75)
        if "style" in e and e["style"] not in ("primary", "danger"):
            found.add(f"{at}/style", "must be one of primary, danger")
    elif kind == "plain_text_input":
        found.string(e.get("initial_value"), f"{at}/initial_value", TEXT)
        for key, least in (("min_length", 0), ("max_length", 1)):
            n = e.get(key)
            if n is not None and (not isinstance(n, int) or not least <= n <= TEXT):
                found.add(f"{at}/{key}", f"must be between {least} and {TEXT}")
    elif kind == "image":
        if not e.get("image_url") and not e.get("slack_file"):
            found.add(f"{at}/image_url", "missing required field")
        found.string(e.get("image_url"), f"{at}/image_url", 3000)
        found.string(e.get("alt_text"), f"{at}/alt_text", 2000, required=True)
    elif kind == "overflow":
        found.array(e.get("options"), f"{at}/options", 5, least=2)
    elif kind in ("static_select", "multi_static_select") and "options" in e:
        found.array(e["options"], f"{at}/options", 100)


def _block(found: _Found, b: dict[str, Any], at: str) -> None:
    """One block of a known type."""
    kind = b["type"]
    if kind == "section":
        if b.get("text") is None and b.get("fields") is None:
            found.add(f"{at}/text", "missing required field (text or fields)")
        found.optional_text(b.get("text"), f"{at}/text", TEXT, plain=False)
        if b.get("fields") is not None:
            for n, f in enumerate(found.array(b["fields"], f"{at}/fields", 10)):
                found.text(f, f"{at}/fields/{n}", 2000)
        if b.get("accessory") is not None:
            _element(found, b["accessory"], f"{at}/accessory", SECTION_ACCESSORIES)
    elif kind == "header":
        found.text(b.get("text"), f"{at}/text", 150, plain=True)
    elif kind == "context":
        for n, e in enumerate(found.array(b.get("elements"), f"{at}/elements", 10)):
            if isinstance(e, dict) and e.get("type") == "image":
                _element(found, e, f"{at}/elements/{n}", {"image"})
            else:
                found.text(e, f"{at}/elements/{n}")
    elif kind == "actions":
        for n, e in enumerate(found.array(b.get("elements"), f"{at}/elements", 25)):
            _element(found, e, f"{at}/elements/{n}", ACTION_ELEMENTS)
    elif kind == "input":
        found.text(b.get("label"), f"{at}/label", 2000, plain=True)
        found.optional_text(b.get("hint"), f"{at}/hint", 2000)
        if b.get("element") is None:
            found.add(f"{at}/element", "missing required field")
        else:
            _element(found, b["element"], f"{at}/element", INPUT_ELEMENTS)
    elif kind == "image":
        _element(found, {**b, "type": "image"}, at, {"image"})
        found.optional_text(b.get("title"), f"{at}/title", 2000)
    elif kind == "markdown":
        found.string(b.get("text"), f"{at}/text", 12_000, required=True)
    elif kind == "rich_text":
        found.array(b.get("elements"), f"{at}/elements", 10_000)


def _blocks(found: _Found, blocks: Any, at: str, most: int) -> None:
    seen: set[str] = set()
    for n, b in enumerate(found.array(blocks, at, most, least=0)):
        where = f"{at}/{n}"
        if not isinstance(b, dict):
            found.add(where, "must provide an object")
            continue
        if b.get("type") not in BLOCK_TYPES:
            found.add(f"{where}/type", f"unsupported type: {b.get('type')}")
            continue
        block_id = b.get("block_id")
        found.string(block_id, f"{where}/block_id", 255)
        if isinstance(block_id, str):
            if block_id in seen:
                found.add(f"{where}/block_id", "duplicate block_id")
            seen.add(block_id)
        _block(found, b, where)


def parse_blocks(blocks: Any) -> Any:
    """Blocks as sent: a list, or a JSON string of one (form-encoded calls).  Raises ValueError
    if they aren't a JSON array of objects, which Slack answers `invalid_blocks_format`."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise ValueError("blocks must be an array of objects")
    return blocks


def block_problems(blocks: Any, limit: int = MESSAGE_BLOCKS, at: str = "/blocks") -> list[str]:
    """What Slack would refuse in a list of blocks (a JSON string is parsed first); [] if
    nothing.  `limit` is 50 for a message and 100 for a view."""
    found = _Found()
    try:
        parsed = parse_blocks(blocks)
    except ValueError:
        found.add(at, "must provide an array of objects")
        return found.problems
    _blocks(found, parsed, at, limit)
    return found.problems


def view_problems(view: Any, at: str = "/view") -> list[str]:
    """What Slack would refuse in a modal or App Home view (a JSON string is parsed first)."""
    found = _Found()
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            found.add(at, "must provide an object")
            return found.problems
    if not isinstance(view, dict):
        found.add(at, "must provide an object")
        return found.problems
    kind = view.get("type")
    if kind not in ("modal", "home"):
        found.add(f"{at}/type", "must be one of modal, home")
    if kind == "modal":
        found.text(view.get("title"), f"{at}/title", 24, plain=True)
        for key in ("close", "submit"):
            found.optional_text(view.get(key), f"{at}/{key}", 24)
        has_input = isinstance(view.get("blocks"), list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in view["blocks"]
        )
        if has_input and view.get("submit") is None:
            found.add(f"{at}/submit", "submit is required when an input block is present")
    found.string(view.get("private_metadata"), f"{at}/private_metadata", 3000)
    found.string(view.get("callback_id"), f"{at}/callback_id", 255)
    found.string(view.get("external_id"), f"{at}/external_id", 255)
    if view.get("blocks") is None:
        found.add(f"{at}/blocks", "missing required field")
    else:
        _blocks(found, view["blocks"], f"{at}/blocks", VIEW_BLOCKS)
    return found.problems


def refusal(error: str, problems: list[str]) -> dict[str, Any]:
    """Slack's answer to a call it refuses: the error code and, when there are any, the
    problems both bare (`errors`) and as `[ERROR]` lines in `response_metadata.messages`."""
    answer: dict[str, Any] = {"ok": False, "error": error}
    if problems:
        answer["errors"] = problems
        answer["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in problems]}
    return answer
