"""The paper's public data sets read as their publishers ship them, from small generated fixtures
of each format; bad files give one DataFormatError naming file, line and what was expected."""

import gzip
import json
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import GENRES, synthetic_events
from hcn.config import SEQUENCE_PRESETS, DataConfig
from hcn.data import DataFormatError, load_amazon, load_dataset, load_movielens_csv, load_taobao

ARTIFACTS = Path(__file__).resolve().parents[1]
EVENTS = synthetic_events(users=10, items=30, seed=3)


def chronological(events):
    per_user = defaultdict(list)
    for pos, (u, i, t) in enumerate(events):
        per_user[str(u)].append((t, pos, i))
    return {u: [i for _, _, i in sorted(v)] for u, v in per_user.items()}


def write_ml25m(folder: Path, events=EVENTS):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "ratings.csv", "w") as f:
        f.write("userId,movieId,rating,timestamp\n")
        f.writelines(f"{u},{i},3.5,{t}\n" for u, i, t in events)
    with open(folder / "movies.csv", "w") as f:
        f.write("movieId,title,genres\n")
        for k in range(1, 31):
            genres = "(no genres listed)" if k == 30 else f"{GENRES[k % 4]}|{GENRES[(k + 1) % 4]}"
            f.write(f'{k * 10},"Movie {k}, The (1995)",{genres}\n')
    return folder


BEHAVIOURS = ["pv", "pv", "cart", "pv", "fav", "buy"]


def write_taobao(folder: Path, events=EVENTS):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "UserBehavior.csv", "w") as f:
        for k, (u, i, t) in enumerate(events):
            f.write(f"{u},{i},{i % 7},{BEHAVIOURS[k % len(BEHAVIOURS)]},{t}\n")
    return folder


def asin(i):
    return f"B{i:05d}X"


def write_amazon(folder: Path, events=EVENTS, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {"overall": 5.0, "reviewerID": f"A{u}Z", "asin": asin(i), "unixReviewTime": t, "reviewText": "ok"}
        )
        for u, i, t in events
    ]
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(folder / "Books_5.json.gz", "wt") as f:
            f.write(text)
    else:
        (folder / "Books_5.json").write_text(text)
    return folder


def write_tafeng(folder: Path, events=EVENTS):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "ta_feng_all_months_merged.csv", "w") as f:
        f.write(
            "TRANSACTION_DT,CUSTOMER_ID,AGE_GROUP,PIN_CODE,PRODUCT_SUBCLASS,PRODUCT_ID,AMOUNT,ASSET,SALES_PRICE\n"
        )
        for u, i, t in events:
            day = datetime.fromtimestamp(t * 86400, tz=timezone.utc)  # events' times as days
            age = "" if u % 4 == 0 else f"{25 + 5 * (u % 3)}-{29 + 5 * (u % 3)}"
            f.write(
                f"{day.month}/{day.day}/{day.year},{u:08d},{age},{110 + u % 2},{(i // 10) % 5},{4710000000000 + i},1,10,12\n"
            )
    return folder


def rows_of(ds, k):
    return ds.history_rows(k, ds.seq_len[k])


def test_movielens_25m_ratings_and_genres(tmp_path):
    ds = load_dataset(DataConfig(dataset="ml-25m", path=str(write_ml25m(tmp_path / "ml25"))))
    expected = chronological(EVENTS)
    for k, user in enumerate(ds.user_ids):
        assert list(ds.item_ids[rows_of(ds, k)]) == expected[user]
    assert set(ds.genre_names) == set(GENRES)
    assert ds.item_genres[ds.id_to_row[300]].sum() == 0  # "(no genres listed)"
    assert (ds.cfg.long_length, ds.cfg.short_length) == SEQUENCE_PRESETS["ml-25m"]
    same = load_dataset(DataConfig(dataset="ml-latest", path=str(tmp_path / "ml25")))
    assert same.num_interactions == len(EVENTS)


def test_taobao_keeps_chosen_behaviours_and_uses_the_category(tmp_path):
    folder = write_taobao(tmp_path / "taobao")
    raw = load_taobao(folder)
    kept = [e for k, e in enumerate(EVENTS) if BEHAVIOURS[k % len(BEHAVIOURS)] == "pv"]
    assert list(raw.items) == [i for _, i, _ in kept]
    assert raw.item_features[kept[0][1]] == [f"category:{kept[0][1] % 7}"]
    assert len(load_taobao(folder, behaviours="all").items) == len(EVENTS)
    assert len(load_taobao(folder, behaviours="buy,cart").items) == sum(
        BEHAVIOURS[k % len(BEHAVIOURS)] in ("buy", "cart") for k in range(len(EVENTS))
    )
    with pytest.raises(ValueError, match="behaviours"):
        load_taobao(folder, behaviours="click")
    ds = load_dataset(DataConfig(dataset="taobao", path=str(folder), behaviours="all"))
    assert (ds.cfg.long_length, ds.cfg.short_length) == (120, 30)  # Table 2
    assert ds.meta.num_genres == 7
    expected = chronological(EVENTS)
    for k, user in enumerate(ds.user_ids):
        assert list(ds.item_ids[rows_of(ds, k)]) == expected[user]


