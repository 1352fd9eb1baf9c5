"""``routes`` and ``measure``: preset alignments and geodesic metrics of any route.

Examples (shell)::

    python -m mapapp routes                 # presets with their computed metrics, as a table
    python -m mapapp routes --json
    python -m mapapp measure dmitriev-2025 my_routes.kml --json

ROUTE is a preset id or a route file (GeoJSON, KML/KMZ, GPX, CSV; a file may hold several
routes). JSON output is a list of objects with ``id``, ``name``, ``origin``, ``mode``,
``length_km``, ``legs_km`` (list), ``straight_km``, ``sinuosity``, ``subsea_km``,
``land_km``, ``subsea_share``, ``water_segments_km``, ``longest_subsea_km``,
``landfalls`` (list of names), ``landfalls_detail``, ``claims`` (claims vs computed rows)
and, for presets, ``sources``.
"""

from __future__ import annotations

import argparse
import json
import math

from mapapp.core.jsonenc import plain
from mapapp.routes.metrics import claims_vs_computed, route_metrics
from mapapp.routes.presets import load_presets

from ._common import resolve_routes

__all__ = ["cmd_measure", "cmd_routes", "metrics_record", "register"]


def _r(x, nd=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), nd)


def metrics_record(route, land: str = "gshhg") -> dict:
    """The JSON object printed for one route (numbers rounded: km to 1 m)."""

    m = route_metrics(route, land)
    claims = []
    for c in claims_vs_computed(route, m):
        claims.append(
            {
                "claim": c["claim"],
                "label": c["label"],
                "claimed": c["claimed"],
                "claimed_value": c["claimed_value"],
                "computed_km": _r(c["computed_value"]),
                "difference_km": _r(c["difference"]),
                "explanation": c["explanation"],
            }
        )
    rec = {
        "id": m.id,
        "name": m.name,
        "origin": m.origin,
        "mode": m.mode,
        "length_km": _r(m.length_km),
        "legs_km": [_r(x) for x in m.legs_km],
        "straight_km": _r(m.straight_km),
        "sinuosity": _r(m.sinuosity, 4),
        "subsea_km": _r(m.subsea_km),
        "land_km": _r(m.land_km),
        "subsea_share": _r(m.subsea_share, 4),
        "water_segments_km": [_r(x) for x in m.water_segments_km],
        "longest_subsea_km": _r(m.longest_subsea_km),
        "landfalls": [f.name for f in m.landfalls],
        "landfalls_detail": plain(m.landfalls),
        "claims": claims,
        "waypoints": [[w.lon, w.lat, w.name] for w in route.waypoints],
        "land_source": m.land_source,
    }
    if route.sources:
        rec["sources"] = list(route.sources)
    return rec


def _table(records: list[dict]) -> str:
    """A plain-text table, one line per route, plus claim lines under each."""
    head = (
        f"{'id':<28} {'length':>8} {'subsea':>8} {'land':>7} {'straight':>8} {'sinu.':>6}"
        "  legs (km)"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        sin = "-" if r["sinuosity"] is None else f"{r['sinuosity']:.3f}"
        lines.append(
            f"{r['id'][:28]:<28} {r['length_km']:>8.2f} {r['subsea_km']:>8.2f} "
            f"{r['land_km']:>7.2f} {r['straight_km']:>8.2f} {sin:>6}  "
            + " / ".join(f"{x:.2f}" for x in r["legs_km"])
        )
        lines.append(f"    {r['name']}")
        if r["landfalls"]:
            lines.append("    landfalls: " + " → ".join(r["landfalls"]))
        for c in r["claims"]:
            if c["computed_km"] is None or c["difference_km"] is None:
                continue
            lines.append(
                f"    claim {c['label']}: {c['claimed']} vs {c['computed_km']:.2f} km "
                f"({c['difference_km']:+.2f}): {c['explanation']}"
            )
    land = records[0]["land_source"] if records else "gshhg"
    lines.append(f"lengths in km, WGS84 geodesics; subsea/land from the {land} coastline")
    return "\n".join(lines)


def _emit(records: list[dict], as_json: bool) -> int:
    if as_json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        print(_table(records))
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    """List the preset routes with computed metrics."""

    return _emit([metrics_record(r, args.land) for r in load_presets()], args.json)


def cmd_measure(args: argparse.Namespace) -> int:
    """Measure routes given as preset ids or route files."""

    routes = resolve_routes(args.routes)
    return _emit([metrics_record(r, args.land) for r in routes], args.json)


def register(subparsers) -> None:
    """Add the ``routes`` and ``measure`` commands."""
    p = subparsers.add_parser(
        "routes",
        help="preset alignments with computed metrics",
        description="List the preset alignments (published proposals and references) with "
        "their geodesic lengths, under-water share, landfalls and claims vs computed.",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--land", default="gshhg", choices=("gshhg", "osm"), help="coastline for land/sea"
    )
    p.set_defaults(func=cmd_routes)

    p = subparsers.add_parser(
        "measure",
        help="measure routes (preset ids or route files)",
        description="Geodesic metrics of routes. ROUTE is a preset id (see `routes`) or a "
        "route file: GeoJSON, KML/KMZ, GPX or CSV (lon/lat columns); a file may hold several "
        "routes.",
    )
    p.add_argument("routes", nargs="+", metavar="ROUTE", help="preset id or route file")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--land", default="gshhg", choices=("gshhg", "osm"), help="coastline for land/sea"
    )
    p.set_defaults(func=cmd_measure)
