"""Route file import: round trips through independent writers, antimeridian, bad files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import gpxpy
import gpxpy.gpx
import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapapp.core.errors import RouteError, RouteFileError
from mapapp.core.geodesy import split_antimeridian
from mapapp.io.routeio import read_routes, routes_from_drawings, routes_from_geojson
from mapapp.routes.route import Route

DATA = Path(__file__).parent / "data" / "routes"
# bering-facts.md §2 (lon, lat)
DEZHNEV = (-169.6519, 66.0792)
UELEN = (-169.8092, 66.1594)
BIG_D = (-169.0569, 65.7811)
LITTLE_D = (-168.9208, 65.7542)
CPW_A = (-168.0847, 65.5964)
WALES = (-168.0892, 65.6122)


def coords(route):
    return [(round(w.lon, 6), round(w.lat, 6)) for w in route.waypoints]


def km(route):
    return route.length_m() / 1000


# --- GeoJSON (written with the json module) -------------------------------------------------


def test_geojson_feature_collection_round_trip(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Island hop", "mode": "road"},
                "geometry": {"type": "LineString", "coordinates": [UELEN, BIG_D, LITTLE_D, WALES]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Straight"},
                "geometry": {"type": "LineString", "coordinates": [DEZHNEV, CPW_A]},
            },
            {"type": "Feature", "properties": {"name": "Big Diomede"},
             "geometry": {"type": "Point", "coordinates": BIG_D}},
        ],
    }
    path = tmp_path / "routes.geojson"
    path.write_text(json.dumps(fc))
    hop, straight = read_routes(path)
    assert (hop.name, hop.mode, hop.origin) == ("Island hop", "road", "uploaded")
    assert coords(hop) == [UELEN, BIG_D, LITTLE_D, WALES]
    assert km(hop) == pytest.approx(102.6, abs=0.05)  # bering-facts §3b
    assert [w.name for w in hop.waypoints] == ["", "Big Diomede", "", ""]  # named Point on a vertex
    assert straight.name == "Straight" and km(straight) == pytest.approx(89.6, abs=0.05)
    assert hop.id != straight.id


def test_geojson_bare_geometry_and_feature_from_bytes():
    bare = json.dumps({"type": "LineString", "coordinates": [DEZHNEV, CPW_A]}).encode()
    (r,) = read_routes(bare, "my line.geojson")
    assert r.name == "my line" and coords(r) == [DEZHNEV, CPW_A]
    feat = json.dumps(
        {"type": "Feature", "id": "f1", "properties": None,
         "geometry": {"type": "LineString", "coordinates": [DEZHNEV, CPW_A]}}
    ).encode()
    (f,) = read_routes(feat)  # no filename: recognised from the content
    assert f.id == "f1"


def test_multilinestring_contiguous_parts_are_joined():
    g = {"type": "MultiLineString", "coordinates": [[UELEN, BIG_D], [BIG_D, LITTLE_D, WALES]]}
    (r,) = routes_from_geojson(g)
    assert coords(r) == [UELEN, BIG_D, LITTLE_D, WALES]


def test_multilinestring_separate_parts_become_routes():
    g = {
        "type": "Feature",
        "properties": {"name": "Two"},
        "geometry": {"type": "MultiLineString", "coordinates": [[UELEN, BIG_D], [LITTLE_D, WALES]]},
    }
    a, b = routes_from_geojson(g)
    assert (a.name, b.name) == ("Two (part 1)", "Two (part 2)")
    assert coords(a) == [UELEN, BIG_D] and coords(b) == [LITTLE_D, WALES]


def test_rfc7946_antimeridian_cut_is_rejoined():
    lons, lats = [179.2, -179.6, -178.9], [65.9, 66.0, 66.2]
    original = Route.from_coords("a", "A", list(zip(lons, lats, strict=True)))
    parts = split_antimeridian(lons, lats)
    assert len(parts) == 2 and parts[0][0][-1] == 180.0 and parts[1][0][0] == -180.0
    g = {"type": "MultiLineString",
         "coordinates": [[[float(x), float(y)] for x, y in zip(*p, strict=True)] for p in parts]}
    (r,) = routes_from_geojson(g)
    assert len(r.waypoints) == 3  # the inserted crossing vertex is dropped
    assert np.all(np.abs(np.diff(r.lons)) < 180)
    assert r.lons.tolist() == pytest.approx(original.lons.tolist())
    assert km(r) == pytest.approx(km(original), abs=1e-6)


def test_legacy_crs_epsg3857_is_reprojected():
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    xy = [list(tr.transform(*p)) for p in (DEZHNEV, CPW_A)]
    g = {"type": "FeatureCollection",
         "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
         "features": [{"type": "Feature", "properties": {"name": "merc"},
                       "geometry": {"type": "LineString", "coordinates": xy}}]}
    (r,) = read_routes(json.dumps(g).encode(), "m.json")
    assert r.lons.tolist() == pytest.approx([DEZHNEV[0], CPW_A[0]], abs=1e-9)
    assert r.lats.tolist() == pytest.approx([DEZHNEV[1], CPW_A[1]], abs=1e-9)


def test_legacy_crs_urn_4326_is_lat_lon_order():
    latlon = [[p[1], p[0]] for p in (DEZHNEV, CPW_A)]
    g = {"type": "LineString", "coordinates": latlon,
         "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}}
    (r,) = read_routes(json.dumps(g).encode(), "ll.geojson")
    assert coords(r) == [DEZHNEV, CPW_A]
    crs84 = dict(g, coordinates=[list(p) for p in (DEZHNEV, CPW_A)],
                 crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert coords(read_routes(json.dumps(crs84).encode(), "x.geojson")[0]) == [DEZHNEV, CPW_A]


# --- KML (fixture as Google Earth writes it) ------------------------------------------------


def test_google_earth_kml_with_folders_and_multigeometry():
    routes = read_routes(DATA / "google_earth.kml")
    assert [r.name for r in routes] == ["Dezhnev to Prince of Wales", "Uelen - Diomedes - Wales"]
    straight, hop = routes
    assert coords(straight) == [DEZHNEV, CPW_A]
    assert coords(hop) == [UELEN, BIG_D, LITTLE_D, WALES]  # MultiGeometry parts joined
    assert km(hop) == pytest.approx(102.6, abs=0.05)
    assert hop.waypoints[1].name == "Big Diomede"  # named point Placemark on the vertex
    assert all(r.origin == "uploaded" for r in routes)


def test_kml_mixed_multigeometry_and_separate_lines():
    kml = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>d</name>
<Placemark><name>Mixed</name><MultiGeometry>
<Point><coordinates>-169.0569,65.7811,0</coordinates></Point>
<LineString><coordinates>-169.6519,66.0792,0 -169.0569,65.7811,0</coordinates></LineString>
<LineString><coordinates>-168.9208,65.7542,0 -168.0847,65.5964,0</coordinates></LineString>
</MultiGeometry></Placemark>
</Document></kml>"""
    a, b = read_routes(kml, "mixed.kml")
    assert (a.name, b.name) == ("Mixed (part 1)", "Mixed (part 2)")
    assert coords(a) == [DEZHNEV, BIG_D] and coords(b) == [LITTLE_D, CPW_A]
    assert km(a) == pytest.approx(42.9, abs=0.05)  # bering-facts §3b: Dezhnev - Big Diomede
    assert [w.name for w in a.waypoints] == ["", ""]  # the placemark's own point names nothing


