"""The fake Slack over HTTP: it takes what Slack takes and refuses what Slack refuses, answering
as Slack does, so slack_sdk (and rapport's adapter on top of it) see a real refusal.

Calls go through slack_sdk's own AsyncWebClient and AsyncWebhookClient, the clients rapport
uses, so a refusal arrives as the SlackApiError or webhook status rapport would get.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack import HOOK_USES, Call, FakeSlack

TOKEN = "xoxb-fake-test"
REPORT = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Kind:* endorsement request"}},
    {"type": "actions", "block_id": "rapport:actions", "elements": [
        {"type": "button", "action_id": "rapport:rewrite", "value": "rewrite Hi",
         "text": {"type": "plain_text", "text": "Rewrite"}}]},
]  # fmt: skip
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Check a draft"},
         "blocks": REPORT[:1]}  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(tokens={TOKEN, "xapp-1-fake"}).start()
    yield fake
    await fake.stop()


def client(fake: FakeSlack, token: str = TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.url + "/api/")


async def refused(call: Any) -> dict[str, Any]:
    """The body of the SlackApiError a call raises."""
    with pytest.raises(SlackApiError) as caught:
        await call
    data = caught.value.response.data
    assert isinstance(data, dict) and data["ok"] is False
    return data


async def test_a_good_message_ephemeral_and_view_are_taken(fake: FakeSlack) -> None:
    web = client(fake)
    posted = await web.chat_postMessage(channel="C1", text="report", blocks=REPORT)
    assert posted["ok"] and posted["channel"] == "C1" and posted["ts"]
    assert (await web.chat_postEphemeral(channel="C1", user="U1", text="t", blocks=REPORT))["ok"]
    assert (await web.chat_postMessage(channel="D1", text="a DM"))["ok"]
    assert (await web.views_open(trigger_id="t.1", view=MODAL))["ok"]
    assert (await web.views_update(view_id="V1", view=MODAL))["ok"]
    home = {"type": "home", "blocks": REPORT}
    assert (await web.views_publish(user_id="U1", view=home))["ok"]
    assert fake.rejected == []


async def test_blocks_over_slacks_limits_are_invalid_blocks_with_slacks_messages(
    fake: FakeSlack,
) -> None:
    long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    data = await refused(client(fake).chat_postMessage(channel="C1", text="t", blocks=long))
    assert data["error"] == "invalid_blocks"
    assert data["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    many = REPORT[:1] * 51
    data = await refused(
        client(fake).chat_postEphemeral(channel="C1", user="U1", text="t", blocks=many)
    )
    assert data["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]
    assert [method for method, _ in fake.rejected] == ["chat.postMessage", "chat.postEphemeral"]
    assert fake.of("chat.postMessage")  # a refused call is still recorded


@pytest.mark.filterwarnings(
    "ignore:The top-level `text` argument is missing"
)  # no_text, on purpose
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C9", "text": "hi"}, "channel_not_found"),
        ({"channel": "C1", "text": "t", "blocks": "[{not json"}, "invalid_blocks_format"),
    ],
)
async def test_a_bad_message_gets_slacks_error(
    fake: FakeSlack, kwargs: dict[str, Any], error: str
) -> None:
    assert (await refused(client(fake).chat_postMessage(**kwargs)))["error"] == error


async def test_tokens_are_checked_as_slack_checks_them(fake: FakeSlack) -> None:
    data = await refused(client(fake, "xoxb-someone-else").chat_postMessage(channel="C1", text="t"))
    assert data["error"] == "invalid_auth"
    assert (await refused(client(fake, "not-a-token").auth_test()))["error"] == "invalid_auth"
    data = await refused(client(fake, "xapp-1-fake").chat_postMessage(channel="C1", text="t"))
    assert data["error"] == "not_allowed_token_type"  # an app-level token only opens sockets
    data = await refused(client(fake).apps_connections_open(app_token=TOKEN))
    assert data["error"] == "not_allowed_token_type"
    assert (await client(fake).apps_connections_open(app_token="xapp-1-fake"))["url"]
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.url + "/api/auth.test") as resp,  # no token at all
    ):
        assert resp.status == 200
        assert await resp.json() == {"ok": False, "error": "not_authed"}


async def test_views_over_slacks_limits_are_invalid_arguments(fake: FakeSlack) -> None:
    web = client(fake)
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "A title of thirty letters"}}
    data = await refused(web.views_open(trigger_id="t.1", view=long_title))
    assert data["error"] == "invalid_arguments"
    assert "[json-pointer:/view/title/text]" in data["response_metadata"]["messages"][0]
    data = await refused(web.views_publish(user_id="U1", view=MODAL))  # App Home takes "home"
    assert data["error"] == "invalid_arguments"
    assert (await refused(web.views_open(trigger_id="", view=MODAL)))[
        "error"
    ] == "invalid_arguments"


async def test_users_and_dms(fake: FakeSlack) -> None:
    web = client(fake)
    assert (await web.conversations_open(users="U7"))["channel"]["id"] == "D7"
    assert (await web.users_info(user="U7"))["user"]["id"] == "U7"
    assert (await refused(web.users_info(user="nobody")))["error"] == "user_not_found"
    assert (await refused(web.api_call("chat.unfurl")))["error"] == "unknown_method"


async def test_a_response_url_refuses_bad_blocks_with_400_and_works_five_times(
    fake: FakeSlack,
) -> None:
    hook = AsyncWebhookClient(fake.hook_url())
    bad = await hook.send(blocks=[{"type": "section"}])
    assert (bad.status_code, bad.body) == (400, "invalid_blocks")
    assert (await hook.send()).status_code == 400  # no text, no blocks
    other = AsyncWebhookClient(fake.hook_url())
    for _ in range(HOOK_USES):
        assert (await other.send(text="t", blocks=REPORT)).status_code == 200
    assert (await other.send(text="once too often")).status_code == 404
    assert len(fake.hooks()) == 2 + HOOK_USES + 1


async def test_an_observer_hears_each_call_with_its_outcome(fake: FakeSlack) -> None:
    heard: list[Call] = []
    fake.on_call = heard.append
    await client(fake).chat_postMessage(channel="C1", text="hi")
    await refused(client(fake).chat_postMessage(channel="C9", text="hi"))
    assert [(c.method, c.error) for c in heard] == [
        ("chat.postMessage", None),
        ("chat.postMessage", "channel_not_found"),
    ]
    assert heard[0].at <= heard[1].at


async def test_rapport_stops_at_start_on_a_token_slack_refuses(tmp_path: Path) -> None:
    """The adapter's error path, for real: auth.test refused as `invalid_auth`."""
    from rapport.adapters.slack.app import SlackSettings, adapter_of, build_app
    from rapport.adapters.slack.server import verify_token
    from rapport.bot.config import ConfigError
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.storage import open_store

    fake = await FakeSlack(tokens={"xoxb-the-real-one"}).start()
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 't.db'}"))
    app = build_app(rapport, SlackSettings("xoxb-revoked", "secret", api_url=fake.url + "/api/"))
    try:
        with pytest.raises(ConfigError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth\)"):
            await verify_token(app)
        assert fake.rejected == [("auth.test", ["invalid_auth"])]
    finally:
        await adapter_of(app).close()
        await rapport.close()
        await fake.stop()
