"""Deterministic generator of chat-like outreach messages for the benchmark.

Every message is assembled from templates with random slot fills, driven by a
`random.Random` seeded with a fixed value, so the same arguments always give the
same corpus (checked by `digest`).  Names, numbers, URLs, mentions and sentence
order vary per message, so a tool cannot get fast by caching repeated input.

    python -m bench.corpus --n 5 --long-n 1     # print a few samples and stats
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
from collections.abc import Callable, Sequence

SEED = 20_240_611
CHAT_MIN_CHARS = 60
CHAT_MAX_CHARS = 800
LONG_CHARS = 4_000

# --------------------------------------------------------------------------- vocabulary

NAMES = (
    "Alex",
    "Priya",
    "Jordan",
    "Mei",
    "Sam",
    "Fatima",
    "Lukas",
    "Aisha",
    "Diego",
    "Hana",
    "Tom",
    "Olga",
    "Kwame",
    "Sofia",
    "Raj",
    "Emma",
    "Yusuf",
    "Chloe",
    "Mateo",
    "Ingrid",
    "Noah",
    "Leila",
    "Kenji",
    "Ava",
    "Omar",
    "Zoe",
    "Ivan",
    "Nadia",
    "Ben",
    "Lucia",
    "Arjun",
    "Grace",
    "Tariq",
    "Elena",
    "Felix",
    "Maya",
    "Hugo",
    "Amara",
    "Liam",
    "Sara",
)
SURNAMES = (
    "Nguyen",
    "Patel",
    "Smith",
    "Garcia",
    "Kim",
    "Okafor",
    "Müller",
    "Rossi",
    "Tanaka",
    "Cohen",
    "Silva",
    "Johansson",
    "Dubois",
    "Kowalski",
    "O'Brien",
    "Haddad",
    "Novak",
    "Chen",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Stark Industries",
    "Wayne Tech",
    "Pied Piper",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Aperture",
    "Massive Dynamic",
    "Oscorp",
    "Wonka Data",
    "Blue Sun",
    "Monarch",
    "Dunder Cloud",
    "Gringotts Pay",
)
ROLES = (
    "backend engineer",
    "data scientist",
    "product manager",
    "SRE",
    "frontend developer",
    "staff engineer",
    "ML engineer",
    "designer",
    "engineering manager",
    "developer advocate",
    "security engineer",
    "QA lead",
    "technical writer",
    "solutions architect",
    "intern",
)
SKILLS = (
    "Python",
    "Rust",
    "Kubernetes",
    "React",
    "SQL",
    "machine learning",
    "public speaking",
    "TypeScript",
    "Go",
    "AWS",
    "Terraform",
    "data viz",
    "leadership",
    "system design",
    "PostgreSQL",
    "Kafka",
    "GraphQL",
    "accessibility",
    "UX research",
    "mentoring",
)
TOPICS = (
    "the billing migration",
    "our on-call rotation",
    "vector search",
    "the Q3 roadmap",
    "flaky CI",
    "the new design system",
    "rate limiting",
    "onboarding docs",
    "the data lake",
    "feature flags",
    "the incident last Tuesday",
    "latency budgets",
    "the hiring loop",
    "open-source licensing",
    "the offsite agenda",
    "schema migrations",
    "the iOS release",
)
EVENTS = (
    "PyCon",
    "KubeCon",
    "the React meetup",
    "RustConf",
    "the hackathon",
    "Strange Loop",
    "the AI summit",
    "DevOpsDays",
    "the alumni mixer",
    "JSConf",
    "the career fair",
)
CITIES = (
    "Berlin",
    "Austin",
    "Lagos",
    "Toronto",
    "Bangalore",
    "Lisbon",
    "Seattle",
    "Nairobi",
    "São Paulo",
    "Tokyo",
    "Warsaw",
    "Melbourne",
    "Dublin",
    "Mexico City",
)
PRODUCTS = (
    "CLI tool",
    "VS Code extension",
    "newsletter",
    "podcast",
    "course",
    "SaaS app",
    "Chrome extension",
    "open-source library",
    "YouTube channel",
    "ebook",
    "Discord bot",
)
PLACES = ("the taco place", "the ramen spot", "the food trucks", "the cafeteria", "Luigi's")
MONTHS = ("January", "March", "May", "June", "August", "September", "October", "November")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
EMOJI = (
    "🙏",
    "🚀",
    "🎉",
    "😊",
    "👋",
    "🔥",
    "💯",
    "🙌",
    "👀",
    "✨",
    "😅",
    "🤝",
    "📣",
    "❤️",
    "👍",
    ":tada:",
    ":pray:",
    ":rocket:",
    ":wave:",
    ":+1:",
    ":eyes:",
    ":sparkles:",
)
FILES = ("api/billing.py", "src/main.rs", "web/App.tsx", "infra/main.tf", "README.md")
ADJECTIVES = ("great", "amazing", "solid", "thoughtful", "helpful", "sharp", "kind")

# --------------------------------------------------------------------------- slot fillers


def _mention(rng: random.Random) -> str:
    """A Slack or Discord mention, channel link or broadcast token."""
    kind = rng.randrange(6)
    if kind == 0:
        return f"<@U{rng.randrange(16**8):08X}>"
    if kind == 1:
        return f"<@{rng.randrange(10**17, 10**18)}>"
    if kind == 2:
        return rng.choice(("<!here>", "<!channel>", "<!everyone>", "@here", "@everyone"))
    if kind == 3:
        return f"<#C{rng.randrange(16**8):08X}|{rng.choice(('general', 'jobs', 'intros'))}>"
    if kind == 4:
        return f"<#{rng.randrange(10**17, 10**18)}>"
    return f"@{rng.choice(NAMES).lower()}"


def _url(rng: random.Random) -> str:
    """A plausible URL, sometimes in Slack's <url|label> form (never fetched)."""
    slug = f"{rng.choice(NAMES).lower()}-{rng.choice(SURNAMES).lower()}-{rng.randrange(1000)}"
    url = rng.choice(
        (
            f"https://www.linkedin.com/in/{slug}",
            f"https://github.com/{slug}/project-{rng.randrange(100)}",
            f"https://example.com/blog/{rng.randrange(10_000)}?utm_source=slack",
            f"https://jobs.example.org/{rng.choice(COMPANIES).split()[0].lower()}"
            f"/req-{rng.randrange(10**5)}",
            f"https://www.producthunt.com/posts/{slug}",
            f"https://youtu.be/{rng.randrange(16**10):010x}",
        )
    )
    if rng.random() < 0.25:
        return f"<{url}|{rng.choice(('link', 'here', 'my profile', 'the post'))}>"
    return url


