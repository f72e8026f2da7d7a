"""The deterministic side of a campaign: attacker production, stock and raids night by night,
and the defender's scheduled supply (production arrivals, deliveries, pauses, diversions).

The attacker does not react to the defender's losses, so its plan is the same in every
replication: :func:`attacker_plan` computes it once. Daily quantities given as rates (threats or
rounds per day) become whole numbers by flooring the running total, so a rate of 0.5 per day gives
one every second day and the totals never drift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airshield.campaign.models import (
    AccumulateTempo,
    Campaign,
    DefenderPool,
    NightlyTempo,
    OnceDelivery,
    Profile,
    ScheduleTempo,
    profile_values,
)
from airshield.vocab import PauseCode

I = NDArray[np.int64]
B = NDArray[np.bool_]


def integer_arrivals(rates: list[float] | NDArray[np.float64]) -> I:
    """Whole units per day from a rate per day: differences of the floored running total."""
    r = np.maximum(np.asarray(rates, dtype=np.float64), 0.0)
    cum = np.floor(np.cumsum(r) + 1e-9)
    return np.diff(np.concatenate([[0.0], cum])).astype(np.int64)


def split_largest_remainder(total: int, weights: NDArray[np.float64]) -> I:
    """Split ``total`` into whole parts proportional to ``weights`` (ties to the lower index)."""
    w = np.asarray(weights, dtype=np.float64)
    out = np.zeros(w.shape[0], np.int64)
    if total <= 0 or w.shape[0] == 0:
        return out
    if w.sum() <= 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    out = np.floor(exact + 1e-12).astype(np.int64)
    short = int(total - out.sum())
    if short > 0:
        order = np.argsort(-(exact - out), kind="stable")
        out[order[:short]] += 1
    return out


@dataclass(frozen=True)
class AttackerPlan:
    """Attacker stock and launches per night; arrays are ``[night, threat]`` in attacker order."""

    threat_types: list[str]
    produced: I  # (N, T)
    launched: I  # (N, T)
    stock_end: I  # (N, T) after the night's launches
    capacity: I  # (N,) launches the sites allow (-1: no limit)
    raid_night: B  # (N,) a big / scheduled raid night

    @property
    def raid_sizes(self) -> I:
        return self.launched.sum(axis=1)


def _desired(c: Campaign, i: int, date: dt.date, stock: I, names: list[str]) -> tuple[I, bool]:
    """What the tempo policy wants to launch tonight (before launch capacity)."""
    tempo = c.attacker.tempo
    if isinstance(tempo, NightlyTempo):
        if int(stock.sum()) < tempo.min_raid:
            return np.zeros_like(stock), False
        return np.floor(stock * tempo.fraction + 1e-9).astype(np.int64), False
    if isinstance(tempo, AccumulateTempo):
        first = tempo.first or c.start_date
        k = (date - first).days
        big = k >= 0 and k % tempo.every_nights == 0
        f = tempo.big_fraction if big else tempo.between_fraction
        return np.floor(stock * f + 1e-9).astype(np.int64), big
    assert isinstance(tempo, ScheduleTempo)
    for r in tempo.raids:
        if r.date == date:
            if r.threats is not None:
                want = np.array([r.threats.get(n, 0) for n in names], np.int64)
                return np.minimum(want, stock), True
            assert r.fraction is not None
            return np.floor(stock * r.fraction + 1e-9).astype(np.int64), True
    return np.floor(stock * tempo.between_fraction + 1e-9).astype(np.int64), False


def attacker_plan(c: Campaign) -> AttackerPlan:
    """Production, launches and stock of every attacker threat type, night by night."""
    dates = c.dates
    n, entries = len(dates), c.attacker.threats
    names = [e.threat for e in entries]
    t = len(entries)
    produced = np.zeros((n, t), np.int64)
    for k, e in enumerate(entries):
        if e.production_per_day is not None:
            produced[:, k] = integer_arrivals(profile_values(e.production_per_day, dates))
    sites_mask = np.array([e.launch == "sites" for e in entries])
    own_cap = np.array(
        [
            e.max_per_night if e.max_per_night is not None else np.iinfo(np.int64).max
            for e in entries
        ],
        np.int64,
    )
    capacity = np.full(n, -1, np.int64)
    if c.attacker.launch_sites is not None:
        ls = c.attacker.launch_sites
        sites = np.asarray(profile_values(ls.sites, dates))
        capacity = np.floor(np.floor(sites + 1e-9) * ls.launches_per_site + 1e-9).astype(np.int64)
    stock = np.array([e.stock for e in entries], np.int64)
    launched = np.zeros((n, t), np.int64)
    stock_end = np.zeros((n, t), np.int64)
    raid_night = np.zeros(n, np.bool_)
    for i, d in enumerate(dates):
        stock = stock + produced[i]
        want, big = _desired(c, i, d, stock, names)
        want = np.minimum(want, own_cap)
        if capacity[i] >= 0:
            on_sites = np.where(sites_mask, want, 0)
            if on_sites.sum() > capacity[i]:
                cut = split_largest_remainder(int(capacity[i]), on_sites.astype(np.float64))
                want = np.where(sites_mask, np.minimum(cut, on_sites), want)
        launched[i] = want
        stock = stock - want
        stock_end[i] = stock
        raid_night[i] = big
    return AttackerPlan(names, produced, launched, stock_end, capacity, raid_night)


# ---- defender supply --------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolSupply:
    """One pool's scheduled supply before pauses: arrivals per night, and the pause masks."""

    production: I  # (N,) rounds arriving from production (before pauses)
    deliveries: I  # (N,) scheduled deliveries (before pauses)
    pause_production: I  # (N,) airshield.vocab.PauseCode per night
    pause_deliveries: I  # (N,)
    diversion_start: I  # (D,) night index of each diversion
    diversion_until: I  # (D,) last night it may still take rounds
    diversion_rounds: I  # (D,)


