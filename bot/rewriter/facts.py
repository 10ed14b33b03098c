"""Facts a rewrite may use: only what the draft says (verbatim) or what the user supplies.

Every fact keeps the user's own words and casing: a relationship sentence, the ask's target
("a LinkedIn recommendation for the Senior PM role"), what they gave, links as they typed them.
A sentence a rule objects to is trimmed (a crowd ping, "ASAP") or left out whole and listed
in `removed`; nothing is paraphrased into a new claim.  What is missing becomes a visible
prompt in the template, never a guess.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rapport.bot.engine.markup import mask_markup
from rapport.bot.engine.signals import Hit, Signals, cue_pattern
from rapport.bot.engine.text import wrapped
from rapport.bot.models import FACT_FIELDS, Kind, Report
from rapport.bot.recache import rx
from rapport.bot.rewriter.honesty import fact_tokens
from rapport.bot.rewriter.second_person import ABOUT_THEM, SPOKEN_TO_THEM, second_person

__all__ = [
    "FACT_FIELDS",
    "Ask",
    "Facts",
    "Removed",
    "answers_as_facts",
    "exempt",
    "extract_facts",
    "recipient_in",
    "salutation_spans",
]

#: Rules whose wording a rewrite must not repeat: their sentences are trimmed or left out.
_REMOVE_RULES = frozenset(
    {"blast", "engagement-bait", "quid-pro-quo", "pressure", "curt", "self-centered",
     "hollow-endorsement", "vague-praise"}
)  # fmt: skip
#: Rules whose flagged words can be cut out of a sentence that otherwise stands.
_TRIMMABLE = frozenset({"blast", "pressure", "engagement-bait"})
_REQUESTS = (Kind.ENDORSEMENT_REQUEST, Kind.REFERRAL_REQUEST, Kind.CONNECTION_REQUEST)

_CLOSINGS = (
    "yours faithfully|yours sincerely|sincerely yours|respectfully yours|faithfully|"
    "lots of love|all my love|with sincere thanks|with sincere gratitude|with so much gratitude|"
    "with much gratitude|"
    "with love and gratitude|with love and thanks|with love|with appreciation|with best wishes|"
    "with warm regards|with kind regards|with warm wishes|warm wishes|much love|blessings|"
    "thank you so much|thanks so much|thanks in advance|thank you|thanks again|many thanks|"
    "thanks|thx|ty|best regards|kind regards|warm regards|warmest regards|all the best|"
    "best wishes|regards|best|cheers|warmly|sincerely|talk soon|speak soon|take care|"
    "with gratitude|with thanks|gratefully|respectfully|yours truly|yours|love|xo"
)
_CLOSING_WORDS = _CLOSINGS  # longest first: "Thanks so much" is one closing, not a name
#: A person's name as people write it: titles, accents, any script, O'Brien, Smith-Jones.
_NAME = (
    r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?[ \t]+)?[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
    r"(?:[ \t]+[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*){0,3}"
)
_SIGN_OFF = rx(
    rf"(?m)(?:^|(?<=[.!?])[ \t]+)[ \t]*(?P<closing>(?i:{_CLOSINGS}))[ \t]*[,!.\-—]*[ \t]*"
    rf"(?:\n[ \t]*)?(?:-+|—)?[ \t]*(?P<name>{_NAME})[ \t]*[.!]?[ \t]*\Z"
)
_LONE_NAME_LINE = rx(
    rf"\n[ \t]*(?:-+|—)?[ \t]*(?P<name>{_NAME}|[A-Z]\.)[ \t]*\Z"
)  # "Grace", "— Sam Lee", "T."
_CLOSING_SENTENCE = rx(rf"(?i)(?:{_CLOSING_WORDS})(?:\s+(?:again|a lot|a ton|!+))?[\s,!.]*")
_DAY = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow(?: morning| evening)?|"
    r"tonight|the weekend|next week|this week|(?:the )?end of (?:the )?(?:day|week|month)|eod|eow|"
    r"the \d{1,2}(?:st|nd|rd|th)?|\d{1,2}/\d{1,2}|\d{1,2}(?::\d\d)? ?(?:am|pm)|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"(?: \d{1,2}(?:st|nd|rd|th)?)?"
)
_DEADLINE = rx(
    rf"\b(?:by|before|until|no later than)\s+((?:this |next |the end of |end of )?(?:{_DAY})"
    r"(?:,? (?:at )?\d{1,2}(?::\d\d)? ?(?:am|pm)?)?)\b",
    re.I,
)
_CLOSES = rx(
    r"\b(?:closes|close|ends|is due|are due|due|deadline is|deadline's|shortlist is being "
    rf"finali[sz]ed)\s+(?:on\s+)?((?:this |next )?(?:{_DAY}))\b",
    re.I,
)
_YOUR_REC = rx(
    r"(?i)^your\s+(?=(?:\w+\s+)?(?:linkedin\s+)?(?:recommendation|rec|review|reference|testimonial|endorsement))"
)
_STOP = (
    r"(?=\s+(?:on linkedin|on li|please|pls|plz|when|if|since|as|because|so|asap|by|before|now|"
    r"yet|already|soon|maybe|perhaps|sometime|at some point|this week|next week|"
    r"today|tonight|tomorrow|right away|immediately|urgently|quickly|real quick|too|as well|"
    r"for me|thanks|thx|deal|(?:and|&|\+) (?:i|i'?ll|i'?d|i will|i can|we|you|u)|so (?:i|we|you))\b"
    r"|\s*(?:[!?,;:\n)]|\.(?!\w)|[\U0001F000-\U0001FAFF\u2600-\u27BF]|$))"
)
# The thing asked for, by type: (type, pattern with a `t` group, how to ask for it again).
_ASK_TARGETS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("skills", rx(rf"\bendors\w*\s+(?:me\s+)?(?:for|on|4)\s+(?P<t>[^!?;\n]+?)(?P<w>\s+on\s+(?:linkedin|li))?{_STOP}", re.I),
     "endorse me for {t}{w}"),
    ("reference", rx(rf"\b(?:be|serve as|act as|being)\s+(?:a|my|one of my)\s+(?P<t>(?:\w+\s+)?reference(?:\s+for\s+[^!?;\n]+?)?){_STOP}", re.I),
     "be a {t}"),
    # "need a rec from you by Friday for my Helio application": the ask and its purpose stay
    # (the deadline goes to the easy out)
    ("recommendation", rx(rf"(?P<t>(?:a|an|one|your)\s+(?:\w+\s+){{0,2}}?(?:linkedin\s+|li\s+)?(?:recommendation letter|letter of recommendation|reference letter|recommendation|testimonial|review|rec))\s+from\s+(?:you|u)(?:\s+(?:by|before)\s+(?:\w+\s+)?\w+)?(?P<f>\s+(?:for|on|about)\s+[^!?;\n]+?)?{_STOP}", re.I),
     "write me {t}{f}"),
    ("recommendation", rx(rf"(?P<t>(?:a|an|one|your)\s+(?:\w+\s+){{0,2}}?(?:linkedin\s+|li\s+)?(?:recommendation letter|letter of recommendation|reference letter|recommendation|testimonial|review|rec)(?:\s+(?:for|on|about|of)\s+[^!?;\n]+?)?){_STOP}", re.I),
     "write me {t}"),
    ("intro", rx(rf"\b(?:intro(?:duce)?|connect|put)\s+(?:me|us)\s+(?:in touch\s+)?(?:to|with)\s+(?P<t>[^!?;\n]+?){_STOP}", re.I),
     "introduce me to {t}"),
    ("intro", rx(rf"\b(?:an?\s+)?(?:warm\s+|quick\s+)?intro(?:duction)?\s+(?:to|with)\s+(?P<t>[^!?;\n]+?){_STOP}", re.I),
     "introduce me to {t}"),
    ("referral", rx(rf"\brefer\w*\s+me\s+(?P<p>for|to|4)\s+(?P<t>[^!?;\n]+?){_STOP}", re.I),
     "refer me {p} {t}"),
    ("referral", rx(rf"\breferral\s+(?P<p>for|to|at)\s+(?P<t>[^!?;\n]+?){_STOP}", re.I),
     "refer me {p} {t}"),
    ("referral", rx(rf"\b(?:pass|send|forward)\w*\s+(?:along\s+)?my\s+(?P<n>resume|cv|profile|portfolio)\s+(?:along\s+)?to\s+(?P<t>[^!?;\n]+?){_STOP}", re.I),
     "pass my {n} along to {t}"),
    # the ask without its object: asked again as plainly as it was made
    ("skills", rx(r"\b(?P<t>endorse)\s+me\b", re.I), "endorse me"),
    ("referral", rx(r"\b(?P<t>refer)\s+me\b", re.I), "refer me"),
    ("intro", rx(r"\b(?P<t>introduce)\s+me\b", re.I), "introduce me"),
)  # fmt: skip
_ENDORSEE = rx(
    r"\b(?:recommend(?:ing)?|endors(?:e|ing)|vouch(?:ing)? for|introduce you to|introducing|meet|"
    r"nominat(?:e|ing)|refer(?:ring)?|know|worked with|met)\s+(?:you to\s+)?"
    r"(?:my\s+(?:\w+\s+)?(?:colleague|friend|former colleague|teammate|mentee|report)\s+)?"
    r"(?P<name>(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?|<@!?\w+(?:\|[^>]*)?>)"
)
_ENDORSEE_SUBJECT = rx(
    r"(?m)(?:^|[.!?]\s+)(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)\s+(?:is|was|has|had|did|does|"
    r"will|would|can|could|always|really|consistently|led|built|shipped|ran|made|helped|saved)\b"
)
_NOT_SUBJECT = frozenset(
    "It This That There He She They We You I Everyone Everybody Nobody Someone Anyone What "
    "Who Which Today Tomorrow Work Life Time".split()
)
_NOT_ENDORSEE = frozenset(
    {"I", "You", "LinkedIn", "Linkedin", "Slack", "Discord", "Github", "GitHub"}
)
#: A promise to give, inside a trade: "I'll endorse you for Python (if you endorse me…)".
_OFFER = rx(
    r"\b(?:i'?ll|i will|i can|i could|i'?d|i would|i'?m happy to|i am happy to|happy to|glad to)\s+"
    r"(?:(?:also|gladly|happily|then|definitely|be happy to|be glad to)\s+)*"
    r"(?P<offer>(?:endorse|recommend|write|vouch for|refer|review|introduce)\b[^,.;!?]*?)"
    r"(?=\s+(?:if|once|when|as long as|as soon as|in return|in exchange|provided|back|too|as well|"
    r"right back)\b|\s*[,.;!?]|$)",
    re.I,
)
_IN_EXCHANGE = rx(
    r"(?i)\b(?:i'?ll|i will|ill|i can|i'?d|we'?ll)\b|\bin (?:return|exchange)\b|\bback\b|\bright after\b"
)
_CLAUSE = rx(
    # a comma or colon between digits ("KES 1,500", "10:30") is part of a number, not a break
    r"\s*(?:(?<!\d)[,:]|[,:](?!\d)|[;—–]|\s-\s|\bbut\b|"
    r"\band\b(?=\s+(?:i|we|my|our|it|they|he|she|you|their|his|her)\b))\s*",
    re.I,
)
#: The sender's own news ("I just launched my pottery shop"): what a promotion is about, kept
#: when the like-and-share half of its sentence goes.
_NEWS = rx(
    r"(?i)\b(?:i|we)(?:'ve| have| just| finally| recently)*\s+(?:launched|started|opened|"
    r"released|published|wrote|made|built|finished|created|shipped|recorded|designed)\b|"
    r"\bmy (?:new |first |debut )?\w+ (?:is|are) (?:finally |now |officially )?(?:out|live|"
    r"launched|published|available|open)\b"
)
_TRIM_TAIL = rx(r"^[^\w]*(?:(?:please|pls|plz|thanks|thank you|thx|too|as well)[^\w]*)?$", re.I)
_DANGLING = rx(r"(?:[\s,;:&+/—–-]|\b(?:and|or|so|pls|please|also|then|plus)\b)+$", re.I)
_LEADING_LINK = rx(r"(?i)^(?:(?:and|or|but|so|also|&|\+)\b[\s,]*|[,;:—–-]\s*)+")
_FRAGMENT_END = rx(
    r"(?i)\b(?:to|for|of|at|in|on|with|the|a|an|my|our|your|their|his|her|from|by|about|into|"
    r"as|than|like|forget|don't|dont|do|can|will|would|should|is|are|was|be|"
    # a subject or a verb left without the words that completed it ("…products ASAP, I")
    r"i|we|they|he|she|i'm|im|we're|need|needs|want|wants|must|have to|got to)$"
)
_TRIM_HEAD = rx(r"^[\s,.!?;:\-—]*$")
_LEADING_JUNK = rx(r"^[\s,.;:!?\-—–]+")
_SPACE_BEFORE_PUNCT = rx(r"\s+([,.!?;:])")
_SPACES = rx(r"[ \t]{2,}")
_PHRASE_START = frozenset(
    "the a an your our their his her my how when what that this these those its".split()
)


@dataclass(slots=True)
class Ask:
    """What the draft asks for, as the user put it."""

    type: str  # skills | reference | recommendation | intro | referral | connection | general
    target: str | None = None  # the user's own words: "Python and SQL", "Sam at Stripe"
    phrase: str | None = None  # the ask again, as a verb phrase: "endorse me for Python and SQL"
    source: tuple[int, int] | None = None  # the sentence it was read from (`Doc.norm` offsets)


@dataclass(frozen=True, slots=True)
class Removed:
    """Words of the draft the rewrite leaves out, and the rule that objected to them."""

    rules: tuple[str, ...]
    text: str


@dataclass(slots=True)
class Facts:
    """Everything a rewrite may say, taken from the draft or supplied by the user."""

    kind: Kind
    recipient: str | None = None
    sender: str | None = None
    ask: Ask | None = None
    asks: list[str] = field(default_factory=list)  # the user's own unflagged ask sentences
    relationship: list[str] = field(default_factory=list)
    specific: list[str] = field(default_factory=list)
    given: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    warm: list[str] = field(default_factory=list)
    thanks: list[str] = field(default_factory=list)
    recommend: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    deadline: str | None = None
    endorsee: str | None = None
    easy_out: list[str] = field(default_factory=list)
    closing: str | None = None  # "With thanks": the user's own closing words, kept
    salutation: str | None = None  # "Dear Prof. Singh,": the user's own, kept when personal
    mentioned: set[str] = field(default_factory=set)  # roles any kept sentence touches
    about_me: list[str] = field(default_factory=list)  # sentences only about the sender
    position: dict[str, int] = field(default_factory=dict)  # where each kept sentence stood
    removed: list[Removed] = field(default_factory=list)
    dropped_bait: bool = False
    addressed: bool = False  # the draft speaks to someone (a name, a mention, a greeting)
    supplied: dict[str, str] = field(default_factory=dict)
    ask_at: int | None = None  # where the draft asked (original offsets), when it did
    offer: str | None = None  # the sender's half of a trade ("endorse you for Python"), unsaid
    wanted: str | None = None  # what a left-out engagement ask really wanted ("vote for us")
    length: int = 0  # the draft's length, to tell its closing lines from its opening ones
    ask_kept: bool = False  # the sentence the ask was read from is kept (the template asks no more)
    paragraphs: set[str] = field(default_factory=set)  # kept sentences that began a paragraph
    bullets: dict[str, str] = field(default_factory=dict)  # kept list items → their marker

    def sentences(self) -> list[str]:
        """Every sentence of the draft the rewrite may show, in role order."""
        return [
            *self.warm, *self.thanks, *self.recommend, *self.relationship, *self.specific,
            *self.details, *self.reason, *self.given, *self.asks, *self.easy_out,
        ]  # fmt: skip

    def keep(self, role: str, sentence: str, at: int) -> None:
        """Keep a sentence of the draft in a role, remembering where it stood."""
        getattr(self, role).append(sentence)
        self.position.setdefault(sentence, at)

    def joined(self, items: list[str]) -> str:
        """Sentences as one block of text, with the draft's paragraph breaks where they began
        one: a rewrite of a three-paragraph e-mail is not a wall of text."""
        out = ""
        for i, t in enumerate(items):
            bullet = self.bullets.get(t)
            if i:
                after_item = items[i - 1] in self.bullets or _LIST_ITEM.match(items[i - 1])
                new_line = bullet or _LIST_ITEM.match(t) or after_item
                out += "\n\n" if t in self.paragraphs else "\n" if new_line else " "
            out += f"{bullet} {t}" if bullet else t
        return out

    def in_order(self, *roles: str) -> list[str]:
        """The kept sentences of these roles in the order the user wrote them."""
        items = [t for role in roles for t in getattr(self, role)]
        return sorted(items, key=lambda t: self.position.get(t, 1 << 30))

    def _asked_at(self) -> int | None:
        at = [self.position[t] for t in self.asks if t in self.position]
        return min(at) if at else self.ask_at

    def before_ask(self, *roles: str) -> list[str]:
        """`in_order`, only the sentences the user wrote before the ask (all, if none)."""
        at = self._asked_at()
        return [t for t in self.in_order(*roles) if at is None or self.position.get(t, 0) < at]

    def after_ask(self, *roles: str) -> list[str]:
        """`in_order`, only the sentences the user wrote after the ask: they stay after it
        ("…could you introduce me? Thanks so much, it would mean a lot")."""
        at = self._asked_at()
        return [t for t in self.in_order(*roles) if at is not None and self.position.get(t, 0) > at]

    def opening(self) -> list[str]:
        """The warm lines the draft opens with ("Hope you're well!"): they stay first, before
        anything the template adds."""
        out: list[str] = []
        for t in self.in_order(*_ALL_ROLES):
            if t not in self.warm:
                break
            out.append(t)
        return out

    def closing_warm(self) -> list[str]:
        """The warm lines the draft ends with ("Hope to see you Saturday, take care!", "Thank
        you so much, love you for this 🙏"): they stay last, after the ask and the easy out
        (none of them is also the opening, and a thank-you that is the message's only one is
        the message, not its close)."""
        ordered = self.in_order(*_ALL_ROLES)
        first_thanks = (  # in a thank-you note the first thanks is the message itself
            next((t for t in ordered if _THANKS_WORDS.search(t)), None)
            if self.kind is Kind.RECIPROCATION
            else None
        )
        out: list[str] = []
        for t in reversed(ordered):
            closing = (
                len(t.split()) <= 12
                and _CLOSING_LIKE.search(t) is not None
                and t != first_thanks
                # near the end of the draft: a line left last only because what followed it
                # was left out ("Really appreciate it." after the opening thanks) stays put
                and self.position.get(t, 0) >= 0.6 * self.length
            )
            if t not in self.warm and not closing:
                break
            out.insert(0, t)
        opening = set(self.opening())
        return [t for t in out if t not in opening]

    def ends_thanking(self) -> bool:
        """The draft's closing lines thank them already ("Thanks again, you're a gem!")."""
        return any(_THANKS_WORDS.search(t) for t in self.closing_warm())

    def _framed(self) -> set[str]:
        return set(self.opening()) | set(self.closing_warm())

    def says_thanks(self) -> bool:
        """A kept sentence already thanks them ("just saw the reference…, thank you so much"),
        whatever role it was kept in: the template adds no thanks of its own."""
        return any(_THANKS_WORDS.search(t) for t in self.sentences())

    def around_thanks(self, *roles: str) -> tuple[list[str], list[str]]:
        """`flow` split after the first sentence that thanks them: what the thanks led to
        belongs right after it, not at the end."""
        items = self.flow(*roles)
        cut = next((i + 1 for i, t in enumerate(items) if _THANKS_WORDS.search(t)), len(items))
        return items[:cut], items[cut:]

    def asks_in_passing(self) -> bool:
        """A kept sentence already asks them, in words the ask reader didn't take as the ask
        ("Would you mind returning the favour…?", "I'd be so grateful for an endorsement"):
        the template asks nothing a second time."""
        return any(_ASKS_IN_PASSING.search(t) for t in self.sentences())

    def flow(self, *roles: str) -> list[str]:
        """These roles and the warm lines in the draft's order, less the opening and closing."""
        framed = self._framed()
        return [t for t in self.in_order("warm", *roles) if t not in framed]

    def flow_before_ask(self, *roles: str) -> list[str]:
        """`before_ask` over these roles and the warm lines, in the draft's order, less the
        opening and closing: the body up to the ask reads as the sender wrote it."""
        framed = self._framed()
        return [t for t in self.before_ask("warm", *roles) if t not in framed]

    def flow_after_ask(self, *roles: str) -> list[str]:
        """`after_ask` over these roles and the warm lines ("…could you? It would mean a lot"),
        with any later ask in its place ("…Resume attached. Please submit it through…")."""
        framed = self._framed()
        items = [t for t in self.after_ask("warm", *roles) if t not in framed]
        items += self._later_asks()
        return sorted(items, key=lambda t: self.position.get(t, 1 << 30))

    def first_asks(self) -> list[str]:
        """The ask, with any ask right after it; a later ask stays where the sender put it."""
        later = set(self._later_asks())
        return [t for t in self.in_order("asks") if t not in later]

    def _later_asks(self) -> list[str]:
        asks = self.in_order("asks")
        if len(asks) < 2:
            return []
        at = self.position.get
        first = at(asks[0], 0)
        ask_set = set(asks)
        between = [at(t, 0) for t in self.sentences() if t not in ask_set and at(t, 0) > first]
        # every b in `between` is past the first ask: one stands before `a` when the least does
        least = min(between, default=None)
        return [a for a in asks[1:] if least is not None and least < at(a, 0)]

    def leave_out(
        self, sentence: str, rule: str, span: tuple[int, int] | None = None, at: int = 0
    ) -> None:
        """Take a kept sentence out of the rewrite, and say which rule it answers.

        With the flagged `span` (and where the sentence starts, `at`, in the same text), its
        clauses that carry a fact and none of the objection stay.
        """
        for role in _ALL_ROLES:
            items = getattr(self, role)
            if sentence in items:
                items.remove(sentence)
        self.removed.append(Removed((rule,), sentence))
        if span is not None:
            self.details.extend(_salvage(sentence, [(span[0], span[1], rule)], at))

    def has(self, role: str) -> bool:
        """True when the draft already says this, in its own sentence or inside another one."""
        return bool(getattr(self, role, None)) or role in self.mentioned


#: What tied an offer to the trade ("endorse you for ML straight back"): not part of the offer.
_TRADE_TAIL = rx(r"(?i)(?:\s+(?:straight|right|back|away|too|as well|in return|first|then))+$")
_ASKS_IN_PASSING = rx(
    r"(?i)\b(?:(?:would|could|can|will)(?: you| u)(?: (?:please|kindly|maybe|possibly))?"
    r" (?:mind|be (?:able|willing|open|up for)|write|endorse|recommend|refer|introduce|intro|"
    r"connect|vouch|put|pass|share|send|add|leave|give|return|help|check|take|look|consider)|"
    r"(?:please|pls|plz|kindly) (?:write|endorse|recommend|refer|introduce|intro|connect|vouch|"
    r"put|pass|send|add|leave|give|return|help|accept)|"
    r"(?:be|am) (?:so |very |really |hugely |super )?grateful (?:for|if)|"
    r"(?:would|it'?d) be (?:so |really |super )?(?:good|great|amazing|awesome|lovely|wonderful|"
    r"helpful|a huge help) if (?:you|u)|if (?:you|u) could|hoping (?:you|u) (?:could|can|might|"
    r"would)|return the favou?r|(?:like|love|want|wanted|keen|hoping|hope) to (?:invite you to )?"
    r"(?:connect|add you)|invite you to connect|need (?:an? |some )?(?:intro|introduction|"
    r"referral|recommendation|rec|endorsement)s?)\b"
)
#: Ask targets too vague to tell whether a kept sentence still asks for them.
_VAGUE_TARGETS = frozenset("them him her you it one this that me us endorse endorsement".split())
#: A short closing line: thanks, love, blessings, see you.
_CLOSING_LIKE = rx(
    r"(?i)\b(?:thanks?|thank you|thx|appreciate\w*|grateful|love (?:you|ya|u)|god bless|bless(?:ings| you)|"
    r"cheers|take care|see you|talk soon|speak soon|have a (?:great|good|lovely|nice|blessed)|"
    r"you'?re (?:a gem|the best|amazing|a star)|i'?ll (?:call|see|catch) you|catch up soon|say hi to|greet|give my love to|"
    r"(?:my )?regards to)\b"
)
_THANKS_WORDS = rx(r"(?i)\b(?:thanks?|thank you|thx|ty|grateful|appreciate\w*)\b")


def _clean(sentence: str) -> str:
    """A sentence as the user wrote it, tidied at the edges (no dangling dashes or commas)."""
    s = _LEADING_JUNK.sub("", sentence.strip())
    bare = s.lstrip("".join(c for c in s[:8] if unicodedata.category(c) == "So") + "\ufe0f\u200d ")
    if bare[:1].islower():  # "😊 hope you good!" → "Hope you good!" (an emoji is no capital)
        s = bare
    s = _SPACES.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", s)).strip().rstrip(",;:—–-").strip()
    if s and s[-1] not in ".!?…)\"'”" and not _ends_in_emoji(s):
        s += "."
    if _LINK_START.match(s):
        return s  # "sauti.awards/vote": a link keeps its case
    return s[:1].upper() + s[1:] if s[:1].islower() else s


_LINK_START = rx(r"[\w-]+(?:\.[\w-]+)+(?:/|\b)|\S+@|https?:|www\.")


def _ends_in_emoji(s: str) -> bool:
    """A sentence ending in an emoji ("…battery recycling 😊") needs no full stop."""
    last = s.rstrip("\ufe0f\u200d")[-1:]
    return bool(last) and unicodedata.category(last) == "So"


def as_sentence(value: str) -> str:
    """A supplied fact shown where a whole sentence goes."""
    return _clean(value)


def as_phrase(value: str) -> str:
    """A supplied fact shown mid-sentence: no closing full stop, ordinary words lower-cased."""
    s = value.strip().rstrip(".!;,")
    first = s.split(" ", 1)[0]
    return s[:1].lower() + s[1:] if first.lower() in _PHRASE_START else s


def _recipient(report: Report, s: Signals, supplied: Mapping[str, str]) -> str | None:
    if supplied.get("recipient"):
        return supplied["recipient"].strip()
    if s.context.recipient and not _CROWD_PING.search(s.context.recipient):
        return s.context.recipient.strip().split()[0]
    full = _greeted_name(report, s)
    if full:
        return full
    salutations = salutation_spans(s)
    lead = _opening(s)
    for e in s.doc.entities:  # a mention opening the message (or its salutation) addresses them
        if e.type == "user" and (
            e.start <= lead or any(start <= e.start < end for start, end in salutations)
        ):
            a, b = s.doc.span(e.start, e.end)
            return report.text[a:b]
    kin = _KIN_LEADING.match(report.text)  # "Uncle Kenji!!! I can't believe…"
    if kin:
        return kin.group(1)
    addressed = _LEADING_ADDRESS.match(
        report.text
    )  # "Heyy Abdul!", "@Aisha sooo…", "Dmitriii thank…"
    name = (addressed.group(1) or addressed.group(2)) if addressed else None
    if name and _is_name(name):
        return name
    named = _LEADING_NAME.match(report.text)  # "Tom. Got the recommendation."
    if named and named.group(1).lower() not in _NOT_NAMES:
        return named.group(1)
    name = s.greeting_name
    if name and (name.lower() in _NOT_NAMES or name.endswith(("'s", "’s"))):
        name = None  # "Hello. Please endorse me", "Hey. Connor's friend": not a name
    if name and not name.startswith("@"):
        m = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", report.text, re.I)
        if m and _LIST_BEFORE.search(report.text, max(0, m.start() - 40), m.start()):
            m = None  # "Go/Python, Kubernetes, Postgres": an item of a list, not a name
        if m:
            found = m.group(0)
            return found[:1].upper() + found[1:]
    return None


def _opening(s: Signals) -> int:
    """Where the message's words start, past leading whitespace, crowd pings and emoji."""
    norm, pos = s.doc.norm, 0
    for e in s.doc.entities:
        while pos < len(norm) and norm[pos].isspace():
            pos += 1
        if e.start == pos and e.type in ("broadcast", "group", "emoji"):
            pos = e.end
    while pos < len(norm) and norm[pos].isspace():
        pos += 1
    return pos


def _greeted_name(report: Report, s: Signals) -> str | None:
    """The full name a salutation greets, as written ("Hi Nadia Rossi —" → "Nadia Rossi")."""
    if any(s.at_line_start(cue) for cue in ("crowd_greeting", "generic_greeting")):
        return None
    for hit in s.at_line_start("greeting"):
        start = hit.end
        end = _greeting_end(s, start)
        a, b = s.doc.span(start, end)
        words = report.text[a:b].strip().rstrip(",!:;—–-. ").split()
        if (
            1 <= len(words) <= 4
            and all(_NAME_WORD.fullmatch(w) for w in words)
            and _is_name(" ".join(words))
        ):
            return " ".join(words)
        return None
    return None


def _sender(report: Report) -> tuple[str | None, str | None]:
    """The sign-off name, and the closing words before it ("With thanks"), as the user wrote them.

    A signature block ("Marek Okafor" over "Founder, AquaGrid") is the sender's name with its
    title lines, kept together as the sign-off rather than read as sentences of the message.
    """
    block = _signature_block(report.text)
    if block is not None:
        return block
    tail = report.text.rstrip()[-160:]
    m = _SIGN_OFF.search(tail)
    if m and _is_name(m.group("name")):
        return m.group("name"), m.group("closing")
    m = _LONE_NAME_LINE.search(tail)
    if m and _is_name(m.group("name")) and not _CLOSING_ONLY.fullmatch(m.group("name")):
        return m.group("name"), None
    name = m.group("name") if m else ""
    if (  # "…our december summit\n\nkaveh": someone who writes without capitals signs so too
        name.isalpha()
        and name.islower()
        and report.text == report.text.lower()
        and name not in _NOT_NAMES
        and not _CLOSING_ONLY.fullmatch(name)
    ):
        return name.capitalize(), None
    return None, None


def _signature_block(text: str) -> tuple[str, str | None] | None:
    """("Name\nTitle\nCompany", closing) when the draft ends with a name line and one or two
    short title lines; None otherwise."""
    lines = [line.strip() for line in text.rstrip().split("\n")]
    for titles in (2, 1):
        if len(lines) < titles + 2:
            continue
        tail = lines[-titles:]
        if not all(
            t and len(t.split()) <= 9 and t[-1] not in "?!" and not _CLOSING_ONLY.fullmatch(t)
            for t in tail
        ):
            continue
        name = lines[-titles - 1].lstrip("-—– ").rstrip(". ")
        if not name or len(name.split()) > 4 or not _is_name(name):
            continue
        if _CLOSING_ONLY.fullmatch(name) or any(_CLOSING_ONLY.fullmatch(t) for t in tail):
            continue  # "Regards" over "Oskar" is a closing and a name, not a signature block
        before = lines[-titles - 2]
        closing = before.rstrip(",!.-—– ") if _CLOSING_ONLY.fullmatch(before) else None
        return "\n".join([name, *tail]), closing
    return None


def _is_name(words: str) -> bool:
    """Capitalised like a name (or in a script without capitals), and not an ordinary word."""
    parts = [
        w for w in words.split() if w.rstrip(".") not in ("Dr", "Prof", "Mr", "Mrs", "Ms", "Mx")
    ]
    return bool(parts) and all(
        (w[0].isupper() or not w[0].islower()) and w.lower() not in _NOT_NAMES for w in parts
    )


def _ask(report: Report, s: Signals, supplied: Mapping[str, str]) -> Ask | None:
    kind = report.kind
    if kind not in _REQUESTS:
        return None
    if kind is Kind.CONNECTION_REQUEST:
        return Ask("connection", phrase=supplied.get("ask"))
    if supplied.get("ask"):
        return Ask("general", supplied["ask"], as_phrase(supplied["ask"]))
    cues = (
        ("ask_endorsement", "ask_endorsement_frame")
        if kind is Kind.ENDORSEMENT_REQUEST
        else ("ask_referral", "ask_referral_frame", "referral_leadin")
    )
    hits = [h for cue in cues for h in s.voice(cue)]
    if not hits:
        return Ask("general")
    wanted = (
        ("skills", "reference", "recommendation")
        if kind is Kind.ENDORSEMENT_REQUEST
        else ("intro", "referral")
    )
    tried: set[tuple[int, int]] = set()  # a sentence with two ask hits is searched once
    for hit in sorted(hits, key=lambda h: h.start):
        start, end = s.doc.sentence_at(hit.start)
        if (start, end) in tried:
            continue
        tried.add((start, end))
        for ask_type, pattern, how in _ASK_TARGETS:
            if ask_type not in wanted:
                continue
            m = pattern.search(s.doc.cased, start, end)  # chat spelling read ("4" as "for")
            if m and m.group("t"):
                parts = {}
                for key, value in m.groupdict().items():
                    if value:  # each part in the user's own spelling
                        a, b = s.doc.span(m.start(key), m.end(key))
                        value = report.text[a:b]
                    parts[key] = value or ""
                target = parts["t"].strip(" ,")
                if len(target.split()) <= 14 and "\n" not in target:
                    parts["t"] = _YOUR_REC.sub("a ", target)
                    if parts.get("p") == "4":  # chat spelling, asked again in full
                        parts["p"] = "for"
                    return Ask(ask_type, target, how.format_map(parts), (start, end))
    return Ask("general")


def _deadline(report: Report, s: Signals) -> str | None:
    """A deadline the sender gives ("by Friday", "the form closes on the 12th"), not a date in a
    memory ("we shipped it by Friday night")."""
    memories = sorted(h.start for cue in ("relationship", "shared_context") for h in s.voice(cue))
    for n_start, n_end in s.own_sentences:
        if _any_in(memories, n_start, n_end):
            continue
        a, b = s.doc.span(n_start, n_end)
        sentence = report.text[a:b]
        m = _DEADLINE.search(sentence) or _CLOSES.search(sentence)
        if m:
            return m.group(1)
    return None


def _links(report: Report, s: Signals) -> list[str]:
    out = []
    for e in s.doc.entities:
        if e.type in ("link", "email") and not s.doc.is_quoted(e.start, e.end):
            a, b = s.doc.span(e.start, e.end)
            out.append(report.text[a:b])
    return out


def _endorsee(report: Report, facts: Facts) -> str | None:
    if facts.supplied.get("endorsee"):
        return facts.supplied["endorsee"]
    if report.kind not in (Kind.ENDORSEMENT, Kind.RECIPROCATION, Kind.OTHER, Kind.PROMOTION):
        return None
    skip = {facts.recipient, facts.sender, *_NOT_ENDORSEE}
    for pattern in (_ENDORSEE, _ENDORSEE_SUBJECT):
        for m in pattern.finditer(report.text):
            if m.group("name") not in skip and m.group("name").split()[0] not in _NOT_SUBJECT:
                return m.group("name")
    return None


def _trimmable(sentence: str, spans: list[tuple[int, int, str]], s: Signals, a: int) -> bool:
    """True when every flagged span is a ping, a merge field or a tacked-on "ASAP"-like phrase."""
    for start, end, rule in spans:
        if rule not in _TRIMMABLE:
            return False
        entity = any(
            e.type in ("broadcast", "group")
            for e in s.doc.entities
            if s.doc.span(e.start, e.end) == (start, end)
        )
        before, after = sentence[: max(0, start - a)], sentence[end - a :]
        field = sentence[start - a : end - a].lstrip().startswith(("{", "[", "%", "<"))
        if (entity or field) and (_TRIM_HEAD.match(before) or _TRIM_TAIL.match(after)):
            continue  # a ping or template field at either end: "@here we worked…", "…, {name}!"
        words = sentence[max(0, start - a) : end - a].split()
        mid_word = before[-1:].isalnum() or before[-1:] == "-" or after[:1].isalnum()
        if not mid_word and _URGENT_WORD.fullmatch(" ".join(words).strip(" ,.!")):
            continue  # "…in NGO management ASAP, ideally…": the sentence stands without it
        if (
            len(words) <= 3
            and not mid_word
            and (_TRIM_TAIL.match(after) or (_TRIM_HEAD.match(before) and after[:1] in ",:!-—"))
        ):
            continue
        return False
    return True


#: Urgency that is one tacked-on word or two, wherever it stands.
_HURRY = r"asap|immediately|right now|right away"  # shared by the three patterns below
_URGENT_WORD = rx(rf"(?i){_HURRY}|straight away|a\.s\.a\.p|urgently|pronto")


#: A list item's marker: "1.", "2)", "-", "•".
_MARKER = r"(?:\d{1,2}[.)]|[-•*])"
_LIST_MARKER = rx(_MARKER)
_LIST_ITEM = rx(_MARKER + r"\s")
_LIST_AFTER = rx(r"[ \t]*\n[ \t]*" + _MARKER + r"\s")
_BULLET_BEFORE = rx(r"\n[ \t]*([-•*])[ \t]+\Z")
#: A blank line right before a position: what follows began a paragraph.
_PARAGRAPH_BEFORE = rx(r"\n[ \t]*\n[ \t>*•-]*\Z")
_PARAGRAPH_MARKERS = frozenset(" \t>*•-")


def _paragraph_before(text: str, at: int) -> bool:
    """`_PARAGRAPH_BEFORE.search(text, 0, at)`, read backwards from `at` instead of searched
    from the start of the draft for every kept sentence."""
    at = min(at, len(text))
    k = at
    while k > 0 and text[k - 1] in _PARAGRAPH_MARKERS:
        k -= 1
    if k == 0 or text[k - 1] != "\n":
        return False
    k -= 1
    while k > 0 and text[k - 1] in " \t":
        k -= 1
    return k > 0 and text[k - 1] == "\n"


def _any_in(ordered: list[int], start: int, end: int) -> bool:
    """True when a position of the ascending list lies in [start, end)."""
    i = bisect.bisect_left(ordered, start)
    return i < len(ordered) and ordered[i] < end


def _count_in(ordered: list[int], start: int, end: int) -> int:
    """How many positions of the ascending list lie in [start, end)."""
    return max(0, bisect.bisect_left(ordered, end) - bisect.bisect_left(ordered, start))


#: Urgency opening a sentence ("Today if possible…", "ASAP if you can…").
_URGENT_OPENING = rx(rf"(?i)\s*(?:today|tonight|{_HURRY}|now)\b")
#: Urgency closing an ask ("…at your company today.", "DM me TODAY!", "asap pls").
_URGENT_TAIL = rx(
    rf"(?i)[ ,]+(?:today|tonight|{_HURRY}|straight away|"
    r"as soon as (?:possible|you can|you see this))(?: if (?:possible|you can))?(?: pls| please)?"
    r"(?=[ \t]*[.!?]*[ \t]*$)"
)


def _trim(sentence: str, spans: list[tuple[int, int, str]], a: int) -> str:
    chars = list(sentence)
    for start, end, _ in spans:
        for i in range(max(0, start - a), min(len(chars), end - a)):
            chars[i] = " "
    return "".join(chars)


#: What makes a clause objectionable, by rule: a clause of a flagged sentence without any of
#: these words (and outside the flagged words) is kept.
_OBJECTION_CUES: dict[str, tuple[str, ...]] = {
    "vague-praise": ("praise",),
    "hollow-endorsement": ("no_firsthand", "no_firsthand_admission", "visibility_motive"),
    "engagement-bait": ("engagement",),
    "quid-pro-quo": ("quid_pro_quo",),
    "pressure": ("pressure_urgent", "pressure_deadline", "demand"),
    "self-centered": ("self_wants", "self_praise"),
    "curt": ("imperative_verbs",),
    "blast": ("crowd_greeting", "mass_markers", "merge_field"),
}


def _only_a_date(report: Report, span: tuple[int, int, str]) -> bool:
    """True when the flagged words are just a deadline-like date ("by Friday night")."""
    words = report.text[span[0] : span[1]]
    return _DEADLINE.fullmatch(words.strip(" .,!?")) is not None


def _trimmed(sentence: str, spans: list[tuple[int, int, str]], a: int) -> str | None:
    """The sentence without the flagged words, tidied; None when only a fragment would be left."""
    trimmed = _LEADING_LINK.sub("", _trim(sentence, spans, a).strip())
    end_mark = re.search(r"[.!?…]+[^\w]*$", trimmed)
    body = trimmed[: end_mark.start()] if end_mark else trimmed
    body = _DANGLING.sub("", body.rstrip())
    if _FRAGMENT_END.search(body):
        return None
    return body + (end_mark.group(0).strip() if end_mark else "")


def _salvage(sentence: str, spans: list[tuple[int, int, str]], a: int) -> list[str]:
    """Clauses of a left-out sentence that carry a fact or a role and none of the objection."""
    pieces = []
    pos = 0
    masked, _ = mask_markup(sentence)  # same length: a ":" inside a link is not a clause break
    for m in _CLAUSE.finditer(masked):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(sentence)))
    if len(pieces) < 2:
        return []
    out = []
    bargains = any(rule in ("quid-pro-quo", "engagement-bait") for _, _, rule in spans)
    wide = [
        rule
        for fs, fe, rule in spans
        if (min(fe - a, len(sentence)) - max(fs - a, 0)) >= 0.8 * len(sentence.strip())
    ]
    for start, end in pieces:
        clause = sentence[start:end].strip()
        lower = clause.lower()
        if len(clause.split()) < 4:
            continue
        narrow_hit = any(
            start < fe - a and fs - a < end for fs, fe, rule in spans if rule not in wide
        )
        objection = any(
            (p := cue_pattern(cue)) is not None and p.search(lower)
            for rule in wide
            for cue in _OBJECTION_CUES.get(rule, ())
        )
        if narrow_hit or objection or (wide and not _has_role(lower) and not fact_tokens(clause)):
            continue
        if bargains and _IN_EXCHANGE.search(lower):
            continue  # "…and I'll give you a shoutout": the other half of the trade
        if bargains and _BAIT_TALK.search(clause):
            continue  # "I want it trending before Monday": the reason for the bait
        if _CROWD_LINE.search(clause):
            continue  # "PLEASE every one of you endorse us": still a line to the crowd
        if len([w for w in _LOWER_WORD.findall(clause) if w not in _GLUE_WORDS]) < 2:
            continue  # "Sales Strategy and Customer Relationship Management.": a list, no sentence
        if _SUBORDINATE.match(lower):
            continue  # "If you leave my app a review" alone is half a sentence
        if (
            not wide
            and not fact_tokens(clause[:1].lower() + clause[1:])
            and not _NEWS.search(lower)
        ):
            continue
        out.append(_clean(clause))
    return out


