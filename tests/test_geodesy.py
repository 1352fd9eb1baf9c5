"""Geodesic distances against independent published/computed values (bering-facts.md §3b)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapapp.core import geodesy

# (lon, lat) from bering-facts.md §2
DEZHNEV = (-169.6519, 66.0792)
CPW_A = (-168.0847, 65.5964)
CPW_B = (-168.1200, 65.6400)
BIG_D = (-169.0569, 65.7811)
LITTLE_D = (-168.9208, 65.7542)
UELEN = (-169.8092, 66.1594)
WALES = (-168.0892, 65.6122)


@pytest.mark.parametrize(
    "a, b, km",
    [
        (DEZHNEV, CPW_A, 89.6),
        (DEZHNEV, CPW_B, 85.4),
        (BIG_D, LITTLE_D, 6.9),
        (DEZHNEV, BIG_D, 42.9),
        (UELEN, WALES, 99.4),
    ],
)
def test_distances_match_vincenty_table(a, b, km):
    d = geodesy.distance(a[0], a[1], b[0], b[1]) / 1000
    assert d == pytest.approx(km, abs=0.05)


def test_polyline_lengths():
    lons, lats = zip(DEZHNEV, BIG_D, LITTLE_D, CPW_A, strict=False)
    assert geodesy.geodesic_length(lons, lats) / 1000 == pytest.approx(92.1, abs=0.05)
    lons, lats = zip(UELEN, BIG_D, LITTLE_D, WALES, strict=False)
    assert geodesy.geodesic_length(lons, lats) / 1000 == pytest.approx(102.6, abs=0.05)


def test_length_not_spherical():
    # on a sphere of mean radius the equator degree is 111.195 km; WGS84 gives 111.319 km
    assert geodesy.distance(0, 0, 1, 0) == pytest.approx(111_319.49, abs=0.01)


def test_unwrap_keeps_lines_continuous_across_180():
    out = geodesy.unwrap_lons([179.5, -179.5, -178.0], reference=None)
    np.testing.assert_allclose(out, [179.5, 180.5, 182.0])
    # a line drawn on a wrapped world copy (lon + 360) comes back next to the strait
    np.testing.assert_allclose(geodesy.unwrap_lons([191.0, 192.0]), [-169.0, -168.0])


def test_densify_spacing_and_chainage():
    d = geodesy.densify([DEZHNEV[0], CPW_A[0]], [DEZHNEV[1], CPW_A[1]], 1000)
    steps = geodesy.distance(d.lons[:-1], d.lats[:-1], d.lons[1:], d.lats[1:])
    assert steps.max() <= 1000 + 1e-6
    assert d.chainage_m[-1] == pytest.approx(89_600, abs=50)
    np.testing.assert_allclose(np.cumsum(steps), d.chainage_m[1:], rtol=1e-9)
    assert (d.leg == 0).all()


def test_densify_multi_leg_indices():
    lons, lats = zip(DEZHNEV, BIG_D, LITTLE_D, strict=False)
    d = geodesy.densify(lons, lats, 5000)
    assert d.leg[0] == 0 and d.leg[-1] == 1
    assert np.all(np.diff(d.chainage_m) > 0)
    # the vertex Big Diomede is in the output exactly once, at the start of leg 1
    first_leg1 = np.flatnonzero(d.leg == 1)[0]
    assert (d.lons[first_leg1], d.lats[first_leg1]) == pytest.approx(BIG_D)


def test_split_antimeridian_crossing_latitude_on_geodesic():
    parts = geodesy.split_antimeridian([179.0, -179.0], [66.0, 66.5])
    (l1, a1), (l2, a2) = parts
    assert l1[-1] == 180.0 and l2[0] == -180.0
    assert a1[-1] == a2[0]
    # the crossing point lies on the geodesic: distances add up
    total = geodesy.distance(179.0, 66.0, -179.0, 66.5)
    via = geodesy.distance(179.0, 66.0, 180.0, a1[-1]) + geodesy.distance(-180.0, a1[-1], -179.0, 66.5)
    assert via == pytest.approx(total, abs=0.01)


def test_split_antimeridian_no_crossing_is_one_part():
    parts = geodesy.split_antimeridian([-170.0, -168.0], [65.0, 66.0])
    assert len(parts) == 1
    np.testing.assert_allclose(parts[0][0], [-170.0, -168.0])


@given(
    st.lists(
        st.tuples(st.floats(-250, 250), st.floats(-80, 80)), min_size=2, max_size=8
    )
)
def test_split_antimeridian_parts_stay_in_range_and_keep_length(points):
    lons, lats = zip(*points, strict=False)
    cont = geodesy.unwrap_lons(lons, reference=None)
    if np.any(np.abs(np.diff(cont)) > 170):
        return  # ambiguous legs (near 180° apart) are not meaningful polylines
    parts = geodesy.split_antimeridian(lons, lats)
    for plon, _plat in parts:
        assert np.all((plon >= -180) & (plon <= 180))
    total = sum(geodesy.geodesic_length(p[0], p[1]) for p in parts)
    assert total == pytest.approx(geodesy.geodesic_length(cont, lats), rel=1e-6, abs=0.05)
