"""Small hand-made daily-attack CSVs in the 22-column layout, with the record's quirks.

Nothing here is copied from the public dataset: the rows are invented to exercise each quirk
(mixed time formats, bundles joined by " and ", slashed families, float counts, empty = not
reported, dict-as-text columns, the July 2025 change of counting rule).
"""

from __future__ import annotations

import csv
import io

HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,still_attacking,border_crossing,is_shahed,num_hit_location,"
    "num_fall_fragment_location,carrier,turbojet,turbojet_destroyed,affected region,"
    "destroyed_details,launched_details,launch_place_details,source"
).split(",")


def row(**kw: str) -> dict[str, str]:
    out = {h: "" for h in HEADER}
    out["border_crossing"] = "{}"
    out.update(kw)
    return out


# line numbers in the file = index + 2
ROWS: list[dict[str, str]] = [
    # 0: national drone row, night of 10-11 Mar 2024 (regime: shot down only)
    row(
        time_start="2024-03-10 19:00",
        time_end="2024-03-11 09:00",
        model="Shahed-136/131",
        launch_place="Kursk oblast and Chauda, Crimea",
        target="Ukraine",
        launched="40.0",
        destroyed="35.0",
        source="af/posts/a1",
    ),
    # 1: missile sub-window of the same night (next morning), one-digit hour
    row(
        time_start="2024-03-11 3:00",
        time_end="2024-03-11 05:00",
        model="Iskander-M/KN-23",
        target="Kyiv oblast",
        launched="4.0",
        destroyed="2.0",
        source="af/posts/a1",
    ),
    # 2: date-only regional day row, trailing space in time_start
    row(
        time_start="2024-03-11 ",
        time_end="2024-03-11",
        model="Orlan-10",
        target="south",
        launched="3.0",
        destroyed="3.0",
        source="south/posts/b1",
    ),
    # 3: date-only start with a morning end: overnight report of 10-11 Mar? no: of 11-12 Mar
    row(
        time_start="2024-03-12",
        time_end="2024-03-12 08:00",
        model="X-59/X-69",
        target="Odesa oblast",
        launched="6.0",
        destroyed="",
        source="af/posts/a2",
    ),
    # 4: bundle with launched_details split (separate-lost regime), destroyed and lost given
    row(
        time_start="2024-08-25 20:00",
        time_end="2024-08-26 10:00",
        model="X-101/X-555 and Kalibr",
        target="Ukraine",
        launched="30.0",
        destroyed="20.0",
        not_reach_goal="3.0",
        launched_details="{'X-101/X-555': 20, 'Kalibr': 10}",
        launch_place_details="{'X-101/X-555': 'Volga', 'Kalibr': 'Black Sea'}",
        source="af/posts/a3",
    ),
    # 5: drone row with lost, still attacking, border crossing, details with NaN
    row(
        time_start="2024-08-25 20:00",
        time_end="2024-08-26 10:00",
        model="Shahed-136/131",
        target="Ukraine",
        launched="100.0",
        destroyed="60.0",
        not_reach_goal="30.0",
        still_attacking="2.0",
        border_crossing="{'belarus': 1.0, 'russia': 2.0}",
        destroyed_details="{'south': 10, 'east':   NaN}",
        **{"affected region": "['Kyiv', 'Kyiv oblast']"},
        source="af/posts/a3",
    ),
    # 6: mixed cruise + ballistic bundle without details: kind other, kept
    row(
        time_start="2024-08-25 20:00",
        time_end="2024-08-26 10:00",
        model="Kalibr and Iskander-M",
        target="Ukraine",
        launched="5.0",
        destroyed="1.0",
        source="af/posts/a3",
    ),
    # 7: launched not reported (empty), destroyed reported 0
    row(
        time_start="2024-09-01",
        time_end="2024-09-01 08:00",
        model="C-300",
        target="Kharkiv",
        launched="",
        destroyed="0.0",
        source="af/posts/a4",
    ),
    # 8: unknown model name, lower-case ICBM spelling
    row(
        time_start="2024-09-02 21:00",
        time_end="2024-09-03 07:00",
        model="Zircon-7",
        target="Ukraine",
        launched="1.0",
        destroyed="0.0",
        source="af/posts/a5",
    ),
    row(
        time_start="2024-09-02 21:00",
        time_end="2024-09-03 07:00",
        model="intercontinental ballistic missile",
        target="Dnipro",
        launched="1.0",
        destroyed="0.0",
        source="af/posts/a5",
    ),
    # 10: combined regime (after 23 July 2025): not_reach_goal 0 means merged, not zero lost
    row(
        time_start="2025-07-28 18:00",
        time_end="2025-07-29 09:00",
        model="Shahed-136/131",
        target="Ukraine",
        launched="300.0",
        destroyed="280.0",
        not_reach_goal="0.0",
        source="af/posts/a6",
    ),
    # 11: Cyrillic tactical drone name
    row(
        time_start="2025-07-29",
        time_end="2025-07-29",
        model="Молнія",
        target="east",
        launched="2.0",
        destroyed="2.0",
        source="east/posts/c1",
    ),
]


def to_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()
