"""The map: static base map + changing layers through streamlit-folium.

The layers come from :func:`mapapp.render.mapview.map_layers`, the same builder the
standalone HTML export uses; this module only feeds it the cached data.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from mapapp.core.errors import MapAppError
from mapapp.core.geodesy import center_lons
from mapapp.engineering.pointinfo import point_info
from mapapp.render import assets, mapview
from mapapp.render.mapview import MapData, MapSettings

from . import cache
from .state import session

MAP_KEY = "main-map"
#: Only these interactions rerun the script (pans and zooms do not).
RETURNED = ["last_clicked", "all_drawings"]


def _localize(m):
    """Point folium's asset URLs at our local copies when they are installed."""
    try:
        assets.localize(m)
    except MapAppError as exc:
        st.caption(f"Web assets: {exc}")
    return m


class _OverlayView:
    """Adapter: a cached overlay dict with the attributes mapview.bathymetry_layer reads."""

    def __init__(self, d: dict):
        self._d = d
        self.cmap, self.vmin, self.vmax = d["cmap"], d["vmin"], d["vmax"]
        w, s, e, n = d["bounds"]
        self.leaflet_bounds = [[s, w], [n, e]]

    def data_url(self) -> str:
        return self._d["data_url"]


def map_data(settings: MapSettings, files: bool = False) -> MapData:
    """The map's data from the app's caches (same content as :func:`mapview.map_data`).

    The bathymetry image, the land (one file per zoom band), the isobaths and the places go
    to the browser as content-hashed files under /app/static/gen/ (:func:`cache.publish`),
    fetched once and cached; a layer whose file cannot be written is sent inline. Only with
    ``files`` (the app's map): the standalone HTML export needs everything inline.
    """
    grid_info = cache.grid(settings.dataset_path).info
    bbox = tuple(grid_info.bounds)
    ov = cache.rendered_overlay(
        settings.dataset_path, bbox, mapview.overlay_width(grid_info), settings.cmap,
        settings.vmin, settings.vmax, settings.hillshade, settings.land_source,
    )
    places, context_lines = cache.context_layers()
    found = {}
    if files:
        found = _files(settings, ov, bbox)
    lines = None
    if settings.isobath_interval and "isobaths" in found:
        lines = ()  # drawn from the file
    elif settings.isobath_interval:
        lines = cache.isobath_lines(settings.dataset_path, bbox, settings.isobath_interval,
                                    settings.land_source)
    return MapData(grid_info=grid_info, overlay=_OverlayView(ov),
                   land=cache.display_land(settings.land_source), isobaths=lines,
                   places=places, lines=context_lines, files=found or None)


def _files(settings: MapSettings, ov: dict, bbox) -> dict:
    """URLs of the layer files (see :func:`map_data`); a layer whose file could not be
    written is left out (sent inline)."""
    files = {}
    url = cache.publish(ov["png"], "png", "bathymetry")
    if url:
        files["bathymetry"] = url
    levels = [(z, cache.publish(b, "json", f"land-z{z:g}")) for z, b in cache.land_files(settings.land_source)]
    if all(u for _, u in levels):
        files["land"] = levels
    if settings.isobath_interval:
        url = cache.publish(cache.isobath_file(settings.dataset_path, bbox, settings.isobath_interval,
                                               settings.land_source), "json", "isobaths")
        if url:
            files["isobaths"] = url
    url = cache.publish(cache.context_file(), "json", "places")
    if url:
        files["context"] = url
    return files


def click_layer() -> list:
    """A marker with the depth at the last clicked point, if any."""
    p = session.clicked_point
    if not p:
        return []
    return [mapview.point_layer(p["lat"], p["lon"], p["value"])]


def show_map(
    settings: MapSettings,
    routes=(),
    *,
    selected: str | None = None,
    labels=None,
    height: int = 620,
    view=mapview.DEFAULT_VIEW,
    extra_layers=(),
) -> dict:
    """Draw the map; returns streamlit-folium's output (clicks, drawings).

    The base map (``view`` is the session's initial view) is identical on every rerun, so
    the map never remounts; everything else arrives as feature groups. ``extra_layers``:
    more feature groups from other views (e.g. the ensemble's corridor).
    """
    m = _localize(mapview.base_map(view=view, height=height, sync_url=True,
                                   places=list(cache.place_list()), click_to_scroll=True))
    fgs = mapview.map_layers(settings, map_data(settings, files=True), routes, selected=selected,
                             labels=labels, extra=[*extra_layers, *click_layer()])
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
    prev = session.clicked_point
    if prev and abs(prev["lat"] - lat) < 1e-9 and abs(prev["raw_lng"] - lng) < 1e-9:
        return
    try:
        info = point_info(cache.grid(settings.dataset_path), float(center_lons(lng)), lat)
    except MapAppError as exc:
        st.error(str(exc))
        return
    session.clicked_point = {
        "lat": lat, "lon": float(center_lons(lng)), "raw_lng": lng, "text": info.text,
        "value": info.value,
    }
    st.rerun()