def _profile_arrivals(profile: Profile | None, dates: list[dt.date], lead_days: int) -> I:
    if profile is None:
        return np.zeros(len(dates), np.int64)
    made_on = [d - dt.timedelta(days=lead_days) for d in dates]
    return integer_arrivals(profile_values(profile, made_on))


def pool_supply(c: Campaign, p: DefenderPool) -> PoolSupply:
    dates = c.dates
    n = len(dates)
    index = {d: i for i, d in enumerate(dates)}
    deliveries = np.zeros(n, np.int64)
    for d in p.deliveries:
        if isinstance(d, OnceDelivery):
            if d.date in index:
                deliveries[index[d.date]] += d.rounds
        else:
            when = d.start
            while when <= d.end:
                if when in index:
                    deliveries[index[when]] += d.rounds
                when += dt.timedelta(days=d.every_days)
    pause = {"production": np.zeros(n, np.int64), "deliveries": np.zeros(n, np.int64)}
    for pa in p.pauses:
        code = PauseCode.HELD if pa.backlog == "release" else PauseCode.DROPPED
        for i, day in enumerate(dates):
            if pa.start <= day <= pa.last_day:
                for stream in pa.applies_to:
                    pause[stream][i] = max(pause[stream][i], code)
    last = len(dates) - 1
    return PoolSupply(
        production=_profile_arrivals(p.production_per_day, dates, p.lead_time_days),
        deliveries=deliveries,
        pause_production=pause["production"],
        pause_deliveries=pause["deliveries"],
        diversion_start=np.array([index[d.date] for d in p.diversions], np.int64),
        diversion_until=np.array(
            [
                min(last, (d.until - c.start_date).days) if d.until is not None else last
                for d in p.diversions
            ],
            np.int64,
        ),
        diversion_rounds=np.array([d.rounds for d in p.diversions], np.int64),
    )
