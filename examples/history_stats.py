"""History and bulletins in a few lines: import the public record, summarise it, read a bulletin.

    python examples/history_stats.py [CSV]

CSV defaults to ``../shared/data/attacks/missile_attacks_daily.csv`` (read in place: the data set
is CC BY-NC-SA 4.0 and is not part of this repository). Without it, only the bulletin part runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from airshield.history.bulletin import parse_bulletin
from airshield.history.importer import read_daily_csv
from airshield.history.stats import largest_raids, monthly_stats, raid_size_distribution

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parents[1] / "shared" / "data" / "attacks" / "missile_attacks_daily.csv"


def history(path: Path) -> None:
    res = read_daily_csv(path)
    print(
        f"{res.rows_in} rows -> {len(res.frame)} tidy rows, {res.nights} nights, "
        f"imported in {res.elapsed_s:.2f} s; unknown model names: {res.unknown_models or 'none'}"
    )
    monthly = monthly_stats(res.frame)
    recent = monthly[monthly["month"] >= "2025-01"]
    print("\nneutralised fraction (destroyed + lost) / launched, 95 % Jeffreys interval:")
    for r in recent.itertuples(index=False):
        if r.kind == "other" or r.n_trials == 0:
            continue
        print(
            f"  {r.month} {r.kind:<18} launched {int(r.launched):>5}  "
            f"{100 * r.fraction:5.1f} % [{100 * r.ci_low:.1f}–{100 * r.ci_high:.1f}]"
        )
    print("\nlargest raids (strategic weapons in one night):")
    print(largest_raids(res.frame, 5).to_string(index=False))
    dist = raid_size_distribution(res.frame)
    q = dist.quantiles
    print(
        f"\nraid size over {dist.nights} nights: median {q['p50']:.0f}, p90 {q['p90']:.0f}, "
        f"max {q['max']:.0f}"
    )


def bulletin() -> None:
    text = (HERE / "bulletin.txt").read_text(encoding="utf-8")
    print("\nclaims in examples/bulletin.txt:")
    for c in parse_bulletin(text):
        print(
            f"  launched {c.launched}  destroyed {c.destroyed}  lost {c.lost}  "
            f"date {c.date}  target {c.target}  qualifier {c.qualifier}"
        )
        for u in c.unclassified:
            print(f"    not counted: {u['text']!r} ({u['reason']})")


if __name__ == "__main__":
    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if csv_path.exists():
        history(csv_path)
    else:
        print(f"{csv_path}: not found; skipping the record")
    bulletin()
