"""Least-cost alignment (mapapp.engineering.optimise) on synthetic rasters whose optimum is known, and on
the embedded ETOPO5 grid.

Synthetic grids are written here with rasterio (tests only). Known optima:

* uniform sea: the geodesic, cost (1 + 0.01 × depth) × its length;
* a 3000 m deep trench with a shallow gap: the shortest path through the gap, around its
  corners (plane geometry in the strait LAEA, where the grid is defined);
* a no-go rectangle across the straight line: the shorter chain of the convex hull of the
  two points and the (projected) rectangle.
"""

from __future__ import annotations

import doctest
import json
import math

import numpy as np
import pyproj
import pytest
import shapely

import mapapp.engineering.optimise as opt
from mapapp.core.errors import InputError
from mapapp.core.geodesy import STRAIT_CRS, densify, distance, geodesic_length
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.optimise import (
    CostWeights,
    no_go_polygons,
    optimise_route,
    read_no_go,
    route_cost,
)
from mapapp.routes.route import Route
from tests.conftest import write_grid

TO_XY = pyproj.Transformer.from_crs("EPSG:4326", STRAIT_CRS, always_xy=True)
TO_LL = pyproj.Transformer.from_crs(STRAIT_CRS, "EPSG:4326", always_xy=True)


def ll(x_km, y_km):
    """(lon, lat) of a point given in STRAIT_CRS kilometres."""
    lon, lat = TO_LL.transform(x_km * 1000.0, y_km * 1000.0)
    return (float(lon), float(lat))


@pytest.fixture
def uniform(tmp_path):
    """40 m of water everywhere, lon -171..-167, lat 64.5..66.5, 30″ pixels (EPSG:4326)."""
    data = np.full((240, 480), -40.0, dtype="float32")
    return open_grid(write_grid(tmp_path / "flat.tif", data, west=-171.0, north=66.5,
                                res=1 / 120))


@pytest.fixture
def trench(tmp_path):
    """Projected (STRAIT_CRS) 250 m grid, x -60..60 km, y -40..40 km: 50 m of water, and a
    3000 m trench |x| < 5 km except for a 50 m deep gap 15 km < y < 25 km."""
    x = -60_000 + (np.arange(480) + 0.5) * 250.0
    y = 40_000 - (np.arange(320) + 0.5) * 250.0
    xx, yy = np.meshgrid(x, y)
    deep = (np.abs(xx) < 5000) & ~((yy > 15_000) & (yy < 25_000))
    data = np.where(deep, -3000.0, -50.0).astype("float32")
    return open_grid(write_grid(tmp_path / "trench.tif", data, west=-60_000, north=40_000,
                                res=250.0, crs=STRAIT_CRS.to_wkt()))


def planar_km(lons, lats) -> float:
    x, y = TO_XY.transform(np.asarray(lons), np.asarray(lats))
    return float(np.hypot(np.diff(x), np.diff(y)).sum()) / 1000.0


# ----------------------------------------------------------------------------- cost function
def test_cost_per_metre_terms():
    w = CostWeights(sea_per_m=2.0, depth_per_m=0.02, land_per_m=0.5)
    assert w.per_m([0.0, 100.0, 100.0, -5.0], [False, False, True, False]).tolist() == [
        2.0, 4.0, 0.5, 2.0]


@pytest.mark.parametrize("kw", [{"sea_per_m": 0}, {"land_per_m": -1}, {"depth_per_m": "x"},
                                {"depth_per_m": math.inf}])
def test_bad_weights_are_input_errors(kw):
    with pytest.raises(InputError, match="cost weight"):
        CostWeights(**kw)


