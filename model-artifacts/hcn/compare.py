"""Two results folders of the same data set side by side, e.g. one suite under two budgets:

    python -m hcn.compare results/ml-100k results/ml-100k-p10

Prints a markdown table: per row, test AUC and GAUC (mean ± std over seeds) in each folder, the
difference of the means, the mean best epoch and the Pearson of the multi-vector rows; then each
folder's answer to the verdict question (does HCN beat every other row by more than 2× the seed
std?). Only the runs the report counts are used (stale seed runs are left out, as in report.md).
"""

from __future__ import annotations

import argparse
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("first", type=Path)
    p.add_argument("second", type=Path)
    a = p.parse_args(argv)
    for folder in (a.first, a.second):
        if not (folder / "runs").is_dir():
            raise SystemExit(f"error: {folder} is not a results folder (no runs/)")
    print("\n".join(compare(a.first, a.second)))


if __name__ == "__main__":
    main()
