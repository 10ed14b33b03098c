"""Showing rapport's answers on Slack: privately through a payload's response_url (one shared
HTTP session), as an ephemeral message, or in the user's DM; coach replies in the DM."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from rapport.adapters.common.failures import Tell
from rapport.adapters.slack import blocks
from rapport.adapters.slack.directory import Directory
from rapport.bot.coach.replies import Reply
from rapport.bot.service.chat import Answer
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage.base import SessionKey, UserRef
from rapport.bot.wording import say

__all__ = ["Delivery", "Respond"]

PLATFORM = "slack"

Respond = Callable[..., Awaitable[Any]]


class Delivery:
    """Where and how an answer reaches the user who asked."""

    def __init__(
        self, rapport: Rapport, people: Directory, session: aiohttp.ClientSession, cmd: str
    ) -> None:
        self.rapport = rapport
        self.people = people
        self.session = session
        self.cmd = cmd

    def responder(self, response_url: str | None) -> Respond | None:
        """Posts to a payload's response_url over the shared session (Bolt's `respond` opens a
        new session and connection for every post)."""
        if not response_url:
            return None
        hook = AsyncWebhookClient(response_url, session=self.session)

        async def respond(**body: Any) -> None:
            await hook.send_dict(body)

        return respond

    def ephemeral(self, respond: Respond | None) -> Tell | None:
        """A few words for the user alone, through `respond` (None when there is no way)."""
        if respond is None:
            return None

        async def tell(words: str) -> None:
            await respond(response_type="ephemeral", replace_original=False, text=words)

        return tell

    async def tell_quietly(self, respond: Respond | None, words: str) -> None:
        """Say a few words privately if possible (a refusal: nothing else was done)."""
        tell = self.ephemeral(respond)
        if tell is not None:
            with contextlib.suppress(Exception):
                await tell(words)

    async def deliver(
        self,
        answer: Answer,
        client: AsyncWebClient,
        user: UserRef,
        respond: Respond | None,
        channel: str | None = None,
        replace: bool = False,
    ) -> None:
        """Show an answer privately: through response_url, else as an ephemeral message
        (`replace`: in place of the message whose button asked for it)."""
        if answer.coach is not None:
            opened = await self.open_coach(client, user, answer.coach)
            answer = Answer(
                say("chat.coach_opened" if opened else "chat.coach_dm_failed", platform=PLATFORM)
            )
        text = blocks.fallback_text(answer)
        layout = blocks.answer_blocks(answer, self.cmd)
        if respond is not None:
            await respond(
                text=text, blocks=layout, response_type="ephemeral", replace_original=replace
            )
        elif channel:
            await client.chat_postEphemeral(
                channel=channel, user=user.user_id, text=text, blocks=layout, link_names=False
            )
        else:  # from App Home: the DM is the private place
            dm = await self.people.dm_channel(client, user.user_id)
            if dm:
                await client.chat_postMessage(
                    channel=dm, text=text, blocks=layout, link_names=False, unfurl_links=False
                )

    async def open_coach(self, client: AsyncWebClient, user: UserRef, first: str) -> bool:
        """Start or resume the DM session (sending it `first`, a pasted draft, if any)."""
        channel = await self.people.dm_channel(client, user.user_id)
        if channel is None:
            return False
        key = SessionKey(user, channel)
        reply = (
            await self.rapport.talk(key, first)
            if first.strip()
            else await self.rapport.coach.resume(key)
        )
        await self.post_reply(client, channel, reply)
        return True

    async def post_reply(self, client: AsyncWebClient, channel: str, reply: Reply) -> None:
        """A coach reply (words and choices) in the DM."""
        await client.chat_postMessage(
            channel=channel,
            text=blocks.reply_text(reply),
            blocks=blocks.reply_blocks(reply),
            link_names=False,
            unfurl_links=False,
            unfurl_media=False,
        )
