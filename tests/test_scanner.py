"""Anchored scanning finds exactly what a full scan of every phrase list finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.anchors import phrase_anchors, trie_pattern
from bot.lexicon import compile_phrases, load_list
from bot.resources import rules_dir
from bot.rules import load_rules
from bot.scanner import anchor_index, list_scanner
from bot.text import prepare

LISTS = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))
_DATA = Path(__file__).resolve().parent.parent / "evals" / "data"


def _corpus() -> list[str]:
    texts = [ex.text for rule in load_rules() for ex in (*rule.failing, *rule.passing)]
    for path in sorted(_DATA.glob("*.jsonl")):
        texts += [
            json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
        ]
    return texts


CORPUS = [prepare(t) for t in _corpus()]


@pytest.mark.parametrize("name", LISTS)
def test_anchored_scan_equals_full_scan(name: str) -> None:
    scanner = list_scanner(name)
    for doc in CORPUS:
        index = anchor_index(doc.norm)
        anchored = scanner.spans(doc.norm, index, doc._sentence_starts)
        full = scanner.spans(doc.norm, index, doc._sentence_starts, full=True)
        assert anchored == full, (name, doc.original[:120])


@pytest.mark.parametrize("name", LISTS)
def test_every_match_of_the_plain_alternation_is_covered(name: str) -> None:
    plain = compile_phrases(load_list(name))
    scanner = list_scanner(name)
    assert plain is not None
    for doc in CORPUS[:400]:
        spans = scanner.spans(doc.norm, anchor_index(doc.norm), doc._sentence_starts)
        for m in plain.finditer(doc.norm):
            if m.end() > m.start():
                assert any(s < m.end() and m.start() < e for s, e, _ in spans), (name, m.group(0))


def test_anchors_are_words_every_match_needs() -> None:
    assert phrase_anchors(r"(?:could|would)\s+you\s+endorse\s+me") == {"endorse"}
    assert phrase_anchors(r"(?:please\s+)?like\s+my\s+page") == {"page"}
    assert phrase_anchors(r"(?:i|u)\s+(?:x|y)") is None


def test_trie_matches_exactly_its_words() -> None:
    import re

    words = {"endorse", "endorsement", "end", "refer", "referral"}
    pattern = re.compile(r"(?:" + trie_pattern(words) + r")\b")
    for word in words:
        assert pattern.fullmatch(word)
    assert not pattern.fullmatch("ref") and not pattern.fullmatch("endorses")
