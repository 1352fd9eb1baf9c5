"""Route metrics against independent values (bering-facts.md §3a/§3b) and analytic land."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from mapapp.core.geodesy import GEOD
from mapapp.data.coastline import load_land
from mapapp.routes.metrics import (
    claims_vs_computed,
    comparison_table,
    diomede_gap_m,
    route_metrics,
    strait_min_width_m,
)
from mapapp.routes.presets import get_preset, load_presets
from mapapp.routes.route import Route

# bering-facts.md §2 coordinates (lon, lat)
DEZHNEV = (-169.6519, 66.0792)
UELEN = (-169.8092, 66.1594)
BIG_D = (-169.0569, 65.7811)
LITTLE_D = (-168.9208, 65.7542)
FAIRWAY = (-168.7426, 65.6253)
CPW_A = (-168.0847, 65.5964)
WALES = (-168.0892, 65.6122)


def km(route):
    return route_metrics(route).length_km


@pytest.mark.parametrize(
    "coords, expected_km",
    [
        ([DEZHNEV, CPW_A], 89.6),
        ([UELEN, WALES], 99.4),
        ([LITTLE_D, FAIRWAY], 16.5),
        ([DEZHNEV, BIG_D], 42.9),
        ([FAIRWAY, CPW_A], 30.5),
        ([DEZHNEV, BIG_D, LITTLE_D, CPW_A], 92.1),
        ([UELEN, BIG_D, LITTLE_D, WALES], 102.6),
    ],
)
def test_lengths_match_the_independent_table(coords, expected_km):
    # §3b values were computed independently (Vincenty), rounded to 0.1 km
    assert km(Route.from_coords("t", "T", coords)) == pytest.approx(expected_km, abs=0.05)


def test_legs_straight_and_sinuosity():
    m = route_metrics(Route.from_coords("t", "T", [DEZHNEV, BIG_D, LITTLE_D, CPW_A]))
    assert [round(x, 1) for x in m.legs_km] == [42.9, 6.9, 42.3]
    assert m.straight_km == pytest.approx(89.6, abs=0.05)
    assert m.sinuosity == pytest.approx(m.length_km / m.straight_km)
    assert m.sinuosity == pytest.approx(92.1 / 89.6, abs=0.002)


def test_closed_route_has_no_sinuosity():
    m = route_metrics(Route.from_coords("t", "T", [DEZHNEV, BIG_D, DEZHNEV]))
    assert m.straight_km == 0 and m.sinuosity is None


def test_published_sanity_figures():
    # Big-Little Diomede closest shores: published 3.8 km (3.75; "less than 3.9")
    gap = diomede_gap_m() / 1000
    assert gap == pytest.approx(3.61, abs=0.01)  # pinned: GSHHG full coastline
    assert abs(gap - 3.8) < 0.25
    # narrowest width: published 82 km (rounded: 81.5-82.5) ... 86 km
    width = strait_min_width_m() / 1000
    assert width == pytest.approx(81.75, abs=0.01)
    assert 81.5 <= width <= 86.0


def test_subsea_and_land_on_an_analytic_land_box():
    """Land = a box 1° wide (no known place in it); a line along a parallel crosses it: the land
    part is the geodesic between the two box edges."""
    land = gpd.GeoDataFrame(geometry=[box(-166.5, 64.0, -165.5, 65.0)], crs="EPSG:4326")
    r = Route.from_coords("t", "T", [(-167.0, 64.5), (-165.0, 64.5)])
    m = route_metrics(r, land=land, step_m=50)
    # a geodesic bends poleward of the parallel by < 0.02° here: still inside the box
    _, _, inside = GEOD.inv(-166.5, 64.5, -165.5, 64.5)
    assert m.land_km == pytest.approx(inside / 1000, abs=0.06)
    assert m.subsea_km + m.land_km == pytest.approx(m.length_km, rel=1e-12)
    assert len(m.water_segments_km) == 2
    assert [(f.name, f.kind) for f in m.landfalls] == [("unnamed land", "land")]
    assert m.landfalls[0].from_km == pytest.approx(m.water_segments_km[0], abs=0.06)


def test_all_water_and_all_land():
    land = gpd.GeoDataFrame(geometry=[box(-166.5, 64.0, -165.5, 65.0)], crs="EPSG:4326")
    sea = route_metrics(Route.from_coords("s", "S", [(-170.5, 65.5), (-170.0, 65.6)]), land=land)
    assert sea.land_km == 0 and sea.subsea_share == 1.0 and sea.landfalls == ()
    ground = route_metrics(Route.from_coords("g", "G", [(-166.3, 64.5), (-165.7, 64.6)]), land)
    assert ground.subsea_km == 0 and ground.water_segments_km == ()


def test_landfalls_in_order_with_names():
    m = route_metrics(get_preset("ibstrg-1990s"))
    assert [f.name for f in m.landfalls] == [
        "Chukotka mainland",
        "Big Diomede",
        "Little Diomede",
        "Seward Peninsula mainland",
    ]
    assert [f.kind for f in m.landfalls] == ["mainland", "island", "island", "mainland"]
    froms = [f.from_km for f in m.landfalls]
    assert froms == sorted(froms)
    # the island crossing is on land: Big Diomede from its west to its east shore
    bd = m.landfalls[1]
    assert bd.to_km - bd.from_km == pytest.approx(6.4, abs=0.1)


def test_fairway_rock_is_named_where_the_coastline_has_it():
    # GSHHG full lacks the rock; the OSM polygons have it 59 m from the published position
    r = Route.from_coords("f", "F", [LITTLE_D, FAIRWAY, CPW_A])
    assert "Fairway Rock" not in [f.name for f in route_metrics(r).landfalls]
    parts = load_land("osm").geometry.explode(index_parts=False)
    rock = next(g for g in parts if g.distance(Point(FAIRWAY)) < 0.01).representative_point()
    r2 = Route.from_coords("f", "F", [LITTLE_D, (rock.x, rock.y), CPW_A])
    names = [f.name for f in route_metrics(r2, land="osm").landfalls]
    assert names == ["Little Diomede", "Fairway Rock", "Seward Peninsula mainland"]


def test_shore_to_shore_presets_are_mostly_under_water():
    m = route_metrics(get_preset("dmitriev-2025"))
    assert [round(x, 2) for x in m.water_segments_km] == [35.57, 3.61, 36.5]
    assert m.land_km == pytest.approx(6.32 + 3.32, abs=0.1)  # the two island crossings
    d = route_metrics(get_preset("direct-shortest"))
    assert d.land_km == 0.0 and d.subsea_km == pytest.approx(81.75, abs=0.01)


def test_claims_vs_computed_rows_and_explanations():
    rows = {r["label"]: r for r in claims_vs_computed(get_preset("razbegin-2025"))}
    length = rows["tunnel length"]
    assert length["claimed"] == "98–112 km"
    # the preset follows his 51 + 4.5 + 51 km (106.5 km, portals inland): within 98–112 km
    assert length["difference"] == 0.0 and "within" in length["explanation"]
    seg1 = rows["undersea segment 1"]
    assert seg1["claimed_value"] == 51 and seg1["computed_value"] == pytest.approx(37.06, abs=0.01)
    assert "portals" in seg1["explanation"]
    assert rows["cost"]["computed_value"] is None and "cost model" in rows["cost"]["explanation"]

    tkm = claims_vs_computed(get_preset("tkm-world-link-2007"))[0]
    assert tkm["difference"] == pytest.approx(0.07, abs=0.01)
    assert "rounding" in tkm["explanation"]

    ib = {r["label"]: r for r in claims_vs_computed(get_preset("ibstrg-1990s"))}
    assert ib["undersea length"]["computed_value"] == pytest.approx(79.23, abs=0.01)
    assert ib["undersea segment 2"]["claimed"] == "not given"
    assert "minimum shore-to-island" in ib["undersea segment 1"]["explanation"]

    width = claims_vs_computed(get_preset("direct-shortest"))[0]
    assert "rounding" in width["explanation"]


def test_segment_count_mismatch_is_explained():
    r = Route.from_coords(
        "x", "X", [DEZHNEV, CPW_A], claims={"segments_km": {"value": [40, 40], "unit": "km"}}
    )
    rows = claims_vs_computed(r)
    assert all(row["difference"] is None for row in rows)
    assert "1 undersea segments, the claim lists 2" in rows[0]["explanation"]


def test_comparison_table_is_numeric_and_sortable():
    df = comparison_table(load_presets())
    assert list(df["id"])[:2] == ["dmitriev-2025", "razbegin-2025"]
    for col in ("length_km", "subsea_km", "land_km", "subsea_pct", "sinuosity"):
        assert df[col].dtype.kind == "f", col
    shortest = df.sort_values("length_km").iloc[0]
    assert shortest["id"] == "direct-shortest"
    assert shortest["subsea_pct"] == pytest.approx(100.0)
    row = df.set_index("id").loc["dmitriev-2025"]
    assert row["legs_km"] == "35.6 / 6.3 / 3.6 / 3.3 / 36.5"
    assert row["landfalls"].startswith("Chukotka mainland → Big Diomede")
    assert row["length_vs_claim_km"] == pytest.approx(85.31 - 112.7, abs=0.01)
    assert np.isnan(df.set_index("id").loc["hypothetical-fairway-rock", "length_vs_claim_km"])


@settings(max_examples=30, deadline=None)
@given(
    lon=st.floats(-171.0, -167.0),
    lat=st.floats(64.5, 66.8),
    dlon=st.floats(-1.5, 1.5),
    dlat=st.floats(-1.0, 1.0),
)
def test_subsea_plus_land_is_the_length(lon, lat, dlon, dlat):
    r = Route.from_coords("h", "H", [(lon, lat), (lon + dlon + 0.01, lat + dlat)])
    m = route_metrics(r, step_m=200)
    assert m.subsea_km + m.land_km == pytest.approx(m.length_km, rel=1e-9)
    assert 0.0 <= m.subsea_share <= 1.0
    assert m.straight_km == pytest.approx(m.length_km, rel=1e-9)  # one leg


def test_a_longer_claimed_island_gap_is_not_explained_by_land_approaches():
    """Razbegin's 4.5 km Big-to-Little-Diomede segment vs the 3.6 km shore-to-shore gap: an
    island-to-island crossing has no land approach, so that cannot be the explanation."""
    r = get_preset("razbegin-2025")
    rows = {row["label"]: row for row in claims_vs_computed(r)}
    gap = next(row for label, row in rows.items()
               if label.startswith("undersea segment") and row["claimed_value"] == 4.5)
    assert gap["difference"] < 0
    assert "land approaches" not in gap["explanation"]
    assert "does not publish the points it measured between" in gap["explanation"]
