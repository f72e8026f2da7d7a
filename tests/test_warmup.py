"""``airshield warmup`` and :mod:`airshield.warmup`: kernels compiled ahead of time in child
processes, the cache check that decides whether ``run``/``demo`` must compile first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from airshield import warmup

CHECK = (
    "from airshield.warmup import GROUPS, cached\n"
    "print(' '.join(f'{g}={cached(g)}' for g in GROUPS))\n"
)


def _cached_in_fresh_process(env: dict[str, str]) -> dict[str, bool]:
    res = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=300
    )
    assert res.returncode == 0, res.stderr[-2000:]
    pairs = (kv.split("=") for kv in res.stdout.split())
    return {k: v == "True" for k, v in pairs}


def test_an_empty_cache_dir_reads_as_not_cached(tmp_path: Path) -> None:
    # numba writes (and looks) under NUMBA_CACHE_DIR when it is set: an empty one holds nothing
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    assert _cached_in_fresh_process(env) == dict.fromkeys(warmup.GROUPS, False)


def test_warm_up_in_children_then_the_cache_is_current() -> None:
    # the session fixture (conftest) or an earlier run has compiled; warming up again only loads,
    # and every group then reads as cached, in this process and in a fresh one
    timings = warmup.warm_up(["assign", "raid-batch"])
    assert sorted(t.group for t in timings) == ["assign", "raid-batch"]
    assert all(t.wall_s > 0 and t.cpu_s > 0 for t in timings)
    assert warmup.cached("assign") and warmup.cached("raid-batch")
    fresh = _cached_in_fresh_process(dict(os.environ))
    assert fresh["assign"] and fresh["raid-batch"]
    assert warmup.ensure_warm() == []  # nothing left to compile for a run


def test_the_batch_group_waits_for_its_parts() -> None:
    lines: list[str] = []
    timings = warmup.warm_up(["raid-batch", "raid-night", "raid-parts"], progress=lines.append)
    # raid-batch links the compiled night and parts from the cache: it starts only after both
    groups = [t.group for t in timings]
    assert sorted(groups[:2]) == ["raid-night", "raid-parts"] and groups[2] == "raid-batch"
    assert [line.split(":")[0] for line in lines] == groups
    assert warmup.RUN_GROUPS == ("raid-night", "raid-parts", "raid-batch")


SIGNATURES = (
    "import pathlib, shutil, sys\n"
    "from numba.core.registry import CPUDispatcher\n"
    "from airshield.kernels import raid as K\n"
    "from airshield.raid import engines as E\n"
    "dst = pathlib.Path(K.run_batch._cache._cache_path)\n"
    "dst.mkdir(parents=True, exist_ok=True)\n"
    "for f in pathlib.Path(sys.argv[1]).glob('raid.*'):\n"
    "    if not f.name.startswith('raid.run_batch-'):\n"
    "        shutil.copy2(f, dst / f.name)\n"
    "for w in (E.warm_up_night, E.warm_up_parts, E.warm_up_single, E.warm_up_batch): w()\n"
    "for name in dir(K):\n"
    "    f = getattr(K, name)\n"
    "    if isinstance(f, CPUDispatcher) and f.signatures:\n"
    "        print(name, len(f.signatures))\n"
)


def test_the_batch_call_links_what_the_groups_compiled(tmp_path: Path) -> None:
    # each group calls its parts with the types the batch call gives them (blank_night), so the
    # batch call finds them in the cache and adds no second specialisation (one would compile
    # again: seconds of a fresh install's first run). A fresh process with the current cache
    # minus the batch call loads every group (each part typed as the group calls it), then
    # compiles the batch call, which types the parts as it calls them
    from airshield.kernels import raid as K

    src = str(K.run_batch._cache._cache_path)  # current: conftest warms the kernels up
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    res = subprocess.run(
        [sys.executable, "-c", SIGNATURES, src], capture_output=True, text=True, env=env,
        timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    counts = dict(line.split() for line in res.stdout.splitlines())
    # raid-parts compiles the event loop's callees first, with the types it calls them with
    # (raid-night then loads them from the cache): one signature each here too
    for name in ("run_night_into", "windows_of", "draw_into", "new_scratch", "run_batch",
                 "run_night", "tally_into", "dispatch_mobiles", "new_tally", "_static_events",
                 "intercept_time", "intercept_range_fraction", "pk_at", "tally_falls_into"):  # fmt: skip
        assert name in counts, name
    assert {k: v for k, v in counts.items() if v != "1"} == {}


CACHE_PATH = "from airshield.kernels import raid as K\nprint(K.run_batch._cache._cache_path)\n"


def _cache_without_the_batch_call(tmp_path: Path) -> dict[str, str]:
    """An environment whose numba cache holds the current kernel minus the batch call: what a
    fresh install has once ``run`` has compiled the groups it waits for."""
    from airshield.kernels import raid as K

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    where = subprocess.run(
        [sys.executable, "-c", CACHE_PATH], capture_output=True, text=True, env=env, timeout=300
    )
    dst = Path(where.stdout.strip())
    dst.mkdir(parents=True, exist_ok=True)
    for f in Path(K.run_batch._cache._cache_path).glob("raid.*"):
        if not f.name.startswith("raid.run_batch-"):
            shutil.copy2(f, dst / f.name)
    return env


LIBRARY_FIRST_CALL = (
    "import json\n"
    "from airshield.examples import example_path\n"
    "from airshield.kernels import raid as K\n"
    "from airshield.scenario import load_scenario\n"
    "r = load_scenario(example_path('one-battery')).simulate(reps=30, seed=5)\n"
    "s = [K.run_batch.stats, K.run_night_into.stats]\n"
    "print(json.dumps({'summary': r.summary(), 'misses': [sum(x.cache_misses.values()) for x in s],"
    " 'hits': [sum(x.cache_hits.values()) for x in s]}))\n"
)


def test_a_library_call_on_a_fresh_install_compiles_in_children_not_in_process(
    tmp_path: Path,
) -> None:
    # Scenario.simulate (notebooks, scripts) with neither the event loop nor the batch call in
    # the cache: they compile in child processes, side by side, and this process loads them
    # (no cache miss here: nothing compiled in-process); the numbers are the warm ones
    from airshield.examples import example_path
    from airshield.kernels import raid as K
    from airshield.scenario import load_scenario

    env = _cache_without_the_batch_call(tmp_path)
    dst = Path(subprocess.run(
        [sys.executable, "-c", CACHE_PATH], capture_output=True, text=True, env=env, timeout=300
    ).stdout.strip())  # fmt: skip
    for f in dst.glob("raid.run_night_into-*"):
        f.unlink()
    state = _cached_in_fresh_process(env)
    assert (state["raid-night"], state["raid-batch"]) == (False, False)
    res = subprocess.run(
        [sys.executable, "-c", LIBRARY_FIRST_CALL], capture_output=True, text=True, env=env,
        timeout=900,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    doc = json.loads(res.stdout)
    assert doc["misses"] == [0, 0] and doc["hits"][0] == 1  # loaded, never compiled here
    assert _cached_in_fresh_process(env)["raid-night"]
    warm = load_scenario(example_path("one-battery")).simulate(reps=30, seed=5)
    assert doc["summary"] == json.loads(json.dumps(warm.summary()))
    assert K.run_batch.signatures  # this (warm) process ran the compiled batch call


def _wait_for_the_batch_call(env: dict[str, str], timeout_s: float = 600.0) -> None:
    """Wait until the background compile has put the batch call in ``env``'s cache."""
    deadline = time.monotonic() + timeout_s
    while not _cached_in_fresh_process(env)["raid-batch"]:
        assert time.monotonic() < deadline, "the background compile never filled the cache"
        time.sleep(2)


