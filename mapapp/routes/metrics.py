"""Route metrics on the WGS84 ellipsoid: lengths, under water vs over land, landfalls, claims.

Every length is a geodesic from :data:`mapapp.core.geodesy.GEOD` (pyproj.Geod), never spherical.
Land and sea come from the coastline polygons (:mod:`mapapp.data.coastline`, GSHHG full resolution
by default), never from the coarse bathymetry grid.

How "under water" is measured: each leg is densified along its geodesic (points at most
``step_m`` = 50 m apart, :func:`mapapp.core.geodesy.densify`); each piece between consecutive points
is classified by whether its midpoint lies on land, and its geodesic length is added to
``land_km`` or ``subsea_km``. The error is at most one step per coastline crossing.

Landfalls: the land polygons a route touches (point on land or within ``touch_m`` = 10 m of a
shore), in route order, named after the known places each polygon contains
(:data:`mapapp.data.coastline.LANDMASS_POINTS`: Chukotka mainland, Big Diomede, Little Diomede,
Fairway Rock, Seward Peninsula mainland); other polygons are "unnamed land".

Examples
--------
>>> from mapapp.routes.route import Route
>>> r = Route.from_coords("d", "Dezhnev-Wales", [(-169.6519, 66.0792), (-168.0847, 65.5964)])
>>> m = route_metrics(r)
>>> round(m.length_km, 1), [f.name for f in m.landfalls]
(89.6, ['Chukotka mainland', 'Seward Peninsula mainland'])
>>> round(strait_min_width_m() / 1000, 2), round(diomede_gap_m() / 1000, 2)
(81.75, 3.61)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp.core.errors import InputError
from mapapp.core.geodesy import STRAIT_CRS, center_lons, densify, distance, to_strait
from mapapp.data.coastline import LANDMASS_POINTS, closest_shore_points, load_land
from mapapp.routes.route import Route

__all__ = [
    "DENSIFY_STEP_M",
    "Landfall",
    "RouteMetrics",
    "MIN_SEGMENT_M",
    "TOUCH_M",
    "claims_vs_computed",
    "comparison_table",
    "diomede_gap_m",
    "route_metrics",
    "strait_min_width_m",
]

#: Largest spacing (m) of the points used to classify a route as under water / over land.
DENSIFY_STEP_M = 50.0
#: A point within this distance (m) of a land polygon touches it (shore waypoints are stored
#: to 1e-5 degrees, about 1 m).
TOUCH_M = 10.0
#: Runs under water shorter than this (m) still count in ``subsea_km`` but are not listed as
#: separate undersea segments (a line grazing a headland would otherwise split a segment).
MIN_SEGMENT_M = 200.0
#: A known place names the polygon containing it, or the nearest one within this distance (m)
#: (OSM puts the Cape Dezhnev coordinate 27 m off its coast).
NAME_SNAP_M = 1000.0

_MAINLANDS = {"Chukotka mainland", "Seward Peninsula mainland"}


@dataclass(frozen=True)
class Landfall:
    """A land polygon a route touches, in route order.

    ``name`` is a known place (:data:`mapapp.data.coastline.LANDMASS_POINTS`) or
    ``"unnamed land"``; ``kind`` is ``"mainland"``, ``"island"`` or ``"land"``; ``from_km`` and
    ``to_km`` are chainages along the route, kilometres (3 decimals).
    """

    name: str
    kind: str
    from_km: float
    to_km: float


@dataclass(frozen=True)
class RouteMetrics:
    """Lengths, under-water share and landfalls of a route (every length in kilometres).

    ``length_km`` is the total geodesic length and ``legs_km`` one length per leg between
    waypoints; ``straight_km`` is first to last waypoint and ``sinuosity`` = length / straight
    (``None`` for a closed route); ``subsea_km`` + ``land_km`` = ``length_km``;
    ``subsea_share`` is 0..1; ``water_segments_km`` are the contiguous runs under water of at
    least :data:`MIN_SEGMENT_M`, in order, the longest being ``longest_subsea_km``;
    ``land_source`` names the coastline and ``step_m`` the densification step (metres).
    """

    id: str
    name: str
    origin: str
    mode: str
    length_km: float
    legs_km: tuple[float, ...]
    straight_km: float
    sinuosity: float | None
    subsea_km: float
    land_km: float
    subsea_share: float
    water_segments_km: tuple[float, ...]
    longest_subsea_km: float
    landfalls: tuple[Landfall, ...]
    land_source: str
    step_m: float


class _Land:
    """Land polygons projected to STRAIT_CRS, with a spatial index and names."""

    def __init__(self, gdf: gpd.GeoDataFrame, label: str):
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            gdf = gdf.to_crs("EPSG:4326")
        parts = gdf.geometry.explode(index_parts=False)
        parts = parts[parts.geom_type == "Polygon"].reset_index(drop=True)
        self.label = label
        parts = parts.set_crs("EPSG:4326", allow_override=True)
        self.polys = np.asarray(parts.to_crs(STRAIT_CRS).values)
        self.tree = shapely.STRtree(self.polys)
        self.names: dict[int, str] = {}
        for name, (lon, lat) in LANDMASS_POINTS.items():
            p = shapely.Point(*to_strait(lon, lat))
            idx, dist = self.tree.query_nearest(p, max_distance=NAME_SNAP_M, return_distance=True)
            if len(idx):
                self.names.setdefault(int(idx[np.argmin(dist)]), name)

    def name(self, i: int) -> str:
        return self.names.get(int(i), "unnamed land")


@lru_cache(maxsize=4)
def _named_land(source: str) -> _Land:
    return _Land(load_land(source), source)


def _land(land) -> _Land:
    if land is None:
        return _named_land("gshhg")
    if isinstance(land, str):
        return _named_land(land)
    if isinstance(land, _Land):
        return land
    if isinstance(land, gpd.GeoDataFrame | gpd.GeoSeries):
        frame = gpd.GeoDataFrame(geometry=land.geometry, crs=land.crs or "EPSG:4326")
        return _Land(frame, "custom")
    if isinstance(land, shapely.Geometry):
        return _Land(gpd.GeoDataFrame(geometry=[land], crs="EPSG:4326"), "custom")
    raise InputError(
        f"land must be None, a coastline source name, a GeoDataFrame or a shapely geometry, "
        f"not {type(land).__name__}"
    )


def _runs(mask: np.ndarray):
    """(start, stop) index pairs of the runs of True in a boolean array."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(int))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def route_metrics(
    route: Route, land=None, step_m: float = DENSIFY_STEP_M, touch_m: float = TOUCH_M
) -> RouteMetrics:
    """Lengths, under-water share and landfalls of a route.

    Parameters
    ----------
    route : Route
    land : None, str, GeoDataFrame or shapely geometry
        Land polygons in lon/lat degrees: ``None`` for GSHHG full resolution, a coastline
        source name (``"gshhg"``, ``"osm"``), or your own polygons.
    step_m : float
        Densification step along the geodesics, metres.
    touch_m : float
        Distance (m) within which a point touches a land polygon (landfalls only).

    Returns
    -------
    RouteMetrics
        Every length in kilometres.
    """
    lm = _land(land)
    lons, lats = route.lons, route.lats
    legs = route.legs_m()
    total = float(legs.sum())
    straight = float(distance(lons[0], lats[0], lons[-1], lats[-1]))
    d = densify(lons, lats, step_m)
    piece = np.diff(d.chainage_m)
    # midpoints of the pieces (pieces are <= step_m long: the lon/lat mean is on the geodesic
    # to well under a millimetre at 50 m)
    mid_lon = center_lons(0.5 * (d.lons[:-1] + d.lons[1:]))
    mid_lat = 0.5 * (d.lats[:-1] + d.lats[1:])
    mx, my = to_strait(mid_lon, mid_lat)
    on_land = np.zeros(len(piece), bool)
    if len(piece):
        hit = lm.tree.query(shapely.points(mx, my), predicate="within")
        on_land[hit[0]] = True
    # the pieces add up to the legs to ~1e-9 m; clamp so that subsea >= 0 exactly
    land_m = min(float(piece[on_land].sum()), total)
    if land_m > total - 1e-6:
        land_m = total
    water_runs = [
        float(piece[a:b].sum()) for a, b in _runs(~on_land) if piece[a:b].sum() >= MIN_SEGMENT_M
    ]
    # landfalls: polygons touched by the densified points, in order
    px, py = to_strait(center_lons(d.lons), d.lats)
    pairs = lm.tree.query(shapely.points(px, py), predicate="dwithin", distance=touch_m)
    poly_at = np.full(len(px), -1)
    order = np.argsort(pairs[0], kind="stable")
    for pt, poly in zip(pairs[0][order][::-1], pairs[1][order][::-1], strict=True):
        poly_at[pt] = poly  # the first polygon listed wins (loop runs backwards)
    landfalls: list[dict] = []
    for i in range(len(px)):
        p = int(poly_at[i])
        if p < 0:
            continue
        ch = float(d.chainage_m[i]) / 1000.0
        gap = ch - landfalls[-1]["to_km"] if landfalls else np.inf
        if landfalls and landfalls[-1]["_poly"] == p and gap <= (MIN_SEGMENT_M + step_m) / 1000:
            landfalls[-1]["to_km"] = ch
            continue
        name = lm.name(p)
        kind = "mainland" if name in _MAINLANDS else "island"
        kind = "land" if name == "unnamed land" else kind
        landfalls.append({"name": name, "kind": kind, "from_km": ch, "to_km": ch, "_poly": p})
    return RouteMetrics(
        id=route.id,
        name=route.name,
        origin=route.origin,
        mode=route.mode,
        length_km=total / 1000.0,
        legs_km=tuple(float(x) / 1000.0 for x in legs),
        straight_km=straight / 1000.0,
        sinuosity=total / straight if straight > 0 else None,
        subsea_km=(total - land_m) / 1000.0,
        land_km=land_m / 1000.0,
        subsea_share=(total - land_m) / total if total > 0 else 0.0,
        water_segments_km=tuple(x / 1000.0 for x in water_runs),
        longest_subsea_km=max(water_runs, default=0.0) / 1000.0,
        landfalls=tuple(
            Landfall(f["name"], f["kind"], round(f["from_km"], 3), round(f["to_km"], 3))
            for f in landfalls
        ),
        land_source=lm.label,
        step_m=float(step_m),
    )


