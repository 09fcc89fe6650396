"""Run folders written by hcn.train: rebuild the model from model.pt (no training code needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch

from hcn.config import DataConfig, ModelConfig, TrainConfig
from hcn.data import load_dataset
from hcn.layers import load_item_genres
from hcn.registry import build_model

# Checkpoints written before the user-feature fusion (Eq. 7) became one shared module and before
# the hierarchical layers got their readings named HCN's user_features.*, out.* and
# *_hin.layers.<i>.{q,k,v,o}.*; the same weights now live under these names.
_RENAMED = (
    (re.compile(r"^user_tower\.user_features\."), "user_tower.fusion.features."),
    (re.compile(r"^user_tower\.out\."), "user_tower.fusion.out."),
    (re.compile(r"^(user_tower\.(?:long|short)_hin\.layers\.\d+)\.([qkvo])\."), r"\1.attention.\2."),
)


def upgrade_state_dict(state: dict) -> dict:
    out = {}
    for key, value in state.items():
        for old, new in _RENAMED:
            key = old.sub(new, key)
        out[key] = value
    return out


def make_model(data_cfg: DataConfig, model_cfg: ModelConfig, ds=None):
    ds = ds or load_dataset(data_cfg)
    model = build_model(model_cfg, ds.meta)
    load_item_genres(model, ds.item_genres)
    return model


def load_run(run_dir):
    """Rebuilds (data_cfg, model_cfg, train_cfg, model, metrics) from a run folder."""
    run = Path(run_dir)
    ckpt = torch.load(run / "model.pt", map_location="cpu")
    data_cfg = DataConfig(**ckpt["data"])
    model_cfg = ModelConfig(**ckpt["model"])
    train_cfg = TrainConfig(**ckpt["train"])
    model = make_model(data_cfg, model_cfg)
    model.load_state_dict(upgrade_state_dict(ckpt["state_dict"]))
    metrics = json.loads((run / "metrics.json").read_text())["metrics"]
    return data_cfg, model_cfg, train_cfg, model.eval(), metrics
