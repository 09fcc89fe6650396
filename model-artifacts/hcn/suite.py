"""The experiment suite of the paper's Section 3 on one data set, resumable:

    python -m hcn.suite --dataset ml-1m|ml-100k [--seeds 3] [--only MODEL ...] [--commit] [--dry-run]
                        [--workers K] [--device cpu|cuda] [--choices-from RESULTS]

Rows (hcn.registry.MODELS): ItemPop (training popularity, no model), MeanPooling, GRU4Rec, SASRec,
SAMRec, MIND, ComiRec-SA, HCN-literal (the paper read literally), HCN (the reading chosen on
validation among registry.HCN_READINGS), HCN-noCIN, HCN-noHIN-noCIN (ablations of HCN-literal).

Protocol (the same effort for every model; nothing is chosen on test):
1. tune:  every model on seed 0 with each learning rate of its grid (and, for HCN, each candidate
          reading); the (reading, rate) with the best VALIDATION AUC is kept and that run is the
          model's seed-0 result. A grid whose best rate is at an edge is extended by a factor of
          GRID_STEP on that side (up to MAX_EXTENSIONS times), so the chosen rate ends inside it.
2. seeds: seeds 1 .. S-1 with the chosen reading and rate.
3. sensitivity (paper Figure 6): HCN with n in SENSITIVITY_N on seed 0, chosen reading and rate.
Every run: the same epoch definition (SUITE_BUDGET positions per user and epoch, batch size), early
stopping on validation AUC (patience SUITE_BUDGET["patience"], cap SUITE_BUDGET["epochs"]; a run
that the cap ended instead of early stopping, its best epoch less than `patience` epochs before the
cap, goes on training with the cap doubled, up to CAP_DOUBLINGS times, so that early stopping ends
every run) and the same inputs for every model (learned positions on for all:
SUITE_MODEL_ARGS).

Each finished run writes results/<dataset>/runs/<name>.json (metrics, curve, diagnostics, seconds,
CPU seconds, configs, git commit) and is skipped when the suite runs again; tuning runs are
runs/tune/<name>.json. After every run summary.json, report.md and curves.png are rewritten from
the run files, and with --commit the new files are committed (git add + commit of the results folder).
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
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hcn.config import DataConfig, TrainConfig  # noqa: E402
from hcn import registry, report  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1]
MODELS = registry.names()
LRS = (2e-3, 5e-3, 1e-2)
GRID_STEP = 2.5
MAX_EXTENSIONS = 2
SENSITIVITY_N = (1, 2, 4, 8, 16)
# Early stopping with a generous cap: the best epoch must fall before it (the report checks).
SUITE_BUDGET = {"epochs": 40, "patience": 3, "positions_per_user": 5, "batch_size": 128}
# A run that the cap ended (maybe still improving) goes on training with the cap doubled, this many times.
CAP_DOUBLINGS = 2
SUITE_MODEL_ARGS = {"positions": True}  # all models see the same inputs (order included)


@dataclasses.dataclass(frozen=True)
class Run:
    name: str  # file stem: <model>-s<seed>, <model>[-<reading>]-lr<lr>-s0 (tuning), HCN-n<n>-s0
    model: str
    role: str  # tune | seed | sensitivity | anchor
    seed: int
    lr: float
    n: int | None = None  # sensitivity only
    reading: tuple = ()  # sorted (field, value) pairs of the candidate reading

    def path(self, results: Path) -> Path:
        sub = "runs/tune" if self.role == "tune" else "runs"
        return results / sub / f"{self.name}.json"


def tune_name(model: str, lr: float, reading: dict | None = None) -> str:
    tag = registry.reading_tag(reading or {})
    return f"{model}-{tag}-lr{lr:g}-s0" if tag else f"{model}-lr{lr:g}-s0"


def read_json(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def write_json(path: Path, obj) -> None:
    """Atomic: a run file exists only when complete, so an interrupted suite just re-runs it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(obj, indent=1) + "\n")
    tmp.replace(path)


