"""The suite runner on a tiny generated fixture (generic CSV format): every row of the registry it is
asked for, the (reading, rate) choice on validation, grid extension past a winning edge, ItemPop,
early stopping, report, resumption (finished runs skipped) and committing run files."""

import dataclasses
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import hcn.train
from conftest import synthetic_events, write_csv
from hcn import registry, suite


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    # 150 items: more than the 100 evaluation negatives plus the longest history.
    events = synthetic_events(users=24, items=150, min_events=6, max_events=15, seed=7)
    return write_csv(tmp_path_factory.mktemp("suite-data"), events, items=150)


LRS = (2e-3, 1e-2)  # two rates keep the test short; the suite's default grid is suite.LRS
ONLY = ["ItemPop", "MeanPooling", "MIND", "HCN-literal", "HCN", "HCN-noCIN"]


def run(fixture_dir, out, budget=None, **kw):
    return suite.run_suite(
        "csv",
        data_path=str(fixture_dir),
        results_dir=out / "results",
        work_dir=out / "work",
        seeds=2,
        lrs=LRS,
        sensitivity=(1, 8),
        budget=budget or {"epochs": 3, "patience": 1, "positions_per_user": 2, "batch_size": 64},
        model_args={"dim": 8},
        plot_every_run=False,  # the plot is still drawn once at the end
        progress=lambda line: None,
        **{"only": ONLY, "cap_doublings": 0, **kw},  # the cap's own test is below
    )


