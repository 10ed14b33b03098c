"""The learned reader: its shipped artifact matches its manifest, and it reads drafts as promised."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rapport.bot.config import SENSITIVITIES, Config, ConfigError
from rapport.bot.engine.engine import Engine
from rapport.bot.engine.reader.features import HashSpace, evidence_names
from rapport.bot.engine.reader.language import language_of
from rapport.bot.engine.reader.model import ModelError, Reader, reader
from rapport.bot.engine.reader.vectors import text_features
from rapport.bot.engine.signals import Signals
from rapport.bot.engine.text import prepare
from rapport.bot.models import KINDS, TEXT_RULE_IDS, Kind
from rapport.bot.resources import rules_dir

MODELS = rules_dir() / "models"


def test_the_shipped_model_matches_its_manifest() -> None:
    model = Reader.load(MODELS)  # checks the weights' sha256, shape and dtype
    m = model.manifest
    assert m["outputs"]["kinds"] == list(KINDS)
    assert m["outputs"]["rules"] == list(TEXT_RULE_IDS)
    assert set(m["evidence"]) <= set(evidence_names())
    assert m["training_data"]["sha256"] and m["code_version"] and m["seed"] == 0
    for rule in TEXT_RULE_IDS:
        t = m["thresholds"][rule]
        assert set(t) == set(SENSITIVITIES)
        assert t["strict"] <= t["balanced"] <= t["quiet"]
    assert model.table.shape == (model.space.size + len(model.evidence), len(m["bias"]))


def test_damaged_weights_or_manifest_are_refused(tmp_path: Path) -> None:
    for name in ("reader.npy", "reader.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    blob = bytearray((tmp_path / "reader.npy").read_bytes())
    blob[-1] ^= 0xFF
    (tmp_path / "reader.npy").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="sha256"):
        Reader.load(tmp_path)
    manifest = json.loads((MODELS / "reader.json").read_text())
    manifest["evidence"].append("cue:no_such_list")
    shutil.copy(MODELS / "reader.npy", tmp_path / "reader.npy")
    (tmp_path / "reader.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="evidence"):
        Reader.load(tmp_path)


def test_a_reading_is_a_set_of_probabilities() -> None:
    text = "Hi Dana, could you endorse me for Python on LinkedIn? It would help my job search."
    r = reader().read(text, Signals(prepare(text)))
    assert set(r.kind_probs) == set(KINDS) and abs(sum(r.kind_probs.values()) - 1) < 1e-6
    assert all(0 <= p <= 1 for p in r.rule_probs.values())
    assert 0 <= r.courtesy <= 10 and all(0 <= v <= 10 for v in r.trust.values())


def test_hashing_is_stable_across_processes() -> None:
    # Python's own str hash changes per process; the reader's buckets must not.
    code = (
        "from bot.engine.reader.features import HashSpace; from bot.engine.reader.vectors import text_features;"
        "f = text_features('Could you endorse me?', HashSpace(17));"
        "print(f.char_ids.tolist(), f.word_ids.tolist())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    f = text_features("Could you endorse me?", HashSpace(17))
    assert runs == {f"{f.char_ids.tolist()} {f.word_ids.tolist()}\n"}
    assert len(f.word_ids) == 9  # could, you, endorse, me, ? and their four pairs


@pytest.mark.parametrize(
    ("text", "kind", "rules"),
    [
        (
            "Hi, I saw your profile, can you endorse me for Python? I'll endorse you back!",
            Kind.ENDORSEMENT_REQUEST,
            {"cold-ask", "quid-pro-quo"},
        ),
        (
            "Hi there, I came across your profile. Could you endorse me for Java? "
            "I will return the favor.",
            Kind.ENDORSEMENT_REQUEST,
            {"cold-ask", "quid-pro-quo"},
        ),
        ("John is great. Highly recommend!", Kind.ENDORSEMENT, {"vague-praise"}),
    ],
)
def test_the_drafts_the_issue_says_must_read_right(
    engine: Engine, text: str, kind: Kind, rules: set[str]
) -> None:
    report = engine.check_sync(text)
    assert report.kind is kind
    found = [f.rule for f in report.findings]
    assert rules <= set(found)
    assert all(found.count(r) == 1 for r in rules)  # each problem once


def test_findings_carry_a_confidence(engine: Engine) -> None:
    data = engine.check_sync("Please like and share my page with everyone!!").to_json()
    assert data["findings"] and all(0 < f["confidence"] <= 1 for f in data["findings"])


def test_sensitivity_moves_every_threshold() -> None:
    text = "hey can u endorse me for sql, need it for my applications"
    counts = {
        s: len(Engine(config=Config(sensitivity=s)).check_sync(text).findings)
        for s in SENSITIVITIES
    }
    assert counts["quiet"] <= counts["balanced"] <= counts["strict"]
    assert counts["strict"] > counts["quiet"]
    with pytest.raises(ConfigError, match="sensitivity"):
        Config.from_mapping({"sensitivity": "loud"})


def test_a_draft_not_in_english_is_told_so(engine: Engine) -> None:
    report = engine.check_sync("Hola Marta, ¿me podrías recomendar en LinkedIn? Muchas gracias.")
    assert report.language == "es" and report.findings == ()
    assert report.to_json()["notice"] == "not_english"
    assert language_of("thanks!!") == "en"  # too short to tell: English
    assert language_of("Endorse me for Kubernetes please 🙏") == "en"


def test_ordinary_chat_is_told_it_is_not_outreach(engine: Engine) -> None:
    report = engine.check_sync("Can we move the standup to 10am tomorrow? The room is booked.")
    assert report.kind is Kind.OTHER and report.findings == ()
    assert report.to_json()["notice"] == "not_outreach"


# -- the two ways of reading the weights ------------------------------------------------------

_AGREEMENT_DRAFTS = [
    "Hi Dana, could you endorse me for Python on LinkedIn? It would help my job search.",
    "John is great. Highly recommend!",
    "<!here> please like and subscribe to my channel!!! link in bio https://example.com/x",
    "Hey <@U012AB3CD>, since the Boston project I've wanted to ask: would you refer me to "
    "the data team? No worries at all if not.",
    "I managed Priya Natarajan for two years. She rebuilt our billing pipeline with zero "
    "downtime and mentored three engineers. I recommend her without reservation.",
    "ok",
    "",
    "¿Podrías recomendarme para el puesto? Gracias 🙏",
    "PLEASE ENDORSE ME NOW " * 40,
]


def _example_texts() -> list[str]:
    from rapport.bot.engine.rules import load_rules

    return [e.text for r in load_rules() for e in (*r.passing, *r.failing)]


def test_plain_python_and_numpy_read_the_same_scores() -> None:
    dense = Reader.load(MODELS, vectorised=True)
    plain = Reader.load(MODELS, vectorised=False)
    for text in _AGREEMENT_DRAFTS + _example_texts()[:40]:
        signals = Signals(prepare(text))
        a, b = dense.scores(text, signals), plain.scores(text, signals)
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-3, text
        texts = [text, text[: len(text) // 2], ""]
        many = [max(abs(x - y) for x, y in zip(r, s, strict=True))
                for r, s in zip(dense.scores_many(texts), plain.scores_many(texts), strict=True)]  # fmt: skip
        assert max(many) < 1e-3


def test_plain_python_and_numpy_find_the_same_problems() -> None:
    dense = Engine(model=Reader.load(MODELS, vectorised=True))
    plain = Engine(model=Reader.load(MODELS, vectorised=False))
    for text in _AGREEMENT_DRAFTS + _example_texts():
        a, b = dense.check_sync(text), plain.check_sync(text)
        assert a.kind is b.kind, text
        assert [(f.rule, f.start, f.end) for f in a.findings] == [
            (f.rule, f.start, f.end) for f in b.findings
        ], text


def test_a_one_shot_check_never_imports_numpy() -> None:
    code = (
        "import sys; from adapters.terminal.cli import main;"
        "sys.argv = ['rapport', 'check', '--no-history', 'Could you endorse me for Python?'];"
        "rc = 0\n"
        "try: main()\n"
        "except SystemExit as e: rc = e.code\n"
        "print('numpy' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "cold-ask" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_a_truncated_weights_file_is_refused_by_the_plain_reader(tmp_path: Path) -> None:
    for name in ("reader.npy", "reader.json"):
        shutil.copy(MODELS / name, tmp_path / name)
    blob = (tmp_path / "reader.npy").read_bytes()
    (tmp_path / "reader.npy").write_bytes(blob[:-46])
    with pytest.raises(ModelError, match="bytes"):
        Reader.load(tmp_path, vectorised=False)
