"""The common route files beyond GeoJSON/KML/GPX 1.1/CSV: zipped shapefile, FlatGeobuf,
GeoJSON text sequences (RFC 8142 and newline-delimited), GPX 1.0, and pasted text.

Files are written by independent writers (GDAL through pyogrio, the standard library's zip
and json); lengths are checked against pyproj's own geodesic on the same coordinates."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pyproj
import pytest
from shapely.geometry import LineString, Point

from mapapp.core.errors import RouteFileError
from mapapp.io.routeio import read_routes, routes_from_text

GEOD = pyproj.Geod(ellps="WGS84")
LINE = [(-169.6519, 66.0792), (-169.0569, 65.7811), (-168.9208, 65.7542), (-168.0847, 65.5964)]


def geodesic_km(points):
    lons, lats = zip(*points, strict=True)
    return GEOD.line_length(lons, lats) / 1000


def gdf(crs="EPSG:4326", line=LINE):
    g = gpd.GeoDataFrame({"name": ["Dezhnev to Wales"]}, geometry=[LineString(line)],
                         crs="EPSG:4326")
    return g.to_crs(crs)


def zipped_shapefile(tmp_path, crs="EPSG:4326", drop=()):
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf(crs).to_file(folder / "route.shp", driver="ESRI Shapefile", engine="pyogrio")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            if f.suffix not in drop:
                z.write(f, f"export/{f.name}")
    return buf.getvalue()


def test_zipped_shapefile(tmp_path):
    (r,) = read_routes(zipped_shapefile(tmp_path), "routes.zip")
    assert r.name == "Dezhnev to Wales"
    assert r.length_m() / 1000 == pytest.approx(geodesic_km(LINE), abs=1e-6)


def test_zipped_shapefile_in_alaska_albers_is_reprojected(tmp_path):
    (r,) = read_routes(zipped_shapefile(tmp_path, crs="EPSG:3338"), "albers.zip")
    for w, (lon, lat) in zip(r.waypoints, LINE, strict=True):
        assert (w.lon, w.lat) == pytest.approx((lon, lat), abs=1e-7)


def test_zipped_shapefile_is_recognised_without_a_name(tmp_path):
    (r,) = read_routes(zipped_shapefile(tmp_path))
    assert len(r.waypoints) == len(LINE)


def test_zipped_shapefile_missing_its_index_says_which_part(tmp_path):
    with pytest.raises(RouteFileError, match=r"route\.shp comes without its \.shx file"):
        read_routes(zipped_shapefile(tmp_path, drop=(".shx",)), "routes.zip")


def test_zip_without_a_shapefile():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(RouteFileError, match=r"no \.shp file"):
        read_routes(buf.getvalue(), "routes.zip")


def test_shapefile_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.shp", b"\0" * (3 * 1024 * 1024))
        z.writestr("a.shx", b"\0" * 100)
        z.writestr("a.dbf", b"\0" * 100)
    with pytest.raises(RouteFileError, match="compressed more than"):
        read_routes(buf.getvalue(), "bomb.zip")


def test_flatgeobuf(tmp_path):
    path = tmp_path / "route.fgb"
    gdf().to_file(path, driver="FlatGeobuf", engine="pyogrio")
    (r,) = read_routes(path)
    assert r.name == "Dezhnev to Wales"
    assert r.length_m() / 1000 == pytest.approx(geodesic_km(LINE), abs=1e-6)
    (again,) = read_routes(path.read_bytes())  # recognised by its signature
    assert len(again.waypoints) == len(LINE)


def test_not_a_flatgeobuf():
    with pytest.raises(RouteFileError, match="not a FlatGeobuf file"):
        read_routes(b"hello world", "x.fgb")


def _feature(name, line):
    return {"type": "Feature", "properties": {"name": name},
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]}}


@pytest.mark.parametrize("sep, suffix", [("\x1e", ".geojsons"), ("", ".geojsonl")])
def test_geojson_text_sequences(sep, suffix):
    other = [(-169.8092, 66.1594), (-168.0892, 65.6122)]
    text = "".join(f"{sep}{json.dumps(f)}\n" for f in (_feature("A", LINE), _feature("B", other)))
    routes = read_routes(text.encode(), f"routes{suffix}")
    assert [r.name for r in routes] == ["A", "B"]
    assert [r.length_m() / 1000 for r in routes] == pytest.approx(
        [geodesic_km(LINE), geodesic_km(other)], abs=1e-6)


def test_rfc8142_sequence_is_recognised_without_a_name():
    text = f"\x1e{json.dumps(_feature('A', LINE))}\n"
    assert [r.name for r in read_routes(text.encode())] == ["A"]


GPX10 = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.0" creator="hand" xmlns="http://www.topografix.com/GPX/1/0">
  <rte><name>Old GPS route</name>
{pts}
  </rte>
</gpx>"""


