"""From a sweep spec to a checked plan: every path resolved, every cell's scenario validated.

:func:`load_plan` does all the checking a sweep needs before any work starts: the spec, the base
scenario, every parameter path (reported with the spec file, line and the keys available there),
and the scenario of every cell. Cells are numbered in canonical order (the product of the axes,
last axis fastest); cell ``k`` is seeded from ``SeedSequence(seed).spawn(n_cells)[k]``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from airshield.errors import Problem, ScenarioError
from airshield.scenario import Scenario, validate_scenario_data
from airshield.scenario.yamlio import Loc, line_for, parse_yaml, read_yaml, validate_data
from airshield.sweep.paths import (
    DERIVED,
    PathError,
    ResolvedPath,
    apply_value,
    check_derived,
    coerce,
    resolve_path,
)
from airshield.sweep.spec import GridAxis, LhsAxis, ListAxis, RaidBase, SweepSpec

FORMAT = "airshield-sweep/1"
#: columns every output table starts with; parameter names may not take them
RESERVED = frozenset(
    {"cell", "seed", "rep", "reps", "threat_type", "kind", "effector_type", "asset", "batch"}
)
MAX_REPORTED = 20
TARGET_REPS_PER_BATCH = 2000


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: its column name, path, resolution, axis and spec line."""

    name: str
    path: str
    resolved: ResolvedPath
    axis: int
    axis_kind: str
    line: int | None
    column_type: str = "float64"  # int64 | float64 | bool | string


@dataclass(frozen=True)
class Cell:
    """One cell of the sweep: parameter values, seed and validated scenario (JSON)."""

    index: int
    values: tuple[Any, ...]  # in the order of SweepPlan.parameters
    seed: int
    scenario_json: str  # the raid scenario, or the campaign
    template_json: str | None = None  # a campaign's raid template


@dataclass
class BaseInfo:
    """The base of a sweep: its parsed data (with line numbers) and the validated model."""

    kind: str  # 'raid' | 'campaign'
    data: dict[str, Any]
    lines: dict[Loc, int]
    path: str | None
    model: Any  # Scenario | Campaign
    template: Scenario  # the raid scenario itself, or the campaign's raid template
    template_data: dict[str, Any]
    template_lines: dict[Loc, int]
    template_path: str | None
    template_json: str

    @property
    def name(self) -> str:
        return str(self.model.name)

    def content_hash(self) -> str:
        return str(self.model.content_hash())


