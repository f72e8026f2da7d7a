"""Where fitted surrogates are kept: in memory (this process) and on disk, under one key.

The key (:func:`design_key`) hashes everything a fit depends on: the surrogate version, the
engine code (:func:`airshield.provenance.engine_code_hash`), the raid template, the attacker's
threat types, the design compositions and every field of the :class:`DesignSpec` (its seed
included), so two fits that could differ never share an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from airshield.provenance import engine_code_hash

if TYPE_CHECKING:
    from airshield.campaign.surrogate.design import DesignSpec
    from airshield.campaign.surrogate.predict import Surrogate
    from airshield.scenario import Scenario

#: bump when the model or the design changes what a fit returns (old cache files then miss)
SURROGATE_VERSION = "8"
#: environment variable naming the cache root (fitted surrogates go to ``<root>/surrogates``)
CACHE_ENV = "AIRSHIELD_CACHE_DIR"

I = NDArray[np.int64]

_MEMORY: dict[str, Surrogate] = {}


def design_key(template: Scenario, threat_types: list[str], comps: I, spec: DesignSpec) -> str:
    """The cache key of a fit (20 hex digits of a SHA-256)."""
    blob = json.dumps(
        {
            "v": SURROGATE_VERSION,
            "engine": engine_code_hash(),
            "template": template.content_hash(),
            "threats": threat_types,
            "comps": hashlib.sha256(np.ascontiguousarray(comps).tobytes()).hexdigest(),
            "shape": list(comps.shape),
            # a spec without nested pools hashes as before the field existed (cached fits stay)
            "spec": list(astuple(spec))[: None if spec.nested_pools else -1],
        },
        sort_keys=True,
    ).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def cache_dir() -> Path:
    """Where fitted surrogates are kept between runs: ``$AIRSHIELD_CACHE_DIR/surrogates`` or the
    user cache folder (``~/.cache/airshield/surrogates`` on Linux)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env) / "surrogates"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("airshield")) / "surrogates"


def cached(key: str) -> Surrogate | None:
    """The surrogate stored under ``key`` in memory, else on disk (then kept in memory), else
    None. A stale or broken cache file counts as a miss."""
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    path = cache_dir() / f"{key}.npz"
    if path.exists():
        try:
            s = load_surrogate(path)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a stale or broken cache file: refit
        _MEMORY[key] = s
        return s
    return None


def store(key: str, sur: Surrogate) -> None:
    """Keep ``sur`` under ``key`` in memory and on disk (a read-only cache is not an error)."""
    _MEMORY[key] = sur
    try:
        save_surrogate(sur, cache_dir() / f"{key}.npz")
    except OSError:
        pass


def clear_memory() -> None:
    """Forget the surrogates held in memory (the disk cache stays)."""
    _MEMORY.clear()


def save_surrogate(sur: Surrogate, path: Path) -> None:
    """Write ``sur`` as an ``.npz`` file (arrays, the ragged lists flattened, and a JSON meta
    record), atomically: a reader never sees half a file."""
    arrays: dict[str, NDArray[Any]] = {
        k: np.asarray(v) for k, v in sur.__dict__.items() if isinstance(v, np.ndarray)
    }
    for name in ("cols", "betas"):
        seq = getattr(sur, name)
        arrays[f"{name}_flat"] = np.concatenate(seq) if seq else np.zeros(0)
        arrays[f"{name}_len"] = np.array([len(a) for a in seq], np.int64)
    meta = {
        "template_hash": sur.template_hash,
        "threat_types": sur.threat_types,
        "pool_names": sur.pool_names,
        "other_effectors": sur.other_effectors,
        "info": sur.info,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, path)


def load_surrogate(path: Path) -> Surrogate:
    """Read a surrogate written by :func:`save_surrogate`."""
    from airshield.campaign.surrogate.predict import Surrogate

    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["meta"]))
        arrays = {k: f[k] for k in f.files if k != "meta"}
    seqs: dict[str, list[NDArray[Any]]] = {}
    for name in ("cols", "betas"):
        flat, lens = arrays.pop(f"{name}_flat"), arrays.pop(f"{name}_len")
        offs = np.concatenate([[0], np.cumsum(lens)])
        seqs[name] = [flat[offs[i] : offs[i + 1]] for i in range(len(lens))]
    return Surrogate(
        **meta,
        **arrays,
        cols=[c.astype(np.int64) for c in seqs["cols"]],
        betas=[b.astype(np.float64) for b in seqs["betas"]],
    )
