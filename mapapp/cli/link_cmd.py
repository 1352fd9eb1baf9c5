"""``link``: the whole link from the railheads to a strait route's portals.

Examples (shell)::

    python -m mapapp link dmitriev-2025
    python -m mapapp link dmitriev-2025 --json
    python -m mapapp link dmitriev-2025 --from nizhny-bestyakh --via Magadan --via Anadyr \\
        --from fairbanks --via Nome --out link.geojson
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mapapp.cli._common import number, resolve_routes
from mapapp.core.errors import InputError
from mapapp.core.files import atomic_write
from mapapp.core.jsonenc import dumps
from mapapp.engineering.optimise import read_no_go
from mapapp.link.model import compute_link
from mapapp.link.solve import LinkWeights
from mapapp.render.linkmap import link_export_bytes

__all__ = ["cmd_link", "register"]

_SIDE_NAMES = {"russia": "Russian", "north_america": "North American"}
_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".gpx": "gpx",
             ".gpkg": "gpkg", ".csv": "csv"}


def compute_from_args(args):
    """The :class:`~mapapp.link.model.LinkResult` asked for by the parsed arguments."""

    routes = resolve_routes([args.route])
    if len(routes) != 1:
        raise InputError(f"{args.route} holds {len(routes)} routes: give a file with one route "
                         "or a preset id")
    weights = LinkWeights(ruling_grade=args.grade / 1000.0,  # ‰ → m per m
                          river_crossing_m=args.river_km * 1000.0)
    no_go = []
    for path in args.no_go or ():
        no_go.extend(read_no_go(path))
    return compute_link(routes[0], railheads=args.railheads or None, vias=args.vias or (),
                        cell_m=args.cell_km * 1000.0, weights=weights,
                        no_go=no_go, base_year=args.base_year)


def _text(result) -> str:
    lines = [f"Whole link for {result.strait_route.name}"]
    for p in result.paths:
        via = f" via {', '.join(v.name for v in p.vias)}" if p.vias else ""
        lines.append(f"  {p.railhead.name} → {_SIDE_NAMES[p.side]} portal{via}: "
                     f"{p.length_km:,.0f} km (straight {p.geodesic_km:,.0f} km, ×"
                     f"{p.ratio_to_geodesic:.2f}); {p.river_crossings} major-river crossing(s); "
                     f"steepest {p.max_grade * 1000:.1f} ‰")
        lines.append(f"    cost {p.cost.label()}; {p.schedule_years[0]:.0f}–"
                     f"{p.schedule_years[1]:.0f} years at the reference build rates")
        lines.append(f"    permafrost: {p.permafrost['statement']}")
        for pub in p.published:
            lines.append(f"    published: {pub.label}")
    t = result.totals()
    c = t["connecting_railways"]
    lines.append(f"  Connecting railways in total: {c['length_km']:,.0f} km, US$ "
                 f"{c['cost_busd']['low']:,.1f}–{c['cost_busd']['high']:,.1f} bn "
                 f"({c['cost_busd']['price_year']} prices)")
    if t["tunnel_claim"]:
        lines.append(f"  Strait crossing alone, as claimed: {t['tunnel_claim']['text']}")
    if t["whole_link"]:
        w = t["whole_link"]
        lines.append(f"  Whole link (claimed crossing + connecting railways): US$ "
                     f"{w['low']:,.1f}–{w['high']:,.1f} bn ({w['price_year']} prices; "
                     "the claim taken as dollars of that year)")
    return "\n".join(lines)


def cmd_link(args: argparse.Namespace) -> int:
    """Compute and print the connecting railways; optionally write them to a file."""
    fmt = None
    if args.out:
        fmt = _SUFFIXES.get(Path(args.out).suffix.lower())
        if fmt is None:
            raise InputError(f"cannot tell the format of {args.out!r}: use one of "
                             f"{', '.join(_SUFFIXES)}")
    result = compute_from_args(args)
    if args.out:

        atomic_write(args.out, link_export_bytes(result, fmt))
    if args.json:

        print(dumps(result.to_dict(), indent=1, sort_keys=False))
    else:
        print(_text(result))
        if args.out:
            print(f"wrote {args.out}")
    return 0


def add_link_options(p) -> None:
    """Options shared by ``link`` and ``render --link``."""
    p.add_argument("--from", dest="railheads", action="append", metavar="RAILHEAD",
                   help="railhead id or name (repeat; default: nizhny-bestyakh and fairbanks)")
    p.add_argument("--via", dest="vias", action="append", metavar="PLACE",
                   help="via place (Magadan, Anadyr, Beringovsky, Khandyga, Ust-Nera, Susuman, "
                   "Nome, Teller, Delta Junction) or LON,LAT; each applies to the path on its "
                   "side, in order (repeat)")
    p.add_argument("--grade", type=number(), default="12.5", metavar="PERMILLE",
                   help="ruling grade between grid cells, ‰ (12.5)")
    p.add_argument("--cell-km", type=number(), default="6", metavar="KM",
                   help="grid cell size, km (6)")
    p.add_argument("--river-km", type=number(), default="20", metavar="KM",
                   help="cost of one major-river crossing in km of level line (20)")
    p.add_argument("--no-go", action="append", metavar="FILE",
                   help="polygons the paths must avoid (GeoJSON, KML, GeoPackage …; repeat)")
    p.add_argument("--base-year", type=int, default=None,
                   help="year of the constant US dollars (default: the price module's)")


def register(subparsers) -> None:
    """Add the ``link`` command."""
    p = subparsers.add_parser(
        "link",
        help="connecting railways from the railheads to a route's portals",
        description="Least-cost connecting railways from the nearest railheads (Nizhny "
        "Bestyakh, Fairbanks …) to the strait route's portals on a wide relief grid, with "
        "lengths, major-river crossings, permafrost, cost and schedule ranges in constant "
        "dollars and the published lengths beside them. See docs/whole-link.md.",
    )
    p.add_argument("route", metavar="ROUTE", help="preset id or route file (one route)")
    add_link_options(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", "-o", metavar="FILE",
                   help="write the connecting alignments (.geojson, .kml, .gpx, .gpkg, .csv)")
    p.set_defaults(func=cmd_link)
