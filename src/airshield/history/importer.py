"""Importer for the public daily-attack CSV ("Massive Missile Attacks on Ukraine" layout).

One input row is one weapon model (or a bundle of models reported as one total) in one reporting
window. The importer turns it into a tidy table, one row per model per window, with:

- ``start``/``end`` timestamps and ``start_has_time``/``end_has_time`` flags (date-only values,
  one-digit hours and trailing spaces are all accepted);
- raids built from reporting windows (:func:`_nights`): ``night`` is the evening date of the night
  a window belongs to and ``raid_id`` (``R`` + that date) is shared by every window of that night;
  a daytime window (it starts 07:00-16:59 and ends by midnight of the same day, at or after
  12:00) is a raid of its own, ``daytime = True``, ``raid_id`` ``R<date>-day``, with ``night`` =
  its own date (so it keeps its day and month and is never folded into the night before);
  ``window_id`` numbers the windows of a raid;
- ``regional``: the row comes from a regional air command (``PvKPivden``, ``pvkshid``,
  ``PvkZahid``, ``PvkCenter`` ...) or is an "Unknown UAV" day report. Such rows are left out of
  the table by default, so national totals are the national reports'; ``include_regional=True``
  keeps them, flagged;
- ``mixed_month``: the night is in July 2025, the month whose nights use both counting rules;
- ``kind``/``group``/``strategic``/``mapped`` from the shipped model mapping
  (:mod:`airshield.history.models`); unknown names are kept with kind ``other`` and reported;
- nullable integer counts (``launched``, ``destroyed``, ``lost`` = ``not_reach_goal``):
  empty means *not reported*, never zero;
- ``regime``: which counting rule the Air Force used that night (see :data:`REGIMES`), and
  ``neutralised`` = destroyed + lost, consistent across the rule changes. Under the combined
  rule (from 23 July 2025) a ``not_reach_goal`` of 0 means "merged into destroyed" and is read
  as not reported, but a non-zero value (the reports still give "locationally lost" apart on
  some nights) is kept and added;
- bundles split by ``launched_details`` where that column gives the split;
- ``is_shahed``: how many of a Shahed-type line were real Shahed/Geran (the rest decoys), where
  the record gives it (from July 2025);
- the Python-dict/list text columns parsed (``border_crossing_total``, ``border_crossing``,
  ``destroyed_details`` as JSON text, ``affected_regions`` as a list).

Bad input (missing columns, unreadable dates or counts) raises
:class:`~airshield.errors.ScenarioError` naming the file, column and line.
"""

from __future__ import annotations

import ast
import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from airshield.errors import Problem, ScenarioError
from airshield.history.models import classify_models, resolve_model
from airshield.scenario.limits import MAX_ROUNDS

REQUIRED_COLUMNS: tuple[str, ...] = ("time_start", "time_end", "model", "launched", "destroyed")
"""Columns the importer cannot work without."""

REGIME_SEPARATE_LOST_FROM = date(2024, 7, 1)
"""First night on which drones "locationally lost" were reported apart from those shot down."""

REGIME_COMBINED_FROM = date(2025, 7, 23)
"""First night (evening date, night of 23-24 July 2025) with one "shot down or suppressed" count."""

REGIMES: dict[str, str] = {
    "shot_down_only": "destroyed = shot down; lost not reported",
    "separate_lost": "destroyed = shot down; lost (not_reach_goal) = locationally lost, mostly EW",
    "combined": "destroyed = shot down or suppressed (includes lost); lost not reported apart",
}
"""The record's three counting rules, keyed by the ``regime`` column value."""

TIDY_COLUMNS: tuple[str, ...] = (
    "raid_id",
    "night",
    "window_id",
    "daytime",
    "regional",
    "mixed_month",
    "start",
    "start_has_time",
    "end",
    "end_has_time",
    "model",
    "kind",
    "group",
    "strategic",
    "mapped",
    "is_bundle",
    "split_from",
    "apportioned",
    "launched",
    "destroyed",
    "lost",
    "neutralised",
    "lost_reported",
    "regime",
    "still_attacking",
    "is_shahed",
    "border_crossing_total",
    "border_crossing",
    "launch_place",
    "target",
    "carrier",
    "affected_regions",
    "destroyed_details",
    "source",
    "line",
)
"""Column order of the tidy table."""

MIXED_MONTH = "2025-07"
"""The month whose nights use both counting rules (the change came on the night of 23-24 July)."""

