"""ReportOptions: the report figure's options as one checked value; typed tunnel results in
the figure and the exports."""

from __future__ import annotations

import dataclasses
import json

import matplotlib
import pytest

from mapapp.core.errors import InputError, MapAppError
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.tunnel import tunnel_for_route
from mapapp.io import export
from mapapp.render.report import ReportOptions, build_figure, render_report
from mapapp.routes.route import Route

ROUTE = Route.from_coords("direct", "Direct", [(-169.6519, 66.0792), (-168.0847, 65.5964)])


@pytest.mark.parametrize("kw, words", [
    ({"dpi": 601}, "DPI 601 is out of range: choose 30–600"),
    ({"dpi": 29}, "DPI 29 is out of range: choose 30–600"),
    ({"dpi": 72.5}, "DPI must be a whole number, got 72.5"),
    ({"dpi": "many"}, "DPI must be a whole number, got 'many'"),
    ({"dpi": True}, "DPI must be a whole number, got True"),
    ({"size_in": (5, 4)}, "figure size 5 × 4 in is out of range"),
    ({"size_in": "big"}, "figure size 'big' must be two numbers"),
    ({"bbox": "1,2,3"}, "must be four numbers W,S,E,N"),
    ({"bbox": "-200,60,-160,65"}, "longitude"),
    ({"land_source": "google"}, "coastline 'google' is not one of gshhg, osm"),
])
def test_bad_options_are_refused_with_one_sentence(kw, words):
    with pytest.raises(MapAppError) as info:
        ReportOptions(**kw)
    assert isinstance(info.value, InputError)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_options_are_frozen_normalised_and_keep_the_box_as_given():
    o = ReportOptions(dpi=300.0, size_in=[12, 9], bbox="175,64,-175,68")
    assert (o.dpi, type(o.dpi), o.size_in) == (300, int, (12.0, 9.0))
    assert o.bbox == "175,64,-175,68" and o.box == (175.0, 64.0, 185.0, 68.0)  # across 180°
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.dpi = 100
    # replace() checks again and does not parse the (unwrapped) box twice
    assert dataclasses.replace(o, title="T").box == (175.0, 64.0, 185.0, 68.0)


def test_the_old_keywords_give_the_same_figure_as_options():
    grid = open_grid()
    opts = ReportOptions(dpi=40, size_in=(8, 6), title="Same", places=False, date="2026-01-02")
    with matplotlib.rc_context({"svg.hashsalt": "same"}):  # SVG ids from a fixed salt
        new = render_report([ROUTE], grid, opts, fmt="svg")
        old = render_report([ROUTE], grid, fmt="svg", dpi=40, size_in=(8, 6), title="Same",
                            places=False, date="2026-01-02")
    assert new == old
    # a keyword beside options overrides that field only
    _, lay = build_figure([ROUTE], grid, opts, dpi=50)
    assert (lay.dpi, lay.figsize_in) == (50, (8.0, 6.0))


def test_unknown_keywords_and_non_options_are_programming_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        render_report([ROUTE], open_grid(), colour="red")
    with pytest.raises(TypeError, match="takes a ReportOptions, not int"):
        build_figure([ROUTE], open_grid(), 200)


def test_the_figure_takes_tunnel_results_not_dicts():
    grid = open_grid()
    res = tunnel_for_route(ROUTE, grid)
    opts = ReportOptions(dpi=40, size_in=(8, 7), profile=True)
    _, lay = build_figure([ROUTE], grid, opts, tunnels={"direct": res})
    assert "Tunnel crown" in lay.texts
    flat = {**res.to_dict(), "alignment": res.alignment.to_dict("list")}
    with pytest.raises(TypeError, match=r"tunnels\['direct'\] must be a TunnelResult, not dict"):
        build_figure([ROUTE], grid, opts, tunnels={"direct": flat})


def test_exports_take_typed_tunnel_results_not_dicts():
    res = tunnel_for_route(ROUTE, open_grid())
    doc = json.loads(export.tunnel_json_bytes({"direct": res}, routes=[ROUTE]))
    tun = doc["routes"][0]["tunnel"]
    assert tun["tunnel_length_km"] == pytest.approx(res.tunnel_length_m / 1000.0, rel=1e-12)
    assert tun["route_id"] == "direct"
    with pytest.raises(TypeError, match="TunnelResult, a ProgrammeEstimate or TunnelFigures, not dict"):
        export.geojson_bytes([ROUTE], tunnels={"direct": res.to_dict()})
    # figures already made plain go through the named adapter, unchanged
    fc = json.loads(export.geojson_bytes([ROUTE], tunnels={
        "direct": export.TunnelFigures({"tunnel_length_km": 92.5})}))
    assert fc["features"][0]["properties"]["tunnel"] == {"tunnel_length_km": 92.5}
