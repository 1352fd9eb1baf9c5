"""The "Whole link" view in headless Chromium, offline: relief, railheads, paths over 180°."""

from playwright.sync_api import expect

from mapapp.link import data as ldata

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'

# every polyline's longitudes, read from Leaflet itself
_POLYLINE_LNGS = """() => {
    const out = [];
    map_div.eachLayer(l => {
        if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.options.className
            && l.options.className.startsWith('mapapp-link')) {
            out.push({cls: l.options.className, lngs: l.getLatLngs().map(p => p.lng)});
        }
    });
    return out;
}"""


def test_whole_link_page_offline(vendored_assets, app_url, page, wait_for_map):
    page.goto(app_url)
    wait_for_map(page)
    page.get_by_role("tab", name="Whole link").click()
    page.get_by_text("Show the whole link").click()
    expect(page.locator(IFRAME)).to_have_count(2, timeout=120_000)
    handle = page.locator(IFRAME).nth(1)
    handle.scroll_into_view_if_needed()
    frame = handle.element_handle().content_frame()
    frame.wait_for_selector(".leaflet-container", state="visible", timeout=60_000)
    expect(frame.locator("img.mapapp-link-relief")).to_have_count(1, timeout=60_000)
    assert frame.locator("img.mapapp-link-relief").get_attribute("src").startswith(
        "data:image/png;base64,")
    # one marker per railhead inside the wide-area data, with its sourced popup
    n_heads = sum(1 for r in ldata.railheads().values() if r.in_wide_area)
    expect(frame.locator(".awesome-marker-icon-black")).to_have_count(n_heads, timeout=60_000)
    expect(frame.locator("path.mapapp-link-path")).to_have_count(2, timeout=120_000)
    expect(frame.locator("path.mapapp-link-strait")).to_have_count(1)
    expect(frame.locator("path.mapapp-link-corridor")).to_have_count(1)  # Kolyma Highway
    lines = frame.evaluate(_POLYLINE_LNGS)
    paths = [ln["lngs"] for ln in lines if ln["cls"] == "mapapp-link-path"]
    assert len(paths) == 2
    for lngs in paths + [ln["lngs"] for ln in lines if ln["cls"] != "mapapp-link-path"]:
        # continuous display longitudes (0..360 side of the antimeridian): no jump
        steps = [abs(b - a) for a, b in zip(lngs[:-1], lngs[1:], strict=False)]
        assert max(steps) < 20.0
        assert 120.0 < min(lngs) and max(lngs) < 215.0
    # the Russian path runs from Nizhny Bestyakh (~130°E) across 180° to the strait (~190°E)
    assert any(min(lngs) < 135.0 and max(lngs) > 185.0 for lngs in paths)
    # a railhead popup carries its sources
    # (a click can land while the map still pans to its bounds, or on a marker another marker or
    # control covers; try each marker in turn until one popup opens)
    popup = frame.locator(".leaflet-popup-content")
    for i in range(n_heads):
        frame.locator(".awesome-marker-icon-black").nth(i).click(force=True)
        try:
            popup.first.wait_for(state="visible", timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - next marker
            continue
    expect(popup.first).to_contain_text("Sources:")
    expect(page.get_by_text("Scorecard: the strait crossing alone and the link as a whole")
           ).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.blocked_requests, page.blocked_requests
    assert not page.page_errors, page.page_errors
