"""Routes in the app: presets, drawn, uploaded, edited; comparison table; shareable link.

Session state (per browser session, never shared):

``shown_presets``   ids of the presets shown (multiselect)
``user_routes``     dict id -> route dict: uploaded, edited and optimised routes
``drawn_routes``    list of route dicts rebuilt from the Draw plugin's ``all_drawings``
``route_names``     dict id -> name given by the user to a drawn route
``selected_route``  id of the route the profile/tunnel/editor panels work on
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from mapapp.core import safety
from mapapp.core.errors import MapAppError
from mapapp.io import routeio, urlstate
from mapapp.render.mapview import DEFAULT_VIEW, View
from mapapp.routes import metrics, presets
from mapapp.routes.route import Route, route_colour

DEFAULT_PRESETS = ["dmitriev-2025", "ibstrg-1990s", "direct-shortest"]
MAX_UPLOAD_MB = 10


# --------------------------------------------------------------------------- state
def init_state() -> None:
    """First run of a session: defaults, then whatever a shared link carries."""
    if st.session_state.get("_routes_init"):
        return
    st.session_state["_routes_init"] = True
    st.session_state.setdefault("user_routes", {})
    st.session_state.setdefault("drawn_routes", [])
    st.session_state.setdefault("route_names", {})
    st.session_state.setdefault("upload_seen", [])
    state = urlstate.decode_state(dict(st.query_params))
    for err in state.errors:
        st.session_state.setdefault("link_errors", []).append(err)
    st.session_state["shown_presets"] = state.presets if "p" in st.query_params else DEFAULT_PRESETS
    for r in state.routes:
        st.session_state["user_routes"][r.id] = r.to_dict()
    view = DEFAULT_VIEW
    if state.center is not None:
        view = View(lat=state.center[0], lon=state.center[1], zoom=state.zoom or DEFAULT_VIEW.zoom)
    elif state.zoom is not None:
        view = View(DEFAULT_VIEW.lat, DEFAULT_VIEW.lon, state.zoom)
    st.session_state["initial_view"] = view
    if state.dataset:
        st.session_state["dataset"] = state.dataset
    if state.selected:
        st.session_state["selected_route"] = state.selected


def initial_view() -> View:
    return st.session_state.get("initial_view", DEFAULT_VIEW)


def user_routes() -> list[Route]:
    return [Route.from_dict(d) for d in st.session_state.get("user_routes", {}).values()]


def drawn_routes() -> list[Route]:
    names = st.session_state.get("route_names", {})
    out = []
    for d in st.session_state.get("drawn_routes", []):
        r = Route.from_dict(d)
        if r.id in names:
            r = r.copy(name=names[r.id])
        out.append(r)
    return out


def shown_routes() -> list[Route]:
    """Presets shown, then uploaded/edited routes, then drawn routes, each with its colour."""
    routes = [presets.get_preset(i) for i in st.session_state.get("shown_presets", [])
              if i in presets.preset_ids()]
    routes += user_routes() + drawn_routes()
    return [r if r.colour else r.copy(colour=route_colour(i)) for i, r in enumerate(routes)]


def request_select(route_id: str) -> None:
    """Select a route on the next run (the select box may already exist in this one)."""
    st.session_state["_pending_select"] = route_id


def selected(routes: list[Route]) -> Route | None:
    pending = st.session_state.pop("_pending_select", None)
    if pending is not None:
        st.session_state["selected_route"] = pending
    ids = [r.id for r in routes]
    if not ids:
        return None
    if st.session_state.get("selected_route") not in ids:
        st.session_state["selected_route"] = ids[0]
    return routes[ids.index(st.session_state["selected_route"])]


# --------------------------------------------------------------------------- sidebar
def sidebar() -> None:
    """Preset chooser and route upload."""
    st.sidebar.header("Routes")
    for err in st.session_state.pop("link_errors", []):
        st.sidebar.warning(f"Part of the shared link was ignored — {safety.md_escape(err)}")
    options = presets.preset_ids()
    st.session_state["shown_presets"] = [p for p in st.session_state["shown_presets"] if p in options]
    names = {r.id: r.name for r in presets.load_presets()}
    st.sidebar.multiselect(
        "Proposals (presets)", options, key="shown_presets", format_func=lambda i: names.get(i, i),
        help="Historical and current proposals; sources and claims in the comparison table.",
    )
    up = st.sidebar.file_uploader(
        "Upload routes (GeoJSON, KML/KMZ, GPX, CSV, GeoPackage)",
        type=["geojson", "json", "kml", "kmz", "gpx", "csv", "txt", "gpkg"],
        key="upload",
        help=f"Up to {MAX_UPLOAD_MB} MB. Routes already loaded stay if a file is rejected.",
    )
    if up is not None:
        _ingest_upload(up.name, up.getvalue())
    st.sidebar.caption("Draw a route with the polyline tool on the map (double-click to finish).")


def _ingest_upload(name: str, data: bytes) -> None:
    digest = hashlib.sha1(name.encode() + data).hexdigest()
    if digest in st.session_state["upload_seen"]:
        return
    st.session_state["upload_seen"].append(digest)
    try:
        taken = {r.id for r in shown_routes()} | {r.name for r in shown_routes()}
        routes = routeio.read_routes(data, filename=name, max_bytes=MAX_UPLOAD_MB * 1024 * 1024,
                                     existing_ids=taken)
        safety.check_session_budget(user_routes() + drawn_routes(), routes)
    except MapAppError as exc:  # names and messages are shown as text, never as markdown
        st.session_state["upload_message"] = ("error", safety.md_escape(f"{name}: {exc}"))
        return
    added = []
    for r in routes:
        rid = r.id
        while rid in taken:
            rid = f"{r.id}-{len(taken)}"
        r = r.copy(id=rid)
        taken.add(rid)
        st.session_state["user_routes"][r.id] = r.to_dict()
        added.append(r.name)
    st.session_state["upload_message"] = (
        "success", safety.md_escape(f"{name}: added {', '.join(added)}"))


def upload_message() -> None:
    msg = st.session_state.pop("upload_message", None)
    if msg:
        (st.sidebar.error if msg[0] == "error" else st.sidebar.success)(msg[1])


# --------------------------------------------------------------------------- drawings
def sync_drawings(all_drawings) -> bool:
    """Rebuild the drawn routes from the Draw plugin's features; True when they changed."""
    if all_drawings is None:
        return False
    others = [presets.get_preset(i).name for i in st.session_state.get("shown_presets", [])]
    others += [r.name for r in user_routes()]
    try:
        routes = routeio.routes_from_drawings(all_drawings, others)
    except MapAppError as exc:
        st.warning(f"A drawn line was ignored: {exc}")
        return False
    new = [r.to_dict() for r in routes]
    if new == st.session_state.get("drawn_routes"):
        return False
    old_ids = {d["id"] for d in st.session_state.get("drawn_routes", [])}
    st.session_state["drawn_routes"] = new
    fresh = [d["id"] for d in new if d["id"] not in old_ids]
    if fresh:
        request_select(fresh[-1])
    return True


