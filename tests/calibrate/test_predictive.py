"""The neutralised-share model: recovery of known parameters, predictions, backtest, CLI.

Records are generated here from known parameters (nothing is copied from the public record).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from airshield.calibrate.predictive import (
    PredictiveModel,
    fit_predictive,
    raid_table,
    read_nights,
)
from airshield.calibrate.share_backtest import pooled_share, rolling_share_backtest
from airshield.errors import ScenarioError
from calibrate.synth_record import record_frame, write_record

TRUE = {"intercept": 2.0, "log_size": 0.4, "missile_share": 1.0, "phi": 60.0}


def synth_nights(
    start: str,
    days: int,
    seed: int,
    *,
    intercept: float = TRUE["intercept"],
    log_size: float = TRUE["log_size"],
    missile_share: float = TRUE["missile_share"],
    phi: float = TRUE["phi"],
    missile_logit: float = 0.5,
) -> list[tuple[pd.Timestamp, dict[str, tuple[int, int, int | None]]]]:
    """Nights whose drone share is BetaBinomial with the given regression (phi constant)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    out = []
    for day in pd.date_range(start, periods=days, freq="D"):
        n = int(np.exp(rng.uniform(np.log(60), np.log(600))))
        m = int(rng.integers(0, 60)) if rng.random() < 0.5 else 0
        ms = m / (n + m)
        mu = special.expit(intercept + log_size * np.log(n / 100) + missile_share * ms)
        p = rng.beta(mu * phi, (1 - mu) * phi)
        night: dict[str, tuple[int, int, int | None]] = {
            "drone": (n, int(rng.binomial(n, p)), None)
        }
        if m:
            night["cruise_missile"] = (m, int(rng.binomial(m, special.expit(missile_logit))), None)
        out.append((day, night))
    return out


