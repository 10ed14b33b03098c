"""Scanning by first words finds what a plain scan of every phrase list finds, and only that."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest

from rapport.bot.engine.firstword import first_words
from rapport.bot.engine.lexicon import compile_phrases, expand_phrases, load_list
from rapport.bot.engine.rules import load_rules
from rapport.bot.engine.scanner import scan
from rapport.bot.engine.text import prepare
from rapport.bot.resources import rules_dir
from tests.paths import ROOT

LISTS = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))
_DATA = ROOT / "evals" / "data"


def _corpus() -> list[str]:
    texts = [ex.text for rule in load_rules() for ex in (*rule.failing, *rule.passing)]
    for path in sorted(_DATA.glob("*.jsonl")):
        texts += [
            json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
        ]
    return texts


@functools.cache
def _scanned() -> list[tuple[Any, dict[str, Any]]]:
    """Every example and corpus draft, prepared and scanned once, when a test first needs it
    (not at collection: `pytest -k other` shouldn't pay for it)."""
    return [(doc, scan(doc.norm)) for doc in map(prepare, _corpus())]


@pytest.mark.parametrize("name", LISTS)
def test_every_match_of_a_plain_scan_is_found(name: str) -> None:
    plain = compile_phrases(load_list(name))
    assert plain is not None
    for doc, hits in _scanned():
        spans = hits.get(name, [])
        for m in plain.finditer(doc.norm):
            if m.end() > m.start():
                assert any(s <= m.start() < e for s, e, _ in spans), (
                    name,
                    m.group(0),
                    doc.original[:100],
                )


@pytest.mark.parametrize("name", LISTS)
def test_every_hit_is_a_real_match_of_some_phrase(name: str) -> None:
    phrases = [
        re.compile(r"(?<!\w)(?:" + p + r")(?!\w)", re.M) for p in expand_phrases(load_list(name))
    ]
    for doc, hits in _scanned()[:600]:
        for start, end, _ in hits.get(name, []):
            assert any(
                (m := p.match(doc.norm, start)) is not None and m.end() == end for p in phrases
            ), (name, doc.norm[start:end])


def test_first_words_of_phrases() -> None:
    assert first_words(r"(?:could|would)\s+you\s+endorse\s+me") == ["=could", "=would"]
    assert first_words(r"(?:please\s+)?like\s+my\s+page") == ["=like", "=please"]
    assert first_words(r"recommendations?\s+for\s+me") == ["=recommendation", "=recommendations"]
    assert first_words(r"recommend\w*\s+me") == ["~recommend"]
    assert first_words(r"(?:i'?m|im)\s+here") == ["=i", "=im"]
    assert first_words(r"i'm\s+looking") == ["=i"]
    assert first_words(r"[a-z]+,\s+meet") is None
