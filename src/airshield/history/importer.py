"""Importer for the public daily-attack CSV ("Massive Missile Attacks on Ukraine" layout).

One input row is one weapon model (or a bundle of models reported as one total) in one reporting
window. The importer turns it into a tidy table, one row per model per window, with:

- ``start``/``end`` timestamps and ``start_has_time``/``end_has_time`` flags (date-only values,
  one-digit hours and trailing spaces are all accepted);
- ``night``: the evening date of the night the window belongs to, and ``raid_id`` (``R`` + that
  date) shared by every window of one night; ``window_id`` numbers the windows of a night;
- ``kind``/``group``/``strategic``/``mapped`` from the shipped model mapping
  (:mod:`airshield.history.models`); unknown names are kept with kind ``other`` and reported;
- nullable integer counts (``launched``, ``destroyed``, ``lost`` = ``not_reach_goal``):
  empty means *not reported*, never zero;
- ``regime``: which counting rule the Air Force used that night (see :data:`REGIMES`), and
  ``neutralised`` = destroyed + lost, consistent across the rule changes;
- bundles split by ``launched_details`` where that column gives the split;
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
    source: str | Path | IO[str], *, strict: bool = False, name: str | None = None
) -> ImportResult:
    """Read a daily-attack CSV into the tidy table (see the module docstring).

    ``strict=True`` turns unknown model names into errors instead of notes.
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
        for col in ("launched", "destroyed", "not_reach_goal", "still_attacking")
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

    _nights(frame)
    _regimes(frame)
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


def load_tidy(path: str | Path) -> pd.DataFrame:
    """Load a tidy table: a daily-attack CSV (imported on the fly) or a Parquet written by it."""
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
        return frame
    return read_daily_csv(p).frame


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


def _nights(frame: pd.DataFrame) -> None:
    """Assign the night (evening date), raid id and window number of every row.

    - a start with a time belongs to the night that began on ``date(start - 12 h)``, so a
      19:30 launch and a 02:00 missile wave next morning share one night;
    - a date-only start whose end is the same date before 13:00 is an overnight report: the
      night began the evening before;
    - any other date-only start (regional day reports) belongs to the night of that date.
    """
    start = frame["start"]
    with_time = (start - pd.Timedelta(hours=12)).dt.normalize()
    day = start.dt.normalize()
    overnight = (
        ~frame["start_has_time"]
        & frame["end_has_time"]
        & frame["end"].dt.normalize().eq(day)
        & (frame["end"].dt.hour < 13)
    )
    night = np.where(
        frame["start_has_time"],
        with_time,
        np.where(overnight, day - pd.Timedelta(days=1), day),
    )
    frame["night"] = pd.to_datetime(night)
    frame["raid_id"] = "R" + frame["night"].dt.strftime("%Y-%m-%d")
    windows = (
        frame[["night", "start", "end"]]
        .drop_duplicates()
        .sort_values(["night", "start", "end"])
        .assign(window_id=lambda w: w.groupby("night").cumcount() + 1)
    )
    frame["window_id"] = (
        frame[["night", "start", "end"]].merge(windows, on=["night", "start", "end"], how="left")
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
    lost[combined] = pd.NA  # the combined count already contains the lost drones
    frame["lost"] = lost
    frame["lost_reported"] = lost.notna().to_numpy()
    frame["neutralised"] = frame["destroyed"] + lost.fillna(0)