@pytest.fixture(scope="module")
def synth_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[PredictiveModel, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("synth")
    frame = record_frame(tmp, synth_nights("2025-08-01", 700, seed=11))
    model = fit_predictive(frame, halflife_nights=None)
    return model, frame


def test_known_parameters_recovered_within_intervals(synth_model) -> None:  # type: ignore[no-untyped-def]
    model, _ = synth_model
    t = model.params().set_index(["kind", "term"]).loc["drone"]
    truth = {**TRUE, "log_phi": np.log(TRUE["phi"])}
    for term in ("intercept", "log_size", "missile_share", "log_phi"):
        # 95 % Laplace intervals (four checks at one fixed seed)
        lo = t.loc[term, "mode"] - 1.96 * t.loc[term, "sd"]
        hi = t.loc[term, "mode"] + 1.96 * t.loc[term, "sd"]
        assert lo <= truth[term] <= hi, (term, lo, hi)
        assert t.loc[term, "sd"] < 0.5  # and the record identifies them
    assert t.loc["log_size", "lo90"] > 0  # bigger raids neutralised at higher rates: learned
    assert not t.loc["trend", "active"] and not t.loc["decoy_share", "active"]


def test_size_effect_sign_is_learned_both_ways(tmp_path: Path) -> None:
    frame = record_frame(tmp_path, synth_nights("2025-08-01", 500, seed=5, log_size=-0.5))
    t = fit_predictive(frame, halflife_nights=None).params().set_index(["kind", "term"])
    assert t.loc[("drone", "log_size"), "hi90"] < 0  # saturation: bigger raids lower


def test_predictive_interval_coverage_on_new_nights(synth_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, _ = synth_model
    later = record_frame(tmp_path, synth_nights("2027-08-01", 400, seed=99))
    raids = raid_table(later)
    pred = model.predict(raids, sims=2000, seed=3)
    obs = raids["drone_neutralised"] / raids["drones"]
    inside = (obs >= pred["drone_neutralised_p5"]) & (obs <= pred["drone_neutralised_p95"])
    # nominal 90 %: binomial s.d. over 400 nights is 1.5 points
    assert 0.85 <= inside.mean() <= 0.95
    # the interval is wider than the binomial noise alone (overdispersion carried)
    n = raids["drones"].to_numpy(dtype=float)
    mu = pred["drone_neutralised_mean"].to_numpy()
    binom_width = 2 * 1.645 * np.sqrt(mu * (1 - mu) / n)
    width = (pred["drone_neutralised_p95"] - pred["drone_neutralised_p5"]).to_numpy()
    assert np.median(width / binom_width) > 1.5
    # no missiles launched: no missile prediction
    none = raids["missiles"] == 0
    assert pred.loc[none, "missile_neutralised_mean"].isna().all()
    assert pred.loc[~none, "missile_neutralised_mean"].notna().all()
    true_missile = special.expit(0.5)
    assert abs(pred.loc[~none, "missile_neutralised_mean"].mean() - true_missile) < 0.05


def test_mean_does_not_depend_on_the_other_nights(synth_model) -> None:  # type: ignore[no-untyped-def]
    model, frame = synth_model
    raids = raid_table(frame).iloc[:20].reset_index(drop=True)
    all_ = model.predict(raids, sims=1000, seed=4)
    one = model.predict(raids.iloc[[7]].reset_index(drop=True), sims=1000, seed=4)
    assert one["drone_neutralised_mean"].iloc[0] == all_["drone_neutralised_mean"].iloc[7]


def test_until_uses_only_earlier_nights(tmp_path: Path) -> None:
    early = synth_nights("2025-08-01", 120, seed=1, intercept=1.5)
    late = synth_nights("2025-11-29", 120, seed=2, intercept=3.5)
    frame = record_frame(tmp_path, early + late)
    m = fit_predictive(frame, until="2025-11-28", halflife_nights=None)
    assert m.fits["drone"].fitted["night"].max() <= pd.Timestamp("2025-11-28")
    assert m.fits["drone"].nights == 120
    a = m.params().set_index(["kind", "term"]).loc[("drone", "intercept"), "mode"]
    assert abs(a - 1.5) < 0.3


def test_save_load_round_trip(synth_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model, frame = synth_model
    back = PredictiveModel.load(model.save(tmp_path / "m.json"))
    raids = raid_table(frame).iloc[:5]
    a = model.predict(raids, sims=500, seed=1)
    b = back.predict(raids, sims=500, seed=1)
    pd.testing.assert_frame_equal(a, b)


# ----------------------------------------------------------------------------- backtest by hand


def tiny_record(tmp_path: Path) -> pd.DataFrame:
    nights = []
    # Jan-Mar 2025: known shares; Apr 2025: the scored month
    spec = {
        "2025-01-05": (200, 180),
        "2025-01-20": (100, 95),
        "2025-02-10": (300, 240),
        "2025-03-03": (200, 190),
        "2025-03-15": (100, 80),
        "2025-04-02": (150, 135),
        "2025-04-20": (400, 392),
        "2025-04-25": (40, 20),  # below --min-drones: not scored
    }
    for day, (n, d) in spec.items():
        nights.append((pd.Timestamp(day), {"drone": (n, d, None)}))
    return record_frame(tmp_path, nights)


def test_backtest_scores_by_hand(tmp_path: Path) -> None:
    frame = tiny_record(tmp_path)
    bt = rolling_share_backtest(
        frame,
        first_origin="2025-04",
        last_origin="2025-04",
        horizon_months=1,
        min_drones=100,
        min_launched=1,
        sims=500,
    )
    p = bt.predictions[bt.predictions["kind"] == "drone"]
    last_month = (190 + 80) / (200 + 100)
    last_3 = (180 + 95 + 240 + 190 + 80) / (200 + 100 + 300 + 200 + 100)
    obs = np.array([135 / 150, 392 / 400])
    base = p[p["method"] == "last_month"]
    assert np.allclose(base["predicted"], last_month) and np.allclose(base["observed"], obs)
    m = bt.metrics.set_index(["kind", "method"])
    mae_1 = 100 * np.abs(last_month - obs).mean()
    mae_3 = 100 * np.abs(last_3 - obs).mean()
    assert m.loc[("drone", "last_month"), "mae"] == pytest.approx(mae_1)
    assert m.loc[("drone", "last_3_months"), "mae"] == pytest.approx(mae_3)
    assert m.loc[("drone", "last_month"), "within5"] == pytest.approx(
        np.mean(100 * np.abs(last_month - obs) <= 5)
    )
    model_rows = p[p["method"] == "model"]
    mae_m = 100 * np.abs(model_rows["predicted"] - model_rows["observed"]).mean()
    assert m.loc[("drone", "model"), "mae"] == pytest.approx(mae_m)
    assert m.loc[("drone", "model"), "mae_ratio_last_3_months"] == pytest.approx(mae_m / mae_3)
    inside = (model_rows["observed"] >= model_rows["p5"]) & (
        model_rows["observed"] <= model_rows["p95"]
    )
    assert m.loc[("drone", "model"), "coverage90"] == pytest.approx(inside.mean())
    # the model predicts from a fit on the nights before the origin only
    direct = fit_predictive(frame, until="2025-03-31", min_launched=1)
    raids = raid_table(frame)
    again = direct.predict(raids[raids["night"] >= "2025-04-01"], sims=500)
    assert direct.fits["drone"].nights == 5
    assert np.all(
        np.abs(again["drone_neutralised_mean"].to_numpy()[:2] - model_rows["predicted"]) < 0.01
    )
    raids_all = raid_table(frame)
    assert pooled_share(
        raids_all, "drone", pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")
    ) == pytest.approx(last_month)


# ----------------------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def synth_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    return write_record(tmp / "record.csv", synth_nights("2025-08-01", 300, seed=21))


def test_cli_fit_until_predict_reproduces_fit(synth_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    r = run_cli(
        "calibrate", "fit", str(synth_csv), "--until", "2026-03-31", "--no-engine",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["until"] == "2026-03-31"
    assert {p["term"] for p in doc["predictive"]} >= {"intercept", "log_size", "log_phi"}
    assert doc["layers"] is None  # no night counts lost apart: no layered fit, a note says so
    assert "no layered fit" in r.stderr
    fitted = pd.read_csv(out / "fitted.csv", parse_dates=["night"])
    assert fitted["night"].max() <= pd.Timestamp("2026-03-31")
    drone = fitted[fitted["kind"] == "drone"].iloc[[0, 10, 50]]
    nights = tmp_path / "nights.csv"
    drone.assign(night=drone["night"].dt.strftime("%Y-%m-%d"))[
        ["night", "drones", "cruise", "ballistic"]
    ].to_csv(nights, index=False)
    pred_csv = tmp_path / "pred.csv"
    r = run_cli("calibrate", "predict", str(out), str(nights), "--out", str(pred_csv), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    got = [n["drone_neutralised_mean"] for n in doc["nights"]]
    # predicting a night of the training period reproduces the fit's mean for that night
    assert np.allclose(got, drone["mean"].to_numpy(), rtol=0, atol=1e-12)
    assert np.allclose(got, drone["mu_mode"].to_numpy(), atol=0.01)
    pred = pd.read_csv(pred_csv)
    for q in ("mean", "p5", "p50", "p95"):
        assert f"drone_neutralised_{q}" in pred and f"missile_neutralised_{q}" in pred
    assert (pred["drone_neutralised_p5"] <= pred["drone_neutralised_p50"]).all()
    assert (pred["drone_neutralised_p50"] <= pred["drone_neutralised_p95"]).all()
    assert (pred["drone_neutralised_p5"] <= pred["drone_neutralised_mean"]).all()
    assert (pred["drone_neutralised_mean"] <= pred["drone_neutralised_p95"]).all()
    # human-readable table too
    r = run_cli("calibrate", "predict", str(out), str(nights))
    assert r.returncode == 0 and "neutralised share" in r.stdout


def test_cli_backtest_json(synth_csv: Path) -> None:
    r = run_cli(
        "calibrate", "backtest", str(synth_csv), "--first-origin", "2026-01",
        "--last-origin", "2026-03", "--horizon-months", "2", "--sims", "300", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    methods = {(m["kind"], m["method"]) for m in doc["metrics"]}
    assert {("drone", "model"), ("drone", "last_month"), ("drone", "last_3_months")} <= methods
    model = next(m for m in doc["metrics"] if (m["kind"], m["method"]) == ("drone", "model"))
    assert model["raids"] > 50 and 0 <= model["coverage90"] <= 1
    assert model["mae_ratio_last_3_months"] > 0
    assert {o["origin"] for o in doc["per_origin"]} == {"2026-01", "2026-02", "2026-03"}


def test_cli_errors_are_clear(synth_csv: Path, tmp_path: Path) -> None:
    r = run_cli("calibrate", "fit", str(synth_csv), "--until", "31/03/2026", "--no-engine")
    assert r.returncode == 2 and "--until" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("night,drones\n2026-01-01,100\n", encoding="utf-8")
    out = tmp_path / "cal"
    assert (
        run_cli("calibrate", "fit", str(synth_csv), "--no-engine", "-o", str(out)).returncode == 0
    )
    r = run_cli("calibrate", "predict", str(out), str(bad))
    assert r.returncode == 2 and "cruise" in r.stderr and "Traceback" not in r.stderr
    bad.write_text("night,drones,cruise,ballistic\n2026-13-01,100,0,0\n", encoding="utf-8")
    r = run_cli("calibrate", "predict", str(out), str(bad))
    assert r.returncode == 2 and f"{bad}:2: night" in r.stderr
    r = run_cli(
        "calibrate", "backtest", str(synth_csv), "--first-origin", "2026-xx",
        "--last-origin", "2026-03",
    )  # fmt: skip
    assert r.returncode == 2 and "--first-origin" in r.stderr


def test_read_nights_optional_decoy_share(tmp_path: Path) -> None:
    p = tmp_path / "n.csv"
    p.write_text(
        "night,drones,cruise,ballistic,decoy_share\n2026-01-01,100,2,1,\n", encoding="utf-8"
    )
    t = read_nights(p)
    assert t["drones"].iloc[0] == 100 and np.isnan(t["decoy_share"].iloc[0])
    p.write_text(
        "night,drones,cruise,ballistic,decoy_share\n2026-01-01,100,2,1,1.5\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError):
        read_nights(p)


def test_raid_table_keeps_daytime_raids_and_classes(tmp_path: Path) -> None:
    import csv
    import io

    from airshield.history.importer import read_daily_csv
    from calibrate.synth_record import HEADER

    def row(**kw: str) -> dict[str, str]:
        return {**dict.fromkeys(HEADER, ""), "border_crossing": "{}", "target": "Ukraine", **kw}

    def to_csv(rows: list[dict[str, str]]) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue()

    rows = [
        row(time_start="2026-02-06 19:00", time_end="2026-02-07 08:00", model="Shahed-136/131",
            launched="400.0", destroyed="380.0", source="kpszsu/p/1"),
        row(time_start="2026-02-07 03:00", time_end="2026-02-07 06:00", model="Iskander-M",
            launched="10.0", destroyed="2.0", source="kpszsu/p/1"),
        row(time_start="2026-02-07 08:00", time_end="2026-02-07 18:00", model="Shahed-136/131",
            launched="250.0", destroyed="230.0", is_shahed="150.0", source="kpszsu/p/2"),
        row(time_start="2026-02-07 11:00", time_end="2026-02-07 13:00",
            model="X-101/X-555 and Kalibr and Iskander-M", launched="6.0", destroyed="5.0",
            source="kpszsu/p/2"),
        row(time_start="2026-02-07", time_end="2026-02-07", model="Orlan-10", launched="3.0",
            destroyed="3.0", source="PvKPivden/p/3"),
    ]  # fmt: skip
    p = tmp_path / "r.csv"
    p.write_text(to_csv(rows), encoding="utf-8")
    t = raid_table(read_daily_csv(p).frame).set_index("raid_id")
    assert list(t.index) == ["R2026-02-06", "R2026-02-07-day"]
    assert t.loc["R2026-02-06", ["drones", "ballistic", "missiles"]].tolist() == [400, 10, 10]
    assert t.loc["R2026-02-06", "missile_neutralised"] == 2
    # the unsplit cruise + ballistic bundle counts as missiles (cruise column)
    assert t.loc["R2026-02-07-day", ["drones", "cruise"]].tolist() == [250, 6]
    assert t.loc["R2026-02-07-day", "decoy_share"] == pytest.approx(0.4)
    assert np.isnan(t.loc["R2026-02-06", "decoy_share"])
    assert t["drone_ok"].all() and t["missile_ok"].all()
    assert raid_table(read_daily_csv(p).frame, until="2026-02-06").index.size == 1
