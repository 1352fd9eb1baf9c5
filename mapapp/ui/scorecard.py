"""Claims scorecard under the map: one card per claim of the selected route's proposal.

Each card: what is claimed (big), what the model computes (money in US$ of the base year,
with "as reported" beside it), the verdict in words, and a link to the sources. All texts that
come from a route (names, quotes, URLs) are escaped: a route may come from an uploaded file
or a shared link.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import streamlit as st

from mapapp.core.errors import MapAppError
from mapapp.core.safety import md_escape
from mapapp.economics.claims import claim_texts
from mapapp.render import mapcard
from mapapp.render.mapcard import scorecard_layer
from mapapp.routes.route import Route

from . import cache, plainwords

__all__ = ["MAP_TOGGLE", "card_texts", "map_layer", "map_toggle", "panel"]

#: Session key of the "scorecard on the map" checkbox.
MAP_TOGGLE = "scorecard_on_map"

card_texts = claim_texts  # one card's strings (see mapapp.economics.claims.claim_texts)


@st.cache_data(show_spinner=False, max_entries=32)
def _scorecard(route_json: str, grid_path: str, mtime: float, mode: str) -> dict:
    from mapapp.economics.claims import scorecard
    from mapapp.economics.estimate import estimate_for_route

    route = Route.from_dict(json.loads(route_json))
    est = estimate_for_route(route, cache.grid(grid_path), mode=mode)
    return scorecard(est, route).to_dict()


def compute(route: Route, grid_path: str, mode: str | None = None) -> dict:
    """The scorecard of ``route`` as ``Scorecard.to_dict()`` (cached)."""
    return _scorecard(json.dumps(route.to_dict(), sort_keys=True), grid_path,
                      cache._mtime(grid_path), mode or route.mode)


def map_toggle(where=None) -> bool:
    """The "scorecard on the map" checkbox (in ``where``, a column, or the page)."""
    box = (where or st).checkbox(
        "Scorecard on the map", key=MAP_TOGGLE,
        help="Draws the claims cards inside the map, so that the camera button's PNG "
             "includes them (the layer control can hide them again).")
    return bool(box)


def map_layer(route: Route | None, grid_path: str) -> list:
    """The scorecard of ``route`` as a map layer when the checkbox is ticked (read from the
    session state, since the map is drawn before the checkbox); else nothing."""
    if route is None or not st.session_state.get(MAP_TOGGLE):
        return []
    try:
        sc = compute(route, grid_path)
    except MapAppError:
        return []  # the cards under the map say why
    return [scorecard_layer(sc)] if sc["claims"] else []


def _colour(verdict: str) -> str:
    """Streamlit's colour name for a verdict (:func:`mapcard.verdict_kind`)."""
    return {"within": "green", "floor": "orange"}.get(mapcard.verdict_kind(verdict), "red")


def _links(urls) -> str:
    """Markdown links to http(s) URLs only; brackets, parentheses, quotes and spaces are
    percent-encoded so that a hostile URL cannot break out of the link."""
    safe = [u for u in urls if isinstance(u, str) and u.startswith(("https://", "http://"))]
    out = []
    for u in safe[:6]:
        target = quote(u, safe=":/?#@!$&*+,;=%-._~")
        host = u.split("/")[2] if u.count("/") >= 2 else u
        out.append(f"[{md_escape(host)}]({target})")
    return " · ".join(out)


def panel(route: Route | None, grid_path: str) -> dict | None:
    """Show the scorecard of ``route`` (nothing if it has no length/cost/duration claims)."""
    if route is None:
        return None
    try:
        sc = compute(route, grid_path)
    except MapAppError as exc:
        st.caption(md_escape(f"The claims of {route.name} cannot be checked: {exc}"))
        return None
    if not sc["claims"]:
        st.caption(md_escape(f"{route.name}: no length, cost or time claim to check."))
        return sc
    st.subheader(md_escape(f"Claims vs the model — {route.name}"))
    cols = st.columns(len(sc["claims"]))
    for col, claim in zip(cols, sc["claims"], strict=True):
        t = card_texts(claim)
        with col.container(border=True):
            st.markdown(f"**{md_escape(t['label'])}** — claimed")
            st.markdown(f"### {md_escape(t['claimed'])}")
            # the verdict before the detail: a reader looks for the answer first
            st.markdown(f":{_colour(t['verdict'])}[**{md_escape(t['verdict'])}**]")
            st.markdown(f"Model: **{md_escape(t['computed'])}**")
            st.caption(md_escape(claim["quote"]))
            if t["as_reported"]:
                st.caption(md_escape(f"As reported: {t['as_reported']}"))
            if t["if_overrun"]:
                st.caption(md_escape(t["if_overrun"]))
            links = _links(claim["sources"])
            if links:
                st.caption("Sources: " + links)
    s = sc["schedule"]
    cost = sc["cost"]
    st.caption(md_escape(
        f"Whole programme {s['low_years']:.1f}–{s['high_years']:.1f} years with "
        f"{s['tbm_count']} TBMs; cost {cost['label']}"
        + (" — a FLOOR, not an estimate: " + cost["basis"] if sc["floor"] else "")
        + ". Ranges are reference-class estimates (docs/tunnel-model.md)."))
    with st.expander("Assumptions, warnings and other published estimates"):
        for w in sc["warnings"]:
            st.markdown("- " + md_escape(plainwords.plain(w)))
        for o in sc["other_estimates"]:
            rng = (f"US${o['low_busd']:.1f}–{o['high_busd']:.1f} bn" if o["high_busd"] is not None
                   else f"≥ US${o['low_busd']:.1f} bn")
            st.markdown("- " + md_escape(f"{o['who']}: {o['what']} (as reported "
                                         f"{o['as_reported']}; {rng} ({o['price_year']} "
                                         "prices))") + " " + _links(o["sources"]))
        for a in sc["assumptions"]:
            st.markdown("- " + md_escape(a))
    return sc
