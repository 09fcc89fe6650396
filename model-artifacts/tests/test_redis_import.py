"""The bulk importer: per-user order, repeats and trimming, and idempotence against a real redis-server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import numpy as np
import pytest

from conftest import synthetic_events, write_csv, write_ml1m, write_ml100k
from hcn.config import DataConfig
from hcn.data import RawData, load_raw
from hcn.redis_import import ImportConfig, run, user_histories


def test_histories_are_time_ordered_with_file_order_ties_repeats_dropped_and_trimmed():
    raw = RawData(
        users=["b", "a", "a", "a", "a", "b"],
        items=np.array([9, 3, 1, 2, 1, 8]),
        times=np.array([5, 20, 10, 20, 10, 1]),
    )
    out = {u: (i, t) for u, i, t in user_histories(raw, 10)}
    assert out["a"] == ([1, 3, 2], [10, 20, 20])  # the repeat (1, 10) is one event; 3 before 2
    assert out["b"] == ([8, 9], [1, 5])
    trimmed = {u: i for u, i, _ in user_histories(raw, 2)}
    assert trimmed["a"] == [3, 2]


@pytest.fixture
def redis_port(tmp_path):
    binary = shutil.which("redis-server")
    assert binary, "redis-server is required (.ci/deps installs it)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)


def state(port):
    import redis

    client = redis.Redis(port=port)
    out = {}
    for key in sorted(client.keys("*")):
        kind = client.type(key)
        if kind == b"list":
            out[key] = client.lrange(key, 0, -1)
        elif kind == b"hash":
            out[key] = client.hgetall(key)
        else:
            out[key] = client.zrange(key, 0, -1, withscores=True)
    return out


@pytest.mark.parametrize("fmt,writer", [("ml-1m", write_ml1m), ("ml-100k", write_ml100k), ("csv", write_csv)])
def test_every_pipeline_format_imports_idempotently(tmp_path, redis_port, fmt, writer):
    events = synthetic_events(users=5)
    writer(tmp_path / fmt, events)
    cfg = ImportConfig(
        data=DataConfig(dataset=fmt, path=str(tmp_path / fmt)),
        port=redis_port,
        length=8,
        batch=2,
        progress=False,
    )
    first = run(cfg)
    once = state(redis_port)
    import redis

    drifted = next(k for k in once if k.endswith(b":hist"))
    redis.Redis(port=redis_port).lpush(drifted, 99999)  # drift between the runs
    second = run(cfg)
    assert state(redis_port) == once
    assert first.users == second.users == 5
    assert first.events_read == len(events)

    raw = load_raw(DataConfig(dataset=fmt, path=str(tmp_path / fmt)))
    for user, items, times in user_histories(raw, 8):
        assert once[f"hcn:{{{user}}}:hist".encode()] == [str(i).encode() for i in reversed(items)]
        seen = once[f"hcn:{{{user}}}:seen".encode()]
        assert [m for m, _ in seen] == sorted(
            (f"{i}:{t}".encode() for i, t in zip(items, times)), key=lambda m: (int(m.split(b":")[1]), m)
        )
        if raw.user_features.get(user):
            assert once[f"hcn:{{{user}}}:feat".encode()] == {
                k.encode(): v.encode() for k, v in raw.user_features[user].items()
            }
