"""Context layers: named places, the 1990 maritime boundary and the date line.

Every feature carries the sources of its coordinates (see ``geodata/context/``).

Examples
--------
>>> places = load_places()
>>> sorted(places["name"])[:3]
['Big Diomede', 'Cape Dezhnev', 'Cape Prince of Wales']
>>> place_lonlat("Little Diomede")
(-168.9208, 65.7542)
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.paths import context_dir

__all__ = ["load_places", "load_lines", "place_lonlat"]


def _read(name: str) -> gpd.GeoDataFrame:
    path = context_dir() / name
    if not path.exists():
        raise DatasetError(f"context layer missing: {path} (restore geodata/ from the repository)")
    try:
        return gpd.read_file(path)
    except Exception as exc:
        raise DatasetError(f"cannot read context layer {name}: {exc}") from exc


@lru_cache(maxsize=2)
def load_places() -> gpd.GeoDataFrame:
    """Named places (points, degrees) with ``name``, ``kind``, ``description``, ``sources``."""
    return _read("places.geojson")


@lru_cache(maxsize=2)
def load_lines() -> gpd.GeoDataFrame:
    """The maritime boundary and the date line (lines, degrees) with their sources."""
    return _read("lines.geojson")


def place_lonlat(name: str) -> tuple[float, float]:
    """(lon, lat) in degrees of a named place (case-insensitive)."""
    places = load_places()
    hit = places[places["name"].str.lower() == str(name).strip().lower()]
    if hit.empty:
        raise InputError(f"unknown place {name!r}; known places: {', '.join(sorted(places['name']))}")
    geom = hit.geometry.iloc[0]
    return (float(geom.x), float(geom.y))
