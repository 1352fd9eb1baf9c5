"""Bathymetry grids: open, describe, read windows, sample.

A :class:`Grid` wraps one raster file (GeoTIFF, COG, NetCDF or Esri ASCII grid) opened
with rasterio. It never loads the whole raster: display reads a decimated window for a
bounding box (GDAL uses overviews when they exist), and sampling reads only the small
windows around the points asked for.

Conventions
-----------
* Values returned are **elevations in metres, positive up** (negative below sea level),
  whatever the file stores: grids that store depths positive down are flipped on read.
* Missing values (nodata, NaN, outside the grid) are returned as ``NaN``.
* Pixel values are taken to represent pixel centres (bilinear interpolation between
  centres).

Examples
--------
>>> g = open_grid(default_grid_path())
>>> g.info.width, g.info.height
(181, 61)
>>> g.info.resolution_label
'5′ × 5′ (≈3.8 km E-W × 9.3 km N-S at 66.0°N)'
>>> g.sample([-168 - 5 / 12], [65 + 8 / 12]).tolist()  # mid-channel, exactly on a node
[-49.0]
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
import rasterio.warp
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.windows import Window

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.geodesy import distance
from mapapp.core.paths import DEFAULT_GRID_NAME, bathymetry_dir

__all__ = [
    "GRID_SUFFIXES",
    "GridInfo",
    "Raster",
    "Grid",
    "open_grid",
    "default_grid_path",
    "read_provenance",
]

#: File endings recognised as grids (``.vrt``: a registered remote COG, see mapapp.data.gridio).
GRID_SUFFIXES = (".tif", ".tiff", ".nc", ".nc4", ".grd", ".asc", ".vrt")

#: NetCDF variable names tried in order (GEBCO ``elevation``, ETOPO ``z`` …).
NETCDF_VARIABLES = ("elevation", "z", "Band1", "depth", "topo", "altitude", "height", "bathy")

_WGS84 = CRS.from_epsg(4326)

#: A sampling window holding more than this many pixels per point is split in two.
SPARSE_PX_PER_POINT = 64


def default_grid_path() -> Path:
    """The embedded ETOPO5 subset."""
    return bathymetry_dir() / DEFAULT_GRID_NAME


def provenance_path(path: Path) -> Path:
    """Sidecar JSON describing a grid's source: ``<name>.provenance.json``."""
    return path.with_name(path.stem + ".provenance.json")


def read_provenance(path: Path) -> dict:
    """The provenance sidecar of a grid as a dict (empty when absent or unreadable)."""
    side = provenance_path(Path(path))
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


#: Pixel size (degrees, 1′) at and above which a geographic grid counts as coarse.
COARSE_ARC_DEG = 1 / 60 - 1e-12


