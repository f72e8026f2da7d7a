"""The layered drone fit: coverage apart from kill probability, the size effect on coverage.

Records are generated here from known parameters (nothing is copied from the public record).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from airshield.calibrate.layers import (
    NAMES,
    LayerFit,
    fit_layers,
    layer_shares,
    layer_table,
)
from calibrate.synth_record import record_frame


def _truth(kin_size: float) -> np.ndarray:
    return np.array(
        [
            special.logit(0.7),  # ew_coverage
            special.logit(0.6),  # ew_pk
            special.logit(0.8),  # kin_coverage at 100 drones
            special.logit(0.9),  # kin_pk
            0.3,  # ew_size
            kin_size,
            0.0,  # kin_missile_share
            np.log(80.0),
            0.0,
        ]
    )


def synth_layers(
    truth: np.ndarray, *, raids: int = 300, seed: int = 1, sizes: tuple[float, float] = (50, 1000)
) -> pd.DataFrame:
    """A :func:`layer_table` of raids drawn stage by stage (beta-binomial, precision 80)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = np.round(np.exp(rng.uniform(np.log(sizes[0]), np.log(sizes[1]), raids)))
    ms = rng.uniform(0.0, 0.2, raids)
    sh = layer_shares(truth, n, ms)
    phi = float(np.exp(truth[7]))

    def bb(trials: np.ndarray, mu: np.ndarray) -> np.ndarray:
        return rng.binomial(trials.astype(int), rng.beta(mu * phi, (1 - mu) * phi))

    lost = bb(n, sh["lost"])
    destroyed = bb(n - lost, sh["destroyed"] / (1 - sh["lost"]))
    return pd.DataFrame(
        {
            "raid_id": np.arange(raids),
            "night": pd.date_range("2024-08-01", periods=raids),
            "n": n,
            "destroyed": destroyed.astype(float),
            "lost": lost.astype(float),
            "neutralised": (destroyed + lost).astype(float),
            "rule": "apart",
            "missile_share": ms,
        }
    )


@pytest.mark.parametrize("kin_size", [0.6, -0.6])
def test_recovers_size_effect_and_the_coverage_pk_split(kin_size: float) -> None:
    truth = _truth(kin_size)
    fit = fit_layers(synth_layers(truth), halflife_nights=None, min_launched=1)
    tb = fit.table().set_index("term")
    z = (tb["mode"] - truth) / tb["sd"]
    # every parameter's truth inside its 99 % Laplace interval
    assert (z.abs() < 2.6).all(), z
    # the size slope's sign is learnt (mass or saturation), its 90 % interval excludes 0
    lo, hi = tb.loc["kin_size", ["lo90", "hi90"]]
    assert (lo > 0) if kin_size > 0 else (hi < 0)
    # with raids of 50-1000 the record tells coverage from pk: the pk's posterior is far
    # narrower than its prior (the coverage curve flattens at the pk)
    assert tb.loc["kin_pk", "shrink"] < 0.5
    assert tb.loc["kin_coverage", "shrink"] < 0.5
    # the true shares of a 100- and an 800-drone raid lie in their 99 % posterior intervals
    size, ms = np.array([100.0, 800.0]), np.array([0.1, 0.1])
    true_sh = layer_shares(truth, size, ms)
    post = layer_shares(fit.draws(4000, np.random.default_rng(np.random.SeedSequence(4))), size, ms)
    for k in ("lost", "destroyed", "neutralised"):
        lo99, hi99 = np.quantile(post[k], [0.005, 0.995], axis=0)
        assert np.all((lo99 <= true_sh[k]) & (true_sh[k] <= hi99)), k
    sh = fit.shares(size, ms, sims=2000)
    # bigger raids: neutralised share moves the way the slope says
    up = sh["neutralised_mean"].iloc[1] > sh["neutralised_mean"].iloc[0]
    assert up == (kin_size + truth[4] > 0)


