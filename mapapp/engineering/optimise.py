"""Least-cost tunnel alignment between two points over the bathymetry.

:func:`optimise_route` answers "where should the tunnel go?": given a start, an end and
optional via points (visited in order), it finds the alignment that minimises an explicit
cost over the active bathymetry grid. The cost function and its weights are explained in
plain words in ``docs/optimiser.md``.

Cost per metre of alignment
---------------------------
At every place the alignment passes, one metre of it costs (dimensionless: the unit is one
metre of tunnel under very shallow sea, so a total cost reads as "equivalent kilometres")

* under the sea: ``sea_per_m + depth_per_m × water depth (m)`` — deeper water means a
  deeper tunnel (the cover is measured below the seabed), more water pressure on the
  lining and longer approach ramps at the mode's gradient;
* under land (from the coastline, never from the grid): ``land_per_m``;
* inside a user's no-go zone, outside the corridor, outside the grid, or at sea where the
  grid has no value: infinite (never entered).

The weights are a :class:`CostWeights`. A route's cost is the integral of this function
along its geodesics (:func:`route_cost`), split by term in a :class:`CostBreakdown`.

How the optimum is found
------------------------
1. The relevant window of the grid (the corridor, or the points' bounding box plus a
   margin) is reprojected (``rasterio.warp.reproject``, bilinear) to
   :data:`mapapp.core.geodesy.STRAIT_CRS`, an equal-area projection in metres centred on the
   strait, on square cells of true size: never a lon/lat grid treated as square. The cell
   is the grid's finest native spacing, at most :data:`AUTO_CELL_CAP_M`, enlarged if needed
   so that the window holds at most ``max_cells`` cells.
2. Land (coastline), no-go zones (every cell they touch) and the corridor are rasterized on
   the same cells; the cost per metre of every cell follows.
3. ``skimage.graph.MCP_Geometric`` finds the cheapest 8-connected path between cell
   centres. Its convention: a move between neighbours costs the mean of the two cells'
   costs times the move's length (one cell side, or √2 of it for a diagonal; the cell size
   is passed as ``sampling``). Via points are solved leg by leg, in order.
4. The staircase path is straightened: a shortcut between two path vertices replaces the
   vertices between them when it costs no more (same cost cells, sampled every quarter
   cell); then it is simplified (Douglas–Peucker in metres, default tolerance half a cell)
   and checked against the no-go polygons and the corridor with vectors; any leg that would
   cut into a zone gets its path vertices back. A direct geodesic between two consecutive
   required points is kept instead of the optimised leg when it is allowed and no dearer.

Examples
--------
>>> w = CostWeights()
>>> w.per_m([0.0, 50.0, 50.0], [False, False, True]).tolist()
[1.0, 1.5, 1.0]
>>> parse_point("-168.5, 65.7")
Waypoint(lon=-168.5, lat=65.7, name='')
>>> parse_point("Little Diomede")
Waypoint(lon=-168.9208, lat=65.7542, name='Little Diomede')
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from skimage.graph import MCP_Geometric

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.geodesy import (
    STRAIT_CENTER,
    STRAIT_CRS,
    center_lons,
    densify,
    distance,
    parse_lonlat,
    strait_transformer,
    to_strait,
)
from mapapp.core.safety import positive_number
from mapapp.data.bathymetry import Grid, open_grid
from mapapp.data.coastline import is_land, projected_land
from mapapp.data.context import load_places, place_lonlat
from mapapp.routes.route import MODES, Route, Waypoint, slugify

__all__ = [
    "AUTO_CELL_CAP_M",
    "MAX_CELLS",
    "CostBreakdown",
    "CostWeights",
    "OptimisedRoute",
    "optimise_route",
    "optimize_route",
    "no_go_polygons",
    "parse_point",
    "read_no_go",
    "route_cost",
]

#: Largest automatic solver cell, metres: the coastline, which decides land and sea, is far
#: finer than a coarse grid; 500 m puts 7 cells across the 3.6 km Diomede gap.
AUTO_CELL_CAP_M = 500.0
#: Largest number of solver cells by default (time and memory grow with it; see
#: ``benchmarks/optimise.py``).
MAX_CELLS = 2_000_000
#: Smallest cell accepted, metres.
MIN_CELL_M = 1.0
#: Without a corridor, the search window is the points' bounding box grown on every side by
#: this fraction of the start–end distance …
MARGIN_FRACTION = 0.5
#: … but at least this many metres.
MIN_MARGIN_M = 20_000.0
#: Largest step (m) of the points along which a route's cost is integrated.
EVAL_STEP_CAP_M = 100.0
#: Largest read of the source grid (pixels per side) for one optimisation.
_MAX_READ = 16_384
_EPS_DEG = 1e-6  # ≈ 0.1 m: no-go polygons are grown by this much for the vector checks

Progress = Callable[[float, str], None]


# =============================================================================== weights
@dataclass(frozen=True)
class CostWeights:
    """Weights of the cost per metre of alignment.

    The unit of cost is one metre of tunnel under very shallow sea (``sea_per_m`` = 1), so a
    route's total cost reads as *equivalent kilometres*. None of the defaults comes from a
    published source: they are stated assumptions, meant to be changed.

    Attributes
    ----------
    sea_per_m : float
        Cost of one metre of tunnel under the sea before the depth term (default 1, the unit).
    depth_per_m : float
        Extra cost of one metre of tunnel per metre of water depth above it (default 0.01:
        100 m of water doubles the cost per metre, the Bering Strait's ≈50 m adds half).
        Deeper water means a deeper tunnel (the rock cover is measured below the seabed),
        more water pressure on the lining and grouting, and — set by the deepest point —
        longer approach ramps at the mode's gradient; a cost per metre can only spread that
        last effect along the line. 0 ignores depth (the optimum is then the shortest line
        that avoids the no-go zones, land and sea alike).
    land_per_m : float
        Cost of one metre of tunnel (or approach) under land, whatever the terrain height
        (default 1: the same as under zero-depth sea). Lower it (e.g. 0.5) to favour island
        landfalls and land approaches, raise it to keep the line off land.
    """

    sea_per_m: float = 1.0
    depth_per_m: float = 0.01
    land_per_m: float = 1.0

    def __post_init__(self):
        for name in ("sea_per_m", "depth_per_m", "land_per_m"):
            raw = getattr(self, name)
            try:
                value = float(raw)
            except (TypeError, ValueError) as exc:
                raise InputError(f"cost weight {name} must be a number, got {raw!r}") from exc
            if not math.isfinite(value) or value < 0 or value > 1e6:
                raise InputError(f"cost weight {name} must be between 0 and 1e6, got {raw!r}")
            if name != "depth_per_m" and value == 0:
                raise InputError(
                    f"cost weight {name} must be > 0 (a free metre makes every detour free)"
                )
            object.__setattr__(self, name, value)

    def per_m(self, depth_m, on_land) -> np.ndarray:
        """Cost per metre of alignment at places with water ``depth_m`` (m, ≥ 0; NaN =
        unknown) and ``on_land`` (bool): ``land_per_m`` on land, else ``sea_per_m +
        depth_per_m × depth`` (NaN where the depth is unknown at sea)."""
        depth = np.maximum(np.asarray(depth_m, dtype="float64"), 0.0)
        land = np.asarray(on_land, dtype=bool)
        return np.where(land, self.land_per_m, self.sea_per_m + self.depth_per_m * depth)

    def to_dict(self) -> dict:
        return asdict(self)


# =============================================================================== breakdown
@dataclass(frozen=True)
class CostBreakdown:
    """A route's cost by term, and what it passes through.

    Attributes
    ----------
    length_km, sea_km, land_km : float
        Geodesic length, and how much of it is under sea / under land, km.
    mean_depth_m, max_depth_m : float
        Length-weighted mean and largest water depth under the sea stretches, m (NaN when
        there is no sea with a known depth).
    sea, depth, land : float
        The three terms of the cost, equivalent km: ``sea_per_m × sea length``,
        ``depth_per_m × ∫ depth``, ``land_per_m × land length``.
    total : float
        ``sea + depth + land``, equivalent km.
    no_go_km, outside_corridor_km, unknown_depth_km : float
        Length inside no-go zones, outside the corridor, and at sea where the grid has no
        value (outside it or nodata), km. The optimiser never produces any of them; for
        another route they make it *infeasible* (its total then leaves them out).
    """

    length_km: float
    sea_km: float
    land_km: float
    mean_depth_m: float
    max_depth_m: float
    sea: float
    depth: float
    land: float
    total: float
    no_go_km: float = 0.0
    outside_corridor_km: float = 0.0
    unknown_depth_km: float = 0.0

    @property
    def feasible(self) -> bool:
        """True when the route stays out of no-go zones, in the corridor and on the grid."""
        return self.no_go_km == 0 and self.outside_corridor_km == 0 and self.unknown_depth_km == 0

    def to_dict(self) -> dict:
        d = {k: (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in asdict(self).items()}
        d["feasible"] = self.feasible
        return d


# =============================================================================== inputs
def parse_point(text, default_name: str = "") -> Waypoint:
    """A point from ``"LON,LAT"`` (degrees) or the name of a place in
    ``geodata/context/places.geojson`` (case-insensitive).

    Raises
    ------
    InputError
        Neither two numbers nor a known place (the message lists the places).
    """
    if isinstance(text, Waypoint):
        return Waypoint(text.lon, text.lat, text.name or default_name)
    if isinstance(text, (tuple, list)):
        if len(text) not in (2, 3):
            raise InputError(f"a point needs lon, lat (and a name), got {text!r}")
        name = str(text[2]) if len(text) == 3 else default_name
        return Waypoint(text[0], text[1], name)
    s = str(text).strip()
    lonlat = parse_lonlat(s)
    if lonlat is not None:
        return Waypoint(*lonlat, default_name)
    if not s:
        raise InputError("a point is empty: give LON,LAT in degrees or a place name")

    places = _place_names()
    try:
        lon, lat = place_lonlat(s)
    except InputError:
        raise InputError(
            f"{s!r} is neither LON,LAT in degrees nor a known place "
            f"({', '.join(sorted(places.values()))})"
        ) from None
    return Waypoint(lon, lat, places.get(s.lower(), s))


def _place_names() -> dict:

    return {str(n).lower(): str(n) for n in load_places()["name"]}


def _shift_near_strait(geom):
    """Shift a lon/lat geometry by a multiple of 360° so that it lies next to the strait."""
    cx = shapely.centroid(geom).x
    k = round((cx - STRAIT_CENTER[0]) / 360.0)
    if k == 0:
        return geom
    return shapely.transform(geom, lambda c: c - np.array([360.0 * k, 0.0]))


def no_go_polygons(items) -> list:
    """No-go zones as shapely polygons in lon/lat degrees (longitudes next to the strait).

    Parameters
    ----------
    items : iterable
        shapely Polygons / MultiPolygons, GeoJSON geometry dicts, Features or a
        FeatureCollection (e.g. streamlit-folium's ``all_drawings`` Polygon features).

    Raises
    ------
    InputError
        An item that is not a polygon, or has no area.

    Examples
    --------
    >>> sq = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    >>> [p.area for p in no_go_polygons([{"type": "Feature", "geometry": sq}])]
    [1.0]
    """
    from shapely.geometry import shape

    if isinstance(items, dict) and items.get("type") == "FeatureCollection":
        items = items.get("features") or []
    if isinstance(items, (dict, shapely.Geometry)):
        items = [items]
    out = []
    for i, item in enumerate(items or [], start=1):
        geom = item
        if isinstance(item, dict):
            gj = item.get("geometry") if item.get("type") == "Feature" else item
            if not gj:
                raise InputError(f"no-go zone {i} has no geometry")
            try:
                geom = shape(gj)
            except Exception as exc:  # shapely raises several types for bad GeoJSON
                raise InputError(f"no-go zone {i} is not valid GeoJSON: {exc}") from None
        if not isinstance(geom, shapely.Geometry):
            raise InputError(f"no-go zone {i} must be a polygon, got {type(item).__name__}")
        geom = shapely.force_2d(geom)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(f"no-go zone {i} is a {geom.geom_type}; only polygons can be zones")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0]
        if not parts:
            raise InputError(f"no-go zone {i} has no area")
        out.extend(_shift_near_strait(p) for p in parts)
    return out


def read_no_go(path) -> list:
    """The polygons of every layer of a GeoJSON / KML / KMZ / GeoPackage / Shapefile as no-go
    zones (:func:`no_go_polygons`; other geometries are ignored).

    Raises
    ------
    InputError
        Missing or unreadable file, or a file without polygons.
    """
    import geopandas as gpd
    import pyogrio

    p = Path(path)
    if not p.is_file():
        raise InputError(f"no-go file not found: {p}")
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(p)]
        geoms = []
        for layer in layers:
            gdf = gpd.read_file(p, layer=layer)
            if gdf.empty:
                continue
            if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
                gdf = gdf.to_crs("EPSG:4326")
            geoms.extend(g for g in gdf.geometry if g is not None and not g.is_empty)
    except Exception as exc:  # pyogrio / GDAL raise several types
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read no-go zones from {p.name}: {msg}") from None
    polys = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        raise InputError(
            f"{p.name} has no polygons: draw the no-go zones as polygons (it has "
            f"{len(geoms)} other feature(s))"
        )
    return no_go_polygons(polys)


# =============================================================================== cost model
class _CostModel:
    """The cost function at points (vector land / no-go / corridor, bilinear depth)."""

    def __init__(self, grid, weights: CostWeights, land, no_go: list, corridor=None):
        self.grid = grid
        self.weights = weights
        self.land = land
        self.no_go = no_go
        self.no_go_union = None
        if no_go:
            self.no_go_union = shapely.union_all(no_go).buffer(_EPS_DEG)
            shapely.prepare(self.no_go_union)
        self.land_geom = None
        if isinstance(land, shapely.Geometry):
            self.land_geom = _shift_near_strait(land)
            shapely.prepare(self.land_geom)
        elif land is not None and not isinstance(land, str):
            raise InputError(
                "land must be a coastline source ('gshhg', 'osm'), 'grid', None or a shapely "
                f"geometry, not {type(land).__name__}"
            )
        self.corridor = corridor  # (projected LineString, half-width m) or None
        self._to_xy = strait_transformer() if corridor is not None else None

    def on_land(self, lons, lats, elev) -> np.ndarray:
        lons = center_lons(np.asarray(lons, dtype="float64"), STRAIT_CENTER[0])
        lats = np.asarray(lats, dtype="float64")
        if self.land is None:
            return np.zeros(lons.shape, dtype=bool)
        if self.land_geom is not None:
            return np.asarray(shapely.contains_xy(self.land_geom, lons, lats), dtype=bool)
        if self.land == "grid":
            with np.errstate(invalid="ignore"):
                return np.asarray(elev, dtype="float64") > 0.0

        try:
            return np.atleast_1d(np.asarray(is_land(lons, lats, source=self.land), dtype=bool))
        except DatasetError as exc:
            raise InputError(f"land source {self.land!r}: {exc}") from None

    def in_no_go(self, lons, lats) -> np.ndarray:
        lons = center_lons(np.asarray(lons, dtype="float64"), STRAIT_CENTER[0])
        if self.no_go_union is None:
            return np.zeros(lons.shape, dtype=bool)
        return np.asarray(shapely.contains_xy(self.no_go_union, lons, lats), dtype=bool)

    def corridor_excess(self, lons, lats) -> np.ndarray:
        """Distance (m) beyond the corridor's edge (0 inside), in STRAIT_CRS."""
        lons = np.asarray(lons, dtype="float64")
        if self.corridor is None:
            return np.zeros(lons.shape)
        line, half = self.corridor
        x, y = self._to_xy.transform(lons, np.asarray(lats, dtype="float64"))
        d = shapely.distance(line, shapely.points(np.asarray(x), np.asarray(y)))
        return np.maximum(np.asarray(d) - half, 0.0)

    def breakdown(self, lons, lats, step_m: float) -> CostBreakdown:
        """Integrate the cost along the geodesics of a polyline (degrees)."""
        d = densify(lons, lats, step_m)
        piece = np.diff(d.chainage_m)
        mid_lon = 0.5 * (d.lons[:-1] + d.lons[1:])
        mid_lat = 0.5 * (d.lats[:-1] + d.lats[1:])
        elev = self.grid.sample(mid_lon, mid_lat) if piece.size else np.zeros(0)
        land = self.on_land(mid_lon, mid_lat, elev)
        sea = ~land
        depth = np.maximum(-elev, 0.0)
        known = sea & np.isfinite(depth)
        w = self.weights
        sea_m = float(piece[sea].sum())
        depth_int = float((depth[known] * piece[known]).sum())
        known_m = float(piece[known].sum())
        nogo = self.in_no_go(mid_lon, mid_lat)
        outside = self.corridor_excess(mid_lon, mid_lat) > 1e-3
        return CostBreakdown(
            length_km=float(piece.sum()) / 1000.0,
            sea_km=sea_m / 1000.0,
            land_km=float(piece[land].sum()) / 1000.0,
            mean_depth_m=depth_int / known_m if known_m > 0 else float("nan"),
            max_depth_m=float(depth[known].max()) if known.any() else float("nan"),
            sea=w.sea_per_m * sea_m / 1000.0,
            depth=w.depth_per_m * depth_int / 1000.0,
            land=w.land_per_m * float(piece[land].sum()) / 1000.0,
            total=(w.sea_per_m * sea_m + w.depth_per_m * depth_int
                   + w.land_per_m * float(piece[land].sum())) / 1000.0,
            no_go_km=float(piece[nogo].sum()) / 1000.0,
            outside_corridor_km=float(piece[outside].sum()) / 1000.0,
            unknown_depth_km=float(piece[sea & ~np.isfinite(depth)].sum()) / 1000.0,
        )

    def segment_ok(self, lon1, lat1, lon2, lat2, step_m: float) -> bool:
        """True when the geodesic between two points stays out of the no-go zones and in the
        corridor (checked on the densified line: exact for the polygons' edges)."""
        if self.no_go_union is None and self.corridor is None:
            return True
        d = densify([lon1, lon2], [lat1, lat2], step_m)
        lons = center_lons(d.lons, STRAIT_CENTER[0])
        if self.no_go_union is not None:
            line = shapely.LineString(np.column_stack([lons, d.lats]))
            if self.no_go_union.intersects(line):
                return False
        if self.corridor is not None and (self.corridor_excess(lons, d.lats) > 1e-3).any():
            return False
        return True


def _open(grid):

    return grid if isinstance(grid, Grid) else open_grid(grid)


def route_cost(route: Route, grid=None, weights: CostWeights | None = None, *,
               land="gshhg", no_go=(), step_m: float = EVAL_STEP_CAP_M) -> CostBreakdown:
    """The cost of any route under the optimiser's cost function.

    Parameters
    ----------
    route : Route
    grid : Grid, path or None
        Bathymetry (default: the embedded ETOPO5).
    weights : CostWeights, optional
    land : str, shapely geometry or None
        ``"gshhg"`` / ``"osm"`` (coastline), ``"grid"`` (elevation > 0 m is land), a lon/lat
        geometry, or None (everything is sea).
    no_go : iterable
        Zones (see :func:`no_go_polygons`); length inside them is reported, not costed.
    step_m : float
        Integration step along the geodesics, metres.

    Returns
    -------
    CostBreakdown
    """
    model = _CostModel(_open(grid), weights or CostWeights(), land, no_go_polygons(no_go))
    return model.breakdown(route.lons, route.lats, step_m)


# =============================================================================== result
@dataclass
class OptimisedRoute:
    """What :func:`optimise_route` found.

    Attributes
    ----------
    route : Route
        ``origin="optimised"``; waypoints: start, the simplified path's vertices, the via
        points (named) and the end.
    cost : CostBreakdown
        The route's cost, integrated along its geodesics.
    straight : CostBreakdown
        The same cost for the straight line (geodesic) from start to end.
    direct : CostBreakdown
        … and for the geodesics through the via points in order (= ``straight`` without
        via points).
    grid_cost : float
        The solver's own cost of the cell path before straightening, equivalent km.
    weights : CostWeights
    corridor_km : float or None
        Half-width of the corridor around the straight line, km.
    cell_m : float
        Solver cell side, metres (in STRAIT_CRS).
    grid_shape : tuple of int
        Solver grid (rows, columns).
    runtime_s : float
        Wall time of the optimisation, seconds.
    grid_name : str
        The bathymetry grid used.
    warnings : list of str
        Things the user should know (cell enlarged, straight line infeasible …).
    """

    route: Route
    cost: CostBreakdown
    straight: CostBreakdown
    direct: CostBreakdown
    grid_cost: float
    weights: CostWeights
    corridor_km: float | None
    cell_m: float
    grid_shape: tuple[int, int]
    runtime_s: float
    grid_name: str
    warnings: list[str] = field(default_factory=list)
    _model: _CostModel | None = field(default=None, repr=False, compare=False)
    _step_m: float = field(default=EVAL_STEP_CAP_M, repr=False, compare=False)

    @property
    def n_cells(self) -> int:
        """Cells in the solver grid."""
        return int(self.grid_shape[0] * self.grid_shape[1])

    @property
    def saving_pct(self) -> float:
        """How much cheaper than the straight line, percent (negative: dearer)."""
        return 100.0 * (self.straight.total - self.cost.total) / self.straight.total

    def versus_straight(self) -> str:
        """E.g. "1.3 % cheaper than the straight line" (or "… dearer …, which is not
        allowed")."""
        p = self.saving_pct
        text = f"{abs(p):.1f} % {'cheaper' if p >= 0 else 'dearer'} than the straight line"
        return text if self.straight.feasible else text + ", which is not allowed"

    def evaluate(self, route: Route) -> CostBreakdown:
        """Another route's cost under the same weights, zones, corridor and grid."""
        return self._model.breakdown(route.lons, route.lats, self._step_m)

    def compare_with(self, routes: Iterable[Route] = (), include_self: bool = True
                     ) -> pd.DataFrame:
        """A table of costs: this route, the straight line and ``routes`` (e.g. the presets).

        Returns
        -------
        pandas.DataFrame
            Columns ``id, name, origin, length_km, sea_km, land_km, mean_depth_m, sea,
            depth, land, total`` (equivalent km), ``no_go_km, outside_corridor_km,
            unknown_depth_km, feasible`` and ``vs_optimised_pct`` (total relative to this
            route's, percent).
        """
        rows = []
        if include_self:
            rows.append((self.route.id, self.route.name, "optimised", self.cost))
            rows.append(("straight-line", "Straight line", "straight", self.straight))
            if self.direct is not self.straight:
                rows.append(("direct-via", "Straight legs through the via points", "straight",
                             self.direct))
        for r in routes:
            rows.append((r.id, r.name, r.origin, self.evaluate(r)))
        records = []
        for rid, name, origin, c in rows:
            d = c.to_dict()
            rec = {"id": rid, "name": name, "origin": origin}
            rec.update({k: d[k] for k in (
                "length_km", "sea_km", "land_km", "mean_depth_m", "sea", "depth", "land",
                "total", "no_go_km", "outside_corridor_km", "unknown_depth_km", "feasible")})
            rec["vs_optimised_pct"] = 100.0 * (c.total - self.cost.total) / self.cost.total
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def summary_lines(self) -> list[str]:
        """A short plain-text summary (length, cost by term, versus the straight line)."""
        c, s = self.cost, self.straight
        rows, cols = self.grid_shape
        lines = [
            f"{self.route.name} ({self.route.mode})",
            f"  grid {self.grid_name}: {cols} × {rows} cells of {self.cell_m:.0f} m "
            f"({self.n_cells:,} cells), {self.runtime_s:.2f} s",
            f"  length {c.length_km:.1f} km ({c.sea_km:.1f} km under sea, {c.land_km:.1f} km "
            f"under land); straight line {s.length_km:.1f} km "
            f"({100 * (c.length_km / s.length_km - 1):+.1f} %)",
            f"  cost {c.total:.1f} eq. km = sea {c.sea:.1f} + depth {c.depth:.1f} + land "
            f"{c.land:.1f}; mean depth {_num(c.mean_depth_m)} m, max {_num(c.max_depth_m)} m",
            f"  straight line: cost {s.total:.1f} eq. km (sea {s.sea:.1f} + depth {s.depth:.1f} "
            f"+ land {s.land:.1f}){'' if s.feasible else ' — not allowed: ' + _why(s)}",
        ]
        if self.direct is not self.straight:
            d = self.direct
            lines.append(
                f"  straight legs through the via points: {d.length_km:.1f} km, cost "
                f"{d.total:.1f} eq. km{'' if d.feasible else ' — not allowed: ' + _why(d)}")
        lines.append(f"  the optimised route is {self.versus_straight()}")
        lines += [f"  note: {w}" for w in self.warnings]
        return lines

    def to_dict(self) -> dict:
        """Plain-JSON summary (the route as :meth:`Route.to_dict`)."""
        return {
            "route": self.route.to_dict(),
            "cost": self.cost.to_dict(),
            "straight": self.straight.to_dict(),
            "direct": self.direct.to_dict(),
            "saving_pct": self.saving_pct,
            "grid_cost": self.grid_cost,
            "weights": self.weights.to_dict(),
            "corridor_km": self.corridor_km,
            "cell_m": self.cell_m,
            "grid_shape": list(self.grid_shape),
            "n_cells": self.n_cells,
            "runtime_s": self.runtime_s,
            "grid_name": self.grid_name,
            "warnings": list(self.warnings),
        }


def _num(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.0f}"


def _why(c: CostBreakdown) -> str:
    parts = []
    if c.no_go_km:
        parts.append(f"{c.no_go_km:.1f} km in no-go zones")
    if c.outside_corridor_km:
        parts.append(f"{c.outside_corridor_km:.1f} km outside the corridor")
    if c.unknown_depth_km:
        parts.append(f"{c.unknown_depth_km:.1f} km without depth data")
    return ", ".join(parts)


# =============================================================================== solver grid
@dataclass
class _Surface:
    """The solver's cost surface: cost per metre on square STRAIT_CRS cells."""

    cost: np.ndarray  # float64, inf = impassable
    xmin: float
    ymax: float
    cell: float
    reason: np.ndarray  # uint8: 0 ok, 1 outside grid, 2 no depth, 3 no-go, 4 corridor

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        r = math.floor((self.ymax - y) / self.cell)
        c = math.floor((x - self.xmin) / self.cell)
        rows, cols = self.cost.shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    def centres(self, rc: np.ndarray) -> np.ndarray:
        rc = np.asarray(rc, dtype="float64").reshape(-1, 2)
        return np.column_stack([self.xmin + (rc[:, 1] + 0.5) * self.cell,
                                self.ymax - (rc[:, 0] + 0.5) * self.cell])

    _pads: tuple | None = None

    def set_cost(self, rc: tuple[int, int], value: float) -> None:
        """Change one cell's cost (keeps the sampling arrays in step)."""
        self.cost[rc] = value
        self._pads = None

    def _padded(self) -> tuple:
        """Flat arrays padded by one impassable cell: cost, finite cost (0 elsewhere),
        finite mask (1.0 / 0.0), and the padded row length."""
        if self._pads is None:
            pc = np.pad(np.ascontiguousarray(self.cost), 1, constant_values=np.inf)
            ok = np.isfinite(pc)
            self._pads = (pc.ravel(), np.where(ok, pc, 0.0).ravel(),
                          ok.astype("float64").ravel(), pc.shape[1])
        return self._pads

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cost per metre at points (metres): infinite where the point's own cell is
        impassable (or outside), else bilinear between the finite neighbouring cell centres
        (as :meth:`mapapp.data.bathymetry.Grid.sample` interpolates the grid)."""
        pc, pf, pm, width = self._padded()
        rows, cols = self.cost.shape
        fc = (x - self.xmin) / self.cell - 0.5
        fr = (self.ymax - y) / self.cell - 0.5
        rn = np.clip(np.floor(fr + 0.5), -1, rows).astype(np.int64)
        cn = np.clip(np.floor(fc + 0.5), -1, cols).astype(np.int64)
        own = pc[(rn + 1) * width + cn + 1]
        c0 = np.clip(np.floor(fc), -1, cols - 1)
        r0 = np.clip(np.floor(fr), -1, rows - 1)
        tx = np.clip(fc - c0, 0.0, 1.0)
        ty = np.clip(fr - r0, 0.0, 1.0)
        i = (r0.astype(np.int64) + 1) * width + c0.astype(np.int64) + 1
        w00, w10 = (1 - tx) * (1 - ty), tx * (1 - ty)
        w01, w11 = (1 - tx) * ty, tx * ty
        total = pf[i] * w00 + pf[i + 1] * w10 + pf[i + width] * w01 + pf[i + width + 1] * w11
        weight = pm[i] * w00 + pm[i + 1] * w10 + pm[i + width] * w01 + pm[i + width + 1] * w11
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.where(weight > 1e-12, total / weight, own)
        return np.where(np.isfinite(own), val, np.inf)

    def segment_costs(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Cost of straight segments p→q (arrays (n, 2), metres) sampled every ≤ ¼ cell."""
        p = np.atleast_2d(p)
        q = np.atleast_2d(q)
        d = q - p
        length = np.hypot(d[:, 0], d[:, 1])
        n = np.maximum(1, np.ceil(length / (0.25 * self.cell))).astype(np.int64)
        seg = np.repeat(np.arange(len(p)), n)
        start = np.repeat(np.cumsum(n) - n, n)
        t = (np.arange(n.sum()) - start + 0.5) / np.repeat(n, n)
        x = p[seg, 0] + t * d[seg, 0]
        y = p[seg, 1] + t * d[seg, 1]
        vals = self.sample(x, y)
        vals = vals * np.repeat(length / n, n)
        return np.bincount(seg, weights=vals, minlength=len(p))


def _window(xy: np.ndarray, corridor, grid, margin_m: float) -> tuple[float, ...]:
    """(xmin, ymin, xmax, ymax) in STRAIT_CRS: the corridor or the points plus a margin,
    clipped to the grid's footprint."""
    import rasterio.warp

    if corridor is not None:
        x0, y0, x1, y1 = corridor[0].buffer(corridor[1]).bounds
    else:
        x0, y0 = xy.min(axis=0) - margin_m
        x1, y1 = xy.max(axis=0) + margin_m
    if grid.info.is_geographic:
        src, bounds = "EPSG:4326", grid.info.bounds
    else:  # a projected grid: its own extent is tighter than its lon/lat box
        src, bounds = grid.crs, grid.info.native_bounds
    gx0, gy0, gx1, gy1 = rasterio.warp.transform_bounds(src, STRAIT_CRS, *bounds, densify_pts=51)
    box = (max(x0, gx0), max(y0, gy0), min(x1, gx1), min(y1, gy1))
    if not (box[0] < box[2] and box[1] < box[3]):
        raise InputError(f"the points are outside the grid {grid.info.name}")
    return box


def _read_window(grid, box, cell: float, shape, transform):
    """Elevation (m, NaN missing) and grid footprint on the solver cells."""
    import rasterio.warp
    from affine import Affine
    from rasterio.enums import Resampling

    w, s, e, n = rasterio.warp.transform_bounds(STRAIT_CRS, "EPSG:4326", *box, densify_pts=51)
    lat_mid = math.radians(0.5 * (s + n))
    pad = 2.0 * max(grid.info.res_m) / 111_000.0
    gw, gs, ge, gn = grid.info.bounds
    bbox = (max(w - pad / max(math.cos(lat_mid), 0.05), gw), max(s - pad, gs),
            min(e + pad / max(math.cos(lat_mid), 0.05), ge), min(n + pad, gn))
    max_size = int(min(_MAX_READ, max(64, 2 * max(shape))))
    raster = grid.read_bbox(bbox, max_size=max_size)
    src_t = raster.transform
    if raster.crs.is_geographic:  # a grid stored in 0..360: bring it next to the strait
        h, wd = raster.data.shape
        centre = src_t.c + 0.5 * wd * src_t.a
        k = round((centre - STRAIT_CENTER[0]) / 360.0)
        if k:
            src_t = Affine.translation(-360.0 * k, 0.0) * src_t
    elev = np.full(shape, np.nan, dtype="float32")
    rasterio.warp.reproject(
        source=raster.data, destination=elev, src_transform=src_t, src_crs=raster.crs,
        src_nodata=np.nan, dst_transform=transform, dst_crs=STRAIT_CRS, dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    foot = np.zeros(shape, dtype="uint8")
    rasterio.warp.reproject(
        source=np.ones(raster.data.shape, dtype="uint8"), destination=foot,
        src_transform=src_t, src_crs=raster.crs, src_nodata=0, dst_transform=transform,
        dst_crs=STRAIT_CRS, dst_nodata=0, resampling=Resampling.nearest,
    )
    return elev, foot.astype(bool)


def _project_geom(geom, tr: Transformer, segment_deg: float | None = None):
    if segment_deg:
        geom = shapely.segmentize(geom, segment_deg)

    def fn(c):
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _burn(geoms, shape, transform, all_touched: bool) -> np.ndarray:
    from rasterio.features import rasterize

    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return np.zeros(shape, dtype=bool)
    out = rasterize(((g, 1) for g in geoms), out_shape=shape, transform=transform, fill=0,
                    dtype="uint8", all_touched=all_touched)
    return out.astype(bool)


def _land_cells(land, elev, box, shape, transform, tr) -> np.ndarray:
    if land is None:
        return np.zeros(shape, dtype=bool)
    if land == "grid":
        with np.errstate(invalid="ignore"):
            return elev > 0.0
    if isinstance(land, str):

        try:
            geoms = np.asarray(projected_land(land), dtype=object)
        except DatasetError as exc:
            raise InputError(f"land source {land!r}: {exc}") from None
    else:
        geoms = np.asarray([_project_geom(_shift_near_strait(land), tr)], dtype=object)
    rect = shapely.box(*box)
    geoms = geoms[shapely.intersects(geoms, rect)]
    clipped = [shapely.clip_by_rect(g, *box) for g in geoms]
    return _burn(clipped, shape, transform, all_touched=False)


def _build_surface(grid, model: _CostModel, box, cell: float, tr) -> _Surface:
    from rasterio.transform import from_origin

    xmin = math.floor(box[0] / cell) * cell
    ymax = math.ceil(box[3] / cell) * cell
    cols = max(1, math.ceil((box[2] - xmin) / cell))
    rows = max(1, math.ceil((ymax - box[1]) / cell))
    shape = (rows, cols)
    transform = from_origin(xmin, ymax, cell, cell)
    full_box = (xmin, ymax - rows * cell, xmin + cols * cell, ymax)
    elev, foot = _read_window(grid, full_box, cell, shape, transform)
    land = _land_cells(model.land if model.land_geom is None else model.land_geom, elev,
                       full_box, shape, transform, tr)
    depth = np.maximum(-elev.astype("float64"), 0.0)
    cost = model.weights.per_m(depth, land)
    reason = np.zeros(shape, dtype="uint8")
    reason[~land & ~np.isfinite(depth)] = 2
    reason[~foot] = 1
    if model.no_go:
        zones = [_project_geom(p, tr, segment_deg=0.01) for p in model.no_go]
        reason[(reason == 0) & _burn(zones, shape, transform, all_touched=True)] = 3
    if model.corridor is not None:
        line, half = model.corridor
        inside = _burn([line.buffer(half, quad_segs=32)], shape, transform, all_touched=False)
        reason[(reason == 0) & ~inside] = 4
    cost[reason > 0] = np.inf
    cost[~np.isfinite(cost)] = np.inf
    return _Surface(np.asfortranarray(cost), xmin, ymax, cell, reason)


# =============================================================================== path shaping
def _pull_string(xy: np.ndarray, surf: _Surface) -> list[int]:
    """Indices of path vertices kept after cost-aware shortcutting (never dearer)."""
    n = len(xy)
    if n <= 2:
        return list(range(n))
    edge = surf.segment_costs(xy[:-1], xy[1:])
    cum = np.concatenate([[0.0], np.cumsum(edge)])

    def ok(a: int, j: int) -> bool:
        c = float(surf.segment_costs(xy[a], xy[j])[0])
        return math.isfinite(c) and c <= (cum[j] - cum[a]) * (1 + 1e-9) + 1e-9

    keep = [0]
    a = 0
    while a < n - 1:
        best, fail, step = a + 1, None, 2
        while True:
            j = min(a + step, n - 1)
            if j <= best:
                break
            if ok(a, j):
                best = j
                if j == n - 1:
                    break
                step *= 2
            else:
                fail = j
                break
        if fail is not None:
            lo, hi = best, fail
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if ok(a, mid):
                    lo = mid
                else:
                    hi = mid
            best = lo
        keep.append(best)
        a = best
    return keep


_DIRS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)],
                 dtype="float64") / np.array([1.0, 1.0, 1.0, 1.0, *([math.sqrt(2)] * 4)])[:, None]


