"""Print-quality report figures (PNG, PDF, SVG) drawn with matplotlib, no browser.

The map is drawn in :data:`mapapp.core.geodesy.STRAIT_CRS`, a Lambert azimuthal equal-area
projection centred on the strait: areas are true everywhere, distances and directions are
true only at the centre. Therefore

* the **scale bar** is computed where it is drawn: its projected length is solved so that
  the geodesic (WGS84) distance between its two end points equals the round length it is
  labelled with;
* the **north arrow** points to true north at the point where it is drawn (the meridian
  there is turned by the grid convergence, about ±2.7° at 3° of longitude from the centre).

:func:`render_report` returns the file's bytes (for a download button) and can also return
a :class:`ReportLayout` describing what was drawn (scale bar end points, north arrow, texts)
so tests can check the geometry independently.

Examples
--------
>>> from mapapp.data.bathymetry import open_grid
>>> from mapapp.routes.route import Route
>>> r = Route.from_coords("demo", "Demo", [(-169.6519, 66.0792), (-168.0847, 65.5964)])
>>> opts = ReportOptions(dpi=50, size_in=(8, 6))
>>> png, lay = render_report([r], open_grid(), opts, return_layout=True)
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", lay.scale_bar_km in (10, 20, 25, 50)
(True, True)
>>> ReportOptions(dpi=1200)
Traceback (most recent call last):
...
mapapp.core.errors.InputError: DPI 1200 is out of range: choose 30–600
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import textwrap
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.files import atomic_write
from mapapp.core.geodesy import GEOD, STRAIT_CENTER, STRAIT_CRS, densify, from_strait, to_strait
from mapapp.data import catalogue
from mapapp.data.coastline import SOURCES, load_land
from mapapp.data.context import load_lines, load_places
from mapapp.economics.claims import claim_texts
from mapapp.engineering.profile import sample_profile
from mapapp.engineering.tunnel import TunnelResult
from mapapp.io.export import route_colour
from mapapp.render.linkmap import draw_link_inset
from mapapp.render.overlay import get_cmap
from mapapp.routes.metrics import route_metrics

__all__ = [
    "FORMATS",
    "MAX_DPI",
    "MIN_DPI",
    "ReportLayout",
    "ReportOptions",
    "build_figure",
    "parse_bbox",
    "render_report",
]

#: Output formats.
FORMATS = ("png", "pdf", "svg")
#: Largest DPI accepted (a 10 × 8 in figure at 600 DPI is 6000 × 4800 px).
MAX_DPI = 600
MIN_DPI = 30


_PROJ_LABEL = (
    f"Lambert azimuthal equal-area centred {STRAIT_CENTER[1]:.2f}°N "
    f"{abs(STRAIT_CENTER[0]):.2f}°W"
)


@dataclass
class ReportLayout:
    """What :func:`build_figure` drew, in projected metres of ``crs`` unless stated.

    Attributes
    ----------
    crs : pyproj.CRS
        The map projection (:data:`~mapapp.core.geodesy.STRAIT_CRS`).
    extent : tuple
        (xmin, xmax, ymin, ymax) of the map axes, metres.
    bbox : tuple
        (west, south, east, north) in degrees enclosing the map.
    scale_bar_xy : tuple
        ((x0, y0), (x1, y1)): the drawn bar's end points (its base line), metres.
    scale_bar_km : float
        The length the bar is labelled with, km.
    north_xy, north_tip_xy : tuple
        Tail and tip of the north arrow, metres.
    north_angle_deg : float
        Direction of the arrow, degrees clockwise from the map's up (grid north).
    figsize_in : tuple
        Figure size (width, height), inches.
    dpi : int
    texts : list of str
        Every text drawn (title, subtitle, labels, legend entries, attribution).
    legend : list of str
        Legend entries.
    attributions : list of str
        One line per data source.
    notes : list of str
        Layers left out and why.
    """

    crs: object
    extent: tuple
    bbox: tuple
    scale_bar_xy: tuple = ()
    scale_bar_km: float = 0.0
    north_xy: tuple = ()
    north_tip_xy: tuple = ()
    north_angle_deg: float = 0.0
    figsize_in: tuple = ()
    dpi: int = 0
    texts: list = field(default_factory=list)
    legend: list = field(default_factory=list)
    attributions: list = field(default_factory=list)
    notes: list = field(default_factory=list)


# --------------------------------------------------------------------------- inputs
def parse_bbox(text) -> tuple[float, float, float, float]:
    """A figure's box: :func:`mapapp.data.catalogue.parse_bbox` (west > east crosses 180° and
    comes back unwrapped, east + 360), at most 60° × 40°.

    >>> parse_bbox("-171,65,-167,66.5")
    (-171.0, 65.0, -167.0, 66.5)
    """
    west, south, east, north = catalogue.parse_bbox(text, cross_180=True)
    if east - west > 60 or north - south > 40:
        raise InputError("bounding box is too large for a strait map: keep it within 60° × 40°")
    return (west, south, east, north)


def _check_format(fmt) -> str:
    if fmt not in FORMATS:
        raise InputError(f"figure format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


@dataclass(frozen=True)
class ReportOptions:
    """How the report figure looks: one value for :func:`build_figure` and
    :func:`render_report`, checked when it is made.

    Attributes
    ----------
    dpi : int
        Dots per inch, :data:`MIN_DPI`–:data:`MAX_DPI` (30–600); a PNG is ``dpi × size_in``
        pixels.
    size_in : (float, float)
        Figure width and height, inches: width 6–40, height 4.5–40.
    title : str, optional
        Defaults to "Bering Strait crossing: <route names>".
    bbox : (W, S, E, N) or "W,S,E,N", optional
        Map extent, degrees (west > east crosses 180°; see :func:`parse_bbox`), at most
        60° × 40°; default: the routes' extent with a margin. Kept as given; :attr:`box` is
        the parsed box.
    profile, metrics_table : bool
        Add the seabed/tunnel profile panel and the metrics table.
    places : bool
        Draw places, the maritime boundary and the date line.
    map_style : mapapp.render.mapview.MapSettings, optional
        The web map's style, for the map *as seen*: its colormap, colour range (elevation,
        m), isobath interval, coastline (overrides ``land_source``) and whether the routes
        are in the legend. Hillshade, opacity and basemap tiles are not drawn in figures.
    selected : str, optional
        Id of the selected route: drawn thicker and marked "(selected)" in the legend.
    land_source : {"gshhg", "osm"}
        Coastline drawn (and attributed).
    date : datetime.date or str, optional
        Date printed in the subtitle (default: the day the figure is drawn).

    Raises
    ------
    InputError
        DPI not a whole number or out of range, size out of range, bad bounding box, unknown
        coastline.
    """

    dpi: int = 200
    size_in: tuple[float, float] = (10.0, 8.0)
    title: str | None = None
    bbox: tuple | str | None = None
    profile: bool = False
    metrics_table: bool = False
    places: bool = True
    map_style: object = None  # a mapapp.render.mapview.MapSettings (mapview imports this module)
    selected: str | None = None
    land_source: str = "gshhg"
    date: _dt.date | str | None = None

    def __post_init__(self):
        dpi = self.dpi
        try:
            dpi_ok = not isinstance(dpi, bool) and float(dpi) == int(dpi)
        except (TypeError, ValueError, OverflowError):
            dpi_ok = False
        if not dpi_ok:
            raise InputError(f"DPI must be a whole number, got {dpi!r}")
        if not MIN_DPI <= int(dpi) <= MAX_DPI:
            raise InputError(f"DPI {dpi} is out of range: choose {MIN_DPI}–{MAX_DPI}")
        try:
            w, h = (float(v) for v in self.size_in)
        except (TypeError, ValueError):
            raise InputError(f"figure size {self.size_in!r} must be two numbers (width, "
                             "height) in inches, e.g. (10, 8)") from None
        if not (6 <= w <= 40 and 4.5 <= h <= 40):
            raise InputError(
                f"figure size {w:g} × {h:g} in is out of range: width 6–40 in, height 4.5–40 in"
            )
        if self.land_source not in SOURCES:
            raise InputError(f"coastline {self.land_source!r} is not one of "
                             f"{', '.join(SOURCES)}")
        if self.bbox is not None:
            parse_bbox(self.bbox)  # refuse a bad box now, not halfway through a drawing
        object.__setattr__(self, "dpi", int(dpi))
        object.__setattr__(self, "size_in", (w, h))

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        """:attr:`bbox` parsed: (west, south, east, north), degrees, or None."""
        return None if self.bbox is None else parse_bbox(self.bbox)


#: The names of :class:`ReportOptions`' fields, also accepted as keywords by
#: :func:`build_figure` and :func:`render_report` (the call form of callers not yet moved).
_OPTION_NAMES = frozenset(f.name for f in fields(ReportOptions))


def _options(options, legacy: dict, caller: str) -> ReportOptions:
    """``options`` with any figure keywords of the old call form applied."""
    unknown = sorted(set(legacy) - _OPTION_NAMES)
    if unknown:
        raise TypeError(f"{caller}() got an unexpected keyword argument {unknown[0]!r}")
    if options is None:
        return ReportOptions(**legacy)
    if not isinstance(options, ReportOptions):
        raise TypeError(f"{caller}() takes a ReportOptions, not {type(options).__name__}")
    return replace(options, **legacy) if legacy else options


# --------------------------------------------------------------------------- geometry
def _project(lons, lats):
    x, y = to_strait(np.asarray(lons, "float64"), np.asarray(lats, "float64"))
    return np.asarray(x), np.asarray(y)


def _unproject(x, y):
    lon, lat = from_strait(np.asarray(x, "float64"), np.asarray(y, "float64"))
    return np.asarray(lon), np.asarray(lat)


def _ring(x0, x1, y0, y1, n=50):
    t = np.linspace(0, 1, n)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(n, x1), x1 - (x1 - x0) * t, np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + (y1 - y0) * t, np.full(n, y1), y1 - (y1 - y0) * t])
    return xs, ys


def _extent_for(routes, bbox, aspect: float):
    """Projected extent (xmin, xmax, ymin, ymax) with width/height == ``aspect``."""
    if bbox is not None:
        west, south, east, north = bbox
        lons, lats = _ring(west, east, south, north)
        xs, ys = _project(lons, lats)
        pad = 0.0
    elif routes:
        xs, ys = [], []
        for r in routes:
            d = densify(r.lons, r.lats, 2000.0)
            x, y = _project(d.lons, d.lats)
            xs.append(x)
            ys.append(y)
        xs, ys = np.concatenate(xs), np.concatenate(ys)
        pad = None
    else:
        xs, ys = _project(*_ring(-170.5, -167.3, 65.3, 66.3))
        pad = 0.0
    xmin, xmax, ymin, ymax = xs.min(), xs.max(), ys.min(), ys.max()
    if pad is None:  # around routes: some context, at least 120 km × 90 km
        span = max(xmax - xmin, ymax - ymin)
        pad = max(0.2 * span, 20_000.0)
        xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
        cx, cy = 0.5 * (xmin + xmax), 0.5 * (ymin + ymax)
        w, h = max(xmax - xmin, 120_000.0), max(ymax - ymin, 90_000.0)
        xmin, xmax, ymin, ymax = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    cx, cy = 0.5 * (xmin + xmax), 0.5 * (ymin + ymax)
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)


def _lonlat_bounds(extent, margin_deg=0.1):
    """(west, south, east, north) degrees around a projected extent; longitudes continuous
    around the extent's centre (east may exceed 180 for a map across the antimeridian)."""
    lons, lats = _unproject(*_ring(extent[0], extent[1], extent[2], extent[3]))
    c_lon, _ = _unproject([0.5 * (extent[0] + extent[1])], [0.5 * (extent[2] + extent[3])])
    lons = c_lon[0] + ((lons - c_lon[0] + 180.0) % 360.0 - 180.0)
    return (
        float(lons.min() - margin_deg),
        float(max(lats.min() - margin_deg, -90)),
        float(lons.max() + margin_deg),
        float(min(lats.max() + margin_deg, 90)),
    )


