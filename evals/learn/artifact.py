"""Write the reader's artifact: one weight matrix (`.npy`) and a manifest (`.json`).

Both are deterministic for the same code, data and seed: the matrix is written with `np.save`
(a fixed header and the raw array), the manifest with sorted keys and rounded floats. The
manifest names the weights' sha256, so a mismatch is caught when rapport loads the model and
by the test suite.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["code_version", "data_digest", "write_artifact"]

REPO = Path(__file__).resolve().parents[2]
#: The code that decides what the model is: features, training and this writer.
CODE_FILES = (
    "bot/engine/reader/features.py",
    "evals/learn/data.py",
    "evals/learn/matrix.py",
    "evals/learn/fit.py",
    "evals/learn/artifact.py",
    "evals/train.py",
)


def code_version() -> str:
    """sha256 over the training and feature code (stable across commits that don't touch it)."""
    h = hashlib.sha256()
    for rel in CODE_FILES:
        h.update(rel.encode() + b"\0" + (REPO / rel).read_bytes())
    return h.hexdigest()


def data_digest(rows: Iterable[tuple[str, str, str]]) -> str:
    """sha256 over (source, id, labels) of every training example, in order."""
    h = hashlib.sha256()
    for source, ident, labels in rows:
        h.update(f"{source}\0{ident}\0{labels}\n".encode())
    return h.hexdigest()


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def write_artifact(folder: Path, name: str, weights: np.ndarray, manifest: dict[str, Any]) -> str:
    """Save `<name>.npy` and `<name>.json` into `folder`; return the weights' sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(weights), allow_pickle=False)
    blob = buf.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    (folder / f"{name}.npy").write_bytes(blob)
    manifest = {
        **manifest,
        "weights": {
            "file": f"{name}.npy",
            "sha256": digest,
            "shape": list(weights.shape),
            "dtype": str(weights.dtype),
        },
    }
    text = json.dumps(_round(manifest), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (folder / f"{name}.json").write_text(text, encoding="utf-8")
    return digest
