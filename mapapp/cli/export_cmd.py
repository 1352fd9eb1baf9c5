"""``export``, ``render`` and ``html``: write routes to files, print-quality figures, HTML maps.

Examples (shell)::

    python -m mapapp export dmitriev-2025 my_route.gpx --format geojson --out routes.geojson
    python -m mapapp render dmitriev-2025 direct-shortest --out strait.pdf --profile
    python -m mapapp html dmitriev-2025 --out strait.html

ROUTE is a preset id or a route file (GeoJSON, KML, GPX, CSV), as in ``measure``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mapapp.core.errors import InputError
from mapapp.core.files import atomic_write
from mapapp.economics.claims import scorecard
from mapapp.economics.estimate import estimate_for_route
from mapapp.engineering.tunnel import tunnel_for_route
from mapapp.io.export import FORMATS as EXPORT_FORMATS
from mapapp.io.export import export_bytes
from mapapp.link.model import compute_link
from mapapp.render.assets import standalone_html
from mapapp.render.mapview import BASEMAPS, MapSettings, build_map
from mapapp.render.overlay import COLORMAPS
from mapapp.render.report import FORMATS as FIG_FORMATS
from mapapp.render.report import MAX_DPI, ReportOptions, render_report
from mapapp.uncertainty.report import sweep_for_scorecards

from ._common import POSITIVE_INT, number_pair, open_dataset, resolve_routes

__all__ = ["cmd_export", "cmd_html", "cmd_render", "register"]

#: Output suffix -> format: the route formats of :data:`mapapp.io.export.FORMATS` (plus
#: ``.json`` for GeoJSON) and the figure formats.
_SUFFIX_FORMATS = {
    **{suffix: fmt for fmt, suffix in EXPORT_FORMATS.items()},
    ".json": "geojson",
    **{f".{fmt}": fmt for fmt in ("png", "pdf", "svg")},
}


def _routes(specs):

    return resolve_routes(specs)


def _grid(path):

    return open_dataset(path)


def _format_for(out: str, given: str | None, allowed) -> str:
    if given:
        return given
    fmt = _SUFFIX_FORMATS.get(Path(out).suffix.lower())
    if fmt not in allowed:
        raise InputError(
            f"cannot tell the format from {out!r}: add --format ({'|'.join(allowed)}) "
            f"or use one of the suffixes {', '.join(s for s, f in _SUFFIX_FORMATS.items() if f in allowed)}"
        )
    return fmt


def _done(path, data: bytes, what: str) -> int:
    print(f"wrote {path} ({what}, {len(data):,} bytes)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write routes as GeoJSON, KML, GPX, GeoPackage or a CSV of waypoints."""

    fmt = _format_for(args.out, args.format, tuple(EXPORT_FORMATS))
    routes = _routes(args.routes)
    data = export_bytes(routes, fmt, waypoints=args.waypoints)
    atomic_write(args.out, data)
    return _done(args.out, data, f"{fmt}, {len(routes)} route{'s' * (len(routes) != 1)}")


def cmd_render(args: argparse.Namespace) -> int:
    """Render the report figure (PNG, PDF or SVG)."""
    fmt = _format_for(args.out, args.format, FIG_FORMATS)
    # checked before anything is computed: a bad DPI, size or box fails at once
    options = ReportOptions(dpi=args.dpi, size_in=args.size, title=args.title,
                            bbox=args.bbox or None, profile=args.profile,
                            metrics_table=args.table, places=not args.no_places)
    routes = _routes(args.routes)
    grid = _grid(args.dataset)
    tunnels = None
    if args.tunnel:
        tunnels = {r.id: tunnel_for_route(r, grid) for r in routes}
    scorecards = None
    if getattr(args, "scorecard", False):
        scorecards = [scorecard(estimate_for_route(r, grid), r) for r in routes]
        if getattr(args, "uncertainty", None):  # P10–P90 bars (mapapp.uncertainty)
            scorecards = sweep_for_scorecards(scorecards, routes, grid, args.uncertainty)
    link = None
    if args.link:  # whole-link inset for the first route (default railheads)
        link = compute_link(routes[0])
    data = render_report(routes, grid, options, tunnels=tunnels, scorecards=scorecards,
                         link=link, fmt=fmt, out=args.out)
    return _done(args.out, data, f"{fmt}, {options.dpi} dpi" if fmt == "png" else fmt)


def _map_settings(args: argparse.Namespace):

    vmin, vmax = args.range or (None, None)
    return MapSettings(dataset_path=args.dataset, cmap=args.cmap, vmin=vmin, vmax=vmax,
                       opacity=args.opacity, hillshade=args.hillshade,
                       isobath_interval=args.isobaths, basemap=args.basemap,
                       land_source=args.land, route_legend=not args.no_route_legend)


