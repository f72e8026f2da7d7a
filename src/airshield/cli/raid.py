"""Core commands: ``demo``, ``catalog``, ``validate``, ``run``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from airshield import fmt
from airshield.cli.kit import (
    DEFAULT_WORKERS,
    BasemapOpt,
    Workers,
    console,
    err_console,
    print_json,
    resolve_workers,
    validate_files,
)

FileArg = Annotated[Path, typer.Argument(help="scenario YAML file")]


def print_summary(s: dict[str, Any]) -> None:
    """Print a raid summary (from RaidResult.summary()) as tables: mean [5–95 %]."""
    from rich.table import Table

    head = (
        f"[bold]{s['scenario']}[/bold]  reps={s['reps']}  seed={s['seed']}  "
        f"engine={s['engine']}  hash={s['scenario_hash']}  airshield {s['version']}"
    )
    console.print(head)
    if s["interrupted"]:
        console.print(
            f"[yellow]interrupted: {s['reps']} of {s['reps_requested']} replications finished "
            "(figures below are from those)[/yellow]"
        )
    t = Table(title="Outcomes by threat type: mean [5–95 %]")
    for col in ("threat type", "kind", "launched", "destroyed", "lost (EW)", "leaked"):
        t.add_column(col, justify="left" if col in ("threat type", "kind") else "right")
    for row in s["threats"]:
        t.add_row(
            row["threat_type"], row["kind"], fmt.count(row["launched"]["mean"]),
            fmt.band(row["destroyed"]), fmt.band(row["lost"]), fmt.band(row["leaked"]),
        )  # fmt: skip
    tot = s["totals"]
    t.add_row(
        "[bold]total[/bold]", "", fmt.count(tot["launched"]["mean"]), fmt.band(tot["destroyed"]),
        fmt.band(tot["lost"]), fmt.band(tot["leaked"]),
    )  # fmt: skip
    console.print(t)
    e = Table(title="Rounds and cost by effector type: mean [5–95 %]")
    for col in ("effector type", "rounds", "cost", "destroyed", "lost (EW)"):
        e.add_column(col, justify="left" if col == "effector type" else "right")
    for row in s["effectors"]:
        e.add_row(
            row["effector_type"], fmt.band(row["rounds"]), fmt.band(row["cost_usd"], "money"),
            fmt.band(row["destroyed"]), fmt.band(row["lost"]),
        )  # fmt: skip
    console.print(e)
    a = Table(title="Damage by asset: mean [5–95 %]")
    for col in ("asset", "hits", "damage"):
        a.add_column(col, justify="left" if col == "asset" else "right")
    for row in s["assets"]:
        a.add_row(row["asset"], fmt.band(row["hits"]), fmt.band(row["damage_usd"], "money"))
    console.print(a)
    console.print(
        f"harmful leakers {fmt.band(tot['leaked_harmful'])}; decoys leaked {fmt.band(tot['decoy_leaked'])}; "
        f"defender cost {fmt.band(tot['defender_cost_usd'], 'money')} vs attacker cost "
        f"{fmt.money(tot['attacker_cost_usd'])}"
    )


def _print_sources(rows: Sequence[Mapping[str, str]]) -> None:
    """The catalogue's sources (``Catalog.source_rows``) as a table: id, title, publisher, date."""
    from rich.table import Table

    src = Table(title="Sources")
    for col in ("id", "title", "publisher", "date"):
        src.add_column(col)
    for row in rows:
        src.add_row(row["id"], row["title"], row["publisher"], row["date"])
    console.print(src)


