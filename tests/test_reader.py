"""The learned reader: its shipped artifact matches its manifest, and it reads drafts as promised."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SENSITIVITIES, Config, ConfigError
from bot.engine import Engine
from bot.models import KINDS, TEXT_RULE_IDS, Kind
from bot.reader.features import HashSpace, evidence_names, text_features
from bot.reader.language import language_of
from bot.reader.model import ModelError, Reader, reader
from bot.resources import rules_dir
from bot.signals import Signals
from bot.text import prepare

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
    assert model.weights.shape == (model.space.size + len(model.evidence), len(m["bias"]))


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
        "from bot.reader.features import HashSpace, text_features;"
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
