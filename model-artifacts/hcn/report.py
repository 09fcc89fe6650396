"""Summary, report and training-curve plot of a suite's results folder, rebuilt from its run files:
summary.json (model -> metric -> mean / std over seeds), report.md (tables laid out like the
paper's Tables 3, 4, 5, 7 and Figure 6), curves.png (validation AUC per epoch)."""

from __future__ import annotations

import json
import re
import math
from pathlib import Path

from hcn import registry

METRICS = ("auc", "gauc", "hr50", "ndcg50", "hr100", "ndcg100", "pearson")
ALL_MODELS = registry.names()  # report order = the registry's
# Rows of the paper's tables; our names.
TABLE3 = tuple(m for m in ALL_MODELS if registry.MODELS[m].ablation_of is None)
TABLE4 = ("ComiRec-SA", "MIND", "HCN-literal", "HCN")
TABLE5 = (("w/o HIN and CIN", "HCN-noHIN-noCIN"), ("w/o CIN", "HCN-noCIN"), ("HCN (literal)", "HCN-literal"))
SINGLE_VECTOR = registry.names("single")
BASELINES = tuple(m for m in TABLE3 if not m.startswith("HCN"))


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


def split_stale(runs: list[dict]) -> tuple[list[dict], list[dict]]:
    """(current, stale): a seed or sensitivity run is stale when its rate or reading differs from its
    model's seed-0 run, which follows the choice. That happens when a tuning run changed the choice
    and the suite has not yet rerun the other seeds; stale runs are left out of every figure."""
    chosen = {r["model"]: (r["lr"], r.get("reading")) for r in runs if r["role"] == "seed" and r["seed"] == 0}
    current, stale = [], []
    for r in runs:
        made_as = (r["lr"], r.get("reading"))
        is_stale = r["role"] in ("seed", "sensitivity") and chosen.get(r["model"], made_as) != made_as
        (stale if is_stale else current).append(r)
    return current, stale


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


def seed_metric(runs: list[dict], model: str, metric: str) -> dict:
    return {r["seed"]: r["metrics"][metric] for r in runs if r["role"] == "seed" and r["model"] == model}


def verdict(summary: dict, runs: list[dict] | None = None) -> list[str]:
    """Does HCN (the chosen reading) beat each other row by more than 2x the seed std (the larger of
    the two models' sample std over seeds) on mean test AUC and on GAUC? Plus paired differences."""
    runs = runs or []
    hcn = summary.get("HCN")
    if hcn is None:
        return ["HCN has no finished run yet: no verdict."]
    lines = [
        f"HCN (chosen reading) AUC {hcn['auc']['mean']:.4f} ± {hcn['auc']['std']:.4f}, "
        f"GAUC {hcn['gauc']['mean']:.4f} ± {hcn['gauc']['std']:.4f} ({hcn['auc']['runs']} seed(s)). "
        "A win needs a margin above 2× the larger seed std on both AUC and GAUC, over at least 2 seeds.",
        "",
        "| vs | ΔAUC | 2×std | ΔGAUC | 2×std | paired ΔAUC per seed | HCN wins? |",
        "|---|---|---|---|---|---|---|",
    ]
    wins, missing = [], []
    for m in ALL_MODELS:
        if m == "HCN":
            continue
        other = summary.get(m)
        if other is None:
            missing.append(m)
            continue
        row, win = [m], hcn["auc"]["runs"] > 1
        for k in ("auc", "gauc"):
            d = hcn[k]["mean"] - other[k]["mean"]
            bar = 2 * max(hcn[k]["std"], other[k]["std"])
            win = win and d > bar
            row += [f"{d:+.4f}", f"{bar:.4f}"]
        a, b = seed_metric(runs, "HCN", "auc"), seed_metric(runs, m, "auc")
        if registry.MODELS[m].kind == "anchor":  # no seeds: the same numbers every time
            paired = [a[s] - b[0] for s in sorted(a)] if 0 in b else []
        else:
            paired = [a[s] - b[s] for s in sorted(set(a) & set(b))]
        row.append(", ".join(f"{x:+.4f}" for x in paired) or "–")
        row.append("YES" if win else "no")
        wins += [m] if win else []
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if not missing and len(wins) == len(ALL_MODELS) - 1:
        answer = "YES"
    else:
        answer = "NO" if len(wins) < len(ALL_MODELS) - 1 - len(missing) else "NOT YET DECIDED"
    lines.append(
        f"* **Does HCN beat every other row by more than 2× the seed std on AUC and GAUC? {answer}.** "
        + (f"Beaten: {', '.join(wins)}. " if wins else "Beaten: none. ")
        + (f"No finished run yet: {', '.join(missing)}." if missing else "")
    )
    return lines


def ended_by_cap(best_epoch: int, cap: int, patience: int) -> bool:
    """The cap, not early stopping, ended the run: its best epoch is less than `patience` epochs
    before the cap (patience 0: at the cap), so its validation AUC may still have been rising."""
    return best_epoch > cap - max(patience, 1)


