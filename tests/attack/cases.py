"""Small constructed plan spaces (made up for the tests; notional, not real positions)."""

from __future__ import annotations

import textwrap

#: one city defended only on its east side: interceptor drones (15 km reach) on a 60-degree arc
#: 20 km east of it. Drones from the west never come within reach of any unit, so every one of
#: them leaks: the worst plan is known in closed form (leakers = the wave's count, every night).
SIDED = textwrap.dedent(
    """\
    name: sided
    notional: true
    assets:
      - {name: city, lat: 50.0, lon: 30.0, value_usd: 1.0e9, radius_km: 1}
    sensors:
      - {kind: coverage, name: net, p_detect: 1.0}
    fire_units:
      - {kind: ring, name: east, effector: interceptor-drone, around: city, count: 3, radius_km: 20, bearing_deg: 90, arc_deg: 60}
    launch_sites:
      - {name: east-site, lat: 50.0, lon: 32.0}
      - {name: west-site, lat: 50.0, lon: 28.0}
    waves:
      - {name: drones, threat: shahed-136, count: 30, launch_site: east-site, launch_start_s: 0, launch_end_s: 1800, route_jitter_km: 2}
    """
)

SIDED_ATTACK = SIDED + textwrap.dedent(
    """\
    attack:
      waypoints:
        - {name: far-south, lat: 48.5, lon: 31.0}
      choices:
        - kind: approach
          waves: [drones]
          options:
            - {name: direct}
            - {name: from-west, launch_site: west-site}
            - {name: swing-south, via: [{around: city, bearing_deg: 180, distance_km: 80}]}
        - kind: altitude
          waves: [drones]
          options:
            - {name: own, min_km: 0.1, max_km: 2.5}
            - {name: high, min_km: 2.0, max_km: 3.5}
    """
)

#: a tiny laydown game: two interceptor-drone teams and one rocket team for four candidate
#: sites (the city, and 40 km east, west and north of it), against drones that may come from the
#: east, the west or the north, aimed at the city or at its depot
TINY_RAID = textwrap.dedent(
    """\
    name: tiny-game
    notional: true
    assets:
      - {name: city, lat: 50.0, lon: 30.0, value_usd: 1.0e9, radius_km: 2}
      - {name: depot, lat: 50.05, lon: 30.1, value_usd: 3.0e8, radius_km: 1}
    sensors:
      - {kind: coverage, name: net, p_detect: 1.0}
    fire_units:
      - {kind: ring, name: ids, effector: interceptor-drone, around: city, count: 2, radius_km: 40, bearing_deg: 90, arc_deg: 60, pool: ids}
      - {kind: unit, name: rockets-1, effector: apkws-rocket, lat: 50.0, lon: 30.56, pool: rockets}
    pools:
      - {name: ids, effector: interceptor-drone, stock: 6}
      - {name: rockets, effector: apkws-rocket, stock: 4}
    launch_sites:
      - {name: east-site, lat: 50.0, lon: 32.0}
      - {name: west-site, lat: 50.0, lon: 28.0}
      - {name: north-site, lat: 51.3, lon: 30.0}
    waves:
      - {name: drones, threat: shahed-136, count: 24, launch_site: east-site, launch_start_s: 0, launch_end_s: 1800, route_jitter_km: 3}
    attack:
      choices:
        - kind: approach
          waves: [drones]
          options:
            - {name: east}
            - {name: west, launch_site: west-site}
            - {name: north, launch_site: north-site}
        - kind: targets
          waves: [drones]
          options: [{name: city, targets: {city: 1}}, {name: depot, targets: {depot: 1}}]
    """
)

TINY_LAYDOWN = textwrap.dedent(
    """\
    name: tiny-laydown
    scenario: raid.yaml
    sites:
      - kind: list
        points:
          - {name: centre, lat: 50.0, lon: 30.0}
          - {name: east-40, lat: 50.0, lon: 30.56}
          - {name: west-40, lat: 50.0, lon: 29.44}
          - {name: north-40, lat: 50.36, lon: 30.0}
    coefficient_reps: 4
    reps: 8
    seed: 3
    tolerance: 0.0
    """
)
