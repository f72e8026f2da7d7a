"""The raid engines as a registry with capabilities, and the one call that runs a night.

Two engines are registered, in the spirit of :mod:`airshield.assign.registry`:

- ``kernel``: the numba kernel (:mod:`airshield.kernels.raid`); fast; runs batches of
  replications in one call; its decision epochs use the greedy assigner only.
- ``reference``: the readable Python engine (:mod:`airshield.raid.reference`); slow; asks any
  registered assigner at each decision epoch.

``engine="auto"`` (the default everywhere) picks the fastest engine that can run the scenario's
assigner and says why in :attr:`EngineChoice.note`; asking for ``kernel`` with an assigner it
cannot run is an error (:class:`EngineUnavailable`), never a silent fallback. Results record the
engine that actually ran.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airshield.interrupts import holds_interrupts
from airshield.kernels.raid import (
    NightArrays,
    NightExtra,
    Scratch,
    Windows,
    new_windows,
    run_night,
    windows_of,
)
from airshield.raid.compile import CompiledRaid, Night
from airshield.vocab import Fate

I = NDArray[np.int64]


class EngineFeature(enum.StrEnum):
    """Capability flags of a registered raid engine."""

    ANY_ASSIGNER = "any_assigner"  #: decision epochs may use any registered assigner
    BATCH = "batch"  #: runs many replications in one call (draw, night and tally compiled)
    READABLE = "readable"  #: plain Python, the specification the other engines are tested on


@dataclass(frozen=True)
class EngineInfo:
    """One registered raid engine."""

    name: str
    features: frozenset[EngineFeature]
    description: str
    #: assigners its decision epochs can use (ignored with ANY_ASSIGNER)
    assigners: frozenset[str] = frozenset()
    #: lower is preferred by ``engine="auto"``
    rank: int = 100

    def has(self, feature: EngineFeature) -> bool:
        return feature in self.features

    def runs_assigner(self, assigner: str) -> bool:
        return self.has(EngineFeature.ANY_ASSIGNER) or assigner in self.assigners


ENGINES: dict[str, EngineInfo] = {
    "kernel": EngineInfo(
        "kernel",
        frozenset({EngineFeature.BATCH}),
        "numba kernel: whole replications in compiled code (greedy assigner)",
        assigners=frozenset({"greedy"}),
        rank=0,
    ),
    "reference": EngineInfo(
        "reference",
        frozenset({EngineFeature.ANY_ASSIGNER, EngineFeature.READABLE}),
        "readable Python reference engine (any assigner; about 100x slower)",
        rank=10,
    ),
}
#: names accepted wherever an engine is chosen
ENGINE_NAMES: tuple[str, ...] = ("auto", *ENGINES)


class EngineUnavailable(ValueError):
    """The requested engine cannot run this scenario (unknown name or unsupported assigner)."""


@dataclass(frozen=True)
class EngineChoice:
    """Which engine runs, for what request, and why."""

    requested: str
    engine: str
    note: str = ""


def choose_engine(requested: str, assigner: str) -> EngineChoice:
    """Resolve ``requested`` (``auto`` or a registered name) for a scenario whose doctrine uses
    ``assigner``. ``auto`` takes the best-ranked engine that runs the assigner; a named engine
    that cannot run it raises :class:`EngineUnavailable`."""
    if requested == "auto":
        best = min((e for e in ENGINES.values() if e.runs_assigner(assigner)), key=lambda e: e.rank)
        note = ""
        if best.name != "kernel":
            note = (
                f"assigner {assigner!r} is not available in the kernel (greedy only): "
                f"running the {best.name} engine"
            )
        return EngineChoice(requested, best.name, note)
    info = ENGINES.get(requested)
    if info is None:
        raise EngineUnavailable(
            f"unknown engine {requested!r}; expected one of {', '.join(ENGINE_NAMES)}"
        )
    if not info.runs_assigner(assigner):
        ok = sorted(e.name for e in ENGINES.values() if e.runs_assigner(assigner))
        raise EngineUnavailable(
            f"engine {requested!r} cannot run assigner {assigner!r} (it runs "
            f"{', '.join(sorted(info.assigners))}); use engine 'auto' or one of {', '.join(ok)}"
        )
    return EngineChoice(requested, requested)


@dataclass(frozen=True)
class NightOutcome:
    """What one night did: fate and responsible unit per threat, rounds per unit, stocks left."""

    fate: I  # airshield.vocab.Fate per threat
    agent: I  # unit that destroyed / made lost the threat, -1 otherwise
    fired: I  # rounds fired per unit
    ready_end: I  # ready rounds per unit at the end
    stock_end: I  # pool stock at the end
    fate_time_s: NDArray[np.float64]  # when each threat was destroyed, lost or leaked

    def equals(self, other: NightOutcome) -> bool:
        return all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in ("fate", "agent", "fired", "ready_end", "stock_end", "fate_time_s")
        )


def window_arrays(c: CompiledRaid, night: Night) -> tuple[NDArray[np.generic], ...]:
    """The night's engagement windows as arrays (unit, threat, start, end, envelope start,
    envelope end); see :func:`airshield.kernels.raid.compute_windows`."""
    units, doctrine = c.units(), c.doctrine()
    w, m = windows_of(
        units, doctrine, night.arrays(), new_windows(64 + 4 * c.n_threats), c.physics()
    )
    return tuple(np.ascontiguousarray(a[:m]) for a in w)


@holds_interrupts  # Ctrl-C after the compiled calls, never inside them
def run_kernel(c: CompiledRaid, night: Night) -> NightOutcome:
    """The fast path for one night: closed-form windows and the event loop in numba."""
    units, doctrine, arrays, physics = c.units(), c.doctrine(), night.arrays(), c.physics()
    w, m = windows_of(units, doctrine, arrays, new_windows(64 + 4 * c.n_threats), physics)
    fate, agent, fired, ready, stock, fate_t = run_night(
        units, doctrine, c.loadout(), arrays, w, m, physics, night.extra()
    )
    return NightOutcome(fate, agent, fired, ready, stock, fate_t)


def run_engine(c: CompiledRaid, night: Night, engine: str = "auto") -> NightOutcome:
    """Run one night with ``engine`` (resolved by :func:`choose_engine`)."""
    choice = choose_engine(engine, c.scenario.doctrine.assigner)
    if choice.engine == "kernel":
        return run_kernel(c, night)
    from airshield.raid.reference import run_reference

    return run_reference(c, night)


def warm_up() -> float:
    """Compile the kernel's entry points (or load them from numba's on-disk cache) on a small
    bundled scenario; returns the seconds it took. The CLI runs it, with a line on stderr, before
    the first replications of a fresh install, and the test suite once per session, so that no
    single run or test pays the compilation in its own timing."""
    import time

    from airshield.examples import example_path
    from airshield.raid.compile import compile_scenario, draw_night
    from airshield.raid.montecarlo import kernel_batch
    from airshield.scenario import load_scenario

    t0 = time.perf_counter()
    c = compile_scenario(load_scenario(example_path("one-battery")))
    kernel_batch(c, [np.random.default_rng(0)], stepwise=False)
    run_kernel(c, draw_night(c, np.random.default_rng(0)))
    return time.perf_counter() - t0


def blank_night(c: CompiledRaid) -> tuple[NightArrays, NightExtra]:
    """A night of ``c``'s size with the argument *types* :func:`airshield.kernels.raid.run_batch`
    gives its parts (C-contiguous float64 / int64 / bool arrays of the same dimensions, the
    draws of unused rules empty as there): no threat is tracked or has a route, so the night
    only lets every threat leak. The warm-up groups call the compiled parts with it, so that
    each compiles with the one signature the batch call needs and nothing else (drawing a real
    night would compile the numpy draw path's sensing and mobile dispatch on the way); a test
    checks that the batch call then adds no second signature to any of them."""
    from airshield.kernels import raid as K

    n, nu = c.n_threats, len(c.unit_names)
    doctrine, physics = c.doctrine(), c.physics()
    hcols = doctrine.max_shots if c.units().teams.any_team else 0
    n_ew = doctrine.max_ew if physics.any_hazard else 0
    k_fall = n if physics.lost_harm_share > 0.0 else 0
    f = np.zeros
    night = NightArrays(
        f((n, K.N_ROUTE)), f(n), f(n, np.int64), f(n, np.int64), f(n), f(n, np.bool_),
        np.full(n, np.inf), f((n, doctrine.max_shots + doctrine.max_ew)), f(nu), f(nu),
        np.full(nu, -np.inf), f(n), f((n, hcols)), f((n, hcols)),
    )  # fmt: skip
    return night, NightExtra(f((n, physics.n_c2)), f((n, n_ew)), f(k_fall))


def _one_battery() -> CompiledRaid:
    """The small bundled scenario the warm-up groups compile with."""
    from airshield.examples import example_path
    from airshield.raid.compile import compile_scenario
    from airshield.scenario import load_scenario

    return compile_scenario(load_scenario(example_path("one-battery")))


def _event_loop_args(c: CompiledRaid) -> tuple[NightArrays, NightExtra, Windows, Scratch]:
    """A blank night of ``c``, empty windows and the event loop's scratch, of the types the
    batch call gives the event loop; the scratch from the Python bodies of its builders (the
    same types), whose compilation belongs to ``raid-parts``."""
    from airshield.kernels import raid as K

    n, nu = c.n_threats, len(c.unit_names)
    night, extra = blank_night(c)
    n_dyn = K.dynamic_event_bound_jit.py_func(n, nu, c.doctrine())
    sc = K.new_scratch.py_func(n, nu, 64, n_dyn)
    i64, f64 = np.empty(64, np.int64), np.empty(64)
    return night, extra, Windows(i64, i64.copy(), f64, f64.copy(), f64.copy(), f64.copy()), sc


def _event_loop_callees(c: CompiledRaid) -> None:
    """Compile (or load) the functions the event loop calls rather than inlines, with its
    argument types: ``raid-parts`` does this first, so that ``raid-night``, compiling side by
    side, finds them in numba's cache when its type inference reaches the calls (about 2 s of
    its CPU) instead of compiling them too."""
    from airshield.kernels import raid as K

    night, _extra, w, sc = _event_loop_args(c)
    K._static_events(night, w, 0, sc)
    route = night.routes[0]
    K.intercept_time(route, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0)
    K.intercept_range_fraction(route, 0.0, 0.0, 0.0, 1.0)
    physics = c.physics()
    K.pk_at(physics.pk_npts[0, 0], physics.pk_rf[0, 0], physics.pk_val[0, 0], 0.5, 0.5)


def _tally_args(
    c: CompiledRaid,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], I]:
    """A night of ``c`` in which every threat leaked, for the tallies: fate, target, agent,
    rounds fired per unit and the pools' stock, of the batch call's types."""
    n, nu = c.n_threats, len(c.unit_names)
    fate = np.full(n, int(Fate.LEAKED), np.int64)
    agent = np.full(n, -1, np.int64)
    return fate, np.zeros(n, np.int64), agent, np.zeros(nu, np.int64), c.loadout().stock.copy()


def warm_up_night() -> float:
    """Compile (or load) the event loop, called with the types the batch call gives it
    (:func:`blank_night`), on a small bundled scenario, then the tally and its buffer (which
    even out the two groups: ``raid-parts`` compiles the event loop's callees); returns the
    seconds it took (:mod:`airshield.warmup` group ``raid-night``, the largest part of the raid
    kernel)."""
    import time

    from airshield.kernels import raid as K
    from airshield.raid.montecarlo import empty_tally

    t0 = time.perf_counter()
    c = _one_battery()
    night, extra, w, sc = _event_loop_args(c)
    K.run_night_into(c.units(), c.doctrine(), c.loadout(), night, w, 0, sc, c.physics(), extra)
    fate, target, agent, fired, stock = _tally_args(c)
    out = empty_tally(c, 1)
    K.tally_into(c.scene(), c.units(), c.loadout(), target, fate, agent, fired, stock, out, 0)
    return time.perf_counter() - t0


def warm_up_single() -> float:
    """Compile (or load) the single-night call (sample nights, traces, kernel-against-reference
    checks: :func:`run_kernel`) on a small bundled scenario drawn by numpy; returns seconds
    (:mod:`airshield.warmup` group ``raid-single``, after ``raid-night`` and ``raid-parts``,
    whose event loop, windows, sensing and mobile dispatch it loads from the cache)."""
    import time

    from airshield.raid.compile import draw_night

    t0 = time.perf_counter()
    c = _one_battery()
    run_kernel(c, draw_night(c, np.random.default_rng(0)))
    return time.perf_counter() - t0


def warm_up_parts() -> float:
    """Compile (or load) the functions the event loop calls (first), and the parts of the batch
    call other than the event loop and its tally (the compiled draw, sensing, cue errors, mobile
    dispatch, windows, scratch and the tally of harmful falls), each called with the argument
    types :func:`airshield.kernels.raid.run_batch` gives it, so that its compilation finds them
    in the cache (:mod:`airshield.warmup` group ``raid-parts``); returns seconds."""
    import time

    from airshield.kernels import raid as K
    from airshield.raid.montecarlo import draw_blocks, empty_tally, kernel_draw

    t0 = time.perf_counter()
    c = _one_battery()
    _event_loop_callees(c)  # first: raid-night, side by side, then finds them in the cache
    d = kernel_draw(c, np.random.default_rng(0))
    n, nu = c.n_threats, len(c.unit_names)
    units, doctrine, physics = c.units(), c.doctrine(), c.physics()
    cue = np.empty(n)
    K.cue_errors(c.scene().tracks, d.s_idx, cue)
    ux, uy, ur = np.empty(nu), np.empty(nu), np.empty(nu)
    K.dispatch_mobiles(units, d.routes, d.speed, d.pkind, d.t_track, d.recognised, ux, uy, ur)
    night, _extra = blank_night(c)
    K.windows_of(units, doctrine, night, K.new_windows(64), physics)
    n_dyn = K.dynamic_event_bound_jit(n, nu, doctrine)
    K.scratch_fits(K.new_scratch(n, nu, 64, n_dyn), n, 0, n_dyn)
    fate = _tally_args(c)[0]
    u3 = draw_blocks(c, [np.random.default_rng(0)])[5]
    K.tally_falls_into(c.scene(), physics, d.routes, fate, np.zeros(n), u3[0, n * physics.n_c2 :],
                       empty_tally(c, 1), 0)  # fmt: skip
    return time.perf_counter() - t0


def warm_up_batch() -> float:
    """Like :func:`warm_up`, for the whole-replication batch call only (what Monte Carlo runs
    use; :mod:`airshield.warmup` compiles it first, the single-night call after it)."""
    import time

    from airshield.examples import example_path
    from airshield.raid.compile import compile_scenario
    from airshield.raid.montecarlo import kernel_batch
    from airshield.scenario import load_scenario

    t0 = time.perf_counter()
    kernel_batch(
        compile_scenario(load_scenario(example_path("one-battery"))),
        [np.random.default_rng(0)],
        stepwise=False,
    )
    return time.perf_counter() - t0