def _nice_length_km(target_km: float) -> float:
    """The largest 1-2-2.5-5 × 10^k km not above ``target_km``."""
    exp = math.floor(math.log10(target_km))
    best = 10.0**exp
    for m in (1, 2, 2.5, 5, 10):
        if m * 10.0**exp <= target_km:
            best = m * 10.0**exp
    return best


def _geodesic_between(x0, y0, x1, y1) -> float:
    (lon0, lon1), (lat0, lat1) = _unproject([x0, x1], [y0, y1])
    return float(GEOD.inv(lon0, lat0, lon1, lat1)[2])


def solve_scale_bar(x0: float, y0: float, length_m: float) -> float:
    """Projected x of the end of a horizontal bar starting at (x0, y0) whose end points
    are ``length_m`` metres apart on the ellipsoid (secant iterations to < 1 mm)."""
    d = length_m
    for _ in range(20):
        g = _geodesic_between(x0, y0, x0 + d, y0)
        if abs(g - length_m) < 1e-3:
            break
        d *= length_m / g
    return x0 + d


def true_north_angle(x: float, y: float) -> float:
    """Direction of true north at projected (x, y), degrees clockwise from grid north."""
    lon, lat = _unproject([x], [y])
    lat0 = float(lat[0])
    dlat = 1e-4 if lat0 < 89.9 else -1e-4
    x2, y2 = _project([lon[0]], [lat0 + dlat])
    ang = math.degrees(math.atan2(float(x2[0]) - x, float(y2[0]) - y))
    return ang if dlat > 0 else ang - 180.0