# --- sanity facts ------------------------------------------------------------------------


def diomede_gap_m(source: str = "gshhg") -> float:
    """Closest shore-to-shore distance between Big and Little Diomede, metres (WGS84 geodesic
    between the two closest points, found in :data:`~mapapp.core.geodesy.STRAIT_CRS`).
    Published: 3.8 km (3.75 km; "less than 3.9 km")."""
    return closest_shore_points("Big Diomede", "Little Diomede", source)[2]


def strait_min_width_m(source: str = "gshhg") -> float:
    """Minimum coast-to-coast width of the strait between the Chukotka and Seward Peninsula
    mainlands (islands ignored), metres. Published: 82–86 km (rounded)."""
    return closest_shore_points("Chukotka mainland", "Seward Peninsula mainland", source)[2]


# --- claims --------------------------------------------------------------------------------

_AGREE_FRAC = 0.02
_LABELS = {
    "length_km": "tunnel length",
    "subsea_length_km": "undersea length",
    "segments_km": "undersea segment",
    "strait_min_width_km": "strait minimum width",
    "cost_busd": "cost",
    "traditional_cost_busd": "cost by traditional methods",
    "corridor_cost_busd": "cost of the whole corridor",
    "duration_years": "construction time",
    "mean_depth_m": "mean water depth",
    "max_depth_m": "maximum water depth",
    "corridor_km": "length of the whole corridor",
}
_ELSEWHERE = {
    "cost_busd": "not computed from geometry (see the cost model)",
    "traditional_cost_busd": "not computed from geometry (see the cost model)",
    "corridor_cost_busd": "not computed from geometry (see the cost model)",
    "duration_years": "not computed from geometry (see the tunnel model)",
    "mean_depth_m": "not computed here (see the depth profile)",
    "max_depth_m": "not computed here (see the depth profile)",
}


