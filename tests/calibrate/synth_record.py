"""Generated daily-attack records (22-column layout) for the calibration and tempo tests.

Nothing is copied from the public dataset: counts come from formulas or a seeded generator.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from airshield.history.importer import read_daily_csv

HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,"
    "num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,"
    "destroyed_details,launched_details,launch_place_details,source"
).split(",")

MODEL = {"drone": "Shahed-136/131", "cruise_missile": "Kalibr", "ballistic_missile": "Iskander-M"}

# (launched, destroyed, lost or None) per kind for one night
Night = dict[str, tuple[int, int, int | None]]


def write_record(path: Path, nights: Iterable[tuple[pd.Timestamp, Night]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    for day, counts in nights:
        end = day + pd.Timedelta(days=1)
        for kind, (n, d, lost) in counts.items():
            row = dict.fromkeys(HEADER, "")
            row.update(
                time_start=f"{day:%Y-%m-%d} 19:00", time_end=f"{end:%Y-%m-%d} 08:00",
                model=MODEL[kind], target="Ukraine", launched=f"{n}.0", destroyed=f"{d}.0",
                not_reach_goal="" if lost is None else f"{lost}.0", border_crossing="{}",
                source=f"af/posts/{day:%Y%m%d}",
            )  # fmt: skip
            w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def record_frame(tmp_path: Path, nights: Iterable[tuple[pd.Timestamp, Night]]) -> pd.DataFrame:
    return read_daily_csv(write_record(tmp_path / "record.csv", nights)).frame


def stationary_nights(
    start: str, days: int, seed: int, mean: Callable[[int], float], p_use: float = 1.0
) -> list[tuple[pd.Timestamp, Night]]:
    """Drone nights with negative-binomial counts (size 5) around ``mean(day index)``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    out = []
    for i, day in enumerate(pd.date_range(start, periods=days, freq="D")):
        if rng.random() >= p_use:
            continue
        mu = mean(i)
        n = int(rng.negative_binomial(5, 5 / (5 + mu)))
        if n > 0:
            out.append((day, {"drone": (n, int(0.8 * n), None)}))
    return out