def test_suite_runs_everything_then_resumes_without_retraining(fixture_dir, tmp_path, monkeypatch):
    calls = []
    real = hcn.train.run_experiment

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(hcn.train, "run_experiment", counting)
    run(fixture_dir, tmp_path, max_runs=3)
    assert len(calls) == 2  # the first of the 3 runs is ItemPop: no training
    summary = run(fixture_dir, tmp_path)
    results = tmp_path / "results"
    trained = len(calls)
    on_disk = json.loads((results / "summary.json").read_text())
    assert set(on_disk) == set(ONLY) | {"sensitivity_n"} and set(summary) == set(on_disk)
    for model in ONLY:
        seeds = (0,) if model == "ItemPop" else (0, 1)
        runs = [json.loads((results / "runs" / f"{model}-s{s}.json").read_text()) for s in seeds]
        assert on_disk[model]["auc"]["mean"] == pytest.approx(np.mean([r["metrics"]["auc"] for r in runs]))
        assert ("pearson" in on_disk[model]) == (registry.MODELS[model].kind == "multi")
        if model == "ItemPop":
            assert on_disk[model]["auc"]["runs"] == 1 and runs[0]["lr"] is None
            continue
        assert on_disk[model]["auc"]["std"] == pytest.approx(
            np.std([r["metrics"]["auc"] for r in runs], ddof=1)
        )
        # Seed 0 is the tuning run with the best VALIDATION AUC over its (grown) grid; seed 1 reuses it.
        tune_runs, best = suite.tune_runs(results, model, LRS)
        assert best is not None and runs[0]["metrics"] == best["metrics"]
        assert runs[0]["lr"] == runs[1]["lr"] == best["lr"]
        assert runs[1]["configs"]["model"] == runs[0]["configs"]["model"]
        assert runs[1]["configs"]["train"]["seed"] == 1
        assert runs[0]["configs"]["model"]["positions"] is True  # the same inputs for every model
        for r in runs:  # early stopping: never more epochs than best + patience, never past the cap
            assert len(r["curve"]) <= min(3, r["metrics"]["best_epoch"] + 1)
        if model == "HCN":
            readings = {t.reading for t in tune_runs}
            assert readings == {tuple(sorted(x.items())) for x in registry.HCN_READINGS}
            assert runs[0]["reading"]["hin_layer"] == "residual"
    hcn_run = json.loads((results / "runs" / "HCN-s0.json").read_text())
    assert "output" in hcn_run["diagnostics"] and "long.H0" in hcn_run["diagnostics"]
    assert set(on_disk["sensitivity_n"]) >= {"1", "8"}

    report = (results / "report.md").read_text()
    for heading in (
        "Table 3",
        "Table 4",
        "Table 5",
        "Table 7",
        "Figure 6",
        "Verdict",
        "Diversity diagnostics",
        "candidate readings",
    ):
        assert heading in report
    assert "paired ΔAUC per seed" in report and "| ItemPop |" in report
    assert (results / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A third invocation finds everything done: nothing is trained, run files stay untouched.
    stamps = {p: p.stat().st_mtime_ns for p in (results / "runs").rglob("*.json")}
    run(fixture_dir, tmp_path)
    assert len(calls) == trained
    assert {p: p.stat().st_mtime_ns for p in (results / "runs").rglob("*.json")} == stamps


def fake_tune(results, model, lr, val_auc, reading=None):
    name = suite.tune_name(model, lr, reading)
    suite.write_json(
        results / "runs" / "tune" / f"{name}.json",
        {"name": name, "model": model, "lr": lr, "metrics": {"val_auc": val_auc}},
    )


def test_a_grid_whose_edge_wins_grows_until_the_choice_is_inside(tmp_path):
    auc = {2e-3: 0.70, 5e-3: 0.72, 1e-2: 0.75}  # the top edge wins
    for lr, v in auc.items():
        fake_tune(tmp_path, "GRU4Rec", lr, v)
    runs, best = suite.tune_runs(tmp_path, "GRU4Rec", suite.LRS)
    assert best is None and sorted(r.lr for r in runs)[-1] == pytest.approx(1e-2 * suite.GRID_STEP)
    fake_tune(tmp_path, "GRU4Rec", 1e-2 * suite.GRID_STEP, 0.74)  # now inside
    runs, best = suite.tune_runs(tmp_path, "GRU4Rec", suite.LRS)
    assert best["lr"] == 1e-2 and best["grid"][0] < best["lr"] < best["grid"][-1]
    # an edge keeps winning: at most MAX_EXTENSIONS steps, then the edge is reported as such
    for lr, v in ((2e-3, 0.9), (5e-3, 0.8), (1e-2, 0.7)):
        fake_tune(tmp_path, "SASRec", lr, v)
    for k in range(1, suite.MAX_EXTENSIONS + 1):
        fake_tune(tmp_path, "SASRec", 2e-3 / suite.GRID_STEP**k, 0.9 + k / 100)
    runs, best = suite.tune_runs(tmp_path, "SASRec", suite.LRS)
    assert best is not None and best["lr"] == pytest.approx(2e-3 / suite.GRID_STEP**suite.MAX_EXTENSIONS)
    assert len(runs) == 3 + suite.MAX_EXTENSIONS


def test_suite_commits_run_files_as_they_finish(fixture_dir, tmp_path, monkeypatch):
    repo = tmp_path
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", "t@example.com"], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "t"], check=True)
    monkeypatch.chdir(repo)
    run(fixture_dir, Path("."), max_runs=2, commit=True)  # a results folder given relative to here
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%s"], capture_output=True, text=True
    ).stdout
    assert "results results: ItemPop-s0" in log and "results results: MeanPooling-lr0.002-s0" in log
    tracked = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True).stdout
    assert "results/runs/ItemPop-s0.json" in tracked and "results/summary.json" in tracked
    assert "work/" not in tracked  # checkpoints are never committed


def test_unknown_model_is_rejected(fixture_dir, tmp_path):
    with pytest.raises(ValueError, match="unknown model"):
        suite.run_suite("csv", data_path=str(fixture_dir), results_dir=tmp_path, only=["DIN"], progress=print)


