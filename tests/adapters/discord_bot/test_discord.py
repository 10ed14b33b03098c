"""rapport's real discord.py bot against a fake Discord on 127.0.0.1 (tests/fakes/discord.py).

The client logs in for real (REST redirected to the fake), interactions and DMs are fed to
discord.py's own gateway parsers, and every request discord.py builds (callbacks, followups,
DMs, command sync) is recorded by the fake, which refuses bodies that break Discord's limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

from rapport.adapters.discord_bot.bot import DiscordSettings, build_client
from rapport.bot.config import ConfigError
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import UserRef, open_store
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_payloads import (
    APP_ID,
    BOT_ID,
    GUILD,
    MANAGE_GUILD,
    MANAGER,
    USER,
    dm_of,
    interaction,
    message,
    user,
)

ASK = "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!"


@dataclass
class Bot:
    fake: FakeDiscord
    client: discord.Client
    rapport: Rapport
    db: Path

    async def interact(self, raw: dict[str, Any]) -> None:
        self.client._connection.parse_interaction_create(raw)

    async def answer(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Send an interaction and return the followup that answers it (after a defer)."""
        n = len(self.fake.bodies("/webhooks/"))
        await self.interact(raw)
        return (await self.fake.wait_for("/webhooks/", n + 1))[-1]

    async def dm(self, text: str, uid: str = USER) -> dict[str, Any]:
        n = len(self.fake.bodies(f"/channels/{dm_of(uid)}/messages"))
        self.client._connection.parse_message_create(message(text, user(uid), channel=dm_of(uid)))
        return (await self.fake.wait_for(f"/channels/{dm_of(uid)}/messages", n + 1))[-1]


async def make_bot(fake: FakeDiscord, db: Path, **settings: Any) -> tuple[discord.Client, Rapport]:
    rapport = Rapport(await open_store(f"sqlite:///{db}"))
    client = build_client(rapport, DiscordSettings(token="x", **settings))
    await client.login("x")  # REST login: users/@me, the application, setup_hook (sync, buttons)
    return client, rapport


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    fake = await FakeDiscord(tokens={"x"}).start()
    saved = discord.http.Route.BASE
    discord.http.Route.BASE = fake.url + "/api/v10"
    db = tmp_path / "discord.db"
    client, rapport = await make_bot(fake, db)
    try:
        yield Bot(fake, client, rapport, db)
    finally:
        await client.close()
        await rapport.close()
        discord.http.Route.BASE = saved
        await fake.stop()


def opt(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value}


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def buttons(body: dict[str, Any]) -> dict[str, str]:
    """label → custom_id of the buttons on a message."""
    return {
        c["label"]: c["custom_id"]
        for row in body.get("components") or []
        for c in row["components"]
    }


def shown(reply: dict[str, Any], channel: str | None = None) -> dict[str, Any]:
    """The message Discord shows for a reply (what a click's payload carries back)."""
    extra = {"channel": channel} if channel else {}
    return message(reply.get("content") or "", user(BOT_ID, "rapport", True), embeds=reply.get("embeds") or [],
                   components=reply.get("components") or [], flags=reply.get("flags", 0), **extra)  # fmt: skip


def click(
    reply: dict[str, Any], label: str, in_guild: bool = True, channel: str | None = None
) -> dict[str, Any]:
    """A click on the button `label` of a reply."""
    data = {"custom_id": buttons(reply)[label], "component_type": 2}
    return interaction(kind=3, data=data, in_guild=in_guild, message_obj=shown(reply, channel))


def ephemeral_defer(fake: FakeDiscord) -> None:
    callback = fake.bodies("/interactions/")[-1]
    assert callback == {"type": 5, "data": {"flags": 64}}


# -- subcommands ------------------------------------------------------------------------------------


async def test_check_in_a_server_is_ephemeral_with_embeds_and_buttons(bot: Bot) -> None:
    reply = await bot.answer(
        interaction("check", [opt("draft", "Hi, please endorse me for Python. Need it by Friday!")])
    )
    ephemeral_defer(bot.fake)
    assert reply["flags"] & 64
    assert reply["allowed_mentions"] == {"parse": []}
    text = text_of(reply)
    assert "Request for an endorsement" in text and "cold-ask" in text
    assert "Credibility" in text and "**Why:**" in text and "**Fix:**" in text
    labels = buttons(reply)
    assert set(labels) == {"Suggest a rewrite", "Coach me in DM", "Why these rules?"}
    assert all(cid.startswith("rapport:") for cid in labels.values())
    assert any(e.get("title") == "rapport:draft" for e in reply["embeds"])  # the buttons' draft