def test_route_cost_integrates_each_term(tmp_path):
    # sea (40 m deep) west of -169°, land (+20 m) east of it, 0.01° pixels; land from the grid
    lon = -170.5 + (np.arange(300) + 0.5) * 0.01
    row = np.where(lon < -169.0, -40.0, 20.0).astype("float32")
    grid = open_grid(write_grid(tmp_path / "half.tif", np.tile(row, (100, 1)), west=-170.5,
                                north=66.0, res=0.01))
    r = Route.from_coords("t", "T", [(-170.0, 65.5), (-168.0, 65.5)])
    w = CostWeights(sea_per_m=1.0, depth_per_m=0.01, land_per_m=0.5)
    c = route_cost(r, grid, w, land="grid", step_m=20.0)
    # the 0 m contour lies 2/3 of a pixel east of the last sea pixel centre (bilinear)
    edge = -169.005 + 0.01 * 40 / 60
    sea_km = float(distance(-170.0, 65.5, edge, 65.5)) / 1000
    land_km = r.length_m() / 1000 - sea_km
    assert c.length_km == pytest.approx(r.length_m() / 1000, abs=1e-6)
    assert c.sea_km == pytest.approx(sea_km, abs=0.03)
    assert c.land_km == pytest.approx(land_km, abs=0.03)
    assert c.sea == pytest.approx(c.sea_km) and c.land == pytest.approx(0.5 * c.land_km)
    assert c.depth == pytest.approx(0.01 * 40 * c.sea_km, rel=0.005)
    assert c.total == pytest.approx(c.sea + c.depth + c.land)
    assert c.mean_depth_m == pytest.approx(40, abs=0.3) and c.feasible


# ----------------------------------------------------------------------------- known optima
def test_uniform_sea_gives_the_geodesic(uniform):
    a, b = (-170.6, 64.8), (-167.4, 66.2)
    res = optimise_route(a, b, grid=uniform, land=None)
    geo = float(distance(*a, *b))
    assert res.route.length_m() == pytest.approx(geo, rel=0.01)
    assert res.cost.total == pytest.approx(1.4 * geo / 1000, rel=0.01)
    assert res.cost.total <= res.straight.total * 1.0001
    # the 8-neighbour cell path itself is longer (≤ 8.3 % for any direction) but never shorter
    assert 1.4 * geo / 1000 * 0.999 <= res.grid_cost <= 1.4 * geo / 1000 * 1.083
    assert res.route.origin == "optimised" and res.route.mode == "rail"
    assert res.route.waypoints[0].lon == pytest.approx(a[0])
    assert res.route.waypoints[-1].lat == pytest.approx(b[1])


def test_trench_forces_the_detour_through_the_gap(trench):
    a, b = ll(-50, -10), ll(50, -10)
    res = optimise_route(a, b, grid=trench, land=None)
    optimum_km = 2 * math.hypot(45, 25) + 10  # A → (-5, 15) → (5, 15) → B
    assert planar_km(res.route.lons, res.route.lats) == pytest.approx(optimum_km, rel=0.01)
    assert res.cost.total == pytest.approx(1.5 * optimum_km, rel=0.01)
    # it really goes through the gap: every point with |x| < 5 km has 15 < y < 25 km
    d = densify(res.route.lons, res.route.lats, 50)
    x, y = TO_XY.transform(d.lons, d.lats)
    inside = np.abs(x) < 4800
    assert inside.any() and (y[inside] > 14_800).all() and (y[inside] < 25_200).all()
    # the straight line crosses 10 km of trench: (1 + 30) × 10 + 1.5 × 90 = 445 eq. km
    assert res.straight.total == pytest.approx(445, rel=0.01)
    assert res.saving_pct == pytest.approx(100 * (445 - 1.5 * optimum_km) / 445, abs=1.0)


def test_trench_with_depth_ignored_is_the_straight_line(trench):
    a, b = ll(-50, -10), ll(50, -10)
    res = optimise_route(a, b, grid=trench, land=None, weights=CostWeights(depth_per_m=0))
    assert res.route.length_m() == pytest.approx(float(distance(*a, *b)), rel=0.001)


