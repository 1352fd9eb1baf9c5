"""Seabed profiles on analytic rasters made here (plane, bowl, step) and on the real ETOPO5."""

import math

import numpy as np
import pytest
import rasterio
from scipy.interpolate import RegularGridInterpolator

from mapapp.core.errors import InputError
from mapapp.core.geodesy import GEOD
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.profile import (
    AUTO_STEP_CAP_M,
    MAX_POINTS,
    auto_step_m,
    sample_profile,
    surface_runs,
)
from mapapp.routes.route import Route
from tests.conftest import plane

WEST, NORTH, RES, SHAPE = -170.0, 66.0, 0.1, (10, 20)  # grid covers lon -170..-168, lat 65..66


def all_sea(lons, lats):
    return np.zeros(np.shape(lons), bool)


def route(coords, **kw):
    return Route.from_coords("t", "Test", coords, **kw)


def centres(shape=SHAPE, west=WEST, north=NORTH, res=RES):
    lon = west + (np.arange(shape[1]) + 0.5) * res
    lat = north - (np.arange(shape[0]) + 0.5) * res
    return lon, lat


# ------------------------------------------------------------------------------- plane
def test_plane_is_sampled_exactly_along_geodesics(grid_factory):
    a, b, c = 3.0, -5.0, 784.5  # z = 3 lon - 5 lat + 784.5: -57 … -44 m here (all sea)
    g = open_grid(grid_factory(plane(a, b, c)))
    r = route([(-169.9, 65.1), (-168.6, 65.85), (-168.2, 65.3)])
    df = sample_profile(r, g, step_m=1000, land_mask=all_sea)
    expected = a * df["lon"] + b * df["lat"] + c
    # bilinear interpolation is exact on a plane; the grid reader works in float32
    np.testing.assert_allclose(df["elevation_grid_m"], expected, rtol=0, atol=1e-5)
    np.testing.assert_allclose(df["elevation_m"], expected, rtol=0, atol=1e-5)
    assert df["elevation_m"].between(-58, -43).all()
    assert (df["surface"] == "sea").all() and not df["adjusted"].any()
    # chainage: geodesic, with every vertex included
    legs = r.legs_m()
    assert df["chainage_m"].iloc[-1] == pytest.approx(legs.sum(), abs=1e-6)
    assert np.diff(df["chainage_m"]).max() <= 1000 + 1e-9
    for k, total in enumerate(np.cumsum(legs)[:-1]):
        row = df[df["leg"] == k + 1].iloc[0]
        assert row["chainage_m"] == pytest.approx(total, abs=1e-6)
        assert (row["lon"], row["lat"]) == pytest.approx((r.lons[k + 1], r.lats[k + 1]))
    assert df["leg"].tolist() == sorted(df["leg"].tolist())
    assert set(df["leg"]) == {0, 1}
    assert df.attrs["step_m"] == 1000 and df.attrs["nan_count"] == 0


