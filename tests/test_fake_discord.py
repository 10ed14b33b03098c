"""The fake Discord over HTTP: it takes what Discord takes and refuses what Discord refuses,
answering as Discord does, so discord.py raises the same LoginFailure, HTTPException (400,
code 50035) or NotFound it would against Discord.

Most calls go through discord.py itself (login, channel sends, interaction responses and
followups); a few use plain HTTP to send what discord.py would never build.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakes.discord import Call, FakeDiscord
from tests.fakes.discord_payloads import APP_ID, CHANNEL, USER, dm_of, interaction

TOKEN = "fake-discord-test-token"
EMBED = discord.Embed(title="Request for an endorsement", description="Ask first.")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord(tokens={TOKEN}).start()
    saved = discord.http.Route.BASE
    discord.http.Route.BASE = fake.url + "/api/v10"
    try:
        yield fake
    finally:
        discord.http.Route.BASE = saved
        await fake.stop()


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(TOKEN)
    try:
        yield client
    finally:
        await client.close()


async def raw(fake: FakeDiscord, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A request discord.py wouldn't build: (status, JSON answer)."""
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.url + "/api/v10" + path, json=body, headers=headers) as resp,
    ):
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


async def test_a_wrong_token_fails_login_as_with_discord(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.none())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("someone-elses-token")
        assert fake.rejected[0][:2] == ("GET", "/users/@me")
        assert fake.rejected[0][2] == {"message": "401: Unauthorized", "code": 0}
    finally:
        await client.close()


async def test_rapports_client_fails_login_on_a_wrong_token(
    fake: FakeDiscord, tmp_path: Any
) -> None:
    """The adapter's start-up path, for real: Discord answers its login 401."""
    from rapport.adapters.discord_bot.bot import DiscordSettings, build_client
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.storage import open_store

    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 'd.db'}"))
    client = build_client(rapport, DiscordSettings(token="revoked"))
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("revoked")
    finally:
        await client.close()
        await rapport.close()


async def test_sends_within_the_limits_are_taken(fake: FakeDiscord, client: discord.Client) -> None:
    sent = await client.get_partial_messageable(int(CHANNEL)).send("hi", embed=EMBED)
    assert sent.content == "hi" and sent.embeds[0].title == EMBED.title
    dm = client.get_partial_messageable(int(dm_of(USER)))
    none = discord.AllowedMentions.none()
    assert (await dm.send("x" * 2000, allowed_mentions=none)).channel.id == int(dm_of(USER))
    assert fake.rejected == []


async def test_content_over_2000_is_refused_with_discords_error(
    fake: FakeDiscord, client: discord.Client
) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await client.get_partial_messageable(int(CHANNEL)).send("x" * 2001)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    assert "In content: Must be 2000 or fewer in length." in str(caught.value)


async def test_a_channel_the_bot_cant_see_is_unknown(client: discord.Client) -> None:
    with pytest.raises(discord.NotFound) as caught:
        await client.get_partial_messageable(123456789012345678).send("hi")
    assert caught.value.code == 10003


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ({"allowed_mentions": {"parse": []}}, {"message": "Cannot send an empty message", "code": 50006}),
        ({"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
         {"message": "Invalid Form Body", "code": 50035, "errors": {"allowed_mentions": {"_errors": [
             {"code": "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
              "message": 'parse:["users"] and users: [ids] are mutually exclusive.'}]}}}),
        ({"embeds": [{"title": "t"}] * 11},
         {"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"_errors": [
             {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer in length."}]}}}),
    ],
)  # fmt: skip
async def test_bodies_discord_py_would_not_build_are_refused_too(
    fake: FakeDiscord, body: dict[str, Any], answer: dict[str, Any]
) -> None:
    assert await raw(fake, "POST", f"/channels/{CHANNEL}/messages", body) == (400, answer)


async def test_an_interaction_is_answered_once_then_followed_up(
    fake: FakeDiscord, client: discord.Client
) -> None:
    raw_interaction = interaction("help")
    inter: discord.Interaction[discord.Client] = discord.Interaction(
        data=raw_interaction, state=client._connection
    )
    with pytest.raises(discord.NotFound) as caught:  # no followup before the interaction's answer
        await inter.followup.send("too early", ephemeral=True)
    assert caught.value.code == 10015
    await inter.response.defer(ephemeral=True, thinking=True)
    sent = await inter.followup.send(embed=EMBED, ephemeral=True, wait=True)
    assert sent.embeds[0].title == EMBED.title
    with pytest.raises(discord.HTTPException) as caught:
        await inter.followup.send("x" * 2001, ephemeral=True)
    assert caught.value.code == 50035
    callback = f"/interactions/{raw_interaction['id']}/{raw_interaction['token']}/callback"
    again = await raw(fake, "POST", callback, {"type": 5, "data": {"flags": 64}})
    assert again == (400, {"message": "Interaction has already been acknowledged.", "code": 40060})


async def test_command_sync_checks_names_and_descriptions(fake: FakeDiscord) -> None:
    good = [
        {"name": "rapport", "type": 1, "description": "Etiquette checks"},
        {"name": "Check etiquette", "type": 3, "description": ""},  # a context menu
    ]
    status, synced = await raw(fake, "PUT", f"/applications/{APP_ID}/commands", good)
    assert status == 200 and [c["name"] for c in synced] == ["rapport", "Check etiquette"]
    bad = [{"name": "Rapport Check", "type": 1, "description": ""}]
    status, answer = await raw(fake, "PUT", f"/applications/{APP_ID}/commands", bad)
    assert status == 400 and answer["code"] == 50035
    assert set(answer["errors"]["0"]) == {"name", "description"}


async def test_unknown_routes_are_404_never_5xx(fake: FakeDiscord) -> None:
    assert await raw(fake, "GET", "/guilds/1/members") == (
        404,
        {"message": "404: Not Found", "code": 0},
    )


async def test_the_gateway_closes_4004_on_a_wrong_token(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.url + "/gw") as ws:
        assert (await ws.receive_json())["op"] == 10  # HELLO
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0, "properties": {}}})
        closing = await ws.receive()
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4004
    assert fake.identify[0]["d"]["token"] == "wrong"


async def test_an_observer_hears_each_call_with_its_answer(
    fake: FakeDiscord, client: discord.Client
) -> None:
    heard: list[Call] = []
    fake.on_call = heard.append
    await client.get_partial_messageable(int(CHANNEL)).send("hi")
    with pytest.raises(discord.NotFound):
        await client.get_partial_messageable(123456789012345678).send("hi")
    assert [(c.method, c.status) for c in heard] == [("POST", 200), ("POST", 404)]
    assert heard[1].answer == {"message": "Unknown Channel", "code": 10003}
    assert json.dumps(heard[0].body) and heard[0].at <= heard[1].at
