"""Land polygons (GSHHG full resolution; OSM as an alternative) and land/sea tests.

The coarse default bathymetry does not resolve the Diomedes, so whether a place is land or
sea is always decided here, from the coastline, never from the grid.

Examples
--------
>>> bool(is_land(-169.06, 65.78))   # Big Diomede
True
>>> is_land([-168.40, -168.09], [65.70, 65.64]).tolist()   # mid-channel, Cape Prince of Wales
[False, True]
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mapapp.core.errors import DatasetError
from mapapp.core.geodesy import STRAIT_CRS, center_lons, distance, from_strait, to_strait
from mapapp.core.paths import coastline_dir

__all__ = [
    "SOURCES",
    "load_land",
    "land_geometry",
    "is_land",
    "display_land",
    "coastline_extent",
]

#: Land datasets: key -> (file, layer, attribution)
SOURCES = {
    "gshhg": (
        "gshhg_full_bering.gpkg",
        "land",
        "Coastline: GSHHG 2.3.6 full resolution, Wessel & Smith (1996), LGPL-3.0",
    ),
    "osm": (
        "osm_land_bering.gpkg",
        "land",
        "Land: © OpenStreetMap contributors (ODbL 1.0), via geo-maps countries-land-10m",
    ),
}


@lru_cache(maxsize=4)
def load_land(source: str = "gshhg") -> gpd.GeoDataFrame:
    """Land polygons (lon/lat, EPSG:4326) clipped to lon -175..-160, lat 63.5..68.5.

    For GSHHG only level-1 polygons (land) are kept; lakes (level 2) count as land for
    the purpose of "is this under the sea".
    """
    if source not in SOURCES:
        raise DatasetError(f"unknown coastline source {source!r}; choose one of {sorted(SOURCES)}")
    fname, layer, _ = SOURCES[source]
    path = coastline_dir() / fname
    if not path.exists():
        raise DatasetError(f"coastline file missing: {path} (restore geodata/ from the repository)")
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several types
        raise DatasetError(f"cannot read coastline {path.name}: {exc}") from exc
    if "level" in gdf.columns:
        gdf = gdf[gdf["level"] == 1]
    return gdf.reset_index(drop=True)


@lru_cache(maxsize=4)
def land_geometry(source: str = "gshhg") -> BaseGeometry:
    """All land as one prepared shapely geometry (lon/lat degrees)."""
    geom = shapely.union_all(load_land(source).geometry.values)
    shapely.prepare(geom)
    return geom


def is_land(lon, lat, source: str = "gshhg", shore_tolerance_m: float = 0.0):
    """True where a point (degrees; any longitude range) lies on land.

    Vectorised: ``lon`` and ``lat`` may be arrays; returns a bool or a bool array.

    ``shore_tolerance_m`` (metres, ≥ 0) also counts points that far from the land polygons
    as land: a waypoint placed *on* the shoreline is otherwise land or sea by the last
    float digit. The tolerance is applied in degrees of latitude (so east-west it is
    about cos(latitude) times smaller: ~0.4× here).
    """
    lon_arr = center_lons(np.asarray(lon, dtype="float64"), -167.5)
    lat_arr = np.asarray(lat, dtype="float64")
    geom = land_geometry(source)
    out = shapely.contains_xy(geom, lon_arr, lat_arr)
    if shore_tolerance_m > 0:
        tol_deg = float(shore_tolerance_m) / 111_320.0
        near = shapely.dwithin(geom, shapely.points(lon_arr, lat_arr), tol_deg)
        out = np.logical_or(out, near)
    return bool(out) if np.ndim(out) == 0 else np.asarray(out)


@lru_cache(maxsize=16)
def display_land(source: str = "gshhg", tolerance_deg: float = 0.002) -> gpd.GeoDataFrame:
    """Land simplified for display (tolerance in degrees; 0.002° ≈ 90 m E-W, 220 m N-S)."""
    gdf = load_land(source)
    simple = gdf.geometry.simplify(tolerance_deg, preserve_topology=True)
    out = gpd.GeoDataFrame({"name": ["land"] * len(gdf)}, geometry=simple, crs=gdf.crs)
    return out[~out.geometry.is_empty].reset_index(drop=True)


def coastline_extent(source: str = "gshhg") -> tuple[float, float, float, float]:
    """(west, south, east, north) of the land dataset, degrees."""
    return tuple(float(v) for v in load_land(source).total_bounds)


# --- named landmasses and shore points (appended for routes / metrics) -----------------------

__all__ += [
    "LANDMASS_POINTS",
    "closest_shore_points",
    "landmass_index",
    "landmass_names",
    "nearest_shore_point",
    "projected_land",
]

#: Known points (lon, lat, degrees) that identify the landmasses of the strait: a land polygon
#: containing the point gets the name. Coordinates from /work/shared/reference/bering-facts.md §2
#: (Cape Dezhnev, Cape Prince of Wales coord. A, the island coordinates).
LANDMASS_POINTS = {
    "Chukotka mainland": (-169.6519, 66.0792),
    "Big Diomede": (-169.0569, 65.7811),
    "Little Diomede": (-168.9208, 65.7542),
    "Fairway Rock": (-168.7426, 65.6253),
    "Seward Peninsula mainland": (-168.0847, 65.5964),
}


@lru_cache(maxsize=4)
def projected_land(source: str = "gshhg") -> tuple:
    """Land polygons projected to :data:`mapapp.core.geodesy.STRAIT_CRS` (metres), in the row
    order of :func:`load_land`, as a tuple of shapely geometries."""
    return tuple(load_land(source).to_crs(STRAIT_CRS).geometry.values)


@lru_cache(maxsize=4)
def landmass_names(source: str = "gshhg") -> dict:
    """Row index in :func:`load_land` -> landmass name, for the polygons that contain one of
    :data:`LANDMASS_POINTS`. A landmass the dataset lacks (GSHHG full has no Fairway Rock,
    0.3 km²) is simply absent.

    Examples
    --------
    >>> sorted(landmass_names().values())
    ['Big Diomede', 'Chukotka mainland', 'Little Diomede', 'Seward Peninsula mainland']
    """
    gdf = load_land(source)
    out = {}
    for name, (lon, lat) in LANDMASS_POINTS.items():
        hit = np.flatnonzero(shapely.contains_xy(gdf.geometry.values, lon, lat))
        for i in hit:
            out.setdefault(int(i), name)
    return out


def landmass_index(name: str, source: str = "gshhg") -> int:
    """Row index in :func:`load_land` of the polygon named ``name`` (see
    :data:`LANDMASS_POINTS`); :class:`DatasetError` if the dataset lacks it."""
    for i, n in landmass_names(source).items():
        if n == name:
            return i
    raise DatasetError(
        f"the {source} coastline has no polygon for {name!r} (known: "
        f"{', '.join(sorted(set(landmass_names(source).values())))})"
    )


def nearest_shore_point(lon: float, lat: float, landmass: str, source: str = "gshhg"):
    """The point of ``landmass``'s coastline nearest to (lon, lat).

    The search is done in :data:`mapapp.core.geodesy.STRAIT_CRS` (metres); the returned distance
    is the geodesic (WGS84) between the given point and the shore point.

    Parameters
    ----------
    lon, lat : float
        Degrees.
    landmass : str
        A key of :data:`LANDMASS_POINTS`.

    Returns
    -------
    (lon, lat, distance_m) : tuple of float
        Shore point in degrees (longitude near the strait, in [-180, 180)) and the geodesic
        distance to it in metres.

    Examples
    --------
    >>> lon, lat, d = nearest_shore_point(-168.12, 65.64, "Seward Peninsula mainland")
    >>> round(d)
    528
    """
    from shapely.ops import nearest_points


    poly = projected_land(source)[landmass_index(landmass, source)]
    lon_c = float(center_lons(lon))
    p = shapely.Point(*to_strait(lon_c, lat))
    q = nearest_points(poly.boundary, p)[0]
    qlon, qlat = from_strait(q.x, q.y)
    return float(qlon), float(qlat), float(distance(lon_c, lat, qlon, qlat))


@lru_cache(maxsize=16)
def closest_shore_points(landmass_a: str, landmass_b: str, source: str = "gshhg"):
    """The two closest points of two landmasses and the geodesic distance between them
    (cached: the coastlines do not change while the program runs; about 1 s each on 2 cores).

    Both polygons are projected to :data:`mapapp.core.geodesy.STRAIT_CRS` for the nearest-point
    search; the distance is then the WGS84 geodesic between the two points found.

    Returns
    -------
    ((lon_a, lat_a), (lon_b, lat_b), distance_m)
        Degrees and metres.

    Examples
    --------
    >>> a, b, d = closest_shore_points("Big Diomede", "Little Diomede")
    >>> round(d / 1000, 2)   # published: 3.8 km (GSHHG full coastline gives a little less)
    3.61
    """
    from shapely.ops import nearest_points


    land = projected_land(source)
    pa = land[landmass_index(landmass_a, source)]
    pb = land[landmass_index(landmass_b, source)]
    qa, qb = nearest_points(pa, pb)
    alon, alat = from_strait(qa.x, qa.y)
    blon, blat = from_strait(qb.x, qb.y)
    d = float(distance(alon, alat, blon, blat))
    return (float(alon), float(alat)), (float(blon), float(blat)), d
