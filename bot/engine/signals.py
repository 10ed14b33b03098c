"""Evidence in a draft, computed once and shared by kind detection, scoring and the rules.

A *cue* is a named phrase list (`rules/lists/<cue>.txt`).  Cues are scanned lazily: a rule that
never asks about `relationship` never pays for it.  Hits carry their scope, so callers can keep
to the sender's own words (not quoted, not negated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from rapport.bot.engine.frames import frame_hits, frames
from rapport.bot.engine.lexicon import PhraseListError, compile_phrases, greeting_words, load_list
from rapport.bot.engine.markup import Entity, is_broadcast
from rapport.bot.engine.scanner import Hits, phrase_index, scan
from rapport.bot.engine.text import Doc
from rapport.bot.models import Context
from rapport.bot.recache import rx

__all__ = ["FEATURE_NAMES", "Hit", "Signals", "cue_pattern"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One match of a cue, in `Doc.norm` coordinates."""

    start: int
    end: int
    quoted: bool
    # True when negation inside the match counts ("we've never worked together" is not a
    # relationship); False for lists that are negative by design ("we haven't met").
    inside: bool = True


@cache
def cue_pattern(name: str) -> re.Pattern[str] | None:
    """The compiled alternation of one phrase list (compiled once per process)."""
    try:
        return compile_phrases(load_list(name))
    except PhraseListError as exc:
        raise PhraseListError(f"rules/lists/{name}.txt: {exc}") from None


