"""The wide grid on which connecting railways are routed: square cells in metres.

:data:`LINK_CRS` is a Lambert azimuthal equal-area projection centred on 175°E, 64°N, the
middle of the wide-area data (lon 120°E–230°E, lat 50–75°N): areas are true everywhere,
and distances on the grid are within about 2.5 % of the ellipsoid's out to the data's
corners (scale factors 0.976 radially / 1.024 tangentially at 25° from the centre), never
the ~2.3× east–west stretch of a lon/lat grid at 64°N.

:func:`wide_surface` builds a :class:`Surface` on a window of that projection:

* **elevation** (m): ETOPO5 5′ relief (``geodata/wide``), sampled bilinearly at every cell
  centre (longitudes taken modulo 360, so the grid is continuous over 180°); negative
  values on land are set to 0;
* **allowed** cells: land from GSHHG high resolution (level 1 land and level 3 islands in
  lakes, minus level 2 lakes and level 4 ponds), decided at the cell centre — so the sea and
  every lake that covers a cell centre are forbidden — minus every cell that a no-go zone
  touches;
* **river** cells: cells touched by a *major* WDBII river (a river network of at least
  ``major_river_km`` inside the data; the rivers' own classes are not in the distribution
  used, see ``geodata/wide/PROVENANCE.md``).

Examples
--------
>>> s = Surface.synthetic([[0.0, 10.0], [20.0, 30.0]], cell_m=1000.0)
>>> s.shape, s.cell_m, bool(s.allowed.all())
((2, 2), 1000.0, True)
>>> s.xy_of((1, 0))
(500.0, -1500.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from mapapp.core.errors import DatasetError, InputError
from mapapp.link.data import WIDE_BOUNDS, wide_dir

__all__ = [
    "DEFAULT_CELL_M",
    "LINK_CRS",
    "MAJOR_RIVER_KM",
    "MAX_CELLS",
    "Surface",
    "to_lonlat",
    "to_xy",
    "wide_surface",
]

#: Equal-area projection of the wide-area data (metres).
LINK_CRS = pyproj.CRS.from_proj4(
    "+proj=laea +lat_0=64 +lon_0=175 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
#: Default cell side, metres (ETOPO5's 5′ is 9.3 km north–south, 3.5–5.4 km east–west here).
DEFAULT_CELL_M = 6000.0
#: Largest number of cells of one surface (memory and time grow with it).
MAX_CELLS = 1_500_000
#: A river network at least this long (km, inside the data) counts as a major river.
MAJOR_RIVER_KM = 500.0

ELEVATION_FILE = "etopo5_ne_asia_alaska_5arcmin.tif"
LAND_FILE = "gshhg_high_ne_asia_alaska.geojson"
RIVERS_FILE = "wdb_rivers_h_ne_asia_alaska.geojson"


def _tr(inverse: bool = False) -> pyproj.Transformer:
    if inverse:
        return pyproj.Transformer.from_crs(LINK_CRS, "EPSG:4326", always_xy=True)
    return pyproj.Transformer.from_crs("EPSG:4326", LINK_CRS, always_xy=True)


def to_xy(lon, lat):
    """Degrees -> :data:`LINK_CRS` metres (any longitude range).

    >>> [round(v) for v in to_xy(175.0, 64.0)]
    [0, 0]
    """
    x, y = _tr().transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return x, y


def to_lonlat(x, y):
    """:data:`LINK_CRS` metres -> degrees, longitudes in 0..360 (continuous over 180°).

    >>> lon, lat = to_lonlat(0.0, 0.0)
    >>> round(float(lon), 6), round(float(lat), 6)
    (175.0, 64.0)
    """
    lon, lat = _tr(True).transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    return np.mod(lon, 360.0), lat


@dataclass
class Surface:
    """A grid of square cells in a projected CRS.

    Attributes
    ----------
    elev : numpy.ndarray
        Elevation at each cell centre, metres (rows north to south).
    allowed : numpy.ndarray of bool
        Cells a path may use.
    river : numpy.ndarray of bool
        Cells on a major river (entering or leaving one is a river crossing).
    x0, y0 : float
        Projected coordinates (m) of the *centre* of cell (0, 0), the north-west corner.
    cell_m : float
        Cell side, metres.
    crs : pyproj.CRS or None
        The projection (None for synthetic surfaces: then coordinates are plain metres).
    notes : list of str
        What went into the surface (sources, choices).
    """

    elev: np.ndarray
    allowed: np.ndarray
    river: np.ndarray
    x0: float
    y0: float
    cell_m: float
    crs: object = None
    notes: list = field(default_factory=list)
    _graphs: dict = field(default_factory=dict, repr=False)

    @classmethod
    def synthetic(cls, elev, cell_m: float, allowed=None, river=None, x0: float | None = None,
                  y0: float | None = None) -> Surface:
        """A surface from arrays (tests, examples): no projection, cell (0, 0) centred at
        (cell_m/2, −cell_m/2) unless ``x0``/``y0`` are given."""
        elev = np.asarray(elev, dtype="float64")
        allowed = np.ones(elev.shape, bool) if allowed is None else np.asarray(allowed, bool)
        river = np.zeros(elev.shape, bool) if river is None else np.asarray(river, bool)
        return cls(elev, allowed, river, cell_m / 2 if x0 is None else x0,
                   -cell_m / 2 if y0 is None else y0, float(cell_m))

    @property
    def shape(self) -> tuple[int, int]:
        return self.elev.shape

    def xy_of(self, rc) -> tuple[float, float]:
        """Projected centre (m) of cell ``(row, col)``."""
        r, c = rc
        return self.x0 + c * self.cell_m, self.y0 - r * self.cell_m

    def xy_of_many(self, rc: np.ndarray) -> np.ndarray:
        """Projected centres (m) of an (n, 2) array of (row, col)."""
        rc = np.asarray(rc)
        return np.column_stack([self.x0 + rc[:, 1] * self.cell_m, self.y0 - rc[:, 0] * self.cell_m])

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The cell containing projected point (x, y), or None outside."""
        c = int(math.floor((x - self.x0) / self.cell_m + 0.5))
        r = int(math.floor((self.y0 - y) / self.cell_m + 0.5))
        if 0 <= r < self.shape[0] and 0 <= c < self.shape[1]:
            return r, c
        return None

    def nearest_allowed(self, x: float, y: float) -> tuple[tuple[int, int], float] | None:
        """The allowed cell whose centre is nearest (x, y), and that distance (m)."""
        rr, cc = np.nonzero(self.allowed)
        if rr.size == 0:
            return None
        cx = self.x0 + cc * self.cell_m
        cy = self.y0 - rr * self.cell_m
        d2 = (cx - x) ** 2 + (cy - y) ** 2
        k = int(np.argmin(d2))
        return (int(rr[k]), int(cc[k])), float(math.sqrt(d2[k]))


