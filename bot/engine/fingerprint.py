"""Draft fingerprints: a 64-bit SimHash that stays put when a mass message is personalised.

The blast check asks "has this user sent (nearly) this message before, to someone else?"
without keeping the text: the store holds only a SimHash per checked draft and a keyed hash
of its recipient.  Two drafts are near-duplicates when their SimHashes differ in at most
`NEAR` bits.

What makes the hash robust to the edits that personalise a mass message:

- Names are masked before hashing: the greeting ("Hi Dana," → one greeting token), capitalised
  words inside a sentence (", Dana!", "at Acme"), a capitalised vocative opening a sentence
  ("Dana, I …"), and any `names=` the caller knows (the recipient).  So the same 300-character
  message with only the recipient's name changed hashes to the same value (distance 0).
- Markup becomes placeholders (a user mention, a link, an e-mail address, a channel, a crowd
  ping), digits become one digit, and case, apostrophes and whitespace are normalised.
- Features are single words *plus* word 3-shingles, equally weighted.  Shingles keep word order
  (different messages stay far apart); single words halve the share of the hash one changed
  word moves.  A changed word is still a matter of chance, not a guarantee: with one lower-case
  word replaced in 400 chat drafts of 200-800 characters, 3-shingles alone kept 21% within
  `NEAR`, words + 3-shingles keep 51% (median 3 bits; 66% on tests/engine/test_fingerprint.py's
  342-character message, worst 7 bits).

Measured false-near rate (pairs of distinct drafts within `NEAR`): 16 of the 2.0 million pairs
of bench/corpus.py's 2,000 chat drafts (8e-6), every one the same short template with another
link or name; 1 of the 30,135 pairs of rule examples in rules/*.toml ("Could you introduce me
to your CTO?" with and without "Priya, "); 0-1 of 79,800 in the tests' generated set.

`NEAR = 3` is also what the store can look up through an index: split 64 bits into four 16-bit
`bands`, and two hashes at most 3 bits apart agree exactly on at least one band (pigeonhole).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

from rapport.bot.engine.lexicon import greeting_words
from rapport.bot.engine.markup import mask_markup

__all__ = ["BANDS", "BAND_BITS", "NEAR", "bands", "features", "hamming", "recipient_key", "simhash"]

#: Two drafts at most this many bits apart are near-duplicates (the same message, personalised).
NEAR = 3
#: The 64-bit hash is split into this many bands of `BAND_BITS` bits for indexed lookups.
BANDS = 4
BAND_BITS = 16

_MASK64 = (1 << 64) - 1
_BAND_MASK = (1 << BAND_BITS) - 1

# Placeholders are wrapped in \x01, which never survives from the draft (control characters are
# blanked first), so a placeholder can't collide with a word the user typed.
_NAME = "\x01name\x01"
_GREETING = "\x01greeting\x01"
_PLACEHOLDERS = {
    "user": "\x01user\x01",
    "group": "\x01group\x01",
    "broadcast": "\x01crowd\x01",
    "channel": "\x01channel\x01",
    "link": "\x01link\x01",
    "email": "\x01email\x01",
    "code": "\x01code\x01",
    "emoji": " ",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN_MENTION = re.compile(r"(?<![\w@])@[\w.-]*\w")
_NAME_PART = r"[^\s,.!?:;—–-]+(?:-[^\s,.!?:;—–-]+)*"  # "Dana", "Jo-Anne", "@dana"
_GREETING_RE = re.compile(
    r"\A\W*(?:" + greeting_words().replace(" ", r"\s+") + r"\b"
    rf"(?:(?:[^\S\n]+{_NAME_PART}){{0,3}}[^\S\n]*(?=[,.!?:;—–\n-]|\Z)|[^\S\n]+{_NAME_PART})?"
    r"|(?-i:[A-Z][\w'-]*(?:[^\S\n]+[A-Z][\w'-]*){0,2})[^\S\n]*(?=[,!:—–]))",
    re.IGNORECASE,
)
# a word starting with a capital (Latin, Greek, Cyrillic), the only ones `_mask_names` looks at
_WORD = re.compile(r"(?<![\w'\x01])(?=[A-ZÀ-ÖØ-ÞΑ-ΩА-ЯЁ])[^\W\d_]+(?:['-][^\W\d_]+)*(?![\w\x01])")
_DIGITS = re.compile(r"\d+(?:[.,:]\d+)*")
_TOKEN = re.compile(r"\x01[a-z]+\x01|[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_END = ".!?\n…"
_OPENERS = " \t\"'“‘(*_>-–—"


def hamming(a: int, b: int) -> int:
    """Bits in which two 64-bit fingerprints differ: the near-duplicate distance."""
    return ((a ^ b) & _MASK64).bit_count()


def bands(h: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit hash, low bits first (the store's index keys)."""
    return (
        h & _BAND_MASK,
        (h >> 16) & _BAND_MASK,
        (h >> 32) & _BAND_MASK,
        (h >> 48) & _BAND_MASK,
    )


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(_OPENERS)
    return not before or before[-1] in _SENTENCE_END


