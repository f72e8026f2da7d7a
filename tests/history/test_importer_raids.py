"""Importer v2: raids from reporting windows, lost after July 2025, July 2025, regional rows.

Every CSV here is small and invented; nothing is copied from the public record.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from airshield.history.importer import MIXED_MONTH, TIDY_COLUMNS, load_tidy, read_daily_csv
from history.attack_rows import row


def _drone(start: str, end: str, n: int, d: int, lost: str = "", src: str = "kpszsu/p/1"):
    return row(
        time_start=start,
        time_end=end,
        model="Shahed-136/131",
        target="Ukraine",
        launched=f"{n}.0",
        destroyed=f"{d}.0",
        not_reach_goal=lost,
        source=src,
    )


def _missile(start: str, end: str, n: int, d: int, model: str = "Kalibr"):
    return row(
        time_start=start,
        time_end=end,
        model=model,
        target="Ukraine",
        launched=f"{n}.0",
        destroyed=f"{d}.0",
        source="kpszsu/p/2",
    )


WINDOWS = [
    # 0: night of 6-7 Feb 2026 (drone window)
    _drone("2026-02-06 19:00", "2026-02-07 08:00", 400, 380),
    # 1: its missile wave next morning (same-day window ending before noon)
    _missile("2026-02-07 03:00", "2026-02-07 06:00", 20, 15),
    # 2: a morning wave 07:00-10:00 still belongs to that night
    _missile("2026-02-07 07:00", "2026-02-07 10:00", 4, 2, "Iskander-M"),
    # 3-4: a daytime mass raid 08:00-18:00 on 7 Feb: its own raid
    _drone("2026-02-07 08:00", "2026-02-07 18:00", 250, 230),
    _missile("2026-02-07 11:00", "2026-02-07 13:00", 6, 5),
    # 5: the next night, 7-8 Feb
    _drone("2026-02-07 19:00", "2026-02-08 09:00", 120, 110),
    # 6: a 24-hour report 09:00 to 09:00 belongs to the night before the morning it ends
    _drone("2026-02-09 09:00", "2026-02-10 09:00", 50, 45),
    # 7: an evening wave starting after 17:00 and ending before midnight: that date's night
    _missile("2026-02-11 19:30", "2026-02-11 23:00", 3, 3),
]


def test_daytime_raid_is_its_own_raid(make_csv) -> None:  # type: ignore[no-untyped-def]
    f = read_daily_csv(make_csv(WINDOWS)).frame.set_index("line")
    assert f.loc[2, "raid_id"] == f.loc[3, "raid_id"] == f.loc[4, "raid_id"] == "R2026-02-06"
    assert not f.loc[[2, 3, 4], "daytime"].any()
    # the daytime raid keeps its own date (and month), never folded into the night before
    assert f.loc[5, "raid_id"] == f.loc[6, "raid_id"] == "R2026-02-07-day"
    assert f.loc[[5, 6], "daytime"].all()
    assert (f.loc[[5, 6], "night"] == pd.Timestamp("2026-02-07")).all()
    assert f.loc[7, "raid_id"] == "R2026-02-07" and not f.loc[7, "daytime"]
    assert f.loc[8, "raid_id"] == "R2026-02-09"
    assert f.loc[9, "raid_id"] == "R2026-02-11"
    # window numbers count within each raid
    assert f.loc[[2, 3, 4], "window_id"].tolist() == [1, 2, 3]
    assert f.loc[[5, 6], "window_id"].tolist() == [1, 2]
    assert list(read_daily_csv(make_csv(WINDOWS)).frame.columns) == list(TIDY_COLUMNS)


def test_daytime_raid_sizes_are_not_summed_with_the_night(make_csv) -> None:  # type: ignore[no-untyped-def]
    f = read_daily_csv(make_csv(WINDOWS)).frame
    sizes = f.groupby("raid_id")["launched"].sum()
    assert sizes["R2026-02-06"] == 424 and sizes["R2026-02-07-day"] == 256
    assert read_daily_csv(make_csv(WINDOWS)).nights == 5


def test_lost_after_july_2025_kept_where_non_zero(make_csv) -> None:  # type: ignore[no-untyped-def]
    rows = [
        _drone("2025-09-10 18:00", "2025-09-11 09:00", 300, 270, "15.0"),
        _drone("2025-09-11 18:00", "2025-09-12 09:00", 200, 190, "0.0"),
        _drone("2025-09-12 18:00", "2025-09-13 09:00", 100, 90, ""),
    ]
    f = read_daily_csv(make_csv(rows)).frame.set_index("line")
    assert (f["regime"] == "combined").all()
    assert f.loc[2, "lost"] == 15 and f.loc[2, "lost_reported"]
    assert f.loc[2, "neutralised"] == 285
    # 0 under the combined count means "merged into destroyed": not reported, not zero
    assert pd.isna(f.loc[3, "lost"]) and not f.loc[3, "lost_reported"]
    assert f.loc[3, "neutralised"] == 190
    assert pd.isna(f.loc[4, "lost"]) and f.loc[4, "neutralised"] == 90


def test_july_2025_flagged_mixed(make_csv) -> None:  # type: ignore[no-untyped-def]
    rows = [
        _drone("2025-06-30 19:00", "2025-07-01 08:00", 100, 60, "30.0"),
        _drone("2025-07-10 19:00", "2025-07-11 08:00", 100, 60, "30.0"),
        _drone("2025-07-28 19:00", "2025-07-29 08:00", 100, 95, "0.0"),
        _drone("2025-08-01 19:00", "2025-08-02 08:00", 100, 95, "0.0"),
    ]
    res = read_daily_csv(make_csv(rows))
    f = res.frame.set_index("line")
    assert f["mixed_month"].tolist() == [False, True, True, False]
    assert f["regime"].tolist() == ["separate_lost", "separate_lost", "combined", "combined"]
    assert any(MIXED_MONTH in n.message for n in res.notes)


REGIONAL = [
    _drone("2024-11-02 19:00", "2024-11-03 08:00", 80, 50, "20.0"),
    # regional air command (South) day report of tactical drones, and one of Shaheds
    row(
        time_start="2024-11-03",
        time_end="2024-11-03",
        model="Orlan-10",
        target="south",
        launched="3.0",
        destroyed="3.0",
        source="PvKPivden/posts/x1",
    ),
    _drone("2024-11-03", "2024-11-03", 7, 7, src="https://t.me/pvkshid/123"),
    # an "Unknown UAV" day report in the national account
    row(
        time_start="2024-11-04",
        time_end="2024-11-04",
        model="Unknown UAV",
        target="east",
        launched="2.0",
        destroyed="2.0",
        source="kpszsu/posts/x2",
    ),
]


def test_regional_rows_excluded_by_default(make_csv) -> None:  # type: ignore[no-untyped-def]
    p = make_csv(REGIONAL)
    res = read_daily_csv(p)
    assert len(res.frame) == 1 and res.frame["launched"].sum() == 80
    assert not res.frame["regional"].any()
    assert any("regional" in n.message for n in res.notes)
    kept = read_daily_csv(p, include_regional=True).frame.set_index("line")
    assert kept["regional"].tolist() == [False, True, True, True]
    assert kept["launched"].sum() == 92
    # national drone totals: the Shahed-type line without the regional report
    national = kept[~kept["regional"] & (kept["group"] == "long_range_attack_drone")]
    assert national["launched"].sum() == 80


def test_regional_parquet_filtered_on_load(make_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = read_daily_csv(make_csv(REGIONAL), include_regional=True)
    out = res.to_parquet(tmp_path / "t.parquet")
    assert len(load_tidy(out)) == 1
    assert len(load_tidy(out, include_regional=True)) == 4


def test_is_shahed_column(make_csv) -> None:  # type: ignore[no-untyped-def]
    r = _drone("2025-08-05 19:00", "2025-08-06 08:00", 400, 380)
    r["is_shahed"] = "250.0"
    f = read_daily_csv(make_csv([r])).frame
    assert f["is_shahed"].iloc[0] == 250


def test_history_import_cli_switch(make_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = make_csv(REGIONAL)
    out = tmp_path / "a.parquet"
    for flag, rows in (([], 1), (["--include-regional"], 4)):
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "airshield", "history", "import", str(p)),
                *("-o", str(out), *flag, "--json"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["rows_out"] == rows


def test_largest_raids_keep_daytime_raids_apart(make_csv) -> None:  # type: ignore[no-untyped-def]
    from airshield.history.stats import largest_raids

    top = largest_raids(read_daily_csv(make_csv(WINDOWS)).frame, 3)
    assert top["raid_id"].tolist() == ["R2026-02-06", "R2026-02-07-day", "R2026-02-07"]
    assert top["total"].tolist() == [424, 256, 120]
    assert top["night"].tolist() == ["2026-02-06", "2026-02-07", "2026-02-07"]
    assert top["neutralised"].tolist() == [397, 235, 110]
