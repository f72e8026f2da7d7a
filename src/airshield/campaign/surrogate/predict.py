"""The fitted surrogate and its predictions: shares, expected counts and seeded draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from airshield.campaign.result import CampaignNight
from airshield.campaign.surrogate.features import every_column, quadratic, raw_features

I = NDArray[np.int64]
F = NDArray[np.float64]


@dataclass
class Surrogate:
    """A fitted night model of one raid template (see :mod:`airshield.campaign.surrogate`).

    Outputs in order: destroyed (T), lost (T), fired (P pools, then Q other effector types).
    Output ``o`` is a logistic model on the quadratic expansion of the standardised raw features
    ``cols[o]``; ``engage[r, t]`` marks the threat types resource ``r`` can ever fire at (its
    rounds fired are exactly 0 on nights without them)."""

    template_hash: str
    threat_types: list[str]
    pool_names: list[str]
    other_effectors: list[str]
    a_max: I  # (P,) usable rounds per pool
    other_rounds: I  # (Q,) magazine rounds of units without a pool
    engage: NDArray[np.bool_]  # (P + Q, T)
    z_mu: F
    z_sd: F
    cols: list[I]  # per output: raw feature columns
    betas: list[F]  # per output: coefficients over the quadratic expansion of cols
    dispersion: F  # (2T + P + Q,)
    damage_coef: F  # (T, 1 + T + 1 + 2P) damage per leaker = max(0, [1, z_every] @ coef)
    pool_cost_usd: F
    other_cost_usd: F
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_outputs(self) -> int:
        """Number of modelled shares: destroyed (T), lost (T), fired (P + Q)."""
        return 2 * len(self.threat_types) + len(self.pool_names) + len(self.other_effectors)

    # ---- prediction ---------------------------------------------------------------------
    def _design(self, counts: I, available: I) -> tuple[list[F], F, F]:
        usable = np.minimum(np.atleast_2d(available).astype(np.float64), self.a_max)
        c = np.broadcast_to(
            np.asarray(counts, np.float64)[None, :], (usable.shape[0], len(self.threat_types))
        )
        zs = (raw_features(c, usable, self.a_max, self.engage) - self.z_mu) / self.z_sd
        cache: dict[bytes, F] = {}
        xs = []
        for cols in self.cols:
            key = cols.tobytes()
            if key not in cache:
                cache[key] = quadratic(zs[:, cols])
            xs.append(cache[key])
        every = every_column(len(self.threat_types), len(self.pool_names))
        xs.append(np.column_stack([np.ones(zs.shape[0]), zs[:, every]]))
        return xs, usable, c

    def probabilities(self, counts: I, available: I) -> dict[str, F]:
        """Predicted shares for each row of ``available`` (R, P) at composition ``counts`` (T,)."""
        t = len(self.threat_types)
        xs, usable, _ = self._design(counts, available)
        probs = np.column_stack([expit(x @ b) for x, b in zip(xs[:-1], self.betas, strict=True)])
        fired = probs[:, 2 * t :]
        # structural zeros: no threat tonight that the resource could engage
        present = np.asarray(counts, np.float64) @ self.engage.T.astype(np.float64) > 0
        fired = np.where(present[None, :], fired, 0.0)
        lin = xs[-1]
        return {
            "destroyed": probs[:, :t],
            "lost": probs[:, t : 2 * t],
            "fired": fired,
            "damage_per_leak": np.maximum(lin @ self.damage_coef.T, 0.0),
            "usable": usable,
        }

    def expected(self, counts: I, available: I) -> dict[str, F]:
        """Expected counts per night: destroyed, lost, leaked (R, T); fired (R, P + Q)."""
        pr = self.probabilities(counts, available)
        n = np.asarray(counts, np.float64)[None, :]
        d = n * pr["destroyed"]
        lo = (n - d) * pr["lost"]
        q = len(self.other_rounds)
        trials = np.column_stack(
            [pr["usable"], np.broadcast_to(self.other_rounds, (d.shape[0], q))]
        )
        return {"destroyed": d, "lost": lo, "leaked": n - d - lo, "fired": trials * pr["fired"]}

    def draw(self, counts: I, available: I, rng: np.random.Generator) -> CampaignNight:
        """One night for every row (replication) of ``available`` (R, P), as a batch
        :class:`CampaignNight`: destroyed, lost, leaked (R, T), fired per pool (R, P), fired per
        other effector (R, Q), damage USD (R,). Random numbers in one fixed order: all normal
        deviates (R, :attr:`n_outputs`), then all uniform ones."""
        available = np.atleast_2d(np.asarray(available, np.int64))
        r = available.shape[0]
        z = rng.standard_normal((r, self.n_outputs))
        u = rng.random((r, self.n_outputs))
        return self.draw_from(counts, available, z, u)

    def draw_from(self, counts: I, available: I, z: F, u: F) -> CampaignNight:
        """:meth:`draw` with the random numbers given: ``z`` standard normal and ``u`` uniform
        deviates, both (R, :attr:`n_outputs`), one row per replication."""
        available = np.atleast_2d(np.asarray(available, np.int64))
        r = available.shape[0]
        t, p, q = len(self.threat_types), len(self.pool_names), len(self.other_effectors)
        counts = np.asarray(counts, np.int64)
        if counts.sum() == 0:
            zi = np.zeros((r, t), np.int64)
            zp, zq = np.zeros((r, p), np.int64), np.zeros((r, q), np.int64)
            return CampaignNight(zi, zi.copy(), zi.copy(), zp, zq, np.zeros(r))
        pr = self.probabilities(counts, available)
        disp = self.dispersion
        n = np.broadcast_to(counts, (r, t))
        d = draw_count(n, pr["destroyed"], disp[:t], z[:, :t], u[:, :t])
        rest = n - d
        lo = draw_count(rest, pr["lost"], disp[t : 2 * t], z[:, t : 2 * t], u[:, t : 2 * t])
        leaked = rest - lo
        trials = np.column_stack(
            [np.minimum(available, self.a_max), np.broadcast_to(self.other_rounds, (r, q))]
        ).astype(np.int64)
        fired = draw_count(trials, pr["fired"], disp[2 * t :], z[:, 2 * t :], u[:, 2 * t :])
        damage = (leaked * pr["damage_per_leak"]).sum(axis=1)
        return CampaignNight(d, lo, leaked, fired[:, :p], fired[:, p:], damage)

    # ---- persistence (see airshield.campaign.surrogate.cache) -----------------------------
    def save(self, path: Path) -> None:
        """Write the surrogate to ``path`` (an ``.npz`` file, written atomically)."""
        from airshield.campaign.surrogate.cache import save_surrogate

        save_surrogate(self, path)

    @classmethod
    def load(cls, path: Path) -> Surrogate:
        """Read a surrogate written by :meth:`save`."""
        from airshield.campaign.surrogate.cache import load_surrogate

        return load_surrogate(path)


def draw_count(n: I, p: F, disp: F, z: F, u: F) -> I:
    """Counts in [0, n] with mean n p and variance disp * n p (1 - p): normal, stochastically
    rounded, clipped. Monotone in ``z`` and ``u``, so common random numbers stay coupled."""
    n = np.asarray(n, np.float64)
    mean = n * p
    sd = np.sqrt(np.maximum(disp * n * p * (1 - p), 0.0))
    x = np.floor(mean + sd * z + u)
    return np.clip(x, 0, n).astype(np.int64)


_count = draw_count  # the name the tests and older callers use
