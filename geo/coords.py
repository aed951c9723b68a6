"""Coordinate helpers: GCJ-02 (the 'Mars' datum of Gaode/AMap, Tencent) <-> WGS-84, distances.

The forward transform is the widely published GCJ-02 formula (Krasovsky 1940 ellipsoid
constants, the same as in wandergis/coordtransform, eviltransform, gcoord). The inverse has no
closed form; :func:`gcj02_to_wgs84` iterates the forward transform until the residual is below
1e-9 degrees (about 0.1 mm), far inside the 0.01 m requirement.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["gcj02_to_wgs84", "haversine_m", "in_china", "wgs84_to_gcj02"]

_A = 6378245.0  # semi-major axis of Krasovsky 1940, as used by the GCJ-02 formula
_EE = 0.00669342162296594323  # its first eccentricity squared
_EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), for haversine

ArrayLike = float | npt.NDArray[np.float64]


def in_china(lon: ArrayLike, lat: ArrayLike) -> npt.NDArray[np.bool_] | bool:
    """Return whether points fall in the rough China box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat
        Longitude and latitude in degrees (scalars or arrays).

    Returns
    -------
    bool or ndarray of bool
        True inside 72.004–137.8347 E, 0.8293–55.8271 N (the box used by the common
        implementations); outside it GCJ-02 equals WGS-84.
    """
    result = (
        (np.asarray(lon) >= 72.004)
        & (np.asarray(lon) <= 137.8347)
        & (np.asarray(lat) >= 0.8293)
        & (np.asarray(lat) <= 55.8271)
    )
    return bool(result) if np.ndim(result) == 0 else result


def _delta(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """GCJ-02 minus WGS-84 offset (degrees) at a WGS-84 point, inside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    common = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = d_lat + common
    d_lon = d_lon + common
    d_lat = d_lat + (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon = d_lon + (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat = (
        d_lat
        + (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        d_lon
        + (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def _pack(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], scalar: bool
) -> tuple[ArrayLike, ArrayLike]:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
    """Return GCJ-02 coordinates of WGS-84 points; points outside China are unchanged.

    Parameters
    ----------
    lon, lat
        WGS-84 longitude and latitude in degrees (scalars or same-shape arrays).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02, floats for scalar input, arrays otherwise.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    d_lon, d_lat = _delta(lon_a, lat_a)
    inside = np.asarray(in_china(lon_a, lat_a))
    return _pack(
        np.where(inside, lon_a + d_lon, lon_a), np.where(inside, lat_a + d_lat, lat_a), scalar
    )


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tolerance_deg: float = 1e-9, max_iter: int = 30
) -> tuple[ArrayLike, ArrayLike]:
    """Return WGS-84 coordinates of GCJ-02 points by iterating the forward transform.

    Parameters
    ----------
    lon, lat
        GCJ-02 longitude and latitude in degrees (scalars or same-shape arrays).
    tolerance_deg
        Stop when ``wgs84_to_gcj02(result)`` is within this of the input (1e-9 deg ≈ 0.1 mm).
    max_iter
        Upper bound on fixed-point iterations (the offset's slope is tiny, so 3–5 suffice).

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS-84; points outside China are returned unchanged.
    """
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        # Fixed point w = g - delta(w): converges because delta varies by ~1e-5 per degree.
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        r_lon = np.asarray(f_lon) - g_lon
        r_lat = np.asarray(f_lat) - g_lat
        w_lon = w_lon - r_lon
        w_lat = w_lat - r_lat
        if np.all(np.abs(r_lon) < tolerance_deg) and np.all(np.abs(r_lat) < tolerance_deg):
            break
    inside = np.asarray(in_china(g_lon, g_lat))
    return _pack(np.where(inside, w_lon, g_lon), np.where(inside, w_lat, g_lat), scalar)


def haversine_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> ArrayLike:
    """Return the great-circle distance in metres between [lon, lat] points.

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Degrees; scalars or broadcastable arrays.

    Returns
    -------
    float or ndarray
        Distance in metres on a sphere of mean Earth radius 6,371,008.8 m.
    """
    p1 = np.radians(np.asarray(lat1, dtype=float))
    p2 = np.radians(np.asarray(lat2, dtype=float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    d = 2.0 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d
