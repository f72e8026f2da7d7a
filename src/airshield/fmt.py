"""One formatter for every number a person reads: CLI tables, HTML reports, the web app, reprs.

- :func:`money`: ``$1.25B``, ``$224.9M``, ``$35k``, ``$800``; negatives with a true minus sign
  before the currency (``−$224.9M``, never ``$-224.9M``).
- :func:`count`: whole numbers without ``.0`` and with thousands separators (``1,204``); a mean
  that is not whole keeps one decimal below 100 (``2.4``) and none above (``1,318``).
- :func:`fraction`: a share as a percentage (``42 %``).
- :func:`band` / :func:`interval` / :func:`diff`: ``mean [p5–p95]`` across replications,
  ``mean [lo, hi]`` for a confidence interval, a signed paired difference with its interval.
- :func:`nights_or_never` and :func:`date_or_never`: "never" instead of a horizon sentinel.
- :data:`GLOSSARY` and :func:`label`: human labels for internal names (``leaked_harmful`` →
  "harmful leakers", ``sam-rounds.nights_to_empty`` → "sam-rounds: nights until empty").

Formatting is for display only: JSON output and frames keep the raw numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

MINUS = "\u2212"
DASH = "–"  # shown for a missing value
Kind = Literal["count", "money", "fraction", "ratio", "days"]


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _sign(x: float, body: str) -> str:
    return f"{MINUS}{body}" if x < 0 and body.strip("0.,$kMB% ") != "" else body


def money(x: Any) -> str:
    """Money in US dollars with a k/M/B suffix (``−$224.9M``)."""
    if _missing(x):
        return DASH
    v = float(x)
    a = abs(v)
    if a >= 1e9:
        body = f"${a / 1e9:.2f}B"
    elif a >= 1e6:
        body = f"${a / 1e6:.1f}M"
    elif a >= 1e3:
        body = f"${a / 1e3:.0f}k"
    else:
        body = f"${a:.0f}"
    return _sign(v, body)


def count(x: Any) -> str:
    """A count or a mean count: ``10`` (not ``10.0``), ``2.4``, ``1,318``."""
    if _missing(x):
        return DASH
    v = float(x)
    a = round(abs(v), 1)
    body = f"{a:,.0f}" if a == round(a) or a >= 100 else f"{a:,.1f}"
    return _sign(v, body)


def fraction(x: Any, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``42 %``."""
    if _missing(x):
        return DASH
    v = 100.0 * float(x)
    return _sign(v, f"{abs(v):.{digits}f} %")


def ratio(x: Any, digits: int = 2) -> str:
    """A dimensionless ratio (``0.37``)."""
    if _missing(x):
        return DASH
    v = float(x)
    return _sign(v, f"{abs(v):.{digits}f}")


def number(x: Any, kind: Kind = "count") -> str:
    """Format ``x`` as ``kind``."""
    if kind == "money":
        return money(x)
    if kind == "fraction":
        return fraction(x)
    if kind == "ratio":
        return ratio(x)
    return count(x)


def kind_of(name: str) -> Kind:
    """The display kind of a metric from its name (``*_usd`` is money, ``share*`` a fraction)."""
    base = name.rsplit(".", 1)[-1]
    if base.endswith("_usd") or base.startswith("cost") or "usd_per" in base:
        return "money"
    if base.startswith(("share", "p_", "fraction")) or base.endswith(
        ("_share", "_fraction", "_in_horizon")
    ):
        return "fraction"
    if base in ("exchange_ratio", "s1", "src", "linear_r2", "noise_floor", "r2"):
        return "ratio"
    return "count"


def band(b: Mapping[str, Any] | None, kind: Kind = "count") -> str:
    """``mean [p5–p95]`` of a band dict (keys ``mean``, ``p5``, ``p95``); just the mean when the
    band is one value."""
    if not b:
        return DASH
    m, lo, hi = number(b.get("mean"), kind), number(b.get("p5"), kind), number(b.get("p95"), kind)
    if lo == hi == m:
        return m
    return f"{m} [{lo}–{hi}]"


def interval(mean: Any, lo: Any, hi: Any, kind: Kind = "count") -> str:
    """``mean [lo, hi]``: a mean with its confidence interval."""
    return f"{number(mean, kind)} [{number(lo, kind)}, {number(hi, kind)}]"


def signed(x: Any, kind: Kind = "count") -> str:
    """A difference with its sign always shown (``+3.2``, ``−$1.1M``, ``0``)."""
    if _missing(x):
        return DASH
    s = number(x, kind)
    return s if s.startswith(MINUS) or float(x) == 0 or s in ("0", "$0") else f"+{s}"


def diff(mean: Any, lo: Any, hi: Any, kind: Kind = "count") -> str:
    """A paired difference B − A with its interval: ``+3.2 [+1.0, +5.4]``."""
    return f"{signed(mean, kind)} [{signed(lo, kind)}, {signed(hi, kind)}]"


def constraint(cn: Mapping[str, Any]) -> str:
    """A procurement constraint of one mix, fast mode / detailed mode against its limit
    (``kind pool ≤ limit: fast / detailed``, each marked where it is violated)."""

    def one(d: Mapping[str, Any]) -> str:
        return f"{d['achieved']:.3g}{'' if d['met'] else ' (violated)'}"

    op = "≤" if cn["kind"] == "stockout_probability" else "≥"
    return f"{cn['kind']} {cn['pool']} {op} {cn['limit']:.3g}: {one(cn['fast'])} / " + one(
        cn["detailed"]
    )