def _mask_names(text: str, names: Iterable[str]) -> str:
    for name in names:
        for part in re.findall(r"[^\W_]{2,}", name):
            text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", _NAME, text, flags=re.IGNORECASE)

    def capitalised(m: re.Match[str]) -> str:
        word = m.group(0)
        if not word[0].isupper() or word.isupper() or word.startswith("I'"):  # "ASAP", "I'm"
            return word
        # inside a sentence a capitalised word is a name ("with Dana at Acme"); opening one it is
        # a name only as a vocative ("Dana, I hope …"); "Thanks," would be masked too: harmless
        initial = _sentence_initial(text, m.start())
        if initial and not text.startswith(",", m.end()):
            return m.group(0)
        return _NAME

    return _WORD.sub(capitalised, text)


def _normalise(text: str, names: Iterable[str]) -> str:
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).replace("’", "'")
    masked, entities = mask_markup(text)
    parts: list[str] = []
    pos = 0
    for e in entities:
        if e.start < pos:
            continue
        parts += [masked[pos : e.start], f" {_PLACEHOLDERS.get(e.type, ' ')} "]
        pos = e.end
    parts.append(masked[pos:])
    text = _PLAIN_MENTION.sub(f" {_PLACEHOLDERS['user']} ", "".join(parts))
    text = _GREETING_RE.sub(f"{_GREETING} ", text, count=1)
    text = _mask_names(text, names)
    return _DIGITS.sub("0", text).casefold()


def features(text: str, names: Iterable[str] = ()) -> list[str]:
    """The SimHash features of a draft (its words and word 3-shingles), for tests and tuning."""
    words = _TOKEN.findall(_normalise(text, names))
    return words + [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


# _BIT_OF[i] maps a byte to 1 where bit i is set: bytes.translate + count tallies one bit of
# every feature hash at C speed (64 passes over n bytes instead of 64 × n Python steps)
_BIT_OF = tuple(bytes((byte >> i) & 1 for byte in range(256)) for i in range(8))


def _feature_hash(feature: str) -> bytes:
    # a stable 64-bit hash (Python's hash() is salted per process); byte j holds bits 8j..8j+7
    return hashlib.blake2b(feature.encode(), digest_size=8).digest()


def simhash(text: str, *, names: Iterable[str] = ()) -> int:
    """64-bit SimHash of a draft, unchanged by a different name in the greeting and moved only a
    few bits by a changed word, so a personalised mass message is recognised; `names` (e.g. the
    recipient's) are masked wherever they appear.  Stable across runs and machines."""
    feats = features(text, tuple(names))
    if not feats:
        return 0
    digests = b"".join(map(_feature_hash, feats))
    total = len(feats)
    result = 0
    for byte in range(8):
        column = digests[byte::8]  # byte `byte` of every feature hash
        for i, table in enumerate(_BIT_OF):
            if 2 * column.translate(table).count(1) > total:  # most features set this bit
                result |= 1 << (8 * byte + i)
    return result


def _recipient_text(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip()
    m = re.fullmatch(r"<[@#]!?([^<>|]+)(?:\|[^<>]*)?>", text)  # <@U123> or <@U123|dana>
    if m:
        text = m.group(1)
    return " ".join(text.lstrip("@").casefold().split())


#: Bits of a recipient key: enough to count a handful of different people in a day, too few to
#: name anyone (a list of names tried against a stolen database matches thousands per key).
RECIPIENT_BITS = 16


def recipient_key(name: str, secret: bytes) -> str:
    """A short keyed hash (HMAC-BLAKE2b, 16 bits, hex) of a recipient's normalised name or id,
    so fingerprints can tell "sent to someone else" apart without the store holding names.

    It is deliberately short: the key lives in the same database, so a long hash could be
    reversed by trying names; 16 bits tell a few people apart and no one in particular."""
    if not secret:
        raise ValueError("recipient_key needs a non-empty secret")
    return hmac.digest(secret, _recipient_text(name).encode(), "blake2b")[
        : RECIPIENT_BITS // 8
    ].hex()
