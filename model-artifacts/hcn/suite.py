"""The experiment suite of the paper's Section 3 on one data set, resumable:

    python -m hcn.suite --dataset ml-1m|ml-100k [--seeds 3] [--only MODEL ...] [--dry-run]

Protocol (the same effort for every model; nothing is tuned on test):
1. tune:  every model on seed 0 with each learning rate of LRS; the rate with the best VALIDATION
          AUC is kept, and that run is the model's seed-0 result.
2. seeds: seeds 1 .. S-1 with the chosen rate.
3. sensitivity (paper Figure 6): HCN with n in SENSITIVITY_N on seed 0 at HCN's chosen rate
          (n = 8 is the main HCN seed-0 run).
Every run gets the same training budget (SUITE_BUDGET: epochs, target positions per user and
epoch, batch size); run_experiment keeps the epoch with the best validation AUC.

Each finished run writes results/<dataset>/runs/<name>.json (metrics, curve, seconds, configs, git
commit) and is skipped when the suite runs again; tuning runs are runs/tune/<model>-lr<lr>-s0.json.
After every run summary.json, report.md and curves.png are rewritten from the run files.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hcn.config import DataConfig, ModelConfig, TrainConfig  # noqa: E402
from hcn import report  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1]
BASELINE_MODELS = ("MeanPooling", "GRU4Rec", "SASRec", "SAMRec", "MIND", "ComiRec-SA")
HCN_MODELS = ("HCN", "HCN-noCIN", "HCN-noHIN-noCIN")
MODELS = BASELINE_MODELS + HCN_MODELS
# Paper's public-data configuration (n=8, D=48, 4 heads, 4 layers); the ablations switch parts off.
MODEL_OVERRIDES = {
    **{m: {"type": m} for m in BASELINE_MODELS},
    "HCN": {"type": "HCN"},
    "HCN-noCIN": {"type": "HCN", "co_interest": False},
    "HCN-noHIN-noCIN": {"type": "HCN", "hierarchical": False, "co_interest": False},
}
LRS = (2e-3, 5e-3, 1e-2)
SENSITIVITY_N = (1, 2, 4, 8, 16)
SUITE_BUDGET = {"epochs": 3, "positions_per_user": 5, "batch_size": 128}


@dataclasses.dataclass(frozen=True)
class Run:
    name: str  # file stem: <model>-s<seed>, <model>-lr<lr>-s0 (tuning) or HCN-n<n>-s0
    model: str
    role: str  # tune | seed | sensitivity
    seed: int
    lr: float
    n: int | None = None  # sensitivity only

    def path(self, results: Path) -> Path:
        sub = "runs/tune" if self.role == "tune" else "runs"
        return results / sub / f"{self.name}.json"


def tune_name(model: str, lr: float) -> str:
    return f"{model}-lr{lr:g}-s0"


def read_json(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def write_json(path: Path, obj) -> None:
    """Atomic: a run file exists only when complete, so an interrupted suite just re-runs it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    tmp.replace(path)


def chosen_lr(results: Path, model: str, lrs) -> float | None:
    """The tuning rate with the best validation AUC (ties: the first rate); None until all ran."""
    vals = []
    for lr in lrs:
        run = read_json(results / "runs" / "tune" / f"{tune_name(model, lr)}.json")
        if run is None:
            return None
        vals.append((run["metrics"]["val_auc"], -lrs.index(lr), lr))
    return max(vals)[2]


class Plan:
    """The ordered runs of the suite. Runs after tuning depend on the chosen rate, so the plan is
    re-read after every run (`pending`)."""

    def __init__(self, results: Path, models, seeds: int, lrs, sensitivity):
        self.results, self.models, self.seeds, self.lrs, self.sensitivity = (
            results,
            models,
            seeds,
            lrs,
            sensitivity,
        )

    def runs(self) -> list[Run]:
        out = [Run(tune_name(m, lr), m, "tune", 0, lr) for m in self.models for lr in self.lrs]
        for seed in range(1, self.seeds):
            for m in self.models:
                out.append(
                    Run(f"{m}-s{seed}", m, "seed", seed, chosen_lr(self.results, m, self.lrs) or float("nan"))
                )
        if "HCN" in self.models:
            lr = chosen_lr(self.results, "HCN", self.lrs) or float("nan")
            out += [Run(f"HCN-n{n}-s0", "HCN", "sensitivity", 0, lr, n) for n in self.sensitivity if n != 8]
        return out

    def done(self, run: Run) -> bool:
        return run.path(self.results).exists()

    def pending(self) -> list[Run]:
        return [r for r in self.runs() if not self.done(r)]


