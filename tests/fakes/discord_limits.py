"""What Discord refuses in a message body, so the fake refuses it too.

The limits are Discord's documented ones: content 2,000 characters; at most 10 embeds, each
with a title of 256, a description of 4,096, 25 fields (name 256, value 1,024, both required),
a footer of 2,048 and an author name of 256, and all embeds together 6,000; at most 5 action
rows of 5 components, custom ids of 100 and button labels of 80 characters; `allowed_mentions`
parsing only roles, users and everyone, never both a type and a list of the same.  Problems
come back in Discord's own shape, the `errors` object of a 400 with code 50035:
`{"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer
in length."}]}}`, nested by field path (`embeds.0.title`).
"""

from __future__ import annotations

from typing import Any

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
ACTION_ROWS = 5
ROW_COMPONENTS = 5
MENTION_TYPES = ("roles", "users", "everyone")
#: Interaction callback types (1 pong, 4 message, 5 deferred message, 6 deferred update,
#: 7 update, 8 autocomplete, 9 modal, 10 premium required, 12 launch activity).
CALLBACK_TYPES = frozenset({1, 4, 5, 6, 7, 8, 9, 10, 12})

Errors = dict[str, Any]


def add_error(errors: Errors, path: tuple[str | int, ...], code: str, message: str) -> None:
    """Put one error at `path` (field names and array indexes) in Discord's nested shape."""
    node = errors
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _too_long(errors: Errors, path: tuple[str | int, ...], value: Any, most: int) -> None:
    if isinstance(value, str | list) and len(value) > most:
        add_error(errors, path, "BASE_TYPE_MAX_LENGTH", f"Must be {most} or fewer in length.")


def _required(errors: Errors, path: tuple[str | int, ...], value: Any) -> bool:
    if value is None or value == "":
        add_error(errors, path, "BASE_TYPE_REQUIRED", "This field is required")
        return False
    return True


def _embeds(errors: Errors, embeds: Any) -> None:
    if not isinstance(embeds, list):
        return
    _too_long(errors, ("embeds",), embeds, EMBEDS)
    total = 0
    for n, e in enumerate(embeds):
        if not isinstance(e, dict):
            continue
        at: tuple[str | int, ...] = ("embeds", n)
        title, desc = e.get("title") or "", e.get("description") or ""
        _too_long(errors, (*at, "title"), title, 256)
        _too_long(errors, (*at, "description"), desc, 4096)
        total += len(title) + len(desc)
        footer, author = e.get("footer"), e.get("author")
        if isinstance(footer, dict) and _required(
            errors, (*at, "footer", "text"), footer.get("text")
        ):
            _too_long(errors, (*at, "footer", "text"), footer["text"], 2048)
            total += len(footer["text"])
        if isinstance(author, dict) and _required(
            errors, (*at, "author", "name"), author.get("name")
        ):
            _too_long(errors, (*at, "author", "name"), author["name"], 256)
            total += len(author["name"])
        fields = e.get("fields") or []
        _too_long(errors, (*at, "fields"), fields, 25)
        for m, f in enumerate(fields):
            name, value = f.get("name"), f.get("value")
            if _required(errors, (*at, "fields", m, "name"), name):
                _too_long(errors, (*at, "fields", m, "name"), name, 256)
                total += len(name)
            if _required(errors, (*at, "fields", m, "value"), value):
                _too_long(errors, (*at, "fields", m, "value"), value, 1024)
                total += len(value)
    if total > EMBED_TOTAL:
        add_error(errors, ("embeds",), "MAX_EMBED_SIZE_EXCEEDED",
             f"Embed size exceeds maximum size of {EMBED_TOTAL}")  # fmt: skip


def _components(errors: Errors, rows: Any) -> None:
    if not isinstance(rows, list):
        return
    _too_long(errors, ("components",), rows, ACTION_ROWS)
    seen: set[str] = set()
    for n, row in enumerate(rows):
        if not isinstance(row, dict) or row.get("type") != 1:
            continue  # components v2 layouts are not checked here
        items = row.get("components") or []
        _too_long(errors, ("components", n, "components"), items, ROW_COMPONENTS)
        if not items:
            add_error(errors, ("components", n, "components"), "BASE_TYPE_BAD_LENGTH",
                 f"Must be between 1 and {ROW_COMPONENTS} in length.")  # fmt: skip
        for m, c in enumerate(items):
            at: tuple[str | int, ...] = ("components", n, "components", m)
            custom_id = c.get("custom_id")
            link = c.get("type") == 2 and c.get("style") in (5, 6)  # link and premium buttons
            if not link and _required(errors, (*at, "custom_id"), custom_id):
                _too_long(errors, (*at, "custom_id"), custom_id, 100)
                if custom_id in seen:
                    add_error(errors, (*at, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED",
                         "Component custom id cannot be duplicated")  # fmt: skip
                seen.add(custom_id)
            if c.get("type") == 2:
                _too_long(errors, (*at, "label"), c.get("label"), 80)
                if c.get("style") == 5 and not c.get("url"):
                    _required(errors, (*at, "url"), None)
            _too_long(errors, (*at, "placeholder"), c.get("placeholder"), 150)
            _too_long(errors, (*at, "options"), c.get("options"), 25)


def _allowed_mentions(errors: Errors, mentions: Any) -> None:
    if not isinstance(mentions, dict):
        return
    parse = mentions.get("parse") or []
    for n, kind in enumerate(parse):
        if kind not in MENTION_TYPES:
            add_error(errors, ("allowed_mentions", "parse", n), "ENUM_TYPE_COERCE",
                 f'Value "{kind}" is not a valid enum value.')  # fmt: skip
    for kind in ("users", "roles"):
        listed = mentions.get(kind) or []
        _too_long(errors, ("allowed_mentions", kind), listed, 100)
        if listed and kind in parse:
            add_error(errors, ("allowed_mentions",), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                 f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.')  # fmt: skip


def message_errors(body: Any) -> Errors:
    """Discord's `errors` object for a message body (content, embeds, components,
    allowed_mentions); {} when Discord would take it."""
    errors: Errors = {}
    if not isinstance(body, dict):
        return errors
    _too_long(errors, ("content",), body.get("content"), CONTENT)
    _embeds(errors, body.get("embeds"))
    _components(errors, body.get("components"))
    _allowed_mentions(errors, body.get("allowed_mentions"))
    return errors


def is_empty(body: Any) -> bool:
    """Whether a new message would show nothing, which Discord refuses (code 50006)."""
    if not isinstance(body, dict):
        return True
    shown = ("content", "embeds", "components", "sticker_ids", "attachments", "poll", "files")
    return not any(body.get(key) for key in shown)


def flatten(errors: Errors, path: str = "") -> list[str]:
    """The errors as lines, `embeds.0.title: Must be 256 or fewer in length.`, as discord.py
    prints them."""
    lines = []
    for key, value in errors.items():
        if key == "_errors":
            lines += [f"{path or 'body'}: {e['message']}" for e in value]
        else:
            lines += flatten(value, f"{path}.{key}" if path else key)
    return lines


def message_problems(body: Any) -> list[str]:
    """Everything Discord would refuse in a new message, as readable lines ([] if nothing)."""
    problems = flatten(message_errors(body))
    if is_empty(body):
        problems.append("Cannot send an empty message")
    return problems


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    """The body of Discord's 400 for a request that breaks its limits."""
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


EMPTY_MESSAGE = {"message": "Cannot send an empty message", "code": 50006}