_FIRST_PERSON = rx(r"\b(?:i|me|my|mine|myself|i'm|im|i've|ive|i'd|i'll)\b")
_SECOND_PERSON = rx(r"\b(?:you|your|yours|yourself|you're|youre|you've|you'd|you'll|u|ur)\b")
_FIRST_PLURAL = rx(r"\b(?:we|us|our|ours|we're|we've|we'd|we'll|let's)\b")
_NUMBER = rx(
    r"(?<![\w@_])(?:[$£€¥]\s?\d[\d,.]*[km]?|\d[\d,.]*\s?(?:%|percent|x\b|k\b|m\b|ms\b|hours?|"
    r"days?|weeks?|months?|years?|yrs?|people|users|customers|engineers|clients|students)|"
    r"(?:19|20)\d\d|\d{1,2}(?:st|nd|rd|th)|\d{2,}|(?:two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fifteen|twenty|a dozen|several) (?:years|months|weeks|projects|releases|quarters))"
)
_DIGIT = rx(r"\d")
#: Words `_NUMBER` counts with when a draft has no digit ("three years", "a dozen projects").
_COUNT_WORDS = (
    *"two three four five six seven eight nine ten twelve fifteen twenty several".split(),
    "a dozen",
)
# "10/10", "11/10", "100%": enthusiasm, not a checkable fact
_RATING = rx(r"(?<![\w/])\d{1,3}\s?/\s?(?:10|5|100)(?![\w/])|(?<![\w.])(?:100|110|1000)\s?%")
_CAPITALISED = rx(r"(?<![\w'@_#])[A-Z][A-Za-z0-9&'.+-]*[A-Za-z0-9+]|(?<![\w'@_#])[A-Z](?=\+\+|#)")
_NOT_PROPER = frozenset(
    "I I'm I've I'd I'll Hi Hey Hello Dear Thanks Thank Please OK Ok Yes No So And But Also "
    "Just Cheers Best Regards Sincerely Warmly Congrats Congratulations Happy Good Great Hope "
    "LinkedIn Linkedin Slack Discord Twitter Google Facebook".split()
)
_GREETING_NAME = rx(
    r"(?m)^[ \t>*_]*"
    + greeting_words()
    + r"\b[ \t,!.-]*(@_+|[a-z][a-z'-]+)([ \t]*[,!.:\n-]|[ \t]*$)?"
)
_VOCATIVE_MID = rx(r"[^\n], ?([A-Z][a-z'-]+)[ \t]*(?:[,!?]|\.(?:\s|$)|$)")
_VOCATIVE_START = rx(r"(?m)^[ \t>*_]*([A-Z][a-z'-]+)(?: [A-Z][a-z'-]+)?[ \t]*[,:\u2014-]")
_VOCATIVE_END = rx(
    r"\b(?:thanks|thank you|thx|cheers|best|ty|congrats|appreciate it)[ \t,!]+"
    r"(@_+|[a-z][a-z'-]+)[ \t]*[!.]*[ \t]*$"
)
_COMMON_CAPITALISED = frozenset(
    "thanks thank cheers best regards please sorry yes no ok okay sure also but and so hi hey "
    "hello dear great thx congrats happy monday tuesday wednesday thursday friday saturday "
    "sunday january february march april may june july august september october november "
    "december linkedin slack discord twitter github google".split()
)
_NOT_A_NAME = frozenset(
    "there all everyone everybody every1 team guys gals folks friends friend fam family sir "
    "madam hiring recruiter recruiters yall y'all people mate mates buddy dude man bro again "
    "so just i it hope how thanks thank good quick and this is hello hey hi sorry hope "
    "again in a an the to for you u all members network connections linkedin twitter world "
    "again gang crew squad you'll i'm i'd i've i'll im it's its quick one again sir/madam also ok okay "
    "yes no not thanks! great awesome dear hope well morning evening afternoon best regards "
    "sincerely cheers warmly again do did does can could would will are is was what how why "
    "when where who which if we they he she my your our their there's that's thats as at on "
    "of with from about quick quickly real really huge big long sorry sry omg lol wow ps "
    "random weird crazy guess reaching following circling checking writing sending saw "
    "hoping wanted wondering".split()
)
_SOFTENER = rx(
    r"\b(?:please|pls|plz|kindly|thanks|thank you|thx|if (?:you|u) (?:can|could|have|get|don'?t "
    r"mind|are able|'re able|have time|want|'d like|would like|need|like|prefer|are interested|'re "
    r"interested|ever)|when (?:you|u) (?:get|have) a|if possible|no worries|"
    r"no rush|would be (?:great|lovely|amazing|awesome|helpful)|whenever|appreciate|if that'?s)\b"
)
_IMPERATIVE_LEAD = rx(
    r"^(?:(?:and|so|now|also|just|ok|okay|oh|btw|then|quick(?:ly)?|hey|hi|hello|yo|pls|please|kindly|"
    r"@_+)[\s,!.-]+)*"
)
_FIRST_WORD = rx(r"[a-z]+")
_ME = rx(r"\b(?:me|my|us|our|mine|ours)\b")
_SERVING_VERBS = frozenset(
    "reply respond answer accept approve confirm sign endorse vouch recommend refer introduce "
    "intro connect add follow like share subscribe vote retweet upvote star send give write "
    "forward pass update fix do get make submit fill hurry dm email text ping explain provide".split()
)
_SUBJECT_AFTER = rx(
    r"\s*(?:you|u|i|we|they|he|she|it's|its|it is|anyone|someone|people|that|this)\b"
)


