"""rapport's real slack-bolt app over HTTP on 127.0.0.1, against a fake Slack (tests/fakes/slack.py).

Every request is signed as Slack signs it and goes through Bolt's verification, routing and
ack machinery; only Slack's servers are replaced.  Follow-ups are awaited on the fake, since
Bolt answers the HTTP request before the listener finishes.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from rapport.adapters.slack.app import SlackSettings, adapter_of, build_app
from rapport.adapters.slack.server import web_app
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import UserRef
from tests.fakes.blockkit import block_problems
from tests.fakes.slack import TEAM, FakeSlack
from tests.fakes.slack_sender import SlackSender
from tests.paths import ROOT

SECRET = "test-signing-secret"
ASK = "Hi Dana, could you endorse me for Python on LinkedIn? Thanks!"


@dataclass
class Slack:
    fake: FakeSlack
    send: SlackSender
    rapport: Rapport
    db: Path
    app: Any = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
async def slack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Slack]:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_APP_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    fake = await FakeSlack(
        tokens={"xoxb-test", "xapp-1"},
        users={
            "UADMIN": {
                "id": "UADMIN",
                "name": "ana",
                "is_admin": True,
                "profile": {"display_name": "Ana"},
            },
            "U1": {
                "id": "U1",
                "name": "sam",
                "is_admin": False,
                "profile": {"display_name": "Sam"},
            },
            "U3": {
                "id": "U3",
                "name": "lee",
                "profile": {"real_name": "Lee Park", "display_name": ""},
            },
        },
    ).start()
    db = tmp_path / "slack.db"
    rapport = Rapport(await open_store(f"sqlite:///{db}"))
    app = build_app(rapport, SlackSettings("xoxb-test", SECRET, api_url=fake.url + "/api"))
    runner = web.AppRunner(web_app(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session)
        yield Slack(fake, sender, rapport, db, app)
    assert fake.rejected == []  # nothing rapport sent in the test broke Slack's limits
    await runner.cleanup()
    await adapter_of(app).close()
    await rapport.close()
    await fake.stop()


def blocks_text(body: dict[str, Any]) -> str:
    blocks = body.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks, ensure_ascii=False)


def buttons(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = body.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out = {}
    for b in blocks:
        for e in b.get("elements", []):
            if e.get("type") == "button":
                out[e["action_id"]] = e
    return out


async def slash(s: Slack, text: str, user: str = "U1", n: int | None = None) -> dict[str, Any]:
    """Send `/rapport text`, check the fast empty ack, and return the ephemeral follow-up."""
    before = len(s.fake.hooks())
    status, body, seconds = await s.send.slash(text, user=user)
    assert status == 200 and body == "" and seconds < 3
    hooks = await s.fake.wait_for("hook", (n or before + 1))
    reply = hooks[-1]
    assert reply["response_type"] == "ephemeral"
    assert block_problems(reply.get("blocks") or []) == []
    return reply


# -- slash subcommands ------------------------------------------------------------------------


async def test_bare_command_and_help_show_help(slack: Slack) -> None:
    for text in ("", "help"):
        reply = await slash(slack, text)
        assert "/rapport check" in blocks_text(reply)
        assert "`/rapport coach`" in blocks_text(reply)


async def test_unknown_subcommand_gets_help_not_an_error(slack: Slack) -> None:
    reply = await slash(slack, "frobnicate the draft")
    text = blocks_text(reply)
    assert "I don't know *frobnicate*" in text and "/rapport check" in text


async def test_check_shows_kind_trust_findings_and_buttons(slack: Slack) -> None:
    reply = await slash(slack, "check Hi, please endorse me for Python. Need it by Friday!")
    text = blocks_text(reply)
    assert "Request for an endorsement" in text
    for label in ("Credibility", "Reliability", "Intimacy", "Self-orientation"):
        assert label in text
    assert "cold-ask" in text and "*Why:*" in text and "*Fix:*" in text
    ids = buttons(reply)
    assert set(ids) == {"rapport:rewrite", "rapport:coach-dm", "rapport:why"}
    assert ids["rapport:rewrite"]["value"].startswith("rewrite Hi, please endorse me")
    assert ids["rapport:why"]["value"].startswith("why ")
    # scores and fingerprint recorded, never the text
    assert slack.rows("SELECT count(*) FROM checks") == [(1,)]
    assert "Python" not in slack.db.read_bytes().decode("latin-1")


async def test_check_without_a_draft_says_how(slack: Slack) -> None:
    reply = await slash(slack, "check   ")
    assert "Give me a draft" in blocks_text(reply)


async def test_rewrite_is_a_copyable_block(slack: Slack) -> None:
    reply = await slash(slack, f"rewrite {ASK}")
    blocks = reply["blocks"]
    code = [
        b
        for b in blocks
        if b.get("block_id", "").startswith("rapport:rewrite") and b["type"] == "section"
    ]
    assert any(b["text"]["text"].startswith("```") for b in code)
    assert "rapport:rewrite" not in buttons(reply)  # already rewritten


async def test_coach_opens_the_dm_session(slack: Slack) -> None:
    reply = await slash(slack, "coach")
    assert "opened a coaching session" in blocks_text(reply)
    opened = await slack.fake.wait_for("conversations.open")
    assert opened[0]["users"] == "U1"
    posted = (await slack.fake.wait_for("chat.postMessage"))[-1]
    assert posted["channel"] == "D1"
    assert "What would you like to do?" in blocks_text(posted)
    assert any(a.startswith("rapport:coach:") for a in buttons(posted))


async def test_typed_ledger_people_and_saved_messages(slack: Slack) -> None:
    """Typed text is parsed once, as typed; names match both ways; saved messages list."""
    reply = await slash(slack, 'received <@U2|dana> solicited "unsolicited" advice on my CV')
    assert "unprompted" not in blocks_text(reply)
    user = UserRef("slack", TEAM, "U1")
    (entry,) = await slack.rapport.store.endorsements(user)
    assert entry.solicited is True and entry.note == '"unsolicited" advice on my CV'
    await slash(slack, 'know "Dana Lee" we ran the Atlas launch together')
    reply = await slash(slack, "ledger forget Dana Lee")
    assert "Deleted 1 entry about Dana Lee" in blocks_text(reply)
    assert "I keep the messages" not in blocks_text(await slash(slack, "remember"))
    await slash(slack, "remember on")
    await slack.rapport.store.save_message(user, "Hi <!channel> Dana, thank you!", 1.0)
    reply = await slash(slack, "saved")
    text = blocks_text(reply)
    assert "Your saved messages (1)" in text and "thank you!" in text
    assert "<!channel>" not in json.dumps(reply)  # nothing echoed can ping anyone


async def test_ledger_commands_key_people_by_slack_id(slack: Slack) -> None:
    await slash(slack, "know <@U2|dana> we ran the Atlas launch together at Acme")
    await slash(slack, "gave <@U2|dana> SQL")
    reply = await slash(slack, "received <@U3> unsolicited for my talk")  # no name: users.info
    assert "Lee Park endorsed you" in blocks_text(reply)
    reply = await slash(slack, "ledger")
    text = blocks_text(reply)
    assert "dana: we ran the Atlas launch" in text
    assert "Lee Park" in text and "Waiting for you" in text
    user = UserRef("slack", TEAM, "U1")
    assert (await slack.rapport.ledger.relationship(user, "<@U2>")) is not None
    # a check addressed to Dana now knows the relationship: no cold-ask
    reply = await slash(
        slack,
        "check Hi <@U2|dana>, could you endorse me for Python on LinkedIn? It would help my job "
        "search. Thanks!",
    )
    assert "cold-ask" not in blocks_text(reply)


async def test_forget_asks_then_deletes(slack: Slack) -> None:
    await slash(slack, "know <@U2|dana> we worked together at Acme")
    reply = await slash(slack, "forget")
    ids = buttons(reply)
    assert set(ids) == {"rapport:forget:yes", "rapport:forget:no"}
    assert slack.rows("SELECT count(*) FROM relationships") == [(1,)]
    before = len(slack.fake.hooks())
    await slack.send.click(ids["rapport:forget:no"])
    hooks = await slack.fake.wait_for("hook", before + 1)
    assert "Nothing deleted" in blocks_text(hooks[-1])
    status, _, _ = await slack.send.click(ids["rapport:forget:yes"])
    # the click's ack came back after the deletion was stored: an acknowledged change is kept
    assert status == 200 and slack.rows("SELECT count(*) FROM relationships") == [(0,)]
    hooks = await slack.fake.wait_for("hook", before + 2)
    assert "records deleted" in blocks_text(hooks[-1])


# -- buttons ------------------------------------------------------------------------------------


async def test_buttons_rewrite_why_and_coach(slack: Slack) -> None:
    reply = await slash(slack, f"check {ASK}")
    ids = buttons(reply)
    n = len(slack.fake.hooks())
    await slack.send.click(ids["rapport:rewrite"])
    rewritten = (await slack.fake.wait_for("hook", n + 1))[-1]
    assert "```" in blocks_text(rewritten)
    await slack.send.click(ids["rapport:why"])
    why = (await slack.fake.wait_for("hook", n + 2))[-1]
    assert "Why these rules?" in blocks_text(why) and "First-hand only" in blocks_text(why)
    await slack.send.click(ids["rapport:coach-dm"])
    posted = (await slack.fake.wait_for("chat.postMessage"))[-1]
    assert posted["channel"] == "D1"
    assert "work from your draft" in blocks_text(posted)


async def test_buttons_keep_working_after_a_restart(slack: Slack, tmp_path: Path) -> None:
    reply = await slash(slack, f"check {ASK}")
    ids = buttons(reply)
    # a new app and service over the same database: nothing in memory survives
    rapport = Rapport(await open_store(f"sqlite:///{slack.db}"))
    app = build_app(rapport, SlackSettings("xoxb-test", SECRET, api_url=slack.fake.url + "/api/"))
    runner = web.AppRunner(web_app(app))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        sender = SlackSender(
            f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events",
            SECRET,
            slack.fake,
            slack.send.session,
        )
        n = len(slack.fake.hooks())
        await sender.click(ids["rapport:rewrite"])
        assert "```" in blocks_text((await slack.fake.wait_for("hook", n + 1))[-1])
    finally:
        await runner.cleanup()
        await adapter_of(app).close()
        await rapport.close()


async def test_a_damaged_button_value_is_a_friendly_note(slack: Slack) -> None:
    n = len(slack.fake.hooks())
    await slack.send.click({"action_id": "rapport:rewrite", "value": "z:not-base64!!"})
    reply = (await slack.fake.wait_for("hook", n + 1))[-1]
    assert "older message" in blocks_text(reply)


# -- shortcuts and the modal ---------------------------------------------------------------------


async def test_message_shortcut_checks_privately_and_records_nothing(slack: Slack) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "rapport:check-message",
        "user": {"id": "U1", "team_id": TEAM},
        "team": {"id": TEAM},
        "channel": {"id": "C1"},
        "message": {
            "type": "message",
            "user": "U9",
            "text": "<!channel> Please like and share my new page!",
            "ts": "1.0",
        },
        "response_url": slack.fake.hook_url(),
        "trigger_id": "trig.3",
    }
    status, _, seconds = await slack.send.interactive(payload)
    assert status == 200 and seconds < 3
    reply = (await slack.fake.wait_for("hook"))[-1]
    assert reply["response_type"] == "ephemeral"
    assert "A message to many" in blocks_text(reply)
    assert "<!channel>" not in slack.fake.everything_sent()
    assert slack.rows("SELECT count(*) FROM checks") == [(0,)]
    assert slack.rows("SELECT count(*) FROM fingerprints") == [(0,)]


async def _submit(slack: Slack, draft: str, recipient: str | None = None) -> tuple[int, str]:
    values: dict[str, Any] = {
        "rapport:draft": {"rapport:draft-input": {"type": "plain_text_input", "value": draft}},
        "rapport:recipient": {
            "rapport:recipient-input": {"type": "users_select", "selected_user": recipient}
        },
    }
    payload = {
        "type": "view_submission",
        "user": {"id": "U1", "team_id": TEAM},
        "team": {"id": TEAM},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "rapport:check-draft",
            "state": {"values": values},
            "hash": "h",
        },
    }
    status, body, _ = await slack.send.interactive(payload)
    if status == 200 and body.startswith("{") and "view" in json.loads(body):
        assert block_problems(json.loads(body)["view"]["blocks"], 100) == []
    return status, body


async def test_global_shortcut_opens_the_modal_and_submit_updates_it(slack: Slack) -> None:
    payload = {
        "type": "shortcut",
        "callback_id": "rapport:check-draft",
        "user": {"id": "U1", "team_id": TEAM},
        "team": {"id": TEAM},
        "trigger_id": "trig.4",
    }
    status, _, _ = await slack.send.interactive(payload)
    assert status == 200
    opened = (await slack.fake.wait_for("views.open"))[0]
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert opened["trigger_id"] == "trig.4" and view["callback_id"] == "rapport:check-draft"
    draft_input = view["blocks"][0]["element"]
    assert draft_input["multiline"] and draft_input["max_length"] == 3000

    status, body = await _submit(slack, "   \n ")
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"rapport:draft": "Paste a draft to check."},
    }

    status, body = await _submit(slack, ASK, recipient="U3")
    result = json.loads(body)
    assert result["response_action"] == "update"
    text = json.dumps(result["view"]["blocks"])
    assert "Request for an endorsement" in text and "Lee Park" in text  # the recipient's name


async def test_buttons_inside_the_modal_update_it(slack: Slack) -> None:
    _, body = await _submit(slack, ASK)
    view = json.loads(body)["view"]
    ids = {
        e["action_id"]: e
        for b in view["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button"
    }
    await slack.send.click(
        ids["rapport:rewrite"], container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "modal", "hash": "h2"}, with_response_url=False,
    )  # fmt: skip
    updated = (await slack.fake.wait_for("views.update"))[0]
    assert updated["view_id"] == "V1" and "```" in json.dumps(updated["view"])


# -- DM coaching and App Home ----------------------------------------------------------------------


async def test_full_dm_coaching_session(slack: Slack) -> None:
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
    for n, (text, expect) in enumerate(script, start=1):
        status, _, seconds = await slack.send.dm(text)
        assert status == 200 and seconds < 3
        posted = (await slack.fake.wait_for("chat.postMessage", n))[-1]
        assert posted["channel"] == "D1"
        if expect:
            assert expect in blocks_text(posted), (text, blocks_text(posted))
    final = blocks_text(slack.fake.of("chat.postMessage")[-1])
    assert "Acme" in final and "```" in final  # the drafted message, copyable
    status, _, _ = await slack.send.dm("done")
    offer = (await slack.fake.wait_for("chat.postMessage", len(script) + 1))[-1]
    assert "note this in your ledger" in blocks_text(offer)
    await slack.send.click(buttons(offer)["rapport:coach:no"], channel="D1")
    done = (await slack.fake.wait_for("chat.postMessage", len(script) + 2))[-1]
    assert "Done" in blocks_text(done)
    assert slack.rows("SELECT count(*) FROM sessions") == [(0,)]
    await slack.rapport.store.flush()
    raw = b"".join(p.read_bytes() for p in slack.db.parent.glob("slack.db*"))
    assert b"Atlas launch" not in raw


async def test_coach_choice_buttons_answer_the_session(slack: Slack) -> None:
    await slack.send.dm("hello")
    menu = (await slack.fake.wait_for("chat.postMessage"))[-1]
    choice = next(b for a, b in buttons(menu).items() if a.startswith("rapport:coach:flow:"))
    await slack.send.click(
        choice, channel="D1", container={"type": "message", "is_ephemeral": False}
    )
    nxt = (await slack.fake.wait_for("chat.postMessage", 2))[-1]
    assert "Who" in blocks_text(nxt)


async def test_own_and_other_bots_messages_are_ignored(slack: Slack) -> None:
    await slack.send.dm("hi")  # warm up (auth.test) and one real turn
    await slack.fake.wait_for("chat.postMessage")
    bot_own = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "UBOT",
        "text": "hi",
        "ts": "2",
    }
    other_bot = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "bot_id": "B9",
        "user": "U9",
        "text": "hi",
        "ts": "3",
    }
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": "D1",
        "ts": "4",
    }
    for n, event in enumerate((bot_own, other_bot, edit)):
        status, _, _ = await slack.send.event(event, event_id=f"EvB{n}")
        assert status == 200
    await asyncio.sleep(0.3)
    assert len(slack.fake.of("chat.postMessage")) == 1


async def test_a_retried_event_is_handled_once(slack: Slack) -> None:
    await slack.send.dm("hello", event_id="EvR")
    await slack.fake.wait_for("chat.postMessage")
    await slack.send.dm("1", event_id="EvR2")
    await slack.fake.wait_for("chat.postMessage", 2)
    # Slack thinks the second went unanswered and sends it again, twice
    for retry in ("1", "2"):
        status, _, _ = await slack.send.dm(
            "1",
            event_id="EvR2",
            headers={"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200
    await asyncio.sleep(0.3)
    assert len(slack.fake.of("chat.postMessage")) == 2


async def test_a_retried_yes_records_one_ledger_entry(slack: Slack) -> None:
    script = ["hi", "1", "Dana", "we worked together at Acme for 2 years",
              "yes, I recommended her for the lead role last month", "endorse me for SQL", "done"]  # fmt: skip
    for n, text in enumerate(script, start=1):
        await slack.send.dm(text, event_id=f"EvL{n}")
        await slack.fake.wait_for("chat.postMessage", n)
    offer = blocks_text(slack.fake.of("chat.postMessage")[-1])
    assert "note this in your ledger" in offer, offer
    await slack.send.dm("yes", event_id="EvLyes")
    await slack.send.dm(
        "yes",
        event_id="EvLyes",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    await slack.fake.wait_for("chat.postMessage", len(script) + 1)
    await asyncio.sleep(0.3)
    assert len(slack.fake.of("chat.postMessage")) == len(script) + 1
    assert slack.rows("SELECT count(*) FROM relationships") == [(1,)]


async def test_app_home_shows_ledger_reminders_and_admin_settings(slack: Slack) -> None:
    admin = UserRef("slack", TEAM, "UADMIN")
    await slack.rapport.ledger.received(admin, "<@U3|Lee Park>", False, "SQL")
    event = {"type": "app_home_opened", "user": "UADMIN", "channel": "DADMIN", "tab": "home"}
    await slack.send.event(event, event_id="EvH1")
    published = (await slack.fake.wait_for("views.publish"))[0]
    assert published["user_id"] == "UADMIN"
    text = json.dumps(published["view"])
    assert "Lee Park" in text and "Waiting for you" in text
    assert "Workspace settings" in text
    assert "rapport:thank:0" in text
    # a member sees no settings
    await slack.send.event({**event, "user": "U1"}, event_id="EvH2")
    published = (await slack.fake.wait_for("views.publish", 2))[1]
    assert "Workspace settings" not in json.dumps(published["view"])


# -- workspace configuration ------------------------------------------------------------------------


async def test_config_by_an_admin_changes_this_workspace_only(slack: Slack) -> None:
    reply = await slash(slack, "config", user="UADMIN")
    assert "Settings for this workspace" in blocks_text(reply)
    reply = await slash(slack, "config off cold-ask", user="UADMIN")
    assert "off: cold-ask" in blocks_text(reply)
    reply = await slash(slack, "config severity pressure info", user="UADMIN")
    assert "pressure → info" in blocks_text(reply)
    reply = await slash(slack, "check Hi, please endorse me for Python. I need it by Friday!")
    text = blocks_text(reply)
    assert "cold-ask" not in text
    assert re.search(r"pressure\* \(info\)", text)
    # another workspace keeps the defaults
    other = await slack.rapport.check(
        UserRef("slack", "T2", "U1"), "Hi, please endorse me for Python."
    )
    assert "cold-ask" in {f.rule for f in other.findings}
    reply = await slash(slack, "config bogus", user="UADMIN")
    assert "I didn't understand" in blocks_text(reply)
    reply = await slash(slack, "config off nosuchrule", user="UADMIN")
    assert "no rule called" in blocks_text(reply)


async def test_config_refused_for_a_member(slack: Slack) -> None:
    reply = await slash(slack, "config off cold-ask", user="U1")
    assert "Only workspace admins" in blocks_text(reply)
    assert slack.rows("SELECT count(*) FROM workspace_settings") == [(0,)]


# -- safety ------------------------------------------------------------------------------------


async def test_bad_signature_and_stale_timestamp_are_refused(slack: Slack) -> None:
    status, _, _ = await slack.send.slash("gave <@U2|dana>", secret="wrong-secret")
    assert status == 401
    status, _, _ = await slack.send.slash("gave <@U2|dana>", timestamp=int(time.time()) - 600)
    assert status == 401
    await asyncio.sleep(0.2)
    assert slack.fake.calls == []
    assert slack.rows("SELECT count(*) FROM endorsements") == [(0,)]


async def test_url_verification(slack: Slack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    status, text, _ = await slack.send.post(body, "application/json")
    assert status == 200 and "abc123" in text


async def test_a_draft_with_pings_pings_no_one(slack: Slack) -> None:
    draft = (
        "<!channel> <!here> hey <@U2> and <@U3|lee> &amp; @everyone, please endorse me for Python!"
    )
    await slash(slack, f"check {draft}")
    await slash(slack, f"rewrite {draft}")
    await slack.send.dm(draft)
    await slack.fake.wait_for("chat.postMessage")
    sent = slack.fake.everything_sent()
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U2>", "<@U3", "<!subteam"):
        assert ping not in sent
    shown = re.sub(r'"value": "(?:[^"\\]|\\.)*"', "", sent)  # button values are never shown
    assert re.search(r"(?<![\w\u2060])@everyone", shown) is None
    assert "@\\u2060everyone" in sent or "@\u2060everyone" in sent
    for body in slack.fake.of("chat.postMessage"):
        assert body.get("link_names") in (False, "false", "0", 0, None)


async def test_a_3000_character_draft_fits_slack(slack: Slack) -> None:
    sentence = "Hi all, please endorse me for Python and share my page & tell <everyone> about it. "
    draft = (sentence * 40)[:3000]
    # escaping grows & < > fivefold, and every rule fires: the splitting and cutting must hold
    heavy = ("<<&>> @everyone URGENT: endorse me & like & share my page ASAP, I'll endorse you "
             "back, you owe me, {first_name}! <!channel> & <@U2> && <> ") * 40  # fmt: skip
    reply = await slash(slack, f"rewrite {heavy[:3000]}")
    assert len(blocks_text(reply)) > 3000
    await slash(slack, f"check {draft}")
    reply = await slash(slack, f"rewrite {draft}")
    assert reply["blocks"]
    _, body = await _submit(slack, draft)
    assert json.loads(body)["response_action"] == "update"
    ids = buttons(reply)
    for b in ids.values():
        assert len(b["value"]) <= 2000


async def test_a_slow_core_still_acks_within_three_seconds(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = slack.rapport.check

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(slack.rapport, "check", slow)
    status, _, seconds = await slack.send.slash(f"check {ASK}")
    assert status == 200 and seconds < 3
    assert slack.fake.hooks() == []  # the core has not answered yet
    release.set()
    reply = (await slack.fake.wait_for("hook"))[-1]
    assert "Request for an endorsement" in blocks_text(reply)


async def test_a_core_failure_is_a_friendly_reply(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.bot.service.logs import request_id

    seen: list[str] = []

    async def broken(*args: Any, **kwargs: Any) -> Any:
        seen.append(request_id.get())  # the work after the ack carries the request's id
        raise RuntimeError("database went away")

    monkeypatch.setattr(slack.rapport, "check", broken)
    reply = await slash(slack, f"check {ASK}")
    assert "Something went wrong on my side" in json.dumps(reply)
    assert "database went away" not in slack.fake.everything_sent()
    assert len(seen) == 1 and seen[0].startswith("slack-") and len(seen[0]) > len("slack-")


async def test_socket_mode_answers_a_slash_command(slack: Slack) -> None:
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    slack.fake.socket_envelopes.append(
        {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "command": "/rapport", "text": f"check {ASK}", "user_id": "U1", "team_id": TEAM,
                "channel_id": "C1", "response_url": slack.fake.hook_url(), "trigger_id": "t",
            },
        }
    )  # fmt: skip
    app = build_app(
        slack.rapport,
        SlackSettings("xoxb-test", SECRET, api_url=slack.fake.url + "/api/", app_token="xapp-1"),
    )
    handler = AsyncSocketModeHandler(app, app_token="xapp-1")
    try:
        await asyncio.wait_for(handler.connect_async(), 10)
        acks = await slack.fake.wait_for_socket_acks(1)
        assert acks[0]["envelope_id"] == "env-1"
        reply = (await slack.fake.wait_for("hook"))[-1]
        assert "Request for an endorsement" in blocks_text(reply)
        opened = slack.fake.of("apps.connections.open")
        assert opened and any(
            c.headers.get("Authorization") == "Bearer xapp-1" for c in slack.fake.calls
        )
    finally:
        await handler.close_async()
        await adapter_of(app).close()


# -- rapport serve slack -----------------------------------------------------------------------


def test_serve_slack_without_credentials_is_a_clear_error(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    done = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


async def test_serve_slack_runs_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fake = await FakeSlack(tokens={"xoxb-serve"}).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        SLACK_BOT_TOKEN="xoxb-serve", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.url + "/api",
        RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port), RAPPORT_DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}",
    )  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert f"serving slack on http://127.0.0.1:{port}" in line.decode()
        async with aiohttp.ClientSession() as session:
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, fake, session)
            status, _, _ = await sender.slash(f"check {ASK}")
            assert status == 200
            reply = (await fake.wait_for("hook"))[-1]
            assert "Request for an endorsement" in blocks_text(reply)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()


def test_manifest_matches_the_app() -> None:
    manifest = (ROOT / "adapters" / "slack" / "manifest.yaml").read_text()
    for needed in (
        "command: /rapport", "callback_id: rapport:check-message", "callback_id: rapport:check-draft",
        "type: message", "type: global", "- app_home_opened", "- message.im", "home_tab_enabled: true",
        "should_escape: true", "/slack/events",
    ):  # fmt: skip
        assert needed in manifest, needed
    scopes = set(
        re.findall(
            r"^\s+- ([a-z]+:?[a-z]*)\s", manifest.split("bot:")[1].split("settings:")[0], re.M
        )
    )
    assert scopes == {"commands", "chat:write", "im:history", "im:write", "users:read"}


async def test_a_refused_token_stops_serve_with_a_clear_error(tmp_path: Path) -> None:
    from rapport.adapters.slack.server import verify_token
    from rapport.bot.config import ConfigError

    fake = await FakeSlack(tokens={"xoxb-bad"}).start()
    rapport = Rapport(await open_store(f"sqlite:///{tmp_path / 't.db'}"))
    app = build_app(rapport, SlackSettings("xoxb-bad", SECRET, api_url=fake.url + "/nowhere/"))
    try:
        with pytest.raises(ConfigError, match="Slack refused SLACK_BOT_TOKEN"):
            await verify_token(app)
    finally:
        await adapter_of(app).close()
        await rapport.close()
        await fake.stop()


async def test_sigterm_lets_acked_work_finish(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = slack.rapport.check

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(slack.rapport, "check", slow)
    status, _, _ = await slack.send.slash(f"check {ASK}")
    assert status == 200
    adapter = adapter_of(slack.app)
    assert not await adapter.drain(0.2)  # a check is still running
    release.set()
    assert await adapter.drain(5)
    assert (await slack.fake.wait_for("hook"))[-1]["response_type"] == "ephemeral"


# -- review fixes: recipients on buttons, long drafts, DMs, shutdown, replacing answers -----------


async def test_the_rewrite_button_checks_for_the_same_recipient(slack: Slack) -> None:
    await slash(slack, "know <@U2|dana> we ran the Atlas launch together at Acme")
    reply = await slash(
        slack,
        "check Hi <@U2|dana>, could you endorse me for Python on LinkedIn? It would help my job "
        "search. Thanks!",
    )
    assert "cold-ask" not in blocks_text(reply)
    n = len(slack.fake.hooks())
    await slack.send.click(buttons(reply)["rapport:rewrite"])
    rewritten = (await slack.fake.wait_for("hook", n + 1))[-1]
    assert "```" in blocks_text(rewritten) and "cold-ask" not in blocks_text(rewritten)
    # the modal's recipient picker too
    await slash(slack, "know <@U3> we shipped the billing revamp together")
    _, body = await _submit(
        slack,
        "Hi Lee, could you endorse me for Python on LinkedIn? It would help my job search. Thanks!",
        "U3",
    )
    view = json.loads(body)["view"]
    assert "cold-ask" not in json.dumps(view)
    await slack.send.click(
        buttons(view)["rapport:rewrite"], container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "modal", "hash": "h2"}, with_response_url=False,
    )  # fmt: skip
    updated = (await slack.fake.wait_for("views.update"))[-1]
    assert "```" in json.dumps(updated["view"]) and "cold-ask" not in json.dumps(updated["view"])


def _incompressible(n: int) -> str:
    import random

    rng = random.Random(5)
    words = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(3, 9)))
             for _ in range(800)]  # fmt: skip
    prefix = "@everyone please endorse me for Python on LinkedIn ASAP, like and share my profile! "
    return (prefix + " ".join(words))[:n]


async def test_a_draft_too_long_for_buttons_says_so_and_the_modal_carries_it(slack: Slack) -> None:
    draft = _incompressible(3000)
    reply = await slash(slack, f"check {draft}")
    assert "rapport:rewrite" not in buttons(reply)  # 3,000 characters don't fit a button
    assert "too long to ride on a button" in blocks_text(reply)
    _, body = await _submit(slack, draft)
    view = json.loads(body)["view"]
    assert view.get("private_metadata")  # Slack keeps the draft with the modal, not rapport
    ids = buttons(view)
    assert ids["rapport:rewrite"]["value"] == "m:rewrite"
    await slack.send.click(
        ids["rapport:rewrite"], container={"type": "view", "view_id": "V1"},
        view={"id": "V1", "type": "modal", "hash": "h2",
              "private_metadata": view["private_metadata"]}, with_response_url=False,
    )  # fmt: skip
    updated = (await slack.fake.wait_for("views.update"))[-1]
    assert "```" in json.dumps(updated["view"])  # the rewrite, in the modal


async def test_dm_mentions_read_as_names(slack: Slack) -> None:
    await slack.send.dm("hi")
    await slack.send.dm("1")
    await slack.send.dm("<@U3>")
    asked = (await slack.fake.wait_for("chat.postMessage", 3))[-1]
    assert "Lee Park" in blocks_text(asked) and "U3" not in blocks_text(asked)


async def test_shutdown_waits_for_a_dm_turn_in_flight(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = slack.rapport.talk

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(slack.rapport, "talk", slow)
    await slack.send.dm("hi")
    await asyncio.sleep(0.2)
    adapter = adapter_of(slack.app)
    assert await adapter.drain(0.2) is False  # the turn is still running: shutdown waits
    release.set()
    assert await adapter.drain(5) is True
    await slack.fake.wait_for("chat.postMessage")


async def test_answers_to_a_confirmation_replace_it(slack: Slack) -> None:
    reply = await slash(slack, "forget")
    n = len(slack.fake.hooks())
    await slack.send.click(buttons(reply)["rapport:forget:no"])
    kept = (await slack.fake.wait_for("hook", n + 1))[-1]
    assert kept["replace_original"] in (True, "true")