def register(app: typer.Typer) -> None:
    """Add the core commands to the ``airshield`` app."""

    @app.command()
    def demo(
        reps: Annotated[int, typer.Option(min=1, help="replications")] = 1000,
        seed: Annotated[int, typer.Option(help="root seed")] = 20250704,
        workers: Workers = DEFAULT_WORKERS,
    ) -> None:
        """Run the bundled reference raid (night to 4 July 2025, notional laydown) and print the summary."""
        from airshield.examples import DEFAULT_SCENARIO, example_path

        path = example_path(DEFAULT_SCENARIO)
        console.print(f"demo: {path.name} (notional laydown; see the file's header)")
        _run(path, reps, seed, None, False, workers, "auto", None, "vector")

    @app.command()
    def catalog(
        sources: Annotated[
            bool,
            typer.Option(
                "--sources",
                help="list every number with its unit, confidence (H/M/L) and source",
            ),
        ] = False,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """List threat and effector types with units; every number has a source, a date and a
        confidence tag (H high, M medium, L low or notional)."""
        from rich.table import Table

        from airshield.catalog import load_catalog, pk_curve_table

        cat = load_catalog()
        if sources:
            from airshield.catalog import TEXT_ATTRIBUTES

            titles = {r["id"]: r for r in cat.source_rows}
            # the points of the Pk curves, in the same long form (each curve with its tag)
            curve_rows = [
                {
                    "type": e.name,
                    "attribute": f"pk_{kind}_at_range_fraction_{p['range_fraction']:g}",
                    "value": f"{p['pk']:g}",
                    "unit": "probability",
                    "confidence": c["confidence"],
                    "source": c["source"],
                }
                for e in cat.effectors.values()
                for kind, c in pk_curve_table(e).items()
                if c["source"] != "flat"
                for p in c["points"]
            ]
            tables = tuple(
                (which, [r for r in rows if r["attribute"] not in TEXT_ATTRIBUTES])
                for which, rows in (
                    ("threats", cat.threat_rows),
                    ("effectors", cat.effector_rows),
                    ("pk_curves", curve_rows),
                    ("anchors", cat.anchor_rows),
                )
            )
            if json_out:
                numbers = [
                    {
                        "table": which,
                        **{k: r[k] for k in ("type", "attribute", "value", "unit")},
                        "confidence": r["confidence"],
                        "source": r["source"],
                        "source_title": titles[r["source"]]["title"],
                        "source_date": titles[r["source"]]["date"],
                    }
                    for which, rows in tables
                    for r in rows
                ]
                print_json({"numbers": numbers, "sources": [dict(r) for r in cat.source_rows]})
                return
            heads = {
                "threats": "Threat types",
                "effectors": "Effector types",
                "pk_curves": "Pk curves by range (points; one tag per curve)",
                "anchors": "Public anchors (not engine inputs)",
            }
            for which, rows in tables:
                t = Table(
                    title=f"{heads[which]}: every number with its confidence "
                    "(H high, M medium, L low/notional) and source"
                )
                for col in ("type", "attribute", "value", "unit", "confidence", "source", "date"):
                    t.add_column(col, justify="right" if col == "value" else "left")
                for r in rows:
                    t.add_row(
                        r["type"], r["attribute"], r["value"], r["unit"], r["confidence"],
                        r["source"], titles[r["source"]]["date"],
                    )  # fmt: skip
                console.print(t)
            _print_sources(cat.source_rows)
            return
        if json_out:
            print_json(
                {
                    "threats": [t.model_dump() for t in cat.threats.values()],
                    # pk_curve: per threat kind, points of range_fraction and pk (flat where
                    # the type has no curve), used with `engagement: {pk_model: range}`
                    "effectors": [
                        {**e.model_dump(), "pk_curve": pk_curve_table(e)}
                        for e in cat.effectors.values()
                    ],
                    "anchors": [dict(r) for r in cat.anchor_rows],
                    "sources": [dict(r) for r in cat.source_rows],
                }
            )
            return
        tt = Table(title="Threat types (notional = not from public reporting; see --sources)")
        for col in (
            "name",
            "kind",
            "speed km/h",
            "altitude km",
            "range km",
            "warhead kg",
            "cost USD",
        ):
            tt.add_column(col)
        for th in cat.threats.values():
            tt.add_row(
                th.name, th.kind, f"{th.speed_kmh:g}",
                f"{th.altitude_min_km:g}–{th.altitude_max_km:g}"
                + (f" (median {th.altitude_q50_km:g})" if th.altitude_q50_km is not None else ""),
                f"{th.range_km:g}",
                f"{th.warhead_kg:g}", f"{th.cost_usd:,.0f}",
            )  # fmt: skip
        console.print(tt)
        et = Table(title="Effector types (Pk by threat kind: drone / decoy / cruise / ballistic)")
        for col in (
            "name",
            "kind",
            "range km",
            "ceiling km",
            "cost/shot USD",
            "Pk",
            "channels",
            "rounds",
        ):
            et.add_column(col)
        for e in cat.effectors.values():
            pk = e.pk
            et.add_row(
                e.name, e.kind, f"{e.range_min_km:g}–{e.range_max_km:g}", f"{e.altitude_max_km:g}",
                f"{e.cost_per_shot_usd:,.0f}",
                f"{pk.drone:.2f}/{pk.decoy:.2f}/{pk.cruise_missile:.2f}/{pk.ballistic_missile:.2f}",
                str(e.channels), str(e.ready_rounds),
            )  # fmt: skip
        console.print(et)
        _print_sources(cat.source_rows)

    @app.command()
    def validate(
        files: Annotated[list[Path], typer.Argument(help="scenario YAML file(s)")],
    ) -> None:
        """Check scenario files; every problem is printed as file:line: field: expectation."""
        from airshield.scenario import load_scenario

        validate_files(
            files,
            load_scenario,
            lambda sc: (
                f"{len(sc.assets)} assets, {sc.total_fire_units()} fire units, "
                f"{len(sc.waves)} waves, {sc.total_threats()} threats"
            ),
        )

    @app.command()
    def run(
        file: FileArg,
        reps: Annotated[int, typer.Option(min=1, help="replications")] = 1000,
        seed: Annotated[int, typer.Option(help="root seed (numpy SeedSequence)")] = 0,
        out: Annotated[
            Path | None, typer.Option(help="write per-replication rows to this Parquet file")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
        workers: Workers = DEFAULT_WORKERS,
        engine: Annotated[
            Literal["auto", "kernel", "reference"],
            typer.Option(
                help="auto (kernel when it can run the assigner), kernel (fast, greedy "
                "assigner) or reference (readable, any assigner)"
            ),
        ] = "auto",
        report: Annotated[
            Path | None, typer.Option(help="write a self-contained HTML report")
        ] = None,
        basemap: BasemapOpt = "vector",
    ) -> None:
        """Monte Carlo of one night's raid: outcomes with 5–95 % bands."""
        _run(file, reps, seed, out, json_out, workers, engine, report, basemap)


def _run(
    file: Path, reps: int, seed: int, out: Path | None, json_out: bool, workers: int,
    engine: str, report: Path | None, basemap: str = "vector",
) -> None:  # fmt: skip
    from airshield.raid.engines import ENGINE_NAMES, EngineUnavailable, choose_engine
    from airshield.scenario import Scenario, load_scenario

    if engine not in ENGINE_NAMES:
        err_console.print(
            f"error: --engine: expected one of {', '.join(ENGINE_NAMES)}, got {engine!r}"
        )
        raise typer.Exit(2)
    from airshield.warmup import prepare_run

    loaded: list[Scenario] = []
    # on a fresh install the kernel compiles in child processes meanwhile (a bad file stops them)
    prepare_run(
        lambda line: err_console.print(line, markup=False),
        while_waiting=lambda: loaded.append(load_scenario(file)),
    )
    sc = loaded[0]
    try:
        choice = choose_engine(engine, sc.doctrine.assigner)
    except EngineUnavailable as exc:
        err_console.print(f"error: --engine: {exc}")
        raise typer.Exit(2) from None
    if choice.note:
        err_console.print(f"note: {choice.note}")
    n_workers = resolve_workers(workers)
    result = sc.simulate(
        reps=reps, seed=seed, workers=n_workers, engine=engine, progress=not json_out
    )
    if out is not None:
        from airshield.raid.io import write_result_parquet

        write_result_parquet(result, out)
    if report is not None:
        from airshield.report import write_raid_report
        from airshield.report.basemap import check_basemap

        write_raid_report(result, sc, report, basemap=check_basemap(basemap))
    if json_out:
        print_json(result.summary())
    else:
        print_summary(result.summary())
        if out is not None:
            console.print(f"wrote {result.reps * len(result.threat_types)} rows to {out}")
        if report is not None:
            console.print(f"wrote report {report}")
        console.print(f"{result.reps} replications in {result.elapsed_s:.2f} s")
    if result.interrupted:
        raise typer.Exit(130)
