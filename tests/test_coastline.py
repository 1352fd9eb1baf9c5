import numpy as np
import pytest

from mapapp.core.errors import DatasetError
from mapapp.data import coastline


@pytest.mark.parametrize(
    "lon, lat, land",
    [
        (-169.06, 65.78, True),  # Big Diomede
        (-168.93, 65.76, True),  # Little Diomede
        (-168.40, 65.70, False),  # mid-channel
        (-168.09, 65.64, True),  # Cape Prince of Wales
        # Fairway Rock (0.3 km²) is missing from GSHHG full (and from the OSM 10 m set):
        # a known gap of our coastline data, pinned so that nobody relies on it silently
        (-168.7426, 65.6253, False),
        (-170.5, 66.5, False),  # Chukchi Sea
        (-169.06 + 360, 65.78, True),  # wrapped longitude
    ],
)
def test_land_or_sea(lon, lat, land):
    assert coastline.is_land(lon, lat) is land


def test_vectorised_and_both_sources_agree_on_islands():
    lons = np.array([-169.06, -168.93, -168.40])
    lats = np.array([65.78, 65.76, 65.70])
    np.testing.assert_array_equal(coastline.is_land(lons, lats), [True, True, False])
    np.testing.assert_array_equal(coastline.is_land(lons, lats, source="osm"), [True, True, False])


def test_unknown_source():
    with pytest.raises(DatasetError, match="unknown coastline source"):
        coastline.load_land("nope")


def test_display_land_is_simplified():
    full = coastline.load_land()
    simple = coastline.display_land()
    n_full = sum(len(g.exterior.coords) for g in full.geometry)
    n_simple = sum(len(g.exterior.coords) for g in simple.geometry if g.geom_type == "Polygon")
    assert n_simple < n_full / 2


def test_shore_tolerance_counts_points_on_the_shoreline_as_land():
    from mapapp.routes.presets import load_presets

    ends = [(w.lon, w.lat) for r in load_presets() for w in (r.waypoints[0], r.waypoints[-1])]
    lons, lats = np.array(ends).T
    strict = coastline.is_land(lons, lats)
    assert not strict.all()  # shore points fall either side of the polygon edge
    assert coastline.is_land(lons, lats, shore_tolerance_m=5).all()
    # the tolerance does not make open water land
    assert not coastline.is_land(-168.40, 65.70, shore_tolerance_m=5)
