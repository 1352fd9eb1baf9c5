"""The claims scorecard in the app: first thing under the map, one card per claim."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from mapapp.ui.scorecard import _links, card_texts

APP = str(Path(__file__).resolve().parents[1] / "mapapp" / "app.py")


def test_cards_under_the_map_for_the_selected_route():
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [h.value for h in at.subheader]
    assert any(h.startswith("Claims vs the model") for h in heads)
    md = "\n".join(m.value for m in at.markdown).replace("\\", "")
    # the three claims of the default route, each with its verdict in words
    for label in ("Tunnel length", "Cost", "Build time"):
        assert f"**{label}** — claimed" in md
    assert "below the lowest estimate by" in md
    assert "US$8 bn (2025 prices)" in md
    # directly under the map: the map component, then the scorecard's heading
    # (the map and what depends on the selected route are one fragment: one block in the page)
    block = next(b for b in [at.main, *at.main.children.values()]
                 if any(str(getattr(c, "value", "")).startswith("Claims vs the model")
                        for c in getattr(b, "children", {}).values()))
    kinds = [type(c).__name__ for c in block.children.values()]
    values = [str(getattr(c, "value", "")) for c in block.children.values()]
    head = next(i for i, v in enumerate(values) if v.startswith("Claims vs the model"))
    assert kinds[head - 1] == "UnknownElement"  # the folium map (a custom component)
    # the clicked-point line and the "scorecard on the map" box share a row after the cards
    row = next(i for i, c in enumerate(block.children.values())
               if any(str(getattr(m, "value", "")).startswith("Click the map")
                      for m in getattr(c, "children", {}).values()
                      for m in [m, *getattr(m, "children", {}).values()]))
    assert head < row


def test_card_texts_state_currency_and_year():
    t = card_texts({"label": "Cost", "claimed": [7, 15], "bound": None, "unit": "US$ bn",
                    "low": 13.6, "high": None, "price_year": 2025,
                    "verdict": "above the floor — a floor is not an estimate"})
    assert t["claimed"] == "US$7–15 bn (2025 prices)"
    assert t["computed"] == "floor US$13.6 bn (2025 prices) — not an estimate"


def test_source_links_cannot_break_out_of_markdown():
    links = _links(["https://ok.example/a(b)c", "javascript:alert(1)",
                    "http://x/![i](http://evil/b.png)", "ftp://nope"])
    assert "javascript" not in links and "ftp" not in links
    assert "![" not in links.replace("\\!", "")
    assert links.count("](") == 2  # exactly two links, nothing injected
    assert "%28b%29" in links and "%5B" in links
