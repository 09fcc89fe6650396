"""Data: loaders for the data sets as their publishers ship them (MovieLens-1M, -100K, -25M /
latest, Taobao UserBehavior, Amazon reviews 5-core, Ta-Feng, generic CSV), per-user leave-one-out
split, long/short windows, negative sampling.

Every interaction is an implicit click. Each user's events are ordered by timestamp with a stable
sort (ties keep file order). Per user: last event = test, second-to-last = validation, the rest =
training; users with fewer than 3 events are dropped. Item rows 1..R-1 are the items that occur in
the interactions, ordered by external id; row 0 is padding.

Formats (DataConfig.path is the data set's folder):
* ml-1m:   ratings.dat user::item::rating::ts, users.dat user::gender::age::occupation::zip,
           movies.dat item::title::genre|genre (latin-1). User features: gender, age, occupation.
* ml-100k: u.data user<TAB>item<TAB>rating<TAB>ts, u.user user|age|gender|occupation|zip,
           u.item item|title|date|video|url|19 genre flags, u.genre name|index.
* ml-25m, ml-latest: ratings.csv (header userId,movieId,rating,timestamp), movies.csv (header
           movieId,title,genres; genres `|`-separated, "(no genres listed)" = none).
* taobao:  UserBehavior.csv, no header: user,item,category,behaviour,timestamp; the category is the
           item feature; only the behaviour types in DataConfig.behaviours are kept (pv by default).
* amazon:  a 5-core reviews file, JSON lines (*.json or *.json.gz; DataConfig.file picks one):
           reviewerID, asin, unixReviewTime. String item ids (asin) become integer ids 1..N in
           sorted asin order (RawData.item_keys maps them back).
* tafeng:  the Kaggle CSV (ta_feng_all_months_merged.csv): TRANSACTION_DT (m/d/yyyy), CUSTOMER_ID,
           AGE_GROUP, PIN_CODE, PRODUCT_SUBCLASS, PRODUCT_ID, ...; item feature = PRODUCT_SUBCLASS,
           user features = AGE_GROUP, PIN_CODE; timestamp = the day (ties keep file order).
* csv:     interactions.csv (DataConfig.file) with a header naming the user, item and timestamp
           columns (DataConfig.user_column / item_column / time_column, default user,item,timestamp;
           DataConfig.delimiter); integer item ids are kept, other ids are mapped like asins;
           optional items.csv with header item,features (features `|`-separated, e.g. genres);
           optional users.csv with header user,<feature>,<feature>... (each column one feature).

A wrong header, a missing column or a malformed line raises DataFormatError naming the file, the
line and what was expected (the command-line tools print it as one line).
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
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
    item_keys: dict = field(default_factory=dict)  # integer item id -> original string id (mapped ids)


def _lines(path: Path, encoding="latin-1"):
    """(line number, text) of the non-empty lines."""
    if not path.exists():
        raise DataFormatError(path, None, "the file to exist")
    with open(path, encoding=encoding) as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if line:
                yield number, line


def _fields(path: Path, sep: str, minimum: int, expected: str, encoding="latin-1"):
    """(line number, fields) of a separator-delimited file; too few fields is a DataFormatError."""
    for number, line in _lines(path, encoding):
        p = line.split(sep)
        if len(p) < minimum:
            raise DataFormatError(path, number, expected, line)
        yield number, p


def _interactions(path: Path, rows):
    """rows: (line, user, item, timestamp) -> users, items, times; non-integer ids are errors."""
    users, items, times = [], [], []
    for line, user, item, ts in rows:
        users.append(str(user))
        items.append(_int(item, path, line, "item id"))
        times.append(_int(ts, path, line, "timestamp"))
    return users, np.asarray(items, dtype=np.int64), np.asarray(times, dtype=np.int64)


def load_ml1m(path: Path) -> RawData:
    ratings = path / "ratings.dat"
    rows = _fields(ratings, "::", 4, "user::item::rating::timestamp")
    users, items, times = _interactions(ratings, ((n, p[0], p[1], p[3]) for n, p in rows))
    raw = RawData(users, items, times, user_columns=["gender", "age", "occupation"])
    if (path / "movies.dat").exists():
        for n, p in _fields(path / "movies.dat", "::", 3, "item::title::genres"):
            raw.item_features[_int(p[0], path / "movies.dat", n, "item id")] = [
                g for g in p[2].split("|") if g
            ]
    if (path / "users.dat").exists():
        for _, p in _fields(path / "users.dat", "::", 4, "user::gender::age::occupation::zip"):
            raw.user_features[p[0]] = {"gender": p[1], "age": p[2], "occupation": p[3]}
    return raw


def load_ml100k(path: Path) -> RawData:
    data = path / "u.data"
    rows = _fields(data, "\t", 4, "user<TAB>item<TAB>rating<TAB>timestamp")
    users, items, times = _interactions(data, ((n, p[0], p[1], p[3]) for n, p in rows))
    raw = RawData(users, items, times, user_columns=["gender", "age", "occupation"])
    genre_names = None
    if (path / "u.genre").exists():
        pairs = [p for _, p in _fields(path / "u.genre", "|", 2, "name|index")]
        genre_names = {int(p[1]): p[0] for p in pairs if p[1].strip().isdigit()}
    if (path / "u.item").exists():
        for n, p in _fields(path / "u.item", "|", 6, "item|title|date|video|url|genre flags"):
            names = genre_names or {}
            raw.item_features[_int(p[0], path / "u.item", n, "item id")] = [
                names.get(i, f"genre{i}") for i, f in enumerate(p[5:]) if f.strip() == "1"
            ]
    if (path / "u.user").exists():
        for _, p in _fields(path / "u.user", "|", 4, "user|age|gender|occupation|zip"):
            raw.user_features[p[0]] = {"gender": p[2], "age": p[1], "occupation": p[3]}
    return raw


def _open_text(path: Path, encoding="utf-8"):
    if not path.exists():
        raise DataFormatError(path, None, "the file to exist")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _find_file(folder: Path, file: str | None, names: tuple, patterns: tuple = ()) -> Path:
    """`file` if given, else the first publisher file name present, else the one file matching a pattern."""
    if file:
        return folder / file
    for name in names:
        if (folder / name).exists():
            return folder / name
    matches = sorted({p for pattern in patterns for p in folder.glob(pattern)})
    if len(matches) == 1:
        return matches[0]
    wanted = ", ".join(list(names) + list(patterns))
    found = f"{len(matches)} matching files" if matches else "none"
    raise DataFormatError(folder, None, f"one data file ({wanted}; or set DataConfig.file)", found)


def _int(value: str, path: Path, line: int, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            as_float = float(value)
        except (TypeError, ValueError):
            raise DataFormatError(path, line, f"an integer {what}", value) from None
        if not np.isfinite(as_float):
            raise DataFormatError(path, line, f"an integer {what}", value) from None
        return int(as_float)


def _csv_rows(path: Path, required: tuple, delimiter=",", encoding="utf-8"):
    """Yields (line number, {column: value}) for a CSV with a header holding `required` columns."""
    with _open_text(path, encoding) as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise DataFormatError(path, 1, f"a header with columns {','.join(required)}", "an empty file")
        header = [h.strip().lstrip("\ufeff") for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise DataFormatError(
                path,
                1,
                f"a header with columns {','.join(required)} (missing {','.join(missing)})",
                ",".join(header),
            )
        index = {c: header.index(c) for c in header}
        for row in reader:
            line = reader.line_num
            if not row or all(not x.strip() for x in row):
                continue
            if len(row) != len(header):
                raise DataFormatError(path, line, f"{len(header)} fields", delimiter.join(row))
            yield line, {c: row[i] for c, i in index.items()}


def _map_string_ids(keys: list) -> tuple[np.ndarray, dict]:
    """String ids -> int64 ids 1..N in sorted order, and the mapping back."""
    distinct = sorted(set(keys))
    to_int = {k: i + 1 for i, k in enumerate(distinct)}
    return np.asarray([to_int[k] for k in keys], dtype=np.int64), {i + 1: k for i, k in enumerate(distinct)}


def _item_ids(values: list, path: Path) -> tuple[np.ndarray, dict]:
    """Integer ids stay as they are; any non-integer id maps every id like a string id."""
    try:
        return np.asarray([int(v) for v in values], dtype=np.int64), {}
    except ValueError:
        return _map_string_ids([str(v) for v in values])


def load_csv(
    path: Path,
    file: str = "interactions.csv",
    user_column: str = "user",
    item_column: str = "item",
    time_column: str = "timestamp",
    delimiter: str = ",",
) -> RawData:
    source = path / file
    users, items, times = [], [], []
    for line, r in _csv_rows(source, (user_column, item_column, time_column), delimiter):
        if not r[user_column].strip() or not r[item_column].strip():
            raise DataFormatError(
                source, line, f"non-empty {user_column} and {item_column}", delimiter.join(r.values())
            )
        users.append(r[user_column].strip())
        items.append(r[item_column].strip())
        times.append(_int(r[time_column].strip(), source, line, time_column))
    item_arr, keys = _item_ids(items, source)
    raw = RawData(users, item_arr, np.asarray(times, dtype=np.int64), item_keys=keys)
    back = {v: k for k, v in keys.items()}
    if (path / "items.csv").exists():
        for line, r in _csv_rows(path / "items.csv", ("item",)):
            item = back.get(r["item"].strip()) if keys else _int(r["item"], path / "items.csv", line, "item")
            if item is not None:
                raw.item_features[item] = [g for g in (r.get("features") or "").split("|") if g]
    if (path / "users.csv").exists():
        for _, r in _csv_rows(path / "users.csv", ("user",)):
            raw.user_columns = raw.user_columns or [c for c in r if c != "user"]
            raw.user_features[r["user"]] = {c: r[c] for c in raw.user_columns if r.get(c) not in (None, "")}
    return raw


def load_movielens_csv(path: Path) -> RawData:
    """MovieLens-25M / latest (and 20M): ratings.csv + movies.csv genres."""
    source = path / "ratings.csv"
    users, items, times = [], [], []
    for line, r in _csv_rows(source, ("userId", "movieId", "rating", "timestamp")):
        users.append(r["userId"])
        items.append(_int(r["movieId"], source, line, "movieId"))
        times.append(_int(r["timestamp"], source, line, "timestamp"))
    raw = RawData(users, np.asarray(items, dtype=np.int64), np.asarray(times, dtype=np.int64))
    movies = path / "movies.csv"
    if movies.exists():
        for line, r in _csv_rows(movies, ("movieId", "title", "genres")):
            genres = r["genres"].strip()
            raw.item_features[_int(r["movieId"], movies, line, "movieId")] = (
                [] if genres == "(no genres listed)" else [g for g in genres.split("|") if g]
            )
    return raw


TAOBAO_BEHAVIOURS = ("pv", "buy", "cart", "fav")


def load_taobao(path: Path, behaviours: str = "pv", file: str | None = None) -> RawData:
    """Taobao UserBehavior.csv: user,item,category,behaviour,timestamp (no header)."""
    keep = (
        set(TAOBAO_BEHAVIOURS)
        if behaviours == "all"
        else {b.strip() for b in behaviours.split(",") if b.strip()}
    )
    unknown = keep - set(TAOBAO_BEHAVIOURS)
    if unknown or not keep:
        raise ValueError(
            f"behaviours must be 'all' or a comma-separated subset of {TAOBAO_BEHAVIOURS}, got {behaviours!r}"
        )
    source = _find_file(path, file, ("UserBehavior.csv", "UserBehavior.csv.gz"))
    users, items, times, features = [], [], [], {}
    expected = "5 fields user,item,category,behaviour,timestamp (integers but behaviour; no header)"
    with _open_text(source) as f:
        for line, text in enumerate(f, start=1):
            text = text.rstrip("\r\n")
            if not text:
                continue
            p = text.split(",")
            if len(p) != 5 or not p[0].strip().isdigit():
                raise DataFormatError(source, line, expected, text)
            if p[3] not in TAOBAO_BEHAVIOURS:
                raise DataFormatError(source, line, f"a behaviour in {TAOBAO_BEHAVIOURS}", p[3])
            if p[3] not in keep:
                continue
            item = _int(p[1], source, line, "item id")
            users.append(p[0])
            items.append(item)
            times.append(_int(p[4], source, line, "timestamp"))
            features.setdefault(item, [f"category:{_int(p[2], source, line, 'category id')}"])
    return RawData(
        users, np.asarray(items, dtype=np.int64), np.asarray(times, dtype=np.int64), item_features=features
    )


def load_amazon(path: Path, file: str | None = None) -> RawData:
    """Amazon reviews 5-core JSON lines: reviewerID, asin, unixReviewTime."""
    source = _find_file(path, file, (), ("*.json", "*.json.gz", "*.jsonl", "*.jsonl.gz"))
    users, asins, times = [], [], []
    expected = "a JSON object with reviewerID, asin, unixReviewTime"
    with _open_text(source) as f:
        for line, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                r = json.loads(text)
            except json.JSONDecodeError:
                raise DataFormatError(source, line, expected, text.strip()[:80]) from None
            if not isinstance(r, dict) or any(k not in r for k in ("reviewerID", "asin", "unixReviewTime")):
                missing = [
                    k
                    for k in ("reviewerID", "asin", "unixReviewTime")
                    if not isinstance(r, dict) or k not in r
                ]
                raise DataFormatError(
                    source, line, f"{expected} (missing {','.join(missing)})", text.strip()[:80]
                )
            users.append(str(r["reviewerID"]))
            asins.append(str(r["asin"]))
            times.append(_int(r["unixReviewTime"], source, line, "unixReviewTime"))
    items, keys = _map_string_ids(asins)
    return RawData(users, items, np.asarray(times, dtype=np.int64), item_keys=keys)


TAFENG_COLUMNS = ("TRANSACTION_DT", "CUSTOMER_ID", "AGE_GROUP", "PIN_CODE", "PRODUCT_SUBCLASS", "PRODUCT_ID")


def load_tafeng(path: Path, file: str | None = None) -> RawData:
    """Ta-Feng grocery transactions as on Kaggle (ta_feng_all_months_merged.csv)."""
    source = _find_file(path, file, ("ta_feng_all_months_merged.csv",), ("*.csv",))
    users, items, times, features, user_features = [], [], [], {}, {}
    for line, r in _csv_rows(source, TAFENG_COLUMNS):
        try:
            day = datetime.strptime(r["TRANSACTION_DT"].strip(), "%m/%d/%Y").replace(tzinfo=timezone.utc)
        except ValueError:
            raise DataFormatError(source, line, "TRANSACTION_DT as m/d/yyyy", r["TRANSACTION_DT"]) from None
        user = r["CUSTOMER_ID"].strip()
        item = _int(r["PRODUCT_ID"].strip(), source, line, "PRODUCT_ID")
        users.append(user)
        items.append(item)
        times.append(int(day.timestamp()))
        features.setdefault(item, [f"subclass:{r['PRODUCT_SUBCLASS'].strip()}"])
        values = {k.lower(): r[k].strip() for k in ("AGE_GROUP", "PIN_CODE") if r[k].strip()}
        user_features.setdefault(user, values)
    return RawData(
        users,
        np.asarray(items, dtype=np.int64),
        np.asarray(times, dtype=np.int64),
        item_features=features,
        user_columns=["age_group", "pin_code"],
        user_features=user_features,
    )


# name -> loader(folder, **options); load_raw passes each loader the DataConfig options it takes.
LOADERS = {
    "ml-1m": load_ml1m,
    "ml-100k": load_ml100k,
    "ml-25m": load_movielens_csv,
    "ml-latest": load_movielens_csv,
    "taobao": load_taobao,
    "amazon": load_amazon,
    "tafeng": load_tafeng,
    "csv": load_csv,
}


def load_raw(cfg: DataConfig, path: Path | None = None) -> RawData:
    """The raw interactions of `cfg`'s data set, read as its publisher ships it."""
    path = path or cfg.resolved_path()
    if cfg.dataset == "csv":
        return load_csv(
            path,
            file=cfg.file or "interactions.csv",
            user_column=cfg.user_column,
            item_column=cfg.item_column,
            time_column=cfg.time_column,
            delimiter=cfg.delimiter,
        )
    if cfg.dataset == "taobao":
        return load_taobao(path, behaviours=cfg.behaviours, file=cfg.file)
    if cfg.dataset in ("amazon", "tafeng"):
        return LOADERS[cfg.dataset](path, file=cfg.file)
    return LOADERS[cfg.dataset](path)


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
    raw = load_raw(cfg, path)
    if len(raw.users) == 0:
        raise DataFormatError(path, None, "at least one interaction")
    return Dataset(cfg, raw, path)
