"""The claims scorecard in the real app (headless Chromium, offline): cards under the map."""

from playwright.sync_api import expect

from tests.conftest import REPO


def test_scorecard_cards_under_the_map(vendored_assets, app_url, page, wait_for_map):
    page.goto(app_url)
    wait_for_map(page)
    head = page.get_by_text("Claims vs the model", exact=False)
    expect(head.first).to_be_visible(timeout=60_000)
    for text in ("Tunnel length", "Build time", "US$8 bn (2025 prices)",
                 "below the lowest estimate by"):
        expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=30_000)
    # the cards sit between the map and the route selector
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    card = head.first.bounding_box()
    assert card["y"] > iframe["y"] + iframe["height"] - 1
    assert page.locator('[data-testid="stException"]').count() == 0
    out = REPO / "test-artifacts"
    out.mkdir(exist_ok=True)
    head.first.scroll_into_view_if_needed()
    page.screenshot(path=str(out / "scorecard.png"), full_page=False)