@dataclass(frozen=True)
class GridInfo:
    """What a grid is: everything the UI states about the active dataset.

    Attributes
    ----------
    path : str
        File (or URL) opened.
    name : str
        Short display name.
    crs : str
        Native CRS as ``EPSG:n`` where possible, else WKT.
    bounds : tuple
        (west, south, east, north) in degrees (WGS84).
    native_bounds : tuple
        (left, bottom, right, top) in the native CRS units.
    width, height : int
        Pixels.
    res : tuple
        Pixel size (x, y) in native CRS units (degrees or metres).
    res_m : tuple
        Approximate pixel size (east-west, north-south) in metres at the grid centre.
    units : str
        Vertical units (always metres here).
    nodata : float or None
        Nodata value stored in the file.
    positive_down : bool
        True when the file stores depths positive down (flipped on read).
    overviews : tuple
        Overview decimation factors present in the file.
    source, licence, citation : str
        From the provenance sidecar or file tags.
    """

    path: str
    name: str
    crs: str
    bounds: tuple[float, float, float, float]
    native_bounds: tuple[float, float, float, float]
    width: int
    height: int
    res: tuple[float, float]
    res_m: tuple[float, float]
    units: str = "m"
    nodata: float | None = None
    dtype: str = "float32"
    positive_down: bool = False
    overviews: tuple[int, ...] = ()
    source: str = ""
    licence: str = ""
    citation: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_geographic(self) -> bool:
        return CRS.from_user_input(self.crs).is_geographic

    @property
    def resolution_label(self) -> str:
        """Human-readable resolution, e.g. ``5′ × 5′ (≈3.8 km E-W × 9.3 km N-S at 66.0°N)``."""
        ex, ny = self.res_m
        lat = 0.5 * (self.bounds[1] + self.bounds[3])

        def fmt_m(v):
            return f"{v / 1000:.1f} km" if v >= 1000 else f"{v:.0f} m"

        if self.is_geographic:
            rx, ry = (abs(r) * 3600 for r in self.res)

            def fmt_arc(s):
                if s >= 60 and abs(s / 60 - round(s / 60)) < 1e-6:
                    return f"{round(s / 60)}′"
                return f"{s:.3g}″"

            head = f"{fmt_arc(rx)} × {fmt_arc(ry)}"
        else:
            head = f"{abs(self.res[0]):.4g} × {abs(self.res[1]):.4g} m ({self.crs})"
        return f"{head} (≈{fmt_m(ex)} E-W × {fmt_m(ny)} N-S at {lat:.1f}°N)"

    @property
    def is_coarse(self) -> bool:
        """True for a geographic grid of 1′ or coarser: too coarse to outline the Diomede
        Islands, so land and sea must come from the coastline instead (the rule the app and
        figures state to users)."""
        return self.is_geographic and min(abs(r) for r in self.res) >= COARSE_ARC_DEG

    @property
    def sign_convention(self) -> str:
        if self.positive_down:
            return "file stores depth positive down; shown as elevation (negative below sea level)"
        return "elevation, metres, negative below sea level"

    def describe(self) -> dict:
        """A plain dict for tables and JSON."""
        return {
            "name": self.name,
            "path": self.path,
            "crs": self.crs,
            "bounds_deg": [round(v, 5) for v in self.bounds],
            "size_px": [self.width, self.height],
            "resolution": self.resolution_label,
            "res_native": list(self.res),
            "coarse": self.is_coarse,
            "units": self.units,
            "nodata": self.nodata,
            "sign_convention": self.sign_convention,
            "overviews": list(self.overviews),
            "source": self.source,
            "licence": self.licence,
        }


@dataclass(frozen=True)
class Raster:
    """A read window: ``data`` (float32 elevations, NaN missing) with its georeferencing."""

    data: np.ndarray
    transform: Affine
    crs: CRS

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        h, w = self.data.shape
        left, top = self.transform @ (0, 0)
        right, bottom = self.transform @ (w, h)
        return (min(left, right), min(top, bottom), max(left, right), max(top, bottom))


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def _resolve_path(path: str | Path) -> str:
    """The string rasterio opens: NetCDF files get their elevation variable picked."""
    spath = str(path)
    if spath.startswith(("http://", "https://")):
        return "/vsicurl/" + spath
    p = Path(spath)
    if not p.exists():
        raise DatasetError(f"grid file not found: {p}")
    if p.suffix.lower() in (".nc", ".nc4", ".grd"):
        try:
            with rasterio.open(spath) as ds:
                subs = ds.subdatasets
                if not subs:
                    return spath
        except rasterio.errors.RasterioError:
            subs = []
        if subs:
            by_var = {s.rsplit(":", 1)[-1]: s for s in subs}
            for var in NETCDF_VARIABLES:
                if var in by_var:
                    return by_var[var]
            raise DatasetError(
                f"{p.name}: no elevation variable found (tried {', '.join(NETCDF_VARIABLES)}; "
                f"file has {', '.join(by_var)}). Convert it with `python -m mapapp data import`."
            )
    return spath


