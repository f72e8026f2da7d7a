"""Analysis of a sweep directory: DuckDB SQL over the Parquet parts.

Response curves
    For each parameter, the cells grouped by its value (or, when it takes more than
    :data:`MAX_LEVELS` values, as in a Latin hypercube, by deciles): the mean over those cells of
    the outcome's per-cell mean, and the mean of their 5–95 % replication bands. The other
    parameters are averaged over, as the design spreads them.

Influence ranking
    The first-order sensitivity index of each parameter, estimated as the share of the variance
    of the per-cell mean explained by that parameter alone (the correlation ratio η², from the
    same grouping as the response curves): ``S1 = Var(E[Y | X_i]) / Var(Y)``.

    Why this one: it is the first-order Sobol index, so it is model-free (a U-shaped or threshold
    response counts as much as a linear one), it reads as "share of the spread due to this
    parameter alone", and it needs no extra runs: on a full-factorial grid the groups are
    balanced and η² is exactly the main-effect share of the design; on a Latin hypercube each
    decile bin holds the same number of cells and η² is the usual binned estimator. What is
    left, ``1 - sum(S1)``, is interactions plus Monte Carlo noise. Parameters that move together
    on one ``list`` or ``lhs`` axis with few points can group the cells identically; they are
    then listed in each other's ``aliased_with`` and their effects cannot be separated. The
    binned estimate is biased upwards by about ``(k - 1) / (n - 1)`` for ``k`` groups and ``n``
    cells (its value when the parameter has no effect); it is reported as ``noise_floor``: an
    S1 below it means nothing.
    Standardised regression coefficients (SRC, from one linear least-squares fit on all numeric
    parameters) are reported beside it for the direction of each effect; the fit's R² tells how
    far a linear reading can be trusted.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from airshield.errors import Problem, ScenarioError
from airshield.store import has_parts, read_manifest, table_glob

#: outcomes with per-cell _mean/_sd/_p5/_p95 columns in the summary table, and their labels
OUTCOMES: dict[str, str] = {
    "leaked_harmful": "harmful leakers (threats that reached an asset, decoys excluded)",
    "leaked": "leakers (all, decoys included)",
    "destroyed": "threats destroyed",
    "lost": "threats lost to electronic warfare",
    "decoy_leaked": "decoys not engaged or missed",
    "defender_cost_usd": "interceptor cost (USD)",
    "damage_usd": "damage to assets (USD)",
    "launched": "threats launched",
    "first_empty_night": "first night (0-based) a pool ran empty; the horizon if none did "
    "(campaigns)",
}
MAX_LEVELS = 12
N_BINS = 10


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scalar(con: Any, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def _connect(out: str | Path) -> tuple[Any, str]:
    import duckdb

    read_manifest(out)
    if not has_parts(out):
        msg = "no cells finished yet; nothing to analyse"
        raise ScenarioError(str(out), [Problem("parts", msg)])
    # one thread and a table in cell order: every aggregate adds the same numbers in the same
    # order, so the summary is the same bytes on every call and for any number of workers
    # (DuckDB's parallel float sums differ in the last digits from one call to the next)
    con = duckdb.connect(config={"threads": 1})
    glob = table_glob(out).replace("'", "''")
    con.sql(f"CREATE TABLE summary AS SELECT * FROM read_parquet('{glob}') ORDER BY cell")
    return con, glob


def load_summary(out: str | Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The per-cell summary (cell order) and the manifest's parameter list."""
    man = read_manifest(out)
    con, _ = _connect(out)
    try:
        df = con.sql("SELECT * FROM summary ORDER BY cell").df()
    finally:
        con.close()
    return df, list(man["parameters"])


def _check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise ScenarioError(
            None, [Problem("--outcome", f"unknown outcome {outcome!r}; expected one of "
                           f"{', '.join(OUTCOMES)}")]
        )  # fmt: skip


def response(con: Any, param: dict[str, Any], outcome: str) -> dict[str, Any]:
    """The response of ``outcome`` to one parameter (SQL), grouped by value or by decile."""
    p, m = _q(param["name"]), _q(f"{outcome}_mean")
    lo, hi = _q(f"{outcome}_p5"), _q(f"{outcome}_p95")
    distinct = int(_scalar(con, f"SELECT count(DISTINCT {p}) FROM summary"))
    numeric = param["type"] in ("int64", "float64")
    stats = (
        f"count(*) AS cells, avg({m}) AS mean, avg({lo}) AS p5, avg({hi}) AS p95, "
        f"min({m}) AS min_cell_mean, max({m}) AS max_cell_mean"
    )
    if distinct <= MAX_LEVELS or not numeric:
        rows = con.sql(
            f"SELECT {p} AS value, {p} AS low, {p} AS high, {stats} FROM summary "
            f"GROUP BY {p} ORDER BY {p}"
        ).df()
        binned = False
    else:
        rows = con.sql(
            f"WITH b AS (SELECT *, ntile({N_BINS}) OVER (ORDER BY {p}, cell) AS bin FROM summary) "
            f"SELECT avg({p}) AS value, min({p}) AS low, max({p}) AS high, {stats} "
            f"FROM b GROUP BY bin ORDER BY bin"
        ).df()
        binned = True
    return {
        "name": param["name"],
        "path": param["path"],
        "type": param["type"],
        "distinct": distinct,
        "binned": binned,
        "response": _records(rows),
    }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in rec.items()})
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def groups_of(x: pd.Series) -> tuple[np.ndarray, int]:
    """Group labels for a parameter column: its values, or equal-count bins when numeric with
    more than :data:`MAX_LEVELS` distinct values. Returns (labels, number of groups)."""
    n = len(x)
    distinct = x.nunique()
    if distinct <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(x) or n == 0:
        codes, uniques = pd.factorize(x, sort=True)
        return np.asarray(codes), len(uniques)
    k = max(2, min(N_BINS, int(math.sqrt(n))))
    order = np.lexsort((np.arange(n), x.to_numpy()))
    labels = np.empty(n, np.int64)
    labels[order] = (np.arange(n) * k) // n
    return labels, k


