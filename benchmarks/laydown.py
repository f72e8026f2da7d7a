"""The laydown optimiser on the Kyiv example: time per double-oracle iteration and in all, and the
worst-case harmful leakers of the optimised and the rule-based laydown in the same run.

    python benchmarks/laydown.py [--spec examples/laydown-kyiv.yaml] [--repeats 1] [--workers 1]

CPU time (``time.process_time``, this process; with ``--workers`` > 1 the workers' time is not
counted) and wall time; medians over the repeats. The machine may be shared: say so when quoting.
The aim (issue 11): under 5 minutes on 2 cores for the Kyiv example.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from airshield.plan.laydown import load_laydown, optimise_laydown

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=str(HERE / "examples" / "laydown-kyiv.yaml"))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    ld = load_laydown(args.spec)
    cpu, wall, per_it, loop = [], [], [], []
    res = None
    for _ in range(args.repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        res = optimise_laydown(ld, workers=args.workers)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        per_it.append(res.timings_s["per_iteration_cpu_s"])
        loop.append(res.timings_s["double_oracle_cpu_s"])
    assert res is not None
    print(f"spec: {args.spec}  ({res.sites} candidate sites, {len(res.laydown)} units placed)")
    print(f"double-oracle iterations: {len(res.bounds)}  converged: {res.converged}")
    for b in res.bounds:
        print(f"  iteration {b['iteration']}: pure [{b['lower']:.2f}, {b['upper']:.2f}]  "
              f"mixed [{b['mixed_lower']:.2f}, {b['mixed_upper']:.2f}]  "
              f"cpu {b['cpu_s']:.1f} s")  # fmt: skip
    print("  (model bounds on the coefficient model's game value; the cases below are simulated)")
    print(f"per iteration (CPU, median of {args.repeats}): {statistics.median(per_it):.1f} s")
    print(f"double oracle in all (CPU): {statistics.median(loop):.1f} s")
    print(f"total incl. simulations: CPU {statistics.median(cpu):.1f} s, "
          f"wall {statistics.median(wall):.1f} s")  # fmt: skip
    for label, case in (("optimised", res.to_dict()), ("rule-based", res.baseline)):
        w, m = case["worst_case"], case["mean_case"]
        print(f"{label:10s}: worst case {w['mean']:.1f} (p5-p95 {w['p5']:.0f}-{w['p95']:.0f}), "
              f"mean case {m['mean']:.1f}; worst plan {case['attacker_plan']}")  # fmt: skip


if __name__ == "__main__":
    main()