def _subdivide(xy: np.ndarray, max_len: float) -> np.ndarray:
    """Insert vertices so that no segment is longer than ``max_len`` (same line)."""
    out = [xy[:1]]
    for p, q in zip(xy[:-1], xy[1:], strict=True):
        n = max(1, math.ceil(float(np.hypot(*(q - p))) / max_len))
        t = (np.arange(1, n + 1) / n)[:, None]
        out.append(p + t * (q - p))
    return np.vstack(out)


def _relax(xy: np.ndarray, surf: _Surface, max_passes: int = 6) -> np.ndarray:
    """Move the interior vertices of a polyline (metres) to lower its raster cost.

    A pattern search: each vertex tries 8 moves of length ``s`` and takes the best one that
    lowers the cost of its two segments; ``s`` halves from a quarter of the segment length
    down to a quarter cell. The ends never move; the cost never rises. This removes the
    8-neighbour grid's direction bias (up to 8 % on a path's length) within the path's
    corridor of the optimum.
    """
    total = float(np.hypot(*np.diff(xy, axis=0).T).sum())
    seg = max(2.0 * surf.cell, total / 48.0)
    pts = _subdivide(xy, seg)
    n = len(pts)
    if n <= 2:
        return pts
    s = 0.25 * seg
    while s >= 0.25 * surf.cell:
        for _ in range(max_passes):
            moved = False
            for i in range(1, n - 1):
                cand = np.vstack([pts[i], pts[i] + s * _DIRS])
                a = np.repeat(pts[i - 1][None, :], len(cand), axis=0)
                b = np.repeat(pts[i + 1][None, :], len(cand), axis=0)
                c = surf.segment_costs(a, cand) + surf.segment_costs(cand, b)
                k = int(np.argmin(c))
                if k > 0 and c[k] < c[0] * (1 - 1e-12):
                    pts[i] = cand[k]
                    moved = True
            if not moved:
                break
        s *= 0.5
    return pts


