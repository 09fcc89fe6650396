"""HCN training throughput of the attention's computations, in one run on the same batches:

    OPENBLAS_NUM_THREADS=1 python -m hcn.bench_train --dataset ml-1m [--steps 20 --rounds 3 --shards 2]

Variants: `literal` (the training step before the speed work: textbook attention, torch.bmm, the
item tower's genre part projected per gathered row), `reassociated-bmm` (the re-associated form
with its batched matmuls in torch.bmm) and `reassociated` (the same form through
hcn.batched_attention, what training uses on CPU). With `--shards K` (K > 1) the literal and the
re-associated step are timed again with the batch cut into K shards trained at once
(hcn.train.BatchStep). All train the same initial model (the main configuration unless flags say
otherwise) with Adam on identical batches (a sample = one target position with its positive and
negatives, as in hcn.train) through the step hcn.train uses; rounds alternate the variants and
each one's median over rounds is printed, as samples per CPU-second and per wall-second, with its
ratios to the literal one."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from hcn.checkpoint import make_model  # noqa: E402
from hcn.config import TrainConfig  # noqa: E402
from hcn.data import load_dataset  # noqa: E402
from hcn.train import BatchStep, add_config_args, configs_from_args  # noqa: E402


VARIANTS = {  # name: (attention form, numpy batched matmuls on CPU, item genres projected per row)
    "literal": ("literal", False, True),
    "reassociated-bmm": ("reassociated", False, False),
    "reassociated": ("reassociated", True, False),
}
SHARDED = ("literal", "reassociated")  # also timed with --shards K > 1


def batches(ds, train_cfg: TrainConfig, count: int):
    users, ends, items, labels = ds.training_samples(train_cfg.positions_per_user, np.random.default_rng(0))
    b = train_cfg.batch_size
    out = []
    for i in range(count):
        sl = slice(i * b, (i + 1) * b)
        long, short = ds.windows(users[sl], ends[sl])
        out.append(
            tuple(
                torch.from_numpy(x) for x in (long, short, ds.user_features[users[sl]], items[sl], labels[sl])
            )
        )
    return out


def time_steps(step, data) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for batch in data:
        step(batch)
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    add_config_args(p)
    a = p.parse_args(argv)
    data_cfg, model_cfg, train_cfg = configs_from_args(a)
    if model_cfg.type != "HCN":
        raise SystemExit("the benchmark compares HCN's attention computations")
    torch.set_num_threads(train_cfg.threads)
    torch.manual_seed(train_cfg.seed)
    ds = load_dataset(data_cfg)
    base = make_model(data_cfg, model_cfg, ds)
    prepared = batches(ds, train_cfg, a.steps + 2)
    warm, data = prepared[:2], prepared[2:]
    samples = sum(len(x[0]) for x in data)
    steps = {}
    for name, (form, kernel, per_row) in VARIANTS.items():
        for shards in (1, train_cfg.shards) if name in SHARDED else (1,):
            m = copy.deepcopy(base)
            m.user_tower.set_form(form).set_cpu_kernel(kernel)
            m.item_tower.per_row = per_row
            opt = torch.optim.Adam(m.parameters(), lr=train_cfg.lr)
            label = name if shards == 1 else f"{name} x{shards} shards"
            steps[label] = BatchStep(m.train(), opt, dataclasses.replace(train_cfg, shards=shards))
            time_steps(steps[label], warm)
    times = {name: [] for name in steps}
    for _ in range(a.rounds):
        for name, step in steps.items():
            times[name].append(time_steps(step, data))
    print(f"{data_cfg.dataset}: {model_cfg}")
    print(
        f"batch {train_cfg.batch_size}, {a.steps} steps x {a.rounds} rounds, {torch.get_num_threads()} thread(s)"
    )
    rate = {}
    for name, t in times.items():
        cpu = statistics.median(x[0] for x in t)
        wall = statistics.median(x[1] for x in t)
        rate[name] = (samples / cpu, samples / wall)
        print(
            f"{name:>28}: {samples / cpu:6.0f} samples/CPU-s {samples / wall:6.0f} samples/wall-s"
            f"  {rate[name][0] / rate['literal'][0]:5.2f}x literal (CPU)"
            f" {rate[name][1] / rate['literal'][1]:5.2f}x (wall)"
        )
    for step in steps.values():
        step.close()


if __name__ == "__main__":
    main()
