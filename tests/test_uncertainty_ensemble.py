"""Alignment ensembles on a synthetic grid with a known corridor (tests only): the frequency
raster puts the corridor there, the COG is written and parses, the lengths match a hand
computation, and a 2-worker LocalCluster gives the same raster as in-process."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from pyproj import Geod

from mapapp.cli import main
from mapapp.core.errors import InputError
from mapapp.uncertainty.cluster import DaskRunner
from mapapp.uncertainty.distributions import Distribution
from mapapp.uncertainty.ensemble import EnsembleSpec, run_ensemble, write_corridor_cog
from tests.conftest import write_grid

START, BEND, END = (-169.5, 65.5), (-168.5, 65.9), (-167.5, 65.5)
RES = 0.01


def _dist_to_segment(lon, lat, a, b):
    """Distance (km, local flat approximation) from points to the segment a–b."""
    k = np.cos(np.radians(65.7))
    px, py = (lon - a[0]) * 111.32 * k, (lat - a[1]) * 111.32
    bx, by = (b[0] - a[0]) * 111.32 * k, (b[1] - a[1]) * 111.32
    t = np.clip((px * bx + py * by) / (bx * bx + by * by), 0, 1)
    return np.hypot(px - t * bx, py - t * by)


@pytest.fixture(scope="module")
def channel_grid(tmp_path_factory):
    """Sea 200 m deep everywhere but a 10 m deep channel (±3 km) along START–BEND–END."""
    west, north = -170.0, 66.2
    lons = west + (np.arange(300) + 0.5) * RES
    lats = north - (np.arange(130) + 0.5) * RES
    LON, LAT = np.meshgrid(lons, lats)
    d = np.minimum(_dist_to_segment(LON, LAT, START, BEND), _dist_to_segment(LON, LAT, BEND, END))
    data = np.where(d <= 3.0, -10.0, -200.0).astype("float32")
    return str(write_grid(tmp_path_factory.mktemp("ens") / "channel.tif", data, west=west,
                          north=north, res=RES))


def _spec(grid, **kw):
    base = dict(start=f"{START[0]},{START[1]}", end=f"{END[0]},{END[1]}", grid=grid,
                land="none", sigma_m=3.0, correlation_km=10.0, cell_km=1.0, cell_m=1000.0)
    return EnsembleSpec(**{**base, **kw})


def _freq_at(result, lon, lat):
    w, s, e, n = result.bounds
    rows, cols = result.shape
    r = int((n - lat) / (n - s) * rows)
    c = int((lon - w) / (e - w) * cols)
    return float(result.frequency[r, c])


def test_corridor_found_where_the_channel_is(channel_grid, tmp_path):
    res = run_ensemble(_spec(channel_grid), 6, seed=2)
    assert res.ok == 6 and not res.failures
    # every run follows the channel: on the column through the bend, the cells inside the
    # channel hold every run's crossing, the others none
    inside, outside = _column_shares(res, BEND[0])
    assert inside >= 1.0 and outside == 0.0
    assert _freq_at(res, -168.5, 65.5) == 0.0
    # hand: the channel's centre line START–BEND–END on the ellipsoid
    geod = Geod(ellps="WGS84")
    channel_km = (geod.line_length([START[0], BEND[0], END[0]],
                                   [START[1], BEND[1], END[1]]) / 1000.0)
    straight_km = geod.line_length([START[0], END[0]], [START[1], END[1]]) / 1000.0
    # within the channel: longer than the straight line, no longer than its centre line
    # (the path may hug the inner edge of the bend)
    assert straight_km * 1.2 < res.length_percentiles[0]
    assert res.length_percentiles[2] < channel_km * 1.02
    # the COG: tiled, float32 0..1, EPSG:4326, tags; the same values as the result
    out = write_corridor_cog(res, tmp_path / "corridor.tif")
    with rasterio.open(out) as ds:
        assert ds.crs.to_epsg() == 4326 and ds.dtypes[0] == "float32"
        assert ds.profile["tiled"] and ds.tags()["RUNS"] == "6"
        arr = ds.read(1)
        assert np.array_equal(arr, res.frequency)
        assert ds.bounds.left == pytest.approx(res.bounds[0])
    assert float(arr.max()) == 1.0 and float(arr.min()) == 0.0


def _column_shares(result, lon):
    """Sum of the frequency over the raster column at ``lon``: over the cells whose centre is
    in the channel (≤ 3 km from its centre line, plus 0.75 km for a 1 km cell crossed near the
    edge), and over the others."""
    w, s, e, n = result.bounds
    rows, cols = result.shape
    c = int((lon - w) / (e - w) * cols)
    lat = n - (np.arange(rows) + 0.5) * (n - s) / rows
    lon_c = np.full(rows, w + (c + 0.5) * (e - w) / cols)
    d = np.minimum(_dist_to_segment(lon_c, lat, START, BEND),
                   _dist_to_segment(lon_c, lat, BEND, END))
    col = result.frequency[:, c]
    band = d <= 3.75
    return float(col[band].sum()), float(col[~band].sum())


def test_optional_via_and_reproducibility(channel_grid):
    # an optional via point in the deep water south of the straight line: runs that take it
    # cross it, the others follow the channel
    spec = _spec(channel_grid, optional_via=("-168.5,65.35",), p_optional=0.5,
                 depth_weight=Distribution.fixed(0.01), land_weight=Distribution.fixed(1.0))
    a = run_ensemble(spec, 8, seed=4)
    b = run_ensemble(spec, 8, seed=4)
    assert np.array_equal(a.frequency, b.frequency)
    via_share = _freq_at(a, -168.5, 65.35)
    bend_share, _ = _column_shares(a, BEND[0])
    # each run either passes the via point or follows the channel round the bend
    assert 0 < via_share < 1 and bend_share == pytest.approx(1 - via_share)


@pytest.mark.slow
def test_two_workers_give_the_same_raster(channel_grid):
    spec = _spec(channel_grid)
    want = run_ensemble(spec, 4, seed=9)
    with DaskRunner(n_workers=2) as r:
        got = run_ensemble(spec, 4, seed=9, runner=r, runs_per_task=1)
    assert np.array_equal(got.frequency, want.frequency)
    assert np.array_equal(got.lengths_km, want.lengths_km)


def test_unreachable_end_is_reported(channel_grid):
    with pytest.raises(InputError, match="outside the grid"):
        run_ensemble(_spec(channel_grid, end="-150,60"), 2, seed=0)


def test_cli_ensemble_writes_cog(channel_grid, tmp_path, capsys):
    out = tmp_path / "c.tif"
    assert main(["ensemble", "--start", f"{START[0]},{START[1]}", "--end",
                 f"{END[0]},{END[1]}", "--dataset", channel_grid, "--land", "none",
                 "--runs", "3", "--in-process", "--cell-m", "1000", "--cell-km", "1",
                 "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["runs"] == 3 and summary["ok"] == 3 and summary["out"] == str(out)
    with rasterio.open(out) as ds:
        assert ds.read(1).max() == 1.0
