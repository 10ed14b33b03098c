"""What the learned reader sees of a draft: hashed character and word n-grams, and evidence.

The same functions build the features at training time (`evals/train.py`) and at run time, so
the two can never drift apart. Text features are hashed (no vocabulary to ship): character
2–5-grams of the normalised text and word 1–2-grams, each set of bucket ids scaled so that a
long draft weighs the same as a short one. Evidence is the engine's structured knowledge of the
draft (phrase lists in the sender's own affirmed voice, sentence frames, markup, names,
imperatives, ledger context) as a short dense vector whose names travel with the model.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections.abc import Callable
from functools import cache

from rapport.bot.engine.frames import frames
from rapport.bot.engine.scanner import phrase_index
from rapport.bot.engine.signals import FEATURE_NAMES, Signals
from rapport.bot.recache import rx

__all__ = [
    "HashSpace",
    "char_ids",
    "evidence_names",
    "evidence_values",
    "normalise",
    "word_ids",
]


class HashSpace:
    """How n-grams map to buckets: part of a model's manifest, checked when it loads."""

    def __init__(self, bits: int, char_ns: tuple[int, ...] = (2, 3, 4, 5)) -> None:
        self.bits = bits
        self.size = 1 << bits
        self.char_ns = char_ns

    def to_json(self) -> dict[str, object]:
        """The parameters as the manifest records them."""
        return {"bits": self.bits, "char_ns": list(self.char_ns), "scheme": "rapport-hash-v1"}


_MENTION = rx(r"<(?:@[!&]?|!subteam\^)[a-z0-9]+(?:\|[^>]*)?>")
_BROADCAST = rx(r"<!(?:here|channel|everyone)[^>]*>|(?<!\w)@(?:here|channel|everyone)\b")
_CHANNEL = rx(r"<#[a-z0-9]+(?:\|[^>]*)?>")
_URL = rx(
    r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|org|net|ly|in|co|me|app|dev|ai)\b(?:/\S*)?"
)
_EMAIL = rx(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
#: A cheap test for the second half of `_URL`: without one of these there is no bare domain.
_TLD = rx(r"\.(?:com|io|org|net|ly|in|co|me|app|dev|ai)\b")
_DIGIT = rx(r"\d")
_WORD = rx(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")
#: The n-gram hash: h = n, then h = h·PRIME + code for each character, all modulo 2**64;
#: the bucket is ((h·MIX mod 2**64) >> SHIFT) mod size.
MIX = 0x9E3779B97F4A7C15
PRIME = 1_000_003
SHIFT = 29
_MASK = (1 << 64) - 1


def normalise(text: str) -> str:
    """Lower-case, markup and links reduced to placeholders, digits to 0, spaces collapsed.

    Each pattern runs only when a character it needs is present: on a long draft the link
    patterns cost more than everything else here, and most drafts have no link at all.
    """
    t = text.lower()
    if "@" in t or "<!" in t:
        t = _BROADCAST.sub(" @crowd ", t)
    if "<" in t:
        t = _MENTION.sub(" @user ", t)
        t = _CHANNEL.sub(" #channel ", t)
    if "@" in t:
        t = _EMAIL.sub(" email ", t)
    if "://" in t or "www." in t or ("." in t and _TLD.search(t)):
        t = _URL.sub(" link ", t)
    t = _DIGIT.sub("0", t)
    return " " + " ".join(t.split()) + " "


def char_ids(norm: str, space: HashSpace) -> list[int]:
    """The sorted distinct buckets of a normalised text's character n-grams, in plain Python
    (the same arithmetic as the vectorised `rapport.bot.engine.reader.vectors`, modulo 2**64)."""
    codes = [ord(c) for c in norm]
    size = space.size
    found: set[int] = set()
    for n in space.char_ns:
        for i in range(len(codes) - n + 1):
            h = n
            for c in codes[i : i + n]:
                h = (h * PRIME + c) & _MASK
            found.add((((h * MIX) & _MASK) >> SHIFT) % size)
    return sorted(found)


def word_ids(norm: str, space: HashSpace) -> list[int]:
    """The sorted distinct buckets of a normalised text's words and word pairs."""
    size = space.size
    return sorted({zlib.crc32(g.encode()) % size for g in _grams(_WORD.findall(norm))})


def _grams(words: list[str]) -> list[str]:
    """Words and adjacent pairs of words, the word n-grams the reader hashes."""
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


# -- evidence -------------------------------------------------------------------------------

_QUESTION = rx(r"\?")
_EXCLAIM = rx(r"!")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]|:[a-z0-9_+-]+:")


def _log(n: float) -> float:
    return math.log1p(max(0.0, n))


def _rate(n: int, words: int) -> float:
    return min(1.0, n / max(8, words) * 5)


_SIGNALS: dict[str, Callable[[Signals], float]] = {
    "signal:to_crowd": lambda s: float(s.to_crowd),
    "signal:names_recipient": lambda s: float(s.names_recipient),
    "signal:greeting_name": lambda s: float(s.greeting_name is not None),
    "signal:words": lambda s: _log(s.word_count) / 6,
    "signal:sentences": lambda s: _log(len(s.own_sentences)) / 4,
    "signal:first_person": lambda s: _rate(s.first_person, s.word_count),
    "signal:second_person": lambda s: _rate(s.second_person, s.word_count),
    "signal:first_plural": lambda s: _rate(s.first_plural, s.word_count),
    "signal:self_focus": lambda s: _log(s.self_focus),
    "signal:self_focus_per_length": lambda s: _log(s.self_focus_per_length),
    "signal:self_credentials": lambda s: _log(s.self_credentials),
    "signal:imperatives": lambda s: _log(len(s.imperatives)),
    "signal:bare_imperatives": lambda s: _log(sum(1 for *_, soft in s.imperatives if not soft)),
    "signal:bare_orders": lambda s: _log(
        sum(1 for *_, soft in s.imperatives_for_sender if not soft)
    ),
    "signal:questions": lambda s: _log(len(_QUESTION.findall(s.own_text))),
    "signal:exclaims": lambda s: _log(len(_EXCLAIM.findall(s.own_text))),
    "signal:emoji": lambda s: _log(len(_EMOJI.findall(s.doc.original))),
    "signal:proper_nouns": lambda s: _log(len(s.proper_nouns)),
    "signal:quoted_share": lambda s: sum(e - b for b, e in s.doc.quoted) / max(1, len(s.doc.norm)),
    "signal:user_mentions": lambda s: _log(sum(1 for e in s.doc.entities if e.type == "user")),
    "context:known_relationship": lambda s: float(s.context.known_relationship),
    "context:gave_already": lambda s: float(s.context.endorsements_given > 0),
}


@cache
def evidence_names() -> tuple[str, ...]:
    """Every evidence feature this build of rapport can compute, in a fixed order."""
    cues = sorted(phrase_index().names)
    return (
        *(f"cue:{c}" for c in cues),
        *(f"frame:{f}" for f in sorted(frames())),
        *(f"feature:{f}" for f in FEATURE_NAMES),
        *_SIGNALS,
    )


def _value(name: str, s: Signals) -> float:
    prefix, _, rest = name.partition(":")
    if prefix in ("cue", "frame"):
        return _log(len(s.voice(rest)))
    if prefix == "feature":
        return _log(s.feature(rest))
    return _SIGNALS[name](s)


def evidence_values(s: Signals, names: tuple[str, ...]) -> list[float]:
    """The named evidence of one draft, in the order given."""
    return [_value(n, s) for n in names]
