import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

import onnx_numpy
from conftest import perturb_layer_norms, synthetic_events, write_ml1m
from hcn.config import DataConfig, ModelConfig, TrainConfig
from hcn.evaluate import mean_pairwise_pearson, relative_spread
from hcn.export import export_run, interest_use, preprocess
from hcn.synthetic import synthetic_bundle
from hcn.train import load_run, run_experiment

COMMITTED = Path(__file__).resolve().parents[1] / "bundles" / "hcn-ml1m"
REQUIRED_KINDS = (
    "empty",
    "unknown-items",
    "partial-features",
    "longer-than-windows",
    "duplicates",
    "whole-catalogue",
)


def eq8_numpy(interests, rows_matrix, temperature):
    s = rows_matrix.astype(np.float64) @ np.asarray(interests, dtype=np.float64).T  # [M, n]
    w = np.exp((s - s.max(1, keepdims=True)) / temperature)
    return (w / w.sum(1, keepdims=True) * s).sum(1)


def check_bundle(folder: Path, min_cases=20):
    """Everything a reader of the bundle contract may rely on; returns (manifest, golden)."""
    m = json.loads((folder / "manifest.json").read_text())
    assert m["format"] == "hcn-bundle/1"
    for name, digest in m["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    required = {"user_tower.onnx", "items.f32", "item_ids.i64", "golden.json", "demo_histories.json"}
    optional = {m["items_meta"]} if "items_meta" in m else set()
    assert set(m["files"]) == required | optional
    assert m["version"].endswith(m["files"]["user_tower.onnx"][:8])
    mc, n, d = m["model"], m["model"]["n"], m["model"]["dim"]
    ll, ls = mc["long_length"], mc["short_length"]

    model = onnx.load(str(folder / "user_tower.onnx"))
    onnx.checker.check_model(model)
    assert m["tower"]["opset"] == 17 and any(
        o.version == 17 for o in model.opset_import if o.domain in ("", "ai.onnx")
    )
    ins = {i.name: i for i in model.graph.input}
    f = len(m["user_features"])
    for name, width in (("long_ids", ll), ("short_ids", ls), ("user_features", f)):
        t = ins[name].type.tensor_type
        assert t.elem_type == onnx.TensorProto.INT64
        assert t.shape.dim[0].dim_param and t.shape.dim[1].dim_value == width  # dynamic batch
    out = model.graph.output[0]
    assert out.name == "interests" and [x.dim_value for x in out.type.tensor_type.shape.dim[1:]] == [n, d]

    rows = m["items"]["rows"]
    table = np.fromfile(folder / "items.f32", dtype="<f4").reshape(rows, d)
    ids = np.fromfile(folder / "item_ids.i64", dtype="<i8")
    assert len(ids) == rows and ids[0] == -1 and np.all(np.diff(ids[1:]) > 0)
    assert not table[0].any() and np.isfinite(table).all()
    id_to_row = {int(i): r for r, i in enumerate(ids) if r > 0}
    specs = [(x["name"], x["vocab"]) for x in m["user_features"]]

    golden = json.loads((folder / m["golden"]).read_text())
    assert golden["format"] == "hcn-golden/1" and len(golden["cases"]) >= min_cases
    # the manifest's diversity figures are those of the golden interests themselves
    interests = np.asarray([c["interests"] for c in golden["cases"]])
    diversity = m["golden_diversity"]
    assert diversity["cases"] == len(golden["cases"])
    assert diversity["pearson"] == pytest.approx(mean_pairwise_pearson(interests))
    assert diversity["spread"] == pytest.approx(relative_spread(interests))
    use = diversity["interest_use"]
    n = interests.shape[1]
    assert use["users"] == sum(1 for c in golden["cases"] if c["history"])
    assert 0 <= use["neighbour_jaccard"] <= 1 and 0 <= use["never_positive"] <= n
    assert len(use["weight_share"]) == n and sum(use["weight_share"]) == pytest.approx(1, abs=1e-3)
    assert use["weight_share"] == sorted(use["weight_share"], reverse=True)
    names = " ".join(c["name"] for c in golden["cases"])
    for kind in REQUIRED_KINDS:
        assert kind in names, kind
    assert any(c["candidates"] is None and c["k"] == 100 for c in golden["cases"])
    assert any(len(c["history"]) > ll + ls for c in golden["cases"])
    assert any(not c["history"] for c in golden["cases"])
    for c in golden["cases"]:
        long, short, feats = preprocess(c["history"], c["user_features"], id_to_row, specs, ll, ls)
        assert (c["long_ids"], c["short_ids"], c["feature_ids"]) == (long, short, feats), c["name"]
        interests = np.asarray(c["interests"])
        assert interests.shape == (n, d) and np.isfinite(interests).all()
        if c["candidates"] is None:
            cand_rows = list(range(1, rows))
        else:
            cand_rows = list(dict.fromkeys(id_to_row[x] for x in c["candidates"] if x in id_to_row))
        assert len(c["topk"]) == min(c["k"], len(cand_rows))
        scores = eq8_numpy(interests, table[cand_rows], mc["temperature"])
        expected = sorted(zip(-scores, ids[cand_rows]))[: c["k"]]
        got = [(t["item_id"], t["score"]) for t in c["topk"]]
        assert len({i for i, _ in got}) == len(got)  # duplicates scored once
        assert all(i in id_to_row for i, _ in got)  # unknown ids never returned
        for (neg_s, item), (gid, gscore) in zip(expected, got):
            assert gscore == pytest.approx(-neg_s, abs=1e-4)
            # ids must agree unless two candidates are tied within the tolerance
            if gid != item:
                assert abs(scores[cand_rows.index(id_to_row[gid])] + neg_s) <= 2e-4
        assert all(a[1] >= b[1] - 1e-6 for a, b in zip(got, got[1:]))
    # The .onnx file itself (run by an independent numpy interpreter, batched) gives the golden interests.
    cases = golden["cases"]
    feeds = {
        "long_ids": np.array([c["long_ids"] for c in cases], dtype=np.int64),
        "short_ids": np.array([c["short_ids"] for c in cases], dtype=np.int64),
        "user_features": np.array([c["feature_ids"] for c in cases], dtype=np.int64).reshape(len(cases), f),
    }
    (interests,) = onnx_numpy.run(folder / "user_tower.onnx", feeds)
    assert interests.shape == (len(cases), n, d) and interests.dtype == np.float32
    assert (
        np.abs(interests - np.array([c["interests"] for c in cases])).max()
        <= golden["tolerance"]["interests_abs"]
    )
    demo = json.loads((folder / m["demo_histories"]).read_text())
    assert all(set(v) == {"history", "features"} for v in demo["users"].values())
    if "items_meta" in m:
        meta = json.loads((folder / m["items_meta"]).read_text(encoding="utf-8"))
        assert meta["format"] == "hcn-items-meta/1"
        assert set(meta["items"]) <= {str(i) for i in id_to_row}  # only catalogue items
        assert all(
            isinstance(v["title"], str) and isinstance(v["features"], list) for v in meta["items"].values()
        )
    return m, golden


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("tiny")
    folder = write_ml1m(base / "data", synthetic_events(users=45, items=60, min_events=8, max_events=40))
    data_cfg = DataConfig(dataset="ml-1m", path=str(folder), long_length=10, short_length=4)
    model_cfg = ModelConfig(n=4, dim=16, heads=2, layers=2)
    train_cfg = TrainConfig(epochs=2, batch_size=64, positions_per_user=6, lr=5e-3)
    lines = []
    result = run_experiment(data_cfg, model_cfg, train_cfg, base / "run", progress=lines.append)
    return base, result, lines


def test_tiny_training_writes_metrics_curve_and_checkpoint(tiny_run):
    base, result, lines = tiny_run
    m = result["metrics"]
    for key in ("auc", "gauc", "hr50", "ndcg50", "hr100", "ndcg100", "pearson", "best_epoch"):
        assert key in m
    assert 0.0 <= m["auc"] <= 1.0 and 0.0 <= m["hr50"] <= m["hr100"] <= 1.0
    # 60 items, fewer than 50 of them unseen by most users: almost every held-out item is in the top 50
    assert m["hr100"] == 1.0
    assert len(result["curve"]) == 2 and len(lines) == 3
    best = max(result["curve"], key=lambda p: p["val_auc"])
    assert m["best_epoch"] == best["epoch"]
    saved = json.loads((base / "run" / "metrics.json").read_text())
    assert saved["metrics"]["auc"] == m["auc"]
    assert json.loads((base / "run" / "curve.json").read_text()) == result["curve"]


def test_tiny_export_is_a_valid_bundle(tiny_run):
    base, result, _ = tiny_run
    out = export_run(base / "run", base / "bundle", name="tiny")
    manifest, golden = check_bundle(out)
    assert manifest["name"] == "tiny" and manifest["metrics"]["auc"] == result["metrics"]["auc"]
    assert manifest["model"]["n"] == 4 and manifest["model"]["dim"] == 16
    assert manifest["items"]["rows"] == 61
    assert [f["name"] for f in manifest["user_features"]] == ["gender", "age", "occupation"]
    assert "42" in json.loads((out / "demo_histories.json").read_text())["users"]
    # titles and genres come from the data set's movies.dat (which lists 30 of the 60 items)
    meta = json.loads((out / manifest["items_meta"]).read_text())["items"]
    assert len(meta) == 30 and meta["10"] == {"title": "Movie 1 (1995)", "features": ["Comedy", "Drama"]}
    # golden interests are what the trained PyTorch model computes
    _, _, _, model, _ = load_run(base / "run")
    with torch.no_grad():
        for c in golden["cases"][:6]:
            got = model.user_tower(
                torch.tensor([c["long_ids"]]),
                torch.tensor([c["short_ids"]]),
                torch.tensor([c["feature_ids"]]),
            )[0]
            assert np.allclose(got.numpy(), np.asarray(c["interests"]), atol=1e-5), c["name"]
    # items.f32 is the item tower's output
    table = np.fromfile(out / "items.f32", dtype="<f4").reshape(61, 16)
    with torch.no_grad():
        assert np.allclose(model.item_tower.all_rows().numpy(), table, atol=1e-6)


def test_synthetic_bundle_with_long_sequences(tmp_path):
    out = synthetic_bundle(
        tmp_path / "syn", items=300, n=4, dim=16, long=500, short=50, seed=1, demo_users=30
    )
    manifest, golden = check_bundle(out)
    assert manifest["model"]["long_length"] == 500 and manifest["items"]["rows"] == 301
    meta = json.loads((out / manifest["items_meta"]).read_text())["items"]
    assert len(meta) == 300 and len({v["title"] for v in meta.values()}) == 300  # generated, distinct
    assert "42" in json.loads((out / "demo_histories.json").read_text())["users"]


def test_preprocess_follows_the_sequence_convention():
    id_to_row = {100: 1, 200: 2, 300: 3, 400: 4}
    specs = [("gender", {"F": 1, "M": 2}), ("age", {"18": 1})]
    long, short, feats = preprocess(
        [100, 999, 200, 300, 400], {"gender": "M", "x": "1"}, id_to_row, specs, 4, 2
    )
    assert short == [3, 4] and long == [0, 0, 1, 2] and feats == [2, 0]
    assert preprocess([], {}, id_to_row, specs, 3, 2) == ([0, 0, 0], [0, 0], [0, 0])


@pytest.mark.skipif(not COMMITTED.exists(), reason="no committed bundle")
def test_committed_bundle_is_valid():
    manifest, _ = check_bundle(COMMITTED)
    assert manifest["name"] == "hcn-ml1m"
    assert manifest["model"]["n"] == 8 and manifest["model"]["dim"] == 48
    assert manifest["data"]["users"] == 2999
    assert "auc" in manifest["metrics"]
    # the served model keeps n distinct interests (the literal reading served one vector n times)
    assert manifest["golden_diversity"]["pearson"] < 0.9
    demo = json.loads((COMMITTED / "demo_histories.json").read_text())["users"]
    assert "42" in demo and (COMMITTED / "demo_histories.json").stat().st_size < 2_000_000
    meta = json.loads((COMMITTED / manifest["items_meta"]).read_text(encoding="utf-8"))["items"]
    assert len(meta) == manifest["items"]["rows"] - 1  # every catalogue item has a title
    assert meta["1"] == {"title": "Toy Story (1995)", "features": ["Animation", "Children's", "Comedy"]}


def tower_feeds(meta, n_feat, batch=5, seed=3):
    rng = np.random.default_rng(seed)
    long = rng.integers(1, meta.num_rows, size=(batch, meta.long_length))
    short = rng.integers(1, meta.num_rows, size=(batch, meta.short_length))
    long[0, : meta.long_length // 2] = 0  # left padding
    long[1], short[1] = 0, 0  # empty history
    feats = rng.integers(0, 3, size=(batch, n_feat))
    return {"long_ids": long, "short_ids": short, "user_features": feats}


@pytest.mark.parametrize(
    "cfg",
    [
        ModelConfig(n=4, dim=32, heads=2, layers=3),
        ModelConfig(n=4, dim=32, heads=2, layers=3, hin_layer="residual", cin_concat="esim", positions=True),
    ],
)
def test_exported_tower_is_the_cheaper_exact_form(tmp_path, cfg):
    """h * n = 8 < D = 32: the bundle's tower is the re-associated one; run as ONNX it computes what
    the literal tower computes, with fewer multiply-adds."""
    from hcn.data import DatasetMeta
    from hcn.export import export_user_tower, tower_form, write_tower_onnx
    from hcn.registry import build_model

    torch.manual_seed(0)
    meta = DatasetMeta(num_rows=41, num_genres=3, user_feature_sizes=(3, 3), long_length=30, short_length=6)
    model = build_model(cfg, meta).eval()
    perturb_layer_norms(model)  # non-trivial LayerNorm affine parts: the serving copy folds them in
    table = model.item_tower.all_rows().detach()
    assert tower_form(cfg) == "reassociated"
    feeds = tower_feeds(meta, 2)
    outputs, macs = {}, {}
    for form in ("literal", "reassociated"):
        path = tmp_path / f"{form}.onnx"
        write_tower_onnx(export_user_tower(model.user_tower, table, form), path, 30, 6, 2, cfg.n, cfg.dim)
        macs[form] = []
        one = {k: v[2:3] for k, v in feeds.items()}
        onnx_numpy.run(path, one, macs[form])  # batch 1, as the service runs it
        (outputs[form],) = onnx_numpy.run(path, feeds)
    with torch.no_grad():
        literal = export_user_tower(model.user_tower, table, "literal")
        expected = literal(*(torch.from_numpy(feeds[k]) for k in ("long_ids", "short_ids", "user_features")))
    tolerance = 1e-5 * max(1.0, float(expected.abs().max()))  # float32 rounding grows with the values
    assert np.abs(outputs["reassociated"] - expected.numpy()).max() <= tolerance
    assert np.abs(outputs["literal"] - expected.numpy()).max() <= tolerance
    assert sum(macs["reassociated"]) < 0.8 * sum(macs["literal"]), (
        sum(macs["reassociated"]),
        sum(macs["literal"]),
    )


def test_tower_form_rule():
    from hcn.export import tower_form

    assert tower_form(ModelConfig(n=16, dim=128, heads=4)) == "reassociated"  # the industrial shape
    assert tower_form(ModelConfig(n=8, dim=48, heads=4)) == "reassociated"  # the ml-1m bundle
    assert tower_form(ModelConfig(n=16, dim=48, heads=4)) == "literal"  # h * n >= D: literal is cheaper


def test_interest_use_tells_copies_of_one_vector_from_distinct_interests():
    items = np.eye(4)  # item i points along axis i
    # interests 0 and 1 point at different items; interest 2 scores nothing above 0
    user = np.array([[[5.0, 4.0, 0.0, 0.0], [0.0, 0.0, 6.0, 1.0], [-1.0, -1.0, -1.0, -1.0]]])
    use = interest_use(user, items, temperature=1.0, top=3, neighbours=2)
    assert use["never_positive"] == 1 and use["users"] == 1
    # pairs: {0,1} vs {2,3} disjoint; interest 2 ties everywhere, so its two "nearest" are {0,1}
    assert use["neighbour_jaccard"] == pytest.approx((0 + 1 + 0) / 3)
    copies = interest_use(np.repeat(user[:, :1], 3, axis=1), items, temperature=1.0, top=3, neighbours=2)
    assert copies["neighbour_jaccard"] == 1.0 and copies["never_positive"] == 0
    assert copies["weight_share"] == pytest.approx([1 / 3] * 3, abs=1e-4)  # copies share evenly
