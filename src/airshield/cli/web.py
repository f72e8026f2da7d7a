"""``airshield serve``: the local web app."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from airshield.cli.kit import console, err_console, raid_kernel_ready, require_modules


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``airshield`` app."""

    @app.command()
    def serve(
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8765,
        host: Annotated[
            str, typer.Option(help="address to bind; anything but loopback needs --allow-remote")
        ] = "127.0.0.1",
        home: Annotated[
            Path | None,
            typer.Option(help="data directory (default: $AIRSHIELD_HOME or the user data dir)"),
        ] = None,
        allow_remote: Annotated[
            bool, typer.Option("--allow-remote", help="allow binding a non-loopback address")
        ] = False,
        max_reps: Annotated[int, typer.Option(min=1, help="largest run allowed")] = 20_000,
    ) -> None:
        """Start the local web app: edit scenarios, run them, view and compare reports."""
        # before any work, in one plain line (no rich markup: "[web]" must stay visible)
        require_modules(("fastapi", "uvicorn", "multipart"), "pip install 'airshield[web]'")
        import uvicorn

        from airshield.store import data_home
        from airshield.web.app import Settings, create_app

        loopback = is_loopback(host)
        if not loopback and not allow_remote:
            err_console.print(
                f"error: --host {host} is not a loopback address; the app has no login, so "
                "binding it to a network needs --allow-remote"
            )
            raise typer.Exit(2)
        raid_kernel_ready()  # a fresh install compiles before serving, not in the first request
        settings = Settings(
            home=home if home is not None else data_home(),
            max_reps=max_reps,
            allowed_hosts=("127.0.0.1", "localhost", "::1", "[::1]") if loopback else None,
        )
        web = create_app(settings)
        console.print(f"AirShield web app on http://{host}:{port}/  (data in {settings.home})")
        if not loopback:
            err_console.print("[yellow]warning: reachable from the network, with no login[/yellow]")
        # SIGTERM / Ctrl-C: uvicorn stops accepting, waits at most a few seconds for open
        # requests, then the app's shutdown cancels runs in flight (marked interrupted, with the
        # replications that finished) and the process exits
        uvicorn.run(web, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