#: the columns of :func:`shadow_price` (CLI table and HTML report alike)
SHADOW_PRICE_COLUMNS = ("option", "per unit", "per $1M", "simulated per $1M",
                        "simulated: units added, change [95 %]", "note")  # fmt: skip


def shadow_price(r: Mapping[str, Any]) -> list[str]:
    """One procurement shadow-price row as display cells (:data:`SHADOW_PRICE_COLUMNS`): the
    surrogate's slope per unit and per $1M, the simulated finite difference per $1M, and that
    difference for the units added with its paired 95 % interval."""

    def g(x: Any) -> str:
        return DASH if _missing(x) else f"{float(x):+.3g}"

    if r.get("per_unit") is None:
        return [r["option"], DASH, DASH, DASH, DASH, r.get("sign", "")]
    sim = r["simulated"]
    fd = sim.get("difference") or {}
    change = (f"{r['units_added']:,}: {g(fd['mean'])} [{g(fd['ci_low'])}, {g(fd['ci_high'])}]"
              if fd else DASH)  # fmt: skip
    return [r["option"], g(r["per_unit"]), g(r.get("per_musd")), g(sim.get("per_musd")), change,
            "beyond its limits" if r.get("beyond_limits") else ""]  # fmt: skip


def nights_or_never(nights: Any, horizon: int) -> str:
    """A number of nights, or "never" when it is beyond the horizon (a value of ``horizon + 1``
    or more is the sentinel for "did not happen within the horizon")."""
    if _missing(nights):
        return DASH
    return "never" if float(nights) > horizon else count(nights)


def date_or_never(d: Any) -> str:
    """An ISO date (``2025-07-14``), or "never" for a missing date (not within the horizon)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "never"
    try:
        import pandas as pd

        if pd.isna(d):
            return "never"
        return f"{pd.Timestamp(d):%Y-%m-%d}"
    except (TypeError, ValueError):
        return str(d)


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``1 h 05 min``."""
    s = max(0, round(float(seconds)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


# ---- glossary ---------------------------------------------------------------------------------
GLOSSARY: dict[str, str] = {
    # raid outcomes
    "launched": "threats launched",
    "destroyed": "destroyed",
    "lost": "lost (EW)",
    "leaked": "leaked",
    "leaked_harmful": "harmful leakers",
    "decoy_leaked": "decoys leaked (harmless)",
    "hits": "hits",
    "damage_usd": "damage",
    "defender_cost_usd": "defender cost",
    "attacker_cost_usd": "attacker cost",
    "rounds": "rounds fired",
    "cost_usd": "cost of rounds",
    "threat_type": "threat type",
    "effector_type": "effector type",
    "kind": "kind",
    # campaign
    "fired": "rounds fired",
    "stock_end": "rounds in stock at the end",
    "stock_start": "rounds in stock at the start",
    "produced": "produced",
    "delivered": "delivered",
    "diverted": "diverted",
    "purchased": "purchased",
    "rounds_cost_usd": "cost of rounds fired",
    "purchase_cost_usd": "purchases",
    "nights_to_empty": "nights until empty",
    "empty_in_horizon": "share of replications that run empty",
    "first_empty_night": "first night a pool is empty",
    "exchange_ratio": "exchange ratio (rounds $ / attacker $)",
    "defender_usd_per_threat_defeated": "defender $ per threat defeated",
    "attacker_usd_per_harmful_leaker": "attacker $ per harmful leaker",
    "share_depleted": "replications depleted",
    "cum_defender_cost_usd": "cumulative defender cost",
    "cum_attacker_cost_usd": "cumulative attacker cost",
    "cum_damage_usd": "cumulative damage",
    "weighted_leakers": "weighted harmful leakers",
    "lp_estimate": "LP estimate",
    # sweeps and calibration
    "s1": "first-order influence S1",
    "noise_floor": "noise floor",
    "src": "standardised regression coefficient",
    "linear_r2": "linear fit R²",
    "rank": "rank",
    "parameter": "parameter",
    "cells": "cells",
    "reps": "replications",
    "seed": "root seed",
    "engine": "engine",
    "mode": "mode",
    "scenario_hash": "scenario hash",
    "campaign_hash": "campaign hash",
    "spec_hash": "spec hash",
}


def label(name: str) -> str:
    """The human label of an internal name; ``pool.metric`` becomes ``pool: label``; an unknown
    name has its underscores turned into spaces and a ``_usd`` suffix into ``(USD)``."""
    if name in GLOSSARY:
        return GLOSSARY[name]
    if "." in name:
        head, tail = name.rsplit(".", 1)
        return f"{head}: {label(tail)}"
    for suffix in ("_mean", "_p5", "_p95", "_sd"):
        if name.endswith(suffix) and name[: -len(suffix)] in GLOSSARY:
            return f"{GLOSSARY[name[: -len(suffix)]]} ({suffix[1:]})"
    text = name
    if text.endswith("_usd"):
        text = text[:-4] + " (USD)"
    return text.replace("_", " ")


__all__ = [
    "GLOSSARY",
    "band",
    "count",
    "date_or_never",
    "diff",
    "duration",
    "fraction",
    "interval",
    "kind_of",
    "label",
    "money",
    "nights_or_never",
    "number",
    "ratio",
    "signed",
]
