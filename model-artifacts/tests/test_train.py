import argparse

import pytest
import torch

from hcn.bench_train import batches
from hcn.checkpoint import make_model
from hcn.config import DataConfig, ModelConfig, TrainConfig
from hcn.data import load_dataset
from hcn.train import BatchStep, add_config_args, configs_from_args, run_experiment


def parse(*args):
    p = argparse.ArgumentParser()
    p.add_argument("--out")
    add_config_args(p)
    return configs_from_args(p.parse_args(["--out", "x", *args]))


def test_cli_defaults_are_the_config_defaults():
    assert parse() == (DataConfig(), ModelConfig(), TrainConfig())


def test_cli_sets_every_kind_of_field():
    data, model, train = parse(
        "--dataset",
        "csv",
        "--path",
        "/d",
        "--model",
        "HCN",
        "--n",
        "4",
        "--co-interest",
        "false",
        "--cin-concat",
        "LS",
        "--temperature",
        "0.5",
        "--lr",
        "0.01",
        "--seed",
        "3",
        "--data-seed",
        "7",
    )
    assert (data.dataset, data.path, data.seed) == ("csv", "/d", 7)
    assert (model.n, model.co_interest, model.hierarchical, model.cin_concat, model.temperature) == (
        4,
        False,
        True,
        "LS",
        0.5,
    )
    assert (train.lr, train.seed) == (0.01, 3)


def test_invalid_values_are_rejected():
    with pytest.raises(ValueError):
        parse("--cin-concat", "SSL")
    with pytest.raises(ValueError):
        parse("--dim", "10", "--heads", "4")
    with pytest.raises(ValueError, match="device"):
        parse("--device", "gpu")
    assert parse("--device", "cuda:1")[2].device == "cuda:1"


def sharded_steps(ml1m_dir, shards, diversity=0.0, steps=2):
    """Parameters after `steps` Adam steps of one initial HCN on the same batches, and the losses."""
    data_cfg = DataConfig(dataset="ml-1m", path=str(ml1m_dir), long_length=8, short_length=3)
    ds = load_dataset(data_cfg)
    torch.manual_seed(0)
    model = make_model(data_cfg, ModelConfig(n=3, dim=8, heads=2, layers=2), ds).train()
    train_cfg = TrainConfig(batch_size=7, positions_per_user=2, shards=shards, diversity=diversity)
    step = BatchStep(model, torch.optim.Adam(model.parameters(), lr=0.01), train_cfg)
    losses = [float(step(batch)) for batch in batches(ds, train_cfg, steps)]
    step.close()
    return {k: v.detach().clone() for k, v in model.state_dict().items()}, losses


@pytest.mark.parametrize("shards, diversity", [(2, 0.0), (3, 0.5), (7, 0.0)])
def test_sharded_steps_are_the_steps_of_one_pass(ml1m_dir, shards, diversity):
    """Shards of unequal size (7 samples in 2 or 3), one sample each (7), with and without the
    diversity term: the same losses and the same parameters after two Adam steps as one pass."""
    whole, whole_losses = sharded_steps(ml1m_dir, 1, diversity)
    parts, part_losses = sharded_steps(ml1m_dir, shards, diversity)
    assert part_losses == pytest.approx(whole_losses, rel=1e-6)
    for name, value in whole.items():
        assert torch.allclose(parts[name], value, rtol=1e-5, atol=1e-6), name
    moved, _ = sharded_steps(ml1m_dir, shards, diversity, steps=1)
    assert not torch.equal(moved["user_tower.fuse.weight"], parts["user_tower.fuse.weight"])


def test_shards_are_refused_where_they_cannot_hold(tmp_path):
    with pytest.raises(ValueError, match="shards"):
        TrainConfig(shards=0)
    with pytest.raises(ValueError, match="shards"):
        TrainConfig(shards=2, device="cuda")
    with pytest.raises(ValueError, match="dropout"):  # before any data is read: the path is absent
        run_experiment(
            DataConfig(path=str(tmp_path / "absent")),
            ModelConfig(dropout=0.1),
            TrainConfig(shards=2),
            tmp_path,
        )
