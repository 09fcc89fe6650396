"""Two results folders of the same data set side by side, e.g. one suite under two budgets:

    python -m hcn.compare results/ml-100k results/ml-100k-p10
    python -m hcn.compare results/ml-100k-p10 /tmp/retrained --runs [--device cuda]

Prints a markdown table: per row, test AUC and GAUC (mean ± std over seeds) in each folder, the
difference of the means, the mean best epoch and the Pearson of the multi-vector rows; then each
folder's answer to the verdict question (does HCN beat every other row by more than 2× the seed
std?). Only the runs the report counts are used (stale seed runs are left out, as in report.md).

--runs compares run by run instead: every run file (tuning runs included) that both folders hold,
or with --device only those the first folder trained on that device (e.g. the same runs retrained
on CPU), with validation and test AUC, best epoch, device and CPU seconds of each, and the largest
differences.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hcn import report


def folder_figures(results: Path) -> tuple[dict, dict, list[str]]:
    """(summary, mean best epoch per model, verdict lines) of one results folder."""
    runs, _ = report.split_stale(report.load_runs(results))
    summary = report.summarize(runs)
    epochs = {}
    for r in runs:
        if r["role"] == "seed" and r.get("curve"):
            epochs.setdefault(r["model"], []).append(r["metrics"]["best_epoch"])
    return summary, {m: sum(v) / len(v) for m, v in epochs.items()}, report.verdict(summary, runs)


def compare(a: Path, b: Path) -> list[str]:
    (sa, ea, va), (sb, eb, vb) = folder_figures(a), folder_figures(b)
    lines = [
        f"| row | AUC {a.name} | AUC {b.name} | ΔAUC | GAUC {a.name} | GAUC {b.name} | ΔGAUC "
        f"| best epoch {a.name} → {b.name} | Pearson {a.name} → {b.name} | seeds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in report.ALL_MODELS:
        if m not in sa and m not in sb:
            continue
        row = [m]
        for k in ("auc", "gauc"):
            x, y = sa.get(m, {}).get(k), sb.get(m, {}).get(k)
            delta = f"{y['mean'] - x['mean']:+.4f}" if x and y else "–"
            row += [report.cell(x), report.cell(y), delta]
        row.append(f"{ea[m]:.0f} → {eb[m]:.0f}" if m in ea and m in eb else "–")
        pa, pb = sa.get(m, {}).get("pearson"), sb.get(m, {}).get("pearson")
        row.append(f"{pa['mean']:.3f} → {pb['mean']:.3f}" if pa and pb else "–")
        row.append("/".join(str(s.get(m, {}).get("auc", {}).get("runs", 0)) for s in (sa, sb)))
        lines.append("| " + " | ".join(row) + " |")
    for folder, verdict in ((a, va), (b, vb)):
        answer = next((line[2:] for line in verdict if line.startswith("* **Does HCN beat")), verdict[0])
        lines += ["", f"{folder.name}: {answer}"]
    return lines


RUN_COLUMNS = ("val_auc", "auc", "gauc")


def device_of(record: dict) -> str:
    return record.get("configs", {}).get("train", {}).get("device", "cpu")


def run_files(results: Path) -> dict[str, dict]:
    """Every run file of a results folder by its path under runs/ (tune/... included)."""
    runs = results / "runs"
    return {p.relative_to(runs).as_posix(): json.loads(p.read_text()) for p in sorted(runs.rglob("*.json"))}


def compare_runs(a: Path, b: Path, device: str | None = None) -> list[str]:
    ra, rb = run_files(a), run_files(b)
    names = [n for n in ra if n in rb and (device is None or device_of(ra[n]).startswith(device))]
    lines = [
        f"| run | device {a.name} → {b.name} | "
        + " | ".join(f"{c} {a.name} | {c} {b.name}" for c in RUN_COLUMNS)
        + f" | best epoch | CPU s {a.name} → {b.name} |",
        "|---|---|" + "---|---|" * len(RUN_COLUMNS) + "---|---|",
    ]
    worst = dict.fromkeys(RUN_COLUMNS, 0.0)
    epochs_equal = 0
    for n in names:
        x, y = ra[n], rb[n]
        mx, my = x["metrics"], y["metrics"]
        row = [n, f"{device_of(x)} → {device_of(y)}"]
        for c in RUN_COLUMNS:
            row += [f"{mx[c]:.6f}", f"{my[c]:.6f}"]
            worst[c] = max(worst[c], abs(mx[c] - my[c]))
        epochs_equal += mx["best_epoch"] == my["best_epoch"]
        row.append(f"{mx['best_epoch']} → {my['best_epoch']}")
        row.append(f"{x.get('cpu_seconds', 0):.0f} → {y.get('cpu_seconds', 0):.0f}")
        lines.append("| " + " | ".join(row) + " |")
    cpu = sum(rb[n].get("cpu_seconds", 0) for n in names)
    lines += [
        "",
        f"{len(names)} runs in both; same best epoch in {epochs_equal}; largest |Δ| "
        + ", ".join(f"{c} {worst[c]:.2e}" for c in RUN_COLUMNS)
        + f"; {b.name} CPU time over these runs {report.fmt_duration(cpu)}",
    ]
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("first", type=Path)
    p.add_argument("second", type=Path)
    p.add_argument("--runs", action="store_true", help="run by run instead of row by row")
    p.add_argument("--device", help="with --runs: only runs the first folder trained on this device")
    a = p.parse_args(argv)
    for folder in (a.first, a.second):
        if not (folder / "runs").is_dir():
            raise SystemExit(f"error: {folder} is not a results folder (no runs/)")
    if a.device and not a.runs:
        raise SystemExit("error: --device needs --runs")
    lines = compare_runs(a.first, a.second, a.device) if a.runs else compare(a.first, a.second)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
