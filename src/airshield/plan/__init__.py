"""Planning on top of the engines: allocation of interceptor pools across regions."""

from __future__ import annotations

from airshield.plan.allocation import (
    AllocationResult,
    AllocationSpec,
    allocate_regions,
    load_allocation,
)

__all__ = ["AllocationResult", "AllocationSpec", "allocate_regions", "load_allocation"]
