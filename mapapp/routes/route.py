"""Routes: candidate tunnel alignments as ordered waypoints.

A :class:`Route` is the unit everything else works on (metrics, profile, tunnel model,
export, report). Longitudes are kept *continuous* for display (see
:func:`mapapp.core.geodesy.unwrap_lons`); export code cuts lines at the antimeridian.

Examples
--------
>>> r = Route.from_coords("demo", "Demo", [(-169.6519, 66.0792), (-168.0847, 65.5964)])
>>> len(r.waypoints), r.mode, r.origin
(2, 'rail', 'drawn')
>>> round(r.length_m() / 1000, 1)
89.6
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from mapapp.core.errors import RouteError
from mapapp.core.geodesy import geodesic_length, leg_lengths, unwrap_lons

__all__ = [
    "MODES",
    "ORIGINS",
    "PALETTE",
    "Route",
    "Waypoint",
    "route_colour",
    "slugify",
    "unique_id",
    "waypoints_from_rows",
]

#: Tunnel modes: rail, road, or a Boring-Company-style Loop.
MODES = ("rail", "road", "loop")
#: Where a route came from.
ORIGINS = ("preset", "drawn", "uploaded", "optimised")


def slugify(text: str) -> str:
    """A safe identifier from free text (letters, digits, ``-``)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()
    return slug[:60] or "route"


@dataclass
class Waypoint:
    """A vertex of a route: longitude and latitude in degrees, optional name."""

    lon: float
    lat: float
    name: str = ""

    def __post_init__(self):
        try:
            self.lon = float(self.lon)
            self.lat = float(self.lat)
        except (TypeError, ValueError) as exc:
            raise RouteError(
                f"waypoint coordinates must be numbers, got {self.lon!r}, {self.lat!r}"
            ) from exc
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise RouteError("waypoint coordinates must be finite numbers (got NaN or infinity)")
        if not -90.0 <= self.lat <= 90.0:
            raise RouteError(
                f"latitude {self.lat} is outside -90..90; are longitude and latitude swapped?"
            )
        if not -540.0 <= self.lon <= 540.0:
            raise RouteError(f"longitude {self.lon} is outside -540..540 degrees")
        self.name = "" if self.name is None else str(self.name)