@pytest.mark.parametrize("gz", [False, True])
def test_amazon_json_lines_map_string_ids(tmp_path, gz):
    folder = write_amazon(tmp_path / f"amazon{gz}", gz=gz)
    raw = load_amazon(folder)
    assert {raw.item_keys[int(i)] for i in raw.items} == {asin(i) for _, i, _ in EVENTS}
    ds = load_dataset(DataConfig(dataset="amazon", path=str(folder)))
    expected = chronological(EVENTS)
    for k, user in enumerate(ds.user_ids):
        got = [raw.item_keys[int(i)] for i in ds.item_ids[rows_of(ds, k)]]
        assert got == [asin(i) for i in expected[user[1:-1]]]
    assert (ds.cfg.long_length, ds.cfg.short_length) == (120, 30)


def test_tafeng_kaggle_csv(tmp_path):
    ds = load_dataset(DataConfig(dataset="tafeng", path=str(write_tafeng(tmp_path / "tafeng"))))
    assert (ds.cfg.long_length, ds.cfg.short_length) == (20, 5)
    assert [n for n, _ in ds.feature_specs] == ["age_group", "pin_code"]
    assert ds.meta.num_genres == 5
    expected = chronological(EVENTS)
    for k, user in enumerate(ds.user_ids):
        assert [int(i) - 4710000000000 for i in ds.item_ids[rows_of(ds, k)]] == expected[str(int(user))]
    missing_age = [k for k, u in enumerate(ds.user_ids) if int(u) % 4 == 0]
    assert missing_age and all(ds.user_features[k, 0] == 0 for k in missing_age)


def test_generic_csv_takes_column_names_and_string_items(tmp_path):
    folder = tmp_path / "generic"
    folder.mkdir()
    with open(folder / "clicks.tsv", "w") as f:
        f.write("ts\tsku\tvisitor\textra\n")
        f.writelines(f"{t}\tsku-{i}\tv{u}\tx\n" for u, i, t in EVENTS)
    cfg = DataConfig(
        dataset="csv",
        path=str(folder),
        file="clicks.tsv",
        user_column="visitor",
        item_column="sku",
        time_column="ts",
        delimiter="\t",
    )
    ds = load_dataset(cfg)
    assert ds.num_interactions == len(EVENTS) and ds.num_users == len({u for u, _, _ in EVENTS})


@pytest.mark.parametrize(
    "dataset, write, damage, where, expected",
    [
        ("ml-25m", write_ml25m, lambda f: f / "ratings.csv", 1, "userId,movieId,rating,timestamp"),
        ("ml-25m", write_ml25m, lambda f: f / "ratings.csv", 4, "an integer movieId"),
        ("taobao", write_taobao, lambda f: f / "UserBehavior.csv", 1, "no header"),
        ("taobao", write_taobao, lambda f: f / "UserBehavior.csv", 6, "5 fields"),
        ("amazon", write_amazon, lambda f: f / "Books_5.json", 3, "reviewerID, asin, unixReviewTime"),
        ("tafeng", write_tafeng, lambda f: f / "ta_feng_all_months_merged.csv", 1, "PRODUCT_ID"),
        ("tafeng", write_tafeng, lambda f: f / "ta_feng_all_months_merged.csv", 5, "m/d/yyyy"),
        ("ml-1m", None, lambda f: f / "ratings.dat", 2, "user::item::rating::timestamp"),
    ],
)
def test_bad_files_name_file_line_and_expectation(tmp_path, dataset, write, damage, where, expected):
    from conftest import write_ml1m

    folder = (write or write_ml1m)(tmp_path / dataset, EVENTS)
    path = damage(folder)
    lines = path.read_text().splitlines()
    if where == 1 and dataset != "taobao":
        lines[0] = lines[0].replace("movieId", "itemId").replace("PRODUCT_ID", "PRODUCT")
    elif where == 1:
        lines.insert(0, "user_id,item_id,category_id,behavior_type,timestamp")
    elif dataset == "ml-25m":
        lines[where - 1] = "7,abc,3.0,1000"
    elif dataset == "taobao":
        lines[where - 1] = "7,10,3,pv"
    elif dataset == "amazon":
        lines[where - 1] = json.dumps({"reviewerID": "A1", "unixReviewTime": 5})
    elif dataset == "tafeng":
        lines[where - 1] = "2000-11-01,00000001,,115,3,4710000000001,1,10,12"
    else:
        lines[where - 1] = "7::10"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError) as err:
        load_dataset(DataConfig(dataset=dataset, path=str(folder)))
    message = str(err.value)
    assert message.startswith(f"{path}:{where}: expected") and expected in message, message


def test_missing_file_is_one_clear_line_from_the_cli(tmp_path):
    folder = write_taobao(tmp_path / "t")
    (folder / "UserBehavior.csv").write_text("1,2,3,pv,4\n1,2,3,pv\n")
    cmd = [
        sys.executable,
        "-m",
        "hcn.train",
        "--dataset",
        "taobao",
        "--path",
        str(folder),
        "--out",
        str(tmp_path / "o"),
    ]
    proc = subprocess.run(cmd, cwd=ARTIFACTS, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith(f"error: {folder / 'UserBehavior.csv'}:2: expected 5 fields")
    )
