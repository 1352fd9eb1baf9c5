"""The camera's PNG of the map as seen, in the real app (headless Chromium, offline).

The PNG is compared with what the browser shows: Playwright's own screenshot of the map
element, once as it is and once with the interactive controls hidden by this test's CSS.
Regions of the PNG are scaled back to screen pixels (box filter) before comparing.
"""

import json

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from mapapp.core.paths import REPO_ROOT

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: The interactive parts of the map, by the plugins' own class names.
CONTROLS = {
    "zoom": ".leaflet-control-zoom",
    "draw": ".leaflet-draw",
    "layers": ".leaflet-control-layers",
    "mouse position": ".leaflet-control-mouseposition",
    "camera": ".mapapp-camera",
}
KEPT = {
    "attribution": ".leaflet-control-attribution",
    "scale": ".leaflet-control-scale",
    "route legend": ".mapapp-route-legend-control",
    "bathymetry legend": ".mapapp-legend",
}
#: Routes the app shows on first load (see also test_export_browser).
DEFAULT_SHOWN = ("dmitriev-2025", "ibstrg-1990s", "direct-shortest")


def _preset_names(ids):
    data = json.loads((REPO_ROOT / "geodata" / "presets" / "routes.json").read_text("utf-8"))
    by_id = {r["id"]: r["name"] for r in data["routes"]}
    return [by_id[i] for i in ids]


def _download(page, locator, tmp_path):
    # Chromium cancels downloads whose request went through a Playwright route handler (see
    # test_export_browser); the PNG is made in the page itself, nothing goes out.
    page.context.unroute_all(behavior="wait")
    with page.expect_download(timeout=120_000) as info:
        locator.click()
    dl = info.value
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    return path


def _geometry(frame, selectors):
    """Map size (CSS px) and each selector's box (x, y, w, h) inside the map container."""
    return frame.evaluate(
        """(sels) => {
            const c = map_div.getContainer(), cr = c.getBoundingClientRect(), boxes = {};
            for (const s of sels) {
                const el = c.querySelector(s);
                if (el) {
                    const r = el.getBoundingClientRect();
                    boxes[s] = [r.left - cr.left, r.top - cr.top, r.width, r.height];
                }
            }
            return {w: c.clientWidth, h: c.clientHeight, boxes: boxes};
        }""",
        list(selectors),
    )


def _screen(frame, hide=()):
    """Playwright's screenshot of the map element (1 px per CSS px), optionally with
    ``hide`` made invisible by a style sheet of this test."""
    if hide:
        frame.evaluate(
            """(css) => { const s = document.createElement('style'); s.id = 'test-hide';
                          s.textContent = css; document.head.appendChild(s); }""",
            ", ".join(hide) + " { visibility: hidden !important; }",
        )
    path = frame.locator(".leaflet-container").screenshot(animations="disabled")
    if hide:
        frame.evaluate("() => document.getElementById('test-hide').remove()")
    from io import BytesIO

    return Image.open(BytesIO(path)).convert("RGB")


def _region(img, box, ratio=1):
    x, y, w, h = box
    crop = img.crop((round(x * ratio), round(y * ratio), round((x + w) * ratio),
                     round((y + h) * ratio)))
    if ratio != 1:
        crop = crop.resize((max(1, round(w)), max(1, round(h))), Image.BOX)
    return np.asarray(crop, dtype=float)


def _diff(a, b):
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return float(np.abs(a[:h, :w] - b[:h, :w]).mean())


def _open_map(page, app_url, wait_for_map):
    page.goto(app_url)
    frame = wait_for_map(page)
    page.locator(IFRAME).scroll_into_view_if_needed()
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("GSHHG", timeout=60_000)
    expect(frame.locator(".mapapp-route-legend-item")).to_have_count(len(DEFAULT_SHOWN),
                                                                     timeout=60_000)
    expect(frame.locator("img.mapapp-bathymetry")).to_have_count(1)
    return frame


def _camera(page, frame, tmp_path, ratio, title=False):
    frame.locator(".mapapp-camera-more").click()
    frame.locator(f'input[name="mapapp-ratio"][value="{ratio}"]').check()
    box = frame.locator(".mapapp-camera-title")
    box.check() if title else box.uncheck()
    frame.locator(".mapapp-camera-more").click()  # close the options
    path = _download(page, frame.locator(".mapapp-camera-save"), tmp_path)
    assert path.name.startswith("bering-strait-map-") and path.suffix == ".png", path.name
    return Image.open(path).convert("RGB")


