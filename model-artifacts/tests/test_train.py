import argparse

import pytest

from hcn.config import DataConfig, ModelConfig, TrainConfig
from hcn.train import add_config_args, configs_from_args


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
