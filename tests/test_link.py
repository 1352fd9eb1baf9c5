"""The whole link (mapapp.link): solver on synthetic grids, real paths, costs, CLI, exports."""

import contextlib
import csv
import doctest
import importlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from mapapp.core.errors import InputError
from mapapp.link import data as ldata
from mapapp.link.model import compute_link, side_of
from mapapp.link.solve import LinkWeights, NoPathError, least_cost_path
from mapapp.link.surface import Surface, to_lonlat
from mapapp.routes.presets import get_preset

REPO = Path(__file__).resolve().parents[1]
GEOD = pyproj.Geod(ellps="WGS84")


def _grades(surface, cells):
    """Grade of each move, computed here from the cell indices and elevations."""
    out = []
    for (r0, c0), (r1, c1) in zip(cells[:-1], cells[1:], strict=False):
        step = surface.cell_m * math.sqrt((r1 - r0) ** 2 + (c1 - c0) ** 2)
        out.append(abs(surface.elev[r1, c1] - surface.elev[r0, c0]) / step)
    return out


# ------------------------------------------------------------------------- synthetic grids
def _valley_surface():
    """40 × 60 cells of 1 km: a 1,000 m plateau cut by a flat valley in rows 28–31, plains
    in columns 0–3 and 56–59. The plateau's edge is a 1,000 m step (grade 1 between cells),
    so the only way across within any rail grade is the valley."""
    z = np.full((40, 60), 1000.0)
    z[:, :4] = 0.0
    z[:, 56:] = 0.0
    z[28:32, :] = 0.0
    return Surface.synthetic(z, cell_m=1000.0)


def test_synthetic_valley_holds_the_path():
    s = _valley_surface()
    p = least_cost_path(s, [(5, 0), (5, 59)], LinkWeights(ruling_grade=0.0125))
    cells = [tuple(map(int, rc)) for rc in p.cells]
    assert cells[0] == (5, 0) and cells[-1] == (5, 59)
    across = [r for r, c in cells if 4 <= c <= 55]
    assert across and all(28 <= r <= 31 for r in across)
    assert max(_grades(s, cells)) <= 0.0125


def test_gentle_valley_is_preferred_over_a_ridge_line():
    """A ridge along row 10 rising 8 m per column (8 ‰ grade) and falling back; a flat valley
    along row 20. The ridge line is allowed (8 ‰ < 12.5 ‰) but costs 1 + 8/12.5 per metre;
    the valley detour of 2 × 10 diagonal-ish cells is cheaper over 60 columns."""
    z = np.zeros((25, 61))
    ramp = np.concatenate([np.arange(31) * 8.0, (29 - np.arange(30)) * 8.0 + 8.0])
    for r in range(25):
        z[r, :] = ramp * max(0.0, 1.0 - abs(r - 10) / 6.0)
    s = Surface.synthetic(z, cell_m=1000.0)
    p = least_cost_path(s, [(10, 0), (10, 60)], LinkWeights(ruling_grade=0.0125))
    rows = [int(r) for r, c in p.cells if 20 <= c <= 40]
    assert all(abs(r - 10) >= 5 for r in rows)  # off the ridge where it is highest
    assert max(_grades(s, p.cells.tolist())) <= 0.0125


def test_steeper_than_ruling_grade_is_never_taken():
    z = np.array([[0.0, 20.0, 40.0]])  # 20 m per 1 km cell = 20 ‰
    s = Surface.synthetic(z, cell_m=1000.0)
    with pytest.raises(NoPathError, match="ruling grade of 12.5"):
        least_cost_path(s, [(0, 0), (0, 2)], LinkWeights(ruling_grade=0.0125))
    p = least_cost_path(s, [(0, 0), (0, 2)], LinkWeights(ruling_grade=0.025))
    assert p.cells.tolist() == [[0, 0], [0, 1], [0, 2]]
    # cost: 2 moves of 1 km at grade 20 ‰ with weight 1: 2 × 1000 × (1 + 20/25)
    assert p.cost == pytest.approx(2 * 1000.0 * (1 + 0.020 / 0.025))


def test_vias_are_visited_in_order_on_a_flat_grid():
    s = Surface.synthetic(np.zeros((20, 20)), cell_m=1000.0)
    req = [(0, 0), (19, 0), (0, 19), (19, 19)]
    p = least_cost_path(s, req, LinkWeights())
    assert [tuple(p.cells[i]) for i in p.leg_ends] == req
    assert sorted(p.leg_ends) == p.leg_ends


