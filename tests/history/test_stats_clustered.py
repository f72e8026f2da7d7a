"""`history stats` intervals clustered by night: closed forms, and wider with overdispersion."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airshield.history.importer import read_daily_csv
from airshield.history.stats import (
    clustered_interval,
    design_effect,
    jeffreys_interval,
    monthly_stats,
)
from history.attack_rows import row


def test_design_effect_closed_form() -> None:
    x = np.array([70.0, 95.0, 80.0, 99.0])
    n = np.array([100.0, 100.0, 100.0, 100.0])
    p = x.sum() / n.sum()
    var = 4 / 3 * ((x - p * n) ** 2).sum() / n.sum() ** 2
    assert design_effect(x, n) == pytest.approx(var / (p * (1 - p) / 400))
    lo, hi, d = clustered_interval(x, n, 0.9)
    n_eff = 400 / d
    jlo, jhi = jeffreys_interval(np.array([p * n_eff]), np.array([n_eff]), 0.9)
    assert (lo, hi) == (pytest.approx(jlo[0]), pytest.approx(jhi[0]))


def test_homogeneous_nights_give_the_binomial_interval() -> None:
    # every night at exactly the same fraction: no extra variation, deff floored at 1
    x = np.array([40.0, 80.0, 20.0])
    n = np.array([50.0, 100.0, 25.0])
    lo, hi, d = clustered_interval(x, n)
    jlo, jhi = jeffreys_interval(np.array([140.0]), np.array([175.0]))
    assert d == 1.0 and lo == pytest.approx(jlo[0]) and hi == pytest.approx(jhi[0])


def test_single_night_uses_the_fallback() -> None:
    assert np.isnan(design_effect(np.array([30.0]), np.array([40.0])))
    lo1, hi1, d1 = clustered_interval(np.array([30.0]), np.array([40.0]))
    lo4, hi4, d4 = clustered_interval(np.array([30.0]), np.array([40.0]), deff=4.0)
    assert d1 == 1.0 and d4 == 4.0
    assert hi4 - lo4 > hi1 - lo1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
        min_size=1,
        max_size=12,
    )
)
def test_clustered_never_narrower_than_binomial(nights: list[tuple[int, int]]) -> None:
    x = np.array([a for a, _ in nights], float)
    n = np.array([b for _, b in nights], float)
    lo, hi, d = clustered_interval(x, n)
    blo, bhi = jeffreys_interval(np.array([x.sum()]), np.array([n.sum()]))
    assert d >= 1.0
    assert lo <= x.sum() / n.sum() <= hi
    assert lo <= blo[0] + 1e-9 and hi >= bhi[0] - 1e-9


def _month_rows(fractions: list[float], size: int, month: str) -> list[dict[str, str]]:
    rows = []
    for i, frac in enumerate(fractions):
        day = f"{month}-{i + 1:02d}"
        rows.append(
            row(
                time_start=f"{day} 20:00",
                time_end=f"{day} 23:00",
                model="Shahed-136/131",
                launched=f"{size}.0",
                destroyed=f"{round(frac * size)}.0",
            )
        )
    return rows


def test_interval_widens_with_overdispersed_nights(make_csv) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(np.random.SeedSequence(11))
    nights, size = 20, 200
    # same mean fraction (0.85), binomial nights vs beta-binomial nights (rho about 0.05)
    calm = (rng.binomial(size, 0.85, nights) / size).tolist()
    wild = (rng.binomial(size, rng.beta(17 * 0.85, 17 * 0.15, nights)) / size).tolist()
    f = read_daily_csv(
        make_csv(_month_rows(calm, size, "2024-02") + _month_rows(wild, size, "2024-03"))
    ).frame
    m = monthly_stats(f).set_index(["month", "kind"])
    a, b = m.loc[("2024-02", "drone")], m.loc[("2024-03", "drone")]
    assert a["nights"] == b["nights"] == nights
    width = {k: r["ci_high"] - r["ci_low"] for k, r in (("calm", a), ("wild", b))}
    binom = {k: r["binom_high"] - r["binom_low"] for k, r in (("calm", a), ("wild", b))}
    # binomial nights: deff near 1 and the clustered interval close to the binomial one
    assert a["deff"] < 2.0 and width["calm"] < 1.5 * binom["calm"]
    # overdispersed nights: deff 1 + (m - 1) rho ~ 11, interval about sqrt(deff) x wider
    assert b["deff"] > 4.0
    assert width["wild"] > 2.0 * binom["wild"] and width["wild"] > 2.0 * width["calm"]
    assert b["ci_low"] <= b["fraction"] <= b["ci_high"]


def test_single_night_month_borrows_the_pooled_effect(make_csv) -> None:  # type: ignore[no-untyped-def]
    wild = [0.6, 0.95, 0.7, 0.99, 0.65, 0.9]
    rows = _month_rows(wild, 100, "2024-04") + _month_rows([0.8], 100, "2024-05")
    m = monthly_stats(read_daily_csv(make_csv(rows)).frame).set_index(["month", "kind"])
    one = m.loc[("2024-05", "drone")]
    assert one["nights"] == 1
    assert one["deff"] == pytest.approx(m.loc[("2024-04", "drone"), "deff"])
    assert one["ci_high"] - one["ci_low"] > 1.5 * (one["binom_high"] - one["binom_low"])