async def test_work_carries_the_interaction_id_for_logs(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.bot.service.logs import request_id

    seen: list[str] = []
    real = bot.rapport.check

    async def check(*args: Any, **kwargs: Any) -> Any:
        seen.append(request_id.get())
        return await real(*args, **kwargs)

    monkeypatch.setattr(bot.rapport, "check", check)
    raw = interaction("check", [opt("draft", ASK)])
    await bot.answer(raw)
    assert seen == [f"discord-{raw['id']}"]


async def test_rewrite_help_ledger_and_unknown(bot: Bot) -> None:
    reply = await bot.answer(interaction("rewrite", [opt("draft", ASK)]))
    assert "```" in text_of(reply)
    reply = await bot.answer(interaction("help"))
    assert "/rapport check" in reply["content"]
    reply = await bot.answer(interaction("ledger"))
    assert "ledger is empty" in reply["content"]


async def test_ledger_commands_with_members(bot: Bot) -> None:
    dana = "600000000000000009"
    resolved = {"users": {dana: user(dana, "dana")}}
    raw = interaction("know", [opt("user", dana, 6), opt("how", "we ran the Atlas launch at Acme")])
    raw["data"]["resolved"] = resolved
    reply = await bot.answer(raw)
    assert "you know Dana" in reply["content"]
    raw = interaction("received", [opt("user", dana, 6), opt("solicited", "unsolicited")])
    raw["data"]["resolved"] = resolved
    reply = await bot.answer(raw)
    assert "unprompted" in reply["content"]
    reply = await bot.answer(interaction("ledger"))
    assert (
        "Dana: we ran the Atlas launch" in reply["content"]
        and "Waiting for you" in reply["content"]
    )
    # the server's ledger is its own: a DM (or another server) sees none of it
    reply = await bot.answer(interaction("ledger", in_guild=False))
    assert "ledger is empty" in reply["content"]
    # a check greeting that member by mention knows the relationship
    reply = await bot.answer(
        interaction(
            "check", [opt("draft", f"Hi <@{dana}>, could you endorse me for Python? Thanks!")]
        )
    )
    assert "cold-ask" not in text_of(reply)


async def test_received_stores_the_choice_and_the_note_as_given(bot: Bot) -> None:
    """The picker's choice is the flag and the note is stored as typed, even when the note
    has a word the text parser would have taken for the flag."""
    sam = "600000000000000011"
    raw = interaction("received", [opt("user", sam, 6), opt("solicited", "solicited"),
                                   opt("note", "unsolicited advice on my CV")])  # fmt: skip
    raw["data"]["resolved"] = {"users": {sam: user(sam, "sam")}}
    reply = await bot.answer(raw)
    assert "unprompted" not in reply["content"]
    (entry,) = await bot.rapport.store.endorsements(UserRef("discord", GUILD, USER))
    assert entry.solicited is True and entry.note == "unsolicited advice on my CV"
    assert entry.other.key == sam
    reply = await bot.answer(interaction("ledger"))
    assert "Waiting for you" not in reply["content"]


async def test_a_state_change_is_stored_before_its_ack(bot: Bot, monkeypatch: Any) -> None:
    """The defer is Discord's ack: when it goes out, the endorsement is already stored; a check
    (nothing to store) is acknowledged first, as before."""
    acks_when_stored: list[int] = []
    store = bot.rapport.store
    real = store.add_endorsement

    async def add_endorsement(*args: Any, **kwargs: Any) -> int:
        row = await real(*args, **kwargs)
        acks_when_stored.append(len(bot.fake.bodies("/interactions/")))
        return row

    monkeypatch.setattr(store, "add_endorsement", add_endorsement)
    dana = "600000000000000013"
    before = len(bot.fake.bodies("/interactions/"))
    raw = interaction("gave", [opt("user", dana, 6), opt("note", "SQL")])
    raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}
    reply = await bot.answer(raw)
    assert "you endorsed" in reply["content"]
    assert acks_when_stored == [before]  # stored while no ack had been sent yet
    assert bot.fake.bodies("/interactions/")[-1] == {"type": 5, "data": {"flags": 64}}


