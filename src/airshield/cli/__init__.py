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

import os
import sys
from typing import Annotated

# pydantic looks for plugins (entry points of every installed distribution, through
# importlib.metadata: about 40 ms, a tenth of ``airshield validate``) when it builds the first
# model; the command line uses none. PYDANTIC_DISABLE_PLUGINS=0 in the environment lets them load.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from airshield.cli.kit import EXIT_INTERRUPTED, console, err_console, fail_on_input_errors

_APP_OPTIONS: dict[str, object] = {
    "name": "airshield",
    "help": (
        "AirShield: plan air defence against massed drone and missile raids. "
        "Exit status: 0 ok, 2 bad input, 130 interrupted."
    ),
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
app = typer.Typer(**_APP_OPTIONS)  # type: ignore[arg-type]


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


def _command_app(argv: list[str]) -> typer.Typer:
    """The app to run for ``argv``: when its first word names a command or group, an app that
    holds that one only (same options, root callback and command), else the whole :data:`app`.

    Typer builds the click object of every command it holds on each run (signatures, type
    hints, parameters: about a third of ``airshield validate``'s CPU time with 30-odd
    commands), so a run of one command builds only that one. Help, completion, unknown
    commands and root options go to the whole app.
    """
    from typer.main import get_command_name

    if not argv or argv[0].startswith("-") or any(k.endswith("_COMPLETE") for k in os.environ):
        return app
    name = argv[0]
    commands = [
        c
        for c in app.registered_commands
        if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return app
    lean = typer.Typer(**_APP_OPTIONS)  # type: ignore[arg-type]
    lean.registered_callback = app.registered_callback
    lean.registered_commands = commands
    lean.registered_groups = groups
    return lean


def main() -> None:
    """Entry point of the ``airshield`` console script."""
    try:
        with fail_on_input_errors():
            _command_app(sys.argv[1:])()
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