def _person(rng: random.Random) -> str:
    """A first name, sometimes with a surname."""
    first = rng.choice(NAMES)
    return f"{first} {rng.choice(SURNAMES)}" if rng.random() < 0.4 else first


def _fill(rng: random.Random, template: str) -> str:
    """Replace every {slot} in `template` with a fresh random fill."""
    fillers: dict[str, Callable[[], str]] = {
        "name": lambda: _person(rng),
        "name2": lambda: _person(rng),
        "me": lambda: rng.choice(NAMES),
        "company": lambda: rng.choice(COMPANIES),
        "role": lambda: rng.choice(ROLES),
        "skill": lambda: rng.choice(SKILLS),
        "skill2": lambda: rng.choice(SKILLS),
        "topic": lambda: rng.choice(TOPICS),
        "event": lambda: rng.choice(EVENTS),
        "city": lambda: rng.choice(CITIES),
        "product": lambda: rng.choice(PRODUCTS),
        "place": lambda: rng.choice(PLACES),
        "month": lambda: rng.choice(MONTHS),
        "day": lambda: rng.choice(WEEKDAYS),
        "file": lambda: rng.choice(FILES),
        "adj": lambda: rng.choice(ADJECTIVES),
        "emoji": lambda: rng.choice(EMOJI),
        "mention": lambda: _mention(rng),
        "url": lambda: _url(rng),
        "n": lambda: str(rng.randrange(2, 15)),
        "pct": lambda: str(rng.randrange(5, 95)),
        "time": lambda: f"{rng.randrange(8, 18)}:{rng.choice(('00', '15', '30', '45'))}",
    }
    return template.format_map(_Lazy(fillers))


class _Lazy(dict[str, str]):
    """format_map helper: calls the slot's filler on every lookup."""

    def __init__(self, fillers: dict[str, Callable[[], str]]) -> None:
        super().__init__()
        self._fillers = fillers

    def __missing__(self, key: str) -> str:
        return self._fillers[key]()


# --------------------------------------------------------------------------- templates