# --------------------------------------------------------------------------- text helpers
def _halo(width=2.5, colour="white"):
    """A white outline for lines (patheffects)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground=colour)]


def _backdrop(alpha=0.7, pad=0.12):
    """A faint box behind a label. Used instead of a stroked halo, which would turn SVG/PDF
    text into glyph outlines."""
    return {"boxstyle": f"round,pad={pad}", "fc": "white", "ec": "none", "alpha": alpha}


def _dm(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    v = abs(value)
    deg = math.floor(v + 1e-9)
    minutes = round((v - deg) * 60)
    if minutes == 60:
        deg, minutes = deg + 1, 0
    return f"{deg}°{minutes:02d}′{hemi}" if minutes else f"{deg}°{hemi}"


def _lon_label(lon: float) -> str:
    lon = (lon + 180.0) % 360.0 - 180.0
    if abs(abs(lon) - 180.0) < 1e-9:
        return "180°"
    return _dm(lon, "E", "W")


def _step(span: float, choices) -> float:
    for c in choices:
        if span / c <= 6:
            return c
    return choices[-1]


# --------------------------------------------------------------------------- layers
def _draw_bathymetry(ax, grid, extent, px_width, lay, style=None):
    """Depth (m) warped into the map projection; returns the image (or None).

    Without ``style``: depth below sea level in cmocean "deep" from 0 m to the deepest value,
    isobaths every 10 m (or a round step). With the web map's ``style``
    (:class:`mapapp.render.mapview.MapSettings`): elevation in its colormap and colour range
    (default: the data range, capped at 0 m, as on the map) and its isobath interval (none
    when 0), so the figure's map looks like the map as seen."""
    import cmocean
    import rasterio.warp
    from rasterio.crs import CRS as RioCRS
    from rasterio.enums import Resampling
    from rasterio.transform import from_bounds

    xmin, xmax, ymin, ymax = extent
    ll = _lonlat_bounds(extent, margin_deg=max(grid.info.res) * 2)
    try:
        src = grid.read_bbox(ll, max_size=2048)
    except InputError:
        lay.notes.append("bathymetry: the map lies outside the grid")
        return None
    nx = int(min(max(px_width, 200), 1600))
    ny = max(1, round(nx * (ymax - ymin) / (xmax - xmin)))
    dst = np.full((ny, nx), np.nan, dtype="float32")
    rasterio.warp.reproject(
        source=src.data.astype("float32"),
        destination=dst,
        src_transform=src.transform,
        src_crs=src.crs,
        src_nodata=np.nan,
        dst_transform=from_bounds(xmin, ymin, xmax, ymax, nx, ny),
        dst_crs=RioCRS.from_wkt(STRAIT_CRS.to_wkt()),
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )  # GDAL approximates the transformation to within 1/8 of a source pixel
    if not np.isfinite(dst).any():
        lay.notes.append("bathymetry: no valid values in the map area")
        return None
    depth = np.clip(-dst, 0.0, None)
    vmax = max(10.0, math.ceil(float(np.nanmax(depth)) / 10.0) * 10.0)
    if style is not None:

        lo = float(np.nanmin(dst)) if style.vmin is None else float(style.vmin)
        hi = 0.0 if style.vmax is None else float(style.vmax)
        img = ax.imshow(dst, extent=(xmin, xmax, ymin, ymax), origin="upper",
                        cmap=get_cmap(style.cmap), vmin=lo, vmax=hi, interpolation="nearest",
                        zorder=1)
    else:
        img = ax.imshow(
            depth,
            extent=(xmin, xmax, ymin, ymax),
            origin="upper",
            cmap=cmocean.cm.deep,
            vmin=0.0,
            vmax=vmax,
            interpolation="nearest",
            zorder=1,
        )
    xs = np.linspace(xmin, xmax, nx)
    ys = np.linspace(ymax, ymin, ny)
    step = 10.0 if vmax <= 120 else _nice_length_km(vmax / 6)
    if style is not None:
        step = float(style.isobath_interval) or vmax + 1.0  # 0: no isobaths
    levels = np.arange(step, vmax, step)
    if levels.size and np.isfinite(depth).sum() > 4:
        ax.contour(xs, ys, depth, levels=levels, colors="white", linewidths=0.35, alpha=0.55,
                   zorder=2)
    return img


def _draw_land(ax, extent, land_source, lay):
    import geopandas as gpd
    from shapely.geometry import box


    try:
        land = load_land(land_source)
    except DatasetError as exc:
        lay.notes.append(f"land: {exc}")
        return False
    w, s, e, n = _lonlat_bounds(extent, margin_deg=0.3)
    clipped = gpd.clip(land, box(w, s, e, n))
    if clipped.empty:
        return True
    proj = clipped.to_crs(STRAIT_CRS)
    proj.plot(ax=ax, facecolor="#efe6d2", edgecolor="#4d4d4d", linewidth=0.45, zorder=3,
              aspect=None)
    return True


