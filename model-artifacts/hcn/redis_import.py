"""Bulk import of a data set's behaviour histories and user features into the ranking service's Redis.

    cd model-artifacts && python3 -m hcn.redis_import --dataset ml-1m --path ../../shared/datasets/ml-1m

Reads any format the model pipeline reads, through the pipeline's own loader (hcn.data.load_raw, with
the same loading options: --file, --user-column, --behaviours, ...), orders each
user's events by time (stable, as training does) and writes, per user, the layout the service reads
(docs/api.md, "Redis layout"):

    <prefix>:{<user>}:hist  LIST of the user's last `length` item ids, newest first
    <prefix>:{<user>}:feat  HASH of raw user features
    <prefix>:{<user>}:seen  ZSET of those events' identities "item:ts" scored by ts (the replay guard
                            of POST /v1/events, so that replaying an imported event is recognised)

Idempotent: each user's keys are deleted and rewritten, so running it twice gives the same state (and
replaces whatever events were ingested for that user before). Pipelined: `--batch` users per round
trip; on a single node each batch is one MULTI transaction encoded straight to the wire protocol.
`--cluster` talks to a Redis Cluster through redis-py's cluster pipeline (each user's keys share one
slot through the {user} hash tag). Needs python3-redis.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hcn.config import DATASETS, DataConfig
from hcn.data import load_raw

DEFAULT_BUNDLE = Path(__file__).resolve().parents[1] / "bundles" / "hcn-ml1m"


@dataclass(frozen=True)
class ImportConfig:
    data: DataConfig = DataConfig()  # what to load and how, exactly as training reads it
    host: str = "127.0.0.1"
    port: int = 6379
    cluster: bool = False  # --host/--port is one node of a Redis Cluster
    prefix: str = "hcn"
    length: int = 100  # events kept per user: L_long + L_short of the served bundle
    batch: int = 500  # users per pipeline round trip
    progress: bool = True

    def __post_init__(self):
        if self.length < 1 or self.batch < 1:
            raise ValueError("length and batch must be positive")
        if any(c in self.prefix for c in "{} \t\n"):
            raise ValueError("prefix must not contain braces or whitespace")


@dataclass(frozen=True)
class ImportResult:
    users: int
    events_read: int
    events_written: int
    seconds: float
    write_seconds: float

    @property
    def rate(self) -> float:
        """Events read and imported per second, over the whole run (loading included)."""
        return self.events_read / self.seconds if self.seconds > 0 else float("inf")


def bundle_length(bundle: Path) -> int:
    """L_long + L_short from a bundle's manifest: all the service reads per user."""
    model = json.loads((bundle / "manifest.json").read_text())["model"]
    return int(model["long_length"]) + int(model["short_length"])


def user_histories(raw, length: int):
    """Yields (user, items oldest first, timestamps) per user, trimmed to the last `length` events.

    Order per user is by timestamp, ties in file order (the pipeline's rule); an event repeating an
    earlier (item, timestamp) pair of the same user is one event, as POST /v1/events counts it.
    """
    users = np.asarray(raw.users, dtype=object)
    names, codes = np.unique(users, return_inverse=True)
    position = np.arange(len(codes))
    # Repeats: sorted by (user, ts, item, file order), a row equal to the one before it is a repeat.
    by_identity = np.lexsort((position, raw.items, raw.times, codes))
    same = (
        (np.diff(codes[by_identity]) == 0)
        & (np.diff(raw.times[by_identity]) == 0)
        & (np.diff(raw.items[by_identity]) == 0)
    )
    keep = np.ones(len(codes), dtype=bool)
    keep[by_identity[1:][same]] = False
    order = np.lexsort((position, raw.times, codes))
    order = order[keep[order]]
    codes, items, times = codes[order], raw.items[order], raw.times[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(codes)]))
    for s, e in zip(starts.tolist(), ends.tolist()):
        s = max(s, e - length)
        yield str(names[codes[s]]), items[s:e].tolist(), times[s:e].tolist()


def connect(cfg: ImportConfig):
    import redis  # Debian python3-redis
    import redis.cluster

    if cfg.cluster:
        return redis.cluster.RedisCluster(host=cfg.host, port=cfg.port)
    return redis.Redis(host=cfg.host, port=cfg.port)


def _bulk(value) -> bytes:
    b = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)


def _numbers(values) -> bytes:
    """RESP bulk strings of many integers in one pass (the hot path: item ids and timestamps)."""
    text = [str(v) for v in values]
    return "".join(f"${len(t)}\r\n{t}\r\n" for t in text).encode()


