"""Exports checked with parsers independent of the writers: geojson-pydantic, gpxpy, GDAL
(pyogrio) and xml.etree for KML, GDAL for GeoPackage, the csv module for CSV."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
import xml.etree.ElementTree as ET

import gpxpy
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from geojson_pydantic import FeatureCollection

from mapapp.core.errors import ExportError
from mapapp.io import export
from mapapp.routes.route import Route

GEOD = pyproj.Geod(ellps="WGS84")  # independent instance
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}

DEZHNEV = (-169.6519, 66.0792, "Cape Dezhnev")
BIG_D = (-169.0569, 65.7811, "Big Diomede")
LITTLE_D = (-168.9208, 65.7542, "Little Diomede")
CPW = (-168.0847, 65.5964, "Cape Prince of Wales")


@pytest.fixture
def strait():
    return Route.from_coords(
        "via-diomedes",
        "Via the <b>Diomedes</b> & co",
        [DEZHNEV, BIG_D, LITTLE_D, CPW],
        origin="preset",
        claims={"length_km": 103},
        sources=["https://example.org/a?b=1&c=2"],
        colour="#d62728",
    )


@pytest.fixture
def direct():
    return Route.from_coords("direct", "Direct", [DEZHNEV[:2], CPW[:2]], colour="orange")


@pytest.fixture
def dateline():
    # 179°E, 66°N -> 179°W, 66.5°N: crosses the antimeridian once
    return Route.from_coords("across-180", "Across 180", [(179.0, 66.0, "W end"), (-179.0, 66.5, "E end")])


def _geod_km(coords):
    lons, lats = np.array([c[0] for c in coords]), np.array([c[1] for c in coords])
    return GEOD.line_length(lons, lats) / 1000.0


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --------------------------------------------------------------------------- GeoJSON
def test_geojson_is_rfc7946_feature_collection(strait, direct):
    raw = export.geojson_bytes([strait, direct], waypoints=True)
    doc = json.loads(raw)
    FeatureCollection.model_validate(doc)  # raises when not valid GeoJSON
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc and all("crs" not in f for f in doc["features"])
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    assert [f["properties"]["id"] for f in lines] == ["via-diomedes", "direct"]
    assert len(points) == 6
    assert [p["properties"]["name"] for p in points[:4]] == [
        "Cape Dezhnev", "Big Diomede", "Little Diomede", "Cape Prince of Wales"]
    assert {p["properties"]["route_id"] for p in points} == {"via-diomedes", "direct"}
    for f in doc["features"]:
        coords = f["geometry"]["coordinates"]
        flat = [coords] if f["geometry"]["type"] == "Point" else coords
        for lon, lat in flat:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert round(lon, 6) == lon and round(lat, 6) == lat  # 6-decimal precision
    props = lines[0]["properties"]
    for key in ("id", "name", "mode", "origin", "length_km", "legs_km", "sources", "claims"):
        assert key in props
    assert props["name"] == "Via the <b>Diomedes</b> & co"
    assert props["claims"] == {"length_km": 103}
    assert props["sources"] == ["https://example.org/a?b=1&c=2"]
    expected = _geod_km([DEZHNEV, BIG_D, LITTLE_D, CPW])
    assert props["length_km"] == pytest.approx(expected, abs=1e-3)
    assert sum(props["legs_km"]) == pytest.approx(expected, abs=3e-3)
    assert props["legs_km"][1] == pytest.approx(_geod_km([BIG_D, LITTLE_D]), abs=1e-3)
    # metrics from mapapp.routes.metrics: under water + on land = total
    assert props["subsea_km"] + props["land_km"] == pytest.approx(props["length_km"], abs=2e-3)
    assert props["land_km"] > 1.0  # crosses both Diomedes


def test_geojson_coordinates_match_waypoints(strait):
    doc = json.loads(export.geojson_bytes([strait]))
    coords = doc["features"][0]["geometry"]["coordinates"]
    assert coords == [[-169.6519, 66.0792], [-169.0569, 65.7811], [-168.9208, 65.7542],
                      [-168.0847, 65.5964]]


def test_geojson_cuts_line_at_antimeridian(dateline):
    doc = json.loads(export.geojson_bytes([dateline]))
    FeatureCollection.model_validate(doc)
    geom = doc["features"][0]["geometry"]
    assert geom["type"] == "MultiLineString"
    west, east = geom["coordinates"]
    assert west[0] == [179.0, 66.0] and east[-1] == [-179.0, 66.5]
    assert west[-1][0] == 180.0 and east[0][0] == -180.0
    assert west[-1][1] == east[0][1]  # the parts meet on the same latitude
    lat_x = west[-1][1]
    # independent: points every 5 m along the geodesic, interpolated at 180°
    g = GEOD.inv_intermediate(179.0, 66.0, -179.0, 66.5, del_s=5.0, initial_idx=0,
                              return_back_azimuth=True,
                              terminus_idx=0)
    lons = np.unwrap(np.radians(np.array(g.lons)))
    lons = np.degrees(lons)
    lons = np.where(lons < 0, lons + 360.0, lons)
    lat_ref = float(np.interp(180.0, lons, np.array(g.lats)))
    assert lat_x == pytest.approx(lat_ref, abs=2e-6)
    # and it lies on the geodesic: A->X + X->B == A->B (mm level)
    d_ax = GEOD.inv(179.0, 66.0, 180.0, lat_x)[2]
    d_xb = GEOD.inv(-180.0, lat_x, -179.0, 66.5)[2]
    d_ab = GEOD.inv(179.0, 66.0, -179.0, 66.5)[2]
    assert d_ax + d_xb == pytest.approx(d_ab, abs=0.01)
    assert doc["features"][0]["properties"]["length_km"] == pytest.approx(d_ab / 1000, abs=1e-3)


def test_geojson_tunnel_results_are_embedded(direct):
    figures = export.TunnelFigures(
        {"tunnel_length_km": np.float64(91.25), "max_depth_m": -130.0, "ok": np.bool_(1)})

    doc = json.loads(export.geojson_bytes([direct], tunnels={"direct": figures}))
    assert doc["features"][0]["properties"]["tunnel"] == {
        "tunnel_length_km": 91.25, "max_depth_m": -130.0, "ok": True}


# --------------------------------------------------------------------------- KML
def test_kml_opens_with_gdal_and_is_styled(tmp_path, strait, direct):
    path = _write(tmp_path, "r.kml", export.kml_bytes([strait, direct]))
    layers = pyogrio.list_layers(path)
    assert "routes" in layers[:, 0]
    gdf = pyogrio.read_dataframe(path, layer="routes")
    assert list(gdf["Name"]) == ["Via the <b>Diomedes</b> & co", "Direct"]
    xy = np.asarray(gdf.geometry.iloc[0].coords)[:, :2]
    np.testing.assert_allclose(xy, [c[:2] for c in (DEZHNEV, BIG_D, LITTLE_D, CPW)], atol=1e-9)

    root = ET.parse(path).getroot()
    marks = root.findall(".//k:Placemark", KML_NS)
    assert len(marks) == 2
    colours = [m.find(".//k:LineStyle/k:color", KML_NS).text.lower() for m in marks]
    # aabbggrr: #d62728 -> ff 28 27 d6 ; orange #ffa500 -> ff 00 a5 ff
    assert colours == ["ff2827d6", "ff00a5ff"]
    desc = marks[0].find("k:description", KML_NS).text
    assert "&lt;b&gt;Diomedes&lt;/b&gt; &amp; co" not in desc  # the name is not in the table
    assert "<table>" in desc and "Length (geodesic, WGS84)" in desc
    assert "https://example.org/a?b=1&amp;c=2" in desc  # URL escaped inside the HTML
    assert "<b>" not in desc


def test_kml_escapes_user_text_in_description(tmp_path):
    r = Route.from_coords("x", "X", [DEZHNEV[:2], CPW[:2]], notes="<script>alert(1)</script> & more")
    root = ET.fromstring(export.kml_bytes([r]))
    desc = root.find(".//k:Placemark/k:description", KML_NS).text
    assert "<script>" not in desc
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in desc


def test_kml_antimeridian_is_multigeometry(tmp_path, dateline):
    path = _write(tmp_path, "d.kml", export.kml_bytes([dateline], waypoints=True))
    gdf = pyogrio.read_dataframe(path, layer="routes")
    geom = gdf.geometry.iloc[0]
    assert geom.geom_type == "MultiLineString"
    a, b = (np.asarray(g.coords)[:, :2] for g in geom.geoms)
    assert a[-1][0] == 180.0 and b[0][0] == -180.0 and a[-1][1] == b[0][1]
    wp = pyogrio.read_dataframe(path, layer="waypoints")
    assert list(wp["Name"]) == ["W end", "E end"] or list(wp["name"]) == ["W end", "E end"]


# --------------------------------------------------------------------------- GPX
def test_gpx_has_named_route_points(strait, dateline):
    gpx = gpxpy.parse(export.gpx_bytes([strait, dateline]).decode("utf-8"))
    assert gpx.version == "1.1"
    assert [r.name for r in gpx.routes] == ["Via the <b>Diomedes</b> & co", "Across 180"]
    pts = gpx.routes[0].points
    assert [p.name for p in pts] == ["Cape Dezhnev", "Big Diomede", "Little Diomede",
                                     "Cape Prince of Wales"]
    assert [(p.longitude, p.latitude) for p in pts] == [c[:2] for c in (DEZHNEV, BIG_D, LITTLE_D, CPW)]
    assert [(p.longitude, p.latitude) for p in gpx.routes[1].points] == [(179.0, 66.0), (-179.0, 66.5)]
    assert not gpx.tracks and not gpx.waypoints


def test_gpx_names_unnamed_points(direct):
    gpx = gpxpy.parse(export.gpx_bytes([direct]).decode("utf-8"))
    assert [p.name for p in gpx.routes[0].points] == ["WP1", "WP2"]


def test_gpx_raw_xml_uses_rte_and_rtept(strait):
    root = ET.fromstring(export.gpx_bytes([strait]))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert root.get("version") == "1.1"
    assert len(root.findall("g:rte", ns)) == 1
    assert len(root.findall("g:rte/g:rtept", ns)) == 4
    assert root.find("g:rte/g:rtept/g:name", ns).text == "Cape Dezhnev"


# --------------------------------------------------------------------------- GeoPackage
def test_gpkg_layers_and_values(tmp_path, strait, dateline):
    path = _write(tmp_path, "r.gpkg", export.gpkg_bytes([strait, dateline]))
    names = sorted(pyogrio.list_layers(path)[:, 0])
    assert names == ["routes", "waypoints"]
    routes = pyogrio.read_dataframe(path, layer="routes")
    assert list(routes["id"]) == ["via-diomedes", "across-180"]
    assert pyogrio.read_info(path, layer="routes")["crs"] == "EPSG:4326"
    assert json.loads(routes["claims"].iloc[0]) == {"length_km": 103}
    assert routes["length_km"].iloc[0] == pytest.approx(_geod_km([DEZHNEV, BIG_D, LITTLE_D, CPW]),
                                                        abs=1e-3)
    assert routes.geometry.iloc[1].geom_type == "MultiLineString"
    wps = pyogrio.read_dataframe(path, layer="waypoints")
    assert list(wps["route_id"]) == ["via-diomedes"] * 4 + ["across-180"] * 2
    assert list(wps["seq"]) == [0, 1, 2, 3, 0, 1]
    assert list(wps["name"][:4]) == ["Cape Dezhnev", "Big Diomede", "Little Diomede",
                                     "Cape Prince of Wales"]
    assert (wps.geometry.x.iloc[4], wps.geometry.y.iloc[4]) == (179.0, 66.0)
    # same coordinates back (the route importer reads no GeoPackage: GDAL here)
    np.testing.assert_allclose(shapely.get_coordinates(routes.geometry.iloc[0]),
                               [c[:2] for c in (DEZHNEV, BIG_D, LITTLE_D, CPW)], atol=1e-9)
    west, east = (np.asarray(g.coords) for g in routes.geometry.iloc[1].geoms)
    assert west[0].tolist() == [179.0, 66.0] and east[-1].tolist() == [-179.0, 66.5]
    assert west[-1][0] == 180.0 and east[0][0] == -180.0 and west[-1][1] == east[0][1]


# --------------------------------------------------------------------------- CSV / JSON
def test_waypoints_csv(strait, dateline):
    rows = list(csv.DictReader(io.StringIO(export.waypoints_csv_bytes([strait, dateline]).decode())))
    assert list(rows[0]) == ["route_id", "route_name", "seq", "name", "lon", "lat"]
    assert len(rows) == 6
    assert rows[0] == {"route_id": "via-diomedes", "route_name": "Via the <b>Diomedes</b> & co",
                       "seq": "0", "name": "Cape Dezhnev", "lon": "-169.6519", "lat": "66.0792"}
    assert (float(rows[5]["lon"]), float(rows[5]["lat"])) == (-179.0, 66.5)


def test_waypoints_csv_wraps_continuous_longitudes():
    # Route keeps longitudes continuous: -181 is stored, exported wrapped to 179
    r = Route.from_coords("w", "W", [(-179.5, 65.0), (-181.0, 65.2)])
    assert r.lons.tolist() == [-179.5, -181.0]
    rows = list(csv.DictReader(io.StringIO(export.waypoints_csv_bytes([r]).decode())))
    assert [float(x["lon"]) for x in rows] == [-179.5, 179.0]


def test_profile_csv_one_and_many():
    df = pd.DataFrame({"chainage_m": [0.0, 100.0], "lon": [-169.0, -168.999], "lat": [65.7, 65.7],
                       "elevation_m": [-40.125, float("nan")], "surface": ["sea", "sea"]})
    rows = list(csv.DictReader(io.StringIO(export.profile_csv_bytes(df).decode())))
    assert rows[0]["elevation_m"] == "-40.125000" and rows[1]["elevation_m"] == ""
    rows = list(csv.DictReader(io.StringIO(export.profile_csv_bytes({"a": df, "b": df}).decode())))
    assert next(iter(rows[0])) == "route_id"
    assert [r["route_id"] for r in rows] == ["a", "a", "b", "b"]


def test_tunnel_json(direct):
    res = {"direct": export.TunnelFigures(
        {"tunnel_length_km": 92.5, "cost_busd": [10.0, 30.0], "x": float("nan")})}
    doc = json.loads(export.tunnel_json_bytes(res, routes=[direct], date="2026-01-02"))
    assert doc["generated"] == "2026-01-02"
    (item,) = doc["routes"]
    assert item["route_id"] == "direct" and item["route_name"] == "Direct"
    assert item["length_km"] == pytest.approx(_geod_km([DEZHNEV, CPW]), abs=1e-3)
    assert item["tunnel"] == {"tunnel_length_km": 92.5, "cost_busd": [10.0, 30.0], "x": None}
    with pytest.raises(ExportError):
        export.tunnel_json_bytes({})


# --------------------------------------------------------------------------- names / files
def test_export_filename(strait, direct):
    assert export.export_filename([strait, direct], "geojson", "2026-03-01") == (
        "bering-via-diomedes-direct-2026-03-01.geojson")
    import datetime

    name = export.export_filename([direct], "profile", datetime.date(2026, 3, 1))
    assert name == "bering-direct-2026-03-01-profile.csv"
    with pytest.raises(ExportError):
        export.export_filename([direct], "docx")


def test_kml_colour_conversion():
    assert export.kml_colour("#102030") == "ff302010"
    assert export.kml_colour("red", alpha=0.5) == "800000ff"


def test_nothing_to_export():
    with pytest.raises(ExportError, match="at least one route"):
        export.geojson_bytes([])


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch, direct):
    target = tmp_path / "out.geojson"
    target.write_text("old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ExportError, match="No space left"):
        export.write_geojson([direct], target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.geojson"]


def test_write_into_missing_folder_is_an_export_error(tmp_path, direct):
    with pytest.raises(ExportError, match="does not exist"):
        export.write_kml([direct], tmp_path / "nope" / "x.kml")


@pytest.mark.parametrize("fmt", sorted(export.FORMATS))
def test_write_export_writes_same_bytes(tmp_path, fmt, direct):
    path = export.write_export([direct], fmt, tmp_path / f"x{export.FORMATS[fmt]}")
    assert path.stat().st_size > 0
    if fmt != "gpkg":  # a GeoPackage embeds timestamps
        assert path.read_bytes() == export.export_bytes([direct], fmt)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("fmt", ["geojson", "kml", "gpx", "csv"])
def test_round_trip_through_route_importer(tmp_path, fmt, strait, direct, dateline):
    from mapapp.io.routeio import read_routes

    routes = [strait, direct, dateline]
    data = export.export_bytes(routes, fmt)
    back = read_routes(data, filename=f"routes{export.FORMATS[fmt]}")
    assert len(back) == 3
    for orig, got in zip(routes, back, strict=True):
        assert len(got.waypoints) == len(orig.waypoints), (fmt, orig.id)
        np.testing.assert_allclose(got.lats, orig.lats, atol=1e-6)
        # compare longitudes modulo 360 (both sides keep them continuous)
        dl = (got.lons - orig.lons + 180.0) % 360.0 - 180.0
        assert np.abs(dl).max() <= 1e-6, (fmt, orig.id, got.lons, orig.lons)
        assert got.name == orig.name
    # a file on disk too
    path = _write(tmp_path, f"r{export.FORMATS[fmt]}", data)
    again = read_routes(path)
    assert [len(r.waypoints) for r in again] == [4, 2, 2]


def test_round_trip_keeps_waypoint_names(strait):
    from mapapp.io.routeio import read_routes

    for fmt in ("gpx", "csv", "geojson-waypoints"):
        if fmt == "geojson-waypoints":  # named Point features name the vertices
            (got,) = read_routes(export.geojson_bytes([strait], waypoints=True), "x.geojson")
            assert [w.name for w in got.waypoints][1:3] == ["Big Diomede", "Little Diomede"]
            continue
        (got,) = read_routes(export.export_bytes([strait], fmt), filename=f"x{export.FORMATS[fmt]}")
        assert [w.name for w in got.waypoints] == ["Cape Dezhnev", "Big Diomede", "Little Diomede",
                                                   "Cape Prince of Wales"], fmt


def test_length_is_geodesic_not_spherical():
    # 1° of longitude at 66°N: WGS84 geodesic 45.43 km; a sphere (R=6371 km) gives 45.23 km
    r = Route.from_coords("e", "E", [(-170.0, 66.0), (-169.0, 66.0)])
    props = export.route_properties(r, metrics=False)
    assert props["length_km"] == pytest.approx(GEOD.inv(-170, 66, -169, 66)[2] / 1000, abs=1e-3)
    assert abs(props["length_km"] - 6371.0 * math.radians(1) * math.cos(math.radians(66))) > 0.1


def test_real_tunnel_result_in_json_geojson_and_kml(direct):
    from mapapp.data.bathymetry import open_grid
    from mapapp.economics.estimate import estimate_for_route

    res = estimate_for_route(direct, open_grid(), band=False)
    doc = json.loads(export.tunnel_json_bytes({"direct": res}, routes=[direct]))
    tun = doc["routes"][0]["tunnel"]
    assert tun["tunnel_length_km"] == pytest.approx(res.tunnel.tunnel_length_m / 1000, rel=1e-9)
    assert tun["cost_busd_low"] <= tun["cost_busd_high"]
    assert (tun["currency"], tun["price_year"]) == ("USD", 2025)
    fc = json.loads(export.geojson_bytes([direct], tunnels={"direct": res}))
    assert fc["features"][0]["properties"]["tunnel"]["route_id"] == "direct"
    root = ET.fromstring(export.kml_bytes([direct], tunnels={"direct": res}))
    desc = root.find(".//k:Placemark/k:description", KML_NS).text
    assert "Tunnel model: length" in desc and "Tunnel model: steepest grade" in desc
    assert "US$ bn (2025 prices)" in desc


def test_geopackage_round_trips_through_the_route_importer(tmp_path):
    """GeoPackage export → routeio.read_routes gives the same coordinates and names."""
    from mapapp.io import export, routeio
    from mapapp.routes.presets import load_presets

    routes = load_presets()[:3]
    path = tmp_path / "routes.gpkg"
    export.write_gpkg(routes, path)
    back = routeio.read_routes(path)
    assert [r.name for r in back] == [r.name for r in routes]
    for a, b in zip(routes, back, strict=True):
        assert np.allclose(a.lons, b.lons, atol=1e-6) and np.allclose(a.lats, b.lats, atol=1e-6)
        assert [w.name for w in b.waypoints] == [w.name for w in a.waypoints]


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_exported_files_honour_the_umask(tmp_path, direct, umask, expected):
    """A new export is readable as any tool's output would be (not mkstemp's private 0600)."""
    old = os.umask(umask)
    try:
        path = export.write_geojson([direct], tmp_path / "shared.geojson")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == expected


def test_a_replaced_export_keeps_its_mode(tmp_path, direct):
    target = tmp_path / "kept.kml"
    target.write_text("old")
    target.chmod(0o640)
    export.write_kml([direct], target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() != "old"