def test_one_raid_size_leaves_the_split_to_the_priors() -> None:
    # every raid 200 drones: only the products are identified (coverage does not vary, so
    # nothing shows where it flattens); the pk stays near its prior width while the kinetic
    # product c_kin * p_kin is pinned down
    truth = _truth(0.6)
    fit = fit_layers(synth_layers(truth, sizes=(200, 200)), halflife_nights=None, min_launched=1)
    tb = fit.table().set_index("term")
    wide = fit_layers(synth_layers(truth), halflife_nights=None, min_launched=1)
    # the pk is bounded below by the product (both <= 1) but otherwise the prior's: far less
    # narrowed than by a record with raids of 50-1000 drones
    assert tb.loc["kin_pk", "shrink"] > 0.4
    assert tb.loc["kin_pk", "shrink"] > wide.table().set_index("term").loc["kin_pk", "shrink"] + 0.1
    sh = fit.shares([200.0], 0.1, sims=4000)
    true_sh = layer_shares(truth, np.array([200.0]), np.array([0.1]))
    assert sh["destroyed_mean"].iloc[0] == pytest.approx(true_sh["destroyed"][0], abs=0.015)
    assert sh["destroyed_p5"].iloc[0] <= true_sh["destroyed"][0] <= sh["destroyed_p95"].iloc[0]
    # the kin_pk / kin_coverage posterior is a ridge: strongly negatively correlated
    i, j = NAMES.index("kin_coverage"), NAMES.index("kin_pk")
    corr = fit.cov[i, j] / np.sqrt(fit.cov[i, i] * fit.cov[j, j])
    assert corr < -0.5


def test_layer_table_rules_and_round_trip(tmp_path: Path) -> None:
    # a shot-down-only spring 2024, then nights counting lost apart from July 2024
    nights = [
        (d, {"drone": (60 + i, 40 + i // 2, None)})
        for i, d in enumerate(pd.date_range("2024-05-01", periods=20))
    ] + [
        (d, {"drone": (80 + i, 40, 20 + i // 3)})
        for i, d in enumerate(pd.date_range("2024-09-01", periods=30))
    ]
    t = layer_table(record_frame(tmp_path, nights))
    assert set(t.loc[t["night"] < "2024-07-01", "rule"]) == {"shot_down_only"}
    late = t[t["night"] >= "2024-09-01"]
    assert set(late["rule"]) == {"apart"}
    assert (late["lost"] + late["destroyed"] == late["neutralised"]).all()
    fit = fit_layers(t, halflife_nights=None)
    assert fit.raids == 50 and fit.raids_apart == 30
    back = LayerFit.from_dict(fit.to_dict())
    assert np.array_equal(back.mode, fit.mode)
    a = back.shares([100.0], sims=500, seed=3)
    b = fit.shares([100.0], sims=500, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_needs_raids_counting_lost_apart(tmp_path: Path) -> None:
    nights = [(d, {"drone": (80, 60, None)}) for d in pd.date_range("2024-01-01", periods=10)]
    with pytest.raises(ValueError, match="not separable"):
        fit_layers(record_frame(tmp_path, nights))


def test_cli_fit_writes_the_layered_fit(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from calibrate.synth_record import write_record

    rng = np.random.default_rng(np.random.SeedSequence(8))
    nights = []
    for d in pd.date_range("2024-09-01", periods=60):
        n = int(rng.integers(60, 300))
        lost = int(rng.binomial(n, 0.35))
        nights.append((d, {"drone": (n, int(rng.binomial(n - lost, 0.8)), lost)}))
    csv_path = write_record(tmp_path / "rec.csv", nights)
    out = tmp_path / "cal"
    r = subprocess.run(
        [sys.executable, "-m", "airshield", "calibrate", "fit", str(csv_path), "--no-engine",
         "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    layers = doc["layers"]
    assert layers["raids"] == 60 and layers["raids_lost_apart"] == 60
    assert {p["term"] for p in layers["params"]} == set(NAMES)
    by_size = pd.read_csv(out / "layers_by_size.csv")
    # the generated record: 35 % lost, 80 % of the rest destroyed -> 87 % neutralised
    row = by_size[by_size["drones"] == 100].iloc[0]
    assert row["lost_p5"] <= 0.35 <= row["lost_p95"]
    assert row["neutralised_mean"] == pytest.approx(0.35 + 0.65 * 0.8, abs=0.03)
    assert LayerFit.from_dict(json.loads((out / "layers.json").read_text())).raids == 60