_PHONE = rx(
    r"(?<![\w+])(?:\+\d{1,3}[\s-]?)?\(?0\d{2,5}\)?[\s-]?\d{3,4}[\s-]?\d{3,5}(?!\d)|(?<!\w)0[789]\d{8,10}(?!\d)"
)
_MONEY = rx(
    r"[$£€¥]\s?\d|\b\d[\d,.]*\s?(?:pounds|dollars|euros|usd|gbp|eur|quid|bucks|pence)\b|"
    r"\b\d{1,3}p(?:/|\b|pm|ppm|msg|min)",
    re.I,
)
# Commercial SMS conventions: a reply keyword in capitals ("Reply WIN to 83355"), a short code,
# and a company footer ("Ltd", "PO Box", a postcode): how a business, not a person, writes.
_SMS_KEYWORD = rx(
    r"\b(?:reply|rply|txt|text|send|sms)(?:ing)?:? (?:with:? )?(?:[a-z]+ ){0,1}[A-Z][A-Z0-9]{1,}\b"
)
_SHORT_CODE = rx(r"(?<![\d£$.,:])\b(?:to|2|on|at) \d{4,6}(?!\d)", re.I)
_FOOTER = rx(
    r"\b(?:ltd|llc|inc|plc|gmbh|po ?box ?\d*|pobox\d*)\b|\b[A-Z]{1,2}\d{1,2}[A-Z]? ?\d[A-Z]{2}\b",
    re.I,
)
_SHOUT = rx(r"(?<![\w@#])[A-Z]{4,}(?![\w])")
_DOER = rx(
    r"\b(?:he|she|they|you|u|who|his team|her team|their team)(?:'ve| have| has| had)?(?: \w+){0,2} $"
)
_DOER_PAST = rx(
    r"\b(?:he|she|they|who)(?: \w+ly)? (?!(?:was|were|had|did|said|seemed|looked|liked|loved|used)\b)"
    r"[a-z]+(?:ed|ought|ew|ote|ove|an|ang|ung|uck|ank|ept|elt|ilt|ent|ook|ode|ade|ave)\b"
)
_THIRD_DOER_PAST = rx(
    r"\b(?:he|she|they)(?: \w+ly)? (?!(?:was|were|had|did|said|seemed|looked|liked|loved|used|asked|wanted|needed|told)\b)"
    r"[a-z]+(?:ed|ought|ew|ote|ove|an|ang|ung|uck|ank|ept|elt|ilt|ent|ook|ode|ade|ave|id)\b"
)
_NAMED_PAST = rx(
    r"\b([A-Z][a-z'-]+)(?: [A-Z][a-z'-]+)? (?:\w+ly )?(?!(?:Was|Were)\b)"
    r"(?:[a-z]+ed|built|led|ran|wrote|taught|drew|sang|fixed|caught|brought|made|found|kept|held|sold|won)\b"
)
_COMMON_CAPITALISED_TITLE = frozenset(
    "I Hi Hey Hello Dear Thanks Thank Please Also And But So Then We They He She It You My Our "
    "This That There Here When While After Before If Just Maybe Sorry Yes No Ok Okay".split()
)
_NAMED_DOER = rx(r"\b[A-Z][a-z'-]+(?: \w+){0,2} $")
# A clause with the sender as subject: "I closed $2.4M", "we hit $40k MRR", "my side project got…"
_SELF_CLAUSE = rx(r"\b(?:i|i'?ve|i'?m|we|we'?ve|we'?re|my|our)\b[^,.;!?\n—]{3,80}")
_CREDENTIAL = rx(
    r"\b(?:promoted|closed|grew|built|launched|founded|signed|scaled|won|hit|raised|ran|led|"
    r"published|featured|named|ranked|awarded|nominated|certified|graduated|finished|got into|"
    r"followers|subscribers|clients|customers|gpa|internships?|years of experience|mrr|arr|"
    r"revenue|podcasts?|keynote|top-rated|award)\b"
)
# Features that are the number of matches of one pattern (in the sender's words, or in the
# cased text where capitals matter): "feature:<name>" in rule data.
_COUNTED: dict[str, tuple[re.Pattern[str], bool]] = {}
_AFTER_PREPOSITION = rx(r"\b(?:at|on|in|from|using|into|via|of|the|our|their|his|her|with) ")


_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_NON_ASCII = rx(r"[^\x00-\x7f]+")


def _shouting(cased: str) -> bool:
    """More than half the letters are capitals (an ASCII draft is counted in C)."""
    raw = cased.encode("ascii", "ignore")
    upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    lower = len(raw) - len(raw.translate(None, _ASCII_LOWER))
    other = 0  # letters outside ASCII: few, so looked at one by one
    for run in _NON_ASCII.findall(cased):
        for ch in run:
            if ch.isupper():
                upper += 1
            elif ch.isalpha():
                other += 1
    return upper > 0.5 * (upper + lower + other)


def _continues_word(ch: str, name: str) -> bool:
    """True when `ch` continues the word `name` ends with (so there is no word boundary)."""
    return (ch.isalnum() or ch == "_") == (name[-1].isalnum() or name[-1] == "_")


#: What may stand before a word that still starts its line ("> - @_ Hi").
_LINE_MARKERS = frozenset(" \t>*_-@")
_THIRD_PERSON = rx(r"\b(?:he|she|they|him|her|them|his|hers|their)\b")
_NAME_SUBJECT = rx(r"(?:^|(?<=[.!?]\s))[A-Z][a-z'-]+ (?:is|was|'s|has been|remains|really is)\b")


