"""`rapport.bot.redact.redact`: every credential form rapport might print is masked, nothing else is,
and a huge or hostile string costs linear time."""

from __future__ import annotations

import time

import pytest

from rapport.bot.errors import StoreError
from rapport.bot.redact import redact

PW = "hunter2-Xq"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # URL userinfo, with ":" and "@" inside the password
        (f"postgresql://rapport:{PW}@db.internal:5432/rapport", "postgresql://rapport:***@db"),
        (f"postgres://ana:{PW}:x@y@10.0.0.5/rapport", "postgres://ana:***@10.0.0.5/rapport"),
        (f"can't connect to postgresql+asyncpg://u:{PW}@h/d (OSError)", "(OSError)"),
        # a raw "?", "#" or "/" in the password: a URL the driver can't read, quoted in errors
        (f"can't read postgresql://u:{PW}?x#y/z@127.0.0.1:1/db", "postgresql://u:***@127.0.0.1"),
        # libpq query options
        (f"postgresql://rapport@127.0.0.1:5/postgres?password={PW}", "?password=***"),
        (
            f"postgresql://h/d?sslmode=require&sslpassword={PW}&application_name=r",
            "sslpassword=***",
        ),
        (f"postgresql://h/d?passfile=/home/{PW}/.pgpass", "passfile=***"),
        # key=value DSNs, quoted or not, with an "&" or a space in the password
        (f"host=db port=5432 user=u password={PW}&more dbname=x", "password=*** dbname=x"),
        (f"host=db password='{PW} with \\' quote' dbname=x", "password='***' dbname=x"),
        (f'dsn: host=db password="{PW}"', 'password="***"'),
        # environment-style settings and reprs
        (f"PGPASSWORD={PW} psql", "PGPASSWORD=*** psql"),
        (f"SLACK_SIGNING_SECRET={PW}", "SLACK_SIGNING_SECRET=***"),
        (f"{{'password': '{PW}', 'user': 'u'}}", "'password': '***', 'user': 'u'"),
        (f"ConnectionParameters(user='u', password='{PW}', ssl=None)", "password='***'"),
        # tokens
        (f"token xoxb-1-2-{PW} and xapp-1-{PW}", "xoxb-*** and xapp-***"),
        (f"Authorization: Bearer {PW}.abc", "Bearer ***"),
    ],
)
def test_every_credential_form_is_masked(text: str, kept: str) -> None:
    masked = redact(text)
    assert PW not in masked and kept in masked


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://rapport@127.0.0.1:5432/rapport",
        "sqlite:////var/lib/rapport/rapport.db",
        "time 12:30, a=b, https://example.com/a?b=c",
        "couldn't save a session (ReadOnlySQLTransactionError)",
    ],
)
def test_text_without_credentials_is_unchanged(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "hostile",
    ["a." * 500_000, "x" + "pass" * 250_000, "a://b:" + "c" * 1_000_000, "pass='" * 200_000,
     "&a" * 500_000, "password=" + "\\" * 1_000_000, "a=" * 500_000, "a://b:" * 200_000],
)  # fmt: skip
def test_hostile_input_costs_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    redact(hostile)
    assert time.perf_counter() - started < 3


def test_store_errors_are_masked_and_carry_plain_words() -> None:
    exc = StoreError(f"postgresql://u@h:1/d?password={PW}: couldn't save a session (X)", "saved?")
    assert PW not in str(exc) and "password=***" in str(exc)
    assert exc.public == "saved?"
    assert "try again" in StoreError("anything").public