def test_sea_and_river_crossings():
    allowed = np.ones((5, 9), bool)
    allowed[:, 4] = False
    allowed[4, 4] = True  # one land bridge at the bottom row
    river = np.zeros((5, 9), bool)
    river[:, 6] = True
    s = Surface.synthetic(np.zeros((5, 9)), cell_m=1000.0, allowed=allowed, river=river)
    p = least_cost_path(s, [(0, 0), (0, 8)], LinkWeights(river_crossing_m=5000.0))
    assert all(allowed[r, c] for r, c in p.cells)
    assert (4, 4) in [tuple(rc) for rc in p.cells]
    # cost: 4 km down/right to the bridge and back up, at least 8 cells east, plus one crossing
    assert p.cost >= 8 * 1000.0 + 5000.0 - 1e-6


def test_bad_weights_are_refused_with_a_sentence():
    with pytest.raises(InputError, match="ruling grade must be between 0.1 ‰ and 200 ‰"):
        LinkWeights(ruling_grade=0.5)
    with pytest.raises(InputError, match="must be a number"):
        LinkWeights(grade_weight="steep")


# ------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def link_default():
    return compute_link(get_preset("dmitriev-2025"))


@pytest.fixture(scope="module")
def link_vias():
    return compute_link(get_preset("dmitriev-2025"), vias=["Magadan", "Anadyr", "Nome"])


def _land_polygons():
    df = pyogrio.read_dataframe(REPO / "geodata" / "wide" / "gshhg_high_ne_asia_alaska.geojson")
    land = shapely.union_all(df[df["level"] == 1].geometry.values)
    lakes = shapely.union_all(df[df["level"] == 2].geometry.values)
    return land, lakes


def test_real_paths_stay_on_land_and_under_the_ruling_grade(link_default, link_vias):
    land, lakes = _land_polygons()
    for res in (link_default, link_vias):
        for p in res.paths:
            s = p.surface
            cells = p.cells.cells
            assert s.allowed[cells[:, 0], cells[:, 1]].all()
            xy = s.xy_of_many(cells)
            lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
            on_land = shapely.contains_xy(land, lon, lat) & ~shapely.contains_xy(lakes, lon, lat)
            assert on_land.all(), f"{p.railhead.name}: {np.count_nonzero(~on_land)} cells at sea"
            assert max(_grades(s, cells.tolist())) <= res.weights.ruling_grade + 1e-12


def test_real_paths_are_no_shorter_than_the_geodesic(link_default):
    by_side = {p.side: p for p in link_default.paths}
    assert set(by_side) == {"russia", "north_america"}
    for p in link_default.paths:
        _, _, d = GEOD.inv(p.railhead.lon, p.railhead.lat, p.portal.lon, p.portal.lat)
        assert p.geodesic_km == pytest.approx(d / 1000.0, abs=1e-6)
        assert p.length_km >= p.geodesic_km
    # the fact base's derived great circles: Uelen–Nizhny Bestyakh 2,862 km, Wales–Fairbanks
    # 952 km; the portals lie a few km from Uelen and Wales
    assert by_side["russia"].geodesic_km == pytest.approx(2862, abs=20)
    assert by_side["north_america"].geodesic_km == pytest.approx(952, abs=10)


def test_real_vias_in_order(link_vias):
    for p in link_vias.paths:
        names = [w.name for w in p.route.waypoints if w.name]
        want = {"russia": ["Nizhny Bestyakh", "Magadan", "Anadyr"],
                "north_america": ["Fairbanks", "Nome"]}[p.side]
        assert names[:len(want)] == want
        assert p.route.waypoints[-1].name == p.portal.name
        ends = p.cells.leg_ends
        assert ends == sorted(ends) and len(ends) == len(want) + 1


def test_path_over_180_is_continuous_and_geojson_is_cut(link_default):
    from mapapp.render.linkmap import display_lons, link_export_bytes

    ru = next(p for p in link_default.paths if p.side == "russia")
    lons = ru.route.lons
    assert lons.min() < -180.0 < lons.max()  # passes 180° in continuous longitudes
    assert np.abs(np.diff(lons)).max() < 20.0  # a jump over the world would be ~360°
    shown = display_lons(lons)
    assert 120 < shown.min() and shown.max() < 200 and np.abs(np.diff(shown)).max() < 20.0
    # the whole line Nizhny Bestyakh → strait → Fairbanks, in display longitudes
    na = next(p for p in link_default.paths if p.side == "north_america")
    whole = np.concatenate([display_lons(ru.route.lons),
                            display_lons(link_default.strait_route.lons),
                            display_lons(na.route.lons[::-1])])
    assert np.abs(np.diff(whole)).max() < 20.0 and 120 < whole.min() and whole.max() < 215
    fc = json.loads(link_export_bytes(link_default, "geojson"))
    feat = next(f for f in fc["features"] if f["id"] == ru.route.id)
    assert feat["geometry"]["type"] == "MultiLineString"
    a, b = feat["geometry"]["coordinates"]
    assert a[-1][0] == 180.0 and b[0][0] == -180.0 and a[-1][1] == b[0][1]
    for part in (a, b):
        assert all(-180.0 <= x <= 180.0 for x, _ in part)
    assert feat["properties"]["link"]["side"] == "russia"


