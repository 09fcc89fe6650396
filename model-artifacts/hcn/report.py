"""Summary, report and training-curve plot of a suite's results folder, rebuilt from its run files:
summary.json (model -> metric -> mean / std over seeds), report.md (tables laid out like the
paper's Tables 3, 4, 5, 7 and Figure 6), curves.png (validation AUC per epoch)."""

from __future__ import annotations

import json
import math
from pathlib import Path

METRICS = ("auc", "gauc", "hr50", "ndcg50", "hr100", "ndcg100", "pearson")
# Row order of the paper's tables; our names.
TABLE3 = ("MeanPooling", "GRU4Rec", "SAMRec", "SASRec", "MIND", "ComiRec-SA", "HCN")
TABLE4 = ("ComiRec-SA", "MIND", "HCN")
TABLE5 = (("w/o HIN and CIN", "HCN-noHIN-noCIN"), ("w/o CIN", "HCN-noCIN"), ("HCN", "HCN"))
ALL_MODELS = TABLE3 + ("HCN-noCIN", "HCN-noHIN-noCIN")
SINGLE_VECTOR = ("MeanPooling", "GRU4Rec", "SAMRec", "SASRec")


def fmt_duration(seconds) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(round(seconds))
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def mean_std(values) -> dict:
    """Mean and sample standard deviation (ddof = 1; 0 for a single run)."""
    m = sum(values) / len(values)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return {"mean": m, "std": sd, "runs": len(values)}


def load_runs(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / "runs").glob("*.json"))]


def load_tuning(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / "runs" / "tune").glob("*.json"))]


def summarize(runs: list[dict]) -> dict:
    """{model: {metric: {mean, std, runs}}} over the main (per-seed) runs, plus sensitivity_n."""
    summary = {}
    for model in ALL_MODELS:
        main = [r for r in runs if r["role"] == "seed" and r["model"] == model]
        if main:
            summary[model] = {
                k: mean_std([r["metrics"][k] for r in main])
                for k in METRICS
                if all(k in r["metrics"] for r in main)
            }
    sens = {}
    for r in runs:
        if (r["role"] == "sensitivity") or (r["role"] == "seed" and r["model"] == "HCN" and r["seed"] == 0):
            n = r["configs"]["model"]["n"]
            sens[str(n)] = {
                k: r["metrics"][k] for k in ("auc", "gauc", "val_auc", "pearson") if k in r["metrics"]
            }
    if sens:
        summary["sensitivity_n"] = {
            "seed": 0,
            "model": "HCN",
            **dict(sorted(sens.items(), key=lambda kv: int(kv[0]))),
        }
    return summary


def cell(stat, scale=1.0, digits=4) -> str:
    if stat is None:
        return "–"
    return f"{stat['mean'] * scale:.{digits}f} ± {stat['std'] * scale:.{digits}f}"


def verdict(summary: dict) -> list[str]:
    lines = []
    hcn = summary.get("HCN", {}).get("auc")
    others = {m: summary[m]["auc"] for m in ALL_MODELS if m != "HCN" and m in summary}
    missing = [m for m in ALL_MODELS if m not in summary]
    if hcn is None:
        return ["HCN has no finished run yet: no verdict."]
    beaten = [m for m, s in others.items() if hcn["mean"] > s["mean"]]
    not_beaten = [m for m, s in others.items() if hcn["mean"] <= s["mean"]]
    best_other = max(others.items(), key=lambda kv: kv[1]["mean"]) if others else None
    answer = "YES" if not not_beaten and not missing else ("NO" if not_beaten else "NOT YET DECIDED")
    lines.append(
        f"* **Does HCN beat every baseline and both ablations on mean test AUC? {answer}.** "
        f"HCN {hcn['mean']:.4f} ± {hcn['std']:.4f} ({hcn['runs']} seed(s))"
        + (
            f"; best other: {best_other[0]} {best_other[1]['mean']:.4f} ± {best_other[1]['std']:.4f}"
            if best_other
            else ""
        )
        + "."
    )
    if not_beaten:
        lines.append(
            "  * Models at or above HCN: "
            + ", ".join(
                f"{m} {others[m]['mean']:.4f} ({others[m]['mean'] - hcn['mean']:+.4f})" for m in not_beaten
            )
            + "."
        )
    if beaten:
        lines.append(
            "  * Models below HCN: "
            + ", ".join(
                f"{m} {others[m]['mean']:.4f} ({others[m]['mean'] - hcn['mean']:+.4f})" for m in beaten
            )
            + "."
        )
        close = [m for m in beaten if hcn["mean"] - others[m]["mean"] < max(hcn["std"], others[m]["std"])]
        if close:
            lines.append(
                "  * Margins smaller than one standard deviation over seeds: " + ", ".join(close) + "."
            )
    if missing:
        lines.append("  * No finished run yet: " + ", ".join(missing) + ".")
    return lines


