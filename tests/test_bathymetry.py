"""Grid reading and sampling on analytic rasters made here."""

import math

import numpy as np
import pytest
import rasterio
import rasterio.shutil
from affine import Affine

from mapapp.core.errors import DatasetError, InputError
from mapapp.data import bathymetry
from tests.conftest import plane, write_grid


def test_describe_synthetic(grid_factory):
    path = grid_factory(np.zeros((10, 20), "int16"), nodata=-32768,
                        provenance={"source": "unit test", "licence": "CC0", "name": "Synthetic"})
    info = bathymetry.open_grid(path).info
    assert info.crs == "EPSG:4326"
    assert info.bounds == pytest.approx((-170.0, 65.0, -168.0, 66.0))
    assert info.res == pytest.approx((0.1, 0.1))
    assert (info.width, info.height) == (20, 10)
    assert info.nodata == -32768
    assert info.name == "Synthetic" and info.source == "unit test" and info.licence == "CC0"
    # 0.1° of longitude at 65.5°N on WGS84 ≈ 4.63 km; 0.1° of latitude ≈ 11.14 km
    assert info.res_m[0] == pytest.approx(4629, rel=2e-3)
    assert info.res_m[1] == pytest.approx(11_140, rel=2e-3)
    assert info.resolution_label == "6′ × 6′ (≈4.6 km E-W × 11.2 km N-S at 65.5°N)"
    assert info.sign_convention.startswith("elevation")


def test_default_grid_description():
    info = bathymetry.open_grid().info
    assert (info.width, info.height) == (181, 61)
    assert info.resolution_label.startswith("5′ × 5′")
    assert info.bounds == pytest.approx((-175.0417, 63.4583, -159.9583, 68.5417), abs=1e-4)


def test_exact_samples_at_pixel_centres_and_bilinear_between(grid_factory):
    z = plane(100.0, -40.0, 5.0)  # linear => bilinear interpolation is exact
    path = grid_factory(z.astype("float32"))
    g = bathymetry.open_grid(path)
    # pixel centres
    lon_c = -170.0 + 0.05 + 0.1 * np.array([0, 3, 19])
    lat_c = 66.0 - 0.05 - 0.1 * np.array([0, 4, 9])
    np.testing.assert_allclose(g.sample(lon_c, lat_c), 100 * lon_c - 40 * lat_c + 5, atol=1e-3)
    # arbitrary interior points
    rng = np.random.default_rng(1)
    lons = rng.uniform(-169.95, -168.05, 500)
    lats = rng.uniform(65.05, 65.95, 500)
    np.testing.assert_allclose(g.sample(lons, lats), 100 * lons - 40 * lats + 5, atol=1e-3)


def test_sampling_matches_rasterio_sample_at_centres(grid_factory):
    rng = np.random.default_rng(7)
    data = rng.integers(-90, 0, (30, 40)).astype("int16")
    path = grid_factory(data, res=0.05)
    pts = [(-170 + 0.05 * (c + 0.5), 66 - 0.05 * (r + 0.5)) for r, c in [(0, 0), (5, 17), (29, 39)]]
    with rasterio.open(path) as ds:
        ref = [v[0] for v in ds.sample(pts)]
    got = bathymetry.open_grid(path).sample([p[0] for p in pts], [p[1] for p in pts])
    np.testing.assert_array_equal(got, ref)


def test_outside_is_nan_and_longitudes_wrap(grid_factory):
    path = grid_factory(np.full((10, 20), -30, "int16"))
    g = bathymetry.open_grid(path)
    out = g.sample([-171.0, -169.0, -169.0 + 360.0, -169.0], [65.5, 64.0, 65.5, 65.5])
    assert math.isnan(out[0]) and math.isnan(out[1])
    assert out[2] == -30 and out[3] == -30


def test_nodata_renormalises_and_all_nodata_is_nan(grid_factory):
    data = np.full((4, 4), -20, "int16")
    data[1, 1] = -32768
    data[3, :] = -32768
    data[2, :] = -32768
    path = grid_factory(data, nodata=-32768, west=0.0, north=4.0, res=1.0)
    g = bathymetry.open_grid(path)
    # halfway between centre (0.5, 2.5)=-20 and (1.5, 2.5)=nodata: the valid neighbour wins
    assert g.sample([1.0], [2.5])[0] == pytest.approx(-20)
    # a point surrounded only by nodata
    assert math.isnan(g.sample([2.0], [1.0])[0])


def test_nan_nodata_float_grid(grid_factory):
    data = np.array([[-10, np.nan], [-10, -10]], "float32")
    path = grid_factory(data, nodata=float("nan"), west=0, north=2, res=1)
    g = bathymetry.open_grid(path)
    assert g.sample([1.0], [1.0])[0] == pytest.approx(-10)
    assert math.isnan(g.sample([1.5], [1.5])[0])