def test_every_export_format_reads_back(link_default, tmp_path):
    import gpxpy

    from mapapp.io.routeio import read_routes
    from mapapp.render.linkmap import link_export_bytes

    for fmt in ("geojson", "kml", "gpx", "gpkg", "csv"):
        path = tmp_path / f"link.{fmt}"
        path.write_bytes(link_export_bytes(link_default, fmt))
        if fmt == "gpx":
            assert len(gpxpy.parse(path.read_text()).routes) == 3
            continue
        routes = read_routes(path)
        assert len(routes) == 3, fmt
        lengths = sorted(round(r.length_m() / 1000) for r in routes)
        want = sorted(round(p.length_km) for p in link_default.paths)
        assert all(any(abs(v - w) <= 1 for v in lengths) for w in want), (fmt, lengths, want)


# ------------------------------------------------------------------------- money
def _cpi():
    path = REPO / "geodata" / "economics" / "cpi_u_annual.csv"
    rows = [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]
    return {int(r["year"]): float(r["index"]) for r in csv.DictReader(rows)}


def test_cost_range_recomputed_from_the_data_files(link_default):
    doc = json.loads((REPO / "geodata" / "railheads" / "railheads.json").read_text())
    cpi = _cpi()
    base = link_default.base_year
    per_km = []
    for r in doc["reference_railways"]:
        usd = r["usd_equivalent"]
        lo, hi = (usd, usd) if not isinstance(usd, list) else usd
        f = cpi[base] / cpi[r["price_year"]]
        per_km += [lo / r["length_km"] * f, hi / r["length_km"] * f]
    for p in link_default.paths:
        c = p.cost
        assert c.currency == "USD" and c.price_year == base
        assert c.low == pytest.approx(p.length_km * min(per_km) / 1e9, rel=1e-9)
        assert c.high == pytest.approx(p.length_km * max(per_km) / 1e9, rel=1e-9)
        # schedule: 222 km/yr (Qinghai–Tibet) and 24 km/yr (Amur–Yakutsk average)
        assert p.schedule_years == pytest.approx((p.length_km / 222, p.length_km / 24))


# ------------------------------------------------------------------------- CLI
def _cli(*argv):
    from mapapp.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_json_has_the_issue_fields(link_default, tmp_path):
    out_file = tmp_path / "link.geojson"
    code, out, err = _cli("link", "dmitriev-2025", "--json", "--out", str(out_file))
    assert code == 0, err
    d = json.loads(out)
    assert [p["side"] for p in d["paths"]] == ["russia", "north_america"]
    for p in d["paths"]:
        for key in ("railhead", "side", "length_km", "geodesic_km", "cost_busd", "published"):
            assert key in p
        assert set(p["cost_busd"]) >= {"low", "high", "price_year"}
        assert p["cost_busd"]["currency"] == "USD" and p["cost_busd"]["low"] < p["cost_busd"]["high"]
        assert p["published"] and all(x["sources"] for x in p["published"])
        assert p["length_km"] >= p["geodesic_km"]
    assert d["paths"][0]["railhead"] == "nizhny-bestyakh"
    assert any(x["low_km"] == 3500 for x in d["paths"][0]["published"])
    fc = json.loads(out_file.read_text())
    assert {f["properties"]["kind"] for f in fc["features"]} == {"connecting_railway", "route"}
    # the whole link adds the preset's claimed crossing (read from the presets file) to the
    # connecting railways' range
    presets = json.loads((REPO / "geodata" / "presets" / "routes.json").read_text())
    claim = next(r for r in presets["routes"] if r["id"] == "dmitriev-2025")["claims"]
    lows = sum(p["cost_busd"]["low"] for p in d["paths"])
    highs = sum(p["cost_busd"]["high"] for p in d["paths"])
    whole = d["totals"]["whole_link"]
    assert whole["low"] == pytest.approx(claim["cost_busd"]["value"] + lows, abs=0.02)
    assert whole["high"] == pytest.approx(claim["cost_busd"]["value"] + highs, abs=0.02)
    assert whole["price_year"] == d["base_year"] and whole["currency"] == "USD"


