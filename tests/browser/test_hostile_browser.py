"""Hostile input in the real app: no script runs, names stay visible as text, no beacon loads.

A route file whose names carry HTML, ``</script>``, JavaScript template-literal breakouts and
markdown images is uploaded, and a shared link with tampered parameters is opened. A dialog
handler fails the test on any ``alert``; ``window.__pwned`` must stay unset in the page and
in the map's iframe; the names must read back literally from the comparison table and from a
map tooltip; and no request may leave for ``evil.example`` (markdown images).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from mapapp.io.urlstate import encode_routes
from mapapp.routes.route import Route

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: The route uploader (the sidebar also has a grid uploader).
ROUTE_UPLOAD = '[data-testid="stFileUploaderDropzoneInput"][accept*=".geojson"]'
LINE = [(-169.65, 66.07), (-169.05, 65.78), (-168.09, 65.60)]
LINE2 = [(-169.60, 66.00), (-168.90, 65.70), (-168.10, 65.62)]
IMG = '<img src=x onerror="window.__pwned=1;alert(1)">Evil A'
SCRIPT = "</script><script>window.__pwned=2</script>Evil B ${window.__pwned=3} `+(window.__pwned=4)+`"
MD = "Evil C ![b](http://evil.example/beacon.png) [x](javascript:window.__pwned=5)"
WP = "<svg onload=window.__pwned=6>wp"


def table_texts(page) -> list[str]:
    return page.locator('[data-testid="stDataFrame"]').first.locator("td").all_inner_texts()


def wait_table_has(page, text, timeout=45_000):
    for _ in range(int(timeout / 250)):
        if any(text in t for t in table_texts(page)):
            return
        page.wait_for_timeout(250)
    pytest.fail(f"{text!r} not in the comparison table: {table_texts(page)[:40]}")


def pwned(page, frame) -> tuple[str, str]:
    return (page.evaluate("typeof window.__pwned"), frame.evaluate("typeof window.__pwned"))


def tooltips(frame) -> list[dict]:
    """Open every route tooltip on the map; return their text and whether they hold elements."""
    return frame.evaluate(
        """() => {
            const out = [];
            map_div.eachLayer(l => {
                if (l instanceof L.Polyline && l.getTooltip && l.getTooltip()) {
                    let ll = l.getLatLngs();  // a multi-part line nests its parts
                    while (ll.length && Array.isArray(ll[0])) { ll = ll[0]; }
                    if (!ll.length) { return; }
                    l.openTooltip(ll[0]);
                    const el = l.getTooltip().getElement();
                    if (el) {
                        out.push({text: el.textContent.trim(),
                                  elements: el.querySelectorAll('img,svg,script').length});
                    }
                }
                if (l instanceof L.CircleMarker && l.getTooltip && l.getTooltip()) {
                    l.openTooltip();
                    const el = l.getTooltip().getElement();
                    if (el) {
                        out.push({text: el.textContent.trim(),
                                  elements: el.querySelectorAll('img,svg,script').length});
                    }
                }
            });
            return out;
        }"""
    )


@pytest.fixture
def watched(page):
    """The page, with every JavaScript dialog recorded (and dismissed)."""
    page.dialogs = []

    def on_dialog(d):
        page.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return page


def test_hostile_route_names_are_text_and_run_nothing(
    vendored_assets, app_url, watched, wait_for_map, tmp_path
):
    page = watched
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": IMG, "waypoint_names": [WP, "", ""]},
         "geometry": {"type": "LineString", "coordinates": [list(p) for p in LINE]}},
        {"type": "Feature", "properties": {"name": SCRIPT},
         "geometry": {"type": "LineString", "coordinates": [list(p) for p in LINE2]}},
        {"type": "Feature", "properties": {"name": MD},
         "geometry": {"type": "LineString", "coordinates": [[-169.5, 65.9], [-168.2, 65.65]]}},
    ]}
    path = tmp_path / "hostile <b>names<b> ![f](http:evil.example) .geojson"
    path.write_text(json.dumps(fc))
    page.goto(app_url)
    frame = wait_for_map(page)
    page.locator(ROUTE_UPLOAD).set_input_files(str(path))
    expect(page.get_by_text("added").first).to_be_visible(timeout=45_000)
    # the names read back literally from the comparison table (text, not markup)
    for name in (IMG, SCRIPT, MD):
        wait_table_has(page, name)
    # … and from the map's tooltips, which hold no element made from a name
    page.locator(IFRAME).scroll_into_view_if_needed()
    for _ in range(60):
        tips = tooltips(frame)
        if any(IMG in t["text"] for t in tips):
            break
        page.wait_for_timeout(500)
    texts = [t["text"] for t in tips]
    assert any(t.startswith(IMG + " — ") and t.endswith(" km") for t in texts), texts
    assert any(t.startswith(SCRIPT + " — ") for t in texts), texts
    assert any(t.startswith(MD + " — ") for t in texts), texts
    assert WP in texts, texts
    assert all(t["elements"] == 0 for t in tips), tips
    page.wait_for_timeout(1500)  # give any injected handler time to fire
    assert pwned(page, frame) == ("undefined", "undefined")
    assert page.dialogs == []
    assert not [u for u in page.blocked_requests if "evil.example" in u], page.blocked_requests
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.page_errors == []


def test_tampered_shared_link_warns_and_keeps_working(
    vendored_assets, app_url, watched, wait_for_map
):
    page = watched
    # a valid route on land (the tunnel panel refuses it, naming it) with a markdown image
    land = Route.from_coords("on-land", MD, [(-165.0, 65.0), (-164.0, 65.2)])
    query = "&".join([
        "r=" + quote(encode_routes([land])),
        "d=" + quote("![b](http://evil.example/d.png)../../etc/passwd"),
        "p=" + quote("dmitriev-2025"),
        "s=" + quote("<img src=x onerror=window.__pwned=1>"),
        "z=" + quote("9" * 5000),
        "c=" + quote("nan,1e999"),
    ])
    page.goto(f"{app_url}/?{query}")
    frame = wait_for_map(page)
    warnings = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
    expect(warnings.filter(has_text="d: invalid dataset name")).to_be_visible(timeout=45_000)
    texts = " ".join(warnings.all_inner_texts())
    for param in ("d:", "s:", "z:", "c:"):
        assert param in texts, texts
    # shown as typed, not as an image or markup
    assert "'![b](http://evil.example/d.png)../../etc/passwd'" in texts, texts
    assert "'<img src=x onerror=window.__pwned=1>'" in texts, texts
    wait_table_has(page, "Dmitriev 2025")  # the valid parts of the link still apply
    wait_table_has(page, MD)
    expect(page.get_by_text("does not cross the sea").first).to_be_attached(timeout=45_000)
    page.wait_for_timeout(1500)
    assert pwned(page, frame) == ("undefined", "undefined")
    assert page.dialogs == []
    assert not [u for u in page.blocked_requests if "evil.example" in u], page.blocked_requests
    assert page.locator('[data-testid="stException"]').count() == 0


def test_no_internet_basemap_tiles_fail_and_the_map_still_works(
    vendored_assets, app_url, page, wait_for_map
):
    """Basemap tiles need internet: here every request off this machine is blocked."""
    page.goto(app_url)
    frame = wait_for_map(page)
    wait_table_has(page, "Dmitriev 2025")
    page.get_by_role("combobox", name="Basemap").click()
    page.get_by_role("option", name="OpenStreetMap", exact=True).click()
    for _ in range(120):  # the tile layer is added and its requests are blocked
        if any("tile.openstreetmap.org" in u for u in page.blocked_requests):
            break
        page.wait_for_timeout(250)
    assert any("tile.openstreetmap.org" in u for u in page.blocked_requests), page.blocked_requests
    assert frame.evaluate(
        "() => { let n = 0; map_div.eachLayer(l => { if (l instanceof L.TileLayer) n++; });"
        " return n; }") == 1
    # everything else works: overlay drawn, routes on the map, depth on click, table
    state = frame.evaluate(
        """() => {
            const img = document.querySelector('img.mapapp-bathymetry');
            let lines = 0;
            map_div.eachLayer(l => { if (l instanceof L.Polyline && !(l instanceof L.Polygon)
                                         && l.getTooltip && l.getTooltip()) lines++; });
            return {overlay: !!img && img.complete && img.naturalWidth > 0, lines: lines};
        }""")
    assert state["overlay"] and state["lines"] >= 3, state
    x, y = frame.evaluate(
        "() => { const p = map_div.latLngToContainerPoint([65.75, -168.6]); return [p.x, p.y]; }")
    page.locator(IFRAME).scroll_into_view_if_needed()
    box = page.locator(IFRAME).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page.get_by_text("Clicked point:").locator("xpath=..")).to_contain_text(
        re.compile(r"-?\d+ m"), timeout=45_000)
    assert not [u for u in page.blocked_requests if "openstreetmap" not in u], page.blocked_requests
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.page_errors == []
