"""The campaign's link to the raid engine: one night of the raid template at a given raid size,
composition and pool stock.

The template is compiled once. Each night only the threat list (how many of each wave) and the
fire units' ready rounds and pool stocks change, so the compiled arrays are copied with those
fields replaced (:func:`dataclasses.replace`) and run through the same numba kernel as
``airshield run`` (draw, night and tally in one compiled call, :func:`kernel_batch`), or through
the reference engine when the template's assigner needs it (``engine="auto"``).

Eligibility (which units may ever fire at which threat type, :meth:`RaidBridge.engage_mask`)
is the kernel's one doctrine rule, :func:`airshield.kernels.raid.kinetic_eligible`.

Magazine rule: each pool's rounds go first into the magazines of the units that draw on it,
filled evenly (water-filling: every unit gets the same number of rounds up to its capacity,
extra rounds to the earlier units); the rest stays in the pool for in-night reloads. Units without
a pool start every night with a full magazine and have no reloads; their rounds cost money but
come off no pool.

Team rule (detailed mode): a campaign team pool's teams ready tonight are the concurrent hunts
of the raid's team groups (``kind: teams``) that draw on its pool, split over those groups in
proportion to their teams in the template (largest remainder); a group may get none. Team
groups of pools without a campaign team pool keep their template teams.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from airshield.campaign.result import CampaignNight
from airshield.kernels.raid import Loadout, kinetic_eligible
from airshield.raid.compile import CompiledRaid, compile_scenario
from airshield.raid.engines import choose_engine
from airshield.raid.montecarlo import Block, kernel_batch, reference_batch
from airshield.scenario import Scenario
from airshield.vocab import Outcome, ThreatKind

_kinetic_eligible = kinetic_eligible.py_func

I = NDArray[np.int64]
F = NDArray[np.float64]


def water_fill(total: int, caps: I) -> I:
    """Split ``total`` rounds over magazines of capacity ``caps`` as evenly as possible."""
    caps = np.asarray(caps, np.int64)
    cap_sum = int(caps.sum())
    if total >= cap_sum:  # every magazine full (what the loop below gives too, only faster)
        return caps.copy()
    out = np.zeros(caps.shape[0], np.int64)
    left = max(int(total), 0)
    open_ = caps > 0
    while left > 0 and open_.any():
        k = int(open_.sum())
        share = left // k
        if share == 0:
            idx = np.flatnonzero(open_)[:left]
            out[idx] += 1
            break
        add = np.where(open_, np.minimum(share, caps - out), 0)
        out += add
        left -= int(add.sum())
        open_ = out < caps
    return out


#: one replication of one night: the campaign's one night shape (see CampaignNight)
NightRecord = CampaignNight


class RaidBridge:
    """The raid template compiled once, runnable at any composition and pool stock."""

    def __init__(self, template: Scenario, threat_types: list[str], engine: str = "auto") -> None:
        self.template = template
        self.engine_choice = choose_engine(engine, template.doctrine.assigner)
        self.engine = self.engine_choice.engine  # the engine that runs
        self.compiled: CompiledRaid = compile_scenario(template)
        c = self.compiled
        self.threat_types = list(threat_types)
        cat = template.resolved_catalog()
        self.threat_kinds = [cat.threats[t].kind for t in self.threat_types]
        self.threat_cost_usd = np.array([cat.threats[t].cost_usd for t in self.threat_types])
        # waves: which attacker threat each flies, and its template weight within that threat
        self.wave_threat = np.array(
            [self.threat_types.index(w.threat) for w in template.waves], np.int64
        )
        self.wave_weight = np.array([float(w.count) for w in template.waves])
        self.wave_ctype = np.array(
            [c.threat_types.index(w.threat) for w in template.waves], np.int64
        )
        # attacker threat -> compiled threat-type index
        self.ctype_of = np.array(
            [c.threat_types.index(t) if t in c.threat_types else -1 for t in self.threat_types],
            np.int64,
        )
        # pools and units
        self.pool_names = list(c.pool_names)
        p = len(self.pool_names)
        self.pool_units = [np.flatnonzero(c.u_pool == k) for k in range(p)]
        self.magazine_rounds = np.array([int(c.u_cap[u].sum()) for u in self.pool_units], np.int64)
        eff_names = c.effector_types
        effs = {e: cat.effectors[e] for e in eff_names}
        pool_eff = {pl.name: pl.effector for pl in template.pools}
        self.pool_effector = [pool_eff[n] for n in self.pool_names]
        self.pool_cost_usd = np.array([effs[e].cost_per_shot_usd for e in self.pool_effector])
        other = [
            e for e in eff_names
            if effs[e].kind != "ew" and np.any((c.u_pool < 0) & (c.u_eff == eff_names.index(e)))
        ]  # fmt: skip
        self.other_effectors = other
        self.other_units = [
            np.flatnonzero((c.u_pool < 0) & (c.u_eff == eff_names.index(e))) for e in other
        ]
        self.other_rounds = np.array([int(c.u_cap[u].sum()) for u in self.other_units], np.int64)
        self.other_cost_usd = np.array([effs[e].cost_per_shot_usd for e in other])
        self._night_cache: dict[bytes, CompiledRaid] = {}
        self._wave_cache: dict[bytes, I] = {}
        # team groups per pool (their template teams are the weights of the nightly split)
        self.team_units = [np.flatnonzero((c.u_pool == k) & c.u_team) for k in range(p)]

    # ---- composition --------------------------------------------------------------------
    def wave_counts(self, counts: I) -> I:
        """Spread each threat type's count over its template waves (largest remainder); cached
        by composition (every replication of a night flies the same one)."""
        key = np.asarray(counts, np.int64).tobytes()
        hit = self._wave_cache.get(key)
        if hit is None:
            if len(self._wave_cache) > 4096:
                self._wave_cache.clear()
            hit = self._wave_cache[key] = self._split_waves(counts)
            hit.flags.writeable = False
        return hit

    def _split_waves(self, counts: I) -> I:
        from airshield.campaign.tempo import split_largest_remainder

        out = np.zeros(self.wave_threat.shape[0], np.int64)
        for t, n in enumerate(np.asarray(counts, np.int64)):
            idx = np.flatnonzero(self.wave_threat == t)
            if idx.size and n > 0:
                out[idx] = split_largest_remainder(int(n), self.wave_weight[idx])
        return out

    def team_channels(self, teams: I | None) -> I | None:
        """Channels per unit with ``teams`` (per pool, -1: template) spread over each pool's
        team groups; None when nothing changes."""
        if teams is None:
            return None
        from airshield.campaign.tempo import split_largest_remainder

        c = self.compiled
        ch = c.u_channels.copy()
        for k, units in enumerate(self.team_units):
            if units.size and teams[k] >= 0:
                ch[units] = split_largest_remainder(
                    int(teams[k]), c.u_channels[units].astype(np.float64)
                )
        return None if np.array_equal(ch, c.u_channels) else ch

    def compiled_for(self, counts: I, channels: I | None = None) -> CompiledRaid:
        """The compiled template with this night's threats (cached by composition) and, for
        team groups, this night's teams (``channels`` per unit)."""
        wc = self.wave_counts(counts)
        key = wc.tobytes() + (b"" if channels is None else b"|" + channels.tobytes())
        hit = self._night_cache.get(key)
        if hit is not None:
            return hit
        if len(self._night_cache) > 4096:
            self._night_cache.clear()
        th_type = np.repeat(self.wave_ctype, wc).astype(np.int64)
        th_wave = np.repeat(np.arange(wc.shape[0], dtype=np.int64), wc).astype(np.int64)
        cn = replace(self.compiled, th_type=th_type, th_wave=th_wave)
        if channels is not None:
            cn = replace(cn, u_channels=channels)
        self._night_cache[key] = cn
        return cn

    # ---- one night ----------------------------------------------------------------------
    def magazines(self, available: I) -> tuple[I, I]:
        """Ready rounds per unit and pool stock left for reloads, from the rounds available."""
        c = self.compiled
        ready = c.u_cap.copy()
        stock = np.zeros(len(self.pool_names), np.int64)
        for k, units in enumerate(self.pool_units):
            a = int(available[k])
            fill = water_fill(a, c.u_cap[units])
            ready[units] = fill
            stock[k] = a - int(fill.sum())
        return ready, stock

    def run(
        self, counts: I, available: I, rng: np.random.Generator, teams: I | None = None
    ) -> NightRecord:
        """One replication of one night: ``counts`` threats per attacker type, ``available``
        rounds per pool (magazines and depot), ``teams`` ready per pool (-1 or None: the
        template's; see the module docstring); every random number from ``rng``."""
        t, p, q = len(self.threat_types), len(self.pool_names), len(self.other_effectors)
        counts = np.asarray(counts, np.int64)
        if counts.sum() == 0:
            z = np.zeros(t, np.int64)
            return NightRecord(z, z.copy(), z.copy(), np.zeros(p, np.int64), np.zeros(q, np.int64),
                               0.0, 0.0)  # fmt: skip
        ready0, stock0 = self.magazines(np.asarray(available, np.int64))
        base = self.compiled_for(counts, self.team_channels(teams))
        if self.engine == "kernel":  # the cached composition, with this night's loadout
            rec = Block.of_tally(base, 0, kernel_batch(base, [rng], Loadout(ready0, stock0)))
        else:
            cn = replace(base, u_ready0=ready0, pool_stock0=stock0)
            rec = Block.of_tally(cn, 0, reference_batch(cn, [rng]))
        fired = rec.unit_shots[0]
        drawn = rec.pool_drawn[0]
        fired_pool = np.array([int(fired[u].sum()) for u in self.pool_units], np.int64)
        # conservation inside the night: what a pool's units fired came from their magazines
        # and the rounds drawn from the pool's depot
        for k, units in enumerate(self.pool_units):
            if fired_pool[k] > int(ready0[units].sum()) + int(drawn[k]) or not (
                0 <= drawn[k] <= stock0[k]
            ):  # pragma: no cover - engine invariant
                raise RuntimeError(f"raid engine broke conservation of pool {self.pool_names[k]!r}")
        fired_other = np.array([int(fired[u].sum()) for u in self.other_units], np.int64)
        o = rec.outcomes[0]  # (compiled types, len(Outcome))
        sel = self.ctype_of
        return NightRecord(
            destroyed=o[sel, Outcome.DESTROYED].astype(np.int64),
            lost=o[sel, Outcome.LOST].astype(np.int64),
            leaked=o[sel, Outcome.LEAKED].astype(np.int64),
            fired_pool=fired_pool,
            fired_other=fired_other,
            damage_usd=float(rec.damage_usd[0].sum()),
            defender_cost_usd=float(rec.cost_usd[0].sum()),
            reloaded_pool=drawn.astype(np.int64),
        )

    def engage_mask(self) -> NDArray[np.bool_]:
        """(P + Q, T): whether any unit of a pool (then of an other-effector group) could ever be
        assigned a threat of each attacker type (the kernel's static pair test with the most
        valuable asset, and the altitude bands overlapping). False means those rounds are never
        fired at that type, whatever the night."""
        c = self.compiled
        groups = [*self.pool_units, *self.other_units]
        out = np.zeros((len(groups), len(self.threat_types)), np.bool_)
        vmax = float(c.a_value.max()) if c.a_value.size else 0.0
        for t, ct in enumerate(self.ctype_of):
            pt = int(c.tt_perceived[ct])
            pkind = int(c.tt_kind[pt])
            value = vmax * float(c.tt_lethality[pt])
            lo, hi = float(c.tt_alt_min[ct]), float(c.tt_alt_max[ct])
            for g, units in enumerate(groups):
                for u in units:
                    if (
                        _kinetic_eligible(
                            float(c.u_peff[u, pkind]), float(c.u_engcost[u]),
                            float(c.u_cwcost[u]), value, float(c.cost_threshold),
                        )
                        and c.u_amin[u] <= hi
                        and lo <= c.u_amax[u]
                    ):  # fmt: skip
                        out[g, t] = True
                        break
        return out

    @property
    def harmful(self) -> NDArray[np.bool_]:
        return np.array([k != ThreatKind.DECOY.label for k in self.threat_kinds])

    def kind_index(self) -> I:
        return np.array([int(ThreatKind.of(k)) for k in self.threat_kinds], np.int64)
