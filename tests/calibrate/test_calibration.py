from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import airshield
from airshield.calibrate.calibration import (
    AnalyticSimulator,
    EngineSimulator,
    calibrate,
    observed_nights,
    representative_raid,
    shift_pk,
    write_outputs,
)
from calibrate.synth_record import Night, record_frame

TRUTH_SIM = AnalyticSimulator(
    pk={"drone": 0.3, "cruise_missile": 0.5, "ballistic_missile": 0.2},
    ew={"drone": 0.3, "cruise_missile": 0.05, "ballistic_missile": 0.0},
    shots={"drone": 2, "cruise_missile": 2, "ballistic_missile": 1},
)
TRUE_KIN = {"drone": 1.0, "cruise_missile": -0.5, "ballistic_missile": 0.5}
TRUE_EW = 0.5
FINE_KIN = tuple(np.linspace(-3, 3, 25))
FINE_EW = tuple(np.linspace(-3, 3, 25))


def nights_from_truth(
    start: str, days: int, ew: float, lost_reported: bool, merged: bool
) -> list[tuple[pd.Timestamp, Night]]:
    raid = {"drone": 400, "cruise_missile": 40, "ballistic_missile": 20}
    fr = TRUTH_SIM.fractions(raid, TRUE_KIN, ew, 1, 0)
    out = []
    for day in pd.date_range(start, periods=days, freq="D"):
        night: Night = {}
        for k, n in raid.items():
            d, lost, _ = fr[k]
            destroyed = round(n * (d + lost)) if merged else round(n * d)
            night[k] = (n, destroyed, round(n * lost) if lost_reported else None)
        out.append((day, night))
    return out


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(-5, 5), st.floats(0, 3))
def test_shift_pk_properties(pk: float, delta: float, step: float) -> None:
    assert shift_pk(pk, 0.0) == pytest.approx(pk)
    assert shift_pk(0.0, delta) == 0.0 and shift_pk(1.0, delta) == 1.0
    assert shift_pk(pk, delta + step) >= shift_pk(pk, delta) - 1e-12


def test_recovers_known_shifts_with_separate_lost(tmp_path: Path) -> None:
    frame = record_frame(tmp_path, nights_from_truth("2024-10-01", 30, TRUE_EW, True, False))
    res = calibrate(
        frame,
        TRUTH_SIM,
        period="month",
        kin_grid=FINE_KIN,
        ew_grid=FINE_EW,
        reps=1,
        bootstrap=50,
        lattice=241,
    )
    p = res.params().set_index("kind")
    for k, v in TRUE_KIN.items():
        assert p.loc[k, "kin_shift"] == pytest.approx(v, abs=0.15), k
        assert p.loc[k, "kin_lo"] <= p.loc[k, "kin_shift"] <= p.loc[k, "kin_hi"]
    assert p.loc["drone", "ew_identified"]
    assert p.loc["drone", "ew_shift"] == pytest.approx(TRUE_EW, abs=0.15)
    assert not p["at_bound"].any()
    rep = res.report
    assert (rep["sim_destroyed"] - rep["obs_destroyed"]).abs().max() < 0.02


def test_unreported_lost_compares_neutralised(tmp_path: Path) -> None:
    # before July 2024 lost is not reported; the record's destroyed is taken as neutralised
    frame = record_frame(tmp_path, nights_from_truth("2023-05-01", 30, 0.0, False, True))
    res = calibrate(
        frame,
        TRUTH_SIM,
        period="month",
        kin_grid=FINE_KIN,
        ew_grid=FINE_EW,
        reps=1,
        bootstrap=20,
        lattice=241,
    )
    p = res.params().set_index("kind")
    assert not p.loc["drone", "ew_identified"] and p.loc["drone", "ew_shift"] == pytest.approx(
        0.0, abs=0.15
    )
    assert p.loc["drone", "kin_shift"] == pytest.approx(TRUE_KIN["drone"], abs=0.15)
    # read as shot down only, the same record gives a higher kinetic shift
    alt = calibrate(
        frame,
        TRUTH_SIM,
        period="month",
        kin_grid=FINE_KIN,
        ew_grid=FINE_EW,
        reps=1,
        bootstrap=0,
        lattice=241,
        unreported_lost="destroyed",
    )
    assert alt.params().set_index("kind").loc["drone", "kin_shift"] > TRUE_KIN["drone"] + 0.3


