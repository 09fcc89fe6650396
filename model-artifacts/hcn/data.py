"""Data: loaders (MovieLens-1M, MovieLens-100K, generic CSV), per-user leave-one-out split,
long/short windows, negative sampling.

Every interaction is an implicit click. Each user's events are ordered by timestamp with a stable
sort (ties keep file order). Per user: last event = test, second-to-last = validation, the rest =
training; users with fewer than 3 events are dropped. Item rows 1..R-1 are the items that occur in
the interactions, ordered by external id; row 0 is padding.

Formats (DataConfig.path is the data set's folder):
* ml-1m:   ratings.dat user::item::rating::ts, users.dat user::gender::age::occupation::zip,
           movies.dat item::title::genre|genre (latin-1). User features: gender, age, occupation.
* ml-100k: u.data user<TAB>item<TAB>rating<TAB>ts, u.user user|age|gender|occupation|zip,
           u.item item|title|date|video|url|19 genre flags, u.genre name|index.
* csv:     interactions.csv with header user,item,timestamp (item ids are integers); optional
           items.csv with header item,features (features `|`-separated, e.g. genres); optional
           users.csv with header user,<feature>,<feature>... (each column one categorical feature).
"""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hcn.config import REPO_ROOT, DataConfig


class DataFormatError(ValueError):
    """A data file is not what its format promises: names the file, the line and what was expected."""

    def __init__(self, path, line: int | None, expected: str, got: str | None = None):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: expected {expected}" + (f", got {got!r}" if got is not None else ""))
        self.path, self.line, self.expected = str(path), line, expected


@dataclass(frozen=True)
class DatasetMeta:
    """What a user tower needs to know about the data set (stable interface for hcn.baselines)."""

    num_rows: int  # item rows incl. row 0 = padding
    num_genres: int  # item feature vocabulary size (0 = none)
    user_feature_sizes: tuple  # per user feature: vocabulary size incl. index 0 = missing
    long_length: int
    short_length: int


@dataclass
class RawData:
    """What a loader returns: interactions in file order plus optional side information."""

    users: list  # user id (str) per interaction
    items: np.ndarray  # int64 item id per interaction
    times: np.ndarray  # int64 timestamp per interaction
    item_features: dict = field(default_factory=dict)  # item id -> list of feature strings
    user_columns: list = field(default_factory=list)  # user feature names
    user_features: dict = field(default_factory=dict)  # user id -> {name: raw value}


def _lines(path: Path, encoding="latin-1"):
    with open(path, encoding=encoding) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line:
                yield line


def _interactions(rows):
    users, items, times = [], [], []
    for user, item, ts in rows:
        users.append(str(user))
        items.append(int(item))
        times.append(int(float(ts)))
    return users, np.asarray(items, dtype=np.int64), np.asarray(times, dtype=np.int64)


def load_ml1m(path: Path) -> RawData:
    users, items, times = _interactions(
        (p[0], p[1], p[3]) for p in (line.split("::") for line in _lines(path / "ratings.dat"))
    )
    raw = RawData(users, items, times, user_columns=["gender", "age", "occupation"])
    if (path / "movies.dat").exists():
        for line in _lines(path / "movies.dat"):
            p = line.split("::")
            raw.item_features[int(p[0])] = [g for g in p[2].split("|") if g]
    if (path / "users.dat").exists():
        for line in _lines(path / "users.dat"):
            p = line.split("::")
            raw.user_features[p[0]] = {"gender": p[1], "age": p[2], "occupation": p[3]}
    return raw


def load_ml100k(path: Path) -> RawData:
    users, items, times = _interactions(
        (p[0], p[1], p[3]) for p in (line.split("\t") for line in _lines(path / "u.data"))
    )
    raw = RawData(users, items, times, user_columns=["gender", "age", "occupation"])
    genre_names = None
    if (path / "u.genre").exists():
        pairs = [line.split("|") for line in _lines(path / "u.genre")]
        genre_names = {int(i): name for name, i in pairs if i.strip().isdigit()}
    if (path / "u.item").exists():
        for line in _lines(path / "u.item"):
            p = line.split("|")
            flags = p[5:]
            names = genre_names or {}
            raw.item_features[int(p[0])] = [
                names.get(i, f"genre{i}") for i, f in enumerate(flags) if f.strip() == "1"
            ]
    if (path / "u.user").exists():
        for line in _lines(path / "u.user"):
            p = line.split("|")
            raw.user_features[p[0]] = {"gender": p[2], "age": p[1], "occupation": p[3]}
    return raw


