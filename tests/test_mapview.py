"""Folium output checked as HTML, without a browser (after geopandas' test_explore)."""

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import open_grid
from mapapp.render import mapview
from mapapp.render.mapview import MapSettings
from mapapp.render.overlay import render_overlay
from mapapp.routes.route import Route

#: 168° 58′ 37″ W, the meridian of the 1990 USA–USSR maritime boundary agreement.
TREATY_LON = -(168 + 58 / 60 + 37 / 3600)


def legend_html(out: str, css_class: str = "mapapp-legend") -> str:
    """A legend's HTML as the browser gets it (it is JSON-encoded in the script)."""
    for m in re.finditer(r"L\.DomUtil\.create\('div', (\"[^\"]+\") \+ ' leaflet-control'\);\s*"
                         r"div\.innerHTML = (\".*?\");", out):
        if json.loads(m.group(1)) == css_class:
            return json.loads(m.group(2))
    raise AssertionError(f"no {css_class} legend in the map")


def geojson_payloads(out: str) -> list:
    """Every GeoJSON object folium passes to a ``geo_json_…_add(…)`` call."""
    dec = json.JSONDecoder()
    return [dec.raw_decode(out, m.end())[0] for m in re.finditer(r"geo_json_\w+_add\(", out)
            if out[m.end()] == "{"]


def attributions(out: str) -> dict[str, str]:
    """Layer variable -> its ``attribution`` option as Leaflet gets it (HTML); tile layers
    have it in their options, our feature groups get it by ``L.setOptions``."""
    found = {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'L\.setOptions\((\w+), \{attribution: ("(?:[^"\\]|\\.)*")\}\);', out)}
    for m in re.finditer(r'var (tile_layer_\w+) = L\.tileLayer\(.*?"attribution": '
                         r'("(?:[^"\\]|\\.)*")', out, re.S):
        found[m.group(1)] = json.loads(m.group(2))
    return found


def overlay_png(out: str) -> np.ndarray:
    m = re.search(r'"data:image/png;base64,([A-Za-z0-9+/=]+)"', out)
    assert m, "no bathymetry image"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(m.group(1)))))


PRESET_A = Route.from_coords("a", "Alpha crossing", [(-169.6, 66.0), (-168.1, 65.6)])
PRESET_B = Route.from_coords("b", "Bravo crossing", [(-169.9, 65.9), (-168.0, 65.5)])


@pytest.fixture(scope="module")
def html():
    return mapview.build_map(MapSettings(), [PRESET_A, PRESET_B], selected="b").get_root().render()


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
    assert "new L.Control.MousePosition(" in html
    assert "L.control.fullscreen(" in html


def test_boundary_runs_along_the_treaty_meridian(html):
    lines = [f["geometry"]["coordinates"] for p in geojson_payloads(html)
             for f in ([p] if p.get("type") == "Feature" else p.get("features", []))
             if f["geometry"]["type"] == "LineString"]
    on_meridian = [c for c in lines if all(abs(lon - TREATY_LON) < 1e-9 for lon, _ in c)]
    assert on_meridian, "no line along 168°58′37″ W"
    # the boundary runs north from 65°30′ N at least to 68° N on that meridian
    lats = sorted(lat for c in on_meridian for _, lat in c)
    assert lats[0] == 65.5 and lats[-1] >= 68.0


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
    mapview.route_legend_layer([r], "x").add_to(m)
    out = m.get_root().render()
    assert "<img src=x" not in out and "</script><b>" not in out
    assert "&lt;img src=x onerror=" in out
    assert "&lt;img src=x" in legend_html(out, "mapapp-route-legend-control")


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


def test_attribution_names_every_data_source(html):
    text = " | ".join(attributions(html).values())
    assert "ETOPO5" in text and "NOAA NGDC" in text and "Public domain" in text
    assert "GSHHG 2.3.6" in text and "Wessel &amp; Smith" in text and "LGPL-3.0" in text
    assert "OpenStreetMap" not in text  # neither OSM land nor OSM tiles are shown
    osm = mapview.build_map(MapSettings(land_source="osm")).get_root().render()
    osm_text = " | ".join(attributions(osm).values())
    assert "© OpenStreetMap contributors" in osm_text and "GSHHG" not in osm_text
    tiles = mapview.build_map(MapSettings(basemap="OpenStreetMap")).get_root().render()
    assert "© OpenStreetMap contributors" in " | ".join(attributions(tiles).values())


def test_each_attribution_sits_on_its_layer(html):
    """Leaflet adds a layer's attribution when the layer is shown and removes it when hidden:
    the text must be on the feature group the user toggles."""
    credits = attributions(html)
    control = re.search(r"var layer_control_\w+_layers = \{.*?overlays :\s*\{(.*?)\},", html, re.S)
    assert control
    named = {json.loads(k): v for k, v in
             re.findall(r'("[^"]+") : (feature_group_\w+),', control.group(1))}
    for label, source in (("Bathymetry: ETOPO5 5′ (embedded, coarse)", "ETOPO5"),
                          ("Land (coastline)", "GSHHG"),
                          ("Places, boundary, date line", "geodata/context")):
        assert source in credits[named[label]], label


