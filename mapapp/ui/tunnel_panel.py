"""Seabed profile chart and tunnel estimates (parameters, geometry, constant-dollar cost,
whole-programme schedule, design band). The claims themselves are in the scorecard under the
map (:mod:`mapapp.ui.scorecard`)."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mapapp.core import references as refs
from mapapp.core.errors import MapAppError
from mapapp.core.safety import md_escape
from mapapp.economics.estimate import estimate_for_route
from mapapp.engineering.profile import vertical_exaggeration
from mapapp.engineering.tunnel import TunnelParams
from mapapp.render.mapview import route_display_colour
from mapapp.routes.route import Route

from . import cache, plainwords

CHART_W, CHART_H = 620, 300  # px, to state the vertical exaggeration


def params_form(default_mode: str) -> TunnelParams | None:
    """Tunnel parameters (mode preset, cover, grade, bores, references); None if invalid."""
    modes = list(refs.MODE_DEFAULTS)
    c1, c2, c3 = st.columns(3)
    mode = c1.selectbox("Mode preset", modes, index=modes.index(default_mode), key="t_mode",
                        help="Sets gradient, cover, bores and references from the fact base.")
    base = TunnelParams.preset(mode)
    cover = c2.number_input("Min. rock cover below seabed (m)", 0.0, 1000.0, base.cover_m, 5.0,
                            key=f"t_cover_{mode}",
                            help="Norwegian rule ≥ 50 m; Channel Tunnel 45–75 m; Seikan ≈ 100 m.")
    grade = c3.number_input("Max. gradient (%)", 0.1, 30.0, base.max_grade_pct, 0.05,
                            key=f"t_grade_{mode}",
                            help="Mainline rail ≈ 1.25 %; road ≤ 5 % (EU 2004/54/EC); Loop: assumed.")
    bore_keys = list(refs.BORE_REFERENCES)
    bores_ref = st.selectbox("Bores", bore_keys, index=bore_keys.index(base.bores_ref),
                             key=f"t_bores_{mode}",
                             format_func=lambda k: refs.BORE_REFERENCES[k].label)
    try:
        from mapapp.engineering.tunnel import bores_from_ref

        return TunnelParams.preset(
            mode, cover_m=cover, max_grade_pct=grade, bores=bores_from_ref(bores_ref),
            bores_ref=bores_ref,
        )
    except MapAppError as exc:
        st.error(f"Tunnel parameters: {exc}")
        return None


@st.cache_data(show_spinner=False, max_entries=128)
def _tunnel(route_json: str, grid_path: str, mtime: float, params_json: str, band: bool) -> dict:
    route = Route.from_dict(json.loads(route_json))
    params = TunnelParams.from_dict(json.loads(params_json))
    est = estimate_for_route(route, cache.grid(grid_path), params=params, band=band)
    return {"result": est.to_dict(), "alignment": est.tunnel.alignment.to_dict("list"),
            "tunnel": est.tunnel}


def compute(route: Route, grid_path: str, params: TunnelParams, band: bool = False) -> dict:
    """Tunnel geometry and programme estimate (``result`` = ``ProgrammeEstimate.to_dict()``,
    ``alignment`` columns) for a route (cached)."""
    return _tunnel(json.dumps(route.to_dict(), sort_keys=True), grid_path,
                   cache._mtime(grid_path), json.dumps(params.to_dict(), sort_keys=True), band)


def results_table(routes: list[Route], grid_path: str, params: TunnelParams) -> dict[str, dict]:
    """Table of tunnel figures for every shown route; returns results by route id (the
    ``to_dict()`` figures plus an ``alignment`` table for charts and the report figure)."""
    rows, out = [], {}
    for r in routes:
        try:
            data = compute(r, grid_path, params)
        except MapAppError as exc:
            # names are text, not markdown
            st.warning(md_escape(f"{r.name} is left out of this table: {exc}"))
            continue
        res = data["result"]
        out[r.id] = {**res, "alignment": data["alignment"], "tunnel_result": data["tunnel"]}
        y = res["price_year"]
        cost = res["cost"]
        rows.append({
            "route": r.name,
            "tunnel (km)": res["tunnel_length_km"],
            "under sea (km)": res["subsea_length_km"],
            "deepest below sea level (m)": res["max_depth_below_sea_level_m"],
            "max water depth (m)": res["max_water_depth_m"],
            "steepest grade (%)": res["max_grade_pct"],
            "excavated (Mm³)": res["excavated_volume_m3"] / 1e6,
            "longest stretch without access (km)": res["longest_stretch_without_access_km"],
            f"cost (US$ bn, {y} prices)": (
                f"≥ {cost['low_busd']:.1f} (floor, not an estimate)" if cost["floor"]
                else f"{cost['low_busd']:.1f} – {cost['high_busd']:.1f}"),
            "whole programme (years)":
                f"{res['duration_years_low']:.1f} – {res['duration_years_high']:.1f}",
            "TBMs": res["schedule"]["tbm_count"],
        })
    if rows:
        st.dataframe(
            pd.DataFrame(rows), hide_index=True, width="stretch", key="tunnel-table",
            column_config={k: st.column_config.NumberColumn(format="%.1f") for k in (
                "tunnel (km)", "under sea (km)", "deepest below sea level (m)",
                "max water depth (m)", "steepest grade (%)", "excavated (Mm³)",
                "longest stretch without access (km)")},
        )
    return out


def reference_table(base_year: int) -> pd.DataFrame:
    """The reference class with each cost as reported and in US$ of ``base_year``."""
    from mapapp.economics.model import load_reference_class

    rows = []
    for p in load_reference_class():
        usd = p.cost_busd(base_year)
        unit = p.unit_cost_musd_per_bore_km(base_year)
        rows.append({
            "project": p.name, "status": p.status, "length (km)": p.length_km,
            "bores": p.n_bores, "cost as reported": p.cost.label() if p.cost else "not found",
            f"US$ bn ({base_year} prices)": None if usd is None else round(usd, 2),
            f"US$ M per bore-km ({base_year} prices)": None if unit is None else round(unit, 1),
            "in the fit": "yes" if p.in_cost_class and p.status == "built" else "no",
            "what the cost covers": p.cost_scope,
        })
    return pd.DataFrame(rows)


def _unique_names(routes: list[Route]) -> list[str]:
    """Route names made unique for the chart's colour legend ("A", "A (2)", …)."""
    seen: dict[str, int] = {}
    out = []
    for r in routes:
        seen[r.name] = seen.get(r.name, 0) + 1
        out.append(r.name if seen[r.name] == 1 else f"{r.name} ({seen[r.name]})")
    return out


