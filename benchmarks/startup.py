"""Start-up cost of the ``airshield`` command: CPU time of whole processes.

    python benchmarks/startup.py [--repeats 7]
    python benchmarks/startup.py --cold [--cold-repeats 1] [--cold-reps 1000]
    python benchmarks/startup.py --groups [--cold-repeats 1]

Runs ``airshield --help``, ``airshield validate examples/kyiv-2025-07-04.yaml`` and
``airshield catalog`` as fresh processes (``python -m airshield``, so the same interpreter and
environment, with compiled bytecode kept as an installed package has it; ``--no-bytecode``
compiles from source every time) ``--repeats`` times each and prints the CPU time (user + system of the child,
``resource.getrusage``) and the wall time: min / median / max. The target (issue 14) is under
0.5 s of CPU for ``--help`` and ``validate``. The load average is printed alongside: on a
shared machine CPU time grows with contention (caches, frequency), so compare medians taken
under similar load. A structural check that no heavy module is imported lives in
``tests/test_startup.py``.

``--cold``: the first ``airshield demo`` after ``pip install``: each repeat points
``NUMBA_CACHE_DIR`` at a new empty folder, so the demo compiles the raid kernel's parts (in two
child processes side by side, :mod:`airshield.warmup`) before its replications and leaves the
batch call to a detached background process; prints wall and CPU (the demo and every process it
waited for), min / median / max, the demo's own "compiled in" line, and how long after the demo
the background compile had put the batch call in the cache. Then
``airshield warmup`` (every kernel group, side by side) on an empty cache, and a warm demo (cache
present): its wall, CPU and the peak resident memory of its largest process (the demo or one of
its worker processes). The target (issue 14) is a first demo under 15 s wall on 2 cores.

``--groups``: what ``run`` / ``demo`` compile on an empty cache (``airshield.warmup.RUN_GROUPS``,
in child processes as the demo does), per group: wall and CPU seconds, and the critical path in
CPU seconds (the longest of the groups that run side by side, plus the groups that wait for
them): the compile's wall time on two otherwise idle cores; and what a first ``run`` / ``demo``
waits for (``airshield.warmup.STEP_GROUPS`` side by side: it leaves the batch call to a
background process). On a loaded machine these are the figures to compare, the wall time is
not.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "--help": ["--help"],
    "validate": ["validate", str(ROOT / "examples" / "kyiv-2025-07-04.yaml")],
    "catalog": ["catalog"],
}


def child_env(bytecode: bool) -> dict[str, str]:
    """The environment of the measured processes. With ``bytecode`` (the default) Python may
    keep compiled ``.pyc`` files, as an installed package has them: ``PYTHONDONTWRITEBYTECODE``
    is dropped and one unmeasured run writes them. Without it every run compiles every module
    it imports from source (about 0.1-0.2 s more)."""
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def measure(args: list[str], repeats: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    cmd = [sys.executable, "-m", "airshield", *args]
    subprocess.run(cmd, capture_output=True, check=False, env=env)  # writes the .pyc files
    cpu, wall = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, check=False, env=env)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if res.returncode != 0:
            raise SystemExit(f"airshield {' '.join(args)} failed: {res.stderr.decode()[-400:]}")
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return cpu, wall


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """``(wall s, CPU s, peak RSS MiB of the largest process, stderr)`` of ``airshield ARGS``.

    The peak is ``ru_maxrss`` of the children this script waited for; it is measured in a
    fresh interpreter (``resource`` keeps a running maximum per process), so one call's figure
    is its own."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t0 = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t0\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([r.returncode, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024,"
        " r.stderr[-3000:]]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "airshield", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    import json

    rc, wall, cpu, rss, err = json.loads(res.stdout)
    if rc != 0:
        raise SystemExit(f"airshield {' '.join(args)} failed: {err[-400:]}")
    return wall, cpu, rss, err


def spread(xs: list[float]) -> str:
    return f"{min(xs):7.2f} / {statistics.median(xs):7.2f} / {max(xs):7.2f}"


def wait_cached(group: str, env: dict[str, str], timeout_s: float = 900.0) -> None:
    """Wait until a fresh process under ``env`` finds ``group`` in numba's cache."""
    code = f"from airshield.warmup import cached\nprint(cached({group!r}))\n"
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if res.stdout.strip() == "True":
            return
        time.sleep(0.5)
    raise SystemExit(f"{group} was not in the cache {timeout_s:.0f} s after the demo")


def cold(repeats: int, reps: int) -> None:
    """First demo on an empty numba cache, ``warmup`` on an empty cache, then a warm demo."""
    demo = ["demo", "--reps", str(reps), "--workers", "2"]
    print(f"first demo ({' '.join(demo)}) on an empty NUMBA_CACHE_DIR, {repeats} repeat(s)")
    print(f"load {os.getloadavg()}")
    walls, cpus, lines, behind = [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="airshield-numba-") as d:
            env = {**os.environ, "NUMBA_CACHE_DIR": d}
            wall, cpu, _rss, err = run_child(demo, env)
            t_end = time.perf_counter()
            if "in the background" in err:
                wait_cached("raid-batch", env)
                behind.append(time.perf_counter() - t_end)
        walls.append(wall)
        cpus.append(cpu)
        lines += [ln for ln in err.splitlines() if ln.startswith("compiled in")]
    print(f"  wall s min / median / max {spread(walls)}")
    print(f"  CPU  s min / median / max {spread(cpus)}   ({'; '.join(lines)})")
    if behind:
        print(
            f"  the batch kernel's background compile (not in the CPU above) was in the cache "
            f"{spread(behind)} s after the demo ended (min / median / max)"
        )
    with tempfile.TemporaryDirectory(prefix="airshield-numba-") as d:
        env = {**os.environ, "NUMBA_CACHE_DIR": d}
        wall, cpu, _rss, err = run_child(["warmup"], env)
        print(
            f"airshield warmup (all groups, side by side), empty cache: wall {wall:.2f} s, "
            f"CPU {cpu:.2f} s"
        )
        for ln in err.splitlines()[1:]:
            print(f"  {ln}")
        wall, cpu, rss, _ = run_child(demo, env)
    print(
        f"warm demo (cache present): wall {wall:.2f} s, CPU {cpu:.2f} s, "
        f"peak RSS of its largest process {rss:.0f} MiB"
    )
    print(f"load after: {os.getloadavg()}")