REGIONAL_SOURCE_RE = re.compile(r"^(?:https?://(?:www\.)?(?:t\.me|facebook\.com)/)?pvk", re.I)
"""Source accounts of the regional air commands (``PvKPivden``, ``pvkshid``, ``PvkZahid`` ...)."""

DAYTIME_FIRST_HOUR = 7
"""A window starting at or after this hour (and before :data:`DAYTIME_LAST_START_HOUR`) ..."""

DAYTIME_LAST_START_HOUR = 17
"""... and ending the same day at or after :data:`DAYTIME_MIN_END_HOUR` is a daytime raid."""

DAYTIME_MIN_END_HOUR = 12
"""A same-day window ending before this hour is a morning wave of the night before."""

_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?$")
_MAX_PROBLEMS = 30


@dataclass
class ImportResult:
    """The tidy table plus what the importer noticed on the way."""

    frame: pd.DataFrame
    path: str
    rows_in: int
    unknown_models: dict[str, int] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def nights(self) -> int:
        """Number of distinct raid nights in the table."""
        return int(self.frame["raid_id"].nunique())

    def to_parquet(self, path: str | Path) -> Path:
        """Write the tidy table to Parquet (pyarrow) and return the path."""
        out = Path(path)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.frame.to_parquet(out, index=False, engine="pyarrow")
        except OSError as exc:
            raise ScenarioError(
                str(out), [Problem("--out", f"cannot write ({exc.strerror})")]
            ) from exc
        return out


def read_daily_csv(
    source: str | Path | IO[str],
    *,
    strict: bool = False,
    name: str | None = None,
    include_regional: bool = False,
) -> ImportResult:
    """Read a daily-attack CSV into the tidy table (see the module docstring).

    ``strict=True`` turns unknown model names into errors instead of notes.
    ``include_regional=True`` keeps the regional-command rows (flagged ``regional``); by default
    they are left out of the table and counted in a note.
    """
    t0 = time.perf_counter()
    label = name or (str(source) if isinstance(source, (str, Path)) else "<input>")
    raw = _read_raw(source, label)
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise ScenarioError(
            label,
            [
                Problem(
                    "columns",
                    f"missing column(s) {', '.join(missing)}; expected the daily-attack layout "
                    f"with at least {', '.join(REQUIRED_COLUMNS)}",
                    1,
                )
            ],
        )
    n = len(raw)
    lines = np.arange(2, n + 2)
    start, start_has_time = _parse_times(raw["time_start"], "time_start", lines, problems)
    end, end_has_time = _parse_times(raw["time_end"], "time_end", lines, problems)
    counts = {
        col: _parse_counts(raw[col], col, lines, problems)
        for col in ("launched", "destroyed", "not_reach_goal", "still_attacking", "is_shahed")
        if col in raw.columns
    }
    model = raw["model"].map(lambda s: " ".join(s.split()))
    for i in np.flatnonzero(model.eq("").to_numpy()):
        problems.append(Problem("model", "empty; expected a weapon model name", int(lines[i])))
    if problems:
        _raise(label, problems)

    notes: list[Problem] = []
    frame = pd.DataFrame(
        {
            "start": start,
            "start_has_time": start_has_time,
            "end": end,
            "end_has_time": end_has_time,
            "model": model,
            "launched": counts["launched"],
            "destroyed": counts["destroyed"],
            "lost": counts.get("not_reach_goal", _na_counts(n)),
            "still_attacking": counts.get("still_attacking", _na_counts(n)),
            "is_shahed": counts.get("is_shahed", _na_counts(n)),
            "launch_place": _text(raw, "launch_place"),
            "target": _text(raw, "target"),
            "carrier": _text(raw, "carrier"),
            "source": _text(raw, "source"),
            "line": lines,
            "split_from": "",
            "apportioned": False,
        }
    )
    _border_crossing(raw, frame, notes)
    frame["affected_regions"] = _literal_column(raw, "affected region", list, notes)
    details = _literal_column(raw, "destroyed_details", dict, notes)
    frame["destroyed_details"] = _json_texts(details)
    _check_consistency(frame, notes)
    frame = _split_bundles(raw, frame, notes)

    kinds = classify_models(frame["model"])
    for col in ("kind", "group", "strategic", "mapped", "is_bundle"):
        frame[col] = kinds[col].to_numpy()
    unknown = frame.loc[~frame["mapped"], "model"].value_counts()
    unknown_models = {str(k): int(v) for k, v in unknown.items()}
    if unknown_models:
        msg = "; ".join(
            f"{k!r} ({v} rows, unknown part(s): {', '.join(resolve_model(k).unknown_parts)})"
            for k, v in unknown_models.items()
        )
        if strict:
            _raise(label, [Problem("model", f"unknown model name(s): {msg}")])
        notes.append(Problem("model", f"kept with kind 'other', not in the mapping: {msg}"))

    frame["regional"] = _regional(frame)
    _nights(frame)
    _regimes(frame)
    frame["mixed_month"] = frame["night"].dt.strftime("%Y-%m").eq(MIXED_MONTH).to_numpy()
    if frame["mixed_month"].any():
        notes.append(
            Problem(
                "night",
                f"{int(frame['mixed_month'].sum())} row(s) in {MIXED_MONTH}, the month in which "
                "the counting rule changed (night of 23-24 July): flagged mixed_month",
            )
        )
    n_regional = int(frame["regional"].sum())
    if n_regional and not include_regional:
        frame = frame[~frame["regional"]]
        notes.append(
            Problem(
                "source",
                f"{n_regional} regional-command row(s) (regional air commands, 'Unknown UAV' "
                "day reports) left out of the national table; include_regional keeps them",
            )
        )
    frame = frame.sort_values(["night", "start", "end", "line"], kind="stable")
    frame = frame.reset_index(drop=True)[list(TIDY_COLUMNS)]
    for col in (
        "start_has_time",
        "end_has_time",
        "strategic",
        "mapped",
        "is_bundle",
        "apportioned",
        "lost_reported",
        "daytime",
        "regional",
        "mixed_month",
    ):
        frame[col] = frame[col].astype(bool)  # also typed when the file has no rows
    return ImportResult(
        frame=frame,
        path=label,
        rows_in=n,
        unknown_models=unknown_models,
        notes=notes,
        elapsed_s=time.perf_counter() - t0,
    )


