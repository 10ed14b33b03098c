"""Locate the development data, which lives outside the repository and may be absent."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["require", "shared_data"]

_REPO = Path(__file__).resolve().parent.parent


def shared_data() -> Path | None:
    """`$RAPPORT_SHARED_DATA` or `../shared/data` beside the checkout, if it exists."""
    env = os.environ.get("RAPPORT_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(_REPO.parent / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return None


def require(relative: str) -> Path:
    """The data file, or a plain message and exit 0: evals are optional in a user's clone."""
    root = shared_data()
    path = root / relative if root else None
    if path is None or not path.is_file():
        print(
            f"skipped: development data {relative} not found "
            "(set RAPPORT_SHARED_DATA to the folder holding politeness/ and sms-spam/)",
            file=sys.stderr,
        )
        raise SystemExit(0)
    return path
