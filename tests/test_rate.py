"""The blind-rating pipeline: pairs hide which text is the rewrite, and the summary unmasks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import rate


def _jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_pairs_shuffle_and_the_summary_scores_against_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rate, "RATINGS", tmp_path)
    folder = tmp_path / "dev"
    folder.mkdir()
    drafts = [f"draft {i}" for i in range(6)]
    _jsonl(
        folder / "rewrites.jsonl",
        [{"id": f"w-{i}", "draft": d, "rewrite": "[x]"} for i, d in enumerate(drafts)],
    )
    _jsonl(
        folder / "fill-0.answers.jsonl",
        [{"item": f"f{i:03d}", "filled": f"better {i}"} for i in range(6)],
    )
    (folder / "prepared.json").write_text(json.dumps({"n": 6, "help": {"rewrite": 6}}))
    rate.pairs("dev", seed=1)
    rows = [json.loads(x) for x in (folder / "rate-0.jsonl").read_text().splitlines()]
    key = json.loads((folder / "key.json").read_text())
    assert len(rows) == 6 and {r["pair"] for r in rows} == set(key)
    assert {key[r["pair"]]["rewrite"] for r in rows} == {"A", "B"}  # both orders occur
    for r in rows:  # the rewrite sits where the key says, the draft on the other side
        side = key[r["pair"]]["rewrite"]
        assert r[side].startswith("better") and r["AB".replace(side, "")].startswith("draft")
    # one rater always picks the rewrite, the other always the draft
    _jsonl(folder / "rate-0.fond.jsonl", [
        {"pair": p, "recipient": k["rewrite"], "advise": k["rewrite"], "differ": "no", "broken": "none"}
        for p, k in key.items()
    ])  # fmt: skip
    _jsonl(folder / "rate-0.wary.jsonl", [
        {"pair": p, "recipient": "AB".replace(k["rewrite"], ""), "advise": "AB".replace(k["rewrite"], ""),
         "differ": "yes", "broken": k["rewrite"], "note": "repeats the ask; drops the vote ask"}
        for p, k in key.items()
    ])  # fmt: skip
    rate.summary("dev")
    out = capsys.readouterr().out
    assert "fond: 6 pairs · recipient would rather get the rewrite 100%" in out
    assert "wary: 6 pairs · recipient would rather get the rewrite 0%" in out
    assert "broken: rewrite 100%, draft 0%" in out
    assert "raters agree on 'recipient': 0/6" in out
    # notes on broken rewrites are tallied by what they name, never printed
    assert "notes on broken rewrites (6) name: lost or narrowed ask 6 · repeated line 6" in out
    assert "drops the vote" not in out
