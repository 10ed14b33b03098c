"""The writing grid: the axes a corpus writer's drafts are drawn from, and what goes with what.

Kept apart from the brief generator so the stats command can name the same axes and bands.
"""

from __future__ import annotations

__all__ = [
    "FLAWS",
    "FLAW_RULE",
    "HARD_NEGATIVES",
    "KIND_FLAWS",
    "LENGTH_BANDS",
    "NOISE",
    "PLATFORMS",
    "REGISTERS",
    "RELATIONSHIPS",
    "SENDERS",
    "length_band",
]

PLATFORMS = [
    "linkedin",
    "email",
    "slack-dm",
    "slack-channel",
    "discord-server",
    "discord-dm",
    "sms",
]
PLATFORM_LABEL = {
    "linkedin": "LinkedIn message or InMail",
    "email": "email",
    "slack-dm": "Slack DM",
    "slack-channel": "Slack channel post",
    "discord-server": "Discord server post",
    "discord-dm": "Discord DM",
    "sms": "SMS / WhatsApp",
}
# Posts that many people see by design.
GROUP_PLATFORMS = {"slack-channel", "discord-server"}
CHAT_PLATFORMS = {"slack-dm", "slack-channel", "discord-server", "discord-dm"}

SENDERS = [
    "job seeker",
    "student",
    "recruiter",
    "founder",
    "salesperson",
    "freelancer",
    "community manager",
    "academic",
    "volunteer",
    "engineer",
]
RELATIONSHIPS = [
    "close colleague",
    "former colleague",
    "acquaintance",
    "met once",
    "stranger",
    "friend of a friend",
    "family",
]
REGISTERS = ["formal", "casual", "terse", "rambling", "gushing"]
NOISE = [
    "typos",
    "no punctuation",
    "emoji",
    "chat markup",
    "hard-wrapped lines",
    "non-native English",
    "capitals",
]
# (low, high) characters, inclusive.
LENGTH_BANDS = [(10, 60), (61, 200), (201, 500), (501, 1000), (1001, 2000)]


def length_band(n: int) -> str:
    """The band a text length falls in, as "61-200" (below 10 or above 2,000 say so)."""
    for low, high in LENGTH_BANDS:
        if low <= n <= high:
            return f"{low}-{high}"
    return "<10" if n < 10 else ">2000"


# Flaws as a writer is told them (plain words), and the rule a flaw is meant to show.
FLAWS = {
    "cold": "asks for a recommendation, endorsement, referral, introduction or connection "
    "while showing no first-hand relationship with the recipient",
    "no-give": "asks for a recommendation or endorsement without having given one or offering "
    "to (in any form)",
    "trade": "makes it a trade: an endorsement, recommendation, like or follow offered only in "
    "exchange for one back",
    "mass": "is plainly a mass message: greets a crowd, pings @everyone/@here/@channel or a "
    "whole role, leaves template fields like {first_name} or [Company] unfilled, or says it "
    "goes to all contacts",
    "bait": "asks people to like, follow, share, subscribe, vote, repost or retweet for visibility",
    "me-me": "is mostly about the sender's own wants, needs and achievements, with little or "
    "nothing about the recipient",
    "vague": "praises with adjectives only ('amazing', 'hard-working', 'a great guy'), with "
    "no specific first-hand detail",
    "hollow": "endorses or recommends a person or product the sender has no first-hand "
    "knowledge of, or endorses to gain visibility or favour",
    "push": "pushes with urgency, guilt or entitlement ('ASAP', 'you owe me', 'by EOD', "
    "'after all I did for you')",
    "generic": "is a one-to-one message with no name and nothing specific about the recipient: "
    "it could go to anyone",
    "blunt": "is blunt or demanding: bare orders, blame ('why haven't you…'), no courtesy at all",
}
FLAW_RULE = {
    "cold": "cold-ask",
    "no-give": "ask-before-give",
    "trade": "quid-pro-quo",
    "mass": "blast",
    "bait": "engagement-bait",
    "me-me": "self-centered",
    "vague": "vague-praise",
    "hollow": "hollow-endorsement",
    "push": "pressure",
    "generic": "impersonal",
    "blunt": "curt",
}

# Which flaws make sense in which kind of draft.
KIND_FLAWS = {
    "endorsement_request": [
        "cold",
        "no-give",
        "trade",
        "mass",
        "me-me",
        "push",
        "generic",
        "blunt",
    ],
    "referral_request": ["cold", "mass", "me-me", "push", "generic", "blunt"],
    "connection_request": ["cold", "mass", "me-me", "push", "generic", "blunt", "bait", "trade"],
    "endorsement": ["vague", "hollow", "mass", "push", "trade", "me-me"],
    "promotion": ["mass", "bait", "push", "me-me", "generic", "trade", "hollow"],
    "reciprocation": ["vague", "hollow", "trade", "bait", "me-me", "blunt", "mass"],
    "other": ["blunt", "push", "me-me", "mass", "bait", "generic"],
}
# Pairs that don't go together in one draft (a crowd message is a blast, not a cold one-to-one
# ask; a trade already says what is given).
EXCLUSIVE = {
    frozenset(p)
    for p in [
        ("mass", "cold"),
        ("mass", "no-give"),
        ("mass", "generic"),
        ("mass", "blunt"),
        ("no-give", "trade"),
    ]
}

HARD_NEGATIVES = {
    "warm-ask": "a request (for a recommendation, a referral, an introduction or a "
    "connection) to someone the sender really knows, the relationship said outright or clearly "
    "implied ('How have you been since the Boston project?'); otherwise well written (if it asks "
    "for a recommendation, the sender has given one or offers one freely)",
    "honest-decline": "an honest, kind decline of a request to recommend, endorse, refer or "
    "introduce ('I don't know your work well enough to recommend you, but…')",
    "intro-offer": "an offer to make a double-opt-in introduction: the sender offers to "
    "introduce the recipient to someone and will check that both sides want it first",
    "mid-reply": "a reply in the middle of an ongoing conversation: it answers something the "
    "other person just said (any topic; an ask may follow naturally from the thread)",
    "thank-you": "a thank-you: for a recommendation, an endorsement, a referral, an intro, "
    "advice or help",
    "deadline-easy-out": "a request with a real deadline, said politely, with an easy out "
    "('the form closes Friday; no worries at all if you can't')",
    "pasted-spam": "the user pastes a spammy or mass message they RECEIVED (quoted, or after "
    "a line like 'got this, how do I reply?') and asks how to answer it or whether to",
    "ordinary-chat": "ordinary chat that isn't outreach: logistics, banter, a work question, "
    "a status update, a bug report",
    "out-of-office": "an out-of-office note or away auto-reply",
    "rightly-many": "a message that is rightly for many: an incident or outage notice, a team "
    "party invite, a policy change, a meeting reminder for members, a shift rota, a club "
    "announcement to its own members",
    "other-language": "a draft in the language given in the 'what' column: any kind of "
    "outreach or message, well or badly written as stated",
}
