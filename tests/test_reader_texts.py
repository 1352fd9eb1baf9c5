"""Reader-facing texts (issue 14): plain-words warnings and the scorecard panel on the map."""

from __future__ import annotations

import folium

from mapapp.data.bathymetry import open_grid
from mapapp.economics.claims import scorecard
from mapapp.economics.estimate import estimate_for_route
from mapapp.render.mapcard import CSS_CLASS, scorecard_html, scorecard_layer
from mapapp.routes.presets import get_preset
from mapapp.routes.route import Route
from mapapp.ui.plainwords import plain, resolution_line


def test_every_model_term_is_rewritten_and_numbers_carry_over():
    msgs = [
        "57 sample(s) where grid and coastline disagree were set to sea level (see the "
        "profile's elevation_grid_m).",
        "the start portal cannot be reached within the route at 1.25 %: 5.39 km of approach "
        "beyond the route start is needed (included in the tunnel length).",
        "3 sea sample(s) (≈0.6 km) have no grid value (outside the grid or nodata): the cover "
        "constraint is not enforced there.",
        "2 land sample(s) (≈0.4 km) have no grid value: terrain assumed at sea level there.",
        "the longest undersea stretch between access points, 81.5 km, is longer than any ever "
        "built (longest undersea tunnel section ever built: Channel Tunnel, 37.9 km under the "
        "sea with no intermediate access).",
    ]
    # the figures a reader needs from each message (sample counts give way to lengths)
    kept = [("57",), ("1.25", "5.39"), ("0.6 km",), ("0.4 km",), ("81.5", "37.9")]
    for m, numbers in zip(msgs, kept, strict=True):
        p = plain(m)
        assert p != m
        for term in ("sample(s)", "nodata", "cover constraint", "elevation_grid_m"):
            assert term not in p
        for number in numbers:
            assert number in p, (number, p)
    assert "Diomedes" in plain(msgs[0]) and "coastline" in plain(msgs[0])
    assert "approach tunnel is added on land" in plain(msgs[1])


def test_real_warnings_of_the_dmitriev_route_are_in_plain_words():
    est = estimate_for_route(get_preset("dmitriev-2025"), open_grid())
    texts = [plain(w) for w in est.warnings]
    assert not any("sample(s)" in t or "cannot be reached within the route" in t for t in texts)


def test_resolution_line_says_what_the_grid_means():
    info = open_grid().info
    line = resolution_line({"name": info.name, "resolution": "5′", "coarse": True})
    assert line.startswith(f"Depths from {info.name}") and "too coarse to see the Diomedes" in line


def test_scorecard_panel_on_the_map_escapes_and_shows_every_claim():
    route = get_preset("dmitriev-2025")
    sc = scorecard(estimate_for_route(route, open_grid()), route)
    html = scorecard_html(sc)
    labels = [c.label for c in sc.claims]
    assert len(labels) == 3 and all(lbl in html for lbl in labels)
    assert "US$8 bn (2025 prices)" in html  # the claim, with currency and price year
    for c in sc.claims:
        assert c.verdict in html
    # hostile names are text
    evil = Route.from_coords("x", "<script>alert(1)</script>", [(-169, 66), (-168, 65.6)])
    sc2 = scorecard(estimate_for_route(route, open_grid()), route)
    d = sc2.to_dict() | {"route_name": evil.name}
    assert "<script>" not in scorecard_html(d) and "&lt;script&gt;" in scorecard_html(d)
    # as a layer on a map: a Leaflet control with the class the camera keeps
    m = folium.Map()
    scorecard_layer(sc).add_to(m)
    page = m.get_root().render()
    assert CSS_CLASS in page and "Claims vs the model" in page
    from mapapp.render.mapview import SCREENSHOT_HIDDEN

    assert not any(CSS_CLASS in sel for sel in SCREENSHOT_HIDDEN)


def test_export_tab_passes_the_selected_scorecard_to_the_figure():
    import json

    from mapapp.ui import cache, export_panel

    routes = [get_preset("direct-shortest"), get_preset("dmitriev-2025")]
    path = str(cache.dataset_entries()[0]["path"])
    cards = json.loads(export_panel._scorecards_json(routes, "dmitriev-2025", path))
    assert [c["route_id"] for c in cards] == ["dmitriev-2025"]
    assert [c["label"] for c in cards[0]["claims"]] == ["Tunnel length", "Cost", "Build time"]
    # a route without claims gives no panel
    assert export_panel._scorecards_json(routes[:1], None, path) == ""