def test_gpx_1_0():
    pts = "\n".join(f'    <rtept lat="{lat}" lon="{lon}"><name>P{i}</name></rtept>'
                    for i, (lon, lat) in enumerate(LINE))
    (r,) = read_routes(GPX10.format(pts=pts).encode(), "old.gpx")
    assert r.name == "Old GPS route" and [w.name for w in r.waypoints] == ["P0", "P1", "P2", "P3"]
    assert r.length_m() / 1000 == pytest.approx(geodesic_km(LINE), abs=1e-6)


# --- pasted text ---------------------------------------------------------------------------

def test_pasted_lon_lat_lines_with_names():
    text = "\n".join(f"{lon}, {lat} P{i}" for i, (lon, lat) in enumerate(LINE))
    (r,) = routes_from_text(text, "Mine")
    assert r.name == "Mine" and r.waypoints[2].name == "P2"
    assert r.length_m() / 1000 == pytest.approx(geodesic_km(LINE), abs=1e-6)


def test_pasted_lat_lon_lines_are_recognised_by_the_rule():
    text = "\n".join(f"{lat}\t{lon}" for lon, lat in LINE)
    (r,) = routes_from_text(text)
    assert [(w.lon, w.lat) for w in r.waypoints] == LINE


def wrap(lon):
    """Longitude in [-180, 180) (routes keep longitudes continuous around the strait)."""
    return (lon + 180.0) % 360.0 - 180.0


def test_a_header_sets_the_order():
    # near the equator both orders are plausible: the header decides
    pts = [(10.0, 20.0), (11.0, 21.0)]
    (r,) = routes_from_text("latitude; longitude\n" + "\n".join(f"{a}; {b}" for a, b in pts))
    assert [(wrap(w.lon), w.lat) for w in r.waypoints] == [(20.0, 10.0), (21.0, 11.0)]
    (r2,) = routes_from_text("\n".join(f"{a} {b}" for a, b in pts))  # default: lon, lat
    assert [(wrap(w.lon), w.lat) for w in r2.waypoints] == pts


def test_pasted_wkt():
    wkt = "LINESTRING (" + ", ".join(f"{lon} {lat}" for lon, lat in LINE) + ")"
    (r,) = routes_from_text(wkt)
    assert r.length_m() / 1000 == pytest.approx(geodesic_km(LINE), abs=1e-6)


@pytest.mark.parametrize("text, message", [
    ("", "nothing pasted"),
    ("-169.6, 66.0", "at least two points"),
    ("-169.6, 66.0\nabc, 65.0", "line 2: 'abc, 65.0' is not two numbers"),
    ("LINESTRING (1 2, oops)", "not a valid WKT line"),
    ("-169.6, 66.0\n-168.0, 95.0", "point 2: latitude 95 is out of range"),
])
def test_pasted_text_errors_are_one_sentence(text, message):
    with pytest.raises((RouteFileError,), match=message):
        routes_from_text(text)


def test_points_only_give_a_clear_message(tmp_path):
    path = tmp_path / "points.fgb"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(LINE[0])], crs="EPSG:4326").to_file(
        path, driver="FlatGeobuf", engine="pyogrio")
    with pytest.raises(RouteFileError, match="no line geometry"):
        read_routes(path)