def _fmt(value, unit: str, bound: str | None = None) -> str:
    prefix = {"upper": "< ", "lower": "> "}.get(bound or "", "")
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{prefix}{_num(value[0])}–{_num(value[1])} {unit}"
    return f"{prefix}{_num(value)} {unit}"


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def _decimals(v) -> int:
    text = f"{v:g}"
    return len(text.split(".")[1]) if "." in text else 0


def _compare(claimed, computed: float, what: str, shore_note: str) -> tuple[float, str]:
    """(difference computed - claimed, explanation); ranges compare with the nearest end."""
    if isinstance(claimed, (list, tuple)):
        lo, hi = float(min(claimed)), float(max(claimed))
        if lo <= computed <= hi:
            return 0.0, "within the claimed range"
        ref = lo if computed < lo else hi
        rounding = 0.5 * 10 ** -max(_decimals(lo), _decimals(hi))
    else:
        ref = float(claimed)
        rounding = 0.5 * 10 ** -_decimals(claimed)
    diff = computed - ref
    if abs(diff) <= rounding:
        return diff, "agrees within the rounding of the published figure"
    if abs(diff) <= _AGREE_FRAC * abs(ref):
        return diff, f"agrees within {_AGREE_FRAC:.0%}"
    if diff < 0:
        return diff, (
            f"claimed {what} is longer: it presumably includes land approaches and portals "
            f"beyond the shore ({shore_note})"
        )
    return diff, (
        f"this alignment is longer than the claimed {what}: the source's landfalls are not "
        "published and may differ from the ones chosen here (see the route notes)"
    )