@dataclass
class SweepPlan:
    """A validated sweep, ready to run: the cells in canonical order and their seeds."""

    spec: SweepSpec
    spec_path: str | None
    base_info: BaseInfo
    parameters: list[Parameter]
    cells: list[Cell]
    batch_cells: int
    fingerprint: str
    base_hash: str
    #: the on-disk format of its directory (read by :class:`airshield.store.SweepStore`)
    format: ClassVar[str] = FORMAT

    def cells_table(self) -> Any:
        """Every cell as a pyarrow table: index, seed, batch and parameter values."""
        import pyarrow as pa

        from airshield.sweep.worker import ARROW_TYPES

        cols: dict[str, Any] = {
            "cell": pa.array([c.index for c in self.cells], pa.int64()),
            "seed": pa.array([c.seed for c in self.cells], pa.uint64()),
            "batch": pa.array([c.index // self.batch_cells for c in self.cells], pa.int64()),
        }
        for j, p in enumerate(self.parameters):
            cols[p.name] = pa.array([c.values[j] for c in self.cells], ARROW_TYPES[p.column_type])
        return pa.table(cols)

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def n_batches(self) -> int:
        return math.ceil(len(self.cells) / self.batch_cells)

    def batch(self, b: int) -> list[Cell]:
        """The cells of batch ``b``: ``[b * batch_cells, (b + 1) * batch_cells)``."""
        return self.cells[b * self.batch_cells : (b + 1) * self.batch_cells]

    def cell_values(self, k: int) -> dict[str, Any]:
        return {p.name: v for p, v in zip(self.parameters, self.cells[k].values, strict=True)}

    @property
    def base(self) -> Any:
        """The validated base: a :class:`Scenario`, or a :class:`~airshield.campaign.Campaign`."""
        return self.base_info.model

    @property
    def base_data(self) -> dict[str, Any]:
        return self.base_info.data

    def cell_scenario(self, k: int) -> Any:
        """The validated scenario (or campaign, with its raid template attached) of cell ``k``;
        run it with seed ``cells[k].seed``."""
        return cell_model(
            self.spec.base.kind, self.cells[k].scenario_json, self.cells[k].template_json
        )


def cell_model(kind: str, scenario_json: str, template_json: str | None) -> Any:
    """A cell's model from its JSON: a Scenario, or a Campaign with its template attached."""
    if kind == "campaign":
        from airshield.campaign import Campaign

        assert template_json is not None
        tpl = Scenario.model_validate_json(template_json)
        return Campaign.model_validate_json(scenario_json).with_template(tpl)
    return Scenario.model_validate_json(scenario_json)


def cell_seeds(root: int, n: int) -> list[int]:
    """Seed of each cell: 64 bits of ``SeedSequence(root).spawn(n)[k]``.

    The integer is what :func:`airshield.raid.simulate` takes, so a cell can be rerun on its own
    (``airshield run cell.yaml --seed S``); replication ``r`` of cell ``k`` then uses child
    ``r`` of ``SeedSequence(S)``, on whatever machine and in whatever order it runs.
    """
    return [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(root).spawn(n)]


def _default_name(path: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in path).strip("_")
    while "__" in out:
        out = out.replace("__", "_")
    if not out or out[0].isdigit():
        out = f"p_{out}"
    return out


def _linspace(a: GridAxis) -> list[float]:
    assert a.start is not None and a.stop is not None and a.num is not None
    if a.log:
        return [float(x) for x in np.geomspace(a.start, a.stop, a.num)]
    return [float(x) for x in np.linspace(a.start, a.stop, a.num)]


#: entropy word of the Latin-hypercube samples (ASCII "LHS"): LHS axis ``a`` draws from
#: ``SeedSequence([seed, LHS_STREAM, a])``, a stream apart from the cells'
#: ``SeedSequence(seed).spawn(n_cells)`` and from every replication's
LHS_STREAM = 0x4C4853


def _lhs(
    axis: LhsAxis, resolved: list[ResolvedPath], root: int, axis_index: int
) -> list[list[Any]]:
    from scipy.stats import qmc

    ss = np.random.SeedSequence([root, LHS_STREAM, axis_index])
    u = qmc.LatinHypercube(d=len(axis.parameters), rng=np.random.default_rng(ss)).random(
        axis.samples
    )
    cols: list[list[Any]] = []
    for j, (r, rp) in enumerate(zip(axis.parameters, resolved, strict=True)):
        integer = rp.integer if r.integer is None else r.integer
        x = u[:, j]
        if integer:
            lo, hi = math.ceil(r.low), math.floor(r.high)
            if hi < lo:
                raise ValueError(f"no whole number between low={r.low} and high={r.high}")
            if r.log:
                lo_l, hi_l = math.log(max(lo, 1e-300)), math.log(hi + 1)
                vals = np.floor(np.exp(lo_l + x * (hi_l - lo_l)))
            else:
                vals = np.floor(lo + x * (hi - lo + 1))
            cols.append([int(min(max(v, lo), hi)) for v in vals])
        elif r.log:
            cols.append([float(v) for v in np.exp(np.log(r.low) + x * np.log(r.high / r.low))])
        else:
            cols.append([float(v) for v in r.low + x * (r.high - r.low)])
    return [list(row) for row in zip(*cols, strict=True)]


def _column_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return "string"


def _cast(value: Any, column_type: str) -> Any:
    if column_type == "float64":
        return float(value)
    if column_type == "string":
        return str(value)
    return value


def _find_file(src: str, field_name: str, spec_path: str | None, lines: dict[Loc, int]) -> Path:
    """A base file: relative to the spec's folder, absolute, or a bundled example's name."""
    here = Path(spec_path).parent if spec_path else Path.cwd()
    p = Path(src) if Path(src).is_absolute() else here / src
    if not p.exists() and "/" not in src and not src.endswith((".yaml", ".yml")):
        from airshield.examples import example_path

        try:
            p = example_path(src)
        except FileNotFoundError:
            pass
    if not p.exists():
        raise ScenarioError(
            spec_path,
            [Problem(f"base.{field_name}", f"file {str(p)!r} not found (relative to the spec "
                     "file, or a bundled example name)", line_for(("base", field_name), lines))],
        )  # fmt: skip
    return p


def _load_base(spec: SweepSpec, spec_path: str | None, spec_lines: dict[Loc, int]) -> BaseInfo:
    b = spec.base
    if isinstance(b, RaidBase):
        src = b.scenario
        if isinstance(src, dict):
            prefix: Loc = ("base", "scenario")
            lines = {loc[2:]: ln for loc, ln in spec_lines.items() if loc[:2] == prefix}
            data, path = copy.deepcopy(src), spec_path
        else:
            p = _find_file(src, "scenario", spec_path, spec_lines)
            data, lines = read_yaml(p)
            path = str(p)
        sc = validate_scenario_data(data, path, lines)
        return BaseInfo("raid", data, lines, path, sc, sc, data, lines, path, sc.model_dump_json())
    from airshield.campaign.io import campaign_from_data
    from airshield.campaign.models import resolve_raid_path

    p = _find_file(b.campaign, "campaign", spec_path, spec_lines)
    data, lines = read_yaml(p)
    camp = campaign_from_data(data, str(p), lines)
    tpath = resolve_raid_path(str(p), camp.raid)
    tdata, tlines = read_yaml(tpath)
    tpl = camp.template
    return BaseInfo(
        "campaign", data, lines, str(p), camp, tpl, tdata, tlines, str(tpath), tpl.model_dump_json()
    )


def _resolve(ref_path: str, info: BaseInfo, kinds: dict[str, str]) -> ResolvedPath:
    """Resolve one parameter path against the base (a campaign's ``template.`` prefix goes to
    its raid template)."""
    text = ref_path.strip()
    if info.kind == "raid":
        rp = resolve_path(text, info.data)
        check_derived(rp, info.data, kinds)
        return rp
    from airshield.campaign.models import Campaign

    if text in DERIVED:
        raise PathError(
            f"{text} applies to raid bases; a campaign's raid sizes come from its attacker "
            "(e.g. attacker.threats[shahed-136].production_per_day.value), its template's "
            "laydown and doctrine from template.* paths"
        )
    if text == "template" or text.startswith(("template.", "template[")):
        rest = text[len("template") :].lstrip(".")
        if not rest:
            raise PathError("template.<path>: give a path into the raid template")
        return resolve_path(rest, info.template_data, target="template", shown=text)
    return resolve_path(text, info.data, Campaign)


def load_plan(path: str | Path) -> SweepPlan:
    """Read a sweep spec file and check everything before any work starts."""
    data, lines = read_yaml(path)
    return plan_from_data(data, lines, str(path))


def plan_from_text(text: str, path: str | None = None) -> SweepPlan:
    """Like :func:`load_plan`, from YAML text (relative scenario paths are taken from ``path``)."""
    data, lines = parse_yaml(text, path)
    return plan_from_data(data, lines, path)


def plan_from_data(data: Any, lines: dict[Loc, int], spec_path: str | None) -> SweepPlan:
    """Validate parsed spec data into a :class:`SweepPlan` (raises :class:`ScenarioError`)."""
    spec = validate_data(SweepSpec, data, spec_path, lines)
    info = _load_base(spec, spec_path, lines)
    cat = info.template.resolved_catalog()
    kinds: dict[str, str] = {n: str(t.kind) for n, t in cat.threats.items()}

    # ---- every parameter path, all problems at once ------------------------------------------
    problems: list[Problem] = []
    params: list[tuple[str, str, ResolvedPath | None, int, str, int | None]] = []
    for ai, axis in enumerate(spec.parameters):
        refs: list[tuple[Any, Loc]]
        if isinstance(axis, GridAxis):
            refs = [(axis, ("parameters", ai))]
        else:
            refs = [(r, ("parameters", ai, "parameters", j)) for j, r in enumerate(axis.parameters)]
        for ref, loc in refs:
            line = line_for((*loc, "path"), lines)
            name = ref.name or _default_name(ref.path)
            field_name = f"{_fmt_loc(loc)}.path"
            try:
                rp: ResolvedPath | None = _resolve(ref.path, info, kinds)
            except PathError as exc:
                problems.append(Problem(field_name, f"{ref.path}: {exc}", line))
                rp = None
            if name in RESERVED:
                problems.append(
                    Problem(f"{_fmt_loc(loc)}.name", f"{name!r} is a reserved column name; "
                            "give the parameter another `name:`", line_for((*loc, "name"), lines))
                )  # fmt: skip
            params.append((name, ref.path, rp, ai, axis.kind, line))
    seen_names: dict[str, int | None] = {}
    seen_fields: dict[str, str] = {}
    for name, path, rp, _ai, _k, line in params:
        if name in seen_names:
            problems.append(Problem("parameters", f"two parameters are named {name!r} "
                                    f"(lines {seen_names[name]} and {line}); give one a `name:`",
                                    line))  # fmt: skip
        seen_names[name] = line
        if rp is not None:
            if rp.field in seen_fields:
                other = seen_fields[rp.field]
                msg = f"{path!r} sets the same field as {other!r} ({rp.field})"
                problems.append(Problem("parameters", msg, line))
            seen_fields[rp.field] = path
    if problems:
        raise ScenarioError(spec_path, problems)
    resolved = [rp for (_n, _p, rp, _ai, _k, _l) in params]

    # ---- the points of each axis ---------------------------------------------------------------
    axes_points: list[list[list[Any]]] = []
    pi = 0
    for ai, axis in enumerate(spec.parameters):
        width = 1 if isinstance(axis, GridAxis) else len(axis.parameters)
        rps = [r for r in resolved[pi : pi + width] if r is not None]
        try:
            if isinstance(axis, GridAxis):
                vals: list[Any] = list(axis.values) if axis.values is not None else _linspace(axis)
                if rps[0].integer and axis.values is None:
                    vals = [math.floor(v + 0.5) for v in vals]
                pts = [[coerce(rps[0], v)] for v in vals]
                # drop duplicates (rounded ranges), keeping order
                uniq: dict[str, list[Any]] = {}
                for pt in pts:
                    uniq.setdefault(json.dumps(pt), pt)
                pts = list(uniq.values())
            elif isinstance(axis, ListAxis):
                pts = [[coerce(rp, v) for rp, v in zip(rps, pt, strict=True)] for pt in axis.points]
            else:
                assert isinstance(axis, LhsAxis)
                pts = _lhs(axis, rps, spec.seed, ai)
        except ValueError as exc:
            line = line_for(("parameters", ai), lines)
            problems.append(Problem(f"parameters[{ai}]", str(exc), line))
            pts = []
        axes_points.append(pts)
        pi += width
    if problems:
        raise ScenarioError(spec_path, problems)
    n_cells = math.prod(len(p) for p in axes_points)
    if n_cells > spec.max_cells:
        raise ScenarioError(
            spec_path,
            [Problem("parameters", f"the sweep has {n_cells} cells, more than max_cells="
                     f"{spec.max_cells}; raise max_cells if that is intended",
                     line_for(("parameters",), lines))],
        )  # fmt: skip

    rows = [[v for pt in combo for v in pt] for combo in itertools.product(*axes_points)]
    col_types = [_column_type([r[j] for r in rows]) for j in range(len(params))]
    parameters = [
        Parameter(name, p, rp, ai, kind, line, ct)  # type: ignore[arg-type]
        for (name, p, rp, ai, kind, line), ct in zip(params, col_types, strict=True)
    ]

    # ---- every cell's scenario ---------------------------------------------------------------
    seeds = cell_seeds(spec.seed, n_cells)
    cells: list[Cell] = []
    bad_cells = 0
    for k, row in enumerate(rows):
        desc = ", ".join(f"{p.name}={v!r}" for p, v in zip(parameters, row, strict=True))
        try:
            scenario_json, template_json = _build_cell(info, parameters, row, kinds)
        except ValueError as exc:
            bad_cells += 1
            if len(problems) < MAX_REPORTED:
                problems.append(Problem(f"cell {k} ({desc})", str(exc), None))
            continue
        except ScenarioError as exc:
            bad_cells += 1
            for pr in exc.problems:
                if len(problems) >= MAX_REPORTED:
                    break
                line = _param_line(parameters, pr.field)
                where = f" [{exc.path}:{pr.line}]" if pr.line is not None else ""
                problems.append(Problem(f"cell {k} ({desc}): {pr.field}", pr.message + where, line))
            continue
        values = tuple(_cast(v, p.column_type) for p, v in zip(parameters, row, strict=True))
        cells.append(Cell(k, values, seeds[k], scenario_json, template_json))
    if problems:
        if bad_cells > 1:
            problems.append(Problem("cells", f"{bad_cells} of {n_cells} cells are invalid "
                                    f"(the first {MAX_REPORTED} problems are listed)"))  # fmt: skip
        raise ScenarioError(spec_path, problems)

    batch = spec.batch_cells or _auto_batch(spec.reps, n_cells)
    base_hash = info.content_hash()
    fingerprint = _fingerprint(spec, parameters, rows, base_hash, batch)
    return SweepPlan(
        spec=spec,
        spec_path=spec_path,
        base_info=info,
        parameters=parameters,
        cells=cells,
        batch_cells=batch,
        fingerprint=fingerprint,
        base_hash=base_hash,
    )


def _build_cell(
    info: BaseInfo, parameters: list[Parameter], row: list[Any], kinds: dict[str, str]
) -> tuple[str, str | None]:
    """Apply one cell's values to copies of the base data and validate them (raises
    ScenarioError or ValueError). Returns the cell's JSON (and its template's, for campaigns)."""
    data = copy.deepcopy(info.data)
    tdata = None
    if any(p.resolved.target == "template" for p in parameters):
        tdata = copy.deepcopy(info.template_data)
    for p, v in zip(parameters, row, strict=True):
        target = tdata if tdata is not None and p.resolved.target == "template" else data
        apply_value(target, p.resolved, v, kinds)
    if info.kind == "raid":
        sc = validate_scenario_data(data, info.path, info.lines)
        return sc.model_dump_json(), None
    from airshield.campaign.io import campaign_from_data

    tpl = info.template
    tjson = info.template_json
    if tdata is not None:
        tpl = validate_scenario_data(tdata, info.template_path, info.template_lines)
        tjson = tpl.model_dump_json()
    camp = campaign_from_data(data, info.path, info.lines, template=tpl)
    return camp.model_dump_json(), tjson


def _auto_batch(reps: int, n_cells: int) -> int:
    """Cells per batch from the spec alone (never from the worker count, so that the parts
    written are the same files whatever the backend): about 2000 replications a batch, and at
    least 64 batches when there are that many cells."""
    by_reps = max(1, TARGET_REPS_PER_BATCH // reps)
    by_count = max(1, math.ceil(n_cells / 64))
    return max(1, min(by_reps, by_count))


def _fmt_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def _param_line(parameters: list[Parameter], field_path: str) -> int | None:
    for p in parameters:
        f = p.resolved.field.removeprefix("template.")
        if p.resolved.derived is None and (field_path == f or field_path.startswith(f + ".")):
            return p.line
    for p in parameters:
        if p.resolved.derived is not None and field_path.startswith("waves"):
            return p.line
    return None


def _fingerprint(
    spec: SweepSpec, parameters: list[Parameter], rows: list[list[Any]], base_hash: str, batch: int
) -> str:
    """Hash of everything that decides the outputs (not the spec's name or file location)."""
    blob = json.dumps(
        {
            "format": FORMAT,
            "base_kind": spec.base.kind,
            "mode": getattr(spec.base, "mode", None),
            "base_hash": base_hash,
            "reps": spec.reps,
            "seed": spec.seed,
            "engine": spec.engine,
            "outputs": sorted(spec.outputs),
            "batch_cells": batch,
            "parameters": [[p.name, p.path, p.column_type] for p in parameters],
            "cells": rows,
        },
        sort_keys=True,
    ).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def plan_from_dir(out: str | Path) -> SweepPlan:
    """The plan of a sweep directory, rebuilt from its self-contained ``spec.json``."""
    from airshield.store import read_manifest

    man = read_manifest(out)
    p = Path(out) / "spec.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"cannot read the stored spec: {exc}"
        raise ScenarioError(str(p), [Problem("<file>", msg)]) from None
    plan = plan_from_data(data, {}, str(p))
    if plan.fingerprint != man.get("spec_hash"):
        raise ScenarioError(
            str(p), [Problem("spec_hash", f"the stored spec gives {plan.fingerprint}, the manifest "
                             f"says {man.get('spec_hash')} (another airshield version?)")]
        )  # fmt: skip
    return plan