def load_tidy(path: str | Path, *, include_regional: bool = False) -> pd.DataFrame:
    """Load a tidy table: a daily-attack CSV (imported on the fly) or a Parquet written by it.

    Regional-command rows are left out unless ``include_regional`` (a Parquet written with them
    is filtered the same way).
    """
    p = Path(path)
    if p.suffix.lower() in {".parquet", ".pq"}:
        if not p.exists():
            raise FileNotFoundError(2, "file not found", str(p))
        try:
            frame = pd.read_parquet(p, engine="pyarrow")
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise ScenarioError(
                str(p), [Problem("file", f"not a readable Parquet file ({exc})")]
            ) from exc
        missing = [c for c in TIDY_COLUMNS if c not in frame.columns]
        if missing:
            raise ScenarioError(
                str(p),
                [
                    Problem(
                        "columns",
                        f"missing {', '.join(missing)}; expected a tidy table "
                        "written by 'airshield history import'",
                    )
                ],
            )
        if not include_regional:
            frame = frame[~frame["regional"].astype(bool)].reset_index(drop=True)
        return frame
    return read_daily_csv(p, include_regional=include_regional).frame


# --------------------------------------------------------------------------- helpers


def _read_raw(source: str | Path | IO[str], label: str) -> pd.DataFrame:
    if isinstance(source, (str, Path)) and not Path(source).exists():
        raise FileNotFoundError(2, "file not found", str(source))
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(label, [Problem("encoding", f"not UTF-8 text ({exc.reason})")]) from exc
    except pd.errors.EmptyDataError as exc:
        raise ScenarioError(
            label, [Problem("header", "empty file; expected a CSV header line", 1)]
        ) from exc
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ScenarioError(
            label,
            [Problem("row", f"not valid CSV: {exc}", int(m.group(1)) if m else None)],
        ) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw


def _raise(label: str, problems: list[Problem]) -> None:
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > _MAX_PROBLEMS:
        shown.append(Problem("...", f"{len(problems) - _MAX_PROBLEMS} more problem(s) not shown"))
    raise ScenarioError(label, shown)


def _na_counts(n: int) -> pd.Series:
    return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))


def _text(raw: pd.DataFrame, col: str) -> pd.Series:
    if col not in raw.columns:
        return pd.Series([""] * len(raw), dtype=object)
    return raw[col].str.strip()


