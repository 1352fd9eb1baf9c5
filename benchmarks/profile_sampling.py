"""Benchmark: profile sampling vs a naive per-point ``rasterio.sample`` loop.

Not a test: it prints a table. Run from the repository root::

    /tmp/venv/bin/python benchmarks/profile_sampling.py            # 100 000 points
    /tmp/venv/bin/python benchmarks/profile_sampling.py --points 20000

Methods, each on the same points along one long geodesic route:

* ``mapapp Grid.sample`` — vectorised bilinear sampling reading only the windows the route
  crosses (what :func:`mapapp.engineering.profile.sample_profile` uses);
* ``mapapp sample_profile`` — the whole profile: geodesic densification + sampling + the
  GSHHG coastline's land/sea test;
* ``rasterio sample, one call`` — ``DatasetReader.sample`` given all points at once
  (nearest pixel, no interpolation), for reference;
* ``naive per-point rasterio.sample`` — one ``sample`` call per point with the dataset kept
  open (nearest pixel), the way a QGIS-style "sample raster at points" loop works. This is
  the baseline of the speed-up column.

Grids: the embedded ETOPO5 (181 × 61 px) and a synthetic 6″ grid (9000 × 3000 px, tiled
GeoTIFF, smooth analytic surface) written to a temporary folder and deleted afterwards.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapapp.core.geodesy import densify, geodesic_length  # noqa: E402
from mapapp.data.bathymetry import open_grid  # noqa: E402
from mapapp.engineering.profile import sample_profile  # noqa: E402
from mapapp.routes.route import Route  # noqa: E402

#: A diagonal across the embedded grid's extent (lon -175..-160, lat 63.5..68.5).
ROUTE = [(-174.5, 63.7), (-167.5, 66.2), (-160.5, 68.3)]


def write_synthetic(folder: Path, res_deg: float = 1 / 600) -> Path:
    """A smooth synthetic grid (metres, float32) over the ETOPO5 extent: benchmark data only."""
    west, north, east, south = -175.0, 68.5, -160.0, 63.5
    width, height = round((east - west) / res_deg), round((north - south) / res_deg)
    path = folder / "synthetic_6s.tif"
    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                   crs="EPSG:4326", transform=from_origin(west, north, res_deg, res_deg),
                   tiled=True, blockxsize=512, blockysize=512, compress="deflate")
    lon = west + (np.arange(width) + 0.5) * res_deg
    with rasterio.open(path, "w", **profile) as ds:
        for r0 in range(0, height, 512):
            rows = np.arange(r0, min(r0 + 512, height))
            lat = north - (rows + 0.5) * res_deg
            # broad relief plus ripples ~10 px long, so interpolation matters
            z = (-60 + 40 * np.sin(np.radians(lon * 7))[None, :]
                 * np.cos(np.radians(lat * 11))[:, None]
                 + 5 * np.sin(np.radians(lon * 21_600))[None, :]
                 * np.sin(np.radians(lat * 36_000))[:, None]).astype("float32")
            ds.write(z, 1, window=rasterio.windows.Window(0, r0, width, rows.size))
    return path


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench(grid_path: Path, label: str, n_points: int, rows: list) -> None:
    route = Route.from_coords("bench", "Benchmark", ROUTE)
    length = geodesic_length(route.lons, route.lats)
    step = length / (n_points - 1)  # densify gives n_points … n_points + 2 points
    d = densify(route.lons, route.lats, step)
    lons, lats = d.lons, d.lats
    n = lons.size
    grid = open_grid(grid_path)

    t_ours, ours = timed(lambda: grid.sample(lons, lats), repeat=3)
    # sample_profile densifies itself; give it the same step (ETOPO5 accepts it: finer)
    t_prof, prof = timed(lambda: sample_profile(route, grid, step_m=step), repeat=3)

    xy = list(zip(lons.tolist(), lats.tolist(), strict=True))
    with rasterio.open(grid_path) as ds:
        t_one, one = timed(lambda: np.array([v[0] for v in ds.sample(xy)], float), repeat=3)

        def naive():
            out = np.empty(n)
            for i, p in enumerate(xy):
                out[i] = next(ds.sample([p]))[0]
            return out

        t_naive, nv = timed(naive)
    assert np.array_equal(nv, one), "per-point and one-call rasterio samples differ"
    diff = np.nanmax(np.abs(ours - nv))
    rows += [
        (label, "naive per-point rasterio.sample (nearest)", n, t_naive, 1.0),
        (label, "rasterio sample, one call (nearest)", n, t_one, t_naive / t_one),
        (label, "mapapp Grid.sample (bilinear, windows)", n, t_ours, t_naive / t_ours),
        (label, "mapapp sample_profile (+geodesic, coastline)", len(prof), t_prof,
         t_naive / t_prof),
    ]
    print(f"  {label}: {grid.info.width} × {grid.info.height} px, route {length / 1000:.0f} km, "
          f"step {step:.2f} m; max |bilinear − nearest| = {diff:.2f} m", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000)
    args = ap.parse_args(argv)
    rows: list = []
    print(f"sampling {args.points:,} points …", file=sys.stderr)
    bench(Path(open_grid().info.path), "ETOPO5 5′", args.points, rows)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = write_synthetic(Path(tmp))
        print(f"  wrote synthetic grid in {time.perf_counter() - t0:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB compressed)", file=sys.stderr)
        bench(path, "synthetic 6″", args.points, rows)
    head = ("grid", "method", "points", "seconds", "speed-up")
    table = [head] + [(g, m, f"{n:,}", f"{t:.4f}", f"{s:.0f}×") for g, m, n, t, s in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for k, r in enumerate(table):
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    worst = min(s for _, m, _, _, s in rows if m.startswith("mapapp Grid"))
    print(f"\nslowest speed-up of mapapp Grid.sample over the naive loop: {worst:.0f}× "
          f"(target ≥ 50×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
