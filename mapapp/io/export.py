"""Exports: GeoJSON, KML, GPX, GeoPackage, CSV, profile CSV and a tunnel JSON summary.

Every ``*_bytes`` function returns the file's content as :class:`bytes` (ready for a
download button); every ``write_*`` function writes the same bytes to a path atomically (a
temporary file in the same folder, then :func:`os.replace`: a failure leaves no partial
file). Files are written by GDAL (pyogrio) from shapely geometries, except GeoJSON (built
from shapely's ``mapping`` so that properties may be nested objects) and the CSV/JSON
tables (pandas / json).

Conventions
-----------
* Coordinates are WGS84 longitude/latitude in degrees, longitudes in [-180, 180].
* Lines are cut at the antimeridian (RFC 7946 §3.1.9) into MultiLineStrings with
  :func:`mapapp.core.geodesy.split_antimeridian`; the parts meet at ±180° at the same latitude.
* GeoJSON coordinates have 6 decimals (1e-6° ≈ 0.1 m of latitude).

Examples
--------
>>> from mapapp.routes.route import Route
>>> r = Route.from_coords("demo", "Demo", [(-169.6519, 66.0792), (-168.0847, 65.5964)])
>>> import json
>>> fc = json.loads(geojson_bytes([r]))
>>> fc["type"], "crs" in fc, fc["features"][0]["properties"]["length_km"]
('FeatureCollection', False, 89.585)
>>> export_filename([r], "kml", "2025-11-03")
'bering-demo-2025-11-03.kml'
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mapapp.core import safety
from mapapp.core.errors import ExportError
from mapapp.core.files import atomic_write
from mapapp.core.geodesy import normalize_lon, split_antimeridian
from mapapp.core.jsonenc import plain
from mapapp.economics.estimate import ProgrammeEstimate
from mapapp.engineering.tunnel import TunnelResult
from mapapp.routes.metrics import route_metrics
from mapapp.routes.route import route_colour as palette_colour

__all__ = [
    "FORMATS",
    "PRECISION",
    "TunnelFigures",
    "export_bytes",
    "export_filename",
    "geojson_bytes",
    "gpkg_bytes",
    "gpx_bytes",
    "kml_bytes",
    "kml_colour",
    "profile_csv_bytes",
    "route_colour",
    "route_geometry",
    "route_properties",
    "tunnel_json_bytes",
    "waypoints_csv_bytes",
    "write_export",
    "write_geojson",
    "write_gpkg",
    "write_gpx",
    "write_kml",
    "write_profile_csv",
    "write_tunnel_json",
    "write_waypoints_csv",
]

#: Route export formats -> file suffix (the profile CSV and tunnel JSON have their own).
FORMATS = {
    "geojson": ".geojson",
    "kml": ".kml",
    "gpx": ".gpx",
    "gpkg": ".gpkg",
    "csv": ".csv",
}

#: Decimals kept for coordinates in GeoJSON and CSV (1e-6° ≈ 0.11 m of latitude).
PRECISION = 6

_SUFFIXES = {
    **FORMATS,
    "csv": "-waypoints.csv",
    "profile": "-profile.csv",
    "tunnel": "-tunnel.json",
    "png": ".png",
    "pdf": ".pdf",
    "svg": ".svg",
    "html": ".html",
}


# --------------------------------------------------------------------------- helpers
def route_colour(route, index: int = 0) -> str:
    """The route's colour as ``#rrggbb`` (its own CSS colour, else the palette's).

    Parameters
    ----------
    route : mapapp.routes.route.Route
    index : int
        Position of the route in the list being drawn (picks the entry of
        :data:`mapapp.routes.route.PALETTE`, as on the interactive map).
    """
    from matplotlib.colors import to_hex


    if route.colour:
        try:
            return to_hex(route.colour)
        except ValueError:
            pass
    return to_hex(palette_colour(index))


def kml_colour(colour: str, alpha: float = 1.0) -> str:
    """A CSS colour as KML ``aabbggrr`` (hex, lower case).

    >>> kml_colour("#d62728")
    'ff2827d6'
    """
    from matplotlib.colors import to_rgba

    r, g, b, _ = to_rgba(colour)
    return "".join(f"{round(v * 255):02x}" for v in (alpha, b, g, r))


def _round(x: float, nd: int = PRECISION) -> float:
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


def _round_all(obj, nd: int):
    """Round every float inside lists/dicts to ``nd`` decimals."""
    if isinstance(obj, float):
        return _round(obj, nd)
    if isinstance(obj, list):
        return [_round_all(v, nd) for v in obj]
    if isinstance(obj, dict):
        return {k: _round_all(v, nd) for k, v in obj.items()}
    return obj


@dataclass(frozen=True)
class TunnelFigures:
    """A route's tunnel figures that are already plain JSON — what ``TunnelResult.to_dict()``
    or ``ProgrammeEstimate.to_dict()`` gave, read back from a cache or a file — wrapped so that
    exports still take one typed value per route.

    An adapter for callers that no longer hold the result itself (the app keeps its cached
    tunnel results as JSON); code that has the :class:`~mapapp.engineering.tunnel.TunnelResult`
    or :class:`~mapapp.economics.estimate.ProgrammeEstimate` passes that instead. The figures
    are exported as given (NumPy values made plain, NaN as ``null``).

    >>> TunnelFigures({"tunnel_length_km": 92.5}).to_dict()
    {'tunnel_length_km': 92.5}
    """

    figures: Mapping

    def to_dict(self) -> dict:
        """The figures as a new dict."""
        return dict(self.figures)


#: What the exports take as one route's tunnel results: the tunnel alone, the tunnel with its
#: cost and schedule (``ProgrammeEstimate``: money with currency and price year), or figures
#: already made plain (:class:`TunnelFigures`).
TUNNEL_RESULT_TYPES = (TunnelResult, ProgrammeEstimate, TunnelFigures)


def _tunnel_json(result) -> dict:
    """One route's tunnel results as the plain JSON stored under ``"tunnel"``."""
    if not isinstance(result, TUNNEL_RESULT_TYPES):
        raise TypeError(
            "tunnel results must be a TunnelResult, a ProgrammeEstimate or TunnelFigures, "
            f"not {type(result).__name__}"
        )
    return plain(result.to_dict())


