"""Data: loaders (MovieLens-1M, MovieLens-100K, generic CSV), leave-one-out split, windows, negatives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetMeta:
    """What a user tower needs to know about the data set (stable interface for hcn.baselines)."""

    num_rows: int  # item rows incl. row 0 = padding
    num_genres: int  # item feature vocabulary size (0 = none)
    user_feature_sizes: tuple  # per user feature: vocabulary size incl. index 0 = missing
    long_length: int
    short_length: int