def _parse_times(
    values: pd.Series, col: str, lines: np.ndarray, problems: list[Problem]
) -> tuple[pd.Series, np.ndarray]:
    text = values.str.strip()
    parts = text.str.extract(_DATE_RE)
    bad = parts[0].isna().to_numpy().copy()
    has_time = parts[1].notna()
    stamp = parts[0] + " " + parts[1].fillna("0").str.zfill(2) + ":" + parts[2].fillna("00")
    parsed = pd.to_datetime(stamp, format="%Y-%m-%d %H:%M", errors="coerce")
    bad |= parsed.isna().to_numpy()
    for i in np.flatnonzero(bad):
        problems.append(
            Problem(
                col,
                f"{values.iloc[i]!r} is not a date 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM'",
                int(lines[i]),
            )
        )
    return parsed, has_time.to_numpy()


def _parse_counts(
    values: pd.Series, col: str, lines: np.ndarray, problems: list[Problem]
) -> pd.Series:
    text = values.str.strip()
    empty = text.eq("") | text.str.lower().isin(["nan", "na", "none"])
    num = pd.to_numeric(text.where(~empty), errors="coerce")
    # a count over MAX_ROUNDS (or inf) is no count of one attack window (and would not fit int64)
    big = num.notna() & ~(num.abs() <= MAX_ROUNDS)
    bad = (~empty & num.isna()) | (num < 0) | ((num % 1) != 0) & num.notna() | big
    for i in np.flatnonzero(bad.to_numpy()):
        problems.append(
            Problem(
                col,
                f"{values.iloc[i]!r} is not a whole, non-negative count of at most "
                f"{MAX_ROUNDS:,} (empty means not reported)",
                int(lines[i]),
            )
        )
    out = num.where(~bad).round()
    return pd.Series(pd.array(out.to_numpy(dtype=float), dtype="Int64"))


_SCALAR = r"(?:'[^'\\]*'|\"[^\"\\]*\"|-?\d+(?:\.\d*)?|NaN|nan|None)"
_FLAT_DICT_RE = re.compile(
    r"^\{\s*(?:"
    + _SCALAR
    + r"\s*:\s*"
    + _SCALAR
    + r"\s*(?:,\s*"
    + _SCALAR
    + r"\s*:\s*"
    + _SCALAR
    + r"\s*)*,?\s*)?\}$"
)
_FLAT_LIST_RE = re.compile(r"^\[\s*(?:" + _SCALAR + r"\s*(?:,\s*" + _SCALAR + r"\s*)*,?\s*)?\]$")
_PAIR_RE = re.compile(r"(" + _SCALAR + r")\s*:\s*(" + _SCALAR + r")")
_ITEM_RE = re.compile(_SCALAR)


def _scalar(tok: str) -> Any:
    if tok[0] in "'\"":
        return tok[1:-1]
    if tok in ("NaN", "nan", "None"):
        return None
    return float(tok) if "." in tok else int(tok)


def _literal(text: str) -> Any:
    """Parse Python-literal text such as ``{'south': 61, 'east': NaN}`` (NaN -> None).

    Flat dicts and lists of plain scalars (all the record holds) take a regex fast path; anything
    else goes through :func:`ast.literal_eval`.
    """
    if _FLAT_DICT_RE.match(text):
        return {_scalar(k): _scalar(v) for k, v in _PAIR_RE.findall(text)}
    if _FLAT_LIST_RE.match(text):
        return [_scalar(t) for t in _ITEM_RE.findall(text)]
    return ast.literal_eval(re.sub(r"\bNaN\b|\bnan\b", "None", text))


def _clean_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        if math.isnan(v):
            return None
        return int(v) if float(v).is_integer() else float(v)
    return v.strip() if isinstance(v, str) else v


def _literal_column(raw: pd.DataFrame, col: str, kind: type, notes: list[Problem]) -> list[Any]:
    if col not in raw.columns:
        return [None] * len(raw)
    out: list[Any] = []
    memo: dict[str, Any] = {"": None}
    for i, cell in enumerate(raw[col].tolist()):
        text = cell.strip()
        if text in memo:
            value = memo[text]
            out.append(
                dict(value)
                if isinstance(value, dict)
                else list(value)
                if isinstance(value, list)
                else value
            )
            continue
        try:
            value = _literal(text)
        except (ValueError, SyntaxError):
            notes.append(Problem(col, f"{text!r} is not {kind.__name__} text; kept empty", i + 2))
            out.append(None)
            continue
        if not isinstance(value, kind):
            notes.append(Problem(col, f"{text!r} is not a {kind.__name__}; kept empty", i + 2))
            out.append(None)
            continue
        if isinstance(value, dict):
            value = {str(k).strip(): _clean_value(v) for k, v in value.items()}
        memo[text] = value
        out.append(value)
    return out


