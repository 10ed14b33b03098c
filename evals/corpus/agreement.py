"""Agreement between the two independent annotations of each draft (Cohen's kappa).

Each draft was labelled by two annotators who saw neither each other's labels nor the
writer's brief. Pairs of annotators change from batch to batch, so the pooled kappa is over
(first, second) annotation pairs; the per-batch range shows how much the pairs differ.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

__all__ = ["cohen_kappa", "kappas"]


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa over (label by one, label by the other); None if undefined."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    left = Counter(a for a, _ in pairs)
    right = Counter(b for _, b in pairs)
    expected = sum(left[k] * right.get(k, 0) for k in left) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def _fields(ann: dict[str, Any], rules: Iterable[str]) -> dict[str, Hashable]:
    got = set(ann["rules"])
    return {
        "kind": ann["kind"],
        **{r: r in got for r in rules},
        "well_written": ann["well_written"],
        "courtesy": ann["courtesy"],
    }


def kappas(
    records: Iterable[dict[str, Any]], rules: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Per field: pooled kappa, min and max over batches with 50+ drafts, raw agreement."""
    pooled: defaultdict[str, list[tuple[Hashable, Hashable]]] = defaultdict(list)
    by_batch: defaultdict[tuple[str, str], list[tuple[Hashable, Hashable]]] = defaultdict(list)
    for rec in records:
        first, second = rec["annotations"][:2]
        batch = first["by"].rsplit("-", 1)[0]
        fa, fb = _fields(first, rules), _fields(second, rules)
        for field in fa:
            pooled[field].append((fa[field], fb[field]))
            by_batch[(field, batch)].append((fa[field], fb[field]))
    out: dict[str, dict[str, float | None]] = {}
    for field, pairs in pooled.items():
        per = [
            k
            for (f, _), ps in by_batch.items()
            if f == field and len(ps) >= 50 and (k := cohen_kappa(ps)) is not None
        ]
        out[field] = {
            "kappa": cohen_kappa(pairs),
            "min": min(per) if per else None,
            "max": max(per) if per else None,
            "agreement": sum(a == b for a, b in pairs) / len(pairs),
            "positives": sum(1 for a, b in pairs if a is True)
            + sum(1 for a, b in pairs if b is True)
            if field in rules
            else None,
        }
    return out
