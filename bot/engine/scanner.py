"""Fast phrase-list scanning: each phrase is tried only where a word it can start with stands.

At start-up every phrase of every list is reduced to its possible first words
(bot/engine/firstword.py) and filed under them.  All lists' phrases filed under one word form one
pattern of optional lookahead captures, one per list, so a single `match` at that word tells
which lists match there and where each match ends.  Per message, the text is tokenised once and
only the patterns of its words run.  Phrases whose start cannot be read are scanned over the
whole text.  Overlapping matches are all kept.  tests/engine/test_scanner.py checks the hits against
a plain scan of each list.

Compiling those patterns is most of a one-shot check's time (`re` compiles in pure Python), so
a draft first gets patterns of only the phrase alternatives it could match
(bot/engine/prefilter.py: the words and text each one needs), and a word none of whose phrases
could match costs no regex at all.  Hits are the same (an alternative left out could not have
matched).  Once a pattern has served a few different drafts (a bot, the console, batch checks)
it is compiled whole, once, and used from then on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from rapport.bot.engine.firstword import DIGIT, EXACT, PREFIX, first_chars, first_words
from rapport.bot.engine.lexicon import (
    PhraseListError,
    compile_phrases,
    expand_phrases,
    keeps_negation,
    load_list,
    macros,
)
from rapport.bot.engine.plainmatch import EndMatcher, Step, matcher, steps
from rapport.bot.engine.prefilter import TOKENS, DraftText, Req, alternatives, needs
from rapport.bot.recache import memo
from rapport.bot.resources import rules_dir

__all__ = ["Hits", "PhraseIndex", "phrase_index", "scan"]

# A phrase whose own words negate ("we haven't met", "still nothing back from you") keeps its
# negation: only a negation *outside* its own words reverses it.
_NEGATING_WORDS = re.compile(
    r"\b(?:not|no|never|nothing|nobody|none|nor|without)\b|n'\??t\b|n\\?'t"
)

#: list name -> (start, end, negation inside the match counts)
Hits = dict[str, list[tuple[int, int, bool]]]
#: A phrase alternative (regex text), the start words it can match at (as filed; None: not
#: known), what a draft must contain for it to match, and its plain steps (None: it needs `re`).
Alternative = tuple[str, list[str] | None, list[Req], list[Step] | None]
#: Different drafts a start word (or a whole-text group) is fitted to before it is compiled whole.
PARTIAL_PATTERNS = 3


@dataclass(slots=True)
class _Group:
    """Phrases of one list filed under one key (or scanned whole), compiled on first use."""

    list_name: str
    phrases: list[str]
    keeps_negation: bool
    anchored: bool  # True: matched at a word (`match`); False: scanned over the text
    # for a whole-text group: characters every match starts with (skip the text without them)
    starts: frozenset[str] | None = None
    key: str | None = None  # the start word it is filed under (None: scanned over the text)
    _alts: list[Alternative] | None = field(default=None, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _partial: dict[tuple[str, ...], re.Pattern[str] | None] = field(
        default_factory=dict, repr=False
    )

    def alternatives(self) -> list[Alternative]:
        """The phrases' top-level alternatives, in order (joined by "|" they are the phrases)."""
        if self._alts is None:
            self._alts = [alt for phrase in self.phrases for alt in _alternatives(phrase)]
        return self._alts

    def _possible(self, draft: DraftText) -> list[Alternative]:
        """The alternatives `draft` could match, in order.  Under a start word, an alternative
        that cannot start with it is left out too: the word's pattern is only ever tried where
        the word stands, so it could not match there."""
        key, allows = self.key, draft.allows_alternative
        return [
            item
            for item in self.alternatives()
            if (key is None or item[1] is None or key in item[1]) and allows(item[0], item[2])
        ]

    def possible(self, draft: DraftText) -> list[str]:
        """The regex text of the alternatives `draft` could match, in order."""
        return [alt for alt, *_ in self._possible(draft)]

    def possible_matchers(self, draft: DraftText) -> list[EndMatcher]:
        """`possible(draft)`, each as its matcher (plain steps where it has them)."""
        return [_matcher(alt, plain) for alt, _, _, plain in self._possible(draft)]

    def pattern(self, draft: DraftText | None = None) -> re.Pattern[str] | None:
        """The group's pattern; for `draft`, while the whole one is not compiled, a pattern of
        only the alternatives it could match (None when there are none)."""
        if self._pattern is not None or draft is None or len(self._partial) >= PARTIAL_PATTERNS:
            return self._whole()
        chosen = tuple(self.possible(draft))
        if chosen not in self._partial:
            bodies = list(chosen)
            self._partial[chosen] = _compile(bodies, self.anchored) if bodies else None
        return self._partial[chosen]

    def _whole(self) -> re.Pattern[str]:
        if self._pattern is None:
            self._pattern = _compile(self.phrases, self.anchored)
            self._partial.clear()
        return self._pattern


