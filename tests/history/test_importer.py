from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from airshield.errors import ScenarioError
from airshield.history.importer import TIDY_COLUMNS, load_tidy, read_daily_csv
from history.attack_rows import ROWS, row


def by_line(frame: pd.DataFrame, line: int) -> pd.DataFrame:
    return frame[frame["line"] == line]


def test_columns_and_row_count(daily_csv: Path) -> None:
    res = read_daily_csv(daily_csv)
    assert list(res.frame.columns) == list(TIDY_COLUMNS)
    assert res.rows_in == len(ROWS)
    # one bundle split into two models: one extra row
    assert len(res.frame) == len(ROWS) + 1


def test_times_mixed_formats(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    r = by_line(f, 3).iloc[0]  # one-digit hour
    assert r["start"] == pd.Timestamp("2024-03-11 03:00") and r["start_has_time"]
    r = by_line(f, 4).iloc[0]  # date only, trailing space
    assert r["start"] == pd.Timestamp("2024-03-11") and not r["start_has_time"]
    assert not r["end_has_time"]


def test_nights_and_raid_ids(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    night = {int(r.line): r.raid_id for r in f.itertuples()}
    # the 03:00 missile window belongs to the night that began at 19:00 the evening before
    assert night[2] == night[3] == "R2024-03-10"
    # a regional date-only day row belongs to the night of its date
    assert night[4] == "R2024-03-11"
    # a date-only start with a morning end is the report of the night before
    assert night[5] == "R2024-03-11"
    # windows of one night are numbered
    w = f[f["raid_id"] == "R2024-03-10"].set_index("line")["window_id"]
    assert w[2] == 1 and w[3] == 2


def test_counts_are_nullable_not_zero(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    assert str(f["launched"].dtype) == "Int64"
    r = by_line(f, 9).iloc[0]  # launched empty, destroyed 0.0
    assert pd.isna(r["launched"]) and r["destroyed"] == 0
    r = by_line(f, 5).iloc[0]  # destroyed empty
    assert pd.isna(r["destroyed"]) and pd.isna(r["neutralised"])
    r = by_line(f, 2).iloc[0]  # before July 2024: lost not reported
    assert pd.isna(r["lost"]) and not r["lost_reported"] and r["regime"] == "shot_down_only"
    assert r["neutralised"] == 35


def test_separate_lost_regime(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    r = by_line(f, 7).iloc[0]
    assert r["regime"] == "separate_lost"
    assert (r["launched"], r["destroyed"], r["lost"], r["neutralised"]) == (100, 60, 30, 90)
    assert r["still_attacking"] == 2
    assert r["border_crossing_total"] == 3
    assert json.loads(r["border_crossing"]) == {"belarus": 1, "russia": 2}
    assert json.loads(r["destroyed_details"]) == {"south": 10, "east": None}
    assert list(r["affected_regions"]) == ["Kyiv", "Kyiv oblast"]


def test_combined_regime_lost_is_not_zero(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    r = by_line(f, 12).iloc[0]
    assert r["regime"] == "combined"
    assert pd.isna(r["lost"])  # 0.0 in the file means "merged into destroyed", not zero lost
    assert r["neutralised"] == 280


def test_bundle_split_by_launched_details(daily_csv: Path) -> None:
    f = read_daily_csv(daily_csv).frame
    parts = by_line(f, 6).set_index("model")
    assert set(parts.index) == {"X-101/X-555", "Kalibr"}
    assert parts.loc["X-101/X-555", "launched"] == 20 and parts.loc["Kalibr", "launched"] == 10
    # destroyed 20 and lost 3 apportioned 2:1 by the largest remainder, sums exact
    assert parts["destroyed"].sum() == 20 and parts["lost"].sum() == 3
    assert parts.loc["X-101/X-555", "destroyed"] == 13 and parts.loc["Kalibr", "destroyed"] == 7
    assert parts.loc["X-101/X-555", "lost"] == 2 and parts.loc["Kalibr", "lost"] == 1
    assert parts["apportioned"].all()
    assert (parts["split_from"] == "X-101/X-555 and Kalibr").all()
    assert parts.loc["Kalibr", "launch_place"] == "Black Sea"
    assert (parts["kind"] == "cruise_missile").all()


def test_kinds_and_unknown_models(daily_csv: Path) -> None:
    res = read_daily_csv(daily_csv)
    f = res.frame
    kinds = f.drop_duplicates("line").set_index("line")["kind"]
    assert kinds[2] == "drone" and kinds[3] == "ballistic_missile" and kinds[5] == "cruise_missile"
    assert kinds[8] == "other"  # mixed cruise + ballistic bundle without a split
    assert kinds[11] == "ballistic_missile"  # lower-case ICBM spelling
    assert kinds[13] == "drone"  # Cyrillic name
    assert not by_line(f, 4).iloc[0]["strategic"]  # tactical drone
    # unknown name kept (never dropped) and reported
    r = by_line(f, 10).iloc[0]
    assert r["kind"] == "other" and not r["mapped"]
    assert res.unknown_models == {"Zircon-7": 1}
    assert any("Zircon-7" in n.message for n in res.notes)


def test_strict_unknown_is_error(daily_csv: Path) -> None:
    with pytest.raises(ScenarioError) as e:
        read_daily_csv(daily_csv, strict=True)
    assert "Zircon-7" in str(e.value)


def test_bad_date_names_column_and_line(make_csv) -> None:  # type: ignore[no-untyped-def]
    rows = [
        *ROWS[:3],
        row(
            time_start="11/03/2024",
            time_end="2024-03-11",
            model="ZALA",
            launched="1.0",
            destroyed="1.0",
        ),
    ]
    p = make_csv(rows)
    with pytest.raises(ScenarioError) as e:
        read_daily_csv(p)
    text = str(e.value)
    assert f"{p}:5: time_start:" in text and "YYYY-MM-DD" in text


@pytest.mark.parametrize("value", ["abc", "-3", "2.5"])
def test_bad_count(make_csv, value: str) -> None:  # type: ignore[no-untyped-def]
    p = make_csv(
        [
            row(
                time_start="2024-01-01",
                time_end="2024-01-01",
                model="ZALA",
                launched=value,
                destroyed="0",
            )
        ]
    )
    with pytest.raises(ScenarioError) as e:
        read_daily_csv(p)
    assert f"{p}:2: launched:" in str(e.value)


def test_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("time_start,time_end,launched\n2024-01-01,2024-01-01,3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        read_daily_csv(p)
    assert "model" in str(e.value) and ":1: columns:" in str(e.value)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_text("", encoding="utf-8")
    with pytest.raises(ScenarioError):
        read_daily_csv(p)


def test_older_layout_border_columns(tmp_path: Path) -> None:
    p = tmp_path / "old.csv"
    p.write_text(
        "time_start,time_end,model,launched,destroyed,cross_border_belarus,back_russia\n"
        "2023-05-01 20:00,2023-05-02 08:00,Shahed-136/131,20.0,18.0,1.0,\n",
        encoding="utf-8",
    )
    f = read_daily_csv(p).frame
    assert f["border_crossing_total"].iloc[0] == 1
    assert pd.isna(f["lost"].iloc[0])


def test_parquet_round_trip(daily_csv: Path, tmp_path: Path) -> None:
    res = read_daily_csv(daily_csv)
    out = res.to_parquet(tmp_path / "t.parquet")
    back = load_tidy(out)
    assert len(back) == len(res.frame)
    assert back["launched"].isna().sum() == res.frame["launched"].isna().sum()
    assert back["launched"].sum() == res.frame["launched"].sum()


def test_import_is_fast_on_a_larger_file(make_csv) -> None:  # type: ignore[no-untyped-def]
    p = make_csv(ROWS * 250, "big.csv")  # 3,000 rows, more than the training slice
    read_daily_csv(p)  # warm-up (imports)
    t0 = time.perf_counter()
    res = read_daily_csv(p)
    assert time.perf_counter() - t0 < 2.0  # generous bound for a shared CI box
    assert res.rows_in == 3000


def test_counts_conserved_by_split(daily_csv: Path) -> None:
    raw = pd.read_csv(daily_csv, dtype=str, keep_default_na=False)
    launched = pd.to_numeric(raw["launched"], errors="coerce").sum()
    f = read_daily_csv(daily_csv).frame
    assert f["launched"].sum() == launched
