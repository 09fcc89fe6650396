from collections import defaultdict

import numpy as np
import pytest

from conftest import synthetic_events, write_csv, write_ml100k, write_ml1m
from hcn.config import DataConfig
from hcn.data import Dataset, load_csv, load_dataset, load_ml1m, load_ml100k


def chronological(events):
    """Expected per-user item order: by timestamp, ties in file order."""
    per_user = defaultdict(list)
    for pos, (u, i, t) in enumerate(events):
        per_user[u].append((t, pos, i))
    return {u: [i for _, _, i in sorted(v)] for u, v in per_user.items()}


def dataset(tmp_path, fmt, events, **kw):
    writer = {"ml-1m": write_ml1m, "ml-100k": write_ml100k, "csv": write_csv}[fmt]
    folder = writer(tmp_path / fmt, events)
    cfg = DataConfig(
        dataset=fmt, path=str(folder), long_length=kw.get("long", 5), short_length=kw.get("short", 3)
    )
    return load_dataset(cfg)


@pytest.mark.parametrize("fmt", ["ml-1m", "ml-100k", "csv"])
def test_loaders_read_every_format_the_same_way(tmp_path, events, fmt):
    ds = dataset(tmp_path, fmt, events)
    expected = chronological(events)
    assert ds.num_interactions == len(events)
    assert ds.num_users == len(expected)
    assert list(ds.item_ids[1:]) == sorted({i for _, i, _ in events})
    assert ds.item_ids[0] == -1
    prefix = "u" if fmt == "csv" else ""
    for k, user in enumerate(ds.user_ids):
        rows = ds.history_rows(k, ds.seq_len[k])
        assert list(ds.item_ids[rows]) == expected[int(user[len(prefix) :])]
    # genres: item 10*k has genres k%4 and (k+1)%4 in every format
    assert ds.meta.num_genres == 4
    assert (ds.item_genres[1:].sum(1) == 2).all()
    assert ds.item_genres[0].sum() == 0
    assert ds.meta.user_feature_sizes == tuple(len(v) + 1 for _, v in ds.feature_specs)
    assert ds.meta.num_rows == len(ds.item_ids)


def test_user_features_use_vocab_with_zero_for_missing(tmp_path, events):
    ds = dataset(tmp_path, "csv", events)
    assert [n for n, _ in ds.feature_specs] == ["country", "tier"]
    tier = dict(ds.feature_specs)["tier"]
    assert tier == {"gold": 1}
    for k, user in enumerate(ds.user_ids):
        u = int(user[1:])
        assert ds.user_features[k, 1] == (0 if u % 3 == 0 else 1)
    ml = dataset(tmp_path, "ml-1m", events)
    assert [n for n, _ in ml.feature_specs] == ["gender", "age", "occupation"]
    assert dict(ml.feature_specs)["age"] == {"1": 1, "18": 2, "25": 3}  # numeric order


def test_csv_without_side_files(tmp_path, events):
    folder = write_csv(tmp_path / "plain", events, with_side=False)
    ds = load_dataset(DataConfig(dataset="csv", path=str(folder)))
    assert ds.meta.num_genres == 0 and ds.meta.user_feature_sizes == ()
    assert ds.user_features.shape == (ds.num_users, 0)


def test_raw_loaders_keep_file_order(tmp_path, events):
    for loader, writer in ((load_ml1m, write_ml1m), (load_ml100k, write_ml100k), (load_csv, write_csv)):
        raw = loader(writer(tmp_path / loader.__name__, events))
        assert list(raw.items) == [i for _, i, _ in events]
        assert list(raw.times) == [t for _, _, t in events]


def test_equal_timestamps_keep_file_order(tmp_path):
    events = [(1, 30, 5), (1, 10, 5), (1, 20, 5), (1, 40, 1), (2, 10, 1), (2, 20, 2), (2, 30, 3)]
    ds = dataset(tmp_path, "csv", events)
    assert list(ds.item_ids[ds.history_rows(0, ds.seq_len[0])]) == [40, 30, 10, 20]


