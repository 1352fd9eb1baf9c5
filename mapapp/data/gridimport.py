"""Import grids of any size: convert to a Cloud-Optimised GeoTIFF with provenance.

:func:`import_grid` takes a GeoTIFF, a NetCDF file (GEBCO ``elevation``, ETOPO ``z`` and
other common variable names) or an Esri ASCII grid and writes ``<folder>/<name>.tif``
(``geodata/bathymetry/`` unless told otherwise; the app passes a session's own folder for
uploads): a tiled (512 × 512), DEFLATE-compressed COG with overviews (GDAL's COG driver,
averaged overviews), values in **metres, positive up**, plus ``<name>.provenance.json``.
The conversion streams through a GDAL VRT (crop, sign flip, unpacking), so memory does not
grow with the file. It is written as ``<name>.partial.tif`` (never listed by the app),
checked, and renamed into place only when complete and valid; a failure (a full disk
included) removes the partial file.

The native CRS is kept (e.g. IBCAO's polar stereographic EPSG:3996):
:class:`mapapp.data.bathymetry.Grid` reprojects points and boxes on the fly.

Sign convention
---------------
Decided in this order (the basis is recorded in the sidecar as ``sign_basis``):

1. ``positive_down=True/False`` given by the caller (CLI ``--positive-down`` /
   ``--positive-up``);
2. the file says so: a CF ``positive`` attribute (``down`` / ``up``) on the variable or a
   provenance sidecar ``<stem>.provenance.json`` with ``positive_down``;
3. the coastline: grid cells that the GSHHG coastline puts at sea (only where the coastline
   dataset has coverage) are sampled — if at least 80 % of them are above 0 the grid stores
   depths positive down, if at least 80 % are below 0 it stores elevations; in between the
   import is refused and asks for ``--positive-down`` or ``--positive-up``;
4. the variable's name or description contains ``depth`` → positive down;
5. otherwise elevation (positive up), the convention of GEBCO, ETOPO, GMRT and IBCAO; a grid
   whose values are all ≥ 0 gets a warning saying to re-import with ``--positive-down`` if
   it holds depths.

Refused, with how to fix it: a file without CRS (give ``--crs``; NetCDF with CF
latitude/longitude axes and no grid mapping is taken as WGS84 lon/lat, as GEBCO and ETOPO
are), rotated or sheared grids, multi-band images, vertical units other than metres, and
grids with no valid value.

Examples
--------
>>> IMPORT_SUFFIXES
('.tif', '.tiff', '.nc', '.nc4', '.grd', '.asc')
>>> is_metres("metres above mean sea level"), is_metres("ft")
(True, False)
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import rasterio
import rasterio.shutil
import rasterio.warp
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError

from mapapp.core.errors import DatasetError, ExportError, InputError, MapAppError
from mapapp.core.files import atomic_write_json
from mapapp.core.paths import DEFAULT_GRID_NAME, bathymetry_dir
from mapapp.data.bathymetry import (
    GRID_SUFFIXES,
    NETCDF_VARIABLES,
    Grid,
    GridInfo,
    provenance_path,
    read_provenance,
)
from mapapp.data.catalogue import CATALOGUE, parse_bbox, safe_name
from mapapp.data.coastline import coastline_extent, is_land
from mapapp.data.files import PARTIAL, discard

__all__ = [
    "COG_OPTIONS",
    "GDAL_TYPES",
    "IMPORT_SUFFIXES",
    "ImportResult",
    "SourceGrid",
    "build_vrt",
    "check_name_free",
    "default_stem",
    "detect_sign",
    "import_grid",
    "inspect_source",
    "is_metres",
    "vrt_element",
]

#: Grid files :func:`import_grid` converts: the reader's formats except ``.vrt`` (a VRT can
#: point at any file on the server, so only the app's own remote registration writes one).
IMPORT_SUFFIXES = tuple(s for s in GRID_SUFFIXES if s != ".vrt")

#: Creation options of the output COG.
COG_OPTIONS = {
    "COMPRESS": "DEFLATE",
    "PREDICTOR": "YES",
    "BLOCKSIZE": "512",
    "OVERVIEWS": "IGNORE_EXISTING",
    "OVERVIEW_RESAMPLING": "AVERAGE",
    "BIGTIFF": "IF_SAFER",
    "NUM_THREADS": "ALL_CPUS",
}

#: NetCDF variable names tried (case-insensitive) when a file holds several variables.
VARIABLES = NETCDF_VARIABLES + ("bathymetry", "elev", "topography", "depths")

_METRES_RE = re.compile(r"^(m|metres?|meters?)([\s_(,].*)?$")
_WGS84 = CRS.from_epsg(4326)

#: File name prefixes recognised to fill in provenance of an imported file.
_KNOWN = {
    "gebco": "gebco",
    "ibcao": "ibcao",
    "etopo_2022": "etopo2022",
    "gmrt": "gmrt",
}


# ------------------------------------------------------------------------------ inspect
@dataclass(frozen=True)
class SourceGrid:
    """A grid file as found: what GDAL opens and what it says about itself.

    Attributes
    ----------
    path : str
        The file.
    open_path : str
        What rasterio opens (a ``NETCDF:"file":var`` subdataset for NetCDF).
    variable : str
        Variable or band description ('' when none).
    crs : pyproj.CRS
        Horizontal CRS (from the file, ``--crs`` or CF lon/lat axes).
    crs_basis : str
        Where the CRS came from.
    transform : affine.Affine
        Pixel → CRS coordinates (north-up).
    width, height : int
        Pixels.
    dtype : str
    nodata : float or None
    scale, offset : float
        Unpacking (value = stored × scale + offset).
    positive : str
        ``up`` / ``down`` when the file states it, else ''.
    description : str
        Variable long name / description.
    tags : dict
        Dataset and band metadata.
    """

    path: str
    open_path: str
    variable: str
    crs: CRS
    crs_basis: str
    transform: object
    width: int
    height: int
    dtype: str
    nodata: float | None
    scale: float
    offset: float
    positive: str
    description: str
    tags: dict = field(default_factory=dict, compare=False)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        t = self.transform
        left, top = t.c, t.f
        right, bottom = left + t.a * self.width, top + t.e * self.height
        return (min(left, right), min(top, bottom), max(left, right), max(top, bottom))


def is_metres(units: str) -> bool:
    """True for '' (not stated), m, metre(s), meter(s), 'm above mean sea level' …"""
    u = str(units or "").strip().lower()
    return u == "" or bool(_METRES_RE.match(u))


def _open(path: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        return rasterio.open(path)


def _pick_subdataset(path: Path, subs: list[str]) -> tuple[str, str]:
    by_var = {s.rsplit(":", 1)[-1]: s for s in subs}
    lower = {k.lower(): k for k in by_var}
    for var in VARIABLES:
        if var.lower() in lower:
            key = lower[var.lower()]
            return f'NETCDF:"{path}":{key}', key
    raise InputError(
        f"{path.name}: no elevation variable found (tried {', '.join(VARIABLES)}; the file has "
        f"{', '.join(by_var)}). Rename the variable (e.g. `ncrename -v OLD,elevation`) or "
        "convert it to GeoTIFF with gdal_translate NETCDF:\"FILE\":VAR out.tif"
    )


def _cf_lonlat(tags: dict) -> bool:
    """True when a NetCDF file has CF longitude and latitude axes (degrees)."""
    lon = lat = False
    for key, val in tags.items():
        if "#" not in key:
            continue
        var, attr = key.split("#", 1)
        v = str(val).strip().lower()
        if attr in ("units", "standard_name"):
            if v.startswith("degrees_e") or v == "degree_east" or v == "longitude":
                lon = True
            if v.startswith("degrees_n") or v == "degree_north" or v == "latitude":
                lat = True
    return lon and lat


def inspect_source(path, *, crs=None) -> SourceGrid:
    """Open a grid file and check it can be imported.

    Parameters
    ----------
    path : str or Path
        GeoTIFF, NetCDF (``.nc``) or Esri ASCII (``.asc``) file.
    crs : str, optional
        CRS to assign (``EPSG:4326``, ``EPSG:3996``, WKT or PROJ), required when the file
        has none; overrides the file's.

    Raises
    ------
    InputError
        Missing or unreadable file, no elevation variable, no CRS, rotated, multi-band,
        or vertical units other than metres — each message says how to fix it.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"grid file not found: {p}")
    try:
        with _open(str(p)) as ds:
            subs = list(ds.subdatasets)
    except RasterioError as exc:
        raise InputError(
            f"cannot read {p.name} as a grid ({exc}); supported: GeoTIFF, NetCDF, Esri ASCII "
            "(.asc)"
        ) from None
    open_path, variable = (str(p), "")
    if subs:
        open_path, variable = _pick_subdataset(p, subs)
    try:
        ds = _open(open_path)
    except RasterioError as exc:
        raise InputError(f"cannot read {p.name}: {exc}") from None
    with ds:
        tags = {**ds.tags(), **ds.tags(1)}
        variable = variable or tags.get("NETCDF_VARNAME", "") or (ds.descriptions[0] or "")
        if ds.count != 1:
            raise InputError(
                f"{p.name} has {ds.count} bands; an elevation grid has one. Extract the band "
                "with gdal_translate -b N (an RGB image is not an elevation grid)"
            )
        if ds.gcps[0] and ds.transform.is_identity:
            raise InputError(
                f"{p.name} is georeferenced by control points only; warp it to a north-up "
                "grid first: gdalwarp -t_srs EPSG:4326 in.tif out.tif"
            )
        t = ds.transform
        if not t.is_rectilinear or t.b != 0 or t.d != 0:
            raise InputError(
                f"{p.name} is rotated or sheared; warp it to a north-up grid first: "
                "gdalwarp -t_srs <its EPSG code> in.tif out.tif"
            )
        if t.is_identity and ds.crs is None:
            raise InputError(
                f"{p.name} has no georeferencing (no coordinates for its pixels); it cannot "
                "be placed on the map"
            )
        if t.e > 0:
            raise InputError(
                f"{p.name} is stored south-up; flip it first: gdalwarp in.tif out.tif"
            )
        if crs:
            try:
                use_crs = CRS.from_user_input(crs)
            except Exception as exc:  # pyproj.exceptions.CRSError and friends
                raise InputError(f"--crs {crs!r} is not a CRS pyproj knows: {exc}") from None
            basis = f"given ({crs})"
        elif ds.crs is not None:
            use_crs, basis = CRS.from_user_input(ds.crs.to_wkt()), "file"
        elif ds.driver == "netCDF" and _cf_lonlat(tags):
            use_crs, basis = _WGS84, "CF latitude/longitude axes, taken as WGS84 (EPSG:4326)"
        else:
            raise InputError(
                f"{p.name} has no coordinate reference system; give it with --crs, e.g. "
                "--crs EPSG:4326 for lon/lat degrees or --crs EPSG:3996 for IBCAO, or put "
                f"a .prj file next to it ({p.stem}.prj)"
            )
        var = variable.lower()
        units = (ds.units[0] or tags.get("units") or tags.get(f"{variable}#units") or "").strip()
        if not is_metres(units):
            raise InputError(
                f"{p.name}: vertical units are {units!r}; only metres are supported. Convert "
                "it first, e.g. feet: gdal_calc.py -A in.tif --calc='A*0.3048' --outfile out.tif"
            )
        positive = str(tags.get("positive") or tags.get(f"{variable}#positive") or "")
        positive = positive.strip().lower()
        desc = str(tags.get("long_name") or tags.get(f"{variable}#long_name") or var)
        return SourceGrid(
            path=str(p),
            open_path=open_path,
            variable=variable,
            crs=use_crs,
            crs_basis=basis,
            transform=t,
            width=ds.width,
            height=ds.height,
            dtype=ds.dtypes[0],
            nodata=None if ds.nodata is None else float(ds.nodata),
            scale=float(ds.scales[0] or 1.0),
            offset=float(ds.offsets[0] or 0.0),
            positive=positive if positive in ("up", "down") else "",
            description=desc,
            tags=tags,
        )


