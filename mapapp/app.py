"""Streamlit app: ``streamlit run mapapp/app.py``.

Thin by design: widgets and session state only; all work happens in the core modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by `streamlit run mapapp/app.py`
    _here = str(Path(__file__).resolve().parent)
    # the script's own folder holds the layer packages (core, data, io, …): keep them from
    # shadowing top-level modules of the same name; import them as mapapp.* only
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402

from mapapp.core import safety
from mapapp.core.errors import MapAppError  # noqa: E402
from mapapp.ui import (  # noqa: E402
    data_panel,
    export_panel,
    link_panel,
    mappanel,
    optimise_panel,
    plainwords,
    routes_panel,
    scorecard,
    sidebar,
    tunnel_panel,
    uncertainty_panel,
)
from mapapp.ui.state import session  # noqa: E402

INTRO = (
    "In October 2025 Kirill Dmitriev proposed a 70-mile (≈113 km) Russia–Alaska rail tunnel under "
    "the Bering Strait, to be bored by the Boring Company for under US$8 bn (2025 prices) in "
    "under 8 years. "
    "This tool lets you check such claims against real bathymetry and coastlines."
)


ABOUT = (
    "**Bering Strait tunnel route explorer** — checks proposed Russia–Alaska tunnel alignments "
    "against real bathymetry and coastlines.\n\n"
    "Data: ETOPO5 5′ relief (NOAA NGDC 1988, Data Announcement 88-MGG-02; public domain) · "
    "GSHHG 2.3.6 full-resolution coastline (Wessel & Smith 1996, JGR 101(B4) 8741–8743; "
    "LGPL-3.0) · OpenStreetMap land polygons (© OpenStreetMap contributors, ODbL 1.0) · places, "
    "boundaries, proposals and every cost figure with their sources in the repository's "
    "`geodata/` folder (each value carries its source, or says it is an assumption)."
)


TAGLINE = ("Checks proposed Russia–Alaska tunnel routes under the Bering Strait against real "
           "bathymetry and coastlines.")

#: Map height (px): at 1440×900 the map and the verdicts of the cards under it fit the window.
MAP_HEIGHT = 520

#: Keeps the header compact so that the map starts near the top of the window.
COMPACT_CSS = """<style>
.block-container { padding-top: 2.2rem; }
h1#bering-strait-tunnel-route-explorer { font-size: 1.55rem; padding: 0.1rem 0 0 0; }
[data-testid="stColumn"] h3 { font-size: 1.35rem; padding: 0.1rem 0 0 0; }
[data-testid="stMainBlockContainer"] h3 { padding-top: 0.3rem; padding-bottom: 0.3rem; }
</style>"""


def resolution_note(info: dict) -> str:
    """One plain line on the active grid (details in :func:`header`'s popover)."""
    return plainwords.resolution_line(info)


def header(info: dict) -> None:
    """One line under the title: what the tool is and what the grid means, details on demand."""
    line, more = st.columns([6, 1], vertical_alignment="center")
    line.caption(TAGLINE + " " + safety.md_escape(resolution_note(info)))
    with more.popover("About & data", width="stretch"):
        st.markdown(INTRO)
        st.markdown(plainwords.resolution_detail(info))
        st.caption("Click the map to read the depth (or “land”) at a point; draw a line to add "
                   "a route. The claims of the selected route are checked under the map.")


@st.fragment
def explore(settings) -> None:
    """The map, the selected route and the detail tabs: one fragment, so that choosing a route,
    clicking the map or working in a tab reruns only this part (not the header, the sidebar or
    the data panel); the map is in it so it always shows the selected route. Whatever changes
    the sidebar's state (a new route, a drawing) asks for a full rerun with ``st.rerun()``.
    """
    try:
        routes = routes_panel.shown_routes()
        sel = routes_panel.selected(routes)
        out = mappanel.show_map(settings, routes, selected=sel.id if sel else None,
                                labels=routes_panel.route_labels(routes),
                                view=routes_panel.initial_view(), height=MAP_HEIGHT,
                                extra_layers=[*uncertainty_panel.map_layers(),
                                              *scorecard.map_layer(sel, settings.dataset_path)])
        if routes_panel.sync_drawings(out.get("all_drawings")):
            st.rerun()
        scorecard.panel(sel, settings.dataset_path)  # the claims, first thing under the map
        clicked = session.clicked_point
        point, on_map = st.columns([3, 1], vertical_alignment="center")
        point.markdown(f"**Clicked point:** {clicked['text']}" if clicked
                       else "Click the map to read the depth (or “land”) at a point.")
        scorecard.map_toggle(on_map)
        sel = routes_panel.selector(routes)
        compare, tunnel, edit, optimise, uncertainty, exports, whole = st.tabs(
            ["Compare routes", "Profile & tunnel", "Edit waypoints", "Optimise", "Uncertainty",
             "Export", "Whole link"]
        )
        with compare:
            routes_panel.comparison(routes, sel)
        with tunnel:
            results = tunnel_panel.panel(routes, sel, settings.dataset_path)
        with edit:
            routes_panel.editor(sel)
        with optimise:
            polygons = [f for f in (out.get("all_drawings") or [])
                        if (f.get("geometry") or {}).get("type") == "Polygon"]
            found = optimise_panel.panel(settings.dataset_path, polygons, out.get("last_clicked"))
            if found is not None:
                routes_panel.add_route(found)
                st.rerun()
        with uncertainty:
            uncertainty_panel.panel(routes, sel, settings.dataset_path)
        with exports:
            export_panel.panel(routes, settings, results, selected=sel.id if sel else None,
                               labels=routes_panel.route_labels(routes))
        with whole:
            link_panel.panel(sel)
        routes_panel.update_link(routes, mappanel.cache.link_dataset(settings.dataset_name))
    except MapAppError as exc:
        st.error(safety.md_escape(str(exc)))


def main() -> None:
    st.set_page_config(page_title="Bering Strait tunnel explorer", page_icon="🌊", layout="wide",
                       menu_items={"About": ABOUT})
    st.markdown(COMPACT_CSS, unsafe_allow_html=True)
    st.title("Bering Strait tunnel route explorer", anchor="bering-strait-tunnel-route-explorer")
    try:
        routes_panel.init_state()
        settings = sidebar.render_sidebar()
        info = next(e["info"] for e in mappanel.cache.dataset_entries()
                    if e["name"] == settings.dataset_name)
        header(info)
        routes_panel.sidebar()
        routes_panel.upload_message()
        with st.sidebar:
            data_panel.panel()
        explore(settings)
    except MapAppError as exc:
        st.error(safety.md_escape(str(exc)))
    st.caption(
        "Data: ETOPO5 (NOAA NGDC 1988, public domain) · GSHHG 2.3.6 coastline (Wessel & Smith, "
        "LGPL-3.0) · places, boundaries and proposals with their sources in geodata/."
    )


main()