def tune_runs(results: Path, model: str, lrs) -> tuple[list, dict | None]:
    """(the tuning runs of `model` over its grid, the best finished one or None until all ran).
    The grid starts at `lrs` and grows by GRID_STEP past an edge that wins."""
    spec = registry.MODELS[model]
    grid = sorted(lrs)
    for _ in range(2 * MAX_EXTENSIONS + 1):
        runs = [
            Run(tune_name(model, lr, r), model, "tune", 0, lr, reading=tuple(sorted(r.items())))
            for r in spec.readings
            for lr in grid
        ]
        finished = [read_json(r.path(results)) for r in runs]
        if any(f is None for f in finished):
            return runs, None
        best = max(
            zip(finished, runs),
            key=lambda fr: (fr[0]["metrics"]["val_auc"], -grid.index(fr[1].lr), fr[1].name),
        )
        lr = best[1].lr
        low, high = grid.index(lr) == 0, grid.index(lr) == len(grid) - 1
        extended_low = sum(x < min(lrs) for x in grid)
        extended_high = sum(x > max(lrs) for x in grid)
        if low and extended_low < MAX_EXTENSIONS:
            grid.insert(0, grid[0] / GRID_STEP)
        elif high and extended_high < MAX_EXTENSIONS:
            grid.append(grid[-1] * GRID_STEP)
        else:
            return runs, dict(best[0], grid=grid, chosen_reading=dict(best[1].reading))
    raise AssertionError("unreachable")


class Plan:
    """The ordered runs of the suite. Runs after tuning depend on the chosen reading and rate (and a
    grid may grow), so the plan is re-read after every run (`pending`)."""

    def __init__(
        self,
        results: Path,
        models,
        seeds: int,
        lrs,
        sensitivity,
        max_epochs: int | None = None,
        choices_from: Path | None = None,
    ):
        self.results, self.models, self.seeds, self.lrs, self.sensitivity = (
            results,
            models,
            seeds,
            lrs,
            sensitivity,
        )
        self.max_epochs = max_epochs  # a run at a cap below this is not done (None: any cap will do)
        # Another results folder whose tuning chose the rates and readings: no tuning here, and seed
        # 0 trains like the other seeds (a finished suite re-checked under another budget).
        self.choices_from = choices_from

    def chosen(self, model: str):
        return tune_runs(self.choices_from or self.results, model, self.lrs)[1]

    def runs(self) -> list[Run]:
        out = []
        for m in self.models:
            if not registry.MODELS[m].trains:
                out.append(Run(f"{m}-s0", m, "anchor", 0, float("nan")))
            elif self.choices_from is None:
                out += tune_runs(self.results, m, self.lrs)[0]
        for seed in range(0 if self.choices_from else 1, self.seeds):
            for m in self.models:
                if registry.MODELS[m].trains:
                    best = self.chosen(m)
                    lr = best["lr"] if best else float("nan")
                    reading = tuple(sorted(best["chosen_reading"].items())) if best else ()
                    out.append(Run(f"{m}-s{seed}", m, "seed", seed, lr, reading=reading))
        if "HCN" in self.models:
            best = self.chosen("HCN")
            lr = best["lr"] if best else float("nan")
            reading = tuple(sorted(best["chosen_reading"].items())) if best else ()
            out += [
                Run(f"HCN-n{n}-s0", "HCN", "sensitivity", 0, lr, n, reading)
                for n in self.sensitivity
                if n != 8
            ]
        return out

    def done(self, run: Run) -> bool:
        """Its file exists and was made with the run's rate and reading: a seed or sensitivity run
        from before the choice changed (a reading added, a grid grown) runs again."""
        record = read_json(run.path(self.results))
        if record is None or run.role == "anchor":
            return record is not None
        return made_as_planned(record, run) and not (
            self.max_epochs is not None
            and report.run_ended_by_cap(record)
            and cap_of(record) < self.max_epochs
        )

    def pending(self) -> list[Run]:
        return [r for r in self.runs() if not self.done(r)]


def cap_of(record: dict) -> int:
    return record["configs"]["train"]["epochs"]


def made_as_planned(record: dict, run: Run) -> bool:
    recorded = record.get("reading", {})
    return record["lr"] == run.lr and all(
        recorded.get(k, registry.READING_DEFAULTS.get(k)) == v for k, v in run.reading
    )


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
    spec = registry.MODELS[run.model]
    extra = dict(model_args)
    if run.n is not None:
        extra["n"] = run.n
    model_cfg = spec.config(dict(run.reading), **extra)
    train_cfg = TrainConfig(seed=run.seed, lr=run.lr, **{**budget, **spec.train_settings(dict(run.reading))})
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


