"""The local web app (FastAPI): scenarios, editor with inline validation, runs with live
progress, reports, run history in DuckDB, side-by-side comparison. Start it with
``airshield serve``; see ``docs/web.md``.

FastAPI is imported only when the app is built (the ``web`` extra), so ``airshield`` works
without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airshield.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from airshield.web import app

        return getattr(app, name)
    raise AttributeError(name)