async def test_a_state_change_takes_no_work_slot(bot: Bot) -> None:
    """With every work slot held by slow checks, a `gave` is still stored and acknowledged."""
    adapter = bot.client.rapport_adapter  # type: ignore[attr-defined]
    held = [adapter.work._slots.acquire() for _ in range(adapter.work._slots._value)]
    await asyncio.gather(*held)
    try:
        dana = "600000000000000014"
        raw = interaction("gave", [opt("user", dana, 6)])
        raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}
        reply = await asyncio.wait_for(bot.answer(raw), 10)
        assert "you endorsed" in reply["content"]
    finally:
        for _ in held:
            adapter.work._slots.release()


async def test_ledger_forget_remember_and_saved_from_options(bot: Bot) -> None:
    dana = "600000000000000012"
    raw = interaction("gave", [opt("user", dana, 6), opt("note", "SQL")])
    raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}
    await bot.answer(raw)
    reply = await bot.answer(interaction("ledger", [opt("forget", "dana")]))
    assert "Deleted 1 entry about Dana" in reply["content"]
    reply = await bot.answer(interaction("remember"))
    assert "don't keep your messages" in reply["content"]
    choice = interaction("remember", [opt("state", "on")])
    assert "keep the messages" in (await bot.answer(choice))["content"]
    reply = await bot.answer(interaction("saved"))
    assert "no finished messages yet" in reply["content"]
    reply = await bot.answer(interaction("saved", [opt("delete", 7, 4)]))
    assert "no saved message #7" in reply["content"]


async def test_coach_opens_a_dm(bot: Bot) -> None:
    reply = await bot.answer(interaction("coach"))
    assert "opened a coaching session" in reply["content"]
    opened = bot.fake.bodies("/users/@me/channels")
    assert [str(o["recipient_id"]) for o in opened] == [USER]
    dm = (await bot.fake.wait_for(f"/channels/{dm_of(USER)}/messages"))[-1]
    assert "What would you like to do?" in dm["content"]
    assert dm["allowed_mentions"] == {"parse": []}
    assert any(cid.startswith("rapport:say:") for cid in buttons(dm).values())


async def test_forget_asks_then_deletes(bot: Bot) -> None:
    await bot.answer(
        interaction("know", [opt("user", "600000000000000009", 6), opt("how", "we worked at Acme")])
    )
    reply = await bot.answer(interaction("forget"))
    ids = buttons(reply)
    assert set(ids) == {"Yes, delete everything", "Keep it"}
    reply = await bot.answer(click(reply, "Yes, delete everything"))
    assert "records deleted" in reply["content"]


async def test_subcommands_in_a_dm(bot: Bot) -> None:
    reply = await bot.answer(interaction("check", [opt("draft", ASK)], in_guild=False))
    assert "Request for an endorsement" in text_of(reply)
    reply = await bot.answer(interaction("config", [], in_guild=False))
    assert "Only members who can manage this server" in reply["content"]


async def test_config_by_a_manager_and_refusal_for_a_member(bot: Bot) -> None:
    reply = await bot.answer(interaction("config", [opt("change", "off cold-ask")]))
    assert "Only members who can manage this server" in reply["content"]
    reply = await bot.answer(
        interaction(
            "config", [opt("change", "off cold-ask")], uid=MANAGER, permissions=MANAGE_GUILD
        )
    )
    assert "off: cold-ask" in reply["content"]
    reply = await bot.answer(
        interaction("check", [opt("draft", "Hi, please endorse me for Python.")])
    )
    assert "cold-ask" not in text_of(reply)


# -- context menu, modal, buttons -------------------------------------------------------------------


