"""The labelled corpus: its minimums, its record shape, its frozen test split and no leaks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from evals.corpus.__main__ import MINIMUMS, collect_stats, failures, leaks
from evals.corpus.agreement import cohen_kappa
from evals.corpus.load import digest_of_test_split, load, splits
from evals.corpus.neardup import close_pairs
from rapport.bot.models import KINDS, TEXT_RULE_IDS

FIELDS = {"id", "text", "writer", "platform", "kind", "rules", "well_written", "courtesy"}


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load()


def test_the_minimums_of_the_corpus_hold(corpus: list[dict[str, Any]]) -> None:
    stats = collect_stats(corpus)
    assert failures(stats) == []
    assert stats["drafts"] >= MINIMUMS["drafts"]


def test_every_record_has_the_contract_fields_and_known_labels(
    corpus: list[dict[str, Any]],
) -> None:
    ids = Counter(r["id"] for r in corpus)
    assert not [i for i, n in ids.items() if n > 1]
    for r in corpus:
        assert r.keys() >= FIELDS, r["id"]
        assert r["kind"] in KINDS
        assert set(r["rules"]) <= set(TEXT_RULE_IDS)
        assert r["courtesy"] in {"polite", "neutral", "impolite"}
        assert not (r["well_written"] and r["rules"]), r["id"]
        assert set(r["spans"]) <= set(r["rules"]), r["id"]
        assert len(r["annotations"]) == 2
        assert 10 <= len(r["text"]) <= 2400, r["id"]


def test_each_writer_is_in_one_split_and_the_test_split_is_frozen() -> None:
    data = splits()
    assert set(data["writers"].values()) == {"train", "dev", "test"}
    assert data["test_sha256"], "freeze the test split: python -m evals.corpus freeze"
    assert digest_of_test_split() == data["test_sha256"], "the frozen test split's files changed"


def test_no_test_draft_is_close_to_a_train_or_dev_draft(corpus: list[dict[str, Any]]) -> None:
    assert leaks(corpus) == []


def test_the_leak_check_finds_a_lightly_edited_copy() -> None:
    original = "Hi Dana, we shipped the billing migration together at Acme. Could you endorse me?"
    edited = "hi dana we shipped the billing migration together at acme, could you endorse me??"
    unrelated = "Thanks for the intro to Sam yesterday, the call went really well."
    found = close_pairs([original], [edited, unrelated])
    assert [(c.left, c.right) for c in found] == [(0, 0)]


def test_cohen_kappa_matches_a_worked_example() -> None:
    # 50 items: both yes 20, both no 15, a-yes-b-no 5, a-no-b-yes 10: po 0.7, pe 0.5.
    pairs = [(1, 1)] * 20 + [(0, 0)] * 15 + [(1, 0)] * 5 + [(0, 1)] * 10
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([]) is None