def test_route_legend_lists_routes_in_their_colours_and_marks_the_selected(html):
    legend = legend_html(html, "mapapp-route-legend-control")
    items = re.findall(r'data-route-id="(\w+)"><span style="[^"]*background:(#[0-9A-Fa-f]{6})'
                       r'[^"]*"></span>(.*?)</div>', legend)
    # Okabe-Ito vermillion and blue, the first two colours of the shared palette
    assert items == [("a", "#D55E00", "Alpha crossing"),
                     ("b", "#0072B2", "<b>Bravo crossing</b> <i>(selected)</i>")]
    # the lines are drawn in the same colours
    assert html.count('"color": "#D55E00"') >= 1 and html.count('"color": "#0072B2"') >= 1
    hidden = mapview.build_map(MapSettings(route_legend=False), [PRESET_A]).get_root().render()
    with pytest.raises(AssertionError):
        legend_html(hidden, "mapapp-route-legend-control")


def test_export_carries_the_style_choices():
    """The standalone map follows the settings: colormap and range, hillshade, isobaths,
    basemap, land."""
    grid = open_grid()
    s = MapSettings(cmap="cmo.ice", vmin=-60, vmax=-10, hillshade=True, isobath_interval=20,
                    basemap="OpenTopoMap", land_source="osm")
    out = mapview.build_map(s, [PRESET_A], grid).get_root().render()
    # the image is the one render_overlay makes for these choices (compared pixel by pixel)
    from mapapp.data.coastline import land_geometry

    want = render_overlay(grid, grid.info.bounds, width_px=mapview.overlay_width(grid.info),
                          cmap="cmo.ice", vmin=-60, vmax=-10, hillshade=True,
                          land=land_geometry("osm"))
    assert np.array_equal(overlay_png(out), want.rgba)
    ticks = re.findall(r">(-?\d+)</span>", legend_html(out))
    assert ticks == ["-60", "-48", "-35", "-22", "-10"]  # -60 + k × 12.5, rounded
    assert "Isobaths (20 m)" in out and "tile.opentopomap.org" in out
    default = mapview.build_map(MapSettings(), [PRESET_A], grid).get_root().render()
    assert not np.array_equal(overlay_png(default), want.rgba)
    assert "Isobaths (10 m)" in default and "opentopomap" not in default


def test_standalone_map_fills_the_window():
    out = mapview.build_map(MapSettings(isobath_interval=0)).get_root().render()
    css = re.search(r"#map_\w+ \{(.*?)\}", out, re.S).group(1)
    assert re.search(r"width:\s*100(\.0)?%", css) and re.search(r"height:\s*100(\.0)?%", css)


def test_camera_choices_and_caption():
    out = mapview.build_map(MapSettings(isobath_interval=0), [PRESET_A]).get_root().render()
    assert "domtoimage.toCanvas(" in out
    for sel in (".leaflet-control-zoom", ".leaflet-draw", ".leaflet-control-layers",
                ".leaflet-control-mouseposition"):
        assert sel in json.loads(re.search(r"var hidden = (\[.*?\]);", out).group(1))
    assert json.loads(re.search(r"var ratios = (\[.*?\]);", out).group(1)) == [1, 2, 3]
    caption = json.loads(re.search(r'text = ("(?:[^"\\]|\\.)*"), map = null', out).group(1))
    assert caption == "Bering Strait crossing: Alpha crossing · bathymetry ETOPO5 5′ (embedded, coarse)"


def test_bad_settings_are_plain_errors():
    for kwargs in ({"cmap": "jet"}, {"land_source": "naturalearth"}, {"opacity": 2},
                   {"isobath_interval": -5}, {"vmin": 0, "vmax": -10}):
        with pytest.raises(InputError):
            MapSettings(**kwargs)


def test_grid_attribution_from_provenance(tmp_path):
    from tests.conftest import write_grid

    bare = open_grid(write_grid(tmp_path / "bare.tif", np.full((10, 20), -30, "int16")))
    assert mapview.grid_attribution(bare.info) == f"Bathymetry: {bare.info.name} (source not stated)"
    sourced = open_grid(write_grid(
        tmp_path / "gebco.tif", np.full((10, 20), -30, "int16"),
        provenance={"name": "GEBCO test", "source": "GEBCO Compilation Group (2024); via a mirror",
                    "licence": "public domain"}))
    assert mapview.grid_attribution(sourced.info) == (
        "Bathymetry: GEBCO Compilation Group (2024) — public domain")