def budget_note(runs: list[dict]) -> list[str]:
    last = [r for r in runs if r["metrics"]["best_epoch"] == r["configs"]["train"]["epochs"]]
    if not runs:
        return []
    return [
        f"* {len(last)} of {len(runs)} runs had their best validation AUC at the last epoch: where that is most runs, "
        "the models were still improving and these numbers compare them under the equal, short budget, not at convergence."
    ]


def pearson_verdict(summary: dict) -> list[str]:
    lines = []
    p = {m: summary.get(m, {}).get("pearson") for m in TABLE4}
    if all(p.values()):
        below = p["HCN"]["mean"] < p["MIND"]["mean"] and p["HCN"]["mean"] < p["ComiRec-SA"]["mean"]
        lines.append(
            f"* **Is HCN's mean Pearson correlation below MIND's and ComiRec-SA's? {'YES' if below else 'NO'}.** "
            f"HCN {p['HCN']['mean']:.4f}, MIND {p['MIND']['mean']:.4f}, ComiRec-SA {p['ComiRec-SA']['mean']:.4f}."
        )
    else:
        lines.append("* Pearson comparison: not all of HCN, MIND and ComiRec-SA have finished runs yet.")
    return lines


def permille(a, b) -> str:
    return f"{(a - b) / b * 1000:+.1f}‰"


def tables(summary: dict) -> list[str]:
    out = [
        "## Table 3 — test AUC (mean ± std over seeds)",
        "",
        "| model | AUC | GAUC | seeds |",
        "|---|---|---|---|",
    ]
    for m in TABLE3 + ("HCN-noCIN", "HCN-noHIN-noCIN"):
        s = summary.get(m)
        out.append(
            f"| {m} | {cell(s and s['auc'])} | {cell(s and s['gauc'])} | {s['auc']['runs'] if s else 0} |"
        )
    base = [summary[m]["auc"]["mean"] for m in TABLE3[:-1] if m in summary]
    if "HCN" in summary and base:
        out.append(
            f"| Imprv. (HCN vs best baseline) | {permille(summary['HCN']['auc']['mean'], max(base))} | | |"
        )
    out += [
        "",
        "## Table 4 — mean pairwise Pearson correlation of the interest vectors (lower = more diverse)",
        "",
    ]
    out += ["| model | Pearson |", "|---|---|"]
    for m in TABLE4 + ("HCN-noCIN", "HCN-noHIN-noCIN"):
        s = summary.get(m)
        out.append(f"| {m} | {cell(s and s.get('pearson'))} |")
    out += [
        "",
        "## Table 5 — ablation of HIN and CIN (test AUC)",
        "",
        "| variant | model | AUC | Improve |",
        "|---|---|---|---|",
    ]
    ref = summary.get("HCN-noHIN-noCIN", {}).get("auc")
    for label, m in TABLE5:
        s = summary.get(m, {}).get("auc")
        imp = (
            "–" if (s is None or ref is None or m == "HCN-noHIN-noCIN") else permille(s["mean"], ref["mean"])
        )
        out.append(f"| {label} | {m} | {cell(s)} | {imp} |")
    out += ["", "## Table 7 — whole-catalogue ranking of the held-out item (%, mean ± std)", ""]
    out += ["| model | HR@50 | NDCG@50 | HR@100 | NDCG@100 |", "|---|---|---|---|---|"]
    for m in TABLE3 + ("HCN-noCIN", "HCN-noHIN-noCIN"):
        s = summary.get(m, {})
        out.append(
            "| "
            + " | ".join([m] + [cell(s.get(k), 100, 2) for k in ("hr50", "ndcg50", "hr100", "ndcg100")])
            + " |"
        )
    sens = summary.get("sensitivity_n")
    out += [
        "",
        "## Figure 6 — HCN's sensitivity to n (seed 0, test AUC; n = 8 is the main HCN seed-0 run)",
        "",
    ]
    out += ["| n | test AUC | test GAUC | val AUC | Pearson |", "|---|---|---|---|---|"]
    for n, r in (sens or {}).items():
        if n.isdigit():
            pear = f"{r['pearson']:.4f}" if "pearson" in r else "–"
            out.append(f"| {n} | {r['auc']:.4f} | {r['gauc']:.4f} | {r['val_auc']:.4f} | {pear} |")
    return out