def test_a_first_run_replicates_at_once_and_compiles_the_batch_call_behind(
    tmp_path: Path,
) -> None:
    # conftest has warmed the kernels up; this cache lacks only the batch call: run does not
    # wait for it, replicates through its Python body over the compiled parts (same numbers)
    # and leaves its compilation to a background process that fills the cache
    env = _cache_without_the_batch_call(tmp_path)
    state = _cached_in_fresh_process(env)
    assert (state["raid-night"], state["raid-parts"], state["raid-batch"]) == (True, True, False)
    cmd = [sys.executable, "-m", "airshield", "run", "one-battery", "--reps", "40", "--seed", "5",
           "--json"]  # fmt: skip
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "compiling the batch kernel in the background (pid" in first.stderr
    assert "compiling the raid kernel" not in first.stderr  # the parts came from the cache
    warm = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert warm.returncode == 0 and "background" not in warm.stderr
    assert json.loads(first.stdout) == json.loads(warm.stdout)
    _wait_for_the_batch_call(env)
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and "background" not in again.stderr
    assert json.loads(again.stdout) == json.loads(warm.stdout)


def test_other_raid_commands_prepare_the_kernel_the_same_way(tmp_path: Path) -> None:
    # campaign (like sweep, plan and attack) runs raids: on a cache without the batch call it
    # does not compile it in-process either, and its numbers are those of a warm run
    env = _cache_without_the_batch_call(tmp_path / "numba")
    # its own surrogate cache: the fast mode fits its surrogate through the stepwise raids
    env["AIRSHIELD_CACHE_DIR"] = str(tmp_path / "airshield")
    cmd = [sys.executable, "-m", "airshield", "campaign", "run",
           str(Path(__file__).parents[1] / "examples" / "campaign-summer-2025.yaml"),
           "--mode", "fast", "--reps", "20", "--seed", "1", "--json"]  # fmt: skip
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "compiling the batch kernel in the background (pid" in first.stderr
    warm = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert warm.returncode == 0 and "background" not in warm.stderr
    a, b = json.loads(first.stdout), json.loads(warm.stdout)
    for doc in (a, b):  # run facts: timings, and whether the fast mode's surrogate was cached
        doc.pop("elapsed_s"), doc.pop("info")
    assert a == b and a["totals"]
    _wait_for_the_batch_call(env)  # leave no compile running into later tests


