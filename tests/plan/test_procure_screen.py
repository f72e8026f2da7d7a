"""The detailed screen of the procurement optimiser: the best fast-mode mixes, the proportional
split and the status quo in detailed mode with common random numbers; the recommendation is the
detailed-mode best, with a Bonferroni screen of paired intervals around it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from airshield.plan.procure import Point, screen_detailed


def _point(x: int, fast_mean: float, cost: float, label: str) -> Point:
    per = np.full(10, fast_mean)
    return Point(np.array([[x]], np.int64), cost, per, per[None, :], np.zeros((1, 0)),
                 np.zeros((1, 0)), math.nan, label)  # fmt: skip


def test_detailed_mode_decides_and_the_flip_is_reported() -> None:
    """Fast mode prefers A over B; detailed mode clearly the other way round: B is chosen, the
    flip is reported, and a mix detailed mode cannot tell from B is retained."""
    rng = np.random.default_rng(7)
    common = rng.normal(0, 5, 10)  # common random numbers: shared by every mix
    a, b, c = _point(1, 10.0, 1e6, "A"), _point(2, 11.0, 1e6, "B"), _point(3, 12.0, 1e6, "C")
    sq = _point(0, 20.0, 0.0, "status quo")
    b_det = 90 + common + rng.normal(0, 0.1, 10)
    det = [
        (100 + common + rng.normal(0, 0.1, 10))[None, :],  # A
        b_det[None, :],  # B: detailed best
        (b_det + 0.3 + np.tile([1.0, -1.0], 5))[None, :],  # C: 0.3 worse, sd 1: not separable
    ]
    det_sq = (130 + common)[None, :]
    k, rows = screen_detailed([a, b, c], det, sq, det_sq, 0.0, [True, True, True], True,
                              weights=np.ones(1))  # fmt: skip
    assert k == 1
    by = {r["candidate"]: r for r in rows}
    assert [r["candidate"] for r in rows] == ["A", "B", "C", "status quo"]
    assert by["B"]["selected"] and sum(r["selected"] for r in rows) == 1
    assert by["B"]["retained"] and by["C"]["retained"]
    assert not by["A"]["retained"] and not by["status quo"]["retained"]
    assert by["A"]["fast_rank"] == 1 and by["A"]["detailed_rank"] == 3
    assert "B" in by["A"]["fast_better_detailed_worse_than"]
    assert by["C"]["fast_better_detailed_worse_than"] == []
    # the interval against the winner is the paired t interval at the Bonferroni level 1 - a/(k-1)
    d = det[0][0] - det[1][0]
    level = 1 - 0.05 / 3
    half = stats.t.ppf(0.5 + level / 2, 9) * d.std(ddof=1) / math.sqrt(10)
    v = by["A"]["vs_selected"]
    assert v["level"] == pytest.approx(level)
    assert v["ci_low"] == pytest.approx(d.mean() - half) and v["ci_high"] == pytest.approx(
        d.mean() + half
    )


def _flip_rows() -> list[dict]:  # type: ignore[type-arg]
    """Screen rows where fast mode put A over B and D over C, detailed mode both the other way."""
    vs = {"ci_low": 1.0, "ci_high": 2.0}
    return [
        {"candidate": "A", "fast_better_detailed_worse_than": ["B"], "selected": False,
         "retained": False, "eligible": True, "vs_selected": vs},
        {"candidate": "B", "fast_better_detailed_worse_than": [], "selected": True,
         "retained": True, "eligible": True, "vs_selected": vs, "reps": 10},
        {"candidate": "C", "fast_better_detailed_worse_than": [], "selected": False,
         "retained": False, "eligible": True, "vs_selected": vs},
        {"candidate": "D", "fast_better_detailed_worse_than": ["C"], "selected": False,
         "retained": False, "eligible": True, "vs_selected": vs},
    ]  # fmt: skip


@pytest.mark.parametrize("announced", [None, ("A", "B")])
def test_a_ranking_change_is_warned_about_once(announced: tuple[str, str] | None) -> None:
    """Every flip is kept in ``confirmed.ranking_changes``; the warnings name each flip exactly
    once: the swap of the recommendation, already announced by its own warning, is not repeated
    in the list of other changes."""
    from airshield.plan.procure import ProcurementResult, _screen_flags

    res = ProcurementResult("s", "harmful_leakers", "mean", [], [], [], np.ones(1), 0.0, 10, 0)
    res.confirmed = {}
    _screen_flags(res, _flip_rows(), announced)
    assert res.confirmed["ranking_changes"] == ["'A' over 'B'", "'D' over 'C'"]
    text = " ".join(res.warnings)
    assert text.count("'D' over 'C'") == 1
    assert text.count("'A' over 'B'") == (0 if announced else 1)
    assert len(res.warnings) == 1


def test_ineligible_mix_never_wins_and_price_of_money_breaks_ties() -> None:
    """A mix that failed the fast-mode constraint checks cannot be chosen even when detailed mode
    likes it best; of two mixes with equal detailed means the cheaper wins (the MILP's price of
    money)."""
    common = np.linspace(-1, 1, 10)
    a, b, c = _point(1, 10.0, 2e6, "A"), _point(2, 11.0, 1e6, "B"), _point(3, 9.0, 0.5e6, "C")
    sq = _point(0, 20.0, 0.0, "status quo")
    det = [(50 + common)[None, :], (50 + common)[None, :], (40 + common)[None, :]]
    k, rows = screen_detailed([a, b, c], det, sq, (80 + common)[None, :], 1e-9,
                              [True, True, False], True, weights=np.ones(1))  # fmt: skip
    assert k == 1 and rows[1]["selected"]
    assert not rows[2]["eligible"] and not rows[2]["selected"]


def test_status_quo_wins_when_nothing_beats_it_in_detailed_mode() -> None:
    common = np.linspace(-1, 1, 10)
    a = _point(1, 10.0, 1e6, "A")
    sq = _point(0, 20.0, 0.0, "status quo")
    k, rows = screen_detailed([a], [(60 + common)[None, :]], sq, (50 + common)[None, :], 0.0,
                              [True], True, weights=np.ones(1))  # fmt: skip
    assert k == -1 and rows[-1]["selected"] and rows[-1]["candidate"] == "status quo"


def test_weighted_scenarios_and_worst_case() -> None:
    """Two scenarios: ``mean`` ranks on the weighted sum, ``worst`` on the fast best's worst
    scenario, replication by replication."""
    common = np.linspace(-1, 1, 10)
    a, b = _point(1, 10.0, 1e6, "A"), _point(2, 11.0, 1e6, "B")
    sq = _point(0, 20.0, 0.0, "status quo")
    # A: better in scenario 0, worse in 1 (its worst); B: the reverse
    det = [np.stack([10 + common, 100 + common]), np.stack([40 + common, 90 + common])]
    det_sq = np.stack([200 + common, 200 + common])
    w = np.array([0.9, 0.1])
    k, _ = screen_detailed([a, b], det, sq, det_sq, 0.0, [True, True], True, weights=w)
    assert k == 0  # 0.9 * 10 + 0.1 * 100 = 19 < 0.9 * 40 + 0.1 * 90 = 45
    k, _ = screen_detailed([a, b], det, sq, det_sq, 0.0, [True, True], True, weights=w,
                           robust="worst")  # fmt: skip
    assert k == 1  # in A's worst scenario (1): 100 > 90


def test_ctrl_c_keeps_what_finished(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C during the Pareto stage: the status quo, the proportional split and the candidates
    evaluated before it are kept, the result says it was interrupted."""
    from tests.plan.test_procure import write_spec

    from airshield.plan.procure import optimise
    from airshield.plan.procure_models import load_procurement

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "pareto" and done == 2:
            raise KeyboardInterrupt

    loaded = load_procurement(write_spec(tmp_path))
    res = optimise(loaded, reps=20, seed=3, confirm_reps=2, pareto_points=4, progress=progress)
    s = res.summary()
    assert res.interrupted and s["interrupted"]
    assert "status_quo" in s and "proportional" in s and len(res.candidates) >= 4
    assert s["confirmed"] is None and s["pareto"] == [] and "best" not in s
    assert any("interrupted" in w for w in s["warnings"])
    assert "curves" in s["stages_s"] and "pareto" not in s["stages_s"]


def test_ctrl_c_on_the_command_line_exit_130_with_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SIGINT to ``airshield plan procure --json`` once the Pareto stage has begun: exit status
    130, one JSON document on stdout with what finished, no traceback."""
    import json
    import signal
    import subprocess
    import sys

    from tests.plan.test_procure import write_spec

    spec = write_spec(tmp_path)
    p = subprocess.Popen(
        [sys.executable, "-m", "airshield", "plan", "procure", str(spec), "--json", "--reps",
         "20", "--seed", "3", "--confirm-reps", "3", "--pareto-points", "6", "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert p.stderr is not None
    seen = []
    for line in p.stderr:
        seen.append(line)
        if line.startswith("pareto:"):
            p.send_signal(signal.SIGINT)
            break
    out, err = p.communicate(timeout=600)
    err = "".join(seen) + err
    assert p.returncode == 130, err
    assert "Traceback" not in err
    doc = json.loads(out)
    assert doc["interrupted"] is True and "status_quo" in doc