def _check_routes(routes) -> list:
    routes = list(routes)
    if not routes:
        raise ExportError("nothing to export: choose at least one route")
    return routes


def route_geometry(route, precision: int | None = PRECISION):
    """The route as a shapely LineString, or a MultiLineString when it crosses 180°.

    Longitudes are wrapped into [-180, 180]; each crossing of the antimeridian ends a
    part at ±180° and starts the next at ∓180° on the same latitude (RFC 7946 §3.1.9).
    """
    from shapely.geometry import LineString, MultiLineString

    parts = split_antimeridian(route.lons, route.lats)
    lines = []
    for lons, lats in parts:
        if precision is not None:
            coords = [(_round(x, precision), _round(y, precision)) for x, y in zip(lons, lats, strict=True)]
        else:
            coords = list(zip(lons.tolist(), lats.tolist(), strict=True))
        lines.append(LineString(coords))
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def route_properties(route, tunnel=None, metrics: bool = True) -> dict:
    """Plain-JSON properties of a route for the vector exports.

    Parameters
    ----------
    route : mapapp.routes.route.Route
    tunnel : TunnelResult, ProgrammeEstimate or TunnelFigures, optional
        Tunnel model results for the route (stored under ``"tunnel"`` as their ``to_dict()``).
    metrics : bool
        Add the figures of :func:`mapapp.routes.metrics.route_metrics` (subsea/land km …).

    Returns
    -------
    dict
        ``id, name, mode, origin, length_km`` (geodesic, km, 3 decimals), ``legs_km``
        (list, km), ``sources`` (list of URLs), ``claims`` (dict), ``colour``, ``notes`` and,
        when available, the metrics figures and ``tunnel``.
    """
    props = {
        "id": route.id,
        "name": route.name,
        "mode": route.mode,
        "origin": route.origin,
        "length_km": round(route.length_m() / 1000.0, 3),
        "legs_km": [round(float(v) / 1000.0, 3) for v in route.legs_m()],
        "sources": list(route.sources),
        "claims": plain(dict(route.claims)),
        "colour": route.colour,
        "notes": route.notes,
    }
    if metrics:
        for key, val in plain(route_metrics(route)).items():
            if key not in props:
                props[key] = _round_all(val, 4)
    if tunnel is not None:
        props["tunnel"] = _tunnel_json(tunnel)
    return props


