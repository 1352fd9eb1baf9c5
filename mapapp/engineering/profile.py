"""The seabed (and terrain) profile along a route.

:func:`sample_profile` densifies every leg of a route along its geodesic, samples the
bathymetry grid at the new points with bilinear interpolation (one vectorised call that
reads only the small windows the route crosses), and classifies each sample as ``sea`` or
``land`` from the coastline — never from the grid, which at 5′ does not resolve the
Diomedes.

Sampling step
-------------
By default (``step_m=None``) the step is **half the grid's finest pixel size, capped at
200 m** (:data:`AUTO_STEP_CAP_M`): half a pixel so that no grid node is skipped, and at most
200 m because the coastline, which decides land and sea, is far more detailed than the
grid; with 200 m steps shores and islands are located to ±100 m (Fairway Rock is only
~0.3 km²). An explicit step must be positive, no coarser than the grid's finest pixel and
must not produce more than :data:`MAX_POINTS` points.

Grid and coastline disagreeing
------------------------------
A coarse grid blends land and sea near shores, and misses small islands entirely. The
coastline decides the ``surface``; the elevation is then made consistent with it:

* coastline **sea**, grid above sea level → ``elevation_m`` is clipped to 0 m (sea level);
* coastline **land**, grid below sea level (e.g. the unresolved Diomedes) → clipped to 0 m.

Such samples have ``adjusted = True``; the grid's value is kept in ``elevation_grid_m``.
Clipping to 0 m is the least-information choice: the grid's value is known to be wrong in
sign there, and the true seabed or terrain is not known. Samples outside the grid (or on
nodata) keep ``NaN`` in both columns; their count is in ``df.attrs["nan_count"]``.

Examples
--------
>>> from mapapp.data.bathymetry import open_grid
>>> from mapapp.routes.route import Route
>>> r = Route.from_coords("d", "Dezhnev–Wales", [(-169.6519, 66.0792), (-168.0847, 65.5964)])
>>> df = sample_profile(r, open_grid())
>>> list(df.columns)[:6]
['chainage_m', 'lon', 'lat', 'elevation_m', 'surface', 'leg']
>>> df.attrs["step_m"] <= 200.0, round(float(df["chainage_m"].iloc[-1]) / 1000, 1)
(True, 89.6)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from mapapp.core.errors import InputError
from mapapp.core.geodesy import densify, leg_lengths
from mapapp.core.safety import positive_number
from mapapp.data.coastline import is_land

__all__ = [
    "AUTO_STEP_CAP_M",
    "MAX_POINTS",
    "PROFILE_COLUMNS",
    "auto_step_m",
    "classify_land",
    "sample_profile",
    "surface_runs",
]

#: Largest automatic sampling step, metres (the coastline is finer than the grid).
AUTO_STEP_CAP_M = 200.0
#: Largest number of profile points accepted.
MAX_POINTS = 2_000_000
#: A sample this close to the coastline counts as land (m): waypoints placed on the shore
#: must not be land or sea by the last float digit.
SHORE_TOLERANCE_M = 5.0
#: Columns of a profile, in order.
PROFILE_COLUMNS = (
    "chainage_m",
    "lon",
    "lat",
    "elevation_m",
    "surface",
    "leg",
    "elevation_grid_m",
    "adjusted",
)

LandMask = Callable[[np.ndarray, np.ndarray], np.ndarray]


def auto_step_m(grid) -> float:
    """Default sampling step for ``grid`` in metres: ``min(min(res_m) / 2, 200)``.

    Parameters
    ----------
    grid : mapapp.data.bathymetry.Grid
        The grid to sample (its ``info.res_m`` is the pixel size in metres).

    Returns
    -------
    float
        Step in metres.
    """
    return float(min(min(grid.info.res_m) / 2.0, AUTO_STEP_CAP_M))


def _check_step(step_m, grid, length_m: float, n_vertices: int) -> float:
    step = positive_number(step_m, "sampling step", "metres")
    finest = float(min(grid.info.res_m))
    if step > finest * (1 + 1e-9):
        raise InputError(
            f"sampling step {step:g} m is coarser than the grid {grid.info.name} "
            f"(finest pixel ≈ {finest:.0f} m): samples would skip grid cells; "
            f"use a step ≤ {finest:.0f} m or leave it unset (auto: {auto_step_m(grid):.0f} m)"
        )
    n = math.ceil(length_m / step) + n_vertices
    if n > MAX_POINTS:
        raise InputError(
            f"sampling step {step:g} m would create about {n:,} points along "
            f"{length_m / 1000:.1f} km (limit {MAX_POINTS:,}); use a step ≥ "
            f"{math.ceil(length_m / MAX_POINTS * 1.001):g} m"
        )
    return step


def classify_land(lons, lats, land_source: str = "gshhg", elevations=None) -> np.ndarray:
    """True where a sample is on land.

    Parameters
    ----------
    lons, lats : array-like
        Points in degrees.
    land_source : str
        A coastline source of :mod:`mapapp.data.coastline` (``"gshhg"``, ``"osm"``), or
        ``"grid"`` to classify from the elevations (land where elevation > 0 m; NaN is sea).
    elevations : array-like, optional
        Elevations in metres, needed for ``land_source="grid"``.

    Returns
    -------
    numpy.ndarray of bool
    """
    lons = np.asarray(lons, dtype="float64")
    if land_source == "grid":
        if elevations is None:
            raise InputError("land_source='grid' needs the sampled elevations")
        with np.errstate(invalid="ignore"):
            return np.asarray(elevations, dtype="float64") > 0.0

    on_land = is_land(lons, lats, source=land_source, shore_tolerance_m=SHORE_TOLERANCE_M)
    return np.atleast_1d(np.asarray(on_land, dtype=bool))


def sample_profile(
    route,
    grid,
    step_m: float | None = None,
    land_source: str = "gshhg",
    land_mask: LandMask | None = None,
) -> pd.DataFrame:
    """Elevation and surface (sea/land) along a route's geodesics.

    Parameters
    ----------
    route : mapapp.routes.route.Route
        The route (waypoints in degrees).
    grid : mapapp.data.bathymetry.Grid
        Bathymetry grid (elevations in metres, positive up).
    step_m : float, optional
        Largest spacing between samples along each leg, metres. Default: half the grid's
        finest pixel, at most 200 m (:func:`auto_step_m`).
    land_source : str
        Coastline deciding land and sea: ``"gshhg"`` (default), ``"osm"``, or ``"grid"``
        (elevation > 0 m; only for grids that resolve the coast).
    land_mask : callable, optional
        ``land_mask(lons, lats) -> bool array`` (degrees); overrides ``land_source``.
        Lets callers (and tests) supply the land/sea classification explicitly.

    Returns
    -------
    pandas.DataFrame
        One row per sample, in order along the route, with columns

        ``chainage_m``  distance from the first waypoint along the geodesics, m;
        ``lon``, ``lat``  degrees (longitudes continuous);
        ``elevation_m``  elevation, m, negative below sea level, made consistent with
        ``surface`` (see the module notes); ``NaN`` outside the grid / on nodata;
        ``surface``  ``"sea"`` or ``"land"``;
        ``leg``  leg index (0 = first waypoint to second);
        ``elevation_grid_m``  the grid's bilinear value, unmodified;
        ``adjusted``  True where ``elevation_m`` was clipped to 0 m.

        ``df.attrs`` holds ``route_id``, ``route_name``, ``mode``, ``claims``,
        ``grid_name``, ``grid_path``, ``grid_resolution``, ``step_m``, ``land_source``,
        ``nan_count`` and ``adjusted_count``.

    Raises
    ------
    InputError
        For a non-positive, too coarse or too fine ``step_m``.
    """
    lons_v, lats_v = route.lons, route.lats
    length = float(leg_lengths(lons_v, lats_v).sum())
    step = _check_step(auto_step_m(grid) if step_m is None else step_m, grid, length, len(lons_v))
    d = densify(lons_v, lats_v, step)
    raw = np.asarray(grid.sample(d.lons, d.lats), dtype="float64")
    if land_mask is not None:
        land = np.asarray(land_mask(d.lons, d.lats), dtype=bool)
        if land.shape != d.lons.shape:
            raise InputError(
                f"land_mask returned {land.shape} values for {d.lons.size} points; "
                "it must return one bool per point"
            )
        source_label = getattr(land_mask, "__name__", "land_mask")
    else:
        land = classify_land(d.lons, d.lats, land_source, raw)
        source_label = land_source
    with np.errstate(invalid="ignore"):
        sea_high = ~land & (raw > 0.0)
        land_low = land & (raw < 0.0)
    elev = raw.copy()
    elev[sea_high | land_low] = 0.0
    df = pd.DataFrame(
        {
            "chainage_m": d.chainage_m,
            "lon": d.lons,
            "lat": d.lats,
            "elevation_m": elev,
            "surface": np.where(land, "land", "sea"),
            "leg": d.leg.astype("int64"),
            "elevation_grid_m": raw,
            "adjusted": sea_high | land_low,
        }
    )
    info = grid.info
    df.attrs.update(
        route_id=route.id,
        route_name=route.name,
        mode=route.mode,
        claims=dict(route.claims),
        sources=list(route.sources),
        grid_name=info.name,
        grid_path=info.path,
        grid_resolution=info.resolution_label,
        step_m=step,
        land_source=source_label,
        nan_count=int(np.isnan(raw).sum()),
        adjusted_count=int((sea_high | land_low).sum()),
    )
    return df


def surface_runs(surface) -> list[tuple[int, int, str]]:
    """Consecutive runs of equal surface values.

    Parameters
    ----------
    surface : array-like of str
        ``"sea"`` / ``"land"`` per sample.

    Returns
    -------
    list of (first index, last index, value)
        Inclusive index ranges.

    >>> surface_runs(["land", "sea", "sea", "land"])
    [(0, 0, 'land'), (1, 2, 'sea'), (3, 3, 'land')]
    """
    arr = np.asarray(surface)
    if arr.size == 0:
        return []
    cut = np.flatnonzero(arr[1:] != arr[:-1]) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut - 1, [arr.size - 1]])
    return [(int(a), int(b), str(arr[a])) for a, b in zip(starts, ends, strict=True)]


def vertical_exaggeration(length_m: float, height_range_m: float, width_px: float,
                          height_px: float) -> float:
    """How much a profile drawn ``width_px`` × ``height_px`` stretches heights relative to
    distances (dimensionless): metres per pixel along the route over metres per pixel
    upwards. 1.0 when the length or the height range is not positive.

    >>> vertical_exaggeration(100_000, 300, 600, 300)   # 166.7 m/px along, 1 m/px up
    166.66666666666666
    >>> vertical_exaggeration(0, 300, 600, 300)
    1.0
    """
    if length_m <= 0 or height_range_m <= 0:
        return 1.0
    return (height_px / height_range_m) / (width_px / length_m)
