"""Calibrate kill and EW-loss probabilities of a notional laydown to the daily record.

What is fitted, per period (month, quarter, counting regime or all) and threat kind:

- a kinetic *logit shift* ``delta_kin[kind]``: every kinetic effector type's single-shot ``pk``
  against that kind becomes ``expit(logit(pk) + delta_kin[kind])``, so the relative strength of
  effector types is kept, a ``pk`` of 0 (cannot engage) stays 0, and the fitted value is one
  interpretable number per kind;
- an EW logit shift ``delta_ew`` applied the same way to the ``ew`` effectors' probability of
  making a threat lost. It is identified only where the record counts "locationally lost" apart
  (July 2024 to July 2025); elsewhere it stays at 0 (the catalog value) and is flagged.

How: the raid engine (or any :class:`Simulator`) runs the laydown against the period's
representative night (mean launches per raid night by kind) on a grid of shifts, with common
random numbers (the same seed at every grid point). The simulated destroyed and lost fractions
are interpolated over the grid, and the shifts that minimise the binomial deviance to the observed
fractions are read off a fine lattice. Uncertainty: the period's raid nights are resampled
(bootstrap) and the fit repeated on the same lattice, giving percentile intervals; the Monte Carlo
standard error of the simulated fractions at the fit is reported next to them. A fit on the edge
of the grid means the laydown cannot reproduce the record with any shift in range: it is flagged
``at_bound``, never hidden.

Observed fractions: strategic rows only (Shahed-type drones, cruise and ballistic missiles), rows
with both ``launched`` and ``destroyed`` reported. The record's drone line includes decoys, so the
simulated drone fraction pools the laydown's drones and decoys. Where the record does not count
"lost" apart (before July 2024, and the combined count from 23 July 2025), its ``destroyed`` is
compared with the simulated *neutralised* fraction (destroyed + lost): the Air Force then
reported what the defence stopped, and the EW shift is not identified (held at 0). This choice
(``unreported_lost="neutralised"``) can be switched to ``"destroyed"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from scipy import special
from scipy.interpolate import RegularGridInterpolator

from airshield.history.stats import jeffreys_interval
from airshield.progress import staged_reporter

if TYPE_CHECKING:
    from airshield.catalog import EffectorType
    from airshield.scenario import Scenario

CAL_KINDS: tuple[str, ...] = ("drone", "cruise_missile", "ballistic_missile")
"""Kinds calibrated (the record's ``other`` rows cannot be placed)."""

PERIODS: tuple[str, ...] = ("month", "quarter", "regime", "all")

KIN_GRID: tuple[float, ...] = (-6.0, -4.0, -2.5, -1.25, 0.0, 1.25, 2.5, 4.0, 6.0)
EW_GRID: tuple[float, ...] = (-4.0, -2.0, 0.0, 2.0, 4.0)


# ----------------------------------------------------------------------------- observations


def default_laydown() -> Scenario:
    """The packaged notional national laydown for calibration (``data/national-laydown.yaml``)."""
    from importlib import resources

    from airshield.scenario import scenario_from_text

    res = resources.files("airshield.calibrate").joinpath("data/national-laydown.yaml")
    return scenario_from_text(res.read_text(encoding="utf-8"), "national-laydown.yaml")


def period_of(nights: pd.Series, period: str) -> pd.Series:
    """Label of each night's period: ``2024-10``, ``2024Q4``, a regime name, or ``all``."""
    if period == "month":
        return nights.dt.strftime("%Y-%m")
    if period == "quarter":
        return nights.dt.to_period("Q").astype(str)
    if period == "all":
        return pd.Series("all", index=nights.index)
    raise ValueError(f"period must be one of {PERIODS}")


def observed_nights(frame: pd.DataFrame, period: str = "quarter") -> pd.DataFrame:
    """Per raid night and kind: launched, destroyed, lost trials and lost (for the fit)."""
    f = frame[frame["strategic"] & frame["kind"].isin([*CAL_KINDS, "decoy"])]
    f = f[(f["kind"] != "drone") | (f["group"] == "long_range_attack_drone")]
    f = f[f["launched"].notna() & f["destroyed"].notna()]
    kind = f["kind"].replace({"decoy": "drone"})
    lost_ok = f["lost_reported"] & f["regime"].eq("separate_lost")
    out = pd.DataFrame(
        {
            "period": (f["regime"] if period == "regime" else period_of(f["night"], period)),
            "month": f["night"].dt.strftime("%Y-%m"),
            "night": f["night"],
            "kind": kind,
            "launched": f["launched"].astype("int64"),
            "destroyed": f["destroyed"].astype("int64"),
            "sep_launched": f["launched"].where(f["regime"].eq("separate_lost"), 0).astype("int64"),
            "lost_trials": f["launched"].where(lost_ok, 0).astype("int64"),
            "lost": f["lost"].where(lost_ok, 0).fillna(0).astype("int64"),
        }
    )
    return (
        out.groupby(["period", "month", "night", "kind"], as_index=False)
        .sum()
        .sort_values(["night", "kind"])
        .reset_index(drop=True)
    )


def representative_raid(nights: pd.DataFrame) -> dict[str, int]:
    """Mean launches per raid night by kind (kinds used at all get at least one)."""
    per_night = nights.pivot_table(
        index="night", columns="kind", values="launched", aggfunc="sum", fill_value=0
    )
    out: dict[str, int] = {}
    for k in CAL_KINDS:
        if k in per_night and per_night[k].sum() > 0:
            out[k] = max(1, round(float(per_night[k].mean())))
    return out


# ----------------------------------------------------------------------------- simulators


class Simulator(Protocol):
    """What calibration needs from an engine: outcome fractions for given shifts and a raid."""

    def fractions(
        self,
        raid: dict[str, int],
        kin_shift: dict[str, float],
        ew_shift: float,
        reps: int,
        seed: int,
    ) -> dict[str, tuple[float, float, float]]:
        """kind -> (destroyed fraction, lost fraction, Monte Carlo s.e. of destroyed)."""
        ...


def _cal_kind(kind: str) -> str:
    """The calibration kind whose shift a threat kind takes (decoys take the drones')."""
    return "drone" if kind == "decoy" else kind


def shift_pk(pk: float, delta: float) -> float:
    """``expit(logit(pk) + delta)``, keeping 0 and 1 exact (cannot / always)."""
    if pk <= 0.0 or pk >= 1.0:
        return float(pk)
    return float(special.expit(special.logit(pk) + delta))


@dataclass
class AnalyticSimulator:
    """Closed-form reference: EW attempts first, then independent kinetic shots.

    Per threat of kind k: ``P(lost) = 1 - (1 - q_k)^ew_attempts``, then
    ``P(destroyed) = (1 - P(lost)) * (1 - (1 - p_k)^shots_k)``. No saturation, no noise: used in
    tests, where a calibration must recover known shifts exactly.
    """

    pk: dict[str, float]
    ew: dict[str, float]
    shots: dict[str, int]
    ew_attempts: int = 2

    def fractions(
        self,
        raid: dict[str, int],
        kin_shift: dict[str, float],
        ew_shift: float,
        reps: int,
        seed: int,
    ) -> dict[str, tuple[float, float, float]]:
        out = {}
        for k in raid:
            q = shift_pk(self.ew.get(k, 0.0), ew_shift)
            p = shift_pk(self.pk[k], kin_shift.get(k, 0.0))
            lost = 1.0 - (1.0 - q) ** self.ew_attempts
            destroyed = (1.0 - lost) * (1.0 - (1.0 - p) ** self.shots[k])
            out[k] = (destroyed, lost, 0.0)
        return out


@dataclass
class EngineSimulator:
    """The raid engine on a laydown: waves re-scaled to the raid, pk shifted by kind."""

    laydown: Scenario
    decoy_share: float | None = None  # of the drone line; default: the laydown's
    engine: str = "kernel"
    _template: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        from airshield.history.to_scenario import template_counts

        self._template = template_counts(self.laydown)

    def effector_types(self, kin_shift: dict[str, float], ew_shift: float) -> list[EffectorType]:
        """The laydown's effector types with shifted pk (catalog overrides)."""
        from airshield.catalog import KillProbabilities

        cat = self.laydown.resolved_catalog()
        used = {u.effector for u in self.laydown.fire_units}
        # under the range pk model the curves are what the engine uses: shift their points the
        # same way; under the flat model they are not used (and a scenario may not carry them)
        range_model = self.laydown.engagement.pk_model == "range"
        out = []
        for name in sorted(used):
            e = cat.effectors[name]
            pk = e.pk.model_dump()

            def shift(k: str, v: float, ew: bool = e.kind == "ew") -> float:
                return shift_pk(v, ew_shift if ew else kin_shift.get(_cal_kind(k), 0.0))

            update: dict[str, Any] = {
                "pk": KillProbabilities(**{k: shift(k, v) for k, v in pk.items()})
            }
            if e.pk_curve:
                update["pk_curve"] = (
                    {
                        k: c.model_copy(
                            update={
                                "points": tuple(
                                    p.model_copy(update={"pk": shift(str(k), p.pk)})
                                    for p in c.points
                                )
                            }
                        )
                        for k, c in e.pk_curve.items()
                    }
                    if range_model
                    else {}
                )
            out.append(e.model_copy(update=update))
        return out

    def scenario(
        self, raid: dict[str, int], kin_shift: dict[str, float], ew_shift: float
    ) -> Scenario:
        """The laydown against ``raid`` with shifted effector types."""
        from airshield.history.to_scenario import waves_for_counts
        from airshield.scenario.models import CatalogOverrides

        counts = {k: int(v) for k, v in raid.items() if k in CAL_KINDS}
        drones = counts.get("drone", 0)
        share = self.decoy_share
        if share is None:
            d = self._template.get("decoy", 0)
            share = d / (d + self._template.get("drone", 0)) if d else 0.0
        counts["decoy"] = round(drones * share)
        counts["drone"] = drones - counts["decoy"]
        waves, _ = waves_for_counts(self.laydown, counts)
        overrides = CatalogOverrides(
            threats=list(self.laydown.catalog.threats),
            effectors=self.effector_types(kin_shift, ew_shift),
        )
        return self.laydown.model_copy(update={"waves": waves, "catalog": overrides})

    def fractions(
        self,
        raid: dict[str, int],
        kin_shift: dict[str, float],
        ew_shift: float,
        reps: int,
        seed: int,
    ) -> dict[str, tuple[float, float, float]]:
        sc = self.scenario(raid, kin_shift, ew_shift)
        res = sc.simulate(reps=reps, seed=seed, engine=self.engine)
        df = res.to_frame()
        df["kind"] = df["kind"].replace({"decoy": "drone"})
        per_rep = df.groupby(["kind", "rep"])[["launched", "destroyed", "lost"]].sum()
        out = {}
        for k in raid:
            if k not in per_rep.index.get_level_values(0):
                continue
            r = per_rep.loc[k]
            n = r["launched"].to_numpy(dtype=float)
            d = r["destroyed"].to_numpy(dtype=float) / np.maximum(n, 1)
            lo = r["lost"].to_numpy(dtype=float) / np.maximum(n, 1)
            se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
            out[k] = (float(d.mean()), float(lo.mean()), se)
        return out


# ----------------------------------------------------------------------------- fitting


def _deviance(x: float | np.ndarray, n: float | np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial deviance of x successes in n trials under p (broadcasting; n = 0 gives 0)."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(x > 0, x * np.log(np.where(x > 0, x / np.maximum(n, 1e-12), 1) / p), 0.0)
        b = np.where(
            n - x > 0,
            (n - x) * np.log(np.where(n - x > 0, (n - x) / np.maximum(n, 1e-12), 1) / (1 - p)),
            0.0,
        )
    return 2 * (a + b)


@dataclass
class PeriodFit:
    """Fitted shifts of one period, their bootstrap intervals and the grid they came from."""

    period: str
    raid: dict[str, int]
    nights: int
    kin: dict[str, float]
    kin_ci: dict[str, tuple[float, float]]
    ew: float
    ew_ci: tuple[float, float]
    ew_identified: bool
    at_bound: dict[str, bool]
    observed: dict[str, dict[str, float]]
    ew_at_bound: bool = False
    merged: float = 1.0
    simulated: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    lattice: Any = field(default=None, repr=False)


@dataclass
class CalibrationResult:
    """Per-period fits, the per-month fit report, and the simulator that produced them."""

    period: str
    fits: list[PeriodFit]
    report: pd.DataFrame
    simulator: Simulator
    alignment: dict[str, Any] | None = None

    def align_to_share(
        self,
        target: float,
        *,
        raid: dict[str, int] | None = None,
        reps: int = 30,
        seed: int = 0,
        lost_target: float | None = None,
    ) -> dict[str, Any]:
        """Set the last period's drone shifts so the engine's expected drone shares at ``raid``
        (default: the period's representative raid) equal the models' expectations.

        ``target``: the neutralised share (destroyed + lost, drones and decoys pooled) the share
        model (:mod:`airshield.calibrate.predictive`) expects; the drone kinetic shift is set to
        it. ``lost_target``: the lost share the layered fit (:mod:`airshield.calibrate.layers`)
        expects; when given (and the period's EW is identified) the EW shift is set to it first,
        so the calibrated laydown carries the layered fit's EW / kinetic split, else the EW shift
        stays as fitted. Each shift is read off the period's interpolated response surface, then
        refined by bisection on the engine itself (same seed at every step).
        :meth:`calibrated_scenario` then uses them.
        """
        fit = self.fits[-1]
        lat = fit.lattice
        if lat is None or "drone" not in lat.surf_d:
            raise ValueError("the last period has no drone fit to align")
        use = dict(raid or fit.raid)
        kf = (float(lat.kf[0]), float(lat.kf[-1]))
        ef = (float(lat.ef[0]), float(lat.ef[-1]))
        k_fit = int(np.argmin(np.abs(lat.kf - fit.kin.get("drone", 0.0))))

        def drone_at(kin: float, ew: float) -> tuple[float, float, float]:
            r = self.simulator.fractions(use, {**fit.kin, "drone": kin}, ew, reps, seed)
            d, lo, se = r.get("drone", (np.nan, np.nan, np.nan))
            return float(d), float(lo), float(se)

        ew = float(fit.ew)
        shift = float(fit.kin.get("drone", 0.0))
        both = lost_target is not None and fit.ew_identified
        # coordinate descent: EW to the lost share, kinetic to the total; three rounds when both
        # are aligned (a stronger kinetic layer leaves EW fewer drones to make lost)
        for _ in range(3 if both else 1):
            if lost_target is not None and both:
                j = int(np.argmin(np.abs(lat.surf_l["drone"][k_fit, :] - lost_target)))
                ew = _bisect_shift(
                    lambda x, k=shift: drone_at(k, x)[1], lost_target, float(lat.ef[j]), ef
                )
            e = int(np.argmin(np.abs(lat.ef - ew)))
            neut = lat.surf_d["drone"][:, e] + lat.surf_l["drone"][:, e]
            i = int(np.argmin(np.abs(neut - target)))
            shift = _bisect_shift(
                lambda x, w=ew: sum(drone_at(x, w)[:2]), target, float(lat.kf[i]), kf
            )
        d, lost, se = drone_at(shift, ew)
        self.alignment = {
            "period": fit.period,
            "raid": use,
            "target_share": float(target),
            "kin_shift_fitted": float(fit.kin.get("drone", np.nan)),
            "kin_shift_aligned": shift,
            "ew_shift": ew,
            "ew_shift_fitted": float(fit.ew),
            "target_lost": None if lost_target is None else float(lost_target),
            "engine_share": d + lost,
            "engine_lost": lost,
            "engine_se": float(se),
            "at_bound": bool(np.isclose(shift, kf[0]) or np.isclose(shift, kf[1])),
        }
        return self.alignment

    def params(self) -> pd.DataFrame:
        """One row per period and kind: shifts with 95 % bootstrap intervals and observations."""
        rows = []
        for f in self.fits:
            for k in CAL_KINDS:
                if k not in f.kin:
                    continue
                obs = f.observed.get(k, {})
                sim = f.simulated.get(k, (np.nan, np.nan, np.nan))
                unrep = (1.0 - obs.get("sep_share", 1.0)) * f.merged
                rows.append({
                    "period": f.period, "kind": k, "nights": f.nights, "raid_size": f.raid.get(k),
                    "kin_shift": f.kin[k], "kin_lo": f.kin_ci[k][0], "kin_hi": f.kin_ci[k][1],
                    "ew_shift": f.ew, "ew_lo": f.ew_ci[0], "ew_hi": f.ew_ci[1],
                    "ew_identified": f.ew_identified, "at_bound": f.at_bound[k],
                    "ew_at_bound": f.ew_at_bound,
                    "launched": obs.get("launched"),
                    "obs_destroyed": obs.get("destroyed_frac"),
                    "sim_destroyed": sim[0] + unrep * sim[1],
                    "obs_lost": obs.get("lost_frac"), "sim_lost": sim[1], "sim_se": sim[2],
                })  # fmt: skip
        return pd.DataFrame(rows)

    def effective_pk(self) -> pd.DataFrame:
        """Calibrated single-shot pk of each laydown effector type by period and threat kind."""
        if not isinstance(self.simulator, EngineSimulator):
            raise TypeError("effective pk needs an EngineSimulator (a laydown)")
        rows = []
        for f in self.fits:
            for lo_hi, kin, ew in (
                ("fit", f.kin, f.ew),
                ("lo", {k: v[0] for k, v in f.kin_ci.items()}, f.ew_ci[0]),
                ("hi", {k: v[1] for k, v in f.kin_ci.items()}, f.ew_ci[1]),
            ):
                for e in self.simulator.effector_types(kin, ew):
                    for k, v in e.pk.model_dump().items():
                        rows.append(
                            {
                                "period": f.period,
                                "effector_type": e.name,
                                "effector_kind": e.kind,
                                "threat_kind": k,
                                "which": lo_hi,
                                "pk": v,
                            }
                        )
        wide = pd.DataFrame(rows).pivot_table(
            index=["period", "effector_type", "effector_kind", "threat_kind"],
            columns="which",
            values="pk",
        )
        return wide.reset_index()[
            ["period", "effector_type", "effector_kind", "threat_kind", "fit", "lo", "hi"]
        ]

    def calibrated_scenario(self, period: str | None = None) -> Scenario:
        """The laydown with the calibrated effector types of ``period`` (default: the last)."""
        if not isinstance(self.simulator, EngineSimulator):
            raise TypeError("a calibrated scenario needs an EngineSimulator (a laydown)")
        from airshield.scenario.models import CatalogOverrides

        fit = self.fits[-1] if period is None else next(f for f in self.fits if f.period == period)
        lay = self.simulator.laydown
        kin = dict(fit.kin)
        ew = float(fit.ew)
        al = self.alignment if (period is None or period == self.fits[-1].period) else None
        if al is not None:
            kin["drone"] = al["kin_shift_aligned"]
            ew = float(al.get("ew_shift", ew))
        overrides = CatalogOverrides(
            threats=list(lay.catalog.threats),
            effectors=self.simulator.effector_types(kin, ew),
        )
        aligned = (
            ""
            if al is None
            else f" Drone kinetic shift set to {al['kin_shift_aligned']:+.2f} (fitted "
            f"{al['kin_shift_fitted']:+.2f}) so the engine's drone neutralised share at "
            f"{al['raid'].get('drone', 0)} drones ({100 * al['engine_share']:.1f} %) matches the "
            f"share model's expectation ({100 * al['target_share']:.1f} %)."
            + (
                ""
                if al.get("target_lost") is None
                else f" EW shift set to {ew:+.2f} (fitted {al['ew_shift_fitted']:+.2f}) so its "
                f"lost share ({100 * al['engine_lost']:.1f} %) matches the layered fit's "
                f"({100 * al['target_lost']:.1f} %)."
            )
        )
        desc = (
            f"{lay.description} Calibrated to the daily record, period {fit.period}: kinetic "
            + ", ".join(f"{k} logit shift {v:+.2f}" for k, v in kin.items())
            + f"; EW logit shift {ew:+.2f}"
            + ("" if fit.ew_identified else " (not identified: catalog value)")
            + "."
            + aligned
        ).strip()
        return lay.model_copy(
            update={
                "catalog": overrides,
                "description": desc,
                "name": f"{lay.name}-calibrated-{fit.period}",
            }
        )


def _bisect_shift(
    share_at: Any, target: float, guess: float, grid: tuple[float, float], tol: float = 0.02
) -> float:
    """The logit shift at which the increasing ``share_at(shift)`` equals ``target``: bisection
    in a bracket of one logit unit around ``guess``, else over the whole ``grid``, to ``tol``;
    the nearer end of the bracket when ``target`` is out of reach."""
    lo_x, hi_x = max(guess - 1.0, grid[0]), min(guess + 1.0, grid[1])
    s_lo, s_hi = share_at(lo_x), share_at(hi_x)
    if not s_lo <= target <= s_hi:
        lo_x, hi_x = grid
        s_lo, s_hi = share_at(lo_x), share_at(hi_x)
    if s_lo <= target <= s_hi:
        for _ in range(int(np.ceil(np.log2(max(hi_x - lo_x, 1e-9) / tol)))):
            mid = 0.5 * (lo_x + hi_x)
            s_mid = share_at(mid)
            if s_mid < target:
                lo_x, s_lo = mid, s_mid
            else:
                hi_x, s_hi = mid, s_mid
    return lo_x if abs(s_lo - target) <= abs(s_hi - target) else hi_x


def _observed(nights: pd.DataFrame) -> dict[str, dict[str, float]]:
    g = nights.groupby("kind")[
        ["launched", "destroyed", "sep_launched", "lost_trials", "lost"]
    ].sum()
    out = {}
    for k, r in g.iterrows():
        out[str(k)] = {
            "launched": float(r["launched"]), "destroyed": float(r["destroyed"]),
            "sep_share": float(r["sep_launched"] / r["launched"]) if r["launched"] else 1.0,
            "lost_trials": float(r["lost_trials"]), "lost": float(r["lost"]),
            "destroyed_frac": float(r["destroyed"] / r["launched"]) if r["launched"] else np.nan,
            "lost_frac": (float(r["lost"] / r["lost_trials"]) if r["lost_trials"] else np.nan),
        }  # fmt: skip
    return out


@dataclass
class _Lattice:
    """Interpolated response surfaces on a fine lattice, and the fit read off them."""

    kf: np.ndarray
    ef: np.ndarray
    e0: int
    surf_d: dict[str, np.ndarray]
    surf_l: dict[str, np.ndarray]
    ew_identified: bool
    merged: float

    def fit(self, o: dict[str, dict[str, float]]) -> tuple[dict[str, float], float]:
        """Moment matching, one parameter per observed fraction, by coordinate descent.

        Kinetic shifts come from the destroyed fractions given the EW shift, then the EW shift
        from the drones' lost fraction given their kinetic shift. Where the laydown can reach both
        fractions this is the joint fit; where it cannot reach one, the other is not pulled away
        from its own match.
        """
        ew_idx = self.e0
        idx: dict[str, int] = {}
        for _ in range(8):
            for k, sd in self.surf_d.items():
                if k in o and o[k]["launched"] > 0:
                    # what the record's "destroyed" measures: shot down where lost is counted
                    # apart, shot down + lost (neutralised) where it is not
                    unrep = (1.0 - o[k]["sep_share"]) * self.merged
                    pred = sd[:, ew_idx] + unrep * self.surf_l[k][:, ew_idx]
                    idx[k] = int(np.argmin(_deviance(o[k]["destroyed"], o[k]["launched"], pred)))
            if not (self.ew_identified and "drone" in idx):
                break
            dv2 = _deviance(
                o["drone"]["lost"], o["drone"]["lost_trials"], self.surf_l["drone"][idx["drone"], :]
            )
            new = int(np.argmin(dv2))
            if new == ew_idx:
                break
            ew_idx = new
        return {k: float(self.kf[i]) for k, i in idx.items()}, float(self.ef[ew_idx])


def calibrate(
    frame: pd.DataFrame,
    simulator: Simulator,
    *,
    period: str = "quarter",
    kin_grid: Sequence[float] = KIN_GRID,
    ew_grid: Sequence[float] = EW_GRID,
    reps: int = 40,
    seed: int = 0,
    bootstrap: int = 400,
    min_lost_share: float = 0.5,
    periods: Sequence[str] | None = None,
    lattice: int = 121,
    unreported_lost: str = "neutralised",
    progress: bool | Callable[[str, int, int], None] = False,
) -> CalibrationResult:
    """Fit kinetic and EW shifts per period (see the module docstring).

    ``progress``: ``True`` shows a bar with an estimate on stderr (plain lines when it is not a
    terminal), a callback gets ``(stage, done, total)``.

    ``min_lost_share``: EW is fitted only where lost counts cover at least this share of the
    period's drone launches. ``periods`` restricts the fit to some period labels.
    """
    if unreported_lost not in ("neutralised", "destroyed"):
        raise ValueError("unreported_lost must be 'neutralised' or 'destroyed'")
    merged = 1.0 if unreported_lost == "neutralised" else 0.0
    obs_nights = observed_nights(frame, period)
    labels = list(dict.fromkeys(obs_nights["period"]))
    if periods is not None:
        labels = [p for p in labels if p in set(periods)]
    if not labels:
        raise ValueError("no period with launched and destroyed counts to calibrate on")
    kg = np.asarray(kin_grid, dtype=float)
    eg = np.asarray(ew_grid, dtype=float)
    kf = np.linspace(kg[0], kg[-1], lattice)
    ef = np.linspace(eg[0], eg[-1], max(lattice // 2, 21) | 1)  # odd: 0 is on the lattice
    root = np.random.SeedSequence(seed)
    boot_rng = np.random.default_rng(root.spawn(1)[0])
    fits: list[PeriodFit] = []
    tick, close_progress = staged_reporter(progress)
    n_grid = len(labels) * len(kg) * len(eg)
    done_grid = 0
    for label in labels:
        pn = obs_nights[obs_nights["period"] == label]
        raid = representative_raid(pn)
        if not raid:
            n_grid -= len(kg) * len(eg)
            continue
        # grid of simulations, common random numbers (the same seed at every point)
        dest = {k: np.zeros((len(kg), len(eg))) for k in raid}
        lost = {k: np.zeros((len(kg), len(eg))) for k in raid}
        for i, dk in enumerate(kg):
            for j, de in enumerate(eg):
                fr = simulator.fractions(raid, dict.fromkeys(raid, dk), de, reps, seed)
                for k in raid:
                    dest[k][i, j], lost[k][i, j] = fr[k][0], fr[k][1]
                done_grid += 1
                tick("grid simulations (all periods)", done_grid, n_grid)
        # enforce monotone responses (Monte Carlo noise): destroyed up in kin, lost up in ew
        for k in raid:
            dest[k] = np.maximum.accumulate(dest[k], axis=0)
            lost[k] = np.maximum.accumulate(lost[k], axis=1)
        mesh_k, mesh_e = np.meshgrid(kf, ef, indexing="ij")
        pts = np.stack([mesh_k.ravel(), mesh_e.ravel()], axis=1)
        surf_d = {
            k: RegularGridInterpolator((kg, eg), dest[k])(pts).reshape(mesh_k.shape) for k in raid
        }
        surf_l = {
            k: RegularGridInterpolator((kg, eg), lost[k])(pts).reshape(mesh_k.shape) for k in raid
        }
        obs = _observed(pn)
        drone_obs = obs.get("drone", {})
        ew_identified = bool(
            "drone" in raid
            and drone_obs
            and drone_obs["lost_trials"] >= min_lost_share * drone_obs["launched"]
        )
        e0 = int(np.argmin(np.abs(ef)))  # the catalog value (shift 0)

        lat = _Lattice(kf, ef, e0, surf_d, surf_l, ew_identified, merged)
        kin, ew = lat.fit(obs)
        # bootstrap over raid nights
        nights = pn["night"].unique()
        kin_b: dict[str, list[float]] = {k: [] for k in kin}
        ew_b: list[float] = []
        by_night = {n: g for n, g in pn.groupby("night")}
        for _ in range(bootstrap):
            pick = boot_rng.choice(nights, size=len(nights), replace=True)
            sample = pd.concat([by_night[n] for n in pick], ignore_index=True)
            kb, eb = lat.fit(_observed(sample))
            for k in kin_b:
                if k in kb:
                    kin_b[k].append(kb[k])
            ew_b.append(eb)
        kin_ci = {
            k: (
                (float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975)))
                if v
                else (np.nan, np.nan)
            )
            for k, v in kin_b.items()
        }
        ew_ci = (
            (float(np.quantile(ew_b, 0.025)), float(np.quantile(ew_b, 0.975)))
            if ew_identified and ew_b
            else (0.0, 0.0)
        )
        at_bound = {k: bool(np.isclose(v, kf[0]) or np.isclose(v, kf[-1])) for k, v in kin.items()}
        ew_at_bound = bool(ew_identified and (np.isclose(ew, ef[0]) or np.isclose(ew, ef[-1])))
        fit = PeriodFit(
            label,
            raid,
            len(nights),
            kin,
            kin_ci,
            ew,
            ew_ci,
            ew_identified,
            at_bound,
            obs,
            ew_at_bound=ew_at_bound,
            merged=merged,
        )
        fit.simulated = simulator.fractions(raid, kin, ew, reps, seed + 1)
        fit.lattice = lat
        fits.append(fit)
    close_progress()
    report = fit_report(obs_nights, fits, simulator, reps=reps, seed=seed + 2, merged=merged)
    return CalibrationResult(period, fits, report, simulator)


def fit_report(
    obs_nights: pd.DataFrame,
    fits: list[PeriodFit],
    simulator: Simulator,
    *,
    reps: int,
    seed: int,
    merged: float = 1.0,
) -> pd.DataFrame:
    """Observed vs simulated fractions per month and kind, each month simulated with its own
    representative raid and its period's fitted shifts."""
    by_period = {f.period: f for f in fits}
    rows = []
    for (label, month), mn in obs_nights.groupby(["period", "month"], sort=True):
        fit = by_period.get(str(label))
        if fit is None:
            continue
        raid = representative_raid(mn)
        sim = simulator.fractions(raid, fit.kin, fit.ew, reps, seed) if raid else {}
        for k, o in _observed(mn).items():
            lo, hi = jeffreys_interval(np.array([o["destroyed"]]), np.array([o["launched"]]))
            llo, lhi = jeffreys_interval(np.array([o["lost"]]), np.array([o["lost_trials"]]))
            s = sim.get(k, (np.nan, np.nan, np.nan))
            unrep = (1.0 - o["sep_share"]) * merged
            rows.append({
                "month": month, "period": label, "kind": k, "launched": int(o["launched"]),
                "raid_size": raid.get(k), "obs_destroyed": o["destroyed_frac"],
                "obs_destroyed_lo": float(lo[0]), "obs_destroyed_hi": float(hi[0]),
                "sim_destroyed": s[0] + unrep * s[1], "sim_shot_down": s[0], "sim_se": s[2],
                "compared_with": "neutralised" if unrep > 0.5 else "destroyed",
                "obs_lost": o["lost_frac"],
                "obs_lost_lo": float(llo[0]), "obs_lost_hi": float(lhi[0]), "sim_lost": s[1],
            })  # fmt: skip
    out = pd.DataFrame(rows)
    if len(out):
        out["inside"] = (out["sim_destroyed"] >= out["obs_destroyed_lo"]) & (
            out["sim_destroyed"] <= out["obs_destroyed_hi"]
        )
    return out


def write_outputs(result: CalibrationResult, out_dir: str | Path) -> dict[str, Path]:
    """Write params.csv, report.csv, effective_pk.csv and calibrated.yaml (engine fits only)."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    paths = {"params": d / "params.csv", "report": d / "report.csv"}
    result.params().to_csv(paths["params"], index=False)
    result.report.to_csv(paths["report"], index=False)
    if isinstance(result.simulator, EngineSimulator):
        paths["effective_pk"] = d / "effective_pk.csv"
        result.effective_pk().to_csv(paths["effective_pk"], index=False)
        paths["scenario"] = d / "calibrated.yaml"
        sc = result.calibrated_scenario()
        header = (
            "# Calibrated by 'airshield calibrate fit' to the public daily record "
            "(CC BY-NC-SA 4.0, Petro Ivaniuk / Kaggle piterfm).\n"
            "# The laydown stays NOTIONAL; only effector pk values were fitted.\n"
        )
        paths["scenario"].write_text(header + sc.to_yaml(), encoding="utf-8")
    return paths


def summary_dict(result: CalibrationResult) -> dict[str, Any]:
    """JSON-ready summary: parameters per period and kind, and the fit report."""

    def clean(df: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in df.to_dict(orient="records")
        ]

    return {
        "period": result.period,
        "params": clean(result.params()),
        "report": clean(result.report),
        "alignment": result.alignment,
    }