def profile_frames(routes: list[Route], datas: list[dict], selected: str | None):
    """The chart's tables: ``lines`` (one row per sample and route: ``route``, ``km``,
    ``seabed_m``, ``tunnel_z_m`` and ``cover_m`` in metres, NaN outside the tunnel),
    ``points`` (the selected route's portals and access points, numbered as in the table
    beside the chart) and ``colours`` (route label -> CSS colour, as on the map)."""
    names = _unique_names(routes)
    frames, colours = [], {}
    for i, (r, name, data) in enumerate(zip(routes, names, datas, strict=True)):
        colours[name] = route_display_colour(r, i)
        if data is None:
            continue
        al = pd.DataFrame(data["alignment"])
        inside = al["in_tunnel"].astype(bool)
        frames.append(pd.DataFrame({
            "route": name, "selected": r.id == selected,
            "km": al["chainage_m"] / 1000.0, "seabed_m": al["seabed_m"],
            "tunnel_z_m": al["tunnel_z_m"].where(inside),
            "cover_m": al["cover_m"].where(inside),
        }))
    lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["route", "selected", "km", "seabed_m", "tunnel_z_m", "cover_m"])
    sel = next((d for r, d in zip(routes, datas, strict=True) if r.id == selected and d), None)
    pts = pd.DataFrame([
        {"no": k + 1, "what": f"{p['kind']}: {p['name']}", "km": p["chainage_m"] / 1000.0,
         "z": p.get("elevation_m", 0.0) or 0.0}
        for k, p in enumerate(sorted(sel["result"]["access_points"],
                                     key=lambda p: p["chainage_m"]) if sel else [])
    ], columns=["no", "what", "km", "z"])
    return lines, pts, colours