def _has_role(lower: str) -> bool:
    return any(
        (p := cue_pattern(cue)) is not None and p.search(lower)
        for cues in _ROLE_CUES.values()
        for cue in cues
    )


_SALUTATION_REST = rx(r"[^,!:;—\n]{0,30}?[,!:;—]+[ \t]*")
_NAME_AFTER = rx(
    r"[ \t]+((?:[A-Z][\w.'-]*|<@[^>]+>|@\w+)(?:[ \t]+[A-Z][\w.'-]*){0,3})(?=[ \t]*(?:[,!.:;—–-]|$))",
    re.M,
)


def _greeting_end(s: Signals, end: int) -> int:
    """Where a salutation ends: at its punctuation when a few words away ("Dear Sir/Madam,"),
    else after a name ("hey Dana thanks…"), else right after the greeting word ("yo can u…")."""
    cased = s.doc.cased
    m = _SALUTATION_REST.match(cased, end)
    if m and len(cased[end : m.end()].split()) <= 4:
        return m.end()
    name = _NAME_AFTER.match(cased, end)
    return name.end() if name else end


def _greeting_hits(s: Signals) -> list[tuple[list[int] | None, list[Hit]]]:
    """Unquoted hits of each greeting cue, with their starts when ascending, for
    `_strip_greeting` (gathered once per draft, not once per sentence)."""
    out: list[tuple[list[int] | None, list[Hit]]] = []
    for cue in ("greeting", "crowd_greeting", "generic_greeting"):
        hits = [h for h in s.hits(cue) if not h.quoted]
        starts = [h.start for h in hits]
        out.append((starts if all(a <= b for a, b in pairwise(starts)) else None, hits))
    return out