def finish(
    run: Run, results: Path, dataset: str, out: dict, cfgs, lrs, code: dict, budget: dict
) -> list[Path]:
    """Writes the run file (and, when a model's tuning is complete, its seed-0 file); returns them."""
    data_cfg, model_cfg, train_cfg = cfgs
    record = {
        "name": run.name,
        "model": run.model,
        "role": run.role,
        "seed": run.seed,
        "lr": run.lr,
        "reading": registry.describe(model_cfg, train_cfg),
        "dataset": dataset,
        "metrics": out["metrics"],
        "curve": out["curve"],
        "diagnostics": out.get("diagnostics", {}),
        "stopped_early": out.get("stopped_early"),
        "seconds": out["seconds"],
        "cpu_seconds": out["metrics"].get("cpu_seconds"),
        "budget": budget,
        "configs": {
            "data": dataclasses.asdict(data_cfg),
            "model": dataclasses.asdict(model_cfg),
            "train": dataclasses.asdict(train_cfg),
        },
        "data_info": out.get("data_info"),
        **code,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
    }
    written = [run.path(results)]
    write_json(run.path(results), record)
    if run.role == "tune":
        runs, best = tune_runs(results, run.model, lrs)
        if best is not None:  # the chosen tuning run is the model's seed-0 result
            grid = {r.name: read_json(r.path(results))["metrics"]["val_auc"] for r in runs}
            seed0 = results / "runs" / f"{run.model}-s0.json"
            keep = {k: v for k, v in best.items() if k not in ("grid", "chosen_reading")}
            write_json(
                seed0,
                dict(keep, name=f"{run.model}-s0", role="seed", lr_grid=best["grid"], grid_val_auc=grid),
            )
            written.append(seed0)
    return written


