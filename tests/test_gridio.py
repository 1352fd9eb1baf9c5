"""Import of GeoTIFF / NetCDF / Esri ASCII grids into COGs; sign convention; native CRS
(EPSG:3996) sampled and displayed; refusals; remote COGs. Synthetic grids only."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from scipy.io import netcdf_file

from mapapp.core.errors import InputError
from mapapp.data import datasets, gridimport, remote
from mapapp.data.bathymetry import Grid, read_provenance
from mapapp.engineering.profile import sample_profile
from mapapp.render import overlay
from mapapp.routes.route import Route
from tests.conftest import plane, write_grid
from tests.test_fetch import LocalServer, make_geodata, partials


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    return make_geodata(tmp_path, monkeypatch)


STRAIT = dict(west=-170.0, north=66.0, res=0.05)  # 40 × 20 px over lon -170…-168, lat 65…66


def write_nc(path, var, z, *, lat, lon, attrs=None, dtype="f4"):
    """A CF NetCDF (classic) with ascending latitude, as GEBCO / ETOPO files are."""
    f = netcdf_file(path, "w")
    f.createDimension("lat", lat.size)
    f.createDimension("lon", lon.size)
    v = f.createVariable("lat", "f8", ("lat",))
    v[:] = lat
    v.units = "degrees_north"
    v = f.createVariable("lon", "f8", ("lon",))
    v[:] = lon
    v.units = "degrees_east"
    v = f.createVariable(var, dtype, ("lat", "lon"))
    v[:] = z
    for k, val in (attrs or {}).items():
        setattr(v, k, val)
    f.close()
    return path


def centres(west, north, res, shape):
    lon = west + (np.arange(shape[1]) + 0.5) * res
    lat_desc = north - (np.arange(shape[0]) + 0.5) * res
    return lon, lat_desc


# ------------------------------------------------------------------------------ GeoTIFF
def test_geotiff_becomes_a_cog_with_overviews_and_provenance(geodata, tmp_path):
    z = plane(2.0, -3.0, 500.0, west=-170.0, north=66.0, res=0.002, shape=(600, 1100))
    src = write_grid(tmp_path / "multibeam_mosaic.tif", z.astype("float32"), west=-170.0,
                     north=66.0, res=0.002)
    res = gridimport.import_grid(src, provenance={"licence": "CC BY 4.0"})
    assert res.path == geodata / "multibeam_mosaic.tif"
    with rasterio.open(res.path) as ds:
        img = ds.tags(ns="IMAGE_STRUCTURE")
        assert (img["LAYOUT"], img["COMPRESSION"]) == ("COG", "DEFLATE")
        assert ds.block_shapes[0] == (512, 512)
        assert ds.overviews(1) == [2, 4]  # until the smallest fits one 512 px tile
        np.testing.assert_array_equal(ds.read(1), z.astype("float32"))
        assert ds.units[0] == "m"
    prov = read_provenance(res.path)
    assert prov["licence"] == "CC BY 4.0" and prov["original_file"] == "multibeam_mosaic.tif"
    assert prov["positive_down"] is False and prov["source_positive_down"] is False
    assert prov["sign_basis"].startswith("coastline test: 100% of")
    assert prov["bbox"] == pytest.approx([-170.0, 64.8, -167.8, 66.0])
    assert prov["values_m"]["min_m"] == pytest.approx(float(z.min()), abs=0.01)
    assert "multibeam_mosaic.tif" in {e.name for e in datasets.list_datasets()}
    assert partials(geodata) == []


def test_bbox_cut_on_import(geodata, tmp_path):
    z = plane(2.0, -3.0, 500.0, west=-170.0, north=66.0, res=0.01, shape=(100, 200))
    src = write_grid(tmp_path / "g.tif", z.astype("float32"), west=-170.0, north=66.0, res=0.01)
    res = gridimport.import_grid(src, bbox="-169.555,65.3,-169.0,65.5", name="cut")
    with rasterio.open(res.path) as ds:
        assert ds.bounds == pytest.approx((-169.56, 65.3, -169.0, 65.5))
        np.testing.assert_array_equal(ds.read(1), z[50:70, 44:100].astype("float32"))


# ------------------------------------------------------------------------------ NetCDF
def test_gebco_like_netcdf_elevation(geodata, tmp_path):
    lon, lat_desc = centres(**STRAIT, shape=(20, 40))
    lat = lat_desc[::-1]
    zz = (-40.0 - 10 * (lat[:, None] - 65) + 0 * lon[None, :]).round().astype("int16")
    path = write_nc(tmp_path / "gebco_2025_n66_s65_w-170_e-168.nc", "elevation", zz, lat=lat,
                    lon=lon, attrs={"units": "m"}, dtype="i2")
    res = gridimport.import_grid(path)
    assert res.path.name == "gebco_2025_n66_s65_w-170_e-168.tif"
    assert res.crs_basis.startswith("CF latitude/longitude axes")
    assert res.source_positive_down is False
    g = Grid(res.path)
    assert g.info.dtype == "int16" and g.info.crs == "EPSG:4326"
    assert g.info.bounds == pytest.approx((-170, 65, -168, 66))
    # row 0 of the file is the south: its values must end up at the bottom
    assert g.sample([lon[5]], [lat[0]])[0] == pytest.approx(float(zz[0, 5]))
    assert g.sample([lon[5]], [lat[19]])[0] == pytest.approx(float(zz[19, 5]))
    prov = read_provenance(res.path)
    assert prov["source"].startswith("GEBCO") and prov["source_guessed_from"] == "file name"
    assert prov["variable"] == "elevation"


def test_etopo_like_netcdf_z_positive_down_is_flipped(geodata, tmp_path):
    lon, lat_desc = centres(**STRAIT, shape=(20, 40))
    lat = lat_desc[::-1]
    depth = (30.0 + 0.5 * np.arange(40)[None, :] + 0 * lat[:, None]).astype("float32")
    path = write_nc(tmp_path / "subset.nc", "z", depth, lat=lat, lon=lon,
                    attrs={"units": "meters", "positive": "down"})
    res = gridimport.import_grid(path, name="z_down")
    assert res.source_positive_down is True
    assert res.sign_basis == "the file states positive=down"
    g = Grid(res.path)
    assert g.info.positive_down is False  # the COG stores elevations
    assert g.sample([lon[10]], [lat[3]])[0] == pytest.approx(-35.0)
    with rasterio.open(res.path) as ds:
        assert float(ds.read(1).max()) == pytest.approx(-30.0)


def test_netcdf_variable_choice_and_unknown_variables(geodata, tmp_path):
    lon, lat_desc = centres(**STRAIT, shape=(20, 40))
    lat = lat_desc[::-1]
    f = netcdf_file(tmp_path / "two.nc", "w")
    f.createDimension("lat", 20)
    f.createDimension("lon", 40)
    for name, vals in (("lat", lat), ("lon", lon)):
        v = f.createVariable(name, "f8", (name,))
        v[:] = vals
        v.units = "degrees_north" if name == "lat" else "degrees_east"
    v = f.createVariable("tid", "i2", ("lat", "lon"))
    v[:] = np.full((20, 40), 11, "int16")
    v = f.createVariable("z", "f4", ("lat", "lon"))
    v[:] = np.full((20, 40), -42.0, "float32")
    f.close()
    res = gridimport.import_grid(tmp_path / "two.nc")
    assert Grid(res.path).sample([-169.0], [65.5])[0] == pytest.approx(-42.0)
    write_nc(tmp_path / "odd.nc", "sst", np.zeros((20, 40), "f4"), lat=lat, lon=lon)
    f = netcdf_file(tmp_path / "odd2.nc", "w")
    f.createDimension("y", 2)
    f.createDimension("x", 2)
    for name in ("sst", "chl"):
        f.createVariable(name, "f4", ("y", "x"))[:] = np.zeros((2, 2))
    f.close()
    with pytest.raises(InputError, match=r"no elevation variable found .*file has sst, chl"):
        gridimport.import_grid(tmp_path / "odd2.nc")


# ------------------------------------------------------------------------------ Esri ASCII
def _asc(path, values, xll=-170.0, yll=65.0, cell=0.05, corner=True):
    head = (f"ncols {values.shape[1]}\nnrows {values.shape[0]}\n"
            f"{'xllcorner' if corner else 'xllcenter'} {xll}\n"
            f"{'yllcorner' if corner else 'yllcenter'} {yll}\ncellsize {cell}\n"
            "NODATA_value -9999\n")
    body = "\n".join(" ".join(f"{v:g}" for v in row) for row in values)
    path.write_text(head + body + "\n")
    return path


def test_esri_ascii_needs_a_crs_then_detects_depths(geodata, tmp_path):
    depths = (20.0 + np.arange(40)[None, :] + 0 * np.arange(20)[:, None]).astype("float32")
    depths[0, 0] = -9999
    path = _asc(tmp_path / "survey.asc", depths)
    with pytest.raises(InputError, match=r"no coordinate reference system; give it with --crs"):
        gridimport.import_grid(path)
    res = gridimport.import_grid(path, crs="EPSG:4326")
    assert res.source_positive_down is True
    assert res.sign_basis.startswith("coastline test:") and "above 0 m" in res.sign_basis
    g = Grid(res.path)
    # column 7, row 4 (from the north) centre
    assert g.sample([-170 + 7.5 * 0.05], [66 - 4.5 * 0.05])[0] == pytest.approx(-27.0)
    assert np.isnan(g.sample([-170 + 0.5 * 0.05], [66 - 0.5 * 0.05])[0])  # nodata kept
    # a .prj next to the file is enough
    (tmp_path / "survey2.prj").write_text(rasterio.crs.CRS.from_epsg(4326).to_wkt())
    path2 = _asc(tmp_path / "survey2.asc", depths, xll=-170 + 0.025, yll=65 + 0.025, corner=False)
    res2 = gridimport.import_grid(path2, positive_down=True)
    assert Grid(res2.path).info.bounds == pytest.approx((-170, 65, -168, 66))


def test_forced_sign_wins_but_a_contradiction_is_reported(geodata, tmp_path):
    depths = np.full((20, 40), 35.0, "float32")
    path = write_grid(tmp_path / "d.tif", depths, **STRAIT)
    res = gridimport.import_grid(path, positive_down=False, name="forced")
    assert res.source_positive_down is False and res.sign_basis == "stated by the user"
    assert any("forced" in w and "above 0 m" in w for w in res.warnings)
    assert Grid(res.path).sample([-169.0], [65.5])[0] == pytest.approx(35.0)


def test_ambiguous_sign_is_refused(geodata, tmp_path):
    z = np.where(np.indices((20, 40)).sum(axis=0) % 2 == 0, 30.0, -30.0).astype("float32")
    path = write_grid(tmp_path / "mixed.tif", z, **STRAIT)
    with pytest.raises(InputError, match=r"cannot tell whether mixed.tif .*--positive-down or "
                                         r"--positive-up"):
        gridimport.import_grid(path)


def test_outside_the_coastline_name_and_warning_rules(geodata, tmp_path):
    lon, lat_desc = centres(west=10.0, north=51.0, res=0.05, shape=(20, 40))
    lat = lat_desc[::-1]
    path = write_nc(tmp_path / "north_sea.nc", "depth", np.full((20, 40), 25.0, "f4"),
                    lat=lat, lon=lon, attrs={"units": "m"})
    res = gridimport.import_grid(path)
    assert res.source_positive_down is True and "depth" in res.sign_basis
    tif = write_grid(tmp_path / "pos.tif", np.full((20, 40), 25.0, "float32"), west=10.0,
                     north=51.0, res=0.05)
    res = gridimport.import_grid(tif)
    assert res.source_positive_down is False
    assert res.sign_basis.startswith("assumed elevation")
    assert any("--positive-down" in w for w in res.warnings)


# ------------------------------------------------------------------------------ refusals
def test_refusals_say_how_to_fix(geodata, tmp_path):
    z = np.full((20, 40), -30.0, "float32")
    no_crs = write_grid(tmp_path / "nocrs.tif", z, crs=None, **STRAIT)
    with pytest.raises(InputError, match=r"--crs EPSG:4326"):
        gridimport.import_grid(no_crs)
    rot = tmp_path / "rot.tif"
    with rasterio.open(rot, "w", driver="GTiff", width=40, height=20, count=1, dtype="float32",
                       crs="EPSG:4326",
                       transform=Affine(0.05, 0.01, -170, 0.01, -0.05, 66)) as ds:
        ds.write(z, 1)
    with pytest.raises(InputError, match=r"rotated or sheared.*gdalwarp"):
        gridimport.import_grid(rot)
    rgb = tmp_path / "rgb.tif"
    with rasterio.open(rgb, "w", driver="GTiff", width=40, height=20, count=3, dtype="uint8",
                       crs="EPSG:4326", transform=Affine(0.05, 0, -170, 0, -0.05, 66)) as ds:
        ds.write(np.zeros((3, 20, 40), "uint8"))
    with pytest.raises(InputError, match=r"3 bands; an elevation grid has one"):
        gridimport.import_grid(rgb)
    empty = write_grid(tmp_path / "empty.tif", np.full((20, 40), -9999.0, "float32"),
                       nodata=-9999.0, **STRAIT)
    with pytest.raises(InputError, match=r"every cell is nodata"):
        gridimport.import_grid(empty, positive_down=False)
    assert partials(geodata) == [] and not (geodata / "empty.tif").exists()
    feet = write_grid(tmp_path / "feet.tif", z, **STRAIT)
    with rasterio.open(feet, "r+") as ds:
        ds.set_band_unit(1, "ft")
    with pytest.raises(InputError, match=r"vertical units are 'ft'; only metres.*0\.3048"):
        gridimport.import_grid(feet)
    (tmp_path / "junk.tif").write_bytes(b"not a grid at all")
    with pytest.raises(InputError, match=r"cannot read junk.tif as a grid"):
        gridimport.import_grid(tmp_path / "junk.tif")
    with pytest.raises(InputError, match=r"grid file not found"):
        gridimport.import_grid(tmp_path / "missing.tif")
    ok = write_grid(tmp_path / "ok.tif", z, **STRAIT)
    gridimport.import_grid(ok)
    with pytest.raises(InputError, match=r"ok.tif already exists .*--force"):
        gridimport.import_grid(ok)
    gridimport.import_grid(ok, force=True)


# ------------------------------------------------------------------------------ EPSG:3996
def _polar_grid(tmp_path):
    """A 200 × 160 px grid at 500 m in EPSG:3996 around the strait; z is linear in x, y."""
    to_polar = Transformer.from_crs(4326, 3996, always_xy=True)
    x0, y0 = to_polar.transform(-168.6, 65.75)
    west, north = round(x0) - 50_000.0, round(y0) + 40_000.0
    rows, cols = np.indices((160, 200))
    x = west + (cols + 0.5) * 500.0
    y = north - (rows + 0.5) * 500.0

    def z_of(xx, yy):
        return -50.0 + 2e-4 * (xx - west) - 1e-4 * (north - yy)

    path = write_grid(tmp_path / "IBCAO_v5_test.tif", z_of(x, y).astype("float32"), west=west,
                      north=north, res=500.0, crs="EPSG:3996")
    return path, z_of, (west, north)


def test_polar_stereographic_grid_keeps_its_crs_and_samples_exactly(geodata, tmp_path):
    path, z_of, (west, north) = _polar_grid(tmp_path)
    res = gridimport.import_grid(path)
    g = Grid(res.path)
    assert g.info.crs == "EPSG:3996" and res.crs_basis == "file"
    assert read_provenance(res.path)["source"].startswith("IBCAO")
    # known points chosen in the projected plane, converted to lon/lat independently
    xs = west + np.array([1000.0, 25_250.0, 50_000.0, 73_700.0, 99_000.0])
    ys = north - np.array([1000.0, 40_100.0, 12_345.0, 79_000.0, 60_000.0])
    lon, lat = Transformer.from_crs(3996, 4326, always_xy=True).transform(xs, ys)
    np.testing.assert_allclose(g.sample(lon, lat), z_of(xs, ys), atol=2e-3)
    entry = next(e for e in datasets.list_datasets() if e.name == res.path.name)
    assert entry.info.crs == "EPSG:3996"
    w, s, e, n = entry.info.bounds
    assert -171 < w < e < -166 and 64.9 < s < n < 66.6


def test_polar_grid_is_displayed_in_web_mercator(geodata, tmp_path):
    path, z_of, _ = _polar_grid(tmp_path)
    g = Grid(gridimport.import_grid(path).path)
    box = (-169.2, 65.5, -168.0, 66.0)
    ov = overlay.render_overlay(g, box, width_px=300)
    h, w = ov.elevation.shape
    left, bottom, right, top = overlay.mercator_bounds(ov.bounds)
    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    to_polar = Transformer.from_crs(4326, 3996, always_xy=True)
    rows, cols = np.array([10, h // 2, h - 10]), np.array([15, w // 2, w - 20])
    mx = left + (cols + 0.5) * (right - left) / w
    my = top - (rows + 0.5) * (top - bottom) / h
    px, py = to_polar.transform(*to_ll.transform(mx, my))
    np.testing.assert_allclose(ov.elevation[rows, cols], z_of(px, py), atol=0.05)
    assert np.isfinite(ov.elevation).mean() > 0.99


def test_profile_uses_an_imported_grid(geodata, tmp_path):
    path, z_of, _ = _polar_grid(tmp_path)
    res = gridimport.import_grid(path)
    chosen = datasets.resolve_dataset(res.path.name)
    route = Route.from_coords("t", "T", [(-169.0, 65.6), (-168.3, 65.9)])
    df = sample_profile(route, Grid(chosen), step_m=200.0)
    x, y = Transformer.from_crs(4326, 3996, always_xy=True).transform(df["lon"], df["lat"])
    sea = df["surface"].eq("sea").to_numpy()
    assert sea.sum() > 100
    np.testing.assert_allclose(df["elevation_grid_m"].to_numpy()[sea], z_of(x, y)[sea], atol=2e-3)


# ------------------------------------------------------------------------------ remote COGs
@pytest.mark.parametrize("url, words", [
    ("ftp://www.gmrt.org/x.tif", "only http:// and https://"),
    ("file:///etc/passwd", "only http:// and https://"),
    ("/vsicurl/https://www.gmrt.org/x.tif", "only http:// and https://"),
    ("https://user:pw@www.gmrt.org/x.tif", "user name or password"),
    ("https://evil.example.com/x.tif", "host evil.example.com is not in the allowlist"),
    ("https://www.gmrt.org.evil.com/x.tif", "is not in the allowlist"),
    ("http://169.254.169.254/latest/meta-data", "IP address 169.254.169.254 is not"),
    ("http://127.0.0.1:8000/x.tif", "IP address 127.0.0.1:8000 is not"),
    ("https://www.gmrt.org:8443/x.tif", "www.gmrt.org:8443 is not in the allowlist"),
])
def test_remote_urls_are_checked(url, words, monkeypatch):
    monkeypatch.delenv("MAPAPP_REMOTE_HOSTS", raising=False)
    with pytest.raises(InputError) as exc:
        remote.check_remote_url(url)
    assert words in str(exc.value)


def test_remote_allowlist_from_environment(monkeypatch):
    monkeypatch.delenv("MAPAPP_REMOTE_HOSTS", raising=False)
    assert remote.check_remote_url("https://www.gmrt.org/a/b.tif") == "https://www.gmrt.org/a/b.tif"
    monkeypatch.setenv("MAPAPP_REMOTE_HOSTS", ".example.org, 10.0.0.5:8080")
    assert remote.remote_hosts() == (".example.org", "10.0.0.5:8080")
    assert remote.check_remote_url("https://data.example.org/x.tif")
    assert remote.check_remote_url("http://10.0.0.5:8080/x.tif")
    with pytest.raises(InputError):
        remote.check_remote_url("https://www.gmrt.org/x.tif")
    with pytest.raises(InputError):
        remote.check_remote_url("http://10.0.0.5/x.tif")  # listed with another port


def test_remote_cog_is_registered_and_listed(geodata, tmp_path, monkeypatch):
    z = plane(2.0, -3.0, 500.0, west=-170.0, north=66.0, res=0.002, shape=(600, 1100))
    src = write_grid(tmp_path / "remote_src.tif", z.astype("float32"), west=-170.0, north=66.0,
                     res=0.002)
    cog = gridimport.import_grid(src, folder=tmp_path / "made").path
    srv = LocalServer()
    url = srv.add("/cogs/strait_remote.tif", cog.read_bytes(), content_type="image/tiff")
    srv.start_process()  # GDAL is the client: serve from another process
    try:
        with pytest.raises(InputError, match="not in the allowlist"):
            remote.register_remote(url)
        monkeypatch.setenv("MAPAPP_REMOTE_HOSTS", f"127.0.0.1:{srv.port}")
        vrt = remote.register_remote(url, name="remote_strait", licence="test")
        assert vrt == geodata / "remote_strait.vrt"
        prov = json.loads((geodata / "remote_strait.provenance.json").read_text())
        assert prov["url"] == url and prov["licence"] == "test" and prov["positive_down"] is False
        g = Grid(vrt)
        assert g.info.overviews == (2, 4)  # the remote file's own overviews are used
        lon, lat = -170 + 123.5 * 0.002, 66 - 77.5 * 0.002
        assert g.sample([lon], [lat])[0] == pytest.approx(float(z[77, 123]), abs=1e-3)
        assert any(r["range"] for r in srv.requests("/cogs/strait_remote.tif"))
        with pytest.raises(InputError, match=r"remote_strait.vrt already exists .*share"):
            gridimport.import_grid(src, name="remote_strait")  # would share the sidecar
        # listed by the app once .vrt is a grid suffix (see the report for datasets.py)
        monkeypatch.setattr(datasets, "GRID_SUFFIXES", datasets.GRID_SUFFIXES + (".vrt",))
        assert "remote_strait.vrt" in {e.name for e in datasets.list_datasets()}
    finally:
        srv.stop()


def test_remote_non_grid_is_refused(geodata, tmp_path, monkeypatch):
    srv = LocalServer()
    url = srv.add("/page.tif", b"<html>nope</html>", content_type="text/html")
    srv.start_process()
    try:
        monkeypatch.setenv("MAPAPP_REMOTE_HOSTS", f"127.0.0.1:{srv.port}")
        with pytest.raises(InputError, match="cannot open .* as a grid"):
            remote.register_remote(url, name="bad")
        assert not (geodata / "bad.vrt").exists() and partials(geodata) == []
    finally:
        srv.stop()


def test_vrt_xml_escapes_odd_paths(tmp_path):
    z = np.full((4, 4), -1.0, "float32")
    odd = tmp_path / 'we<ird>&"name.tif'
    write_grid(odd, z, **STRAIT)
    src = gridimport.inspect_source(odd)
    xml, info = gridimport.build_vrt([src], flip=True)
    assert (info["width"], info["height"], info["dtype"]) == (4, 4, "float32")
    with rasterio.open(xml) as ds:  # the path survived XML escaping; values flipped
        assert ds.read(1).tolist() == [[1.0] * 4] * 4


def test_the_embedded_default_grid_is_never_replaced(tmp_path):
    from pathlib import Path

    from mapapp.core.paths import DEFAULT_GRID_NAME

    src = write_grid(tmp_path / "in.tif", np.full((10, 20), -30, "int16"))
    folder = tmp_path / "bathymetry"
    folder.mkdir()
    with pytest.raises(InputError, match="embedded default grid"):
        gridimport.import_grid(src, name=Path(DEFAULT_GRID_NAME).stem, folder=folder, force=True)
