"""The DuckDB run store: round trip, data directory, and concurrent writers (threads and
processes) that never corrupt it."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from airshield.store import RunStore, data_home


def test_round_trip(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "h" / "runs.duckdb")
    a = store.create_run(scenario_name="a", scenario_hash="ha", seed=3, reps=10, scenario_text="x")
    b = store.create_run(scenario_name="b", scenario_hash="hb", seed=4, reps=20)
    assert b == a + 1
    store.finish_run(a, summary={"n": np.int64(5), "v": np.float64(1.5)}, report_path="r.html")
    store.fail_run(b, "ValueError: nope")
    ra, rb = store.get(a), store.get(b)
    assert ra is not None and rb is not None
    assert ra.status == "done" and ra.summary == {"n": 5, "v": 1.5} and ra.report_path == "r.html"
    assert ra.scenario_text == "x" and ra.finished is not None
    assert rb.status == "failed" and rb.error == "ValueError: nope" and rb.summary is None
    assert [r.id for r in store.runs()] == [b, a]
    assert [r.id for r in store.runs(status="done")] == [a]
    assert (
        "scenario_text" not in ra.to_json() and ra.to_json(with_text=True)["scenario_text"] == "x"
    )
    assert store.get(999) is None
    # reopening keeps everything and continues the ids
    again = RunStore(tmp_path / "h" / "runs.duckdb")
    assert again.count() == 2
    assert again.create_run(scenario_name="c", scenario_hash="h", seed=0, reps=1) == b + 1
    assert again.delete(a) and not again.delete(a)


def test_data_home_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRSHIELD_HOME", str(tmp_path / "ah"))
    assert data_home() == tmp_path / "ah"
    assert RunStore().path == tmp_path / "ah" / "runs.duckdb"
    monkeypatch.delenv("AIRSHIELD_HOME")
    assert "airshield" in str(data_home())


def _writer(path: str, tag: str, n: int) -> None:
    store = RunStore(path)
    for i in range(n):
        rid = store.create_run(scenario_name=tag, scenario_hash="h", seed=i, reps=1)
        store.finish_run(rid, summary={"tag": tag, "i": i})


WRITER = """
import sys
from airshield.store import RunStore
path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = RunStore(path)
for i in range(n):
    rid = store.create_run(scenario_name=tag, scenario_hash="h", seed=i, reps=1)
    store.finish_run(rid, summary={"tag": tag, "i": i})
"""


def test_concurrent_threads_and_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.duckdb")
    RunStore(path)
    n = 8
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, f"p{k}", str(n)]) for k in range(2)
    ]
    threads = [threading.Thread(target=_writer, args=(path, f"t{k}", n)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for p in procs:
        assert p.wait(timeout=120) == 0
    store = RunStore(path)
    runs = store.runs(limit=1000)
    assert len(runs) == 5 * n
    assert len({r.id for r in runs}) == 5 * n
    assert all(
        r.status == "done" and r.summary == {"tag": r.scenario_name, "i": r.seed} for r in runs
    )
