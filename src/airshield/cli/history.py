"""CLI: ``history import|stats``, ``bulletin parse``, ``scenario from-bulletin``."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from airshield.cli.kit import console, err_console, print_json
from airshield.errors import Problem, ScenarioError

FileArg = Annotated[
    Path, typer.Argument(help="daily-attack CSV (or a tidy Parquet from 'history import')")
]


def _fmt_count(v: Any) -> str:
    if v is None or v is _NA():
        return "–"
    try:
        return f"{int(v):,}"
    except (TypeError, ValueError):
        return "–"


def _NA() -> Any:
    import pandas as pd

    return pd.NA


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ScenarioError(None, [Problem(option, f"{value!r} is not a date YYYY-MM-DD")]) from exc


def read_text_arg(path: str) -> tuple[str, str]:
    """Text of FILE, or of stdin for ``-``; returns (label, text)."""
    if path == "-":
        return "<stdin>", sys.stdin.read()
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(2, "file not found", str(p))
    try:
        return str(p), p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(p), [Problem("encoding", "not UTF-8 text")]) from exc


def _history_app() -> typer.Typer:
    history = typer.Typer(
        help="The public daily attack record: import it to a tidy table, summarise it.",
        no_args_is_help=True,
    )

    @history.command("import")
    def import_(
        file: Annotated[
            Path, typer.Argument(help="daily-attack CSV (missile_attacks_daily.csv layout)")
        ],
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Parquet to write (default: ./<name>.tidy.parquet)"),
        ] = None,
        strict: Annotated[bool, typer.Option(help="unknown model names are errors")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="print a JSON summary")] = False,
        include_regional: Annotated[
            bool,
            typer.Option(
                help="keep regional-command rows (flagged 'regional'); by default they are "
                "left out of the national table"
            ),
        ] = False,
    ) -> None:
        """Import a daily-attack CSV to Parquet: a row per model per window, a raid id per raid."""
        from airshield.history.importer import read_daily_csv

        t0 = time.perf_counter()
        res = read_daily_csv(file, strict=strict, include_regional=include_regional)
        target = out or Path.cwd() / f"{file.stem}.tidy.parquet"
        res.to_parquet(target)
        elapsed = time.perf_counter() - t0
        f = res.frame
        summary: dict[str, Any] = {
            "file": str(file),
            "out": str(target),
            "rows_in": res.rows_in,
            "rows_out": len(f),
            "nights": res.nights,
            "first_night": f["night"].min().strftime("%Y-%m-%d") if len(f) else None,
            "last_night": f["night"].max().strftime("%Y-%m-%d") if len(f) else None,
            "rows_by_kind": {str(k): int(v) for k, v in f["kind"].value_counts().items()},
            "unknown_models": res.unknown_models,
            "notes": [n.render(str(file)) for n in res.notes],
            "import_s": round(res.elapsed_s, 4),
            "total_s": round(elapsed, 4),
        }
        if json_out:
            print_json(summary)
            return
        console.print(
            f"imported {res.rows_in} rows -> {len(f)} tidy rows, {res.nights} nights "
            f"({summary['first_night']} … {summary['last_night']}) in {res.elapsed_s:.3f} s"
        )
        console.print(f"wrote {target}")
        t = Table(title="rows by threat kind")
        t.add_column("kind")
        t.add_column("rows", justify="right")
        for k, v in summary["rows_by_kind"].items():
            t.add_row(k, str(v))
        console.print(t)
        for note in summary["notes"]:
            err_console.print(f"[yellow]note:[/yellow] {note}", markup=True, highlight=False)

    @history.command("stats")
    def stats(
        file: FileArg,
        json_out: Annotated[
            bool, typer.Option("--json", help="print the monthly table as JSON")
        ] = False,
        top: Annotated[int, typer.Option(min=1, help="how many of the largest raids to list")] = 10,
        strategic_only: Annotated[
            bool,
            typer.Option(help="only Shahed-type drones and missiles (no tactical drones)"),
        ] = False,
        level: Annotated[float, typer.Option(min=0.5, max=0.999, help="interval level")] = 0.95,
    ) -> None:
        """Per month and threat kind: launched, destroyed, lost, neutralised fraction with an
        interval clustered by night; the largest raids; the raid-size distribution."""
        from airshield.history import stats as st
        from airshield.history.importer import load_tidy

        frame = load_tidy(file)
        monthly = st.monthly_stats(frame, level=level, strategic_only=strategic_only)
        if json_out:
            print_json(st.monthly_records(monthly))
            return
        t = Table(
            title=f"{file.name}: per month and kind (neutralised = destroyed + lost; "
            f"{level:.0%} interval clustered by night)"
        )
        for col in (
            "month",
            "kind",
            "nights",
            "launched",
            "destroyed",
            "lost",
            "neutralised %",
            "interval",
            "deff",
        ):
            t.add_column(col, justify="left" if col in ("month", "kind") else "right")
        for r in st.monthly_records(monthly):
            frac = r["fraction"]
            t.add_row(
                r["month"], r["kind"], str(r["nights"]), _fmt_count(r["launched"]),
                _fmt_count(r["destroyed"]), _fmt_count(r["lost"]),
                "–" if frac is None else f"{100 * frac:.1f}",
                "–" if frac is None else f"{100 * r['ci_low']:.1f}–{100 * r['ci_high']:.1f}",
                "–" if r["deff"] is None else f"{r['deff']:.1f}",
            )  # fmt: skip
        console.print(t)
        big = st.largest_raids(frame, top)
        b = Table(title=f"largest {top} raids (Shahed-type drones and missiles in one night)")
        for col in ("raid", "total", "drone", "cruise", "ballistic", "other", "neutralised %"):
            b.add_column(col, justify="left" if col == "raid" else "right")
        for raid in big.to_dict(orient="records"):
            frac = raid["fraction"]
            b.add_row(
                str(raid["raid_id"]), str(raid["total"]), str(raid["drone"]),
                str(raid["cruise_missile"]), str(raid["ballistic_missile"]), str(raid["other"]),
                "–" if frac is None or frac is _NA() else f"{100 * float(frac):.1f}",
            )  # fmt: skip
        console.print(b)
        dist = st.raid_size_distribution(frame)
        d = Table(title=f"raid size: strategic weapons per night ({dist.nights} nights with any)")
        d.add_column("size")
        d.add_column("nights", justify="right")
        d.add_column("share", justify="right")
        for h in dist.histogram.to_dict(orient="records"):
            d.add_row(str(h["size"]), str(h["nights"]), f"{100 * h['share']:.1f} %")
        console.print(d)
        q = dist.quantiles
        console.print(
            "median {p50:.0f}, p90 {p90:.0f}, p99 {p99:.0f}, max {max:.0f}, mean {mean:.1f}".format(
                **q
            )
            if "p50" in q
            else "no raids"
        )
        y = Table(title="by year")
        for col in ("year", "nights", "mean", "median", "max", "nights ≥100"):
            y.add_column(col, justify="right")
        for yr in dist.by_year.to_dict(orient="records"):
            y.add_row(
                str(yr["year"]),
                str(yr["nights"]),
                f"{yr['mean']:.1f}",
                f"{yr['median']:.0f}",
                str(yr["max"]),
                str(yr["over_100"]),
            )
        console.print(y)

    return history


def _bulletin_app() -> typer.Typer:
    bulletin = typer.Typer(
        help="Read raid claims from Air Force bulletins, wire reports and news articles.",
        no_args_is_help=True,
    )

    @bulletin.command("parse")
    def parse(
        file: Annotated[str, typer.Argument(help="text file, or - for stdin")],
        json_out: Annotated[bool, typer.Option("--json", help="print the claims as JSON")] = False,
        on: Annotated[
            str | None,
            typer.Option(
                "--date", help="publication date YYYY-MM-DD (resolves 'Friday', 'overnight')"
            ),
        ] = None,
    ) -> None:
        """Extract raid claims: counts launched/destroyed/lost by kind, date, target, source."""
        from airshield.history.bulletin import claims_to_json, parse_bulletin

        ref = _parse_date(on, "--date")
        label, text = read_text_arg(file)
        claims = parse_bulletin(text, ref_date=ref)
        if json_out:
            print_json(claims_to_json(claims))
            return
        if not claims:
            console.print(f"{label}: no raid claims found")
            return
        for i, c in enumerate(claims, 1):
            d = c.to_dict()
            console.print(f"[bold]claim {i}[/bold]  chars {d['span'][0]}–{d['span'][1]}")
            for role in ("launched", "destroyed", "lost"):
                if d[role]:
                    parts = ", ".join(f"{v} {k}" for k, v in d[role].items())
                    console.print(f"  {role}: {parts}")
            if d["launched_total"] is not None:
                console.print(f"  launched total: {d['launched_total']}")
            for key in ("date", "date_text", "night_of", "window", "target", "source", "qualifier"):
                if d[key]:
                    console.print(f"  {key}: {d[key]}")
            for u in d["unclassified"]:
                console.print(f"  [yellow]unread[/yellow]: {u['text']!r} ({u['reason']})")
            console.print(f"  text: {d['text']!r}", markup=False)

    return bulletin


def _scenario_group(app: typer.Typer) -> typer.Typer:
    """The ``scenario`` sub-app: reuse one another capability registered, else create it."""
    for group in app.registered_groups:
        if group.name == "scenario" and group.typer_instance is not None:
            return group.typer_instance
    scenario = typer.Typer(help="Build and transform raid scenarios.", no_args_is_help=True)
    app.add_typer(scenario, name="scenario")
    return scenario


def register(app: typer.Typer) -> None:
    """Add ``history``, ``bulletin`` and ``scenario from-bulletin`` to the ``airshield`` app."""
    app.add_typer(_history_app(), name="history")
    app.add_typer(_bulletin_app(), name="bulletin")
    scenario = _scenario_group(app)

    @scenario.command("from-bulletin")
    def from_bulletin(
        file: Annotated[str, typer.Argument(help="bulletin or news text, or - for stdin")],
        laydown: Annotated[
            Path | None,
            typer.Option(
                help="scenario YAML whose defences, assets and doctrine to use "
                "(default: the bundled national laydown)"
            ),
        ] = None,
        claim: Annotated[int, typer.Option(min=1, help="which claim (1 = first)")] = 1,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="YAML to write (default: stdout)")
        ] = None,
        on: Annotated[
            str | None, typer.Option("--date", help="publication date YYYY-MM-DD")
        ] = None,
        decoy_share: Annotated[
            float | None,
            typer.Option(
                min=0.0,
                max=1.0,
                help="share of the drones taken as decoys (default: the laydown's)",
            ),
        ] = None,
        reps: Annotated[int, typer.Option(min=0, help="also simulate this many replications")] = 0,
        seed: Annotated[int, typer.Option(help="root seed for --reps")] = 1,
    ) -> None:
        """Build a raid scenario from a parsed claim and a chosen laydown."""
        from airshield.history.to_scenario import scenario_from_text

        label, text = read_text_arg(file)
        built = scenario_from_text(
            text,
            laydown=laydown,
            claim_index=claim - 1,
            ref_date=_parse_date(on, "--date"),
            label=label,
            decoy_share=decoy_share,
        )
        for note in built.notes:
            err_console.print(f"[yellow]note:[/yellow] {note}", markup=True, highlight=False)
        yaml_text = built.to_yaml()
        if out is None and reps == 0:
            sys.stdout.write(yaml_text)
        elif out is not None:
            out.write_text(yaml_text, encoding="utf-8")
            console.print(f"wrote {out}")
        if reps:
            from airshield.cli.raid import print_summary

            res = built.scenario.simulate(reps=reps, seed=seed)
            print_summary(res.summary())