def _compile(bodies: list[str], anchored: bool) -> re.Pattern[str]:
    try:
        if anchored:
            return re.compile("(?:" + "|".join(bodies) + r")(?!\w)", re.M)
        compiled = compile_phrases(bodies, expanded=True)
        assert compiled is not None
        return compiled
    except re.error:
        compile_phrases(bodies, expanded=True)  # raises, naming the phrase
        raise


#: Phrase -> its top-level alternatives, each with what it needs (read once per process).
_ALTERNATIVES: dict[str, list[Alternative]] = {}


def _alternatives(phrase: str) -> list[Alternative]:
    """A phrase's alternatives with their start words, needs and plain steps, cached on disk one
    phrase per entry: a one-shot check reads only the entries of the phrases under its draft's
    words."""
    found = _ALTERNATIVES.get(phrase)
    if found is None:
        stored = memo(
            "needs",
            phrase,
            lambda: [(a, _keys(a), needs(a), steps(a)) for a in alternatives(phrase)],
        )
        found = _ALTERNATIVES[phrase] = [tuple(item) for item in stored]
    return found


def _keys(regex: str) -> list[str] | None:
    """The keys one alternative of a phrase could be filed under (as `_file_phrases` files)."""
    keys = first_words(regex)
    if keys is None:
        return None
    return sorted({PREFIX + key[1:4] if key[0] == PREFIX else key for key in keys})


#: For one draft: (list, negation kept, the matchers of the alternatives it could match).
Plan = list[tuple[str, bool, list[EndMatcher]]]
#: Alternative -> where `(?:alternative)(?!\w)` matched at a position ends, shared by every
#: start word.
_ALTERNATIVE_MATCHERS: dict[str, EndMatcher] = {}


def _matcher(alternative: str, plain: list[Step] | None) -> EndMatcher:
    """The alternative's matcher: string tests when it is plain words, else its own regex."""
    found = _ALTERNATIVE_MATCHERS.get(alternative)
    if found is None:
        found = matcher(plain) if plain else _regex_matcher(alternative)
        _ALTERNATIVE_MATCHERS[alternative] = found
    return found


def _regex_matcher(alternative: str) -> EndMatcher:
    match = _compile([alternative], anchored=True).match

    def end(text: str, pos: int) -> int | None:
        found = match(text, pos)
        return None if found is None else found.end()

    return end


@dataclass(slots=True)
class _KeyPattern:
    """Every list's phrases under one start word, as optional lookahead captures.

    Until it has served PARTIAL_PATTERNS different drafts, a draft gets a plan instead: per
    list, the alternatives it could match, each compiled on its own (once per process, shared
    by every start word it is filed under), tried in order where the word stands.  The first
    that matches is the one the whole pattern's capture would hold (an alternation takes its
    first alternative that matches, and a left-out one could not have), so the hits are the
    same.
    """

    groups: list[_Group]
    match: object = None  # the whole pattern's bound `match`, made once drafts vary enough
    meta: tuple[tuple[str, bool], ...] = ()
    _drafts: int = 0  # different drafts planned for
    _planned: tuple[str, Plan] | None = field(default=None, repr=False)

    def plan(self, draft: DraftText) -> Plan | None:
        """The plan for `draft`, or None once the whole pattern is the one to use."""
        if self.match is not None:
            return None
        if self._planned is not None and self._planned[0] == draft.norm:
            return self._planned[1]
        self._drafts += 1
        if self._drafts > PARTIAL_PATTERNS:
            self._planned = None
            return None
        plan: Plan = []
        for group in self.groups:
            matchers = group.possible_matchers(draft)
            if matchers:
                plan.append((group.list_name, group.keeps_negation, matchers))
        self._planned = (draft.norm, plan)
        return plan

    def compiled(self) -> tuple[object, tuple[tuple[str, bool], ...]]:
        """(the whole pattern's bound `match`, (list, negation kept) per capture)."""
        if self.match is None:
            parts = ["(?:(?=((?:" + "|".join(g.phrases) + r")(?!\w))))?" for g in self.groups]
            try:
                self.match = re.compile("".join(parts), re.M).match
            except re.error:
                for group in self.groups:
                    compile_phrases(group.phrases, expanded=True)  # raises, naming the phrase
                raise
            self.meta = tuple((g.list_name, g.keeps_negation) for g in self.groups)
            self._planned = None
        return self.match, self.meta


@dataclass(slots=True)
class PhraseIndex:
    """Every phrase list, filed by the words its phrases can start with."""

    #: start word -> (list, negation kept, phrases) per list filed under it, as read from disk;
    #: its pattern is made the first time a draft has the word (a check meets a few dozen of
    #: the ~1,200 start words)
    keyed: dict[str, list[tuple[str, bool, list[str]]]]
    whole: list[_Group]
    names: frozenset[str]
    patterns: dict[str, _KeyPattern] = field(default_factory=dict)
    _words: dict[str, list[_KeyPattern]] = field(default_factory=dict)

    def pattern(self, key: str) -> _KeyPattern | None:
        """The pattern of one start word (made on first use), or None when nothing is filed."""
        found = self.patterns.get(key)
        if found is None:
            filed = self.keyed.get(key)
            if filed is None:
                return None
            groups = [
                _Group(name, phrases, negates, True, key=key) for name, negates, phrases in filed
            ]
            found = self.patterns[key] = _KeyPattern(groups)
        return found

    def for_word(self, word: str) -> list[_KeyPattern]:
        """The patterns to try where `word` stands (remembered per word)."""
        found = self._words.get(word)
        if found is None:
            keys = [EXACT + word, PREFIX + word[:1], PREFIX + word[:2], PREFIX + word[:3]]
            if word[0].isdigit():
                keys.append(DIGIT)
            found = [p for k in keys if (p := self.pattern(k)) is not None]
            if len(self._words) > 50_000:  # bounded: unusual words come and go
                self._words.clear()
            self._words[word] = found
        return found