def _simplify(xy: np.ndarray, keep: list[int], tol: float) -> list[int]:
    """Douglas–Peucker on the kept vertices; returns a subset of ``keep``."""
    if len(keep) <= 2 or tol <= 0:
        return list(keep)
    line = shapely.LineString(xy[keep])
    simple = shapely.simplify(line, tol, preserve_topology=False)
    where = {tuple(xy[k]): k for k in keep}
    out = [where[tuple(c)] for c in np.asarray(simple.coords) if tuple(c) in where]
    if not out or out[0] != keep[0]:
        out.insert(0, keep[0])
    if out[-1] != keep[-1]:
        out.append(keep[-1])
    return out


def _repair(idx: list[int], pulled: list[int], lonlat: np.ndarray, model: _CostModel,
            step: float, cell: float) -> list[int]:
    """Re-densify legs that cut into a no-go zone or leave the corridor."""
    pulled_arr = np.asarray(pulled)
    out = [idx[0]]
    stack = list(zip(idx[:-1], idx[1:], strict=True))[::-1]
    while stack:
        a, b = stack.pop()
        if model.segment_ok(*lonlat[a], *lonlat[b], step):
            out.append(b)
            continue
        if b == a + 1:
            lon, lat = lonlat[a]
            raise InputError(
                f"the path passes within one cell ({cell:.0f} m) of a no-go zone or the "
                f"corridor's edge near {lon:.4f}, {lat:.4f} and cannot be kept out of it; "
                "use a smaller cell size or move the zone or the point"
            )
        inner = [int(k) for k in pulled_arr[(pulled_arr > a) & (pulled_arr < b)]]
        sub = [a, *(inner or range(a + 1, b)), b]
        stack.extend(list(zip(sub[:-1], sub[1:], strict=True))[::-1])
    return out


