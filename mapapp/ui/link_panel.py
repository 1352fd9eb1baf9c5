"""The "Whole link" view: connecting railways from the railheads to the selected route's
portals, on a wide-area map of north-east Asia and Alaska, with the scorecard.

All computing happens in :mod:`mapapp.link`; results are cached per inputs (the strait
route's geometry, railheads, via places, ruling grade, cell size), never precomputed.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapapp.core import safety
from mapapp.core.errors import MapAppError
from mapapp.link import data as ldata
from mapapp.link.costs import cost_sources
from mapapp.link.model import compute_link
from mapapp.link.solve import LinkWeights
from mapapp.render.assets import localize
from mapapp.render.linkmap import build_link_map, link_export_bytes
from mapapp.routes.route import Route

__all__ = ["panel", "scorecard_rows"]

MAP_KEY = "link-map"
_SIDE = {"russia": "Russia", "north_america": "North America"}


@st.cache_resource(show_spinner=False, max_entries=4)  # results hold their grids (~20 MB)
def _compute(route_json: str, railheads: tuple, vias: tuple, grade_permille: float,
             cell_km: float):

    route = Route.from_dict(json.loads(route_json))
    return compute_link(route, railheads=list(railheads), vias=list(vias),
                        cell_m=cell_km * 1000.0,
                        weights=LinkWeights(ruling_grade=grade_permille / 1000.0))


@st.cache_data(show_spinner=False, max_entries=32)
def _export(route_json: str, railheads: tuple, vias: tuple, grade_permille: float,
            cell_km: float, fmt: str) -> bytes:

    return link_export_bytes(_compute(route_json, railheads, vias, grade_permille, cell_km), fmt)


def scorecard_rows(result) -> list[dict]:
    """Rows of the scorecard: each connecting path, their total, and the strait crossing's
    own claim, each clearly labelled."""
    rows = []
    for p in result.paths:
        pub = "; ".join(x.label for x in p.published if not x.section) or "—"
        rows.append({
            "Part": f"Connecting railway ({_SIDE[p.side]}): {p.railhead.name} → portal"
                    + (f" via {', '.join(v.name for v in p.vias)}" if p.vias else ""),
            "Length (km)": round(p.length_km),
            "Straight line (km)": round(p.geodesic_km),
            "Published lengths": pub,
            "Major-river crossings": p.river_crossings,
            "Cost": p.cost.label(),
            "Years (one front)": f"{p.schedule_years[0]:.0f}–{p.schedule_years[1]:.0f}",
            "Permafrost": p.permafrost["statement"],
        })
    tot = result.totals()
    c = tot["connecting_railways"]["cost_busd"]
    rows.append({
        "Part": "Connecting railways, all paths (this model)",
        "Length (km)": round(tot["connecting_railways"]["length_km"]),
        "Straight line (km)": None, "Published lengths": "",
        "Major-river crossings": sum(p.river_crossings for p in result.paths),
        "Cost": f"US$ {c['low']:,.1f}–{c['high']:,.1f} bn ({c['price_year']} prices)",
        "Years (one front)": "", "Permafrost": "",
    })
    claim = tot["tunnel_claim"]
    rows.append({
        "Part": "Strait crossing alone (as claimed)",
        "Length (km)": round(result.strait_route.length_m() / 1000.0),
        "Straight line (km)": None, "Published lengths": "",
        "Major-river crossings": None,
        "Cost": claim["text"] if claim else "no cost claimed",
        "Years (one front)": "", "Permafrost": "",
    })
    whole = tot["whole_link"]
    if whole:
        rows.append({
            "Part": "Whole link: strait crossing as claimed + connecting railways",
            "Length (km)": round(tot["connecting_railways"]["length_km"]
                                 + result.strait_route.length_m() / 1000.0),
            "Straight line (km)": None, "Published lengths": "",
            "Major-river crossings": None,
            "Cost": f"US$ {whole['low']:,.1f}–{whole['high']:,.1f} bn ({whole['price_year']} "
                    "prices; the claim taken as dollars of that year)",
            "Years (one front)": "", "Permafrost": "",
        })
    return rows


def panel(selected: Route | None) -> None:
    """Draw the whole-link view for the selected strait route."""

    st.markdown(
        "A tunnel under the strait connects to nothing: the Russian network ends at **Nizhny "
        "Bestyakh** opposite Yakutsk, the Alaska Railroad near **Fairbanks**. This view routes "
        "connecting railways from the railheads to the selected route's portals on 5′ relief "
        "(least-cost paths within a ruling grade, avoiding sea and lakes; see "
        "docs/whole-link.md) and prices them from reference railways in constant dollars.")
    if not st.toggle("Show the whole link", key="link-show",
                     help="Routes the connecting railways and draws the wide-area map "
                     "(a few seconds the first time for each set of inputs)"):
        return
    if selected is None:
        st.info("Select a route that crosses the strait to see its whole link.")
        return
    heads = [r for r in ldata.railheads().values() if r.in_wide_area]
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    chosen = c1.multiselect("Railheads", [r.id for r in heads],
                            default=[r.id for r in ldata.default_railheads()],
                            format_func=lambda k: ldata.railhead(k).name, key="link-railheads")
    vias = c2.multiselect("Via places (in order, per side)", list(ldata.places()),
                          format_func=lambda k: ldata.places()[k].name, key="link-vias")
    grade = c3.number_input("Ruling grade (‰)", 2.0, 40.0, 12.5, 0.5, key="link-grade",
                            help="Steepest grade between grid cells (12.5 ‰: mainline rail)")
    cell = c4.number_input("Cell (km)", 3.0, 20.0, 6.0, 1.0, key="link-cell")
    result = None
    key = (selected.fingerprint(), tuple(chosen), tuple(vias),
           float(grade), float(cell))
    if chosen:
        try:
            with st.spinner("Routing the connecting railways…"):
                result = _compute(*key)
        except MapAppError as exc:
            st.error(safety.md_escape(str(exc)))
    else:
        st.info("Choose at least one railhead.")
    m = build_link_map(selected, result)
    try:
        localize(m)
    except MapAppError as exc:
        st.caption(f"Web assets: {exc}")
    st_folium(m, height=560, use_container_width=True, key=MAP_KEY, returned_objects=[])
    if result is None:
        return
    st.markdown("**Scorecard: the strait crossing alone and the link as a whole**")
    st.dataframe(pd.DataFrame(scorecard_rows(result)), hide_index=True,
                 width="stretch")
    with st.expander("Reference railways behind the cost and schedule ranges"):

        refs = cost_sources(result.base_year)
        st.dataframe(pd.DataFrame([{
            "Railway": r["name"], "Length (km)": r["length_km"],
            "As published": f"{r['currency']} {r['amount'][0] / 1e9:,.2f}"
                            + (f"–{r['amount'][1] / 1e9:,.2f}" if r['amount'][1] != r['amount'][0]
                               else "") + f" bn ({r['price_year']})",
            f"US$ M/km ({result.base_year} prices)":
                "–".join(f"{v:.1f}" for v in sorted(set(r["usd_per_km_m_base_year"]))),
            "Build rates (km/yr)": ", ".join(f"{k} {v}" for k, v in
                                             r["build_rates_km_per_yr"].items()),
            "Sources": " ".join(r["sources"]),
        } for r in refs]), hide_index=True, width="stretch")
        st.caption("Costs per km are the sources' US-dollar figures divided by length, "
                   "brought to constant dollars with US CPI-U (mapapp.economics.prices). "
                   "Grade weight, river-crossing cost and the 500 km major-river threshold "
                   "are assumptions. The Kolyma Highway is drawn as straight lines between towns it "
                   "passes (its own line is not embedded).")
    cols = st.columns(5)
    for col, fmt in zip(cols, ("geojson", "kml", "gpx", "gpkg", "csv"), strict=False):
        col.download_button(f"Link {fmt.upper()}", _export(*key, fmt),
                            file_name=f"link-{selected.id}.{fmt}", key=f"link-dl-{fmt}")