def _hits_in(
    greetings: list[tuple[list[int] | None, list[Hit]]], n_start: int, n_end: int
) -> list[Hit]:
    """The hits starting in [n_start, n_end), cue by cue, each cue's in its own order."""
    found: list[Hit] = []
    for starts, hits in greetings:
        if starts is None:
            found += [h for h in hits if n_start <= h.start < n_end]
        else:
            found += hits[bisect.bisect_left(starts, n_start) : bisect.bisect_left(starts, n_end)]
    return found


def _strip_greeting(
    s: Signals,
    n_start: int,
    n_end: int,
    recipient: str | None = None,
    greeting_hits: list[tuple[list[int] | None, list[Hit]]] | None = None,
) -> int:
    """Where the sentence's own words begin, after a salutation, a leading @mention or emoji.

    `greeting_hits` (from `_greeting_hits`) saves gathering them again for every sentence."""
    norm = s.doc.norm
    layout = s.doc.layout
    greetings = _hits_in(greeting_hits or _greeting_hits(s), n_start, n_end)
    start = n_start
    moved = True
    while moved and start < n_end:
        moved = False
        while start < n_end and norm[start] in " \t\n,!.:;-—>*_":
            inside = layout.covering(start)
            if inside is not None:  # blanks of a masked link: the link itself starts here
                start = inside.start
                break
            start += 1
        entities = s.doc.entities
        for j in range(layout.first_from(start), len(entities)):
            e = entities[j]
            if e.start != start:
                if e.start > start and layout.disjoint:
                    break  # sorted: no later entity starts here (only a match moves `start`)
                continue
            a, b = s.doc.span(e.start, e.end)
            if e.type in ("broadcast", "group", "emoji") or (
                e.type == "user" and s.doc.original[a:b] == recipient
            ):  # "@here", "<@U1> hey": who it is for, not what it says
                start, moved = e.end, True
        for hit in greetings:
            if hit.start <= start < hit.end:
                start, moved = max(start + 1, min(n_end, _greeting_end(s, hit.end))), True
    return start


