"""``airshield warmup`` and :mod:`airshield.warmup`: kernels compiled ahead of time in child
processes, the cache check that decides whether ``run``/``demo`` must compile first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    for name in ("run_night_into", "windows_of", "draw_into", "new_scratch", "run_batch",
                 "run_night", "tally_into", "dispatch_mobiles", "new_tally"):  # fmt: skip
        assert name in counts, name
    assert {k: v for k, v in counts.items() if v != "1"} == {}


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
