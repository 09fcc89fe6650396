"""Shared test helpers: tiny generated data sets in each supported format (never ../shared)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GENRES = ["Action", "Comedy", "Drama", "Horror"]


def synthetic_events(users=12, items=30, min_events=6, max_events=25, seed=0):
    """[(user, item, timestamp)] in a shuffled file order, with some equal timestamps."""
    rng = np.random.default_rng(seed)
    events = []
    for u in range(1, users + 1):
        k = int(rng.integers(min_events, max_events + 1))
        chosen = rng.choice(np.arange(1, items + 1) * 10, size=k, replace=False)  # ids != rows
        times = np.sort(rng.integers(1000, 1000 + 3 * k, size=k))
        events += [(u, int(i), int(t)) for i, t in zip(chosen, times)]
    order = rng.permutation(len(events))
    return [events[i] for i in order]


def perturb_layer_norms(model, seed=3):
    """Fresh LayerNorms are the identity (gain 1, bias 0): give them real affine parts, so tests see
    what folding them into the attention weights does."""
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(1 + 0.5 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.5 * torch.randn(m.bias.shape, generator=g))
    return model


def write_ml1m(folder: Path, events, items=30):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "ratings.dat", "w", encoding="latin-1") as f:
        for u, i, t in events:
            f.write(f"{u}::{i}::4::{t}\n")
    with open(folder / "movies.dat", "w", encoding="latin-1") as f:
        for k in range(1, items + 1):
            f.write(f"{k * 10}::Movie {k} (1995)::{GENRES[k % 4]}|{GENRES[(k + 1) % 4]}\n")
    users = sorted({u for u, _, _ in events})
    with open(folder / "users.dat", "w", encoding="latin-1") as f:
        for u in users:
            f.write(f"{u}::{'F' if u % 2 else 'M'}::{[1, 18, 25][u % 3]}::{u % 5}::0{u}000\n")
    return folder


def write_ml100k(folder: Path, events, items=30):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "u.data", "w") as f:
        for u, i, t in events:
            f.write(f"{u}\t{i}\t3\t{t}\n")
    with open(folder / "u.genre", "w") as f:
        for k, g in enumerate(GENRES):
            f.write(f"{g}|{k}\n")
    with open(folder / "u.item", "w", encoding="latin-1") as f:
        for k in range(1, items + 1):
            flags = ["1" if j in (k % 4, (k + 1) % 4) else "0" for j in range(4)]
            f.write(f"{k * 10}|Movie {k}|01-Jan-1995||http://x|" + "|".join(flags) + "\n")
    users = sorted({u for u, _, _ in events})
    with open(folder / "u.user", "w") as f:
        for u in users:
            f.write(f"{u}|{20 + u}|{'F' if u % 2 else 'M'}|job{u % 3}|0{u}\n")
    return folder


def write_csv(folder: Path, events, items=30, with_side=True):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "interactions.csv", "w") as f:
        f.write("user,item,timestamp\n")
        for u, i, t in events:
            f.write(f"u{u},{i},{t}\n")
    if with_side:
        with open(folder / "items.csv", "w") as f:
            f.write("item,features\n")
            for k in range(1, items + 1):
                f.write(f"{k * 10},{GENRES[k % 4]}|{GENRES[(k + 1) % 4]}\n")
        with open(folder / "users.csv", "w") as f:
            f.write("user,country,tier\n")
            for u in sorted({u for u, _, _ in events}):
                f.write(f"u{u},{'DE' if u % 2 else 'FR'},{'' if u % 3 == 0 else 'gold'}\n")
    return folder


@pytest.fixture
def events():
    return synthetic_events()


@pytest.fixture
def ml1m_dir(tmp_path, events):
    return write_ml1m(tmp_path / "ml-1m", events)
