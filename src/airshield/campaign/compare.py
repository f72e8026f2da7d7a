"""Counterfactuals: run campaign variants with common random numbers and difference them.

Every variant runs from the same seed, so replication ``r`` of each variant sees the same random
numbers night by night; the differences are taken replication by replication (paired), which
makes their intervals far narrower than the spread of either variant, and makes identical
variants differ by exactly zero. In fast mode the variants that share a raid template share one
surrogate, fitted on the raid nights of all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from airshield.campaign.engine import run_campaign
from airshield.campaign.models import Campaign
from airshield.campaign.result import CampaignResult
from airshield.campaign.surrogate import DesignSpec, Surrogate, fit_surrogate
from airshield.campaign.tempo import attacker_plan
from airshield.intervals import difference_row

F = NDArray[np.float64]


def metrics(result: CampaignResult) -> dict[str, F]:
    """Per-replication headline quantities of one result (each an array of length ``reps``)."""
    out: dict[str, F] = {
        "leaked_harmful": result.leaked_harmful().sum(axis=1).astype(float),
        "damage_usd": result.damage_usd.sum(axis=1),
        "destroyed": result.destroyed.sum(axis=(1, 2)).astype(float),
        "lost": result.lost.sum(axis=(1, 2)).astype(float),
        "rounds_cost_usd": result.rounds_cost_usd().sum(axis=1),
        "defender_cost_usd": result.defender_cost_usd().sum(axis=1),
        "attacker_cost_usd": np.full(result.reps, float(result.attacker_cost_usd().sum())),
    }
    n = result.nights
    empty = result.depletion_nights("empty")
    for k, pool in enumerate(result.pool_names):
        out[f"{pool}.fired"] = result.fired[:, :, k].sum(axis=1).astype(float)
        out[f"{pool}.stock_end"] = result.stock_end[:, -1, k].astype(float)
        out[f"{pool}.nights_to_empty"] = np.where(empty[:, k] >= 0, empty[:, k] + 1, n + 1).astype(
            float
        )
        out[f"{pool}.empty_in_horizon"] = (empty[:, k] >= 0).astype(float)
    return out


@dataclass
class Comparison:
    """Variants run with common random numbers; the first is the baseline."""

    names: list[str]
    results: list[CampaignResult]
    level: float = 0.95

    def differences(self) -> pd.DataFrame:
        """One row per variant (after the first) and metric: baseline and variant means, the mean
        paired difference (variant - baseline) and its ``level`` t-interval. ``nights_to_empty``
        counts a pool that never empties as horizon + 1 (``horizon_nights`` + 1; displays show
        "never")."""
        base = metrics(self.results[0])
        rows: list[dict[str, Any]] = []
        for name, res in zip(self.names[1:], self.results[1:], strict=True):
            m = metrics(res)
            for key, b in base.items():
                if key not in m:
                    continue
                row = difference_row(name, self.names[0], key, b, m[key], self.level)
                rows.append({**row, "horizon_nights": res.nights})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """The paired differences (as :meth:`differences`)."""
        return self.differences()

    def __repr__(self) -> str:
        return (
            f"<Comparison {self.names[0]!r} vs {', '.join(map(repr, self.names[1:]))}: "
            f"{self.results[0].reps} paired reps, level {self.level:.0%}>"
        )

    def _repr_html_(self) -> str:
        from airshield import fmt
        from airshield.notebook import html_table

        d = self.differences()
        d = d[~d["metric"].str.contains(".", regex=False)]
        rows = [
            (
                f"{r['variant']}: {fmt.label(str(r['metric']))}",
                fmt.diff(r["diff_mean"], r["diff_lo"], r["diff_hi"], fmt.kind_of(str(r["metric"]))),
            )
            for r in d.to_dict("records")
        ]
        return html_table(
            f"Campaign comparison against {self.names[0]}",
            rows,
            f"variant − baseline, mean paired difference [{self.level:.0%} interval]; "
            ".to_frame() has every metric, per pool too",
        )

    def summary(self) -> dict[str, Any]:
        return {
            "variants": self.names,
            "level": self.level,
            "summaries": [r.summary() for r in self.results],
            "differences": self.differences().to_dict(orient="records"),
        }


def shared_surrogates(
    campaigns: list[Campaign], design: DesignSpec | None = None, workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[Surrogate]:  # fmt: skip
    """One surrogate per distinct raid template (and threat list), fitted on the raid nights of
    every variant that uses it."""
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    plans = [attacker_plan(c) for c in campaigns]
    for i, (c, p) in enumerate(zip(campaigns, plans, strict=True)):
        groups.setdefault((c.template.content_hash(), tuple(p.threat_types)), []).append(i)
    out: list[Surrogate | None] = [None] * len(campaigns)
    for (_, threats), idx in groups.items():
        raids = np.concatenate([plans[i].launched for i in idx], axis=0)
        sur = fit_surrogate(
            campaigns[idx[0]].template,
            list(threats),
            raids,
            design,
            workers=workers,
            progress=progress,
        )
        for i in idx:
            out[i] = sur
    return [s for s in out if s is not None]


def compare_campaigns(
    campaigns: list[Campaign],
    names: list[str] | None = None,
    mode: str = "fast",
    reps: int = 100,
    seed: int = 0,
    *,
    design: DesignSpec | None = None,
    workers: int = 1,
    progress: bool | Callable[[str, int, int], None] = False,
) -> Comparison:
    """Run every variant with the same seed (common random numbers) and pair the results."""
    if len(campaigns) < 2:
        raise ValueError("compare needs at least two variants")
    names = names or [c.name for c in campaigns]
    if len(names) != len(campaigns):
        raise ValueError("one name per variant")
    surs: list[Surrogate | None] = [None] * len(campaigns)
    if mode == "fast":
        cb = progress if callable(progress) else None
        surs = list(
            shared_surrogates(
                campaigns,
                design,
                workers,
                (lambda d, t: cb("fitting surrogate", d, t)) if cb else None,
            )
        )
    results = [
        run_campaign(
            c, mode, reps, seed, surrogate=s, design=design, workers=workers, progress=progress
        )
        for c, s in zip(campaigns, surs, strict=True)
    ]
    return Comparison(names, results)
