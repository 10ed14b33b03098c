"""A generated set of flawed drafts: every rule, in every kind it applies to.

Each draft is a sound message of one kind with one or two flaws put in (a crowd greeting, a
trade, a deadline with no way out, a missing relationship…).  Names, companies, projects and
numbers are drawn at random (seeded) from small pools, so a rewrite that drops or invents a
fact shows up.  This set measures the rewriter; it is not used to tune the rules.

    python -m evals.flawed --count 3     # print a few
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FLAWS", "generate"]

NAMES = [
    "Dana",
    "Priya",
    "Sam",
    "Leo",
    "Maria",
    "Ravi",
    "Chen",
    "Aisha",
    "Tomás",
    "Kofi",
    "Ingrid",
    "Mateo",
]
COMPANIES = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Vandelay",
    "Wayne Analytics",
]
PROJECTS = [
    "the billing migration",
    "the onboarding redesign",
    "the data platform rollout",
    "the mobile checkout",
    "the search relaunch",
    "the pricing experiment",
]
SKILLS = ["Python", "SQL", "product strategy", "Kubernetes", "UX research", "data modelling"]
ROLES = ["Senior PM role", "data engineer opening", "design lead position", "staff SRE job"]
EVENTS = ["PyCon", "the Berlin product meetup", "DevOpsDays", "the UX London workshop"]
TOPICS = ["flaky tests", "pricing pages", "on-call rotations", "design systems"]
PRODUCTS = ["Tidy CSV", "Standup Bot", "Plotline", "Queue Doctor"]
SENDERS = ["Alex", "Jo", "Morgan", "Kim", "Noor"]


@dataclass(frozen=True, slots=True)
class Pick:
    """One draw of the pools, so every sentence of a draft talks about the same people."""

    name: str
    other: str
    company: str
    company2: str
    project: str
    project2: str
    skill: str
    skill2: str
    role: str
    event: str
    topic: str
    product: str
    sender: str
    year: int
    years: int
    url: str


def _pick(rng: random.Random) -> Pick:
    name, other = rng.sample(NAMES, 2)
    company, company2 = rng.sample(COMPANIES, 2)
    project, project2 = rng.sample(PROJECTS, 2)
    skill, skill2 = rng.sample(SKILLS, 2)
    product = rng.choice(PRODUCTS)
    return Pick(
        name, other, company, company2, project, project2, skill, skill2, rng.choice(ROLES),
        rng.choice(EVENTS), rng.choice(TOPICS), product, rng.choice(SENDERS),
        rng.randint(2016, 2024), rng.randint(2, 6),
        f"https://{product.lower().replace(' ', '')}.example.com/launch",
    )  # fmt: skip


def _parts(kind: str, p: Pick, rng: random.Random) -> dict[str, str]:
    """A sound draft of one kind, as named parts a flaw can replace or drop."""
    greeting = rng.choice(
        [f"Hi {p.name},", f"Hey {p.name}!", f"Dear {p.name},", f"Hello {p.name},"]
    )
    relationship = rng.choice(
        [
            f"We worked together on {p.project} at {p.company} in {p.year}.",
            f"It's been a while since we shipped {p.project} together at {p.company}.",
            f"We met at {p.event} {p.year} and talked about {p.topic}.",
            f"I really enjoyed working with you on {p.project} for {p.years} years at {p.company}.",
        ]
    )
    sign = rng.choice([f"Thanks,\n{p.sender}", f"Best,\n{p.sender}", f"Cheers,\n{p.sender}", ""])
    out = {"greeting": greeting, "relationship": relationship, "sign": sign}
    if kind == "endorsement_request":
        out["give"] = rng.choice(
            [
                f"I've just written you a recommendation about how you led {p.project2}.",
                f"I'd be glad to write you one about your work on {p.project2}.",
            ]
        )
        out["ask"] = rng.choice(
            [
                f"Would you be willing to endorse me for {p.skill}?",
                f"Could you write me a short LinkedIn recommendation about my work on {p.project}?",
                f"Would you be open to being a reference for my application to {p.company2}?",
            ]
        )
        out["out"] = "No worries if now isn't a good time."
    elif kind == "referral_request":
        out["ask"] = rng.choice(
            [
                f"Would you be comfortable referring me for the {p.role} at {p.company2}?",
                f"Could you introduce me to {p.other} at {p.company2}?",
                f"Would you be willing to pass my resume along to the hiring manager for the {p.role}?",
            ]
        )
        out["reason"] = rng.choice(
            [
                f"I'm applying for the {p.role} at {p.company2} next month.",
                f"I've been learning a lot about {p.topic} and {p.company2} is doing great work there.",
            ]
        )
        out["out"] = "No worries at all if it's awkward."
    elif kind == "connection_request":
        out["ask"] = rng.choice(
            [
                "Would you be open to connecting?",
                "I'd love to connect here.",
                "Would you like to connect on LinkedIn?",
            ]
        )
        out["reason"] = rng.choice([f"I'd love to hear how your team handles {p.topic}.", ""])
    elif kind == "endorsement":
        out["recommend"] = rng.choice(
            [
                f"I'd like to recommend {p.other} for the {p.role}.",
                f"I'm happy to recommend {p.other}.",
            ]
        )
        out["relationship"] = rng.choice(
            [
                f"We worked together on {p.project} at {p.company} for {p.years} years.",
                f"{p.other} reported to me at {p.company} from {p.year} to {p.year + 2}.",
            ]
        )
        out["specific"] = rng.choice(
            [
                f"{p.other} cut our release time from {p.years} days to {p.years} hours by rebuilding the deploy pipeline.",
                f"{p.other} ran {p.project2} and shipped it {p.years} weeks early.",
            ]
        )
    elif kind == "promotion":
        out["relationship"] = rng.choice(
            [
                f"You mentioned {p.topic} when we met at {p.event}, so I thought of you.",
                f"Since we worked on {p.project} together at {p.company}, I thought you'd find this useful.",
            ]
        )
        out["details"] = rng.choice(
            [
                f"We just launched {p.product}, a small tool for {p.topic}: {p.url}",
                f"I wrote up what we learned from {p.project} in {p.year}: {p.url}",
            ]
        )
        out["ask"] = "I'd love your honest take if you have a minute."
    elif kind == "reciprocation":
        out["thanks"] = rng.choice(
            [
                "Thank you so much for the recommendation.",
                "Thanks for the kind endorsement on LinkedIn.",
            ]
        )
        out["specific"] = rng.choice(
            [
                f"It meant a lot, especially what you wrote about {p.project}.",
                f"It helped with my application to {p.company2}.",
            ]
        )
        out["give"] = rng.choice(
            [
                f"I've written one for you about how you ran {p.project2}.",
                f"I'd be glad to return the favour with an honest one about {p.project2}.",
            ]
        )
    return out


Flaw = Callable[[dict[str, str], Pick, random.Random], None]


def _blast(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["greeting"] = rng.choice(
        [
            "Hi all,",
            "Hey everyone!",
            "@here",
            "Hi {first_name},",
            "Hello friends,",
            "<!channel>",
            "Hi [Name],",
        ]
    )


def _pressure(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["pressure"] = rng.choice(
        [
            "I need this by Friday.",
            "Please do it ASAP.",
            "This is my third reminder.",
            "It only takes 2 minutes, so do it today!",
            "I need it by EOD.",
        ]
    )
    d.pop("out", None)


def _cold(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d.pop("relationship", None)
    d["cold"] = rng.choice(["", "I came across your profile.", f"I saw you work at {p.company}."])


def _no_give(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d.pop("give", None)


def _trade(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["give"] = rng.choice(
        [
            f"I'll endorse you for {p.skill2} if you endorse me for {p.skill}.",
            "If you write me one, I'll write you one back.",
            "Endorse me and I'll endorse you back.",
            f"I'll split the referral bonus with you if I get the {p.role}.",
            "Now that you endorsed me, I'll endorse you back so we both look good.",
        ]
    )


def _self(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["self"] = rng.choice(
        [
            "I need a new job and I need more endorsements. I want my profile to stand out. I really need this.",
            "I'm trying to build my personal brand and I need visibility. I want recruiters to notice me.",
            f"I need to hit my target this quarter and I want {p.years * 100} signups. I need the numbers.",
        ]
    )


def _impersonal(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["greeting"] = rng.choice(["Hi,", "Hello there,", "Greetings,", "", "Dear Connection,"])
    for key in ("relationship", "specific"):  # nothing that is only true of them
        d.pop(key, None)


def _curt(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["ask"] = rng.choice(
        [
            f"Endorse me for {p.skill}.",
            "Refer me.",
            "Send me the intro.",
            "Connect with me.",
            f"Give me a rec for {p.skill}.",
        ]
    )
    d.pop("out", None)


def _bait(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d["bait"] = rng.choice(
        [
            "Please like and share my latest post too!",
            "Follow me and I'll follow back.",
            "Smash that like button and tag 3 friends!",
            "Like, comment and subscribe!",
        ]
    )


def _vague(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    d.pop("specific", None)
    d["vague"] = rng.choice(
        [
            f"{p.other} is amazing, brilliant and a true rockstar.",
            "You're the best!! So talented.",
            "Highly recommend, a great person!",
        ]
    )


def _hollow(d: dict[str, str], p: Pick, rng: random.Random) -> None:
    for key in ("relationship", "specific"):
        d.pop(key, None)
    d["hollow"] = rng.choice(
        [
            f"I haven't worked with {p.other} directly, but I'm happy to endorse them.",
            f"I don't really know {p.other}, but highly recommend!",
            "I've never used it, but this is the best tool out there!",
        ]
    )


FLAWS: dict[str, tuple[Flaw, tuple[str, ...]]] = {
    "blast": (_blast, ("endorsement_request", "referral_request", "connection_request", "promotion", "reciprocation")),
    "pressure": (_pressure, ("endorsement_request", "referral_request", "connection_request", "promotion")),
    "cold-ask": (_cold, ("endorsement_request", "referral_request", "connection_request")),
    "ask-before-give": (_no_give, ("endorsement_request",)),
    "quid-pro-quo": (_trade, ("endorsement_request", "referral_request", "reciprocation")),
    "self-centered": (_self, ("endorsement_request", "referral_request", "connection_request", "promotion")),
    "impersonal": (_impersonal, ("endorsement_request", "referral_request", "connection_request", "promotion")),
    "curt": (_curt, ("endorsement_request", "referral_request", "connection_request")),
    "engagement-bait": (_bait, ("promotion", "connection_request")),
    "vague-praise": (_vague, ("endorsement", "reciprocation")),
    "hollow-endorsement": (_hollow, ("endorsement", "promotion")),
}  # fmt: skip
_ORDER = ("greeting", "cold", "relationship", "thanks", "recommend", "specific", "vague",
          "hollow", "self", "details", "reason", "give", "bait", "ask", "pressure", "out", "sign")  # fmt: skip


def _assemble(d: dict[str, str], rng: random.Random) -> str:
    body = [d[k] for k in _ORDER if d.get(k) and k not in ("greeting", "sign")]
    greeting = d.get("greeting", "")
    text = " ".join(body)
    if greeting:
        text = f"{greeting}{rng.choice([' ', chr(10) * 2])}{text}"
    if d.get("sign"):
        text += "\n\n" + d["sign"]
    return text


def generate(per_pair: int = 6, seed: int = 7, pairs_of_flaws: int = 60) -> list[dict[str, Any]]:
    """Drafts with their kind and intended flaws: `per_pair` per (rule, kind), plus doubles."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    combos = [(rule, kind) for rule, (_, kinds) in FLAWS.items() for kind in kinds]
    for rule, kind in combos:
        for _ in range(per_pair):
            p = _pick(rng)
            d = _parts(kind, p, rng)
            FLAWS[rule][0](d, p, rng)
            out.append(
                {
                    "id": f"gen-{len(out):04d}",
                    "kind": kind,
                    "rules": [rule],
                    "text": _assemble(d, rng),
                }
            )
    for _ in range(pairs_of_flaws):
        ((r1, kind),) = rng.sample(combos, 1)
        others = [r for r, (_, kinds) in FLAWS.items() if kind in kinds and r != r1]
        r2 = rng.choice(others)
        p = _pick(rng)
        d = _parts(kind, p, rng)
        FLAWS[r1][0](d, p, rng)
        FLAWS[r2][0](d, p, rng)
        out.append(
            {
                "id": f"gen-{len(out):04d}",
                "kind": kind,
                "rules": [r1, r2],
                "text": _assemble(d, rng),
            }
        )
    return out


def main() -> None:
    """Print generated drafts as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=0, help="print only this many")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = generate(seed=args.seed)
    for item in items[: args.count or None]:
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