async def test_context_menu_checks_any_message(bot: Bot) -> None:
    target = message(
        "@everyone please like and share my new page!!", user("600000000000000008", "lee")
    )
    data = {"id": "2", "name": "Check etiquette", "type": 3, "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}}}  # fmt: skip
    reply = await bot.answer(interaction(data=data))
    assert "A message to many" in text_of(reply)
    assert reply["allowed_mentions"] == {"parse": []}


async def test_check_without_a_draft_opens_the_modal_and_submit_checks(bot: Bot) -> None:
    await bot.interact(interaction("check"))
    callback = (await bot.fake.wait_for("/interactions/"))[-1]
    assert callback["type"] == 9 and callback["data"]["custom_id"] == "rapport:modal"
    field = callback["data"]["components"][0]["components"][0]
    assert field["max_length"] == 4000 and field["style"] == 2
    submit = interaction(kind=5, data={"custom_id": "rapport:modal", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": field["custom_id"], "value": ASK}]}]})  # fmt: skip
    reply = await bot.answer(submit)
    assert "Request for an endorsement" in text_of(reply)


async def test_a_4000_character_draft_fits_discord(bot: Bot) -> None:
    sentence = (
        "Hi all, @everyone please endorse me for Python and share my page with <@123> today. "
    )
    draft = (sentence * 60)[:4000]
    await bot.interact(interaction("check"))
    callback = (await bot.fake.wait_for("/interactions/"))[-1]
    field = callback["data"]["components"][0]["components"][0]
    submit = interaction(kind=5, data={"custom_id": "rapport:modal", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": field["custom_id"], "value": draft}]}]})  # fmt: skip
    reply = await bot.answer(submit)
    assert reply["embeds"] and "```" in text_of(reply)  # too long for buttons: rewritten at once
    reply = await bot.answer(interaction("rewrite", [opt("draft", draft)]))
    assert reply["embeds"]


async def test_buttons_work_before_and_after_a_restart(bot: Bot, tmp_path: Path) -> None:
    reply = await bot.answer(interaction("check", [opt("draft", ASK)]))
    rewritten = await bot.answer(click(reply, "Suggest a rewrite"))
    assert "```" in text_of(rewritten)
    # restart: a new client and service over the same database
    client, rapport = await make_bot(bot.fake, bot.db)
    try:
        n = len(bot.fake.bodies("/webhooks/"))
        client._connection.parse_interaction_create(click(reply, "Why these rules?"))
        why = (await bot.fake.wait_for("/webhooks/", n + 1))[-1]
        assert "Why these rules?" in why["content"]
        client._connection.parse_interaction_create(click(reply, "Suggest a rewrite"))
        rewritten = (await bot.fake.wait_for("/webhooks/", n + 2))[-1]
        assert "```" in text_of(rewritten)
    finally:
        await client.close()
        await rapport.close()


async def test_answers_with_buttons_leave_nothing_in_the_view_store(bot: Bot) -> None:
    store = bot.client._connection._view_store
    before = len(store.persistent_views)
    for _ in range(3):
        reply = await bot.answer(interaction("check", [opt("draft", ASK)]))
        assert "Suggest a rewrite" in buttons(reply)  # the buttons still go out
    reply = await bot.dm("hi")
    assert buttons(reply)  # the coach's choices too
    assert len(store.persistent_views) == before  # no per-message entry kept forever
    assert all(key is None for key in store._views)  # only message-less (setup) entries


# -- DMs --------------------------------------------------------------------------------------------


async def test_full_dm_coaching_session(bot: Bot) -> None:
    script = [
        ("hi", "What would you like to do?"),
        ("1", "Who is it for?"),
        ("Dana", "How do you know Dana first-hand?"),
        (
            "we worked together at Acme for 2 years on the Atlas launch",
            "endorsed or recommended Dana",
        ),
        (
            "yes, I recommended her for the lead role last month",
            "What exactly would you like Dana to do?",
        ),
        ("endorse me for Python", None),
    ]
    for text, expect in script:
        reply = await bot.dm(text)
        assert reply["allowed_mentions"] == {"parse": []}
        if expect:
            assert expect in reply["content"], (text, reply["content"])
    assert "Acme" in text_of(reply)
    reply = await bot.dm("done")
    assert "note this in your ledger" in reply["content"]
    # answer with the button
    n = len(bot.fake.bodies(f"/channels/{dm_of(USER)}/messages"))
    await bot.interact(click(reply, "No", in_guild=False, channel=dm_of(USER)))
    done = (await bot.fake.wait_for(f"/channels/{dm_of(USER)}/messages", n + 1))[-1]
    assert "Done" in done["content"]


async def test_bots_and_server_messages_are_ignored(bot: Bot) -> None:
    bot.client._connection.parse_message_create(
        message("hi", user("600000000000000007", "otherbot", bot=True), channel=dm_of(USER))
    )
    bot.client._connection.parse_message_create(
        message("hi", user(BOT_ID, "rapport", bot=True), channel=dm_of(USER))
    )
    bot.client._connection.parse_message_create(message("hi", guild_id=GUILD))
    await asyncio.sleep(0.3)
    assert not [c for c in bot.fake.calls if c.path.endswith("/messages")]


async def test_pings_are_neutralised_everywhere(bot: Bot) -> None:
    draft = "@everyone @here <@123> <@&456> please endorse me for Python!"
    await bot.answer(interaction("check", [opt("draft", draft)]))
    await bot.answer(interaction("rewrite", [opt("draft", draft)]))
    await bot.dm(draft)
    for body in bot.fake.sent():
        if isinstance(body, dict) and "type" in body and "data" in body:
            body = body["data"]
        if body.get("content") or body.get("embeds"):
            assert body.get("allowed_mentions") == {"parse": []}, body


async def test_rate_limit_is_a_friendly_cooldown(bot: Bot) -> None:
    for _ in range(8):
        await bot.answer(interaction("help"))
    await bot.interact(interaction("help"))
    callback = (await bot.fake.wait_for("/interactions/", 9))[-1]
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    assert "a little fast" in callback["data"]["content"]


# -- registration and the gateway --------------------------------------------------------------------


async def test_tree_sync_sends_the_command_schema(bot: Bot) -> None:
    synced = bot.fake.bodies(f"/applications/{APP_ID}/commands", "PUT")[-1]
    by_name = {c["name"]: c for c in synced}
    assert set(by_name) == {"rapport", "Check etiquette", "rapport-config"}
    assert by_name["Check etiquette"]["type"] == 3
    settings = by_name["rapport-config"]
    assert int(settings["default_member_permissions"]) == MANAGE_GUILD  # hidden from members
    assert settings["contexts"] == [0] or settings.get("dm_permission") is False  # servers only
    options = {o["name"]: o for o in settings["options"]}
    assert {c["value"] for c in options["action"]["choices"]} == {
        "show",
        "off",
        "on",
        "severity",
        "sensitivity",
        "reset",
    }
    assert {c["value"] for c in options["sensitivity"]["choices"]} == {
        "quiet",
        "balanced",
        "strict",
    }
    assert "cold-ask" in {c["value"] for c in options["rule"]["choices"]}
    assert all(o["description"] for o in options.values())
    subs = {o["name"]: o for o in by_name["rapport"]["options"]}
    assert set(subs) == {
        "check",
        "rewrite",
        "coach",
        "gave",
        "received",
        "know",
        "ledger",
        "forget",
        "help",
        "why",
        "config",
        "remember",
        "saved",
    }
    assert all(o["description"] for o in subs.values())
    for sub in subs.values():  # Discord's UI explains every parameter
        assert all(p["description"] and p["description"] != "…" for p in sub.get("options", []))
    assert len(subs["why"]["options"][0]["choices"]) == 12
    gave = {o["name"]: o for o in subs["gave"]["options"]}
    assert gave["user"]["type"] == 6 and gave["user"]["required"]
    received = {o["name"]: o for o in subs["received"]["options"]}
    assert {c["value"] for c in received["solicited"]["choices"]} == {"solicited", "unsolicited"}


async def test_guild_sync_when_a_test_server_is_set(tmp_path: Path) -> None:
    fake = await FakeDiscord(tokens={"x"}).start()
    saved = discord.http.Route.BASE
    discord.http.Route.BASE = fake.url + "/api/v10"
    try:
        client, rapport = await make_bot(fake, tmp_path / "g.db", guild=int(GUILD))
        assert fake.bodies(f"/applications/{APP_ID}/guilds/{GUILD}/commands", "PUT")
        await client.close()
        await rapport.close()
    finally:
        discord.http.Route.BASE = saved
        await fake.stop()


@contextlib.asynccontextmanager
async def on_the_gateway(
    tmp_path: Path, **settings: Any
) -> AsyncIterator[tuple[FakeDiscord, discord.Client]]:
    """rapport's client started for real (`client.start`) against the fake REST and gateway,
    which sends one `/rapport help` interaction after READY."""
    fake = await FakeDiscord(tokens={"gw-token"}).start()
    saved_base, saved_gw = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.url + "/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        fake.url.replace("http", "ws") + "/gw"
    )
    fake.gateway_frames.append({"t": "INTERACTION_CREATE", "d": interaction("help")})
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 'gw.db'}"))
    client = build_client(rapport, DiscordSettings(token="gw-token", **settings))

    async def no_identify_pause(shard_id: int | None, *, initial: bool = False) -> None:
        """Discord's 5 s between shards' IDENTIFY, skipped against the fake."""

    client.before_identify_hook = no_identify_pause  # type: ignore[method-assign]
    task = asyncio.ensure_future(client.start("gw-token"))
    try:
        yield fake, client
    finally:
        await client.close()
        task.cancel()
        await rapport.close()
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gw
        await fake.stop()


async def test_client_start_against_the_fake_gateway(tmp_path: Path) -> None:
    async with on_the_gateway(tmp_path) as (fake, _):
        reply = (await fake.wait_for("/webhooks/", 1, timeout=20))[-1]
        assert "/rapport check" in reply["content"]
        assert fake.identify[0]["d"]["token"] == "gw-token"
        intents = discord.Intents._from_value(fake.identify[0]["d"]["intents"])
        assert intents.dm_messages and intents.guilds and not intents.message_content


async def test_sharded_client_identifies_every_shard_and_answers(tmp_path: Path) -> None:
    async with on_the_gateway(tmp_path, shards=2) as (fake, client):
        assert isinstance(client, discord.AutoShardedClient)
        reply = (await fake.wait_for("/webhooks/", 1, timeout=20))[-1]
        assert "/rapport check" in reply["content"]
        for _ in range(100):
            if len(fake.identify) >= 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(tuple(i["d"]["shard"]) for i in fake.identify) == [(0, 2), (1, 2)]


async def test_a_process_runs_only_its_own_shards(tmp_path: Path) -> None:
    from rapport.adapters.discord_bot.serve import settings_from_env

    env = {"DISCORD_TOKEN": "t", "RAPPORT_DISCORD_SHARDS": "4", "RAPPORT_DISCORD_SHARD_IDS": "3, 1"}
    settings = settings_from_env(env)
    assert settings.shards == 4 and settings.shard_ids == (1, 3)
    async with on_the_gateway(tmp_path, shards=4, shard_ids=(1, 3)) as (fake, _):
        for _ in range(100):
            if len(fake.identify) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert sorted(tuple(i["d"]["shard"]) for i in fake.identify) == [(1, 4), (3, 4)]
    for bad in ({"RAPPORT_DISCORD_SHARD_IDS": "0"}, {**env, "RAPPORT_DISCORD_SHARD_IDS": "4"},
                {**env, "RAPPORT_DISCORD_SHARD_IDS": "one"}):  # fmt: skip
        with pytest.raises(ConfigError, match="RAPPORT_DISCORD_SHARD_IDS"):
            settings_from_env({"DISCORD_TOKEN": "t", **bad})


async def test_shutdown_waits_for_deferred_work(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    release = asyncio.Event()
    real = bot.rapport.check

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(bot.rapport, "check", slow)
    await bot.interact(interaction("check", [opt("draft", ASK)]))
    await bot.fake.wait_for("/interactions/")  # deferred at once
    adapter = bot.client.rapport_adapter  # type: ignore[attr-defined]
    assert not await adapter.drain(0.2)
    release.set()
    assert await adapter.drain(5)
    assert (await bot.fake.wait_for("/webhooks/"))[-1]["embeds"]


# -- review fixes: modals, buttons, long answers, mentions, cooldowns -------------------------------


def modal_submit(draft: str, uid: str = USER) -> dict[str, Any]:
    return interaction(kind=5, uid=uid, data={"custom_id": "rapport:modal", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "rapport:draft", "value": draft}]}]})  # fmt: skip