def run_ended_by_cap(record: dict) -> bool:
    """ended_by_cap for a run file."""
    train = record["configs"]["train"]
    return ended_by_cap(record["metrics"]["best_epoch"], train["epochs"], train["patience"])


# A run "still rising" when early stopping ended it: its validation AUC at the best epoch is more
# than RISE_MIN above the value RISE_WINDOW epochs earlier (a sign that the patience is short).
RISE_WINDOW, RISE_MIN = 10, 0.01


def rise_before_best(record: dict) -> float | None:
    """Validation AUC gained over the RISE_WINDOW epochs before the best one; None for a short run."""
    curve, best = record["curve"], record["metrics"]["best_epoch"]
    if len(curve) < RISE_WINDOW + 2 or best < 1:
        return None
    return curve[best - 1]["val_auc"] - curve[max(0, best - 1 - RISE_WINDOW)]["val_auc"]


def budget_note(runs: list[dict]) -> list[str]:
    trained = [r for r in runs if r.get("curve")]
    if not trained:
        return []
    at_cap = [r["name"] for r in trained if run_ended_by_cap(r)]
    lines = [
        f"* Ended by the cap instead of early stopping: {len(at_cap)} of {len(trained)} runs"
        + (f" ({', '.join(sorted(at_cap))}): those may still have been improving." if at_cap else ": none.")
    ]
    rises = {r["name"]: rise_before_best(r) for r in trained if not run_ended_by_cap(r)}
    long_runs = [n for n, v in rises.items() if v is not None]
    rising = sorted(n for n in long_runs if rises[n] > RISE_MIN)
    lines.append(
        f"* Still rising when early stopping ended them: {len(rising)} of {len(long_runs)} runs of at least "
        f"{RISE_WINDOW + 2} epochs gained more than {RISE_MIN} validation AUC over the {RISE_WINDOW} epochs "
        "before their best one, so the patience may be short"
        + (f" ({', '.join(rising)})." if rising else ".")
    )
    edge = []
    for r in runs:
        grid = r.get("lr_grid")
        if r["role"] == "seed" and r["seed"] == 0 and grid and r["lr"] in (min(grid), max(grid)):
            edge.append(f"{r['model']} ({r['lr']:g} in {', '.join(f'{g:g}' for g in grid)})")
    lines.append(
        "* Chosen learning rate on the edge of its grid (after extension): "
        + (", ".join(edge) if edge else "none.")
    )
    cpu = [r.get("cpu_seconds") or r["metrics"].get("cpu_seconds") for r in trained]
    cpu = [c for c in cpu if c]
    if cpu:
        lines.append(
            f"* CPU time per run (1 thread): mean {sum(cpu) / len(cpu):.0f} s, max {max(cpu):.0f} s, "
            f"total {fmt_duration(sum(cpu))} over {len(cpu)} runs."
        )
    return lines


def diagnostics_table(runs: list[dict]) -> list[str]:
    """Pearson / relative spread per stage for the seed-0 run of every multi-vector model."""
    rows = [r for m in ALL_MODELS for r in runs if r["model"] == m and r["role"] == "seed" and r["seed"] == 0]
    rows = [r for r in rows if r.get("diagnostics")]
    if not rows:
        return []
    out = [
        "## Diversity diagnostics (seed 0, test users): mean pairwise Pearson / relative spread |u_k - ū| / |ū|",
        "",
        "| model | stage | Pearson | spread |",
        "|---|---|---|---|",
    ]
    for r in rows:
        for stage, v in r["diagnostics"].items():
            out.append(f"| {r['model']} | {stage} | {v['pearson']:.4f} | {v['spread']:.4f} |")
    chosen = [r for r in rows if r["model"] == "HCN" and r.get("reading")]
    if chosen:
        out += ["", f"HCN's chosen reading (on validation): `{json.dumps(chosen[0]['reading'])}`."]
    return out


def readings_table(tuning: list[dict]) -> list[str]:
    """HCN's candidate readings, each at its best rate on validation (seed 0): what each reading
    costs or gains in accuracy and in distinct interests. Test columns are for the record."""
    best = {}
    for r in tuning:
        if r["model"] != "HCN":
            continue
        key = re.sub(r"^HCN-|-?lr[^-]+-s0$", "", r["name"]) or "(default)"  # the reading's tag
        if key not in best or r["metrics"]["val_auc"] > best[key]["metrics"]["val_auc"]:
            best[key] = r
    if not best:
        return []
    out = [
        "## HCN's candidate readings (seed 0, each at its best rate on validation)",
        "",
        "| reading | lr | val AUC | test AUC | test Pearson |",
        "|---|---|---|---|---|",
    ]
    for reading, r in sorted(best.items(), key=lambda kr: -kr[1]["metrics"]["val_auc"]):
        m = r["metrics"]
        pearson = f"{m['pearson']:.4f}" if "pearson" in m else "–"
        out.append(
            f"| {reading.replace('-', ', ')} | {r['lr']:g} | {m['val_auc']:.4f} | {m['auc']:.4f} | {pearson} |"
        )
    return out + ["", "The row chosen for `HCN` is the first (highest validation AUC)."]


