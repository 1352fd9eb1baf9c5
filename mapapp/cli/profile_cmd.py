"""``profile`` and ``tunnel``: the seabed along a route, and what a tunnel on it would take.

Examples (shell)::

    python -m mapapp profile dmitriev-2025 --csv profile.csv
    python -m mapapp profile my_route.geojson --step-m 100 --csv - > profile.csv
    python -m mapapp tunnel dmitriev-2025 direct-shortest --mode rail --json
    python -m mapapp tunnel my_route.gpx --mode road --cover-m 60 --max-grade-pct 4

ROUTE is a preset id or a route file (GeoJSON, KML, GPX, CSV). ``--json`` prints a JSON
array with one object per route (always an array, even for one route).
"""

from __future__ import annotations

import argparse
import json
import sys

from mapapp.core.files import atomic_write
from mapapp.data.coastline import SOURCES
from mapapp.economics.estimate import estimate_for_route
from mapapp.engineering.profile import sample_profile
from mapapp.engineering.tunnel import TunnelParams
from mapapp.io.export import profile_csv_bytes

from ._common import open_dataset, resolve_routes

__all__ = ["cmd_profile", "cmd_tunnel", "register"]

def _land_choices():

    return [*SOURCES, "grid"]


def cmd_profile(args: argparse.Namespace) -> int:
    """Sample the grid along the route(s) and write a CSV (same format as the app's download:
    :func:`mapapp.io.export.profile_csv_bytes`; a ``route_id`` first column when a route file
    holds several routes)."""


    routes = resolve_routes([args.route])
    grid = open_dataset(args.dataset)
    profiles, lines = {}, []
    for route in routes:
        df = sample_profile(route, grid, step_m=args.step_m, land_source=args.land_source)
        profiles[route.id] = df
        lines.append(_profile_summary(route.id, df))
    data = profile_csv_bytes(profiles if len(profiles) > 1 else next(iter(profiles.values())))
    if args.csv == "-":
        sys.stdout.write(data.decode("utf-8"))
        for line in lines:
            print(line, file=sys.stderr)
        return 0
    atomic_write(args.csv, data)
    for line in lines:
        print(line)
    rows = sum(len(df) for df in profiles.values())
    print(f"wrote {args.csv} ({rows:,} rows; grid {grid.info.name}, {grid.info.resolution_label})")
    return 0


def _profile_summary(route_id: str, df) -> str:
    sea = df["surface"] == "sea"
    depth = -df.loc[sea, "elevation_m"].min() if sea.any() else float("nan")
    step = df.attrs.get("step_m", float("nan"))
    msg = (f"{route_id}: {len(df):,} points every ≤ {step:.0f} m over "
           f"{df['chainage_m'].iloc[-1] / 1000:.2f} km; {int(sea.sum()):,} at sea, "
           f"max water depth {depth:.1f} m")
    if df.attrs.get("nan_count"):
        msg += f"; {df.attrs['nan_count']} point(s) outside the grid or on nodata (NaN)"
    return msg


def cmd_tunnel(args: argparse.Namespace) -> int:
    """Design the tunnel of each route, estimate its programme, print a table or JSON."""


    routes = resolve_routes(args.routes)
    grid = open_dataset(args.dataset)
    results = []
    for route in routes:
        params = TunnelParams.preset(args.mode or route.mode, cover_m=args.cover_m,
                                     max_grade_pct=args.max_grade_pct)
        results.append(estimate_for_route(route, grid, params=params, base_year=args.base_year,
                                          band=False, step_m=args.step_m,
                                          land_source=args.land_source))
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print(format_table(results))
    return 0


def _rng(lo, hi, fmt="{:.1f}") -> str:
    return f"{fmt.format(lo)}–{fmt.format(hi)}"


def _cost(e) -> str:
    return e.cost.label()