def _record_children(monkeypatch: pytest.MonkeyPatch) -> list[warmup._Child]:
    """The child processes ``warm_up`` starts from now on, in a list."""
    started: list[warmup._Child] = []
    start = warmup._start

    def recording(*args: object) -> warmup._Child:
        proc = start(*args)  # type: ignore[arg-type]
        started.append(proc)
        return proc

    monkeypatch.setattr(warmup, "_start", recording)
    return started


def test_a_failure_while_waiting_stops_the_compiling_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run loads its scenario while the kernel compiles: a bad file must not leave children
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # an empty cache: they would compile
    started = _record_children(monkeypatch)

    def bad_file() -> None:
        raise ValueError("scenario.yaml:3: threats: expected a list")

    with pytest.raises(ValueError, match="expected a list"):
        warmup.warm_up(["raid-night", "raid-parts"], while_waiting=bad_file)
    assert len(started) == 2
    assert all(p.poll() is not None for p in started)  # killed and reaped, none left running
    assert not any(tmp_path.rglob("*.nbi"))  # stopped before anything was compiled


@pytest.mark.parametrize("forked", [True, False])
def test_children_forked_or_started_afresh_report_their_own_cpu_and_errors(
    forked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a forked child (Linux, one thread) inherits this process's modules; either way it reports
    # its own CPU seconds (a fork resets the clock: not this long test session's) and its errors
    if forked and not sys.platform.startswith("linux"):
        pytest.skip("children are forked on Linux only")
    monkeypatch.setattr(warmup, "_forks", lambda: forked)
    spin = "import time\nt = time.process_time()\nwhile time.process_time() < t + 0.2: pass"
    monkeypatch.setitem(warmup.GROUPS, "spin", spin)
    while time.process_time() < 3.5:  # this process's CPU clock well past the child's
        pass
    monkeypatch.setitem(warmup.GROUPS, "bad", "raise ValueError('no such kernel: boom')")
    started = _record_children(monkeypatch)
    (t,) = warmup.warm_up(["spin"])
    assert t.group == "spin" and 0.2 <= t.cpu_s < 3.0
    assert isinstance(started[0], warmup._Forked) is forked
    with pytest.raises(RuntimeError, match=r"'bad' failed:(.|\n)*no such kernel: boom"):
        warmup.warm_up(["bad"])
    assert all(p.poll() is not None for p in started)


def test_unknown_group_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown kernel group"):
        warmup.warm_up(["nope"])


def test_cli_warmup_json_and_bad_group() -> None:
    warmup.warm_up(["assign"])  # so that the command below finds it cached
    cmd = [sys.executable, "-m", "airshield", "warmup", "--group", "assign", "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    doc = json.loads(res.stdout)  # exactly one JSON document on stdout
    (g,) = doc["groups"]
    assert g["group"] == "assign" and g["was_cached"] is True and g["cpu_s"] > 0
    assert "warming up assign" in res.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "airshield", "warmup", "--group", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "expected one of raid-night, raid-parts, raid-batch, raid-single, assign" in bad.stderr
    assert "Traceback" not in bad.stderr