def test_unreachable_fraction_is_flagged(tmp_path: Path) -> None:
    nights = [
        (d, {"ballistic_missile": (10, 10, None)}) for d in pd.date_range("2023-05-01", periods=10)
    ]
    frame = record_frame(tmp_path, nights)
    weak = AnalyticSimulator(pk={"ballistic_missile": 0.01}, ew={}, shots={"ballistic_missile": 1})
    res = calibrate(frame, weak, period="all", kin_grid=(-1.0, 0.0, 1.0), reps=1, bootstrap=0)
    assert bool(res.params()["at_bound"].iloc[0])


def test_observed_nights_and_raid(tmp_path: Path) -> None:
    frame = record_frame(tmp_path, nights_from_truth("2024-10-01", 3, TRUE_EW, True, False))
    obs = observed_nights(frame, "quarter")
    assert set(obs["period"]) == {"2024Q4"}
    assert representative_raid(obs) == {"drone": 400, "cruise_missile": 40, "ballistic_missile": 20}


LAYDOWN = """\
name: tiny
notional: true
assets:
  - {name: city, lat: 50.0, lon: 30.0, value_usd: 5.0e9, radius_km: 4}
sensors:
  - {kind: coverage, name: net, p_detect: 1.0}
fire_units:
  - {kind: ring, name: guns, effector: mobile-gun, around: city, count: 6, radius_km: 3,
     pool: guns}
  - {kind: unit, name: ew-1, effector: ew-jammer, lat: 50.05, lon: 30.2}
  - {kind: unit, name: sam, effector: nasams-irist, lat: 50.0, lon: 30.05, pool: sam}
pools:
  - {name: guns, effector: mobile-gun, stock: 500}
  - {name: sam, effector: nasams-irist, stock: 40}
launch_sites:
  - {name: east, lat: 50.2, lon: 31.5}
waves:
  - {name: drones, threat: shahed-136, count: 10, launch_site: east, launch_end_s: 1800,
     targets: {city: 1}}
  - {name: cruise, threat: kalibr, count: 2, launch_site: east, launch_end_s: 600,
     targets: {city: 1}}
"""


@pytest.fixture(scope="module")
def tiny_laydown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("lay") / "tiny.yaml"
    p.write_text(LAYDOWN, encoding="utf-8")
    return p


def test_engine_simulator(tiny_laydown: Path) -> None:
    sim = EngineSimulator(airshield.load_scenario(str(tiny_laydown)))
    types = {e.name: e for e in sim.effector_types({"drone": 2.0}, -1.0)}
    assert types["mobile-gun"].pk.drone == pytest.approx(shift_pk(0.3, 2.0))
    assert types["mobile-gun"].pk.decoy == pytest.approx(shift_pk(0.3, 2.0))
    assert types["ew-jammer"].pk.drone == pytest.approx(shift_pk(0.3, -1.0))
    assert types["nasams-irist"].pk.ballistic_missile == 0.0  # cannot engage stays so
    lo = sim.fractions({"drone": 12, "cruise_missile": 2}, {"drone": -4.0}, -4.0, 6, 1)
    hi = sim.fractions({"drone": 12, "cruise_missile": 2}, {"drone": 4.0}, -4.0, 6, 1)
    assert 0.0 <= lo["drone"][0] < hi["drone"][0] <= 1.0
    sc = sim.scenario({"drone": 12}, {}, 0.0)
    assert sc.total_threats() == 12


def _engine_fit(
    laydown: Path, tmp_path: Path, destroyed: int, bootstrap: int
) -> tuple[EngineSimulator, Any]:
    """Calibrate the tiny laydown on eight nights of 12 drones, ``destroyed`` shot down and 2
    lost each, on a 3 x 3 grid (period ``all``)."""
    nights = [(d, {"drone": (12, destroyed, 2)}) for d in pd.date_range("2024-10-01", periods=8)]
    frame = record_frame(tmp_path, nights)
    sim = EngineSimulator(airshield.load_scenario(str(laydown)))
    res = calibrate(
        frame,
        sim,
        period="all",
        kin_grid=(-3.0, 0.0, 3.0),
        ew_grid=(-3.0, 0.0, 3.0),
        reps=4,
        bootstrap=bootstrap,
    )
    return sim, res


