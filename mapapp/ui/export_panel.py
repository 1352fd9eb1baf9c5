"""Export tab: route files, profile/tunnel data, report figures, standalone HTML.

Every file is made in memory by the core and offered with ``st.download_button``;
file names carry the route ids and the date (:func:`mapapp.io.export.export_filename`).
The PNG of the map *as seen* is made in the browser: the camera button on the map.
"""

from __future__ import annotations

import json

import streamlit as st

from mapapp.core.errors import MapAppError
from mapapp.io import export
from mapapp.render import assets, mapview, report
from mapapp.render.mapview import MapSettings
from mapapp.routes.route import Route

from . import cache, mappanel, scorecard
from .state import session

ROUTE_FORMATS = {
    "geojson": ("GeoJSON (RFC 7946)", "application/geo+json"),
    "kml": ("KML (Google Earth)", "application/vnd.google-earth.kml+xml"),
    "gpx": ("GPX 1.1", "application/gpx+xml"),
    "gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    "csv": ("CSV of waypoints", "text/csv"),
}
FIGURE_MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}


@st.cache_data(show_spinner=False, max_entries=64)
def _route_file(route_jsons: tuple, fmt: str, waypoints: bool, tunnels_json: str) -> bytes:
    routes = [Route.from_dict(json.loads(j)) for j in route_jsons]
    tunnels = ({rid: export.TunnelFigures(d) for rid, d in json.loads(tunnels_json).items()}
               if tunnels_json else None)
    return export.export_bytes(routes, fmt, tunnels=tunnels, waypoints=waypoints)


@st.cache_data(show_spinner="Rendering the figure…", max_entries=16)
def _figure(route_jsons: tuple, grid_path: str, mtime: float, fmt: str, dpi: int, size: tuple,
            title: str, profile: bool, table: bool, tunnels_json: str,
            map_style: MapSettings | None = None, selected: str | None = None,
            scorecards_json: str = "", _tunnels: dict | None = None) -> bytes:
    """``tunnels_json`` keys the cache; ``_tunnels`` (route id -> TunnelResult, not hashed)
    is what the profile panel draws."""
    routes = [Route.from_dict(json.loads(j)) for j in route_jsons]
    scorecards = json.loads(scorecards_json) if scorecards_json else None
    options = report.ReportOptions(dpi=dpi, size_in=size, title=title or None, profile=profile,
                                   metrics_table=table, map_style=map_style, selected=selected)
    return report.render_report(routes, cache.grid(grid_path), options, tunnels=_tunnels or None,
                                fmt=fmt, scorecards=scorecards)


def _scorecards_json(chosen: list[Route], selected: str | None, grid_path: str) -> str:
    """The selected route's scorecard (else the first chosen route's) as JSON, or "" when it
    has no claim to check."""
    route = next((r for r in chosen if r.id == selected), chosen[0] if chosen else None)
    if route is None:
        return ""
    sc = scorecard.compute(route, grid_path)
    return json.dumps([sc], sort_keys=True, default=str) if sc["claims"] else ""


