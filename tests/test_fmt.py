"""The one formatter: money, counts, fractions, intervals, "never", glossary labels."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airshield import fmt


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (-224.9e6, "−$224.9M"),
        (224.9e6, "$224.9M"),
        (1.25e9, "$1.25B"),
        (-35_400.0, "−$35k"),
        (800.0, "$800"),
        (-0.4, "$0"),  # rounds to zero: no minus sign on nothing
        (float("nan"), "–"),
        (None, "–"),
    ],
)
def test_money(x: float | None, text: str) -> None:
    assert fmt.money(x) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(10.0, "10"), (2.44, "2.4"), (99.96, "100"), (1318.2, "1,318"), (-3.0, "−3"), (0, "0")],
)
def test_count(x: float, text: str) -> None:
    assert fmt.count(x) == text


def test_fraction_ratio_and_duration() -> None:
    assert fmt.fraction(0.42) == "42 %"
    assert fmt.fraction(-0.001) == "0 %"
    assert fmt.ratio(0.3712) == "0.37"
    assert fmt.duration(45) == "45 s"
    assert fmt.duration(200) == "3 min 20 s"
    assert fmt.duration(3900) == "1 h 05 min"


def test_band_interval_diff() -> None:
    assert fmt.band({"mean": 10.0, "p5": 5.0, "p95": 14.0}) == "10 [5–14]"
    assert fmt.band({"mean": 3.0, "p5": 3.0, "p95": 3.0}) == "3"
    assert fmt.band({"mean": -2e6, "p5": -3e6, "p95": 1e6}, "money") == "−$2.0M [−$3.0M–$1.0M]"
    assert fmt.band(None) == "–"
    assert fmt.interval(2.0, 1.5, 2.5) == "2 [1.5, 2.5]"
    assert fmt.diff(-3.2, -5.0, -1.1) == "−3.2 [−5, −1.1]"
    assert fmt.diff(2.0, 0.0, 4.0) == "+2 [0, +4]"


def test_never_instead_of_the_horizon_sentinel() -> None:
    assert fmt.nights_or_never(91, 90) == "never"
    assert fmt.nights_or_never(12, 90) == "12"
    assert fmt.date_or_never(None) == "never"
    assert fmt.date_or_never(float("nan")) == "never"
    assert fmt.date_or_never("2025-07-14") == "2025-07-14"


def test_glossary_labels() -> None:
    assert fmt.label("leaked_harmful") == "harmful leakers"
    assert fmt.label("sam-rounds.nights_to_empty") == "sam-rounds: nights until empty"
    assert fmt.label("sam-rounds.empty_in_horizon") == (
        "sam-rounds: share of replications that run empty"
    )
    assert fmt.label("linear_r2") == "linear fit R²"
    assert fmt.label("leaked_harmful_mean") == "harmful leakers (mean)"
    assert fmt.label("made_up_cost_usd") == "made up cost (USD)"
    assert fmt.kind_of("sam-rounds.stock_end") == "count"
    assert fmt.kind_of("damage_usd") == "money"
    assert fmt.kind_of("x.empty_in_horizon") == "fraction"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_sign_and_magnitude(x: float) -> None:
    text = fmt.money(x)
    assert "-" not in text  # never a hyphen-minus, never "$-"
    assert text.startswith(("$", "−$"))
    if text.startswith("−"):
        assert x < 0
    # the shown magnitude is the value rounded to the shown digits
    body = text.lstrip("−$")
    scale = {"B": 1e9, "M": 1e6, "k": 1e3}.get(body[-1], 1.0)
    shown = float(body.rstrip("BMk").replace(",", "")) * scale
    assert math.isclose(shown, abs(x), rel_tol=0.051, abs_tol=0.5 * scale + 0.5)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_whole_counts_have_no_decimals(n: int) -> None:
    text = fmt.count(float(n))
    assert "." not in text
    assert int(text.replace(",", "").replace("−", "-")) == n


def test_shadow_price_cells_show_the_simulated_change_with_its_interval() -> None:
    row = {
        "option": "drone-crews", "units_added": 11, "per_unit": 0.0, "per_musd": 0.0,
        "simulated": {"per_unit": 7.1, "per_musd": 47.33,
                      "difference": {"mean": 78.09, "ci_low": 77.56, "ci_high": 78.63}},
        "beyond_limits": False, "sign": "worsens",
    }  # fmt: skip
    cells = fmt.shadow_price(row)
    assert len(cells) == len(fmt.SHADOW_PRICE_COLUMNS)
    assert cells == ["drone-crews", "+0", "+0", "+47.3", "11: +78.1 [+77.6, +78.6]", ""]
    none = {"option": "gun-groups", "per_unit": None, "sign": "no unit slot left (max_total)"}
    assert fmt.shadow_price(none)[-1] == "no unit slot left (max_total)"
    assert fmt.shadow_price(none)[1:5] == [fmt.DASH] * 4
