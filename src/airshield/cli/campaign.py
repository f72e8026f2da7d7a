"""``airshield campaign``: run a campaign, compare variants, split pools across regions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from airshield import fmt
from airshield.cli.kit import (
    DEFAULT_WORKERS,
    BasemapOpt,
    Workers,
    console,
    err_console,
    print_json,
    raid_kernel_ready,
    resolve_workers,
    validate_files,
)

ModeOpt = Annotated[
    Literal["fast", "detailed"],
    typer.Option(help="fast (surrogate) or detailed (raid engine each night)"),
]
RepsOpt = Annotated[int, typer.Option(min=1, help="replications")]
SeedOpt = Annotated[int, typer.Option(help="root seed (numpy SeedSequence)")]
DesignSeedOpt = Annotated[
    int | None,
    typer.Option(
        help="seed of the fast-mode surrogate's design (default 20250604; recorded in the "
        "result); the run's --seed does not change the fitted surrogate"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _design(seed: int | None) -> Any:
    """The surrogate design for ``--design-seed`` (None: the default design)."""
    if seed is None:
        return None
    from airshield.campaign.surrogate import DesignSpec

    return DesignSpec(seed=seed)


def _num(x: float | None, money: bool = False) -> str:
    return fmt.money(x) if money else fmt.count(x)


def _band(b: dict[str, float] | None, money: bool = False) -> str:
    return fmt.band(b, "money" if money else "count")


def _depletion(d: dict[str, Any]) -> str:
    share = d["share_depleted"]
    if share == 0:
        return "never"
    dates = d["date"]
    p50 = dates["p50"] or "later"
    if dates["p5"] == dates["p95"]:
        return f"{share:.0%}: {p50}"
    lo = (dates["p5"] or "later")[5:]
    hi = (dates["p95"] or "later")[5:] if dates["p95"] else "later"
    return f"{share:.0%}: {p50} [{lo}…{hi}]"


def print_campaign_summary(s: dict[str, Any]) -> None:
    """Print a campaign summary (from CampaignResult.summary()) as tables: mean [5–95 %]."""
    console.print(
        f"[bold]{s['campaign']}[/bold]  {s['start_date']} to {s['end_date']} ({s['nights']} nights)"
        f"  mode={s['mode']}  reps={s['reps']}  seed={s['seed']}  raid={s['raid']}"
        f"  hash={s['campaign_hash']}  airshield {s['version']}"
    )
    a = s["attacker"]
    by_type = ", ".join(f"{k} {v:,}" for k, v in a["launched_by_type"].items())
    console.print(
        f"attacker: {a['launched']:,} launched on {a['raid_nights']} raid nights ({by_type}); "
        f"largest raid {a['largest_raid']:,}; {a['stock_end']:,} left in stock; "
        f"cost {_num(a['cost_usd'], True)}"
    )
    t = s["totals"]
    tab = Table(title="Campaign totals: mean [5–95 %] across replications")
    tab.add_column("quantity")
    tab.add_column("value", justify="right")
    rows = [
        ("destroyed", _band(t["destroyed"])),
        ("lost (EW)", _band(t["lost"])),
        ("leaked, harmful", _band(t["leaked_harmful"])),
        ("decoys leaked", _band(t["decoy_leaked"])),
        ("damage", _band(t["damage_usd"], True)),
        ("rounds fired (cost)", _band(t["rounds_cost_usd"], True)),
        ("purchases", _band(t["purchase_cost_usd"], True)),
        ("attacker cost", _num(t["attacker_cost_usd"], True)),
        ("defender $ per threat defeated", _band(t["defender_usd_per_threat_defeated"], True)),
        ("attacker $ per harmful leaker", _band(t["attacker_usd_per_harmful_leaker"], True)),
        ("exchange ratio (rounds $ / attacker $)", _band(t["exchange_ratio"])),
    ]
    for r in rows:
        tab.add_row(*r)
    console.print(tab)
    pt = Table(
        title="Pools: rounds over the campaign, mean [5–95 %]; depletion: share, date p50 [p5…p95]"
    )
    pt.add_column("pool", no_wrap=True)
    for col in ("start", "produced", "delivered", "diverted", "fired", "end", "empty",
                "short of magazines"):  # fmt: skip
        pt.add_column(col, justify="right")
    for p in s["pools"]:
        cells = [p["pool"], f"{p['stock_start']:,}"]
        for k in ("produced", "delivered", "diverted", "fired", "stock_end"):
            cells.append(_band(p[k]))
        cells += [_depletion(p["depletion"]["empty"]), _depletion(p["depletion"]["short"])]
        pt.add_row(*cells)
    console.print(pt)


def print_differences(df: Any, level: float) -> None:
    """Print a Comparison.differences() frame: one table per variant."""
    for variant, g in df.groupby("variant", sort=False):
        base = g["baseline"].iloc[0]
        tab = Table(
            title=f"{variant} − {base}: mean paired difference [{level:.0%} interval]"
            + (
                f"; nights until empty: 'never' = not within the {g['horizon_nights'].iloc[0]}"
                "-night horizon"
                if "horizon_nights" in g.columns
                else ""
            )
        )
        for col in ("metric", base, str(variant), "difference"):
            tab.add_column(col, justify="left" if col == "metric" else "right")
        for r in g.itertuples(index=False):
            kind = fmt.kind_of(r.metric)
            horizon = int(getattr(r, "horizon_nights", 0) or 0)
            if r.metric.endswith(".nights_to_empty") and horizon:
                a, b = (fmt.nights_or_never(v, horizon) for v in (r.baseline_mean, r.variant_mean))
            else:
                a, b = fmt.number(r.baseline_mean, kind), fmt.number(r.variant_mean, kind)
            tab.add_row(
                fmt.label(r.metric), a, b, fmt.diff(r.diff_mean, r.diff_lo, r.diff_hi, kind)
            )
        console.print(tab)


def _check_mode(mode: str) -> None:
    from airshield.campaign.engine import MODES

    if mode not in MODES:
        err_console.print(f"error: --mode: expected one of {MODES}, got {mode!r}")
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add the ``campaign`` sub-commands to the ``airshield`` app."""
    camp = typer.Typer(
        name="campaign",
        help="Interceptor stocks, production, deliveries, pauses and diversions over many nights.",
        no_args_is_help=True,
    )

    @camp.command("validate")
    def validate(
        files: Annotated[list[Path], typer.Argument(help="campaign YAML file(s)")],
    ) -> None:
        """Check campaign files (and their raid templates): file:line: field: expectation."""
        from airshield.campaign import attacker_plan, load_campaign

        def describe(c: Any) -> str:
            plan = attacker_plan(c)
            return (
                f"{c.n_nights} nights from {c.start_date}, raid template {c.raid!r}, "
                f"{len(c.defender.pools)} pools, {int(plan.launched.sum()):,} threats launched "
                f"(largest raid {int(plan.raid_sizes.max()):,})"
            )

        validate_files(files, load_campaign, describe)

    @camp.command("run")
    def run(
        file: Annotated[Path, typer.Argument(help="campaign YAML file")],
        mode: ModeOpt = "fast",
        reps: RepsOpt = 1000,
        seed: SeedOpt = 0,
        out: Annotated[
            Path | None,
            typer.Option(help="write one row per replication, night and pool to this Parquet file"),
        ] = None,
        json_out: JsonOpt = False,
        workers: Workers = DEFAULT_WORKERS,
        report: Annotated[Path | None, typer.Option(help="write an HTML report")] = None,
        design_seed: DesignSeedOpt = None,
        basemap: BasemapOpt = "vector",
    ) -> None:
        """Run a campaign: stocks with bands, depletion dates, leakers, damage and costs."""
        from airshield.campaign import load_campaign, run_campaign

        _check_mode(mode)
        c = load_campaign(file)
        raid_kernel_ready()
        result = run_campaign(
            c, mode, reps, seed, design=_design(design_seed), workers=resolve_workers(workers),
            progress=not json_out,
        )  # fmt: skip
        if out is not None:
            result.to_parquet(out)
        if report is not None:
            from airshield.report import write_campaign_report
            from airshield.report.basemap import check_basemap

            write_campaign_report(result, c, report, basemap=check_basemap(basemap))
        if json_out:
            print_json(result.summary())
            return
        print_campaign_summary(result.summary())
        if out is not None:
            console.print(
                f"wrote {result.reps * result.nights * len(result.pool_names):,} rows to {out}"
            )
        if report is not None:
            console.print(f"wrote report {report}")
        sur = result.info.get("surrogate")
        extra = ""
        if sur:
            extra = (
                " (surrogate from cache)"
                if sur.get("cached")
                else f" (surrogate fit {sur['fit_s']:.1f} s)"
            )
        console.print(
            f"{result.reps} replications × {result.nights} nights in {result.elapsed_s:.2f} s{extra}"
        )

    @camp.command("compare")
    def compare(
        files: Annotated[
            list[Path], typer.Argument(help="campaign variants; the first is the baseline")
        ],
        mode: ModeOpt = "fast",
        reps: RepsOpt = 1000,
        seed: SeedOpt = 0,
        level: Annotated[float, typer.Option(min=0.5, max=0.999, help="interval level")] = 0.95,
        json_out: JsonOpt = False,
        workers: Workers = DEFAULT_WORKERS,
        out: Annotated[
            Path | None, typer.Option(help="write the differences to this CSV file")
        ] = None,
        design_seed: DesignSeedOpt = None,
    ) -> None:
        """Run variants with common random numbers; print paired differences with intervals."""
        from airshield.campaign import compare_campaigns, load_campaign

        _check_mode(mode)
        if len(files) < 2:
            err_console.print("error: compare needs at least two campaign files")
            raise typer.Exit(2)
        camps = [load_campaign(f) for f in files]
        raid_kernel_ready()
        names = [f.stem for f in files]
        if len(set(names)) != len(names):
            names = [str(f) for f in files]
        cmp = compare_campaigns(
            camps, names, mode, reps, seed, design=_design(design_seed),
            workers=resolve_workers(workers), progress=not json_out,
        )  # fmt: skip
        cmp.level = level
        diff = cmp.differences()
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            diff.to_csv(out, index=False)
        if json_out:
            print_json(cmp.summary())
            return
        console.print(
            f"{len(camps)} variants, mode={mode}, reps={reps}, seed={seed}: common random numbers, "
            "differences paired replication by replication"
        )
        print_differences(diff, level)
        if out is not None:
            console.print(f"wrote {len(diff)} rows to {out}")

    @camp.command("allocate")
    def allocate(
        file: Annotated[Path, typer.Argument(help="regional allocation YAML file")],
        reps: RepsOpt = 200,
        seed: SeedOpt = 0,
        json_out: JsonOpt = False,
        workers: Workers = DEFAULT_WORKERS,
    ) -> None:
        """Split pools across regions to minimise expected weighted leakers (LP, simulation check)."""
        from airshield.plan.allocation import allocate_regions, load_allocation

        spec = load_allocation(file)
        res = allocate_regions(
            spec, reps=reps, seed=seed, workers=resolve_workers(workers), progress=not json_out
        )
        if json_out:
            print_json(res.summary())
            return
        print_allocation(res.summary())

    app.add_typer(camp, name="campaign")


