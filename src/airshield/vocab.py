"""The shared integer vocabulary of the raid engine: one ``IntEnum`` per set of codes.

The numba kernel (:mod:`airshield.kernels.raid`), the readable reference engine
(:mod:`airshield.raid.reference`), the tally (:mod:`airshield.raid.montecarlo`), the campaign
bridge and the reports all exchange these integers; this module is the one place that names
them. It imports nothing from the package, so every layer may use it. Inside numba code the
members are bound to plain ``int`` module constants (``int(Fate.LEAKED)``), which numba
freezes at compile time.
"""

from __future__ import annotations

import enum


class Fate(enum.IntEnum):
    """What happened to one threat in one night (``NightOutcome.fate``)."""

    ALIVE = -1  #: still flying (never left at the end of a night)
    DESTROYED = 0  #: killed by a kinetic engagement
    LOST = 1  #: made lost by electronic warfare
    LEAKED = 2  #: reached its aim point

    @property
    def label(self) -> str:
        return self.name.lower()


#: fates a night ends with, in code order (``FATE_LABELS[Fate.LEAKED] == "leaked"``)
FATE_LABELS: tuple[str, ...] = ("destroyed", "lost", "leaked")


class ThreatKind(enum.IntEnum):
    """Threat kinds, in the order of :data:`airshield.catalog.THREAT_KINDS` (columns of the
    kill-probability tables)."""

    DRONE = 0
    DECOY = 1
    CRUISE_MISSILE = 2
    BALLISTIC_MISSILE = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, name: str) -> ThreatKind:
        """The member for a catalog kind name (``"ballistic_missile"``)."""
        return cls[name.upper()]


class EffectorKind(enum.IntEnum):
    """Effector kinds of the catalog (``kind:`` of an effector type)."""

    MISSILE = 0
    GUN = 1
    INTERCEPTOR_DRONE = 2
    EW = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of(cls, name: str) -> EffectorKind:
        """The member for a catalog kind name (``"interceptor_drone"``)."""
        return cls[name.upper()]


class Outcome(enum.IntEnum):
    """Columns of ``RaidResult.outcomes[rep, threat_type, :]``."""

    LAUNCHED = 0
    DESTROYED = 1
    LOST = 2
    LEAKED = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def of_fate(cls, fate: Fate) -> Outcome:
        """The outcome column that counts threats of this fate."""
        return cls(int(fate) + 1)


#: outcome column names in code order
OUTCOME_LABELS: tuple[str, ...] = tuple(o.label for o in Outcome)


class Event(enum.IntEnum):
    """Event types of a night; the value is also the priority among simultaneous events
    (lower first): a shot resolves before an EW dwell ends, before a reload completes, before an
    impact, before a window opens, before a track starts."""

    RESOLVE = 0
    EW_DONE = 1
    RELOAD = 2
    IMPACT = 3
    WINDOW = 4
    TRACK = 5


#: most straight legs a route may have (fixed at compile time: the route row's width)
MAX_LEGS = 6


class Route(enum.IntEnum):
    """Columns of a threat's route row ``routes[j]``: a piecewise-linear path of
    ``NLEGS <= MAX_LEGS`` straight legs through points ``0 .. NLEGS`` (launch point, the
    waypoints, aim point), flown at constant speed, each leg at its own altitude. km, s.

    Point k is at columns ``Xk, Yk`` (:func:`route_x`, :func:`route_y`), reached at ``Tk``
    (:func:`route_t`); leg k (point k -> k + 1) is flown at ``ALTk`` (:func:`route_alt`).
    Columns of points and legs past ``NLEGS`` are unused. A two-leg route (launch -> jittered
    midpoint -> aim point) has the values of the former fixed two-leg row in ``X0 .. Y2``,
    ``T0 .. T2`` and ``ALT0, ALT1``; on longer routes ``X2, Y2, T2`` are the second waypoint,
    not the aim point: use ``T_IMPACT`` and ``NLEGS``."""

    X0 = 0  #: launch point
    Y0 = 1
    X1 = 2
    Y1 = 3
    X2 = 4
    Y2 = 5
    X3 = 6
    Y3 = 7
    X4 = 8
    Y4 = 9
    X5 = 10
    Y5 = 11
    X6 = 12
    Y6 = 13
    T0 = 14  #: launch time
    T1 = 15
    T2 = 16
    T3 = 17
    T4 = 18
    T5 = 19
    T6 = 20
    ALT0 = 21  #: altitude of the first leg
    ALT1 = 22
    ALT2 = 23
    ALT3 = 24
    ALT4 = 25
    ALT5 = 26
    NLEGS = 27  #: number of legs (a float column)
    T_IMPACT = 28  #: impact time (the time at the last point)


#: number of columns of a route row
ROUTE_COLS = len(Route)
assert ROUTE_COLS == 4 * MAX_LEGS + 5


def route_x(k: int) -> int:
    """Column of point k's x."""
    return int(Route.X0) + 2 * k


def route_y(k: int) -> int:
    """Column of point k's y."""
    return int(Route.Y0) + 2 * k


def route_t(k: int) -> int:
    """Column of the time at point k."""
    return int(Route.T0) + k


def route_alt(k: int) -> int:
    """Column of leg k's altitude."""
    return int(Route.ALT0) + k


class PauseCode(enum.IntEnum):
    """Per-night supply pause of a campaign pool stream (production or deliveries)."""

    NONE = 0  #: no pause: arrivals (and any held backlog) arrive
    HELD = 1  #: paused, arrivals held and released the day after the pause
    DROPPED = 2  #: paused, arrivals dropped
