"""The real app in headless Chromium, offline: map, layers, legend, clicking for depth."""

import re

import pytest
from playwright.sync_api import expect

from mapapp.data.bathymetry import open_grid
from mapapp.engineering.pointinfo import point_info

CLICK_TEXT = re.compile(
    r"Clicked point:\s*([\d.]+)° N, ([\d.]+)° W — (sea, depth (\d+) m|land \(grid elevation -?\d+ m\))"
)


def _container_point(frame, lat, lon):
    return frame.evaluate(
        "([lat, lon]) => { const p = map_div.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )


def _click_and_read(page, frame, lat, lon):
    before = page.get_by_text(CLICK_TEXT).all_inner_texts()
    # scroll first: Playwright computes an iframe element's click offset before scrolling
    page.locator('iframe[title="streamlit_folium.st_folium"]').scroll_into_view_if_needed()
    frame.locator(".leaflet-container").click(position=_container_point(frame, lat, lon))
    expect(page.get_by_text(CLICK_TEXT)).to_be_visible(timeout=30_000)
    for _ in range(60):
        text = page.get_by_text(CLICK_TEXT).inner_text()
        if text not in before:
            return CLICK_TEXT.search(text)
        page.wait_for_timeout(500)
    pytest.fail("the clicked point text did not update")


def test_map_renders_offline_with_layers_and_click_depth(vendored_assets, app_url, page, wait_for_map):
    page.goto(app_url)
    frame = wait_for_map(page)
    # bathymetry image, legend stating the grid, coastline polygons, places, boundary
    expect(frame.locator("img.mapapp-bathymetry")).to_have_count(1, timeout=30_000)
    # the overlay is a content-hashed PNG file from the app's static folder, not a data URL
    src = frame.locator("img.mapapp-bathymetry").get_attribute("src")
    m = re.fullmatch(r"\.\./\.\./app/static/gen/bathymetry-([0-9a-f]{16})\.png", src)
    assert m, src
    frame.wait_for_function("() => { const i = document.querySelector('img.mapapp-bathymetry');"
                            " return i && i.complete && i.naturalWidth > 0; }", timeout=30_000)
    legend = frame.locator(".mapapp-legend")
    expect(legend).to_contain_text("Elevation (m; negative = below sea level)")
    expect(legend).to_contain_text("5′ × 5′")
    # land and isobaths are fetched as files after the map is up: wait for their paths
    frame.wait_for_function(
        "() => document.querySelectorAll('.leaflet-mapapp-land-pane path').length > 10",
        timeout=30_000)
    expect(frame.locator(".leaflet-control-scale")).to_be_visible()
    expect(frame.locator(".leaflet-control-layers")).to_have_count(1)
    # what the resolution means is one line under the title; the figure is one click away
    expect(page.get_by_text("too coarse to see the Diomedes", exact=False)).to_be_visible()
    page.get_by_role("button", name="About & data").click()
    expect(page.get_by_text("resolution 5′ × 5′", exact=False)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_text("resolution 5′ × 5′", exact=False)).to_be_hidden()
    # no exception is shown
    assert page.locator('[data-testid="stException"]').count() == 0

    # click open water (east of the Diomedes, clear of the route legend in the top right): the
    # depth shown equals the core's answer at those coordinates
    m = _click_and_read(page, frame, 65.90, -168.75)
    lat, lon = float(m.group(1)), -float(m.group(2))
    assert abs(lat - 65.90) < 0.01 and abs(lon + 168.75) < 0.01
    expected = point_info(open_grid(), lon, lat)
    assert expected.surface == "sea"
    assert int(m.group(4)) == round(-expected.elevation_m)
    # a marker with the same text appears on the map without remounting it
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("sea, depth", timeout=30_000)

    # click Big Diomede (north of its place marker): land, although the 5′ grid has water there
    m = _click_and_read(page, frame, 65.81, -169.045)
    assert m.group(3).startswith("land")

    assert page.page_errors == []
    assert not [u for u in page.bad_responses if "/app/static/" in u]