def _json_texts(values: list[Any]) -> list[str | None]:
    """JSON text of each parsed value (``None`` stays ``None``); the empty dict is common."""
    return [
        None if v is None else "{}" if v == {} else json.dumps(v, ensure_ascii=False)
        for v in values
    ]


def _border_crossing(raw: pd.DataFrame, frame: pd.DataFrame, notes: list[Problem]) -> None:
    dicts = _literal_column(raw, "border_crossing", dict, notes)
    if "border_crossing" not in raw.columns:
        # older layouts: separate cross_border_belarus / back_russia columns
        older = {"cross_border_belarus": "belarus", "back_russia": "russia"}
        for i in range(len(raw)):
            d: dict[str, int] = {}
            for col, country in older.items():
                if col in raw.columns and raw[col].iloc[i].strip():
                    try:
                        d[country] = int(float(raw[col].iloc[i]))
                    except ValueError:
                        notes.append(Problem(col, f"{raw[col].iloc[i]!r} is not a count", i + 2))
            dicts[i] = d if d else None
    totals = [sum(v for v in d.values() if v is not None) if d is not None else None for d in dicts]
    frame["border_crossing_total"] = pd.array(totals, dtype="Int64")
    frame["border_crossing"] = _json_texts(dicts)


def _check_consistency(frame: pd.DataFrame, notes: list[Problem]) -> None:
    over = (frame["destroyed"] > frame["launched"]).fillna(False)
    for line in frame.loc[over, "line"]:
        notes.append(Problem("destroyed", "exceeds launched", int(line)))
    backwards = (frame["end"] < frame["start"]) & frame["end_has_time"]
    for line in frame.loc[backwards, "line"]:
        notes.append(Problem("time_end", "earlier than time_start", int(line)))


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest-remainder, sums exactly)."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        return [0] * len(weights)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    rest = total - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return [int(x) for x in base]


def _split_bundles(raw: pd.DataFrame, frame: pd.DataFrame, notes: list[Problem]) -> pd.DataFrame:
    """Split bundle rows whose ``launched_details`` gives the per-model launches."""
    if "launched_details" not in raw.columns:
        return frame
    details = _literal_column(raw, "launched_details", dict, notes)
    places = _literal_column(raw, "launch_place_details", dict, [])
    src: list[int] = []
    models: list[str] = []
    launched_parts: list[int] = []
    destroyed_parts: list[Any] = []
    lost_parts: list[Any] = []
    place_parts: list[str] = []
    apportioned: list[bool] = []
    cols: dict[str, list[Any]] = {
        c: frame[c].tolist() for c in ("launched", "destroyed", "lost", "line", "launch_place")
    }
    for i, d in enumerate(details):
        if not d:
            continue
        values = list(d.values())
        launched = cols["launched"][i]
        if (
            any(not isinstance(v, int) for v in values)
            or pd.isna(launched)
            or sum(values) != int(launched)
        ):
            notes.append(
                Problem(
                    "launched_details",
                    f"split {d} does not add up to launched={launched}; bundle kept whole",
                    int(cols["line"][i]),
                )
            )
            continue
        shares: dict[str, list[Any]] = {}
        for col in ("destroyed", "lost"):
            total = cols[col][i]
            shares[col] = [pd.NA] * len(d) if pd.isna(total) else _apportion(int(total), values)
        moved = any(pd.notna(cols[c][i]) and int(cols[c][i]) > 0 for c in ("destroyed", "lost"))
        pl = places[i] or {}
        for j, (model, value) in enumerate(d.items()):
            src.append(i)
            models.append(model)
            launched_parts.append(value)
            destroyed_parts.append(shares["destroyed"][j])
            lost_parts.append(shares["lost"][j])
            place_parts.append(str(pl.get(model, cols["launch_place"][i])))
            apportioned.append(moved and len(d) > 1)
    if not src:
        return frame
    pieces = frame.iloc[src].reset_index(drop=True)
    pieces["split_from"] = pieces["model"]
    pieces["model"] = models
    pieces["launched"] = pd.array(launched_parts, dtype="Int64")
    pieces["destroyed"] = pd.array(destroyed_parts, dtype="Int64")
    pieces["lost"] = pd.array(lost_parts, dtype="Int64")
    pieces["launch_place"] = place_parts
    pieces["apportioned"] = apportioned
    kept = frame.drop(index=frame.index[sorted(set(src))])
    return pd.concat([kept, pieces], ignore_index=True)


