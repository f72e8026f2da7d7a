"""The plan-space language: resolution into ordinary scenarios, and its validation errors."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tests.attack.cases import SIDED, SIDED_ATTACK

from airshield.errors import ScenarioError
from airshield.scenario import scenario_from_text
from airshield.scenario.attack import Plan, attack_from_text, prefix_length_km, route_points

ONE_EACH = SIDED + textwrap.dedent(
    """\
    attack:
      choices:
        - {kind: approach, waves: [drones], options: [{name: direct}]}
        - {kind: altitude, waves: [drones], options: [{name: own, min_km: 0.1, max_km: 2.5}]}
        - {kind: launch_window, waves: [drones], options: [{name: own, start_s: 0, end_s: 1800}]}
        - {kind: targets, waves: [drones], options: [{name: by-value}]}
        - {kind: decoy_share, waves: [drones], threat: gerbera, shares: [0.0]}
    """
)


def test_one_choice_each_is_the_plain_scenario_bit_for_bit() -> None:
    plain = scenario_from_text(SIDED)
    a = attack_from_text(ONE_EACH)
    assert a.space.size == 1
    sc = a.resolve()
    assert sc.content_hash() == plain.content_hash()
    r1 = plain.simulate(6, seed=11)
    r2 = sc.simulate(6, seed=11)
    for name in ("outcomes", "destroyed_by", "shots", "hits", "damage_usd"):
        np.testing.assert_array_equal(getattr(r1, name), getattr(r2, name))


def test_default_plan_of_a_larger_space_is_the_plain_scenario() -> None:
    a = attack_from_text(SIDED_ATTACK)
    assert a.space.size == 6
    assert a.resolve().content_hash() == scenario_from_text(SIDED).content_hash()


def test_altitude_band_becomes_a_catalog_override() -> None:
    a = attack_from_text(SIDED_ATTACK)
    sc = a.resolve(a.space.plan_of({"altitude:drones": "high"}))
    (w,) = sc.waves
    assert w.threat == "shahed-136@2-3.5km"
    t = sc.resolved_catalog().threats[w.threat]
    base = sc.resolved_catalog().threats["shahed-136"]
    assert (t.altitude_min_km, t.altitude_max_km) == (2.0, 3.5)
    assert t.speed_kmh == base.speed_kmh and t.lethality == base.lethality


def test_mix_splits_the_count_and_keeps_the_total() -> None:
    text = SIDED + textwrap.dedent(
        """\
        attack:
          choices:
            - {kind: decoy_share, waves: [drones], threat: gerbera, shares: [0, 0.5]}
            - {kind: jet_share, waves: [drones], threat: geran-3, shares: [0, 0.2]}
        """
    )
    a = attack_from_text(text)
    sc = a.resolve(Plan((1, 1)))
    counts = {w.name: (w.threat, w.count) for w in sc.waves}
    assert counts == {
        "drones": ("shahed-136", 9),
        "drones/gerbera": ("gerbera", 15),
        "drones/geran-3": ("geran-3", 6),
    }


def test_route_via_waypoints_is_flown_leg_by_leg() -> None:
    """The N-leg route checked against a time-stepped flight: the threat leaves its launch site
    inside the wave's own window, passes the waypoint and reaches its aim point when a threat
    flying every leg at its speed would."""
    a = attack_from_text(SIDED_ATTACK)
    plan = a.space.plan_of({"approach:drones": "swing-south"})
    sc = a.resolve(plan)
    (w,) = sc.waves
    assert (w.launch_site, w.launch_start_s, w.launch_end_s) == ("east-site", 0.0, 1800.0)
    pts = route_points(a.scenario, a.space, a.space.choices[0].options[2], "east-site")
    assert [c for p in w.via for c in (p.lat, p.lon)] == pytest.approx(
        [c for q in pts[1:] for c in q]
    )
    L = prefix_length_km(a.scenario, pts)

    from airshield.geo import to_local_km
    from airshield.raid.compile import compile_scenario, draw_night
    from airshield.vocab import Route, route_t, route_x, route_y

    speed = 185.0 / 3600.0
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(0))
    lat0, lon0 = sc.origin_point()
    x, y = to_local_km([p[0] for p in pts], [p[1] for p in pts], lat0, lon0)
    for r in night.routes:
        assert r[Route.NLEGS] == 3  # launch -> waypoint -> approach midpoint -> aim point
        assert 0.0 <= r[Route.T0] <= 1800.0
        assert (r[route_x(1)], r[route_y(1)]) == pytest.approx((x[1], y[1]))
        assert r[route_t(1)] - r[Route.T0] == pytest.approx(L / speed)
        # time-stepped flight along every leg, 1 s steps
        t, px, py = r[Route.T0], r[route_x(0)], r[route_y(0)]
        for k in range(3):
            qx, qy = r[route_x(k + 1)], r[route_y(k + 1)]
            seg = math.hypot(qx - px, qy - py)
            steps = math.ceil(seg / speed)
            t += steps
            px, py = qx, qy
        assert abs(t - r[Route.T_IMPACT]) <= 3.0  # within one step per leg


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as ei:
        attack_from_text(text, "f.yaml")
    return [p.render("f.yaml") for p in ei.value.problems]


def test_unknown_key_has_file_line_and_field() -> None:
    bad = SIDED_ATTACK.replace("{name: high, min_km", "{name: high, colour: red, min_km")
    (msg,) = _problems(bad)
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "colour" in s)
    assert msg.startswith(f"f.yaml:{line}: attack.choices[1].options[1].colour: unknown field")


def test_empty_choice_set_is_an_error() -> None:
    bad = SIDED + "attack:\n  choices:\n    - {kind: altitude, waves: [drones], options: []}\n"
    (msg,) = _problems(bad)
    assert "attack.choices[0].options" in msg and "at least 1" in msg


def test_unknown_kind_wave_waypoint_and_threat() -> None:
    bad = SIDED + textwrap.dedent(
        """\
        attack:
          choices:
            - {kind: approach, waves: [nope], options: [{name: a, via: [missing]}]}
            - {kind: decoy_share, waves: [drones], threat: shahed-136x, shares: [0.5]}
        """
    )
    msgs = "\n".join(_problems(bad))
    assert "attack.choices[0].waves[0]: unknown wave 'nope'" in msgs
    assert "attack.choices[0].options[0].via[0]: unknown waypoint 'missing'" in msgs
    assert "attack.choices[1].threat: unknown threat type 'shahed-136x'" in msgs
    bad2 = SIDED + "attack:\n  choices:\n    - {kind: sector, waves: [drones], options: []}\n"
    assert "unknown kind 'sector'" in _problems(bad2)[0]


def test_decoy_share_needs_a_decoy_and_shares_fit() -> None:
    bad = SIDED + textwrap.dedent(
        """\
        attack:
          choices:
            - {kind: decoy_share, waves: [drones], threat: geran-3, shares: [0.5]}
            - {kind: jet_share, waves: [drones], threat: geran-3, shares: [0.7]}
        """
    )
    msgs = "\n".join(_problems(bad))
    assert "not a decoy" in msgs
    assert "sum to 1.2 > 1" in msgs


def test_route_past_the_units_is_flown_and_too_many_waypoints_are_refused() -> None:
    # the first leg runs straight past the eastern units: every leg is flown and shot at now
    through = SIDED_ATTACK.replace(
        "{name: swing-south, via: [{around: city, bearing_deg: 180, distance_km: 80}]}",
        "{name: through, via: [{around: city, bearing_deg: 270, distance_km: 40}]}",
    )
    a = attack_from_text(through)
    assert a.resolve(a.space.plan_of({"approach:drones": "through"})).waves[0].via
    wp = "{around: city, bearing_deg: 180, distance_km: 80}"
    bad = SIDED_ATTACK.replace(f"via: [{wp}]", "via: [" + ", ".join([wp] * 5) + "]")
    (msg,) = _problems(bad)
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "swing-south" in s)
    assert msg.startswith(f"f.yaml:{line}: attack.choices[0].options[2].via")
    assert "at most 4" in msg


def test_missing_attack_section() -> None:
    (msg,) = _problems(SIDED)
    assert "attack: required section is missing" in msg


def test_validate_cli_exit_2_without_traceback(tmp_path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(SIDED_ATTACK.replace("kind: altitude", "kind: altitud"))
    p = subprocess.run([sys.executable, "-m", "airshield", "attack", "validate", str(f)],
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2
    assert "Traceback" not in p.stderr + p.stdout
    assert "unknown kind 'altitud'" in p.stderr + p.stdout
    good = tmp_path / "good.yaml"
    good.write_text(SIDED_ATTACK)
    p = subprocess.run([sys.executable, "-m", "airshield", "attack", "validate", str(good)],
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "6 plans" in p.stdout


@pytest.mark.parametrize("cmd", [["validate"], ["run", "--reps", "2"]])
def test_run_and_validate_name_the_commands_for_a_plan_space_file(tmp_path, cmd) -> None:
    f = tmp_path / "space.yaml"
    f.write_text(SIDED_ATTACK)
    p = subprocess.run([sys.executable, "-m", "airshield", *cmd, str(f)],
                       capture_output=True, text=True)  # fmt: skip
    out = " ".join((p.stderr + p.stdout).split())  # the console may wrap long lines
    assert p.returncode == 2, out
    assert "Traceback" not in out
    line = next(i for i, s in enumerate(SIDED_ATTACK.splitlines(), 1) if s.startswith("attack:"))
    assert f"{f}:{line}: attack: this is an attacker plan-space file" in out
    assert "airshield attack validate|plans|best-response" in out
    assert "airshield plan laydown" in out
