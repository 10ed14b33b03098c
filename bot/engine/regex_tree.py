"""A small parser of the regular expressions phrase lists are written in, into `re`'s tree shape.

Filing phrases by first word (firstword.py), the per-draft prefilter (prefilter.py) and the
clause index's reach (clauses.py) need to read a phrase's structure.  Python's own parser is a
private module (`re._parser`) whose interface may change in any release, so rapport keeps its
own: the same ops, and the same folding of a prefix all alternatives share out of an
alternation and of single characters into a set, so phrases are filed exactly as before.
Syntax it does not know (back-references, conditionals, `\\u` escapes, global flags) raises
ValueError; callers treat such a pattern as unreadable.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAXREPEAT", "REPEATS", "C", "Sub", "is_word_char", "max_width", "parse"]


def is_word_char(ch: str) -> bool:
    """Exactly `re`'s `\\w` for str patterns (what the phrase readers treat as a word edge)."""
    return ch.isalnum() or ch == "_"


class _C:
    """Op names (plain strings, compared by identity like `re`'s constants)."""

    LITERAL = "LITERAL"
    NOT_LITERAL = "NOT_LITERAL"
    IN = "IN"
    ANY = "ANY"
    RANGE = "RANGE"
    NEGATE = "NEGATE"
    CATEGORY = "CATEGORY"
    CATEGORY_SPACE = "CATEGORY_SPACE"
    CATEGORY_NOT_SPACE = "CATEGORY_NOT_SPACE"
    CATEGORY_DIGIT = "CATEGORY_DIGIT"
    CATEGORY_NOT_DIGIT = "CATEGORY_NOT_DIGIT"
    CATEGORY_WORD = "CATEGORY_WORD"
    CATEGORY_NOT_WORD = "CATEGORY_NOT_WORD"
    AT = "AT"
    ASSERT = "ASSERT"
    ASSERT_NOT = "ASSERT_NOT"
    SUBPATTERN = "SUBPATTERN"
    ATOMIC_GROUP = "ATOMIC_GROUP"
    BRANCH = "BRANCH"
    MAX_REPEAT = "MAX_REPEAT"
    MIN_REPEAT = "MIN_REPEAT"
    POSSESSIVE_REPEAT = "POSSESSIVE_REPEAT"
    GROUPREF = "GROUPREF"


C: Any = _C
MAXREPEAT = 1 << 32  # an unbounded repeat (`*`, `+`, `{m,}`)
REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_MAXWIDTH = 1 << 64
_CATEGORIES = {
    "s": C.CATEGORY_SPACE,
    "S": C.CATEGORY_NOT_SPACE,
    "d": C.CATEGORY_DIGIT,
    "D": C.CATEGORY_NOT_DIGIT,
    "w": C.CATEGORY_WORD,
    "W": C.CATEGORY_NOT_WORD,
}
_AT = {"b": "AT_BOUNDARY", "B": "AT_NON_BOUNDARY", "A": "AT_BEGINNING_STRING", "Z": "AT_END_STRING"}
_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_FLAGS = set("aiLmsux")


class Sub(list):  # type: ignore[type-arg]
    """A parsed sequence; like `re`'s, two of them are equal only when they are the same one."""

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__  # type: ignore[assignment]


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def take(self, n: int = 1) -> str:
        out = self.text[self.pos : self.pos + n]
        if len(out) < n:
            raise ValueError("unexpected end of pattern")
        self.pos += n
        return out


def parse(pattern: str) -> Sub:
    """The parse tree of `pattern`; ValueError for syntax it does not know."""
    reader = _Reader(pattern)
    tree = _alternation(reader)
    if reader.pos != len(pattern):
        raise ValueError("unbalanced parenthesis")
    return tree


def _alternation(r: _Reader) -> Sub:
    items = [_sequence(r)]
    while r.peek() == "|":
        r.take()
        items.append(_sequence(r))
    if len(items) == 1:
        return items[0]
    out = Sub()
    while True:  # a prefix every alternative shares moves out of the branch
        prefix = None
        for item in items:
            if not item or (prefix is not None and item[0] != prefix):
                break
            prefix = item[0] if prefix is None else prefix
        else:
            for item in items:
                del item[0]
            out.append(prefix)
            continue
        break
    chars: list[tuple[Any, Any]] = []
    for item in items:  # single characters become a set
        if len(item) != 1:
            break
        op, av = item[0]
        if op is C.LITERAL:
            chars.append((op, av))
        elif op is C.IN and av[0][0] is not C.NEGATE:
            chars.extend(av)
        else:
            break
    else:
        out.append((C.IN, list(dict.fromkeys(chars))))
        return out
    out.append((C.BRANCH, (None, items)))
    return out


def _sequence(r: _Reader) -> Sub:
    seq = Sub()
    while r.peek() and r.peek() not in "|)":
        ch = r.take()
        if ch in "?*+" or (ch == "{" and _bounds(r) is not None):
            if ch == "{":
                low, high = _bounds(r, consume=True)  # type: ignore[misc]
            else:
                low, high = {"?": (0, 1), "*": (0, MAXREPEAT), "+": (1, MAXREPEAT)}[ch]
            if not seq or seq[-1][0] in (C.AT, C.ASSERT, C.ASSERT_NOT):
                raise ValueError("nothing to repeat")
            op, av = seq[-1]
            body = av[-1] if op is C.SUBPATTERN and av[0] is None and not av[1] else Sub([seq[-1]])
            kind = C.MAX_REPEAT
            if r.peek() == "?":
                r.take()
                kind = C.MIN_REPEAT
            elif r.peek() == "+":
                r.take()
                kind = C.POSSESSIVE_REPEAT
            seq[-1] = (kind, (low, high, body))
        elif ch == "\\":
            seq.append(_escape(r, in_set=False))
        elif ch == "[":
            seq.append(_set(r))
        elif ch == ".":
            seq.append((C.ANY, None))
        elif ch == "^":
            seq.append((C.AT, "AT_BEGINNING"))
        elif ch == "$":
            seq.append((C.AT, "AT_END"))
        elif ch == "(":
            group = _group(r)
            if group is not None:
                seq.append(group)
        else:
            seq.append((C.LITERAL, ord(ch)))
    return seq


