import hashlib
import json

import numpy as np
import pytest

from conftest import synthetic_events, write_csv, write_ml100k, write_ml1m
from hcn.items_meta import add_to_bundle, read_dataset_meta, synthetic_meta, write_items_meta


@pytest.mark.parametrize(
    "dataset, writer, title",
    [
        ("ml-1m", write_ml1m, "Movie 3 (1995)"),
        ("ml-100k", write_ml100k, "Movie 3"),
        ("csv", write_csv, "item 30"),
    ],
)
def test_every_format_gives_titles_and_features(tmp_path, dataset, writer, title):
    folder = writer(tmp_path / dataset, synthetic_events())
    meta = read_dataset_meta(dataset, folder)
    assert len(meta) == 30
    # item 30 is k = 3: genres GENRES[3 % 4], GENRES[4 % 4] = Horror, Action (u.genre order for 100k)
    assert meta[30]["title"] == title
    assert sorted(meta[30]["features"]) == ["Action", "Horror"]


def test_csv_title_column_is_used_when_present(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "items.csv").write_text("item,title,features\n7,Seven,a|b\n8,,\n")
    assert read_dataset_meta("csv", folder) == {
        7: {"title": "Seven", "features": ["a", "b"]},
        8: {"title": "item 8", "features": []},
    }


def test_no_item_file_means_no_metadata(tmp_path):
    assert read_dataset_meta("ml-1m", tmp_path) is None
    assert read_dataset_meta("no-such-format", tmp_path) is None


def test_only_catalogue_items_are_written_in_row_order(tmp_path):
    ids = np.array([-1, 5, 9], dtype=np.int64)
    meta = {
        9: {"title": "Nine", "features": ["x"]},
        5: {"title": "Fünf", "features": []},
        77: {"title": "gone", "features": []},
    }
    name = write_items_meta(tmp_path, ids, meta)
    doc = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    assert doc["format"] == "hcn-items-meta/1"
    assert list(doc["items"]) == ["5", "9"] and doc["items"]["5"]["title"] == "Fünf"


def test_adding_to_a_bundle_changes_only_the_manifest(tmp_path):
    ids = np.array([-1, 1, 2], dtype=np.int64)
    ids.astype("<i8").tofile(tmp_path / "item_ids.i64")
    before = hashlib.sha256((tmp_path / "item_ids.i64").read_bytes()).hexdigest()
    manifest = {"items": {"ids": "item_ids.i64"}, "files": {"item_ids.i64": before}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    path = add_to_bundle(tmp_path, {1: {"title": "One", "features": []}})
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["items_meta"] == "items_meta.json" and m["files"]["item_ids.i64"] == before
    assert m["files"]["items_meta.json"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_synthetic_names_are_distinct_and_carry_the_tower_features():
    ids = np.array([-1, 3, 40, 41], dtype=np.int64)
    genres = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32)
    meta = synthetic_meta(ids, genres, ["g00", "g01"])
    assert len({m["title"] for m in meta.values()}) == 3
    assert meta[41]["features"] == ["g00", "g01"] and meta[3]["features"] == ["g00"]
