"""Reading routes from files (GeoJSON, KML/KMZ, GPX, CSV) and from drawn GeoJSON.

:func:`read_routes` takes a path or the bytes of an upload and returns
:class:`~mapapp.routes.route.Route` objects with ``origin="uploaded"``. Bad files raise
:class:`~mapapp.core.errors.RouteFileError` with a plain message naming the problem.
:func:`routes_from_drawings` turns the folium Draw plugin's features into ``"drawn"`` routes.

Formats
-------
GeoJSON (``.geojson``, ``.json``)
    A FeatureCollection, a Feature, a bare geometry or a GeometryCollection. Each
    LineString is a route. A MultiLineString is one route when its parts are *contiguous*
    (each part starts where the previous one ends, or at the opposite side of the
    antimeridian: RFC 7946 §3.1.9 cut lines are rejoined and the cut vertex dropped);
    otherwise each run of contiguous parts becomes its own route ("name (part 2)" …).
    The route name is ``properties.name`` (or ``title``, ``id``), the id comes from
    ``properties.id`` or the feature ``id`` (else the name); ``properties.mode`` is used
    when valid. Vertex names come from named Point features lying on a vertex, or
    from a ``properties.waypoint_names`` list. A legacy ``"crs"`` member
    (``{"type": "name", "properties": {"name": …}}``) is honoured: ``EPSG:3857`` etc. are
    read as x/y (easting, northing or lon, lat); the URN forms
    (``urn:ogc:def:crs:EPSG::4326``) follow the authority axis order (lat, lon for 4326).
KML / KMZ (``.kml``, ``.kmz``)
    Read with GDAL (LIBKML driver, or KML) through pyogrio, every layer (Google Earth's
    Folders become layers). Placemark names become route names; MultiGeometry lines are
    handled like MultiLineStrings; named point Placemarks name the vertices they lie on.
GPX (``.gpx``)
    Read with gpxpy. Each ``<rte>`` is a route (its ``<rtept>`` names become waypoint
    names); each ``<trk>`` is a route (its segments are joined in order). Named ``<wpt>``
    lying on a vertex name it.
CSV (``.csv``, ``.txt``, ``.tsv``)
    One row per waypoint, delimiter ``,`` ``;`` or tab. Longitude column: ``lon``, ``lng``,
    ``long``, ``longitude`` or ``x``; latitude: ``lat``, ``latitude`` or ``y`` (any case,
    optional ``_deg``/`` (deg)`` suffix). Optional ``name`` column (waypoint names) and
    ``route`` / ``route_id`` column: rows are grouped by its value (in order of first
    appearance), one route per value (the value becomes the route id); an optional
    ``route_name`` column names the routes (alone, it also groups them). With ``;`` as
    delimiter a decimal comma (``65,75``) is accepted.

Examples
--------
>>> data = b'{"type": "LineString", "coordinates": [[-169.65, 66.08], [-168.08, 65.6]]}'
>>> [r.name for r in read_routes(data, "line.geojson")], read_routes(data)[0].origin
(['line'], 'uploaded')
>>> csv = b"route;lat;lon\\nA;66,08;-169,65\\nA;65,6;-168,08\\n"
>>> r = read_routes(csv, "pts.csv")[0]
>>> r.name, round(r.length_m() / 1000, 1)
('A', 89.5)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
import shapely.errors

from mapapp.core import safety
from mapapp.core.errors import RouteError, RouteFileError
from mapapp.core.geodesy import unwrap_lons
from mapapp.core.safety import clean_text, short_repr
from mapapp.routes.route import MODES, Route, Waypoint, unique_id

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_ROUTES",
    "MAX_WAYPOINTS",
    "ROUTE_SUFFIXES",
    "read_routes",
    "routes_from_text",
    "routes_from_drawings",
    "routes_from_geojson",
]

#: Default size limit of a route file, bytes (10 MB; :data:`mapapp.core.safety.MAX_UPLOAD_BYTES`).
MAX_BYTES = safety.MAX_UPLOAD_BYTES
#: Most vertices one route may have (simplify longer GPS tracks before uploading).
MAX_WAYPOINTS = safety.MAX_VERTICES_PER_ROUTE
#: Most routes read from one file.
MAX_ROUTES = safety.MAX_ROUTES_PER_FILE
#: File extension -> format name.
FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".kmz": "kmz",
    ".gpx": "gpx",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shz": "shapefile",
    ".fgb": "flatgeobuf",
    ".geojsons": "geojsonseq",
    ".geojsonl": "geojsonseq",
    ".geojsonseq": "geojsonseq",
    ".ndjson": "geojsonseq",
    ".jsonl": "geojsonseq",
}
#: The files of a shapefile taken from a zip archive (.shp geometry, .shx index, .dbf
#: attributes, .prj coordinate system, .cpg text encoding).
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: File suffixes the route reader takes (the uploader's and the CLI's lists come from here).
ROUTE_SUFFIXES = tuple(FORMATS)
_SAME = 1e-7  # degrees: vertices this close are the same point (~1 cm)

_LON_NAMES = {"lon", "lng", "long", "longitude", "x"}
_LAT_NAMES = {"lat", "latitude", "y"}
_NAME_NAMES = {"name", "waypoint", "waypoint_name", "label", "point", "point_name"}
_ROUTE_NAMES = {"route", "route_id", "routeid", "line", "track", "route_name"}
_ROUTE_LABELS = {"route_name", "routename", "line_name", "track_name"}


class _Raw:
    """A route as read from a file, before validation."""

    def __init__(self, name, coords, names=None, mode=None, rid=None):
        self.name = clean_text(name)
        self.rid = clean_text(rid, 100)
        self.coords = [(float(c[0]), float(c[1])) for c in coords]
        self.names = (
            [clean_text(n) for n in names] if names is not None else [""] * len(self.coords)
        )
        self.mode = mode if isinstance(mode, str) else None


# --- entry points --------------------------------------------------------------------------


def read_routes(
    source, filename: str | None = None, max_bytes: int = MAX_BYTES, existing_ids=()
) -> list[Route]:
    """Routes from a route file.

    Parameters
    ----------
    source : str, os.PathLike, bytes or file-like
        A path, the file's bytes, or an object with ``read()`` (e.g. a Streamlit
        ``UploadedFile``; its ``name`` is used when ``filename`` is not given).
    filename : str, optional
        Name used to pick the format (by extension) and to name unnamed routes. Without
        it the format is recognised from the content.
    max_bytes : int
        Size limit in bytes (default 10 MB).
    existing_ids : iterable of str
        Ids already in use (presets, earlier uploads): new ids avoid them (``-2`` …).

    Returns
    -------
    list of Route
        At least one; ``origin="uploaded"``, unique ids, names from the file.

    Raises
    ------
    RouteFileError
        Empty or too large file, unsupported extension, malformed content, no line
        geometry, coordinates out of range, more than the limits of :mod:`mapapp.core.safety`
        (routes, vertices, features), XML with a DTD or entities, a KMZ that expands too
        much … The message names the problem.

    Notes
    -----
    Names are cleaned with :func:`mapapp.core.safety.clean_text` (no control characters, at most
    200 characters); HTML in names is kept as text and escaped wherever it is shown.
    """
    data, filename = _read_source(source, filename, max_bytes)
    fmt = _detect_format(data, filename)
    stem = clean_text(Path(filename).stem if filename else "") or "uploaded route"
    if fmt == "geojson":
        raws = _parse_geojson(data)
    elif fmt in ("kml", "kmz"):
        raws = _parse_kml(data, fmt)
    elif fmt == "gpx":
        raws = _parse_gpx(data)
    elif fmt == "gpkg":
        raws = _parse_gpkg(data)
    elif fmt == "shapefile":
        raws = _parse_shapefile_zip(data)
    elif fmt == "flatgeobuf":
        if not data.startswith(b"fgb\x03"):
            raise RouteFileError("not a FlatGeobuf file: it does not start with the 'fgb' "
                                 "signature of version 3")
        raws = _read_with_gdal(data, "upload.fgb", "FlatGeobuf")
    elif fmt == "geojsonseq":
        raws = _read_with_gdal(data, "upload.geojsons", "GeoJSON text sequence")
    else:
        raws = _parse_csv(data)
    return _build(raws, stem, "uploaded", set(existing_ids))


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,;\t ]\s*({_NUMBER})\s*(?:[,;\t ]\s*(.*?))?\s*$")


def routes_from_text(text: str, name: str = "pasted route", existing_ids=()) -> list[Route]:
    """Routes from pasted text: WKT, or one point per line.

    **WKT**: a ``LINESTRING`` or ``MULTILINESTRING`` (x = longitude, y = latitude, degrees).

    **Points**: one per line, two decimal numbers in degrees separated by a comma, semicolon,
    tab or spaces, optionally followed by a waypoint name. The rule for their order:

    1. a first line naming the order (``lat,lon`` or ``lon,lat``, any spelling of
       latitude/longitude) is followed;
    2. otherwise longitude comes first — except when *every* first number lies within
       −90…90 and some second number lies outside it, which only latitude, longitude can be
       (copied from most map sites); those lines are read as latitude, longitude.

    Raises
    ------
    RouteFileError
        Empty text, a line that is not two numbers, fewer than two points, a bad WKT.

    Examples
    --------
    >>> r = routes_from_text("-169.65, 66.08 Dezhnev\\n-168.08, 65.60")[0]
    >>> r.name, r.waypoints[0].name, round(r.length_m() / 1000, 1)
    ('pasted route', 'Dezhnev', 89.5)
    >>> r2 = routes_from_text("66.08, -169.65\\n65.60, -168.08")[0]   # lat, lon by the rule
    >>> round(r2.length_m() / 1000, 1)
    89.5
    >>> round(routes_from_text("LINESTRING (-169.65 66.08, -168.08 65.6)")[0].length_m())
    89495
    """
    text = (text or "").strip()
    if not text:
        raise RouteFileError("nothing pasted: give one point per line (longitude, latitude) "
                             "or a WKT LINESTRING")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise RouteFileError(f"the pasted text is larger than the {_mb(MAX_BYTES)} limit")
    name = clean_text(name) or "pasted route"
    if re.match(r"(?i)^\s*(multi)?linestring\b", text):
        raws = _wkt_raws(text, name)
    else:
        raws = [_text_points_raw(text, name)]
    return _build(raws, name, "uploaded", set(existing_ids))


def _wkt_raws(text: str, name: str) -> list[_Raw]:
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        raise RouteFileError(f"not a valid WKT line: {clean_text(exc, 200)}") from None
    parts = [[(x, y, "") for x, y, *_ in g.coords] for g in _explode(geom)
             if g.geom_type == "LineString" and not g.is_empty]
    if not parts:
        raise RouteFileError("the WKT holds no line with points")
    return _lines_to_raws(name, parts)


def _text_points_raw(text: str, name: str) -> _Raw:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    order = None
    head = lines[0].lower()
    if not re.search(r"\d", head) and "lat" in head and ("lon" in head or "lng" in head):
        order = "latlon" if head.index("lat") < min(i for i in (head.find("lon"), head.find("lng"))
                                                       if i >= 0) else "lonlat"
        lines = lines[1:]
    pairs = []
    for k, line in enumerate(lines, start=2 if order else 1):
        m = _PAIR.match(line)
        if not m:
            raise RouteFileError(
                f"line {k}: {short_repr(clean_text(line, 60))} is not two numbers; give "
                "longitude, latitude in decimal degrees (e.g. -169.65, 66.08)")
        pairs.append((float(m.group(1)), float(m.group(2)), clean_text(m.group(3) or "")))
    if len(pairs) < 2:
        raise RouteFileError("a route needs at least two points, one per line")
    if order is None:
        firsts_lat = all(-90.0 <= a <= 90.0 for a, _, _ in pairs)
        seconds_lon = any(not -90.0 <= b <= 90.0 for _, b, _ in pairs)
        order = "latlon" if firsts_lat and seconds_lon else "lonlat"
    if order == "latlon":
        pairs = [(b, a, n) for a, b, n in pairs]
    return _Raw(name, [(a, b) for a, b, _ in pairs], [n for _, _, n in pairs])


def routes_from_geojson(obj, name: str = "route", origin: str = "uploaded") -> list[Route]:
    """Routes from an already parsed GeoJSON object (dict), as :func:`read_routes` does."""
    return _build(_geojson_raws(obj), name, origin, set())


def routes_from_drawings(features, existing_names=()) -> list[Route]:
    """Routes from the folium Draw plugin's drawings (streamlit-folium ``all_drawings``).

    Parameters
    ----------
    features : list of dict
        GeoJSON Features. LineStrings (polylines) become routes; other shapes (markers,
        polygons, circles) are ignored. Longitudes drawn on a wrapped copy of the world
        (e.g. 191°) are brought back next to the strait (-169°), and a line drawn across
        the antimeridian stays continuous.
    existing_names : iterable of str
        Names and ids already in use (presets, uploads): new names and ids avoid them.
        Pass only the *other* routes' names: the drawn routes are rebuilt from the full
        ``all_drawings`` list on every rerun.

    Returns
    -------
    list of Route
        ``origin="drawn"``, named ``properties.name`` or "Drawn route 1", "Drawn route 2"
        …; the id is ``drawn-`` plus a hash of the coordinates, so the same drawing keeps
        its id across reruns.

    Raises
    ------
    RouteError
        If a drawn line is degenerate (fewer than two distinct points).
    """
    taken = {str(n) for n in existing_names}
    out = []
    features = list(features or []) if isinstance(features, (list, tuple)) else []
    lines = [
        f for f in features
        if isinstance(f, dict) and isinstance(f.get("geometry"), dict)
        and f["geometry"].get("type") == "LineString"
    ]
    if len(lines) > safety.MAX_ROUTES_PER_SESSION:
        raise RouteError(
            f"{len(lines)} lines are drawn; at most {safety.MAX_ROUTES_PER_SESSION} are kept "
            "(delete some with the bin tool)"
        )
    for k, feat in enumerate(features):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "LineString":
            continue
        coords = geom.get("coordinates") or []
        if not isinstance(coords, (list, tuple)):
            raise RouteError(f"drawn line {k + 1} has malformed coordinates")
        if len(coords) > MAX_WAYPOINTS:
            raise RouteError(
                f"drawn line {k + 1} has {len(coords)} points; the limit is {MAX_WAYPOINTS}"
            )
        try:
            pts = [(float(c[0]), float(c[1])) for c in coords]
        except (TypeError, ValueError, IndexError, KeyError, OverflowError):
            raise RouteError(f"drawn line {k + 1} has malformed coordinates") from None
        if len(pts) < 2:
            raise RouteError(f"drawn line {k + 1} needs at least two points")
        if not all(math.isfinite(v) for p in pts for v in p):
            raise RouteError(f"drawn line {k + 1} has coordinates that are not finite numbers")
        lons = unwrap_lons([p[0] for p in pts])
        props = feat.get("properties") or {}
        props = props if isinstance(props, dict) else {}
        name = clean_text(props.get("name") or "")
        if not name or name in taken:
            n = 1
            while f"Drawn route {n}" in taken:
                n += 1
            name = f"Drawn route {n}"
        taken.add(name)
        pairs = zip(lons, pts, strict=True)
        key = json.dumps([[round(float(x), 6), round(p[1], 6)] for x, p in pairs])
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        rid = unique_id("drawn-" + digest, taken)
        taken.add(rid)
        try:
            route = Route(
                id=rid,
                name=name,
                waypoints=[Waypoint(x, p[1]) for x, p in zip(lons, pts, strict=True)],
                origin="drawn",
            )
        except RouteError as exc:
            raise RouteError(f"drawn line {k + 1}: {exc}") from None
        out.append(route)
    return out


# --- source and format ---------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _read_source(source, filename, max_bytes):
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        if filename is None:
            filename = getattr(source, "name", None)
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        path = Path(source)
        if filename is None:
            filename = path.name
        if not path.is_file():
            raise RouteFileError(f"route file not found: {path}")
        size = path.stat().st_size
        if size > max_bytes:
            raise RouteFileError(f"{path.name} is {_mb(size)}; the limit is {_mb(max_bytes)}")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise RouteFileError(
            f"{filename or 'the file'} is larger than the {_mb(max_bytes)} limit"
        )
    if not data.strip():
        raise RouteFileError(f"{filename or 'the file'} is empty")
    return data, filename


def _detect_format(data: bytes, filename: str | None) -> str:
    if filename:
        ext = Path(filename).suffix.lower()
        if ext in FORMATS:
            return FORMATS[ext]
        if ext:
            raise RouteFileError(
                f"unsupported file type {ext!r}; upload GeoJSON (.geojson/.json), GeoJSON text "
                "sequences (.geojsons/.geojsonl), KML (.kml/.kmz), GPX (.gpx), CSV (.csv), "
                "GeoPackage (.gpkg), FlatGeobuf (.fgb) or a zipped shapefile (.zip)"
            )
    if data[:2] == b"PK":
        return "shapefile" if re.search(rb"\.shp", data[-65536:], re.I) else "kmz"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"fgb\x03"):
        return "flatgeobuf"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"\x1e"):
        return "geojsonseq"
    head = data[:2000].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return "geojson"
    if head.startswith(b"<"):
        if b"<kml" in head:
            return "kml"
        if b"<gpx" in head:
            return "gpx"
        raise RouteFileError("the file is XML but neither KML nor GPX")
    return "csv"


# --- building routes -----------------------------------------------------------------------


def _build(raws: list[_Raw], stem: str, origin: str, taken: set) -> list[Route]:
    if not raws:
        raise RouteFileError("no routes found in the file")
    if len(raws) > MAX_ROUTES:
        raise RouteFileError(
            f"the file holds {len(raws)} routes; at most {MAX_ROUTES} are read from one file "
            "(split it, or merge the lines that belong together)"
        )
    total = sum(len(r.coords) for r in raws)
    if total > safety.MAX_VERTICES_PER_FILE:
        raise RouteFileError(
            f"the file's routes have {total:,} points together; the limit is "
            f"{safety.MAX_VERTICES_PER_FILE:,} (simplify the lines first)"
        )
    routes = []
    unnamed = sum(1 for r in raws if not r.name)
    counter = 0
    for raw in raws:
        if not raw.name:
            counter += 1
            raw.name = stem if unnamed == 1 else f"{stem} {counter}"
        label = f"route {raw.name!r}"
        if len(raw.coords) > MAX_WAYPOINTS:
            raise RouteFileError(
                f"{label} has {len(raw.coords)} points; the limit is {MAX_WAYPOINTS} "
                "(simplify the line first)"
            )
        for i, (lon, lat) in enumerate(raw.coords, start=1):
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise RouteFileError(f"{label}, point {i}: coordinates are not finite numbers")
            if not -90.0 <= lat <= 90.0:
                raise RouteFileError(
                    f"{label}, point {i}: latitude {lat:g} is out of range (-90..90); "
                    "are longitude and latitude swapped?"
                )
            if not -540.0 <= lon <= 540.0:
                raise RouteFileError(f"{label}, point {i}: longitude {lon:g} is out of range")
        lons = unwrap_lons([c[0] for c in raw.coords]) if raw.coords else []
        mode = raw.mode if raw.mode in MODES else "rail"
        rid = unique_id(raw.rid or raw.name, taken)
        taken.add(rid)
        try:
            route = Route(
                id=rid,
                name=raw.name,
                waypoints=[
                    Waypoint(x, c[1], n)
                    for x, c, n in zip(lons, raw.coords, raw.names, strict=True)
                ],
                mode=mode,
                origin=origin,
            )
        except RouteError as exc:
            msg = str(exc)
            raise RouteFileError(msg if msg.startswith(label) else f"{label}: {msg}") from None
        routes.append(route)
    return routes


def _cell_key(lon: float, lat: float) -> tuple[int, int]:
    """Grid cell (1e-6°, longitude wrapped to [0, 360)) of a point, for vertex naming."""
    return int(math.floor((lon % 360.0) * 1e6)), int(math.floor(lat * 1e6))


def _name_vertices(raws: list[_Raw], points: list[tuple[float, float, str]]) -> None:
    """Give each unnamed vertex the name of a named point lying on it (the first such
    point in file order). Points are indexed by 1e-6° cells: time grows with the number
    of vertices plus points, not their product."""
    cells: dict[tuple[int, int], list[int]] = {}
    for k, (plon, plat, pname) in enumerate(points):
        if pname and math.isfinite(plon) and abs(plat) <= 90.0:
            cells.setdefault(_cell_key(plon, plat), []).append(k)
    if not cells:
        return
    wrap = int(360 * 1e6)
    for raw in raws:
        for i, (lon, lat) in enumerate(raw.coords):
            if raw.names[i] or not (math.isfinite(lon) and abs(lat) <= 90.0):
                continue
            cx, cy = _cell_key(lon, lat)
            best = None
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for k in cells.get(((cx + dx) % wrap, cy + dy), ()):
                        plon, plat, _ = points[k]
                        dlon = abs((plon - lon + 180.0) % 360.0 - 180.0)
                        if dlon < 1e-6 and abs(plat - lat) < 1e-6 and (best is None or k < best):
                            best = k
            if best is not None:
                raw.names[i] = points[best][2]


def _at_antimeridian(a, b) -> bool:
    """True if a line part ending at ``a`` and the next starting at ``b`` meet at ±180°."""
    on_a = abs(abs(a[0]) - 180.0) < _SAME
    on_b = abs(abs(b[0]) - 180.0) < _SAME
    return on_a and on_b and a[0] * b[0] < 0 and abs(a[1] - b[1]) < 1e-6


def _join_parts(parts: list[list[tuple]]) -> list[list[tuple]]:
    """Join contiguous line parts. Returns runs of coordinates (each a list of
    ``(lon, lat, name)``)."""
    runs: list[list[tuple]] = []
    for part in parts:
        part = list(part)
        if not part:
            continue
        if runs:
            last = runs[-1][-1]
            first = part[0]
            if abs(last[0] - first[0]) < _SAME and abs(last[1] - first[1]) < _SAME:
                runs[-1].extend(part[1:])
                continue
            if _at_antimeridian(last, first):
                # RFC 7946 cut: drop the inserted crossing vertex on both sides
                if len(runs[-1]) > 1:
                    runs[-1].pop()
                runs[-1].extend(part[1:] if len(part) > 1 else part)
                continue
        runs.append(part)
    return runs


def _lines_to_raws(name, parts, mode=None, vertex_names=None, rid=None) -> list[_Raw]:
    """Raw routes from a list of line parts [[(lon, lat, vname), …], …]."""
    runs = _join_parts(parts)
    out = []
    for k, run in enumerate(runs):
        label = name if len(runs) == 1 or not name else f"{name} (part {k + 1})"
        part_id = rid if len(runs) == 1 or not rid else f"{rid}-part-{k + 1}"
        names = [p[2] if len(p) > 2 else "" for p in run]
        if vertex_names and len(runs) == 1 and len(vertex_names) == len(run):
            names = [str(n or "") for n in vertex_names]
        out.append(_Raw(label, [(p[0], p[1]) for p in run], names, mode, part_id))
    return out


# --- GeoJSON -------------------------------------------------------------------------------


def _parse_geojson(data: bytes) -> list[_Raw]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RouteFileError("the GeoJSON file is not UTF-8 text") from None
    # every position is a JSON array: refuse huge files before building millions of objects
    arrays = data.count(b"[")
    if arrays > 2 * safety.MAX_VERTICES_PER_FILE + 10_000:
        raise RouteFileError(
            f"the GeoJSON file has about {arrays:,} coordinate positions; the limit is "
            f"{safety.MAX_VERTICES_PER_FILE:,} (simplify the lines first)"
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RouteFileError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise RouteFileError("malformed GeoJSON: arrays or objects are nested too deeply") from None
    except ValueError:  # e.g. an integer with thousands of digits
        raise RouteFileError("malformed JSON: a number is too long") from None
    return _geojson_raws(obj)


#: Legacy "crs" names accepted: authority codes only (never PROJ strings or file names).
_CRS_NAME = re.compile(
    r"(?:(?:EPSG|ESRI|OGC):{1,2}[A-Za-z0-9]{1,12}"
    r"|urn:ogc:def:crs:(?:EPSG|ESRI|OGC):[0-9.]{0,8}:[A-Za-z0-9]{1,12}|CRS84)",
    re.IGNORECASE,
)


def _crs_transform(obj):
    """A function (x, y) -> (lon, lat) for the legacy "crs" member, or None."""
    crs = obj.get("crs") if isinstance(obj, dict) else None
    if crs is None:
        return None
    import pyproj

    if not isinstance(crs, dict) or crs.get("type") != "name":
        raise RouteFileError(
            "unsupported GeoJSON 'crs' member (only {\"type\": \"name\"} is understood); "
            "save the file as plain WGS84 GeoJSON"
        )
    props = crs.get("properties")
    name = str(props.get("name", "")) if isinstance(props, dict) else ""
    if not _CRS_NAME.fullmatch(name):
        raise RouteFileError(
            f"unknown CRS {short_repr(name)} in the GeoJSON 'crs' member: only authority codes "
            "such as 'EPSG:3857' or 'urn:ogc:def:crs:EPSG::3857' are understood"
        )
    try:
        src = pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        raise RouteFileError(f"unknown CRS {name!r} in the GeoJSON 'crs' member") from None
    if src.equals("OGC:CRS84"):
        return None
    urn = name.lower().startswith("urn:")
    tr = pyproj.Transformer.from_crs(src, "OGC:CRS84", always_xy=not urn)

    def transform(x, y):
        lon, lat = tr.transform(x, y)
        return float(lon), float(lat)

    return transform


def _positions(coords, where: str, transform) -> list[tuple]:
    if not isinstance(coords, (list, tuple)):
        raise RouteFileError(f"{where}: 'coordinates' must be a list")
    out = []
    for i, c in enumerate(coords, start=1):
        if not (isinstance(c, (list, tuple)) and len(c) >= 2):
            raise RouteFileError(
                f"{where}, position {i}: expected [lon, lat], got {short_repr(c)}"
            )
        if isinstance(c[0], bool) or isinstance(c[1], bool):
            raise RouteFileError(f"{where}, position {i}: coordinates must be numbers")
        try:
            x, y = float(c[0]), float(c[1])
        except (TypeError, ValueError, OverflowError):
            raise RouteFileError(f"{where}, position {i}: coordinates must be numbers") from None
        if transform is not None and math.isfinite(x) and math.isfinite(y):
            x, y = transform(x, y)
        out.append((x, y, ""))
    return out


def _geojson_raws(obj) -> list[_Raw]:
    if not isinstance(obj, dict) or "type" not in obj:
        raise RouteFileError("not GeoJSON: expected an object with a 'type' member")
    transform = _crs_transform(obj)
    t = obj["type"]
    if t == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise RouteFileError("FeatureCollection without a 'features' list")
    elif t == "Feature":
        feats = [obj]
    else:
        feats = [{"type": "Feature", "geometry": obj, "properties": {}}]
    if len(feats) > safety.MAX_FEATURES_PER_FILE:
        raise RouteFileError(
            f"the file has {len(feats):,} features; the limit is "
            f"{safety.MAX_FEATURES_PER_FILE:,}"
        )
    raws: list[_Raw] = []
    points: list[tuple[float, float, str]] = []
    found: set[str] = set()
    for k, feat in enumerate(feats, start=1):
        if not isinstance(feat, dict):
            raise RouteFileError(f"feature {k} is not an object")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        rid = props.get("id") if props.get("id") is not None else feat.get("id")
        name = props.get("name") or props.get("title") or props.get("Name") or rid
        name = clean_text(name)
        geoms = _flatten(feat.get("geometry"), f"feature {k}")
        parts = []
        for gtype, coords in geoms:
            found.add(gtype)
            where = f"feature {k} ({gtype})"
            if gtype == "LineString":
                parts.append(_positions(coords, where, transform))
            elif gtype == "MultiLineString":
                if not isinstance(coords, (list, tuple)):
                    raise RouteFileError(f"{where}: 'coordinates' must be a list")
                parts.extend(_positions(p, where, transform) for p in coords)
            elif gtype == "Point" and name and not any(g[0].endswith("LineString") for g in geoms):
                p = _positions([coords], where, transform)[0]
                points.append((p[0], p[1], name))
        if parts:
            wn = props.get("waypoint_names")
            wn = wn if isinstance(wn, list) else None
            raws.extend(_lines_to_raws(name, parts, props.get("mode"), wn, rid))
    if not raws:
        raise RouteFileError(_no_lines_message(found))
    _name_vertices(raws, points)
    return raws


_GEOMETRY_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
)  # fmt: skip


def _flatten(geom, where: str, depth: int = 0) -> list[tuple[str, object]]:
    if geom is None:
        return []
    if not isinstance(geom, dict) or "type" not in geom:
        raise RouteFileError(f"{where}: geometry is not a GeoJSON object")
    gtype = geom["type"]
    if gtype == "GeometryCollection":
        if depth >= 8:
            raise RouteFileError(f"{where}: GeometryCollections are nested too deeply")
        members = geom.get("geometries") or []
        if not isinstance(members, list):
            raise RouteFileError(f"{where}: 'geometries' must be a list")
        out = []
        for g in members:
            out.extend(_flatten(g, where, depth + 1))
        return out
    if not isinstance(gtype, str) or gtype not in _GEOMETRY_TYPES:
        raise RouteFileError(f"{where}: unknown geometry type {short_repr(gtype)}")
    return [(gtype, geom.get("coordinates"))]


def _no_lines_message(found: set) -> str:
    if not found:
        return "no line geometry found: the file has no geometries"
    if found & {"LineString", "MultiLineString"}:
        return "no line with coordinates found: the file's lines are empty"
    return (
        "no line geometry found — found " + ", ".join(sorted(found)) + " only; "
        "a route must be a LineString (a path), or upload waypoints as CSV"
    )


# --- KML -----------------------------------------------------------------------------------


def _parse_kml(data: bytes, fmt: str) -> list[_Raw]:
    if fmt == "kmz":
        data = safety.read_kmz_kml(data, max(len(data), MAX_BYTES))
    # expat first: DTDs / entities (XML attacks) refused, nesting and size bounded, and a
    # plain message for malformed XML; GDAL only ever sees well-formed, DTD-free KML
    counts = safety.check_xml(data, "KML", root="kml")
    if counts["Placemark"] > safety.MAX_FEATURES_PER_FILE:
        raise RouteFileError(
            f"the KML file has {counts['Placemark']:,} placemarks; the limit is "
            f"{safety.MAX_FEATURES_PER_FILE:,}"
        )
    return _read_with_gdal(data, "upload.kml", "KML")


def _parse_gpkg(data: bytes) -> list[_Raw]:
    """GeoPackage (e.g. our own export): line layers become routes, named points name the
    vertices they lie on; layers in another CRS are reprojected to lon/lat."""
    if not data.startswith(b"SQLite format 3\x00"):
        raise RouteFileError("not a GeoPackage: the file is not an SQLite database")
    return _read_with_gdal(data, "upload.gpkg", "GeoPackage")


def _parse_shapefile_zip(data: bytes) -> list[_Raw]:
    """A zipped shapefile: every ``.shp`` in the archive with its ``.shx``, ``.dbf`` and
    ``.prj`` (without a ``.prj`` the coordinates are taken as longitude/latitude degrees)."""
    members = safety.read_zip_members(
        data, lambda n: Path(n).suffix.lower() in _SHAPEFILE_PARTS, "zip", MAX_BYTES,
        what="shapefile part")
    parts: dict[str, bytes] = {}
    for name, blob in members.items():
        base = Path(name).name
        if base and not base.startswith(".") and base.lower() not in {k.lower() for k in parts}:
            parts[base] = blob
    shps = [n for n in parts if n.lower().endswith(".shp")]
    if not shps:
        raise RouteFileError("the zip archive holds no .shp file; zip a shapefile's .shp, .shx, "
                             ".dbf and .prj files together")
    lower = {n.lower() for n in parts}
    for shp in shps:
        stem = shp[:-4].lower()
        missing = [ext for ext in (".shx", ".dbf") if stem + ext not in lower]
        if missing:
            raise RouteFileError(f"{clean_text(shp)} comes without its {' and '.join(missing)} "
                                 "file; zip all the parts of the shapefile together")
    with tempfile.TemporaryDirectory() as tmp:
        for name, blob in parts.items():
            (Path(tmp) / name).write_bytes(blob)
        raws: list[_Raw] = []
        for shp in shps:
            raws.extend(_read_gdal_path(Path(tmp) / shp, "shapefile"))
    return raws


def _read_with_gdal(data: bytes, fname: str, label: str) -> list[_Raw]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / fname
        path.write_bytes(data)
        return _read_gdal_path(path, label)


def _read_gdal_path(path: Path, label: str) -> list[_Raw]:
    """Routes from every layer of a file GDAL reads (KML, GeoPackage, shapefile, FlatGeobuf,
    GeoJSON text sequences)."""
    _GDAL_ERRORS = (
        shapely.errors.GEOSException,  # e.g. a LineString of one point
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        RuntimeError,
        OSError,
        ValueError,
    )
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except _GDAL_ERRORS as exc:
        raise RouteFileError(
            f"cannot read the {label} file: {_gdal_message(exc, str(path))}"
        ) from None
    raws: list[_Raw] = []
    points: list[tuple[float, float, str]] = []
    found: set[str] = set()
    for layer in layers:
        try:
            with warnings.catch_warnings():  # NaN coordinates: refused below
                warnings.simplefilter("ignore", RuntimeWarning)
                df = pyogrio.read_dataframe(path, layer=layer, force_2d=True)
            if len(df) > safety.MAX_FEATURES_PER_FILE:
                raise RouteFileError(
                    f"layer {short_repr(clean_text(layer))} has {len(df):,} features; the "
                    f"limit is {safety.MAX_FEATURES_PER_FILE:,}"
                )
            if df.crs is not None and not df.crs.equals("EPSG:4326"):
                df = df.to_crs("EPSG:4326")
        except _GDAL_ERRORS as exc:
            raise RouteFileError(
                f"cannot read layer {short_repr(clean_text(layer))} of the {label} file: "
                f"{_gdal_message(exc, str(path))}"
            ) from None
        name_col = next((c for c in df.columns if c.lower() == "name"), None)
        for i in range(len(df)):
            geom = df.geometry.iloc[i]
            if geom is None or geom.is_empty:
                continue
            name = df[name_col].iloc[i] if name_col else ""
            if name is None or (isinstance(name, float) and np.isnan(name)):
                name = ""
            name = str(name)
            parts = []
            pins = []
            for sub in _explode(geom):
                found.add(sub.geom_type)
                if sub.geom_type == "LineString":
                    parts.append([(x, y, "") for x, y in sub.coords])
                elif sub.geom_type == "Point" and name:
                    pins.append((sub.x, sub.y, name))
            if parts:  # a point inside a line's MultiGeometry does not name a vertex
                raws.extend(_lines_to_raws(name, parts))
            else:
                points.extend(pins)
    if not raws:
        raise RouteFileError(_no_lines_message(found))
    _name_vertices(raws, points)
    return raws


def _explode(geom) -> list:
    """Simple geometries of a (possibly nested) multi-geometry or collection."""
    if geom.geom_type.startswith("Multi") or geom.geom_type == "GeometryCollection":
        return [g for part in geom.geoms for g in _explode(part)]
    return [geom]


def _gdal_message(exc: Exception, path: str = "") -> str:
    """First line of a GDAL error, without the temporary file's path."""
    text = str(exc).strip()
    if not text:
        return "GDAL could not parse it"
    line = text.splitlines()[0]
    if "point array must contain" in line:
        return "a line has a single point; a route needs at least two"
    if path:
        line = line.replace(path + " ", "").replace(path, "the file")
    return clean_text(line, 200)