def test_positive_down_from_sidecar_and_from_tag(grid_factory):
    data = np.full((3, 3), 40, "int16")
    a = bathymetry.open_grid(grid_factory(data, provenance={"positive_down": True}))
    b = bathymetry.open_grid(grid_factory(data, tags={"z#positive": "down"}))
    c = bathymetry.open_grid(grid_factory(data), positive_down=True)
    for g in (a, b, c):
        assert g.info.positive_down
        assert g.sample([-169.85], [65.85])[0] == -40
        assert g.read_bbox((-170, 65.7, -169.7, 66.0)).data.max() == -40


def test_read_bbox_exact_window(grid_factory):
    data = np.arange(200, dtype="float32").reshape(10, 20)
    g = bathymetry.open_grid(grid_factory(data))
    r = g.read_bbox((-169.5, 65.5, -169.0, 65.8))
    # columns 5..9 (lon -169.5..-169.0), rows 2..4 (lat 65.8..65.5)
    np.testing.assert_array_equal(r.data, data[2:5, 5:10])
    assert r.transform == Affine(0.1, 0, -169.5, 0, -0.1, 65.8) or np.allclose(
        tuple(r.transform)[:6], (0.1, 0, -169.5, 0, -0.1, 65.8)
    )


def test_read_bbox_is_decimated_to_max_size(grid_factory):
    data = np.zeros((400, 800), "int16")
    g = bathymetry.open_grid(grid_factory(data, res=0.0025, overviews=(2, 4, 8)))
    r = g.read_bbox(g.info.bounds, max_size=100)
    assert max(r.data.shape) == 100
    left, bottom, right, top = r.bounds
    assert (left, top) == pytest.approx((-170.0, 66.0)) and right == pytest.approx(-168.0)


def test_read_bbox_outside_and_empty(grid_factory):
    g = bathymetry.open_grid(grid_factory(np.zeros((10, 20), "int16")))
    with pytest.raises(InputError, match="outside the grid"):
        g.read_bbox((10, 10, 11, 11))
    with pytest.raises(InputError, match="empty"):
        g.read_bbox((-169, 65.5, -169.5, 65.8))


def test_bad_grids_have_plain_messages(grid_factory, tmp_path):
    no_crs = grid_factory(np.zeros((3, 3), "int16"), crs=None)
    with pytest.raises(DatasetError, match="no coordinate reference system"):
        bathymetry.open_grid(no_crs)
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00garbage" * 10)
    with pytest.raises(DatasetError, match="cannot open grid"):
        bathymetry.open_grid(corrupt)
    with pytest.raises(DatasetError, match="not found"):
        bathymetry.open_grid(tmp_path / "missing.tif")
    rotated = tmp_path / "rotated.tif"
    with rasterio.open(rotated, "w", driver="GTiff", width=3, height=3, count=1, dtype="int16",
                       crs="EPSG:4326", transform=Affine(0.1, 0.02, -170, 0.02, -0.1, 66)) as ds:
        ds.write(np.zeros((3, 3), "int16"), 1)
    with pytest.raises(DatasetError, match="rotated"):
        bathymetry.open_grid(rotated)
    feet = grid_factory(np.zeros((3, 3), "int16"), tags={"units": "feet"})
    with pytest.raises(DatasetError, match="metres"):
        bathymetry.open_grid(feet)


def test_all_nodata_value_range(grid_factory):
    g = bathymetry.open_grid(grid_factory(np.full((3, 3), -32768, "int16"), nodata=-32768))
    with pytest.raises(DatasetError, match="all nodata"):
        g.value_range()


def test_netcdf_elevation_variable_is_picked(grid_factory, tmp_path):
    path = tmp_path / "gebco_like.nc"
    z = plane(10.0, 0.0, 1700.0, shape=(5, 6)).astype("float32")
    rasterio.shutil.copy(grid_factory(z), path, driver="netCDF")
    g = bathymetry.open_grid(path)
    lon = -170 + 0.05 + 0.1 * 2
    assert g.sample([lon], [65.95])[0] == pytest.approx(10 * lon + 1700, abs=1e-3)


def test_default_grid_known_values():
    g = bathymetry.open_grid()
    # nodes from the provenance verification table (nearest pixel)
    assert g.sample([-168 - 5 / 12], [65 + 8 / 12])[0] == -49
    lo, hi = g.value_range()
    assert (lo, hi) == (-80.0, 1067.0)


@pytest.mark.parametrize("res, crs, west, north, coarse", [
    (5 / 60, "EPSG:4326", -170.0, 66.0, True),      # ETOPO5's 5'
    (1 / 60, "EPSG:4326", -170.0, 66.0, True),      # exactly 1' still cannot outline the Diomedes
    (0.5 / 60, "EPSG:4326", -170.0, 66.0, False),   # 30"
    (500.0, "EPSG:3571", 0.0, 0.0, False),          # a projected grid is judged by the app as fine
])
def test_coarse_grids_are_those_of_one_arc_minute_or_more(tmp_path, res, crs, west, north, coarse):
    path = write_grid(tmp_path / "g.tif", np.full((8, 8), -30, "int16"), res=res, crs=crs,
                      west=west, north=north)
    info = bathymetry.Grid(path).info
    assert info.is_coarse is coarse and info.describe()["coarse"] is coarse