def _hover_open_sea(page, frame):
    """Put the mouse over open water so the position readout shows coordinates."""
    p = frame.evaluate("() => { const q = map_div.latLngToContainerPoint([65.3, -170.2]);"
                       " return [q.x, q.y]; }")
    box = page.locator(IFRAME).bounding_box()
    page.mouse.move(box["x"] + p[0], box["y"] + p[1])
    expect(frame.locator(".leaflet-control-mouseposition")).to_contain_text("65.")


@pytest.mark.parametrize("ratio", [2, 3])
def test_camera_png_is_print_resolution_with_sources_and_without_controls(
        ratio, vendored_assets, app_url, page, wait_for_map, tmp_path):
    frame = _open_map(page, app_url, wait_for_map)
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "ETOPO5" in attribution and "NOAA NGDC" in attribution
    assert "GSHHG" in attribution and "Wessel & Smith" in attribution
    assert "OpenStreetMap" not in attribution  # no OSM layer is shown by default

    # the route legend names every shown route
    names = frame.locator(".mapapp-route-legend-item").all_inner_texts()
    expected = _preset_names(DEFAULT_SHOWN)
    assert [n.replace(" (selected)", "") for n in names] == expected
    assert sum("(selected)" in n for n in names) == 1

    _hover_open_sea(page, frame)
    geo = _geometry(frame, [*CONTROLS.values(), *KEPT.values()])
    assert set(geo["boxes"]) == {*CONTROLS.values(), *KEPT.values()}, geo["boxes"]
    screen = _screen(frame)
    bare = _screen(frame, hide=CONTROLS.values())
    png = _camera(page, frame, tmp_path, ratio)

    # print resolution: the map's CSS size times the pixel ratio
    assert png.size == (geo["w"] * ratio, geo["h"] * ratio)

    # controls: on screen the region shows the control, in the PNG what lies under it
    for name, sel in CONTROLS.items():
        box = geo["boxes"][sel]
        shot, with_ctl, without = (_region(png, box, ratio), _region(screen, box),
                                   _region(bare, box))
        assert _diff(with_ctl, without) > 8, f"{name}: control not visible on screen?"
        assert _diff(shot, without) < 0.6 * _diff(shot, with_ctl), f"{name} is in the PNG"

    # kept parts (attribution, scale bar, legends) are in the PNG as on screen
    for name, sel in KEPT.items():
        box = geo["boxes"][sel]
        shot, on_screen = _region(png, box, ratio), _region(screen, box)
        assert _diff(shot, on_screen) < 25, f"{name} differs from the screen"
        dark = (shot.mean(axis=2) < 110).mean()
        assert dark > 0.01, f"{name}: no text or lines in the PNG region"
    assert page.page_errors == []


def test_camera_title_line_and_one_to_one(vendored_assets, app_url, page, wait_for_map,
                                          tmp_path):
    frame = _open_map(page, app_url, wait_for_map)
    geo = _geometry(frame, [])
    png = _camera(page, frame, tmp_path, 1, title=True)
    from mapapp.render.mapview import TITLE_STRIP_PX

    assert png.size == (geo["w"], geo["h"] + TITLE_STRIP_PX)
    strip = np.asarray(png.crop((0, 0, geo["w"], TITLE_STRIP_PX)), dtype=float).mean(axis=2)
    assert (strip > 250).mean() > 0.8  # a white line …
    assert (strip < 80).sum() > 100  # … with dark text on it
    # the map follows the strip unchanged: compare its top band with the screen
    screen = _screen(frame, hide=CONTROLS.values())
    below = np.asarray(png.crop((0, TITLE_STRIP_PX, geo["w"], TITLE_STRIP_PX + 40)), dtype=float)
    assert _diff(below, np.asarray(screen.crop((0, 0, geo["w"], 40)), dtype=float)) < 25
    assert page.page_errors == []


def test_osm_land_is_credited_and_toggles(vendored_assets, app_url, page, wait_for_map):
    frame = _open_map(page, app_url, wait_for_map)
    page.get_by_role("combobox", name="Land (coastline)").click()
    page.get_by_role("option", name="OpenStreetMap (ODbL)").click()
    attribution = frame.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("© OpenStreetMap contributors", timeout=60_000)
    expect(attribution).not_to_contain_text("GSHHG")
    expect(attribution).to_contain_text("ETOPO5")
    # switching the land layer off in the layer control takes its credit away, and back
    frame.locator(".leaflet-control-layers").hover()
    toggle = frame.locator(".leaflet-control-layers-overlays label", has_text="Land (coastline)")
    toggle.locator("input").uncheck()
    expect(attribution).not_to_contain_text("OpenStreetMap")
    toggle.locator("input").check()
    expect(attribution).to_contain_text("© OpenStreetMap contributors")
    assert page.page_errors == []
