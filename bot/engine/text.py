"""A draft prepared for matching: normalised, markup masked, split into sentences, with scopes.

Rules match against `Doc.norm` (lower-case, straight quotes, markup masked).  Offsets into `norm`
map back to the user's original text through `Doc.span`, so findings point at exactly the
characters the user typed, emoji, curly quotes and all.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from rapport.bot.engine.clauses import ClauseIndex
from rapport.bot.engine.layout import Layout
from rapport.bot.engine.markup import Entity, mask_markup
from rapport.bot.recache import rx

__all__ = ["MAX_CHARS", "Doc", "prepare"]

#: Longer drafts are checked up to this many characters (and the report says so).
MAX_CHARS = 20_000

# Characters that change only their look: mapped one-for-one so offsets never move.
_SAME_LENGTH = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u3000": " ",
        "\u2028": "\n",
        "\u2029": "\n",
        "\r": " ",
    }
)
# Invisible characters a draft may carry (zero-width spaces, soft hyphens, bidi marks,
# variation selectors): dropped for matching, so "li\u200bke" still reads as "like".
_INVISIBLE = rx("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f]")

_BOUNDARY = rx(r"[.!?]+[\"')\]]*(?=\s|$)|\n")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs mr mrs ms dr prof sr jr st inc ltd co corp approx no dept est jan feb mar "
    "apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun a.m p.m u.s".split()
)
_WORD_BEFORE = rx(r"([\w.]+)$")

_QUOTE_LINE = rx(r"(?m)^[ \t]*>[^\n]*")
_DOUBLE_QUOTED = rx(r'"[^"\n]{2,}"')
# a single-quoted span may hold apostrophes between letters ('I'd love to connect!')
_SINGLE_QUOTED = rx(r"(?<![\w'])'(?=\S)((?:[^'\n]|(?<=\w)'(?=\w)){2,}?)(?<=\S)'(?![\w'])")
# Reported speech: "got this message:", "someone sent me this:", "they wrote:" — what follows,
# up to a blank line or the user's own question about it, is someone else's words.
_REPORTED_INTRO = rx(
    r"\b(?:(?:i|we)(?: just| keep| always)? (?:got|get|received|receive|saw)|"
    r"(?:someone|somebody|a recruiter|a stranger|a friend|my \w+|he|she|they|this guy|"
    r"a guy|people|this person|a vendor|a company|[a-z]+ from \w+) "
    r"(?:just |keeps |always )?(?:sent|sends|dm'd|dmed|messaged|wrote|posted|texted|emailed)"
    r"(?: me| us| this| me this| us this| to me)?|"
    r"(?:this|the following|their|his|her|a|an) (?:message|dm|email|text|note|post|blast|reply|"
    r"request|invite|invitation|sms|spam)(?: i got| i received| i was sent| came in| from [\w ]{1,30})?"
    r"(?=[^\n:.,?]{0,40}(?::|\n))|"  # "this message:" introduces words; "a note from x." does not
    r"(?:^|\n)[ \t]*(?:just )?(?:got|received|saw) (?:this|that|a message|a dm|one of these)|"
    r"here'?s what (?:my|a|an|the|someone|somebody|they|he|she|this|our) ?[\w ]{0,20}? ?"
    r"(?:posted|sent|wrote|said|messaged|dm'd)"
    r")[^\n:]{0,40}?(?::|\n|,|\.|\?)"
)
_OWN_AUTHORSHIP = rx(
    r"(?:\bi(?:'ve| have)? (?:just )?(?:wrote|written|write|posted|drafted|left|put|submitted|said|returned)|"
    r"here'?s (?:the|your|my|what i)|\b(?:wrote|written|drafted|posted|left) (?:you |u )?(?:a|an|the|this|one)\b|"
    r"\breturned yours|\bmine for you|\bi'?d (?:write|say)|\bsomething like)[^\n\"]{0,60}$"
)
_META_QUESTION = rx(
    r"(?m)(?:^|(?<=[.!?\"'] ))[ \t]*(?:how (?:do|should|can|would) (?:i|we)|what (?:do|should|can) (?:i|we)|"
    r"should (?:i|we)|is (?:this|that|it) (?:ok|okay|a |an |spam|legit|rude)|any (?:advice|tips|ideas)|"
    r"help me|can you help|what's the best way|what would you)"
)

_NEGATOR = rx(
    r"\b(?:not|no|never|nor|without|neither|none|nobody|nothing|hardly)\b|n't\b|\bdont\b|\bwont\b|"
    r"\bcant\b|\bisnt\b|\bdidnt\b|\bwouldnt\b"
)
#: How far back (characters) a negation in the same clause still scopes over a word.
_NEGATION_REACH = 90
# Negation words that do not negate what follows: "don't forget to like", "not only",
# "no doubt", "can't wait", "don't hesitate", "not sure if you'd…".
_NOT_A_NEGATION = rx(
    r"\b(?:don'?t|do not|never) (?:forget|miss|hesitate|wait|stop)\b|\bnot only\b|\bno doubt\b|"
    r"\bcan'?t wait\b|\bnot sure\b|\b(?:wouldn'?t|don'?t|do not) mind\b|\bno worries\b|"
    r"\bno matter\b|\bnot too\b|\bno longer\b|\bnever (?:been|had|got)\b|\bnothing (?:but|like)\b|"
    r"\bno (?:more|later) than\b|\bnot (?:to|gonna) lie\b|\bwhy not\b|\bif not\b"
)


@dataclass(slots=True)
class Doc:
    """A draft ready for the rules: normalised text plus the structure rules ask about."""

    original: str
    cased: str  # normalised and masked, original case (same length as norm)
    norm: str  # `cased` in lower case: what phrase patterns match
    offsets: list[int] | None  # norm index -> original index; None when they coincide
    entities: list[Entity]
    sentences: list[tuple[int, int]]
    quoted: list[tuple[int, int]]
    truncated: bool = False
    _sentence_starts: list[int] = field(default_factory=list)
    _quote_starts: list[int] = field(default_factory=list)
    _clauses: ClauseIndex | None = None
    _layout: Layout | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `norm` to the original text."""
        if self.offsets is None:
            return start, end
        if end <= start:
            return self.offsets[start] if start < len(self.offsets) else len(self.original), end
        return self.offsets[start], self.offsets[end - 1] + 1

    def sentence_index(self, pos: int) -> int:
        """Index of the sentence holding norm position `pos` (the nearest one before it)."""
        return max(0, bisect.bisect_right(self._sentence_starts, pos) - 1)

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The [start, end) norm span of the sentence holding `pos`."""
        if not self.sentences:
            return 0, len(self.norm)
        return self.sentences[self.sentence_index(pos)]

    def is_quoted(self, start: int, end: int | None = None) -> bool:
        """True when the span lies in someone else's words (quotes, `>` lines, reported speech)."""
        if not self.quoted:
            return False
        i = bisect.bisect_right(self._quote_starts, start) - 1
        return i >= 0 and self.quoted[i][1] >= (end if end is not None else start + 1)

    @property
    def clauses(self) -> ClauseIndex:
        """Clause breaks and guard phrases, indexed once so each question is a bisect."""
        if self._clauses is None:
            self._clauses = ClauseIndex(self.norm, self._sentence_starts)
        return self._clauses

    @property
    def layout(self) -> Layout:
        """Line starts and the entity at a position, indexed once so each question is a bisect."""
        if self._layout is None:
            self._layout = Layout(self.norm, self.entities)
        return self._layout

    def clause_start(self, pos: int) -> int:
        """Where the clause holding `pos` begins (after the last comma, 'but', dash… before it)."""
        s_start, _ = self.sentence_at(pos)
        return self.clauses.clause_start(s_start, pos)

    def clause_has(self, pattern: re.Pattern[str], pos: int) -> bool:
        """True when `pattern` occurs earlier in the clause that holds `pos`."""
        return self.clauses.occurs(pattern, self.clause_start(pos), pos)

    def is_negated(self, pos: int, end: int | None = None) -> bool:
        """True when a negation earlier in the clause (or inside [pos, end)) scopes over `pos`."""
        stop = pos if end is None else end
        # only the last 90 characters of the clause count: slice just those (a long
        # unpunctuated clause must not be copied for every hit in it)
        clause = self.norm[max(self.clause_start(pos), stop - _NEGATION_REACH) : stop]
        if not _NEGATOR.search(clause):
            return False
        return bool(_NEGATOR.search(_NOT_A_NEGATION.sub(" ", clause)))


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """Unify quotes, dashes, spaces and compatibility letters; drop invisibles; keep an offset map."""
    if text.isascii():
        return text.replace("\r", " "), None
    out = text.translate(_SAME_LENGTH)
    offsets: list[int] | None = None
    if _INVISIBLE.search(out):
        keep = [i for i, c in enumerate(out) if not _INVISIBLE.match(c)]
        out = "".join(out[i] for i in keep)
        offsets = keep
    if not unicodedata.is_normalized("NFKC", out):
        chars = list(out)
        for i, c in enumerate(chars):
            if not c.isascii():
                folded = unicodedata.normalize("NFKC", c)
                if len(folded) == 1:
                    chars[i] = folded
        out = "".join(chars)
    return out, offsets