def export_filename(routes, fmt: str, date=None, prefix: str = "bering") -> str:
    """A file name carrying the route id(s) and the date.

    Parameters
    ----------
    routes : list of Route
    fmt : str
        ``geojson``, ``kml``, ``gpx``, ``gpkg``, ``csv`` (waypoints), ``profile``,
        ``tunnel``, ``png``, ``pdf``, ``svg`` or ``html``.
    date : datetime.date or str, optional
        Defaults to today; a string is used as given (``YYYY-MM-DD``).

    Examples
    --------
    >>> from mapapp.routes.route import Route
    >>> rs = [Route.from_coords(i, i, [(0, 0), (1, 1)]) for i in "abcde"]
    >>> export_filename(rs, "csv", "2025-11-03")
    'bering-a-b-c-and-2-more-2025-11-03-waypoints.csv'
    """
    if fmt not in _SUFFIXES:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(_SUFFIXES)}")
    routes = list(routes)
    date = date or _dt.date.today()
    day = date.isoformat() if isinstance(date, (_dt.date, _dt.datetime)) else str(date)
    day = day[:10]
    ids = [r.id for r in routes[:3]]
    label = "-".join(ids) if ids else "routes"
    if len(routes) > 3:
        label += f"-and-{len(routes) - 3}-more"
    return f"{prefix}-{label}-{day}{_SUFFIXES[fmt]}"


# --------------------------------------------------------------------------- GeoJSON
def _coords(geom_mapping) -> object:
    def rnd(c):
        if isinstance(c[0], (int, float)):
            return [_round(v) for v in c]
        return [rnd(x) for x in c]

    return rnd(geom_mapping)


