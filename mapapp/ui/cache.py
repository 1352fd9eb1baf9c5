"""Cached bridges from the UI to the core.

Datasets and rendered layers are cached across reruns and sessions (read-only shared
data: the functions return immutable bytes / dicts, never objects a session mutates).
Cache keys include the file's modification time, so a replaced grid is re-read.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mapapp.core import paths
from mapapp.data import bathymetry, coastline, context, datasets
from mapapp.render import isobaths, overlay
from mapapp.routes.route import Route


def route_cached(max_entries: int):
    """``st.cache_data`` for functions of routes: a Route is keyed by its
    :meth:`~mapapp.routes.route.Route.fingerprint` (no JSON round trips at the call sites)."""
    return st.cache_data(show_spinner=False, max_entries=max_entries,
                         hash_funcs={Route: Route.fingerprint})


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=16)
def _grid(path: str, mtime: float) -> bathymetry.Grid:
    return bathymetry.Grid(path)


def grid(path: str) -> bathymetry.Grid:
    """The opened grid at ``path`` (cached; reopened when the file changes)."""
    return _grid(path, _mtime(path))


def dataset_entries() -> list[dict]:
    """The grids in geodata/bathymetry as plain dicts (rescanned when the folder changes)."""
    folder = paths.bathymetry_dir()
    return _dataset_entries(str(folder), _mtime(str(folder)))


@st.cache_data(show_spinner=False, max_entries=8)
def _dataset_entries(folder: str, mtime: float) -> list[dict]:
    out = []
    for e in datasets.list_datasets(Path(folder)):
        out.append(
            {
                "name": e.name,
                "path": str(e.path),
                "label": e.label,
                "error": e.error,
                "info": e.info.describe() if e.info else None,
            }
        )
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def _overlay(path, mtime, bbox, width_px, cmap, vmin, vmax, hillshade, land_source="gshhg"):
    g = grid(path)
    ov = overlay.render_overlay(
        g, bbox, width_px=width_px, cmap=cmap, vmin=vmin, vmax=vmax, hillshade=hillshade,
        land=coastline.land_geometry(land_source),
    )
    return {"data_url": ov.data_url(), "bounds": ov.bounds, "vmin": ov.vmin, "vmax": ov.vmax,
            "cmap": ov.cmap, "png_bytes": len(ov.png)}


def rendered_overlay(path, bbox, width_px, cmap, vmin, vmax, hillshade, land_source="gshhg") -> dict:
    """The bathymetry overlay as a data URL plus its bounds (cached); land from ``land_source``
    is left transparent."""
    return _overlay(path, _mtime(path), tuple(bbox), int(width_px), cmap, vmin, vmax, bool(hillshade),
                    land_source)


@st.cache_data(show_spinner=False, max_entries=32)
def _isobaths(path, mtime, bbox, interval, land_source="gshhg"):
    lines = isobaths.isobaths(grid(path), bbox, interval, land=coastline.land_geometry(land_source))
    return lines.to_json()


def isobath_geojson(path, bbox, interval, land_source="gshhg") -> str:
    """Isobaths as a GeoJSON string (cached)."""
    return _isobaths(path, _mtime(path), tuple(bbox), float(interval), land_source)


@st.cache_resource(show_spinner=False)
def display_land(source: str = "gshhg"):
    """Simplified land polygons for display (shared, read-only)."""
    return coastline.display_land(source)


@st.cache_resource(show_spinner=False)
def context_layers():
    """(places, lines) GeoDataFrames (shared, read-only)."""
    return context.load_places(), context.load_lines()


@st.cache_data(show_spinner=False, max_entries=8)
def value_range(path: str, mtime: float, bbox) -> tuple[float, float]:
    """(min, max) elevation of the grid in the box, metres."""
    return grid(path).value_range(bbox)