def user_commands(prefix: str, user: str, items, times, features) -> list:
    """The RESP-encoded commands that rewrite one user: DEL, then RPUSH / ZADD / HSET as needed."""
    hist, feat, seen = (_bulk(f"{prefix}:{{{user}}}:{k}") for k in ("hist", "feat", "seen"))
    commands = [b"*4\r\n$3\r\nDEL\r\n" + hist + feat + seen]
    if items:
        commands.append(b"*%d\r\n$5\r\nRPUSH\r\n" % (2 + len(items)) + hist + _numbers(reversed(items)))
        scored = []
        for i, t in zip(items, times):
            scored += (t, f"{i}:{t}")
        commands.append(b"*%d\r\n$4\r\nZADD\r\n" % (2 + len(scored)) + seen + _numbers(scored))
    if features:
        fields = b"".join(_bulk(k) + _bulk(v) for k, v in features.items())
        commands.append(b"*%d\r\n$4\r\nHSET\r\n" % (2 + 2 * len(features)) + feat + fields)
    return commands


def write_batch(connection, commands: list) -> None:
    """One round trip: MULTI, the commands, EXEC; raises on any error reply."""
    connection.send_packed_command([b"*1\r\n$5\r\nMULTI\r\n" + b"".join(commands) + b"*1\r\n$4\r\nEXEC\r\n"])
    for _ in range(len(commands) + 1):  # +OK for MULTI, +QUEUED per command
        connection.read_response()
    replies = connection.read_response()
    for r in replies or []:
        if isinstance(r, Exception):
            raise r


def write_user(pipe, prefix: str, user: str, items, times, features) -> int:
    """The same rewrite through a redis-py (cluster) pipeline, which routes each user to its node."""
    hist, feat, seen = (f"{prefix}:{{{user}}}:{k}" for k in ("hist", "feat", "seen"))
    for key in (hist, feat, seen):  # the cluster pipeline deletes one key per command
        pipe.delete(key)
    if items:
        pipe.rpush(hist, *reversed(items))
        pipe.zadd(seen, {f"{i}:{t}": t for i, t in zip(items, times)})
    if features:
        pipe.hset(feat, mapping=features)
    return len(items)


class Progress:
    """A one-line progress bar on stderr: users done, events written, current rate."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.start = total, enabled, time.perf_counter()

    def update(self, done: int, events: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(self.total, 1))
        rate = events / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} users, "
            f"{events:,} events, {rate:,.0f} events/s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run(cfg: ImportConfig, client=None) -> ImportResult:
    start = time.perf_counter()
    raw = load_raw(cfg.data)
    histories = list(user_histories(raw, cfg.length))
    client = client or connect(cfg)
    write_start = time.perf_counter()
    progress = Progress(len(histories), cfg.progress)
    written = 0
    connection = None if cfg.cluster else client.connection_pool.get_connection("import")
    try:
        for b in range(0, len(histories), cfg.batch):
            chunk = histories[b : b + cfg.batch]
            if connection is None:
                pipe = client.pipeline()
                for user, items, times in chunk:
                    written += write_user(pipe, cfg.prefix, user, items, times, raw.user_features.get(user))
                pipe.execute()
            else:
                commands = []
                for user, items, times in chunk:
                    commands += user_commands(cfg.prefix, user, items, times, raw.user_features.get(user))
                    written += len(items)
                write_batch(connection, commands)
            progress.update(min(b + cfg.batch, len(histories)), written)
    finally:
        if connection is not None:
            client.connection_pool.release(connection)
    progress.close()
    end = time.perf_counter()
    return ImportResult(len(histories), len(raw.items), written, end - start, end - write_start)


# DataConfig's fields that say how a data set is read (the rest concern training and evaluation).
LOADING_FIELDS = ("file", "user_column", "item_column", "time_column", "delimiter", "behaviours")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m hcn.redis_import", description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="ml-1m", choices=DATASETS)
    p.add_argument("--path", help="data set folder (default ../shared/datasets/<dataset>)")
    for name in LOADING_FIELDS:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"as for training (DataConfig.{name})")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6379)
    p.add_argument("--cluster", action="store_true", help="--host/--port is a node of a Redis Cluster")
    p.add_argument("--prefix", default="hcn", help="key prefix (hcn.history.key-prefix)")
    p.add_argument("--length", type=int, help="events kept per user (default: L_long + L_short of --bundle)")
    p.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="bundle whose manifest sets --length")
    p.add_argument("--batch", type=int, default=500, help="users per pipeline round trip")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    loading = {f: getattr(a, f) for f in LOADING_FIELDS if getattr(a, f) is not None}
    cfg = ImportConfig(
        data=DataConfig(dataset=a.dataset, path=a.path, **loading),
        host=a.host,
        port=a.port,
        cluster=a.cluster,
        prefix=a.prefix,
        length=a.length or bundle_length(a.bundle),
        batch=a.batch,
        progress=not a.no_progress,
    )
    r = run(cfg)
    print(
        f"imported {r.users:,} users: {r.events_read:,} events read, {r.events_written:,} written "
        f"(last {cfg.length} per user) in {r.seconds:.2f} s = {r.rate:,.0f} events/s; "
        f"writing took {r.write_seconds:.2f} s = {r.events_written / max(r.write_seconds, 1e-9):,.0f} "
        "events written/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
