"""Numba hot loops of the weapon-target assignment module (:mod:`airshield.assign`).

Everything here works on plain arrays:

* ``values`` ``(T,)`` float64, ``pk`` ``(W, T)`` float64, ``allowed`` ``(W, T)`` bool
  (mask and ``pk > 0``), ``rounds`` ``(W,)`` int64, ``cost`` ``(W,)`` float64 (zeros when free),
  ``channels`` ``(W,)`` int64 (huge when unlimited), ``cap`` int64 rounds-per-target (huge when
  unlimited), ``x`` ``(W, T)`` int64 rounds.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_NEG_INF = -np.inf


@nb.njit(cache=True, nogil=True)
def _best_weapon_for_target(
    j: int,
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    rem: np.ndarray,
    n_engaged: np.ndarray,
    x: np.ndarray,
    surv: np.ndarray,
) -> tuple[float, int]:
    """Largest gain ``V_j * S_j * p_ij - c_i`` over eligible weapons (smallest i on ties)."""
    best_gain = _NEG_INF
    best_i = -1
    vs = values[j] * surv[j]
    for i in range(pk.shape[0]):
        if not allowed[i, j] or rem[i] <= 0:
            continue
        if x[i, j] == 0 and n_engaged[i] >= channels[i]:
            continue
        gain = vs * pk[i, j] - cost[i]
        if gain > best_gain:
            best_gain = gain
            best_i = i
    return best_gain, best_i


@nb.njit(cache=True, nogil=True)
def greedy_mmr(
    values: np.ndarray,
    pk: np.ndarray,
    allowed: np.ndarray,
    rounds: np.ndarray,
    cost: np.ndarray,
    channels: np.ndarray,
    cap: int,
) -> np.ndarray:
    """Greedy maximum marginal return, one round at a time.

    Repeatedly adds the single round ``(i, j)`` with the largest gain
    ``V_j * S_j * p_ij - c_i`` (``S_j`` the current survival of target ``j``) among eligible pairs:
    allowed, weapon ``i`` has rounds left, ``j`` already engaged by ``i`` or ``i`` has a free
    channel, target ``j`` below ``cap`` rounds. The round is taken only if its gain is strictly
    positive. Ties go to the smallest target index, then the smallest weapon index.

    Per-target best gains are cached; a target is re-scanned only when its survival changes or
    the weapon that was its best becomes unavailable (out of rounds or out of channels), so the
    cost is ``O(rounds * (T + W * k))`` for ``k`` re-scanned targets instead of
    ``O(rounds * W * T)``. Gains only ever decrease, so the cache stays exact.
    """
    n_w, n_t = pk.shape
    x = np.zeros((n_w, n_t), dtype=np.int64)
    surv = np.ones(n_t)
    rem = rounds.copy()
    n_engaged = np.zeros(n_w, dtype=np.int64)
    on_target = np.zeros(n_t, dtype=np.int64)
    best_gain = np.full(n_t, _NEG_INF)
    best_i = np.full(n_t, -1, dtype=np.int64)
    for j in range(n_t):
        if on_target[j] < cap:
            g, bi = _best_weapon_for_target(
                j, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
            )
            best_gain[j] = g
            best_i[j] = bi
    while True:
        g_star = _NEG_INF
        j_star = -1
        for j in range(n_t):
            if best_gain[j] > g_star:
                g_star = best_gain[j]
                j_star = j
        if j_star < 0 or not (g_star > 0.0):
            break
        i_star = best_i[j_star]
        new_channel = x[i_star, j_star] == 0
        x[i_star, j_star] += 1
        rem[i_star] -= 1
        if new_channel:
            n_engaged[i_star] += 1
        surv[j_star] = surv[j_star] * (1.0 - pk[i_star, j_star])
        on_target[j_star] += 1
        # Did weapon i_star just become unavailable for some targets?
        weapon_gone = rem[i_star] <= 0 or (new_channel and n_engaged[i_star] >= channels[i_star])
        if weapon_gone:
            for j in range(n_t):
                if best_i[j] == i_star and j != j_star:
                    g, bi = _best_weapon_for_target(
                        j, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
                    )
                    best_gain[j] = g
                    best_i[j] = bi
        if on_target[j_star] >= cap:
            best_gain[j_star] = _NEG_INF
            best_i[j_star] = -1
        else:
            g, bi = _best_weapon_for_target(
                j_star, values, pk, allowed, cost, channels, rem, n_engaged, x, surv
            )
            best_gain[j_star] = g
            best_i[j_star] = bi
    return x