def _to_lonlat(xy: np.ndarray, inv: Transformer, a, b) -> np.ndarray:
    lon, lat = inv.transform(xy[:, 0], xy[:, 1])
    out = np.column_stack([center_lons(np.asarray(lon, dtype="float64"), STRAIT_CENTER[0]),
                           np.asarray(lat, dtype="float64")])
    out[0], out[-1] = a, b
    return out


def _shape_leg(xy, surf: _Surface, model: _CostModel, inv: Transformer, tol: float,
               step: float, eval_step: float, a, b) -> np.ndarray:
    """The leg's waypoints (lon/lat) from the solver's cell path ``xy`` (metres, ends
    exact): the cheapest allowed of the straightened + relaxed path, the straightened path
    and the direct geodesic."""
    pulled = _pull_string(xy, surf)
    lonlat = _to_lonlat(xy, inv, a, b)
    idx = _repair(_simplify(xy, pulled, tol), pulled, lonlat, model, step, surf.cell)
    candidates = [lonlat[idx]]
    # relax from the straightened path and from the cell path itself (lightly simplified):
    # straightening may drop a detour (over an island, say) that relaxing would improve
    starts = [_simplify(xy, pulled, surf.cell)]
    rough = _simplify(xy, list(range(len(xy))), surf.cell)
    if rough != starts[0]:
        starts.append(rough)
    for start in starts:
        relaxed = _relax(xy[start], surf)
        keep = _simplify(relaxed, _pull_string(relaxed, surf), tol)
        rel = _to_lonlat(relaxed[keep], inv, a, b)
        if all(model.segment_ok(*p, *q, step) for p, q in zip(rel[:-1], rel[1:], strict=True)):
            candidates.append(rel)
    direct = np.array([a, b], dtype="float64")
    if model.segment_ok(*a, *b, step):
        candidates.append(direct)
    best, best_cost = candidates[0], math.inf
    for cand in candidates:
        c = model.breakdown(cand[:, 0], cand[:, 1], eval_step)
        if c.feasible and c.total < best_cost * (1 - 1e-9):
            best, best_cost = cand, c.total
    return best