def panel(routes: list[Route], settings: MapSettings, tunnel_results: dict | None = None, *,
          selected: str | None = None, labels=None) -> None:
    """The 'Export' tab. ``settings``, ``selected`` and ``labels`` are the map's on screen:
    the standalone HTML is built from them so that it looks like the screen."""
    grid_path = settings.dataset_path
    if not routes:
        st.info("No route shown: nothing to export.")
        return
    names = {r.id: r.name for r in routes}
    chosen_ids = st.multiselect("Routes to export", list(names), default=list(names),
                                format_func=lambda i: names[i], key="export_routes")
    chosen = [r for r in routes if r.id in chosen_ids]
    if not chosen:
        st.warning("Choose at least one route.")
        return
    keys = tuple(json.dumps(r.to_dict(), sort_keys=True) for r in chosen)
    full = {rid: tunnel_results[rid] for rid in chosen_ids if tunnel_results and rid in tunnel_results}
    # exports carry the summary figures; the figure's profile panel draws the TunnelResult
    typed = {rid: res["tunnel_result"] for rid, res in full.items()}
    full = {rid: {k: v for k, v in res.items() if k != "tunnel_result"} for rid, res in full.items()}
    tunnels = {rid: {k: v for k, v in res.items() if k != "alignment"} for rid, res in full.items()}
    tunnels_json = json.dumps(tunnels, sort_keys=True, default=str) if tunnels else ""
    figure_json = json.dumps(full, sort_keys=True, default=str) if full else ""

    st.markdown("**Route files**")
    waypoints = st.checkbox("Include waypoints as points (GeoJSON, KML)", value=False,
                            key="export_waypoints")
    cols = st.columns(len(ROUTE_FORMATS))
    for col, (fmt, (label, mime)) in zip(cols, ROUTE_FORMATS.items(), strict=True):
        try:
            data = _route_file(keys, fmt, waypoints, tunnels_json)
        except MapAppError as exc:
            col.error(f"{label}: {exc}")
            continue
        col.download_button(label, data, file_name=export.export_filename(chosen, fmt),
                            mime=mime, key=f"dl-{fmt}", on_click="ignore")
    if tunnels:
        st.download_button("Tunnel figures (JSON)",
                           export.tunnel_json_bytes(
                               {rid: export.TunnelFigures(d) for rid, d in tunnels.items()},
                               chosen),
                           file_name=export.export_filename(chosen, "tunnel"),
                           mime="application/json", key="dl-tunnel", on_click="ignore")

    st.markdown("**Report figure** (projected map with scale bar, north arrow, legend, sources)")
    c1, c2, c3, c4 = st.columns(4)
    fmt = c1.selectbox("Format", list(FIGURE_MIME), key="fig_fmt")
    dpi = c2.number_input("DPI", min_value=50, max_value=600, value=200, step=50, key="fig_dpi")
    size = c3.selectbox("Size (in)", ["10 × 8", "8 × 6", "12 × 9", "7 × 10"], key="fig_size")
    title = c4.text_input("Title", "Bering Strait crossing alignments", max_chars=120,
                          key="fig_title")
    c5, c6, c7, c8 = st.columns(4)
    with_profile = c5.checkbox("Seabed/tunnel profile panel", value=True, key="fig_profile")
    with_table = c6.checkbox("Metrics table panel", value=True, key="fig_table")
    as_seen = c7.checkbox("Map as on screen", value=True, key="fig_as_seen",
                          help="The map's colormap, colour range, isobaths, coastline, route "
                          "legend and selected route; off: depth in one standard style.")
    with_cards = c8.checkbox("Claims scorecard panel", value=True, key="fig_scorecard",
                             help="The claims cards of the selected route under the map.")
    if st.button("Make figure", key="fig_make"):
        w, h = (float(v) for v in size.split("×"))
        try:
            cards = _scorecards_json(chosen, selected, grid_path) if with_cards else ""
            session.figure = (
                _figure(keys, grid_path, cache._mtime(grid_path), fmt, int(dpi), (w, h), title,
                        with_profile, with_table, figure_json,
                        settings if as_seen else None, selected if as_seen else None, cards,
                        typed),
                export.export_filename(chosen, fmt),
                fmt,
            )
        except MapAppError as exc:
            st.error(f"Figure: {exc}")
    fig = session.figure
    if fig:
        data, fname, ffmt = fig
        st.download_button(f"Download {fname}", data, file_name=fname, mime=FIGURE_MIME[ffmt],
                           key="dl-figure", on_click="ignore")
        if ffmt == "png":
            st.image(data, caption=fname, width="stretch")

    st.markdown("**The map as seen**: the camera button on the map saves a PNG (choose 1×/2×/3× "
                "and a title line with ⋯), made by your browser; tick “Scorecard on the map” "
                "under the map to include the claims cards.")
    _html_export(routes, chosen, settings, selected, labels)


def _html_export(routes, chosen, settings: MapSettings, selected, labels) -> None:
    """The standalone HTML of the map: the on-screen style, the chosen routes in their
    on-screen colours; offered again only while the map is unchanged."""
    shown = {r.id: i for i, r in enumerate(routes)}
    colours = [mapview.route_display_colour(r, shown[r.id]) for r in chosen]
    tips = [labels[shown[r.id]] for r in chosen] if labels else None
    signature = (settings, tuple(r.id for r in chosen), selected, tuple(colours),
                 tuple(tips or ()), tuple(sorted(repr(r.to_dict()) for r in chosen)))
    if st.button("Make standalone HTML of the map", key="html_make"):
        try:
            m = mapview.build_map(settings, chosen, data=mappanel.map_data(settings),
                                  selected=selected, labels=tips, colours=colours)
            session.html = (signature, assets.standalone_html(m).encode("utf-8"))
        except MapAppError as exc:
            st.error(f"HTML: {exc}")
    made = session.html
    if made and made[0] == signature:
        st.download_button("Download map HTML", made[1],
                           file_name=export.export_filename(chosen, "html"), mime="text/html",
                           key="dl-html", on_click="ignore")
    elif made:
        st.caption("The map has changed since the HTML was made: make it again.")
