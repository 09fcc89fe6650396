"""PyTorch eager batch-1 user-tower latency for a bundle's configuration, at a given thread count
(the reference the service's ONNX Runtime tower is compared against):

    OPENBLAS_NUM_THREADS=1 python -m hcn.bench_tower --bundle bundles/synthetic-200k --threads 1
    python -m hcn.bench_tower --n 16 --dim 128 --heads 4 --layers 4 --long 500 --short 50 --threads 1

The tower is built from the bundle's manifest (model config, window lengths, user features, item
rows) with random weights: the cost of a forward does not depend on the weight values. Histories
are full windows of random rows and random feature values. Each form (`--form literal`,
`reassociated`, or `both`) is the exported serving copy (table lookup for the history embedding,
eval mode, no autograd); the median and p90 over `--iterations` forwards after `--warmup`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from hcn.config import ModelConfig  # noqa: E402
from hcn.data import DatasetMeta  # noqa: E402
from hcn.export import export_user_tower, tower_form  # noqa: E402
from hcn.registry import build_model  # noqa: E402


def config_from(a) -> tuple[ModelConfig, DatasetMeta, int]:
    if a.bundle:
        m = json.loads((Path(a.bundle) / "manifest.json").read_text())
        cfg = ModelConfig(**m["model"]["config"])
        sizes = tuple(len(f["vocab"]) + 1 for f in m["user_features"])
        rows = m["items"]["rows"]
        return cfg, DatasetMeta(rows, 0, sizes, m["model"]["long_length"], m["model"]["short_length"]), rows
    cfg = ModelConfig(n=a.n, dim=a.dim, heads=a.heads, layers=a.layers)
    return cfg, DatasetMeta(a.items + 1, 0, (3, 8, 33), a.long, a.short), a.items + 1


def time_forward(tower, inputs, warmup: int, iterations: int) -> list[float]:
    with torch.inference_mode():
        for _ in range(warmup):
            tower(*inputs)
        out = []
        for _ in range(iterations):
            t = time.perf_counter()
            tower(*inputs)
            out.append(time.perf_counter() - t)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", help="bundle folder: its manifest gives the configuration")
    p.add_argument("--n", type=int, default=16)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--long", type=int, default=500)
    p.add_argument("--short", type=int, default=50)
    p.add_argument("--items", type=int, default=200_000)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument("--form", choices=("literal", "reassociated", "both", "bundle"), default="both")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--iterations", type=int, default=500)
    p.add_argument("--json", help="also write the medians (seconds, by form and kernel) to this file")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg, meta, rows = config_from(a)
    model = build_model(cfg, meta).eval()
    table = torch.randn(rows, cfg.dim) * cfg.dim**-0.5
    g = torch.Generator().manual_seed(1)
    inputs = (
        torch.randint(1, rows, (1, meta.long_length), generator=g),
        torch.randint(1, rows, (1, meta.short_length), generator=g),
        torch.stack([torch.randint(0, v, (1,), generator=g) for v in meta.user_feature_sizes], 1).reshape(
            1, -1
        ),
    )
    forms = {"both": ("literal", "reassociated"), "bundle": (tower_form(cfg),)}.get(a.form, (a.form,))
    print(
        f"PyTorch {torch.__version__} eager, batch 1, {torch.get_num_threads()} thread(s): n={cfg.n} D={cfg.dim} "
        f"h={cfg.heads} layers={cfg.layers} L={meta.long_length}/{meta.short_length} "
        f"(the bundle's form: {tower_form(cfg)})"
    )
    medians = {}
    for form in forms:
        tower = export_user_tower(model.user_tower, table, form)
        # The re-associated form is timed with both CPU kernels (hcn.batched_attention): numpy's
        # batched matmuls (the default) and torch.bmm; a reference for ONNX Runtime takes the faster.
        kernels = {form: True, f"{form}-bmm": False} if form == "reassociated" else {form: True}
        for name, kernel in kernels.items():
            tower.set_cpu_kernel(kernel)
            times = sorted(time_forward(tower, inputs, a.warmup, a.iterations))
            medians[name] = statistics.median(times)
            p90 = times[int(0.9 * (len(times) - 1))]
            print(
                f"{name:>17}: median {medians[name] * 1e6:8.0f} us   p90 {p90 * 1e6:8.0f} us   "
                f"({a.iterations} runs)"
            )
    if a.json:
        Path(a.json).write_text(json.dumps(medians, indent=1) + "\n")
    if "literal" in medians and "reassociated" in medians:
        best = min(medians["reassociated"], medians["reassociated-bmm"])
        print(f"literal / re-associated (faster kernel): {medians['literal'] / best:.2f}x")


if __name__ == "__main__":
    main()