# --------------------------------------------------------------------------- main panels
@st.cache_data(show_spinner=False, max_entries=256)
def _metrics(route_json: str) -> dict:
    return metrics.route_metrics(Route.from_dict(json.loads(route_json)))


def route_labels(routes: list[Route]) -> list[str]:
    return [f"{r.name} — {_metrics(_key(r))['length_km']:.1f} km" for r in routes]


def _key(r: Route) -> str:
    """A route as canonical JSON: the cache key of everything computed from it."""
    return json.dumps(r.to_dict(), sort_keys=True)


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(keys: tuple) -> pd.DataFrame:
    return metrics.comparison_table([Route.from_dict(json.loads(k)) for k in keys])


def comparison(routes: list[Route], sel: Route | None) -> None:
    """The sortable comparison table of all shown routes, and the selected route's claims."""
    if not routes:
        st.info("No route shown: pick presets in the sidebar, draw one, or upload a file.")
        return
    df = _comparison(tuple(_key(r) for r in routes))
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
        key="comparison-table",
    )
    if sel is not None and sel.origin == "preset":
        rows = metrics.claims_vs_computed(sel, _metrics(_key(sel)))
        if rows:
            st.markdown(f"**Claims vs computed — {safety.md_escape(sel.name)}**")
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        if sel.notes:
            st.caption(sel.notes)
        if sel.sources:
            st.caption("Sources: " + " · ".join(sel.sources))