def test_points_lie_on_the_geodesic_not_the_lon_lat_line(grid_factory):
    g = open_grid(grid_factory(plane(0.0, 0.0, -50.0)))
    r = route([(-169.9, 65.2), (-168.1, 65.2)])  # same latitude: the geodesic bulges north
    df = sample_profile(r, g, step_m=2000, land_mask=all_sea)
    mid = df.iloc[len(df) // 2]
    az, _, _ = GEOD.inv(-169.9, 65.2, -168.1, 65.2)
    lon, lat, _ = GEOD.fwd(-169.9, 65.2, az, mid["chainage_m"])
    assert (mid["lon"], mid["lat"]) == pytest.approx((lon, lat), abs=1e-9)
    assert mid["lat"] > 65.2 + 1e-3  # ~0.0025° north of the parallel at the middle


# ------------------------------------------------------------------- independent checks
def test_vertices_at_pixel_centres_equal_rasterio_sample(grid_factory):
    lon_c, lat_c = centres()
    lon2, lat2 = np.meshgrid(lon_c, lat_c)
    bowl = (0.5 * ((lon2 + 169.0) * 10) ** 2 + 2.0 * ((lat2 - 65.5) * 10) ** 2 - 120.0)
    path = grid_factory(bowl.astype("float32"))
    ij = [(1, 1), (2, 5), (6, 9), (8, 14), (3, 18)]
    coords = [(lon_c[j], lat_c[i]) for i, j in ij]
    df = sample_profile(route(coords), open_grid(path), step_m=3000, land_mask=all_sea)
    vertex_rows = df[np.isin(df["chainage_m"], np.concatenate([[0], np.cumsum(
        route(coords).legs_m())]))]
    with rasterio.open(path) as ds:
        ref = np.array([v[0] for v in ds.sample(coords)], dtype="float64")
    assert len(vertex_rows) == len(coords)
    np.testing.assert_array_equal(vertex_rows["elevation_grid_m"].to_numpy(), ref)


def test_bilinear_between_centres_matches_scipy(grid_factory):
    lon_c, lat_c = centres()
    lon2, lat2 = np.meshgrid(lon_c, lat_c)
    bowl = 0.5 * ((lon2 + 169.0) * 10) ** 2 + 2.0 * ((lat2 - 65.5) * 10) ** 2 - 120.0
    bowl = bowl.astype("float32")  # the grid is stored (and read) as float32
    g = open_grid(grid_factory(bowl))
    r = route([(-169.93, 65.07), (-169.0, 65.93), (-168.07, 65.2)])
    df = sample_profile(r, g, step_m=700, land_mask=all_sea)
    interp = RegularGridInterpolator((lat_c[::-1], lon_c), bowl[::-1].astype("float64"),
                                     method="linear")
    expected = interp(np.column_stack([df["lat"], df["lon"]]))
    np.testing.assert_allclose(df["elevation_grid_m"], expected, rtol=0, atol=1e-9)
    # a bowl: the profile's minimum is near the bottom (-120 m at -169.0, 65.5) but
    # bilinear between nodes never goes below the lowest node
    assert df["elevation_m"].min() >= bowl.min() - 1e-9


def test_outside_grid_is_nan_and_reported(grid_factory):
    g = open_grid(grid_factory(plane(0.0, 0.0, -30.0)))
    r = route([(-168.5, 65.5), (-167.5, 65.5)])  # the grid ends at -168.0
    df = sample_profile(r, g, step_m=1000, land_mask=all_sea)
    outside = df["lon"] > -168.0
    assert outside.any() and (~outside).any()
    assert df.loc[outside, "elevation_m"].isna().all()
    assert df.loc[outside, "elevation_grid_m"].isna().all()
    assert (df.loc[~outside, "elevation_m"] == -30.0).all()
    assert df.attrs["nan_count"] == int(outside.sum())


def test_nodata_block_is_nan(grid_factory):
    data = np.full(SHAPE, -25.0, "float32")
    data[:, 10:] = -9999.0
    g = open_grid(grid_factory(data, nodata=-9999.0))
    df = sample_profile(route([(-169.5, 65.5), (-168.3, 65.5)]), g, step_m=1000, land_mask=all_sea)
    # centres of column 9 at -169.05, of column 10 at -168.95: beyond -168.95 all neighbours
    # are nodata -> NaN; before -169.05 all are valid -> exactly -25
    assert df.loc[df["lon"] > -168.95 + 1e-9, "elevation_m"].isna().all()
    assert (df.loc[df["lon"] < -169.05, "elevation_m"] == -25.0).all()


# ---------------------------------------------------------------------- land / sea rules
def test_coastline_decides_and_elevation_is_made_consistent(grid_factory):
    # step raster: grid says +20 m west of -169.0, -30 m east of it
    lon_c, _ = centres()
    data = np.where(lon_c[None, :] < -169.0, 20.0, -30.0) * np.ones(SHAPE)
    g = open_grid(grid_factory(data))

    def coast(lons, lats):  # the "coastline" puts the shore further west, at -169.5,
        return np.asarray(lons) < -169.5  # and an island east of -168.4

    def coast_with_island(lons, lats):
        lons = np.asarray(lons)
        return (lons < -169.5) | (lons > -168.4)

    r = route([(-169.9, 65.5), (-168.1, 65.5)])
    df = sample_profile(r, g, step_m=500, land_mask=coast_with_island)
    lon = df["lon"].to_numpy()
    land = df["surface"] == "land"
    assert (land == ((lon < -169.5) | (lon > -168.4))).all()
    # land + grid above sea level: unchanged
    keep = land & (df["elevation_grid_m"] > 0)
    assert (df.loc[keep, "elevation_m"] == df.loc[keep, "elevation_grid_m"]).all()
    # sea where the grid says land: clipped to sea level and flagged
    sea_high = ~land & (df["elevation_grid_m"] > 0)
    assert sea_high.sum() > 0
    assert (df.loc[sea_high, "elevation_m"] == 0.0).all() and df.loc[sea_high, "adjusted"].all()
    # land (the island) where the grid says sea: clipped to sea level and flagged
    land_low = land & (df["elevation_grid_m"] < 0)
    assert land_low.sum() > 0 and (df.loc[land_low, "elevation_m"] == 0.0).all()
    assert df.loc[land_low, "adjusted"].all()
    assert df.attrs["adjusted_count"] == int(df["adjusted"].sum()) == int(
        sea_high.sum() + land_low.sum())
    # plain sea stays as sampled
    plain = ~land & (df["elevation_grid_m"] <= 0)
    assert (df.loc[plain, "elevation_m"] == df.loc[plain, "elevation_grid_m"]).all()
    assert not df.loc[plain, "adjusted"].any()
    assert df.attrs["land_source"] == "coast_with_island"
    assert coast(np.array([-169.6]), None)[0]


def test_land_source_grid_uses_the_sign(grid_factory):
    lon_c, _ = centres()
    data = np.where(lon_c[None, :] < -169.0, 20.0, -30.0) * np.ones(SHAPE)
    g = open_grid(grid_factory(data))
    df = sample_profile(route([(-169.9, 65.5), (-168.1, 65.5)]), g, step_m=500,
                        land_source="grid")
    assert ((df["surface"] == "land") == (df["elevation_grid_m"] > 0)).all()
    assert not df["adjusted"].any()


def test_land_mask_must_return_one_value_per_point(grid_factory):
    g = open_grid(grid_factory(plane(0, 0, -10.0)))
    with pytest.raises(InputError, match="one bool per point"):
        sample_profile(route([(-169.9, 65.5), (-168.1, 65.5)]), g, step_m=500,
                       land_mask=lambda lons, lats: np.array([True]))


# ------------------------------------------------------------------------------- steps
def test_auto_step(grid_factory):
    coarse = open_grid(grid_factory(plane(0, 0, -10.0)))  # 0.1° ≈ 4.6 km E-W
    assert auto_step_m(coarse) == AUTO_STEP_CAP_M == 200.0
    fine = open_grid(grid_factory(plane(0, 0, -10.0, res=0.001, shape=(100, 200)), res=0.001))
    assert auto_step_m(fine) == pytest.approx(min(fine.info.res_m) / 2)
    one_pixel_ew = GEOD.inv(-169.0, 65.95, -168.999, 65.95)[2]  # 0.001° of lon at 65.95°N
    assert auto_step_m(fine) == pytest.approx(one_pixel_ew / 2, rel=1e-3)
    df = sample_profile(route([(-169.99, 65.95), (-169.81, 65.91)]), fine, land_mask=all_sea)
    assert df.attrs["step_m"] == auto_step_m(fine)
    assert np.diff(df["chainage_m"]).max() <= auto_step_m(fine) + 1e-9


@pytest.mark.parametrize("step", [0, -5, float("nan"), float("inf"), "abc"])
def test_bad_steps_are_input_errors(grid_factory, step):
    g = open_grid(grid_factory(plane(0, 0, -10.0)))
    with pytest.raises(InputError, match="positive number|must be a number"):
        sample_profile(route([(-169.9, 65.5), (-168.1, 65.5)]), g, step_m=step,
                       land_mask=all_sea)


def test_step_coarser_than_grid_is_refused(grid_factory):
    g = open_grid(grid_factory(plane(0, 0, -10.0)))
    finest = min(g.info.res_m)
    with pytest.raises(InputError, match="coarser than the grid"):
        sample_profile(route([(-169.9, 65.5), (-168.1, 65.5)]), g, step_m=finest * 1.5,
                       land_mask=all_sea)


def test_too_many_points_are_refused(grid_factory):
    g = open_grid(grid_factory(plane(0, 0, -10.0)))
    r = route([(-169.9, 65.5), (-168.1, 65.5)])  # ≈ 83 km
    step = r.length_m() / (MAX_POINTS * 2)
    with pytest.raises(InputError, match=r"limit 2,000,000"):
        sample_profile(r, g, step_m=step, land_mask=all_sea)


def test_surface_runs():
    assert surface_runs(["sea"]) == [(0, 0, "sea")]
    assert surface_runs([]) == []
    assert surface_runs(["land", "land", "sea", "land", "sea", "sea"]) == [
        (0, 1, "land"), (2, 2, "sea"), (3, 3, "land"), (4, 5, "sea")]


# ------------------------------------------------------------------ real data (embedded)
DEZHNEV = (-169.6519, 66.0792)
BIG_DIOMEDE = (-169.0569, 65.7811)
LITTLE_DIOMEDE = (-168.9208, 65.7542)
CPW = (-168.0847, 65.5964)


def test_real_etopo5_and_gshhg_diomede_route():
    r = route([DEZHNEV, BIG_DIOMEDE, LITTLE_DIOMEDE, CPW])
    df = sample_profile(r, open_grid())
    assert df.attrs["step_m"] == 200.0
    assert df["chainage_m"].iloc[-1] / 1000 == pytest.approx(92.1, abs=0.05)  # fact base §3b
    # the coastline, not the 5′ grid, finds both Diomedes (the grid has water there)
    runs = [x for x in surface_runs(df["surface"]) if x[2] == "land"]
    inner = [x for x in runs if 0 < x[0] and x[1] < len(df) - 1]
    assert len(inner) == 2
    for (a, b, _), island in zip(inner, (BIG_DIOMEDE, LITTLE_DIOMEDE), strict=True):
        seg = df.iloc[a : b + 1]
        assert seg["lon"].min() - 0.02 < island[0] < seg["lon"].max() + 0.02
        assert (seg["elevation_grid_m"] < 0).any()  # unresolved by ETOPO5 ...
        assert (seg["elevation_m"] >= 0).all()  # ... so set to sea level
    sea = df[df["surface"] == "sea"]
    assert not df["elevation_m"].isna().any()
    # published water depths in the strait: 30–50 m average, max 53–55 m (fact base §3c)
    assert 30.0 <= -sea["elevation_m"].min() <= 55.0
    assert 25.0 <= -sea["elevation_m"].mean() <= 50.0
    assert math.isclose(df["lat"].iloc[0], DEZHNEV[1]) and math.isclose(df["lon"].iloc[-1], CPW[0])