def claims_vs_computed(route: Route, metrics: RouteMetrics | None = None) -> list[dict]:
    """Each published claim of a route next to what is computed from its geometry.

    Parameters
    ----------
    route : Route
    metrics : RouteMetrics, optional
        :func:`route_metrics` of the route (computed if omitted).

    Returns
    -------
    list of dict
        One row per claim (one per segment for ``segments_km``): ``claim`` (key),
        ``label``, ``claimed`` (text with unit), ``claimed_value``, ``computed`` (text or
        ``None``), ``computed_value`` (number or ``None``), ``difference`` (computed minus
        claimed, same unit, ``None`` when not comparable) and ``explanation``.
    """
    m = route_metrics(route) if metrics is None else metrics
    shore = "the waypoints here are shore landfalls"
    rows = []
    for key, claim in route.claims.items():
        c = claim if isinstance(claim, dict) else {"value": claim}
        value, unit, bound = c.get("value"), c.get("unit", ""), c.get("bound")
        label = _LABELS.get(key, key.replace("_", " "))
        base = {"claim": key, "label": label, "claimed_value": value, "text": c.get("text", "")}
        if key == "segments_km" and isinstance(value, (list, tuple)):
            segs = m.water_segments_km
            for i, v in enumerate(value):
                row = dict(base, label=f"{label} {i + 1}", claimed_value=v)
                row["claimed"] = "not given" if v is None else _fmt(v, unit)
                if v is None or len(segs) != len(value):
                    row.update(computed=None, computed_value=None, difference=None)
                    row["explanation"] = (
                        "no figure claimed for this segment"
                        if v is None
                        else f"the route has {len(segs)} undersea segments, "
                        f"the claim lists {len(value)}"
                    )
                    if v is None and len(segs) == len(value):
                        row.update(computed=f"{segs[i]:.2f} km", computed_value=segs[i])
                else:
                    diff, why = _compare(v, segs[i], "segment", "shore-to-shore here")
                    if diff > 0 and abs(diff) > _AGREE_FRAC * v:
                        why = (
                            "claimed segment is shorter than this alignment's shore-to-shore "
                            "segment: the source probably measured the minimum shore-to-island "
                            "distance, or its landfalls differ"
                        )
                    elif diff < 0 and abs(diff) > _AGREE_FRAC * v and 0 < i < len(value) - 1:
                        # a middle segment runs island to island: no mainland approach or
                        # portal can lengthen it, only the points measured between can differ
                        why = (
                            "claimed segment is longer than this alignment's shore-to-shore "
                            "segment: the source does not publish the points it measured "
                            "between; this alignment crosses between the nearest shores"
                        )
                    row.update(computed=f"{segs[i]:.2f} km", computed_value=segs[i])
                    row.update(difference=diff, explanation=why)
                rows.append(row)
            continue
        row = dict(base, claimed=_fmt(value, unit, bound))
        computed = None
        if key == "length_km":
            computed = m.length_km
            diff, why = _compare(value, computed, "length", shore)
        elif key == "subsea_length_km":
            computed = m.subsea_km
            diff, why = _compare(value, computed, "undersea length", shore)
        elif key == "strait_min_width_km":
            computed = strait_min_width_m() / 1000.0
            diff, why = _compare(value, computed, "width", "coast to coast here")
            why += " (computed from the coastline, not from this route)"
        else:
            diff, why = None, _ELSEWHERE.get(key, "not computed from the geometry")
        row.update(
            computed=None if computed is None else f"{computed:.2f} km",
            computed_value=computed,
            difference=diff,
            explanation=why,
        )
        rows.append(row)
    return rows