# ----------------------------------------------------------------------------- real data
@lru_cache(maxsize=1)
def _elevation() -> tuple[np.ndarray, tuple[float, float, float]]:
    """ETOPO5 array (rows north to south) and (west lon of column 0 centre, north lat of row 0
    centre, pixel size), degrees."""
    import rasterio

    path = wide_dir() / ELEVATION_FILE
    try:
        with rasterio.open(path) as src:
            arr = src.read(1).astype("float64")
            t = src.transform
            if src.nodata is not None:
                arr[arr == src.nodata] = np.nan
    except Exception as exc:  # rasterio raises several types
        raise DatasetError(f"wide-area relief {path} cannot be read ({exc}); restore "
                           "geodata/wide from the repository") from None
    return arr, (t.c + t.a / 2, t.f + t.e / 2, t.a)


def _sample_elev(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    from scipy.ndimage import map_coordinates

    arr, (lon0, lat0, px) = _elevation()
    col = (np.mod(lon, 360.0) - lon0) / px
    row = (lat0 - lat) / px
    out = map_coordinates(arr, [row.ravel(), col.ravel()], order=1, mode="constant", cval=np.nan)
    return out.reshape(lon.shape)


@lru_cache(maxsize=1)
def _projected_land() -> tuple:
    """GSHHG polygons projected to LINK_CRS, grouped by level: ((level, geoms), …)."""
    import pyogrio

    path = wide_dir() / LAND_FILE
    try:
        df = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise DatasetError(f"wide-area land {path} cannot be read ({exc}); restore "
                           "geodata/wide from the repository") from None
    tr = _tr()
    geoms = shapely.transform(df.geometry.values, lambda c: np.column_stack(
        tr.transform(c[:, 0], c[:, 1])))
    levels = df["level"].to_numpy()
    return tuple((lv, tuple(geoms[levels == lv])) for lv in (1, 2, 3, 4))


@lru_cache(maxsize=4)
def _projected_rivers(major_km: float) -> tuple:
    import pyogrio

    path = wide_dir() / RIVERS_FILE
    try:
        df = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise DatasetError(f"wide-area rivers {path} cannot be read ({exc}); restore "
                           "geodata/wide from the repository") from None
    df = df[df["network_km"] >= major_km]
    tr = _tr()
    geoms = shapely.transform(df.geometry.values, lambda c: np.column_stack(
        tr.transform(c[:, 0], c[:, 1])))
    return tuple(geoms)


def _burn(shapes_values, shape, transform, all_touched: bool) -> np.ndarray:
    from rasterio.features import rasterize

    items = [(g, v) for g, v in shapes_values if g is not None and not g.is_empty]
    if not items:
        return np.zeros(shape, dtype="uint8")
    return rasterize(items, out_shape=shape, transform=transform, fill=0,
                     all_touched=all_touched, dtype="uint8")


def _data_window() -> tuple[float, float, float, float]:
    """Projected bounding box (m) of the wide-area data's lon/lat box."""
    w, s, e, n = WIDE_BOUNDS
    lons = np.concatenate([np.linspace(w, e, 200), np.full(50, e), np.linspace(e, w, 200),
                           np.full(50, w)])
    lats = np.concatenate([np.full(200, s), np.linspace(s, n, 50), np.full(200, n),
                           np.linspace(n, s, 50)])
    x, y = to_xy(lons, lats)
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def wide_surface(box_xy, cell_m: float = DEFAULT_CELL_M, no_go=(),
                 major_river_km: float = MAJOR_RIVER_KM) -> Surface:
    """The routing surface over a projected window.

    Parameters
    ----------
    box_xy : (xmin, ymin, xmax, ymax)
        Window in :data:`LINK_CRS` metres (clipped to the data).
    cell_m : float
        Cell side, metres (1,000–50,000).
    no_go : sequence of shapely polygons
        Zones in lon/lat degrees (any longitude range); every cell they touch is forbidden.
    major_river_km : float
        Smallest river-network length (km) that counts as a major river.

    Raises
    ------
    InputError
        A cell size out of range, or a window with too many cells.
    """
    from rasterio.transform import from_origin

    try:
        cell_m = float(cell_m)
    except (TypeError, ValueError):
        raise InputError(f"cell size must be a number of metres, got {cell_m!r}") from None
    if not 1000.0 <= cell_m <= 50_000.0:
        raise InputError(f"cell size must be between 1,000 and 50,000 m, got {cell_m:g}")
    dx0, dy0, dx1, dy1 = _data_window()
    x0, y0, x1, y1 = box_xy
    x0, y0, x1, y1 = max(x0, dx0), max(y0, dy0), min(x1, dx1), min(y1, dy1)
    if x1 <= x0 or y1 <= y0:
        raise InputError("the points lie outside the wide-area data (lon 120°E–230°E, "
                         "lat 50–75°N)")
    ncol = int(math.ceil((x1 - x0) / cell_m))
    nrow = int(math.ceil((y1 - y0) / cell_m))
    if nrow * ncol > MAX_CELLS:
        raise InputError(f"the window needs {nrow * ncol:,} cells of {cell_m:,.0f} m (at most "
                         f"{MAX_CELLS:,}): use larger cells")
    transform = from_origin(x0, y1, cell_m, cell_m)
    cx = x0 + (np.arange(ncol) + 0.5) * cell_m
    cy = y1 - (np.arange(nrow) + 0.5) * cell_m
    gx, gy = np.meshgrid(cx, cy)
    lon, lat = to_lonlat(gx, gy)
    elev = _sample_elev(lon, lat)
    inside = (lat >= WIDE_BOUNDS[1]) & (lat <= WIDE_BOUNDS[3]) & (lon >= WIDE_BOUNDS[0]) & (
        lon <= WIDE_BOUNDS[2]) & np.isfinite(elev)
    box = shapely.box(x0, y0, x1, y1)
    land_levels = _projected_land()
    # levels burnt in order 1, 2, 3, 4: a lake (2) inside land (1) overwrites it, an island
    # (3) in the lake overwrites that, a pond (4) on the island overwrites that
    land = np.zeros((nrow, ncol), dtype="uint8")
    for level in (1, 2, 3, 4):
        value = 1 if level in (1, 3) else 2
        geoms = [g for lv, gs in land_levels if lv == level for g in gs if g.intersects(box)]
        burnt = _burn([(g, 1) for g in geoms], (nrow, ncol), transform, False)
        land[burnt == 1] = value
    allowed = (land == 1) & inside
    rivers = [g for g in _projected_rivers(float(major_river_km)) if g.intersects(box)]
    river = _burn([(g, 1) for g in rivers], (nrow, ncol), transform, True).astype(bool) & allowed
    if no_go:
        tr = _tr()
        zones = [shapely.transform(z, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
                 for z in no_go]
        blocked = _burn([(z, 1) for z in zones], (nrow, ncol), transform, True).astype(bool)
        allowed &= ~blocked
    elev = np.where(allowed, np.maximum(np.nan_to_num(elev, nan=0.0), 0.0), np.nan_to_num(elev))
    notes = [
        f"cells {cell_m / 1000:g} km square in LAEA 175°E 64°N; {nrow} × {ncol}",
        "relief ETOPO5 5′ (bilinear at cell centres); land GSHHG 2.3.6 high (cell centres), "
        "lakes forbidden",
        f"major rivers: WDBII networks ≥ {major_river_km:g} km (cells touched)",
    ]
    return Surface(elev, allowed, river, float(cx[0]), float(cy[0]), cell_m, LINK_CRS, notes)
