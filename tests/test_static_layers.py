"""Map layers as content-hashed static files (issue 15): names, fallback, display land."""

import hashlib
import json
import math

import geopandas as gpd
from shapely.geometry import LineString, Point, Polygon, shape

from mapapp.render import mapview
from mapapp.ui import cache


def test_pixel_metres_is_the_web_mercator_resolution():
    # 2π × 6 378 137 m / 256 px at zoom 0 (equator); halves with each zoom level
    assert math.isclose(mapview.pixel_metres(0), 156543.03392804097, rel_tol=1e-12)
    assert math.isclose(mapview.pixel_metres(8), 156543.03392804097 / 256, rel_tol=1e-12)


def test_publish_names_the_file_by_its_content_hash(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "GEN_DIR", tmp_path / "gen")
    data = b'{"type": "FeatureCollection", "features": []}'
    url = cache.publish(data, "json", "land-z8")
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert url == f"../../app/static/gen/land-z8-{digest}.json"
    assert (tmp_path / "gen" / f"land-z8-{digest}.json").read_bytes() == data
    # other bytes, other name; the first file is left as it was
    assert cache.publish(data + b" ", "json", "land-z8") != url
    assert (tmp_path / "gen" / f"land-z8-{digest}.json").read_bytes() == data


def test_publish_returns_none_where_the_folder_is_not_writable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(cache, "GEN_DIR", blocker / "gen")  # cannot be created
    assert cache.publish(b"\x89PNG unique bytes for this test", "png", "bathymetry") is None


def test_land_geojson_drops_detail_below_one_pixel_and_keeps_what_is_bigger():
    # a square 0.5° on a side at 65.5° N with two notches on its south edge: one 50 m deep
    # (< 1 px at zoom 8 = 611.5 Mercator m ≈ 253 m on the ground here), one 2 km deep
    lat0, d50, d2k = 65.5, 50 / 111_320, 2000 / 111_320
    ring = [(-169.0, lat0), (-168.9, lat0), (-168.89, lat0 + d50), (-168.88, lat0),
            (-168.7, lat0), (-168.69, lat0 + d2k), (-168.68, lat0), (-168.5, lat0),
            (-168.5, lat0 + 0.5), (-169.0, lat0 + 0.5)]
    land = gpd.GeoDataFrame(geometry=[Polygon(ring)], crs=4326)
    out = shape(mapview.land_geojson(land, 8)["features"][0]["geometry"])
    def has(geom, lat):
        return any(abs(y - lat) < 2e-5 for _, y in geom.exterior.coords)

    assert has(out, lat0 + d2k)  # the 2 km notch stays
    assert not has(out, lat0 + d50)  # the 50 m one is below a pixel
    # at zoom 14 (1 px ≈ 4 m on the ground) both stay
    fine = shape(mapview.land_geojson(land, 14)["features"][0]["geometry"])
    assert has(fine, lat0 + d50) and has(fine, lat0 + d2k)


def test_isobath_geojson_labels_the_middle_of_each_long_line():
    lines = gpd.GeoDataFrame({"depth_m": [-20.0, -40.0], "label": ["20 m", "40 m"]},
                             geometry=[LineString([(-169, 65.5), (-168, 65.5)]),
                                       LineString([(-169, 65.6), (-168.99, 65.6)])], crs=4326)
    feats = mapview.isobath_geojson(lines)["features"]
    labels = [f for f in feats if "label" in f["properties"]]
    # the 1° line gets a label at its middle; the 0.01° one is too short (< 0.05°)
    assert [f["properties"]["label"] for f in labels] == ["20 m"]
    assert labels[0]["geometry"]["coordinates"] == [-168.5, 65.5]
    assert sum("tooltip" in f["properties"] for f in feats) == 2


def test_context_geojson_escapes_names():
    places = gpd.GeoDataFrame({"name": ["<b>X</b>"], "description": ["d"], "kind": ["cape"],
                               "sources": [json.dumps(["https://example.org/a"])]},
                              geometry=[Point(-169, 66)], crs=4326)
    lines = gpd.GeoDataFrame({"name": [], "description": [], "kind": [], "sources": []},
                             geometry=[], crs=4326)
    (f,) = mapview.context_geojson(places, lines)["features"]
    assert f["properties"]["tooltip"] == "&lt;b&gt;X&lt;/b&gt;"
    assert "<b>X</b>" not in f["properties"]["popup"]


def test_layers_with_files_carry_urls_not_data():
    settings = mapview.MapSettings()
    data = mapview.map_data(settings)
    files = {"bathymetry": "../../app/static/gen/bathymetry-0123456789abcdef.png",
             "land": [(8, "../../app/static/gen/land-z8-0123456789abcdef.json"),
                      (12, "../../app/static/gen/land-z12-0123456789abcdef.json")],
             "isobaths": "../../app/static/gen/isobaths-0123456789abcdef.json",
             "context": "../../app/static/gen/places-0123456789abcdef.json"}
    m = mapview.base_map(places=[])
    for fg in mapview.map_layers(settings, mapview.MapData(**{**data.__dict__, "files": files})):
        fg.add_to(m)
    html = m.get_root().render()
    for url in ("bathymetry-0123456789abcdef.png", "land-z8-0123456789abcdef.json",
                "land-z12-0123456789abcdef.json", "isobaths-0123456789abcdef.json",
                "places-0123456789abcdef.json"):
        assert url in html
    assert "data:image/png;base64" not in html
    assert "mapapp-isobath-label" in html  # the label class is passed to the layer
    # the standalone map (no files) has everything inline
    standalone = mapview.build_map(settings).get_root().render()
    assert "data:image/png;base64" in standalone and "/app/static/gen/" not in standalone


def test_base_map_has_measure_search_and_click_to_scroll():
    html = mapview.base_map(places=[("Nome", 64.5, -165.4)], click_to_scroll=True) \
        .get_root().render()
    assert "L.Control.Measure" in html and '"primaryLengthUnit": "kilometers"' in html
    assert '[["Nome", 64.5, -165.4]]' in html
    assert "scrollWheelZoom.disable()" in html
    # the standalone map has no click-to-scroll (it fills the window) and no search when empty
    plain = mapview.base_map(places=[]).get_root().render()
    assert "scrollWheelZoom.disable()" not in plain and "mapapp-search" not in plain