GREETINGS = (
    "Hi {name}!",
    "Hey {name} {emoji}",
    "Hello {mention},",
    "Good morning {name},",
    "yo {name}",
    "Hi all {emoji}",
    "{mention} quick one:",
    "Dear {name},",
    "Hey team!",
    "Hi {name}, hope you're well.",
    "Hey! Long time no see {emoji}",
    "Hi {name} — hope your {day} is going well.",
)
CLOSINGS = (
    "Thanks!",
    "Cheers, {me}",
    "Best, {me}",
    "No worries if not!",
    "Let me know {emoji}",
    "Thanks in advance!!",
    "Appreciate it {emoji}",
    "ty",
    "— {me}",
    "Talk soon!",
    "Happy to return the favor anytime.",
    "Thanks a ton, {me} {emoji}",
)
KIND_SENTENCES: dict[str, tuple[str, ...]] = {
    "recommendation": (
        "Could you write me a recommendation for my {role} application at {company}?",
        "Would you be willing to endorse me for {skill} and {skill2} on LinkedIn?",
        "Please endorse me for {skill} ASAP, the recruiter is looking today.",
        "Since we worked together on {topic}, would you feel comfortable writing a short "
        "recommendation about my {skill} work?",
        "can u endorse me for {skill}?? {emoji}",
        "I'd be grateful if you could vouch for my {skill} skills — happy to send notes on "
        "what we shipped together.",
        "Endorse me for {skill} and I'll endorse you back {emoji}",
    ),
    "referral": (
        "Is {company} hiring? Could you refer me for the {role} opening ({url})?",
        "I saw the {role} posting at {company} — would you be comfortable referring me?",
        "Could you put in a referral for me? Here is the req: {url}",
        "Any chance you could pass my resume to the {role} hiring manager at {company}?",
        "I know we haven't talked in a while, but could you refer me to {company}?",
        "If you think I'd be a fit for the {role} team, a referral would mean a lot.",
    ),
    "intro": (
        "Could you intro me to {name2} at {company}? I'd love to ask about {topic}.",
        "Would you mind making a warm introduction to {name2}? No pressure at all.",
        "Do you know anyone on the {role} team at {company} you could connect me with?",
        "I'm trying to reach {name2} about {topic} — would you be open to a quick intro?",
        "intro me to your VP pls {emoji}",
    ),
    "connection": (
        "I'd love to connect! I'm a {role} in {city} working on {topic}.",
        "We met at {event} in {city} last {month} — let's connect here too.",
        "Let's connect! I'm building a {product} for {role}s and would love your thoughts.",
        "Adding you to my network — I think we have a lot in common around {skill}.",
        "Please accept my connection request, I'm growing my network to 5,000+ {emoji}",
    ),
    "promotion": (
        "Check out my new {product}: {url} {emoji} Please like and share!",
        "{mention} we just launched our {product} on Product Hunt — upvote us! {url}",
        "Smash that like button and subscribe to my {product} {emoji}{emoji}",
        "My {product} is {pct}% off this week only, DM me for the code!",
        "Would really appreciate a star on the repo {url} {emoji}",
        "Please repost this to your network, it helps a ton: {url}",
        "Comment 'YES' below and I'll send you my {product} for free!",
    ),
    "thanks": (
        "Thanks so much for the intro to {name2} — we're meeting on {day}!",
        "Really appreciated your feedback on {topic}; I rewrote the proposal based on it.",
        "Thank you for the recommendation, I got the {role} offer at {company} {emoji}",
        "Huge thanks for pairing with me on {topic} yesterday.",
        "Just wanted to say your talk at {event} on {skill} was {adj}.",
    ),
    "chat": (
        "Did anyone catch the talk about {topic} at {event}?",
        "Standup moved to {time} on {day}.",
        "I pushed a fix for {topic} in `{file}`, can someone review?",
        "Lunch at {place}? {emoji}",
        "Heads up {mention}: deploys are frozen until {day} because of {topic}.",
        "The dashboard shows p99 up {pct}% since we touched {topic} 👀",
        "> we should just rewrite it in {skill}\nplease no {emoji}",
        "Anyone have a good doc on {skill}? Asking for {topic}.",
        "**Reminder:** retro is at {time}, bring ideas about {topic}.",
        "_brb_, grabbing coffee before the sync on {topic}",
    ),
}
CONTEXT_SENTENCES = (
    "I've been working on {topic} at {company} for {n} years.",
    "We met at {event} in {city} back in {month}.",
    "Happy to return the favor — I could review your {skill} code or your resume.",
    "Here's my portfolio: {url}",
    "I just wrapped up a {n}-month project on {topic}.",
    "Totally understand if you're busy with {topic} right now.",
    "I noticed your post about {skill} and it really resonated.",
    "Our team cut build times by {pct}% after switching to {skill}.",
    "I'm also happy to hop on a call on {day} at {time} if that's easier.",
    "FWIW {name2} suggested I reach out to you.",
    "I know this is out of the blue, sorry about that {emoji}",
    "Let me know if there's anything I can help with on {topic}.",
    "I attached a short summary below so you don't have to dig.",
    "Honestly your work on {topic} is the reason I got into {skill}.",
    "Btw, congrats on the new {role} role at {company}! {emoji}",
    "The deadline is {day}, so sooner is better, but no pressure.",
    "I'll be in {city} in {month} if you want to grab coffee.",
    "Here's the thread for context: {url}",
)
KINDS: tuple[str, ...] = tuple(KIND_SENTENCES)

