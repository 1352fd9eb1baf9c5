"""``ensemble``: how sure is the best alignment? A corridor frequency raster, on Dask.

Examples (shell)::

    python -m mapapp ensemble --start "Cape Dezhnev" --end "Cape Prince of Wales" \\
        --runs 200 --out corridor.tif
    python -m mapapp ensemble --start Uelen --end Wales --optional-via "Big Diomede" \\
        --optional-via "Little Diomede" --runs 400 --scheduler tcp://127.0.0.1:8786 \\
        --out corridor.tif --json

Each run of the least-cost optimiser (``python -m mapapp optimize``) uses sampled cost
weights (``--depth-weight P10,P90``, ``--land-weight P10,P90``, lognormal), includes each
``--optional-via`` point and each ``--optional-avoid`` file with probability
``--p-optional`` and perturbs the grid's depths by a smooth random field of the grid's
vertical uncertainty (``--sigma-m`` to override, ``--no-perturb`` to switch off). The
output is a Cloud-Optimised GeoTIFF (EPSG:4326, float32): the share of successful runs
whose path crosses each cell. Method: ``docs/uncertainty.md``.
"""

from __future__ import annotations

import argparse
import json
import re

from mapapp.core.errors import InputError
from mapapp.uncertainty.cluster import open_runner
from mapapp.uncertainty.distributions import Distribution
from mapapp.uncertainty.ensemble import EnsembleSpec, run_ensemble, write_corridor_cog

from ._common import POSITIVE_INT, SEED, number_pair
from .sweep_cmd import add_cluster_options, progress_printer

__all__ = ["cmd_ensemble", "register"]


#: A P10,P90 pair of a lognormal cost weight (both > 0, P10 ≤ P90).
_P10_P90 = number_pair("P10,P90", "0.005,0.02", positive_increasing=True)


def cmd_ensemble(args: argparse.Namespace) -> int:
    """Run the ensemble, write the COG, print a summary (or JSON)."""


    if not args.out.lower().endswith((".tif", ".tiff")):
        raise InputError(f"--out must be a .tif file (the corridor raster), got {args.out}")
    spec = EnsembleSpec(
        start=args.start, end=args.end, via=tuple(args.via or ()),
        optional_via=tuple(args.optional_via or ()), no_go_files=tuple(args.avoid or ()),
        optional_no_go_files=tuple(args.optional_avoid or ()), p_optional=args.p_optional,
        depth_weight=Distribution.lognormal_p10_p90(*args.depth_weight),
        land_weight=Distribution.lognormal_p10_p90(*args.land_weight),
        perturb=not args.no_perturb, sigma_m=args.sigma_m, correlation_km=args.correlation_km,
        grid=args.dataset, corridor_km=args.corridor_km, cell_m=args.cell_m, land=args.land,
        cell_km=args.cell_km,
    )
    with open_runner(args.scheduler, args.workers, in_process=args.in_process) as runner:
        result = run_ensemble(spec, args.runs, args.seed, runner=runner,
                              progress=progress_printer("ensemble"))
    write_corridor_cog(result, args.out)
    if args.json:
        print(json.dumps({**result.to_dict(), "out": args.out}, ensure_ascii=False, indent=1))
        return 0
    print("\n".join(result.summary_lines()))
    print(f"wrote {args.out} (share of runs crossing each {args.cell_km:g} km cell)")
    return 0


def register(subparsers) -> None:
    """Add the ``ensemble`` command."""

    p = subparsers.add_parser(
        "ensemble",
        help="alignment ensemble: corridor frequency raster of the least-cost optimiser",
        description="Run the least-cost optimiser RUNS times over sampled cost weights, "
        "via/no-go choices and grid perturbations; write the share of runs crossing each "
        "cell as a COG GeoTIFF (docs/uncertainty.md).",
    )
    p._negative_number_matcher = re.compile(r"^-\d")
    p.add_argument("--start", required=True, metavar="LON,LAT|PLACE", help="start point")
    p.add_argument("--end", required=True, metavar="LON,LAT|PLACE", help="end point")
    p.add_argument("--via", action="append", metavar="LON,LAT|PLACE",
                   help="a point every run passes through (repeat, in order)")
    p.add_argument("--optional-via", action="append", metavar="LON,LAT|PLACE",
                   help="a point each run passes through with probability --p-optional")
    p.add_argument("--avoid", action="append", metavar="FILE",
                   help="no-go zones used in every run (GeoJSON/KML/GeoPackage)")
    p.add_argument("--optional-avoid", action="append", metavar="FILE",
                   help="no-go zones each run uses with probability --p-optional")
    p.add_argument("--p-optional", type=float, default=0.5, metavar="P",
                   help="probability of each optional via point / no-go file (default 0.5)")
    p.add_argument("--runs", type=POSITIVE_INT, default=200, metavar="N",
                   help="optimiser runs (default 200)")
    p.add_argument("--seed", type=SEED, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--depth-weight", type=_P10_P90, default=(0.005, 0.02), metavar="P10,P90",
                   help="depth weight per m of water, lognormal (default 0.005,0.02)")
    p.add_argument("--land-weight", type=_P10_P90, default=(0.5, 2.0), metavar="P10,P90",
                   help="land weight, lognormal (default 0.5,2)")
    p.add_argument("--no-perturb", action="store_true", help="do not perturb the grid")
    p.add_argument("--sigma-m", type=float, metavar="M",
                   help="σ of the depth perturbation, m (default: the grid's vertical "
                   "uncertainty, docs/uncertainty.md)")
    p.add_argument("--correlation-km", type=float, default=20.0, metavar="KM",
                   help="correlation length of the depth perturbation, km (default 20)")
    p.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    p.add_argument("--corridor-km", type=float, metavar="K",
                   help="largest distance from the straight line, km (default: none)")
    p.add_argument("--cell-m", type=float, metavar="M", help="optimiser cell size, m")
    p.add_argument("--land", choices=("gshhg", "osm", "grid", "none"), default="gshhg",
                   help="what decides land and sea (default gshhg)")
    p.add_argument("--cell-km", type=float, default=0.5, metavar="KM",
                   help="cell of the frequency raster, km (default 0.5)")
    add_cluster_options(p)
    p.add_argument("--out", required=True, metavar="FILE.tif", help="COG GeoTIFF to write")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=cmd_ensemble)
