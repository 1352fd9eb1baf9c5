"""Routes in the app: preset chooser, upload, drawings, comparison table, waypoint editor,
shareable link. The routes themselves live in the session's
:class:`~mapapp.session.routeset.RouteSet` (:data:`mapapp.ui.state.session`); this module only
draws widgets and hands what the user did to it."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from mapapp.core import safety
from mapapp.core.errors import MapAppError
from mapapp.io import routeio, urlstate
from mapapp.render.mapview import DEFAULT_VIEW, View
from mapapp.routes import metrics, presets
from mapapp.routes.route import Route
from mapapp.session.routeset import DEFAULT_PRESETS, RouteSet
from mapapp.ui.cache import route_cached
from mapapp.ui.state import Widget, session

MAX_UPLOAD_MB = safety.MAX_UPLOAD_BYTES // (1024 * 1024)


# --------------------------------------------------------------------------- state
def init_state() -> None:
    """First run of a session: defaults, then whatever a shared link carries."""
    if session.started:
        return
    state = urlstate.decode_state(dict(st.query_params))
    session.link_errors = list(state.errors)
    session.routes = RouteSet.from_link(state, presets_given="p" in st.query_params)
    if state.center is not None:
        session.initial_view = View(lat=state.center[0], lon=state.center[1],
                                    zoom=state.zoom or DEFAULT_VIEW.zoom)
    elif state.zoom is not None:
        session.initial_view = View(DEFAULT_VIEW.lat, DEFAULT_VIEW.lon, state.zoom)
    session.link_dataset = state.dataset


def initial_view() -> View:
    return session.initial_view


def shown_routes() -> list[Route]:
    """Presets shown, then added routes, then drawn routes, each with its colour."""
    return session.routes.routes()


def selected(routes: list[Route] | None = None) -> Route | None:
    return session.routes.selected()


# --------------------------------------------------------------------------- sidebar
def _presets_changed() -> None:
    session.routes.set_presets(st.session_state[Widget.PRESETS])


def sidebar() -> None:
    """Preset chooser and route upload."""
    st.sidebar.header("Routes")
    for err in session.link_errors:
        st.sidebar.warning(f"Part of the shared link was ignored — {safety.md_escape(err)}")
    session.link_errors = []
    rs = session.routes
    names = {r.id: r.name for r in presets.load_presets()}
    st.session_state[Widget.PRESETS] = list(rs.shown_presets)
    st.sidebar.multiselect(
        "Proposals (presets)", presets.preset_ids(), key=Widget.PRESETS,
        format_func=lambda i: names.get(i, i), on_change=_presets_changed,
        help="Historical and current proposals; sources and claims in the comparison table.",
    )
    up = st.sidebar.file_uploader(
        "Upload routes (GeoJSON, KML/KMZ, GPX, CSV, GeoPackage, FlatGeobuf, zipped shapefile)",
        type=sorted(s.lstrip(".") for s in routeio.ROUTE_SUFFIXES),
        key=Widget.UPLOAD,
        help=f"Up to {MAX_UPLOAD_MB} MB. Routes already loaded stay if a file is rejected.",
    )
    if up is not None:
        outcome = rs.upload(up.name, up.getvalue())
        if outcome is not None:  # names and messages are shown as text, never as markdown
            session.flash.append(("error" if outcome.error else "success",
                                  safety.md_escape(outcome.message)))
    _paste_box()
    st.sidebar.caption("Draw a route with the polyline tool on the map (double-click to finish).")


def _paste_box() -> None:
    """Coordinates pasted as text become a route (the rule is stated under the box)."""
    with st.sidebar.expander("Paste coordinates"):
        with st.form("paste-form", clear_on_submit=False, border=False):
            text = st.text_area(
                "One point per line, or a WKT LINESTRING", key=Widget.PASTE, height=120,
                placeholder="-169.6519, 66.0792 Cape Dezhnev\n-168.0847, 65.5964 Wales",
            )
            name = st.text_input("Route name", key=Widget.PASTE_NAME, max_chars=120)
            st.caption(
                "Decimal degrees, longitude first (`-169.65, 66.08`). Latitude first is read "
                "as such when a first line says `lat, lon`, or when every first number is "
                "within ±90° and a second one is not (as copied from most map sites)."
            )
            ok = st.form_submit_button("Add route")
        if ok:
            try:
                r = session.routes.paste(text, name.strip())
            except MapAppError as exc:
                st.error(f"Not added: {safety.md_escape(exc)}")
            else:
                st.success(safety.md_escape(f"Added {r.name} ({r.length_m() / 1000:.1f} km)"))


def upload_message() -> None:
    for kind, text in session.take_flash():
        (st.sidebar.error if kind == "error" else st.sidebar.success)(text)


# --------------------------------------------------------------------------- drawings
def sync_drawings(all_drawings) -> bool:
    """Rebuild the drawn routes from the Draw plugin's features; True when they changed."""
    try:
        return session.routes.sync_drawings(all_drawings)
    except MapAppError as exc:
        st.warning(f"Your drawn line was not added as a route: {safety.md_escape(exc)}")
        return False


# --------------------------------------------------------------------------- main panels
@route_cached(max_entries=256)
def _metrics(route: Route) -> metrics.RouteMetrics:
    return metrics.route_metrics(route)


