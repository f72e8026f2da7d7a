"""The ``airshield`` command line.

All command-line code lives in this package, one module per command group (``raid``: ``demo``,
``catalog``, ``validate``, ``run``; ``campaign``, ``assign`` (``wta``), ``web`` (``serve``),
``sweep``, ``history``, ``calibrate``, ``tempo``, ``examples``, ``plan``, ``warmup``,
``attack``); :func:`_register` attaches them.
No layer package imports from here. Errors in user input are printed as
``file:line: field: expectation`` with exit status 2, never as a traceback.

Exit status (the same for every command): 0 done; 2 bad input (a file, field or option that is not
what was expected; the message says which); 130 interrupted (Ctrl-C; commands that can keep a
finished prefix, such as ``run``, print it first). Shell completion: ``airshield
--install-completion`` (bash, zsh, fish, PowerShell) or ``--show-completion`` to print the script.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from airshield.cli.kit import EXIT_INTERRUPTED, console, err_console, fail_on_input_errors

app = typer.Typer(
    name="airshield",
    help=(
        "AirShield: plan air defence against massed drone and missile raids. "
        "Exit status: 0 ok, 2 bad input, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from airshield import __version__

        sys.stdout.write(f"airshield {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="print the version and exit",
        ),
    ] = False,
) -> None:
    """AirShield: plan air defence against massed drone and missile raids.

    Exit status: 0 ok, 2 bad input (the message names file, line and field), 130 interrupted.
    """


def _register() -> None:
    """Attach the sub-commands that each capability package provides."""
    from airshield.cli import raid as raid_cli

    raid_cli.register(app)
    # --- capability sub-commands (one line each) ---
    from airshield.cli import campaign as campaign_cli

    campaign_cli.register(app)
    from airshield.cli import assign as assign_cli

    assign_cli.register(app)
    from airshield.cli import web as web_cli

    web_cli.register(app)
    from airshield.cli import sweep as sweep_cli

    sweep_cli.register(app)
    from airshield.cli import history as history_cli

    history_cli.register(app)
    from airshield.cli import calibrate as calibrate_cli

    calibrate_cli.register(app)
    from airshield.cli import tempo as tempo_cli

    tempo_cli.register(app)
    from airshield.cli import examples as examples_cli

    examples_cli.register(app)
    from airshield.cli import plan as plan_cli

    plan_cli.register(app)
    from airshield.cli import warmup as warmup_cli

    warmup_cli.register(app)
    from airshield.cli import attack as attack_cli

    attack_cli.register(app)


_register()


def main() -> None:
    """Entry point of the ``airshield`` console script."""
    try:
        with fail_on_input_errors():
            app()
    except KeyboardInterrupt:  # outside a command (e.g. while importing): still exit cleanly
        err_console.print("interrupted", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            err_console.print("interrupted", markup=False)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "console", "main"]