def print_allocation(s: dict[str, Any]) -> None:
    """Print an allocation summary (from AllocationResult.summary())."""
    console.print(f"[bold]{s['name']}[/bold]: {s['method']}; reps={s['reps']} seed={s['seed']}")
    tab = Table(title="Share of each pool per region: optimised (proportional)")
    tab.add_column("region")
    for p in s["pools"]:
        tab.add_column(p, justify="right")
    for r in s["regions"]:
        tab.add_row(
            r["region"],
            *(f"{r['optimised'][p]:.0%} ({r['proportional'][p]:.0%})" for p in s["pools"]),
        )
    console.print(tab)
    ev = Table(
        title="Expected weighted leakers over the campaign (fast model, common random numbers)"
    )
    for col in ("split", "weighted leakers", "harmful leakers", "LP estimate"):
        ev.add_column(col, justify="left" if col == "split" else "right")
    for name in ("proportional", "optimised"):
        e = s["evaluation"][name]
        ev.add_row(
            name, _band(e["weighted_leakers"]), _band(e["leaked_harmful"]), _num(e["lp_estimate"])
        )
    console.print(ev)
    d = s["evaluation"]["difference"]
    console.print(
        f"optimised − proportional: {_num(d['mean'])} weighted leakers "
        f"[{_num(d['lo'])}, {_num(d['hi'])}] ({d['level']:.0%} paired interval)"
    )