# --------------------------------------------------------------------------- assembly


def _join(rng: random.Random, parts: Sequence[str]) -> str:
    """Join sentences the way people type in chat: mostly spaces, some line breaks."""
    out = parts[0]
    for part in parts[1:]:
        sep = "\n" if part.startswith(">") else rng.choices((" ", "\n", "\n\n"), (8, 2, 1))[0]
        out += sep + part
    return out


def _cut(text: str, limit: int, floor: int) -> str:
    """Trim `text` to at most `limit` chars, at a word boundary if one is near the end."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    if space >= max(floor, limit - 25):
        head = head[:space]
    return head.rstrip() if len(head.rstrip()) >= floor else head


def _message(rng: random.Random, target: int) -> str:
    """One message of about `target` chars, assembled from templates that fit the budget.

    Only the core sentence can overshoot a small target; the caller trims it.
    """
    kind = rng.choice(KINDS)
    templates = list(KIND_SENTENCES[kind])
    core = _fill(rng, templates.pop(rng.randrange(len(templates))))
    greeting = _fill(rng, rng.choice(GREETINGS)) if kind != "chat" or rng.random() < 0.3 else ""
    closing = _fill(rng, rng.choice(CLOSINGS)) if rng.random() < 0.8 else ""
    parts = [core]
    used = len(core)
    if greeting and used + len(greeting) + 1 <= target:
        parts.insert(0, greeting)
        used += len(greeting) + 1
    reserve = len(closing) + 1 if closing and used + len(closing) + 1 <= target else 0
    pool = templates + list(CONTEXT_SENTENCES)
    misses = 0
    while pool and misses < 16:  # bounded: each pass removes a template or counts a miss
        sentence = _fill(rng, pool.pop(rng.randrange(len(pool))))
        if used + len(sentence) + 1 + reserve <= target:
            parts.append(sentence)
            used += len(sentence) + 1
        else:
            misses += 1
    if reserve:
        parts.append(closing)
    return _join(rng, parts)


def chat_messages(n: int, seed: int = SEED) -> list[str]:
    """`n` distinct chat-length messages, lengths spread uniformly over 60–800 chars."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(n * 10):  # bounded; duplicates are vanishingly rare
        if len(out) == n:
            break
        target = rng.randint(CHAT_MIN_CHARS, CHAT_MAX_CHARS)
        text = _cut(_message(rng, target), target, CHAT_MIN_CHARS)
        if len(text) >= CHAT_MIN_CHARS and text not in seen:
            seen.add(text)
            out.append(text)
    if len(out) != n:
        raise RuntimeError(f"could only generate {len(out)} of {n} distinct chat messages")
    return out


def long_messages(n: int, seed: int = SEED, chars: int = LONG_CHARS) -> list[str]:
    """`n` messages of exactly `chars` chars, built by joining paragraph-sized messages."""
    rng = random.Random(seed ^ 0x5EED)
    out: list[str] = []
    for _ in range(n):
        text = _message(rng, rng.randint(200, 800))
        for _ in range(100):  # bounded; ~10 paragraphs are enough for 4,000 chars
            if len(text) >= chars:
                break
            text += "\n\n" + _message(rng, rng.randint(200, 800))
        out.append(text[:chars])
    return out


def warmup_messages(n: int, seed: int = SEED) -> list[str]:
    """Warm-up messages from a different seed, so warming up never pre-fills a cache."""
    return chat_messages(n, seed=seed + 1)


def digest(messages: Sequence[str]) -> str:
    """Short sha256 over the messages, to prove every tool saw the same corpus."""
    h = hashlib.sha256()
    for m in messages:
        h.update(m.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def describe(messages: Sequence[str]) -> str:
    """One-line summary: count, distinct count, min/median/max length."""
    if not messages:
        return "0 messages"
    lengths = [len(m) for m in messages]
    return (
        f"{len(messages)} messages ({len(set(messages))} distinct), chars "
        f"min {min(lengths)} / median {int(statistics.median(lengths))} / max {max(lengths)}"
    )


def main() -> None:
    """Print sample messages and corpus statistics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="chat-length messages to show")
    parser.add_argument("--long-n", type=int, default=0, help="4,000-char messages to show")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    chat = chat_messages(args.n, args.seed)
    for i, text in enumerate(chat):
        print(f"--- chat {i} ({len(text)} chars)\n{text}")
    for i, text in enumerate(long_messages(args.long_n, args.seed)):
        print(f"--- long {i} ({len(text)} chars)\n{text}")
    print(f"\nchat: {describe(chat)}; digest {digest(chat)}")


if __name__ == "__main__":
    main()
