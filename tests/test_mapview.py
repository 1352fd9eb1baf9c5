"""Folium output checked as HTML, without a browser (after geopandas' test_explore)."""

import json
import re

import pytest

from mapapp.data.bathymetry import open_grid
from mapapp.render import mapview
from mapapp.render.overlay import render_overlay
from mapapp.routes.route import Route


def legend_html(out: str) -> str:
    """The legend's HTML as the browser gets it (it is JSON-encoded in the script)."""
    m = re.search(r"div\.innerHTML = (\".*?\");", out)
    assert m, "no legend in the map"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def html():
    return mapview.build_map(basemap="none").get_root().render()


def test_layers_present(html):
    assert "L.imageOverlay(" in html and "data:image/png;base64," in html
    assert '"pane": "mapapp-bathymetry"' in html
    legend = legend_html(html)
    assert "Elevation (m; negative = below sea level)" in legend
    assert "5′ × 5′" in legend  # the legend states the resolution
    assert "mapapp-land" in html and "L.geoJson(" in html
    for place in ("Cape Dezhnev", "Little Diomede", "Fairway Rock", "Provideniya", "Gambell"):
        assert place in html
    assert "USA–USSR maritime boundary (1990)" in html
    assert "International Date Line" in html
    assert "L.control.scale(" in html
    assert "L.Control.MousePosition" in html or "mousePosition" in html.lower()
    assert "L.control.fullscreen" in html.lower() or "fullscreen" in html.lower()


def test_boundary_runs_along_the_treaty_meridian(html):
    lon = -(168 + 58 / 60 + 37 / 3600)
    assert f"[{lon}, 65.5]" in html.replace("\n", "") or str(round(lon, 5))[:9] in html


def test_legend_ticks_follow_range():
    ov = render_overlay(open_grid(), (-170, 65, -168, 66), width_px=64, vmin=-80, vmax=0)
    fg = mapview.bathymetry_layer(ov, open_grid().info)
    m = mapview.base_map(draw=False)
    fg.add_to(m)
    out = m.get_root().render()
    ticks = re.findall(r">(-?\d+)</span>", legend_html(out))
    assert ticks == ["-80", "-60", "-40", "-20", "0"]


def test_hostile_route_names_are_escaped():
    evil = '<img src=x onerror="window.__pwned=1">'
    r = Route.from_coords("x", evil, [(-169.6, 66.0), (-168.1, 65.6, "</script><b>wp</b>")])
    m = mapview.base_map(draw=False)
    mapview.routes_layer([r]).add_to(m)
    out = m.get_root().render()
    assert "<img src=x" not in out and "</script><b>" not in out
    assert "&lt;img src=x onerror=" in out


def test_draw_control_and_basemap_layer():
    m = mapview.base_map()
    mapview.basemap_layer("OpenStreetMap").add_to(m)
    out = m.get_root().render()
    assert "L.Control.Draw" in out and '"polyline"' in out
    assert "tile.openstreetmap.org" in out
    assert mapview.basemap_layer("none") is None


def test_base_map_script_is_stable_across_builds():
    """streamlit-folium remounts the map when the base script changes: it must not."""
    from streamlit_folium import _get_map_string, generate_js_hash

    a = mapview.base_map()
    b = mapview.base_map()
    a.render()
    b.render()
    assert generate_js_hash(_get_map_string(a), "k") == generate_js_hash(_get_map_string(b), "k")