def route_labels(routes: list[Route]) -> list[str]:
    return [f"{r.name} — {_metrics(r).length_km:.1f} km" for r in routes]


@route_cached(max_entries=64)
def _comparison(routes: tuple[Route, ...]) -> pd.DataFrame:
    return metrics.comparison_table(routes)


def _table_row_chosen(ids: tuple[str, ...]) -> None:
    """A row clicked in the comparison table selects that route (map, scorecard, tabs).
    ``ids`` are the table's route ids in row order (Streamlit gives the row's position in the
    data, whatever column the reader sorted by)."""
    rows = st.session_state[Widget.COMPARISON].selection.rows
    if rows and 0 <= rows[0] < len(ids):
        session.routes.select(ids[rows[0]])


def comparison(routes: list[Route], sel: Route | None) -> None:
    """The sortable comparison table of all shown routes, and the selected route's claims."""
    if not routes:
        st.info("No route shown: pick presets in the sidebar, draw one, or upload a file.")
        return
    df = _comparison(tuple(routes))
    st.dataframe(
        df.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        column_config={
            "length_km": st.column_config.NumberColumn("length (km)", format="%.1f"),
            "straight_km": st.column_config.NumberColumn("straight (km)", format="%.1f"),
            "sinuosity": st.column_config.NumberColumn("sinuosity", format="%.3f"),
            "subsea_km": st.column_config.NumberColumn("under water (km)", format="%.1f"),
            "land_km": st.column_config.NumberColumn("over land (km)", format="%.1f"),
            "subsea_pct": st.column_config.NumberColumn("under water (%)", format="%.0f"),
            "longest_subsea_km": st.column_config.NumberColumn("longest under water (km)", format="%.1f"),
            "length_vs_claim_km": st.column_config.NumberColumn("computed − claimed (km)", format="%+.1f"),
        },
        key=Widget.COMPARISON,
        on_select=functools.partial(_table_row_chosen, tuple(df["id"])),
        selection_mode="single-row",
    )
    if sel is not None and sel.origin == "preset":
        rows = metrics.claims_vs_computed(sel, _metrics(sel))
        if rows:
            st.markdown(f"**Claims vs computed — {safety.md_escape(sel.name)}**")
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        if sel.notes:
            st.caption(sel.notes)
        if sel.sources:
            st.caption("Sources: " + " · ".join(sel.sources))


def _selection_changed() -> None:
    session.routes.select(st.session_state[Widget.SELECTED])


def selector(routes: list[Route]) -> Route | None:
    """Select box for the route the detail panels work on."""
    sel = session.routes.selected()
    if sel is None:
        return None
    names = {r.id: r.name for r in routes}
    st.session_state[Widget.SELECTED] = sel.id
    st.selectbox("Selected route", list(names), key=Widget.SELECTED,
                 format_func=lambda i: names[i], on_change=_selection_changed)
    return sel


def editor(route: Route | None) -> None:
    """Rename / edit waypoints of the selected route; invalid edits are refused."""
    if route is None:
        st.info("No route selected: choose one under the map, or show a preset in the sidebar.")
        return
    st.caption(
        "Edit longitude/latitude (degrees) and names; add rows at the bottom, delete with the "
        f"row menu (at most {safety.MAX_VERTICES_PER_ROUTE:,} waypoints). Editing a preset makes "
        "an edited copy (its claims no longer apply)."
    )
    df = pd.DataFrame([{"name": w.name, "lon": w.lon, "lat": w.lat} for w in route.waypoints])
    with st.form(f"edit-{route.id}"):
        name = st.text_input("Route name", route.name, max_chars=120)
        edited = st.data_editor(
            df, num_rows="dynamic", width="stretch", key=Widget.waypoints(route.id),
            column_config={
                "lon": st.column_config.NumberColumn("lon (°)", format="%.5f"),
                "lat": st.column_config.NumberColumn("lat (°)", format="%.5f"),
            },
        )
        ok = st.form_submit_button("Apply")
    if ok:
        try:
            session.routes.edit(route.id, edited, name=name)
        except MapAppError as exc:
            st.error(f"Not applied: {safety.md_escape(exc)}")
            return
        st.rerun()
    if route.origin != "preset" and st.button("Remove this route", key=f"rm-{route.id}"):
        session.routes.remove(route.id)
        st.rerun()


def add_route(route: Route) -> None:
    """Add a route (e.g. from the optimiser) to the session's routes and select it."""
    session.routes.add(route)


def update_link(routes: list[Route], dataset: str) -> None:
    """Keep the URL query string in step with what is shown (the view is kept by the map)."""
    try:
        params = urlstate.encode_state(session.routes.to_link(dataset))
    except MapAppError as exc:
        st.caption("The page address cannot hold these routes, so it is not a share link for them (export a route file instead): " + safety.md_escape(exc))
        return
    current = {k: st.query_params.get(k) for k in ("p", "r", "s", "d")}
    wanted = {k: params.get(k) for k in ("p", "r", "s", "d")}
    if current != wanted:
        for k, v in wanted.items():
            if v is None:
                st.query_params.pop(k, None)
            else:
                st.query_params[k] = v


__all__ = ["DEFAULT_PRESETS", "add_route", "comparison", "editor", "init_state", "initial_view",
           "route_labels", "selected", "selector", "shown_routes", "sidebar", "sync_drawings",
           "update_link", "upload_message"]