#: Samples per route sent to the profile chart (one per two horizontal pixels of the chart).
PROFILE_ROWS = CHART_W // 2


def thin_rows(n: int, keep: int, always=()) -> np.ndarray:
    """Indices of ``keep`` evenly spaced rows of ``n`` (first and last included), plus the rows
    in ``always`` (deepest points, tunnel ends), sorted and unique.

    >>> thin_rows(10, 4).tolist()
    [0, 3, 6, 9]
    >>> thin_rows(10, 4, always=[5]).tolist()
    [0, 3, 5, 6, 9]
    >>> thin_rows(3, 400).tolist()
    [0, 1, 2]
    """
    if n <= keep:
        return np.arange(n)
    idx = np.round(np.linspace(0, n - 1, keep)).astype(int)
    return np.unique(np.concatenate([idx, np.asarray(list(always), dtype=int)]))


def compact_samples(lines: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The chart's samples, small: route number ``r`` (int8, index into ``names``), ``km``
    and the elevations in metres as float32 (NaN where there is none), each route thinned to
    :data:`PROFILE_ROWS` rows keeping its deepest seabed and tunnel points and the rows where
    the tunnel starts or ends. Streamlit sends it as Arrow beside the spec."""
    parts = []
    for k, name in enumerate(names):
        g = lines[lines["route"] == name].reset_index(drop=True)
        if not len(g):
            continue
        inside = g["tunnel_z_m"].notna().to_numpy().astype(int)
        edges = np.flatnonzero(np.diff(inside)) if len(g) > 1 else np.array([], int)
        always = [*edges, *(edges + 1)]
        for col in ("seabed_m", "tunnel_z_m"):
            if g[col].notna().any():
                always.append(int(g[col].idxmin()))
        g = g.iloc[thin_rows(len(g), PROFILE_ROWS, always)]
        parts.append(pd.DataFrame({"r": np.full(len(g), k, dtype="int8"),
                                   **{c: g[c].to_numpy(dtype="float32")
                                      for c in ("km", "seabed_m", "tunnel_z_m", "cover_m")}}))
    cols = {"r": "int8", "km": "float32", "seabed_m": "float32", "tunnel_z_m": "float32",
            "cover_m": "float32"}
    return (pd.concat(parts, ignore_index=True) if parts
            else pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()}))


def profile_chart(routes: list[Route], datas: list[dict], selected: str | None) -> alt.LayerChart:
    """All shown routes in one chart: each route's seabed/terrain (thin) and tunnel crown
    (thick) in the route's map colour, the selected one emphasised over a brown seabed
    area; sea level; the selected route's access points (triangles, numbered in the table
    beside the chart, so labels never overlap) and leg boundaries. Hover: route, chainage,
    tunnel crown, seabed and rock cover. The SVG renderer keeps the marks in the page."""
    return _chart(*profile_frames(routes, datas, selected), routes, selected)


def _chart(lines: pd.DataFrame, pts: pd.DataFrame, colours: dict, routes: list[Route],
           selected: str | None) -> alt.LayerChart:
    """:func:`profile_chart` from the tables of :func:`profile_frames`."""
    ground = lines.dropna(subset=["seabed_m"])
    tunnel = lines.dropna(subset=["tunnel_z_m"])
    lo = float(np.nanmin([ground["seabed_m"].min() if len(ground) else 0.0,
                          tunnel["tunnel_z_m"].min() if len(tunnel) else 0.0]))
    hi = float(np.nanmax([ground["seabed_m"].max() if len(ground) else 0.0, 0.0]))
    pad = 0.08 * (hi - lo or 1)
    y = alt.Scale(domain=[lo - pad, hi + pad], nice=False)
    length_km = float(lines["km"].max() - lines["km"].min()) if len(lines) else 0.0
    ve = vertical_exaggeration(length_km * 1000.0, hi - lo + 2 * pad, CHART_W, CHART_H)
    x = alt.X("km:Q", title="chainage (km)")
    colour = alt.Color("route:N", title=None,
                       legend=alt.Legend(orient="bottom", columns=1, labelLimit=CHART_W),
                       scale=alt.Scale(domain=list(colours), range=list(colours.values())))
    emph = alt.condition("datum.selected", alt.value(1.0), alt.value(0.45))
    # one data set for every layer, the chart's own (route as a number, thinned to what the
    # chart's width can show, float32); the route's name and "selected" are computed in the
    # browser, so a switch re-sends ~20 kB instead of every sample with its route's name
    names = list(colours)
    sel_no = next((k for k, r in enumerate(routes) if r.id == selected), -1)  # names[k] is r
    samples = compact_samples(lines, names)
    base = alt.Chart().transform_calculate(
        route=f"{json.dumps(names)}[datum.r]", selected=f"datum.r == {sel_no}")
    has_ground, in_tunnel = "isValid(datum.seabed_m)", "isValid(datum.tunnel_z_m)"
    layers = []
    if ground["selected"].any():
        layers.append(base.transform_filter(f"datum.selected && {has_ground}").mark_area(
            color="#8c6d46", opacity=0.25, tooltip=False).encode(
            x=x, y=alt.Y("seabed_m:Q", title="elevation (m)", scale=y), y2=alt.datum(lo - pad)))
    layers.append(base.transform_filter(has_ground).mark_line(
        strokeWidth=1, strokeDash=[3, 2], tooltip=False).encode(
        x=x, y=alt.Y("seabed_m:Q", title="elevation (m)", scale=y), color=colour,
        detail="route:N", opacity=emph).properties(name="seabeds"))
    layers.append(alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(
        color="#1f77b4", strokeDash=[4, 3], tooltip=False).encode(y="y:Q"))
    if len(tunnel):
        layers.append(base.transform_filter(in_tunnel).mark_line(tooltip=False).encode(
            x=x, y=alt.Y("tunnel_z_m:Q", scale=y), color=colour, opacity=emph,
            strokeWidth=alt.condition("datum.selected", alt.value(3.2), alt.value(1.8)),
        ).properties(name="tunnels"))
    layers.append(base.transform_filter(has_ground).transform_calculate(
        y=f"{in_tunnel} ? datum.tunnel_z_m : datum.seabed_m").mark_circle(
        size=50, opacity=0.001).encode(
        x=x, y=alt.Y("y:Q", scale=y),
        tooltip=[alt.Tooltip("route:N"),
                 alt.Tooltip("km:Q", title="chainage (km)", format=".2f"),
                 alt.Tooltip("tunnel_z_m:Q", title="tunnel crown (m)", format=".1f"),
                 alt.Tooltip("seabed_m:Q", title="seabed/terrain (m)", format=".1f"),
                 alt.Tooltip("cover_m:Q", title="rock cover (m)", format=".1f")],
    ).properties(name="hover"))
    if len(pts):
        layers.append(alt.Chart(pts).mark_point(shape="triangle-down", size=90, filled=True,
                                                color="#222").encode(
            x="km:Q", y=alt.Y("z:Q", scale=y),
            tooltip=[alt.Tooltip("no:O", title="#"), alt.Tooltip("what:N", title="point"),
                     alt.Tooltip("km:Q", title="chainage (km)", format=".2f")]))
    sel_route = next((r for r in routes if r.id == selected), None)
    if sel_route is not None:
        legs = np.concatenate([[0.0], np.cumsum(sel_route.legs_m())]) / 1000.0
        if len(legs) > 2:
            layers.append(alt.Chart(pd.DataFrame({"km": legs[1:-1]})).mark_rule(
                color="#999", strokeDash=[2, 4], tooltip=False).encode(x="km:Q"))
    return alt.layer(*layers, data=samples).properties(
        width=CHART_W, height=CHART_H,
        title=alt.Title(f"Seabed and tunnel along {len(colours)} route(s) — vertical "
                        f"exaggeration ≈ {ve:.0f}×", anchor="start"),
        autosize=alt.AutoSizeParams(type="pad"),  # the plot keeps CHART_W × CHART_H
        usermeta={"embedOptions": {"renderer": "svg"}},
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _profile_spec(route_jsons: tuple, selected: str | None, grid_path: str, mtime: float,
                  params_json: str) -> tuple[dict, list[dict], pd.DataFrame]:
    routes = [Route.from_dict(json.loads(j)) for j in route_jsons]
    params = TunnelParams.from_dict(json.loads(params_json))
    datas = []
    for r in routes:
        try:
            datas.append(compute(r, grid_path, params))
        except MapAppError:
            datas.append(None)  # the table of all routes says why
    lines, pts, colours = profile_frames(routes, datas, selected)
    chart = _chart(lines, pts, colours, routes, selected)
    spec = chart.to_dict()
    # the samples travel as the chart's main data (Arrow, float32), not as JSON in the spec
    spec["datasets"].pop(spec.pop("data")["name"])
    return spec, pts.to_dict("records"), chart.data


def profile_spec(routes: list[Route], selected: str | None, grid_path: str,
                 params: TunnelParams) -> tuple[dict, list[dict], pd.DataFrame]:
    """The Vega-Lite spec of :func:`profile_chart` (without its samples), the access-point rows
    and the samples (:func:`compact_samples`, the chart's main data), cached per routes,
    selection, grid and parameters (no Altair validation on reruns)."""
    return _profile_spec(tuple(json.dumps(r.to_dict(), sort_keys=True) for r in routes),
                         selected, grid_path, cache._mtime(grid_path),
                         json.dumps(params.to_dict(), sort_keys=True))


def panel(routes: list[Route], sel: Route | None, grid_path: str) -> dict[str, dict]:
    """The 'Profile & tunnel' tab; returns the tunnel results by route id."""
    if sel is None:
        st.info("No route selected: choose one under the map, or show a preset in the sidebar.")
        return {}
    params = params_form(sel.mode)
    if params is None:
        return {}
    try:
        data = compute(sel, grid_path, params, band=True)
    except MapAppError as exc:
        st.error(md_escape(f"The tunnel along {sel.name} cannot be modelled: {exc}"))
        return {}
    res = data["result"]
    spec, pts, samples = profile_spec(routes if any(r.id == sel.id for r in routes) else [sel, *routes],
                             sel.id, grid_path, params)
    chart_col, table_col = st.columns([3, 1.25])
    chart_col.vega_lite_chart(samples, spec, width="content", key="profile-chart")
    with table_col:
        st.markdown("**Portals and access points** — " + md_escape(sel.name))
        if pts:
            st.dataframe(pd.DataFrame(pts)[["no", "what", "km"]].rename(
                columns={"no": "#", "what": "point", "km": "chainage (km)"}),
                hide_index=True, width="stretch",
                column_config={"chainage (km)": st.column_config.NumberColumn(format="%.1f")})
        else:
            st.caption("None on this route.")
    st.caption(
        "Each shown route in its map colour: tunnel crown (solid; the selected route thick), "
        "seabed/terrain along it (dashed) from the active grid, the selected route's seabed "
        "shaded; sea level (blue, dashed); triangles: the selected route's portals and access "
        "points (listed beside the chart); dotted lines: its leg boundaries. Hover for "
        "chainage, depth and rock cover. Depths are as good as the grid: "
        + md_escape(res["caveat"])
    )
    plainwords.show_warnings(res["warnings"])
    y = res["price_year"]
    cost, sched = res["cost"], res["schedule"]
    c1, c2, c3 = st.columns(3)
    c1.metric("Tunnel length", f"{res['tunnel_length_km']:.1f} km")
    c2.metric(f"Cost (US$ bn, {y} prices)",
              f"≥ {cost['low_busd']:.1f}" if cost["floor"]
              else f"{cost['low_busd']:.1f}–{cost['high_busd']:.1f}")
    c3.metric("Whole programme (years)",
              f"{sched['low_years']:.1f}–{sched['high_years']:.1f}")
    if cost["floor"]:
        st.warning("Loop mode: this cost is only a lower bound (a floor), taken from the "
                   "small Las Vegas Loop tunnels; a real undersea crossing would cost more, "
                   "by an amount the model cannot say.")
        with st.expander("How the floor is set"):
            st.markdown(md_escape(cost["basis"]))
    else:
        st.caption(md_escape(f"Cost basis: {cost['basis']}"))
    st.markdown("**Whole-programme schedule** "
                f"({sched['tbm_count']} TBMs; sections "
                + " / ".join(f"{k:.1f}" for k in sched["sections_km"]) + " km)")
    st.dataframe(pd.DataFrame([{"phase": p["name"], "low (years)": p["low_years"],
                                "high (years)": p["high_years"], "basis": p["basis"]}
                               for p in sched["phases"]]),
                 hide_index=True, width="stretch",
                 column_config={k: st.column_config.NumberColumn(format="%.1f")
                                for k in ("low (years)", "high (years)")})
    band = res.get("design_band")
    if band:
        st.markdown(f"**Design band** — cover × grade (cost in US$ bn, {y} prices)")
        st.dataframe(pd.DataFrame([{
            "cover (m)": p["cover_m"], "grade (%)": p["grade_pct"],
            "tunnel (km)": p["tunnel_km"], "deepest crown (m)": p["max_depth_m"],
            f"cost low (US$ bn, {y} prices)": p["cost_low_busd"],
            f"cost high (US$ bn, {y} prices)": p["cost_high_busd"]}
            for p in band["points"]]), hide_index=True, width="stretch")
    if res["access_sites"]:
        st.markdown("**Access sites and spoil**")
        st.dataframe(pd.DataFrame([{
            "site": a["name"], "shaft (m)": a["shaft_depth_m"], "drives (km)": a["drives_km"],
            "spoil in place (million m³)": a["spoil_m3"] / 1e6,
            "bulked (million m³)": f"{a['spoil_bulked_m3_low'] / 1e6:.1f}–"
                                   f"{a['spoil_bulked_m3_high'] / 1e6:.1f}"}
            for a in res["access_sites"]]), hide_index=True, width="stretch")
    st.markdown("**All shown routes**")
    results = results_table(routes, grid_path, params)
    with st.expander(f"Reference class: costs as reported and in {y} US$"):
        st.dataframe(reference_table(y), hide_index=True, width="stretch")
        st.caption(f"Unit cost = outturn in {y} US$ ÷ (length × full-length bores); only "
                   "rows marked 'in the fit' enter it (docs/tunnel-model.md §5).")
    with st.expander("Model inputs, assumptions and sources"):
        st.dataframe(pd.DataFrame([{k: i[k] for k in ("name", "unit", "low", "high", "source",
                                                      "assumption")} for i in res["inputs"]])
                     .astype(str), hide_index=True, width="stretch")
        if res["assumptions"]:
            st.markdown("Assumptions without a source: "
                        + "; ".join(md_escape(a) for a in res["assumptions"]))
        st.markdown("Sources: " + " · ".join(res["sources"]))
    return results