def _distinct(hits: list[Hit]) -> list[Hit]:
    """Hits with overlapping ones collapsed (two lists may match the same words)."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start):
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


class Signals:
    """Lazily computed evidence about one draft and its context."""

    def __init__(self, doc: Doc, context: Context | None = None) -> None:
        self.doc = doc
        self.context = context or Context()
        self._hits: dict[str, list[Hit]] = {}
        self._counts: dict[str, int] = {}
        self._voice: dict[str, list[Hit]] = {}
        self._negated: dict[tuple[int, int], bool] = {}

    # -- cues -------------------------------------------------------------------------------
    def hits(self, cue: str) -> list[Hit]:
        """Every match of a cue, quoted or not."""
        found = self._hits.get(cue)
        if found is None:
            if cue in frames():
                found = frame_hits(self, frames()[cue])
            else:
                if cue not in phrase_index().names:
                    raise KeyError(f"no phrase list or frame named {cue!r}")
                doc = self.doc
                found = [
                    Hit(s, e, doc.is_quoted(s, e), inside)
                    for s, e, inside in self.phrase_hits.get(cue, ())
                ]
            self._hits[cue] = found
        return found

    @cached_property
    def phrase_hits(self) -> Hits:
        """Every phrase list's matches, found in one pass over the draft's words."""
        return scan(self.doc.norm)

    def scan(self, pattern: re.Pattern[str], inside: bool = True) -> list[Hit]:
        """Matches of any pattern over the draft, with their quotation scope."""
        doc = self.doc
        return [
            Hit(m.start(), m.end(), doc.is_quoted(m.start(), m.end()), inside)
            for m in pattern.finditer(doc.norm)
            if m.end() > m.start()
        ]

    def negated(self, hit: Hit) -> bool:
        """True when a negation scopes over the hit ("I'm not asking you to like…")."""
        key = (hit.start, hit.end if hit.inside else hit.start)
        known = self._negated.get(key)
        if known is None:
            known = self._negated[key] = self.doc.is_negated(hit.start, key[1])
        return known

    def voice(self, cue: str) -> list[Hit]:
        """Hits in the sender's own, affirmed words: not quoted and not negated."""
        found = self._voice.get(cue)
        if found is None:
            found = self._voice[cue] = [
                h for h in self.hits(cue) if not h.quoted and not self.negated(h)
            ]
        return found

    def has(self, cue: str) -> bool:
        """True when the sender affirms the cue somewhere."""
        return bool(self.voice(cue))

    def at_line_start(self, cue: str) -> list[Hit]:
        """Unquoted hits of a cue standing first on their line (greetings, salutations)."""
        return self.at_line_start_of(self.hits(cue))

    def at_line_start_of(self, hits: list[Hit]) -> list[Hit]:
        """The unquoted hits that stand first on their line."""
        norm = self.doc.norm
        layout = self.doc.layout
        out = []
        for h in hits:
            if h.quoted:
                continue
            line_start = layout.line_start(h.start)
            at = h.start  # only markers between the line's start and the hit
            while at > line_start and norm[at - 1] in _LINE_MARKERS:
                at -= 1
            if at == line_start:
                out.append(h)
        return out

    # -- the words of the sender ---------------------------------------------------------------
    @cached_property
    def own_text(self) -> str:
        """`Doc.norm` with quoted spans blanked: only what the sender says in their own voice."""
        doc = self.doc
        if not doc.quoted:
            return doc.norm
        chars = list(doc.norm)
        for s, e in doc.quoted:
            chars[s:e] = " " * (e - s)
        return "".join(chars)

    @cached_property
    def own_sentences(self) -> list[tuple[int, int]]:
        """Sentences that are not wholly someone else's words."""
        doc = self.doc
        return [(s, e) for s, e in doc.sentences if not doc.is_quoted(s, e)]

    @cached_property
    def word_count(self) -> int:
        """Words in the sender's own voice."""
        return len(self.own_text.split())

    @cached_property
    def first_person(self) -> int:
        """How often the sender talks about themself (I, me, my…)."""
        return len(_FIRST_PERSON.findall(self.own_text))

    @cached_property
    def second_person(self) -> int:
        """How often the sender addresses the recipient (you, your…)."""
        return len(_SECOND_PERSON.findall(self.own_text))

    @cached_property
    def first_plural(self) -> int:
        """We, us, our: shared ground."""
        return len(_FIRST_PLURAL.findall(self.own_text))

    @cached_property
    def self_focus(self) -> float:
        """How much the sender's own wants, situation and credentials fill the message.

        Counts phrases about the sender's goals and circumstances, self-praise (weighted more:
        it replaces connection with credentials) and the sentences that are only about the
        sender, against those that turn to the recipient.
        """
        wants = len(_distinct(self.voice("self_wants")))
        praise = len(self.voice("self_praise"))
        about_me = about_them = 0
        norm = self.doc.norm
        for s, e in self.own_sentences:
            sentence = norm[s:e]
            if _SECOND_PERSON.search(sentence) or (self.greeting_name or "\0") in sentence:
                about_them += 1
            elif len(_FIRST_PERSON.findall(sentence)) >= 1:
                about_me += 1
        return wants + 1.5 * praise + self.self_credentials + 0.5 * max(0, about_me - about_them)

    @cached_property
    def self_focus_per_length(self) -> float:
        """Self-focus scaled for long messages: a detailed letter needs some context about you."""
        sentences = max(1, len(self.own_sentences))
        return self.self_focus * min(1.0, 6 / sentences)

    @cached_property
    def self_credentials(self) -> int:
        """Clauses where the sender lists their own achievements or metrics ("I closed $2.4M")."""
        own = self.own_text
        shared = [(h.start, h.end) for h in self.voice("relationship")]
        count = 0
        for m in _SELF_CLAUSE.finditer(own):
            clause = own[m.start() : m.end()]
            if _SECOND_PERSON.search(clause) or any(
                s < m.end() and m.start() < e for s, e in shared
            ):
                continue  # "I wrote you…", "we met at PyCon 2019": about them, or shared history
            if _CREDENTIAL.search(clause) or _NUMBER.search(clause):
                count += 1
        return min(count, 4)

    @cached_property
    def numbers(self) -> list[str]:
        """Numbers, amounts, dates and durations: checkable specifics."""
        text = self.own_text
        if not (_DIGIT.search(text) or any(w in text for w in _COUNT_WORDS)):
            return []  # nothing either pattern could match: skip their slow scan
        text = _RATING.sub(lambda m: " " * len(m.group(0)), text)
        return [m.group(0) for m in _NUMBER.finditer(text)]

    @cached_property
    def proper_nouns(self) -> list[str]:
        """Capitalised names mid-sentence (companies, projects, tools, places), de-duplicated."""
        cased = self.doc.cased
        if _shouting(cased):
            return []  # SHOUTING: capitals say nothing about names
        own = self.own_text
        starts = {s for s, _ in self.doc.sentences}
        greeting_name = self.greeting_name
        seen: dict[str, None] = {}
        greeting_ends = [self.greeting_end(h) for h in self.at_line_start("greeting")]
        for m in _CAPITALISED.finditer(cased):
            word = m.group(0).rstrip(".")
            if m.start() in starts or word in _NOT_PROPER or own[m.start()] == " ":
                continue
            if greeting_ends and any(start <= m.start() < end for start, end in greeting_ends):
                continue
            if greeting_name and word.lower() == greeting_name:
                continue
            if len(word) > 1 and word.isupper() and len(word) > 5:
                continue
            seen.setdefault(word, None)
        return list(seen)

    def greeting_end(self, hit: Hit) -> tuple[int, int]:
        """A salutation runs from its greeting word to the first comma or line end."""
        norm = self.doc.norm
        line_end = norm.find("\n", hit.start)
        line_end = len(norm) if line_end < 0 else line_end
        comma = norm.find(",", hit.start, line_end)
        return hit.start, comma if comma >= 0 else min(line_end, hit.end + 40)

    @cached_property
    def links(self) -> int:
        """Links and e-mail addresses in the draft."""
        return sum(1 for e in self.doc.entities if e.type in ("link", "email"))

    # -- computed features (used by kind detection as "feature:<name>") -----------------------
    def feature(self, name: str) -> int:
        """A count for one computed feature; unknown names raise so typos in data fail loudly."""
        counted = _COUNTED.get(name)
        if counted is not None:
            pattern, cased = counted
            known = self._counts.get(name)
            if known is None:
                text = self.doc.cased if cased else self.own_text
                known = self._counts[name] = len(pattern.findall(text))
            return known
        return int(getattr(self, f"_feature_{name}"))

    @cached_property
    def to_crowd(self) -> bool:
        """Addressed to many: a crowd greeting, an @here-style ping, or saying it goes to all."""
        return bool(self.feature("crowd") or self.feature("broadcast") or self.feature("mass"))

    @cached_property
    def _feature_link(self) -> int:
        return sum(
            1
            for e in self.doc.entities
            if e.type in ("link", "email") and not self.doc.is_quoted(e.start, e.end)
        )

    @cached_property
    def _feature_number(self) -> int:
        return len(self.numbers)

    @cached_property
    def _feature_named_thing(self) -> int:
        """Capitalised names right after at/on/in/from/our…: companies, projects, places."""
        names = {n.lower() for n in self.proper_nouns}
        if not names:
            return 0
        # One pass over "at X", "from X"…: where a name could start, the words there looked up
        # among the names of each length (searching the draft for every name was quadratic on
        # a long draft full of names).
        own = self.own_text
        by_length: dict[int, set[str]] = {}
        for name in names:
            by_length.setdefault(len(name), set()).add(name)
        found: set[str] = set()
        for m in _AFTER_PREPOSITION.finditer(own):
            at = m.end()
            for length, same in by_length.items():
                name = own[at : at + length]
                end = at + length
                if name in same and not (end < len(own) and _continues_word(own[end], name)):
                    found.add(name)
        return len(found)

    @cached_property
    def _feature_their_work(self) -> int:
        """Concrete work by the person being praised: "she rebuilt…", "you led…", "Kemi subbed…"."""
        own, cased = self.own_text, self.doc.cased
        count = 0
        for h in self.voice("accomplishment"):
            window = self.doc.clause_start(h.start)
            before = own[max(window, h.start - 40) : h.start]
            if _DOER.search(before) or _NAMED_DOER.search(
                cased, max(window, h.start - 40), h.start
            ):
                count += 1
        count += len(_DOER_PAST.findall(own))
        for m in _NAMED_PAST.finditer(cased):
            if own[m.start()] != " " and m.group(1) not in _COMMON_CAPITALISED_TITLE:
                count += 1
        return count

    @cached_property
    def _feature_third_person_work(self) -> int:
        """Concrete work by someone else ("He redid the bathroom", "Dario fixed…"): a recommendation."""
        own, cased = self.own_text, self.doc.cased
        count = len(_THIRD_DOER_PAST.findall(own))
        for m in _NAMED_PAST.finditer(cased):
            if own[m.start()] != " " and m.group(1) not in _COMMON_CAPITALISED_TITLE:
                count += 1
        return count

    @cached_property
    def _feature_crowd(self) -> int:
        return len(self.at_line_start("crowd_greeting"))

    @cached_property
    def _feature_broadcast(self) -> int:
        return sum(1 for e in self.broadcasts if not self.doc.is_quoted(e.start, e.end))

    @cached_property
    def _feature_merge_field(self) -> int:
        return sum(1 for h in self.hits("merge_field") if not h.quoted)

    @cached_property
    def _feature_mass(self) -> int:
        return len(self.voice("mass_markers"))

    @cached_property
    def _feature_shouting(self) -> int:
        return int(len(_SHOUT.findall(self.doc.cased)) >= 2)

    @cached_property
    def _feature_third_person_praise(self) -> int:
        count = 0
        for h in self.voice("praise"):
            s, e = self.doc.sentence_at(h.start)
            if _THIRD_PERSON.search(self.doc.norm, s, e) or _NAME_SUBJECT.match(self.doc.cased, s):
                count += 1
        return count

    @cached_property
    def broadcasts(self) -> list[Entity]:
        """Crowd pings: @here, @channel, @everyone, user groups and roles."""
        return [e for e in self.doc.entities if is_broadcast(e)]

    # -- who it is for ------------------------------------------------------------------------
    @cached_property
    def greeting_name(self) -> str | None:
        """The name a greeting addresses ("Hi Dana" → "dana"), or None."""
        own = self.own_text
        cased = self.doc.cased
        for m in _GREETING_NAME.finditer(own):
            word = m.group(1)
            if word.startswith("@"):
                return word
            if word in _NOT_A_NAME:
                continue
            # "Hi Dana," or "hey dana!" are names; "hey, do u know…" is not: without
            # punctuation after it, the word must at least be capitalised like a name.
            if m.group(2) is not None or cased[m.start(1)].isupper():
                return word
        for m4 in _VOCATIVE_MID.finditer(cased):
            word = m4.group(1).lower()
            if (
                word not in _NOT_A_NAME
                and word not in _COMMON_CAPITALISED
                and not self.doc.is_quoted(m4.start(1))
            ):
                return word
        m2 = _VOCATIVE_START.search(self.doc.cased)
        if m2 and m2.group(1).lower() not in _NOT_A_NAME and not self.doc.is_quoted(m2.start(1)):
            return m2.group(1).lower()
        tail = own.rstrip()[-60:]
        m3 = _VOCATIVE_END.search(tail)
        if m3 and m3.group(1) not in _NOT_A_NAME:
            return m3.group(1)
        return None

    @cached_property
    def names_recipient(self) -> bool:
        """True when the draft addresses a person by name or @mention."""
        if self.greeting_name:
            return True
        if any(e.type == "user" for e in self.doc.entities):
            return True
        recipient = (self.context.recipient or "").lower().strip()
        if recipient:
            own = self.own_text
            for part in recipient.split():
                part = part.strip("@")
                if len(part) > 1 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", own):
                    return True
        return False

    # -- how requests are worded --------------------------------------------------------------
    @cached_property
    def imperatives_for_sender(self) -> list[tuple[int, int, bool]]:
        """Commands that order the reader to do something for the sender ("Send me…", "Reply.").

        Advice ("Go to Marisol, tell her I sent you") is an imperative too, but not an order.
        """
        norm = self.doc.norm
        out = []
        for start, end, softened in self.imperatives:
            verb = _FIRST_WORD.match(norm, start)
            if (verb and verb.group(0) in _SERVING_VERBS) or _ME.search(norm, start, end):
                out.append((start, end, softened))
        return out

    @cached_property
    def imperatives(self) -> list[tuple[int, int, bool]]:
        """Sentences opening with a command verb: (start, end, softened by please/thanks/…)."""
        verbs = cue_pattern("imperative_verbs")
        friendly = cue_pattern("friendly_imperative")
        if verbs is None:
            return []
        out = []
        norm = self.doc.norm
        for s, e in self.own_sentences:
            sentence = norm[s:e]
            lead = _IMPERATIVE_LEAD.match(sentence)
            at = lead.end() if lead else 0
            m = verbs.match(sentence, at)
            if not m or (friendly and friendly.match(sentence, at)):
                continue
            if _SUBJECT_AFTER.match(sentence, m.end()) and sentence[m.start() : m.end()] in (
                "do",
                "like",
                "call",
                "text",
                "tell",
                "go",
                "come",
                "try",
                "look",
                "check",
            ):
                continue  # "Do you…", "Like I said", "Check this…" as a question or aside
            if self.negated(Hit(s + m.start(), s + m.end(), False)):
                continue
            softened = bool(
                _SOFTENER.search(sentence)
                or sentence.rstrip().endswith("?")
                or (lead is not None and "pl" in lead.group(0))
                or "kindly" in (lead.group(0) if lead else "")
            )
            out.append((s + m.start(), e, softened))
        return out


_COUNTED.update(
    phone=(_PHONE, False),
    money=(_MONEY, False),
    short_code=(_SHORT_CODE, False),
    sms_keyword=(_SMS_KEYWORD, True),
    business_footer=(_FOOTER, True),
)

#: Every name `Signals.feature` answers to (`feature:<name>` in rule files and the reader).
FEATURE_NAMES: tuple[str, ...] = tuple(
    sorted(
        set(_COUNTED)
        | {n.removeprefix("_feature_") for n in vars(Signals) if n.startswith("_feature_")}
    )
)
