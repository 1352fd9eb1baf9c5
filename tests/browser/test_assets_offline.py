"""The map renders with the vendored assets alone: every non-local request is blocked."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

APP = Path(__file__).parent / "apps" / "offline_map.py"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VENDOR_PREFIX = "/app/static/vendor/"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def offline_url(streamlit_app, vendored_assets: Path) -> str:
    return streamlit_app(APP, static_dir=vendored_assets.parent)


def test_map_renders_from_local_assets(page, offline_url: str, wait_for_map) -> None:
    page.goto(offline_url)
    frame = wait_for_map(page)

    # the component iframe lives under /component/…, so ../../app/static/vendor reaches
    # /app/static/vendor
    assert "/component/streamlit_folium.st_folium/" in frame.url
    sources = frame.evaluate(
        """() => [...document.querySelectorAll('script[src]')].map(s => s.src)
                 .concat([...document.querySelectorAll('link[rel=stylesheet]')]
                 .map(l => l.href))"""
    )
    vendored = [s for s in sources if VENDOR_PREFIX in s]
    assert len(vendored) >= 14, sources
    assert all(s.startswith(offline_url + VENDOR_PREFIX) for s in vendored), sources
    assert not [s for s in sources if "://" in s and not s.startswith(offline_url)], sources

    # Leaflet CSS applied (streamlit-folium adds the stylesheets without waiting for them),
    # controls and layers drawn
    frame.wait_for_function(
        "getComputedStyle(document.querySelector('.leaflet-container')).overflow === 'hidden'",
        timeout=10_000,
    )
    for selector in (
        ".leaflet-draw-toolbar",
        ".leaflet-draw-draw-polygon",
        ".leaflet-control-zoom-fullscreen",
        ".leaflet-control-mouseposition",
        "img.leaflet-image-layer",
        ".awesome-marker",
    ):
        frame.locator(selector).first.wait_for(state="visible", timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= 1
    # Leaflet's default marker image (path set by localize) loaded
    frame.wait_for_function(
        """() => [...document.querySelectorAll('img.leaflet-marker-icon')]
                 .some(i => i.complete && i.naturalWidth === 25
                       && i.src.includes('/vendor/leaflet@1.9.3/dist/images/'))""",
        timeout=10_000,
    )
    # sprite sheet of Leaflet.draw comes from the vendor dir
    frame.wait_for_function(
        """() => getComputedStyle(document.querySelector('.leaflet-draw-draw-polygon'))
                 .backgroundImage.includes('/vendor/leaflet-draw@1.0.2/dist/images/sprite')""",
        timeout=10_000,
    )
    # icon fonts (glyphicons for folium.Icon's default prefix, Font Awesome) loaded locally
    for family in ("Glyphicons Halflings", "Font Awesome 6 Free"):
        frame.wait_for_function(
            """family => [...document.fonts]
                 .some(f => f.family.replace(/"/g, '') === family && f.status === 'loaded')""",
            arg=family,
            timeout=10_000,
        )

    assert page.blocked_requests == []
    assert page.bad_responses == []
    assert page.page_errors == []
    assert page.console_errors == []


def test_local_assets_under_base_url_path(
    page, streamlit_app, vendored_assets: Path, wait_for_map
) -> None:
    """The relative vendor URL also works when Streamlit runs under server.baseUrlPath."""
    url = streamlit_app(APP, static_dir=vendored_assets.parent, base_path="tunnel")
    page.goto(url + "/")
    frame = wait_for_map(page)
    assert "/tunnel/component/streamlit_folium.st_folium/" in frame.url
    frame.locator(".leaflet-draw-draw-polygon").wait_for(state="visible", timeout=30_000)
    sources = frame.evaluate("() => [...document.querySelectorAll('script[src]')].map(s => s.src)")
    assert any(s.startswith(url + VENDOR_PREFIX) for s in sources), sources
    assert page.blocked_requests == [] and page.bad_responses == []
    assert page.page_errors == []


def test_screenshoter_saves_png_offline(page, offline_url: str, wait_for_map) -> None:
    """The vendored PNG exporter captures image overlays and SVG vectors in the iframe."""
    page.goto(offline_url)
    frame = wait_for_map(page)
    url = (
        offline_url + VENDOR_PREFIX + "leaflet-simple-map-screenshoter@0.5.0/dist/"
        "leaflet-simple-map-screenshoter.js"
    )
    frame.add_script_tag(url=url)
    png = frame.evaluate(
        """async () => {
            const el = document.querySelector('.leaflet-container');
            let map = null;
            for (const k of Object.keys(window)) {
                if (window[k] instanceof L.Map && window[k].getContainer() === el) map = window[k];
            }
            const shot = L.simpleMapScreenshoter({hidden: true}).addTo(map);
            return await shot.takeScreen('image', {mimeType: 'image/png'});
        }"""
    )
    assert png.startswith("data:image/png;base64,")
    data = base64.b64decode(png.split(",", 1)[1])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "screenshoter_capture.png").write_bytes(data)
    colours = Image.open(io.BytesIO(data)).convert("RGB").getcolors(1 << 20)
    red = sum(n for n, (r, g, b) in colours if r > 200 and g < 80 and b < 80)
    blue = sum(n for n, (r, g, b) in colours if b > 200 and r < 60 and g < 120)
    assert red > 1000, "image overlay missing from the capture"
    assert blue > 300, "GeoJSON outline (SVG) missing from the capture"
    assert page.blocked_requests == []
    assert page.page_errors == []


def test_standalone_html_works_offline(page, vendored_assets: Path, tmp_path: Path) -> None:
    """A saved map (standalone_html) renders from file:// with no network at all."""
    import folium
    from folium.plugins import Draw, Fullscreen

    from mapapp.render.assets import standalone_html

    m = folium.Map(location=[65.8, -169.0], zoom_start=6, tiles=None)
    folium.GeoJson(
        {"type": "Polygon", "coordinates": [[[-170, 65], [-167, 65], [-167, 66], [-170, 65]]]}
    ).add_to(m)
    folium.Marker([66.0, -168.0]).add_to(m)
    folium.Marker([65.5, -169.5], icon=folium.Icon(icon="info-sign")).add_to(m)
    Draw().add_to(m)
    Fullscreen().add_to(m)
    html = standalone_html(m)
    assert "<script src=" not in html and "<link rel=" not in html
    saved = tmp_path / "map.html"
    saved.write_text(html, "utf-8")

    page.goto(saved.as_uri())
    page.wait_for_selector(".leaflet-container", state="visible")
    page.wait_for_selector(".leaflet-draw-draw-polygon", state="visible")
    assert page.locator("path.leaflet-interactive").count() == 1
    page.wait_for_function(
        """() => [...document.querySelectorAll('img.leaflet-marker-icon')]
                 .every(i => i.complete && i.naturalWidth > 0)""",
        timeout=10_000,
    )
    fonts = page.evaluate(
        """async () => { await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family); }"""
    )
    assert any("Glyphicons" in f for f in fonts), fonts
    assert page.blocked_requests == []
    assert page.page_errors == []
    assert page.console_errors == []
