"""The claims scorecard drawn *on* the web map, as a Leaflet control.

The map is an iframe, so a picture of it (the camera button, :class:`~mapapp.render.mapview.MapCamera`)
cannot include Streamlit's cards under it. This module draws the same cards as a small panel
inside the map: a :class:`~mapapp.render.mapview.Legend` control in a layer of its own
("Claims scorecard"). The camera hides only the interactive controls
(:data:`~mapapp.render.mapview.SCREENSHOT_HIDDEN`), so the panel stays in the PNG.

Every string that comes from a route or a claim (names, quotes) is HTML-escaped here: a route
may come from an uploaded file or a shared link. Money strings come from
:func:`mapapp.economics.claims.claim_texts` and carry the currency and the price year.
"""

from __future__ import annotations

import html as _html

import folium

from mapapp.economics.claims import Scorecard, claim_texts
from mapapp.render.mapview import Legend

__all__ = ["CSS_CLASS", "LAYER_NAME", "scorecard_html", "scorecard_layer", "verdict_colour",
           "verdict_kind"]

#: Class of the control's element (not in the camera's hidden list, so the PNG keeps it).
CSS_CLASS = "mapapp-scorecard-control"
#: The layer's name in the map's layer control.
LAYER_NAME = "Claims scorecard"


def verdict_colour(verdict: str) -> str:
    """CSS colour of a verdict: green when the claim is within the model's range, orange
    against a floor (Loop mode), red otherwise (the scorecard cards under the map use the
    same rule).

    >>> verdict_colour("within the model range"), verdict_colour("below the floor")
    ('#1a7f37', '#b35900')
    >>> verdict_colour("below the lowest estimate by 1.7×")
    '#c62828'
    """
    return {"within": "#1a7f37", "floor": "#b35900"}.get(verdict_kind(verdict), "#c62828")


def verdict_kind(verdict: str) -> str:
    """``"within"`` (the claim is inside the model's range), ``"floor"`` (compared with a
    lower bound only) or ``"outside"``: the one rule behind the cards' colours, on the map,
    in the app and in the figure.

    >>> [verdict_kind(v) for v in ("within range", "above the floor — a floor is not an "
    ...  "estimate", "3.4 km longer than the longest design in the band")]
    ['within', 'floor', 'outside']
    """
    if verdict.startswith("within"):
        return "within"
    if "floor" in verdict:
        return "floor"
    return "outside"


def _as_dict(scorecard) -> dict:
    return scorecard.to_dict() if isinstance(scorecard, Scorecard) else dict(scorecard)


def scorecard_html(scorecard) -> str:
    """HTML of the panel: a title line (route name), then one row per claim — the label,
    what is claimed (large), the verdict in its colour, then what the model computes
    (the order of the cards under the map).

    Parameters
    ----------
    scorecard : Scorecard or dict
        A :class:`mapapp.economics.claims.Scorecard` (or its ``to_dict()``).

    Returns
    -------
    str
        HTML, every text escaped; empty when the route has no claim to check.

    >>> sc = {"route_name": "A <b>", "price_year": 2025, "floor": False, "claims": [
    ...     {"label": "Tunnel length", "claimed": 113.0, "bound": None, "unit": "km",
    ...      "low": 120.5, "high": 120.5, "verdict": "7.5 km shorter than the shortest design in the band"}]}
    >>> h = scorecard_html(sc)
    >>> "A &lt;b&gt;" in h and "113 km" in h and "120.5 km" in h and "<b>A" not in h
    True
    >>> scorecard_html({"route_name": "x", "claims": []})
    ''
    """
    sc = _as_dict(scorecard)
    claims = sc.get("claims") or []
    if not claims:
        return ""
    rows = []
    for claim in claims:
        t = claim_texts(claim)
        colour = verdict_colour(t["verdict"])
        rows.append(
            '<div class="mapapp-scorecard-card" style="flex:1 1 0;min-width:0;'
            'padding:4px 8px;border-left:3px solid ' + colour + '">'
            f'<div style="color:#444">{_html.escape(t["label"])} — claimed</div>'
            f'<div style="font:bold 14px/1.2 sans-serif">{_html.escape(t["claimed"])}</div>'
            f'<div style="color:{colour};font-weight:bold">{_html.escape(t["verdict"])}</div>'
            f'<div>Model: <b>{_html.escape(t["computed"])}</b></div>'
            "</div>"
        )
    floor = (' <span style="color:#b35900">(Loop mode: the cost is a floor, not an '
             "estimate)</span>") if sc.get("floor") else ""
    return (
        '<div class="mapapp-scorecard" style="background:rgba(255,255,255,.93);'
        'padding:5px 6px;border-radius:4px;font:11px/1.3 sans-serif;max-width:500px">'
        f'<b>Claims vs the model — {_html.escape(str(sc.get("route_name", "")))}</b>{floor}'
        f'<div style="display:flex;gap:6px;margin-top:3px">{"".join(rows)}</div></div>'
    )


def scorecard_layer(scorecard, position: str = "bottomright") -> folium.FeatureGroup:
    """The scorecard panel as a layer of its own, for ``feature_group_to_add`` or
    :func:`mapapp.render.mapview.map_layers` ``extra=``.

    Parameters
    ----------
    scorecard : Scorecard or dict
        A :class:`mapapp.economics.claims.Scorecard` (or its ``to_dict()``).
    position : str
        Leaflet control corner ("topleft", "topright", "bottomleft", "bottomright").

    Returns
    -------
    folium.FeatureGroup
        Named :data:`LAYER_NAME`; it holds the control (nothing when there is no claim).

    >>> fg = scorecard_layer({"route_name": "x", "claims": []})
    >>> fg.layer_name, len(fg._children)
    ('Claims scorecard', 0)
    """
    fg = folium.FeatureGroup(name=LAYER_NAME)
    text = scorecard_html(scorecard)
    if text:
        Legend(text, position=position, css_class=CSS_CLASS).add_to(fg)
    return fg