API_FIRST_CALL = (
    "import json, resource, sys, time\n"
    "t0 = time.perf_counter()\n"
    "from airshield.examples import example_path\n"
    "from airshield.scenario import load_scenario\n"
    "load_scenario(example_path('kyiv-2025-07-04')).simulate(reps=int(sys.argv[1]), seed=1)\n"
    "wall = time.perf_counter() - t0\n"
    "own = resource.getrusage(resource.RUSAGE_SELF)\n"
    "kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps([wall, own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime,"
    " own.ru_maxrss / 1024]))\n"
)


def cold_api(repeats: int, reps: int) -> None:
    """The first ``Scenario.simulate`` of the reference raid from Python on an empty cache."""
    import json

    print(f"first Scenario.simulate(reps={reps}) from Python on an empty NUMBA_CACHE_DIR")
    print(f"load {os.getloadavg()}")
    walls, own, kids, rss = [], [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="airshield-numba-") as d:
            env = {**os.environ, "NUMBA_CACHE_DIR": d, "PYTHONWARNINGS": "ignore"}
            res = subprocess.run(
                [sys.executable, "-c", API_FIRST_CALL, str(reps)],
                capture_output=True, text=True, env=env, check=True,
            )  # fmt: skip
        w, o, k, r = json.loads(res.stdout.strip().splitlines()[-1])
        walls.append(w)
        own.append(o)
        kids.append(k)
        rss.append(r)
    print(f"  wall s min / median / max {spread(walls)}")
    print(f"  CPU s of the calling process {spread(own)}, of its compiling children {spread(kids)}")
    print(f"  peak RSS of the calling process, MiB {spread(rss)}")
    print(f"load after: {os.getloadavg()}")


def groups(repeats: int) -> None:
    """The run groups' compile on an empty cache: per-group wall / CPU and the critical path."""
    code = (
        "import json\n"
        "from airshield.warmup import RUN_GROUPS, warm_up\n"
        "print(json.dumps([(t.group, t.wall_s, t.cpu_s) for t in warm_up(RUN_GROUPS)]))\n"
    )
    from airshield.warmup import AFTER, STEP_GROUPS

    print(f"run groups compiled on an empty NUMBA_CACHE_DIR, {repeats} repeat(s)")
    print(f"load {os.getloadavg()}")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="airshield-numba-") as d:
            env = {**os.environ, "NUMBA_CACHE_DIR": d}
            t0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            )
            wall = time.perf_counter() - t0
        import json

        rows = json.loads(res.stdout.strip().splitlines()[-1])
        cpu = {g: c for g, _w, c in rows}
        first = [g for g in cpu if g not in AFTER]
        later = [g for g in cpu if g in AFTER]
        path = max((cpu[g] for g in first), default=0.0) + sum(cpu[g] for g in later)
        for g, w, c in rows:
            print(f"  {g:<12} wall {w:7.1f} s   CPU {c:6.1f} s")
        step = max((cpu[g] for g in STEP_GROUPS if g in cpu), default=0.0)
        print(
            f"  in all: wall {wall:.1f} s, CPU {sum(cpu.values()):.1f} s, "
            f"critical path {path:.1f} s CPU; a first run waits for {step:.1f} s CPU "
            f"({' and '.join(STEP_GROUPS)} side by side, the batch call in the background)"
        )
    print(f"load after: {os.getloadavg()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="first demo on an empty numba cache")
    ap.add_argument("--groups", action="store_true", help="the run groups' compile, per group")
    ap.add_argument(
        "--cold-api", action="store_true", help="first Scenario.simulate on an empty numba cache"
    )
    ap.add_argument("--cold-repeats", type=int, default=1)
    ap.add_argument("--cold-reps", type=int, default=1000, help="replications of the demo")
    ap.add_argument(
        "--no-bytecode",
        action="store_true",
        help="measure with PYTHONDONTWRITEBYTECODE=1 (every module compiled from source)",
    )
    args = ap.parse_args()
    if args.cold:
        cold(args.cold_repeats, args.cold_reps)
        return 0
    if args.groups:
        groups(args.cold_repeats)
        return 0
    if args.cold_api:
        cold_api(args.cold_repeats, args.cold_reps)
        return 0
    env = child_env(bytecode=not args.no_bytecode)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(
        "bytecode: "
        + ("none (PYTHONDONTWRITEBYTECODE=1)" if args.no_bytecode else ".pyc cached, as installed")
    )
    print(f"{'command':<10} {'CPU s min / median / max':>28} {'wall s median':>14}")
    for name, argv in COMMANDS.items():
        cpu, wall = measure(argv, args.repeats, env)
        print(
            f"{name:<10} {min(cpu):8.3f} / {statistics.median(cpu):6.3f} / {max(cpu):6.3f}"
            f"   {statistics.median(wall):12.3f}"
        )
    print(f"load after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