def salutation_spans(s: Signals) -> list[tuple[int, int]]:
    """Where the draft's salutations stand (normalised text): the template writes its own."""
    return [
        (hit.start, _greeting_end(s, hit.end))
        for cue in ("greeting", "crowd_greeting", "generic_greeting")
        for hit in s.at_line_start(cue)
    ]


def _widen(s: Signals, start: int, end: int) -> tuple[int, int]:
    """Never cut a link or mention in half: a sentence boundary inside one moves to its edge."""
    layout = s.doc.layout
    if layout.disjoint:  # at most one entity covers each boundary
        left, right = layout.covering(start), layout.covering(end)
        return (left.start if left else start), (right.end if right else end)
    for e in s.doc.entities:
        if e.start < start < e.end:
            start = e.start
        if e.start < end < e.end:
            end = e.end
    return start, end


@dataclass(slots=True)
class _Sentence:
    text: str  # the user's words, greeting taken off
    a: int  # where they start and end in the draft
    b: int
    cues: set[str]
    spans: list[tuple[int, int, str]]  # flagged words of rules a rewrite must not repeat
    n_start: int = 0  # the sentence in the normalised text
    n_end: int = 0
    wants: float = 0.0  # the sender's wants and self-praise in it (self_wants + 1.5 × praise)


