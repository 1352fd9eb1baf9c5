"""Isobaths (depth contours) as vector lines with depth labels.

Contours are traced with contourpy (matplotlib's contouring engine) on a decimated
lon/lat read of the grid, then the parts on land (per the coastline) are removed.

Examples
--------
>>> from mapapp.data.bathymetry import open_grid
>>> lines = isobaths(open_grid(), (-170.2, 65.3, -167.8, 66.3), interval_m=20)
>>> sorted(set(lines["depth_m"]))
[-40.0, -20.0]
"""

from __future__ import annotations

import contourpy
import geopandas as gpd
import numpy as np
import rasterio.warp
import shapely
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.transform import from_bounds

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import Grid

__all__ = ["isobath_levels", "isobaths"]

_WGS84 = CRS.from_epsg(4326)


def isobath_levels(vmin: float, interval_m: float) -> list[float]:
    """Depth levels (negative metres) every ``interval_m`` from -interval down to ``vmin``.

    >>> isobath_levels(-55.0, 20)
    [-20.0, -40.0]
    """
    if not interval_m > 0:
        raise InputError(f"isobath interval must be positive (got {interval_m} m)")
    if vmin >= 0:
        return []
    n = int(np.floor(-vmin / interval_m))
    if n > 500:
        raise InputError(
            f"an interval of {interval_m} m gives {n} isobaths; choose at least {-vmin / 500:.0f} m"
        )
    return [-(i * float(interval_m)) for i in range(1, n + 1)]


def isobaths(grid: Grid, bbox, interval_m: float = 10.0, max_size: int = 800, land=None):
    """Contour lines of the grid within ``bbox``.

    Parameters
    ----------
    grid : Grid
        The bathymetry.
    bbox : tuple
        (west, south, east, north), degrees.
    interval_m : float
        Spacing between isobaths, metres (> 0).
    max_size : int
        Largest dimension of the decimated read, pixels.
    land : shapely geometry, optional
        Land polygons (degrees); contour parts on land are removed.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per line with ``depth_m`` (negative, metres) and ``label`` (e.g. "40 m"),
        geometry LineString/MultiLineString in degrees (EPSG:4326).
    """
    src = grid.read_bbox(bbox, max_size=max_size)
    if src.crs.is_geographic:
        data, transform = src.data, src.transform
    else:  # warp a native projected window to lon/lat first
        h, w = src.data.shape
        west, south, east, north = bbox
        transform = from_bounds(west, south, east, north, w, h)
        data = np.full((h, w), np.nan, dtype="float32")
        rasterio.warp.reproject(
            src.data, data, src_transform=src.transform, src_crs=src.crs, src_nodata=np.nan,
            dst_transform=transform, dst_crs=_WGS84, dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
    empty = gpd.GeoDataFrame({"depth_m": [], "label": []}, geometry=[], crs=_WGS84)
    if not np.isfinite(data).any():
        return empty
    levels = isobath_levels(float(np.nanmin(data)), interval_m)
    if not levels:
        return empty
    h, w = data.shape
    xs = transform.c + transform.a * (np.arange(w) + 0.5)
    ys = transform.f + transform.e * (np.arange(h) + 0.5)
    z = np.ma.masked_invalid(data)
    gen = contourpy.contour_generator(xs, ys, z, line_type=contourpy.LineType.Separate)
    rows, geoms = [], []
    for level in levels:
        parts = [shapely.LineString(seg) for seg in gen.lines(level) if len(seg) >= 2]
        if not parts:
            continue
        geom = shapely.MultiLineString(parts) if len(parts) > 1 else parts[0]
        if land is not None:
            geom = geom.difference(land)
        if geom.is_empty:
            continue
        rows.append({"depth_m": float(level), "label": f"{-level:g} m"})
        geoms.append(geom)
    if not rows:
        return empty
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=_WGS84)
