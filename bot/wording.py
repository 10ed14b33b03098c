"""rapport's words, from `templates/coach/messages.toml` (the coach) and `templates/chat.toml`
(Slack and Discord outside a session, under the key `chat.`): jinja2 strings, compiled once."""

from __future__ import annotations

from functools import cache
from typing import Any

from rapport.bot.recache import load_toml
from rapport.bot.resources import templates_dir

__all__ = ["VERBATIM", "has", "say"]

#: The start of a line that quotes the user's own words (a saved message): shown as kept, never
#: read for markup.
VERBATIM = "  │ "


@cache
def _messages() -> dict[str, Any]:
    # parsed once per content (load_toml): even a one-shot check says a line ("chat.clean")
    words = dict(load_toml(templates_dir() / "coach" / "messages.toml"))
    words["chat"] = load_toml(templates_dir() / "chat.toml")
    return words


@cache
def _template(key: str) -> Any:
    node: Any = _messages()
    for part in key.split("."):
        node = node[part]
    text = str(node)
    if "{" not in text:
        return text  # plain words: no need to load jinja2 (a one-shot check stays quick)
    import jinja2

    env = jinja2.Environment(autoescape=False, undefined=jinja2.ChainableUndefined)
    return env.from_string(text)


def say(key: str, **values: Any) -> str:
    """The coach's line `key` ("questions.relationship"), filled in with `values`."""
    template = _template(key)
    if isinstance(template, str):
        return template.strip()
    return str(template.render(**values)).strip()


def has(key: str) -> bool:
    """True when the wording file has this line."""
    node: Any = _messages()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, str)