def load_csv(path: Path) -> RawData:
    with open(path / "interactions.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        users, items, times = _interactions((r["user"], r["item"], r["timestamp"]) for r in reader)
    raw = RawData(users, items, times)
    if (path / "items.csv").exists():
        with open(path / "items.csv", newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                raw.item_features[int(r["item"])] = [g for g in (r.get("features") or "").split("|") if g]
    if (path / "users.csv").exists():
        with open(path / "users.csv", newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            raw.user_columns = [c for c in reader.fieldnames if c != "user"]
            for r in reader:
                raw.user_features[r["user"]] = {
                    c: r[c] for c in raw.user_columns if r.get(c) not in (None, "")
                }
    return raw


LOADERS = {"ml-1m": load_ml1m, "ml-100k": load_ml100k, "csv": load_csv}


def _natural(value: str):
    return (0, int(value), value) if value.lstrip("-").isdigit() else (1, 0, value)


class Dataset:
    """Users' chronological row sequences (concatenated), side features, split and negatives."""

    def __init__(self, cfg: DataConfig, raw: RawData, path: Path | None = None):
        self.cfg = cfg
        self.path = path
        # Items: rows 1..R-1 by external id.
        self.item_ids = np.concatenate([[-1], np.unique(raw.items)]).astype(np.int64)
        self.id_to_row = {int(i): r for r, i in enumerate(self.item_ids) if r > 0}
        rows = np.searchsorted(self.item_ids[1:], raw.items) + 1
        # Users: >= 3 events (test, validation, >= 1 training), in natural id order.
        user_arr = np.asarray(raw.users, dtype=object)
        names, inverse, counts = np.unique(user_arr, return_inverse=True, return_counts=True)
        keep = counts >= 3
        order = sorted(np.flatnonzero(keep), key=lambda u: _natural(names[u]))
        remap = np.full(len(names), -1)
        remap[order] = np.arange(len(order))
        uidx = remap[inverse]
        sel = uidx >= 0
        # Stable sort by (user, time): ties keep file order.
        perm = np.lexsort((raw.times[sel], uidx[sel]))
        self.user_ids = [str(names[u]) for u in order]
        self.seq = rows[sel][perm].astype(np.int64)
        self.seq_len = np.bincount(uidx[sel], minlength=len(order)).astype(np.int64)
        self.seq_start = np.concatenate([[0], np.cumsum(self.seq_len)[:-1]]).astype(np.int64)
        self.num_interactions = int(len(self.seq))
        # Item features (genres) as a multi-hot matrix.
        genres = sorted({g for i in self.item_ids[1:] for g in raw.item_features.get(int(i), [])})
        self.genre_names = genres
        gindex = {g: k for k, g in enumerate(genres)}
        self.item_genres = np.zeros((len(self.item_ids), len(genres)), dtype=np.float32)
        for r, i in enumerate(self.item_ids[1:], start=1):
            for g in raw.item_features.get(int(i), []):
                self.item_genres[r, gindex[g]] = 1.0
        # User features: vocab per column over the user file, index 0 = missing.
        self.feature_specs = []
        for col in raw.user_columns:
            values = sorted({f[col] for f in raw.user_features.values() if col in f}, key=_natural)
            self.feature_specs.append((col, {v: k + 1 for k, v in enumerate(values)}))
        self.raw_user_features = [raw.user_features.get(u, {}) for u in self.user_ids]
        self.user_features = np.array(
            [
                [vocab.get(f.get(col, ""), 0) for col, vocab in self.feature_specs]
                for f in self.raw_user_features
            ],
            dtype=np.int64,
        ).reshape(len(self.user_ids), len(self.feature_specs))
        # Touched (user, row) keys, sorted, for "never touched" negative sampling.
        users_rep = np.repeat(np.arange(len(self.user_ids)), self.seq_len)
        self._touched = np.unique(users_rep * len(self.item_ids) + self.seq)
        self.meta = DatasetMeta(
            num_rows=len(self.item_ids),
            num_genres=len(genres),
            user_feature_sizes=tuple(len(v) + 1 for _, v in self.feature_specs),
            long_length=cfg.long_length,
            short_length=cfg.short_length,
        )
        self._eval_cache = {}

    @property
    def num_users(self) -> int:
        return len(self.user_ids)

    @property
    def num_rows(self) -> int:
        return len(self.item_ids)

    # ---- windows -------------------------------------------------------------------------------
    def windows(self, users: np.ndarray, ends: np.ndarray):
        """History = the user's events before position `ends` (exclusive, per-user index).
        Returns long [N, L_long], short [N, L_short], left-padded with 0, most recent last."""
        ll, ls = self.cfg.long_length, self.cfg.short_length
        total = ll + ls
        offs = ends[:, None] - total + np.arange(total)[None, :]
        valid = offs >= 0
        idx = self.seq_start[users][:, None] + np.where(valid, offs, 0)
        w = np.where(valid, self.seq[idx], 0)
        return w[:, :ll], w[:, ll:]

    def user_windows(self, users: np.ndarray, split: str):
        """Windows for evaluating `split` (test: history = all but the last event; validation:
        history = the training events)."""
        ends = self.seq_len[users] - (1 if split == "test" else 2)
        return self.windows(users, ends)

    def history_rows(self, user: int, end: int) -> np.ndarray:
        s = self.seq_start[user]
        return self.seq[s : s + end]

    # ---- negatives ------------------------------------------------------------------------------
    def is_touched(self, users: np.ndarray, rows: np.ndarray) -> np.ndarray:
        keys = users * self.num_rows + rows
        pos = np.searchsorted(self._touched, keys)
        pos = np.minimum(pos, len(self._touched) - 1)
        return self._touched[pos] == keys

    def sample_negatives(self, users: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        """[N, k] rows drawn uniformly from items each user never touched (with replacement)."""
        users_k = np.repeat(users[:, None], k, axis=1)
        neg = rng.integers(1, self.num_rows, size=users_k.shape)
        for _ in range(1000):
            bad = self.is_touched(users_k, neg)
            if not bad.any():
                return neg
            neg[bad] = rng.integers(1, self.num_rows, size=int(bad.sum()))
        raise ValueError("a user has touched (almost) every item: cannot sample negatives")

    def eval_candidates(self, split: str) -> np.ndarray:
        """[U, 1 + test_negatives]: column 0 the held-out item, then distinct never-touched items
        (repeated only when a tiny catalogue has fewer untouched items than test_negatives).
        Depends only on DataConfig.seed, so every model sees the very same set."""
        if split not in ("test", "validation"):
            raise ValueError(split)
        if split not in self._eval_cache:
            rng = np.random.default_rng([self.cfg.seed, 1 if split == "test" else 2])
            k = self.cfg.test_negatives
            out = np.zeros((self.num_users, 1 + k), dtype=np.int64)
            pos_index = self.seq_start + self.seq_len - (1 if split == "test" else 2)
            out[:, 0] = self.seq[pos_index]
            for u in range(self.num_users):
                available = self.num_rows - 1 - len(np.unique(self.history_rows(u, self.seq_len[u])))
                if available <= 0:
                    raise ValueError(f"user {self.user_ids[u]} touched every item: no negatives")
                got = np.zeros(0, dtype=np.int64)
                while len(got) < min(k, available):
                    draw = rng.integers(1, self.num_rows, size=2 * k)
                    draw = draw[~self.is_touched(np.full(len(draw), u), draw)]
                    got = np.concatenate([got, draw])
                    _, first = np.unique(got, return_index=True)
                    got = got[np.sort(first)]
                if len(got) < k:  # tiny catalogue: repeat the few untouched items
                    got = np.concatenate([got, rng.choice(got, size=k - len(got))])
                out[u, 1:] = got[:k]
            self._eval_cache[split] = out
        return self._eval_cache[split]

    # ---- training samples -----------------------------------------------------------------------
    def training_samples(self, positions_per_user: int, rng: np.random.Generator):
        """One epoch: for each user `positions_per_user` target positions drawn uniformly from the
        training part (target index p >= 1, history = events before p), each with
        `train_negatives` negatives. Returns users [N], ends [N], items [N, 1+neg], labels [N, 1+neg]."""
        n_train = self.seq_len - 2  # events before validation
        eligible = np.flatnonzero(n_train >= 2)
        users = np.repeat(eligible, positions_per_user)
        ends = 1 + (rng.random(len(users)) * (n_train[users] - 1)).astype(np.int64)
        pos = self.seq[self.seq_start[users] + ends]
        neg = self.sample_negatives(users, self.cfg.train_negatives, rng)
        items = np.concatenate([pos[:, None], neg], axis=1)
        labels = np.zeros(items.shape, dtype=np.float32)
        labels[:, 0] = 1.0
        perm = rng.permutation(len(users))
        return users[perm], ends[perm], items[perm], labels[perm]

    # ---- export helpers -------------------------------------------------------------------------
    def demo_users(self, count: int = 300, max_events: int = 300, must=("42",)) -> dict:
        """A few hundred users' full histories (external ids, chronological) and raw features."""
        chosen = [u for u in must if u in self.user_ids]
        chosen += [u for u in self.user_ids if u not in chosen][: max(0, count - len(chosen))]
        index = {u: k for k, u in enumerate(self.user_ids)}
        out = {}
        for u in chosen:
            k = index[u]
            rows = self.history_rows(k, self.seq_len[k])[-max_events:]
            out[u] = {
                "history": [int(i) for i in self.item_ids[rows]],
                "features": dict(self.raw_user_features[k]),
            }
        return out

    def info(self) -> dict:
        return {
            "dataset": self.cfg.dataset,
            "path": os.path.relpath(self.path, REPO_ROOT) if self.path else None,
            "users": self.num_users,
            "items": self.num_rows - 1,
            "interactions": self.num_interactions,
            "genres": len(self.genre_names),
            "user_features": [n for n, _ in self.feature_specs],
            "split": "per-user leave-one-out by time: last = test, second-to-last = validation, rest = train",
            "negatives": {
                "train_per_positive": self.cfg.train_negatives,
                "eval_per_user": self.cfg.test_negatives,
                "seed": self.cfg.seed,
            },
        }


@functools.lru_cache(maxsize=4)
def load_dataset(cfg: DataConfig) -> Dataset:
    """Loads and indexes a data set; cached per DataConfig within one process."""
    path = cfg.resolved_path()
    if not path.is_dir():
        raise FileNotFoundError(f"data set folder not found: {path}")
    return Dataset(cfg, LOADERS[cfg.dataset](path), path)
