"""Grids dropped into geodata/bathymetry/ are listed; names cannot leave the folder."""

import shutil

import numpy as np
import pytest
import rasterio.shutil

from mapapp.core import paths
from mapapp.core.errors import InputError
from mapapp.data import datasets
from tests.conftest import REPO, write_grid


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata" / "bathymetry", root / "bathymetry")
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    return root


def test_dropped_geotiff_and_netcdf_are_listed(geodata, tmp_path):
    bdir = geodata / "bathymetry"
    write_grid(bdir / "fine.tif", np.full((40, 80), -30, "int16"), res=0.025,
               provenance={"source": "multibeam test", "licence": "CC-BY 4.0"})
    tif = write_grid(tmp_path / "x.tif", np.full((10, 20), -30, "float32"))
    rasterio.shutil.copy(tif, bdir / "other.nc", driver="netCDF")
    (bdir / "broken.tif").write_bytes(b"not a tiff")
    (bdir / "half.tif.partial").write_bytes(b"x")
    entries = datasets.list_datasets()
    names = [e.name for e in entries]
    assert names[0] == paths.DEFAULT_GRID_NAME
    assert set(names) == {paths.DEFAULT_GRID_NAME, "fine.tif", "other.nc", "broken.tif"}
    fine = next(e for e in entries if e.name == "fine.tif")
    assert fine.info.resolution_label.startswith("90″ × 90″")
    assert fine.info.bounds == pytest.approx((-170, 65, -168, 66))
    assert fine.info.source == "multibeam test"
    assert "90″" in fine.label
    broken = next(e for e in entries if e.name == "broken.tif")
    assert broken.info is None and "cannot open" in broken.error


def test_resolve_dataset_refuses_traversal(geodata):
    assert datasets.resolve_dataset(None).name == paths.DEFAULT_GRID_NAME
    assert datasets.resolve_dataset(paths.DEFAULT_GRID_NAME).is_file()
    for bad in ("../coastline/gshhg_full_bering.gpkg", "/etc/passwd", "..", "a\\b", "x\x00.tif"):
        with pytest.raises(InputError, match="plain file name"):
            datasets.resolve_dataset(bad)
    with pytest.raises(InputError, match="no dataset named"):
        datasets.resolve_dataset("missing.tif")
