"""One masking function for every credential rapport might print: database URLs and DSNs in
start-up lines, error messages and log lines (tracebacks included).

Masked forms: a URL's `user:password@`; `password=`-like options in a URL's query or a libpq
key=value DSN (`password`, `sslpassword`, `passfile`, and any name containing `pass`, `pwd`,
`secret` or `token`, so `PGPASSWORD=…` and `SLACK_SIGNING_SECRET=…` too), quoted or not, with
`=` or a quoted key and `:` (a dict's repr); Slack tokens (`xoxb-…`, `xapp-…`) and `Bearer …`.
Imports nothing of rapport's but `recache.rx` (`rapport.bot.errors` uses it): the patterns are
compiled the first time something is masked, so a check that prints no error never compiles them.
"""

from __future__ import annotations

import re

from rapport.bot.recache import rx

__all__ = ["MASK", "redact"]

MASK = "***"

# scheme://user:password@host — the password runs to the last "@" before a space, so one
# holding "@", ":" or even a raw "?", "#" or "/" (a URL the driver then can't read, and an
# error message quotes) is masked whole.  Masking too much beats too little.  Each piece
# between "@"s is at most 256 characters, so a hostile line costs linear time.
_USERINFO = rx(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]{0,30}://[^\s:/@?#'\"]*+):(?:[^\s@]{0,256}+@)++")
_KEY = rx(r"""(?P<q>['"]?+)\b(?P<name>[A-Za-z_][A-Za-z0-9_]*+)(?P=q)\s*+(?:=|(?<=['"]):)\s*+""")
_SECRET_NAME = rx(r"pass|pwd|secret|token", re.IGNORECASE)
# A value: quoted (libpq's \' escapes), else up to a space or an "&" that starts the next query
# option (an "&" inside a DSN password stays part of it).  Masking too much beats too little.
_VALUE = rx(r"""'(?:[^'\\]|\\.)*+'?|"(?:[^"\\]|\\.)*+"?|[^\s'"&](?:[^\s&]++|&(?![A-Za-z_]++=))*+""")
_TOKEN = rx(r"\b(?P<kind>xox[abeoprs]|xapp)-[A-Za-z0-9-]++")
_BEARER = rx(r"\b(?P<kind>Bearer)\s++[A-Za-z0-9._~+/=-]++", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every credential masked (see the module's list of forms); linear time."""
    text = _USERINFO.sub(rf"\g<head>:{MASK}@", text)
    text = _options(text)
    text = _TOKEN.sub(rf"\g<kind>-{MASK}", text)
    return _BEARER.sub(rf"\g<kind> {MASK}", text)


def _options(text: str) -> str:
    """Mask the value of every `name=value` (or `'name': value`) whose name looks secret."""
    if "=" not in text and ":" not in text:
        return text
    out: list[str] = []
    done = 0
    for key in _KEY.finditer(text):
        if key.start() < done or not _SECRET_NAME.search(key["name"]):
            continue
        value = _VALUE.match(text, key.end())
        if value is None:
            continue
        quote = value[0][0] if value[0][0] in "'\"" else ""
        out += [text[done : key.end()], quote, MASK, quote]
        done = value.end()
    return "".join(out) + text[done:]