def run_table(runs: list[dict], tuning: list[dict]) -> list[str]:
    out = [
        "## Every run",
        "",
        "| run | role | lr | best epoch | val AUC | test AUC | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in sorted(tuning, key=lambda r: r["name"]) + sorted(runs, key=lambda r: r["name"]):
        m = r["metrics"]
        out.append(
            f"| {r['name']} | {r['role']} | {r['lr']:g} | {m['best_epoch']} | {m['val_auc']:.4f} | {m['auc']:.4f} | {r['seconds']:.0f} |"
        )
    distinct = [r for r in runs if r["name"] != f"{r['model']}-s0"] + tuning  # seed-0 copies counted once
    total = sum(r["seconds"] for r in distinct)
    out += [
        "",
        f"Total training + evaluation time of the runs above: {fmt_duration(total)} (seed-0 copies counted once).",
    ]
    out += ["", "Mean wall-clock seconds per run (shared 2-core machine, 1 thread per run):", ""]
    out += ["| model | runs | mean s | max s |", "|---|---|---|---|"]
    for m in ALL_MODELS:
        secs = [r["seconds"] for r in distinct if r["model"] == m]
        if secs:
            out.append(f"| {m} | {len(secs)} | {sum(secs) / len(secs):.0f} | {max(secs):.0f} |")
    return out


def protocol(runs, tuning, lrs, budget, sensitivity) -> list[str]:
    info = next((r.get("data_info") for r in runs + tuning if r.get("data_info")), None)
    out = ["## Protocol", ""]
    if info:
        out.append(
            f"* Data: {info['dataset']} — {info['users']} users, {info['items']} items, {info['interactions']} "
            f"interactions; {info['split']}. Evaluation: held-out item + {info['negatives']['eval_per_user']} "
            f"never-touched items per user (seed {info['negatives']['seed']}, the same set for every model); "
            f"training: {info['negatives']['train_per_positive']} negatives per positive."
        )
    out += [
        "* Metrics: global AUC over all (user, candidate) pairs (the paper's metric), GAUC = per-user AUC averaged, "
        "HR/NDCG@50/100 ranking the whole catalogue minus the user's history, Pearson = mean pairwise correlation of "
        "each test user's interest vectors (multi-vector models only).",
        f"* Budget per run (identical for every model): {budget}; Adam; the epoch with the best VALIDATION AUC is kept "
        "and evaluated once on test.",
        f"* Hyper-parameter search (identical for every model): learning rate in {list(lrs)} on seed 0, chosen by "
        "validation AUC; that run is the seed-0 result, seeds 1.. use the chosen rate. Nothing is tuned on test.",
        "* All models: D = 48, the same item tower (id + genres), the same inputs (long 80 + short 20 window) and the "
        "same user-feature fusion (Eq. 7), loss Eq. 9; multi-vector models (n = 8) are scored with Eq. 8.",
        f"* Sensitivity (Figure 6): HCN with n in {list(sensitivity)}, seed 0, HCN's chosen rate.",
        "* Std is the sample standard deviation over seeds (ddof = 1).",
    ]
    chosen = {}
    for r in tuning:
        chosen.setdefault(r["model"], []).append(f"{r['lr']:g}: {r['metrics']['val_auc']:.4f}")
    picks = {r["model"]: r["lr"] for r in runs if r["role"] == "seed" and r["seed"] == 0}
    if chosen:
        out.append("* Validation AUC per rate (chosen rate in bold):")
        for m in ALL_MODELS:
            if m in chosen:
                grid = ", ".join(
                    f"**{g}**" if m in picks and g.startswith(f"{picks[m]:g}:") else g for g in chosen[m]
                )
                out.append(f"  * {m}: {grid}")
    return out


def plot_curves(runs: list[dict], path: Path, dataset: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(8, 5))
    for m in ALL_MODELS:
        for r in sorted(
            (r for r in runs if r["model"] == m and r["role"] == "seed"), key=lambda r: r["seed"]
        ):
            xs = [p["epoch"] for p in r["curve"]]
            ys = [p["val_auc"] for p in r["curve"]]
            first = r["seed"] == min(x["seed"] for x in runs if x["model"] == m and x["role"] == "seed")
            ax.plot(
                xs,
                ys,
                marker="o" if first else None,
                alpha=1.0 if first else 0.35,
                label=m if first else None,
                color=f"C{ALL_MODELS.index(m)}",
                linestyle="--" if m in SINGLE_VECTOR else "-",
            )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation AUC")
    ax.set_title(f"{dataset}: validation AUC per epoch (seed 0 marked, other seeds faint)")
    ax.grid(alpha=0.3)
    if ax.lines:
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(results: Path, dataset: str, lrs, budget, sensitivity, plot: bool = True) -> dict:
    results = Path(results)
    runs, tuning = load_runs(results), load_tuning(results)
    summary = summarize(runs)
    (results / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    lines = [
        f"# HCN suite results: {dataset}",
        "",
        "Generated by `python -m hcn.suite`; rebuilt from `runs/*.json`.",
        "",
    ]
    lines += ["## Verdict (test metrics; everything chosen on validation)", ""]
    distinct = [r for r in runs if r["name"] != f"{r['model']}-s0"] + tuning  # seed-0 runs are tuning copies
    lines += verdict(summary) + pearson_verdict(summary) + budget_note(distinct) + [""]
    lines += tables(summary) + [""] + protocol(runs, tuning, lrs, budget, sensitivity) + [""]
    lines += (
        ["## Training curves", "", "![validation AUC per epoch](curves.png)", ""]
        + run_table(runs, tuning)
        + [""]
    )
    (results / "report.md").write_text("\n".join(lines))
    if plot:
        plot_curves(runs, results / "curves.png", dataset)
    return summary