def _draw_graticule(ax, extent, lay):
    xmin, xmax, ymin, ymax = extent
    w, s, e, n = _lonlat_bounds(extent, margin_deg=0.0)
    lon_step = _step(e - w, (0.25, 0.5, 1.0, 2.0, 5.0))
    lat_step = _step(n - s, (0.1, 0.25, 0.5, 1.0, 2.0))
    xt, xl, yt, yl = [], [], [], []
    for lon in np.arange(math.ceil(w / lon_step) * lon_step, e + 1e-9, lon_step):
        lats = np.linspace(s - 1, n + 1, 200)
        x, y = _project(np.full_like(lats, lon), lats)
        ax.plot(x, y, color="#555555", lw=0.35, alpha=0.6, zorder=4)
        if y.min() <= ymin <= y.max():
            xb = float(np.interp(ymin, y, x))
            if xmin < xb < xmax:
                xt.append(xb)
                xl.append(_lon_label(lon))
    for lat in np.arange(math.ceil(s / lat_step) * lat_step, n + 1e-9, lat_step):
        lons = np.linspace(w - 2, e + 2, 200)
        x, y = _project(lons, np.full_like(lons, lat))
        ax.plot(x, y, color="#555555", lw=0.35, alpha=0.6, zorder=4)
        order = np.argsort(x)
        if x.min() <= xmin <= x.max():
            yb = float(np.interp(xmin, x[order], y[order]))
            if ymin < yb < ymax:
                yt.append(yb)
                yl.append(_dm(lat, "N", "S"))
    ax.set_xticks(xt, xl)
    ax.set_yticks(yt, yl)
    ax.tick_params(labelsize=7, length=3, direction="out", pad=2)
    lay.texts.extend(xl + yl)


def _draw_context(ax, extent, lay, handles):
    from matplotlib.lines import Line2D


    try:
        places, lines = load_places(), load_lines()
    except DatasetError as exc:
        lay.notes.append(f"places and lines: {exc}")
        return []
    styles = {
        "date_line": {"color": "#7a7a7a", "lw": 3.2, "alpha": 0.45, "ls": "-", "zorder": 4.5},
        "maritime_boundary": {"color": "#8b1a1a", "lw": 1.1, "ls": (0, (6, 3)), "zorder": 4.6},
    }
    for kind, style in styles.items():
        sel = lines[lines["kind"] == kind]
        for geom in sel.geometry:
            for part in getattr(geom, "geoms", [geom]):
                lon, lat = np.asarray(part.coords).T[:2]
                d = densify(lon, lat, 2000.0)
                ax.plot(*_project(d.lons, d.lats), **style)
        if not sel.empty:
            label = str(sel["name"].iloc[0])
            handles.append(Line2D([], [], label=label, **{k: v for k, v in style.items()
                                                           if k != "zorder"}))
    xmin, xmax, ymin, ymax = extent
    x, y = _project(places.geometry.x.values, places.geometry.y.values)
    inside = (x > xmin) & (x < xmax) & (y > ymin) & (y < ymax)
    if inside.any():
        ax.plot(x[inside], y[inside], ls="none", marker="o", ms=3.2, mfc="black", mec="white",
                mew=0.6, zorder=7)
        handles.append(Line2D([], [], ls="none", marker="o", ms=3.2, mfc="black", mec="white",
                              label="Place (labelled where room)"))
    priority = {"island": 0, "cape": 1, "settlement": 2}
    items = sorted(
        (
            (priority.get(str(k), 3), str(nm), float(xx), float(yy))
            for nm, k, xx, yy, ok in zip(places["name"], places["kind"], x, y, inside, strict=True)
            if ok
        ),
    )
    return [(nm, xx, yy) for _, nm, xx, yy in items]


def _place_labels(ax, fig, labels, occupied):
    """Greedy placement of point labels: first candidate offset that overlaps nothing."""
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    placed = []
    offsets = [(5, 0, "left", "center"), (-5, 0, "right", "center"), (0, 5, "center", "bottom"),
               (0, -5, "center", "top"), (4, 4, "left", "bottom"), (-4, 4, "right", "bottom"),
               (4, -4, "left", "top"), (-4, -4, "right", "top")]
    for name, x, y in labels:
        if x < 0:  # west of the centre: try the left side first
            order = [offsets[1], offsets[0], *offsets[2:]]
        else:
            order = offsets
        for dx, dy, ha, va in order:
            t = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                            va=va, fontsize=6.5, zorder=8, bbox=_backdrop(0.6, 0.08))
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = (bb.x0 >= axbox.x0 and bb.x1 <= axbox.x1 and bb.y0 >= axbox.y0
                      and bb.y1 <= axbox.y1)
            if inside and not any(bb.overlaps(o) for o in occupied):
                occupied.append(bb)
                placed.append(name)
                break
            t.remove()
    return placed


def _draw_routes(ax, routes, extent, handles, selected=None, legend=True):
    """Each route in its map colour; the ``selected`` one (an id) thicker and marked
    "(selected)" in the legend, as on the web map; ``legend=False`` leaves the routes out of
    the legend (their names stay as labels on the map)."""
    from matplotlib.lines import Line2D


    label_at = []
    for i, route in enumerate(routes):
        colour = route_colour(route, i)
        lw = 3.2 if route.id == selected else 2.2
        d = densify(route.lons, route.lats, 1000.0)
        x, y = _project(d.lons, d.lats)
        ax.plot(x, y, color=colour, lw=lw, zorder=6, solid_capstyle="round",
                path_effects=_halo(lw + 1.8))
        wx, wy = _project(route.lons, route.lats)
        ax.plot(wx, wy, ls="none", marker="o", ms=4, mfc="white", mec=colour, mew=1.3, zorder=6.5)
        if legend:
            name = f"{route.name} (selected)" if route.id == selected else route.name
            handles.append(Line2D([], [], color=colour, lw=lw, label=name))
        # candidate anchors along the route, the preferred fraction first
        pref = 0.5 if len(routes) == 1 else 0.25 + 0.5 * i / (len(routes) - 1)
        fracs = sorted(np.linspace(0.1, 0.9, 17), key=lambda f: abs(f - pref))
        anchors = []
        for f in [pref, *fracs]:
            k = int(np.clip(np.searchsorted(d.chainage_m, f * d.chainage_m[-1]), 0, len(x) - 1))
            anchors.append((float(x[k]), float(y[k])))
        label_at.append((short_label(route.name), anchors, colour))
    return label_at