def hull_path_km(a, b, poly) -> float:
    """Shortest way from a to b around a convex obstacle: the shorter hull chain (km)."""
    pa, pb = shapely.Point(TO_XY.transform(*a)), shapely.Point(TO_XY.transform(*b))
    ring = shapely.transform(shapely.segmentize(poly, 0.005),
                             lambda c: np.column_stack(TO_XY.transform(c[:, 0], c[:, 1])))
    hull = shapely.convex_hull(shapely.GeometryCollection([pa, pb, ring]))
    pts = np.asarray(hull.exterior.coords)[:-1]
    ia = int(np.argmin(np.hypot(*(pts - [pa.x, pa.y]).T)))
    ib = int(np.argmin(np.hypot(*(pts - [pb.x, pb.y]).T)))
    n = len(pts)

    def chain(i, j):
        idx = [i]
        while idx[-1] != j:
            idx.append((idx[-1] + 1) % n)
        p = pts[idx]
        return float(np.hypot(*np.diff(p, axis=0).T).sum())

    return min(chain(ia, ib), chain(ib, ia)) / 1000.0


def test_no_go_zone_is_never_entered(uniform):
    a, b = (-170.5, 65.5), (-167.5, 65.5)
    box = shapely.box(-169.2, 65.3, -168.8, 65.9)
    res = optimise_route(a, b, grid=uniform, land=None, no_go=[box])
    d = densify(res.route.lons, res.route.lats, 20)
    assert not shapely.contains_xy(box, d.lons, d.lats).any()
    assert not shapely.intersects(box, res.route.geometry())
    best = hull_path_km(a, b, box)
    assert planar_km(res.route.lons, res.route.lats) == pytest.approx(best, rel=0.01)
    assert res.cost.total == pytest.approx(1.4 * best, rel=0.01)
    assert res.cost.no_go_km == 0 and res.straight.no_go_km == pytest.approx(18.5, abs=0.1)  # box width
    assert not res.straight.feasible and "not allowed" in " ".join(res.warnings)
    # it goes round the near (south) side
    assert min(res.route.lats) < 65.3


def test_no_go_from_drawn_features_and_multipolygons(uniform):
    feat = {"type": "Feature", "properties": {},
            "geometry": shapely.geometry.mapping(shapely.box(-169.2, 65.3, -168.8, 65.9))}
    multi = shapely.MultiPolygon([shapely.box(-170.2, 65.0, -170.0, 65.2),
                                  shapely.box(-168.2, 65.6, -168.0, 66.0)])
    zones = no_go_polygons([feat, multi])
    assert len(zones) == 3
    res = optimise_route((-170.5, 65.5), (-167.5, 65.5), grid=uniform, land=None,
                         no_go=[feat, multi], cell_m=800)
    d = densify(res.route.lons, res.route.lats, 20)
    for z in zones:
        assert not shapely.contains_xy(z, d.lons, d.lats).any()


def corridor_km_of(res, a, b):
    line = densify([a[0], b[0]], [a[1], b[1]], 500)
    ls = shapely.LineString(np.column_stack(TO_XY.transform(line.lons, line.lats)))
    d = densify(res.route.lons, res.route.lats, 50)
    x, y = TO_XY.transform(d.lons, d.lats)
    return float(shapely.distance(ls, shapely.points(x, y)).max()) / 1000.0


def test_corridor_is_respected(uniform):
    a, b = (-170.5, 65.5), (-167.5, 65.5)
    tall = shapely.box(-169.2, 65.3, -168.8, 66.4)  # 22 km below the line, 100 km above
    res = optimise_route(a, b, grid=uniform, land=None, no_go=[tall], corridor_km=30)
    assert corridor_km_of(res, a, b) <= 30.001
    assert min(res.route.lats) < 65.3 and max(res.route.lats) < 65.6
    with pytest.raises(InputError, match="no allowed path"):
        optimise_route(a, b, grid=uniform, land=None, no_go=[tall], corridor_km=15)


