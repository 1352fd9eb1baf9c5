"""Map conveniences in the real app (issue 14): wheel scrolls the page until the map is
clicked, a measurement drawn with the mouse, the place search, the layers as static files."""

import json
import re

from playwright.sync_api import expect
from pyproj import Geod

from tests.conftest import REPO

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# the Streamlit element that scrolls the page, whichever it is in this version
SCROLLED = """() => [document.scrollingElement, ...document.querySelectorAll(
    '[data-testid=stMain], [data-testid=stAppViewContainer], section.main')]
    .filter(Boolean).reduce((s, e) => s + e.scrollTop, 0)"""


def _page_point(page, frame, lat, lon):
    """Page coordinates (CSS px) of a map position."""
    box = page.locator(IFRAME).bounding_box()
    p = frame.evaluate("([lat, lon]) => { const p = map_div.latLngToContainerPoint([lat, lon]);"
                       " return [p.x, p.y]; }", [lat, lon])
    return box["x"] + p[0], box["y"] + p[1]


def _idle(page):
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                           "?.getAttribute('data-test-script-state') === 'notRunning'",
                           timeout=60_000)


def test_wheel_scrolls_the_page_until_the_map_is_clicked(vendored_assets, app_url, page,
                                                         wait_for_map):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    frame = wait_for_map(page)
    _idle(page)
    # the map's middle in view with room to scroll either way
    page.locator(IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    zoom0 = frame.evaluate("() => map_div.getZoom()")
    box = page.locator(IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 300)
    page.mouse.move(x, y)
    before = page.evaluate(SCROLLED)
    page.mouse.wheel(0, 250)
    page.wait_for_timeout(800)
    assert page.evaluate(SCROLLED) > before, "the wheel over the idle map did not scroll the page"
    assert frame.evaluate("() => map_div.getZoom()") == zoom0, "the idle map zoomed"
    expect(frame.locator(".mapapp-wheel-hint")).to_be_visible()

    # after a click on the map, the wheel zooms the map and the page stays put
    page.locator(IFRAME).scroll_into_view_if_needed()
    box = page.locator(IFRAME).bounding_box()
    x, y = box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.75
    page.mouse.click(x, y)
    _idle(page)
    assert frame.evaluate("() => map_div.getContainer().dataset.wheelZoom") == "on"
    zoom1 = frame.evaluate("() => map_div.getZoom()")
    scrolled = page.evaluate(SCROLLED)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -250)
    frame.wait_for_function(f"() => map_div.getZoom() > {zoom1}", timeout=10_000)
    assert page.evaluate(SCROLLED) == scrolled
    # leaving the map turns the wheel zoom off again
    page.mouse.move(5, 5)
    frame.wait_for_function("() => map_div.getContainer().dataset.wheelZoom === 'off'")
    assert page.page_errors == []


def test_measurement_drawn_with_the_mouse_shows_the_great_circle_length(
        vendored_assets, app_url, page, wait_for_map):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    frame = wait_for_map(page)
    _idle(page)
    page.locator(IFRAME).scroll_into_view_if_needed()
    start = frame.locator(".leaflet-control-measure .js-start")
    toggle = frame.locator(".leaflet-control-measure-toggle")
    for attempt in range(5):  # the control expands on mouseenter or when its toggle has focus
        page.mouse.move(5, 5)
        if attempt % 2:
            toggle.hover(force=True)
        else:
            toggle.focus()
        try:
            start.wait_for(state="visible", timeout=3_000)
            break
        except Exception:  # noqa: BLE001 - hover again
            continue
    start.click()
    targets = [(65.98, -168.75), (65.55, -168.55)]  # clear of the legends and the measure panel
    clicked = []
    for lat, lon in targets:
        x, y = _page_point(page, frame, lat, lon)
        page.mouse.click(x, y)
        page.wait_for_timeout(400)
        # the coordinates of the pixel actually clicked, as the map reads them
        box = page.locator(IFRAME).bounding_box()
        ll = frame.evaluate("([x, y]) => { const l = map_div.containerPointToLatLng([x, y]);"
                            " return [l.lat, l.lng]; }", [x - box["x"], y - box["y"]])
        clicked.append(ll)
    results = frame.locator(".leaflet-control-measure .js-results")
    expect(results).to_contain_text("Path distance", timeout=10_000)
    m = re.search(r"Path distance\s+([\d,]+\.\d+)\s+Kilometers", results.inner_text())
    assert m, results.inner_text()
    shown_km = float(m.group(1).replace(",", ""))
    (lat1, lon1), (lat2, lon2) = clicked
    # leaflet-measure: haversine on a sphere of radius 6 371 000 m (its source, calc.js)
    sphere_km = Geod(a=6_371_000, b=6_371_000).inv(lon1, lat1, lon2, lat2)[2] / 1000
    wgs84_km = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000
    assert abs(shown_km - sphere_km) <= 0.006  # two decimals shown
    assert abs(shown_km - wgs84_km) / wgs84_km < 0.005  # great circle within 0.5 % of WGS84
    assert 35 < shown_km < 60
    assert page.page_errors == []


def test_place_search_centres_the_map_on_the_place(vendored_assets, app_url, page, wait_for_map):
    places = json.loads((REPO / "geodata" / "context" / "places.geojson").read_text())
    nome = next(f for f in places["features"] if f["properties"]["name"] == "Nome")
    lon, lat = nome["geometry"]["coordinates"][:2]
    page.goto(app_url)
    frame = wait_for_map(page)
    _idle(page)
    box = frame.get_by_placeholder("Find a place…")
    box.fill("Nom")  # an unambiguous start of a name is enough
    box.press("Enter")
    frame.wait_for_function(
        f"() => {{ const c = map_div.getCenter(); return Math.abs(c.lat - {lat}) < 1e-4 &&"
        f" Math.abs(c.lng - ({lon})) < 1e-4 && map_div.getZoom() >= 10; }}", timeout=10_000)
    # an unknown name is refused, the map stays where it is
    box.fill("Atlantis")
    box.press("Enter")
    page.wait_for_timeout(500)
    c = frame.evaluate("() => [map_div.getCenter().lat, map_div.getCenter().lng]")
    assert abs(c[0] - lat) < 1e-4 and abs(c[1] - lon) < 1e-4
    assert page.page_errors == []


def test_layers_arrive_as_hashed_static_files(vendored_assets, app_url, page, wait_for_map):
    """Land, isobaths and places come from content-hashed files; the land shown is the file
    for the current zoom band, and switching routes sends none of their data again."""
    page.goto(app_url)
    frame = wait_for_map(page)
    _idle(page)
    frame.wait_for_function(
        "() => document.querySelectorAll('.leaflet-mapapp-land-pane path').length > 10",
        timeout=30_000)
    urls = frame.evaluate("() => Object.keys(window.mapappStatic || {})")
    names = sorted(re.sub(r"-[0-9a-f]{16}\.json$", "", u.rsplit("/", 1)[-1]) for u in urls)
    assert names == ["isobaths", "land-z8", "places"], urls
    # zooming in past the band fetches the finer land file
    frame.evaluate("() => map_div.setZoom(10)")
    frame.wait_for_function("() => Object.keys(window.mapappStatic).some("
                            "u => u.includes('/land-z10-'))", timeout=30_000)
    assert page.page_errors == []
