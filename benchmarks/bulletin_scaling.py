"""Scaling of the bulletin reader with input length (it must be linear).

    python benchmarks/bulletin_scaling.py [--repeats 3] [--max-kb 400]

For several hostile and ordinary inputs (bare numbers, a long list of counts, many short
sentences, a long Ukrainian list, a realistic Air Force statement repeated) and doubling sizes,
prints the median CPU time (``time.process_time``) over the repeats, the time per kB, and the
log-log slope between the two largest sizes (1.0 = linear, 2.0 = quadratic). The machine may be
shared: CPU time, not wall time, and medians.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

from airshield.history.bulletin import parse_bulletin

STATEMENT = (
    "On the night of 12 March (from 19:00 on 11 March), the enemy attacked with 214 air attack "
    "means: 187 Shahed-type strike UAVs and decoys; 27 missiles (20 Kh-101 cruise missiles and 7 "
    "Iskander-M ballistic missiles). As of 09:00, air defence shot down 176 targets: 96 drones, "
    "18 Kh-101 and 2 Iskander-M. 58 decoys were locationally lost.\n\n"
)
UNITS = {
    "numbers": "1 ",
    "count-list": "7 drones, ",
    "sentences": "Russia launched 5 drones. ",
    "ukrainian": "Збито 3 БпЛА, ",
    "statement": STATEMENT,
}


def cpu(text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.process_time()
        parse_bulletin(text)
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--max-kb", type=int, default=400)
    args = ap.parse_args()
    sizes_kb = [25 * 2**i for i in range(10) if 25 * 2**i <= args.max_kb]
    print(f"{'input':<11} {'kB':>6} {'CPU s':>8} {'ms/kB':>7}")
    for name, unit in UNITS.items():
        rows = []
        for kb in sizes_kb:
            text = unit * max(1, (kb * 1000) // len(unit.encode()))
            t = cpu(text, args.repeats)
            rows.append((kb, t))
            print(f"{name:<11} {kb:>6} {t:>8.3f} {1000 * t / kb:>7.2f}")
        (k1, t1), (k2, t2) = rows[-2], rows[-1]
        slope = math.log(max(t2, 1e-9) / max(t1, 1e-9)) / math.log(k2 / k1)
        print(f"{name:<11} log-log slope {slope:.2f} (1 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
