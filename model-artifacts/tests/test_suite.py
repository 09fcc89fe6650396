"""The suite runner on a tiny generated fixture (generic CSV format): summary with every model,
report, curve plot, learning-rate choice on validation, and resumption (finished runs skipped)."""

import json

import numpy as np
import pytest

import hcn.train
from conftest import synthetic_events, write_csv
from hcn import suite


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    # 150 items: more than the 100 evaluation negatives plus the longest history.
    events = synthetic_events(users=24, items=150, min_events=6, max_events=15, seed=7)
    return write_csv(tmp_path_factory.mktemp("suite-data"), events, items=150)


LRS = (2e-3, 1e-2)  # two rates keep the test short; the suite's default grid is suite.LRS


def run(fixture_dir, out, **kw):
    return suite.run_suite(
        "csv",
        data_path=str(fixture_dir),
        results_dir=out / "results",
        work_dir=out / "work",
        seeds=2,
        lrs=LRS,
        sensitivity=(1, 8),
        budget={"epochs": 1, "positions_per_user": 2, "batch_size": 64},
        model_args={"dim": 8},
        plot_every_run=False,  # the plot is still drawn once at the end
        progress=lambda line: None,
        **kw,
    )


def test_suite_runs_everything_then_resumes_without_retraining(fixture_dir, tmp_path, monkeypatch):
    calls = []
    real = hcn.train.run_experiment

    def counting(*args, **kwargs):
        calls.append(args[1].type)
        return real(*args, **kwargs)

    monkeypatch.setattr(hcn.train, "run_experiment", counting)
    # 9 models x (2 tuning rates + 1 more seed) + HCN n=1 = 28 runs; interrupt after 3.
    run(fixture_dir, tmp_path, max_runs=3)
    assert len(calls) == 3
    summary = run(fixture_dir, tmp_path)
    assert len(calls) == 28
    results = tmp_path / "results"

    assert set(suite.MODELS) <= set(summary)
    on_disk = json.loads((results / "summary.json").read_text())
    assert set(on_disk) == set(suite.MODELS) | {"sensitivity_n"}
    for model in suite.MODELS:
        runs = [json.loads((results / "runs" / f"{model}-s{s}.json").read_text()) for s in (0, 1)]
        assert on_disk[model]["auc"]["mean"] == pytest.approx(np.mean([r["metrics"]["auc"] for r in runs]))
        assert on_disk[model]["auc"]["std"] == pytest.approx(
            np.std([r["metrics"]["auc"] for r in runs], ddof=1)
        )
        for key in ("gauc", "hr50", "ndcg50", "hr100", "ndcg100"):
            assert 0.0 <= on_disk[model][key]["mean"] <= 1.0
        assert ("pearson" in on_disk[model]) == (model not in suite.BASELINE_MODELS[:4])
        # Seed 0 is the tuning run with the better VALIDATION AUC; seed 1 reuses its rate.
        grid = {
            lr: json.loads((results / "runs" / "tune" / f"{model}-lr{lr:g}-s0.json").read_text())
            for lr in LRS
        }
        best = max(LRS, key=lambda lr: (grid[lr]["metrics"]["val_auc"], -LRS.index(lr)))
        assert runs[0]["lr"] == runs[1]["lr"] == best
        assert runs[0]["metrics"] == grid[best]["metrics"]
        assert runs[1]["configs"]["train"]["seed"] == 1
    assert set(on_disk["sensitivity_n"]) >= {"1", "8"}

    report = (results / "report.md").read_text()
    for heading in ("Table 3", "Table 4", "Table 5", "Table 7", "Figure 6", "Verdict"):
        assert heading in report
    assert (results / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # A third invocation finds everything done: nothing is trained, run files stay untouched.
    stamps = {p: p.stat().st_mtime_ns for p in (results / "runs").rglob("*.json")}
    run(fixture_dir, tmp_path)
    assert len(calls) == 28
    assert {p: p.stat().st_mtime_ns for p in (results / "runs").rglob("*.json")} == stamps


def test_unknown_model_is_rejected(fixture_dir, tmp_path):
    with pytest.raises(ValueError, match="unknown model"):
        run(fixture_dir, tmp_path, only=["DIN"])


def test_dry_run_lists_the_plan_without_training(fixture_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(hcn.train, "run_experiment", lambda *a, **k: pytest.fail("dry run trained"))
    lines = []
    suite.run_suite(
        "csv",
        data_path=str(fixture_dir),
        results_dir=tmp_path,
        only=["HCN"],
        dry_run=True,
        progress=lines.append,
    )
    assert any("HCN-lr0.002-s0" in line and "todo" in line for line in lines)
    assert any("HCN-n16-s0" in line for line in lines)
