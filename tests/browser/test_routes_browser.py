"""Routes in the real app: drawing with the mouse, shared links, uploads of every format."""

import csv
import json
from urllib.parse import parse_qs, urlsplit

import gpxpy
import gpxpy.gpx
import pytest
from playwright.sync_api import expect

from mapapp.io.urlstate import decode_routes

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def table_cells(page):
    return page.locator('[data-testid="stDataFrame"]').first.locator("td")


def wait_table_has(page, text, timeout=30_000):
    """Wait until a cell of the comparison table (its accessible copy) contains ``text``."""
    for _ in range(int(timeout / 250)):
        if any(text in t for t in table_cells(page).all_inner_texts()):
            return
        page.wait_for_timeout(250)
    pytest.fail(f"{text!r} not in the comparison table: {table_cells(page).all_inner_texts()[:40]}")


def href(page):
    return page.evaluate("location.href")


def test_drawn_route_is_measured_survives_reruns_and_shared_link(
    vendored_assets, app_url, browser, page, wait_for_map, draw_polyline
):
    page.goto(app_url)
    frame = wait_for_map(page)
    wait_table_has(page, "Dmitriev 2025")
    draw_polyline(page, frame, [(66.0, -169.6), (65.8, -168.9), (65.62, -168.15)])
    wait_table_has(page, "Drawn route 1")
    # the link now carries the drawn route; its length in the table is the geodesic length
    for _ in range(40):
        q = parse_qs(urlsplit(href(page)).query)
        if "r" in q:
            break
        page.wait_for_timeout(250)
    (route,) = decode_routes(q["r"][0])
    assert route.name == "Drawn route 1" and len(route.waypoints) == 3
    assert abs(route.waypoints[0].lon + 169.6) < 0.01 and abs(route.waypoints[-1].lat - 65.62) < 0.01
    row = table_cells(page).filter(has_text="Drawn route 1").first.locator("xpath=..")
    length = float(row.locator("td").nth(3).inner_text())
    assert length == pytest.approx(route.length_m() / 1000, abs=0.05)

    # a sidebar change reruns the app: the map does not remount and the drawing stays
    page.get_by_text("Hillshade").click()
    page.wait_for_timeout(3000)
    assert frame.evaluate("() => drawnItems.getLayers().length") == 1
    wait_table_has(page, "Drawn route 1")

    # a new session opened from the shared link shows the same route
    shared = href(page)
    other = browser.new_context().new_page()
    try:
        other.goto(shared)
        wait_for_map(other)
        wait_table_has(other, "Drawn route 1", timeout=60_000)
    finally:
        other.context.close()
    assert page.page_errors == []


LINE = [(-169.65, 66.07), (-169.05, 65.78), (-168.92, 65.75), (-168.09, 65.60)]


def _files(tmp_path):
    gj = tmp_path / "mine.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "GeoJSON line"},
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in LINE]}}]}))
    kml = tmp_path / "mine.kml"
    coords = " ".join(f"{x},{y},0" for x, y in LINE)
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>doc</name>'
        "<Folder><name>Crossings</name><Placemark><name>KML line</name><MultiGeometry>"
        f"<LineString><tessellate>1</tessellate><coordinates>{coords}</coordinates></LineString>"
        "</MultiGeometry></Placemark></Folder></Document></kml>"
    )
    g = gpxpy.gpx.GPX()
    rte = gpxpy.gpx.GPXRoute(name="GPX line")
    for i, (x, y) in enumerate(LINE):
        rte.points.append(gpxpy.gpx.GPXRoutePoint(y, x, name=f"P{i}"))
    g.routes.append(rte)
    gpx = tmp_path / "mine.gpx"
    gpx.write_text(g.to_xml())
    csvf = tmp_path / "mine.csv"
    with csvf.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["route", "name", "longitude", "latitude"])
        for i, (x, y) in enumerate(LINE):
            w.writerow(["CSV line", f"W{i}", x, y])
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    return [(gj, "GeoJSON line"), (kml, "KML line"), (gpx, "GPX line"), (csvf, "CSV line")], bad


def test_upload_each_format_and_a_bad_file(vendored_assets, app_url, page, wait_for_map, tmp_path):
    page.goto(app_url)
    wait_for_map(page)
    files, bad = _files(tmp_path)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"][accept*=".geojson"]')
    for path, name in files:
        upload.set_input_files(str(path))
        expect(page.get_by_text(f"{path.name}: added {name}")).to_be_visible(timeout=30_000)
        wait_table_has(page, name)
    upload.set_input_files(str(bad))
    expect(page.get_by_text("broken.geojson:").first).to_be_visible(timeout=30_000)
    assert "JSON" in page.get_by_text("broken.geojson:").first.inner_text()
    for _, name in files:  # nothing already loaded was lost
        wait_table_has(page, name)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.page_errors == []


def _new_format_files(tmp_path):
    """A zipped shapefile, a FlatGeobuf, an RFC 8142 GeoJSON text sequence and a GPX 1.0 file,
    each holding one line, written by GDAL (pyogrio) or by hand."""
    import io
    import zipfile

    import geopandas as gpd
    from shapely.geometry import LineString

    def frame(name):
        return gpd.GeoDataFrame({"name": [name]}, geometry=[LineString(NEW_LINE)],
                                crs="EPSG:4326")

    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame("Shapefile line").to_crs("EPSG:3338").to_file(shp_dir / "line.shp", engine="pyogrio")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in shp_dir.iterdir():
            z.write(f, f.name)
    shz = tmp_path / "shapefile.zip"
    shz.write_bytes(buf.getvalue())
    fgb = tmp_path / "line.fgb"
    frame("FlatGeobuf line").to_file(fgb, driver="FlatGeobuf", engine="pyogrio")
    seq = tmp_path / "line.geojsons"
    feat = {"type": "Feature", "properties": {"name": "Sequence line"},
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in NEW_LINE]}}
    seq.write_text("\x1e" + json.dumps(feat) + "\n")
    gpx10 = tmp_path / "old.gpx"
    pts = "".join(f'<rtept lat="{lat}" lon="{lon}"/>' for lon, lat in NEW_LINE)
    gpx10.write_text('<?xml version="1.0"?><gpx version="1.0" creator="t" '
                     'xmlns="http://www.topografix.com/GPX/1/0">'
                     f"<rte><name>GPX 1.0 line</name>{pts}</rte></gpx>")
    return [(shz, "Shapefile line"), (fgb, "FlatGeobuf line"), (seq, "Sequence line"),
            (gpx10, "GPX 1.0 line")]


NEW_LINE = [(-169.6519, 66.0792), (-169.0569, 65.7811), (-168.0847, 65.5964)]


def test_upload_each_new_format_gives_the_geodesic_length(
    vendored_assets, app_url, page, wait_for_map, tmp_path
):
    import pyproj

    lons, lats = zip(*NEW_LINE, strict=True)
    expected_km = pyproj.Geod(ellps="WGS84").line_length(lons, lats) / 1000
    page.goto(app_url)
    wait_for_map(page)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"][accept*=".geojson"]')
    for path, name in _new_format_files(tmp_path):
        upload.set_input_files(str(path))
        expect(page.get_by_text(f"{path.name}: added {name}")).to_be_visible(timeout=30_000)
        wait_table_has(page, name)
        row = table_cells(page).filter(has_text=name).first.locator("xpath=..")
        assert float(row.locator("td").nth(3).inner_text()) == pytest.approx(expected_km, abs=0.05)
    assert page.locator('[data-testid="stException"]').count() == 0