def test_engine_calibration_end_to_end(tiny_laydown: Path, tmp_path: Path) -> None:
    _, res = _engine_fit(tiny_laydown, tmp_path, destroyed=9, bootstrap=10)
    paths = write_outputs(res, tmp_path / "out")
    sc = airshield.load_scenario(str(paths["scenario"]))
    assert sc.catalog.effectors  # calibrated effector types as catalog overrides
    pk = pd.read_csv(paths["effective_pk"])
    assert {"fit", "lo", "hi"} <= set(pk.columns)
    assert len(pd.read_csv(paths["report"])) == 1


def test_align_to_share_sets_engine_drone_share(tiny_laydown: Path, tmp_path: Path) -> None:
    sim, res = _engine_fit(tiny_laydown, tmp_path, destroyed=6, bootstrap=5)
    fit = res.fits[-1]
    lo = sim.fractions(fit.raid, {"drone": -3.0}, fit.ew, 6, 7)["drone"]
    hi = sim.fractions(fit.raid, {"drone": 3.0}, fit.ew, 6, 7)["drone"]
    target = 0.5 * ((lo[0] + lo[1]) + (hi[0] + hi[1]))  # reachable by construction
    al = res.align_to_share(target, reps=6, seed=7)
    assert al["engine_share"] == pytest.approx(target, abs=0.05)
    assert al["kin_shift_fitted"] == fit.kin["drone"]
    # the calibrated scenario uses the aligned shift and says so
    sc = res.calibrated_scenario()
    assert "matches the share model" in sc.description
    types = {e.name: e for e in sc.catalog.effectors}
    assert types["mobile-gun"].pk.drone == pytest.approx(shift_pk(0.3, al["kin_shift_aligned"]))


def test_align_to_layers_sets_engine_lost_share(tiny_laydown: Path, tmp_path: Path) -> None:
    # the layered fit's lost share moves the EW shift, the share model's total the kinetic one:
    # targets taken from the engine itself at known shifts (so jointly reachable) are met
    sim, res = _engine_fit(tiny_laydown, tmp_path, destroyed=6, bootstrap=5)
    fit = res.fits[-1]
    assert fit.ew_identified
    true_kin, true_ew = fit.kin["drone"] + 1.0, 1.0
    d, lost, _ = sim.fractions(fit.raid, {"drone": true_kin}, true_ew, 30, 7)["drone"]
    al = res.align_to_share(d + lost, reps=30, seed=7, lost_target=lost)
    assert al["engine_lost"] == pytest.approx(lost, abs=0.05)
    assert al["engine_share"] == pytest.approx(d + lost, abs=0.05)
    assert al["ew_shift"] != al["ew_shift_fitted"]
    assert al["target_lost"] == lost
    sc = res.calibrated_scenario()
    assert "matches the layered fit" in sc.description
    types = {e.name: e for e in sc.catalog.effectors}
    assert types["ew-jammer"].pk.drone == pytest.approx(shift_pk(0.3, al["ew_shift"]))


def test_cli_calibrate_and_tempo(tiny_laydown: Path, tmp_path: Path) -> None:
    from airshield.cli import app

    nights = [(d, {"drone": (12, 9, 2)}) for d in pd.date_range("2024-10-01", periods=8)]
    from calibrate.synth_record import write_record

    csv_path = write_record(tmp_path / "rec.csv", nights)
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "calibrate",
            "fit",
            str(csv_path),
            "--laydown",
            str(tiny_laydown),
            "--period",
            "all",
            "--reps",
            "2",
            "--bootstrap",
            "5",
            "--out",
            str(tmp_path / "cal"),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cal" / "params.csv").exists()
    r = runner.invoke(app, ["calibrate", "fit", str(csv_path), "--period", "fortnight"])
    assert r.exit_code != 0
    r = runner.invoke(
        app,
        [
            "tempo",
            "forecast",
            str(csv_path),
            "--months",
            "1",
            "--sims",
            "200",
            "--window",
            "14",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "forecast" in r.stdout