def _expanded(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    phrases = load_list(name)
    expanded = memo(
        "expand",
        "\n".join(phrases) + "\0" + repr(sorted(macros().items())),
        lambda: list(expand_phrases(phrases, where=f"rules/lists/{name}.txt")),
    )
    return phrases, tuple(expanded)


@cache
def phrase_index() -> PhraseIndex:
    """Build (once) the index of every phrase list under rules/lists/.

    The filing itself (every phrase's first words, ~7,000 phrases) is cached on disk under the
    lists' own text: a one-shot check reads one entry instead of refiling them all.
    """
    folder = rules_dir() / "lists"
    names = sorted(p.stem for p in folder.glob("*.txt"))
    source = "\x01".join(
        f"{path.name}\0{path.read_text(encoding='utf-8')}"
        for path in [folder / "macros.toml", *(folder / f"{n}.txt" for n in names)]
    )
    keyed, whole = memo("index", source, lambda: _file_phrases(names))

    groups = [
        _Group(name, phrases, negates, False, frozenset(chars) if chars else None)
        for name, negates, phrases, chars in whole
    ]
    return PhraseIndex(keyed, groups, frozenset(names))


def _file_phrases(
    names: list[str],
) -> tuple[
    dict[str, list[tuple[str, bool, list[str]]]], list[tuple[str, bool, list[str], list[str]]]
]:
    """Every list's phrases filed by start word: key -> (list, negates, phrases) for those with a
    readable start, (list, negates, phrases, first characters or []) for the rest."""
    keyed: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    whole: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for name in names:
        try:
            raw, expanded = _expanded(name)
        except PhraseListError as exc:
            raise PhraseListError(f"rules/lists/{name}.txt: {exc}") from None
        list_negates = keeps_negation(name)
        for source, phrase in zip(raw, expanded, strict=True):
            negates = list_negates or bool(_NEGATING_WORDS.search(source))
            keys = first_words(phrase)
            if keys:
                for key in keys:
                    kind, word = key[0], key[1:]
                    if kind == PREFIX:
                        key = PREFIX + word[:3]
                    keyed[(key, name, negates)].append(phrase)
            else:
                whole[(name, negates)].append(phrase)
    rest = []
    for (name, negates), phrases in whole.items():
        chars: set[str] | None = set()
        for phrase in phrases:
            found = first_chars(phrase)
            if found is None or chars is None:
                chars = None
            else:
                chars.update(found)
        rest.append((name, negates, phrases, sorted(chars) if chars else []))
    by_key: dict[str, list[tuple[str, bool, list[str]]]] = defaultdict(list)
    for (key, name, negates), phrases in keyed.items():
        by_key[key].append((name, negates, phrases))
    return dict(by_key), rest


def scan(norm: str) -> Hits:
    """Hits of every phrase list in `norm`, in one pass over its words."""
    index = phrase_index()
    for_word = index.for_word
    draft = DraftText(norm)
    found: dict[str, dict[tuple[int, int], bool]] = defaultdict(dict)
    for token in TOKENS.finditer(norm):
        entries = for_word(token.group(0))
        if not entries:
            continue
        pos = token.start()
        for entry in entries:
            plan = entry.plan(draft) if entry.match is None else None
            if plan is not None:
                for name, negates, matchers in plan:
                    for alternative in matchers:
                        end = alternative(norm, pos)
                        if end is not None:  # the first that matches is the list's capture
                            if end > pos:
                                spans = found[name]
                                spans[(pos, end)] = spans.get((pos, end), True) and not negates
                            break
                continue
            match, meta = entry.compiled()
            m = match(norm, pos)  # type: ignore[operator]
            if m.lastindex is None:  # no list matches here (the usual case)
                continue
            regs = m.regs
            for i, (name, negates) in enumerate(meta, 1):
                start, end = regs[i]
                if end > start:
                    spans = found[name]
                    spans[(start, end)] = spans.get((start, end), True) and not negates
    for group in index.whole:
        if group.starts is not None and not any(c in norm for c in group.starts):
            continue
        pattern = group.pattern(draft)
        if pattern is None:
            continue
        for m in pattern.finditer(norm):
            if m.end() > m.start():
                spans = found[group.list_name]
                span = (m.start(), m.end())
                spans[span] = spans.get(span, True) and not group.keeps_negation
    return {
        name: [(s, e, inside) for (s, e), inside in sorted(spans.items())]
        for name, spans in found.items()
    }
