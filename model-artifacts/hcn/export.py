"""Export a trained Recommender as the service's bundle (docs/bundle-format.md):
user_tower.onnx, items.f32, item_ids.i64, golden.json, demo_histories.json, manifest.json and, when
the data set has an item file, items_meta.json (hcn.items_meta).

    python -m hcn.export --run runs/hcn-ml1m --out bundles/hcn-ml1m [--name hcn-ml1m]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn
import torch.nn.functional as F

from hcn.evaluate import spread_figures
from hcn.items_meta import read_dataset_meta, write_items_meta
from hcn.layers import ItemTower, aggregate_catalogue
from hcn.model import HCN
from hcn.registry import describe

OPSET = 17
GOLDEN_TOLERANCE = {"interests_abs": 1e-4, "score_abs": 1e-4}


class FrozenItemTable(nn.Module):
    """Looks rows up in the precomputed item-tower table (the same numbers as items.f32)."""

    def __init__(self, table: torch.Tensor):
        super().__init__()
        self.register_buffer("table", table)

    def forward(self, rows):
        return F.embedding(rows, self.table)


def tower_form(model_cfg) -> str:
    """The exact form of HCN's attention that costs less at serving time: per layer the literal form
    projects the whole sequence (2 L D^2 multiply-adds for keys and values), the re-associated one
    attends with the n*h folded queries instead (2 n h L D), so it wins where h * n < D."""
    return "reassociated" if model_cfg.heads * model_cfg.n < model_cfg.dim else "literal"


def export_user_tower(user_tower: nn.Module, item_table: torch.Tensor, form: str | None = None) -> nn.Module:
    """Eval-mode copy of the tower whose history embedding is a plain table lookup; HCN's attention
    in `form` (default: tower_form of its configuration)."""
    tower = copy.deepcopy(user_tower).eval()
    if isinstance(getattr(tower, "items", None), ItemTower):
        tower.items = FrozenItemTable(item_table)
    if isinstance(tower, HCN):
        form = form or tower_form(tower.cfg)
        tower.set_form(form)
        if form == "reassociated":
            tower.freeze()  # exact; a serving tower must not refold the weight products per request
    return tower


def _declare_output_shape(path: Path, n: int, dim: int) -> None:
    """The exporter leaves the output's n dimension symbolic (it comes out of reshapes); declare
    [batch, n, D] so readers can check it against the manifest."""
    model = onnx.load(str(path))
    dims = model.graph.output[0].type.tensor_type.shape.dim
    dims[0].dim_param = "batch"
    for d, value in zip(dims[1:], (n, dim)):
        d.dim_value = value
    onnx.save(model, str(path))


def write_tower_onnx(
    tower: nn.Module, path, long_length: int, short_length: int, n_feat: int, n: int, dim: int
):
    """The tower as ONNX opset 17 with the bundle's signature (docs/bundle-format.md): int64
    long_ids [B, long], short_ids [B, short], user_features [B, F] -> float32 interests [B, n, D]."""
    dummy = (
        torch.zeros(2, long_length, dtype=torch.long),
        torch.ones(2, short_length, dtype=torch.long),
        torch.zeros(2, n_feat, dtype=torch.long),
    )
    names = ["long_ids", "short_ids", "user_features"]
    torch.onnx.export(
        tower,
        dummy,
        str(path),
        input_names=names,
        output_names=["interests"],
        dynamic_axes={k: {0: "batch"} for k in names + ["interests"]},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    _declare_output_shape(Path(path), n, dim)
    onnx.checker.check_model(str(path))


def preprocess(history, features, id_to_row, feature_specs, long_length, short_length):
    """The bundle's sequence convention: map ids to rows, drop unknown ids, short window = the
    `short_length` most recent, long window = the `long_length` before; both left-padded with 0."""
    rows = [id_to_row[i] for i in history if i in id_to_row]
    short = rows[-short_length:] if rows else []
    rest = rows[: len(rows) - len(short)]
    long = rest[-long_length:] if rest else []
    long = [0] * (long_length - len(long)) + long
    short = [0] * (short_length - len(short)) + short
    feats = [vocab.get(str(features[name]), 0) if name in features else 0 for name, vocab in feature_specs]
    return long, short, feats


def top_k(interests, item_table, item_ids, candidate_rows, k, temperature):
    """Exact top-k by Eq. 8; ties broken by external id ascending."""
    rows = torch.as_tensor(candidate_rows, dtype=torch.long)
    if len(rows) == 0:
        return []
    scores = aggregate_catalogue(interests.unsqueeze(0), item_table[rows], temperature)[0].numpy()
    ids = item_ids[rows.numpy()]
    order = np.lexsort((ids, -scores))[:k]
    return [{"item_id": int(ids[i]), "score": float(scores[i])} for i in order]


def golden_cases(tower, item_table, item_ids, feature_specs, cfg_model, long_length, short_length, inputs):
    """Runs every input case ({name, history, user_features, candidates, k}) through PyTorch."""
    id_to_row = {int(i): r for r, i in enumerate(item_ids) if r > 0}
    all_rows = list(range(1, len(item_ids)))
    cases = []
    with torch.no_grad():
        for case in inputs:
            long, short, feats = preprocess(
                case["history"], case["user_features"], id_to_row, feature_specs, long_length, short_length
            )
            interests = tower(torch.tensor([long]), torch.tensor([short]), torch.tensor([feats]))[0]
            if case["candidates"] is None:
                rows = all_rows
            else:  # unknown ids dropped, duplicates scored once
                rows = list(dict.fromkeys(id_to_row[c] for c in case["candidates"] if c in id_to_row))
            topk = top_k(interests, item_table, item_ids, rows, case["k"], cfg_model.temperature)
            cases.append(
                {
                    **{key: case[key] for key in ("name", "history", "user_features")},
                    "long_ids": long,
                    "short_ids": short,
                    "feature_ids": feats,
                    "interests": interests.tolist(),
                    "candidates": case["candidates"],
                    "k": case["k"],
                    "topk": topk,
                }
            )
    return {"format": "hcn-golden/1", "tolerance": GOLDEN_TOLERANCE, "cases": cases}


def golden_diversity(golden: dict, table: np.ndarray | None = None, temperature: float = 1.0) -> dict:
    """How distinct the n interests of the golden cases are: what a reader of the bundle can check
    against the golden file itself, without the data set (1.0 / 0.0 = one vector n times). With the
    item table, also how many of them Eq. 8 uses (`interest_use`): distinct interests that no item
    scores well never weigh in a ranking."""
    interests = np.asarray([c["interests"] for c in golden["cases"]], dtype=np.float64)
    if interests.shape[1] < 2:
        return {"cases": len(interests)}
    out = {"cases": len(interests), **spread_figures(interests)}
    if table is not None:
        with_history = [np.asarray(c["interests"]) for c in golden["cases"] if c["history"]]
        out["interest_use"] = interest_use(
            np.stack(with_history), np.asarray(table[1:], np.float64), temperature
        )
    return out


def interest_use(
    interests: np.ndarray, items: np.ndarray, temperature: float, top: int = 100, neighbours: int = 10
) -> dict:
    """Over users [U, n, D] and the catalogue [N, D], per user (means over users):
    * `neighbour_jaccard`: the mean pairwise Jaccard overlap of the interests' `neighbours` best
      items (1 = every interest points at the same items, as n copies of one vector do; 0 = disjoint);
    * `weight_share`: on the user's `top` items by Eq. 8, the mean softmax weight of each interest,
      sorted from the largest (near-copies share it evenly, so read it with the overlap);
    * `never_positive`: interests that score no catalogue item above 0, so never lead a ranking."""
    jaccard, shares, never = [], [], []
    n = interests.shape[1]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    for u in interests:
        s = items @ u.T  # [N, n]
        near = [set(np.argsort(-s[:, k], kind="stable")[:neighbours].tolist()) for k in range(n)]
        jaccard.append(np.mean([len(near[i] & near[j]) / len(near[i] | near[j]) for i, j in pairs]))
        z = s / temperature
        a = np.exp(z - z.max(axis=1, keepdims=True))
        a /= a.sum(axis=1, keepdims=True)
        best = np.argsort(-(a * s).sum(axis=1), kind="stable")[:top]
        shares.append(np.sort(a[best].mean(axis=0))[::-1])
        never.append(int((s.max(axis=0) <= 0).sum()))
    return {
        "users": len(interests),
        "neighbours": neighbours,
        "neighbour_jaccard": float(np.mean(jaccard)),
        "top": top,
        "weight_share": [round(float(x), 4) for x in np.mean(shares, axis=0)],
        "never_positive": float(np.mean(never)),
    }


def standard_golden_inputs(
    demo_users: dict, item_ids: np.ndarray, feature_specs, long_length, short_length, seed=0
):
    """>= 20 cases covering the kinds the contract requires, built from demo users and the catalogue."""
    rng = np.random.default_rng(seed)
    known = [int(i) for i in item_ids[1:]]
    unknown = [max(known) + 1, max(known) + 7, -5]
    full = {name: next(iter(vocab)) for name, vocab in feature_specs}
    first = dict(list(full.items())[:1])
    users = sorted(demo_users, key=lambda u: (u != "42", len(demo_users[u]["history"])))

    def pick(m, repeat=False):
        size = m if repeat else min(m, len(known))
        return [int(x) for x in rng.choice(known, size=size, replace=repeat and m > len(known))]

    cases = [
        {
            "name": "empty-history-whole-catalogue",
            "history": [],
            "user_features": {},
            "candidates": None,
            "k": 100,
        },
        {
            "name": "empty-history-features",
            "history": [],
            "user_features": full,
            "candidates": pick(30),
            "k": 10,
        },
        {
            "name": "unknown-items-in-history",
            "history": pick(10)[:5] + unknown + pick(5),
            "user_features": full,
            "candidates": pick(40),
            "k": 10,
        },
        {
            "name": "only-unknown-items",
            "history": unknown,
            "user_features": {},
            "candidates": pick(20),
            "k": 5,
        },
        {
            "name": "partial-features",
            "history": pick(12),
            "user_features": first,
            "candidates": pick(40),
            "k": 10,
        },
        {
            "name": "unknown-feature-values",
            "history": pick(12),
            "user_features": {**{n: "no-such-value" for n, _ in feature_specs}, "not-a-feature": "x"},
            "candidates": pick(40),
            "k": 10,
        },
        {
            "name": "history-longer-than-windows",
            "history": pick(long_length + short_length + 37, repeat=True),
            "user_features": full,
            "candidates": pick(60),
            "k": 20,
        },
        {"name": "short-history", "history": pick(3), "user_features": full, "candidates": pick(25), "k": 10},
        {
            "name": "candidates-unknown-and-duplicates",
            "history": pick(30),
            "user_features": full,
            "candidates": (lambda c: c + c[:5] + unknown)(pick(30)),
            "k": 15,
        },
        {
            "name": "k-larger-than-candidates",
            "history": pick(20),
            "user_features": full,
            "candidates": pick(6),
            "k": 10,
        },
    ]
    for u in users[:12]:
        user = demo_users[u]
        whole = u == users[0]
        cases.append(
            {
                "name": f"demo-user-{u}" + ("-whole-catalogue" if whole else ""),
                "history": user["history"],
                "user_features": user["features"],
                "candidates": None if whole else pick(50),
                "k": 100 if whole else 10,
            }
        )
    return cases


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_bundle(
    out_dir,
    *,
    name: str,
    model,
    model_cfg,
    long_length: int,
    short_length: int,
    item_ids: np.ndarray,
    feature_specs: list,
    demo_users: dict,
    data_info: dict,
    metrics: dict,
    golden_inputs: list | None = None,
    diagnostics: dict | None = None,
    items_meta: dict | None = None,
    train_cfg=None,
) -> Path:
    """Writes the bundle to out_dir. feature_specs: [(name, {raw value: index 1..V})] in tower order;
    item_ids: int64 [R] external id per row, row 0 = -1; items_meta: {external id: {"title",
    "features"}} or None (no items_meta.json); train_cfg: the run's TrainConfig, for the training
    settings a reading records (None for a bundle not trained by hcn.train)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    item_ids = np.asarray(item_ids, dtype=np.int64)
    with torch.no_grad():
        table = model.item_tower.all_rows().float().contiguous()
        table[0] = 0.0
    tower = export_user_tower(model.user_tower, table)

    table.numpy().astype("<f4").tofile(out / "items.f32")
    item_ids.astype("<i8").tofile(out / "item_ids.i64")

    n_feat = len(feature_specs)
    write_tower_onnx(
        tower, out / "user_tower.onnx", long_length, short_length, n_feat, model_cfg.n, model_cfg.dim
    )

    if golden_inputs is None:
        golden_inputs = standard_golden_inputs(demo_users, item_ids, feature_specs, long_length, short_length)
    golden = golden_cases(
        tower, table, item_ids, feature_specs, model_cfg, long_length, short_length, golden_inputs
    )
    (out / "golden.json").write_text(json.dumps(golden))
    (out / "demo_histories.json").write_text(json.dumps({"users": demo_users}))

    files = ["user_tower.onnx", "items.f32", "item_ids.i64", "golden.json", "demo_histories.json"]
    meta_file = write_items_meta(out, item_ids, items_meta) if items_meta is not None else None
    files += [meta_file] if meta_file else []
    hashes = {f: sha256(out / f) for f in files}
    now = datetime.now(timezone.utc)
    manifest = {
        "format": "hcn-bundle/1",
        "name": name,
        "version": f"{now:%Y%m%d}-{hashes['user_tower.onnx'][:8]}",
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model": {
            "type": model_cfg.type,
            "n": model_cfg.n,
            "dim": model_cfg.dim,
            "heads": model_cfg.heads,
            "layers": model_cfg.layers,
            "long_length": long_length,
            "short_length": short_length,
            "temperature": model_cfg.temperature,
            "cin_concat": model_cfg.cin_concat,
            "reading": describe(model_cfg, train_cfg),
            "config": dataclasses.asdict(model_cfg),
        },
        "tower": {
            "file": "user_tower.onnx",
            "opset": OPSET,
            "form": tower_form(model_cfg) if isinstance(tower, HCN) else "literal",
            "inputs": [
                {"name": "long_ids", "dtype": "int64", "shape": [-1, long_length]},
                {"name": "short_ids", "dtype": "int64", "shape": [-1, short_length]},
                {"name": "user_features", "dtype": "int64", "shape": [-1, n_feat]},
            ],
            "outputs": [{"name": "interests", "dtype": "float32", "shape": [-1, model_cfg.n, model_cfg.dim]}],
        },
        "items": {
            "embeddings": "items.f32",
            "ids": "item_ids.i64",
            "rows": int(len(item_ids)),
            "dim": model_cfg.dim,
        },
        "user_features": [{"name": n, "vocab": dict(v)} for n, v in feature_specs],
        "demo_histories": "demo_histories.json",
        "golden": "golden.json",
        **({"items_meta": meta_file} if meta_file else {}),
        "data": data_info,
        "metrics": metrics,
        "files": hashes,
    }
    manifest["golden_diversity"] = golden_diversity(golden, table.numpy(), model_cfg.temperature)
    if diagnostics:
        manifest["diagnostics"] = diagnostics
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def export_run(run_dir, out_dir, name=None) -> Path:
    """Exports the checkpoint of a hcn.train run folder, with its data set's demo users."""
    from hcn.checkpoint import load_run
    from hcn.data import load_dataset
    from hcn.evaluate import diagnostics

    data_cfg, model_cfg, train_cfg, model, metrics = load_run(run_dir)
    ds = load_dataset(data_cfg)
    return export_bundle(
        out_dir,
        name=name or Path(out_dir).name,
        model=model,
        model_cfg=model_cfg,
        long_length=data_cfg.long_length,
        short_length=data_cfg.short_length,
        item_ids=ds.item_ids,
        feature_specs=ds.feature_specs,
        demo_users=ds.demo_users(),
        data_info=ds.info(),
        metrics=metrics,
        diagnostics=diagnostics(model, ds, "test"),
        items_meta=read_dataset_meta(data_cfg.dataset, data_cfg.resolved_path()),
        train_cfg=train_cfg,
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="folder written by hcn.train")
    p.add_argument("--out", required=True)
    p.add_argument("--name")
    a = p.parse_args(argv)
    print(f"wrote {export_run(a.run, a.out, a.name)}")


if __name__ == "__main__":
    main()
