"""Exports in the real app: every download button, the report figure, the map as seen, and
the standalone HTML map (which must look like the screen)."""

import base64
import csv
import datetime as dt
import io
import json
import time

import gpxpy
import pyogrio
import pytest
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
    button = frame.locator(".mapapp-camera-save")
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


def _wait_changed(read, before, what, tries=120):
    for _ in range(tries):
        now = read()
        if now != before:
            return now
        time.sleep(0.5)
    pytest.fail(f"{what} did not change on the map")


def _layer_names(frame):
    return frame.locator(".leaflet-control-layers-overlays label").all_text_contents()


def _image_bytes(frame, src: str) -> bytes:
    """The bytes the map's ``<img src>`` points at, fetched from inside the map's frame."""
    b64 = frame.evaluate(
        """async (src) => {
            const buf = new Uint8Array(await (await fetch(src)).arrayBuffer());
            let s = '';
            for (let i = 0; i < buf.length; i++) { s += String.fromCharCode(buf[i]); }
            return btoa(s);
        }""", src)
    return base64.b64decode(b64)


def test_html_export_carries_the_style_and_fills_the_window(vendored_assets, app_url, page, browser,
                                                           wait_for_map, tmp_path):
    page.goto(app_url)
    frame = wait_for_map(page)
    image = frame.locator("img.mapapp-bathymetry")
    expect(image).to_have_count(1, timeout=60_000)
    default_src = image.get_attribute("src")

    # the user's choices: colormap, hillshade, isobaths every 20 m
    page.get_by_role("combobox", name="Colormap").click()
    page.get_by_role("option", name="cmo.ice", exact=True).click()
    src = _wait_changed(lambda: image.get_attribute("src"), default_src, "the colormap")
    page.get_by_text("Hillshade", exact=True).click()
    src = _wait_changed(lambda: image.get_attribute("src"), src, "the hillshade")
    page.get_by_role("combobox", name="Isobath interval (m)").click()
    page.get_by_role("option", name="20 m", exact=True).click()
    _wait_changed(lambda: "Isobaths (20 m)" in " ".join(_layer_names(frame)), False, "isobaths")
    src = image.get_attribute("src")
    screen = {
        "attribution": frame.locator(".leaflet-control-attribution").inner_text(),
        "legend": frame.locator(".mapapp-legend").inner_text(),
        "routes": frame.locator(".mapapp-route-legend-item").all_inner_texts(),
        "layers": sorted(_layer_names(frame)),
    }
    assert len(screen["routes"]) == 3 and "Isobaths (20 m)" in " ".join(screen["layers"])

    page.get_by_role("tab", name="Export").click()
    page.get_by_role("button", name="Make standalone HTML of the map").click()
    button = page.get_by_role("button", name="Download map HTML")
    expect(button).to_be_visible(timeout=120_000)
    path = _download(page, button, tmp_path)
    assert path.suffix == ".html"

    # open the file offline in a 1440 × 900 window
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        blocked = []
        context.route("http*://**/*", lambda r: (blocked.append(r.request.url), r.abort()))
        standalone = context.new_page()
        errors = []
        standalone.on("pageerror", lambda exc: errors.append(str(exc)))
        standalone.goto(path.as_uri())
        standalone.wait_for_selector(".leaflet-container", state="visible", timeout=60_000)
        box = standalone.locator(".leaflet-container").bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 1440, 900)
        exported = standalone.locator("img.mapapp-bathymetry").get_attribute("src")
        # the same picture as on screen: the app serves it as a file, the export inlines it
        assert src != default_src and exported.startswith("data:image/png;base64,")
        assert base64.b64decode(exported.split(",", 1)[1]) == _image_bytes(frame, src)
        assert standalone.locator(".leaflet-control-attribution").inner_text() == screen["attribution"]
        assert standalone.locator(".mapapp-legend").inner_text() == screen["legend"]
        assert standalone.locator(".mapapp-route-legend-item").all_inner_texts() == screen["routes"]
        assert sorted(_layer_names(standalone)) == screen["layers"]
        assert errors == [] and blocked == []
    finally:
        context.close()
    assert page.page_errors == []
