"""The naive floor: ONE precompiled regex alternation of a few hundred etiquette-ish phrases.

It understands nothing (no kinds, no context, no fixes); it is here to show what the
cheapest possible phrase scan costs on this machine.  A real checker doing more work
per message should still land within a small factor of it.
"""

from __future__ import annotations

import re
from itertools import product

#: Hand-listed phrases: pressure, engagement bait, cold asks, quid pro quo, blasts, filler.
LISTED: tuple[str, ...] = (
    "asap", "urgent", "urgently", "right away", "as soon as possible", "by eod", "by end of day",
    "today if possible", "need this today", "quick favor", "quick favour", "small favor",
    "just a quick", "just checking in", "just following up", "following up again",
    "circling back", "bumping this", "bump", "any update", "any updates", "did you see my",
    "per my last message", "as i said", "i'm still waiting", "still waiting", "reminder",
    "endorse me", "endorse me for", "please endorse", "can you endorse", "could you endorse",
    "would you endorse", "endorse you back", "i'll endorse you", "i will endorse you",
    "endorsement for endorsement", "endorse for endorse", "skill endorsement",
    "recommend me", "write me a recommendation", "recommendation for me",
    "write a recommendation", "a quick recommendation", "vouch for me", "vouch for my",
    "refer me", "referral for me", "put in a referral", "submit a referral",
    "pass my resume", "forward my resume", "send my resume", "my resume", "my cv",
    "intro me", "introduce me", "introduce me to", "warm intro", "warm introduction",
    "connect me with", "put me in touch", "get me in touch", "your network", "your contacts",
    "your vp", "your ceo", "your manager", "hiring manager", "are you hiring",
    "is your company hiring",
    "accept my connection", "accept my request", "connection request", "let's connect",
    "lets connect", "add me", "follow me", "follow back", "follow for follow", "f4f",
    "like for like", "l4l", "sub for sub", "s4s", "growing my network", "500+ connections",
    "5,000+", "like and share", "like and subscribe", "smash that like", "hit the like",
    "hit subscribe", "subscribe to my", "check out my", "check my profile", "visit my profile",
    "link in bio", "dm me", "dm for", "comment yes", "comment 'yes'", "comment below",
    "tag a friend", "tag someone", "share this", "repost this", "please repost", "please share",
    "please like", "please retweet", "please upvote", "upvote us", "upvote me", "upvote this",
    "star the repo", "star my repo", "a star on", "give us a star", "product hunt",
    "we just launched", "i just launched", "just launched", "limited time", "this week only",
    "% off", "discount code", "promo code", "free trial", "for free", "sign up now",
    "click here", "click the link", "don't miss", "act now", "last chance", "giveaway",
    "@here", "@everyone", "<!here>", "<!channel>", "<!everyone>", "hey all", "hi all",
    "hey everyone", "hi everyone", "hey team", "dear sir", "dear madam", "dear sir or madam",
    "to whom it may concern", "dear hiring manager", "dear friend", "hello dear",
    "i know you're busy", "i know you are busy", "sorry to bother", "sorry to bug you",
    "out of the blue", "we haven't talked", "long time no see", "long time no talk",
    "you don't know me", "we've never met", "we have never met", "cold message",
    "no pressure", "no worries if not", "totally understand if", "if you have time",
    "i'd be grateful", "would mean a lot", "it would mean the world", "do me a favor",
    "do me a favour", "return the favor", "return the favour", "happy to return",
    "i owe you", "you owe me", "scratch my back", "one hand washes", "tit for tat",
    "in exchange for", "in return for", "quid pro quo", "i'll do the same", "i will do the same",
    "thanks in advance", "thx in advance", "tia", "many thanks in advance", "ty", "thx",
    "pls", "plz", "plzz", "u up", "can u", "could u", "would u", "r u", "hmu", "lmk",
    "amazing", "awesome", "great guy", "great person", "great work", "great job",
    "rockstar", "ninja", "guru", "10x", "superstar", "legend", "best ever", "world class",
    "highly recommend", "strongly recommend", "can't recommend enough", "one of the best",
    "hard worker", "team player", "go-getter", "self-starter", "detail oriented",
    "results driven", "passionate", "synergy", "circle back", "touch base", "pick your brain",
    "hop on a call", "quick call", "15 minutes", "15 min", "coffee chat", "grab coffee",
    "my startup", "my app", "my product", "my course", "my newsletter", "my podcast",
    "my channel", "my book", "my ebook", "my post", "my article", "my video", "my repo",
)

VERBS = (
    "like", "share", "endorse", "upvote", "retweet", "repost", "star", "follow", "subscribe to",
    "review", "recommend", "boost", "check out", "comment on", "support",
)
OBJECTS = (
    "my post", "my profile", "my page", "my repo", "my video", "my channel", "my app",
    "my launch", "my product", "my thread", "my article", "my newsletter", "my podcast",
)


def phrases() -> tuple[str, ...]:
    """Listed phrases plus generated 'please VERB OBJECT' ones, deduplicated, in stable order."""
    generated = (f"please {verb} {obj}" for verb, obj in product(VERBS, OBJECTS))
    return tuple(dict.fromkeys((*LISTED, *generated)))


def compile_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation over lower-case phrases, longest first so they win over prefixes.

    Matching is case-sensitive on purpose: `scan` lower-cases the text instead, because
    re.IGNORECASE turns off the literal-prefix optimisations and makes a big alternation
    several times slower, which would flatter anything compared with this floor.
    """
    ordered = sorted({w.lower() for w in words}, key=lambda w: (-len(w), w))
    body = "|".join(re.escape(w) for w in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


PHRASES: tuple[str, ...] = phrases()
PATTERN: re.Pattern[str] = compile_pattern(PHRASES)


def scan(text: str) -> list[tuple[int, int]]:
    """All phrase hits as (start, end) spans in the lower-cased text: the floor's whole 'check'."""
    return [m.span() for m in PATTERN.finditer(text.lower())]
