"""The page a reader opens (issue 14), in headless Chromium at 1440×900, offline.

- the map's top edge is within 250 px of the window's top;
- the claims scorecard is visible under the map without clicking a tab (it sits above the tabs);
- the profile chart has one tunnel line per shown route, each in the route's map colour;
- with "Scorecard on the map" ticked, the camera's PNG shows the scorecard panel.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from mapapp.core.paths import REPO_ROOT

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: Routes the app shows on first load (as in test_screenshot_browser / test_export_browser).
DEFAULT_SHOWN = ("dmitriev-2025", "ibstrg-1990s", "direct-shortest")


def _open(page, app_url, wait_for_map):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    frame = wait_for_map(page)
    frame.wait_for_selector(".mapapp-route-legend-item", timeout=60_000)
    return frame


def _rgb(css: str) -> tuple[int, int, int]:
    """'rgb(1, 2, 3)' or '#010203' -> (1, 2, 3)."""
    css = css.strip()
    if css.startswith("#"):
        return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))
    nums = css[css.index("(") + 1:css.index(")")].split(",")
    return tuple(int(float(n)) for n in nums[:3])


def test_map_top_and_scorecard_before_the_tabs(vendored_assets, app_url, page, wait_for_map):
    _open(page, app_url, wait_for_map)
    box = page.locator(IFRAME).bounding_box()
    assert box["y"] <= 250, f"the map starts {box['y']:.0f} px from the top (limit 250 px)"
    head = page.get_by_text("Claims vs the model", exact=False).first
    expect(head).to_be_visible(timeout=60_000)
    first_tab = page.get_by_role("tab").first
    expect(first_tab).to_be_visible(timeout=30_000)
    card, tab = head.bounding_box(), first_tab.bounding_box()
    assert box["y"] + box["height"] <= card["y"] < tab["y"], (box, card, tab)
    # nothing of the old banner above the map: the resolution note is one short caption line
    alerts = page.locator('[data-testid="stAlert"]')
    tops = [b["y"] for b in (alerts.nth(i).bounding_box() for i in range(alerts.count())) if b]
    assert all(t > box["y"] for t in tops), tops
    assert page.locator('[data-testid="stException"]').count() == 0


def test_profile_has_one_line_per_shown_route(vendored_assets, app_url, page, wait_for_map):
    frame = _open(page, app_url, wait_for_map)
    # colours on the map, from the route legend's swatches
    legend = frame.evaluate(
        """() => Array.from(document.querySelectorAll('.mapapp-route-legend-item')).map(
               el => [el.dataset.routeId, getComputedStyle(el.querySelector('span'))
                                          .backgroundColor])""")
    assert [rid for rid, _ in legend] == list(DEFAULT_SHOWN)
    map_colours = {_rgb(c) for _, c in legend}
    page.get_by_role("tab", name="Profile & tunnel").click()
    paths = page.locator(".tunnels_marks path")
    expect(paths).to_have_count(len(DEFAULT_SHOWN), timeout=90_000)
    strokes = {_rgb(paths.nth(i).get_attribute("stroke")) for i in range(paths.count())}
    assert strokes == map_colours
    # the selected route (the first shown) is drawn thicker than the others
    widths = sorted(float(paths.nth(i).get_attribute("stroke-width")) for i in range(3))
    assert widths[-1] > widths[0] and widths[0] == widths[1]
    # hover over a sample of the selected route's tunnel: chainage, depth and cover
    dot = page.locator(".hover_marks path").nth(60)
    dot.scroll_into_view_if_needed()
    b = dot.bounding_box()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    tip = page.locator("#vg-tooltip-element")
    expect(tip).to_be_visible(timeout=10_000)
    for text in ("chainage (km)", "tunnel crown (m)", "seabed/terrain (m)", "rock cover (m)"):
        expect(tip).to_contain_text(text)
    # access points are listed beside the chart, not as labels on it
    expect(page.get_by_text("Portals and access points", exact=False).first).to_be_visible()
    assert page.locator(".vega-embed text", has_text="portal:").count() == 0


def test_camera_png_with_the_scorecard(vendored_assets, app_url, page, wait_for_map, tmp_path):
    frame = _open(page, app_url, wait_for_map)
    page.get_by_text("Scorecard on the map", exact=True).click()
    panel = frame.locator(".mapapp-scorecard-control")
    expect(panel).to_be_visible(timeout=60_000)
    expect(panel).to_contain_text("Claims vs the model")
    geo = frame.evaluate(
        """() => {
            const c = map_div.getContainer(), cr = c.getBoundingClientRect();
            const r = c.querySelector('.mapapp-scorecard-control').getBoundingClientRect();
            return {w: c.clientWidth, box: [r.left - cr.left, r.top - cr.top, r.width, r.height]};
        }""")
    # Chromium cancels downloads whose request went through a Playwright route handler (see
    # test_screenshot_browser); the PNG is made in the page itself, nothing goes out
    page.context.unroute_all(behavior="wait")
    with page.expect_download(timeout=120_000) as info:
        frame.locator(".mapapp-camera-save").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    img = np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB")).astype(int)
    ratio = img.shape[1] / geo["w"]  # default pixel ratio 2
    x, y, w, h = (int(round(v * ratio)) for v in geo["box"])
    region = img[y + 2:y + h - 2, x + 2:x + w - 2]
    assert region.size, "the panel's box is outside the PNG"
    white = (region.min(axis=2) > 225).mean()
    dark = (region.max(axis=2) < 90).mean()
    # the verdict colours of mapapp.render.mapcard (red #c62828 / green #1a7f37 / orange)
    verdict = sum(
        (np.abs(region - np.array(c)).max(axis=2) < 40).sum()
        for c in ((0xC6, 0x28, 0x28), (0x1A, 0x7F, 0x37), (0xB3, 0x59, 0x00)))
    assert white > 0.5, f"only {white:.0%} of the panel area is its white background"
    assert dark > 0.01, "no text in the panel area"
    assert verdict > 20, "no verdict colour in the panel area"
    out = REPO_ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "camera-with-scorecard.png").write_bytes(path.read_bytes())


def test_a_row_chosen_in_the_table_selects_the_route_on_the_map(vendored_assets, app_url, page,
                                                                wait_for_map):
    """Issue 14: "the selected route highlighted on the map when chosen in a table"."""
    frame = _open(page, app_url, wait_for_map)
    legend = frame.locator(".mapapp-route-legend-item")
    names = [t.strip() for t in legend.all_inner_texts()]
    assert len(names) == len(DEFAULT_SHOWN) and "(selected)" in names[0]  # the first, at first
    target = names[2].replace("(selected)", "").strip()
    page.get_by_role("tab", name="Compare routes").click()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible(timeout=30_000)
    box = grid.bounding_box()
    # the grid's row-marker column (left edge), third data row: header and rows are 35 px tall
    page.mouse.click(box["x"] + 12, box["y"] + 35 * 3 + 17)
    chosen = frame.locator(".mapapp-route-legend-item", has_text="(selected)")
    expect(chosen).to_have_count(1, timeout=60_000)
    expect(chosen).to_contain_text(target, timeout=60_000)
    expect(page.get_by_role("combobox", name="Selected route")).to_have_value(target)
    assert frame.locator("path.mapapp-selected-halo").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.page_errors == []
