"""The report figure's optional claims scorecard panel."""

from __future__ import annotations

import pytest

from mapapp.data.bathymetry import open_grid
from mapapp.economics.claims import scorecard
from mapapp.economics.estimate import estimate_for_route
from mapapp.render.report import ReportOptions, build_figure, scorecard_height
from mapapp.routes.presets import get_preset


@pytest.fixture(scope="module")
def card():
    r = get_preset("dmitriev-2025")
    return scorecard(estimate_for_route(r, open_grid(), band=False), r)


def test_panel_draws_one_card_per_claim(card):
    r = get_preset("dmitriev-2025")
    g = open_grid()
    fig0, lay0 = build_figure([r], g, ReportOptions(dpi=40, size_in=(10, 9)))
    fig1, lay1 = build_figure([r], g, ReportOptions(dpi=40, size_in=(10, 9)), scorecards=[card])
    assert len(fig1.axes) == len(fig0.axes) + 1
    texts = "\n".join(lay1.texts)
    assert "Claims vs the model" in texts and "Claims vs the model" not in "\n".join(lay0.texts)
    for c in card.claims:
        assert c.verdict in texts
    assert "< US$8 bn (2025 prices)" in texts
    # the map gives up exactly the panel's height (1.25 in per route)
    h0, h1 = fig0.axes[0].get_position().height, fig1.axes[0].get_position().height
    assert (h0 - h1) * 9 == pytest.approx(scorecard_height([card]), abs=1e-6)


def test_routes_without_claims_add_no_panel():
    assert scorecard_height([{"claims": []}]) == 0.0
    assert scorecard_height(None) == 0.0