async def test_two_people_using_the_modal_at_once_each_get_their_own_check(bot: Bot) -> None:
    other = "600000000000000011"
    await bot.interact(interaction("check"))
    await bot.interact(interaction("check", uid=other))
    await bot.fake.wait_for("/interactions/", 2)
    assert not bot.client._connection._view_store._modals  # nothing kept per custom id
    first = await bot.answer(modal_submit(ASK))
    second = await bot.answer(modal_submit("@everyone please like and share my page!", uid=other))
    assert "Request for an endorsement" in text_of(first)
    assert "A message to many" in text_of(second)


async def test_a_modal_submitted_after_a_restart_is_still_checked(bot: Bot, tmp_path: Path) -> None:
    await bot.interact(interaction("check"))
    await bot.fake.wait_for("/interactions/")
    client, rapport = await make_bot(bot.fake, bot.db)  # the modal was opened by the old process
    try:
        n = len(bot.fake.bodies("/webhooks/"))
        client._connection.parse_interaction_create(modal_submit(ASK))
        reply = (await bot.fake.wait_for("/webhooks/", n + 1))[-1]
        assert "Request for an endorsement" in text_of(reply)
    finally:
        await client.close()
        await rapport.close()


async def test_buttons_on_a_draft_with_line_breaks_work_after_a_restart(bot: Bot) -> None:
    target = message("Hi Dana,\nplease endorse me for Python.\nThanks!", user("600000000000000008"))
    data = {"id": "2", "name": "Check etiquette", "type": 3, "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}}}  # fmt: skip
    reply = await bot.answer(interaction(data=data))
    client, rapport = await make_bot(bot.fake, bot.db)
    try:
        for label, expect in (("Suggest a rewrite", "```"), ("Coach me in DM", "coaching session")):
            n = len(bot.fake.bodies("/webhooks/"))
            client._connection.parse_interaction_create(click(reply, label))
            answer = (await bot.fake.wait_for("/webhooks/", n + 1))[-1]
            assert expect in text_of(answer), label
    finally:
        await client.close()
        await rapport.close()


async def test_the_why_button_reads_the_rules_from_the_carried_draft(bot: Bot) -> None:
    reply = await bot.answer(interaction("check", [opt("draft", ASK)]))
    for row in reply["components"]:  # as if the rules had not fitted the button
        for c in row["components"]:
            if c["label"] == "Why these rules?":
                c["custom_id"] = "rapport:why"
    answer = await bot.answer(click(reply, "Why these rules?"))
    assert "Why these rules?" in answer["content"] and "cold-ask" in answer["content"]
    assert "**Fix:**" in answer["content"]  # the core's *bold* is Discord's **bold**


async def test_a_long_ledger_is_split_over_messages_not_cut(bot: Bot) -> None:
    bot.client.rapport_adapter.limiter.rate = 10**6  # type: ignore[attr-defined]  # 41 commands
    for n in range(40):
        uid = str(600000000000000100 + n)
        raw = interaction("know", [opt("user", uid, 6), opt("how", f"we ran project number {n} together at Acme for a long while")])  # fmt: skip
        raw["data"]["resolved"] = {"users": {uid: user(uid, f"person{n:02d}")}}
        await bot.answer(raw)
    n = len(bot.fake.bodies("/webhooks/"))
    await bot.interact(interaction("ledger"))
    await bot.fake.wait_for("/webhooks/", n + 2)
    await asyncio.sleep(0.2)
    sent = bot.fake.bodies("/webhooks/")[n:]
    text = "".join(b.get("content") or "" for b in sent)
    assert len(sent) >= 2 and all(len(b.get("content") or "") <= 2000 for b in sent)
    assert all(f"Person{k:02d}" in text for k in range(40))  # nobody silently cut
    assert all(b["flags"] & 64 and b["allowed_mentions"] == {"parse": []} for b in sent)


def test_long_content_past_the_message_cap_ends_with_a_note() -> None:
    from rapport.adapters.discord_bot.embeds import MAX_PARTS, parts

    pieces = parts("\n".join(f"line {n} " + "x" * 90 for n in range(200)))
    assert len(pieces) == MAX_PARTS and all(len(p) <= 2000 for p in pieces)
    assert "more messages not shown" in pieces[-1]


async def test_findings_cut_to_fit_are_counted_in_words(bot: Bot) -> None:
    draft = ("Hey all!! @everyone URGENT: endorse me for Python ASAP and like, share and "
             "subscribe to my page, and I'll endorse you back. You owe me. {first_name}, "
             "forward this to all your contacts by EOD. ") * 9  # fmt: skip
    reply = await bot.answer(interaction("rewrite", [opt("draft", draft[:1790])]))
    footers = [e.get("footer", {}).get("text", "") for e in reply["embeds"]]
    assert not any("characters not shown" in f and "findings" in f for f in footers)
    assert sum(_discord_length(e) for e in reply["embeds"]) <= 6000  # what Discord counts


def _discord_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts against the 6,000 total of a message's embeds."""
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", "") or "")
        + len(embed.get("description", "") or "")
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
    )


