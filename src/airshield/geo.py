"""Geography: WGS84 lat/lon to a local azimuthal-equidistant plane in km, and back.

The raid engine works in a flat local plane centred on the scenario's origin. Azimuthal
equidistant keeps distances from the origin exact and is accurate to well under 1 % within the
~1,000 km of a national raid.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088


def to_local_km(
    lat: ArrayLike, lon: ArrayLike, origin_lat: float, origin_lon: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project lat/lon (degrees) to (x east, y north) in km around the origin."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi0 = np.radians(origin_lat)
    lam0 = np.radians(origin_lon)
    dlam = lam - lam0
    cos_c = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(dlam)
    c = np.arccos(np.clip(cos_c, -1.0, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.where(c > 1e-12, c / np.sin(c), 1.0)
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(dlam)
    y = (
        EARTH_RADIUS_KM
        * k
        * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(dlam))
    )
    return x, y


def to_latlon(
    x_km: ArrayLike, y_km: ArrayLike, origin_lat: float, origin_lon: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse of :func:`to_local_km`: (x, y) km back to lat/lon degrees."""
    x = np.asarray(x_km, dtype=np.float64)
    y = np.asarray(y_km, dtype=np.float64)
    phi0 = np.radians(origin_lat)
    lam0 = np.radians(origin_lon)
    rho = np.hypot(x, y)
    c = rho / EARTH_RADIUS_KM
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(rho > 1e-12, y * np.sin(c) * np.cos(phi0) / rho, 0.0)
    phi = np.arcsin(np.clip(np.cos(c) * np.sin(phi0) + ratio, -1.0, 1.0))
    lam = lam0 + np.arctan2(
        x * np.sin(c), rho * np.cos(phi0) * np.cos(c) - y * np.sin(phi0) * np.sin(c)
    )
    return np.degrees(phi), (np.degrees(lam) + 180.0) % 360.0 - 180.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def offset_latlon(
    lat: float, lon: float, bearing_deg: float, distance_km: float
) -> tuple[float, float]:
    """The point ``distance_km`` from (lat, lon) along the initial ``bearing_deg`` (great circle)."""
    d = distance_km / EARTH_RADIUS_KM
    b = np.radians(bearing_deg)
    p1 = np.radians(lat)
    l1 = np.radians(lon)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return float(np.degrees(p2)), float((np.degrees(l2) + 180.0) % 360.0 - 180.0)
