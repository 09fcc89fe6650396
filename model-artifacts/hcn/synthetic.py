"""Random-weight "industrial" bundle for benchmarks (never committed):

    python -m hcn.synthetic --out bundles/synthetic-200k [--items 200000 --n 16 --dim 128 --long 500 --short 50 --seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from hcn.config import ModelConfig
from hcn.data import DatasetMeta
from hcn.export import export_bundle
from hcn.items_meta import synthetic_meta
from hcn.layers import load_item_genres
from hcn.registry import build_model

GENRES = 24
FEATURES = [
    ("gender", ["F", "M"]),
    ("age", ["1", "18", "25", "35", "45", "50", "56"]),
    ("segment", [f"s{i}" for i in range(32)]),
]


def synthetic_bundle(out, items=200_000, n=16, dim=128, long=500, short=50, seed=0, demo_users=300):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    # External ids: distinct, not equal to row numbers, ascending by row.
    ids = np.sort(rng.choice(np.arange(1, items * 10, dtype=np.int64), size=items, replace=False))
    item_ids = np.concatenate([[-1], ids]).astype(np.int64)
    feature_specs = [(name, {v: i + 1 for i, v in enumerate(values)}) for name, values in FEATURES]
    cfg = ModelConfig(n=n, dim=dim, heads=4, layers=4)
    meta = DatasetMeta(items + 1, GENRES, tuple(len(v) + 1 for _, v in feature_specs), long, short)
    model = build_model(cfg, meta)
    genres = (rng.random((items + 1, GENRES)) < 0.1).astype(np.float32)
    load_item_genres(model, genres)

    users = {}
    for u in ["42"] + [str(i) for i in range(1000, 1000 + demo_users - 1)]:
        length = int(rng.integers(0, long + short + 100))
        history = [int(x) for x in rng.choice(ids, size=length)]
        features = {name: str(rng.choice(values)) for name, values in FEATURES if rng.random() < 0.9}
        users[u] = {"history": history, "features": features}
    data_info = {
        "dataset": "synthetic",
        "items": items,
        "seed": seed,
        "note": "random weights, for benchmarks",
    }
    return export_bundle(
        out,
        name=f"synthetic-{items}",
        model=model,
        model_cfg=cfg,
        long_length=long,
        short_length=short,
        item_ids=item_ids,
        feature_specs=feature_specs,
        demo_users=users,
        data_info=data_info,
        metrics={},
        items_meta=synthetic_meta(item_ids, genres, [f"g{g:02d}" for g in range(GENRES)]),
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--items", type=int, default=200_000)
    p.add_argument("--n", type=int, default=16)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--long", type=int, default=500)
    p.add_argument("--short", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    start = time.time()
    out = synthetic_bundle(a.out, a.items, a.n, a.dim, a.long, a.short, a.seed)
    print(f"wrote {out} in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