def test_narrow_corridor_hugs_the_straight_line(trench):
    a, b = ll(-50, -10), ll(50, -10)
    res = optimise_route(a, b, grid=trench, land=None, corridor_km=3)
    assert corridor_km_of(res, a, b) <= 3.001
    assert res.route.length_m() == pytest.approx(float(distance(*a, *b)), rel=0.002)


def test_via_points_are_visited_in_order(uniform):
    pts = [(-170.5, 65.0, "A"), (-169.5, 66.2, "V1"), (-168.5, 64.8, "V2"), (-167.5, 66.0, "B")]
    res = optimise_route(pts[0], pts[-1], via=pts[1:3], grid=uniform, land=None, cell_m=800)
    wps = res.route.waypoints
    named = [(i, w) for i, w in enumerate(wps) if w.name]
    assert [w.name for _, w in named] == ["A", "V1", "V2", "B"]
    assert [i for i, _ in named] == sorted(i for i, _ in named)
    for (_, w), p in zip(named, pts, strict=True):
        assert (w.lon, w.lat) == pytest.approx(p[:2], abs=1e-9)
    # uniform cost: each leg is its geodesic
    through = geodesic_length([p[0] for p in pts], [p[1] for p in pts])
    assert res.route.length_m() == pytest.approx(through, rel=0.001)
    assert res.direct.total == pytest.approx(res.cost.total, rel=0.001)
    assert res.straight.length_km < res.direct.length_km


def test_progress_is_reported_from_0_to_1(uniform):
    seen = []
    optimise_route((-170.5, 65.5), (-167.5, 65.6), grid=uniform, land=None, cell_m=1000,
                   progress=lambda f, m: seen.append((f, m)))
    fr = [f for f, _ in seen]
    assert fr[0] == 0.0 and fr[-1] == 1.0 and fr == sorted(fr)
    assert all(isinstance(m, str) and m for _, m in seen)


def test_cell_size_and_grid_shape(uniform):
    res = optimise_route((-170.5, 65.5), (-167.5, 65.6), grid=uniform, land=None, cell_m=1000)
    assert res.cell_m == 1000 and res.n_cells == res.grid_shape[0] * res.grid_shape[1]
    auto = optimise_route((-170.5, 65.5), (-167.5, 65.6), grid=uniform, land=None,
                          max_cells=20_000)
    assert auto.n_cells <= 20_000 and "enlarged" in " ".join(auto.warnings)


# ----------------------------------------------------------------------------- errors
def test_start_inside_a_no_go_zone(uniform):
    with pytest.raises(InputError, match="start .* inside a no-go zone"):
        optimise_route((-169.0, 65.5), (-167.5, 65.5), grid=uniform, land=None,
                       no_go=[shapely.box(-169.2, 65.3, -168.8, 65.9)])


def test_point_outside_the_grid(uniform):
    with pytest.raises(InputError, match="end .* outside the grid"):
        optimise_route((-170.5, 65.5), (-160.0, 65.5), grid=uniform, land=None)


def test_via_outside_the_corridor(uniform):
    with pytest.raises(InputError, match="via point 1 .* outside the corridor"):
        optimise_route((-170.5, 65.5), (-167.5, 65.5), via=[(-169.0, 66.3)], grid=uniform,
                       land=None, corridor_km=10)


def test_end_walled_off_is_unreachable(uniform):
    ring = shapely.box(-168.2, 65.3, -167.2, 65.7).difference(
        shapely.box(-168.0, 65.4, -167.4, 65.6))
    with pytest.raises(InputError, match="no allowed path from start to end"):
        optimise_route((-170.5, 65.5), (-167.7, 65.5), grid=uniform, land=None, no_go=[ring])


@pytest.mark.parametrize("kw,msg", [
    ({"corridor_km": -1}, "corridor"), ({"cell_m": 0.5}, "cell size"),
    ({"cell_m": 10}, "cells over this window"), ({"mode": "ferry"}, "mode"),
    ({"simplify_m": -3}, "simplification"),
])
def test_bad_parameters(uniform, kw, msg):
    with pytest.raises(InputError, match=msg):
        optimise_route((-170.5, 65.5), (-167.5, 65.6), grid=uniform, land=None, **kw)


