"""Alignment ensembles: how sure is the "best" alignment?

:func:`run_ensemble` runs the least-cost optimiser
(:func:`mapapp.engineering.optimise.optimise_route`, through its public API only) many
times, each run with

* **cost weights** drawn from distributions: the depth weight (lognormal, P10/P90 0.005 /
  0.02 per m of water by default, around the optimiser's default 0.01) and the land weight
  (lognormal, P10/P90 0.5 / 2.0, around its default 1) — the optimiser's weights are stated
  assumptions, not published figures, so their spread is one too;
* **via and no-go choices**: each optional via point and each optional no-go file is
  included with its own probability (default ½);
* **grid perturbations**: the grid's depths plus a smooth random field — white noise
  smoothed by a Gaussian of the correlation length (default 20 km, an assumption), scaled
  to the grid's vertical uncertainty σ (:func:`mapapp.uncertainty.distributions.
  vertical_uncertainty`), added at sea only. Each worker reads the window it needs **from
  the grid's path**, perturbs it and writes a temporary GeoTIFF that the optimiser opens:
  no array crosses the network.

Run *k* draws everything from the *k*-th child of ``SeedSequence(seed)``, so an ensemble is
the same whatever the number of workers and however runs are grouped into tasks.

The result (:class:`EnsembleResult`) holds a **corridor frequency raster** — the share of
successful runs whose path crosses each cell of a lon/lat grid (cells of ``cell_km``) —
written as a Cloud-Optimised GeoTIFF by :func:`write_corridor_cog`, and the spread of path
lengths (P10/P50/P90, km).

Examples
--------
>>> cells_on_path(np.array([0.1, 0.9]), np.array([0.0, 0.0]),
...               (0.0, -0.5, 2.0, 0.5), (1, 4)).tolist()
[0, 1]
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mapapp.core.errors import ExportError, InputError, MapAppError
from mapapp.core.geodesy import STRAIT_CENTER, center_lons, distance
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.optimise import CostWeights, optimise_route, parse_point, read_no_go
from mapapp.uncertainty.cluster import InProcessRunner, Runner, chunk_seeds, chunk_sizes
from mapapp.uncertainty.distributions import Distribution, vertical_uncertainty

__all__ = [
    "EnsembleResult",
    "EnsembleSpec",
    "cells_on_path",
    "ensemble_chunk",
    "run_ensemble",
    "write_corridor_cog",
]

#: Largest number of runs per ensemble.
MAX_RUNS = 100_000
#: Runs per Dask task (each run takes ≈ 0.3 s on the embedded grid).
RUNS_PER_TASK = 4
_KM_PER_DEG_LAT = 111.32


@dataclass(frozen=True)
class EnsembleSpec:
    """What varies between the runs of an ensemble.

    Attributes
    ----------
    start, end : str or tuple
        As for :func:`~mapapp.engineering.optimise.optimise_route` (``"LON,LAT"``, a place
        name or ``(lon, lat)``).
    via : tuple
        Via points in every run, in order.
    optional_via : tuple
        Via points each included with probability ``p_optional`` (ordered along the way by
        distance from the start).
    no_go_files : tuple of str
        No-go zone files used in every run.
    optional_no_go_files : tuple of str
        No-go files each included with probability ``p_optional``.
    p_optional : float
        Probability of including each optional via point or no-go file.
    depth_weight : Distribution
        Optimiser depth weight (per m of water depth, per m of alignment).
    land_weight : Distribution
        Optimiser land weight (per m of alignment under land).
    perturb : bool
        Add a random depth field to the grid in each run.
    sigma_m : float or None
        Its standard deviation, m (None: the grid's vertical uncertainty).
    correlation_km : float
        Its correlation length, km (assumption).
    grid : str or None
        Path or URL of the grid (None: the embedded ETOPO5).
    corridor_km, cell_m : float or None
        Passed to the optimiser.
    land : str
        ``"gshhg"``, ``"osm"``, ``"grid"`` or ``"none"``.
    cell_km : float
        Cell of the frequency raster, km.
    """

    start: object
    end: object
    via: tuple = ()
    optional_via: tuple = ()
    no_go_files: tuple = ()
    optional_no_go_files: tuple = ()
    p_optional: float = 0.5
    depth_weight: Distribution = field(
        default_factory=lambda: Distribution.lognormal_p10_p90(0.005, 0.02))
    land_weight: Distribution = field(
        default_factory=lambda: Distribution.lognormal_p10_p90(0.5, 2.0))
    perturb: bool = True
    sigma_m: float | None = None
    correlation_km: float = 20.0
    grid: str | None = None
    corridor_km: float | None = None
    cell_m: float | None = None
    land: str = "gshhg"
    cell_km: float = 0.5

    def __post_init__(self):
        if not 0.0 <= float(self.p_optional) <= 1.0:
            raise InputError(f"the probability of optional choices must be 0–1, got "
                             f"{self.p_optional}")
        if not (math.isfinite(self.cell_km) and 0.05 <= self.cell_km <= 50):
            raise InputError(f"the raster cell must be 0.05–50 km, got {self.cell_km}")
        if not (math.isfinite(self.correlation_km) and self.correlation_km > 0):
            raise InputError(f"the correlation length must be > 0 km, got "
                             f"{self.correlation_km}")
        if self.sigma_m is not None and not (math.isfinite(self.sigma_m) and self.sigma_m >= 0):
            raise InputError(f"the depth perturbation σ must be ≥ 0 m, got {self.sigma_m}")
        if self.land not in ("gshhg", "osm", "grid", "none"):
            raise InputError(f"land must be gshhg, osm, grid or none, got {self.land!r}")
        for f in (*self.no_go_files, *self.optional_no_go_files):
            if not Path(f).is_file():
                raise InputError(f"no-go file not found: {f}")


@dataclass
class EnsembleResult:
    """What an ensemble found.

    Attributes
    ----------
    frequency : ndarray
        float32 (rows, cols): share of successful runs whose path crosses each cell (0–1).
    bounds : tuple
        (west, south, east, north) of the raster, degrees (EPSG:4326).
    runs, ok : int
        Runs asked for, and runs that found a path.
    failures : dict of str → int
        Why the other runs failed (message → count).
    lengths_km : ndarray
        Path length of each successful run, km (in run order).
    costs : ndarray
        Optimiser cost of each successful run, equivalent km.
    length_percentiles : tuple
        (P10, P50, P90) of ``lengths_km``, km.
    paths : list of ndarray
        (n, 2) lon/lat vertices of each successful run's path.
    seed : int
    grid_name : str
    sigma_m : float
        Depth perturbation σ used, m (0 when off).
    spec : EnsembleSpec
    runner : str
    """

    frequency: np.ndarray
    bounds: tuple[float, float, float, float]
    runs: int
    ok: int
    failures: dict
    lengths_km: np.ndarray
    costs: np.ndarray
    length_percentiles: tuple[float, float, float]
    paths: list = field(repr=False)
    seed: int = 0
    grid_name: str = ""
    sigma_m: float = 0.0
    spec: EnsembleSpec | None = field(default=None, repr=False)
    runner: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.frequency.shape)

    def transform(self):
        """The raster's affine transform (north-up, EPSG:4326)."""
        from affine import Affine

        w, s, e, n = self.bounds
        rows, cols = self.frequency.shape
        return Affine((e - w) / cols, 0.0, w, 0.0, -(n - s) / rows, n)

    def summary_lines(self) -> list[str]:
        p10, p50, p90 = self.length_percentiles
        lines = [f"{self.ok} of {self.runs} runs found a path (grid {self.grid_name}, seed "
                 f"{self.seed}, {self.runner})",
                 f"path length P10 {p10:.1f} km, P50 {p50:.1f} km, P90 {p90:.1f} km"]
        if self.ok:
            lines.append(f"cells crossed by ≥ 50 % of the runs: "
                         f"{int(np.count_nonzero(self.frequency >= 0.5)):,}")
        for msg, n in self.failures.items():
            lines.append(f"  {n} run(s) failed: {msg}")
        return lines

    def to_dict(self) -> dict:
        p10, p50, p90 = self.length_percentiles
        return {"runs": self.runs, "ok": self.ok, "failures": dict(self.failures),
                "length_km": {"p10": p10, "p50": p50, "p90": p90},
                "bounds": list(self.bounds), "shape": list(self.shape), "seed": self.seed,
                "grid": self.grid_name, "sigma_m": self.sigma_m, "runner": self.runner}


# =============================================================================== geometry
def cells_on_path(lons, lats, bounds, shape) -> np.ndarray:
    """Flat indices (row-major, sorted, unique) of the raster cells a lon/lat path crosses.

    The path is densified to a quarter cell, so no crossed cell is skipped except where a
    segment only clips a cell's corner.
    """
    w, s, e, n = bounds
    rows, cols = shape
    dx, dy = (e - w) / cols, (n - s) / rows
    lons, lats = np.asarray(lons, dtype="float64"), np.asarray(lats, dtype="float64")
    pts_x, pts_y = [lons[:1]], [lats[:1]]
    for i in range(len(lons) - 1):
        steps = max(1, int(math.ceil(max(abs(lons[i + 1] - lons[i]) / dx,
                                         abs(lats[i + 1] - lats[i]) / dy) * 4)))
        t = np.arange(1, steps + 1) / steps
        pts_x.append(lons[i] + t * (lons[i + 1] - lons[i]))
        pts_y.append(lats[i] + t * (lats[i + 1] - lats[i]))
    x, y = np.concatenate(pts_x), np.concatenate(pts_y)
    c = np.floor((x - w) / dx).astype(np.int64)
    r = np.floor((n - y) / dy).astype(np.int64)
    ok = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
    return np.unique(r[ok] * cols + c[ok]).astype(np.int64)


def _points(spec: EnsembleSpec):

    pts = [parse_point(p, "") for p in (spec.start, *spec.via, *spec.optional_via, spec.end)]
    for p in pts:
        p.lon = float(center_lons(p.lon, STRAIT_CENTER[0]))
    return pts


def _window(spec: EnsembleSpec) -> tuple[float, float, float, float]:
    """The lon/lat box every run works in: the points' box grown like the optimiser's
    search window (half the start–end distance, ≥ 20 km), plus 10 km."""

    pts = _points(spec)
    lons = np.array([p.lon for p in pts])
    lats = np.array([p.lat for p in pts])
    d_km = float(distance(pts[0].lon, pts[0].lat, pts[-1].lon, pts[-1].lat)) / 1000.0
    margin = (spec.corridor_km + 10.0) if spec.corridor_km else max(0.5 * d_km, 20.0) + 10.0
    lat0 = float(np.mean(lats))
    dlat = margin / _KM_PER_DEG_LAT
    dlon = margin / (_KM_PER_DEG_LAT * math.cos(math.radians(lat0)))
    return (float(lons.min() - dlon), float(lats.min() - dlat),
            float(lons.max() + dlon), float(lats.max() + dlat))


def _raster_frame(box, cell_km: float) -> tuple[tuple, tuple[int, int]]:
    w, s, e, n = box
    lat0 = 0.5 * (s + n)
    dy = cell_km / _KM_PER_DEG_LAT
    dx = cell_km / (_KM_PER_DEG_LAT * math.cos(math.radians(lat0)))
    cols = max(1, int(math.ceil((e - w) / dx)))
    rows = max(1, int(math.ceil((n - s) / dy)))
    return (w, n - rows * dy, w + cols * dx, n), (rows, cols)


# =============================================================================== one run
def _perturbed_grid(grid_path: str | None, box, sigma_m: float, corr_km: float,
                    rng: np.random.Generator, folder: str) -> str:
    """Read the window of the grid (by path), add a smooth random field at sea, write it."""
    import rasterio
    from skimage.filters import gaussian


    g = open_grid(grid_path)
    ras = g.read_bbox(box, max_size=4096)
    data = ras.data.astype("float64")
    noise = rng.standard_normal(data.shape)
    # the field's correlation length in pixels (native units: degrees or metres)
    px_x, px_y = abs(ras.transform.a), abs(ras.transform.e)
    if g.info.is_geographic:
        lat0 = 0.5 * (box[1] + box[3])
        px_x *= _KM_PER_DEG_LAT * math.cos(math.radians(lat0))
        px_y *= _KM_PER_DEG_LAT
    else:
        px_x, px_y = px_x / 1000.0, px_y / 1000.0
    field_ = gaussian(noise, sigma=(corr_km / px_y, corr_km / px_x), mode="reflect",
                      preserve_range=True)
    sd = float(field_.std())
    if sd > 0:
        field_ *= sigma_m / sd
    sea = np.isfinite(data) & (data < 0)
    data = np.where(sea, np.minimum(data + field_, -0.1), data)  # sea stays sea
    out = os.path.join(folder, "grid.tif")
    with rasterio.open(out, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype="float32", crs=ras.crs, transform=ras.transform,
                       nodata=float("nan")) as ds:
        ds.write(data.astype("float32"), 1)
    return out


def _one_run(spec: EnsembleSpec, seed: np.random.SeedSequence, box, frame, sigma_m: float,
             no_go_cache: dict) -> dict:

    rng = np.random.default_rng(seed)
    # fixed order of draws: weights, optional choices, grid field
    depth_w = float(spec.depth_weight.sample(rng, 1)[0])
    land_w = float(spec.land_weight.sample(rng, 1)[0])
    take_via = rng.random(len(spec.optional_via)) < spec.p_optional
    take_ng = rng.random(len(spec.optional_no_go_files)) < spec.p_optional
    via = list(spec.via)
    extra = [v for v, t in zip(spec.optional_via, take_via, strict=True) if t]
    if extra:

        a = parse_point(spec.start, "")
        extra.sort(key=lambda v: float(distance(a.lon, a.lat, parse_point(v, "").lon,
                                                parse_point(v, "").lat)))
        via += extra
    no_go = []
    for f in (*spec.no_go_files,
              *(f for f, t in zip(spec.optional_no_go_files, take_ng, strict=True) if t)):
        if f not in no_go_cache:
            no_go_cache[f] = read_no_go(f)
        no_go += list(no_go_cache[f])
    with tempfile.TemporaryDirectory(prefix="mapapp-ens-") as tmp:
        grid = spec.grid
        if spec.perturb and sigma_m > 0:
            grid = _perturbed_grid(spec.grid, box, sigma_m, spec.correlation_km, rng, tmp)
        try:
            res = optimise_route(
                spec.start, spec.end, via, grid=grid,
                weights=CostWeights(depth_per_m=depth_w, land_per_m=land_w), no_go=no_go,
                corridor_km=spec.corridor_km, land=None if spec.land == "none" else spec.land,
                cell_m=spec.cell_m)
        except MapAppError as exc:
            return {"ok": False, "error": str(exc).split(";")[0]}
    lons, lats = res.route.lons, res.route.lats
    return {"ok": True, "length_km": float(res.cost.length_km), "cost": float(res.cost.total),
            "cells": cells_on_path(lons, lats, *frame).astype(np.int32),
            "path": np.column_stack([lons, lats]).astype("float32"),
            "depth_weight": depth_w, "land_weight": land_w, "via": len(via),
            "no_go": len(no_go)}


def ensemble_chunk(spec: EnsembleSpec, seeds: list, box, frame, sigma_m: float) -> list[dict]:
    """A task: the runs of ``seeds`` (one SeedSequence each), in order. Runs on a worker."""
    cache: dict = {}
    return [_one_run(spec, s, box, frame, sigma_m, cache) for s in seeds]


def run_ensemble(spec: EnsembleSpec, runs: int, seed: int = 0, *, runner: Runner | None = None,
                 runs_per_task: int = RUNS_PER_TASK, progress=None, cancel=None
                 ) -> EnsembleResult:
    """Run the optimiser ``runs`` times with sampled choices; the corridor raster.

    Parameters
    ----------
    spec : EnsembleSpec
    runs : int
        Number of optimiser runs (1 … :data:`MAX_RUNS`).
    seed : int
        Seed of ``numpy.random.SeedSequence``; run *k* uses its *k*-th child.
    runner : Runner, optional
        Default in-process.
    runs_per_task : int
        Runs grouped into one Dask task.
    progress, cancel : callable, optional
        See :meth:`mapapp.uncertainty.cluster.Runner.map`.

    Returns
    -------
    EnsembleResult

    Raises
    ------
    InputError
        Bad inputs, or no run found a path (the first reason is given).
    """

    runs = int(runs)
    if not 1 <= runs <= MAX_RUNS:
        raise InputError(f"the number of runs must be 1–{MAX_RUNS:,}, got {runs}")
    g = open_grid(spec.grid)  # fails early, with the grid's own message
    sigma = 0.0
    if spec.perturb:
        sigma = float(spec.sigma_m if spec.sigma_m is not None
                      else vertical_uncertainty(g.info.name).sigma_m)
    box = _window(spec)
    frame = _raster_frame(box, spec.cell_km)
    seeds = chunk_seeds(seed, runs)
    sizes = chunk_sizes(runs, runs_per_task)
    args, at = [], 0
    for n in sizes:
        args.append((spec, seeds[at:at + n], box, frame, sigma))
        at += n
    runner = runner or InProcessRunner()
    parts = runner.map(ensemble_chunk, args, progress=progress, cancel=cancel,
                       name="ensemble")
    results = [r for p in parts for r in p]
    bounds, shape = frame
    counts = np.zeros(shape[0] * shape[1], dtype=np.int64)
    lengths, costs, paths, failures = [], [], [], {}
    for r in results:
        if not r["ok"]:
            failures[r["error"]] = failures.get(r["error"], 0) + 1
            continue
        counts[r["cells"]] += 1
        lengths.append(r["length_km"])
        costs.append(r["cost"])
        paths.append(r["path"])
    ok = len(lengths)
    if ok == 0:
        first = next(iter(failures), "unknown reason")
        raise InputError(f"no run of the ensemble found a path: {first}")
    freq = (counts / ok).astype("float32").reshape(shape)
    lengths_a = np.asarray(lengths)
    p10, p50, p90 = (float(v) for v in np.percentile(lengths_a, [10, 50, 90]))
    return EnsembleResult(
        frequency=freq, bounds=bounds, runs=runs, ok=ok, failures=failures,
        lengths_km=lengths_a, costs=np.asarray(costs), length_percentiles=(p10, p50, p90),
        paths=paths, seed=int(seed), grid_name=g.info.name, sigma_m=sigma, spec=spec,
        runner=runner.description)


def write_corridor_cog(result: EnsembleResult, path) -> Path:
    """Write the frequency raster as a Cloud-Optimised GeoTIFF (EPSG:4326, float32 0–1).

    Tags record what it is: runs, successful runs, seed, grid, σ and the length
    percentiles. Returns the path written.
    """
    import rasterio
    import rasterio.shutil
    from rasterio.io import MemoryFile

    path = Path(path)
    if path.suffix.lower() not in (".tif", ".tiff"):
        raise ExportError(f"the corridor raster is a GeoTIFF: give a .tif file, not {path.name}")
    if not path.parent.exists():
        raise ExportError(f"folder not found: {path.parent}")
    rows, cols = result.shape
    p10, p50, p90 = result.length_percentiles
    profile = {"driver": "GTiff", "width": cols, "height": rows, "count": 1,
               "dtype": "float32", "crs": "EPSG:4326", "transform": result.transform(),
               "nodata": None}
    try:
        with MemoryFile() as mem:
            with mem.open(**profile) as ds:
                ds.write(result.frequency.astype("float32"), 1)
                ds.update_tags(
                    DESCRIPTION="share of ensemble runs whose least-cost path crosses the cell",
                    RUNS=str(result.runs), OK_RUNS=str(result.ok), SEED=str(result.seed),
                    GRID=result.grid_name, SIGMA_M=f"{result.sigma_m:g}",
                    LENGTH_KM_P10=f"{p10:.3f}", LENGTH_KM_P50=f"{p50:.3f}",
                    LENGTH_KM_P90=f"{p90:.3f}", SOFTWARE="mapapp ensemble")
                ds.set_band_description(1, "corridor frequency (0-1)")
            with mem.open() as src:
                rasterio.shutil.copy(src, str(path), driver="COG", COMPRESS="DEFLATE",
                                     BLOCKSIZE=256, OVERVIEW_RESAMPLING="AVERAGE")
    except (OSError, rasterio.errors.RasterioError) as exc:
        raise ExportError(f"cannot write {path}: {exc}") from None
    return path