def _bounds(r: _Reader, consume: bool = False) -> tuple[int, int] | None:
    """`{m}`, `{m,}`, `{,n}`, `{m,n}` just after the `{` read; None when it is a literal `{`."""
    end = r.text.find("}", r.pos)
    low, comma, high = r.text[r.pos : max(end, r.pos)].partition(",")
    if end < 0 or not all(part == "" or part.isdecimal() for part in (low, high)):
        return None
    if (high and not comma) or not (low or comma):
        return None
    if consume:
        r.pos = end + 1
    if not comma:
        high = low
    return (int(low) if low else 0), (int(high) if high else MAXREPEAT)


def _escape(r: _Reader, in_set: bool) -> tuple[Any, Any]:
    ch = r.take()
    if ch in _CATEGORIES:
        return (C.CATEGORY, _CATEGORIES[ch]) if in_set else (C.IN, [(C.CATEGORY, _CATEGORIES[ch])])
    if ch in _AT and not in_set:
        return (C.AT, _AT[ch])
    if ch in _ESCAPES:
        return (C.LITERAL, _ESCAPES[ch])
    if ch.isalnum():
        raise ValueError(f"escape \\{ch} not supported")
    return (C.LITERAL, ord(ch))


def _set(r: _Reader) -> tuple[Any, Any]:
    items: list[tuple[Any, Any]] = []
    negate = r.peek() == "^"
    if negate:
        r.take()
    first = True
    while True:
        ch = r.take()
        if ch == "]" and not first:
            break
        first = False
        item = _escape(r, in_set=True) if ch == "\\" else (C.LITERAL, ord(ch))
        if r.peek() == "-" and r.peek(2) != "-]" and r.peek(2)[1:] not in ("]", ""):
            r.take()
            hi_ch = r.take()
            hi = _escape(r, in_set=True) if hi_ch == "\\" else (C.LITERAL, ord(hi_ch))
            if item[0] is not C.LITERAL or hi[0] is not C.LITERAL or hi[1] < item[1]:
                raise ValueError("bad character range")
            item = (C.RANGE, (item[1], hi[1]))
        items.append(item)
    items = list(dict.fromkeys(items))
    if len(items) == 1 and items[0][0] is C.LITERAL:
        return (C.NOT_LITERAL, items[0][1]) if negate else items[0]
    return (C.IN, [(C.NEGATE, None), *items] if negate else items)


def _group(r: _Reader) -> tuple[Any, Any] | None:
    if r.peek() != "?":
        body = _alternation(r)
        _close(r)
        return (C.SUBPATTERN, (1, 0, 0, body))
    r.take()
    ch = r.take()
    if ch == ":":
        body = _alternation(r)
        _close(r)
        return (C.SUBPATTERN, (None, 0, 0, body))
    if ch in "=!":
        body = _alternation(r)
        _close(r)
        return (C.ASSERT if ch == "=" else C.ASSERT_NOT, (1, body))
    if ch == "<" and r.peek() in ("=", "!"):
        kind = r.take()
        body = _alternation(r)
        _close(r)
        return (C.ASSERT if kind == "=" else C.ASSERT_NOT, (-1, body))
    if ch == ">":
        body = _alternation(r)
        _close(r)
        return (C.ATOMIC_GROUP, body)
    if ch == "P" and r.peek() == "<":
        end = r.text.find(">", r.pos)
        if end < 0 or not r.text[r.pos + 1 : end].isidentifier():
            raise ValueError("bad group name")
        r.pos = end + 1
        body = _alternation(r)
        _close(r)
        return (C.SUBPATTERN, (1, 0, 0, body))
    flags = ch
    while r.peek() and r.peek() in _FLAGS | {"-"}:
        flags += r.take()
    closer = r.take()
    if not set(flags) <= _FLAGS | {"-"} or closer not in ":)":
        raise ValueError("unknown group extension")
    if closer == ")":
        raise ValueError("global flags inside a phrase")
    body = _alternation(r)
    _close(r)
    return (C.SUBPATTERN, (None, flags, 0, body))


def _close(r: _Reader) -> None:
    if r.take() != ")":
        raise ValueError("missing )")


def max_width(tree: list[tuple[Any, Any]]) -> int:
    """The most characters a match of the parsed pattern can span (huge when unbounded)."""
    hi = 0
    for op, av in tree:
        if op is C.BRANCH:
            hi += max(max_width(alt) for alt in av[1])
        elif op is C.ATOMIC_GROUP:
            hi += max_width(av)
        elif op is C.SUBPATTERN:
            hi += max_width(av[-1])
        elif op in REPEATS:
            body = max_width(av[2])
            hi = _MAXWIDTH if av[1] == MAXREPEAT and body else hi + body * av[1]
        elif op in (C.ANY, C.RANGE, C.IN, C.LITERAL, C.NOT_LITERAL, C.CATEGORY):
            hi += 1
        elif op is C.GROUPREF:
            return _MAXWIDTH
    return min(hi, _MAXWIDTH)
