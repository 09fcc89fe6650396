"""hcn.compare: two results folders side by side, from their run files."""

import json

import pytest

from hcn import compare


def write_runs(folder, aucs: dict, best_epoch: int):
    """One seed run file per (model, seed) with the given test AUC (GAUC = AUC - 0.01)."""
    for model, values in aucs.items():
        for seed, auc in enumerate(values):
            record = {
                "name": f"{model}-s{seed}",
                "model": model,
                "role": "seed",
                "seed": seed,
                "lr": 2e-3,
                "reading": {},
                "metrics": {"auc": auc, "gauc": auc - 0.01, "best_epoch": best_epoch},
                "curve": [{"epoch": e} for e in range(1, best_epoch + 4)],
                "configs": {"model": {"n": 8}},
            }
            path = folder / "runs" / f"{model}-s{seed}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(record))
    return folder


def test_two_folders_side_by_side_with_the_differences_and_each_verdict(tmp_path, capsys):
    short = write_runs(tmp_path / "short", {"HCN": [0.90, 0.92], "GRU4Rec": [0.93, 0.93]}, best_epoch=20)
    long = write_runs(tmp_path / "long", {"HCN": [0.95, 0.95], "GRU4Rec": [0.93, 0.94]}, best_epoch=60)
    compare.main([str(short), str(long)])
    out = capsys.readouterr().out
    (gru,) = [line for line in out.splitlines() if line.startswith("| GRU4Rec |")]
    assert gru.split(" | ")[1:4] == ["0.9300 ± 0.0000", "0.9350 ± 0.0071", "+0.0050"]
    assert "20 → 60" in gru and gru.endswith("| 2/2 |")
    assert "short: **Does HCN beat every other row by more than 2× the seed std on AUC and GAUC? NO." in out
    # Only GRU4Rec ran, and HCN beats it by more than 2x the std: beaten, but no answer for every row yet.
    assert (
        "long: **Does HCN beat every other row by more than 2× the seed std on AUC and GAUC? NOT YET DECIDED.** Beaten: GRU4Rec."
        in out
    )


def test_a_folder_without_runs_is_one_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="not a results folder"):
        compare.main([str(tmp_path), str(tmp_path)])


def test_run_by_run_compares_the_runs_both_folders_hold_and_filters_by_device(tmp_path, capsys):
    def run(folder, name, device, val_auc, best_epoch, cpu):
        record = {
            "metrics": {
                "val_auc": val_auc,
                "auc": val_auc - 0.01,
                "gauc": val_auc - 0.02,
                "best_epoch": best_epoch,
            },
            "configs": {"train": {"device": device}},
            "cpu_seconds": cpu,
        }
        path = tmp_path / folder / "runs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record))

    run("gpu", "tune/A-lr0.002-s0.json", "cuda", 0.9000, 12, 50)
    run("cpu", "tune/A-lr0.002-s0.json", "cpu", 0.9003, 12, 90)
    run("gpu", "B-s1.json", "cpu", 0.8000, 7, 40)
    run("cpu", "B-s1.json", "cpu", 0.8000, 8, 40)
    run("gpu", "C-s0.json", "cuda", 0.7000, 3, 10)  # only in the first folder
    compare.main([str(tmp_path / "gpu"), str(tmp_path / "cpu"), "--runs", "--device", "cuda"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| tune/") or line.startswith("| B-")]
    assert len(rows) == 1 and rows[0].startswith(
        "| tune/A-lr0.002-s0.json | cuda → cpu | 0.900000 | 0.900300 |"
    )
    assert "1 runs in both; same best epoch in 1; largest |Δ| val_auc 3.00e-04" in out
    compare.main([str(tmp_path / "gpu"), str(tmp_path / "cpu"), "--runs"])
    assert "2 runs in both; same best epoch in 1;" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        compare.main([str(tmp_path / "gpu"), str(tmp_path / "cpu"), "--device", "cuda"])
