"""``optimize`` (alias ``optimise``): the least-cost tunnel alignment between two points.

Examples (shell)::

    python -m mapapp optimize --start "Cape Dezhnev" --end "Cape Prince of Wales" \\
        --out optimised.geojson
    python -m mapapp optimize --start -169.65,66.08 --end -168.08,65.60 \\
        --via "Big Diomede" --via "Little Diomede" --corridor-km 20 --mode road
    python -m mapapp optimise --start "Uelen" --end "Wales" --avoid zones.geojson --compare

``--start``, ``--end`` and ``--via`` take ``LON,LAT`` in degrees (a negative longitude works
as ``--start -169.65,66.08`` or ``--start=-169.65,66.08``) or a place name from
``geodata/context/places.geojson``. ``--avoid`` is a GeoJSON/KML/GeoPackage file whose
polygons are no-go zones. The cost function is described in ``docs/optimiser.md``.
The route is written as GeoJSON exactly as ``export`` writes it.
"""

from __future__ import annotations

import argparse
import json
import re

from mapapp.engineering.optimise import CostWeights, optimise_route, read_no_go
from mapapp.io.export import write_geojson
from mapapp.routes.presets import load_presets

from ._common import open_dataset

__all__ = ["cmd_optimise", "register"]


def cmd_optimise(args: argparse.Namespace) -> int:
    """Find the least-cost alignment, print a summary, optionally write GeoJSON."""


    weights = CostWeights(sea_per_m=args.sea_weight, depth_per_m=args.depth_weight,
                          land_per_m=args.land_weight)
    no_go = read_no_go(args.avoid) if args.avoid else []
    grid = open_dataset(args.dataset)
    result = optimise_route(
        args.start, args.end, args.via or (), grid=grid, weights=weights, no_go=no_go,
        corridor_km=args.corridor_km, mode=args.mode,
        land=None if args.land == "none" else args.land, cell_m=args.cell_m,
        simplify_m=args.tolerance_m,
    )
    table = None
    if args.compare:

        table = result.compare_with(load_presets())
    if args.out:

        write_geojson([result.route], args.out)
    if args.json:
        out = result.to_dict()
        if table is not None:
            out["comparison"] = json.loads(table.to_json(orient="records"))
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print("\n".join(result.summary_lines()))
    if table is not None:
        print()
        print(_format_table(table))
    if args.out:
        print(f"wrote {args.out}")
    return 0


def _format_table(df) -> str:
    head = f"{'route':<44} {'km':>7} {'cost':>8} {'vs opt.':>8}  allowed"
    lines = [head, "-" * len(head)]
    for row in df.itertuples():
        name = row.name if len(row.name) <= 44 else row.name[:43] + "…"
        lines.append(f"{name:<44} {row.length_km:7.1f} {row.total:8.1f} "
                     f"{row.vs_optimised_pct:+7.1f}%  {'yes' if row.feasible else 'no'}")
    lines.append("cost in equivalent km (see docs/optimiser.md)")
    return "\n".join(lines)


def register(subparsers) -> None:
    """Add the ``optimize`` command (alias ``optimise``)."""

    d = CostWeights()
    p = subparsers.add_parser(
        "optimize",
        aliases=["optimise"],
        help="least-cost tunnel alignment between two points",
        description="Find the alignment from START to END (through the VIA points in order) "
        "that minimises the cost per metre over the bathymetry: sea + depth_weight × water "
        "depth under the sea, land_weight under land, never through no-go zones or outside "
        "the corridor (docs/optimiser.md).",
    )
    # a coordinate such as -169.65,66.08 is a value, not an option
    p._negative_number_matcher = re.compile(r"^-\d")
    p.add_argument("--start", required=True, metavar="LON,LAT|PLACE",
                   help="start point: lon,lat in degrees or a place name")
    p.add_argument("--end", required=True, metavar="LON,LAT|PLACE",
                   help="end point: lon,lat in degrees or a place name")
    p.add_argument("--via", action="append", metavar="LON,LAT|PLACE",
                   help="a point to pass through (repeat, in order)")
    p.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    p.add_argument("--avoid", metavar="FILE",
                   help="GeoJSON/KML/GeoPackage file whose polygons are no-go zones")
    p.add_argument("--mode", choices=("rail", "road", "loop"), default="rail",
                   help="mode of the route written (default rail)")
    p.add_argument("--corridor-km", type=float, metavar="K",
                   help="largest distance from the straight line start→end, km (default: none)")
    p.add_argument("--sea-weight", type=float, default=d.sea_per_m, metavar="W",
                   help=f"cost of a metre under the sea before depth (default {d.sea_per_m:g})")
    p.add_argument("--depth-weight", type=float, default=d.depth_per_m, metavar="W",
                   help="extra cost of a metre per metre of water depth "
                   f"(default {d.depth_per_m:g})")
    p.add_argument("--land-weight", type=float, default=d.land_per_m, metavar="W",
                   help=f"cost of a metre under land (default {d.land_per_m:g})")
    p.add_argument("--land", choices=("gshhg", "osm", "grid", "none"), default="gshhg",
                   help="what decides land and sea (default: gshhg coastline; none = all sea)")
    p.add_argument("--cell-m", type=float, metavar="M",
                   help="solver cell size, m (default: grid spacing, at most 500 m)")
    p.add_argument("--tolerance-m", type=float, metavar="M",
                   help="waypoint simplification tolerance, m (default: half a cell)")
    p.add_argument("--compare", action="store_true",
                   help="also compare the cost with the preset routes")
    p.add_argument("--out", metavar="FILE", help="write the route as GeoJSON (as `export` does)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_optimise)