def _partition(x: pd.Series) -> tuple[int, ...]:
    labels, _ = groups_of(x)
    # canonical relabelling: first appearance order
    seen: dict[int, int] = {}
    return tuple(seen.setdefault(int(v), len(seen)) for v in labels)


def influence_ranking(
    frame: pd.DataFrame, params: list[dict[str, Any]], column: str
) -> list[dict[str, Any]]:
    """Parameters ranked by first-order index S1 of ``column`` (see the module docstring)."""
    y = frame[column].to_numpy(dtype=float)
    ok = np.isfinite(y)
    y = y[ok]
    n = len(y)
    var = float(np.var(y)) if n else 0.0
    rows: list[dict[str, Any]] = []
    numeric = [p for p in params if p["type"] in ("int64", "float64")]
    src = _src(frame.loc[ok], numeric, y)
    for p in params:
        x = frame.loc[ok, p["name"]]
        labels, k = groups_of(x)
        if var > 0 and k > 1:
            means = np.bincount(labels, weights=y, minlength=k) / np.maximum(
                np.bincount(labels, minlength=k), 1
            )
            counts = np.bincount(labels, minlength=k)
            s1 = float(np.sum(counts * (means - y.mean()) ** 2) / (n * var))
        else:
            s1 = 0.0
        rows.append(
            {
                "parameter": p["name"],
                "path": p["path"],
                "s1": s1,
                "noise_floor": (k - 1) / (n - 1) if n > 1 and k > 1 else 0.0,
                "groups": k,
                "src": src["coef"].get(p["name"]),
            }
        )
    # parameters whose groupings coincide cannot be told apart by this design
    parts = {p["name"]: _partition(frame.loc[ok, p["name"]]) for p in params}
    for r in rows:
        r["aliased_with"] = [
            q for q in parts if q != r["parameter"] and parts[q] == parts[r["parameter"]]
        ]
    rows.sort(key=lambda r: (-r["s1"], r["parameter"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
        r["linear_r2"] = src["r2"]
    return rows


def _src(frame: pd.DataFrame, numeric: list[dict[str, Any]], y: np.ndarray) -> dict[str, Any]:
    names = [p["name"] for p in numeric if frame[p["name"]].astype(float).std(ddof=0) > 0]
    if len(y) < 3 or not names or float(np.std(y)) == 0.0:
        return {"coef": {}, "r2": None}
    x = frame[names].to_numpy(dtype=float)
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    coef, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    fit = xs @ coef
    r2 = 1.0 - float(np.sum((ys - fit) ** 2)) / float(np.sum(ys**2))
    return {"coef": {n: float(c) for n, c in zip(names, coef, strict=True)}, "r2": r2}


def summarize(out: str | Path, outcome: str = "leaked_harmful") -> dict[str, Any]:
    """Progress, response curves and influence ranking of a sweep (JSON-ready)."""
    _check_outcome(outcome)
    man = read_manifest(out)
    con, _ = _connect(out)
    try:
        params = list(man["parameters"])
        have = {str(r[0]) for r in con.execute("DESCRIBE summary").fetchall()}
        if f"{outcome}_mean" not in have:
            kept = [o for o in OUTCOMES if f"{o}_mean" in have]
            raise ScenarioError(
                str(out), [Problem("--outcome", f"{outcome!r} is not kept for this sweep; "
                                   f"available: {', '.join(kept)}")]
            )  # fmt: skip
        m = _q(f"{outcome}_mean")
        cells_done = int(_scalar(con, "SELECT count(*) FROM summary"))
        overall = con.sql(
            f"SELECT avg({m}) AS mean, min({m}) AS min, max({m}) AS max, "
            f"CAST(sum(reps) AS BIGINT) AS replications FROM summary"
        ).df()
        cols = ", ".join(["cell", *(_q(p["name"]) for p in params), m])
        best = con.sql(f"SELECT {cols} FROM summary ORDER BY {m}, cell LIMIT 1").df()
        worst = con.sql(f"SELECT {cols} FROM summary ORDER BY {m} DESC, cell LIMIT 1").df()
        responses = [response(con, p, outcome) for p in params]
        frame = con.sql("SELECT * FROM summary ORDER BY cell").df()
    finally:
        con.close()
    return {
        "dir": str(out),
        "name": man["name"],
        "spec_hash": man["spec_hash"],
        "base_scenario": man["base_scenario"],
        "base_hash": man["base_hash"],
        "version": man["version"],
        "seed": man["seed"],
        "reps": man["reps"],
        "engine": man["engine"],
        "n_cells": man["n_cells"],
        "cells_done": cells_done,
        "complete": cells_done == man["n_cells"],
        "outcome": outcome,
        "outcome_label": OUTCOMES[outcome],
        "overall": {
            **_records(overall)[0],
            "best_cell": _records(best)[0],
            "worst_cell": _records(worst)[0],
        },
        "parameters": responses,
        "influence": influence_ranking(frame, params, f"{outcome}_mean"),
        "outcomes": list(OUTCOMES),
    }
