"""Bad and hostile input, case by case: each gets a clear message (or is read correctly).

Route files (malformed, wrong geometry, NaN/inf, swapped axes, 3-D/4-D, duplicates, huge,
non-UTF-8, legacy CRS, oversize), XML attacks on KML/GPX (entity expansion, external
entities), KMZ / zip bombs, names carrying HTML or script through every output (map HTML,
KML, GPX, GeoJSON, report SVG), grids that cannot be used, tampered shared links, and the
app's behaviour with all of these (AppTest).
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import struct
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
import zlib

import folium
import numpy as np
import pyproj
import pytest
import rasterio
from affine import Affine
from streamlit.testing.v1 import AppTest

from mapapp.core import safety
from mapapp.core.errors import DatasetError, InputError, RouteError, RouteFileError
from mapapp.data import bathymetry, datasets
from mapapp.io import export, routeio, urlstate
from mapapp.render import mapview, report
from mapapp.routes.route import Route
from tests.conftest import REPO, write_grid

APP = str(REPO / "mapapp" / "app.py")
LINE = [[-169.65, 66.07], [-169.05, 65.78], [-168.09, 65.60]]
SECRET = "TOP-SECRET-XXE-CANARY"


def geojson(coords, name="r", **props) -> bytes:
    return json.dumps({"type": "Feature", "properties": {"name": name, **props},
                       "geometry": {"type": "LineString", "coordinates": coords}}).encode()


def refused(data, filename, pattern):
    with pytest.raises(RouteFileError, match=pattern) as info:
        routeio.read_routes(data, filename)
    msg = str(info.value)
    assert "\n" not in msg and "Traceback" not in msg and "/tmp" not in msg and len(msg) < 400
    return msg


# --------------------------------------------------------------------------- route files
@pytest.mark.parametrize(
    "data, filename, pattern",
    [
        (b'{"type": "LineString", "coordinates": [[1, 2], [3, 4]', "a.geojson",
         r"malformed JSON at line 1, column \d+"),
        (b"[" * 100_000 + b"]" * 100_000, "a.geojson", "nested too deeply"),
        (b'{"type":"LineString","coordinates":[[' + b"9" * 5000 + b",1],[1,2]]}", "a.geojson",
         "a number is too long"),
        (b'{"type":"LineString","coordinates":[[' + b"9" * 400 + b",1],[1,2]]}", "a.geojson",
         "position 1: coordinates must be numbers"),
        (b"<kml><Document><Placemark></Document></kml>", "a.kml",
         r"malformed KML \(XML error at line 1, column \d+: mismatched tag\)"),
        (b"<gpx><rte><rtept lat='1' lon='2'></rte>", "a.gpx", r"malformed GPX \(XML error"),
        (b'lon,lat\n1,"2\n', "a.csv", "needs at least two waypoints"),
        (b",\n,\n", "a.csv", "the CSV file has no header"),
        (b'lon,lat,name\n1,2,"' + b"x" * 200_000 + b'"\n', "a.csv",
         r"malformed CSV near line \d+: field larger than field limit"),
        (json.dumps({"type": "MultiPolygon", "coordinates": []}).encode(), "a.geojson",
         "found MultiPolygon only; a route must be a LineString"),
        (json.dumps({"type": "Circle", "coordinates": [0, 0]}).encode(), "a.geojson",
         "unknown geometry type 'Circle'"),
        (geojson([]), "a.geojson", "no line with coordinates found: the file's lines are empty"),
        (geojson([[-169.0, 66.0]]), "a.geojson", "needs at least two waypoints"),
        (geojson([[-169.0, 66.0], [-169.0, 66.0], [-169.0, 66.0]]), "a.geojson",
         "needs at least two distinct waypoints"),
        (b'{"type":"LineString","coordinates":[[NaN, 66],[-168, 65]]}', "a.geojson",
         "point 1: coordinates are not finite numbers"),
        (b'{"type":"LineString","coordinates":[[-169, 66],[-168, Infinity]]}', "a.geojson",
         "point 2: coordinates are not finite numbers"),
        (geojson([[66.07, -169.65], [65.6, -168.09]]), "a.geojson",
         r"latitude -169\.65 is out of range \(-90\.\.90\); are longitude and latitude swapped"),
        (geojson([[-969.0, 66.0], [-168.0, 65.0]]), "a.geojson", "longitude -969 is out of range"),
        (geojson([[True, 66.0], [-168.0, 65.0]]), "a.geojson", "coordinates must be numbers"),
        ("lon,lat,name\n-169,66,Ægir\n-168,65.5,Öy\n".encode("latin-1"), "a.geojson",
         "the GeoJSON file is not UTF-8 text"),
        ("<kml>".encode("utf-16"), "a.kml", "UTF-16/32 text; save it as UTF-8"),
        (b"whatever", "x.exe", r"unsupported file type '\.exe'"),
    ],
)
def test_bad_route_files_have_plain_messages(data, filename, pattern):
    refused(data, filename, pattern)


def test_3d_4d_coordinates_keep_lon_lat_and_duplicates_are_dropped():
    coords = [[-169.65, 66.07, 12.5], [-169.65, 66.07, 13.0, 1700000000],
              [-169.05, 65.78, -40.0, 0], [-168.09, 65.60]]
    (r,) = routeio.read_routes(geojson(coords, "3d"), "a.geojson")
    assert [(w.lon, w.lat) for w in r.waypoints] == [(-169.65, 66.07), (-169.05, 65.78),
                                                     (-168.09, 65.60)]


def test_latin1_csv_is_read_and_control_characters_leave_names():
    data = "route,lon,lat,name\nÆgir\x07 line,-169.65,66.07,Cap\u202e Dezhnev\n" \
           "Ægir\x07 line,-168.09,65.6,Wales\n".encode("latin-1", "replace")
    (r,) = routeio.read_routes(data, "a.csv")
    assert r.name == "Ægir line"  # \x07 removed; latin-1 decoded
    data = 'route,lon,lat,name\nA,-169.65,66.07,"Cap\u202e Dezh\x00nev"\nA,-168.09,65.6,W\n'
    (r,) = routeio.read_routes(data.encode(), "a.csv")
    assert r.waypoints[0].name == "Cap Dezhnev"


def test_long_names_are_cut_and_ids_stay_unique():
    long = "N" * 70 + " {}"
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": long.format(i) + "x" * 500},
         "geometry": {"type": "LineString", "coordinates": LINE}} for i in range(3)]}
    routes = routeio.read_routes(json.dumps(fc).encode(), "a.geojson", existing_ids={"n" * 60})
    assert all(len(r.name) == safety.MAX_NAME_CHARS and r.name.endswith("…") for r in routes)
    ids = [r.id for r in routes]
    assert len(set(ids)) == 3 and all(len(i) <= 60 for i in ids) and "n" * 60 not in ids
    # the ids survive a round trip through Route (which keeps 60 characters)
    assert [Route.from_dict(r.to_dict()).id for r in routes] == ids


def test_vertex_route_and_file_limits():
    many = [[-169 + i * 1e-4, 66.0] for i in range(routeio.MAX_WAYPOINTS + 1)]
    refused(geojson(many), "a.geojson", r"has 5001 points; the limit is 5000 \(simplify")
    fc = {"type": "FeatureCollection", "features": [json.loads(geojson(LINE, f"r{i}"))
                                                    for i in range(routeio.MAX_ROUTES + 1)]}
    refused(json.dumps(fc).encode(), "a.geojson", "holds 51 routes; at most 50 are read")
    fc = {"type": "FeatureCollection", "features": [
        json.loads(geojson([[-169 + i * 1e-4, 66.0 + k * 1e-3] for i in range(4000)], f"r{k}"))
        for k in range(13)]}
    refused(json.dumps(fc).encode(), "a.geojson", "52,000 points together; the limit is 50,000")
    pts = "\n".join(f"{-169 + i * 1e-6},66" for i in range(safety.MAX_VERTICES_PER_FILE + 5))
    refused(("lon,lat\n" + pts).encode(), "a.csv", "lines; the limit is 50,000 waypoints")
    arrays = b'{"type":"MultiPoint","coordinates":[' + b"[0,0]," * 120_000 + b"[0,0]]}"
    refused(arrays, "a.geojson", "about 120,002 coordinate positions; the limit is 50,000")
    feats = b'{"type":"FeatureCollection","features":[' + b"{}," * 10_001 + b"{}]}"
    refused(feats, "a.geojson", "10,002 features; the limit is 10,000")


def test_size_limit_counts_bytes_not_promises(tmp_path):
    refused(b" " * (routeio.MAX_BYTES + 1), "a.geojson", "larger than the 10.0 MB limit")

    class Endless(io.RawIOBase):  # a file-like upload that never ends
        name = "endless.csv"

        def readable(self):
            return True

        def readinto(self, b):
            b[:] = b"1" * len(b)
            return len(b)

    refused(Endless(), None, "larger than the 10.0 MB limit")


def test_many_named_points_name_vertices_in_one_pass():
    # 9,990 named points and a 5,000-vertex line: a pairwise search makes 5·10^7 comparisons
    line = [[-169.0 + i * 1e-3, 66.0] for i in range(5000)]
    feats = [json.loads(geojson(line, "long"))]
    feats += [{"type": "Feature", "properties": {"name": f"p{i}"},
               "geometry": {"type": "Point", "coordinates": [170.0 + i * 1e-4, 10.0]}}
              for i in range(9_990)]
    feats += [{"type": "Feature", "properties": {"name": "on vertex 7"},
               "geometry": {"type": "Point", "coordinates": [-169.0 + 7e-3 + 5e-7, 66.0]}},
              {"type": "Feature", "properties": {"name": "later duplicate"},
               "geometry": {"type": "Point", "coordinates": [-169.0 + 7e-3, 66.0]}},
              {"type": "Feature", "properties": {"name": "wrapped"},
               "geometry": {"type": "Point", "coordinates": [-169.0 + 9e-3 + 360.0, 66.0]}}]
    data = json.dumps({"type": "FeatureCollection", "features": feats}).encode()
    (r,) = routeio.read_routes(data, "a.geojson")
    names = {i: w.name for i, w in enumerate(r.waypoints) if w.name}
    assert names == {7: "on vertex 7", 9: "wrapped"}


@pytest.mark.parametrize(
    "crs_name, pattern",
    [
        ("+proj=merc +datum=WGS84", "only authority codes such as 'EPSG:3857'"),
        ("+init=/etc/passwd:x", "only authority codes"),
        ("/etc/passwd", "only authority codes"),
        ('GEOGCS["x",DATUM["y",SPHEROID["z",1,0]]]', "only authority codes"),
        ("EPSG:999999", "unknown CRS 'EPSG:999999'"),
    ],
)
def test_legacy_crs_member_accepts_authority_codes_only(crs_name, pattern):
    doc = {"type": "LineString", "coordinates": LINE,
           "crs": {"type": "name", "properties": {"name": crs_name}}}
    refused(json.dumps(doc).encode(), "a.geojson", pattern)


def test_legacy_crs_epsg_code_still_reprojects():
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    doc = {"type": "LineString", "coordinates": [list(tr.transform(*p)) for p in LINE],
           "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    (r,) = routeio.read_routes(json.dumps(doc).encode(), "a.geojson")
    assert r.lons.tolist() == pytest.approx([p[0] for p in LINE], abs=1e-9)


# --------------------------------------------------------------------------- XML attacks
def _kml(prologue: str, name: str) -> bytes:
    coords = " ".join(f"{x},{y},0" for x, y in LINE)
    return (f'<?xml version="1.0"?>{prologue}<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document><Placemark><name>{name}</name><LineString><coordinates>{coords}"
            "</coordinates></LineString></Placemark></Document></kml>").encode()


def _gpx(prologue: str, name: str) -> bytes:
    pts = "".join(f'<rtept lat="{y}" lon="{x}"/>' for x, y in LINE)
    return (f'<?xml version="1.0"?>{prologue}<gpx version="1.1" creator="t" '
            f'xmlns="http://www.topografix.com/GPX/1/1"><rte><name>{name}</name>{pts}</rte>'
            "</gpx>").encode()


LAUGHS = "".join([f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)])


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def no_gdal(monkeypatch):
    """Fail if the KML ever reaches GDAL."""
    import pyogrio

    def boom(*_a, **_k):
        raise AssertionError("GDAL was handed a file with a DTD")

    monkeypatch.setattr(pyogrio, "list_layers", boom)
    monkeypatch.setattr(pyogrio, "read_dataframe", boom)


@pytest.mark.parametrize("kind", ["kml", "gpx"])
@pytest.mark.parametrize(
    "attack, name",
    [
        ("billion laughs", "&l9;"),
        ("external entity", "&xxe;"),
        ("parameter entity", "x"),
        ("external DTD", "x"),
    ],
)
def test_xml_attacks_are_refused_before_any_parser_expands_them(
    kind, attack, name, secret_file, no_gdal
):
    root = kind
    prologue = {
        "billion laughs": f'<!DOCTYPE {root} [<!ENTITY l0 "lol">{LAUGHS}]>',
        "external entity": f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret_file}">]>',
        "parameter entity": f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "file://{secret_file}"> %p;]>',
        "external DTD": f'<!DOCTYPE {root} SYSTEM "http://evil.example/x.dtd">',
    }[attack]
    data = (_kml if kind == "kml" else _gpx)(prologue, name)
    tracemalloc.start()
    try:
        msg = refused(data, f"a.{kind}", r"refused: it declares a document type \(<!DOCTYPE …>\)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert SECRET not in msg
    assert peak < 5 * 1024 * 1024  # nothing was expanded (10^9 "lol"s would be gigabytes)


def test_xml_nesting_and_root_are_checked():
    deep = b"<kml>" + b"<Folder>" * 100 + b"</Folder>" * 100 + b"</kml>"
    refused(deep, "a.kml", "elements are nested more than 64 deep")
    refused(b"<?xml version='1.0'?><html><kml/></html>", "a.kml", "not a KML file: no <kml>")
    refused(b"<gpx><rte><name>&undefined;</name></rte></gpx>", "a.gpx", "undefined entity")


def test_placemark_limit():
    marks = "<Placemark><name>p</name><Point><coordinates>0,0</coordinates></Point></Placemark>"
    data = f"<kml><Document>{marks * 10_001}</Document></kml>".encode()
    refused(data, "a.kml", "10,001 placemarks; the limit is 10,000")


# --------------------------------------------------------------------------- KMZ / zip bombs
def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, payload in entries.items():
            zf.writestr(name, payload)
    return buf.getvalue()


def test_kmz_bomb_is_refused_by_ratio_and_by_size():
    bomb = _zip({"doc.kml": b"<kml>" + b" " * (50 * 1024 * 1024) + b"</kml>"})
    assert len(bomb) < 100_000
    refused(bomb, "a.kmz", "the KML inside the KMZ archive is 50.0 MB uncompressed; the limit")
    ratio = _zip({"doc.kml": b"<kml>" + b" " * (5 * 1024 * 1024) + b"</kml>"})
    refused(ratio, "a.kmz", "compressed more than 200:1, which real files never are")


def test_kmz_with_lying_header_is_read_with_bounded_memory():
    payload = b"<kml>" + b" " * (100 * 1024 * 1024) + b"</kml>"
    data = bytearray(_zip({"doc.kml": payload}))
    # claim 100 bytes uncompressed in both the local and the central header
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 100)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)
    tracemalloc.start()
    try:
        refused(bytes(data), "a.kmz", "not a valid zip archive|malformed KML")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 25 * 1024 * 1024  # never the 100 MB it really expands to


def test_kmz_nested_encrypted_many_entries_and_path_names(tmp_path, monkeypatch):
    inner = _zip({"doc.kml": _kml("", "inner")})
    refused(_zip({"doc.kml": inner}), "a.kmz", "holds another archive; nested archives")
    refused(_zip({f"f{i}.txt": b"" for i in range(1001)}), "a.kmz", "1,001 entries; at most 1,000")
    refused(_zip({"readme.txt": b"x", "a.kmz": inner}), "a.kmz", "contains no .kml file")
    enc = bytearray(_zip({"doc.kml": _kml("", "x")}))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag
        i = enc.index(sig)
        enc[i + off] |= 1
    refused(bytes(enc), "a.kmz", "is encrypted")
    refused(b"PK\x03\x04" + b"\x00" * 50, "a.kmz", "not a valid zip archive")
    # entry names that would escape a folder are harmless: nothing is extracted to disk
    monkeypatch.chdir(tmp_path)
    (r,) = routeio.read_routes(_zip({"../../evil.kml": _kml("", "Travelled")}), "a.kmz")
    assert r.name == "Travelled"
    assert not list(tmp_path.parent.parent.glob("evil.kml"))


# --------------------------------------------------------------------------- names as text
HOSTILE_NAME = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>${alert(3)}`\\'
HOSTILE_ROUTE = Route.from_coords(
    "evil", HOSTILE_NAME, [(-169.65, 66.07, "<b>wp</b>${alert(4)}"), (-168.09, 65.60)],
    notes="<iframe src=javascript:alert(5)>", claims={"<i>length</i>": "<svg onload=alert(6)>"},
)


def _template_literals(page_html: str) -> list[str]:
    return re.findall(r"bindTooltip\(\s*`(.*?)`\s*,", page_html, re.S)


def test_map_tooltips_are_text_inside_javascript_template_literals():
    m = folium.Map()
    mapview.routes_layer([HOSTILE_ROUTE]).add_to(m)
    mapview.point_layer(66.0, -169.0, "${alert(7)}<b>").add_to(m)
    page = m.get_root().render()
    bodies = _template_literals(page)
    assert len(bodies) == 4  # line, two vertices, clicked point
    for body in bodies:
        assert "${" not in body and "`" not in body and "<img" not in body and "<b>" not in body
        assert "<script>" not in body
    texts = [html.unescape(re.sub(r"<[^>]+>", "", b)).strip() for b in bodies]
    assert texts[0] == f"{HOSTILE_NAME} — {HOSTILE_ROUTE.length_m() / 1000:.1f} km"
    assert texts[1] == "<b>wp</b>${alert(4)}" and texts[2] == HOSTILE_NAME
    assert texts[3] == "${alert(7)}<b>"


def test_grid_name_in_layer_control_and_legend_is_escaped(tmp_path):
    path = write_grid(tmp_path / "g.tif", np.full((10, 20), -30, "int16"),
                      provenance={"name": "<img src=x onerror=alert(1)>${alert(2)}"})
    grid = bathymetry.Grid(path)
    from mapapp.render.overlay import render_overlay

    ov = render_overlay(grid, grid.info.bounds, width_px=256)
    m = folium.Map()
    mapview.bathymetry_layer(ov, grid.info).add_to(m)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    assert "<img src=x" not in page
    assert '"Bathymetry: \\u0026lt;img src=x onerror=alert(1)\\u0026gt;${alert(2)}"' in page or \
        "Bathymetry: &lt;img src=x onerror=alert(1)&gt;${alert(2)}" in page


def test_kml_export_escapes_descriptions_and_keeps_names_exact():
    data = export.kml_bytes([HOSTILE_ROUTE], waypoints=True)
    root = ET.fromstring(data)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    marks = root.findall(".//k:Placemark", ns)
    assert marks[0].find("k:name", ns).text == HOSTILE_NAME
    desc = marks[0].find("k:description", ns).text
    # the description is HTML for Google Earth's balloon: user text is escaped inside it
    for tag in ("<img", "<script", "<iframe", "<svg", "<i>"):
        assert tag not in desc
    assert "&lt;iframe src=javascript:alert(5)&gt;" in desc
    assert "&lt;svg onload=alert(6)&gt;" in desc
    assert marks[1].find("k:name", ns).text == "<b>wp</b>${alert(4)}"


def test_gpx_and_geojson_exports_keep_names_as_text():
    root = ET.fromstring(export.gpx_bytes([HOSTILE_ROUTE]))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert root.find("g:rte/g:name", ns).text == HOSTILE_NAME
    assert root.find("g:rte/g:rtept/g:name", ns).text == "<b>wp</b>${alert(4)}"
    fc = json.loads(export.geojson_bytes([HOSTILE_ROUTE]))
    assert fc["features"][0]["properties"]["name"] == HOSTILE_NAME


def test_report_svg_shows_names_as_text_and_dollar_signs_literally():
    name = "Cost $\\undefinedmacro{x}$ to $8 bn <img src=x onerror=alert(1)>"
    r = HOSTILE_ROUTE.copy(name=name)
    svg = report.render_report([r], bathymetry.open_grid(),
                               report.ReportOptions(dpi=50, size_in=(8, 6), title=(
                                   "Title with $x^2$ & <script>alert(1)</script>")),
                               fmt="svg")
    assert b"<img" not in svg and b"<script>" not in svg
    assert b"&lt;img src=x onerror=alert(1)&gt;" in svg
    assert b"Title with $x^2$ &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert b"$\\undefinedmacro{x}$" in svg
    ET.fromstring(svg)  # well-formed: nothing broke out of a text element


def test_markdown_escape_makes_links_and_images_literal():
    text = "![b](http://evil.example/x.png) [c](javascript:alert(1)) **b** $x$ :red[x] <b>"
    esc = safety.md_escape(text)
    assert "![" not in esc and "](" not in esc and "**" not in esc and "$x$" not in esc
    assert re.sub(r"\\(.)", r"\1", esc) == text  # markdown shows exactly the original


# --------------------------------------------------------------------------- grids
@pytest.fixture
def bad_grids(tmp_path):
    d = tmp_path / "bathymetry"
    d.mkdir()
    a = np.full((10, 20), -30, "int16")
    write_grid(d / "nocrs.tif", a, crs=None)
    write_grid(d / "allnodata.tif", np.full((10, 20), -9999, "int16"), nodata=-9999)
    write_grid(d / "nannodata.tif", np.full((10, 20), np.nan, "float32"), nodata=float("nan"))
    write_grid(d / "posdown.tif", np.full((10, 20), 30, "int16"), tags={"positive": "down"})
    write_grid(d / "feet.tif", a, tags={"units": "ft"})
    (d / "corrupt.tif").write_bytes(b"II*\x00" + b"\x00" * 100)
    (d / "empty.tif").write_bytes(b"")
    with rasterio.open(d / "rotated.tif", "w", driver="GTiff", height=10, width=20, count=1,
                       dtype="int16", crs="EPSG:4326",
                       transform=Affine.translation(-170, 66) * Affine.rotation(30)
                       * Affine.scale(0.1, -0.1)) as ds:
        ds.write(a, 1)
    return d


GRID_REASONS = {
    "nocrs.tif": "has no coordinate reference system; import it with `python -m mapapp data "
                 "import FILE` and state its CRS",
    "allnodata.tif": "no valid values in",
    "nannodata.tif": "no valid values in",
    "feet.tif": "vertical units are 'ft'; only metres are supported",
    "corrupt.tif": "cannot open grid corrupt.tif",
    "empty.tif": "cannot open grid empty.tif",
    "rotated.tif": "has a rotated or sheared transform; warp it to a north-up grid",
}


def test_unusable_grids_are_listed_with_their_reason(bad_grids):
    entries = {e.name: e for e in datasets.list_datasets(bad_grids)}
    assert set(entries) == set(GRID_REASONS) | {"posdown.tif"}
    for name, reason in GRID_REASONS.items():
        assert entries[name].info is None and reason in entries[name].error, entries[name].error
        assert "unusable" in entries[name].label
    pos = entries["posdown.tif"]
    assert pos.error == "" and pos.info.positive_down
    assert "positive down" in pos.info.sign_convention
    assert bathymetry.Grid(pos.path).sample([-169.45], [65.45]).tolist() == [-30.0]
    with pytest.raises(DatasetError, match="no valid values"):
        bathymetry.Grid(bad_grids / "allnodata.tif").value_range()


@pytest.mark.parametrize("name", ["../coastline/x.gpkg", "..", "/etc/passwd", "a/../../b.tif",
                                  "x\x00.tif", "..\\..\\x.tif", "link.tif"])
def test_dataset_names_cannot_leave_the_folder(bad_grids, tmp_path, name):
    outside = write_grid(tmp_path / "outside.tif", np.full((10, 20), -30, "int16"))
    (bad_grids / "link.tif").symlink_to(outside)
    with pytest.raises(InputError, match="must be a plain file name inside"):
        datasets.resolve_dataset(name, bad_grids)


# --------------------------------------------------------------------------- shared links
def _pack(raw: bytes) -> str:
    return "1." + __import__("base64").urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


@pytest.mark.parametrize(
    "value, pattern",
    [
        (_pack(b"[" + b" " * 5_000_000 + b"]"), "expands to too much data"),
        (_pack(b"[" * 200_000 + b"]" * 200_000), "expands to too much data|nested too deeply"),
        (_pack(b"[" * 50_000 + b"]" * 50_000), "nested too deeply"),
        (_pack(json.dumps([{"p": "_p~iF~ps|U_ulLnnqC", "m": ["rail"]}]).encode()), "unknown mode"),
        (_pack(json.dumps([{"p": "_p~iF~ps|U_ulLnnqC", "i": {"x": 1}}]).encode()),
         "invalid or repeated id"),
        (_pack(json.dumps([{"p": "_p~iF~ps|U_ulLnnqC", "w": True}]).encode()),
         "mismatched waypoint names"),
        (_pack(b'[{"p": "' + b"~" * 6000 + b'"}]'), "too long|truncated"),
    ],
)
def test_tampered_routes_parameter(value, pattern):
    assert len(value) <= urlstate.MAX_PARAM_CHARS
    with pytest.raises(InputError, match=pattern):
        urlstate.decode_routes(value)


def test_link_names_are_cleaned_and_datasets_are_plain_names():
    raw = json.dumps([{"p": "_p~iF~ps|U_ulLnnqC", "n": "Evil\u202e\ud800\x00 <b>",
                       "w": ["a\nb", "\u2066c"]}]).encode("utf-8", "surrogatepass")
    (r,) = urlstate.decode_routes(_pack(raw))
    assert r.name == "Evil <b>" and [w.name for w in r.waypoints] == ["a b", "c"]
    urlstate.encode_routes([r])  # encodable again (no lone surrogate)
    for bad in ("..", ".hidden", "../x", "a\n", "a/b", "x" * 101):
        s = urlstate.decode_state({"d": bad})
        assert s.dataset is None and s.errors[0].startswith("d: invalid dataset name")
    assert urlstate.decode_state({"d": "gebco_2024.tif"}).dataset == "gebco_2024.tif"
    s = urlstate.decode_state({"z": "9" * 5000, "c": "1e999,0"})
    assert s.errors == ["c: centre coordinates must be finite numbers",
                        "z: zoom '9999999999999999999999999999999999999999999999999999999999… "
                        "is not a whole number"]


def test_drawings_are_bounded():
    line = {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": LINE}}
    with pytest.raises(RouteError, match="51 lines are drawn; at most 50 are kept"):
        routeio.routes_from_drawings([line] * 51)
    big = {"type": "Feature", "geometry": {"type": "LineString",
                                           "coordinates": [[-169, 66]] * 5001}}
    with pytest.raises(RouteError, match="5001 points; the limit is 5000"):
        routeio.routes_from_drawings([big])
    for coords in ([[float("inf"), 66], [-168, 65]], [["nan", 66], [-168, 65]],
                   [[-169, 95], [0, 0]], [[-169, 66], [-169, 66]], [[-169, 66], "x"]):
        with pytest.raises(RouteError, match="drawn line 1"):
            routeio.routes_from_drawings([{"geometry": {"type": "LineString",
                                                        "coordinates": coords}}])
    assert routeio.routes_from_drawings("not a list") == []


def test_session_budget():
    r = Route.from_coords("a", "A", [(-169.0 + i * 1e-3, 66.0) for i in range(4000)])
    safety.check_session_budget([r] * 20, [r] * 5)
    with pytest.raises(InputError, match="this would make 51 routes; a session holds at most 50"):
        safety.check_session_budget([r] * 50, [r])
    with pytest.raises(InputError, match="104,000 waypoints; a session holds at most 100,000"):
        safety.check_session_budget([r] * 20, [r] * 6)


# --------------------------------------------------------------------------- the app
@pytest.fixture
def app_geodata(tmp_path, monkeypatch, bad_grids):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", root)
    for p in bad_grids.iterdir():
        shutil.copy(p, root / "bathymetry" / p.name)
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    return root


def _run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _notes(at: AppTest) -> str:
    """The page's notes: the resolution detail is in the header's "About & data" popover."""
    return " ".join(e.value for e in [*at.info, *at.markdown, *at.caption])


def test_app_lists_unusable_grids_and_falls_back_from_a_link_to_one(app_geodata):
    at = _run({"d": "allnodata.tif"})
    assert not at.error, [e.value for e in at.error]
    captions = " ".join(c.value for c in at.sidebar.caption)
    for name, reason in GRID_REASONS.items():
        assert f"⚠ {name}: " in captions and reason in captions, name
    options = at.sidebar.selectbox(key="dataset").options
    assert options[0].startswith("ETOPO5") and not any("nodata" in o for o in options)
    assert any("Dataset 'allnodata.tif' is not available; using etopo5_bering_5arcmin.tif"
               in w.value for w in at.sidebar.warning)
    assert "5′ × 5′" in _notes(at)  # the embedded default is active


def test_app_survives_a_tampered_link():
    at = _run({"d": "../../etc/passwd", "r": _pack(b"[" * 50_000 + b"]" * 50_000),
               "z": "1e999", "c": "100,0", "s": "<img src=x>", "p": "dmitriev-2025"})
    assert not at.error, [e.value for e in at.error]
    warns = [re.sub(r"\\(.)", r"\1", w.value) for w in at.sidebar.warning]  # markdown-escaped
    assert len(warns) == 5, warns
    for text in ("r: the routes parameter is corrupted (nested too deeply)",
                 "d: invalid dataset name '../../etc/passwd'",
                 "z: zoom '1e999' is not a whole number",
                 "c: centre latitude 100 is outside -90..90",
                 "s: no shown route has the id '<img src=x>'"):
        assert any(w == f"Part of the shared link was ignored — {text}" for w in warns), warns
    assert at.sidebar.multiselect(key="shown_presets").value == ["dmitriev-2025"]
    assert "5′ × 5′" in _notes(at)


def _upload_script(files):
    """Streamlit script: upload ``files`` (name, bytes) one after the other in one session."""
    import streamlit as st

    from mapapp.ui import routes_panel
    from mapapp.ui.state import session

    routes_panel.init_state()
    for name, data in files:
        outcome = session.routes.upload(name, data)
        st.session_state.setdefault("_messages", []).append(outcome.message)


def test_uploads_in_one_session_never_overwrite_and_are_bounded():
    same_name = "L" * 70  # ids are cut to 60 characters: the second must not replace the first
    files = [("a.geojson", geojson(LINE, same_name)),
             ("b.geojson", geojson(LINE[:2], same_name))]
    fc = {"type": "FeatureCollection", "features": [
        json.loads(geojson(LINE, f"r{i}")) for i in range(48)]}
    files.append(("many.geojson", json.dumps(fc).encode()))
    files.append(("one-more.geojson", geojson(LINE, "one more")))
    at = AppTest.from_function(_upload_script, args=(files,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    user = at.session_state["routeset"].added
    assert len(user) == 50
    longs = [r for r in user.values() if r.name == same_name]
    assert [len(r.waypoints) for r in longs] == [3, 2]
    msgs = [re.sub(r"\\(.)", r"\1", m) for m in at.session_state["_messages"]]
    assert msgs[3] == ("one-more.geojson: this would make 51 routes; a session holds at most 50 "
                       "(remove some first)")


def test_shared_caches_are_read_only_for_sessions():
    """Objects shared by every session (st.cache_resource) are not changed by a session."""
    import hashlib

    from mapapp.ui import cache

    def fingerprint():
        land = cache.display_land()
        places, lines = cache.context_layers()
        grid = cache.grid(str(bathymetry.default_grid_path()))
        h = hashlib.sha256()
        for frame in (land, places, lines):
            h.update(b"".join(frame.geometry.to_wkb()))
            h.update(frame.drop(columns="geometry").to_csv().encode())
        h.update(repr(grid.info).encode())
        return (id(land), id(places), id(lines), id(grid)), h.hexdigest()

    _run()  # fills the caches
    before = fingerprint()
    at = AppTest.from_file(APP, default_timeout=120).run()
    for key, value in (("cmap", "cmo.ice"), ("isobath", 20), ("basemap", "OpenStreetMap")):
        at.sidebar.selectbox(key=key).select(value).run()
    at.sidebar.checkbox(key="hillshade").check().run()
    at.selectbox(key="selected_route").select_index(1).run()
    assert not at.exception
    AppTest.from_function(_upload_script, args=([("a.geojson", geojson(LINE, "x"))],)).run()
    assert fingerprint() == before


def test_safety_doctests():
    import doctest

    assert doctest.testmod(safety).failed == 0