def _draw_route_labels(ax, fig, label_at, occupied):
    """Each route's short name next to the route, where it overlaps no other label (tried
    at several points along the route and on each side; the preferred spot otherwise)."""
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    offsets = ((8, 8), (8, -8), (-8, 8), (-8, -8))
    for name, anchors, colour in label_at:
        placed = None
        for x, y in anchors:
            for dx, dy in offsets:
                t = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points",
                                ha="left" if dx > 0 else "right",
                                va="bottom" if dy >= 0 else "top", fontsize=7.5,
                                fontweight="bold", color=colour, zorder=9, bbox=_backdrop(0.75))
                bb = t.get_window_extent(renderer).expanded(1.08, 1.3)
                inside = axbox.x0 <= bb.x0 and bb.x1 <= axbox.x1 and axbox.y0 <= bb.y0 \
                    and bb.y1 <= axbox.y1
                if inside and not any(bb.overlaps(o) for o in occupied):
                    placed = bb
                    break
                t.remove()
            if placed is not None:
                break
        if placed is None:
            x, y = anchors[0]
            t = ax.annotate(name, (x, y), xytext=(8, 8), textcoords="offset points", fontsize=7.5,
                            fontweight="bold", color=colour, zorder=9, bbox=_backdrop(0.75))
            placed = t.get_window_extent(renderer)
        occupied.append(placed)


def _draw_scale_bar(ax, extent, lay):
    from matplotlib.patches import Rectangle

    xmin, xmax, ymin, ymax = extent
    x0 = xmin + 0.04 * (xmax - xmin)
    y0 = ymin + 0.06 * (ymax - ymin)
    target = _geodesic_between(x0, y0, x0 + 0.25 * (xmax - xmin), y0) / 1000.0
    length_km = _nice_length_km(target)
    x1 = solve_scale_bar(x0, y0, length_km * 1000.0)
    h = 0.012 * (ymax - ymin)
    xm = solve_scale_bar(x0, y0, length_km * 500.0)
    pad_x, pad_y = 0.015 * (xmax - xmin), 0.02 * (ymax - ymin)
    ax.add_patch(Rectangle((x0 - pad_x, y0 - pad_y), (x1 - x0) + 2.6 * pad_x, h + 3.4 * pad_y,
                           facecolor="white", alpha=0.75, edgecolor="none", zorder=9))
    left = Rectangle((x0, y0), xm - x0, h, facecolor="black", edgecolor="black", lw=0.6, zorder=10)
    right = Rectangle((xm, y0), x1 - xm, h, facecolor="white", edgecolor="black", lw=0.6,
                      zorder=10)
    ax.add_patch(left)
    ax.add_patch(right)
    for xx, txt in ((x0, "0"), (xm, f"{length_km / 2:g}"), (x1, f"{length_km:g} km")):
        ax.text(xx, y0 + h + 0.006 * (ymax - ymin), txt, ha="center", va="bottom", fontsize=7,
                zorder=10)
        lay.texts.append(txt)
    # the drawn bar's base line, read back from the artists
    bx0, by0 = left.get_x(), left.get_y()
    bx1 = right.get_x() + right.get_width()
    lay.scale_bar_xy = ((float(bx0), float(by0)), (float(bx1), float(by0)))
    lay.scale_bar_km = float(length_km)


def _draw_north_arrow(ax, extent, lay):
    xmin, xmax, ymin, ymax = extent
    x = xmin + 0.94 * (xmax - xmin)
    y = ymin + 0.80 * (ymax - ymin)
    ang = true_north_angle(x, y)
    length = 0.09 * (ymax - ymin)
    tip = (x + length * math.sin(math.radians(ang)), y + length * math.cos(math.radians(ang)))
    arrow = ax.annotate("", xy=tip, xytext=(x, y), zorder=10,
                        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.8",
                                        "lw": 1.6, "color": "black", "shrinkA": 0, "shrinkB": 0})
    ax.annotate("N", tip, xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                fontsize=9, fontweight="bold", zorder=10, bbox=_backdrop(0.6, 0.05))
    ax.annotate("true north", (x, y), xytext=(0, -3), textcoords="offset points", ha="center",
                va="top", fontsize=6, zorder=10, bbox=_backdrop(0.6, 0.05))
    lay.texts.extend(["N", "true north"])
    (tx, ty), (hx, hy) = arrow.xyann, arrow.xy
    lay.north_xy = (float(tx), float(ty))
    lay.north_tip_xy = (float(hx), float(hy))
    lay.north_angle_deg = math.degrees(math.atan2(hx - tx, hy - ty))


def _attributions(grid, land_source, context_used) -> list[str]:

    info = grid.info
    bathy = f"Bathymetry: {info.name}"
    extra = info.citation or info.source
    if extra:
        bathy += f" — {extra}"
    if info.licence:
        bathy += f"; {info.licence}"
    lines = [bathy + ".", SOURCES[land_source][2] + "."]
    if context_used:
        lines.append(
            "Places, 1990 USA–USSR maritime boundary and date line: mapapp geodata/context "
            "(published coordinates; sources listed per feature)."
        )
    lines.append("Distances: geodesics on the WGS84 ellipsoid (pyproj).")
    return lines