async def test_rewrites_show_discord_mentions_and_buttons_keep_the_recipient(bot: Bot) -> None:
    dana = "600000000000000009"
    raw = interaction("know", [opt("user", dana, 6), opt("how", "we ran the Atlas launch at Acme")])
    raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}
    await bot.answer(raw)
    draft = f"Hi <@{dana}>, could you endorse me for Python? Thanks!"
    raw = interaction("check", [opt("draft", draft)])
    raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}  # the draft reads "Hi @dana"
    reply = await bot.answer(raw)
    assert "cold-ask" not in text_of(reply)  # the ledger knows Dana
    rewritten = await bot.answer(click(reply, "Suggest a rewrite"))
    assert "cold-ask" not in text_of(rewritten)  # the button checked for Dana too
    assert f"<@{dana}|" not in text_of(rewritten)  # the core's keyed form never shows
    typed = await bot.answer(interaction("rewrite", [opt("draft", draft)]))
    assert f"<@{dana}|" not in text_of(typed) and "cold-ask" not in text_of(typed)


async def test_dm_flooding_is_told_once_per_window(tmp_path: Path) -> None:
    fake = await FakeDiscord(tokens={"x"}).start()
    saved = discord.http.Route.BASE
    discord.http.Route.BASE = fake.url + "/api/v10"
    client, rapport = await make_bot(fake, tmp_path / "d.db", rate=1, per=60.0)
    try:
        path = f"/channels/{dm_of(USER)}/messages"
        for text in ("hi", "hello?", "anyone?", "hey"):
            client._connection.parse_message_create(message(text, user(USER), channel=dm_of(USER)))
        await fake.wait_for(path, 2)
        await asyncio.sleep(0.3)
        sent = [b["content"] for b in fake.bodies(path)]
        assert len(sent) == 2 and sum("going a little fast" in s for s in sent) == 1
        # a modal submission counts against the limit too
        n = len(fake.bodies("/interactions/"))
        client._connection.parse_interaction_create(modal_submit(ASK))
        cooldown = (await fake.wait_for("/interactions/", n + 1))[-1]
        assert cooldown["type"] == 4 and "going a little fast" in cooldown["data"]["content"]
    finally:
        await client.close()
        await rapport.close()
        discord.http.Route.BASE = saved
        await fake.stop()


