"""Geodesic measurements on the WGS84 ellipsoid (pyproj.Geod) and longitude handling.

Every distance in mapapp comes from here: never a spherical (haversine) formula.

Longitudes: Chukotka reaches past 180°, so for display we keep a line's longitudes
*continuous* (a line may run from 179.5 to 180.5, or -180.5 to -179.5) and only cut it at
the antimeridian for export (RFC 7946 §3.1.9).

Examples
--------
>>> round(geodesic_length([-169.6519, -168.0847], [66.0792, 65.5964]) / 1000, 1)
89.6
>>> unwrap_lons([179.0, -179.0, -178.0], reference=None).tolist()
[179.0, 181.0, 182.0]
>>> unwrap_lons([179.0, -179.0, -178.0]).tolist()  # shifted next to the strait (-169°)
[-181.0, -179.0, -178.0]
>>> [round(float(x), 1) for x in normalize_lon([181.0, -190.0, 180.0])]
[-179.0, 170.0, -180.0]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pyproj

__all__ = [
    "GEOD",
    "STRAIT_CRS",
    "STRAIT_CENTER",
    "normalize_lon",
    "unwrap_lons",
    "center_lons",
    "geodesic_length",
    "leg_lengths",
    "distance",
    "Densified",
    "densify",
    "split_antimeridian",
    "to_strait",
    "from_strait",
    "strait_transformer",
    "parse_lonlat",
]

#: The WGS84 ellipsoid; all distances are geodesics on it, in metres.
GEOD = pyproj.Geod(ellps="WGS84")

#: (lon, lat) of the middle of the strait, degrees.
STRAIT_CENTER = (-168.9769, 65.75)

#: An equal-area projection centred on the strait (metres), for grids and figures.
STRAIT_CRS = pyproj.CRS.from_proj4(
    "+proj=laea +lat_0=65.75 +lon_0=-168.9769 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)

_TRANSFORMERS = threading.local()  # one pair per thread: app sessions run in threads


def strait_transformer(inverse: bool = False) -> pyproj.Transformer:
    """The lon/lat (degrees) → :data:`STRAIT_CRS` (metres) transformer, or the inverse one;
    made once per thread (app sessions run in threads) and reused."""
    pair = getattr(_TRANSFORMERS, "pair", None)
    if pair is None:
        pair = (pyproj.Transformer.from_crs("EPSG:4326", STRAIT_CRS, always_xy=True),
                pyproj.Transformer.from_crs(STRAIT_CRS, "EPSG:4326", always_xy=True))
        _TRANSFORMERS.pair = pair
    return pair[1 if inverse else 0]


def to_strait(lon, lat):
    """Longitude and latitude (degrees, WGS84) to :data:`STRAIT_CRS` x and y (metres).

    Scalars in, floats out; arrays in, arrays out. Longitudes may run past ±180.

    Examples
    --------
    >>> x, y = to_strait(*STRAIT_CENTER)
    >>> round(abs(x), 6), round(abs(y), 6)
    (0.0, 0.0)
    >>> x, y = to_strait(-168.9769 + 360.0, 66.75)   # same meridian, 1 degree north
    >>> abs(round(x, 3)), round(y / 1000, 1)          # equal-area: within 5 m of the geodesic
    (0.0, 111.5)
    """
    return strait_transformer().transform(lon, lat)


def from_strait(x, y):
    """:data:`STRAIT_CRS` x and y (metres) to longitude and latitude (degrees, WGS84), the
    inverse of :func:`to_strait` (longitudes in [-180, 180]).

    Examples
    --------
    >>> lon, lat = from_strait(*to_strait(-170.0, 65.0))
    >>> round(lon, 7), round(lat, 7)
    (-170.0, 65.0)
    """
    return strait_transformer(inverse=True).transform(x, y)


def normalize_lon(lon):
    """Wrap longitudes (degrees) into [-180, 180).

    Parameters
    ----------
    lon : float or array-like
        Longitudes in degrees, any range.

    Returns
    -------
    numpy.ndarray or float
        Longitudes in degrees, in [-180, 180).
    """
    arr = (np.asarray(lon, dtype="float64") + 180.0) % 360.0 - 180.0
    return float(arr) if arr.ndim == 0 else arr


def unwrap_lons(lons, reference: float | None = STRAIT_CENTER[0]):
    """Make a sequence of longitudes continuous (no jump larger than 180°).

    Parameters
    ----------
    lons : array-like
        Longitudes in degrees, in order along a line (any range: a line drawn on a
        wrapped copy of the world may have longitudes such as 191°).
    reference : float or None
        After unwrapping, the whole line is shifted by a multiple of 360° so that its
        mean longitude is as close as possible to ``reference`` (degrees). ``None`` keeps
        the first longitude in [-180, 180).

    Returns
    -------
    numpy.ndarray
        Continuous longitudes in degrees.
    """
    arr = np.asarray(lons, dtype="float64")
    if arr.size == 0:
        return arr
    first = normalize_lon(arr[0])
    steps = np.diff(arr)
    steps = (steps + 180.0) % 360.0 - 180.0
    out = np.concatenate([[first], first + np.cumsum(steps)])
    if reference is not None:
        shift = np.round((reference - out.mean()) / 360.0) * 360.0
        out = out + shift
    return out


def center_lons(lons, reference: float = STRAIT_CENTER[0]):
    """Shift independent longitudes (degrees) by multiples of 360° to lie within 180° of
    ``reference`` (degrees). Use for points; for lines use :func:`unwrap_lons`."""
    arr = np.asarray(lons, dtype="float64")
    return reference + ((arr - reference + 180.0) % 360.0 - 180.0)


def distance(lon1, lat1, lon2, lat2):
    """Geodesic distance(s) in metres between points given in degrees (vectorised)."""
    _, _, d = GEOD.inv(
        np.asarray(lon1, dtype="float64"),
        np.asarray(lat1, dtype="float64"),
        np.asarray(lon2, dtype="float64"),
        np.asarray(lat2, dtype="float64"),
    )
    return d


def leg_lengths(lons, lats) -> np.ndarray:
    """Geodesic length in metres of each leg of a polyline given in degrees."""
    lons = np.asarray(lons, dtype="float64")
    lats = np.asarray(lats, dtype="float64")
    if lons.size < 2:
        return np.zeros(0)
    return np.atleast_1d(distance(lons[:-1], lats[:-1], lons[1:], lats[1:]))


def geodesic_length(lons, lats) -> float:
    """Total geodesic length in metres of a polyline with vertices in degrees."""
    return float(leg_lengths(lons, lats).sum())


@dataclass(frozen=True)
class Densified:
    """Points along the geodesics of a polyline.

    Attributes
    ----------
    lons, lats : numpy.ndarray
        Degrees; longitudes continuous (unwrapped).
    chainage_m : numpy.ndarray
        Distance from the first vertex along the line, metres.
    leg : numpy.ndarray
        Index of the leg (0 = first vertex to second) each point lies on.
    """

    lons: np.ndarray
    lats: np.ndarray
    chainage_m: np.ndarray
    leg: np.ndarray


def densify(lons, lats, step_m: float) -> Densified:
    """Points every ``step_m`` metres (or closer) along each leg's geodesic.

    Vertices are always included; each leg is divided into equal parts no longer than
    ``step_m``. The last vertex of a leg is also the first of the next (kept once, on the
    later leg).

    Parameters
    ----------
    lons, lats : array-like
        Vertices in degrees.
    step_m : float
        Largest spacing between consecutive points, metres (> 0).

    Examples
    --------
    >>> d = densify([-169.0, -168.0], [65.7, 65.7], 10_000)
    >>> len(d.lons), round(float(d.chainage_m[-1]) / 1000, 2)
    (6, 45.94)
    """
    if not step_m > 0:
        raise ValueError("step_m must be positive")
    lons = unwrap_lons(lons, reference=None)
    lats = np.asarray(lats, dtype="float64")
    out_lon, out_lat, out_ch, out_leg = [], [], [], []
    start = 0.0
    for i in range(len(lons) - 1):
        length = float(distance(lons[i], lats[i], lons[i + 1], lats[i + 1]))
        n_seg = max(1, int(np.ceil(length / step_m)))
        if n_seg > 1:
            mid = GEOD.npts(lons[i], lats[i], lons[i + 1], lats[i + 1], n_seg - 1)
            mlon = np.array([p[0] for p in mid])
            mlat = np.array([p[1] for p in mid])
        else:
            mlon = mlat = np.zeros(0)
        seg_lon = np.concatenate([[lons[i]], mlon])
        seg_lat = np.concatenate([[lats[i]], mlat])
        # keep the intermediate longitudes on the same side as the leg's end points
        seg_lon = lons[i] + ((seg_lon - lons[i] + 180.0) % 360.0 - 180.0)
        out_lon.append(seg_lon)
        out_lat.append(seg_lat)
        out_ch.append(start + np.arange(n_seg) * (length / n_seg))
        out_leg.append(np.full(n_seg, i))
        start += length
    if len(lons):
        out_lon.append([lons[-1]])
        out_lat.append([lats[-1]])
        out_ch.append([start])
        out_leg.append([max(len(lons) - 2, 0)])
    return Densified(
        np.concatenate(out_lon) if out_lon else np.zeros(0),
        np.concatenate(out_lat) if out_lat else np.zeros(0),
        np.concatenate(out_ch) if out_ch else np.zeros(0),
        np.concatenate(out_leg).astype(int) if out_leg else np.zeros(0, int),
    )


def _crossing_lat(lon1, lat1, lon2, lat2, meridian) -> float:
    """Latitude (degrees) where the geodesic from 1 to 2 crosses ``meridian`` (continuous
    longitudes, degrees). Bisection along the geodesic to ~1 mm."""
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    lo, hi = 0.0, dist
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lon, lat, _ = GEOD.fwd(lon1, lat1, az, mid)
        lon = lon1 + ((lon - lon1 + 180.0) % 360.0 - 180.0)
        if (lon - meridian) * (lon1 - meridian) > 0:
            lo = mid
        else:
            hi = mid
    _, lat, _ = GEOD.fwd(lon1, lat1, az, 0.5 * (lo + hi))
    return float(lat)


def split_antimeridian(lons, lats) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cut a polyline at the antimeridian for RFC 7946 output.

    Parameters
    ----------
    lons, lats : array-like
        Vertices in degrees, any longitude range.

    Returns
    -------
    list of (lons, lats)
        One part per side; longitudes in [-180, 180]. A part ending on the antimeridian
        ends at exactly +180 or -180 and the next part starts on the opposite value, at
        the latitude where the geodesic crosses it.

    Examples
    --------
    >>> parts = split_antimeridian([179.0, -179.0], [66.0, 66.0])
    >>> [p[0].tolist() for p in parts]
    [[179.0, 180.0], [-180.0, -179.0]]
    """
    cont = unwrap_lons(lons, reference=None)
    lats = np.asarray(lats, dtype="float64")
    parts: list[tuple[list[float], list[float]]] = []
    cur_lon: list[float] = []
    cur_lat: list[float] = []
    for i in range(len(cont)):
        if i > 0:
            a, b = cont[i - 1], cont[i]
            k_a = np.floor((a + 180.0) / 360.0)
            k_b = np.floor((b + 180.0) / 360.0)
            if k_a != k_b:
                step = 1 if k_b > k_a else -1
                k = k_a
                while k != k_b:
                    meridian = 180.0 + 360.0 * (k if step > 0 else k - 1)
                    lat_x = _crossing_lat(a, lats[i - 1], b, lats[i], meridian)
                    edge = 180.0 if step > 0 else -180.0
                    cur_lon.append(edge)
                    cur_lat.append(lat_x)
                    parts.append((cur_lon, cur_lat))
                    cur_lon, cur_lat = [-edge], [lat_x]
                    k += step
        lon = float(normalize_lon(cont[i]))
        if cur_lon and cur_lon[-1] in (180.0, -180.0) and lon == -180.0 and cur_lon[-1] == 180.0:
            lon = 180.0
        cur_lon.append(lon)
        cur_lat.append(float(lats[i]))
    parts.append((cur_lon, cur_lat))
    return [(np.array(a), np.array(b)) for a, b in parts if len(a) >= 2]


def parse_lonlat(text) -> tuple[float, float] | None:
    """``"LON,LAT"`` (or ``"LON;LAT"``) text as (lon, lat) floats in degrees; ``None`` when the
    text is not two numbers (a place name, say). Ranges are the caller's to check.

    Examples
    --------
    >>> parse_lonlat(" -169.65, 66.08 "), parse_lonlat("177.5; 64.7"), parse_lonlat("Nome")
    ((-169.65, 66.08), (177.5, 64.7), None)
    """
    parts = [p.strip() for p in str(text).strip().replace(";", ",").split(",")]
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None