def test_kmz_is_read(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("doc.kml", (DATA / "google_earth.kml").read_bytes())
    routes = read_routes(buf.getvalue(), "bering.kmz")
    assert len(routes) == 2


def test_kml_points_only_is_refused():
    kml = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>pins</name>
<Placemark><name>Uelen</name><Point><coordinates>-169.8092,66.1594,0</coordinates></Point></Placemark>
</Folder></Document></kml>"""
    with pytest.raises(RouteFileError, match="no line geometry found — found Point only"):
        read_routes(kml, "pins.kml")


# --- GPX (written with gpxpy) ---------------------------------------------------------------


def test_gpx_route_and_track_round_trip(tmp_path):
    gpx = gpxpy.gpx.GPX()
    rte = gpxpy.gpx.GPXRoute(name="Diomede route")
    for (lon, lat), name in zip([UELEN, BIG_D, LITTLE_D, WALES],
                                ["Uelen", "Big Diomede", "Little Diomede", "Wales"], strict=True):
        rte.points.append(gpxpy.gpx.GPXRoutePoint(latitude=lat, longitude=lon, name=name))
    gpx.routes.append(rte)
    trk = gpxpy.gpx.GPXTrack(name="Ferry track")
    for seg_pts in ([DEZHNEV, BIG_D], [BIG_D, CPW_A]):
        seg = gpxpy.gpx.GPXTrackSegment()
        seg.points.extend(gpxpy.gpx.GPXTrackPoint(latitude=p[1], longitude=p[0]) for p in seg_pts)
        trk.segments.append(seg)
    gpx.tracks.append(trk)
    path = tmp_path / "crossing.gpx"
    path.write_text(gpx.to_xml())
    route, track = read_routes(path)
    assert route.name == "Diomede route"
    assert [w.name for w in route.waypoints] == ["Uelen", "Big Diomede", "Little Diomede", "Wales"]
    assert km(route) == pytest.approx(102.6, abs=0.05)
    assert track.name == "Ferry track"
    assert coords(track) == [DEZHNEV, BIG_D, CPW_A]  # repeated segment joint removed


def test_gpx_waypoints_only_is_refused():
    gpx = gpxpy.gpx.GPX()
    gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(latitude=66.0, longitude=-169.0, name="x"))
    with pytest.raises(RouteFileError, match="found waypoints"):
        read_routes(gpx.to_xml().encode(), "w.gpx")


# --- CSV (written with the csv module) ------------------------------------------------------


def _csv(rows, delimiter=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode()


@pytest.mark.parametrize(
    "lon_h, lat_h", [("lon", "lat"), ("Longitude", "Latitude"), ("lng", "lat"), ("X", "Y"),
                     ("long", "latitude"), ("lon_deg", "lat_deg")]
)
def test_csv_header_variants(lon_h, lat_h):
    data = _csv([["name", lat_h, lon_h], ["Dezhnev", DEZHNEV[1], DEZHNEV[0]],
                 ["CPW", CPW_A[1], CPW_A[0]]])
    (r,) = read_routes(data, "wp.csv")
    assert coords(r) == [DEZHNEV, CPW_A] and [w.name for w in r.waypoints] == ["Dezhnev", "CPW"]


def test_csv_several_routes_semicolon_decimal_comma():
    rows = [["route_id", "route_name", "name", "lon", "lat"]]
    for rid, rname, pts in (("hop", "Island hop", [UELEN, BIG_D, LITTLE_D, WALES]),
                            ("direct", "Direct", [DEZHNEV, CPW_A])):
        rows += [[rid, rname, f"p{i}", str(p[0]).replace(".", ","), str(p[1]).replace(".", ",")]
                 for i, p in enumerate(pts)]
    hop, direct = read_routes(_csv(rows, ";"), "two.csv")
    assert (hop.id, hop.name, direct.id, direct.name) == ("hop", "Island hop", "direct", "Direct")
    assert km(hop) == pytest.approx(102.6, abs=0.05) and km(direct) == pytest.approx(89.6, abs=0.05)


def test_existing_ids_are_avoided():
    data = _csv([["route", "lon", "lat"], ["dmitriev-2025", *DEZHNEV], ["dmitriev-2025", *CPW_A]])
    (r,) = read_routes(data, "x.csv", existing_ids={"dmitriev-2025"})
    assert r.id == "dmitriev-2025-2"


# --- bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"", "a.geojson", "is empty"),
        (b"   \n", "a.csv", "is empty"),
        (b'{"type": "FeatureCollection",\n "features": [\n  {"type": }\n]}', "a.geojson",
         "malformed JSON at line 3"),
        (json.dumps({"type": "Point", "coordinates": [-169, 66]}).encode(), "p.geojson",
         "no line geometry found — found Point only"),
        (json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
         .encode(), "p.json", "found Polygon only"),
        (json.dumps({"type": "LineString", "coordinates": [[-169, 95], [-168, 65]]}).encode(),
         "l.geojson", "latitude 95 is out of range"),
        (json.dumps({"type": "LineString", "coordinates": [[-169, 65]]}).encode(), "l.geojson",
         "at least two"),
        (json.dumps({"type": "LineString", "coordinates": [[-169, "x"], [-168, 65]]}).encode(),
         "l.geojson", "must be numbers"),
        (json.dumps({"type": "LineString", "coordinates": [[-169, 65], [-168, 65]],
                     "crs": {"type": "name", "properties": {"name": "EPSG:999999"}}}).encode(),
         "l.geojson", "unknown CRS"),
        (b"{}", "x.geojson", "not GeoJSON"),
        (b"a,b\n1,2\n", "x.csv", "needs longitude and latitude columns"),
        (b"lon,lat\n-169,abc\n-168,65\n", "x.csv", "CSV row 2: latitude 'abc' is not a number"),
        (b"lon,lat\n", "x.csv", "no waypoint rows"),
        (b"<gpx><trk><trkseg><trkpt", "x.gpx", "malformed GPX"),
        (b"<kml><Document>", "x.kml", "KML"),
        (b"PK\x03\x04garbage", "x.kmz", "not a valid zip"),
        (b"whatever", "x.shp", "unsupported file type '.shp'"),
        (b"<html></html>", None, "neither KML nor GPX"),
    ],
)
def test_bad_files_have_plain_messages(data, filename, message):
    with pytest.raises(RouteFileError, match=message):
        read_routes(data, filename)


def test_size_limit_and_missing_file(tmp_path):
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * 2048)
    with pytest.raises(RouteFileError, match="the limit is 0.0 MB"):
        read_routes(big, max_bytes=1024)
    with pytest.raises(RouteFileError, match="larger than"):
        read_routes(b"x" * 2048, "a.csv", max_bytes=1024)
    with pytest.raises(RouteFileError, match="not found"):
        read_routes(tmp_path / "nope.gpx")


# --- drawings -------------------------------------------------------------------------------


def _drawn(coords_):
    return {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords_]}}


def test_drawings_on_a_wrapped_world_copy_come_back_near_minus_169():
    feats = [
        _drawn([(190.3481, 66.0792), (191.9153, 65.5964)]),  # one copy east: 191 = -169
        _drawn([(-529.6519, 66.0792), (-528.0847, 65.5964)]),  # one copy west
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
    ]
    a, b = routes_from_drawings(feats, existing_names={"Drawn route 1"})
    for r in (a, b):
        assert r.lons.tolist() == pytest.approx([DEZHNEV[0], CPW_A[0]])
        assert r.origin == "drawn" and km(r) == pytest.approx(89.6, abs=0.05)
    assert (a.name, b.name) == ("Drawn route 2", "Drawn route 3")
    assert a.id.startswith("drawn-") and b.id == a.id + "-2"  # same line twice: ids differ


def test_drawing_across_180_stays_continuous_and_ids_are_stable():
    f = _drawn([(179.5, 66.0), (180.5, 66.1), (181.5, 66.2)])
    (r,) = routes_from_drawings([f])
    assert np.all(np.abs(np.diff(r.lons)) < 180) and r.lons[0] == pytest.approx(-180.5)
    assert routes_from_drawings([f])[0].id == r.id  # same drawing, same id on a rerun


def test_degenerate_drawing_is_refused():
    with pytest.raises(RouteError, match="at least two"):
        routes_from_drawings([_drawn([(-169.0, 65.0)])])


# --- property: GeoJSON round trip -----------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-175.0, -160.0), st.floats(63.0, 68.0)), min_size=2, max_size=8,
        unique_by=lambda p: (round(p[0], 6), round(p[1], 6)),
    )
)
def test_geojson_round_trip_property(pts):
    g = {"type": "LineString", "coordinates": [list(p) for p in pts]}
    (r,) = read_routes(json.dumps(g).encode(), "p.geojson")
    assert r.lons.tolist() == pytest.approx([p[0] for p in pts])
    assert r.lats.tolist() == pytest.approx([p[1] for p in pts])