def pearson_verdict(summary: dict) -> list[str]:
    lines = []
    p = {m: summary.get(m, {}).get("pearson") for m in ("HCN", "MIND", "ComiRec-SA")}
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
    for m in ALL_MODELS:
        s = summary.get(m)
        out.append(
            f"| {m} | {cell(s and s['auc'])} | {cell(s and s['gauc'])} | {s['auc']['runs'] if s else 0} |"
        )
    base = [summary[m]["auc"]["mean"] for m in BASELINES if m in summary]
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
    for m in [m for m in ALL_MODELS if registry.MODELS[m].kind == "multi"]:
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
    for m in ALL_MODELS:
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


def lr_text(run: dict) -> str:
    return "–" if run.get("lr") is None else f"{run['lr']:g}"


def distinct_runs(runs: list[dict], tuning: list[dict]) -> list[dict]:
    """Every run once: a trained model's <model>-s0 file is a copy of its chosen tuning run."""
    copies = {f"{m}-s0" for m in ALL_MODELS if registry.MODELS[m].trains}
    return [r for r in runs if r["name"] not in copies] + tuning


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
            f"| {r['name']} | {r['role']} | {lr_text(r)} | {m['best_epoch']} | {m['val_auc']:.4f} | {m['auc']:.4f} "
            f"| {r['seconds']:.0f} |"
        )
    distinct = distinct_runs(runs, tuning)
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
    source = next((r["choices_from"] for r in runs if r.get("choices_from")), None)
    search = (
        f"* Hyper-parameter search (identical for every model): learning rate starting from {list(lrs)} on seed 0, "
        "extended past an edge that wins; for HCN also the reading (registry.HCN_READINGS); chosen by validation AUC; "
        "that run is the seed-0 result, seeds 1.. use the chosen rate and reading. Nothing is tuned on test."
        if source is None
        else f"* No tuning here: every model trains seeds 0.. with the learning rate and reading that {source}'s "
        "tuning chose on validation (`--choices-from`). Nothing is tuned on test."
    )
    out += [
        "* Metrics: global AUC over all (user, candidate) pairs (the paper's metric), GAUC = per-user AUC averaged, "
        "HR/NDCG@50/100 ranking the whole catalogue minus the user's history, Pearson = mean pairwise correlation of "
        "each test user's interest vectors (multi-vector models only).",
        f"* Budget per run (identical for every model): {budget}; Adam; the epoch with the best VALIDATION AUC is kept "
        "and evaluated once on test.",
        search,
        "* All models: the same item tower (id + genres), the same inputs (long + short windows, learned positions on "
        "for every model) and the same user-feature fusion (Eq. 7), loss Eq. 9; multi-vector models are scored with "
        "Eq. 8. ItemPop scores a candidate by its number of training events.",
        f"* Sensitivity (Figure 6): HCN with n in {list(sensitivity)}, seed 0, HCN's chosen rate and reading.",
        "* Std is the sample standard deviation over seeds (ddof = 1).",
    ]
    chosen = {}
    for r in tuning:
        tag = r["name"][len(r["model"]) + 1 : -len("-s0")]
        chosen.setdefault(r["model"], []).append((tag, r["metrics"]["val_auc"]))
    picks = {r["model"]: r["name"] for r in runs if r["role"] == "seed" and r["seed"] == 0}
    if chosen:
        out.append("* Validation AUC per (reading,) rate (chosen in bold):")
        for m in ALL_MODELS:
            if m in chosen:
                best = max(chosen[m], key=lambda kv: kv[1])[0] if m in picks else None
                grid = ", ".join(f"**{t}: {v:.4f}**" if t == best else f"{t}: {v:.4f}" for t, v in chosen[m])
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
    (runs, stale), tuning = split_stale(load_runs(results)), load_tuning(results)
    summary = summarize(runs)
    (results / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    lines = [
        f"# HCN suite results: {dataset}",
        "",
        "Generated by `python -m hcn.suite`; rebuilt from `runs/*.json`.",
        "",
    ]
    lines += ["## Verdict (test metrics; everything chosen on validation)", ""]
    distinct = distinct_runs(runs, tuning)
    lines += verdict(summary, runs) + [""] + pearson_verdict(summary) + budget_note(distinct)
    if stale:
        names = ", ".join(sorted(r["name"] for r in stale))
        lines.append(
            f"* Left out, made with an earlier choice of rate or reading (the suite reruns them): {names}."
        )
    lines += [""]
    lines += tables(summary) + [""] + readings_table(tuning) + [""] + diagnostics_table(runs) + [""]
    lines += protocol(runs, tuning, lrs, budget, sensitivity) + [""]
    lines += (
        ["## Training curves", "", "![validation AUC per epoch](curves.png)", ""]
        + run_table(runs, tuning)
        + [""]
    )
    (results / "report.md").write_text("\n".join(lines))
    if plot:
        plot_curves(runs, results / "curves.png", dataset)
    return summary