# --- GPX -----------------------------------------------------------------------------------


def _parse_gpx(data: bytes) -> list[_Raw]:
    import gpxpy
    import gpxpy.gpx

    counts = safety.check_xml(data, "GPX", root="gpx")
    npts = counts["trkpt"] + counts["rtept"] + counts["wpt"]
    if npts > safety.MAX_VERTICES_PER_FILE:
        raise RouteFileError(
            f"the GPX file has {npts:,} points; the limit is {safety.MAX_VERTICES_PER_FILE:,} "
            "(simplify the tracks first)"
        )
    try:
        gpx = gpxpy.parse(data.decode("utf-8-sig", errors="replace"))
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        raise RouteFileError(f"malformed GPX (XML error): {clean_text(exc, 300)}") from None
    except gpxpy.gpx.GPXException as exc:
        raise RouteFileError(f"cannot read the GPX file: {clean_text(exc, 300)}") from None
    raws: list[_Raw] = []
    for rte in gpx.routes:
        if rte.points:
            raws.append(
                _Raw(
                    rte.name,
                    [(p.longitude, p.latitude) for p in rte.points],
                    [p.name or "" for p in rte.points],
                )
            )
    for trk in gpx.tracks:
        pts = [(p.longitude, p.latitude, p.name or "") for s in trk.segments for p in s.points]
        if pts:
            raws.append(_Raw(trk.name, [p[:2] for p in pts], [p[2] for p in pts]))
    if not raws:
        if gpx.waypoints:
            raise RouteFileError(
                "no line geometry found — found waypoints (<wpt>) only; a route needs a "
                "<rte> or <trk>"
            )
        raise RouteFileError("no routes or tracks found in the GPX file")
    _name_vertices(raws, [(w.longitude, w.latitude, w.name) for w in gpx.waypoints if w.name])
    return raws


