"""The fakes' platform rules: what Slack refuses in Block Kit and Discord in a message body.

Each limit is tested on both sides of its edge (the documented maximum passes, one more is
refused), and rapport's own Block Kit and embeds pass, so the fakes are neither looser nor
stricter than the platforms on what rapport sends.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.blockkit import block_problems, refusal, view_problems
from tests.fakes.discord_limits import (
    flatten,
    invalid_form_body,
    is_empty,
    message_errors,
    message_problems,
)


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(label: str = "Go", action_id: str = "a", value: str = "v") -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": label},
            "action_id": action_id, "value": value}  # fmt: skip


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


# -- Slack: blocks -----------------------------------------------------------------------------


def test_a_section_takes_3000_characters_and_refuses_3001_with_slacks_pointer() -> None:
    assert block_problems([section("x" * 3000)]) == []
    assert block_problems([section("x" * 3001)]) == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_a_message_takes_50_blocks_and_a_view_100() -> None:
    assert block_problems([section("hi")] * 50) == []
    assert block_problems([section("hi")] * 51) == [
        "no more than 50 items allowed [json-pointer:/blocks]"
    ]
    assert block_problems([section("hi")] * 100, limit=100) == []
    assert block_problems([section("hi")] * 101, limit=100) != []


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ({"type": "section"}, "/blocks/0/text"),  # neither text nor fields
        ({"type": "sektion", "text": {"type": "mrkdwn", "text": "hi"}}, "/blocks/0/type"),
        (section(""), "/blocks/0/text/text"),  # text objects need a character
        ({"type": "section", "text": {"type": "markdown", "text": "hi"}}, "/blocks/0/text/type"),
        ({"type": "section", "text": "hi"}, "/blocks/0/text"),  # a string isn't a text object
        ({"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}, "/blocks/0/fields"),
        ({"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
         "/blocks/0/fields/0/text"),
        ({"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}, "/blocks/0/text/text"),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "h"}}, "/blocks/0/text/type"),
        ({"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}, "/blocks/0/elements"),
        ({"type": "context", "elements": []}, "/blocks/0/elements"),
        (actions(*[button(action_id=f"a{n}") for n in range(26)]), "/blocks/0/elements"),
        (actions(button(label="b" * 76)), "/blocks/0/elements/0/text/text"),
        (actions(button(action_id="a" * 256)), "/blocks/0/elements/0/action_id"),
        (actions(button(value="v" * 2001)), "/blocks/0/elements/0/value"),
        (actions({**button(), "style": "green"}), "/blocks/0/elements/0/style"),
        (actions({"type": "plain_text_input", "action_id": "i"}), "/blocks/0/elements/0/type"),
        (section("hi", block_id="b" * 256), "/blocks/0/block_id"),
        ({"type": "input", "label": {"type": "plain_text", "text": "L"}}, "/blocks/0/element"),
        ({"type": "image", "image_url": "https://example.com/a.png"}, "/blocks/0/alt_text"),
    ],
)  # fmt: skip
def test_slack_refuses_each_broken_block_at_its_field(block: dict[str, Any], pointer: str) -> None:
    problems = block_problems([block])
    assert problems, block
    assert any(p.endswith(f"[json-pointer:{pointer}]") for p in problems), problems


def test_block_ids_are_unique_within_a_message() -> None:
    assert block_problems([section("a", block_id="x"), section("b", block_id="y")]) == []
    assert block_problems([section("a", block_id="x"), section("b", block_id="x")]) == [
        "duplicate block_id [json-pointer:/blocks/1/block_id]"
    ]


def test_blocks_sent_form_encoded_are_parsed_and_must_be_an_array_of_objects() -> None:
    assert block_problems(json.dumps([section("hi")])) == []
    assert block_problems("{not json") == [
        "must provide an array of objects [json-pointer:/blocks]"
    ]
    assert block_problems(json.dumps({"type": "section"})) != []


def test_a_good_message_with_every_kind_of_block_passes() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150, "emoji": True}},
        section("s" * 3000, block_id="b" * 255, accessory=button()),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        actions(*[button("b" * 75, f"a{n}", "v" * 2000) for n in range(25)]),
        {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a"},
    ]
    assert block_problems(blocks) == []


# -- Slack: views ------------------------------------------------------------------------------


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Check a draft"},
            "blocks": [section("hi")], **extra}  # fmt: skip


def test_a_modal_title_takes_24_characters() -> None:
    assert view_problems(modal(title={"type": "plain_text", "text": "t" * 24})) == []
    assert view_problems(modal(title={"type": "plain_text", "text": "t" * 25})) == [
        "must be less than 25 characters [json-pointer:/view/title/text]"
    ]


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title=None), "/view/title"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (modal(blocks=[section("hi")] * 101), "/view/blocks"),
        (modal(close={"type": "plain_text", "text": "c" * 25}), "/view/close/text"),
        (modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "L"},
                        "element": {"type": "plain_text_input", "action_id": "i"}}]), "/view/submit"),
        ({"type": "page", "blocks": []}, "/view/type"),
    ],
)  # fmt: skip
def test_slack_refuses_each_broken_view_at_its_field(view: dict[str, Any], pointer: str) -> None:
    problems = view_problems(view)
    assert any(p.endswith(f"[json-pointer:{pointer}]") for p in problems), problems


def test_rapports_own_block_kit_passes() -> None:
    from rapport.adapters.slack.blocks import home_view, modal_view, result_view

    assert view_problems(modal_view("Hi Dana, could you endorse me?")) == []
    assert view_problems(result_view(None)) == []
    assert view_problems(home_view(["Your ledger", "x" * 7000], ())) == []


def test_a_refusal_reads_as_slacks() -> None:
    assert refusal("invalid_blocks", ["no more than 50 items allowed [json-pointer:/blocks]"]) == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": ["no more than 50 items allowed [json-pointer:/blocks]"],
        "response_metadata": {
            "messages": ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]
        },
    }
    assert refusal("msg_too_long", []) == {"ok": False, "error": "msg_too_long"}


# -- Discord -----------------------------------------------------------------------------------


def embed(**fields: Any) -> dict[str, Any]:
    return {"title": "Request for an endorsement", "description": "d", **fields}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def dbutton(custom_id: str = "c", label: str = "Rewrite") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


def test_content_takes_2000_characters_and_refuses_more_in_discords_shape() -> None:
    assert message_errors({"content": "x" * 2000}) == {}
    assert message_errors({"content": "x" * 2001}) == {
        "content": {
            "_errors": [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
            ]
        }
    }
    assert invalid_form_body({})["code"] == 50035


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"embeds": [embed()] * 11}, "embeds: Must be 10 or fewer in length."),
        ({"embeds": [embed(title="t" * 257)]}, "embeds.0.title: Must be 256 or fewer in length."),
        ({"embeds": [embed(description="d" * 4097)]},
         "embeds.0.description: Must be 4096 or fewer in length."),
        ({"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
         "embeds.0.fields: Must be 25 or fewer in length."),
        ({"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
         "embeds.0.fields.0.value: Must be 1024 or fewer in length."),
        ({"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
         "embeds.0.fields.0.name: Must be 256 or fewer in length."),
        ({"embeds": [embed(fields=[{"name": "", "value": "v"}])]},
         "embeds.0.fields.0.name: This field is required"),
        ({"embeds": [embed(footer={"text": "f" * 2049})]},
         "embeds.0.footer.text: Must be 2048 or fewer in length."),
        ({"embeds": [embed(author={"name": "a" * 257})]},
         "embeds.0.author.name: Must be 256 or fewer in length."),
        ({"embeds": [embed(description="d" * 4000), embed(description="d" * 2000)]},
         "embeds: Embed size exceeds maximum size of 6000"),
        ({"components": [row(dbutton(f"c{n}")) for n in range(6)]},
         "components: Must be 5 or fewer in length."),
        ({"components": [row(*[dbutton(f"c{n}") for n in range(6)])]},
         "components.0.components: Must be 5 or fewer in length."),
        ({"components": [row(dbutton("c" * 101))]},
         "components.0.components.0.custom_id: Must be 100 or fewer in length."),
        ({"components": [row(dbutton(label="l" * 81))]},
         "components.0.components.0.label: Must be 80 or fewer in length."),
        ({"components": [row(dbutton("same"), dbutton("same"))]},
         "components.0.components.1.custom_id: Component custom id cannot be duplicated"),
        ({"components": [row({"type": 2, "style": 1, "label": "x"})]},
         "components.0.components.0.custom_id: This field is required"),
        ({"content": "hi", "allowed_mentions": {"parse": ["nobody"]}},
         'allowed_mentions.parse.0: Value "nobody" is not a valid enum value.'),
        ({"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
         'allowed_mentions: parse:["users"] and users: [ids] are mutually exclusive.'),
        ({"content": "hi", "allowed_mentions": {"users": [str(n) for n in range(101)]}},
         "allowed_mentions.users: Must be 100 or fewer in length."),
    ],
)  # fmt: skip
def test_discord_refuses_each_broken_body_at_its_field(body: dict[str, Any], where: str) -> None:
    assert where in flatten(message_errors(body))


def test_a_full_but_legal_message_passes() -> None:
    fields = [{"name": "n" * 10, "value": "v" * 100, "inline": True}] * 25
    body = {
        "content": "c" * 2000,
        "embeds": [embed(title="t" * 256, description="d" * 1000, fields=fields,
                         footer={"text": "f" * 100}, author={"name": "rapport"})],
        "components": [row(*[dbutton(f"{r}:{n}", "l" * 80) for n in range(5)]) for r in range(5)],
        "allowed_mentions": {"parse": []},
        "flags": 64,
    }  # fmt: skip
    assert message_problems(body) == []


def test_an_empty_message_is_refused_but_any_content_will_do() -> None:
    assert is_empty({}) and is_empty({"content": "", "embeds": []})
    assert message_problems({"allowed_mentions": {"parse": []}}) == ["Cannot send an empty message"]
    assert not is_empty({"embeds": [embed()]}) and not is_empty({"content": "hi"})
    assert not is_empty({"components": [row(dbutton())]})