# =============================================================================== main entry
def _progress(cb: Progress | None) -> Progress:
    if cb is None:
        return lambda f, m: None

    def report(frac: float, msg: str) -> None:
        cb(float(min(max(frac, 0.0), 1.0)), msg)

    return report


def _label(w: Waypoint) -> str:
    if w.name:
        return w.name
    return (f"{abs(w.lon):.3f}°{'W' if w.lon < 0 else 'E'} "
            f"{abs(w.lat):.3f}°{'N' if w.lat >= 0 else 'S'}")


def _check_points(pts: list[Waypoint], grid, model: _CostModel, labels: list[str]) -> None:
    w, s, e, n = grid.info.bounds
    for p, label in zip(pts, labels, strict=True):
        lon = w + ((p.lon - w) % 360.0)
        if not (w <= lon <= e and s <= p.lat <= n):
            raise InputError(
                f"{label} ({p.lon:.4f}, {p.lat:.4f}) is outside the grid {grid.info.name} "
                f"(lon {w:.2f}..{e:.2f}, lat {s:.2f}..{n:.2f}); pick a point on the grid"
            )
        if model.in_no_go([p.lon], [p.lat])[0]:
            raise InputError(f"{label} ({p.lon:.4f}, {p.lat:.4f}) is inside a no-go zone; "
                             "move the point or the zone")
        excess = float(model.corridor_excess([p.lon], [p.lat])[0])
        if excess > 1e-3:
            raise InputError(
                f"{label} ({p.lon:.4f}, {p.lat:.4f}) is {excess / 1000:.1f} km outside the "
                f"corridor of ±{model.corridor[1] / 1000:g} km around the straight line; widen "
                "the corridor or move the point"
            )


