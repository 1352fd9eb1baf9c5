"""Route model: validation, continuous longitudes, geometry, colours, waypoint edits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mapapp.core.errors import RouteError
from mapapp.routes.route import PALETTE, Route, route_colour, unique_id, waypoints_from_rows

DEZHNEV = (-169.6519, 66.0792)
CPW_A = (-168.0847, 65.5964)


def test_length_matches_independent_value():
    # bering-facts.md §3b: Cape Dezhnev -> Cape Prince of Wales (A) = 89.6 km (Vincenty)
    r = Route.from_coords("x", "X", [DEZHNEV, CPW_A])
    assert r.length_m() / 1000 == pytest.approx(89.6, abs=0.05)


@pytest.mark.parametrize(
    "coords, message",
    [
        ([DEZHNEV], "at least two"),
        ([DEZHNEV, DEZHNEV, DEZHNEV], "two distinct"),
        ([(-169.0, 95.0), CPW_A], "outside -90..90"),
        ([(float("nan"), 65.0), CPW_A], "finite"),
        ([(float("inf"), 65.0), CPW_A], "finite"),
        ([("abc", 65.0), CPW_A], "must be numbers"),
        ([(600.0, 65.0), CPW_A], "longitude 600"),
    ],
)
def test_invalid_routes_are_refused(coords, message):
    with pytest.raises(RouteError, match=message):
        Route.from_coords("bad", "Bad", coords)


def test_consecutive_duplicates_are_removed_keeping_a_name():
    r = Route.from_coords("d", "D", [DEZHNEV, (*DEZHNEV, "Dezhnev"), CPW_A, CPW_A])
    assert [(w.lon, w.lat, w.name) for w in r.waypoints] == [
        (DEZHNEV[0], DEZHNEV[1], "Dezhnev"),
        (CPW_A[0], CPW_A[1], ""),
    ]
    # non-consecutive repeats (a loop) are kept
    loop = Route.from_coords("l", "L", [DEZHNEV, CPW_A, DEZHNEV])
    assert len(loop.waypoints) == 3


def test_wrapped_world_copy_comes_back_near_the_strait():
    # a line drawn on the next world copy east: lon 191 = -169
    r = Route.from_coords("w", "W", [(190.3481, 66.0792), (191.9153, 65.5964)])
    assert r.lons.tolist() == pytest.approx([-169.6519, -168.0847])
    assert r.length_m() / 1000 == pytest.approx(89.6, abs=0.05)


def test_line_across_180_stays_continuous():
    r = Route.from_coords("a", "A", [(179.5, 66.0), (-179.5, 66.0), (-178.5, 66.1)])
    assert np.all(np.abs(np.diff(r.lons)) < 180)
    assert r.lons.tolist() == pytest.approx([-180.5, -179.5, -178.5])
    line = r.geometry()
    assert line.geom_type == "LineString"
    assert [c[0] for c in line.coords] == pytest.approx([-180.5, -179.5, -178.5])
    # the 1° leg at 66°N is ~45.4 km: the line did not go the long way round
    assert r.legs_m()[0] / 1000 == pytest.approx(45.4, abs=0.2)


def test_route_colour_is_distinct_and_cycles():
    first = [route_colour(i) for i in range(len(PALETTE))]
    assert len(set(first)) == len(PALETTE)
    assert route_colour(0) == "#D55E00"  # Okabe-Ito vermillion
    assert route_colour(len(PALETTE)) == route_colour(0)
    assert all(c.startswith("#") and len(c) == 7 for c in first)


def test_with_waypoints_validates_and_keeps_metadata():
    r = Route.from_coords("mine", "Mine", [DEZHNEV, CPW_A], mode="road", origin="uploaded")
    edited = r.with_waypoints(
        pd.DataFrame(
            {"lon": [DEZHNEV[0], -169.0569, CPW_A[0]], "lat": [DEZHNEV[1], 65.7811, CPW_A[1]],
             "name": ["Dezhnev", "Big Diomede", None]}
        )
    )
    assert edited.id == "mine" and edited.mode == "road" and edited.origin == "uploaded"
    assert [w.name for w in edited.waypoints] == ["Dezhnev", "Big Diomede", ""]
    assert r.waypoints[0].name == ""  # the original is unchanged


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"lon": -169.0, "lat": 65.7}, {"lon": -168.0, "lat": None}], "row 2: latitude is empty"),
        ([{"lon": "abc", "lat": 65.7}, {"lon": -168.0, "lat": 65.6}], "row 1: longitude 'abc'"),
        ([{"lon": -169.0, "lat": 91}, {"lon": -168.0, "lat": 65.6}], "row 1: latitude 91"),
        ([{"lon": -169.0, "lat": 65.7}], "at least two"),
    ],
)
def test_with_waypoints_refuses_bad_values(rows, message):
    r = Route.from_coords("m", "M", [DEZHNEV, CPW_A])
    with pytest.raises(RouteError, match=message):
        r.with_waypoints(rows)


def test_editing_a_preset_makes_it_drawn_and_drops_claims():
    p = Route.from_coords("p", "P", [DEZHNEV, CPW_A], origin="preset", claims={"length_km": 82})
    e = p.with_waypoints([DEZHNEV, (-168.5, 65.7), CPW_A])
    assert e.origin == "drawn" and e.claims == {}


def test_blank_editor_rows_are_skipped():
    wps = waypoints_from_rows(
        [
            {"lon": -169.0, "lat": 65.7, "name": "a"},
            {"lon": math.nan, "lat": math.nan, "name": None},
        ]
    )
    assert [(w.lon, w.lat, w.name) for w in wps] == [(-169.0, 65.7, "a")]


def test_unique_id():
    assert unique_id("Drawn route", ["drawn-route", "drawn-route-2"]) == "drawn-route-3"
    assert unique_id("X", []) == "x"


def test_dict_round_trip():
    r = Route.from_coords("m", "M", [(*DEZHNEV, "a"), CPW_A], claims={"length_km": {"value": 1}})
    assert Route.from_dict(r.to_dict()) == r


@given(
    lon=st.floats(-179.0, 179.0),
    lat=st.floats(-80.0, 80.0),
    dlon=st.floats(0.01, 5.0),
    dlat=st.floats(-5.0, 5.0),
    k=st.integers(-1, 1),
)
def test_shifting_by_360_does_not_change_the_route(lon, lat, dlon, dlat, k):
    # a waypoint's longitude must lie in -540..540 (one turn either side; RouteError beyond,
    # tested elsewhere): the property is about shifts that stay inside that range
    assume(-540.0 <= lon + 360 * k and lon + dlon + 360 * k <= 540.0)
    a = Route.from_coords("a", "A", [(lon, lat), (lon + dlon, lat + dlat)])
    b = Route.from_coords("b", "B", [(lon + 360 * k, lat), (lon + dlon + 360 * k, lat + dlat)])
    assert b.lons.tolist() == pytest.approx(a.lons.tolist())
    assert b.length_m() == pytest.approx(a.length_m(), rel=1e-9)
    assert abs(b.lons[1] - b.lons[0]) < 180


def test_a_longitude_beyond_one_turn_either_side_is_refused():
    Route.from_coords("ok", "OK", [(539.0, 65.0), (540.0, 65.5)])  # 540 = 180 + 360: accepted
    with pytest.raises(RouteError, match=r"longitude 541.0 is outside -540..540 degrees"):
        Route.from_coords("x", "X", [(539.0, 65.0), (541.0, 65.5)])