# --- CSV -----------------------------------------------------------------------------------


def _norm_header(h: str) -> str:
    h = h.strip().strip('"').lower().replace(" ", "_")
    for suffix in ("_(deg)", "(deg)", "_deg", "_degrees", "_dd"):
        h = h.removesuffix(suffix)
    return h.strip("_")


def _parse_csv(data: bytes) -> list[_Raw]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    nlines = max(text.count("\n"), text.count("\r"))
    if nlines > safety.MAX_VERTICES_PER_FILE + 1:
        raise RouteFileError(
            f"the CSV file has {nlines:,} lines; the limit is {safety.MAX_VERTICES_PER_FILE:,} "
            "waypoints (simplify the lines first)"
        )
    header_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        raise RouteFileError(
            "the CSV file needs a header with at least longitude and latitude columns "
            "(e.g. 'name,lon,lat'), separated by ',' or ';'"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac line ends too
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise RouteFileError(
            f"malformed CSV near line {reader.line_num}: {clean_text(exc, 120)}"
        ) from None
    if not rows:
        raise RouteFileError(
            "the CSV file has no header: it needs longitude and latitude columns "
            "(e.g. 'name,lon,lat')"
        )
    header = [_norm_header(h) for h in rows[0]]
    col = {}
    kinds = {
        "lon": _LON_NAMES,
        "lat": _LAT_NAMES,
        "name": _NAME_NAMES,
        "route": _ROUTE_NAMES - _ROUTE_LABELS,
        "label": _ROUTE_LABELS,
    }
    for kind, names in kinds.items():
        idx = [i for i, h in enumerate(header) if h in names]
        if idx:
            col[kind] = idx[0]
    if "route" not in col and "label" in col:
        col["route"] = col["label"]
    if "lon" not in col or "lat" not in col:
        found = ", ".join(short_repr(clean_text(h, 40)) for h in rows[0][:12])
        more = f" and {len(rows[0]) - 12} more" if len(rows[0]) > 12 else ""
        raise RouteFileError(
            f"the CSV file needs longitude and latitude columns (found: {found}{more}); "
            "name them lon/lng/longitude/x and lat/latitude/y"
        )
    def cell(row, kind):
        i = col.get(kind)
        return row[i].strip() if i is not None and i < len(row) else ""

    groups: dict[str, list] = {}
    labels: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        vals = []
        for kind, label in (("lon", "longitude"), ("lat", "latitude")):
            raw = cell(row, kind)
            if not raw:
                raise RouteFileError(f"CSV row {n}: {label} is empty")
            if delim != "," and "," in raw and "." not in raw:
                raw = raw.replace(",", ".")
            try:
                vals.append(float(raw))
            except ValueError:
                raise RouteFileError(
                    f"CSV row {n}: {label} {short_repr(raw[:40])} is not a number"
                ) from None
        key = cell(row, "route")
        groups.setdefault(key, []).append((vals[0], vals[1], cell(row, "name")))
        labels.setdefault(key, cell(row, "label") or key)
    if not groups:
        raise RouteFileError("the CSV file has a header but no waypoint rows")
    return [
        _Raw(labels[key], [(p[0], p[1]) for p in pts], [p[2] for p in pts], rid=key)
        for key, pts in groups.items()
    ]
