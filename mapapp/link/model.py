"""The whole link: connecting railways from the railheads to a strait route's portals.

:func:`compute_link` takes a strait route (its first and last waypoints are the portals: the
western one in Russia, the eastern one in North America), one or more railheads and
optional via places, and returns a :class:`LinkResult` with one :class:`LinkPath` per
railhead-to-portal path: the least-cost alignment on the wide grid
(:mod:`mapapp.link.surface`, :mod:`mapapp.link.solve`), its geodesic length, the straight
geodesic, the major-river crossings, what the sources say about permafrost, the published
lengths beside it, and a cost and schedule range scaled from reference railways
(:mod:`mapapp.link.costs`).

Examples
--------
>>> side_of(129.9), side_of(-169.8), side_of(191.5), side_of(-147.7)
('russia', 'russia', 'north_america', 'north_america')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import shapely

from mapapp.core.errors import InputError
from mapapp.core.geodesy import distance, geodesic_length, normalize_lon, parse_lonlat
from mapapp.economics.prices import Money, to_base
from mapapp.link import data as ldata
from mapapp.link.costs import (
    CostRange,
    cost_sources,
    default_base_year,
    link_cost,
    schedule_range,
    sum_ranges,
)
from mapapp.link.solve import CellPath, LinkWeights, grades_along, least_cost_path
from mapapp.link.surface import DEFAULT_CELL_M, MAJOR_RIVER_KM, to_lonlat, to_xy, wide_surface
from mapapp.routes.route import Route, Waypoint

__all__ = [
    "BOUNDARY_LON",
    "LinkPath",
    "LinkResult",
    "compute_link",
    "parse_via",
    "portals",
    "side_of",
]

#: The 1990 USA–USSR maritime boundary in the strait, 168°58′37″W (degrees): points west of
#: it are on the Russian side.
BOUNDARY_LON = -(168 + 58 / 60 + 37 / 3600)
#: A required point may lie at most this many cells from the nearest allowed cell.
MAX_SNAP_CELLS = 3.0
#: The search window is the points' box grown by this fraction of its larger side …
MARGIN_FRACTION = 0.25
#: … but by at least this many metres.
MIN_MARGIN_M = 300_000.0


def side_of(lon: float) -> str:
    """``"russia"`` west of the maritime boundary (within 120°E–191°E), else
    ``"north_america"``."""
    return "russia" if ldata.wide_lon(lon) < ldata.wide_lon(BOUNDARY_LON) else "north_america"


def portals(route: Route) -> dict[str, Waypoint]:
    """The route's end waypoints by side: the western end is the Russian portal.

    Raises
    ------
    InputError
        Both ends on the same side of the maritime boundary.
    """
    a, b = route.waypoints[0], route.waypoints[-1]
    west, east = (a, b) if a.lon <= b.lon else (b, a)
    if side_of(west.lon) != "russia" or side_of(east.lon) != "north_america":
        raise InputError(f"route {route.name!r} does not cross the strait: its ends must lie on "
                         "either side of the 1990 maritime boundary (168°58′37″W)")
    return {"russia": west, "north_america": east}


def parse_via(text) -> ldata.Place:
    """A via point from a place name/id (``Magadan``, ``anadyr``, ``Nome`` …) or ``LON,LAT``.

    >>> parse_via("Magadan").lat
    59.55
    >>> parse_via("177.5, 64.7").name
    '177.5°, 64.7°'
    """
    if isinstance(text, ldata.Place):
        return text
    s = str(text).strip()
    lonlat = parse_lonlat(s)
    if lonlat is not None:
        lon, lat = lonlat
        if not (-90 <= lat <= 90 and math.isfinite(lon)):
            raise InputError(f"via point {s!r}: latitude must be in -90..90")
        return ldata.Place(f"{lon:g},{lat:g}", f"{lon:g}°, {lat:g}°", lat, lon,
                           "given by the user", ())
    p = ldata.find_place(s)
    if p is None:
        names = ", ".join(sorted(pl.name for pl in ldata.places().values()))
        raise InputError(f"unknown via place {s!r}: give LON,LAT in degrees or one of {names}")
    return p


@dataclass
class LinkPath:
    """One connecting railway from a railhead to a portal.

    Attributes
    ----------
    railhead : Railhead
    side : str
        ``"russia"`` or ``"north_america"``.
    portal : Waypoint
        The strait route's end on this side.
    vias : list of Place
        Via points, in the order passed.
    route : Route
        The alignment (``origin="optimised"``): the railhead, the simplified path, the via
        points (named) and the portal; longitudes continuous.
    length_km : float
        Geodesic length along ``route``, km.
    geodesic_km : float
        Straight geodesic railhead → portal, km.
    river_crossings : int
        Times the path enters a major-river cell (the cost model's count).
    max_grade : float
        Steepest grade between consecutive path cells (fraction).
    cost : CostRange
        Cost range, US$ bn of the base year.
    schedule_years : (float, float)
        Years at the fastest and slowest reference build rate (one construction front).
    permafrost : dict
        ``share`` (fraction or None), ``statement``, ``sources``.
    published : list of PublishedLength
    snap_km : dict
        Distance (km) from each required point to the grid cell used.
    cells : CellPath
        The solver's path (for checks and figures).
    """

    railhead: ldata.Railhead
    side: str
    portal: Waypoint
    vias: list
    route: Route
    length_km: float
    geodesic_km: float
    river_crossings: int
    max_grade: float
    cost: CostRange
    schedule_years: tuple
    permafrost: dict
    published: list
    snap_km: dict
    cells: CellPath = field(repr=False)
    surface: object = field(repr=False, default=None)

    @property
    def ratio_to_geodesic(self) -> float:
        """Path length / straight geodesic (≥ 1)."""
        return self.length_km / self.geodesic_km if self.geodesic_km > 0 else float("nan")

    def to_dict(self) -> dict:
        """The JSON object of ``python -m mapapp link --json`` for this path."""
        return {
            "railhead": self.railhead.id,
            "railhead_name": self.railhead.name,
            "side": self.side,
            "portal": {"name": self.portal.name, "lon": float(normalize_lon(self.portal.lon)),
                       "lat": self.portal.lat},
            "via": [{"name": v.name, "lon": float(normalize_lon(v.lon)), "lat": v.lat}
                    for v in self.vias],
            "length_km": round(self.length_km, 1),
            "geodesic_km": round(self.geodesic_km, 1),
            "ratio_to_geodesic": round(self.ratio_to_geodesic, 3),
            "river_crossings": self.river_crossings,
            "max_grade_permille": round(self.max_grade * 1000, 2),
            "permafrost": self.permafrost,
            "cost_busd": self.cost.to_dict(),
            "schedule_years": {"low": round(self.schedule_years[0], 1),
                               "high": round(self.schedule_years[1], 1),
                               "basis": "length / fastest and slowest reference build rate, "
                                        "one construction front"},
            "published": [p.to_dict() for p in self.published],
            "snap_km": {k: round(v, 2) for k, v in self.snap_km.items()},
            "railhead_sources": list(self.railhead.sources),
        }


@dataclass
class LinkResult:
    """Every connecting path of one strait route, and the settings used."""

    strait_route: Route
    paths: list
    weights: LinkWeights
    cell_m: float
    base_year: int
    notes: list

    def routes(self) -> list[Route]:
        """The connecting alignments as routes (for exports and maps)."""
        return [p.route for p in self.paths]

    def totals(self) -> dict:
        """Connecting railways summed over the paths (km, US$ bn low/high), and the strait
        route's own claims beside them, clearly separate."""

        km = sum(p.length_km for p in self.paths)
        cost = sum_ranges([p.cost for p in self.paths], self.base_year)
        claims = self.strait_route.claims or {}
        claim = claims.get("cost_busd")
        # a preset's money claim says "US$ bn (YEAR prices)" with its price_year (issue 13);
        # older files say "USD bn" and give no year
        unit = str(claim.get("unit") or "") if isinstance(claim, dict) else ""
        claim_year = claim.get("price_year") if isinstance(claim, dict) else None
        out = {
            "connecting_railways": {"length_km": round(km, 1), "cost_busd": cost.to_dict(),
                                    "paths": len(self.paths)},
            "tunnel_claim": (None if not isinstance(claim, dict) else {
                "value": claim.get("value"), "unit": claim.get("unit"),
                "bound": claim.get("bound"), "text": claim.get("text"),
                "price_year": claim_year,
                "note": "as claimed for the strait crossing alone; " + (
                    f"{claim_year} prices" if claim_year else "the claim states no price year")}),
            "whole_link": None,
        }
        value = claim.get("value") if isinstance(claim, dict) else None
        if (unit == "USD bn" or unit.startswith("US$ bn")) and value is not None:
            lo, hi = (value, value) if not isinstance(value, (list, tuple)) else value[:2]
            if claim_year:

                f = float(to_base(Money(1.0, "USD", int(claim_year)), self.base_year))
                year_note = (f"{claim_year} prices, in {self.base_year} dollars" if f != 1.0
                             else f"{claim_year} prices")
            else:
                f, year_note = 1.0, (f"taken as {self.base_year} dollars: an assumption, the "
                                     "claim states no price year")
            out["whole_link"] = {
                "low": round(float(lo) * f + cost.low, 2),
                "high": round(float(hi) * f + cost.high, 2),
                "price_year": self.base_year, "currency": "USD",
                "basis": f"strait crossing at the claimed figure ({claim.get('bound') or 'value'}"
                         f" US$ {lo:g}{'' if lo == hi else f'–{hi:g}'} bn, {year_note}) + the "
                         "connecting railways' range"}
        return out

    def to_dict(self) -> dict:
        """JSON of ``python -m mapapp link ROUTE --json``."""

        return {
            "route": self.strait_route.id,
            "route_name": self.strait_route.name,
            "base_year": self.base_year,
            "paths": [p.to_dict() for p in self.paths],
            "totals": self.totals(),
            "cost_references": cost_sources(self.base_year),
            "settings": {"cell_km": self.cell_m / 1000.0, **self.weights.to_dict(),
                         "major_river_km": MAJOR_RIVER_KM, "projection": "LAEA 175°E 64°N"},
            "notes": list(self.notes),
        }


def _box(xs, ys) -> tuple[float, float, float, float]:
    span = max(float(np.ptp(xs)), float(np.ptp(ys)))
    m = max(MIN_MARGIN_M, MARGIN_FRACTION * span)
    # rounded to 10 km so that nearby inputs share a cached surface
    r = 10_000.0
    return (math.floor((min(xs) - m) / r) * r, math.floor((min(ys) - m) / r) * r,
            math.ceil((max(xs) + m) / r) * r, math.ceil((max(ys) + m) / r) * r)


@lru_cache(maxsize=4)  # a Russian-side surface is ~200,000 cells and its graph ~20 MB
def _surface_cached(box, cell_m, no_go_wkb, major_km):
    zones = [shapely.from_wkb(w) for w in no_go_wkb]
    return wide_surface(box, cell_m, zones, major_km)


def _river_entries(surface, cells) -> int:
    on = surface.river[cells[:, 0], cells[:, 1]]
    return int(np.count_nonzero(on[1:] & ~on[:-1]) + (1 if on.size and on[0] else 0))


def _path_route(surface, cp: CellPath, required: list[Waypoint], rid: str, name: str,
                sources, notes: str) -> Route:
    """Simplified alignment through the exact required points."""
    xy = surface.xy_of_many(cp.cells)
    pts: list[Waypoint] = [required[0]]
    tol = 0.5 * surface.cell_m
    for k in range(len(cp.leg_ends) - 1):
        a, b = cp.leg_ends[k], cp.leg_ends[k + 1]
        seg = xy[a:b + 1]
        if len(seg) > 2:
            line = shapely.LineString(seg).simplify(tol, preserve_topology=False)
            seg = np.asarray(line.coords)
        inner = seg[1:-1]
        if len(inner):
            lon, lat = to_lonlat(inner[:, 0], inner[:, 1])
            pts.extend(Waypoint(float(lo), float(la)) for lo, la in zip(lon, lat, strict=False))
        pts.append(required[k + 1])
    return Route(id=rid, name=name, waypoints=pts, mode="rail", origin="optimised",
                 sources=list(sources), notes=notes)


def compute_link(route: Route, railheads=None, vias=(), *, cell_m: float = DEFAULT_CELL_M,
                 weights: LinkWeights | None = None, no_go=(), base_year: int | None = None,
                 major_river_km: float = MAJOR_RIVER_KM) -> LinkResult:
    """Connecting railways from railheads to the portals of a strait route.

    Parameters
    ----------
    route : Route
        The strait crossing; its western end is the Russian portal, its eastern end the
        North American one.
    railheads : iterable of str or Railhead, optional
        Railhead ids/names (default: the default of each side: Nizhny Bestyakh, Fairbanks).
        Each is routed to the portal on its own side.
    vias : iterable of str or Place
        Via places or ``LON,LAT``; each applies to the path on its side, in the order given.
    cell_m : float
        Grid cell, metres.
    weights : LinkWeights, optional
    no_go : iterable of shapely polygons (lon/lat degrees)
    base_year : int, optional
        Year of the constant dollars (default: the price module's base year).
    major_river_km : float
        Smallest river-network length counted as a major river, km.

    Raises
    ------
    InputError
        Unknown railhead or place, a railhead outside the wide-area data, a point far from
        land, or no path within the ruling grade.
    """

    weights = weights or LinkWeights()
    base_year = default_base_year() if base_year is None else int(base_year)
    ends = portals(route)
    chosen = ([ldata.railhead(r) if not isinstance(r, ldata.Railhead) else r
               for r in railheads] if railheads else ldata.default_railheads())
    if not chosen:
        raise InputError("choose at least one railhead")
    via_pl = [parse_via(v) for v in (vias or ())]
    for v in via_pl:
        w, s, e, n = ldata.WIDE_BOUNDS
        if not (w <= ldata.wide_lon(v.lon) <= e and s <= v.lat <= n):
            raise InputError(f"via point {v.name} lies outside the wide-area data "
                             "(lon 120°E–230°E, lat 50–75°N)")
    zones = tuple(shapely.to_wkb(z) for z in (no_go or ()))
    paths = []
    for rh in chosen:
        if not rh.in_wide_area:
            raise InputError(
                f"railhead {rh.name} lies outside the wide-area data (lon 120°E–230°E, "
                f"lat 50–75°N): no path can be computed from it; choose one of "
                f"{', '.join(r.id for r in ldata.railheads().values() if r.in_wide_area)}")
        portal = ends[rh.side]
        side_vias = [v for v in via_pl if side_of(v.lon) == rh.side]
        req = [Waypoint(rh.lon, rh.lat, rh.name)]
        req += [Waypoint(v.lon, v.lat, v.name) for v in side_vias]
        req += [Waypoint(portal.lon, portal.lat, portal.name or f"{route.name} portal")]
        xs, ys = to_xy([w.lon for w in req], [w.lat for w in req])
        surface = _surface_cached(_box(xs, ys), float(cell_m), zones, float(major_river_km))
        cells, snap = [], {}
        for w, x, y in zip(req, xs, ys, strict=False):
            found = surface.nearest_allowed(float(x), float(y))
            if found is None or found[1] > MAX_SNAP_CELLS * surface.cell_m:
                d = "no" if found is None else f"{found[1] / 1000:.0f} km to the"
                raise InputError(f"{w.name} is not on land in the wide-area grid ({d} nearest "
                                 "usable cell): move it onto land or out of the no-go zones")
            cells.append(found[0])
            snap[w.name] = found[1] / 1000.0
        cp = least_cost_path(surface, cells, weights, labels=[w.name for w in req])
        rid = f"link-{rh.id}-{route.id}"
        name = f"{rh.name} → {route.name} portal" + (
            f" via {', '.join(v.name for v in side_vias)}" if side_vias else "")
        notes = ("Least-cost connecting railway on the wide grid (see docs/whole-link.md): "
                 f"{surface.cell_m / 1000:g} km cells, ruling grade "
                 f"{weights.ruling_grade * 1000:g} ‰ between cells; simplified to within half "
                 "a cell. Not a surveyed alignment.")
        r = _path_route(surface, cp, req, rid, name, rh.sources, notes)
        length_km = r.length_m() / 1000.0
        geo_km = float(distance(rh.lon, rh.lat, portal.lon, portal.lat)) / 1000.0
        grades = grades_along(surface, cp.cells)
        paths.append(LinkPath(
            railhead=rh, side=rh.side, portal=portal, vias=side_vias, route=r,
            length_km=length_km, geodesic_km=geo_km,
            river_crossings=_river_entries(surface, cp.cells),
            max_grade=float(grades.max()) if grades.size else 0.0,
            cost=link_cost(length_km, base_year), schedule_years=schedule_range(length_km),
            permafrost=ldata.permafrost_note(rh.side),
            published=ldata.published_lengths(rh.side), snap_km=snap, cells=cp,
            surface=surface))
    notes = [
        "Paths are least-cost lines on 5′ relief: an indication of the length a railway needs, "
        "not an alignment.",
        "Costs scale the path length by the reference railways' cost per km (lowest and "
        "highest), in constant US dollars of the base year.",
    ]
    return LinkResult(route, paths, weights, float(cell_m), base_year, notes)


def path_geodesic_km(path: LinkPath) -> float:
    """Geodesic length (km) along the route's vertices (= ``length_km``)."""
    return geodesic_length(path.route.lons, path.route.lats) / 1000.0