def _regional(frame: pd.DataFrame) -> np.ndarray:
    """Rows of the regional air commands, and "Unknown UAV" day reports (date-only windows)."""
    account = frame["source"].str.strip()
    by_source = account.str.contains(REGIONAL_SOURCE_RE).to_numpy()
    unknown_day = (
        frame["model"].str.casefold().eq("unknown uav") & ~frame["start_has_time"]
    ).to_numpy()
    return np.asarray(by_source | unknown_day, dtype=bool)


def _nights(frame: pd.DataFrame) -> None:
    """Build raids from the reporting windows: night (evening date), raid id, window number.

    Windows whose start has a time:

    - an overnight window (it ends on a later date than it starts, e.g. 19:00 to 08:00 or a
      24-hour report 09:00 to 09:00) belongs to the night before the morning it ends;
    - a same-day window starting before 07:00, or ending before 12:00 (a missile wave at
      03:00-05:00 or 07:00-10:00), is a wave of the night before;
    - a same-day window starting at 17:00 or later is the evening of that date's night;
    - any other same-day window (it starts 07:00-16:59 and ends at or after 12:00, e.g. a
      08:00-18:00 daytime mass raid) is a **daytime raid**: its own raid ``R<date>-day`` with
      ``night`` = its date, never folded into the night before;
    - a window whose end has no time falls back to the night that began on ``date(start - 12 h)``.

    Date-only starts: one whose end is the same date before 13:00 is an overnight report (the
    night began the evening before); any other (regional day reports) belongs to that date.
    """
    start = frame["start"]
    end = frame["end"]
    has_t = frame["start_has_time"].to_numpy(dtype=bool)
    end_t = frame["end_has_time"].to_numpy(dtype=bool)
    day = start.dt.normalize()
    end_day = end.dt.normalize()
    hour = start.dt.hour + start.dt.minute / 60.0
    end_hour = end.dt.hour + end.dt.minute / 60.0
    later = (end_day > day).to_numpy() & end_t
    same = (end_day == day).to_numpy() & end_t
    morning_wave = (
        same & ((hour < DAYTIME_FIRST_HOUR) | (end_hour < DAYTIME_MIN_END_HOUR)).to_numpy()
    )
    evening = same & (hour >= DAYTIME_LAST_START_HOUR).to_numpy()
    daytime = has_t & same & ~morning_wave & ~evening
    one_day = pd.Timedelta(days=1)
    with_time = np.where(
        later,
        end_day - one_day,
        np.where(
            morning_wave,
            day - one_day,
            np.where(same, day, (start - pd.Timedelta(hours=12)).dt.normalize()),
        ),
    )
    overnight = (
        ~frame["start_has_time"] & frame["end_has_time"] & end_day.eq(day) & (end.dt.hour < 13)
    )
    night = np.where(has_t, with_time, np.where(overnight, day - one_day, day))
    frame["night"] = pd.to_datetime(night)
    frame["daytime"] = daytime
    frame["raid_id"] = "R" + frame["night"].dt.strftime("%Y-%m-%d") + np.where(daytime, "-day", "")
    windows = (
        frame[["raid_id", "start", "end"]]
        .drop_duplicates()
        .sort_values(["raid_id", "start", "end"])
        .assign(window_id=lambda w: w.groupby("raid_id").cumcount() + 1)
    )
    frame["window_id"] = (
        frame[["raid_id", "start", "end"]].merge(
            windows, on=["raid_id", "start", "end"], how="left"
        )
    )["window_id"].to_numpy()


def _regimes(frame: pd.DataFrame) -> None:
    night = frame["night"].dt.date
    regime = np.where(
        night >= REGIME_COMBINED_FROM,
        "combined",
        np.where(night >= REGIME_SEPARATE_LOST_FROM, "separate_lost", "shot_down_only"),
    )
    frame["regime"] = regime
    combined = frame["regime"].eq("combined").to_numpy()
    lost = frame["lost"].copy()
    # under the combined count a 0 means "merged into destroyed"; a non-zero lost is still
    # reported apart on some nights and is kept
    merged = combined & (lost.fillna(0) == 0).to_numpy()
    lost[merged] = pd.NA
    frame["lost"] = lost
    frame["lost_reported"] = lost.notna().to_numpy()
    frame["neutralised"] = frame["destroyed"] + lost.fillna(0)
