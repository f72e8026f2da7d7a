"""The surrogate's features, shared by the fit and the prediction.

Raw features of one night (one row): ``log1p`` of the threats per type (T) and in all (1), the
share ``u_p`` of each pool's usable rounds on hand (P) and its square root (P), and ``log1p`` of
the threats each resource (P pools, then Q other effector types) can engage (P + Q). Each output
uses a subset of these columns (:func:`feature_sets`), standardised and expanded to a quadratic
(:func:`quadratic`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

I = NDArray[np.int64]
F = NDArray[np.float64]


def raw_features(counts: F, usable: F, a_max: NDArray[Any], engage: NDArray[np.bool_]) -> F:
    """Raw features: log1p of the threats per type and in all, the share of each pool's usable
    rounds on hand and its square root, and log1p of the threats each resource can engage."""
    counts = np.atleast_2d(counts).astype(np.float64)
    u = np.atleast_2d(usable).astype(np.float64) / np.maximum(a_max, 1)
    per_res = counts @ engage.T.astype(np.float64)
    return np.column_stack(
        [np.log1p(counts), np.log1p(counts.sum(axis=1)), u, np.sqrt(np.clip(u, 0.0, None)),
         np.log1p(per_res)]
    )  # fmt: skip


def feature_dim(t: int, p: int, q: int) -> int:
    """Number of raw feature columns for T threat types, P pools and Q other effector types."""
    return t + 1 + 2 * p + p + q


def feature_sets(t: int, p: int, engage: NDArray[np.bool_]) -> list[list[I]]:
    """Candidate raw-feature columns of each output (destroyed T, lost T, fired P + Q).

    Outcomes of threat type ``k`` see every count and the stock of the pools that can engage
    ``k``. A resource's rounds see the counts of the types it can engage and their total, and
    either only its own stock or also the stock of the pools that compete with it for some type
    (cross-validation chooses). Pools that can never meet a threat type never enter its model,
    so a quadratic cannot invent a dependence between them."""
    counts = list(range(t + 1))

    def pool_cols(mask: NDArray[np.bool_]) -> list[int]:
        idx = [q for q in range(p) if mask[q]]
        return [t + 1 + q for q in idx] + [t + 1 + p + q for q in idx]

    out: list[list[I]] = []
    for k in range(t):
        out.append([np.array([*counts, *pool_cols(engage[:p, k])], np.int64)])
    out = out + out  # destroyed and lost alike
    for r in range(engage.shape[0]):
        own = [k for k in range(t) if engage[r, k]]
        base = [*own, t + 1 + 2 * p + r]
        mine = np.zeros(p, np.bool_)
        if r < p:
            mine[r] = True
        rivals = (engage[:p] & engage[r][None, :]).any(axis=1) | mine
        cands = [np.array([*base, *pool_cols(mine)], np.int64)]
        if rivals.sum() > mine.sum():
            cands.append(np.array([*base, *pool_cols(rivals)], np.int64))
        out.append(cands)
    return out


def every_column(t: int, p: int) -> I:
    """Raw columns of the counts, the total and every pool (the damage model's features)."""
    return np.arange(t + 1 + 2 * p, dtype=np.int64)


_TRIU: dict[int, tuple[I, I]] = {}


def quadratic(z: F) -> F:
    """Design matrix rows: 1, z, and the upper triangle of z z^T."""
    d = z.shape[1]
    hit = _TRIU.get(d)
    if hit is None:  # the indices of a dimension once (this runs every night of a campaign)
        iu, ju = np.triu_indices(d)
        hit = _TRIU[d] = (iu.astype(np.int64), ju.astype(np.int64))
    iu, ju = hit
    r = z.shape[0]
    out = np.empty((r, 1 + d + iu.shape[0]))
    out[:, 0] = 1.0
    out[:, 1 : 1 + d] = z
    np.multiply(z[:, iu], z[:, ju], out=out[:, 1 + d :])
    return out