async def test_settings_command_and_gave_and_per_server_isolation(bot: Bot) -> None:
    other_guild = "700000000000000099"
    settings = {"id": "3", "name": "rapport-config", "type": 1, "options": [
        {"name": "action", "type": 3, "value": "off"}, {"name": "rule", "type": 3, "value": "curt"}]}  # fmt: skip
    reply = await bot.answer(interaction(data=settings, uid=MANAGER, permissions=MANAGE_GUILD))
    assert "off: curt" in reply["content"]
    reply = await bot.answer(interaction(data=settings))  # a member who can see it anyway
    assert "Only members who can manage this server" in reply["content"]
    show = {"id": "3", "name": "rapport-config", "type": 1, "options": []}
    reply = await bot.answer(interaction(data=show, uid=MANAGER, permissions=MANAGE_GUILD,
                                         guild=other_guild))  # fmt: skip
    assert "rapport's defaults" in reply["content"]  # another server keeps its own settings
    dana = "600000000000000009"
    raw = interaction("gave", [opt("user", dana, 6), opt("note", "SQL")])
    raw["data"]["resolved"] = {"users": {dana: user(dana, "dana")}}
    reply = await bot.answer(raw)
    assert "you endorsed Dana" in reply["content"]
    reply = await bot.answer(interaction("ledger", guild=other_guild))
    assert "ledger is empty" in reply["content"]  # ... and its own ledger
    reply = await bot.answer(interaction("why", [opt("rule", "cold-ask")]))
    assert "cold-ask" in reply["content"] and "First-hand" in reply["content"]