def _looks_positive_down(tags: dict, prov: dict) -> bool:
    if "positive_down" in prov:
        return bool(prov["positive_down"])
    for key, val in tags.items():
        k = key.lower()
        if k.endswith("positive") and str(val).strip().lower() == "down":
            return True
    return False


class Grid:
    """An opened bathymetry grid (the file is reopened per operation: thread-safe).

    Parameters
    ----------
    path : str or Path
        GeoTIFF / COG / NetCDF / Esri ASCII file, or an http(s) URL of a COG.
    positive_down : bool, optional
        Force the sign convention; by default read from the provenance sidecar or
        the file's ``positive=down`` attribute.
    """

    def __init__(self, path: str | Path, positive_down: bool | None = None):
        self.path = str(path)
        self._open_path = _resolve_path(path)
        prov = {} if self.path.startswith("http") else read_provenance(Path(self.path))
        try:
            with rasterio.open(self._open_path) as ds:
                self.info = self._describe(ds, prov, positive_down)
        except rasterio.errors.RasterioError as exc:
            raise DatasetError(f"cannot open grid {Path(self.path).name}: {exc}") from exc

    # ------------------------------------------------------------------ description
    def _describe(self, ds, prov: dict, positive_down: bool | None) -> GridInfo:
        if ds.crs is None:
            raise DatasetError(
                f"{Path(self.path).name} has no coordinate reference system; "
                "import it with `python -m mapapp data import FILE` and state its CRS."
            )
        if ds.count < 1:
            raise DatasetError(f"{Path(self.path).name} has no raster band")
        if not ds.transform.is_rectilinear:
            raise DatasetError(
                f"{Path(self.path).name} has a rotated or sheared transform; "
                "warp it to a north-up grid (gdalwarp) before use."
            )
        tags = {**ds.tags(), **ds.tags(1)}
        try:
            west, south, east, north = rasterio.warp.transform_bounds(
                ds.crs, _WGS84, *ds.bounds, densify_pts=21
            )
        except Exception as exc:
            raise DatasetError(f"{Path(self.path).name}: cannot compute its extent: {exc}") from exc
        if ds.crs.is_geographic:
            # keep the native longitudes' span but start in [-180, 180): grids stored in
            # 0..360 (some ERDDAP servers) describe the same place
            west = (ds.bounds.left + 180.0) % 360.0 - 180.0
            east = west + (ds.bounds.right - ds.bounds.left)
        res = (abs(ds.transform.a), abs(ds.transform.e))
        cx, cy = 0.5 * (west + east), 0.5 * (south + north)
        if ds.crs.is_geographic:
            ex = float(distance(cx - res[0] / 2, cy, cx + res[0] / 2, cy))
            ny = float(distance(cx, cy - res[1] / 2, cx, cy + res[1] / 2))
        else:
            ex, ny = res
        pos_down = _looks_positive_down(tags, prov) if positive_down is None else positive_down
        units = tags.get("units") or ds.units[0] or "m"
        if str(units).lower() not in ("m", "metre", "metres", "meter", "meters", ""):
            raise DatasetError(
                f"{Path(self.path).name}: vertical units are {units!r}; only metres are supported. "
                "Convert the grid to metres first."
            )
        name = prov.get("name") or Path(self.path).name
        nodata = ds.nodata
        return GridInfo(
            path=self.path,
            name=str(name),
            crs=_crs_label(ds.crs),
            bounds=(west, south, east, north),
            native_bounds=tuple(ds.bounds),
            width=ds.width,
            height=ds.height,
            res=res,
            res_m=(ex, ny),
            units="m",
            nodata=None if nodata is None else float(nodata),
            dtype=ds.dtypes[0],
            positive_down=pos_down,
            overviews=tuple(ds.overviews(1)),
            source=str(prov.get("source") or tags.get("source", "")),
            licence=str(prov.get("licence", "")),
            citation=str(prov.get("citation", "")),
            extra={k: v for k, v in prov.items() if isinstance(v, (str, int, float))},
        )

    @property
    def crs(self) -> CRS:
        return CRS.from_user_input(self.info.crs)

    def _to_native(self, lons, lats):
        """Degrees → native CRS coordinates (longitudes shifted into the grid's range)."""
        lons = np.asarray(lons, dtype="float64")
        lats = np.asarray(lats, dtype="float64")
        if self.crs.is_geographic:
            left, _, right, _ = self.info.native_bounds
            centre = 0.5 * (left + right)
            return centre + ((lons - centre + 180.0) % 360.0 - 180.0), lats
        tr = Transformer.from_crs(_WGS84, self.crs, always_xy=True)
        return tr.transform(lons, lats)

    def _clean(self, arr: np.ndarray, nodata) -> np.ndarray:
        out = arr.astype("float32", copy=False)
        if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
            out = np.where(arr == nodata, np.float32("nan"), out)
        if self.info.positive_down:
            out = -out
        return out

    def _read(self, ds, **kw) -> np.ndarray:
        """``ds.read(1, **kw)``; a damaged file (truncated, bad blocks) -> DatasetError."""
        try:
            return ds.read(1, **kw)
        except rasterio.errors.RasterioError as exc:
            raise DatasetError(
                f"{Path(self.path).name} is damaged: GDAL cannot read its values (truncated or "
                "corrupt file); restore or re-import it"
            ) from exc

    # ------------------------------------------------------------------ windows
    def read_bbox(self, bbox, max_size: int = 1024) -> Raster:
        """A decimated read of the grid within a lon/lat box.

        Parameters
        ----------
        bbox : tuple
            (west, south, east, north) in degrees.
        max_size : int
            Largest output dimension in pixels; the read is decimated (GDAL picks
            overviews when present) so that cost depends on ``max_size``, not on the file.

        Returns
        -------
        Raster
            Elevations (m, positive up, NaN missing) in the grid's native CRS.
        """
        west, south, east, north = (float(v) for v in bbox)
        if not (west < east and south < north):
            raise InputError(f"bounding box {bbox} is empty: need west < east and south < north")
        with rasterio.open(self._open_path) as ds:
            if ds.crs.is_geographic:
                xs, _ = self._to_native([west], [south])
                left, right = float(xs[0]), float(xs[0]) + (east - west)
                bottom, top = south, north
            else:
                left, bottom, right, top = rasterio.warp.transform_bounds(
                    _WGS84, ds.crs, west, south, east, north, densify_pts=21
                )
            win = rasterio.windows.from_bounds(left, bottom, right, top, ds.transform)
            c0, r0 = math.floor(win.col_off), math.floor(win.row_off)
            c1 = math.ceil(win.col_off + win.width)
            r1 = math.ceil(win.row_off + win.height)
            win = Window(c0, r0, c1 - c0, r1 - r0)
            full = Window(0, 0, ds.width, ds.height)
            try:
                win = win.intersection(full)
            except rasterio.errors.WindowError as exc:
                raise InputError(
                    f"the box {west:.3f},{south:.3f},{east:.3f},{north:.3f} is outside the grid "
                    f"{self.info.name} ({', '.join(f'{v:.3f}' for v in self.info.bounds)})"
                ) from exc
            w, h = int(win.width), int(win.height)
            scale = max(w / max_size, h / max_size, 1.0)
            out_shape = (max(1, round(h / scale)), max(1, round(w / scale)))
            arr = self._read(ds, window=win, out_shape=out_shape, resampling=Resampling.bilinear)
            wt = ds.window_transform(win)
            transform = wt @ Affine.scale(w / out_shape[1], h / out_shape[0])
            return Raster(self._clean(arr, ds.nodata), transform, ds.crs)

    # ------------------------------------------------------------------ sampling
    def sample(self, lons, lats, chunk: int = 4096) -> np.ndarray:
        """Bilinear elevation at points (vectorised, reading only the windows needed).

        Parameters
        ----------
        lons, lats : array-like
            Points in degrees (WGS84; any longitude range).
        chunk : int
            Points handled per window read; consecutive points (a route) share windows.

        Returns
        -------
        numpy.ndarray
            Elevation in metres, positive up; ``NaN`` outside the grid or where all four
            neighbouring nodes are nodata. Where only some neighbours are nodata the
            weights of the valid ones are renormalised.
        """
        x, y = self._to_native(lons, lats)
        x = np.atleast_1d(np.asarray(x, dtype="float64"))
        y = np.atleast_1d(np.asarray(y, dtype="float64"))
        out = np.full(x.shape, np.nan, dtype="float64")
        with rasterio.open(self._open_path) as ds:
            inv = ~ds.transform
            col, row = inv @ (x, y)
            col = np.asarray(col) - 0.5
            row = np.asarray(row) - 0.5
            inside = (
                np.isfinite(col)
                & np.isfinite(row)
                & (col >= -0.5)
                & (col <= ds.width - 0.5)
                & (row >= -0.5)
                & (row <= ds.height - 0.5)
            )
            idx = np.flatnonzero(inside)
            for start in range(0, idx.size, chunk):
                self._sample_chunk(ds, idx[start : start + chunk], col, row, out)
        return out

    def _sample_chunk(self, ds, sel, col, row, out, max_pixels: int = 16_000_000):
        if sel.size == 0:
            return
        c0 = np.floor(col[sel]).astype(np.int64)
        r0 = np.floor(row[sel]).astype(np.int64)
        cmin = int(max(c0.min(), 0))
        cmax = int(min(c0.max() + 1, ds.width - 1))
        rmin = int(max(r0.min(), 0))
        rmax = int(min(r0.max() + 1, ds.height - 1))
        pixels = (cmax - cmin + 1) * (rmax - rmin + 1)
        # split a chunk whose window is too large, or mostly pixels no point needs (sparse
        # points over a fine grid): the halves' windows are smaller, the values identical
        if sel.size > 1 and (pixels > max_pixels or pixels > SPARSE_PX_PER_POINT * sel.size):
            half = sel.size // 2
            self._sample_chunk(ds, sel[:half], col, row, out, max_pixels)
            self._sample_chunk(ds, sel[half:], col, row, out, max_pixels)
            return
        win = Window(cmin, rmin, cmax - cmin + 1, rmax - rmin + 1)
        block = self._clean(self._read(ds, window=win), ds.nodata).astype("float64")
        fx = col[sel] - c0
        fy = row[sel] - r0
        cs = [np.clip(c0, 0, ds.width - 1) - cmin, np.clip(c0 + 1, 0, ds.width - 1) - cmin]
        rs = [np.clip(r0, 0, ds.height - 1) - rmin, np.clip(r0 + 1, 0, ds.height - 1) - rmin]
        wx = [1.0 - fx, fx]
        wy = [1.0 - fy, fy]
        total = np.zeros(sel.size)
        weight = np.zeros(sel.size)
        for i in (0, 1):
            for j in (0, 1):
                v = block[rs[j], cs[i]]
                w = wx[i] * wy[j]
                ok = np.isfinite(v)
                total += np.where(ok, v * w, 0.0)
                weight += np.where(ok, w, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[sel] = np.where(weight > 1e-12, total / weight, np.nan)

    def value_range(self, bbox=None, max_size: int = 512) -> tuple[float, float]:
        """(min, max) elevation in metres over ``bbox`` (degrees) or the whole grid, from a
        decimated read."""
        bbox = bbox or self.info.bounds
        data = self.read_bbox(bbox, max_size=max_size).data
        if not np.isfinite(data).any():
            raise DatasetError(f"{self.info.name}: no valid values in {bbox} (all nodata)")
        return float(np.nanmin(data)), float(np.nanmax(data))


def open_grid(path: str | Path | None = None, positive_down: bool | None = None) -> Grid:
    """Open a grid (the embedded ETOPO5 subset when ``path`` is None)."""
    return Grid(default_grid_path() if path is None else path, positive_down=positive_down)