def optimise_route(
    start,
    end,
    via: Iterable = (),
    *,
    grid=None,
    weights: CostWeights | None = None,
    no_go=(),
    corridor_km: float | None = None,
    mode: str = "rail",
    land="gshhg",
    cell_m: float | None = None,
    max_cells: int = MAX_CELLS,
    simplify_m: float | None = None,
    progress: Progress | None = None,
) -> OptimisedRoute:
    """The least-cost alignment from ``start`` to ``end`` through ``via`` (in order).

    Parameters
    ----------
    start, end : str, tuple or Waypoint
        ``(lon, lat[, name])`` in degrees, a Waypoint, or text for :func:`parse_point`
        (``"LON,LAT"`` or a place name such as ``"Cape Dezhnev"``).
    via : iterable
        Points to visit in order (same forms).
    grid : Grid, path or None
        The active bathymetry (default: the embedded ETOPO5).
    weights : CostWeights, optional
        The cost function's weights (defaults: :class:`CostWeights`).
    no_go : iterable
        Zones never entered (see :func:`no_go_polygons`).
    corridor_km : float, optional
        Largest distance of the alignment from the straight line start→end (the geodesic,
        measured in STRAIT_CRS), km. None: no limit; the search window is the points'
        bounding box grown by half the start–end distance (at least 20 km) on every side.
    mode : str
        ``"rail"``, ``"road"`` or ``"loop"``: the mode of the route returned.
    land : str, shapely geometry or None
        Land: ``"gshhg"`` (default) or ``"osm"`` coastline, ``"grid"`` (elevation > 0 m),
        a lon/lat geometry, or None (all sea).
    cell_m : float, optional
        Solver cell side in metres (default: the grid's finest native spacing, at most
        :data:`AUTO_CELL_CAP_M`, enlarged to keep ≤ ``max_cells`` cells).
    max_cells : int
        Largest solver grid, cells.
    simplify_m : float, optional
        Douglas–Peucker tolerance for the waypoints, metres (default: half a cell; 0 keeps
        every vertex of the straightened path).
    progress : callable, optional
        ``progress(fraction, message)`` with fraction 0..1, for a progress bar.

    Returns
    -------
    OptimisedRoute

    Raises
    ------
    InputError
        A point outside the grid or inside a no-go zone, a via point outside the corridor,
        an unreachable end, bad weights or cell size.
    """
    t0 = time.perf_counter()
    report = _progress(progress)
    report(0.0, "checking the inputs")
    if mode not in MODES:
        raise InputError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    weights = weights or CostWeights()
    if not isinstance(weights, CostWeights):
        raise InputError("weights must be a CostWeights")
    g = _open(grid)
    pts, labels = _required_points(start, via, end)
    corridor = _corridor(pts, corridor_km)
    model = _CostModel(g, weights, land, no_go_polygons(no_go), corridor)
    _check_points(pts, g, model, labels)

    report(0.05, "reading the grid")
    lons = np.array([p.lon for p in pts])
    lats = np.array([p.lat for p in pts])
    xy_pts = np.column_stack(to_strait(lons, lats))
    straight_m = float(distance(lons[0], lats[0], lons[-1], lats[-1]))
    box = _window(xy_pts, corridor, g, max(MARGIN_FRACTION * straight_m, MIN_MARGIN_M))
    warnings: list[str] = []
    cell = _cell_size(box, g, cell_m, max_cells, warnings)
    surf = _build_surface(g, model, box, cell, strait_transformer())
    report(0.35, f"cost surface ready: {surf.cost.shape[1]} × {surf.cost.shape[0]} cells")
    cells = _required_cells(pts, labels, xy_pts, surf, g, model, weights)

    legs, grid_cost, eval_step = _solve_legs(surf, cells, pts, labels, xy_pts, model, cell,
                                             simplify_m, report)
    report(0.9, "evaluating the costs")
    route = _optimised_route(pts, legs, g, surf, cell, weights, corridor_km, model, mode)
    cost = model.breakdown(route.lons, route.lats, eval_step)
    straight = model.breakdown(lons[[0, -1]], lats[[0, -1]], eval_step)
    direct = model.breakdown(lons, lats, eval_step) if len(legs) > 1 else straight
    if not straight.feasible:
        warnings.append(f"the straight line is not allowed ({_why(straight)})")
    if not cost.feasible:  # should not happen: the checks above keep the route clean
        warnings.append(f"the optimised route has {_why(cost)} at the evaluation step")
    report(1.0, "done")
    return OptimisedRoute(
        route=route, cost=cost, straight=straight, direct=direct, grid_cost=grid_cost,
        weights=weights, corridor_km=None if corridor_km is None else float(corridor_km),
        cell_m=cell, grid_shape=tuple(int(v) for v in surf.cost.shape),
        runtime_s=time.perf_counter() - t0, grid_name=g.info.name, warnings=warnings,
        _model=model, _step_m=eval_step,
    )