def code_version() -> dict:
    """The code a run used, taken when the suite starts (modules are loaded then): HEAD, whether
    hcn/ differed from it, and a hash of the hcn/*.py sources."""
    sources = sorted((ARTIFACTS / "hcn").glob("*.py"))
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sources)).hexdigest()
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ARTIFACTS, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "hcn"],
            cwd=ARTIFACTS,
            capture_output=True,
            text=True,
            timeout=10,
        )
        commit, changed = head.stdout.strip() or None, bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, changed = None, None
    return {"git_commit": commit, "hcn_dirty": changed, "hcn_sources_sha256": digest}


def configs_for(run: Run, data_cfg: DataConfig, budget: dict, model_args: dict):
    overrides = dict(MODEL_OVERRIDES[run.model], **model_args)
    if run.n is not None:
        overrides["n"] = run.n
    model_cfg = ModelConfig(**overrides)
    train_cfg = TrainConfig(seed=run.seed, lr=run.lr, **budget)
    return data_cfg, model_cfg, train_cfg


def estimate_seconds(results: Path, runs: list[Run]) -> float | None:
    """Mean seconds of finished runs of the same model (else of all finished runs)."""
    seen = {}
    for path in list((results / "runs").glob("*.json")) + list((results / "runs" / "tune").glob("*.json")):
        r = json.loads(path.read_text())
        seen.setdefault(r["model"], []).append(r["seconds"])
    if not seen:
        return None
    overall = sum(sum(v) for v in seen.values()) / sum(len(v) for v in seen.values())
    return sum(sum(seen[r.model]) / len(seen[r.model]) if r.model in seen else overall for r in runs)


def finish(run: Run, results: Path, dataset: str, out: dict, cfgs, lrs, out_dir: Path, code: dict) -> None:
    data_cfg, model_cfg, train_cfg = cfgs
    saved = read_json(out_dir / "metrics.json") or {}
    record = {
        "name": run.name,
        "model": run.model,
        "role": run.role,
        "seed": run.seed,
        "lr": run.lr,
        "dataset": dataset,
        "metrics": out["metrics"],
        "curve": out["curve"],
        "seconds": out["seconds"],
        "configs": {
            "data": dataclasses.asdict(data_cfg),
            "model": dataclasses.asdict(model_cfg),
            "train": dataclasses.asdict(train_cfg),
        },
        "data_info": saved.get("data_info"),
        **code,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
    }
    write_json(run.path(results), record)
    lr = chosen_lr(results, run.model, lrs) if run.role == "tune" else None
    if lr is not None:
        # The chosen tuning run is the model's seed-0 result.
        best = read_json(results / "runs" / "tune" / f"{tune_name(run.model, lr)}.json")
        grid = {
            f"{x:g}": read_json(results / "runs" / "tune" / f"{tune_name(run.model, x)}.json")["metrics"][
                "val_auc"
            ]
            for x in lrs
        }
        write_json(
            results / "runs" / f"{run.model}-s0.json",
            dict(best, name=f"{run.model}-s0", role="seed", lr_grid_val_auc=grid),
        )


