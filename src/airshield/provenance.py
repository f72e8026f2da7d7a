"""Provenance of results: a hash of the engine code and data that produced them.

Caches and stores key their contents on :func:`engine_code_hash`, so results of two versions of
the engines (even between releases) are never mixed or silently reused.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

ENGINE_CODE = ("raid", "kernels", "scenario", "catalog", "assign", "campaign", "geo.py",
               "sweep/worker.py")  # fmt: skip


@lru_cache(maxsize=1)
def engine_code_hash() -> str:
    """SHA-256 (16 hex digits) of the engine modules and their data files (command-line
    modules excluded)."""
    root = Path(__file__).resolve().parent  # the airshield package folder
    h = hashlib.sha256()
    for name in ENGINE_CODE:
        p = root / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".csv", ".json", ".yaml"):
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]