def test_users_with_fewer_than_three_events_are_dropped(tmp_path):
    events = [(1, 10, 1), (1, 20, 2), (2, 10, 1), (2, 20, 2), (2, 30, 3)]
    ds = dataset(tmp_path, "csv", events)
    assert ds.user_ids == ["u2"]


def test_leave_one_out_split_and_windows(tmp_path, events):
    ds = dataset(tmp_path, "ml-1m", events, long=5, short=3)
    users = np.arange(ds.num_users)
    test_c, val_c = ds.eval_candidates("test"), ds.eval_candidates("validation")
    for u in users:
        seq = ds.history_rows(u, ds.seq_len[u])
        assert test_c[u, 0] == seq[-1] and val_c[u, 0] == seq[-2]
    long, short = ds.user_windows(users, "test")
    for u in users:
        hist = list(ds.history_rows(u, ds.seq_len[u] - 1))  # everything before the test item
        assert list(short[u]) == ([0] * 3 + hist[-3:])[-3:]
        rest = hist[:-3]
        assert list(long[u]) == ([0] * 5 + rest[-5:])[-5:]
    long_v, short_v = ds.user_windows(users, "validation")
    u = int(np.argmax(ds.seq_len))
    hist = list(ds.history_rows(u, ds.seq_len[u] - 2))
    assert list(short_v[u]) == hist[-3:] and list(long_v[u]) == hist[-8:-3]


def test_evaluation_negatives_are_never_touched_distinct_and_fixed(tmp_path, events):
    ds = dataset(tmp_path, "ml-1m", events)
    c = ds.eval_candidates("test")
    assert c.shape == (ds.num_users, 101)
    for u in range(ds.num_users):
        touched = set(ds.history_rows(u, ds.seq_len[u]))
        negatives = c[u, 1:]
        assert not touched.intersection(negatives)
        assert len(set(negatives)) == 100 or len(set(negatives)) == ds.num_rows - 1 - len(touched)
        assert (negatives >= 1).all()
    # the very same set on a fresh load (another model, another process) and independent of training
    again = Dataset(ds.cfg, load_ml1m(ds.path), ds.path).eval_candidates("test")
    assert np.array_equal(c, again)
    assert not np.array_equal(c[:, 1:], ds.eval_candidates("validation")[:, 1:])


def test_training_samples_come_from_the_training_part(tmp_path, events):
    ds = dataset(tmp_path, "ml-1m", events)
    users, ends, items, labels = ds.training_samples(7, np.random.default_rng(0))
    assert len(users) == 7 * ds.num_users
    assert items.shape == (len(users), 1 + ds.cfg.train_negatives)
    assert (labels[:, 0] == 1).all() and (labels[:, 1:] == 0).all()
    for u, e, row in zip(users, ends, items):
        assert 1 <= e < ds.seq_len[u] - 2  # target before validation, history non-empty
        assert row[0] == ds.history_rows(u, e + 1)[-1]
        assert not set(ds.history_rows(u, ds.seq_len[u])).intersection(row[1:])


def test_negative_sampling_fails_clearly_when_impossible(tmp_path):
    events = [(1, 10, 1), (1, 20, 2), (1, 30, 3)]
    ds = dataset(tmp_path, "csv", events)
    with pytest.raises(ValueError):
        ds.sample_negatives(np.array([0]), 2, np.random.default_rng(0))


def test_unknown_dataset_name_and_missing_folder(tmp_path):
    with pytest.raises(ValueError):
        DataConfig(dataset="nope")
    with pytest.raises(FileNotFoundError):
        load_dataset(DataConfig(dataset="csv", path=str(tmp_path / "missing")))


def test_default_path_points_next_to_the_repository():
    path = DataConfig(dataset="ml-1m").resolved_path()
    assert path.parts[-3:] == ("shared", "datasets", "ml-1m")


def test_demo_users_hold_histories_and_raw_features(tmp_path):
    events = synthetic_events(users=45)
    ds = dataset(tmp_path, "ml-1m", events)
    demo = ds.demo_users(count=10)
    assert "42" in demo and len(demo) == 10
    assert demo["42"]["history"] == chronological(events)[42]
    assert demo["42"]["features"] == {"gender": "M", "age": "1", "occupation": "2"}
