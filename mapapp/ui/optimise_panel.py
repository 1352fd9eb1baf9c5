"""The "Optimise" panel: the least-cost alignment between two points (:mod:`mapapp.engineering.optimise`).

:func:`panel` renders the form and, on the run where the user presses *Find the least-cost
route*, returns the new :class:`~mapapp.routes.route.Route` (``origin="optimised"``); the caller
adds it to the session's routes so that it gets the metrics, profile, tunnel and exports of
any route. On other reruns it returns None and shows the last result's summary.

Session state (per browser session, never shared; every key starts with ``opt_``): the
widgets' values, and ``opt_last`` — the last result's summary lines and cost table as plain
lists (nothing mutable is cached across sessions).
"""

from __future__ import annotations

import streamlit as st

from mapapp.core.errors import MapAppError
from mapapp.engineering.optimise import CostWeights, optimise_route
from mapapp.routes.route import MODES, Route

from . import cache

TYPED = "Typed lon, lat …"
_W = CostWeights()


def _places() -> list[str]:
    from mapapp.data.context import load_places

    return sorted(str(n) for n in load_places()["name"])


def _click_lonlat(last_click: dict | None) -> tuple[float, float] | None:
    """(lon, lat) of the map's last clicked point (``lon`` or streamlit-folium's ``lng``)."""
    if not last_click:
        return None
    try:
        lon = float(last_click.get("lon", last_click.get("lng")))
        lat = float(last_click["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    from mapapp.core.geodesy import center_lons

    return float(center_lons(lon)), lat


def _use_click(which: str, lonlat: tuple[float, float]) -> None:
    """Button callback: put the clicked point into the start/end fields (before they render)."""
    st.session_state[f"opt_{which}_text"] = f"{lonlat[0]:.5f}, {lonlat[1]:.5f}"
    st.session_state[f"opt_{which}_place"] = TYPED


def _point(label: str, which: str, default: str, last_click) -> str:
    """A start/end chooser: place, typed lon,lat, or the last clicked point."""
    places = _places()
    options = [*places, TYPED]
    c1, c2, c3 = st.columns([3, 3, 2], vertical_alignment="bottom")
    key = f"opt_{which}_place"
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]
    choice = c1.selectbox(label, options, key=key,
                          help="A named place, or choose “Typed lon, lat …” and type it.")
    text = c2.text_input(f"{label}: lon, lat (degrees)", key=f"opt_{which}_text",
                         placeholder="-169.652, 66.079", disabled=choice != TYPED,
                         help="Decimal degrees, longitude first (west is negative).")
    click = _click_lonlat(last_click)
    c3.button("Use last clicked point", key=f"opt_{which}_click", disabled=click is None,
              on_click=_use_click, args=(which, click) if click else ("", (0.0, 0.0)),
              help="Click the map first; the point's lon, lat is copied here.")
    return text if choice == TYPED else choice


def _vias() -> list[str]:
    places = st.multiselect("Via places (in this order)", _places(), key="opt_via_places",
                            help="The route passes through them in the order selected.")
    text = st.text_area("More via points, one per line (lon, lat or a place name)",
                        key="opt_via_text", height=68,
                        help="Visited after the places above, in line order.")
    return [*places, *(ln.strip() for ln in (text or "").splitlines() if ln.strip())]


def _weights() -> CostWeights:
    c1, c2, c3 = st.columns(3)
    sea = c1.number_input(
        "Sea: cost per metre", 0.01, 1e6, _W.sea_per_m, 0.1, key="opt_w_sea",
        help="Cost of a metre of tunnel under the sea before the depth term. It is the unit: "
        "costs are reported in equivalent km of tunnel under very shallow sea.")
    depth = c2.number_input(
        "Depth: extra cost per metre of water", 0.0, 10.0, _W.depth_per_m, 0.005,
        format="%.3f", key="opt_w_depth",
        help="Added per metre of alignment for each metre of water above it (0.01: 100 m of "
        "water doubles the cost). Deeper water means a deeper tunnel, more pressure and "
        "longer approach ramps. 0 ignores depth. An assumption, not a sourced figure.")
    land = c3.number_input(
        "Land: cost per metre", 0.01, 1e6, _W.land_per_m, 0.1, key="opt_w_land",
        help="Cost of a metre under land (islands, capes). Lower it to favour island "
        "landfalls, raise it to keep the line at sea. An assumption, not a sourced figure.")
    return CostWeights(sea_per_m=sea, depth_per_m=depth, land_per_m=land)


def _zones(drawn_polygons: list[dict]) -> list[dict]:
    polys = [f for f in drawn_polygons or []
             if isinstance(f, dict) and (f.get("geometry") or {}).get("type") == "Polygon"]
    use = st.checkbox(f"Use the drawn polygons as no-go zones ({len(polys)} drawn)",
                      key="opt_use_drawn", value=bool(polys), disabled=not polys,
                      help="Draw polygons or rectangles on the map; the route never enters "
                      "them.")
    return polys if use else []


def _show_last() -> None:
    last = st.session_state.get("opt_last")
    if not last:
        return
    st.code("\n".join(last["lines"]), language=None)
    if last.get("table"):
        st.dataframe(
            last["table"], hide_index=True, width="stretch",
            column_config={
                "length_km": st.column_config.NumberColumn("length (km)", format="%.1f"),
                "total": st.column_config.NumberColumn("cost (eq. km)", format="%.1f"),
                "vs_optimised_pct": st.column_config.NumberColumn("vs optimised",
                                                                  format="%+.1f %%"),
                "feasible": st.column_config.CheckboxColumn("allowed"),
            },
        )


def panel(grid_path: str, drawn_polygons: list[dict], last_click: dict | None) -> Route | None:
    """Render the "Optimise" panel; return the new route on the run that computed it.

    Parameters
    ----------
    grid_path : str
        The active bathymetry grid.
    drawn_polygons : list of dict
        GeoJSON Features from streamlit-folium's ``all_drawings``; those whose geometry is a
        Polygon can be used as no-go zones.
    last_click : dict or None
        The map's last clicked point (``{"lat", "lng"}`` or ``{"lat", "lon"}``, degrees).

    Returns
    -------
    Route or None
    """
    st.markdown("#### Optimise: the least-cost alignment")
    st.caption(
        "Finds the line that is cheapest by the weights below (a ranking, not money): each "
        "metre under the sea costs the sea weight plus the depth weight × the water depth, "
        "each metre under land the land weight; it never enters no-go zones or leaves the "
        "corridor. It is only as detailed as the active grid."
    )
    with st.expander("How it is solved"):
        st.caption("Least-cost path on square cells of the active grid reprojected to the "
                   "strait's equal-area projection (docs/optimiser.md).")
    start = _point("Start", "start", "Cape Dezhnev", last_click)
    end = _point("End", "end", "Cape Prince of Wales", last_click)
    vias = _vias()
    weights = None
    try:
        weights = _weights()
    except MapAppError as exc:
        st.error(f"These weights cannot be used: {exc}")
    c1, c2, c3 = st.columns(3)
    use_corr = c1.checkbox("Limit to a corridor", key="opt_corridor_on",
                           help="Keep the route within this distance of the straight line "
                           "start → end.")
    corridor = c2.number_input("Corridor half-width (km)", 0.5, 500.0, 20.0, 0.5,
                               key="opt_corridor_km", disabled=not use_corr)
    mode = c3.selectbox("Mode", list(MODES), key="opt_mode",
                        help="The mode of the route created (tunnel parameters follow it).")
    zones = _zones(drawn_polygons)
    with st.expander("Solver settings"):
        a1, a2, a3 = st.columns(3)
        cell = a1.number_input("Cell size (m, 0 = auto)", 0.0, 50_000.0, 0.0, 50.0,
                               key="opt_cell_m",
                               help="Auto: the grid's spacing, at most 500 m, enlarged to keep "
                               "≤ 2 million cells.")
        tol = a2.number_input("Simplification tolerance (m, 0 = half a cell)", 0.0, 10_000.0,
                              0.0, 10.0, key="opt_simplify_m")
        compare = a3.checkbox("Compare with the presets", value=True, key="opt_compare")
    if not st.button("Find the least-cost route", type="primary", key="opt_run",
                     disabled=weights is None):
        _show_last()
        return None

    bar = st.progress(0.0, text="starting")

    def progress(frac: float, msg: str) -> None:
        bar.progress(frac, text=msg)

    try:
        result = optimise_route(
            start, end, vias, grid=cache.grid(grid_path), weights=weights, no_go=zones,
            corridor_km=corridor if use_corr else None, mode=mode,
            cell_m=cell or None, simplify_m=tol or None, progress=progress,
        )
        table = None
        if compare:
            from mapapp.routes.presets import load_presets

            table = result.compare_with(load_presets()).drop(columns=["id"])
    except MapAppError as exc:
        bar.empty()
        st.error(f"No route found: {exc}")
        return None
    bar.empty()
    st.session_state["opt_last"] = {
        "lines": result.summary_lines(),
        "table": table.to_dict("records") if table is not None else None,
    }
    st.success(f"Added “{result.route.name}” ({result.cost.length_km:.1f} km, "
               f"{result.versus_straight()}).")
    _show_last()
    return result.route