# --------------------------------------------------------------------------- panels
def _draw_profile(ax, routes, grid, tunnels, lay):
    """Seabed/terrain along each route (m, positive up) against chainage (km): a line per
    route in its colour; stretches on land (from the coastline) overdrawn in tan; the
    tunnel crown dashed when a tunnel result is given."""
    from matplotlib.lines import Line2D



    tunnels = _check_tunnels(tunnels)
    lowest, drew_tunnel = 0.0, False
    for i, route in enumerate(routes):
        colour = route_colour(route, i)
        prof = sample_profile(route, grid)
        km = np.asarray(prof["chainage_m"], "float64") / 1000.0
        z = np.asarray(prof["elevation_m"], "float64")
        land = np.asarray(prof["surface"]) == "land"
        ax.plot(km, np.where(land, z, np.nan), color="#c8a96a", lw=5, alpha=0.75,
                solid_capstyle="butt", zorder=2)
        ax.plot(km, z, color=colour, lw=1.3, zorder=3)
        if np.isfinite(z).any():
            lowest = min(lowest, float(np.nanmin(z)))
        res = tunnels.get(route.id)
        if res is not None:
            al = res.alignment
            virtual = np.asarray(al["virtual"], bool) if "virtual" in al else np.zeros(len(al), bool)
            tz = np.asarray(al["tunnel_z_m"], "float64")[~virtual]
            ax.plot(np.asarray(al["chainage_m"], "float64")[~virtual] / 1000.0, tz,
                    color=colour, lw=1.1, ls=(0, (4, 2)), zorder=3)
            drew_tunnel = True
            if np.isfinite(tz).any():
                lowest = min(lowest, float(np.nanmin(tz)))
    ax.axhline(0.0, color="#1f78b4", lw=0.7, ls=":", zorder=1)
    ax.set_ylim(lowest * 1.12 - 5.0, max(ax.get_ylim()[1], 15.0))
    ax.set_xlabel("Chainage along route (km)", fontsize=7.5, labelpad=1)
    ax.set_ylabel("Elevation (m)", fontsize=7.5)
    ax.tick_params(labelsize=6.5)
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.set_title("Profile along each route (route colours as on the map)", fontsize=8,
                 loc="left", pad=3)
    keys = [Line2D([], [], color="#555555", lw=1.3, label="Seabed / ground"),
            Line2D([], [], color="#c8a96a", lw=5, alpha=0.75, label="On land (coastline)"),
            Line2D([], [], color="#1f78b4", lw=0.7, ls=":", label="Sea level")]
    if drew_tunnel:
        keys.insert(1, Line2D([], [], color="#555555", lw=1.1, ls=(0, (4, 2)),
                              label="Tunnel crown"))
    ax.legend(handles=keys, fontsize=6.3, loc="lower right", bbox_to_anchor=(1.0, 1.0),
              ncol=len(keys), frameon=False, borderpad=0.1, borderaxespad=0.1,
              handlelength=2.2)
    lay.texts.extend(["Chainage along route (km)", *[k.get_label() for k in keys]])


def _check_tunnels(tunnels) -> dict:
    """``tunnels`` (route id -> :class:`~mapapp.engineering.tunnel.TunnelResult`) as a dict;
    anything else is a programming error (the figure draws the alignment table, which a
    ``to_dict()`` does not carry)."""
    tunnels = dict(tunnels or {})
    for rid, res in tunnels.items():
        if not isinstance(res, TunnelResult):
            raise TypeError(f"tunnels[{rid!r}] must be a TunnelResult, not {type(res).__name__}")
    return tunnels


def _metrics_rows(routes):

    cols = [("length_km", "Length (km)"), ("subsea_km", "Subsea (km)"), ("land_km", "Land (km)"),
            ("longest_subsea_km", "Longest subsea run (km)")]
    rows = []
    for r in routes:
        m = route_metrics(r)
        row = [short_label(r.name, 34), r.mode]
        for key, _ in cols:
            val = getattr(m, key)
            row.append("–" if val is None else f"{float(val):.1f}")
        rows.append(row)
    return ["Route", "Mode", *[c[1] for c in cols]], rows


def _draw_table(ax, routes, lay):
    ax.set_axis_off()
    header, rows = _metrics_rows(routes)
    widths = [0.3, 0.1] + [0.6 / (len(header) - 2)] * (len(header) - 2)
    table = ax.table(cellText=rows, colLabels=header, colWidths=widths, loc="upper left",
                     cellLoc="right", colLoc="center", bbox=(0, 0, 1, 1))
    table.auto_set_font_size(False)
    table.set_fontsize(6.8)
    for (r, c), cell in table.get_celld().items():
        cell.set_linewidth(0.4)
        if r == 0:
            cell.set_facecolor("#e8eef4")
        if c in (0, 1) and r > 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.03
    lay.texts.extend(header)
    lay.texts.extend(row[0] for row in rows)


# --------------------------------------------------------------------------- figure
def short_label(name: str, width: int = 30) -> str:
    """A short label for a route name: up to the first bracket, quote, comma or dash.

    >>> short_label("TKM-World Link 2007 (Uelen – Diomedes – Wales)")
    'TKM-World Link 2007'
    >>> short_label("Dmitriev 2025 “Putin–Trump tunnel” (via the Diomedes)")
    'Dmitriev 2025'
    """
    cut = len(name)
    for sep in (" (", " “", ' "', ", ", " – ", ": "):
        i = name.find(sep)
        if 0 < i < cut:
            cut = i
    head = name[:cut].strip() or name
    if head.isupper() and cut < len(name):  # "HYPOTHETICAL: Cape …" keeps what follows
        head = name
    return textwrap.shorten(head, width, placeholder="…")


