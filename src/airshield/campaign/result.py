"""CampaignResult: the one result type of the campaign engine.

Arrays are indexed ``[rep, night, ...]``; labels are in ``dates``, ``pool_names`` and
``threat_types``. Frames for reports and stores:

* :meth:`CampaignResult.to_frame` - one row per replication, night and pool (the pool ledger:
  ``stock_start, produced, delivered, diverted, fired, stock_end`` and more);
* :meth:`CampaignResult.night_frame` - one row per replication and night (raid, leakers, damage,
  costs, running totals);
* :meth:`CampaignResult.threat_frame` - one row per replication, night and threat type;
* :meth:`CampaignResult.attacker_frame` - the attacker's plan (the same in every replication);
* :meth:`CampaignResult.stock_bands` - per night and pool: mean, 5/50/95 % of the stock at the end
  of the night and the share of replications with the pool empty or short;
* :meth:`CampaignResult.night_bands` - per night: bands of leakers, damage and costs;
* :meth:`CampaignResult.depletion_frame` - per pool: when it runs out (nights and dates).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from airshield.jsonable import json_default
from airshield.raid.result import band

if TYPE_CHECKING:
    from airshield.campaign.engine import _Chain
    from airshield.campaign.models import Campaign
    from airshield.campaign.tempo import AttackerPlan

I = NDArray[np.int64]
F = NDArray[np.float64]
POOL_COLUMNS = ("stock_start", "produced", "delivered", "diverted", "fired", "stock_end")
DEPLETION = ("empty", "short")


@dataclass(frozen=True)
class CampaignNight:
    """The raid of one campaign night, in campaign terms (threats in attacker order, pools in
    template order): the one shape both modes produce.

    For one replication (what :meth:`airshield.campaign.bridge.RaidBridge.run` returns) the
    arrays are ``(T,)``, ``(P,)``, ``(Q,)`` and the money fields are floats; for a batch of
    replications (what :meth:`Surrogate.draw` and the engine's night functions return) every
    field gains a leading replication axis ``R``. :meth:`stack` turns replications into a
    batch."""

    destroyed: I  # (T,) or (R, T)
    lost: I  # (T,) or (R, T)
    leaked: I  # (T,) or (R, T)
    fired_pool: I  # (P,) or (R, P)
    fired_other: I  # (Q,) or (R, Q): rounds of units without a pool, by effector type
    damage_usd: Any  # float or (R,)
    defender_cost_usd: Any = None  # float or (R,); None where not computed (fast mode)
    reloaded_pool: I | None = None  # (P,) or (R, P): rounds taken from the depots for reloads

    @property
    def reps(self) -> int:
        """Replications held: 1 for a single night, else the leading axis."""
        return 1 if np.ndim(self.destroyed) == 1 else int(np.shape(self.destroyed)[0])

    @classmethod
    def stack(
        cls, nights: list[CampaignNight], t: int = 0, p: int = 0, q: int = 0
    ) -> CampaignNight:
        """A batch from single-replication nights (``t, p, q`` size an empty batch)."""

        def ints(name: str, width: int) -> I:
            if not nights:
                return np.zeros((0, width), np.int64)
            return np.stack([np.asarray(getattr(n, name), np.int64) for n in nights])

        def money(name: str) -> F | None:
            vals = [getattr(n, name) for n in nights]
            if any(v is None for v in vals):
                return None
            return np.asarray(vals, np.float64).reshape(len(nights))

        reloaded = (
            ints("reloaded_pool", p)
            if nights and all(n.reloaded_pool is not None for n in nights)
            else None
        )
        return cls(
            destroyed=ints("destroyed", t),
            lost=ints("lost", t),
            leaked=ints("leaked", t),
            fired_pool=ints("fired_pool", p),
            fired_other=ints("fired_other", q),
            damage_usd=money("damage_usd") if nights else np.zeros(0),
            defender_cost_usd=money("defender_cost_usd"),
            reloaded_pool=reloaded,
        )


def _q(x: F, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else float("nan")


@dataclass
class CampaignResult:
    """Outcomes of ``reps`` replications of a campaign (see the module docstring)."""

    campaign_name: str
    campaign_hash: str
    raid_name: str
    raid_hash: str
    mode: str
    seed: int
    dates: list[dt.date]
    pool_names: list[str]
    pool_effectors: list[str]
    pool_cost_usd: F  # (P,)
    magazine_rounds: I  # (P,) rounds the pool's units hold in their magazines
    threat_types: list[str]
    threat_kinds: list[str]
    threat_cost_usd: F  # (T,)
    other_effectors: list[str]  # effector types of units without a pool
    other_cost_usd: F  # (Q,)
    # attacker plan (the same in every replication)
    launched: I  # (N, T)
    attacker_produced: I  # (N, T)
    attacker_stock_end: I  # (N, T)
    launch_capacity: I  # (N,) -1: unlimited
    raid_night: NDArray[np.bool_]  # (N,)
    # pools
    stock_start: I  # (R, N, P)
    produced: I
    delivered: I
    diverted: I
    fired: I
    stock_end: I
    purchased: I  # (R, N, P) rounds ordered that night (they arrive in `delivered` later)
    purchase_cost_usd: F  # (R, N)
    # raid outcomes
    destroyed: I  # (R, N, T)
    lost: I
    leaked: I
    fired_other: I  # (R, N, Q)
    damage_usd: F  # (R, N)
    elapsed_s: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    version: str = field(default_factory=lambda: __import__("airshield").__version__)

    @classmethod
    def assemble(
        cls, *, campaign: Campaign, mode: str, seed: int, plan: AttackerPlan, pool_names: list[str],
        pool_cost_usd: F, other_effectors: list[str], other_cost_usd: F, magazine_rounds: I,
        chain: _Chain, elapsed_s: float, info: dict[str, Any],
    ) -> CampaignResult:  # fmt: skip
        tpl = campaign.template
        cat = tpl.resolved_catalog()
        eff = {p.name: p.effector for p in tpl.pools}
        return cls(
            campaign_name=campaign.name,
            campaign_hash=campaign.content_hash(),
            raid_name=tpl.name,
            raid_hash=tpl.content_hash(),
            mode=mode,
            seed=seed,
            dates=campaign.dates,
            pool_names=pool_names,
            pool_effectors=[eff[p] for p in pool_names],
            pool_cost_usd=np.asarray(pool_cost_usd, np.float64),
            magazine_rounds=np.asarray(magazine_rounds, np.int64),
            threat_types=list(plan.threat_types),
            threat_kinds=[cat.threats[t].kind for t in plan.threat_types],
            threat_cost_usd=np.array([cat.threats[t].cost_usd for t in plan.threat_types]),
            other_effectors=other_effectors,
            other_cost_usd=np.asarray(other_cost_usd, np.float64),
            launched=plan.launched,
            attacker_produced=plan.produced,
            attacker_stock_end=plan.stock_end,
            launch_capacity=plan.capacity,
            raid_night=plan.raid_night,
            stock_start=chain.stock_start,
            produced=chain.produced,
            delivered=chain.delivered,
            diverted=chain.diverted,
            fired=chain.fired,
            stock_end=chain.stock_end,
            purchased=chain.purchased,
            purchase_cost_usd=chain.purchase_cost_usd,
            destroyed=chain.destroyed,
            lost=chain.lost,
            leaked=chain.leaked,
            fired_other=chain.fired_other,
            damage_usd=chain.damage_usd,
            elapsed_s=elapsed_s,
            info=info,
        )

    # ---- sizes and derived arrays ---------------------------------------------------------
    @property
    def reps(self) -> int:
        return int(self.stock_end.shape[0])

    @property
    def nights(self) -> int:
        return len(self.dates)

    @property
    def harmful(self) -> NDArray[np.bool_]:
        return np.array([k != "decoy" for k in self.threat_kinds])

    def leaked_harmful(self) -> I:
        """(R, N) leakers that are not decoys."""
        return self.leaked[:, :, self.harmful].sum(axis=2)

    def rounds_cost_usd(self) -> F:
        """(R, N) cost of the rounds fired (pools and units without a pool)."""
        c = (self.fired * self.pool_cost_usd).sum(axis=2)
        if self.fired_other.shape[2]:
            c = c + (self.fired_other * self.other_cost_usd).sum(axis=2)
        return c.astype(np.float64)

    def defender_cost_usd(self) -> F:
        """(R, N) rounds fired plus purchases paid that night."""
        return self.rounds_cost_usd() + self.purchase_cost_usd

    def attacker_cost_usd(self) -> F:
        """(N,) cost of the threats launched each night."""
        return (self.launched * self.threat_cost_usd).sum(axis=1).astype(np.float64)

    def depletion_nights(self, criterion: str = "empty") -> I:
        """(R, P) first night each pool is depleted, -1 if never.

        ``empty``: the stock at the end of the night is 0. ``short``: the rounds on hand before
        the raid do not fill the magazines of the pool's units.
        """
        if criterion == "empty":
            hit = self.stock_end <= 0
        elif criterion == "short":
            on_hand = self.stock_start + self.produced + self.delivered - self.diverted
            hit = on_hand < self.magazine_rounds[None, None, :]
        else:
            raise ValueError(f"criterion must be one of {DEPLETION}")
        first = np.argmax(hit, axis=1)
        return np.where(hit.any(axis=1), first, -1).astype(np.int64)

    # ---- tidy frames --------------------------------------------------------------------
    def _date_col(self, idx: I) -> NDArray[Any]:
        d = np.array([np.datetime64(x, "D") for x in self.dates])
        return d[idx]

    def to_frame(self) -> pd.DataFrame:
        """One row per replication, night and pool: ``rep, night, date, pool, stock_start,
        produced, delivered, diverted, fired, stock_end, purchased, rounds_cost_usd``
        (``stock_end = stock_start + produced + delivered - diverted - fired``)."""
        r, n, p = self.stock_end.shape
        rep = np.repeat(np.arange(r), n * p)
        night = np.tile(np.repeat(np.arange(n), p), r)
        df = pd.DataFrame(
            {
                "rep": rep.astype(np.int64),
                "night": night.astype(np.int64),
                "date": self._date_col(night),
                "pool": np.tile(np.array(self.pool_names, dtype=object), r * n),
            }
        )
        for col in (*POOL_COLUMNS, "purchased"):
            df[col] = getattr(self, col).reshape(-1)
        df["rounds_cost_usd"] = (self.fired * self.pool_cost_usd).reshape(-1).astype(np.float64)
        return df

    def night_frame(self) -> pd.DataFrame:
        """One row per replication and night: raid size, outcomes, damage, costs and their
        running totals (``cum_*``)."""
        r, n = self.damage_usd.shape
        launched = np.broadcast_to(self.launched.sum(axis=1), (r, n))
        cols: dict[str, Any] = {
            "rep": np.repeat(np.arange(r), n),
            "night": np.tile(np.arange(n), r),
        }
        cols["date"] = self._date_col(cols["night"])
        lh = self.leaked_harmful()
        dc = self.defender_cost_usd()
        ac = np.broadcast_to(self.attacker_cost_usd(), (r, n))
        data = {
            "launched": launched,
            "destroyed": self.destroyed.sum(axis=2),
            "lost": self.lost.sum(axis=2),
            "leaked": self.leaked.sum(axis=2),
            "leaked_harmful": lh,
            "damage_usd": self.damage_usd,
            "rounds_cost_usd": self.rounds_cost_usd(),
            "purchase_cost_usd": self.purchase_cost_usd,
            "defender_cost_usd": dc,
            "attacker_cost_usd": ac,
            "cum_leaked_harmful": lh.cumsum(axis=1),
            "cum_damage_usd": self.damage_usd.cumsum(axis=1),
            "cum_defender_cost_usd": dc.cumsum(axis=1),
            "cum_attacker_cost_usd": ac.cumsum(axis=1),
        }
        for k, v in data.items():
            cols[k] = np.asarray(v).reshape(-1)
        return pd.DataFrame(cols)

    def threat_frame(self) -> pd.DataFrame:
        """One row per replication, night and threat type: launched, destroyed, lost, leaked."""
        r, n, t = self.leaked.shape
        night = np.tile(np.repeat(np.arange(n), t), r)
        return pd.DataFrame(
            {
                "rep": np.repeat(np.arange(r), n * t),
                "night": night,
                "date": self._date_col(night),
                "threat_type": np.tile(np.array(self.threat_types, dtype=object), r * n),
                "kind": np.tile(np.array(self.threat_kinds, dtype=object), r * n),
                "launched": np.broadcast_to(self.launched, (r, n, t)).reshape(-1),
                "destroyed": self.destroyed.reshape(-1),
                "lost": self.lost.reshape(-1),
                "leaked": self.leaked.reshape(-1),
            }
        )

    def attacker_frame(self) -> pd.DataFrame:
        """One row per night and threat type: produced, launched, stock at the end of the night,
        the night's site launch capacity (-1: unlimited) and whether it was a big raid."""
        n, t = self.launched.shape
        night = np.repeat(np.arange(n), t)
        return pd.DataFrame(
            {
                "night": night,
                "date": self._date_col(night),
                "threat_type": np.tile(np.array(self.threat_types, dtype=object), n),
                "produced": self.attacker_produced.reshape(-1),
                "launched": self.launched.reshape(-1),
                "stock_end": self.attacker_stock_end.reshape(-1),
                "launch_capacity": self.launch_capacity[night],
                "raid_night": self.raid_night[night],
            }
        )

    def stock_bands(self) -> pd.DataFrame:
        """Per night and pool: ``mean, p5, p50, p95`` of ``stock_end`` across replications, and
        ``share_empty`` / ``share_short`` (replications with the pool empty / short that night)."""
        r, n, p = self.stock_end.shape
        s = self.stock_end.astype(np.float64)
        on_hand = self.stock_start + self.produced + self.delivered - self.diverted
        night = np.repeat(np.arange(n), p)
        pct = np.percentile(s, [5, 50, 95], axis=0) if r else np.full((3, n, p), np.nan)
        return pd.DataFrame(
            {
                "night": night,
                "date": self._date_col(night),
                "pool": np.tile(np.array(self.pool_names, dtype=object), n),
                "mean": s.mean(axis=0).reshape(-1),
                "p5": pct[0].reshape(-1),
                "p50": pct[1].reshape(-1),
                "p95": pct[2].reshape(-1),
                "share_empty": (self.stock_end <= 0).mean(axis=0).reshape(-1),
                "share_short": (on_hand < self.magazine_rounds).mean(axis=0).reshape(-1),
            }
        )

    def night_bands(self) -> pd.DataFrame:
        """Per night and metric (``launched``, ``leaked_harmful``, ``damage_usd``,
        ``defender_cost_usd``, ``attacker_cost_usd`` and their ``cum_`` totals): mean, p5, p50,
        p95 across replications."""
        nf = self.night_frame()
        metrics = [
            "launched", "leaked_harmful", "damage_usd", "defender_cost_usd", "attacker_cost_usd",
            "cum_leaked_harmful", "cum_damage_usd", "cum_defender_cost_usd",
            "cum_attacker_cost_usd",
        ]  # fmt: skip
        r, n = self.damage_usd.shape
        rows = []
        for m in metrics:
            x = nf[m].to_numpy(np.float64).reshape(r, n)
            pct = np.percentile(x, [5, 50, 95], axis=0)
            rows.append(
                pd.DataFrame(
                    {
                        "night": np.arange(n),
                        "date": self._date_col(np.arange(n)),
                        "metric": m,
                        "mean": x.mean(axis=0),
                        "p5": pct[0],
                        "p50": pct[1],
                        "p95": pct[2],
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)

    def depletion_frame(self) -> pd.DataFrame:
        """Per pool and criterion (``empty``, ``short``; see :meth:`depletion_nights`): share of
        replications depleted within the horizon, and the 5/50/95 % night and date of depletion
        (counting never-depleted replications as later than the horizon: NaN / NaT)."""
        rows = []
        for crit in DEPLETION:
            dn = self.depletion_nights(crit)
            for k, name in enumerate(self.pool_names):
                x = np.where(dn[:, k] >= 0, dn[:, k], np.inf).astype(np.float64)
                row: dict[str, Any] = {
                    "pool": name,
                    "effector": self.pool_effectors[k],
                    "criterion": crit,
                    "share_depleted": float((dn[:, k] >= 0).mean()),
                    "share_never": float((dn[:, k] < 0).mean()),
                }
                for label, q in (("p5", 5), ("p50", 50), ("p95", 95)):
                    v = np.percentile(x, q, method="lower") if x.size else np.inf
                    row[f"{label}_night"] = float(v) if np.isfinite(v) else float("nan")
                    row[f"{label}_date"] = (
                        pd.Timestamp(self.dates[int(v)]) if np.isfinite(v) else pd.NaT
                    )
                rows.append(row)
        return pd.DataFrame(rows)

    # ---- summary ----------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Totals over the horizon (mean, sd, 5-95 % across replications), per pool ledgers and
        depletion, cost per effect (JSON-ready)."""
        lh = self.leaked_harmful().sum(axis=1)
        defeated = (self.destroyed.sum(axis=(1, 2)) + self.lost.sum(axis=(1, 2))).astype(float)
        rounds_cost = self.rounds_cost_usd().sum(axis=1)
        purch = self.purchase_cost_usd.sum(axis=1)
        att = float(self.attacker_cost_usd().sum())
        dmg = self.damage_usd.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_defeat = np.where(defeated > 0, rounds_cost / defeated, np.nan)
            per_leak = np.where(lh > 0, att / lh, np.nan)
        dep = self.depletion_frame()
        pools = []
        for k, name in enumerate(self.pool_names):
            d = dep[(dep["pool"] == name)]
            depl = {}
            for _, row in d.iterrows():
                depl[row["criterion"]] = {
                    "share_depleted": row["share_depleted"],
                    "night": {q: _nan_none(row[f"{q}_night"]) for q in ("p5", "p50", "p95")},
                    "date": {
                        q: (None if pd.isna(row[f"{q}_date"]) else str(row[f"{q}_date"].date()))
                        for q in ("p5", "p50", "p95")
                    },
                }
            pools.append(
                {
                    "pool": name,
                    "effector": self.pool_effectors[k],
                    "stock_start": int(self.stock_start[0, 0, k]) if self.reps else 0,
                    "magazine_rounds": int(self.magazine_rounds[k]),
                    "produced": band(self.produced[:, :, k].sum(axis=1)),
                    "delivered": band(self.delivered[:, :, k].sum(axis=1)),
                    "diverted": band(self.diverted[:, :, k].sum(axis=1)),
                    "fired": band(self.fired[:, :, k].sum(axis=1)),
                    "purchased": band(self.purchased[:, :, k].sum(axis=1)),
                    "stock_end": band(self.stock_end[:, -1, k]),
                    "depletion": depl,
                }
            )
        kinds = np.array(self.threat_kinds)
        return {
            "campaign": self.campaign_name,
            "campaign_hash": self.campaign_hash,
            "raid": self.raid_name,
            "raid_hash": self.raid_hash,
            "mode": self.mode,
            "seed": self.seed,
            "reps": self.reps,
            "nights": self.nights,
            "start_date": str(self.dates[0]),
            "end_date": str(self.dates[-1]),
            "version": self.version,
            "elapsed_s": round(self.elapsed_s, 3),
            "info": self.info,
            "attacker": {
                "launched": int(self.launched.sum()),
                "launched_by_type": {
                    t: int(self.launched[:, i].sum()) for i, t in enumerate(self.threat_types)
                },
                "produced": int(self.attacker_produced.sum()),
                "stock_end": int(self.attacker_stock_end[-1].sum()),
                "largest_raid": int(self.launched.sum(axis=1).max()),
                "raid_nights": int((self.launched.sum(axis=1) > 0).sum()),
                "cost_usd": att,
            },
            "totals": {
                "launched": int(self.launched.sum()),
                "destroyed": band(self.destroyed.sum(axis=(1, 2))),
                "lost": band(self.lost.sum(axis=(1, 2))),
                "leaked": band(self.leaked.sum(axis=(1, 2))),
                "leaked_harmful": band(lh),
                "decoy_leaked": band(self.leaked[:, :, kinds == "decoy"].sum(axis=(1, 2))),
                "damage_usd": band(dmg),
                "rounds_cost_usd": band(rounds_cost),
                "purchase_cost_usd": band(purch),
                "defender_cost_usd": band(rounds_cost + purch),
                "attacker_cost_usd": att,
                "defender_usd_per_threat_defeated": band(per_defeat[np.isfinite(per_defeat)]),
                "attacker_usd_per_harmful_leaker": band(per_leak[np.isfinite(per_leak)]),
                "exchange_ratio": band(rounds_cost / att) if att > 0 else None,
            },
            "pools": pools,
        }

    # ---- output -----------------------------------------------------------------------
    def to_parquet(self, path: str | Path) -> None:
        """Write :meth:`to_frame` (one row per replication, night and pool) with provenance and
        the summary in the file's key-value metadata.

        The file holds only what the inputs and the seed determine, so it is the same bytes for
        any number of workers and on every rerun; run metadata that is not (``elapsed_s``) goes
        to a sidecar ``<file>.run.json`` next to it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        summary = self.summary()
        run_meta = {"elapsed_s": summary.pop("elapsed_s", None)}
        table = pa.Table.from_pandas(self.to_frame(), preserve_index=False)
        meta = {
            "airshield.campaign": self.campaign_name,
            "airshield.campaign_hash": self.campaign_hash,
            "airshield.raid_hash": self.raid_hash,
            "airshield.mode": self.mode,
            "airshield.seed": str(self.seed),
            "airshield.reps": str(self.reps),
            "airshield.version": self.version,
            "airshield.summary": json.dumps(summary, default=json_default),
        }
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        sidecar = Path(path).with_name(Path(path).name + ".run.json")
        sidecar.write_text(json.dumps(run_meta, indent=1) + "\n", encoding="utf-8")


def _nan_none(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)
