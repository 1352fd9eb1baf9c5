"""Exports in the real app: every download button, the report figure, the map as seen."""

import csv
import datetime as dt
import io
import json

import gpxpy
import pyogrio
from PIL import Image
from playwright.sync_api import expect

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _download(page, locator, tmp_path):
    # Chromium cancels downloads whose request went through a Playwright route handler, so the
    # offline guard of the `page` fixture is lifted here (the page has loaded by now; the
    # downloads come from this server's /media/ endpoint or are made in the page itself).
    page.context.unroute_all(behavior="wait")
    with page.expect_download(timeout=60_000) as info:
        locator.click()
    dl = info.value
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    return path


def test_download_buttons_and_figure(vendored_assets, app_url, page, wait_for_map, tmp_path):
    page.goto(app_url)
    wait_for_map(page)
    page.get_by_role("tab", name="Export").click()
    today = dt.date.today().isoformat()
    got = {}
    for label in ("GeoJSON (RFC 7946)", "KML (Google Earth)", "GPX 1.1", "GeoPackage",
                  "CSV of waypoints"):
        button = page.get_by_role("button", name=label, exact=True)
        expect(button).to_be_visible(timeout=120_000)
        path = _download(page, button, tmp_path)
        assert "dmitriev-2025" in path.name and today in path.name, path.name
        got[label] = path

    fc = json.loads(got["GeoJSON (RFC 7946)"].read_text())
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    assert {f["properties"]["id"] for f in fc["features"]} == {
        "dmitriev-2025", "ibstrg-1990s", "direct-shortest"}
    kml = pyogrio.read_dataframe(got["KML (Google Earth)"])
    assert len(kml) == 3
    gpx = gpxpy.parse(got["GPX 1.1"].read_text())
    assert len(gpx.routes) == 3 and all(p.name for p in gpx.routes[0].points)
    layers = {name for name, _ in pyogrio.list_layers(got["GeoPackage"])}
    assert {"routes", "waypoints"} <= layers
    rows = list(csv.DictReader(io.StringIO(got["CSV of waypoints"].read_text())))
    assert {r["route_id"] for r in rows} == {"dmitriev-2025", "ibstrg-1990s", "direct-shortest"}

    page.get_by_role("button", name="Make figure").click()
    fig_button = page.get_by_role("button", name="Download bering-")
    expect(fig_button).to_be_visible(timeout=120_000)
    fig = _download(page, fig_button, tmp_path)
    img = Image.open(fig)
    assert img.size == (2000, 1600)  # 10 × 8 in at 200 DPI
    assert page.page_errors == []


def test_map_as_seen_png_is_not_blank(vendored_assets, app_url, page, wait_for_map, tmp_path):
    page.goto(app_url)
    frame = wait_for_map(page)
    page.locator(IFRAME).scroll_into_view_if_needed()
    button = frame.locator(".leaflet-control-simpleMapScreenshoter a").first
    expect(button).to_be_visible(timeout=30_000)
    path = _download(page, button, tmp_path)
    assert path.name.startswith("bering-strait-map-") and path.suffix == ".png"
    img = Image.open(path).convert("RGB")
    assert img.width > 300 and img.height > 300
    colours = img.getcolors(1 << 24)
    assert len(colours) > 200, "the PNG is (nearly) blank"
    # bathymetry blues/greens and the red/orange routes are in the picture
    routes = sum(n for n, (r, g, b) in colours if r > 180 and g < 120 and b < 60)
    assert routes > 100
    assert page.page_errors == []
