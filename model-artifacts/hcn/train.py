"""Training: Eq. 9 loss on (positive + sampled negatives) per target position (+ the optional
diversity regulariser), Adam, best epoch by VALIDATION AUC only (early stopping with
TrainConfig.patience), then one evaluation on test, with the diversity diagnostics.

    python -m hcn.train --dataset ml-1m --out runs/hcn-ml1m [--model HCN --n 8 --dim 48 ...]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from hcn.config import DataConfig, ModelConfig, TrainConfig  # noqa: E402
from hcn.checkpoint import load_run, make_model  # noqa: E402,F401  (load_run: older callers)
from hcn.data import DataFormatError, load_dataset  # noqa: E402
from hcn.evaluate import diagnostics, evaluate, to_device  # noqa: E402
from hcn.layers import diversity_penalty  # noqa: E402
from hcn.registry import describe  # noqa: E402


class BatchStep:
    """One optimisation step on a batch: Eq. 9 loss (+ the diversity term), gradients, Adam.

    With TrainConfig.shards = k > 1 the batch is cut into k contiguous shards whose forward and
    backward run at once on their own threads (torch's and numpy's kernels release the GIL). Each
    shard's loss is weighted by its share of the batch, so the summed gradient is the gradient of
    the whole batch's mean loss: the same step as one pass, up to float summation order, and
    deterministic (the shards are fixed and summed in order). It puts a second core to work on a
    single run; a suite running several runs at once (`--workers`) already keeps the cores busy."""

    def __init__(self, model, opt, train_cfg: TrainConfig):
        self.model, self.opt, self.cfg = model, opt, train_cfg
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.pool = ThreadPoolExecutor(train_cfg.shards - 1) if train_cfg.shards > 1 else None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def loss(self, long, short, feats, rows, y) -> torch.Tensor:
        interests = self.model.user_tower(long, short, feats)
        loss = self.model.loss(self.model.score(interests, rows), y)
        if self.cfg.diversity > 0:
            loss = loss + self.cfg.diversity * diversity_penalty(interests)
        return loss

    def __call__(self, batch) -> torch.Tensor:
        """batch: (long, short, user features, candidate rows, labels); returns the batch's loss."""
        self.opt.zero_grad(set_to_none=True)
        if self.pool is None:
            loss = self.loss(*batch)
            loss.backward()
        else:
            size = len(batch[0])
            bounds = np.linspace(0, size, self.cfg.shards + 1).astype(int)
            shards = [[x[a:b] for x in batch] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
            later = [self.pool.submit(self.shard, part, size) for part in shards[1:]]
            results = [self.shard(shards[0], size)] + [f.result() for f in later]
            loss = sum(part_loss for part_loss, _ in results)
            for i, p in enumerate(self.params):
                grads = [g[i] for _, g in results if g[i] is not None]
                p.grad = None if not grads else sum(grads[1:], grads[0])
        self.opt.step()
        return loss.detach()

    def shard(self, part, size: int):
        """(weighted loss, gradients) of one shard: its mean loss times its share of the batch."""
        weighted = self.loss(*part) * (len(part[0]) / size)
        return weighted.detach(), torch.autograd.grad(weighted, self.params, allow_unused=True)


def train_epoch(
    model, opt, ds, train_cfg: TrainConfig, rng: np.random.Generator, step=None
) -> tuple[float, int]:
    model.train()
    if step is None:  # a step of its own, closed when the epoch ends
        with contextlib.closing(BatchStep(model, opt, train_cfg)) as own:
            return train_epoch(model, opt, ds, train_cfg, rng, own)
    users, ends, items, labels = ds.training_samples(train_cfg.positions_per_user, rng)
    # The loss sum stays on the device (float64, the same sum as Python floats): reading it back
    # every step would make a GPU wait for each step before the next is queued.
    total, count = torch.zeros((), dtype=torch.float64, device=train_cfg.device), 0
    for i in range(0, len(users), train_cfg.batch_size):
        sl = slice(i, i + train_cfg.batch_size)
        long, short = ds.windows(users[sl], ends[sl])
        batch = tuple(
            to_device(x, train_cfg.device)
            for x in (long, short, ds.user_features[users[sl]], items[sl], labels[sl])
        )
        total += step(batch).double() * len(long)
        count += len(long)
    return float(total) / max(count, 1), count


def run_experiment(data_cfg, model_cfg, train_cfg, out_dir, progress=print, extend_cap=None) -> dict:
    """Trains (at most train_cfg.epochs; stops after train_cfg.patience epochs without a better
    validation AUC when patience > 0), picks the epoch with the best validation AUC, evaluates it on
    test and writes out_dir/{metrics.json, curve.json, model.pt}. Returns {metrics, curve, seconds,
    diagnostics, stopped_early, train_cfg (with the cap it ended at)}.

    extend_cap(best_epoch, cap) -> a larger cap or None, asked when the cap is reached: training goes
    on to the new cap, exactly as a run started with that cap would (each epoch's samples are seeded
    by (seed, epoch)), without repeating the epochs already done. The recorded TrainConfig carries
    the final cap."""
    if train_cfg.shards > 1 and model_cfg.dropout > 0:
        # The shards' threads would draw their dropout masks from one generator in no fixed order.
        raise ValueError("shards > 1 needs dropout 0 (runs would not be reproducible)")
    start, cpu_start = time.time(), time.process_time()
    torch.set_num_threads(train_cfg.threads)
    torch.manual_seed(train_cfg.seed)
    ds = load_dataset(data_cfg)
    model = make_model(data_cfg, model_cfg, ds).to(train_cfg.device)
    opt = torch.optim.Adam(model.parameters(), lr=train_cfg.lr, weight_decay=train_cfg.weight_decay)
    step = BatchStep(model, opt, train_cfg)
    curve, best, best_state, epoch = [], None, None, 0
    while True:
        epoch += 1
        if epoch > train_cfg.epochs:
            cap = extend_cap(best["epoch"], train_cfg.epochs) if extend_cap else None
            if cap is None:
                break
            progress(
                f"[{model_cfg.type} seed={train_cfg.seed}] still improving at the cap: on to {cap} epochs"
            )
            train_cfg = dataclasses.replace(train_cfg, epochs=cap)
        t0 = time.time()
        rng = np.random.default_rng([train_cfg.seed, epoch])
        loss, samples = train_epoch(model, opt, ds, train_cfg, rng, step)
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
        if train_cfg.patience and epoch - best["epoch"] >= train_cfg.patience:
            break
    step.close()
    stopped_early = len(curve) < train_cfg.epochs
    model.load_state_dict(best_state)
    metrics = evaluate(model, ds, "test", full_ranking=True)
    diag = diagnostics(model, ds, "test")
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
    state = {k: v.cpu() for k, v in model.state_dict().items()}  # loads on any machine
    torch.save({"state_dict": state, **configs}, out / "model.pt")
    extra = {"reading": describe(model_cfg, train_cfg), "diagnostics": diag, "stopped_early": stopped_early}
    (out / "metrics.json").write_text(
        json.dumps({"metrics": metrics, **configs, **extra, "data_info": ds.info()}, indent=2)
    )
    (out / "curve.json").write_text(json.dumps(curve, indent=2))
    return {"metrics": metrics, "curve": curve, "seconds": seconds, "train_cfg": train_cfg, **extra}


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
            kind = next((t for t in (bool, int, float) if f.type.startswith(t.__name__)), str)
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
    try:
        run_experiment(data_cfg, model_cfg, train_cfg, a.out)
    except (DataFormatError, FileNotFoundError) as e:  # a data problem: one clear line, no traceback
        raise SystemExit(f"error: {e}")


if __name__ == "__main__":
    main()