def test_dry_run_lists_the_plan_without_training(fixture_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(hcn.train, "run_experiment", lambda *a, **k: pytest.fail("dry run trained"))
    lines = []
    suite.run_suite(
        "csv",
        data_path=str(fixture_dir),
        results_dir=tmp_path,
        only=["HCN", "HCN-literal"],
        dry_run=True,
        progress=lines.append,
    )
    assert any("HCN-literal-lr0.002-s0" in line and "todo" in line for line in lines)
    assert any("HCN-cin_concat=esim-hin_layer=residual-lr0.002-s0" in line for line in lines)
    assert any("HCN-n16-s0" in line for line in lines)


def test_a_run_file_made_before_the_choice_changed_runs_again(tmp_path):
    for lr, v in ((2e-3, 0.70), (5e-3, 0.75), (1e-2, 0.72)):
        fake_tune(tmp_path, "GRU4Rec", lr, v)
    plan = suite.Plan(tmp_path, ["GRU4Rec"], 2, suite.LRS, ())
    (seed1,) = [r for r in plan.runs() if r.role == "seed"]
    assert seed1.lr == 5e-3
    suite.write_json(seed1.path(tmp_path), {"lr": 2e-3, "reading": {}})  # the old choice's rate
    assert seed1 in plan.pending()
    suite.write_json(seed1.path(tmp_path), {"lr": 5e-3, "reading": {}})
    assert seed1 not in plan.pending()
    # a reading key a file does not record means its default (files from before the key existed)
    run = suite.Run("HCN-s1", "HCN", "seed", 1, 5e-3, reading=(("diversity", 0.1),))
    assert not suite.made_as_planned({"lr": 5e-3, "reading": {}}, run)
    assert suite.made_as_planned({"lr": 5e-3, "reading": {"diversity": 0.1}}, run)
    default = suite.Run("HCN-s1", "HCN", "seed", 1, 5e-3, reading=(("diversity", 0.0),))
    assert suite.made_as_planned({"lr": 5e-3, "reading": {}}, default)


def test_a_reading_may_set_the_diversity_regulariser(tmp_path):
    reading = {"hin_layer": "residual", "cin_concat": "esim", "diversity": 0.1}
    run = suite.Run("HCN-x", "HCN", "tune", 0, 2e-3, reading=tuple(sorted(reading.items())))
    _, model_cfg, train_cfg = suite.configs_for(run, suite.DataConfig(), dict(suite.SUITE_BUDGET), {})
    assert model_cfg.hin_layer == "residual" and model_cfg.cin_concat == "esim"
    assert train_cfg.diversity == 0.1 and train_cfg.lr == 2e-3
    assert registry.describe(model_cfg, train_cfg)["diversity"] == 0.1
    assert "diversity" not in registry.describe(model_cfg)
    assert (
        suite.tune_name("HCN", 2e-3, reading)
        == "HCN-cin_concat=esim-diversity=0.1-hin_layer=residual-lr0.002-s0"
    )


def test_a_run_still_improving_at_its_cap_trains_again_with_the_cap_doubled(
    fixture_dir, tmp_path, monkeypatch
):
    caps = []

    def peaks_at_epoch_5(data_cfg, model_cfg, train_cfg, out_dir, progress=print, extend_cap=None):
        """Validation AUC peaks at epoch 5; like train.run_experiment, asks for more epochs at the cap."""
        cap = train_cfg.epochs
        caps.append(cap)
        while cap < 5 + train_cfg.patience and extend_cap and (new := extend_cap(min(cap, 5), cap)):
            caps.append(cap := new)
        best = min(cap, 5)
        names = ("auc", "gauc", "hr50", "ndcg50", "hr100", "ndcg100", "val_auc", "val_gauc")
        metrics = {**{k: 0.5 for k in names}, "best_epoch": best, "users": 24}
        curve = [
            {"epoch": e, "loss": 1.0, "val_auc": 0.5}
            for e in range(1, min(cap, best + train_cfg.patience) + 1)
        ]
        return {
            "metrics": metrics,
            "curve": curve,
            "seconds": 0.0,
            "train_cfg": dataclasses.replace(train_cfg, epochs=cap),
        }

    monkeypatch.setattr(hcn.train, "run_experiment", peaks_at_epoch_5)
    common = dict(only=["MeanPooling"], max_runs=1, cap_doublings=2)
    run(fixture_dir, tmp_path / "a", **common)
    assert caps == [3, 6]  # cap 3 reached, so again with 6; best epoch 5 < 6
    (record,) = [
        json.loads(p.read_text()) for p in (tmp_path / "a" / "results" / "runs" / "tune").glob("*.json")
    ]
    assert record["configs"]["train"]["epochs"] == 6 and record["budget"]["epochs"] == 6
    assert record["metrics"]["best_epoch"] == 5

    caps.clear()
    run(fixture_dir, tmp_path / "b", only=["MeanPooling"], max_runs=1, cap_doublings=0)
    assert caps == [3]  # no doubling allowed: the run stays at its cap (and the report says so)

    # A file at a cap that may still grow is not done: the suite trains that run again, at once with
    # the doubled cap (the same seeds make the earlier run the first part of the new one).
    caps.clear()
    run(fixture_dir, tmp_path / "b", **common)
    assert caps == [6]

    # Patience 3: best epoch 5 of a cap of 6 did not wait 3 epochs for a better one, so the cap, not
    # early stopping, ended it; only at cap 12 (5 < 12 - 3) has early stopping had its say.
    caps.clear()
    patient = {"epochs": 3, "patience": 3, "positions_per_user": 2, "batch_size": 64}
    run(fixture_dir, tmp_path / "c", **common, budget=patient)
    assert caps == [3, 6, 12]


def test_a_run_is_ended_by_its_cap_unless_early_stopping_could_have_ended_it():
    from hcn.report import ended_by_cap

    assert ended_by_cap(40, 40, 3) and ended_by_cap(39, 40, 3) and ended_by_cap(38, 40, 3)
    assert not ended_by_cap(37, 40, 3)  # epochs 38-40 without a better one: stopped by patience
    assert ended_by_cap(40, 40, 0) and not ended_by_cap(39, 40, 0)  # no early stopping: at the cap only


def test_seed_runs_made_with_an_earlier_choice_are_left_out_of_the_figures():
    from hcn.report import split_stale

    reading = {"hin_layer": "residual"}

    def run(name, role, seed, lr, model="HCN", r=reading):
        return {"name": name, "model": model, "role": role, "seed": seed, "lr": lr, "reading": r}

    runs = [
        run("HCN-s0", "seed", 0, 8e-4),  # follows the choice, which moved to lr 0.0008
        run("HCN-s1", "seed", 1, 2e-3),  # made before the move: stale
        run("HCN-s2", "seed", 2, 8e-4, r={"hin_layer": "literal"}),  # another reading: stale
        run("HCN-n4-s0", "sensitivity", 0, 2e-3),  # stale too
        run("GRU4Rec-s0", "seed", 0, 2e-3, model="GRU4Rec", r={}),
        run("GRU4Rec-s1", "seed", 1, 2e-3, model="GRU4Rec", r={}),
        run("ItemPop-s0", "anchor", 0, 0.0, model="ItemPop", r={}),
    ]
    current, stale = split_stale(runs)
    assert [r["name"] for r in stale] == ["HCN-s1", "HCN-s2", "HCN-n4-s0"]
    assert [r["name"] for r in current] == ["HCN-s0", "GRU4Rec-s0", "GRU4Rec-s1", "ItemPop-s0"]


def test_the_report_counts_runs_still_rising_when_early_stopping_ended_them():
    from hcn.report import budget_note

    def run(name, aucs, cap=40):
        best = max(range(len(aucs)), key=aucs.__getitem__) + 1
        return {
            "name": name,
            "role": "seed",
            "seed": 1,
            "curve": [{"epoch": e + 1, "val_auc": v} for e, v in enumerate(aucs)],
            "metrics": {"best_epoch": best},
            "configs": {"train": {"epochs": cap, "patience": 3}},
        }

    rising = run("rising", [0.80 + 0.002 * e for e in range(20)] + [0.83, 0.83, 0.83])  # +0.02 in 10 epochs
    flat = run("flat", [0.80 + 0.0005 * e for e in range(20)] + [0.80, 0.80, 0.80])  # +0.005
    short = run("short", [0.8, 0.9, 0.85, 0.85, 0.85])  # too short to tell
    (line,) = [x for x in budget_note([rising, flat, short]) if "Still rising" in x]
    assert "1 of 2 runs" in line and "(rising)" in line


def comparable(record: dict) -> dict:
    """A run file without what depends on the machine's speed or the clock."""
    timing = ("seconds", "cpu_seconds", "samples_per_s", "finished_at")
    out = {k: v for k, v in record.items() if k not in timing}
    out["metrics"] = {k: v for k, v in record["metrics"].items() if k not in timing}
    out["curve"] = [{k: v for k, v in point.items() if k not in timing} for point in record["curve"]]
    return out


def test_worker_processes_train_the_same_runs_to_the_same_results(fixture_dir, tmp_path):
    """--workers: runs whose tuning has chosen a rate train at once in spawned processes; every
    run is seeded, so the files match those of one process exactly, seed and sensitivity runs too."""
    only = ["ItemPop", "MeanPooling", "HCN"]
    run(fixture_dir, tmp_path / "one", only=only)
    run(fixture_dir, tmp_path / "three", only=only, workers=3)
    files = {
        p.relative_to(tmp_path / "one" / "results"): p
        for p in (tmp_path / "one" / "results" / "runs").rglob("*.json")
    }
    assert {Path("runs/HCN-s1.json"), Path("runs/HCN-n1-s0.json"), Path("runs/ItemPop-s0.json")} <= set(files)
    for rel, path in files.items():
        parallel = tmp_path / "three" / "results" / rel
        assert comparable(json.loads(parallel.read_text())) == comparable(json.loads(path.read_text())), rel
    assert sorted(p.name for p in (tmp_path / "three" / "results" / "runs").rglob("*.json")) == sorted(
        p.name for p in files.values()
    )


def test_a_suite_needs_at_least_one_worker(fixture_dir, tmp_path):
    with pytest.raises(ValueError, match="workers"):
        run(fixture_dir, tmp_path, workers=0)


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_a_run_on_the_gpu_matches_the_cpu_run_within_float_noise(fixture_dir, tmp_path):
    budget = {"epochs": 3, "patience": 0, "positions_per_user": 2, "batch_size": 64}
    run(fixture_dir, tmp_path / "cpu", only=["HCN-literal"], budget=budget, max_runs=1)
    run(fixture_dir, tmp_path / "gpu", only=["HCN-literal"], budget=budget, max_runs=1, device="cuda")
    (cpu,) = (tmp_path / "cpu" / "results" / "runs" / "tune").glob("*.json")
    gpu = json.loads((tmp_path / "gpu" / "results" / "runs" / "tune" / cpu.name).read_text())
    cpu = json.loads(cpu.read_text())
    assert gpu["configs"]["train"]["device"] == "cuda" and cpu["configs"]["train"]["device"] == "cpu"
    for a, b in zip(cpu["curve"], gpu["curve"]):
        assert b["loss"] == pytest.approx(a["loss"], rel=1e-3)
        assert b["val_auc"] == pytest.approx(a["val_auc"], abs=2e-3)


def test_a_finished_suite_is_rechecked_under_another_budget_with_its_choices(fixture_dir, tmp_path):
    only = ["MeanPooling", "HCN"]
    run(fixture_dir, tmp_path / "tuned", only=only)
    source = tmp_path / "tuned" / "results"
    with pytest.raises(ValueError, match="no finished tuning"):
        run(fixture_dir, tmp_path / "x", only=["MIND"], choices_from=source)
    patient = {"epochs": 4, "patience": 2, "positions_per_user": 2, "batch_size": 64}
    run(fixture_dir, tmp_path / "check", only=only, budget=patient, choices_from=source)
    results = tmp_path / "check" / "results"
    assert not (results / "runs" / "tune").exists()  # nothing tuned again
    for model in only:
        chosen = suite.tune_runs(source, model, LRS)[1]
        for seed in (0, 1):
            record = json.loads((results / "runs" / f"{model}-s{seed}.json").read_text())
            assert record["lr"] == chosen["lr"] and record["role"] == "seed"
            assert record["configs"]["train"]["patience"] == 2 and record["choices_from"] == str(source)
            assert {k: record["reading"][k] for k in chosen["chosen_reading"]} == chosen["chosen_reading"]
    assert "No tuning here" in (results / "report.md").read_text()


def test_going_on_past_the_cap_is_the_run_started_with_the_larger_cap(fixture_dir, tmp_path):
    from hcn.config import DataConfig, TrainConfig

    data_cfg = DataConfig(dataset="csv", path=str(fixture_dir))
    model_cfg = registry.MODELS["HCN"].config({}, dim=8, positions=True)

    def train(epochs, extend_cap=None):
        cfg = TrainConfig(epochs=epochs, patience=0, positions_per_user=2, batch_size=64, lr=1e-2)
        out = hcn.train.run_experiment(
            data_cfg,
            model_cfg,
            cfg,
            tmp_path / str(epochs),
            progress=lambda line: None,
            extend_cap=extend_cap,
        )
        return comparable(out)

    asked = []
    extended = train(2, extend_cap=lambda best, cap: asked.append((best, cap)) or (4 if cap == 2 else None))
    full = train(4)
    first_two = max(full["curve"][:2], key=lambda point: point["val_auc"])["epoch"]  # the first best
    assert asked == [(first_two, 2), (full["metrics"]["best_epoch"], 4)]
    assert extended == full and len(full["curve"]) == 4
