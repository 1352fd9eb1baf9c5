"""Property-based fuzzing of every route importer (GeoJSON, KML, KMZ, GPX, CSV).

Each format gets 1,000 generated inputs: near-valid structures (the right elements with
wrong, missing, hostile or extreme values), raw junk, truncations and byte flips. Whatever
comes in, :func:`mapapp.io.routeio.read_routes` either returns valid routes or raises
:class:`~mapapp.core.errors.RouteFileError` / :class:`~mapapp.core.errors.InputError` with a clear,
one-line message; any other exception fails the test.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
import warnings
import zipfile
from collections import Counter
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapapp.core.errors import InputError, RouteFileError
from mapapp.core.safety import MAX_NAME_CHARS
from mapapp.io.routeio import MAX_WAYPOINTS, read_routes

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
RUNS: Counter = Counter()

HOSTILE = [
    "<img src=x onerror=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "${window.__pwned=1}",
    "`;window.__pwned=1;`",
    "\\u0000\\x",
    "![x](http://evil.example/b.png)",
    "$\\undefinedmacro$",
    "\u202eevil\u202c",
    "\ud800",
    "a" * 500,
    "Cape Dezhnev",
    "",
]


def assert_clear(exc: Exception) -> None:
    """A rejection message a user can read: one short line, no Python internals."""
    msg = str(exc)
    assert msg.strip(), f"empty message from {type(exc).__name__}"
    assert "Traceback" not in msg and "object at 0x" not in msg, msg
    assert "/tmp" not in msg, f"temporary path leaked: {msg}"
    assert "\n" not in msg, f"multi-line message: {msg!r}"
    assert len(msg) <= 600, f"message of {len(msg)} characters: {msg[:200]}…"


def unsafe_char(ch: str) -> bool:
    """Control characters, lone surrogates and bidi overrides must never reach a name."""
    return unicodedata.category(ch) in ("Cc", "Cs") or "\u202a" <= ch <= "\u202e" or (
        "\u2066" <= ch <= "\u2069")


def check(data: bytes, filename: str | None, fmt: str) -> None:
    RUNS[fmt] += 1
    try:
        routes = read_routes(data, filename)
    except (RouteFileError, InputError) as exc:
        assert_clear(exc)
        return
    assert routes
    RUNS[fmt + " (read)"] += 1
    ids = [r.id for r in routes]
    assert len(ids) == len(set(ids))
    for r in routes:
        assert r.origin == "uploaded"
        assert 2 <= len(r.waypoints) <= MAX_WAYPOINTS
        assert 0 < len(r.name) <= MAX_NAME_CHARS
        assert not any(unsafe_char(ch) for ch in r.name), repr(r.name)
        for w in r.waypoints:
            assert math.isfinite(w.lon) and math.isfinite(w.lat) and -90 <= w.lat <= 90
            assert len(w.name) <= MAX_NAME_CHARS
        r.name.encode("utf-8")  # no lone surrogates


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzzed inputs per format:", dict(RUNS))


# --------------------------------------------------------------------------- building blocks
printable = st.characters(blacklist_categories=("Cs", "Cc"))
names = st.integers(0, 9).flatmap(
    lambda k: st.text(max_size=10) if k == 0  # any code point: controls, lone surrogates
    else st.sampled_from(HOSTILE) if k < 4 else st.text(printable, max_size=30)
)
numbers = st.one_of(
    st.floats(-180, 180),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**25), 10**25),
    st.sampled_from([0, -169.65, 66.07, 90, -90, 180, -180, 540, 541, 1e308]),
)
junk_scalar = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
junk = st.recursive(
    junk_scalar,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=8,
)


def mutate(data: bytes, how: tuple[int, int, int]) -> bytes:
    """Apply one of: nothing, truncate, flip a byte, duplicate a slice."""
    kind, a, b = how
    if not data or kind == 0:
        return data
    i = a % len(data)
    if kind == 1:
        return data[:i]
    if kind == 2:
        return data[:i] + bytes([b % 256]) + data[i + 1 :]
    return data[:i] + data[i : i + 1 + b % 64] * 3 + data[i:]


mutations = st.tuples(
    st.sampled_from([0] * 6 + [1, 2, 3]), st.integers(0, 10**6), st.integers(0, 255)
)


# near-valid coordinates: mostly in the strait (so that routes get built), sometimes anywhere,
# 3-D / 4-D, repeated, out of range, swapped, or junk
lon_ok = st.floats(-171.0, -166.0) | st.floats(-180, 180) | st.sampled_from([-180.0, 180.0])
lat_ok = st.floats(64.0, 67.0) | st.floats(-90, 90)
good_xy = st.tuples(lon_ok, lat_ok)
bad_xy = st.tuples(numbers, numbers)
xy = st.integers(0, 9).flatmap(lambda k: bad_xy if k == 0 else good_xy)
extra_dims = st.lists(numbers, max_size=2)


# --------------------------------------------------------------------------- GeoJSON
position = st.one_of(
    st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]),
    st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]),
    st.lists(numbers, min_size=0, max_size=5),
    st.lists(junk_scalar, max_size=3),
)
line_coords = st.one_of(
    st.lists(position, max_size=8),
    st.lists(st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]), min_size=2, max_size=8),
    st.lists(st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]), min_size=2, max_size=8),
)
geometry = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("LineString"), "coordinates": line_coords | junk}
    ),
    st.fixed_dictionaries(
        {"type": st.just("MultiLineString"), "coordinates": st.lists(line_coords, max_size=3)}
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Point", "MultiPoint", "Polygon", "Bogus", "Feature"]),
         "coordinates": position | line_coords | junk}
    ),
    st.fixed_dictionaries(
        {"type": st.just("GeometryCollection"),
         "geometries": st.lists(
             st.fixed_dictionaries({"type": st.just("LineString"), "coordinates": line_coords}),
             max_size=3) | junk}
    ),
    junk,
)
properties = st.dictionaries(
    st.sampled_from(["name", "title", "Name", "id", "mode", "waypoint_names"]),
    names | junk | st.sampled_from(["rail", "road", "loop"]) | st.lists(names, max_size=4),
    max_size=4,
)
feature = st.fixed_dictionaries(
    {"type": st.just("Feature"), "geometry": geometry | st.none(), "properties": properties},
    optional={"id": junk},
)
crs = st.fixed_dictionaries(
    {"type": st.sampled_from(["name", "link"]),
     "properties": st.fixed_dictionaries({"name": st.sampled_from([
         "EPSG:3857", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:OGC:1.3:CRS84",
         "EPSG:999999", "+proj=merc", "/etc/passwd", "", "ESRI:102100"]) | st.text(max_size=10)})}
)
collection = st.fixed_dictionaries(
    {"type": st.just("FeatureCollection"), "features": st.lists(feature | junk, max_size=5)},
    optional={"crs": crs | junk},
)
geojson_doc = st.one_of(collection, feature, geometry, junk)


@FUZZ
@given(doc=geojson_doc, how=mutations, name=st.sampled_from(["f.geojson", "f.json", None]))
def test_fuzz_geojson(doc, how, name):
    data = json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")
    check(mutate(data, how), name, "geojson")


# --------------------------------------------------------------------------- KML / KMZ
def _coord_text(points) -> str:
    return " ".join(",".join(str(v) for v in p) for p in points)


kml_point = st.one_of(
    st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]),
    st.tuples(xy, extra_dims).map(lambda t: [*t[0], *t[1]]),
    st.lists(numbers | st.text(printable, max_size=3), min_size=0, max_size=4),
)
kml_points = st.lists(kml_point, max_size=6)
kml_line = st.lists(kml_point, min_size=2, max_size=6).map(
    lambda p: f"<LineString><coordinates>{escape(_coord_text(p))}</coordinates></LineString>")
kml_geometry = st.one_of(
    kml_line,
    kml_line,
    kml_line,
    kml_points.map(lambda p: f"<LineString><coordinates>{escape(_coord_text(p))}"
                             "</coordinates></LineString>"),
    kml_points.map(lambda p: f"<Point><coordinates>{escape(_coord_text(p))}</coordinates></Point>"),
    st.lists(kml_points, max_size=3).map(
        lambda ps: "<MultiGeometry>" + "".join(
            f"<LineString><coordinates>{escape(_coord_text(p))}</coordinates></LineString>"
            for p in ps) + "</MultiGeometry>"),
    st.text(printable, max_size=20).map(escape),
)
placemark = st.tuples(names, kml_geometry).map(
    lambda t: f"<Placemark><name>{escape(t[0])}</name>"
              f"<description>{escape(t[0])}</description>{t[1]}</Placemark>"
)
PROLOGUES = [
    "",
    "",
    "",
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<?xml version="1.0" encoding="ISO-8859-1"?>',
]


@st.composite
def kml_documents(draw) -> bytes:
    marks = draw(st.lists(placemark, min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=4))
    folders = draw(st.integers(0, 3))
    body = "".join(marks)
    for _ in range(folders):
        body = f"<Folder><name>{escape(draw(names))}</name>{body}</Folder>"
    prologue = draw(st.sampled_from(PROLOGUES))
    root = draw(st.sampled_from(["kml"] * 8 + ["gpx", "KML"]))
    doc = (f'{prologue}<{root} xmlns="http://www.opengis.net/kml/2.2"><Document>'
           f"{body}</Document></{root}>")
    data = doc.encode("utf-8", "surrogatepass")
    return mutate(data, draw(mutations))


@FUZZ
@given(data=kml_documents())
def test_fuzz_kml(data):
    check(data, "f.kml", "kml")


@st.composite
def kmz_archives(draw) -> bytes:
    buf = io.BytesIO()
    members = draw(st.lists(
        st.sampled_from(["doc.kml", "../../evil.kml", "a/b.kml", "img.png", "x.KML", "dir/"]),
        max_size=3))
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    with zipfile.ZipFile(buf, "w", method) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate entry names are part of the test
        for m in members:
            kind = draw(st.sampled_from(["kml", "kml", "junk", "zip", "bomb"]))
            if kind == "kml":
                payload = draw(kml_documents())
            elif kind == "junk":
                payload = draw(st.binary(max_size=64))
            elif kind == "zip":
                inner = io.BytesIO()
                with zipfile.ZipFile(inner, "w") as iz:
                    iz.writestr("doc.kml", b"<kml/>")
                payload = inner.getvalue()
            else:
                payload = b"<kml>" + b" " * (2 * 1024 * 1024) + b"</kml>"
            zf.writestr(m, payload)
    return mutate(buf.getvalue(), draw(mutations))


@FUZZ
@given(data=kmz_archives())
def test_fuzz_kmz(data):
    check(data, "f.kmz", "kmz")


# --------------------------------------------------------------------------- GPX
attr_value = numbers.map(str) | st.text(printable, max_size=6)
lat_attr = st.integers(0, 19).flatmap(lambda k: attr_value if k == 0 else lat_ok.map(str))
lon_attr = st.integers(0, 19).flatmap(lambda k: attr_value if k == 0 else lon_ok.map(str))


@st.composite
def gpx_points(draw, tag: str) -> str:
    out = []
    for _ in range(draw(st.sampled_from([0, 1, 2, 2, 3, 5]))):
        attrs = ""
        if draw(st.integers(0, 29)):
            attrs += f" lat={quoteattr(draw(lat_attr))}"
        if draw(st.integers(0, 29)):
            attrs += f" lon={quoteattr(draw(lon_attr))}"
        name = draw(st.none() | names)
        inner = f"<name>{escape(name)}</name>" if name is not None else ""
        if draw(st.booleans()):
            inner += f"<ele>{escape(draw(attr_value))}</ele>"
        out.append(f"<{tag}{attrs}>{inner}</{tag}>")
    return "".join(out)


@st.composite
def gpx_documents(draw) -> bytes:
    parts = []
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["rte", "rte", "trk", "trk", "wpt"]))
        name = escape(draw(names))
        if kind == "rte":
            parts.append(f"<rte><name>{name}</name>{draw(gpx_points('rtept'))}</rte>")
        elif kind == "trk":
            segs = "".join(f"<trkseg>{draw(gpx_points('trkpt'))}</trkseg>"
                           for _ in range(draw(st.sampled_from([0, 1, 1, 2]))))
            parts.append(f"<trk><name>{name}</name>{segs}</trk>")
        else:
            parts.append(draw(gpx_points("wpt")))
    prologue = draw(st.sampled_from(PROLOGUES)).replace("kml", "gpx")
    version = draw(st.sampled_from(["1.1", "1.0", "", "9"]))
    doc = (f'{prologue}<gpx version="{version}" creator="fuzz" '
           f'xmlns="http://www.topografix.com/GPX/1/1">{"".join(parts)}</gpx>')
    return mutate(doc.encode("utf-8", "surrogatepass"), draw(mutations))


@FUZZ
@given(data=gpx_documents())
def test_fuzz_gpx(data):
    check(data, "f.gpx", "gpx")


# --------------------------------------------------------------------------- CSV
HEADERS = ["lon", "lat", "longitude", "Latitude (deg)", "x", "y", "name", "route", "route_name",
           "route_id", "elev", "", '"lon"', "lng"]
cell = st.one_of(numbers.map(str), names, st.sampled_from(["65,75", "-169,5", " ", '"', "\x00"]))


@st.composite
def csv_documents(draw) -> bytes:
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    if draw(st.integers(0, 3)):  # near-valid: lon/lat columns (any order) and numeric rows
        extra = draw(st.lists(st.sampled_from(["name", "route", "route_name", "elev"]),
                              max_size=2, unique=True))
        header = draw(st.permutations(["lon", "lat", *extra]))
        rows = []
        for _ in range(draw(st.integers(0, 8))):
            vals = {"lon": str(draw(lon_ok)), "lat": str(draw(lat_ok))}
            row = [vals.get(h) or draw(st.sampled_from(["A", "B"]) | names) for h in header]
            if not draw(st.integers(0, 7)):
                row[draw(st.integers(0, len(row) - 1))] = draw(cell)
            rows.append(row)
        if delim == ";":
            rows = [[c.replace(".", ",") for c in r] for r in rows]
    else:
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=5))
        rows = draw(st.lists(st.lists(cell, max_size=6), max_size=8))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delim.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode(
        "utf-8", "surrogatepass")
    return mutate(data, draw(mutations))


@FUZZ
@given(data=csv_documents(), name=st.sampled_from(["f.csv", "f.txt", "f.tsv"]))
def test_fuzz_csv(data, name):
    check(data, name, "csv")


# --------------------------------------------------------------------------- any bytes
@settings(FUZZ, max_examples=300)
@given(data=st.binary(max_size=300), name=st.sampled_from(
    [None, "f.geojson", "f.kml", "f.kmz", "f.gpx", "f.csv", "f.exe", "noext"]))
def test_fuzz_raw_bytes_any_format(data, name):
    check(data, name, "raw")