# ------------------------------------------------------------------------------ sampling
def _sample(src: SourceGrid, max_size: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Valid values of a decimated read with their cell-centre lon/lat (degrees)."""
    scale = max(src.width / max_size, src.height / max_size, 1.0)
    h, w = max(1, round(src.height / scale)), max(1, round(src.width / scale))
    with _open(src.open_path) as ds:
        arr = ds.read(1, out_shape=(h, w), resampling=Resampling.nearest).astype("float64")
    arr = arr * src.scale + src.offset
    ok = np.isfinite(arr)
    if src.nodata is not None and not math.isnan(src.nodata):
        ok &= arr != src.nodata * src.scale + src.offset
    rows, cols = np.nonzero(ok)
    t = src.transform
    x = t.c + (cols + 0.5) * src.width / w * t.a
    y = t.f + (rows + 0.5) * src.height / h * t.e
    if src.crs.is_geographic:
        lon, lat = x, y
    else:
        lon, lat = Transformer.from_crs(src.crs, _WGS84, always_xy=True).transform(x, y)
    return arr[ok], np.asarray(lon), np.asarray(lat)


def _coastline_vote(vals, lon, lat) -> tuple[int, float, float]:
    """(number of sampled sea cells, share above 0, share below 0) by the GSHHG coastline."""
    try:
        w, s, e, n = coastline_extent()
    except MapAppError:
        return 0, 0.0, 0.0
    lon180 = (np.asarray(lon) + 180.0) % 360.0 - 180.0
    inside = (lon180 >= w) & (lon180 <= e) & (lat >= s) & (lat <= n)
    if not inside.any():
        return 0, 0.0, 0.0
    land = is_land(lon180[inside], lat[inside])
    sea_vals = vals[inside][~np.asarray(land, dtype=bool)]
    if sea_vals.size == 0:
        return 0, 0.0, 0.0
    return int(sea_vals.size), float(np.mean(sea_vals > 0)), float(np.mean(sea_vals < 0))


def detect_sign(src: SourceGrid, positive_down: bool | None = None,
                sample=None) -> tuple[bool, str, list[str]]:
    """Decide whether ``src`` stores depths positive down (see the module docstring).

    Returns
    -------
    (positive_down, basis, warnings)

    Raises
    ------
    InputError
        When the coastline test is ambiguous and nothing else decides.
    """
    vals, lon, lat = sample if sample is not None else _sample(src)
    n_sea, up_share, down_share = _coastline_vote(vals, lon, lat)
    notes: list[str] = []
    vote = None
    if n_sea >= 25 and max(up_share, down_share) >= 0.8:
        vote = up_share >= 0.8
    vote_text = (f"{max(up_share, down_share):.0%} of {n_sea} sampled cells that the coastline "
                 f"puts at sea are {'above' if vote else 'below'} 0 m")
    name = Path(src.path).name
    if positive_down is not None:
        basis = "stated by the user"
        if vote is not None and vote != positive_down:
            notes.append(f"{name}: the sign was forced, but {vote_text}")
        return bool(positive_down), basis, notes
    stated = src.positive
    if not stated:
        prov = read_provenance(Path(src.path))
        if "positive_down" in prov:
            stated = "down" if prov["positive_down"] else "up"
    if stated:
        if vote is not None and vote != (stated == "down"):
            notes.append(f"{name} says positive={stated}, but {vote_text}; check the result")
        return stated == "down", f"the file states positive={stated}", notes
    if n_sea >= 25:
        if vote is None:
            raise InputError(
                f"cannot tell whether {name} stores depths (positive down) or elevations: of "
                f"{n_sea} sampled sea cells {up_share:.0%} are above 0 m and {down_share:.0%} "
                "below. Give --positive-down or --positive-up"
            )
        return bool(vote), f"coastline test: {vote_text}", notes
    if "depth" in src.variable.lower() or "depth" in src.description.lower():
        return True, f"variable {src.variable or src.description!r} is a depth", notes
    if vals.size and float(np.min(vals)) >= 0:
        notes.append(
            f"{name}: every value is ≥ 0 and nothing states the sign; imported as elevations "
            "(positive up). If it holds depths, import it again with --positive-down --force"
        )
    return False, "assumed elevation (positive up): nothing in the file says otherwise", notes


# ------------------------------------------------------------------------------ VRT & COG
#: numpy dtype name → GDAL data type name, for VRT XML.
GDAL_TYPES = {"float32": "Float32", "float64": "Float64", "int16": "Int16", "int32": "Int32",
              "uint16": "UInt16", "uint8": "Byte", "int8": "Int8", "uint32": "UInt32"}


def vrt_element(parent, tag, text=None, **attrs):
    """Append ``<tag attrs>text</tag>`` to ``parent`` (values made str) and return it."""
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = str(text)
    return el


def _fmtnum(v: float) -> str:
    return "nan" if isinstance(v, float) and math.isnan(v) else repr(float(v))


def _out_dtype(srcs: list[SourceGrid], flip: bool) -> str:
    d = np.dtype(srcs[0].dtype)
    unpack = any(s.scale != 1.0 or s.offset != 0.0 for s in srcs)
    if d.kind == "f" or unpack or (flip and d.kind == "u"):
        return "float32"
    return d.name


def _mosaic_window(srcs: list[SourceGrid], bbox) -> tuple[object, int, int]:
    """Output transform and size: the union of the sources, cut to ``bbox`` if given."""
    t0 = srcs[0].transform
    xres, yres = t0.a, -t0.e
    for s in srcs[1:]:
        if not (math.isclose(s.transform.a, xres, rel_tol=1e-9)
                and math.isclose(-s.transform.e, yres, rel_tol=1e-9) and s.crs == srcs[0].crs):
            raise InputError(
                f"{Path(s.path).name} has another resolution or CRS than "
                f"{Path(srcs[0].path).name}; tiles must match to be mosaicked"
            )
    left = min(s.bounds[0] for s in srcs)
    bottom = min(s.bounds[1] for s in srcs)
    right = max(s.bounds[2] for s in srcs)
    top = max(s.bounds[3] for s in srcs)
    if bbox is not None:
        w, s_, e, n = bbox
        crs = srcs[0].crs
        if crs.is_geographic:
            centre = 0.5 * (left + right)
            w = centre + ((w - centre + 180.0) % 360.0 - 180.0)
            e = w + (bbox[2] - bbox[0])
            bl, bb, br, bt = w, s_, e, n
        else:
            bl, bb, br, bt = rasterio.warp.transform_bounds(_WGS84, crs, w, s_, e, n,
                                                            densify_pts=21)
        c0 = math.floor((max(bl, left) - left) / xres + 1e-9)
        c1 = math.ceil((min(br, right) - left) / xres - 1e-9)
        r0 = math.floor((top - min(bt, top)) / yres + 1e-9)
        r1 = math.ceil((top - max(bb, bottom)) / yres - 1e-9)
        if c1 <= c0 or r1 <= r0:
            raise InputError(
                f"the box {', '.join(f'{v:g}' for v in bbox)} does not overlap "
                f"{Path(srcs[0].path).name}"
            )
        left, top = left + c0 * xres, top - r0 * yres
        width, height = c1 - c0, r1 - r0
    else:
        width = round((right - left) / xres)
        height = round((top - bottom) / yres)
    return Affine(xres, 0.0, left, 0.0, -yres, top), width, height


def build_vrt(srcs: list[SourceGrid], *, bbox=None, flip: bool = False,
              metadata: dict | None = None) -> tuple[str, dict]:
    """VRT XML mosaicking ``srcs`` (cut to ``bbox``), unpacked, sign-flipped when ``flip``.

    Returns
    -------
    (xml, info)
        ``info`` has ``width``, ``height``, ``transform``, ``dtype``, ``nodata``.
    """
    transform, width, height = _mosaic_window(srcs, bbox)
    dtype = _out_dtype(srcs, flip)
    nodata = srcs[0].nodata
    if nodata is not None and dtype == "float32" and np.dtype(srcs[0].dtype).kind != "f":
        nodata = float("nan")  # unpacked / flipped integers become floats: NaN marks missing
    if nodata is None and (len(srcs) > 1 or bbox is not None or dtype == "float32"):
        nodata = float("nan") if dtype == "float32" else float(np.iinfo(dtype).min)
    root = ET.Element("VRTDataset", rasterXSize=str(width), rasterYSize=str(height))
    vrt_element(root, "SRS", srcs[0].crs.to_wkt())
    vrt_element(root, "GeoTransform", ", ".join(repr(float(v)) for v in transform.to_gdal()))
    md = vrt_element(root, "Metadata")
    for key, val in (metadata or {}).items():
        vrt_element(md, "MDI", str(val), key=key)
    gdal_type = GDAL_TYPES[dtype]
    band = vrt_element(root, "VRTRasterBand", dataType=gdal_type, band=1)
    if nodata is not None:
        vrt_element(band, "NoDataValue", _fmtnum(nodata))
    vrt_element(band, "UnitType", "m")
    vrt_element(band, "Description", "elevation")
    sign = -1.0 if flip else 1.0
    for s in srcs:
        cs = vrt_element(band, "ComplexSource")
        vrt_element(cs, "SourceFilename", s.open_path, relativeToVRT=0)
        vrt_element(cs, "SourceBand", 1)
        vrt_element(cs, "SrcRect", xOff=0, yOff=0, xSize=s.width, ySize=s.height)
        xoff = (s.transform.c - transform.c) / transform.a
        yoff = (s.transform.f - transform.f) / transform.e
        vrt_element(cs, "DstRect", xOff=round(xoff), yOff=round(yoff), xSize=s.width, ySize=s.height)
        if s.nodata is not None:
            vrt_element(cs, "NODATA", _fmtnum(s.nodata))
        if flip or s.scale != 1.0 or s.offset != 0.0:
            vrt_element(cs, "ScaleOffset", repr(sign * s.offset))
            vrt_element(cs, "ScaleRatio", repr(sign * s.scale))
    info = {"width": width, "height": height, "transform": transform, "dtype": dtype,
            "nodata": nodata}
    return ET.tostring(root, encoding="unicode"), info


def _gdal_env():
    return rasterio.Env(GDAL_PAM_ENABLED="NO", GDAL_NUM_THREADS="ALL_CPUS",
                        GDAL_CACHEMAX=256)


def _valid_stats(path: Path) -> dict:
    """Value statistics from the smallest useful overview; full scan only if it finds none."""
    with _gdal_env(), rasterio.open(path) as ds:
        scale = max(ds.width / 1024, ds.height / 1024, 1.0)
        shape = (max(1, round(ds.height / scale)), max(1, round(ds.width / scale)))
        arr = ds.read(1, out_shape=shape, resampling=Resampling.nearest, masked=True)
        vals = arr.compressed().astype("float64")
        vals = vals[np.isfinite(vals)]
        if vals.size == 0:  # sparse data can hide between decimated samples: scan blocks
            for _, win in ds.block_windows(1):
                blk = ds.read(1, window=win, masked=True).compressed().astype("float64")
                vals = blk[np.isfinite(blk)]
                if vals.size:
                    break
        if vals.size == 0:
            raise InputError(
                f"{path.name.replace('.partial', '')}: every cell is nodata; nothing to import"
            )
        layout = ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT", "")
        return {
            "min_m": round(float(vals.min()), 3),
            "max_m": round(float(vals.max()), 3),
            "median_m": round(float(np.median(vals)), 3),
            "layout": layout,
            "overviews": list(ds.overviews(1)),
        }


@dataclass(frozen=True)
class ImportResult:
    """An installed grid.

    Attributes
    ----------
    path, provenance_path : Path
        The COG and its sidecar.
    info : GridInfo
        As the app sees it.
    source_positive_down : bool
        Whether the input stored depths positive down (the COG always stores elevations).
    sign_basis : str
        Why (see the module docstring).
    crs_basis : str
        Where the CRS came from.
    warnings : list of str
    """

    path: Path
    provenance_path: Path
    info: GridInfo
    source_positive_down: bool
    sign_basis: str
    crs_basis: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "provenance": str(self.provenance_path),
            "source_positive_down": self.source_positive_down,
            "sign_basis": self.sign_basis,
            "crs_basis": self.crs_basis,
            "warnings": list(self.warnings),
            "grid": self.info.describe(),
        }


def check_name_free(folder: Path, stem: str, own: str) -> None:
    """Refuse a name whose provenance sidecar another grid (other suffix) already uses, and
    the embedded default grid's name (it is never replaced, even with ``force``)."""
    if f"{stem}{own}" == DEFAULT_GRID_NAME or stem == Path(DEFAULT_GRID_NAME).stem:
        raise InputError(
            f"{DEFAULT_GRID_NAME} is the embedded default grid and cannot be replaced; "
            "choose another name"
        )
    for suffix in GRID_SUFFIXES:
        other = folder / f"{stem}{suffix}"
        if suffix != own and other.exists():
            raise InputError(
                f"{other.name} already exists in {folder} and would share "
                f"{stem}.provenance.json; choose another name"
            )


def default_stem(path: Path) -> str:
    """A grid name from a file name: suffixes and download markers removed, odd characters
    replaced.

    >>> default_stem(Path("GEBCO 2024 (strait).nc"))
    'GEBCO_2024_strait'
    """
    stem = path.name
    for suffix in (PARTIAL, ".download", *IMPORT_SUFFIXES):
        stem = stem[: -len(suffix)] if stem.lower().endswith(suffix) else stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-") or "grid"
    return safe_name(stem[:100])


def _known_provenance(path: Path) -> dict:
    low = path.name.lower()
    for prefix, sid in _KNOWN.items():
        if low.startswith(prefix):
            s = CATALOGUE[sid]
            return {"source": s.name, "licence": s.licence, "citation": s.citation,
                    "source_guessed_from": "file name"}
    return {}


def _write_failure(name: str, folder: Path, exc: BaseException) -> str:
    """One sentence for a conversion that failed while writing (disk full, permissions …)."""
    text = str(exc)
    if getattr(exc, "errno", None) == 28 or "No space left" in text or "ENOSPC" in text:
        return (f"cannot import {name}: the disk holding {folder} is full; nothing was kept. "
                "Free some space (or import a smaller box with --bbox) and try again")
    return f"cannot convert {name}: {text}"


def import_grid(
    path,
    *,
    name: str | None = None,
    positive_down: bool | None = None,
    crs: str | None = None,
    bbox=None,
    folder: Path | None = None,
    force: bool = False,
    provenance: dict | None = None,
    sign_basis: str | None = None,
    original_name: str | None = None,
) -> ImportResult:
    """Convert a grid (or tiles of one grid) into a COG with provenance in the data folder.

    Parameters
    ----------
    path : str, Path or list of them
        GeoTIFF / NetCDF / Esri ASCII file; several files are mosaicked (same CRS and
        resolution, e.g. ETOPO tiles).
    name : str, optional
        Output file stem (default: the input's name).
    positive_down : bool, optional
        Force the input's sign convention (default: detected, see the module docstring).
    crs : str, optional
        CRS of a file that has none (``EPSG:4326``, ``EPSG:3996``, …).
    bbox : str or sequence, optional
        W,S,E,N degrees: keep only this part (snapped outward to whole pixels).
    folder : Path, optional
        Destination (default ``geodata/bathymetry``).
    force : bool
        Replace a grid of the same name.
    provenance : dict, optional
        Extra sidecar fields (source, url, licence, citation …).
    sign_basis : str, optional
        Text recorded as the reason for ``positive_down`` when the caller knows it.
    original_name : str, optional
        Name recorded as ``original_file`` (default: the input file name).

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        See :func:`inspect_source`; a name already taken (use ``force``); all-nodata grid.
    """
    paths = [Path(p) for p in (path if isinstance(path, (list, tuple)) else [path])]
    if not paths:
        raise InputError("no grid file given")
    srcs = [inspect_source(p, crs=crs) for p in paths]
    box = parse_bbox(bbox) if bbox is not None else None
    folder = Path(folder or bathymetry_dir())
    folder.mkdir(parents=True, exist_ok=True)
    stem = safe_name(name) if name else default_stem(paths[0])
    dest = folder / f"{stem}.tif"
    if dest.exists() and not force:
        raise InputError(
            f"{dest.name} already exists in {folder}; use --force to replace it or --name to "
            "choose another name"
        )
    check_name_free(folder, stem, ".tif")
    sample = _sample(srcs[0])  # all-nodata is checked on the output, which scans fully
    pos_down, basis, notes = detect_sign(srcs[0], positive_down, sample)
    if sign_basis and positive_down is not None:
        basis = sign_basis
    now = datetime.now(UTC).isoformat(timespec="seconds")
    prov = {**_known_provenance(paths[0]), **read_provenance(paths[0]), **(provenance or {})}
    prov.setdefault("name", stem)
    prov.setdefault("source", f"imported file {paths[0].name}")
    tags = {"SOURCE": str(prov.get("source", "")), "LICENCE": str(prov.get("licence", "")),
            "MAPAPP_IMPORTED": now}
    xml, vinfo = build_vrt(srcs, bbox=box, flip=pos_down, metadata=tags)
    part = folder / f"{stem}{PARTIAL}.tif"
    side = provenance_path(dest)
    discard(part)
    try:
        with _gdal_env():
            rasterio.shutil.copy(xml, part, driver="COG", **COG_OPTIONS)
        stats = _valid_stats(part)
        if stats["layout"] != "COG":
            raise DatasetError(f"GDAL did not write a cloud-optimised layout for {dest.name}")
        t = vinfo["transform"]
        w, h = vinfo["width"], vinfo["height"]
        bounds = rasterio.warp.transform_bounds(srcs[0].crs, _WGS84, t.c, t.f + t.e * h,
                                                t.c + t.a * w, t.f, densify_pts=21)
        prov.update({
            "original_file": original_name or ", ".join(p.name for p in paths),
            "imported": now,
            "crs": srcs[0].crs.to_string(),
            "crs_basis": srcs[0].crs_basis,
            "bbox": [round(v, 6) for v in bounds],
            "size_px": [w, h],
            "units": "m",
            "positive_down": False,
            "source_positive_down": pos_down,
            "sign_basis": basis,
            "values_m": {k: stats[k] for k in ("min_m", "median_m", "max_m")},
            "format": "COG (GeoTIFF, DEFLATE, 512 px tiles, averaged overviews "
                      f"{stats['overviews'] or 'none: small grid'})",
        })
        if box is not None:
            prov["cut_to_bbox"] = list(box)
        if srcs[0].variable:
            prov.setdefault("variable", srcs[0].variable)
        atomic_write_json(side, prov)
        os.replace(part, dest)
    except ExportError as exc:  # the sidecar could not be written (disk full …)
        discard(part)
        raise DatasetError(_write_failure(paths[0].name, folder, exc.__cause__ or exc)) from exc
    except MapAppError:
        discard(part)
        raise
    except (RasterioError, OSError) as exc:
        discard(part)
        if not dest.exists():
            discard(side)
        raise DatasetError(_write_failure(paths[0].name, folder, exc)) from exc
    try:
        info = Grid(dest).info
    except MapAppError:
        discard(dest, side)
        raise
    return ImportResult(dest, side, info, pos_down, basis, srcs[0].crs_basis, notes)


