"""Frozen configuration dataclasses: what to load, which model, how to train."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATASETS = ("ml-1m", "ml-100k", "ml-25m", "ml-latest", "taobao", "amazon", "tafeng", "csv")
# Paper Table 2: (long, short) sequence lengths per data set; MovieLens-25M's also serves the other
# MovieLens sets and the generic CSV format.
SEQUENCE_PRESETS = {
    "taobao": (120, 30),
    "amazon": (120, 30),
    "ml-25m": (80, 20),
    "tafeng": (20, 5),
    "industrial": (500, 50),
}
DEFAULT_LENGTHS = SEQUENCE_PRESETS["ml-25m"]
HIN_LAYERS = ("literal", "residual")
# Eq. 6 readings: literal [L~; S~; S~] | [L~; S~] | ESIM's enhancement | [L^ + L~; S^ + S~].
CIN_CONCATS = ("LSS", "LS", "esim", "residual")
# Repository root = the folder above model-artifacts/; data sets live next to it in ../shared.
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_dataset_path(name: str) -> Path:
    return (REPO_ROOT / ".." / "shared" / "datasets" / name).resolve()


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "ml-1m"  # ml-1m | ml-100k | csv
    path: str | None = None  # None: ../shared/datasets/<dataset> relative to the repo root
    long_length: int | None = None  # None: the data set's Table 2 preset (SEQUENCE_PRESETS)
    short_length: int | None = None
    train_negatives: int = 4
    test_negatives: int = 100
    seed: int = 0  # fixes the evaluation negatives: the same set for every model
    # Generic CSV (dataset="csv"): the interaction file and the names of its three columns.
    file: str | None = None  # None: the format's usual file name (see hcn.data)
    user_column: str = "user"
    item_column: str = "item"
    time_column: str = "timestamp"
    delimiter: str = ","
    # Taobao UserBehavior: behaviour types kept (comma-separated pv,buy,cart,fav, or "all"); the
    # paper's task is click-through, so clicks (pv) by default.
    behaviours: str = "pv"

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")
        preset = SEQUENCE_PRESETS.get(self.dataset, DEFAULT_LENGTHS)
        if self.long_length is None:
            object.__setattr__(self, "long_length", preset[0])
        if self.short_length is None:
            object.__setattr__(self, "short_length", preset[1])
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
    # Eq. 6 reading: "LSS" = literal [L~; S~; S~]; "LS" drops the duplicated S~; "esim" = ESIM's
    # enhancement [X^; X~; X^ - X~; X^ * X~] of both sides; "residual" = [L^ + L~; S^ + S~].
    cin_concat: str = "LSS"
    hierarchical: bool = True  # False: one attention layer ("w/o HIN")
    co_interest: bool = True  # False: linear fusion of [L^; S^] ("w/o CIN")
    dropout: float = 0.0
    # Hierarchical layer reading: "literal" H_i = MHA(H_{i-1}, I) (the paper shows no residual or
    # norm) | "residual" H_i = H_{i-1} + MHA(LN H_{i-1}, LN I), pre-LN, as the cited Transformer.
    hin_layer: str = "literal"
    hin_ffn: bool = False  # residual reading only: + FFN(LN H_i) after each attention
    # Learned positions added to the sequence embedding. None: the model's own default (on for
    # SASRec, SAMRec and ComiRec-SA as in their papers, off for the others and for HCN's paper
    # reading); the suite sets it for every model so that all see the same inputs.
    positions: bool | None = None

    def __post_init__(self):
        if self.cin_concat not in CIN_CONCATS:
            raise ValueError(f"cin_concat must be one of {CIN_CONCATS}")
        if self.hin_layer not in HIN_LAYERS:
            raise ValueError(f"hin_layer must be one of {HIN_LAYERS}")
        if self.hin_ffn and self.hin_layer != "residual":
            raise ValueError("hin_ffn needs hin_layer=residual")
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
    # Batch shards trained at once on their own threads (hcn.train.BatchStep): the same gradient
    # as one pass; 2 puts both cores of a 2-core machine to work on one run. CPU only.
    shards: int = 1
    # Early stopping: stop after `patience` epochs without a better validation AUC (0 = train all
    # `epochs`, which is then only the cap).
    patience: int = 0
    # Weight of the optional interest-diversity regulariser (hcn.layers.diversity_penalty); 0 = the
    # paper's objective, Eq. 9 alone.
    diversity: float = 0.0
    # Where the model trains: "cpu" or a torch CUDA device ("cuda", "cuda:1"). A GPU changes the
    # float summation order, so its runs agree with CPU ones within seed noise, not bit for bit.
    device: str = "cpu"

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.positions_per_user < 1:
            raise ValueError("epochs, batch_size and positions_per_user must be positive")
        if self.patience < 0 or self.diversity < 0:
            raise ValueError("patience and diversity must not be negative")
        if self.shards < 1 or (self.shards > 1 and self.device != "cpu"):
            raise ValueError("shards must be at least 1, and 1 on a GPU")
        if self.device != "cpu" and not re.fullmatch(r"cuda(:\d+)?", self.device):
            raise ValueError(f"device must be cpu, cuda or cuda:<index>, not {self.device!r}")
