"""Training: Eq. 9 loss on (positive + sampled negatives) per target position, Adam, best epoch by
VALIDATION AUC only, then one evaluation on test.

    python -m hcn.train --dataset ml-1m --out runs/hcn-ml1m [--model HCN --n 8 --dim 48 ...]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from hcn.config import DataConfig, ModelConfig, TrainConfig  # noqa: E402
from hcn.data import load_dataset  # noqa: E402
from hcn.evaluate import evaluate  # noqa: E402
from hcn.model import build_model, load_item_genres  # noqa: E402


def make_model(data_cfg: DataConfig, model_cfg: ModelConfig, ds=None):
    ds = ds or load_dataset(data_cfg)
    model = build_model(model_cfg, ds.meta)
    load_item_genres(model, ds.item_genres)
    return model


def train_epoch(model, opt, ds, train_cfg: TrainConfig, rng: np.random.Generator) -> tuple[float, int]:
    model.train()
    users, ends, items, labels = ds.training_samples(train_cfg.positions_per_user, rng)
    total, count = 0.0, 0
    for i in range(0, len(users), train_cfg.batch_size):
        sl = slice(i, i + train_cfg.batch_size)
        long, short = ds.windows(users[sl], ends[sl])
        scores = model(
            torch.from_numpy(long),
            torch.from_numpy(short),
            torch.from_numpy(ds.user_features[users[sl]]),
            torch.from_numpy(items[sl]),
        )
        loss = model.loss(scores, torch.from_numpy(labels[sl]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += float(loss) * len(long)
        count += len(long)
    return total / max(count, 1), count


def run_experiment(data_cfg, model_cfg, train_cfg, out_dir, progress=print) -> dict:
    """Trains, picks the epoch with the best validation AUC, evaluates it on test and writes
    out_dir/{metrics.json, curve.json, model.pt}. Returns {metrics, curve, seconds}."""
    start, cpu_start = time.time(), time.process_time()
    torch.set_num_threads(train_cfg.threads)
    torch.manual_seed(train_cfg.seed)
    ds = load_dataset(data_cfg)
    model = make_model(data_cfg, model_cfg, ds)
    opt = torch.optim.Adam(model.parameters(), lr=train_cfg.lr, weight_decay=train_cfg.weight_decay)
    curve, best, best_state = [], None, None
    for epoch in range(1, train_cfg.epochs + 1):
        t0 = time.time()
        rng = np.random.default_rng([train_cfg.seed, epoch])
        loss, samples = train_epoch(model, opt, ds, train_cfg, rng)
        t_train = time.time() - t0
        val = evaluate(model, ds, "validation", full_ranking=False)
        point = {
            "epoch": epoch,
            "loss": loss,
            "val_auc": val["auc"],
            "val_gauc": val["gauc"],
            "samples_per_s": samples / t_train,
            "seconds": time.time() - start,
            "cpu_seconds": time.process_time() - cpu_start,
        }
        curve.append(point)
        if best is None or val["auc"] > best["val_auc"]:
            best, best_state = point, copy.deepcopy(model.state_dict())
        progress(
            f"[{model_cfg.type} seed={train_cfg.seed}] epoch {epoch}/{train_cfg.epochs} loss {loss:.4f} "
            f"val_auc {val['auc']:.4f} gauc {val['gauc']:.4f} {samples / t_train:.0f} samples/s "
            f"{point['seconds']:.0f}s"
        )
    model.load_state_dict(best_state)
    metrics = evaluate(model, ds, "test", full_ranking=True)
    metrics.update(best_epoch=best["epoch"], val_auc=best["val_auc"], val_gauc=best["val_gauc"])
    seconds = time.time() - start
    metrics["seconds"] = seconds
    metrics["cpu_seconds"] = time.process_time() - cpu_start  # the machine is shared: CPU time too
    progress(
        f"[{model_cfg.type} seed={train_cfg.seed}] test "
        + json.dumps({k: round(v, 4) for k, v in metrics.items()})
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    configs = {
        "data": dataclasses.asdict(data_cfg),
        "model": dataclasses.asdict(model_cfg),
        "train": dataclasses.asdict(train_cfg),
    }
    torch.save({"state_dict": model.state_dict(), **configs}, out / "model.pt")
    (out / "metrics.json").write_text(
        json.dumps({"metrics": metrics, **configs, "data_info": ds.info()}, indent=2)
    )
    (out / "curve.json").write_text(json.dumps(curve, indent=2))
    return {"metrics": metrics, "curve": curve, "seconds": seconds}


def load_run(run_dir):
    """Rebuilds (data_cfg, model_cfg, train_cfg, model, metrics) from a run folder."""
    run = Path(run_dir)
    ckpt = torch.load(run / "model.pt")
    data_cfg = DataConfig(**ckpt["data"])
    model_cfg = ModelConfig(**ckpt["model"])
    train_cfg = TrainConfig(**ckpt["train"])
    model = make_model(data_cfg, model_cfg)
    model.load_state_dict(ckpt["state_dict"])
    metrics = json.loads((run / "metrics.json").read_text())["metrics"]
    return data_cfg, model_cfg, train_cfg, model.eval(), metrics


def add_config_args(p: argparse.ArgumentParser):
    """One flag per config field (--model for ModelConfig.type; --seed trains, --data-seed samples
    the evaluation negatives)."""
    seen = set()
    for cls in (DataConfig, ModelConfig, TrainConfig):
        for f in dataclasses.fields(cls):
            name = "model" if f.name == "type" else f.name
            if name == "seed" or name in seen:
                continue
            seen.add(name)
            kind = type(f.default) if f.default is not None else str
            parse = (lambda v: v.lower() in ("1", "true", "yes")) if kind is bool else kind
            p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=parse)
    p.add_argument("--seed", type=int, default=0, help="training seed")
    p.add_argument("--data-seed", type=int, default=0, help="seed of the evaluation negatives")


def configs_from_args(a):
    def pick(cls, **extra):
        vals = {
            f.name: getattr(a, f.name)
            for f in dataclasses.fields(cls)
            if getattr(a, f.name, None) is not None
        }
        vals.update(extra)
        return cls(**vals)

    data_cfg = pick(DataConfig, seed=a.data_seed)
    model_vals = {"type": a.model} if a.model else {}
    model_cfg = pick(ModelConfig, **model_vals)
    train_cfg = pick(TrainConfig, seed=a.seed)
    return data_cfg, model_cfg, train_cfg


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    add_config_args(p)
    a = p.parse_args(argv)
    data_cfg, model_cfg, train_cfg = configs_from_args(a)
    print(data_cfg, model_cfg, train_cfg, sep="\n")
    run_experiment(data_cfg, model_cfg, train_cfg, a.out)


if __name__ == "__main__":
    main()