def comparison_table(routes, land=None) -> pd.DataFrame:
    """One row per route: lengths (km), legs, under-water share, landfalls, claimed length.

    Parameters
    ----------
    routes : iterable of Route
    land : see :func:`route_metrics`

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``origin``, ``mode``, ``length_km``, ``straight_km``,
        ``sinuosity``, ``subsea_km``, ``land_km``, ``subsea_pct``, ``longest_subsea_km``,
        ``n_legs``, ``legs_km`` (text, " / "-separated), ``landfalls`` (text, "→"-separated),
        ``claimed_length`` (text: the claimed tunnel length, or the claimed undersea length
        if only that is published), ``length_vs_claim_km`` (computed minus claimed, using the
        matching computed length; ``NaN`` without a length claim). Numbers are floats, so
        the table sorts numerically.
    """
    records = []
    for r in routes:
        m = route_metrics(r, land)
        rows = claims_vs_computed(r, m)
        claim = next((c for c in rows if c["claim"] == "length_km"), None) or next(
            (c for c in rows if c["claim"] == "subsea_length_km"), None
        )
        records.append(
            {
                "id": m.id,
                "name": m.name,
                "origin": m.origin,
                "mode": m.mode,
                "length_km": m.length_km,
                "straight_km": m.straight_km,
                "sinuosity": m.sinuosity if m.sinuosity is not None else np.nan,
                "subsea_km": m.subsea_km,
                "land_km": m.land_km,
                "subsea_pct": 100.0 * m.subsea_share,
                "longest_subsea_km": m.longest_subsea_km,
                "n_legs": len(m.legs_km),
                "legs_km": " / ".join(f"{x:.1f}" for x in m.legs_km),
                "landfalls": " → ".join(f.name for f in m.landfalls),
                "claimed_length": f"{claim['claimed']} ({claim['label']})" if claim else "",
                "length_vs_claim_km": claim["difference"] if claim else np.nan,
            }
        )
    cols = [
        "id", "name", "origin", "mode", "length_km", "straight_km", "sinuosity", "subsea_km",
        "land_km", "subsea_pct", "longest_subsea_km", "n_legs", "legs_km", "landfalls",
        "claimed_length", "length_vs_claim_km",
    ]  # fmt: skip
    return pd.DataFrame.from_records(records, columns=cols)
