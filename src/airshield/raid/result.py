"""RaidResult: the one result type of the raid engine (per-replication arrays, summaries, frames)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from airshield.vocab import OUTCOME_LABELS, Outcome, ThreatKind

if TYPE_CHECKING:  # pandas (and pyarrow with it) loads only when a frame is asked for
    import pandas as pd

OUTCOMES = OUTCOME_LABELS  # columns of RaidResult.outcomes, named by airshield.vocab.Outcome
Q_LO, Q_HI = 5.0, 95.0


def band(x: NDArray[Any]) -> dict[str, float]:
    """Mean, standard deviation and 5-95 % quantiles of one quantity across replications."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return {"mean": float("nan"), "sd": float("nan"), "p5": float("nan"), "p95": float("nan")}
    return {
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0,
        "p5": float(np.percentile(x, Q_LO)),
        "p95": float(np.percentile(x, Q_HI)),
    }


@dataclass
class RaidResult:
    """Outcomes of ``reps`` replications of one night.

    Arrays are indexed ``[rep, ...]`` with labels in ``threat_types``, ``effector_types``,
    ``asset_names``, ``unit_names`` and ``pool_names``. ``outcomes[r, t]`` holds launched,
    destroyed, lost (EW) and leaked counts of threat type ``t``; leaked decoys are counted in
    ``leaked`` of the decoy type and never hit anything.
    """

    scenario_name: str
    scenario_hash: str
    seed: int
    reps_requested: int
    engine: str
    threat_types: list[str]
    threat_kinds: list[str]
    effector_types: list[str]
    asset_names: list[str]
    unit_names: list[str]
    pool_names: list[str]
    outcomes: NDArray[np.int64]  # (R, T, 4)
    destroyed_by: NDArray[np.int64]  # (R, T, E)
    lost_by: NDArray[np.int64]  # (R, T, E)
    shots: NDArray[np.int64]  # (R, E) rounds fired
    cost_usd: NDArray[np.float64]  # (R, E)
    unit_shots: NDArray[np.int64]  # (R, U)
    hits: NDArray[np.int64]  # (R, A)
    damage_usd: NDArray[np.float64]  # (R, A)
    pool_drawn: NDArray[np.int64]  # (R, P) rounds taken from pools for reloads
    attacker_cost_usd: float
    elapsed_s: float = 0.0
    #: the engine asked for (``auto``, ``kernel``, ``reference``); ``engine`` is the one that ran
    engine_requested: str = ""
    #: why ``engine`` differs from what ``auto`` would prefer (e.g. an assigner the kernel lacks)
    engine_note: str = ""
    interrupted: bool = False
    version: str = field(default_factory=lambda: __import__("airshield").__version__)

    @property
    def reps(self) -> int:
        """Replications completed (less than requested if the run was interrupted)."""
        return int(self.outcomes.shape[0])

    # ---- tidy frames --------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per replication and threat type: rep, threat_type, kind, launched,
        destroyed, lost, leaked, decoy_leaked."""
        r, t = self.outcomes.shape[:2]
        reps = np.repeat(np.arange(r), t)
        import pandas as pd

        df = pd.DataFrame(
            {
                "rep": reps.astype(np.int64),
                "threat_type": np.tile(np.array(self.threat_types, dtype=object), r),
                "kind": np.tile(np.array(self.threat_kinds, dtype=object), r),
            }
        )
        flat = self.outcomes.reshape(r * t, 4)
        for i, name in enumerate(OUTCOMES):
            df[name] = flat[:, i]
        df["decoy_leaked"] = np.where(df["kind"] == "decoy", df["leaked"], 0)
        return df

    def effector_frame(self) -> pd.DataFrame:
        """One row per replication and effector type: rounds fired, cost, kills, EW losses."""
        r, e = self.shots.shape
        import pandas as pd

        return pd.DataFrame(
            {
                "rep": np.repeat(np.arange(r), e),
                "effector_type": np.tile(np.array(self.effector_types, dtype=object), r),
                "rounds": self.shots.reshape(-1),
                "cost_usd": self.cost_usd.reshape(-1),
                "destroyed": self.destroyed_by.sum(axis=1).reshape(-1),
                "lost": self.lost_by.sum(axis=1).reshape(-1),
            }
        )

    def asset_frame(self) -> pd.DataFrame:
        """One row per replication and asset: hits and damage in USD."""
        r, a = self.hits.shape
        import pandas as pd

        return pd.DataFrame(
            {
                "rep": np.repeat(np.arange(r), a),
                "asset": np.tile(np.array(self.asset_names, dtype=object), r),
                "hits": self.hits.reshape(-1),
                "damage_usd": self.damage_usd.reshape(-1),
            }
        )

    # ---- summary ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Means and 5-95 % bands of every headline quantity (JSON-ready)."""
        threats = []
        for t, name in enumerate(self.threat_types):
            row: dict[str, Any] = {"threat_type": name, "kind": self.threat_kinds[t]}
            for i, o in enumerate(OUTCOMES):
                row[o] = band(self.outcomes[:, t, i])
            threats.append(row)
        effectors = []
        for e, name in enumerate(self.effector_types):
            effectors.append(
                {
                    "effector_type": name,
                    "rounds": band(self.shots[:, e]),
                    "cost_usd": band(self.cost_usd[:, e]),
                    "destroyed": band(self.destroyed_by[:, :, e].sum(axis=1)),
                    "lost": band(self.lost_by[:, :, e].sum(axis=1)),
                }
            )
        assets = [
            {
                "asset": name,
                "hits": band(self.hits[:, a]),
                "damage_usd": band(self.damage_usd[:, a]),
            }
            for a, name in enumerate(self.asset_names)
        ]
        kinds = np.array(self.threat_kinds)
        harmful = kinds != ThreatKind.DECOY.label
        total_cost = self.cost_usd.sum(axis=1)
        leaked_harmful = self.outcomes[:, harmful, Outcome.LEAKED].sum(axis=1)
        return {
            "scenario": self.scenario_name,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "reps": self.reps,
            "reps_requested": self.reps_requested,
            "interrupted": self.interrupted,
            "engine": self.engine,
            "engine_requested": self.engine_requested or self.engine,
            "engine_note": self.engine_note,
            "version": self.version,
            "threats": threats,
            "effectors": effectors,
            "assets": assets,
            "totals": {
                **{o.label: band(self.outcomes[:, :, o].sum(axis=1)) for o in Outcome},
                "leaked_harmful": band(leaked_harmful),
                "decoy_leaked": band(self.outcomes[:, ~harmful, Outcome.LEAKED].sum(axis=1)),
                "defender_cost_usd": band(total_cost),
                "damage_usd": band(self.damage_usd.sum(axis=1)),
                "attacker_cost_usd": self.attacker_cost_usd,
            },
        }

    # ---- notebook views -----------------------------------------------------------------
    def totals_frame(self) -> pd.DataFrame:
        """One row per replication: the headline totals (``launched, destroyed, lost, leaked,
        leaked_harmful, decoy_leaked, defender_cost_usd, damage_usd``)."""
        harmful = np.array([k != "decoy" for k in self.threat_kinds], dtype=bool)
        import pandas as pd

        return pd.DataFrame(
            {
                "rep": np.arange(self.reps, dtype=np.int64),
                "launched": self.outcomes[:, :, 0].sum(axis=1),
                "destroyed": self.outcomes[:, :, 1].sum(axis=1),
                "lost": self.outcomes[:, :, 2].sum(axis=1),
                "leaked": self.outcomes[:, :, 3].sum(axis=1),
                "leaked_harmful": self.outcomes[:, harmful, 3].sum(axis=1),
                "decoy_leaked": self.outcomes[:, ~harmful, 3].sum(axis=1),
                "defender_cost_usd": self.cost_usd.sum(axis=1),
                "damage_usd": self.damage_usd.sum(axis=1),
            }
        )

    def __repr__(self) -> str:
        from airshield.notebook import raid_repr

        return raid_repr(self)

    def _repr_html_(self) -> str:
        from airshield.notebook import raid_html

        return raid_html(self)

    @property
    def plot(self) -> Any:
        """The report's figures as plotly figures: ``.leakers()``, ``.outcomes()``,
        ``.effectors()``, ``.map(scenario)``."""
        from airshield.notebook import RaidPlot

        return RaidPlot(self)

    def to_xarray(self) -> Any:
        """The per-replication arrays as an ``xarray.Dataset`` (needs xarray installed)."""
        from airshield.notebook import raid_xarray

        return raid_xarray(self)
