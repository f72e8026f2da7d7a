"""Sweeps as processes: the summary is the same bytes on every call and for any number of
workers, a killed driver (kill -9) leaves no worker behind, and a second writer of the same
--out is refused with a clear error. Real subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.sweep.conftest import SPEC, write

#: long enough to be killed or contended while it runs (many cells, one per batch; the raid
#: kernel runs a small raid in well under a millisecond, so a few hundred replications are not)
LONG = SPEC.replace("reps: 6", "reps: 4000").replace("batch_cells: 2", "batch_cells: 1")
LINUX = sys.platform.startswith("linux")


def airshield(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args], capture_output=True, text=True, timeout=600,
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_summary_is_byte_identical_across_calls_and_worker_counts(
    serial_dir: Path, spec_path: Path, tmp_path: Path
) -> None:
    from airshield.sweep.analysis import _connect

    con, _ = _connect(serial_dir)
    try:  # the old view ran DuckDB's parallel (order-dependent) float aggregation
        assert con.execute("SELECT current_setting('threads')").fetchone() == (1,)
    finally:
        con.close()
    two = tmp_path / "two"
    run = airshield("sweep", "run", str(spec_path), "--out", str(two), "--workers", "2")
    assert run.returncode == 0, run.stderr
    outs = []
    for d in (serial_dir, serial_dir, two, two):
        res = airshield("sweep", "summary", str(d), "--json")
        assert res.returncode == 0, res.stderr
        doc = json.loads(res.stdout)
        doc.pop("dir")
        outs.append(json.dumps(doc, sort_keys=True))
    assert len(set(outs)) == 1


def _descendants(pid: int) -> set[int]:
    """Every process whose parent chain reaches ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out: set[int] = set()
    frontier = {pid}
    while frontier:
        kids = {p for p, pp in parents.items() if pp in frontier and p not in out}
        out |= kids
        frontier = kids
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not LINUX, reason="reads /proc")
def test_killed_driver_leaves_no_orphan_workers(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec", LONG)
    out = tmp_path / "out"
    with open(tmp_path / "driver.log", "wb") as log:
        driver = subprocess.Popen(
            [sys.executable, "-m", "airshield", "sweep", "run", str(spec), "--out", str(out),
             "--workers", "2"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while len(_descendants(driver.pid)) < 3:  # fork server + 2 workers (+ tracker)
            assert driver.poll() is None, (tmp_path / "driver.log").read_text()
            assert time.monotonic() < deadline, "workers never started"
            time.sleep(0.2)
        time.sleep(1.0)
        family = _descendants(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 60  # hang guard: they go within about a second
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p for p in family if _alive(p)]
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    for p in left:  # clean up before failing
        os.kill(p, signal.SIGKILL)
    assert not left, f"orphans after kill -9 of the driver: {left}"
    # and the sweep resumes from what was committed
    again = airshield("sweep", "run", str(spec), "--out", str(out), "--workers", "1", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["complete"] is True


@pytest.mark.skipif(not LINUX, reason="flock")
def test_second_writer_of_an_out_dir_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec", LONG)
    out = tmp_path / "out"
    with open(tmp_path / "first.log", "wb") as log:
        first = subprocess.Popen(
            [sys.executable, "-m", "airshield", "sweep", "run", str(spec), "--out", str(out),
             "--workers", "1", "--backend", "serial"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not (out / "manifest.json").exists():
            assert first.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        second = airshield("sweep", "run", str(spec), "--out", str(out), "--backend", "serial")
        assert first.poll() is None, "the first run ended before the test could contend"
        assert second.returncode == 2, second.stderr
        assert "another sweep run is writing this directory" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        try:
            first.wait(timeout=120)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()
    # once the first writer is gone the directory can be resumed
    again = airshield("sweep", "run", str(spec), "--out", str(out), "--backend", "serial")
    assert again.returncode == 0, again.stderr
