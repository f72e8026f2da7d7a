"""Shared helpers for every ``airshield`` sub-command: console, error reporting, JSON output, and
the option types every command shares (:data:`Workers`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import typer

from airshield.errors import ScenarioError
from airshield.workers import DEFAULT_WORKERS, resolve_workers

if TYPE_CHECKING:
    from rich.console import Console

#: ``--workers N`` of every command: one meaning, one default (:mod:`airshield.workers`).
#: 1 (default) runs in this process, N > 1 in N worker processes, 0 one per CPU; the
#: ``AIRSHIELD_WORKERS`` environment variable sets another default. Results never depend on it.
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        min=0,
        envvar="AIRSHIELD_WORKERS",
        show_envvar=False,
        help="worker processes: 1 runs here, 0 = one per CPU (results are the same for any "
        "number; env AIRSHIELD_WORKERS)",
    ),
]

#: ``--json``: exactly one JSON document on stdout (:func:`print_json`), logs on stderr
JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document")]
#: ``--scheduler ADDRESS``: a Dask scheduler to fan the work out to (default: local processes)
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (default: local worker processes with --workers)"),
]
#: ``--seed S``: the root of every random stream (``numpy.random.SeedSequence(S)``)
Seed = Annotated[int, typer.Option(help="root seed (numpy SeedSequence; common random numbers)")]

__all__ = [
    "DEFAULT_WORKERS",
    "JsonFlag",
    "SchedulerOpt",
    "Seed",
    "Workers",
    "console",
    "err_console",
    "fail_on_input_errors",
    "input_errors",
    "print_input_error",
    "print_json",
    "raid_kernel_ready",
    "resolve_workers",
]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class _LazyConsole:
    """A rich ``Console`` made on first use: importing rich costs about 60 ms, a tenth of
    ``airshield validate``, and most commands print through it only at the end or not at all."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            options = dict(self._options)
            if options.pop("stdout_width", False):
                options["width"] = None if sys.stdout.isatty() else 130
            self._console = Console(**options)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole(stderr=False, highlight=False, stdout_width=True))
err_console = cast("Console", _LazyConsole(stderr=True, highlight=False, soft_wrap=True))


def escape(text: str) -> str:
    """``text`` with rich markup escaped (``rich.markup.escape``, imported when needed)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def print_input_error(exc: ScenarioError, label: str = "error") -> None:
    """Print an input error verbatim on stderr (field paths such as ``pools[sam-rounds]`` are
    escaped, not read as rich markup)."""
    err_console.print(f"[red]{label}:[/red] {escape(str(exc))}", markup=True, highlight=False)


@contextmanager
def input_errors() -> Iterator[None]:
    """Inside a command: turn an input error into its message and exit status 2."""
    import typer

    try:
        yield
    except ScenarioError as exc:
        print_input_error(exc)
        raise typer.Exit(2) from None


@contextmanager
def fail_on_input_errors() -> Iterator[None]:
    """Print input errors (ScenarioError, missing files) clearly and exit 2, never a traceback."""
    try:
        yield
    except ScenarioError as exc:
        print_input_error(exc)
        sys.exit(2)
    except FileNotFoundError as exc:
        err_console.print(
            f"[red]error:[/red] {escape(str(exc.filename))}: file not found", markup=True
        )
        sys.exit(2)


@contextmanager
def value_errors_as(file: Path | str | None, field: str = "record") -> Iterator[None]:
    """A ``ValueError`` inside (a record the model cannot use) becomes a ``ScenarioError``
    naming ``file`` and ``field``: printed as an input error, exit status 2."""
    from airshield.errors import Problem

    try:
        yield
    except ValueError as exc:
        raise ScenarioError(
            None if file is None else str(file), [Problem(field, str(exc))]
        ) from exc


def require_modules(modules: tuple[str, ...], install: str) -> None:
    """Before any work: exit 2 with one plain line naming the exact install command when one of
    ``modules`` cannot be imported (printed without rich markup, so ``[web]`` stays visible)."""
    import importlib.util

    import typer

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        sys.stderr.write(f"error: this command needs {', '.join(missing)}: {install}\n")
        raise typer.Exit(EXIT_BAD_INPUT)


def raid_kernel_ready() -> None:
    """Before a command's first raid: on a fresh install, compile the raid kernel's parts side
    by side in child processes (a line on stderr) and leave the batch call to a background
    process (:func:`airshield.warmup.prepare_run`, as ``run`` and ``demo`` do); otherwise only
    a look at numba's cache."""
    from airshield.warmup import prepare_run

    prepare_run(lambda line: err_console.print(line, markup=False))


def print_json(obj: Any) -> None:
    """Print JSON to stdout (no rich markup, so it can be piped)."""
    from airshield.jsonable import json_default

    sys.stdout.write(json.dumps(obj, indent=2, default=json_default) + "\n")
    sys.stdout.flush()


#: The daily attack record, as every ``history``/``calibrate``/``tempo`` command takes it.
RecordArg = Annotated[
    Path, typer.Argument(help="daily-attack CSV (or a tidy Parquet from 'history import')")
]


def records(df: Any) -> list[dict[str, Any]]:
    """A data frame's rows as JSON-ready dicts (NaN as None)."""
    import math

    return [
        {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in df.to_dict(orient="records")
    ]


def fixed(x: Any, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals for a table cell; a dash when it is missing or not a number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:.{digits}f}"


def validate_files(files: list[Path], load: Any, describe: Any) -> None:
    """``validate`` for any input format: load each file, print ``ok FILE: describe(obj)`` or its
    problems (``file:line: field: expectation``); exit status 2 when any file is invalid."""
    bad = 0
    for f in files:
        try:
            obj = load(f)
        except ScenarioError as exc:
            print_input_error(exc, "invalid")
            bad += 1
            continue
        # click's styling: printing one line through rich would import it for that line alone
        typer.echo(f"{typer.style('ok', fg='green')} {f}: {describe(obj)}")
    if bad:
        raise typer.Exit(2)


#: ``--basemap`` of every command that writes a report with a map: the offline basemap style
#: (:mod:`airshield.report.basemap`); ``vector`` (Natural Earth land, lakes, rivers, coastlines,
#: borders) by default, ``outline`` (coastlines and borders) or ``none``. Reports never fetch.
BasemapOpt = Annotated[
    Literal["vector", "outline", "none"],
    typer.Option(
        "--basemap",
        help="report map background, bundled and offline: vector (land, lakes, rivers, "
        "borders), outline (coastlines and borders) or none",
    ),
]
