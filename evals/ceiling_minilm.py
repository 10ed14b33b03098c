"""Would a small pretrained transformer read better than the n-gram reader? Dev only.

Not part of rapport or of its `train` extra: it needs PyTorch, transformers and a local copy
of a sentence-transformers model (all-MiniLM-L6-v2 was used: 6 layers, 22M parameters), and
it answers one question for issue 13 — is the gap to the quality targets the linear model's,
or the data's? Two measurements on the corpus's dev split:

- frozen: the model's mean-pooled sentence embeddings, alone and beside the reader's
  features, under the same logistic regression as `evals.ceiling`; and Stack Exchange
  politeness, 10 folds, on the embeddings alone;
- fine-tuned: the whole model trained on the train split (rules as 11 sigmoid outputs and the
  kind as a softmax, 4 epochs, AdamW 5e-5, batch 16, 192 tokens), scored after each epoch.

    pip install torch transformers sentence-transformers
    python -m evals.ceiling_minilm --model PATH/TO/all-MiniLM-L6-v2 [--epochs 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from evals.ceiling import Bench, f1_at_precision
from evals.learn import data
from evals.train import average_precision
from rapport.bot.models import KINDS, TEXT_RULE_IDS


def _mean_ap_f1(z: np.ndarray, dev: list[data.Example]) -> tuple[float, float]:
    aps, f1s = [], []
    for k, rule in enumerate(TEXT_RULE_IDS):
        y = np.array([rule in (e.rules or ()) for e in dev], dtype=float)
        aps.append(average_precision(z[:, k], y))
        f1s.append(f1_at_precision(z[:, k], y))
    return float(np.mean(aps)), float(np.mean(f1s))


def frozen(model_dir: str, bench: Bench) -> None:
    """Embeddings as features: alone, and beside the reader's own."""
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    encoder = SentenceTransformer(model_dir, device="cpu")

    def embed(examples: list[data.Example]) -> np.ndarray:
        return np.asarray(
            encoder.encode([e.text for e in examples], batch_size=64, normalize_embeddings=True)
        )

    Etr, Edev = embed(bench.train), embed(bench.dev)
    Eown = {r: embed(ex) for r, ex in bench.own.items()}
    for label, join, C in (
        ("embeddings alone", lambda X, E: sp.csr_matrix(E), 10.0),
        ("embeddings beside the reader's features", lambda X, E: sp.hstack([X, E * 0.5]), 100.0),
    ):
        z = np.zeros((len(bench.dev), len(TEXT_RULE_IDS)))
        for k, rule in enumerate(TEXT_RULE_IDS):
            X = sp.vstack([join(bench.Xtr, Etr), join(bench.Xown[rule], Eown[rule])]).tocsr()
            y = np.array(
                [rule in (e.rules or ()) for e in bench.train + bench.own[rule]], dtype=float
            )
            head = LogisticRegression(C=C, max_iter=4000).fit(X, y)
            z[:, k] = head.decision_function(sp.csr_matrix(join(bench.Xdev, Edev)))
        ap_, f1 = _mean_ap_f1(z, bench.dev)
        print(f"  frozen, {label}: AP {ap_:.3f} · F1 {f1:.3f}", flush=True)
    polite = data.politeness_examples()
    if polite:
        E = embed(polite)
        y = np.array([e.courtesy for e in polite])
        groups = np.array([e.group for e in polite])
        right = 0
        for fold in sorted(set(groups)):
            held = groups == fold
            head = LogisticRegression(C=1.0, max_iter=4000).fit(E[~held], y[~held])
            right += int((head.predict(E[held]) == y[held]).sum())
        print(f"  frozen, politeness 10 folds: accuracy {right / len(polite):.3f}", flush=True)


def fine_tune(model_dir: str, bench: Bench, epochs: int, seed: int) -> None:
    """The whole encoder trained on the train split, scored on dev after each epoch."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    encoder = AutoModel.from_pretrained(model_dir)
    width = int(encoder.config.hidden_size)
    rule_head = torch.nn.Linear(width, len(TEXT_RULE_IDS))
    kind_head = torch.nn.Linear(width, len(KINDS))
    params = [*encoder.parameters(), *rule_head.parameters(), *kind_head.parameters()]
    opt = torch.optim.AdamW(params, lr=5e-5, weight_decay=0.01)
    train, dev = bench.train, bench.dev
    y_rules = torch.tensor([[float(r in (e.rules or ())) for r in TEXT_RULE_IDS] for e in train])
    y_kind = torch.tensor([KINDS.index(e.kind or "other") for e in train])
    batch, steps = 16, epochs * ((len(train) + 15) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / steps)
    )

    def forward(texts: list[str]) -> tuple[Any, Any]:
        enc = tokenizer(texts, truncation=True, max_length=192, padding=True, return_tensors="pt")
        hidden = encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        return rule_head(pooled), kind_head(pooled)

    start = time.monotonic()
    for epoch in range(epochs):
        encoder.train()
        order = rng.permutation(len(train))
        for s in range(0, len(order), batch):
            rows = order[s : s + batch]
            rz, kz = forward([train[i].text for i in rows])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(rz, y_rules[rows])
            loss = loss + 0.5 * torch.nn.functional.cross_entropy(kz, y_kind[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        encoder.eval()
        zs, ks = [], []
        with torch.no_grad():
            for s in range(0, len(dev), 64):
                rz, kz = forward([e.text for e in dev[s : s + 64]])
                zs.append(rz.numpy())
                ks.append(kz.numpy())
        z, k = np.vstack(zs), np.vstack(ks)
        ap_, f1 = _mean_ap_f1(z, dev)
        kind_acc = float(np.mean(np.array(KINDS)[k.argmax(1)] == np.array([e.kind for e in dev])))
        print(
            f"  fine-tuned, epoch {epoch + 1}: AP {ap_:.3f} · F1 {f1:.3f} · kind accuracy "
            f"{kind_acc:.3f} ({time.monotonic() - start:.0f} s)",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run both measurements."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="a sentence-transformers model folder")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-frozen", action="store_true")
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        print("needs PyTorch and transformers: pip install torch transformers "
              "sentence-transformers", file=sys.stderr)  # fmt: skip
        return 2
    from rapport.bot.engine.reader.model import reader

    shipped = reader()
    bench = Bench(shipped.space, tuple(shipped.manifest["evidence"]))
    ap_, f1 = bench.score()
    print(f"dev, rule heads' mean AP · mean F1 at precision 0.9\n  n-gram reader: AP {ap_:.3f} · "
          f"F1 {f1:.3f}", flush=True)  # fmt: skip
    if not args.skip_frozen:
        frozen(args.model, bench)
    fine_tune(args.model, bench, args.epochs, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