# ------------------------------------------------------------- the stages of optimise_route
def _required_points(start, via, end) -> tuple[list[Waypoint], list[str]]:
    """Start, via points and end as Waypoints (longitudes near the strait) with their labels;
    two consecutive points less than 1 m apart are refused."""
    pts = [parse_point(start, ""), *(parse_point(v, "") for v in via), parse_point(end, "")]
    for p in pts:
        p.lon = float(center_lons(p.lon, STRAIT_CENTER[0]))
    labels = ["start"] + [f"via point {i}" for i in range(1, len(pts) - 1)] + ["end"]
    for i in range(len(pts) - 1):
        if float(distance(pts[i].lon, pts[i].lat, pts[i + 1].lon, pts[i + 1].lat)) < 1.0:
            raise InputError(f"{labels[i]} and {labels[i + 1]} are the same place")
    return pts, labels


def _corridor(pts, corridor_km):
    """(start→end geodesic in STRAIT_CRS metres, half-width m), or None without a limit."""
    if corridor_km is None:
        return None
    ck = positive_number(corridor_km, "corridor", "km")
    d = densify([pts[0].lon, pts[-1].lon], [pts[0].lat, pts[-1].lat], 1000.0)
    x, y = to_strait(d.lons, d.lats)
    return shapely.LineString(np.column_stack([x, y])), ck * 1000.0