@dataclass
class Route:
    """A candidate alignment.

    Attributes
    ----------
    id : str
        Stable identifier (slug).
    name : str
        Display name.
    waypoints : list of Waypoint
        At least two, in order; longitudes continuous.
    mode : str
        One of :data:`MODES`.
    origin : str
        One of :data:`ORIGINS`.
    claims : dict
        For presets: what proponents claimed (e.g. ``length_km``, ``cost_busd``,
        ``duration_years``, ``legs_km``) — free-form numbers/strings.
    sources : list of str
        URLs behind the claims and the geometry.
    notes : str
        How the waypoints were chosen, caveats.
    colour : str
        CSS colour for display, or "" to pick one automatically.
    """

    id: str
    name: str
    waypoints: list[Waypoint]
    mode: str = "rail"
    origin: str = "drawn"
    claims: dict = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    notes: str = ""
    colour: str = ""

    def __post_init__(self):
        self.waypoints = [w if isinstance(w, Waypoint) else Waypoint(*w) for w in self.waypoints]
        if len(self.waypoints) < 2:
            raise RouteError(f"route {self.name!r} needs at least two waypoints")
        if self.mode not in MODES:
            raise RouteError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.origin not in ORIGINS:
            raise RouteError(f"origin {self.origin!r} is not one of {', '.join(ORIGINS)}")
        lons = unwrap_lons([w.lon for w in self.waypoints])
        for w, lon in zip(self.waypoints, lons, strict=True):
            w.lon = float(lon)
        self.waypoints = _drop_repeats(self.waypoints)
        if len(self.waypoints) < 2:
            raise RouteError(
                f"route {self.name!r} needs at least two distinct waypoints "
                "(all its points are at the same place)"
            )
        self.id = slugify(self.id)
        self.name = str(self.name) or self.id

    @classmethod
    def from_coords(cls, id: str, name: str, coords, **kw) -> Route:
        """Build from ``[(lon, lat), …]`` or ``[(lon, lat, name), …]`` (degrees)."""
        return cls(id=id, name=name, waypoints=[Waypoint(*c) for c in coords], **kw)

    @property
    def lons(self) -> np.ndarray:
        """Continuous longitudes of the waypoints, degrees."""
        return np.array([w.lon for w in self.waypoints])

    @property
    def lats(self) -> np.ndarray:
        """Latitudes of the waypoints, degrees."""
        return np.array([w.lat for w in self.waypoints])

    def length_m(self) -> float:
        """Geodesic length along the waypoints, metres (WGS84)."""
        return geodesic_length(self.lons, self.lats)

    def legs_m(self) -> np.ndarray:
        """Geodesic length of each leg, metres."""
        return leg_lengths(self.lons, self.lats)

    def with_waypoints(self, waypoints, origin: str | None = None, **changes) -> Route:
        """A copy of this route with new waypoints (validated).

        Parameters
        ----------
        waypoints : pandas.DataFrame or iterable
            See :func:`waypoints_from_rows`.
        origin : str, optional
            New origin; by default an edited *preset* becomes ``"drawn"`` (its claims no longer
            describe the geometry, so they are dropped) and other routes keep theirs.
        **changes
            Other fields to replace (``name``, ``mode``, ``colour`` …).

        Raises
        ------
        RouteError
            With a message naming the offending row, or "needs at least two distinct waypoints".

        Examples
        --------
        >>> r = Route.from_coords("a", "A", [(-169.0, 65.7), (-168.0, 65.6)])
        >>> e = r.with_waypoints([(-169.0, 65.7), (-168.5, 65.65, "mid"), (-168.0, 65.6)])
        >>> e.waypoints[1].name, round(e.length_m() / 1000, 1)
        ('mid', 47.4)
        """
        wps = waypoints_from_rows(waypoints)
        d = self.to_dict()
        if origin is None:
            origin = "drawn" if self.origin == "preset" else self.origin
        if self.origin == "preset" and origin != "preset":
            d["claims"] = {}
        d.update(changes)
        d["origin"] = origin
        d["waypoints"] = [[w.lon, w.lat, w.name] for w in wps]
        return Route.from_dict(d)

    def geometry(self):
        """The route as a shapely ``LineString`` in degrees, longitudes continuous (may leave
        [-180, 180) near the antimeridian; cut it with
        :func:`mapapp.core.geodesy.split_antimeridian` for RFC 7946 output).

        Examples
        --------
        >>> Route.from_coords("x", "X", [(179.5, 66.0), (-179.5, 66.0)]).geometry().coords[:]
        [(-180.5, 66.0), (-179.5, 66.0)]
        """
        from shapely.geometry import LineString

        return LineString(list(zip(self.lons.tolist(), self.lats.tolist(), strict=True)))

    def copy(self, **changes) -> Route:
        """A validated copy with some fields replaced (``name``, ``colour``, ``id`` …)."""
        d = self.to_dict()
        d.update(changes)
        return Route.from_dict(d)

    def fingerprint(self) -> str:
        """The route as canonical JSON text: equal for equal routes, the key of every cache of
        results computed from it."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    def to_dict(self) -> dict:
        """Plain-JSON representation (round-trips through :meth:`from_dict`)."""
        d = asdict(self)
        d["waypoints"] = [[w.lon, w.lat, w.name] for w in self.waypoints]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Route:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(d, dict):
            raise RouteError("a route must be a JSON object")
        try:
            wps = [
                Waypoint(*w) if isinstance(w, (list, tuple)) else Waypoint(**w)
                for w in d["waypoints"]
            ]
            return cls(
                id=str(d.get("id") or d.get("name") or "route"),
                name=str(d.get("name") or d.get("id") or "route"),
                waypoints=wps,
                mode=d.get("mode", "rail"),
                origin=d.get("origin", "drawn"),
                claims=dict(d.get("claims") or {}),
                sources=list(d.get("sources") or []),
                notes=str(d.get("notes") or ""),
                colour=str(d.get("colour") or ""),
            )
        except (KeyError, TypeError) as exc:
            raise RouteError(f"route object is missing or has malformed fields: {exc}") from exc


#: Display colours: Okabe & Ito (2008) colour-blind-safe palette (black dropped: it is used
#: for the coastline), then Paul Tol's "muted" scheme for routes 8-15.
PALETTE = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#332288",  # Tol indigo
    "#882255",  # Tol wine
    "#117733",  # Tol green
    "#44AA99",  # Tol teal
    "#999933",  # Tol olive
    "#AA4499",  # Tol purple
    "#CC6677",  # Tol rose
    "#88CCEE",  # Tol cyan
    "#DDCC77",  # Tol sand
)

#: Vertices closer than this (degrees, ~1 mm) count as the same place.
_SAME_DEG = 1e-8


def route_colour(index: int) -> str:
    """The display colour (``#RRGGBB``) of the ``index``-th shown route.

    The first 7 are the Okabe-Ito colour-blind-safe colours, the next 9 Paul Tol's muted
    scheme; beyond 16 routes the palette repeats.

    Examples
    --------
    >>> route_colour(0), route_colour(1), route_colour(16)
    ('#D55E00', '#0072B2', '#D55E00')
    """
    return PALETTE[int(index) % len(PALETTE)]


def _drop_repeats(waypoints: list[Waypoint]) -> list[Waypoint]:
    """Remove consecutive duplicate vertices (a double click while drawing), keeping the
    first occurrence and its name (or the duplicate's name if the first has none)."""
    out: list[Waypoint] = []
    for w in waypoints:
        if out and abs(out[-1].lon - w.lon) < _SAME_DEG and abs(out[-1].lat - w.lat) < _SAME_DEG:
            if not out[-1].name and w.name:
                out[-1].name = w.name
            continue
        out.append(w)
    return out


def unique_id(base: str, existing) -> str:
    """The one id rule: ``slugify(base)``, suffixed ``-2``, ``-3`` … until it is not in
    ``existing``; a suffixed id is cut so that it stays within the 60 characters a
    :class:`Route` id keeps (a longer one would be cut back into a duplicate).

    Examples
    --------
    >>> unique_id("My route", {"my-route"})
    'my-route-2'
    >>> rid = unique_id("x" * 70, {"x" * 60})
    >>> rid[-2:], len(rid)
    ('-2', 60)
    """
    taken = set(existing)
    slug = slugify(base)
    rid, n = slug, 1
    while rid in taken:
        n += 1
        suffix = f"-{n}"
        rid = slug[: 60 - len(suffix)].rstrip("-") + suffix
    return rid


def _cell(value):
    """A table cell as a Python value; NaN / None / "" -> None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    try:
        if math.isnan(float(value)):
            return None
    except (TypeError, ValueError):
        return value
    return value


def waypoints_from_rows(rows) -> list[Waypoint]:
    """Waypoints from table rows, with messages that name the row.

    Parameters
    ----------
    rows : pandas.DataFrame, or iterable of dict / Waypoint / (lon, lat[, name])
        A table with columns ``lon``, ``lat`` and optionally ``name`` (degrees), e.g. what
        ``st.data_editor`` returns. Rows whose lon, lat and name are all empty are skipped
        (the editor's blank new row).

    Returns
    -------
    list of Waypoint

    Raises
    ------
    RouteError
        "row 3: latitude is empty", "row 2: longitude 'abc' is not a number", …

    Examples
    --------
    >>> [w.lat for w in waypoints_from_rows([{"lon": -169, "lat": 65.7}, (-168, 65.6)])]
    [65.7, 65.6]
    """
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.to_dict("records")
    out = []
    for i, row in enumerate(rows, start=1):
        if isinstance(row, Waypoint):
            out.append(Waypoint(row.lon, row.lat, row.name))
            continue
        if isinstance(row, dict):
            lon, lat, name = (_cell(row.get(k)) for k in ("lon", "lat", "name"))
        elif isinstance(row, (list, tuple)) and len(row) in (2, 3):
            lon, lat = _cell(row[0]), _cell(row[1])
            name = _cell(row[2]) if len(row) == 3 else None
        else:
            raise RouteError(f"row {i}: expected lon, lat and an optional name, got {row!r}")
        if lon is None and lat is None and name is None:
            continue
        for label, value in (("longitude", lon), ("latitude", lat)):
            if value is None:
                raise RouteError(f"row {i}: {label} is empty; enter a number in degrees")
            try:
                float(value)
            except (TypeError, ValueError):
                raise RouteError(
                    f"row {i}: {label} {value!r} is not a number; enter decimal degrees"
                ) from None
        try:
            out.append(Waypoint(lon, lat, "" if name is None else str(name)))
        except RouteError as exc:
            raise RouteError(f"row {i}: {exc}") from None
    return out
