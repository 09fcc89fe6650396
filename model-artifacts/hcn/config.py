"""Frozen configuration dataclasses: what to load, which model, how to train."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATASETS = ("ml-1m", "ml-100k", "csv")
CIN_CONCATS = ("LSS", "LS")
# Repository root = the folder above model-artifacts/; data sets live next to it in ../shared.
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_dataset_path(name: str) -> Path:
    return (REPO_ROOT / ".." / "shared" / "datasets" / name).resolve()


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "ml-1m"  # ml-1m | ml-100k | csv
    path: str | None = None  # None: ../shared/datasets/<dataset> relative to the repo root
    long_length: int = 80
    short_length: int = 20
    train_negatives: int = 4
    test_negatives: int = 100
    seed: int = 0  # fixes the evaluation negatives: the same set for every model

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")
        if self.long_length < 1 or self.short_length < 1:
            raise ValueError("window lengths must be positive")
        if self.train_negatives < 1 or self.test_negatives < 1:
            raise ValueError("negative counts must be positive")

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else default_dataset_path(self.dataset)


@dataclass(frozen=True)
class ModelConfig:
    type: str = "HCN"  # HCN here; any other name is built by hcn.baselines
    n: int = 8  # interests per user
    dim: int = 48  # D
    heads: int = 4
    layers: int = 4  # r + 1 stacked attention layers (Algorithm 1)
    temperature: float = 1.0  # softmax temperature of Eq. 8 (paper: 1)
    cin_concat: str = "LSS"  # Eq. 6 literal [L~; S~; S~]; "LS" drops the duplicated S~
    hierarchical: bool = True  # False: one attention layer ("w/o HIN")
    co_interest: bool = True  # False: linear fusion of [L^; S^] ("w/o CIN")
    dropout: float = 0.0

    def __post_init__(self):
        if self.cin_concat not in CIN_CONCATS:
            raise ValueError(f"cin_concat must be one of {CIN_CONCATS}")
        if self.n < 1 or self.dim < 1 or self.layers < 1 or self.heads < 1:
            raise ValueError("n, dim, layers and heads must be positive")
        if self.dim % self.heads:
            raise ValueError("dim must be divisible by heads")
        if self.temperature <= 0:
            raise ValueError("temperature must be positive")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 6
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 0.0
    positions_per_user: int = 24  # training targets sampled per user per epoch
    seed: int = 0
    threads: int = 1  # 2 OpenMP threads on the shared 2-core machine ran ~6x slower (spinning)

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.positions_per_user < 1:
            raise ValueError("epochs, batch_size and positions_per_user must be positive")
