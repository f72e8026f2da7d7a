"""Weapon-target assignment with the Python API: one raid epoch, every solver, one result type.

Run with ``python examples/wta_small.py``. Notional numbers: 6 fire units, 10 incoming threats.
"""

from __future__ import annotations

import numpy as np

from airshield.assign import AssignerFeature, WTAProblem, available_assigners, solve

rng = np.random.default_rng(42)
n_units, n_threats = 6, 10

problem = WTAProblem(
    # value at risk behind each threat (USD): what it destroys if it leaks
    values=rng.choice([2e5, 1e6, 5e6], n_threats),
    # single-shot kill probability of each unit against each threat
    pk=rng.uniform(0.4, 0.9, (n_units, n_threats)),
    # ready rounds per unit, cost per round (USD), distinct threats a unit can engage at once
    rounds=np.array([4, 4, 2, 2, 8, 8]),
    shot_cost=np.array([1e5, 1e5, 1e6, 1e6, 5e3, 5e3]),
    channels=np.array([2, 2, 1, 1, 3, 3]),
    # engagement windows: a unit can only fire at threats it can reach
    feasible=rng.uniform(size=(n_units, n_threats)) < 0.6,
    # shot doctrine: at most two rounds on any threat
    max_rounds_per_target=2,
)

print("solvers:")
for name, info in available_assigners().items():
    flags = ", ".join(sorted(str(f) for f in info.features))
    print(f"  {name:<13} {flags}")

print(f"\nnothing fired: expected loss {problem.upper_objective:,.0f} USD")
for name, info in available_assigners().items():
    res = solve(problem, solver=name, time_limit_s=1.0, seed=0)
    bound = "" if res.bound is None else f", lower bound {res.bound:,.0f}"
    print(
        f"{name:<13} expected loss + shot cost {res.objective:,.0f} USD{bound}"
        f" ({res.rounds_fired} rounds, {1e3 * res.runtime_s:.1f} ms, {res.status})"
    )
    assert problem.is_feasible(res.assignment)
    if info.has(AssignerFeature.EXACT):
        best = res

print("\nexact plan (unit, threat, rounds):")
for unit, threat, n in best.triples():
    print(f"  unit {unit} -> threat {threat}: {n} round(s), pk {problem.pk[unit, threat]:.2f}")