_ALL_ROLES = ("warm", "thanks", "recommend", "relationship", "specific", "details", "reason",
              "given", "asks", "easy_out")  # fmt: skip
_ROLE_ORDER = ("given", "thanks", "recommend", "easy_out", "relationship", "warm", "specific")
_ROLE_CUES: dict[str, tuple[str, ...]] = {
    "given": ("gave_already", "give_offer"),
    "thanks": ("reciprocation",),
    "recommend": ("endorse_other",),
    "easy_out": ("easy_out",),
    "relationship": ("relationship", "prior_agreement"),
    "specific": ("personal_detail", "shared_context"),
    "warm": ("well_wishes",),
}
_ASK_CUES = frozenset(
    {"ask_endorsement", "ask_referral", "ask_connection", "ask_endorsement_frame",
     "ask_referral_frame", "ask_connection_frame"}
)  # fmt: skip
_KEEP_DESPITE = {  # a rule that judges the whole message does not condemn these sentences
    "pressure": frozenset({"easy_out"}),
    "self-centered": frozenset({*_ASK_CUES, "gave_already", "give_offer", "relationship",
                                "prior_agreement", "personal_detail", "well_wishes",
                                "reciprocation", "easy_out"}),
    "vague-praise": frozenset({"gratitude"}),
}  # fmt: skip
_CROWD_WORDS = rx(
    r"(?i)\b(?:everyone|everybody|anyone|anybody|all of you|you all|y'?all|folks|guys|"
    r"people|friends|connections|network)\b"
)
_NEGATED = rx(r"(?i)\b(?:not|never|no|n't|nor|haven'?t|hasn'?t|didn'?t|don'?t)\b|n't\b")
_PLEASE = rx(r"(?i)\b(?:please|pls|plz|kindly)\b")
_CROWD_PING = rx(
    r"(?i)<!(?:here|channel|everyone|subteam)[^>]*>|<@&\d+>|(?<![\w@])@(?:here|channel|everyone)\b"
)
_TOGETHER = rx(r"(?i)\b(?:we|us|our|ours|together|and i|and me|with me)\b")
_LETS = rx(r"(?i)\b(?:let'?s|love to|like to|glad to|happy to|keen to)\b")
_NAME_WORD = rx(r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?|[^\W\d_][^\W\d_]*(?:['’-][^\W\d_]+)*)")
_LEADING_NAME = rx(r"\s*([^\W\d_][^\W\d_'’-]*)(?:[.!:—–]+|[!?]{2,}|,)\s")
_FAMILY = rx(
    r"(?i)\b(?:uncle|auntie|aunty|aunt|cousin|cuz|grandma|granny|grandpa|mum|mom|mummy|mommy|"
    r"dad|daddy|papa|mama|sis|bro|brother|sister|nephew|niece)\b"
)
#: Casual openings that address someone: "Heyy Abdul!", "heyy Ayumi 😊", "@Aisha sooo great…",
#: "ahh @Kofi thank you…", "Dmitriii thank you SO much…" (a greeting or an @ before the name,
#: or thanks right after it).
_INTERJECTION = r"(?i:h+e+y+|h+i+|h+e+l+o+|yo+|hiya|ah+|oh+|omg|wow)"
_LEADING_ADDRESS = rx(
    rf"\s*(?:{_INTERJECTION}[ \t,!]+@?|@)([A-Z][^\W\d_'’-]+)"
    r"(?=[ \t]*[!,.:]|[ \t]+(?:[^\w\s]|(?i:thank|thanks|thx|ty|so+|you|u)\b))"
    r"|\s*([A-Z][^\W\d_'’-]+)(?=[ \t]+(?i:thank you|thanks|thx)\b)"
)
_ADDRESS_PREFIX = rx(
    rf"\s*(?:{_INTERJECTION}[ \t,!]+)?@?([^\W\d_][^\W\d_'’-]*)"
    r"[ \t]*[!,.:]*[ \t]*"
)
#: "Uncle Kenji!!! I can't believe…": a family word or title and a name, opening the message.
#: Words a greeting puts before a name: "Uncle Kenji", "Coach Dana".
KIN_WORDS = frozenset("uncle auntie aunty aunt cousin grandma granny grandpa pastor coach".split())
_KIN_LEADING = rx(
    rf"\s*((?i:{'|'.join(sorted(KIN_WORDS))}|dr\.?|prof\.?|mr\.?|mrs\.?|ms\.?)\s+"
    r"[A-Z][^\W\d_'’-]*)(?:[.!:—–]+|[!?]{2,}|,)(?:\s|$)"
)
_NOT_NAMES = frozenset(
    "hi hey hello dear thanks thank congrats congratulations yes no ok okay sorry update "
    "reminder note quick urgent important heads ps btw fyi please pls plz subject re fwd fw "
    "attn honestly actually basically anyway so well listen look also just hope morning "
    "afternoon evening team guys everyone all friends folks colleague colleagues sir madam "
    "there omg wow ahh ah oh ooh aww yay yo yoo wooo woo lol haha hahaha okk kk huge big massive "
    "seriously really truly genuinely sooo so much many".split()
)
#: A capitalised item and a comma just before a word: the word is the next item of a list.
_LIST_BEFORE = rx(
    r"(?<![\w])(?!(?:Hi|Hey|Hello|Thanks|Thank|Dear|Yes|No|Ok|Okay|Sorry|So|Well|Oh)\b)"
    r"[A-Z][\w/+.#-]*[ \t]*,[ \t]*$"
)
_VOCATIVE = rx(r"\s*@?([A-Za-z][\w'-]+)\s*[,.!:—–-]+\s*")
#: "Omar could u endorse me…": the name, then a request word, with no comma between.
_BARE_VOCATIVE = rx(
    r"\s*@?([A-Za-z][\w'-]+)\s+(?=(?:could|can|would|will|pls|please|plz|do|are|r)\b\s+(?:you|u)\b"
    r"|(?:I|I'm|I've|I'd|I am|im|we|we're|just)\s)"
)
_ME = rx(r"(?i)\b(?:i|i'm|i've|i'd|i'll|im|me|my|mine|myself)\b")
_ME_FIRST = rx(r"(?i)^(?:i|i'm|i've|i'd|i'll|my|me|im)\b")
_YOU = rx(r"(?i)\b(?:you|your|yours|you're|you've|you'd|you'll|u|ur|ya)\b")


def _sentences(
    report: Report,
    s: Signals,
    sender: str,
    recipient: str | None = None,
    also_flagged: Sequence[tuple[int, int, str]] = (),
) -> list[_Sentence]:
    """The draft's own sentences, without salutation, sign-off or bare links."""
    recipient_words = {w.lower() for w in (recipient or "").split()}
    sign_off = {line.rstrip(".!").lower() for line in sender.split("\n")}
    flagged = [(f.start, f.end, f.rule) for f in report.findings if f.rule in _REMOVE_RULES]
    flagged.extend(also_flagged)
    trades = any(f.rule in ("quid-pro-quo", "engagement-bait") for f in report.findings)
    bait = any(f.rule == "engagement-bait" for f in report.findings)
    wanted = _ASK_CUES | {c for cs in _ROLE_CUES.values() for c in cs} | {"self_wants", "gratitude"}
    starts = {cue: sorted(h.start for h in s.voice(cue)) for cue in wanted}
    praise = sorted(h.start for h in s.voice("self_praise"))
    greeting_hits = _greeting_hits(s)
    out = []
    covered = 0
    marker: int | None = None  # where a bare list number ("1.") stood, for the item after it
    for n_start, n_end in _unwrapped_sentences(s):
        n_start, n_end = _widen(s, max(n_start, covered), n_end)
        covered = n_end
        own = _strip_greeting(s, n_start, n_end, recipient, greeting_hits)
        if own >= n_end:
            continue
        a, b = s.doc.span(own, n_end)
        text = _unwrapped(report.text[a:b])
        if _LIST_MARKER.fullmatch(text.strip()):
            marker = a
            continue
        if marker is not None and "\n" not in report.text[marker:a]:
            a, text = marker, _unwrapped(report.text[marker:b])  # "1. If your company…"
        marker = None
        addressed = _ADDRESS_PREFIX.match(text)
        if addressed and recipient and addressed.group(1).lower() == recipient.lower():
            a += addressed.end()  # "Heyy Abdul! Paolo says…": the greeting names them already
            text = _unwrapped(report.text[a:b])
            if not text.strip():
                continue
        kin = _KIN_LEADING.match(text)
        vocative = _VOCATIVE.match(text) or _BARE_VOCATIVE.match(text)
        if kin and recipient and kin.group(1).lower() == recipient.lower():
            vocative = kin
        if vocative and vocative.group(1).lower() in recipient_words | {(recipient or "").lower()}:
            a += vocative.end()  # "Grace, thanks for…": the greeting already names her
            text = _unwrapped(report.text[a:b])
            if not text.strip():
                continue
        subject = _SUBJECT.match(text) if not report.text[:a].strip() else None
        if subject:  # an e-mail's subject line is not a sentence of the message
            rest = report.text[b:]
            if all(t in rest for t in fact_tokens(text[subject.end() :])):
                continue  # the body says it again
            a += subject.end()
            text = _unwrapped(report.text[a:b])
        if s.links and _LINK_POINTER.fullmatch(text.strip()):
            continue  # "Link below.": the rewrite shows the link itself
        words = _LINKS_AND_CLOSINGS.sub(" ", _links_blanked(s, own, n_end, text)).split()
        if not words or text.strip().rstrip(".!").lower() in sign_off:
            continue  # a sign-off, or a link on its own line: the template places both
        if len(words) <= 2 and words[0].rstrip(",.!") in sender.split():
            continue
        cues = {cue for cue, at in starts.items() if _any_in(at, n_start, n_end)}
        spans = [(fs, fe, rule) for fs, fe, rule in flagged if fs < b and a < fe]
        me_only = bool(_ME_FIRST.match(text.strip())) and not _YOU.search(text)
        if cues & {"relationship", "shared_context"}:  # a date in a memory is not a deadline
            spans = [sp for sp in spans if not (sp[2] == "pressure" and _only_a_date(report, sp))]
        spans = [
            sp for sp in spans if not (_KEEP_DESPITE.get(sp[2], frozenset()) & cues and not me_only)
        ]
        if _TRADE_CLOSER.fullmatch(text.strip()) and trades:
            spans.append((a, b, "quid-pro-quo"))  # "Deal?" after the trade it sealed
        if (
            trades
            and _TRADE_TALK.search(text)
            and len(text.split()) <= 20
            and not any(sp[:2] == (a, b) for sp in spans)
        ):
            spans.append((a, b, "quid-pro-quo"))  # "Then we'll both be covered!" after the trade
        if bait and _BAIT_TALK.search(text) and not any(sp[:2] == (a, b) for sp in spans):
            spans.append((a, b, "engagement-bait"))  # "Every repost counts!" once the ask is gone
        if _CROWD_LINE.search(_CROWD_ASIDE.sub("", text)) and not any(
            rule == "blast" for *_, rule in spans
        ):
            spans.append((a, b, "blast"))  # a line to the crowd has no place in a note to one
        weight = _count_in(starts["self_wants"], n_start, n_end) + 1.5 * _count_in(
            praise, n_start, n_end
        )
        out.append(_Sentence(text, a, b, cues, spans, n_start, n_end, weight))
    return out


#: "In return, …" opening a sentence whose trade was taken out.
_IN_RETURN_LEAD = rx(r"(?i)^\s*(?:in return|in exchange|in turn|and in return)\s*,?\s*")
#: A line that only points at the draft's link ("Link below.", "Links are below 👇").
_LINK_POINTER = rx(
    r"(?i)(?:the |my )?(?:link|links|url)(?:'s| is| are)? (?:below|above|here|attached)"
    r"[\s.!:👇⬇️🔗]*"
)
#: "Subject: Job search - any leads appreciated!": a subject line pasted with the e-mail.
_SUBJECT = rx(r"(?i)\s*(?:subject(?: line)?|subj|re|fwd?)\s*:\s*")
_LOWER_WORD = rx(r"\b[a-z][a-z'’]+\b")
_GLUE_WORDS = frozenset("and or the of for with in on at to an as by from".split())
#: A clause that can't stand alone once the clause it hung on is gone.
_SUBORDINATE = rx(
    r"(?:if|when|unless|once|as soon as|because|since|so that|whenever|after|before|although|"
    r"though|whereas|as (?:it|this|that|we|i|you|he|she|they)(?: \w+)? (?:is|are|was|were|am|"
    r"have|has|had|do|does|can|will))\b"
)
#: A line that only seals a trade ("Deal?", "Fair trade.", "Win-win!"): it goes with the trade.
_TRADE_CLOSER = rx(
    r"(?i)(?:deal|it'?s a deal|fair (?:trade|deal)|win[- ]?win|sound good|you in|deal or no deal|"
    r"mutual(?:ly)? (?:beneficial|support)|help me help you|scratch my back)[\s.!?😉😊🤝🙏]*"
)
#: Words that speak to many at once ("You guys are the best!!!", "Anyone else in this server…").
_CROWD_LINE = rx(
    r"(?i)\b(?:you guys|you all|all of you|y'?all|each of you|any of you|every one of you|"
    r"some of you|many of you|most of you|those of you|a few of you|none of you|"
    r"every(?:one|body),? (?:go|please|pls|check|share|vote|help|drop)|all my (?:friends|"
    r"connections|followers|contacts)|"
    r"anyone else|anybody else|everyone here|everybody here|anyone (?:here|in this)|"
    r"anybody (?:here|in this|who)|whoever (?:can|is|sees)|hope every(?:one|body)|"
    r"(?:thanks|thank you)(?: so much| all| again)? (?:every(?:one|body)|all|guys|folks|y'?all)|"
    r"(?:hi|hey|hello) (?:all|everyone|everybody)|if i(?: have|'ve)? missed anyone|"
    r"(?:right|wrong) (?:channel|group|place|server)(?: for this)?|let'?s all|"
    r"your all|tag (?:a friend|someone|your friends)|you(?:'re| are) all|any one of you|"
    r"(?:wishing|wish) (?:every(?:one|body)|you all|all of you))\b"
)
#: An aside to the crowd inside a sentence that stands without it.
_CROWD_ASIDE = rx(
    r"(?i)^\s*(?:so |and |but )?as (?:most|many|some|all|a few|lots|a lot) of (?:you|u) "
    r"(?:may |might |probably |already )?(?:know|knew|saw|heard|have heard|remember|have seen)"
    r"\b[,\s]*"
)
#: Lines that only make sense beside a trade ("Then we'll both be covered!", "Do the same for
#: me?", "Even better if you…"): short ones go with the trade.
_TRADE_TALK = rx(
    r"(?i)\b(?:the swap|swap\b|in return\b|return the favou?r|we'?ll both|both (?:be|get|look|"
    r"win)|win[- ]win|fair (?:trade|deal)|it'?s a deal|do the same|same for (?:you|me)|"
    r"even better|scratch (?:my|your) back|you scratch|here'?s the deal)"
)
#: Talk about reach that only made sense beside a like-and-share ask ("Every repost counts!",
#: "the algorithm only pushes it…"): it goes with the ask.
_BAIT_TALK = rx(
    r"(?i)\b(?:every (?:single )?(?:like|share|repost|retweet|comment|follow|vote|view)s?\b|"
    r"the algo(?:rithm)?\b|"
    r"drop a comment|upvotes?\b|stars and upvotes|"
    r"trending|more (?:likes|shares|reposts|views|followers|eyes)|(?:likes|shares|reposts|"
    r"comments|follows)(?: really)? (?:help|count|matter|go a long way)|boost (?:it|the post|my post)|"
    r"(?:get|gets|getting) (?:it |the post |my post )?(?:traction|engagement|views))"
)


def _unwrapped_sentences(s: Signals) -> list[tuple[int, int]]:
    """The sender's sentences, with those that a hard wrap split in two joined again, and
    those that only an emoji ended ("…this rain 🌧️ So as you know…") split."""
    norm = s.doc.norm
    out: list[tuple[int, int]] = []
    for start, end in _split_at_emoji(s):
        if out:
            gap = norm[out[-1][1] : start]
            if (
                gap.count("\n") == 1
                and not gap.strip()
                and wrapped(norm, out[-1][1] + gap.index("\n"))
            ):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


def _split_at_emoji(s: Signals) -> list[tuple[int, int]]:
    """The engine's sentences, split after an emoji that ends one and a capital that starts
    the next: people end sentences with emoji instead of full stops."""
    cased = s.doc.cased  # the normalised text with the user's capitals
    out: list[tuple[int, int]] = []
    for start, end in s.own_sentences:
        cut = start
        for m in _EMOJI_THEN_CAPITAL.finditer(cased, start, end):
            out.append((cut, m.end(1)))
            cut = m.end()
        out.append((cut, end))
    return out


#: An emoji (or a run of them), spaces, then a capitalised word: a sentence ended there.
_EMOJI_THEN_CAPITAL = rx(
    "([\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff][\U0001f000-\U0001faff"
    "\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]*)[ \t]+(?=[A-Z][A-Za-z'’]*\\b)"
)


def _unwrapped(sentence: str) -> str:
    """A sentence of hard-wrapped text on one line (a break inside a sentence only wrapped it;
    same length, so the sentence's offsets still hold)."""
    return sentence.replace("\r\n", "  ").replace("\n", " ") if "\n" in sentence else sentence


_LINKS_AND_CLOSINGS = rx(rf"(?i)(?<!\w)(?:{_CLOSING_WORDS})(?!\w)|[^\w\s]")


def _links_blanked(s: Signals, start: int, end: int, text: str) -> str:
    """The sentence with its links and e-mail addresses taken out (to see what else it says)."""
    masked = s.doc.cased[start:end]
    for e in s.doc.layout.starting_in(start, end):
        if e.type in ("link", "email", "emoji"):
            masked = masked[: e.start - start] + " " * (e.end - e.start) + masked[e.end - start :]
    return masked


def extract_facts(
    report: Report,
    s: Signals,
    supplied: Mapping[str, str] | None = None,
    also_flagged: Sequence[tuple[int, int, str]] = (),
) -> Facts:
    """Read the facts a rewrite may use out of a checked draft (plus the user's own answers).

    `also_flagged`: words (original offsets, rule) a rule's own phrases name that the report
    didn't flag; the rewrite leaves them out like flagged words."""
    supplied = {  # an answer can't ping a crowd either: "@here" in a fact is dropped
        k: " ".join(_CROWD_PING.sub(" ", v).split())
        for k, v in (supplied or {}).items()
        if k in FACT_FIELDS and v and _CROWD_PING.sub(" ", v).strip()
    }
    facts = Facts(kind=report.kind, supplied=dict(supplied), length=len(report.text))
    facts.recipient = _recipient(report, s, supplied)
    facts.salutation = None if supplied.get("recipient") else _salutation(report, s)
    if _FAMILY.search(f"{facts.salutation or ''} {facts.recipient or ''}"):
        facts.mentioned.add("relationship")  # "Dear Cousin Mohammed": no need to ask how they know
    sender, closing = _sender(report)
    facts.sender = supplied.get("sender") or sender
    facts.closing = closing[:1].upper() + closing[1:] if closing else None
    facts.ask = _ask(report, s, supplied)
    if facts.ask is not None and facts.ask.source is not None:
        facts.ask_at = s.doc.span(*facts.ask.source)[0]
    facts.deadline = _deadline(report, s)
    facts.links = _links(report, s)
    facts.endorsee = _endorsee(report, facts)
    facts.addressed = bool(facts.recipient) or any(
        s.at_line_start(cue) for cue in ("greeting", "generic_greeting", "crowd_greeting")
    )
    rules = {f.rule for f in report.findings}
    trade_gone = "quid-pro-quo" in rules
    facts.wanted = _wanted(report)
    is_request = report.kind in _REQUESTS
    role_order = [r for r in _ROLE_ORDER if r not in ("thanks", "recommend")]
    if report.kind is Kind.RECIPROCATION:
        role_order.insert(0, "thanks")
    if report.kind is Kind.ENDORSEMENT:
        role_order.insert(
            0, "recommend"
        )  # "I'm happy to recommend Kwame" recommends; it gives nothing
    self_talk: list[tuple[_Sentence, str]] = []
    # The sentence the ask was read from: the template asks it again as a question.
    source = facts.ask.source if facts.ask is not None else None

    def asked_in(sent: _Sentence) -> bool:
        if source is None or not (sent.n_start < source[1] and source[0] < sent.n_end):
            return False
        # the engine's sentence, or the part of it (split at an emoji) that holds the ask
        whole = sent.n_start <= source[0] and source[1] <= sent.n_end
        return whole or bool(sent.cues & _ASK_CUES)

    bare_orders = sorted(start for start, _, softened in s.imperatives_for_sender if not softened)
    for sent in _sentences(report, s, facts.sender or "\0", facts.recipient, also_flagged):
        bare = sent.text.strip()
        if sent.spans and _trimmable(sent.text, sent.spans, s, sent.a):
            for fs, fe, rule in sent.spans:
                words = report.text[max(sent.a, fs) : min(sent.b, fe)].strip()
                facts.removed.append(Removed((rule,), words))
            trimmed = _trimmed(sent.text, sent.spans, sent.a)
            if "engagement-bait" in {rule for _, _, rule in sent.spans}:
                facts.dropped_bait = True
            if trimmed is not None and len(re.findall(r"\w+", trimmed)) < 4:
                continue
            if trimmed is not None:
                sent.text, sent.spans = trimmed, []
            else:  # what is left would be a fragment ("…someone at."): leave it out instead
                facts.removed = facts.removed[: -len(sent.spans)]
        if (
            sent.spans
            and {rule for _, _, rule in sent.spans} == {"self-centered"}
            and fact_tokens(bare)
        ):
            sent.spans = []  # the sender's situation, with facts: kept, after what you share
        if sent.spans:
            _leave_out(facts, sent, bare, role_order)
            continue
        text = _clean(_CROWD_ASIDE.sub("", sent.text))  # "So as most of you know, I'm…" → "I'm…"
        if trade_gone:  # "In return, would you…" once the offer it answered is gone
            text = _clean(_IN_RETURN_LEAD.sub("", text))
        if sent.text.rstrip().endswith(":") and _LIST_AFTER.match(report.text, sent.b):
            text = text[:-1] + ":"  # "How you can help:" introduces the list below it
        cues = sent.cues
        if is_request and cues & _ASK_CUES:
            if s.to_crowd and _CROWD_WORDS.search(text):
                facts.removed.append(Removed(("blast",), bare))
                continue
            if _any_in(
                bare_orders, sent.n_start, sent.n_end
            ):  # "Endorse me for X.": the template asks it as a question instead
                facts.removed.append(Removed(("curt",), bare))
                continue
            if not (
                _YOU.search(bare)
                or bare.rstrip().endswith("?")
                or _LETS.search(bare)
                or _PLEASE.search(bare)
            ):
                if asked_in(sent):
                    continue  # "Need a recommendation on my LinkedIn.": asked again as a question
                facts.keep("reason", text, sent.a)  # "I want to grow my network": a want
                self_talk.append((sent, text))
                continue
            # "Please refer me … today." → "Please refer me …": the easy out says when, kindly
            facts.keep("asks", _clean(_URGENT_TAIL.sub("", text)), sent.a)
            facts.mentioned.update(r for r, rc in _ROLE_CUES.items() if cues & set(rc))
            continue
        if is_request and asked_in(sent) and len(bare.split()) <= 25:
            continue  # the ask's own sentence ("I need an intro to…"): asked again as a question
        named = _CLOSING_NAMED.fullmatch(bare)
        if named and named.group(1) in {facts.recipient, facts.sender}:
            continue  # "Thanks, Sam.": the greeting and sign-off say it
        if _CLOSING_ONLY.fullmatch(bare) or _THANKS_CLOSING.fullmatch(bare):
            continue  # "Thanks in advance for your time!": the sign-off says it
        role = next((r for r in role_order if cues & set(_ROLE_CUES[r])), None)
        if role == "relationship" and "cold-ask" in rules:
            role = "specific"  # rapport found no first-hand relationship in it: ask for one
        if role == "easy_out" and _URGENT_OPENING.match(bare):
            # "Today if possible, my targets close Friday.": urgency, not a way out; the easy
            # out says when, kindly
            facts.removed.append(Removed(("pressure",), bare))
            continue
        if role:
            facts.keep(role, text, sent.a)
        elif "self_wants" in cues or _self_talk(bare, facts.recipient):
            facts.keep("reason" if is_request else "details", text, sent.a)
            self_talk.append((sent, text))
        else:
            facts.keep("details", text, sent.a)
        facts.mentioned.update(r for r, rc in _ROLE_CUES.items() if cues & set(rc))
    if facts.ask is not None and facts.ask.source is not None:
        kept = " ".join(facts.sentences()).lower()
        target = (facts.ask.target or "").strip()
        phrase = facts.ask.phrase or ""
        if (
            len(target) > 4
            and target.lower() not in _VAGUE_TARGETS
            and target in phrase
            and not phrase.startswith(target)  # "refer me": the verb, not what is asked for
        ):  # "…for Illustration and Branding" still stands in a kept sentence
            facts.ask_kept = target.lower() in kept
        else:  # the sentence the ask was read from is kept as an ask
            sa, sb = s.doc.span(*facts.ask.source)
            facts.ask_kept = any(  # (a list item's kept sentence starts at its "1.")
                sa - 6 <= facts.position.get(t, -99) < sb for t in facts.asks
            )
    facts.paragraphs = {t for t, at in facts.position.items() if _paragraph_before(report.text, at)}
    for t, at in facts.position.items():  # "- BSc Statistics…": the marker the greeting-strip took
        bullet = _BULLET_BEFORE.search(report.text, max(0, at - 8), at)
        if bullet:
            facts.bullets[t] = bullet.group(1)
    if "self-centered" in rules and self_talk:
        _one_reason(facts, self_talk)
    kept_as_self = {*facts.reason, *facts.details}
    facts.about_me = (
        []
        if not self_talk
        else [  # what may go if the rewrite is self-centred
            # A sentence with facts goes only when wants fill it ("I need to hit my target and I
            # want 600 signups"), never for one mention of the sender's situation.
            text
            for sent, text in sorted(self_talk, key=lambda item: -_self_weight(item[0]))
            if text in kept_as_self and (_self_weight(sent) >= 1.5 or not fact_tokens(sent.text))
        ]
    )
    return facts


_CLOSING_ONLY = rx(
    rf"(?i)(?:(?:{_CLOSING_WORDS}|with thanks|thank you in advance|thanks again)[\s,!.]*)+"
)


_THANKS_CLOSING = rx(
    r"(?i)(?:many |big )?(?:thanks|thank you|thx|ty)(?: so much| very much| a lot| again)?"
    r"(?: in advance)?(?: for (?:your|the) (?:time|help|consideration|cooperation|reading|"
    r"understanding|attention|patience|support))?(?: in advance)?[\s.!,🙏😊🙂]*"
)
_CLOSING_NAMED = rx(rf"(?i)(?:{_CLOSING_WORDS}|thanks again)[\s,!]+([\w'-]+)[\s.!]*")


def _wanted(report: Report) -> str | None:
    """The one action an engagement ask wanted that a person could honestly choose to take
    ("vote for us", "try the app"), for the example in the ask's bracket; likes and shares are
    the bait itself, never suggested."""
    for f in report.findings:
        if f.rule != "engagement-bait":
            continue
        words = _STAR_RATING.sub("", report.text[f.start : f.end]).lower().split()
        if words and words[0] in _HONEST_ACTIONS:
            return " ".join(words)
    return None


_HONEST_ACTIONS = frozenset(
    "vote try download install read watch listen join attend sign subscribe visit check "
    "review donate support give test".split()
)
_STAR_RATING = rx(r"(?i)\b(?:5|five)[- ]?stars?\b|⭐+")


def exempt(sentence: str, rule: str) -> bool:
    """True when a rule that judges the whole message does not condemn this sentence (a thank-you
    is not vague praise; an ask is not self-centred talk)."""
    lower = sentence.lower()
    return any(
        (p := cue_pattern(cue)) is not None and p.search(lower)
        for cue in _KEEP_DESPITE.get(rule, ())
    )


def _self_talk(sentence: str, recipient: str | None) -> bool:
    """Only about the sender: "I…/my…", with no "you", no "we" and not naming the reader."""
    if not _ME.search(sentence) or _YOU.search(sentence) or _TOGETHER.search(sentence):
        return False
    return not (recipient and recipient.split()[0].lower() in sentence.lower())


def _leave_out(facts: Facts, sent: _Sentence, bare: str, role_order: list[str]) -> None:
    """A sentence a rule objects to: keep the offer inside a trade, and clauses with facts."""
    rules = tuple(sorted({rule for _, _, rule in sent.spans}))
    facts.removed.append(Removed(rules, bare))
    if "quid-pro-quo" in rules:
        offer = _OFFER.search(sent.text)
        if offer and facts.offer is None:  # theirs to make without the condition, or not at all
            facts.offer = _TRADE_TAIL.sub("", offer.group("offer").strip()) or None
    if "engagement-bait" in rules:
        facts.dropped_bait = True
    for clause in _salvage(sent.text, sent.spans, sent.a):
        lower = clause.lower()
        if facts.kind in _REQUESTS and any(
            (p := cue_pattern(c)) is not None and p.search(lower)
            for c in ("ask_endorsement", "ask_referral", "ask_connection")
        ):
            continue  # the ask itself: the template asks it again, plainly
        if _NEGATED.search(lower):  # "we never met": not a relationship, just a detail
            facts.keep("details", clause, sent.a)
            continue
        role = next(
            (
                r
                for r in role_order
                if any((p := cue_pattern(c)) is not None and p.search(lower) for c in _ROLE_CUES[r])
            ),
            "details",
        )
        facts.keep(role, clause, sent.a)


def _self_weight(sent: _Sentence) -> float:
    """How much a sentence is about the sender's wants (the first to go when it's too much)."""
    return sent.wants + (0.5 if not fact_tokens(sent.text) else 0)


def _one_reason(facts: Facts, self_talk: list[tuple[_Sentence, str]]) -> None:
    """Self-centred drafts lose the sender's fact-free wants ("I really need this"): their
    concrete situation stays (it carries facts), plus at most one plain sentence of why."""
    concrete = [item for item in self_talk if fact_tokens(item[0].text)]
    plain = [item for item in self_talk if not fact_tokens(item[0].text)]
    if not concrete and plain:
        why = [item for item in plain if "self_wants" in item[0].cues] or plain
        plain.remove(why[0])
    for sent, text in plain:
        (facts.reason if text in facts.reason else facts.details).remove(text)
        facts.removed.append(Removed(("self-centered",), sent.text.strip()))


def _salutation(report: Report, s: Signals) -> str | None:
    """The user's own salutation when it greets one person by name ("Dear Prof. Singh,")."""
    if any(f.rule == "blast" for f in report.findings) or any(
        s.at_line_start(cue) for cue in ("generic_greeting", "crowd_greeting")
    ):
        return None
    for hit in s.at_line_start("greeting"):
        start, end = s.greeting_end(hit)
        a, b = s.doc.span(start, end)
        line = _salutation_only(report.text[a:b]).strip().rstrip(",!.:;—- ")
        words = line.split()
        if 2 <= len(words) <= 5 and any(w[:1].isupper() or w.startswith("<@") for w in words[1:]):
            return line + ","
        return None
    return None


def _salutation_only(line: str) -> str:
    """The greeting and name, without what follows them on the line ("Hi Ines!! 👋" → "Hi
    Ines", "Hiii Mohammed!! its Greta" → "Hiii Mohammed"); a title's full stop stays."""
    for m in _SALUTATION_STOP.finditer(line):
        if m.group() == "." and _TITLE_BEFORE.search(line, 0, m.start()):
            continue
        return line[: m.start()]
    return line


_SALUTATION_STOP = rx(r"[!?]|[^\w\s.,'’<>@&|:—-]|\.(?=\s|$)")
_TITLE_BEFORE = rx(r"(?i)\b(?:dr|prof|mr|mrs|ms|mx|st)$")


def answers_as_facts(kind: Kind, supplied: Mapping[str, str]) -> Facts:
    """Facts from the user's answers alone (no draft): each goes where its template slot is."""
    answers = {k: v.strip() for k, v in supplied.items() if k in FACT_FIELDS and v and v.strip()}
    facts = Facts(kind=kind, supplied=answers, addressed=bool(answers.get("recipient")))
    facts.recipient = answers.get("recipient")
    facts.sender = answers.get("sender")
    facts.endorsee = answers.get("endorsee")
    if kind is Kind.CONNECTION_REQUEST:
        facts.ask = Ask("connection", phrase=answers.get("ask"))
    elif kind in _REQUESTS:
        ask = answers.get("ask")
        facts.ask = Ask("general", ask, as_phrase(ask) if ask else None)
    to_them = kind in SPOKEN_TO_THEM
    for role in ("given", "reason"):  # slots the templates fill from lists, not need()
        if answers.get(role):
            value = answers[role]
            if to_them and role in ABOUT_THEM:
                value = second_person(value, facts.recipient)
            facts.keep(role, as_sentence(value), 0)
    if kind is Kind.RECIPROCATION and supplied.get("thanks"):  # the coach's thank-you line
        facts.keep("thanks", second_person(supplied["thanks"], facts.recipient), 0)
    return facts


def recipient_in(report: Report, s: Signals) -> str | None:
    """Who a checked draft is written to (its salutation, a mention, or --to), if anyone."""
    return _recipient(report, s, {})
