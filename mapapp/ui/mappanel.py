"""The map: static base map + changing layers through streamlit-folium."""

from __future__ import annotations

import json

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from mapapp.core.errors import MapAppError
from mapapp.core.geodesy import center_lons
from mapapp.data.coastline import SOURCES
from mapapp.engineering.pointinfo import point_info
from mapapp.render import mapview

from . import cache
from .sidebar import MapSettings

MAP_KEY = "main-map"
#: Only these interactions rerun the script (pans and zooms do not).
RETURNED = ["last_clicked", "all_drawings"]


def _localize(m):
    """Point folium's asset URLs at our local copies when they are installed."""
    try:
        from mapapp.render import assets
    except ImportError:  # pragma: no cover - assets module always present
        return m
    try:
        assets.localize(m)
    except MapAppError as exc:
        st.caption(f"Web assets: {exc}")
    return m


def overlay_width(info: dict) -> int:
    """Overlay width in pixels: ~4 screen pixels per grid cell, between 256 and 1400."""
    return int(min(1400, max(256, info["size_px"][0] * 4)))


def layers(settings: MapSettings, info: dict, extra=()) -> list:
    """The changing layers for the current settings (cheap: rendering is cached)."""
    bbox = tuple(info["bounds_deg"])
    out = []
    tiles = mapview.basemap_layer(settings.basemap)
    if tiles is not None:
        out.append(tiles)
    ov = cache.rendered_overlay(
        settings.dataset_path, bbox, overlay_width(info), settings.cmap,
        settings.vmin, settings.vmax, settings.hillshade,
    )
    grid_info = cache.grid(settings.dataset_path).info
    out.append(mapview.bathymetry_layer(_OverlayView(ov), grid_info, settings.opacity))
    out.append(mapview.land_layer(cache.display_land(), SOURCES["gshhg"][2]))
    if settings.isobath_interval:
        gj = json.loads(cache.isobath_geojson(settings.dataset_path, bbox, settings.isobath_interval))
        lines = gpd.GeoDataFrame.from_features(gj["features"], crs=4326) if gj["features"] else []
        out.append(mapview.isobath_layer(lines, settings.isobath_interval))
    places, lines = cache.context_layers()
    out.append(mapview.context_layer(places, lines))
    out.extend(extra)
    return out


class _OverlayView:
    """Adapter: a cached overlay dict with the attributes mapview.bathymetry_layer reads."""

    def __init__(self, d: dict):
        self._d = d
        self.cmap, self.vmin, self.vmax = d["cmap"], d["vmin"], d["vmax"]
        w, s, e, n = d["bounds"]
        self.leaflet_bounds = [[s, w], [n, e]]

    def data_url(self) -> str:
        return self._d["data_url"]


def click_layer() -> list:
    """A marker with the depth at the last clicked point, if any."""
    p = st.session_state.get("clicked_point")
    if not p:
        return []
    return [mapview.point_layer(p["lat"], p["lon"], p["text"].split(" [")[0].split("— ")[-1])]


def show_map(
    settings: MapSettings, info: dict, extra_layers=(), height: int = 620, view=mapview.DEFAULT_VIEW
) -> dict:
    """Draw the map; returns streamlit-folium's output (clicks, drawings).

    The base map (``view`` is the session's initial view) is identical on every rerun, so
    the map never remounts; everything else arrives as feature groups.
    """
    m = _localize(mapview.base_map(view=view, height=height, sync_url=True))
    fgs = layers(settings, info, extra_layers) + click_layer()
    out = st_folium(
        m,
        key=MAP_KEY,
        height=height,
        use_container_width=True,
        returned_objects=RETURNED,
        feature_group_to_add=fgs,
        layer_control=mapview.folium.LayerControl(collapsed=True),
    ) or {}
    handle_click(out, settings)
    return out


def handle_click(out: dict, settings: MapSettings) -> None:
    """Record the depth at a newly clicked point (reruns once so the marker shows)."""
    click = out.get("last_clicked")
    if not click:
        return
    lat, lng = float(click["lat"]), float(click["lng"])
    prev = st.session_state.get("clicked_point")
    if prev and abs(prev["lat"] - lat) < 1e-9 and abs(prev["raw_lng"] - lng) < 1e-9:
        return
    try:
        info = point_info(cache.grid(settings.dataset_path), float(center_lons(lng)), lat)
    except MapAppError as exc:
        st.error(str(exc))
        return
    st.session_state["clicked_point"] = {
        "lat": lat, "lon": float(center_lons(lng)), "raw_lng": lng, "text": info.text,
    }
    st.rerun()