def run_suite(
    dataset: str,
    data_path: str | None = None,
    results_dir: str | Path | None = None,
    work_dir: str | Path | None = None,
    seeds: int = 3,
    only=None,
    lrs=LRS,
    sensitivity=SENSITIVITY_N,
    budget: dict | None = None,
    model_args: dict | None = None,
    dry_run: bool = False,
    max_runs: int | None = None,
    plot_every_run: bool = True,
    progress=print,
) -> dict:
    """Runs what is missing, then rewrites summary.json / report.md / curves.png. Returns the summary."""
    from hcn.train import run_experiment  # torch import only when training

    results = Path(results_dir) if results_dir else ARTIFACTS / "results" / dataset
    work = Path(work_dir) if work_dir else ARTIFACTS / "runs" / "suite" / dataset
    budget = dict(SUITE_BUDGET, **(budget or {}))
    model_args = model_args or {}
    models = [m for m in MODELS if not only or m in only]
    unknown = set(only or ()) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown model(s) {sorted(unknown)}; models: {list(MODELS)}")
    lrs = tuple(lrs)
    plan = Plan(results, models, seeds, lrs, sensitivity)
    data_cfg = DataConfig(dataset=dataset, path=data_path)
    total = len(plan.runs())
    skipped = total - len(plan.pending())
    progress(f"suite {dataset}: {total} runs, {skipped} already done, budget {budget}, lrs {list(lrs)}")
    if dry_run:
        for i, r in enumerate(plan.runs(), 1):
            state = "done" if plan.done(r) else "todo"
            lr = "pending" if r.lr != r.lr else f"{r.lr:g}"  # NaN until the tuning runs finished
            progress(f"  {i:>3}/{total} {state} {r.name:<28} role={r.role:<11} lr={lr} seed={r.seed}")
        return {}
    started, executed, code = time.time(), 0, code_version()
    while True:
        pending = plan.pending()
        if not pending or (max_runs is not None and executed >= max_runs):
            break
        run = pending[0]
        index = total - len(pending) + 1
        cfgs = configs_for(run, data_cfg, budget, model_args)
        eta = estimate_seconds(results, pending)
        tag = f"run {index}/{total} {run.name} lr={run.lr:g}"
        progress(f"=== {tag} (suite ETA {report.fmt_duration(eta)}) ===")
        t0, epochs_done = time.time(), [0]

        def run_progress(line, tag=tag, t0=t0, epochs=budget["epochs"], done=epochs_done):
            if " epoch " in line:
                done[0] += 1
                left = (time.time() - t0) / done[0] * (epochs - done[0])
                line += f" | run ETA {report.fmt_duration(left)}"
            progress(f"[{tag}] {line}")

        out = run_experiment(*cfgs, work / run.name, progress=run_progress)
        finish(run, results, dataset, out, cfgs, lrs, work / run.name, code)
        executed += 1
        progress(f"=== {tag} done in {time.time() - t0:.0f}s; suite elapsed {time.time() - started:.0f}s ===")
        report.write_all(results, dataset, lrs, budget, sensitivity, plot=plot_every_run)
    return report.write_all(results, dataset, lrs, budget, sensitivity)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", required=True, choices=("ml-1m", "ml-100k", "csv"))
    p.add_argument("--data-path", help="data set folder (default ../shared/datasets/<dataset>)")
    p.add_argument("--results", help="results folder (default model-artifacts/results/<dataset>)")
    p.add_argument(
        "--work", help="checkpoint folder (default model-artifacts/runs/suite/<dataset>, not committed)"
    )
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--only", nargs="+", metavar="MODEL", help=f"subset of {', '.join(MODELS)}")
    p.add_argument("--lrs", type=float, nargs="+", default=list(LRS))
    p.add_argument(
        "--sensitivity", type=int, nargs="*", default=list(SENSITIVITY_N), help="HCN n values (Figure 6)"
    )
    p.add_argument("--epochs", type=int, default=SUITE_BUDGET["epochs"])
    p.add_argument("--positions-per-user", type=int, default=SUITE_BUDGET["positions_per_user"])
    p.add_argument("--batch-size", type=int, default=SUITE_BUDGET["batch_size"])
    p.add_argument("--dim", type=int, help="override D for every model (tests / smoke runs)")
    p.add_argument("--max-runs", type=int, help="stop after this many runs (the rest resume later)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and what is done; train nothing")
    p.add_argument(
        "--report-only", action="store_true", help="rebuild summary.json, report.md, curves.png only"
    )
    a = p.parse_args(argv)
    if a.report_only:
        results = Path(a.results) if a.results else ARTIFACTS / "results" / a.dataset
        budget = {"epochs": a.epochs, "positions_per_user": a.positions_per_user, "batch_size": a.batch_size}
        report.write_all(results, a.dataset, tuple(a.lrs), budget, a.sensitivity)
        return
    budget = {"epochs": a.epochs, "positions_per_user": a.positions_per_user, "batch_size": a.batch_size}
    run_suite(
        a.dataset,
        data_path=a.data_path,
        results_dir=a.results,
        work_dir=a.work,
        seeds=a.seeds,
        only=a.only,
        lrs=a.lrs,
        sensitivity=a.sensitivity,
        budget=budget,
        model_args={"dim": a.dim} if a.dim else {},
        dry_run=a.dry_run,
        max_runs=a.max_runs,
        progress=lambda line: print(line, flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
