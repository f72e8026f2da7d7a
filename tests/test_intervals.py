"""The one interval rule of comparisons, checked against scipy's own t-tests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from airshield.intervals import paired_difference, welch_difference

finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_paired_equals_scipy_one_sample_interval(d: list[float], level: float) -> None:
    ci = paired_difference(d, level)
    x = np.asarray(d)
    assert ci.mean == pytest.approx(x.mean(), abs=1e-9)
    assert ci.reps == len(d)
    if x.std(ddof=1) == 0:
        assert ci.lo == ci.hi == ci.mean
        return
    lo, hi = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    assert ci.lo == pytest.approx(lo, rel=1e-9, abs=1e-6)
    assert ci.hi == pytest.approx(hi, rel=1e-9, abs=1e-6)


def test_paired_closed_form() -> None:
    # differences 1, 2, 3: mean 2, sd 1, half width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051
    ci = paired_difference([1.0, 2.0, 3.0])
    assert ci.mean == 2.0 and ci.sd == 1.0
    assert ci.hi - ci.mean == pytest.approx(2.484138, abs=1e-6)
    one = paired_difference([5.0])
    assert (one.mean, one.lo, one.hi, one.sd, one.reps) == (5.0, 5.0, 5.0, 0.0, 1)
    assert math.isnan(paired_difference([]).mean)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(finite, min_size=2, max_size=30),
    st.lists(finite, min_size=2, max_size=30),
)
def test_welch_equals_scipy_welch_interval(a: list[float], b: list[float]) -> None:
    x, y = np.asarray(a), np.asarray(b)
    ci = welch_difference(x, y)
    assert ci.mean == pytest.approx(y.mean() - x.mean(), rel=1e-9, abs=1e-6)
    if x.var(ddof=1) + y.var(ddof=1) == 0:
        assert ci.lo == ci.hi == ci.mean
        return
    # scipy warns (precision loss) on a constant sample; compare where both samples vary
    assume(x.var(ddof=1) > 1e-6 * max(1.0, float(np.abs(x).max())) ** 2)
    assume(y.var(ddof=1) > 1e-6 * max(1.0, float(np.abs(y).max())) ** 2)
    lo, hi = stats.ttest_ind(y, x, equal_var=False).confidence_interval(0.95)
    assert ci.lo == pytest.approx(lo, rel=1e-6, abs=1e-6)
    assert ci.hi == pytest.approx(hi, rel=1e-6, abs=1e-6)


def test_welch_needs_two_values_a_side() -> None:
    ci = welch_difference([1.0], [2.0, 3.0])
    assert ci.mean == 1.5 and math.isnan(ci.lo) and math.isnan(ci.hi)
