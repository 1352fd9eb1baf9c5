"""Shared fixtures: synthetic rasters written with rasterio (tests only — never app data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

REPO = Path(__file__).resolve().parents[1]


def write_grid(
    path: Path,
    data: np.ndarray,
    *,
    west: float = -170.0,
    north: float = 66.0,
    res: float = 0.1,
    crs: str | None = "EPSG:4326",
    nodata=None,
    tags: dict | None = None,
    provenance: dict | None = None,
    driver: str = "GTiff",
    overviews: tuple[int, ...] = (),
) -> Path:
    """Write ``data`` (rows north→south) as a north-up grid; pixel (0, 0) has its upper-left
    corner at (west, north) and pixel size ``res`` (CRS units)."""
    path = Path(path)
    profile = {
        "driver": driver,
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": data.dtype.name,
        "transform": from_origin(west, north, res, res),
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data, 1)
        if tags:
            ds.update_tags(**tags)
        if overviews:
            ds.build_overviews(list(overviews))
    if provenance is not None:
        path.with_name(path.stem + ".provenance.json").write_text(json.dumps(provenance))
    return path


@pytest.fixture
def grid_factory(tmp_path):
    """Call with an array (and write_grid options) to get the path of a synthetic grid."""
    counter = {"n": 0}

    def make(data, name=None, **kw):
        counter["n"] += 1
        return write_grid(tmp_path / (name or f"grid{counter['n']}.tif"), np.asarray(data), **kw)

    return make


def plane(a: float, b: float, c: float, *, west=-170.0, north=66.0, res=0.1, shape=(10, 20)):
    """z = a*lon + b*lat + c sampled at pixel centres (float32), as an analytic raster."""
    rows, cols = np.indices(shape)
    lon = west + (cols + 0.5) * res
    lat = north - (rows + 0.5) * res
    return (a * lon + b * lat + c).astype("float64")


def fill_disk_halfway(monkeypatch) -> None:
    """Make every file opened with ``os.fdopen`` (the atomic writer's temporary file) take half
    of what it is given and then report a full disk (ENOSPC)."""
    import errno
    import os

    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