# Common typing slips that only swap letters, so fixing them moves no offset.
_TYPOS = {
    "teh": "the",
    "hte": "the",
    "adn": "and",
    "taht": "that",
    "yuo": "you",
    "yoru": "your",
    "wiht": "with",
    "tihs": "this",
    "recieve": "receive",
    "recieved": "received",
    "freind": "friend",
    "freinds": "friends",
    "thier": "their",
    "waht": "what",
    "becuase": "because",
    "jsut": "just",
}
_TYPO = rx(r"\b(?:" + "|".join(_TYPOS) + r")\b")


def _fix_typos(norm: str) -> str:
    """Lower-case text with common letter swaps undone (same length, so offsets hold)."""
    return _TYPO.sub(lambda m: _TYPOS[m.group(0)], norm) if _TYPO.search(norm) else norm


def _lower(text: str) -> str:
    """Lower-case without changing length (a few letters like 'İ' grow when lowered)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def wrapped(norm: str, newline: int) -> bool:
    """True when this line break only wraps a long line mid-sentence (hard-wrapped email: "my
    colleagues in SF\nhave been hearing…"), so it doesn't end a sentence.

    The rewriter joins such sentences back (`rapport.bot.rewriter.facts`). The engine still splits there: its
    evidence is what the reader was trained on, so changing it means retraining the reader.

    Only a break after a long line that ends without punctuation, before a lower-case word:
    a salutation, a list or a sign-off on its own line still stands alone.
    """
    line_start = norm.rfind("\n", 0, newline) + 1
    line = norm[line_start:newline].rstrip()
    if len(line) < _WRAP_MIN or not (line[-1].isalnum() or line[-1] in ",;-"):
        return False
    rest = norm[newline + 1 : newline + 3]
    return bool(rest) and rest[0].islower()


#: Lines at least this long that end mid-sentence are taken for hard wrapping.
_WRAP_MIN = 40


def _sentences(norm: str) -> list[tuple[int, int]]:
    """Sentence spans, skipping abbreviations, initials and decimals; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(norm):
        if m.group(0)[0] == ".":
            before = _WORD_BEFORE.search(norm, max(0, m.start() - 24), m.start())
            word = before.group(1).strip(".") if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        _add_trimmed(norm, start, m.end(), spans)
        start = m.end()
    _add_trimmed(norm, start, len(norm), spans)
    return spans


def _add_trimmed(norm: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and norm[start].isspace():
        start += 1
    while end > start and norm[end - 1].isspace():
        end -= 1
    if end > start and any(c.isalnum() for c in norm[start:end]):
        spans.append((start, end))


def _own_quote(norm: str, start: int) -> bool:
    """True when the quote is introduced as the sender's own text ("I wrote this for you: '…'")."""
    return _OWN_AUTHORSHIP.search(norm, max(0, start - 80), start) is not None


def _quoted_spans(norm: str) -> list[tuple[int, int]]:
    """Spans holding other people's words, merged and sorted."""
    spans = [(m.start(), m.end()) for m in _QUOTE_LINE.finditer(norm)]
    for pattern in (_DOUBLE_QUOTED, _SINGLE_QUOTED):
        spans += [
            (m.start(), m.end()) for m in pattern.finditer(norm) if not _own_quote(norm, m.start())
        ]
    # Each intro's words run to the paragraph's end or a question about them.  Both searches
    # are remembered: intros in one paragraph share their answers, so many intros ("I saw you
    # at PyCon." × 1,000) cost one pass, not one per intro (a match at a position does not
    # depend on where the search began).
    paragraph_end, question, asked_from, asked_to = -1, None, -1, -1
    for m in _REPORTED_INTRO.finditer(norm):
        body_start = m.end()
        rest = norm[body_start : body_start + 4].lstrip()
        if rest[:1] in ('"', "'", ">"):
            continue  # an explicit quote follows: its marks delimit the reported words
        if paragraph_end < body_start:
            found = norm.find("\n\n", body_start)
            paragraph_end = len(norm) if found < 0 else found
        stop = paragraph_end
        if not (
            asked_to == stop
            and asked_from <= body_start
            and (question is None or question.start() >= body_start)
        ):
            question = _META_QUESTION.search(norm, body_start, stop)
            asked_from, asked_to = body_start, stop
        if question:
            stop = question.start()
        if stop > body_start:
            spans.append((body_start, stop))
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for s, e in spans[1:]:
        if s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def prepare(text: str) -> Doc:
    """Build a `Doc` from a draft exactly as the user gave it (truncated to MAX_CHARS)."""
    truncated = len(text) > MAX_CHARS
    original = text[:MAX_CHARS] if truncated else text
    normal, offsets = _normalise(original)
    masked, entities = mask_markup(normal)
    norm = _fix_typos(_lower(masked))
    sentences = _sentences(norm)
    quoted = _quoted_spans(norm)
    return Doc(
        original=original,
        cased=masked,
        norm=norm,
        offsets=offsets,
        entities=entities,
        sentences=sentences,
        quoted=quoted,
        truncated=truncated,
        _sentence_starts=[s for s, _ in sentences],
        _quote_starts=[s for s, _ in quoted],
    )
