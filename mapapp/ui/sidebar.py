"""Sidebar: dataset and display settings."""

from __future__ import annotations

import math

import streamlit as st

from mapapp.core.paths import DEFAULT_GRID_NAME
from mapapp.render.mapview import BASEMAPS, MapSettings
from mapapp.render.overlay import COLORMAPS

from . import cache
from .state import Widget, session

__all__ = ["ISOBATH_CHOICES", "LAND_CHOICES", "MapSettings", "dataset_picker", "render_sidebar"]

ISOBATH_CHOICES = (0, 5, 10, 20, 50)
#: Coastlines the map can draw (keys of :data:`mapapp.data.coastline.SOURCES`).
LAND_CHOICES = {"gshhg": "GSHHG 2.3.6 (Wessel & Smith)", "osm": "OpenStreetMap (ODbL)"}


def dataset_picker() -> dict:
    """Select box over the grids in geodata/bathymetry; returns the chosen entry."""
    entries = cache.dataset_entries()
    usable = [e for e in entries if e["info"]]
    if not usable:
        st.sidebar.error("No usable bathymetry grid in geodata/bathymetry/. Restore the repository's geodata.")
        _broken_captions(entries)
        st.stop()
    names = [e["name"] for e in usable]
    if Widget.DATASET not in st.session_state and session.link_dataset:
        st.session_state[Widget.DATASET] = session.link_dataset  # a shared link's choice
    current = st.session_state.get(Widget.DATASET)
    if current not in names:  # unknown or removed: fall back to the embedded default
        if current:
            st.sidebar.warning(f"Dataset {current!r} is not available; using {names[0]}.")
        st.session_state[Widget.DATASET] = names[0]
    st.sidebar.selectbox(
        "Bathymetry dataset",
        names,
        key=Widget.DATASET,
        format_func=lambda n: next(e["label"] for e in usable if e["name"] == n),
        help="Any GeoTIFF/NetCDF grid dropped into geodata/bathymetry/ appears here.",
    )
    _broken_captions(entries)
    return next(e for e in usable if e["name"] == st.session_state[Widget.DATASET])


def _broken_captions(entries: list[dict]) -> None:
    """Say which grids cannot be used and why, and whether the embedded default is missing."""
    for e in entries:
        if not e["info"]:
            st.sidebar.caption(f"⚠ {e['name']}: {e['error']}")
    if not any(e["name"] == DEFAULT_GRID_NAME for e in entries):
        st.sidebar.caption(f"⚠ The embedded default grid {DEFAULT_GRID_NAME} is missing from "
                           "geodata/bathymetry/; restore it from the repository.")


def render_sidebar() -> MapSettings:
    """Draw the sidebar and return the settings."""
    st.sidebar.header("Bathymetry")
    entry = dataset_picker()
    info = entry["info"]
    with st.sidebar.expander("About this grid", expanded=False):
        st.markdown(
            f"**{info['name']}**  \n"
            f"Resolution: {info['resolution']}  \n"
            f"CRS: {info['crs']}; size {info['size_px'][0]}×{info['size_px'][1]} px  \n"
            f"Extent (W,S,E,N): {', '.join(f'{v:.3f}' for v in info['bounds_deg'])}  \n"
            f"Values: {info['sign_convention']}; nodata {info['nodata']}  \n"
            f"Source: {info['source'] or 'not stated'}  \n"
            f"Licence: {info['licence'] or 'not stated'}"
        )
    lo, hi = cache.value_range(entry["path"], cache._mtime(entry["path"]), tuple(info["bounds_deg"]))
    lo_i = int(math.floor(min(lo, -1.0)))
    hi_i = int(math.ceil(max(hi, 0.0)))
    cmap = st.sidebar.selectbox("Colormap", COLORMAPS, key="cmap")
    vmin, vmax = st.sidebar.slider(
        "Colour range (m, elevation)",
        min_value=lo_i,
        max_value=hi_i,
        value=(lo_i, 0),
        key=f"range::{entry['name']}",
        help="Defaults: the grid's deepest value to sea level.",
    )
    if vmin >= vmax:
        st.sidebar.warning("The colour range needs min < max; using the data range.")
        vmin, vmax = lo_i, 0 if lo_i < 0 else hi_i
    opacity = st.sidebar.slider("Opacity", 0.0, 1.0, 0.85, 0.05, key="opacity")
    hillshade = st.sidebar.checkbox("Hillshade", value=False, key="hillshade")
    interval = st.sidebar.selectbox(
        "Isobath interval (m)", ISOBATH_CHOICES, index=2, key="isobath",
        format_func=lambda v: "off" if v == 0 else f"{v} m",
    )
    basemap = st.sidebar.selectbox(
        "Basemap", list(BASEMAPS), key="basemap",
        help="Basemap tiles need internet; 'none' works offline.",
    )
    land_source = st.sidebar.selectbox(
        "Land (coastline)", list(LAND_CHOICES), key="land_source",
        format_func=LAND_CHOICES.__getitem__,
        help="Drawn on the map and credited in its attribution.",
    )
    route_legend = st.sidebar.checkbox(
        "Route legend on the map", value=True, key="route_legend",
        help="Name and colour of each shown route; also in the camera's PNG.",
    )
    return MapSettings(
        dataset_path=entry["path"],
        dataset_name=entry["name"],
        cmap=cmap,
        vmin=float(vmin),
        vmax=float(vmax),
        opacity=float(opacity),
        hillshade=bool(hillshade),
        isobath_interval=float(interval),
        basemap=basemap,
        land_source=land_source,
        route_legend=bool(route_legend),
    )
