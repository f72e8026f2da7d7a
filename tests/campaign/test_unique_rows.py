"""The fast-variant runner's row grouping equals ``np.unique(axis=0)`` exactly (same rows, same
order, same inverse), so the surrogate's shares, and every draw, are those of the plain path."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from airshield.campaign.engine import unique_rows


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 14).flatmap(
        lambda c: arrays(
            np.int64,
            st.tuples(st.integers(0, 60), st.just(c)),
            elements=st.integers(-(2**40), 2**40),
        )
    ),
    st.integers(0, 5),
)
def test_unique_rows_is_np_unique(a: np.ndarray, repeat: int) -> None:
    if a.shape[0] and repeat:  # many repeated rows, as in the variants' stocks
        a = np.concatenate([a] * repeat)[::-1]
    u1, i1 = np.unique(a, axis=0, return_inverse=True)
    u2, i2 = unique_rows(a)
    assert np.array_equal(u1, u2)
    assert np.array_equal(np.asarray(i1).reshape(-1), i2)


def test_a_key_collision_falls_back_to_np_unique(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With every multiplier zero all rows share one key: the check catches it."""
    import airshield.campaign.engine as eng

    monkeypatch.setattr(eng, "_ROW_KEY", np.zeros(64, np.uint64))
    a = np.array([[3, 1], [1, 2], [3, 1], [0, 0]], np.int64)
    u, inv = unique_rows(a)
    assert u.tolist() == [[0, 0], [1, 2], [3, 1]] and inv.tolist() == [2, 1, 2, 0]