def test_cli_errors_are_one_line():
    code, _, err = _cli("link", "dmitriev-2025", "--from", "vladivostok")
    assert code == 2 and err.startswith("error: unknown railhead") and err.count("\n") == 1
    code, _, err = _cli("link", "dmitriev-2025", "--from", "hay-river")
    assert code == 2 and "outside the wide-area data" in err
    code, _, err = _cli("link", "dmitriev-2025", "--via", "Atlantis")
    assert code == 2 and "unknown via place" in err
    code, _, err = _cli("link", "dmitriev-2025", "--grade", "1")
    assert code == 2 and "no path" in err


def test_render_with_link_inset(link_default):
    from mapapp.data.bathymetry import open_grid
    from mapapp.render.report import ReportOptions, render_report

    data, lay = render_report([link_default.strait_route], open_grid(), ReportOptions(dpi=60),
                              return_layout=True, link=link_default)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert any(t.startswith("Whole link:") and "prices" in t for t in lay.texts)
    assert any(t.startswith("Nizhny Bestyakh:") for t in lay.texts)


# ------------------------------------------------------------------------- data & docs
def test_railheads_have_sources_and_sides():
    for r in ldata.railheads().values():
        assert r.sources and all(s.startswith("http") for s in r.sources)
        assert side_of(r.lon) == r.side
    for p in ldata.places().values():
        assert p.sources


@pytest.mark.parametrize("name", ["mapapp.link.data", "mapapp.link.surface",
                                  "mapapp.link.solve", "mapapp.link.model",
                                  "mapapp.link.costs", "mapapp.render.linkmap"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_link_core_imports_no_streamlit():
    import subprocess
    import sys

    code = ("import sys, mapapp.link.model, mapapp.render.linkmap, "
            "mapapp.cli.link_cmd; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True)
    assert out.stdout.strip() == "False"


def test_no_go_zone_diverts_the_path(link_default):
    na = next(p for p in link_default.paths if p.side == "north_america")
    # a 1°-wide band from 62°N to 66°N across the middle of the free path
    mid = na.route.lons[len(na.route.lons) // 2] % 360.0
    zone = shapely.box(mid - 0.5, 62.0, mid + 0.5, 66.0)
    res = compute_link(get_preset("dmitriev-2025"), railheads=["fairbanks"], no_go=[zone])
    p = res.paths[0]
    xy = p.surface.xy_of_many(p.cells.cells)
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    assert not shapely.contains_xy(zone, lon, lat).any()
    assert p.length_km > na.length_km  # the detour is longer than the free path


def test_scorecard_labels_the_crossing_alone_and_the_whole_link(link_default):
    from mapapp.ui.link_panel import scorecard_rows

    rows = scorecard_rows(link_default)
    parts = [r["Part"] for r in rows]
    assert parts[-2] == "Strait crossing alone (as claimed)"
    assert parts[-1] == "Whole link: strait crossing as claimed + connecting railways"
    assert parts[-3] == "Connecting railways, all paths (this model)"
    total_km = sum(p.length_km for p in link_default.paths)
    assert rows[-3]["Length (km)"] == round(total_km)
    strait_km = GEOD.line_length(link_default.strait_route.lons, link_default.strait_route.lats)
    assert rows[-1]["Length (km)"] == round(total_km + strait_km / 1000.0)
    assert all("prices" in r["Cost"] for r in rows if r["Part"].startswith("Connecting"))


def test_kolyma_corridor_section_is_near_the_published_length():
    """Nizhny Bestyakh → Magadan through the highway's towns against the published 1,979 km
    plan (railheads.md §B): the 5′ relief makes model lengths short, but not by a third."""
    res = compute_link(get_preset("dmitriev-2025"), railheads=["nizhny-bestyakh"],
                       vias=["Khandyga", "Ust-Nera", "Susuman", "Magadan"])
    w = res.paths[0].route.waypoints
    k = next(i for i, x in enumerate(w) if x.name == "Magadan")
    km = GEOD.line_length([x.lon for x in w[:k + 1]], [x.lat for x in w[:k + 1]]) / 1000.0
    assert 0.7 * 1979 < km < 1.1 * 1979
    assert [x.name for x in w if x.name][:5] == ["Nizhny Bestyakh", "Khandyga", "Ust-Nera",
                                                 "Susuman", "Magadan"]
