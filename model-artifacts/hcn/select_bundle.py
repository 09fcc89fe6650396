"""Chooses which trained run becomes the service's default bundle, on validation only:

    python -m hcn.select_bundle runs/a runs/b ... [--auc-tolerance 0.002]

Rule: among the runs whose best validation AUC is within `--auc-tolerance` of the best one, the run
whose n interests are the least correlated on validation users (lowest mean pairwise Pearson). The
service scores candidates against n interests (Eq. 8); n near-copies of one vector cost n times the
work of one and serve one interest, so at equal accuracy the more distinct interests win. The
default tolerance, 0.002, is the seed standard deviation of HCN's validation AUC in the ml-100k
suite (results/ml-100k, 3 seeds): a smaller gap is within seed noise. `--auc-tolerance 0` is the
plain validation-AUC choice. Test metrics are printed for the record and never read by the rule.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from hcn.checkpoint import load_run
from hcn.data import load_dataset
from hcn.evaluate import mean_pairwise_pearson, user_interests

DEFAULT_AUC_TOLERANCE = 0.002


def choose(candidates: list[dict], auc_tolerance: float = DEFAULT_AUC_TOLERANCE) -> int:
    """Index of the chosen candidate ({"val_auc", "val_pearson"}); ties keep the earlier one."""
    if not candidates:
        raise ValueError("no candidate runs")
    best = max(c["val_auc"] for c in candidates)
    near = [i for i, c in enumerate(candidates) if c["val_auc"] >= best - auc_tolerance]
    return min(near, key=lambda i: (candidates[i]["val_pearson"], i))


def validation_figures(run_dir) -> dict:
    """Best validation AUC (from training) and validation users' interest Pearson of one run."""
    data_cfg, _, train_cfg, model, metrics = load_run(run_dir)
    ds = load_dataset(data_cfg)
    interests = user_interests(model, ds, np.arange(ds.num_users), "val").numpy().astype(np.float64)
    pearson = mean_pairwise_pearson(interests) if interests.shape[1] > 1 else 1.0
    return {
        "run": str(run_dir),
        "val_auc": metrics["val_auc"],
        "val_pearson": pearson,
        "diversity": train_cfg.diversity,
        "best_epoch": metrics["best_epoch"],
        "test_auc": metrics["auc"],
        "test_pearson": metrics.get("pearson"),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="folders written by hcn.train")
    p.add_argument("--auc-tolerance", type=float, default=DEFAULT_AUC_TOLERANCE)
    a = p.parse_args(argv)
    for run in a.runs:
        if not (Path(run) / "model.pt").exists():
            raise SystemExit(f"error: {run} is not a finished hcn.train run (no model.pt)")
    figures = [validation_figures(r) for r in a.runs]
    chosen = choose(figures, a.auc_tolerance)
    for i, f in enumerate(figures):
        print(json.dumps({**f, "chosen": i == chosen}))
    print(f"chosen: {figures[chosen]['run']}")


if __name__ == "__main__":
    main()
