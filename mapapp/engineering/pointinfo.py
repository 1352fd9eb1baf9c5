"""What is at a point: land or sea (from the coastline) and the grid's elevation.

Examples
--------
>>> from mapapp.data.bathymetry import open_grid
>>> p = point_info(open_grid(), -168 - 5 / 12, 65 + 8 / 12)
>>> p.surface, p.elevation_m
('sea', -49.0)
>>> point_info(open_grid(), -169.06, 65.78).surface   # Big Diomede: land although the grid says -20 m
'land'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapapp.core.errors import InputError
from mapapp.core.geodesy import normalize_lon
from mapapp.data.bathymetry import Grid
from mapapp.data.coastline import is_land

__all__ = ["PointInfo", "point_info", "format_lonlat"]


def format_lonlat(lon: float, lat: float) -> str:
    """``65.7000° N, 168.4000° W`` from degrees (longitude normalised to ±180)."""
    lon = normalize_lon(lon)
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


@dataclass(frozen=True)
class PointInfo:
    """Land/sea and elevation at a point.

    Attributes
    ----------
    lon, lat : float
        Degrees (longitude in [-180, 180)).
    surface : str
        ``"land"`` or ``"sea"`` (from the coastline).
    elevation_m : float
        Bilinear grid elevation, metres (negative below sea level); NaN outside the grid.
    grid_name : str
        Which grid was sampled.
    """

    lon: float
    lat: float
    surface: str
    elevation_m: float
    grid_name: str

    @property
    def value(self) -> str:
        """What is there, in words: ``"sea, depth 48 m"``, ``"land (grid elevation 120 m)"`` …"""
        if math.isnan(self.elevation_m):
            return "outside the grid"
        if self.surface == "land":
            return f"land (grid elevation {self.elevation_m:.0f} m)"
        if self.elevation_m <= 0:
            return f"sea, depth {-self.elevation_m:.0f} m"
        return f"sea (grid says {self.elevation_m:.0f} m above sea level: coarse cell blending land)"

    @property
    def text(self) -> str:
        """Where, what, and from which grid: ``"65.7500° N … — sea, depth 48 m [grid, bilinear]"``."""
        return f"{format_lonlat(self.lon, self.lat)} — {self.value} [{self.grid_name}, bilinear]"


def point_info(grid: Grid, lon: float, lat: float) -> PointInfo:
    """Land/sea (coastline) and elevation (grid, bilinear) at a point in degrees."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InputError(f"coordinates must be numbers, got {lon!r}, {lat!r}") from exc
    if not (math.isfinite(lon) and math.isfinite(lat) and -90 <= lat <= 90):
        raise InputError(f"not a valid point: lon {lon}, lat {lat}")
    lon = float(normalize_lon(lon))
    elev = float(grid.sample([lon], [lat])[0])
    surface = "land" if is_land(lon, lat) else "sea"
    return PointInfo(lon, lat, surface, elev, grid.info.name)