def selector(routes: list[Route]) -> Route | None:
    """Select box for the route the detail panels work on."""
    if not routes:
        return None
    ids = [r.id for r in routes]
    names = {r.id: r.name for r in routes}
    st.selectbox("Selected route", ids, key="selected_route", format_func=lambda i: names[i])
    return routes[ids.index(st.session_state["selected_route"])]


def editor(route: Route | None) -> None:
    """Rename / edit waypoints of the selected route; invalid edits are refused."""
    if route is None:
        st.info("No route selected.")
        return
    st.caption(
        "Edit longitude/latitude (degrees) and names; add rows at the bottom, delete with the "
        "row menu. Editing a preset makes an edited copy (its claims no longer apply)."
    )
    df = pd.DataFrame([{"name": w.name, "lon": w.lon, "lat": w.lat} for w in route.waypoints])
    with st.form(f"edit-{route.id}"):
        name = st.text_input("Route name", route.name, max_chars=120)
        edited = st.data_editor(
            df, num_rows="dynamic", width="stretch", key=f"wp-{route.id}",
            column_config={
                "lon": st.column_config.NumberColumn("lon (°)", format="%.5f"),
                "lat": st.column_config.NumberColumn("lat (°)", format="%.5f"),
            },
        )
        ok = st.form_submit_button("Apply")
    if ok:
        try:
            new = route.with_waypoints(edited, name=name.strip() or route.name)
        except MapAppError as exc:
            st.error(f"Not applied: {exc}")
            return
        _store_edit(route, new)
        st.rerun()
    if route.origin != "preset" and st.button("Remove this route", key=f"rm-{route.id}"):
        st.session_state["user_routes"].pop(route.id, None)
        st.session_state["drawn_routes"] = [
            d for d in st.session_state["drawn_routes"] if d["id"] != route.id
        ]
        st.rerun()


def add_route(route: Route) -> None:
    """Add a route (e.g. from the optimiser) to the session's routes and select it."""
    taken = {r.id for r in shown_routes()}
    rid, n = route.id, 2
    while rid in taken:
        rid, n = f"{route.id}-{n}", n + 1
    route = route.copy(id=rid)
    st.session_state["user_routes"][route.id] = route.to_dict()
    request_select(route.id)


def _store_edit(old: Route, new: Route) -> None:
    user = st.session_state["user_routes"]
    if old.origin == "preset":
        new = new.copy(id=f"{old.id}-edited", name=new.name if new.name != old.name else f"{old.name} (edited)")
    elif old.origin == "drawn" and old.id not in user:
        # an edited drawing becomes an independent route (the drawing itself stays on the map)
        st.session_state["drawn_routes"] = [d for d in st.session_state["drawn_routes"] if d["id"] != old.id]
        new = new.copy(id=f"{old.id}-edited")
    user.pop(old.id, None)
    user[new.id] = new.to_dict()
    request_select(new.id)


def update_link(routes: list[Route], dataset: str) -> None:
    """Keep the URL query string in step with what is shown (the view is kept by the map)."""
    non_presets = [r for r in routes if r.origin != "preset"]
    state = urlstate.UrlState(
        presets=list(st.session_state.get("shown_presets", [])),
        routes=non_presets,
        selected=st.session_state.get("selected_route"),
        dataset=dataset,
    )
    try:
        params = urlstate.encode_state(state)
    except MapAppError as exc:
        st.caption(f"Share link: {safety.md_escape(exc)}")
        return
    current = {k: st.query_params.get(k) for k in ("p", "r", "s", "d")}
    wanted = {k: params.get(k) for k in ("p", "r", "s", "d")}
    if current != wanted:
        for k, v in wanted.items():
            if v is None:
                st.query_params.pop(k, None)
            else:
                st.query_params[k] = v