def geojson_bytes(routes, tunnels: Mapping | None = None, waypoints: bool = False,
                  metrics: bool = True) -> bytes:
    """Routes as an RFC 7946 GeoJSON FeatureCollection (UTF-8 bytes).

    Parameters
    ----------
    routes : list of Route
    tunnels : mapping, optional
        Route id -> tunnel result (``TunnelResult``, ``ProgrammeEstimate`` or
        :class:`TunnelFigures`), added as ``properties.tunnel``.
    waypoints : bool
        Also add one Point feature per waypoint (properties ``route_id``, ``seq``,
        ``name``, ``kind="waypoint"``).

    Returns
    -------
    bytes
        No ``crs`` member (RFC 7946 is always WGS84 lon/lat); lines crossing 180° are
        MultiLineStrings; 6-decimal coordinates.
    """
    from shapely.geometry import mapping

    routes = _check_routes(routes)
    tunnels = tunnels or {}
    features = []
    for route in routes:
        geom = mapping(route_geometry(route))
        props = {"kind": "route", **route_properties(route, tunnels.get(route.id), metrics)}
        features.append(
            {
                "type": "Feature",
                "id": route.id,
                "properties": props,
                "geometry": {"type": geom["type"], "coordinates": _coords(geom["coordinates"])},
            }
        )
    if waypoints:
        for route in routes:
            for seq, wp in enumerate(route.waypoints):
                features.append(
                    {
                        "type": "Feature",
                        "properties": {
                            "kind": "waypoint",
                            "route_id": route.id,
                            "seq": seq,
                            "name": wp.name,
                        },
                        "geometry": {
                            "type": "Point",
                            "coordinates": [_round(normalize_lon(wp.lon)), _round(wp.lat)],
                        },
                    }
                )
    fc = {"type": "FeatureCollection", "features": features}
    return (json.dumps(plain(fc), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- GDAL formats
def _write_gdal(frames: list[tuple[str, object]], driver: str, suffix: str, **opts) -> bytes:
    """Write GeoDataFrames as layers of one file with pyogrio; return its bytes."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="mapapp-export-") as tmp:
        path = Path(tmp) / f"export{suffix}"
        try:
            for i, (layer, gdf) in enumerate(frames):
                # later layers go into the same file (append=True creates the new layer;
                # without it LIBKML crashes re-opening its own output)
                pyogrio.write_dataframe(gdf, path, layer=layer, driver=driver, append=i > 0,
                                        **opts)
        except Exception as exc:  # pyogrio raises several error types
            raise ExportError(f"GDAL could not write the {driver} file: {exc}") from exc
        return path.read_bytes()


#: Tunnel figures shown in KML descriptions: (key of TunnelResult.to_dict(), label, unit).
_KML_TUNNEL_FIELDS = (
    ("tunnel_length_km", "length", "km"),
    ("subsea_length_km", "under the sea", "km"),
    ("max_depth_below_sea_level_m", "deepest crown below sea level", "m"),
    ("max_grade_pct", "steepest grade", "%"),
    ("cost_busd_low", "cost, low", "US$ bn ({price_year} prices)"),
    ("cost_busd_high", "cost, high", "US$ bn ({price_year} prices)"),
    ("duration_years_low", "duration, low", "years"),
    ("duration_years_high", "duration, high", "years"),
)


def _kml_description(route, props: dict) -> str:
    """An HTML table of the route's figures; every user-supplied string is escaped."""
    esc = html.escape
    rows = [
        ("Mode", props["mode"]),
        ("Origin", props["origin"]),
        ("Length (geodesic, WGS84)", f"{props['length_km']:.1f} km"),
        ("Legs", ", ".join(f"{v:.1f}" for v in props["legs_km"]) + " km"),
    ]
    for key, label in (
        ("subsea_km", "Subsea"),
        ("land_km", "On land"),
        ("longest_subsea_km", "Longest run under water"),
    ):
        val = props.get(key)
        if isinstance(val, (int, float)):
            rows.append((label, f"{val:.1f} km"))
    falls = props.get("landfalls")
    if isinstance(falls, list) and falls:
        rows.append(("Landfalls", " → ".join(str(f.get("name", "")) for f in falls)))
    tunnel = props.get("tunnel") or {}
    for key, label, unit in _KML_TUNNEL_FIELDS:
        val = tunnel.get(key)
        if "{price_year}" in unit:  # money only with its price year (mapapp.economics)
            if not tunnel.get("price_year"):
                continue
            unit = unit.format(price_year=int(tunnel["price_year"]))
        if isinstance(val, (int, float)) and not isinstance(val, bool):
            rows.append((f"Tunnel model: {label}", f"{val:,.4g} {unit}".strip()))
    for key, val in props["claims"].items():
        rows.append((f"Claimed {key}", val if isinstance(val, str) else json.dumps(val)))
    body = "".join(f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>" for k, v in rows)
    parts = [f"<table>{body}</table>"]
    if route.notes:
        parts.append(f"<p>{esc(route.notes)}</p>")
    if route.sources:
        links = "".join(f'<li><a href="{esc(u)}">{esc(u)}</a></li>' for u in route.sources)
        parts.append(f"<p>Sources:</p><ul>{links}</ul>")
    return "".join(parts)


def _waypoints_frame(routes):
    import geopandas as gpd
    from shapely.geometry import Point

    rows, geoms = [], []
    for route in routes:
        for seq, wp in enumerate(route.waypoints):
            rows.append({"route_id": route.id, "route_name": route.name, "seq": seq, "name": wp.name})
            geoms.append(Point(float(normalize_lon(wp.lon)), wp.lat))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def kml_bytes(routes, tunnels: Mapping | None = None, waypoints: bool = False,
              metrics: bool = True) -> bytes:
    """Routes as KML (one Placemark per route, line in the route colour).

    Written by GDAL's LIBKML driver (the KML driver when LIBKML is absent) from an OGR
    style string ``PEN(c:#rrggbb,w:4px)``, which GDAL turns into a ``<LineStyle>`` with
    the KML ``aabbggrr`` colour. The description is an HTML table of the route's figures
    (user text escaped). ``waypoints`` adds a ``waypoints`` folder of named points.
    """
    import geopandas as gpd
    import pyogrio

    routes = _check_routes(routes)
    tunnels = tunnels or {}
    rows, geoms = [], []
    for i, route in enumerate(routes):
        props = route_properties(route, tunnels.get(route.id), metrics)
        rows.append(
            {
                "name": route.name,
                "description": _kml_description(route, props),
                "route_id": route.id,
                "mode": route.mode,
                "origin": route.origin,
                "length_km": props["length_km"],
                "OGR_STYLE": f"PEN(c:{route_colour(route, i)},w:4px)",
            }
        )
        geoms.append(route_geometry(route, precision=None))
    frames = [("routes", gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326"))]
    if waypoints:
        wp = _waypoints_frame(routes)
        frames.append(("waypoints", wp))
    driver = "LIBKML" if "LIBKML" in pyogrio.list_drivers(write=True) else "KML"
    return _write_gdal(frames, driver, ".kml")


def gpx_bytes(routes) -> bytes:
    """Routes as GPX 1.1: one ``<rte>`` per route, one named ``<rtept>`` per waypoint.

    Written by GDAL's GPX driver through its ``route_points`` layer; waypoints without a
    name are called ``WP<n>``. Longitudes are wrapped into [-180, 180).
    """
    routes = _check_routes(routes)
    wp = _waypoints_frame(routes)
    wp["route_fid"] = [routes.index(r) for r in routes for _ in r.waypoints]
    wp["name"] = [w.name or f"WP{i + 1}" for r in routes for i, w in enumerate(r.waypoints)]
    wp = wp[["route_fid", "route_name", "name", "geometry"]]
    return _write_gdal([("route_points", wp)], "GPX", ".gpx")


def gpkg_bytes(routes, tunnels: Mapping | None = None, metrics: bool = True) -> bytes:
    """Routes as a GeoPackage with layers ``routes`` (lines) and ``waypoints`` (points).

    List and dict properties (``legs_km``, ``sources``, ``claims``, ``tunnel``) are stored
    as JSON text columns.
    """
    import geopandas as gpd

    routes = _check_routes(routes)
    tunnels = tunnels or {}
    rows = []
    for route in routes:
        props = route_properties(route, tunnels.get(route.id), metrics)
        for key, val in props.items():
            if isinstance(val, (list, dict)):
                props[key] = json.dumps(val, ensure_ascii=False)
        rows.append(props)
    lines = gpd.GeoDataFrame(
        rows, geometry=[route_geometry(r, precision=None) for r in routes], crs="EPSG:4326"
    )
    return _write_gdal([("routes", lines), ("waypoints", _waypoints_frame(routes))], "GPKG", ".gpkg")


# --------------------------------------------------------------------------- tables
def _csv_text(table, **kw) -> bytes:
    """``table`` as UTF-8 CSV with every text cell made formula-safe (:func:`safety.csv_cell`);
    numeric columns are written as numbers."""
    table = table.copy()
    for col in table.columns:
        if not (table[col].dtype.kind in "iufcb" or str(table[col].dtype).startswith("datetime")):
            table[col] = table[col].map(safety.csv_cell)
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n", **kw)
    return buf.getvalue().encode("utf-8")


def waypoints_csv_bytes(routes) -> bytes:
    """Waypoints as CSV: ``route_id, route_name, seq, name, lon, lat`` (degrees, 6 dp).

    Text cells that a spreadsheet would run as a formula (a name starting with ``=``, ``+``,
    ``-``, ``@``, tab or CR) start with an apostrophe (:func:`mapapp.core.safety.csv_cell`).

    >>> from mapapp.routes.route import Route
    >>> r = Route.from_coords("a", "A", [(-169.6519, 66.0792, "Cape Dezhnev"), (181.0, 65.0)])
    >>> print(waypoints_csv_bytes([r]).decode().strip())
    route_id,route_name,seq,name,lon,lat
    a,A,0,Cape Dezhnev,-169.6519,66.0792
    a,A,1,,-179.0,65.0
    >>> r = Route.from_coords("b", "=1+1", [(-170.0, 65.0), (-169.0, 65.5)])
    >>> print(waypoints_csv_bytes([r]).decode().splitlines()[1])
    b,'=1+1,0,,-170.0,65.0
    """
    import pandas as pd

    routes = _check_routes(routes)
    rows = [
        {
            "route_id": r.id,
            "route_name": r.name,
            "seq": seq,
            "name": wp.name,
            "lon": _round(normalize_lon(wp.lon)),
            "lat": _round(wp.lat),
        }
        for r in routes
        for seq, wp in enumerate(r.waypoints)
    ]
    return _csv_text(pd.DataFrame(rows))


def profile_csv_bytes(profiles) -> bytes:
    """Seabed profile(s) as CSV.

    Parameters
    ----------
    profiles : pandas.DataFrame or mapping
        One profile from :func:`mapapp.engineering.profile.sample_profile` (columns ``chainage_m,
        lon, lat, elevation_m, surface, leg`` …) or a mapping route id -> profile; with a
        mapping a first column ``route_id`` is added. Metres and degrees. Text cells are
        made formula-safe as in :func:`waypoints_csv_bytes`.
    """
    import pandas as pd

    if isinstance(profiles, pd.DataFrame):
        table = profiles
    else:
        frames = [df.assign(route_id=rid) for rid, df in dict(profiles).items()]
        if not frames:
            raise ExportError("nothing to export: no profile was computed")
        table = pd.concat(frames, ignore_index=True)
        table = table[["route_id", *[c for c in table.columns if c != "route_id"]]]
    return _csv_text(table, float_format="%.6f")


def tunnel_json_bytes(results: Mapping, routes: Iterable | None = None, date=None) -> bytes:
    """The tunnel model's figures as JSON.

    Parameters
    ----------
    results : mapping
        Route id -> ``TunnelResult``, ``ProgrammeEstimate`` (adds cost and schedule) or
        :class:`TunnelFigures`.
    routes : list of Route, optional
        Adds each route's name and geodesic length.

    Returns
    -------
    bytes
        ``{"generated": date, "routes": [{"route_id", "route_name", "length_km",
        "tunnel": {...}}, ...]}``
    """
    if not results:
        raise ExportError("nothing to export: no tunnel result was computed")
    by_id = {r.id: r for r in routes or []}
    items = []
    for rid, res in results.items():
        item = {"route_id": rid}
        if rid in by_id:
            item["route_name"] = by_id[rid].name
            item["length_km"] = round(by_id[rid].length_m() / 1000.0, 3)
        item["tunnel"] = _tunnel_json(res)
        items.append(item)
    date = date or _dt.date.today()
    doc = {"generated": plain(date), "routes": items}
    return (json.dumps(plain(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- dispatch
def export_bytes(routes, fmt: str, tunnels: Mapping | None = None, waypoints: bool = False,
                 metrics: bool = True) -> bytes:
    """Routes in one of :data:`FORMATS` as bytes (``csv`` = waypoints CSV). ``metrics=False``
    leaves out the strait metrics (subsea/land km from the strait coastline), e.g. for
    routes far from the strait."""
    if fmt == "geojson":
        return geojson_bytes(routes, tunnels=tunnels, waypoints=waypoints, metrics=metrics)
    if fmt == "kml":
        return kml_bytes(routes, tunnels=tunnels, waypoints=waypoints, metrics=metrics)
    if fmt == "gpx":
        return gpx_bytes(routes)
    if fmt == "gpkg":
        return gpkg_bytes(routes, tunnels=tunnels, metrics=metrics)
    if fmt == "csv":
        return waypoints_csv_bytes(routes)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_export(routes, fmt: str, path, **kw) -> Path:
    """:func:`export_bytes` written atomically to ``path``."""
    return atomic_write(path, export_bytes(routes, fmt, **kw))


def write_geojson(routes, path, **kw) -> Path:
    """:func:`geojson_bytes` written atomically to ``path``."""
    return atomic_write(path, geojson_bytes(routes, **kw))


def write_kml(routes, path, **kw) -> Path:
    """:func:`kml_bytes` written atomically to ``path``."""
    return atomic_write(path, kml_bytes(routes, **kw))


def write_gpx(routes, path) -> Path:
    """:func:`gpx_bytes` written atomically to ``path``."""
    return atomic_write(path, gpx_bytes(routes))


def write_gpkg(routes, path, **kw) -> Path:
    """:func:`gpkg_bytes` written atomically to ``path``."""
    return atomic_write(path, gpkg_bytes(routes, **kw))


def write_waypoints_csv(routes, path) -> Path:
    """:func:`waypoints_csv_bytes` written atomically to ``path``."""
    return atomic_write(path, waypoints_csv_bytes(routes))


def write_profile_csv(profiles, path) -> Path:
    """:func:`profile_csv_bytes` written atomically to ``path``."""
    return atomic_write(path, profile_csv_bytes(profiles))


def write_tunnel_json(results, path, routes=None) -> Path:
    """:func:`tunnel_json_bytes` written atomically to ``path``."""
    return atomic_write(path, tunnel_json_bytes(results, routes=routes))
