"""``airshield examples list|copy``: the example files bundled with the package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from airshield.cli.kit import EXIT_BAD_INPUT, console, err_console, print_json


def register(app: typer.Typer) -> None:
    """Add ``examples list`` and ``examples copy`` to the ``airshield`` app."""
    ex = typer.Typer(
        name="examples",
        help=(
            "The bundled example files: list them, copy them to a folder. Every command also "
            "takes an example's bare name in place of a path (airshield run kyiv-2025-07-04)."
        ),
        no_args_is_help=True,
    )

    @ex.command("list")
    def list_cmd(
        json_out: Annotated[bool, typer.Option("--json", help="print the list as JSON")] = False,
    ) -> None:
        """List the bundled examples: name, kind (scenario, campaign, sweep, ...) and what it is."""
        from airshield.examples import bundled_examples, examples_dir

        items = bundled_examples()
        if json_out:
            print_json(
                [
                    {"name": e.name, "file": e.file, "kind": e.kind, "description": e.description}
                    for e in items
                ]
            )
            return
        t = Table(title=f"Bundled examples ({escape(str(examples_dir()))})")
        for col in ("name", "kind", "description"):
            t.add_column(col, overflow="fold")
        for e in items:
            t.add_row(escape(e.name), e.kind, escape(e.description))
        console.print(t)
        console.print(
            "Run one by name (airshield run kyiv-2025-07-04) or copy it to edit: "
            "airshield examples copy NAME DIR",
            markup=False,
        )

    @ex.command("copy")
    def copy_cmd(
        name: Annotated[str, typer.Argument(help="example name (see 'examples list'), or 'all'")],
        dest: Annotated[Path, typer.Argument(help="folder to copy into (created if needed)")],
    ) -> None:
        """Copy an example (with the files it refers to, e.g. a campaign's raid template) into
        DIR; existing files are never overwritten."""
        from airshield.examples import copy_example

        try:
            written = copy_example(name, dest)
        except FileNotFoundError as exc:
            err_console.print(f"error: {exc.strerror}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except FileExistsError as exc:
            err_console.print(f"error: {exc.filename}: {exc.strerror}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        for f in written:
            console.print(f"copied {f}", markup=False)

    app.add_typer(ex, name="examples")
