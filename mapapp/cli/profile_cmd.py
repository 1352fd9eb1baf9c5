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

from mapapp.core.errors import InputError

__all__ = ["cmd_profile", "cmd_tunnel", "register"]

def _land_choices():
    from mapapp.data.coastline import SOURCES

    return [*SOURCES, "grid"]


def cmd_profile(args: argparse.Namespace) -> int:
    """Sample the grid along the route(s) and write a CSV (same format as the app's download:
    :func:`mapapp.io.export.profile_csv_bytes`; a ``route_id`` first column when a route file
    holds several routes)."""
    from mapapp.core.files import atomic_write
    from mapapp.engineering.profile import sample_profile
    from mapapp.io.export import profile_csv_bytes

    from ._common import open_dataset, resolve_routes

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


def _refs(text: str | None):
    if text is None:
        return None
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    if not keys:
        raise InputError("reference list is empty; give comma-separated keys")
    return keys


def cmd_tunnel(args: argparse.Namespace) -> int:
    """Design the tunnel of each route and print the results (table or JSON)."""
    from mapapp.engineering.profile import sample_profile
    from mapapp.engineering.tunnel import TunnelParams, design_tunnel

    from ._common import open_dataset, resolve_routes

    routes = resolve_routes(args.routes)
    grid = open_dataset(args.dataset)
    results = []
    for route in routes:
        params = TunnelParams.preset(
            args.mode or route.mode,
            cover_m=args.cover_m,
            max_grade_pct=args.max_grade_pct,
            cost_refs=_refs(args.cost_refs),
            rate_refs=_refs(args.rate_refs),
        )
        df = sample_profile(route, grid, step_m=args.step_m, land_source=args.land_source)
        results.append(design_tunnel(df, params))
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        print(format_table(results))
    return 0


def _rng(lo, hi, fmt="{:.1f}") -> str:
    return f"{fmt.format(lo)}–{fmt.format(hi)}"


_ROWS = (
    ("mode", lambda r: r.params.mode),
    ("max gradient / cover", lambda r: f"{r.params.max_grade_pct:g} % / {r.params.cover_m:g} m"),
    ("route length (km)", lambda r: f"{r.route_length_m / 1000:.1f}"),
    ("tunnel length incl. approaches (km)", lambda r: f"{r.tunnel_length_m / 1000:.1f}"),
    ("  approach beyond start / end (km)",
     lambda r: f"{r.approach_needed_m_start / 1000:.2f} / {r.approach_needed_m_end / 1000:.2f}"),
    ("under the sea (km)", lambda r: f"{r.subsea_length_m / 1000:.1f}"),
    ("max water depth crossed (m)", lambda r: f"{r.max_water_depth_m:.1f}"),
    ("deepest tunnel crown below sea level (m)",
     lambda r: f"{r.max_depth_below_sea_level_m:.1f}"),
    ("steepest grade used (%)", lambda r: f"{r.max_grade_pct:.2f}"),
    ("excavated volume (million m³)", lambda r: f"{r.excavated_volume_m3 / 1e6:.2f}"),
    ("islands used as access points", lambda r: str(len(r.islands))),
    ("longest stretch without access (km)",
     lambda r: f"{r.longest_stretch_without_access_m / 1000:.1f}"),
    ("cost (US$ bn, own-year dollars)", lambda r: _rng(r.cost_busd_low, r.cost_busd_high)),
    ("  low / high reference", lambda r: f"{r.cost_low_ref} / {r.cost_high_ref}"),
    ("boring time (years)", lambda r: _rng(r.duration_years_low, r.duration_years_high)),
    ("  fast / slow reference", lambda r: f"{r.duration_low_ref} / {r.duration_high_ref}"),
)


def _claim_text(row) -> str:
    def fmt(v):
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(fmt(x) for x in v) + "]" if len(v) != 2 else (
                f"{fmt(v[0])}–{fmt(v[1])}")
        if isinstance(v, float):
            return f"{v:.1f}"
        return "—" if v is None else str(v)

    bound = {"upper": "< ", "lower": "> "}.get(row.get("bound") or "", "")
    return f"{row['quantity']}: claimed {bound}{fmt(row['claimed'])}, computed {fmt(row['computed'])}"


def format_table(results) -> str:
    """A plain-text comparison table (one column per route), then claims, warnings, caveat."""
    head = ["", *[r.route_id for r in results]]
    body = [[label, *[fn(r) for r in results]] for label, fn in _ROWS]
    widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, *body]]
    for r in results:
        if r.claims_comparison or r.warnings:
            lines.append("")
            lines.append(f"{r.route_id} ({r.route_name}):")
        lines.extend(f"  claim  {_claim_text(row)}" for row in r.claims_comparison)
        lines.extend(f"  note   {w}" for w in r.warnings)
        lines.extend(f"  assumption  {a}" for a in r.params.assumptions())
    if results:
        lines += ["", results[0].caveat]
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
        help="tunnel alignment, length, depth, cost and time for routes",
        description="Design the shallowest tunnel that keeps the rock cover under the sea "
        "within the gradient limit, and estimate its length, depth, volume, cost and boring "
        "time from cited references (see docs/tunnel-model.md).",
    )
    t.add_argument("routes", nargs="+", metavar="ROUTE", help="preset ids or route files")
    t.add_argument("--mode", choices=("rail", "road", "loop"),
                   help="parameter preset (default: each route's own mode)")
    t.add_argument("--cover-m", type=float, metavar="M",
                   help="minimum rock cover below the seabed, m (default 50)")
    t.add_argument("--max-grade-pct", type=float, metavar="G",
                   help="maximum gradient, percent (default per mode: 1.25 / 5 / 8)")
    t.add_argument("--cost-refs", metavar="KEYS",
                   help="comma-separated unit-cost references spanning the cost range")
    t.add_argument("--rate-refs", metavar="KEYS",
                   help="comma-separated advance-rate references spanning the time range")
    t.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    t.add_argument("--step-m", type=float, metavar="M", help="profile sampling step, metres")
    t.add_argument("--land-source", choices=land, default="gshhg",
                   help="what decides land and sea (default: gshhg coastline)")
    t.add_argument("--json", action="store_true", help="print a JSON array, one object per route")
    t.set_defaults(func=cmd_tunnel)