def test_point_parsing():
    assert opt.parse_point("-169.5, 65.7").lon == -169.5
    assert opt.parse_point("cape dezhnev").name == "Cape Dezhnev"
    with pytest.raises(InputError, match="neither LON,LAT"):
        opt.parse_point("Atlantis")
    with pytest.raises(InputError, match="latitude"):
        opt.parse_point("65.7,-169.5")


def test_read_no_go_files(tmp_path):
    sq = shapely.box(-169.2, 65.3, -168.8, 65.9)
    gj = tmp_path / "zones.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "z"}, "geometry": shapely.geometry.mapping(sq)},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [-169, 65]}}]}))
    zones = read_no_go(gj)
    assert len(zones) == 1 and zones[0].equals(sq)
    kml = tmp_path / "zones.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>z</name><Polygon><outerBoundaryIs><LinearRing>"
        "<coordinates>-169.2,65.3,0 -168.8,65.3,0 -168.8,65.9,0 -169.2,65.9,0 -169.2,65.3,0"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>")
    (k,) = read_no_go(kml)
    assert k.equals(sq)
    pts = tmp_path / "points.geojson"
    pts.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [-169, 65]}}]}))
    with pytest.raises(InputError, match="no polygons"):
        read_no_go(pts)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="cannot read no-go zones"):
        read_no_go(bad)
    with pytest.raises(InputError, match="not found"):
        read_no_go(tmp_path / "missing.geojson")


def test_non_polygon_zone_is_an_input_error():
    with pytest.raises(InputError, match="LineString"):
        no_go_polygons([{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}])


# ----------------------------------------------------------------------------- real grid
def test_etopo5_dezhnev_to_prince_of_wales():
    res = optimise_route("Cape Dezhnev", "Cape Prince of Wales")
    straight = float(distance(-169.6519, 66.0792, -168.12, 65.64))
    assert straight <= res.route.length_m() <= 1.3 * straight
    assert res.route.name == "Optimised: Cape Dezhnev → Cape Prince of Wales"
    w0, w1 = res.route.waypoints[0], res.route.waypoints[-1]
    assert (w0.name, w1.name) == ("Cape Dezhnev", "Cape Prince of Wales")
    assert (w0.lon, w0.lat, w1.lon, w1.lat) == pytest.approx(
        (-169.6519, 66.0792, -168.12, 65.64))
    assert res.cost.total <= res.straight.total * 1.0001 and res.cost.feasible
    assert 30 < res.cost.mean_depth_m < 60  # the strait is ≈ 50 m deep at most
    assert res.cell_m == opt.AUTO_CELL_CAP_M
    # the result is a normal route: the tunnel model runs on it
    from mapapp.engineering.tunnel import tunnel_for_route

    t = tunnel_for_route(res.route, open_grid())
    assert t.tunnel_length_m > 0.9 * straight
    table = res.compare_with([res.route])
    assert list(table["origin"][:2]) == ["optimised", "straight"]
    assert table["vs_optimised_pct"].iloc[-1] == pytest.approx(0.0, abs=1e-9)


def test_etopo5_via_the_diomedes_stays_out_of_a_zone():
    zone = shapely.box(-168.7, 65.55, -168.4, 65.75)  # across the Little Diomede → CPW line
    res = optimise_route("Cape Dezhnev", "Cape Prince of Wales",
                         via=["Big Diomede", "Little Diomede"], no_go=[zone], mode="road")
    assert [w.name for w in res.route.waypoints if w.name] == [
        "Cape Dezhnev", "Big Diomede", "Little Diomede", "Cape Prince of Wales"]
    d = densify(res.route.lons, res.route.lats, 20)
    assert not shapely.contains_xy(zone, d.lons, d.lats).any()
    assert res.cost.land_km > 5  # crosses both islands
    assert res.route.mode == "road"


