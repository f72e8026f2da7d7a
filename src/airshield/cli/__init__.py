"""The ``airshield`` command line.

All command-line code lives in this package, one module per command group (``raid``: ``demo``,
``catalog``, ``validate``, ``run``; ``campaign``, ``assign`` (``wta``), ``web`` (``serve``),
``sweep``, ``history``, ``calibrate``, ``tempo``, ``plan``); :func:`_register` attaches them. No layer package imports
from here. Errors in user input are
printed as ``file:line: field: expectation`` with exit status 2, never as a traceback.
"""

from __future__ import annotations

import typer

from airshield.cli.kit import console, fail_on_input_errors

app = typer.Typer(
    name="airshield",
    help="AirShield: plan air defence against massed drone and missile raids.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    from airshield.cli import plan as plan_cli

    plan_cli.register(app)


_register()


def main() -> None:
    """Entry point of the ``airshield`` console script."""
    with fail_on_input_errors():
        app()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "console", "main"]
