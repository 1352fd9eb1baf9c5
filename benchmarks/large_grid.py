"""Benchmark: a grid of any size — first map render and a 100 km profile.

Not a test: it prints a table. Run from the repository root::

    /tmp/venv/bin/python benchmarks/large_grid.py            # 40 000 × 20 000 int16 (1.6 GB raw)
    /tmp/venv/bin/python benchmarks/large_grid.py --quick    # 8 000 × 4 000 (64 MB raw)

It builds a synthetic int16 Cloud-Optimised GeoTIFF (DEFLATE, 512 px tiles, averaged
overviews; smooth relief plus ±2 m noise so it does not compress to nothing) over the
embedded grid's extent (lon -175…-160, lat 63.5…68.5) in a temporary folder, deleted
afterwards, and measures on it and on the embedded ETOPO5 grid:

* ``open + value range`` — :class:`mapapp.data.bathymetry.Grid` and ``value_range`` of the whole
  grid (what the sidebar does first);
* ``render whole, 1400 px`` — :func:`mapapp.render.overlay.render_overlay` over the whole grid;
* ``render 2°×1° view, 1400 px`` — the same over lon -169.5…-167.5, lat 65.2…66.2;
* ``of which the grid read`` — only the :meth:`Grid.read_bbox` that the view's render does
  (the rest of the render's memory is colouring and PNG encoding, independent of the grid);
* ``profile 100 km`` — :func:`mapapp.engineering.profile.sample_profile` of a 100 km geodesic from Cape
  Dezhnev (azimuth 120°) with the default step (half a pixel, ≤ 200 m) and the GSHHG land test;
* ``Grid.sample 100 km every 200 m`` — :meth:`Grid.sample` on the same route densified every
  200 m, as a caller sampling coarser than the grid does (the optimiser's cost integration):
  all 501 points fall in one chunk, whose bounding box is read.

Two rows measure proposed changes (not in the app yet): ``read at 1× output`` reads the view
at the output size instead of :func:`render_overlay`'s 2×, and ``compact windows`` splits a
chunk of points while its window holds more than 64 px per point (see
:func:`_compact_windows`): the same values, fewer bytes.

Each measurement runs in a fresh subprocess (cold GDAL block cache, but the file may be in
the OS page cache), after the same operation was run once on the embedded grid so that
one-off costs (lazy imports, PROJ database, coastline) are not counted. Methods:

* time: ``time.perf_counter`` around the operation;
* peak RSS: ``/proc/self/status`` ``VmHWM`` after the operation, the high-water mark having
  been reset (``/proc/self/clear_refs`` ← 5) after imports and the coastline were loaded —
  so it is the process's peak *including* its baseline (Python, GDAL, geopandas …), which is
  shown separately;
* bytes read: the growth of ``rchar`` in ``/proc/self/io`` (bytes the process obtained from
  ``read()``-family system calls: the grid file, whether or not the page cache served them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXTENT = (-175.0, 63.5, -160.0, 68.5)
VIEW = (-169.5, 65.2, -167.5, 66.2)
DEZHNEV = (-169.6519, 66.0792)
OPS = {
    "open": "open + value range",
    "render_whole": "render whole, 1400 px",
    "render_view": "render 2°×1° view, 1400 px",
    "read_view": "  of which the grid read",
    "read_view_1x": "  read at 1× output (proposal)",
    "profile": "profile 100 km",
    "sample_200m": "Grid.sample 100 km every 200 m",
    "sample_200m_compact": "  same, compact windows (proposal)",
}


# ------------------------------------------------------------------------------ the grid
def build_grid(folder: Path, width: int, height: int) -> tuple[Path, float]:
    """Write the synthetic COG; returns (path, seconds)."""
    import rasterio
    import rasterio.shutil
    from rasterio.transform import from_bounds
    from rasterio.windows import Window

    from mapapp.data.gridimport import COG_OPTIONS

    t0 = time.perf_counter()
    west, south, east, north = EXTENT
    tmp = folder / "raw_tiled.tif"
    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="int16",
                   crs="EPSG:4326", transform=from_bounds(west, south, east, north, width, height),
                   tiled=True, blockxsize=512, blockysize=512, nodata=-32768, BIGTIFF="YES")
    rng = np.random.default_rng(7)
    lon = west + (np.arange(width) + 0.5) * (east - west) / width
    with rasterio.open(tmp, "w", **profile) as ds:
        for r0 in range(0, height, 512):
            n = min(512, height - r0)
            lat = north - (np.arange(r0, r0 + n) + 0.5) * (north - south) / height
            z = (-60 + 40 * np.sin(np.radians(lon * 7))[None, :]
                 * np.cos(np.radians(lat * 11))[:, None]
                 + 8 * np.sin(np.radians(lon * 900))[None, :] * np.cos(np.radians(lat * 700))[:, None])
            z += rng.integers(-2, 3, size=z.shape)
            ds.write(z.astype("int16"), 1, window=Window(0, r0, width, n))
    out = folder / f"synthetic_{width}x{height}.tif"
    with rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS"):
        rasterio.shutil.copy(tmp, out, driver="COG", **COG_OPTIONS)
    tmp.unlink()
    return out, time.perf_counter() - t0


# ------------------------------------------------------------------------------ measuring
def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0  # kB → MiB
    return float("nan")


def _rchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def _run(op: str, grid_path: str, route) -> str:
    from mapapp.core.geodesy import densify
    from mapapp.data.bathymetry import Grid
    from mapapp.engineering.profile import sample_profile
    from mapapp.render.overlay import render_overlay

    grid = Grid(grid_path)
    if op == "open":
        lo, hi = grid.value_range()
        return f"{lo:.0f} … {hi:.0f} m"
    if op == "read_view":
        r = grid.read_bbox(VIEW, max_size=2 * 1701)  # what render_overlay reads for the view
        return f"{r.data.shape[1]}×{r.data.shape[0]} px read"
    if op in ("render_whole", "render_view"):
        ov = render_overlay(grid, grid.info.bounds if op == "render_whole" else VIEW,
                            width_px=1400)
        return f"{ov.rgba.shape[1]}×{ov.rgba.shape[0]} px"
    if op == "read_view_1x":
        r = grid.read_bbox(VIEW, max_size=1701)
        return f"{r.data.shape[1]}×{r.data.shape[0]} px read"
    if op.startswith("sample_200m"):
        if op.endswith("compact"):
            _compact_windows()
        d = densify(route.lons, route.lats, 200.0)
        z = grid.sample(d.lons, d.lats)
        return f"{d.lons.size} points, mean {np.nanmean(z):.2f} m"
    df = sample_profile(route, grid)
    return f"{len(df)} points, step {df.attrs['step_m']:.1f} m"


def _compact_windows() -> None:
    """The proposed change to Grid._sample_chunk (see the module docstring): split a chunk of
    points while its window holds more than 64 pixels per point (and more than 512² px), so
    that a coarsely sampled route reads the tiles along it, not its whole bounding box.
    Results are identical (each point's bilinear value depends only on its 4 nodes)."""
    from mapapp.data.bathymetry import Grid

    original = Grid._sample_chunk

    def compact(self, ds, sel, col, row, out, max_pixels=16_000_000):
        if sel.size > 1:
            c, r = np.floor(col[sel]), np.floor(row[sel])
            area = (c.max() - c.min() + 2) * (r.max() - r.min() + 2)
            if area > max(262_144, 64 * sel.size):
                half = sel.size // 2
                compact(self, ds, sel[:half], col, row, out, max_pixels)
                compact(self, ds, sel[half:], col, row, out, max_pixels)
                return
        original(self, ds, sel, col, row, out, max_pixels)

    Grid._sample_chunk = compact


def measure(op: str, grid_path: str) -> dict:
    """Run one operation in this (fresh) process and return its costs.

    The same operation is first run on the embedded grid, so that one-off costs (lazy imports,
    the PROJ database, the coastline) are not counted: what remains grows with the grid.
    """
    from mapapp.core.geodesy import GEOD
    from mapapp.data.bathymetry import default_grid_path
    from mapapp.data.coastline import land_geometry
    from mapapp.routes.route import Route

    land_geometry()
    lon2, lat2, _ = GEOD.fwd(DEZHNEV[0], DEZHNEV[1], 120.0, 100_000.0)
    route = Route.from_coords("b", "bench", [DEZHNEV, (lon2, lat2)])
    _run(op, str(default_grid_path()), route)  # warm-up
    try:
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    base = _status("VmRSS")
    r0 = _rchar()
    t0 = time.perf_counter()
    extra = _run(op, grid_path, route)
    dt = time.perf_counter() - t0
    return {
        "op": op,
        "time_s": dt,
        "base_rss_mb": base,
        "peak_rss_mb": _status("VmHWM"),
        "hwm_reset": reset,
        "read_bytes": _rchar() - r0,
        "detail": extra,
    }


def run_measure(op: str, grid: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--measure", op, "--grid", str(grid)],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{op} on {grid.name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000.0
    return ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8000 × 4000 instead of 40000 × 20000")
    ap.add_argument("--size", default=None, help="WIDTHxHEIGHT of the synthetic grid")
    ap.add_argument("--tmpdir", default=None, help="where to build the grid (deleted after)")
    ap.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--grid", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.grid)))
        return 0
    from mapapp.data.bathymetry import Grid, default_grid_path

    width, height = (8000, 4000) if args.quick else (40_000, 20_000)
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
    folder = Path(tempfile.mkdtemp(prefix="mapapp_large_", dir=args.tmpdir))
    try:
        print(f"building a {width} × {height} int16 COG in {folder} …", file=sys.stderr)
        big, build_s = build_grid(folder, width, height)
        info = Grid(big).info
        print(f"built in {build_s:.0f} s: {fmt_bytes(big.stat().st_size)} on disk "
              f"({fmt_bytes(width * height * 2)} raw), overviews {list(info.overviews)}, "
              f"{info.resolution_label}")
        rows = []
        for label, path in (("ETOPO5 (embedded)", default_grid_path()),
                            (f"synthetic {width}×{height}", big)):
            for op in OPS:
                print(f"  {label}: {OPS[op]} …", file=sys.stderr)
                rows.append((label, run_measure(op, path)))
        head = (f"| {'grid':<26} | {'operation':<34} | {'time':>8} | {'peak RSS':>9} | "
                f"{'baseline':>8} | {'bytes read':>10} | detail")
        print(head)
        print("|" + "|".join("-" * (len(c) + 0) for c in head.split("|")[1:]))
        for label, r in rows:
            print(f"| {label:<26} | {OPS[r['op']]:<34} | {r['time_s']:>6.2f} s | "
                  f"{r['peak_rss_mb']:>6.0f} MB | {r['base_rss_mb']:>5.0f} MB | "
                  f"{fmt_bytes(r['read_bytes']):>10} | {r['detail']}")
        if not all(r["hwm_reset"] for _, r in rows):
            print("(peak RSS could not be reset after imports: it includes import peaks)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
