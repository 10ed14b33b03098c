"""Chat markup: masked without moving characters, and recorded as entities."""

from __future__ import annotations

from rapport.bot.engine.markup import is_broadcast, mask_markup


def _types(text: str) -> list[tuple[str, str]]:
    masked, entities = mask_markup(text)
    assert len(masked) == len(text)
    return [(e.type, e.value) for e in entities]


def test_slack_tokens() -> None:
    found = _types("<@U024BE7LH> see <#C012AB3CD|general> <!here> <https://x.io/a|my portfolio>")
    assert ("user", "U024BE7LH") in found
    assert ("channel", "general") in found
    assert ("broadcast", "here") in found
    assert ("link", "https://x.io/a") in found


def test_link_labels_stay_readable() -> None:
    masked, _ = mask_markup("see <https://x.io|my portfolio> please")
    assert "my portfolio" in masked and "https" not in masked


def test_discord_tokens() -> None:
    found = _types("@everyone <@123456789012345678> <@&987654321098765432> <:blob:1234>")
    assert ("broadcast", "everyone") in found
    assert ("user", "123456789012345678") in found
    assert ("group", "987654321098765432") in found
    _masked, entities = mask_markup("<@&987654321098765432>")
    assert is_broadcast(entities[0])


def test_code_is_masked_but_a_draft_inside_one_code_block_is_read() -> None:
    masked, entities = mask_markup("use `@here` only for outages")
    assert "@here" not in masked and entities[0].type == "code"
    masked, _ = mask_markup("```\nplease like my page\n```")
    assert "please like my page" in masked


def test_urls_emails_and_shortcodes() -> None:
    found = _types("mail me at a.b@example.com or see https://example.com/x :tada: and www.site.io")
    kinds = [t for t, _ in found]
    assert kinds.count("link") == 2 and "email" in kinds and ("emoji", "tada") in found


def test_times_are_not_emoji() -> None:
    assert _types("meet at 10:30:00 tomorrow") == []