def cmd_html(args: argparse.Namespace) -> int:
    """Write the interactive map as one standalone HTML file (the app's map builder)."""

    settings = _map_settings(args)
    routes = _routes(args.routes)
    page = standalone_html(build_map(settings, routes, _grid(args.dataset)))
    data = page.encode("utf-8")
    atomic_write(args.out, data)
    return _done(args.out, data, "standalone HTML")


def _common_args(p):
    p.add_argument("routes", nargs="+", metavar="ROUTE", help="preset id or route file")


def register(subparsers) -> None:
    """Add the ``export``, ``render`` and ``html`` commands."""

    p = subparsers.add_parser(
        "export",
        help="write routes as GeoJSON, KML, GPX, GeoPackage or CSV",
        description="Write routes to a file. GeoJSON follows RFC 7946 (lines cut at 180°); "
        "KML opens in Google Earth; GPX 1.1 has one <rte> per route; the GeoPackage has "
        "layers 'routes' and 'waypoints'; CSV lists the waypoints.",
    )
    _common_args(p)
    p.add_argument("--format", "-f", choices=tuple(EXPORT_FORMATS),
                   help="output format (default: from the --out suffix)")
    p.add_argument("--out", "-o", required=True, help="output file (written atomically)")
    p.add_argument("--waypoints", action="store_true",
                   help="also write the waypoints as points (GeoJSON, KML)")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "render",
        help="print-quality map figure (PNG, PDF, SVG)",
        description="Render a report figure: bathymetry, land, routes, places, scale bar and "
        "north arrow true in the strait's Lambert azimuthal equal-area projection.",
    )
    _common_args(p)
    p.add_argument("--out", "-o", required=True, help="FILE.png, FILE.pdf or FILE.svg")
    p.add_argument("--format", "-f", choices=FIG_FORMATS, help="default: from the --out suffix")
    p.add_argument("--dpi", type=int, default=200, help=f"dots per inch, up to {MAX_DPI} (200)")
    p.add_argument("--size", type=number_pair("WIDTH,HEIGHT", "10,8"), default="10,8",
                   help="WIDTH,HEIGHT in inches (10,8)")
    p.add_argument("--title", help="figure title (default: the route names)")
    p.add_argument("--bbox", help="map extent W,S,E,N in degrees (default: around the routes)")
    p.add_argument("--profile", action="store_true", help="add the seabed profile panel")
    p.add_argument("--tunnel", action="store_true",
                   help="with --profile: also draw each route's modelled tunnel (default "
                   "parameters of the route's mode)")
    p.add_argument("--table", action="store_true", help="add the metrics table panel")
    p.add_argument("--scorecard", action="store_true",
                   help="add the claims scorecard panel (claims vs the model, US$ of 2025)")
    p.add_argument("--uncertainty", type=POSITIVE_INT, metavar="N",
                   help="with --scorecard: P10–P90 bars and claim probabilities from a Monte "
                   "Carlo of N scenarios (seed 0, in-process; docs/uncertainty.md)")
    p.add_argument("--link", action="store_true",
                   help="add the whole-link inset: connecting railways from the default "
                   "railheads to the first route's portals (see `link`)")
    p.add_argument("--no-places", action="store_true",
                   help="leave out places, the maritime boundary and the date line")
    p.add_argument("--dataset", "--grid", dest="dataset",
                   help="bathymetry grid file (default: the embedded ETOPO5 grid)")
    p.set_defaults(func=cmd_render)

    p = subparsers.add_parser(
        "html",
        help="standalone HTML of the interactive map",
        description="Write the interactive map (folium/Leaflet) with the routes as one HTML "
        "file that works offline.",
    )
    _common_args(p)
    p.add_argument("--out", "-o", required=True, help="FILE.html")
    p.add_argument("--dataset", "--grid", dest="dataset",
                   help="bathymetry grid file (default: the embedded ETOPO5 grid)")
    p.add_argument("--cmap", choices=COLORMAPS, default=COLORMAPS[0],
                   help=f"bathymetry colormap ({COLORMAPS[0]})")
    p.add_argument("--range", type=number_pair("MIN,MAX", "-60,0"),
                   help="colour range MIN,MAX in metres of elevation "
                   "(default: the data range, capped at 0 m)")
    p.add_argument("--opacity", type=float, default=0.85, help="bathymetry opacity 0–1 (0.85)")
    p.add_argument("--hillshade", action="store_true", help="shade the relief")
    p.add_argument("--isobaths", type=float, default=10.0,
                   help="metres between isobaths, 0 for none (10)")
    p.add_argument("--basemap", choices=tuple(BASEMAPS), default="none",
                   help="basemap tiles (need internet when viewed; default none)")
    p.add_argument("--land", choices=("gshhg", "osm"), default="gshhg",
                   help="coastline drawn and credited (gshhg)")
    p.add_argument("--no-route-legend", action="store_true",
                   help="leave out the route legend")
    p.set_defaults(func=cmd_html)
