"""Is a draft in English? rapport reads English only for now, and says so instead of guessing.

Three steps, cheapest first: a draft mostly in a non-Latin script is not English; a draft whose
words are often common English words (or too short to tell) is English; anything else asks
lingua (a language identifier, loaded on first use and only for these drafts) and is called
another language only when lingua is confident.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from rapport.bot.recache import rx
from rapport.bot.resources import rules_dir

__all__ = ["ENGLISH", "language_name", "language_of"]

ENGLISH = "en"
_WORD = rx(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Links, chat markup and :emoji: codes say nothing about the language around them.
_NOT_LANGUAGE = rx(r"https?://\S+|www\.\S+|<[^<>\s]*>|:[a-z0-9_+-]+:|[@#][\w.-]+")
#: Latin-script languages lingua compares English against (non-Latin scripts are settled by
#: script alone); limiting the set keeps its memory small.
_LATIN = (
    "en es fr de pt it nl pl tr id sv da nb fi ro cs hu hr sk sl lt lv et ms tl sw af ca eu ga "
    "vi so yo zu sq is"
).split()
_CONFIDENT = 0.75
_SENTENCE = rx(r"[.!?\n]+")
_MIN_WORDS = 4
_ENGLISH_SHARE = 0.2
_NON_ASCII = rx(r"[^\x00-\x7f]+")
_ASCII_LETTERS = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))


@cache
def _common_english() -> frozenset[str]:
    path = rules_dir() / "language" / "english-common.txt"
    words = path.read_text(encoding="utf-8").split()
    return frozenset(w.lower() for w in words if not w.startswith("#"))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


_SCRIPT_LANGUAGE = {
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "CYRILLIC": "ru",
    "ARABIC": "ar",
    "HEBREW": "he",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "TAMIL": "ta",
    "TELUGU": "te",
    "THAI": "th",
    "GREEK": "el",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "ETHIOPIC": "am",
}


def language_of(text: str) -> str:
    """An ISO 639-1 code for the draft's language: "en" unless it is clearly something else."""
    text = _NOT_LANGUAGE.sub(" ", text)
    if not text.isascii():  # only then can a script other than Latin be in play
        verdict = _by_script(text)
        if verdict is not None:
            return verdict
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < _MIN_WORDS:
        return ENGLISH
    common = _common_english()
    if sum(w in common for w in words) >= _ENGLISH_SHARE * len(words):
        return ENGLISH
    # One plainly English sentence is enough to read: a draft that mixes languages, or pastes
    # code or gibberish after an English ask, is still the sender's English.
    for sentence in _SENTENCE.split(text):
        own = [w.lower() for w in _WORD.findall(sentence)]
        if len(own) >= _MIN_WORDS and sum(w in common for w in own) >= 0.6 * len(own):
            return ENGLISH
    return _identify(text)


def _by_script(text: str) -> str | None:
    """The language a non-Latin script settles, or None when Latin letters dominate."""
    raw = text.encode("ascii", "ignore")
    letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    scripts: dict[str, int] = {}
    for run in _NON_ASCII.findall(text):  # only the non-ASCII characters, looked at one by one
        for ch in run:
            if ch.isalpha():
                letters += 1
                s = _script(ch)
                scripts[s] = scripts.get(s, 0) + 1
    top, count = max(
        ((s, n) for s, n in scripts.items() if s != "LATIN"), key=lambda kv: kv[1], default=("", 0)
    )
    if count <= 0.3 * max(1, letters):
        return None
    # Japanese mixes kana with kanji: any kana at all says Japanese.
    if top == "CJK" and (scripts.get("HIRAGANA") or scripts.get("KATAKANA")):
        return "ja"
    return _SCRIPT_LANGUAGE.get(top, "und")


@cache
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in _LATIN]
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def _identify(text: str) -> str:
    detector = _detector()
    found = detector.detect_language_of(text)
    if found is None:
        return ENGLISH
    code = str(found.iso_code_639_1.name).lower()
    if code == ENGLISH:
        return ENGLISH
    confidence = float(detector.compute_language_confidence(text, found))
    return code if confidence >= _CONFIDENT else ENGLISH


def language_name(code: str) -> str:
    """The English name of a language code ("es" → "Spanish"), or the code itself."""
    from lingua import IsoCode639_1, Language

    try:
        return str(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name).title()
    except (AttributeError, ValueError):
        return code