_ROWS = (
    ("mode", lambda e: e.tunnel.params.mode),
    ("max gradient / cover",
     lambda e: f"{e.tunnel.params.max_grade_pct:g} % / {e.tunnel.params.cover_m:g} m"),
    ("route length (km)", lambda e: f"{e.tunnel.route_length_m / 1000:.1f}"),
    ("tunnel length incl. approaches (km)", lambda e: f"{e.tunnel.tunnel_length_m / 1000:.1f}"),
    ("  approach beyond start / end (km)",
     lambda e: f"{e.tunnel.approach_needed_m_start / 1000:.2f} / "
               f"{e.tunnel.approach_needed_m_end / 1000:.2f}"),
    ("under the sea (km)", lambda e: f"{e.tunnel.subsea_length_m / 1000:.1f}"),
    ("max water depth crossed (m)", lambda e: f"{e.tunnel.max_water_depth_m:.1f}"),
    ("deepest tunnel crown below sea level (m)",
     lambda e: f"{e.tunnel.max_depth_below_sea_level_m:.1f}"),
    ("steepest grade used (%)", lambda e: f"{e.tunnel.max_grade_pct:.2f}"),
    ("excavated volume (million m³)", lambda e: f"{e.tunnel.excavated_volume_m3 / 1e6:.2f}"),
    ("islands used as access points", lambda e: str(len(e.tunnel.islands))),
    ("longest stretch without access (km)",
     lambda e: f"{e.tunnel.longest_stretch_without_access_m / 1000:.1f}"),
    ("cost (outturn, constant dollars)", _cost),
    ("whole programme (years)", lambda e: _rng(e.schedule.low_years, e.schedule.high_years)),
    ("  TBMs (faces)", lambda e: str(e.schedule.tbm_count)),
)


def format_table(results) -> str:
    """A plain-text comparison table (one column per route), then warnings and assumptions."""
    head = ["", *[e.tunnel.route_id for e in results]]
    body = [[label, *[fn(e) for e in results]] for label, fn in _ROWS]
    widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, *body]]
    for e in results:
        lines.append("")
        lines.append(f"{e.tunnel.route_id} ({e.tunnel.route_name}):")
        if e.cost.floor:
            lines.append(f"  FLOOR, not an estimate: {e.cost.basis}")
        lines.extend(f"  note   {w}" for w in e.warnings)
        lines.extend(f"  assumption  {a}" for a in e.assumptions)
    if results:
        lines += ["", results[0].tunnel.caveat,
                  "Claims against these figures: python -m mapapp claims ROUTE (see "
                  "docs/tunnel-model.md)."]
    return "\n".join(lines)


def register(subparsers) -> None:
    """Add the ``profile`` and ``tunnel`` commands."""
    land = _land_choices()
    p = subparsers.add_parser(
        "profile",
        help="seabed/terrain profile along a route, as CSV",
        description="Sample the bathymetry along the geodesics of a route (bilinear, land/sea "
        "from the coastline) and write chainage_m, lon, lat, elevation_m, surface, leg, … as "
        "CSV.",
    )
    p.add_argument("route", metavar="ROUTE", help="preset id or route file")
    p.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    p.add_argument("--step-m", type=float, metavar="M",
                   help="sampling step in metres (default: half a grid pixel, at most 200 m)")
    p.add_argument("--land-source", choices=land, default="gshhg",
                   help="what decides land and sea (default: gshhg coastline)")
    p.add_argument("--csv", required=True, metavar="OUT", help="CSV file to write ('-' = stdout)")
    p.set_defaults(func=cmd_profile)

    t = subparsers.add_parser(
        "tunnel",
        help="tunnel alignment, length, depth, cost and whole-programme time for routes",
        description="Design the shallowest tunnel that keeps the rock cover under the sea "
        "within the gradient limit, and estimate its length, depth, volume, cost (constant "
        "US dollars of a base year) and whole-programme duration from a reference class "
        "(see docs/tunnel-model.md).",
    )
    t.add_argument("routes", nargs="+", metavar="ROUTE", help="preset ids or route files")
    t.add_argument("--mode", choices=("rail", "road", "loop"),
                   help="parameter preset (default: each route's own mode)")
    t.add_argument("--cover-m", type=float, metavar="M",
                   help="minimum rock cover below the seabed, m (default 50)")
    t.add_argument("--max-grade-pct", type=float, metavar="G",
                   help="maximum gradient, percent (default per mode: 1.25 / 5 / 8)")
    t.add_argument("--base-year", type=int, default=2025, metavar="YEAR",
                   help="price year of every US$ figure (default 2025)")
    t.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    t.add_argument("--step-m", type=float, metavar="M", help="profile sampling step, metres")
    t.add_argument("--land-source", choices=land, default="gshhg",
                   help="what decides land and sea (default: gshhg coastline)")
    t.add_argument("--json", action="store_true", help="print a JSON array, one object per route")
    t.set_defaults(func=cmd_tunnel)
