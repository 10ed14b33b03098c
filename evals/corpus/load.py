"""Read the labelled corpus: one JSONL file per writer, split by writer.

    from evals.corpus.load import load
    train = load("train")                 # every train record
    dev = load("dev", scored_only=True)   # without drafts left unsure after adjudication

The test split is for aggregate scores at the end of an issue only; `digest_of_test_split()` is the hash
recorded in `splits.json` when it was frozen.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["CORPUS", "digest_of_test_split", "load", "split_of", "splits"]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
SPLIT_NAMES = ("train", "dev", "test")


def splits() -> dict[str, Any]:
    """The split file: writer -> split, and the frozen test hash."""
    data: dict[str, Any] = json.loads((CORPUS / "splits.json").read_text(encoding="utf-8"))
    return data


def split_of(writer: str) -> str:
    """The split a writer's drafts belong to."""
    return str(splits()["writers"][writer])


def writer_files() -> list[Path]:
    """The per-writer files present, in writer order."""
    return sorted(CORPUS.glob("w[0-9][0-9].jsonl"))


def load(split: str | None = None, scored_only: bool = False) -> list[dict[str, Any]]:
    """Records of one split (or all), each with its `split`; `scored_only` drops unsure ones."""
    if split is not None and split not in SPLIT_NAMES:
        raise ValueError(f"split must be one of {SPLIT_NAMES}, not {split!r}")
    writers = splits()["writers"]
    out = []
    for path in writer_files():
        s = writers[path.stem]
        if split is not None and s != split:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if scored_only and record.get("unsure"):
                continue
            record["split"] = s
            out.append(record)
    return out


def digest_of_test_split() -> str:
    """sha256 over the test split's files, in writer order, byte for byte."""
    writers = splits()["writers"]
    h = hashlib.sha256()
    for path in writer_files():
        if writers[path.stem] == "test":
            h.update(path.name.encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()