@pytest.mark.parametrize("preset_id", ["dmitriev-2025", "ibstrg-1990s"])
def test_etopo5_no_dearer_than_a_preset_between_its_end_points(preset_id):
    from mapapp.routes.presets import get_preset

    p = get_preset(preset_id)
    a, b = p.waypoints[0], p.waypoints[-1]
    res = optimise_route((a.lon, a.lat), (b.lon, b.lat))
    assert res.cost.total <= res.evaluate(p).total
    assert res.cost.total <= res.straight.total


def test_fine_15_arcsecond_grid(tmp_path):
    """A 15″ grid (like GEBCO): the cell follows the grid (≈ 192 m E-W at 65.5°N)."""
    data = np.full((240, 768), -40.0, dtype="float32")
    grid = open_grid(write_grid(tmp_path / "fine.tif", data, west=-170.6, north=66.0,
                                res=1 / 240))
    a, b = (-170.5, 65.5), (-167.5, 65.5)
    box = shapely.box(-169.2, 65.3, -168.8, 65.9)
    res = optimise_route(a, b, grid=grid, land=None, no_go=[box])
    assert res.cell_m == pytest.approx(grid.info.res_m[0]) and 185 < res.cell_m < 200
    d = densify(res.route.lons, res.route.lats, 20)
    assert not shapely.contains_xy(box, d.lons, d.lats).any()
    best = hull_path_km(a, b, box)
    assert res.cost.total == pytest.approx(1.4 * best, rel=0.01)


def test_doctests():
    r = doctest.testmod(opt, optionflags=doctest.ELLIPSIS)
    assert r.attempted > 0 and r.failed == 0


# ----------------------------------------------------------------------------- UI panel
def _panel_app():
    import streamlit as st

    from mapapp.data.bathymetry import default_grid_path
    from mapapp.ui import optimise_panel

    zone = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[-168.7, 65.55], [-168.4, 65.55], [-168.4, 65.75], [-168.7, 65.75], [-168.7, 65.55]]]}}
    line = {"type": "Feature", "properties": {}, "geometry": {
        "type": "LineString", "coordinates": [[-169, 65], [-168, 66]]}}
    route = optimise_panel.panel(str(default_grid_path()), [zone, line],
                                 {"lat": 65.62, "lng": -168.3})
    if route is not None:
        st.session_state["returned"] = route.to_dict()


def test_panel_runs_with_clicked_end_and_drawn_zone():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=120).run()
    assert not at.exception
    assert at.checkbox(key="opt_use_drawn").label.endswith("(1 drawn)")  # the line is no zone
    at.button(key="opt_end_click").click().run()
    assert at.text_input(key="opt_end_text").value == "-168.30000, 65.62000"
    at.button(key="opt_run").click().run()
    assert not at.exception and not at.error
    got = Route.from_dict(at.session_state["returned"])
    assert got.origin == "optimised" and got.name == "Optimised: Cape Dezhnev → 168.300°W 65.620°N"
    assert (got.lons[-1], got.lats[-1]) == pytest.approx((-168.3, 65.62))
    d = densify(got.lons, got.lats, 20)
    assert not shapely.contains_xy(shapely.box(-168.7, 65.55, -168.4, 65.75), d.lons, d.lats).any()
    assert at.success[0].value.endswith("than the straight line, which is not allowed).")
    assert at.code[0].value.startswith("Optimised: Cape Dezhnev")
    # a start inside the zone: one plain error, no route
    at.session_state["returned"] = None
    at.selectbox(key="opt_start_place").set_value("Typed lon, lat …").run()
    at.text_input(key="opt_start_text").set_value("-168.5, 65.6").run()
    at.button(key="opt_run").click().run()
    assert "start (-168.5000, 65.6000) is inside a no-go zone" in at.error[0].value
    assert at.session_state["returned"] is None
