"""Item metadata of a bundle (`items_meta.json`, docs/bundle-format.md): external id -> title and
features (MovieLens: genres), read from the data set's item file so that the service can show what an
interest or a ranked item is. Optional: a bundle without it shows ids only.

Add it to an existing bundle without retraining (the other files stay byte-identical; the manifest's
`items_meta` entry and sha256 list are updated):

    python -m hcn.items_meta --bundle bundles/hcn-ml1m --dataset ml-1m [--path ../shared/datasets/ml-1m]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

import numpy as np

FILE = "items_meta.json"
FORMAT = "hcn-items-meta/1"


def _lines(path: Path):
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line:
                yield line


def _ml1m(folder: Path) -> dict:
    # movies.dat: id::title::genre|genre
    meta = {}
    for line in _lines(folder / "movies.dat"):
        p = line.split("::")
        meta[int(p[0])] = {"title": p[1], "features": [g for g in p[2].split("|") if g]}
    return meta


def _ml100k(folder: Path) -> dict:
    # u.item: id|title|date|video|url|19 genre flags; u.genre: name|index
    names = {}
    if (folder / "u.genre").exists():
        pairs = [line.split("|") for line in _lines(folder / "u.genre")]
        names = {int(i): name for name, i in pairs if i.strip().isdigit()}
    meta = {}
    for line in _lines(folder / "u.item"):
        p = line.split("|")
        flags = [names.get(i, f"genre{i}") for i, f in enumerate(p[5:]) if f.strip() == "1"]
        meta[int(p[0])] = {"title": p[1], "features": flags}
    return meta


def _csv(folder: Path) -> dict:
    # items.csv: item[,title][,features] with `|`-separated features
    meta = {}
    with open(folder / "items.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            item = int(r["item"])
            title = (r.get("title") or "").strip() or f"item {item}"
            meta[item] = {"title": title, "features": [g for g in (r.get("features") or "").split("|") if g]}
    return meta


READERS = {"ml-1m": (_ml1m, "movies.dat"), "ml-100k": (_ml100k, "u.item"), "csv": (_csv, "items.csv")}


def read_dataset_meta(dataset: str, folder) -> dict | None:
    """{external id: {"title", "features"}} from the data set's item file; None when the data set has
    no item file (or its format has no reader), so the bundle simply goes without metadata."""
    reader = READERS.get(dataset)
    if reader is None or not (Path(folder) / reader[1]).exists():
        return None
    return reader[0](Path(folder))


_ADJECTIVES = "Amber Brave Silent Crimson Golden Hidden Iron Lucky Midnight Northern Paper Quiet Rapid Silver Velvet Wild".split()
_NOUNS = "Harbor Signal Garden Engine Comet Voyage Orchard Lantern Canyon Circuit Meadow Tower River Atlas Ember Summit".split()


def synthetic_meta(item_ids: np.ndarray, genres: np.ndarray, genre_names: list) -> dict:
    """Generated, readable names for a random-weight bundle ("Silver Comet 1234", a pure function of
    the id). genres is the multi-hot [rows, G] matrix the item tower was given, so the listed features
    are the ones the model saw."""
    meta = {}
    for row in range(1, len(item_ids)):
        item = int(item_ids[row])
        a, b = _ADJECTIVES[item % 16], _NOUNS[(item // 16) % 16]
        feats = [genre_names[g] for g in np.flatnonzero(genres[row])]
        meta[item] = {"title": f"{a} {b} {item}", "features": feats}
    return meta


def write_items_meta(out_dir, item_ids: np.ndarray, meta: dict) -> str:
    """Writes the catalogue's entries of meta (ids not in item_ids are left out) and returns the file
    name. Keys are decimal strings (JSON object keys), in row order."""
    entries = {}
    for item in item_ids[1:]:
        m = meta.get(int(item))
        if m is not None:
            entries[str(int(item))] = {"title": str(m["title"]), "features": [str(x) for x in m["features"]]}
    doc = {"format": FORMAT, "items": entries}
    (Path(out_dir) / FILE).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return FILE


def add_to_bundle(bundle_dir, meta: dict) -> Path:
    """Writes items_meta.json into an existing bundle and records it in its manifest (entry and sha256);
    no other file changes."""
    folder = Path(bundle_dir)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    ids = np.fromfile(folder / manifest["items"]["ids"], dtype="<i8")
    name = write_items_meta(folder, ids, meta)
    manifest["items_meta"] = name
    manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return folder / name


def main(argv=None):
    from hcn.config import default_dataset_path

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundle", required=True, help="bundle folder to add items_meta.json to")
    p.add_argument("--dataset", required=True, choices=sorted(READERS))
    p.add_argument("--path", help="data set folder (default ../shared/datasets/<dataset>)")
    a = p.parse_args(argv)
    folder = Path(a.path) if a.path else default_dataset_path(a.dataset)
    meta = read_dataset_meta(a.dataset, folder)
    if meta is None:
        raise SystemExit(f"{folder} has no item file for {a.dataset}")
    print(f"wrote {add_to_bundle(a.bundle, meta)}")


if __name__ == "__main__":
    main()
