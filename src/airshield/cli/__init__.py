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
#: the module of this package that registers each top-level command or group, in the order of
#: the whole app's help (a run of one command imports only its module: tested against the app)
COMMAND_MODULES: dict[str, str] = {
    "demo": "raid",
    "catalog": "raid",
    "validate": "raid",
    "run": "raid",
    "campaign": "campaign",
    "wta": "assign",
    "serve": "web",
    "sweep": "sweep",
    "history": "history",
    "bulletin": "history",
    "scenario": "history",
    "calibrate": "calibrate",
    "tempo": "tempo",
    "examples": "examples",
    "plan": "plan",
    "warmup": "warmup",
    "attack": "attack",
}


def _version(value: bool) -> None:
    if value:
        from airshield import __version__

        sys.stdout.write(f"airshield {__version__}\n")
        raise typer.Exit()


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


def _new_app() -> typer.Typer:
    new = typer.Typer(**_APP_OPTIONS)  # type: ignore[arg-type]
    new.callback()(_root)
    return new


def _register(target: typer.Typer, modules: list[str]) -> None:
    """Attach the sub-commands of the command-line ``modules`` (each registers its own)."""
    import importlib

    for name in modules:
        importlib.import_module(f"airshield.cli.{name}").register(target)


_whole: typer.Typer | None = None


def whole_app() -> typer.Typer:
    """The app with every command (help, completion, tests); built on first use."""
    global _whole
    if _whole is None:
        _whole = _new_app()
        _register(_whole, list(dict.fromkeys(COMMAND_MODULES.values())))
    return _whole


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_app(argv: list[str]) -> typer.Typer:
    """The app to run for ``argv``: when its first word names a command or group, an app that
    holds that one only (same options, root callback and command), else the whole app.

    Typer builds the click object of every command it holds on each run (signatures, type
    hints, parameters: about a third of ``airshield validate``'s CPU time with 30-odd
    commands), and the command modules import what their tables and options need: so a run
    of one command imports only the module that registers it and builds only that command.
    Help, completion, unknown commands and root options go to the whole app.
    """
    from typer.main import get_command_name

    if (
        not argv
        or argv[0] not in COMMAND_MODULES
        or any(k.endswith("_COMPLETE") for k in os.environ)
    ):
        return whole_app()
    name = argv[0]
    module_app = typer.Typer()
    _register(module_app, [COMMAND_MODULES[name]])
    lean = _new_app()
    lean.registered_commands = [
        c
        for c in module_app.registered_commands
        if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == name
    ]
    lean.registered_groups = [g for g in module_app.registered_groups if g.name == name]
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

__all__ = ["COMMAND_MODULES", "app", "console", "main", "whole_app"]
