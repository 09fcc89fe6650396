"""Baseline user towers: shapes, padding invariance, finite output for an empty history."""

import numpy as np
import pytest
import torch

from hcn.baselines import BASELINES, compact
from hcn.config import ModelConfig
from hcn.data import DatasetMeta
from hcn.layers import ItemTower
from hcn.registry import MODELS, build_model, build_user_tower

MULTI_INTEREST = [n for n, s in MODELS.items() if s.kind == "multi" and s.overrides["type"] in BASELINES]

META = DatasetMeta(num_rows=60, num_genres=5, user_feature_sizes=(3, 4), long_length=12, short_length=4)
CFG = dict(n=3, dim=8, heads=2, layers=2)


def tower(name, **extra):
    torch.manual_seed(0)
    items = ItemTower(META.num_rows, META.num_genres, CFG["dim"])
    t = build_user_tower(ModelConfig(type=name, **CFG, **extra), META, items).eval()
    genres = np.random.default_rng(0).integers(0, 2, size=(META.num_rows, META.num_genres))
    t.items.load_genres(genres)
    # Give padding row 0 a non-zero embedding: outputs must still ignore it (masking, not luck).
    with torch.no_grad():
        t.items.ids.weight[0].normal_()
    return t


def windows(histories, layout_rng=None):
    """Contract windows (left-padded, most recent last); with layout_rng, the same items in the
    same order but with padding zeros scattered anywhere in [long; short]."""
    total = META.long_length + META.short_length
    out = np.zeros((len(histories), total), dtype=np.int64)
    for b, h in enumerate(histories):
        h = h[-total:]
        if layout_rng is None:
            out[b, total - len(h) :] = h
        else:
            slots = np.sort(layout_rng.choice(total, size=len(h), replace=False))
            out[b, slots] = h
    t = torch.from_numpy(out)
    return t[:, : META.long_length], t[:, META.long_length :]


HISTORIES = [[5, 9, 2], list(range(1, 15)), [7], list(range(20, 45)), [3, 3, 8, 40, 41, 12, 30, 31, 32, 33]]
FEATURES = torch.tensor([[1, 2], [0, 3], [2, 0], [1, 1], [0, 0]])


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_output_shape(name):
    long_ids, short_ids = windows(HISTORIES)
    out = tower(name)(long_ids, short_ids, FEATURES)
    n = CFG["n"] if name in MULTI_INTEREST else 1
    assert out.shape == (len(HISTORIES), n, CFG["dim"])
    assert torch.isfinite(out).all()


def test_every_baseline_is_in_the_registry_with_its_kind():
    kinds = {s.overrides.get("type"): s.kind for s in MODELS.values()}
    assert set(BASELINES) <= set(kinds)
    assert {n for n in BASELINES if kinds[n] == "multi"} == {"MIND", "ComiRec-SA"}


@pytest.mark.parametrize("positions", [True, False])
@pytest.mark.parametrize("name", sorted(BASELINES))
def test_positions_switch_on_and_off_for_every_model(name, positions):
    t = tower(name, positions=positions)
    assert (t.positions is not None) == positions
    # Order now matters, even for the order-blind encoders (MIND, ComiRec-SA); a mean of
    # item + position sums the same positions whatever the order, so MeanPooling stays blind.
    if positions and name != "MeanPooling":
        a = t(*windows([[5, 9, 2, 11]]), FEATURES[:1])
        b = t(*windows([[11, 2, 9, 5]]), FEATURES[:1])
        assert (a - b).abs().max() > 1e-5


@pytest.mark.parametrize("positions", [True, False])
@pytest.mark.parametrize("name", sorted(BASELINES))
def test_padding_never_changes_output(name, positions):
    t = tower(name, positions=positions)
    reference = t(*windows(HISTORIES), FEATURES)
    rng = np.random.default_rng(1)
    for _ in range(3):
        scattered = t(*windows(HISTORIES, rng), FEATURES)
        torch.testing.assert_close(scattered, reference, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_output_depends_on_history(name):
    """Guards the invariance test: a different item or order does change the output."""
    t = tower(name)
    a = t(*windows([[5, 9, 2, 11]]), FEATURES[:1])
    b = t(*windows([[5, 9, 2, 12]]), FEATURES[:1])
    assert (a - b).abs().max() > 1e-4


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_empty_history_is_finite(name):
    t = tower(name)
    empty = torch.zeros(2, META.long_length, dtype=torch.int64), torch.zeros(
        2, META.short_length, dtype=torch.int64
    )
    out = t(*empty, FEATURES[:2])
    assert torch.isfinite(out).all()
    # With no history, only the user features remain: different features, different outputs.
    assert (out[0] - out[1]).abs().max() > 1e-4
    out.sum().backward()  # gradients through an all-padding batch are finite too
    assert all(torch.isfinite(p.grad).all() for p in t.parameters() if p.grad is not None)


def test_compact_keeps_order_and_moves_items_right():
    ids = torch.tensor([[0, 4, 0, 5, 6, 0], [0, 0, 0, 0, 0, 0], [1, 2, 3, 0, 0, 7]])
    expected = torch.tensor([[0, 0, 0, 4, 5, 6], [0, 0, 0, 0, 0, 0], [0, 0, 1, 2, 3, 7]])
    assert torch.equal(compact(ids), expected)


def test_unknown_type_is_rejected():
    with pytest.raises(ValueError, match="unknown model type"):
        build_user_tower(ModelConfig(type="DIN"), META, ItemTower(META.num_rows, 0, 8))


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_recommender_shares_item_tower(name):
    """Inside the Recommender the history is embedded by the candidate item tower, and the
    scores of Eq. 8 train: one Adam step lowers the loss on a fixed batch."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(type=name, **CFG), META)
    assert model.user_tower.items is model.item_tower
    long_ids, short_ids = windows(HISTORIES)
    items = torch.tensor([[h[-1] + 1, 50, 51] for h in HISTORIES])
    labels = torch.tensor([[1.0, 0.0, 0.0]] * len(HISTORIES))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(5):
        loss = model.loss(model(long_ids, short_ids, FEATURES, items), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
