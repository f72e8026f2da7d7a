"""The static weapon-target assignment (WTA) problem with the extensions a raid needs.

Minimise the expected surviving target value plus the cost of the rounds fired::

    sum_j V_j * prod_i (1 - p_ij) ** x_ij  +  sum_ij c_i * x_ij

over integer rounds ``x_ij >= 0`` subject to

* ``sum_j x_ij <= m_i``                      (rounds of weapon ``i``),
* ``#{j : x_ij > 0} <= channels_i``          (distinct targets weapon ``i`` may engage),
* ``x_ij = 0`` where ``feasible[i, j]`` is false (outside the engagement window),
* ``sum_i x_ij <= max_rounds_per_target``    (shot-doctrine cap on every target).

Indices are 0-based: weapon ``i`` is row ``i`` of ``pk``, target ``j`` is column ``j``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Stand-in for "no limit" in integer arrays handed to the kernels.
NO_LIMIT = np.iinfo(np.int64).max // 4


@dataclass(frozen=True, eq=False)
class WTAProblem:
    """One static weapon-target assignment instance (validated and normalised on creation).

    Parameters
    ----------
    values:
        ``(T,)`` target values ``V_j >= 0`` (for example value at risk in USD).
    pk:
        ``(W, T)`` single-shot kill probabilities ``p_ij`` in ``[0, 1]``.
    rounds:
        ``(W,)`` integer ``m_i >= 0``: total rounds weapon ``i`` may fire.
    shot_cost:
        ``(W,)`` cost per round ``c_i >= 0`` in the units of ``values``; ``None`` means free.
    channels:
        ``(W,)`` integer: most distinct targets weapon ``i`` may engage; ``None`` means no limit.
    feasible:
        ``(W, T)`` boolean mask; ``False`` pairs must have ``x_ij = 0``. ``None``: all pairs.
    max_rounds_per_target:
        Cap on ``sum_i x_ij`` for every target; ``None`` means no cap.
    """

    values: FloatArray
    pk: FloatArray
    rounds: IntArray
    shot_cost: FloatArray | None = None
    channels: IntArray | None = None
    feasible: BoolArray | None = None
    max_rounds_per_target: int | None = None
    _allowed: BoolArray = field(init=False, repr=False)
    _cost: FloatArray = field(init=False, repr=False)
    _chan: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = np.ascontiguousarray(np.asarray(self.values, dtype=np.float64))
        pk = np.ascontiguousarray(np.asarray(self.pk, dtype=np.float64))
        if values.ndim != 1:
            raise ValueError(f"values must be 1-D (T,), got shape {values.shape}")
        if pk.ndim != 2 or pk.shape[1] != values.shape[0]:
            raise ValueError(f"pk must have shape (W, T) = (W, {values.shape[0]}), got {pk.shape}")
        n_weapons = pk.shape[0]
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError("values must be finite and >= 0")
        if not np.all(np.isfinite(pk)) or np.any(pk < 0) or np.any(pk > 1):
            raise ValueError("pk must lie in [0, 1]")
        rounds = _int_vector(self.rounds, n_weapons, "rounds")
        shot_cost = None
        if self.shot_cost is not None:
            shot_cost = np.ascontiguousarray(np.asarray(self.shot_cost, dtype=np.float64))
            if shot_cost.shape != (n_weapons,):
                raise ValueError(f"shot_cost must have shape ({n_weapons},), got {shot_cost.shape}")
            if not np.all(np.isfinite(shot_cost)) or np.any(shot_cost < 0):
                raise ValueError("shot_cost must be finite and >= 0")
        channels = None
        if self.channels is not None:
            channels = _int_vector(self.channels, n_weapons, "channels")
        feasible = None
        if self.feasible is not None:
            feasible = np.ascontiguousarray(np.asarray(self.feasible, dtype=np.bool_))
            if feasible.shape != pk.shape:
                raise ValueError(f"feasible must have shape {pk.shape}, got {feasible.shape}")
        cap = self.max_rounds_per_target
        if cap is not None:
            if int(cap) != cap or cap < 0:
                raise ValueError("max_rounds_per_target must be a non-negative integer or None")
            cap = int(cap)
        allowed = pk > 0.0
        if feasible is not None:
            allowed &= feasible
        for name, val in (
            ("values", values),
            ("pk", pk),
            ("rounds", rounds),
            ("shot_cost", shot_cost),
            ("channels", channels),
            ("feasible", feasible),
            ("max_rounds_per_target", cap),
            ("_allowed", allowed),
            ("_cost", np.zeros(n_weapons) if shot_cost is None else shot_cost.copy()),
            (
                "_chan",
                np.full(n_weapons, NO_LIMIT, np.int64) if channels is None else channels.copy(),
            ),
        ):
            if isinstance(val, np.ndarray):
                val.flags.writeable = False
            object.__setattr__(self, name, val)

    # ------------------------------------------------------------------ sizes and views
    @property
    def n_weapons(self) -> int:
        """Number of weapons (fire units) ``W``."""
        return int(self.pk.shape[0])

    @property
    def n_targets(self) -> int:
        """Number of targets (threats) ``T``."""
        return int(self.values.shape[0])

    @property
    def allowed(self) -> BoolArray:
        """``(W, T)`` pairs that may receive rounds: inside the mask and ``pk > 0``."""
        return self._allowed

    @cached_property
    def target_major(self) -> tuple[FloatArray, FloatArray, BoolArray]:
        """``(pk, -log(1 - pk), allowed)`` as ``(T, W)`` C-contiguous read-only arrays.

        The pricing kernels read one target's weapons at a time; in this layout that row is
        contiguous. ``-log(1 - p)`` is ``inf`` where ``p = 1``. Computed once per problem.
        """
        pk_t = np.ascontiguousarray(self.pk.T)
        with np.errstate(divide="ignore"):
            logkill_t = np.where(pk_t < 1.0, -np.log1p(-np.minimum(pk_t, 1.0)), np.inf)
        allowed_t = np.ascontiguousarray(self.allowed.T)
        for arr in (pk_t, logkill_t, allowed_t):
            arr.flags.writeable = False
        return pk_t, np.ascontiguousarray(logkill_t), allowed_t

    def cost_vector(self) -> FloatArray:
        """``(W,)`` per-round costs (read-only), zeros when the problem has none."""
        return self._cost

    def channel_vector(self) -> IntArray:
        """``(W,)`` channel limits (read-only), ``NO_LIMIT`` where unlimited."""
        return self._chan

    def target_cap(self) -> int:
        """Rounds-per-target cap, ``NO_LIMIT`` when there is none."""
        return NO_LIMIT if self.max_rounds_per_target is None else self.max_rounds_per_target

    def kernel_arrays(
        self,
    ) -> tuple[FloatArray, FloatArray, BoolArray, IntArray, FloatArray, IntArray, int]:
        """``(values, pk, allowed, rounds, cost, channels, cap)``: the problem as the round-by-round
        kernels of :mod:`airshield.kernels.wta` (``greedy_mmr``, ``local_search``) take it, in
        their argument order."""
        return (
            self.values,
            self.pk,
            self.allowed,
            self.rounds,
            self._cost,
            self._chan,
            self.target_cap(),
        )

    @property
    def has_side_constraints(self) -> bool:
        """True when channels, a mask with holes, or a per-target cap restrict the problem."""
        return (
            self.channels is not None
            or self.max_rounds_per_target is not None
            or (self.feasible is not None and not bool(self.feasible.all()))
        )

    # ------------------------------------------------------------------ evaluation
    def survival(self, x: NDArray[np.integer]) -> FloatArray:
        """``(T,)`` survival probability ``prod_i (1 - p_ij) ** x_ij`` of every target."""
        x = np.asarray(x)
        rows, cols = np.nonzero(x)
        out = np.ones(self.n_targets)
        np.multiply.at(out, cols, (1.0 - self.pk[rows, cols]) ** x[rows, cols])
        return out

    def objective(self, x: NDArray[np.integer]) -> float:
        """Expected surviving value plus shot costs of assignment ``x`` (``(W, T)`` rounds)."""
        x = np.asarray(x)
        val = float(np.dot(self.values, self.survival(x)))
        if self.shot_cost is not None:
            val += float(np.dot(self.shot_cost, x.sum(axis=1)))
        return val

    def violations(self, x: NDArray[np.integer]) -> list[str]:
        """Human-readable list of constraint violations of ``x`` (empty when feasible)."""
        x = np.asarray(x)
        out: list[str] = []
        if x.shape != self.pk.shape:
            return [f"assignment has shape {x.shape}, expected {self.pk.shape}"]
        if not np.issubdtype(x.dtype, np.integer):
            return [f"assignment must be integer, got dtype {x.dtype}"]
        if np.any(x < 0):
            out.append("negative rounds")
        used = x.sum(axis=1)
        for i in np.nonzero(used > self.rounds)[0]:
            out.append(f"weapon {i} fires {used[i]} rounds > {self.rounds[i]}")
        if self.channels is not None:
            engaged = (x > 0).sum(axis=1)
            for i in np.nonzero(engaged > self.channels)[0]:
                out.append(f"weapon {i} engages {engaged[i]} targets > {self.channels[i]} channels")
        bad = (x > 0) & ~(self.feasible if self.feasible is not None else True)
        for i, j in zip(*np.nonzero(bad), strict=True):
            out.append(f"weapon {i} fires at target {j} outside its feasibility mask")
        if self.max_rounds_per_target is not None:
            per_target = x.sum(axis=0)
            for j in np.nonzero(per_target > self.max_rounds_per_target)[0]:
                out.append(
                    f"target {j} receives {per_target[j]} rounds > {self.max_rounds_per_target}"
                )
        return out

    def is_feasible(self, x: NDArray[np.integer]) -> bool:
        """True when ``x`` satisfies every constraint."""
        return not self.violations(x)

    def feasible_start(self, warm_start: NDArray[np.integer]) -> IntArray:
        """A solver's ``warm_start`` as an int64 array; ``ValueError`` when it is infeasible."""
        x = np.asarray(warm_start, dtype=np.int64)
        if not self.is_feasible(x):
            raise ValueError("warm_start is not a feasible assignment")
        return x

    @property
    def upper_objective(self) -> float:
        """Objective of firing nothing: ``sum_j V_j``."""
        return float(self.values.sum())


def _int_vector(arr: object, n: int, name: str) -> IntArray:
    raw = np.asarray(arr)
    if raw.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {raw.shape}")
    if raw.dtype.kind == "f":
        if not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)):
            raise ValueError(f"{name} must hold integers")
    elif raw.dtype.kind not in "iub":
        raise ValueError(f"{name} must hold integers, got dtype {raw.dtype}")
    out = np.ascontiguousarray(raw.astype(np.int64))
    if np.any(out < 0):
        raise ValueError(f"{name} must be >= 0")
    return out
