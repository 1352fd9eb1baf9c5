"""Peers: what users would use instead, measured in the same run on the same data.

* leafmap's folium backend (``leafmap.foliumap``: ``add_raster`` through localtileserver,
  ``to_streamlit``) showing the embedded ETOPO5 GeoTIFF and the Dmitriev 2025 route in a bare
  Streamlit page (``benchmarks/apps/leafmap_peer.py``): cold start and page payload, with
  the definitions of :mod:`benchmarks.browser`.
* the per-point sampling a QGIS-style profile tool does (one ``rasterio`` ``sample`` call
  per point, dataset kept open) against mapapp's ``Grid.sample`` — measured by
  ``benchmarks/profile_sampling.py`` (its ``bench`` function, reused as is).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import browser

ROOT = Path(__file__).resolve().parents[1]
LEAFMAP_APP = browser.APPS / "leafmap_peer.py"


def leafmap_available() -> str:
    """``""`` when leafmap and localtileserver import, else why not."""
    for mod in ("leafmap", "localtileserver", "xarray"):
        if importlib.util.find_spec(mod) is None:
            return (f"{mod} is not installed (pip install leafmap localtileserver xarray; "
                    "see benchmarks/README.md)")
    return ""


def leafmap_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("leafmap", "localtileserver"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def leafmap_cold_start(br: browser.Browser, payload: bool = True) -> dict:
    """Cold start of the leafmap peer page and, with ``payload``, the payload of a session."""
    from mapapp.routes import presets

    route = presets.get_preset("dmitriev-2025")
    env = {
        "BENCH_GRID": str(ROOT / "geodata" / "bathymetry" / "etopo5_bering_5arcmin.tif"),
        "BENCH_ROUTE": json.dumps([[w.lon, w.lat] for w in route.waypoints]),
    }
    return browser.cold_start(br, LEAFMAP_APP, browser.PEER_READY, env=env,
                              static_dir=ROOT / "mapapp" / "static", payload=payload)


def sampling(points: int, synthetic: bool) -> list[tuple]:
    """Rows of ``profile_sampling.bench``: (grid, method, points, seconds, speed-up)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import profile_sampling as ps

    from mapapp.data.bathymetry import open_grid

    rows: list = []
    ps.bench(Path(open_grid().info.path), "ETOPO5 5′", points, rows)
    if synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            path = ps.write_synthetic(Path(tmp))
            print(f"  wrote synthetic 6″ grid in {time.perf_counter() - t0:.1f} s",
                  file=sys.stderr)
            ps.bench(path, "synthetic 6″", points, rows)
            rows.append(_uncompressed_row(ps, path, points, rows))
    return rows


def _uncompressed_row(ps, path: Path, points: int, rows: list) -> tuple:
    """Grid.sample on an uncompressed copy of ``path``: how much of its time is inflating."""
    import rasterio

    from mapapp.core.geodesy import densify, geodesic_length
    from mapapp.data.bathymetry import open_grid
    from mapapp.routes.route import Route

    raw = path.with_name("uncompressed.tif")
    with rasterio.open(path) as src:
        prof = {**src.profile, "compress": None}
        with rasterio.open(raw, "w", **prof) as dst:
            dst.write(src.read(1), 1)
    route = Route.from_coords("bench", "Benchmark", ps.ROUTE)
    d = densify(route.lons, route.lats, geodesic_length(route.lons, route.lats) / (points - 1))
    grid = open_grid(raw)
    t, _ = ps.timed(lambda: grid.sample(d.lons, d.lats), repeat=3)
    naive = next(r[3] for r in rows if r[0] == "synthetic 6″" and r[1].startswith("naive"))
    return ("synthetic 6″", "mapapp Grid.sample, same grid uncompressed", d.lons.size, t,
            naive / t)


def env_note() -> str:
    """Where the peer's assets come from (stated in RESULTS.md)."""
    return ("Leaflet and the folium plugins load from mapapp's local copies "
            "(mapapp.render.assets.localize), as the machine has no internet; by default leafmap "
            "links them from public CDNs" + (", which this run blocks" if not
                                           os.environ.get("BENCH_ONLINE") else ""))
