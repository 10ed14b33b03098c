"""Phrase alternatives made of plain words, matched by string tests instead of a compiled regex.

A one-shot check would otherwise compile every phrase alternative its draft could match, and
`re` compiles in pure Python (about 0.2 ms each).  Most alternatives are words and spaces
("please\\s+endorse\\s+me"), and for those a match is decided without any backtracking: a
run of whitespace is followed by text that cannot start with whitespace, so taking all of it
is the only way on.  `steps` reads such an alternative (regex_tree.py) into plain data that the
disk cache can keep; `matcher` turns the steps into a function that answers exactly what
`re.compile("(?:" + alternative + r")(?!\\w)", re.M).match(text, pos)` would, as the end of
the match or None.  Anything else (repeats of words, alternations of words, lookarounds, flags)
is left to `re`: `steps` returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapport.bot.engine.regex_tree import MAXREPEAT, C, is_word_char, parse

__all__ = ["EndMatcher", "Step", "matcher", "steps"]

#: ("lit", text) | ("set", characters) | ("ws", least, most) | ("edge",) for `\b`
Step = tuple[Any, ...]
#: (text, position) -> where the match ends, or None
EndMatcher = Callable[[str, int], "int | None"]

_SPACE = (C.CATEGORY, C.CATEGORY_SPACE)


def _is_space(seq: list[tuple[Any, Any]]) -> bool:
    """True for `\\s` (the parser's sequences compare by identity, so look inside)."""
    return len(seq) == 1 and seq[0][0] is C.IN and list(seq[0][1]) == [_SPACE]


def steps(alternative: str) -> list[Step] | None:
    """The alternative as plain steps, or None when it needs the regex engine."""
    try:
        tree = parse(alternative)
    except (ValueError, IndexError):
        return None
    out: list[Step] = []
    if not _read(tree, out):
        return None
    for i, step in enumerate(out):
        if step[0] == "ws":  # whitespace must be followed by something that is not whitespace
            nxt = out[i + 1] if i + 1 < len(out) else None
            if nxt is None or nxt[0] not in ("lit", "set"):
                return None
            firsts = nxt[1][0] if nxt[0] == "lit" else nxt[1]
            if any(ch.isspace() for ch in firsts):
                return None
    return out or None


def _read(seq: list[tuple[Any, Any]], out: list[Step]) -> bool:
    for op, av in seq:
        if op is C.LITERAL:
            if out and out[-1][0] == "lit":
                out[-1] = ("lit", out[-1][1] + chr(av))
            else:
                out.append(("lit", chr(av)))
        elif op is C.IN and av and all(o is C.LITERAL for o, _ in av):
            out.append(("set", "".join(sorted({chr(v) for _, v in av}))))
        elif op is C.MAX_REPEAT and _is_space(av[2]) and not (out and out[-1][0] == "ws"):
            out.append(("ws", av[0], -1 if av[1] == MAXREPEAT else av[1]))
        elif op is C.AT and av == "AT_BOUNDARY":
            out.append(("edge",))
        elif op is C.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            if not _read(av[-1], out):
                return False
        else:
            return False
    return True


def matcher(plan: list[Step]) -> EndMatcher:
    """A function answering `(?:alternative)(?!\\w)` matched at a position: its end, or None."""
    frozen = tuple(plan)

    def match(text: str, pos: int) -> int | None:
        size = len(text)
        for step in frozen:
            kind = step[0]
            if kind == "lit":
                if not text.startswith(step[1], pos):
                    return None
                pos += len(step[1])
            elif kind == "set":
                if pos >= size or text[pos] not in step[1]:
                    return None
                pos += 1
            elif kind == "ws":
                start, most = pos, step[2]
                while pos < size and text[pos].isspace() and (most < 0 or pos - start < most):
                    pos += 1
                if pos - start < step[1]:
                    return None
            else:  # a word boundary
                before = pos > 0 and is_word_char(text[pos - 1])
                if before == (pos < size and is_word_char(text[pos])):
                    return None
        if pos < size and is_word_char(text[pos]):
            return None
        return pos

    return match
