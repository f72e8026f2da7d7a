"""The ``airshield`` command line.

Core commands (``demo``, ``catalog``, ``validate``, ``run``) live here; each capability adds its
own sub-commands from its package's ``cli.py`` in :func:`_register`. Errors in user input are
printed as ``file:line: field: expectation`` with exit status 2, never as a traceback.
"""

from __future__ import annotations

import typer

from airshield.clikit import console, fail_on_input_errors

app = typer.Typer(
    name="airshield",
    help="AirShield: plan air defence against massed drone and missile raids.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    """Attach the sub-commands that each capability package provides."""
    from airshield.raid import cli as raid_cli

    raid_cli.register(app)
    # --- capability sub-commands (one line each) ---
    from airshield.campaign import cli as campaign_cli

    campaign_cli.register(app)
    from airshield.assign import cli as assign_cli

    assign_cli.register(app)
    from airshield.web import cli as web_cli

    web_cli.register(app)
    from airshield.sweep import cli as sweep_cli

    sweep_cli.register(app)
    from airshield.history import cli as history_cli

    history_cli.register(app)
    from airshield.calibrate import cli as calibrate_cli

    calibrate_cli.register(app)


_register()


def main() -> None:
    """Entry point of the ``airshield`` console script."""
    with fail_on_input_errors():
        app()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "console", "main"]