def build_figure(routes, grid, options: ReportOptions | None = None, *, tunnels=None,
                 scorecards=None, link=None, **figure_keywords):
    """Draw the report figure; returns ``(matplotlib.figure.Figure, ReportLayout)``.

    ``options`` is a :class:`ReportOptions` (default: its defaults); ``tunnels``,
    ``scorecards`` and ``link`` are the data drawn in the panels (see :func:`render_report`).
    Uses no pyplot state (thread-safe).

    Layout (inches): title and subtitle on top; the map on the left with graticule labels
    below and left; a right-hand column with the colour bar and the legend; optional
    profile panel and metrics table under the map; the attribution at the bottom.

    The fields of :class:`ReportOptions` are also accepted as keywords (``dpi=…``,
    ``profile=…``), the call form of callers not yet moved to ``options``; new code passes
    ``options``.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    opts = _options(options, figure_keywords, "build_figure")
    routes = list(routes)
    tunnels = _check_tunnels(tunnels)
    dpi, (fw, fh) = opts.dpi, opts.size_in
    profile, metrics_table, map_style = opts.profile, opts.metrics_table, opts.map_style
    land_source = opts.land_source
    fig = Figure(figsize=(fw, fh), dpi=dpi)
    _agg_canvas(fig)
    header, footer, xlab = 0.8, 0.7, 0.3
    scorecards = _scorecard_dicts(scorecards)
    score_h = scorecard_height(scorecards)
    footer += score_h  # the scorecard panel sits just above the attribution
    prof_h = max(1.4, 0.2 * fh) if profile else 0.0
    prof_gap = 0.6 if profile else 0.0
    table_h = (0.19 * (len(routes) + 1) + 0.1) if metrics_table else 0.0
    map_h = fh - header - footer - xlab - prof_h - prof_gap - table_h
    left, col_w = 0.75, min(2.7, max(1.9, 0.27 * fw))
    map_w = fw - left - 0.25 - col_w - 0.15
    if map_h < 1.5 or map_w < 2.5:
        raise InputError("figure too small for the panels asked for: make it larger")
    map_bottom = footer + table_h + prof_h + prof_gap + xlab
    col_x = left + map_w + 0.25
    ax = fig.add_axes((left / fw, map_bottom / fh, map_w / fw, map_h / fh))
    extent = _extent_for(routes, opts.box, map_w / map_h)
    lay = ReportLayout(crs=STRAIT_CRS, extent=tuple(float(v) for v in extent),
                       bbox=_lonlat_bounds(extent, margin_deg=0.0), figsize_in=(fw, fh), dpi=dpi)
    handles = []

    if map_style is not None:
        land_source = map_style.land_source
    img = _draw_bathymetry(ax, grid, extent, int(map_w * min(dpi, 200)), lay, map_style)
    if _draw_land(ax, extent, land_source, lay):
        handles.append(Patch(facecolor="#efe6d2", edgecolor="#4d4d4d", lw=0.45,
                             label="Land (GSHHG)" if land_source == "gshhg" else "Land (OSM)"))
    interval = 10.0 if map_style is None else float(map_style.isobath_interval)
    if img is not None and interval:
        handles.append(Patch(facecolor="none", edgecolor="#9fb8c8", lw=0.8,
                             label=f"Isobaths every {interval:g} m"))
    _draw_graticule(ax, extent, lay)
    place_labels = _draw_context(ax, extent, lay, handles) if opts.places else []
    label_at = _draw_routes(ax, routes, extent, handles, opts.selected,
                            legend=map_style is None or map_style.route_legend)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    for side in ax.spines.values():
        side.set_linewidth(0.8)
    _draw_scale_bar(ax, extent, lay)
    _draw_north_arrow(ax, extent, lay)
    if link is not None:  # whole-link inset in the map's lower-left corner

        draw_link_inset(fig, ((left + 0.08) / fw, (map_bottom + 0.08) / fh, 0.42 * map_w / fw,
                              0.36 * map_h / fh), link, lay)

    top = (map_bottom + map_h) / fh
    legend_top = top
    if img is not None:  # horizontal colour bar at the top of the right-hand column
        cax = fig.add_axes((col_x / fw, top - 0.32 / fh, col_w / fw, 0.13 / fh))
        cb = fig.colorbar(img, cax=cax, orientation="horizontal")
        cb.ax.tick_params(labelsize=6.5, length=2, pad=1.5)
        bar_title = ("Depth below sea level (m)" if map_style is None
                     else "Elevation (m; negative = below sea level)")
        cax.set_title(bar_title, fontsize=7.5, pad=3, loc="left")
        lay.texts.append(bar_title)
        legend_top = top - 0.75 / fh
    for h in handles:
        h.set_label(textwrap.fill(h.get_label(), 34))
    leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(col_x / fw, legend_top),
                     fontsize=6.8, frameon=False, borderpad=0.0, borderaxespad=0.0,
                     labelspacing=0.45, handlelength=2.0, title="Legend", title_fontsize=7.5,
                     alignment="left")
    lay.legend = [h.get_label().replace("\n", " ") for h in handles]
    lay.texts.extend(lay.legend)

    # labels last (places, then routes): they avoid each other and the scale bar / arrow
    renderer = fig.canvas.get_renderer()
    occupied = [t.get_window_extent(renderer) for t in ax.texts]
    occupied += [p.get_window_extent(renderer) for p in ax.patches[-3:]]
    lay.texts.extend(_place_labels(ax, fig, place_labels, occupied))
    _draw_route_labels(ax, fig, label_at, occupied)
    lay.texts.extend(name for name, *_ in label_at)

    date = opts.date or _dt.date.today()
    day = date.isoformat() if hasattr(date, "isoformat") else str(date)
    names = ", ".join(short_label(r.name) for r in routes) or "no route"
    title = opts.title or textwrap.shorten(f"Bering Strait crossing: {names}", int(fw * 8.5),
                                      placeholder=" …")
    subtitle = (f"Bathymetry: {grid.info.name}, {grid.info.resolution_label} · "
                f"{_PROJ_LABEL} · {day}")
    fig.text(left / fw, 1 - 0.18 / fh, title, fontsize=13, fontweight="bold", va="top")
    fig.text(left / fw, 1 - 0.5 / fh, textwrap.shorten(subtitle, int(fw * 17), placeholder="…"),
             fontsize=7.5, va="top", color="#333333")
    lay.texts.extend([title, subtitle])

    if profile:
        pax = fig.add_axes((left / fw, (footer + table_h + 0.45) / fh, (fw - left - 0.15) / fw,
                            (prof_h - 0.1) / fh))
        _draw_profile(pax, routes, grid, tunnels, lay)
    if metrics_table:
        tax = fig.add_axes((left / fw, (footer + 0.05) / fh, (fw - left - 0.15) / fw,
                            (table_h - 0.05) / fh))
        _draw_table(tax, routes, lay)

    if scorecards:
        draw_scorecard(fig, scorecards, (left / fw, (footer - score_h + 0.05) / fh,
                                         (fw - left - 0.15) / fw, (score_h - 0.1) / fh), lay)

    context_used = bool(opts.places) and not any(n.startswith("places") for n in lay.notes)
    lay.attributions = _attributions(grid, land_source, context_used)
    wrap = max(60, int(fw * 19))
    foot = "\n".join(textwrap.fill(a, wrap) for a in lay.attributions)
    fig.text(left / fw, 0.08 / fh, foot, fontsize=5.8, va="bottom", color="#333333",
             linespacing=1.25)
    lay.texts.extend(lay.attributions)
    del leg
    return fig, lay


def _agg_canvas(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig)  # attaches itself to fig (fig.canvas)


def render_report(routes, grid, options: ReportOptions | None = None, *, tunnels=None,
                  scorecards=None, link=None, fmt: str = "png", out=None,
                  return_layout: bool = False, **figure_keywords):
    """Render the report figure and return its bytes.

    Parameters
    ----------
    routes : list of Route
    grid : mapapp.data.bathymetry.Grid
        Bathymetry shown (depth in metres, colour bar) and sampled for the profile.
    options : ReportOptions, optional
        How the figure looks (DPI, size in inches, title, box, panels, style …); default
        ``ReportOptions()``. Its fields are also accepted as keywords (``dpi=…``), the call
        form of callers not yet moved to ``options``; new code passes ``options``.
    tunnels : mapping, optional
        Route id -> :class:`~mapapp.engineering.tunnel.TunnelResult` whose alignment is drawn
        in the profile panel (for a ``ProgrammeEstimate``, pass its ``.tunnel``).
    scorecards : list, optional
        Claims scorecards (:class:`mapapp.economics.claims.Scorecard` or its ``to_dict()``)
        drawn as a panel of cards above the attribution (:func:`draw_scorecard`).
    link : mapapp.link.model.LinkResult, optional
        Add the whole-link inset (railheads, connecting paths) in the map's lower-left corner.
    fmt : {"png", "pdf", "svg"}
        PDF and SVG are vector (text stays text in SVG).
    out : str or Path, optional
        Also write the file there (atomically).
    return_layout : bool
        Return ``(bytes, ReportLayout)`` instead of bytes.

    Raises
    ------
    InputError
        Unknown format; options as :class:`ReportOptions` refuses them.
    """
    import matplotlib

    _check_format(fmt)
    opts = _options(options, figure_keywords, "render_report")
    buf = io.BytesIO()
    meta = {"png": {"Software": "mapapp"}, "pdf": {"Creator": "mapapp"}, "svg": {"Date": None}}[fmt]
    # names and titles are user text: "$…$" must print as typed, never parse as mathtext
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42,
                                "text.parse_math": False}):
        fig, lay = build_figure(routes, grid, opts, tunnels=tunnels, scorecards=scorecards,
                                link=link)
        fig.savefig(buf, format=fmt, dpi=opts.dpi, metadata=meta)
    data = buf.getvalue()
    if out is not None:

        atomic_write(Path(out), data)
    return (data, lay) if return_layout else data


# ---------------------------------------------------------------------------- scorecard panel
_VERDICT_COLOURS = {"within": "#1a7f37", "floor": "#b35c00"}


def _scorecard_dicts(scorecards) -> list[dict]:
    out = []
    for sc in scorecards or []:
        d = sc.to_dict() if hasattr(sc, "to_dict") else dict(sc)
        if d.get("claims"):
            out.append(d)
    return out


def scorecard_height(scorecards) -> float:
    """Height of the scorecard panel, inches (0 without cards): 1.25 in per route."""
    return 1.25 * len(_scorecard_dicts(scorecards))


def _uncertainty_bar(ax, claim, unc, x, y, w, h) -> str:
    """A P10–P90 bar (P50 tick, claim in red) and the claim's probability, at the foot of
    a card; returns the text drawn."""
    lo, hi, claimed = unc["p10"], unc["p90"], float(claim["claimed"])
    a, b = min(lo, claimed), max(hi, claimed)
    span = (b - a) or 1.0
    x0, x1 = x + 0.64 * w, x + 0.97 * w

    def at(v):
        return x0 + (x1 - x0) * (v - a) / span

    ax.plot([at(lo), at(hi)], [y + 0.05 * h] * 2, color="#4c78a8", lw=3.0,
            solid_capstyle="butt")
    ax.plot([at(unc["p50"])] * 2, [y, y + 0.10 * h], color="#1f3b5c", lw=0.9)
    ax.plot([at(claimed)] * 2, [y - 0.01 * h, y + 0.11 * h], color="#d62728", lw=1.2)
    p = unc.get("probability")
    txt = (f"P10–P90 {lo:,.1f}–{hi:,.1f}" + (f"; P(claim) {100 * p:.1f} %" if p is not None
                                              else ""))
    ax.text(x + 0.01, y + 0.10 * h, txt, fontsize=5.2, color="#1f3b5c", va="top")
    return txt


def draw_scorecard(fig, scorecards, rect, lay=None):
    """Draw one row of claim cards per scorecard in ``rect`` (figure fraction l, b, w, h).

    Each card: the claim's label, what was claimed, the model's range (money with currency
    and price year), the verdict in words; the route name and the sources' note head the row.
    """
    from matplotlib.patches import FancyBboxPatch


    cards = _scorecard_dicts(scorecards)
    ax = fig.add_axes(rect)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    rows = len(cards)
    for r, sc in enumerate(cards):
        top = 1 - r / rows
        row_h = 1 / rows
        head = (f"Claims vs the model — {short_label(sc['route_name'])} ({sc['mode']}; "
                f"money in US$ of {sc['price_year']}; sources in the claims JSON)")
        ax.text(0, top - 0.02 * row_h, head, fontsize=7.2, fontweight="bold", va="top")
        n = len(sc["claims"])
        gap = 0.015
        w = (1 - gap * (n - 1)) / n
        texts = [head]
        for i, claim in enumerate(sc["claims"]):
            t = claim_texts(claim)
            x = i * (w + gap)
            y0, h = top - row_h + 0.05 * row_h, 0.72 * row_h
            ax.add_patch(FancyBboxPatch((x, y0), w, h, boxstyle="round,pad=0.004,rounding_size=0.01",
                                        fc="#f7f7f7", ec="#999999", lw=0.6))
            colour = next((c for k, c in _VERDICT_COLOURS.items() if k in t["verdict"]),
                          "#b00020")
            lines = [(t["label"] + " — claimed", 6.5, "normal", "#333333"),
                     (t["claimed"], 9.5, "bold", "black"),
                     ("model " + t["computed"], 6.8, "normal", "black"),
                     (t["verdict"], 7.2, "bold", colour)]
            unc = claim.get("uncertainty")
            step = 0.23 if not unc else 0.185
            for k, (txt, size, weight, col) in enumerate(lines):
                txt = textwrap.shorten(txt, 60, placeholder="…")
                ax.text(x + 0.01, y0 + h * (0.88 - step * k), txt, fontsize=size,
                        fontweight=weight, color=col, va="top")
                texts.append(txt)
            if unc:  # Monte Carlo P10–P90 bar with the claim marked (mapapp.uncertainty)
                texts.append(_uncertainty_bar(ax, claim, unc, x, y0 + h * 0.06, w, h))
        if lay is not None:
            lay.texts.extend(texts)
    return ax