def _cell_size(box, g, cell_m, max_cells: int, warnings: list[str]) -> float:
    """The solver cell side (m): the one asked for (refused if it makes more than
    ``max_cells`` cells over ``box``), else the grid's native spacing capped at
    :data:`AUTO_CELL_CAP_M` and enlarged to stay within ``max_cells`` (said in
    ``warnings``)."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    if cell_m is not None:
        try:
            cell = float(cell_m)
        except (TypeError, ValueError) as exc:
            raise InputError(f"cell size must be a number of metres, got {cell_m!r}") from exc
        if not math.isfinite(cell) or cell < MIN_CELL_M:
            raise InputError(f"cell size must be at least {MIN_CELL_M:g} m, got {cell_m!r}")
        n_est = math.ceil((box[2] - box[0]) / cell + 1) * math.ceil((box[3] - box[1]) / cell + 1)
        if n_est > max_cells:
            raise InputError(
                f"cell size {cell:g} m gives about {n_est:,} cells over this window (limit "
                f"{max_cells:,}); use a cell of at least {math.sqrt(area / max_cells):.0f} m or "
                "a narrower corridor"
            )
        return cell
    cell = min(float(min(g.info.res_m)), AUTO_CELL_CAP_M)
    if area / cell**2 > max_cells * 0.98:
        new = math.sqrt(area / (max_cells * 0.95))
        warnings.append(f"solver cell enlarged from {cell:.0f} m to {new:.0f} m to keep "
                        f"the grid within {max_cells:,} cells")
        cell = new
    return cell


def _required_cells(pts, labels, xy_pts, surf, g, model, weights) -> list[tuple[int, int]]:
    """The solver cell of each required point; a point's own cell is made passable when only a
    zone's or the corridor's edge touches it."""
    cells = []
    for p, label, (x, y) in zip(pts, labels, xy_pts, strict=True):
        rc = surf.cell_of(x, y)
        if rc is None or surf.reason[rc] == 1:
            raise InputError(f"{label} ({p.lon:.4f}, {p.lat:.4f}) is outside the grid "
                             f"{g.info.name}; pick a point on the grid")
        if surf.reason[rc] == 2:
            raise InputError(f"the grid {g.info.name} has no depth at {label} ({p.lon:.4f}, "
                             f"{p.lat:.4f}); pick a point with data")
        if not math.isfinite(surf.cost[rc]):  # a zone or the corridor's edge touches its cell
            z = float(g.sample([p.lon], [p.lat])[0])
            on_land = bool(model.on_land([p.lon], [p.lat], [z])[0])
            surf.set_cost(rc, float(weights.per_m(-z if math.isfinite(z) else 0.0, on_land)))
        cells.append(rc)
    return cells


def _solve_legs(surf, cells, pts, labels, xy_pts, model, cell: float, simplify_m, report):
    """Least-cost path leg by leg (MCP over the cells), each straightened and simplified.

    Returns the legs as (n, 2) lon/lat arrays (each leg after the first without its first
    vertex, so that they stack into one path), the grid cost (cost units × km) and the
    evaluation step (m)."""
    tol = cell / 2.0 if simplify_m is None else float(simplify_m)
    if not math.isfinite(tol) or tol < 0:
        raise InputError(f"simplification tolerance must be ≥ 0 m, got {simplify_m!r}")
    mcp = MCP_Geometric(surf.cost, sampling=(cell, cell))
    step = min(cell / 4.0, 50.0)
    eval_step = min(cell / 2.0, EVAL_STEP_CAP_M)
    inv = strait_transformer(inverse=True)
    n_legs = len(pts) - 1
    legs: list[np.ndarray] = []
    grid_cost = 0.0
    for k in range(n_legs):
        report(0.35 + 0.5 * k / n_legs, f"solving leg {k + 1} of {n_legs}")
        cum, _ = mcp.find_costs([cells[k]], [cells[k + 1]])
        total = float(cum[cells[k + 1]])
        if not math.isfinite(total):
            raise InputError(
                f"no allowed path from {labels[k]} to {labels[k + 1]}: the no-go zones, "
                "the corridor, land-locked cells or the grid's edge cut them off; widen the "
                "corridor or remove a zone"
            )
        grid_cost += total / 1000.0
        report(0.35 + 0.5 * (k + 0.5) / n_legs, f"straightening leg {k + 1} of {n_legs}")
        rc = np.asarray(mcp.traceback(cells[k + 1]))
        xy = surf.centres(rc)
        if len(xy) == 1:
            xy = np.vstack([xy_pts[k], xy_pts[k + 1]])
        else:
            xy[0], xy[-1] = xy_pts[k], xy_pts[k + 1]
        leg = _shape_leg(xy, surf, model, inv, tol, step, eval_step,
                         (pts[k].lon, pts[k].lat), (pts[k + 1].lon, pts[k + 1].lat))
        legs.append(leg if k == 0 else leg[1:])
    return legs, grid_cost, eval_step


def _optimised_route(pts, legs, g, surf, cell, weights, corridor_km, model, mode) -> Route:
    """The path as a Route: required points keep their names, notes state how it was made."""
    path = np.vstack(legs)
    names, at = {0: pts[0].name}, 0
    for k, leg in enumerate(legs):
        at += len(leg) - (1 if k == 0 else 0)
        names[at] = pts[k + 1].name
    wps = [Waypoint(lon, lat, names.get(i, "")) for i, (lon, lat) in enumerate(path)]
    a_label, b_label = _label(pts[0]), _label(pts[-1])
    notes = (
        f"Least-cost alignment on {g.info.name} ({surf.cost.shape[1]} × {surf.cost.shape[0]} "
        f"cells of {cell:.0f} m in the strait LAEA); weights sea {weights.sea_per_m:g}, depth "
        f"{weights.depth_per_m:g}/m, land {weights.land_per_m:g}"
        + (f"; corridor ±{corridor_km:g} km" if corridor_km else "")
        + (f"; {len(model.no_go)} no-go zone(s)" if model.no_go else "")
        + (f"; via {', '.join(_label(p) for p in pts[1:-1])}" if len(legs) > 1 else "")
        + ". See docs/optimiser.md."
    )
    return Route(id=slugify(f"optimised-{a_label}-{b_label}"),
                 name=f"Optimised: {a_label} → {b_label}", waypoints=wps, mode=mode,
                 origin="optimised", notes=notes,
                 sources=[g.info.source] if g.info.source.startswith("http") else [])


#: American spelling.
optimize_route = optimise_route

