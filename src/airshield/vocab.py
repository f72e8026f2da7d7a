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


class Route(enum.IntEnum):
    """Columns of a threat's route row ``routes[j]``: two straight segments (launch -> waypoint
    -> aim point), flown at constant speed, each at its own altitude. km, s."""

    X0 = 0
    Y0 = 1
    X1 = 2
    Y1 = 3
    X2 = 4
    Y2 = 5
    T0 = 6  #: launch time
    T1 = 7  #: waypoint time
    T2 = 8  #: impact time
    ALT0 = 9  #: altitude of the first segment
    ALT1 = 10  #: altitude of the second segment


#: number of columns of a route row
ROUTE_COLS = len(Route)


class PauseCode(enum.IntEnum):
    """Per-night supply pause of a campaign pool stream (production or deliveries)."""

    NONE = 0  #: no pause: arrivals (and any held backlog) arrive
    HELD = 1  #: paused, arrivals held and released the day after the pause
    DROPPED = 2  #: paused, arrivals dropped