def anchor_run(run: Run, results: Path, dataset: str, ds, code: dict) -> list[Path]:
    from hcn.evaluate import itempop_metrics

    t0, cpu0 = time.time(), time.process_time()
    metrics = itempop_metrics(ds, "test")
    metrics["val_auc"] = itempop_metrics(ds, "validation")["auc"]
    metrics.update(best_epoch=0, seconds=time.time() - t0, cpu_seconds=time.process_time() - cpu0)
    record = {
        "name": run.name,
        "model": run.model,
        "role": "seed",
        "seed": 0,
        "lr": None,
        "dataset": dataset,
        "metrics": metrics,
        "curve": [],
        "seconds": metrics["seconds"],
        "cpu_seconds": metrics["cpu_seconds"],
        "configs": {"data": dataclasses.asdict(ds.cfg)},
        "data_info": ds.info(),
        **code,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_json(run.path(results), record)
    return [run.path(results)]


def commit_files(results: Path, name: str, progress) -> None:
    """git add + commit of the results folder (run files, summary, report, plot)."""
    results = results.resolve()  # git runs inside the folder: a relative path would not name it
    try:
        subprocess.run(
            ["git", "add", "--", str(results)], cwd=results, check=True, capture_output=True, timeout=60
        )
        staged = subprocess.run(
            ["git", "diff", "--cached", "--quiet", "--", str(results)],
            cwd=results,
            capture_output=True,
            timeout=60,
        )
        if staged.returncode == 1:
            subprocess.run(
                ["git", "commit", "-q", "-m", f"results {results.name}: {name}", "--", str(results)],
                cwd=results,
                check=True,
                capture_output=True,
                timeout=60,
            )
    except (OSError, subprocess.SubprocessError) as e:
        progress(f"warning: could not commit {results}: {e}")


def train_run(run: Run, results: Path, data_cfg, budget, model_args, max_epochs, work, tag, progress=None):
    """Trains one run until early stopping (not the cap) ended it, doubling the cap as needed
    (training goes on past the old cap; the epochs before it are not repeated).
    Returns (train.run_experiment's output with data_info, its configs, the budget it ended with).
    Runs in a worker process when the suite has several, printing its lines there."""
    from hcn import train

    progress = progress or (lambda line: print(line, flush=True))
    run_budget = dict(budget)
    earlier = read_json(run.path(results))
    if earlier is not None and made_as_planned(earlier, run) and report.run_ended_by_cap(earlier):
        # Training is deterministic from the start, so the earlier run is the first part of this
        # one: go straight to the doubled cap.
        run_budget["epochs"] = min(max_epochs, 2 * cap_of(earlier))

    def extend_cap(best: int, cap: int):
        ended = report.ended_by_cap(best, cap, run_budget["patience"]) and cap < max_epochs
        return min(max_epochs, 2 * cap) if ended else None

    data_cfg, model_cfg, train_cfg = configs_for(run, data_cfg, run_budget, model_args)
    out = train.run_experiment(
        data_cfg,
        model_cfg,
        train_cfg,
        work / run.name,
        progress=lambda line: progress(f"[{tag}] {line}"),
        extend_cap=extend_cap,
    )
    cfgs = (data_cfg, model_cfg, out["train_cfg"])  # with the cap it ended at
    run_budget["epochs"] = out["train_cfg"].epochs
    out["data_info"] = (read_json(work / run.name / "metrics.json") or {}).get("data_info")
    return out, cfgs, run_budget


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
    commit: bool = False,
    cap_doublings: int = CAP_DOUBLINGS,
    workers: int = 1,
    device: str = "cpu",
    choices_from: str | Path | None = None,
    progress=print,
) -> dict:
    """Runs what is missing, then rewrites summary.json / report.md / curves.png. Returns the summary."""
    from hcn import train  # torch import only when training

    results = Path(results_dir) if results_dir else ARTIFACTS / "results" / dataset
    work = Path(work_dir) if work_dir else ARTIFACTS / "runs" / "suite" / dataset
    budget = dict(SUITE_BUDGET, **(budget or {}))
    model_args = dict(SUITE_MODEL_ARGS, **(model_args or {}))
    if workers < 1:
        raise ValueError("workers must be at least 1")
    unknown = set(only or ()) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown model(s) {sorted(unknown)}; models: {list(MODELS)}")
    models = [m for m in MODELS if not only or m in only]
    lrs = tuple(lrs)
    max_epochs = budget["epochs"] * 2**cap_doublings
    choices_from = Path(choices_from) if choices_from is not None else None
    if choices_from is not None:
        missing = [
            m for m in models if registry.MODELS[m].trains and tune_runs(choices_from, m, lrs)[1] is None
        ]
        if missing:
            raise ValueError(f"{choices_from} has no finished tuning (grid {list(lrs)}) for {missing}")
    plan = Plan(results, models, seeds, lrs, sensitivity, max_epochs, choices_from)
    data_cfg = DataConfig(dataset=dataset, path=data_path)
    total = len(plan.runs())
    skipped = total - len(plan.pending())
    progress(
        f"suite {dataset}: {total} runs planned, {skipped} already done, budget {budget}, lrs {list(lrs)}"
    )
    if dry_run:
        for i, r in enumerate(plan.runs(), 1):
            state = "done" if plan.done(r) else "todo"
            lr = "pending" if r.lr != r.lr else f"{r.lr:g}"  # NaN until the tuning runs finished
            progress(f"  {i:>3}/{total} {state} {r.name:<40} role={r.role:<11} lr={lr} seed={r.seed}")
        return {}
    started, executed, code = time.time(), 0, code_version()
    if choices_from is not None:  # provenance: these runs' rates and readings were chosen there
        code["choices_from"] = str(choices_from)
    train_budget = dict(budget, device=device)
    in_flight: dict = {}  # run name -> (run, future, start); only with workers > 1
    pool = None
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: CUDA cannot be used in a forked child, and a fresh interpreter holds no parent state.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def record(run: Run, written: list[Path], t0: float) -> None:
        nonlocal executed
        executed += 1
        progress(
            f"=== {run.name} done in {time.time() - t0:.0f}s; suite elapsed {time.time() - started:.0f}s; "
            f"wrote {', '.join(p.name for p in written)} ==="
        )
        report.write_all(results, dataset, lrs, budget, sensitivity, plot=plot_every_run)
        if commit:
            commit_files(results, run.name, progress)

    try:
        while True:
            pending = plan.pending()
            # A seed or sensitivity run is ready once its model's tuning chose a rate (NaN until then).
            ready = [r for r in pending if r.name not in in_flight and (r.role == "anchor" or r.lr == r.lr)]
            room = max_runs is None or executed + len(in_flight) < max_runs
            if not in_flight and (not ready or not room):
                break
            total = len(plan.runs())
            while ready and room and (pool is None or len(in_flight) < workers):
                run = ready.pop(0)
                tag = f"run {total - len(pending) + 1 + len(in_flight)}/{total} {run.name}"
                progress(
                    f"=== {tag} (suite ETA {report.fmt_duration(estimate_seconds(results, pending))}) ==="
                )
                t0 = time.time()
                if run.role == "anchor":
                    ds = train.load_dataset(data_cfg)
                    record(run, anchor_run(run, results, dataset, ds, code), t0)
                    break  # re-plan
                args = (run, results, data_cfg, train_budget, model_args, max_epochs, work, tag)
                if pool is None:
                    out, cfgs, run_budget = train_run(*args, progress=progress)
                    record(run, finish(run, results, dataset, out, cfgs, lrs, code, run_budget), t0)
                    break  # re-plan: a finished tuning run may have chosen a rate or grown a grid
                in_flight[run.name] = (run, pool.submit(train_run, *args), t0)
                room = max_runs is None or executed + len(in_flight) < max_runs
            if in_flight:
                done, _ = wait([f for _, f, _ in in_flight.values()], return_when=FIRST_COMPLETED)
                for name, (run, future, t0) in list(in_flight.items()):
                    if future in done:
                        del in_flight[name]
                        out, cfgs, run_budget = future.result()
                        record(run, finish(run, results, dataset, out, cfgs, lrs, code, run_budget), t0)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    summary = report.write_all(results, dataset, lrs, budget, sensitivity)
    if commit and executed:
        commit_files(results, "report", progress)
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--dataset",
        required=True,
        choices=("ml-1m", "ml-100k", "ml-25m", "ml-latest", "taobao", "amazon", "tafeng", "csv"),
    )
    p.add_argument("--data-path", help="data set folder (default ../shared/datasets/<dataset>)")
    p.add_argument("--results", help="results folder (default model-artifacts/results/<dataset>)")
    p.add_argument(
        "--work", help="checkpoint folder (default model-artifacts/runs/suite/<dataset>, not committed)"
    )
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--only", nargs="+", metavar="MODEL", help=f"subset of {', '.join(MODELS)}")
    p.add_argument(
        "--lrs", type=float, nargs="+", default=list(LRS), help="initial grid (grows past a winning edge)"
    )
    p.add_argument(
        "--sensitivity", type=int, nargs="*", default=list(SENSITIVITY_N), help="HCN n values (Figure 6)"
    )
    p.add_argument(
        "--epochs", type=int, default=SUITE_BUDGET["epochs"], help="cap on epochs (early stopping)"
    )
    p.add_argument("--patience", type=int, default=SUITE_BUDGET["patience"])
    p.add_argument("--positions-per-user", type=int, default=SUITE_BUDGET["positions_per_user"])
    p.add_argument("--batch-size", type=int, default=SUITE_BUDGET["batch_size"])
    p.add_argument("--dim", type=int, help="override D for every model (tests / smoke runs)")
    p.add_argument("--max-runs", type=int, help="stop after this many runs (the rest resume later)")
    p.add_argument("--commit", action="store_true", help="git-commit the results folder after every run")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="runs trained at once, each in its own process (1: in this process); a run waits for "
        "the tuning it depends on",
    )
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:<index> (TrainConfig.device)")
    p.add_argument(
        "--choices-from",
        metavar="RESULTS",
        help="take each model's rate and reading from this finished suite's tuning and train seeds "
        "0.. with them (no tuning): re-checks a suite under another budget, e.g. a longer patience",
    )
    p.add_argument("--dry-run", action="store_true", help="print the plan and what is done; train nothing")
    p.add_argument(
        "--report-only", action="store_true", help="rebuild summary.json, report.md, curves.png only"
    )
    a = p.parse_args(argv)
    budget = {
        "epochs": a.epochs,
        "patience": a.patience,
        "positions_per_user": a.positions_per_user,
        "batch_size": a.batch_size,
    }
    if a.report_only:
        results = Path(a.results) if a.results else ARTIFACTS / "results" / a.dataset
        report.write_all(results, a.dataset, tuple(a.lrs), budget, a.sensitivity)
        return
    from hcn.data import DataFormatError

    try:
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
            commit=a.commit,
            workers=a.workers,
            device=a.device,
            choices_from=a.choices_from,
            progress=lambda line: print(line, flush=True),
        )
    except (DataFormatError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}")


if __name__ == "__main__":
    sys.exit(main())
