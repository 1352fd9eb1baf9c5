"""Bathymetry rendered for the web map: reprojected to Web Mercator, coloured, shaded.

Leaflet's ``ImageOverlay`` stretches an image linearly between two corners *in Web
Mercator*, so the image must be resampled onto a Web Mercator (EPSG:3857) grid first —
stretching a lon/lat grid would put every row at the wrong latitude (by up to a pixel
row per 0.1° here). :func:`render_overlay` does that with :func:`rasterio.warp.reproject`.

Examples
--------
>>> from mapapp.data.bathymetry import open_grid
>>> ov = render_overlay(open_grid(), (-170.2, 65.3, -167.8, 66.3), width_px=200)
>>> ov.png[:4] == b"\\x89PNG", ov.rgba.shape[1]
(True, 200)
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib
import numpy as np
import rasterio.features
import rasterio.warp
import shapely
from matplotlib.colors import LightSource
from PIL import Image
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.transform import from_bounds

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import Grid

__all__ = ["COLORMAPS", "get_cmap", "Overlay", "render_overlay", "mercator_bounds"]

try:  # cmocean registers the cmo.* colormaps with matplotlib
    import cmocean  # noqa: F401
except ImportError:  # pragma: no cover - cmocean is in requirements
    cmocean = None

#: Colormaps offered for bathymetry (matplotlib names); the first is the default.
COLORMAPS = ("cmo.deep_r", "cmo.ice", "cmo.topo", "cmo.haline", "viridis", "Blues_r")

_MERC = CRS.from_epsg(3857)
_WGS84 = CRS.from_epsg(4326)


def get_cmap(name: str):
    """A matplotlib colormap by name; :class:`InputError` for an unknown name."""
    try:
        return matplotlib.colormaps[name]
    except KeyError as exc:
        raise InputError(f"unknown colormap {name!r}; choose one of {', '.join(COLORMAPS)}") from exc


def mercator_bounds(bbox) -> tuple[float, float, float, float]:
    """(west, south, east, north) degrees → (left, bottom, right, top) in EPSG:3857 metres."""
    west, south, east, north = bbox
    tr = Transformer.from_crs(_WGS84, _MERC, always_xy=True)
    left, bottom = tr.transform(west, south)
    right, top = tr.transform(east, north)
    return left, bottom, right, top


@dataclass(frozen=True)
class Overlay:
    """A rendered overlay.

    Attributes
    ----------
    rgba : numpy.ndarray
        (height, width, 4) uint8 image on a Web Mercator grid.
    elevation : numpy.ndarray
        (height, width) float32 elevations (m) on the same grid, NaN where missing.
    bounds : tuple
        (west, south, east, north) of the image in degrees: its corners for Leaflet.
    vmin, vmax : float
        Colour scale limits, metres.
    cmap : str
        Colormap name.
    """

    rgba: np.ndarray
    elevation: np.ndarray
    bounds: tuple[float, float, float, float]
    vmin: float
    vmax: float
    cmap: str

    @property
    def png(self) -> bytes:
        """The image as PNG bytes."""
        buf = io.BytesIO()
        Image.fromarray(self.rgba, mode="RGBA").save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    def data_url(self) -> str:
        """``data:image/png;base64,…`` for folium's ImageOverlay."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def leaflet_bounds(self) -> list[list[float]]:
        """[[south, west], [north, east]] as Leaflet wants them."""
        w, s, e, n = self.bounds
        return [[s, w], [n, e]]


def _hillshade(rgb: np.ndarray, elev: np.ndarray, dx_m: float, dy_m: float, vert_exag: float):
    filled = np.where(np.isfinite(elev), elev, np.nanmean(elev) if np.isfinite(elev).any() else 0)
    ls = LightSource(azdeg=315, altdeg=45)
    shade = ls.hillshade(filled, vert_exag=vert_exag, dx=dx_m, dy=dy_m)
    return np.clip(rgb * (0.55 + 0.45 * shade[..., None]) / 0.775, 0, 1)


def render_overlay(
    grid: Grid,
    bbox,
    *,
    width_px: int = 1024,
    cmap: str = COLORMAPS[0],
    vmin: float | None = None,
    vmax: float | None = None,
    hillshade: bool = False,
    vert_exag: float = 20.0,
    land=None,
) -> Overlay:
    """Render a grid for the web map.

    Parameters
    ----------
    grid : Grid
        The bathymetry.
    bbox : tuple
        (west, south, east, north) in degrees; clipped to the grid's extent.
    width_px : int
        Output width in pixels (height follows the Web Mercator aspect). The grid is read
        decimated to about this size, so the cost does not grow with the file.
    cmap : str
        Matplotlib colormap name (see :data:`COLORMAPS`).
    vmin, vmax : float, optional
        Colour limits in metres (default: the data range in the box, capped at 0 m).
    hillshade : bool
        Multiply by a hillshade (sun from the north-west, 45° up).
    vert_exag : float
        Vertical exaggeration of the hillshade (dimensionless).
    land : shapely geometry, optional
        Land polygons (degrees); pixels on land become transparent (the coastline is
        drawn as a vector layer over it).

    Returns
    -------
    Overlay
    """
    if not 16 <= int(width_px) <= 4096:
        raise InputError(f"overlay width {width_px} px must be between 16 and 4096")
    gw, gs, ge, gn = grid.info.bounds
    west, south, east, north = (float(v) for v in bbox)
    west, south, east, north = max(west, gw), max(south, gs, -85.0), min(east, ge), min(north, gn, 85.0)
    if not (west < east and south < north):
        raise InputError(f"the view {tuple(bbox)} does not overlap the grid {grid.info.name}")
    left, bottom, right, top = mercator_bounds((west, south, east, north))
    width = int(width_px)
    height = max(1, int(round(width * (top - bottom) / (right - left))))
    dst_transform = from_bounds(left, bottom, right, top, width, height)

    # read about one source pixel per output pixel: the warp's bilinear resampling smooths
    # enough, and reading at 2x would read 4x the bytes for no visible gain
    src = grid.read_bbox((west, south, east, north), max_size=int(max(width, height)))
    dest = np.full((height, width), np.nan, dtype="float32")
    rasterio.warp.reproject(
        source=src.data,
        destination=dest,
        src_transform=src.transform,
        src_crs=src.crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=_MERC,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    finite = np.isfinite(dest)
    if vmin is None or vmax is None:
        lo = float(np.nanmin(dest)) if finite.any() else -100.0
        vmin = lo if vmin is None else vmin
        vmax = 0.0 if vmax is None else vmax
    if not vmin < vmax:
        raise InputError(f"depth range must have min < max (got {vmin} … {vmax} m)")
    # colour through a 256-entry uint8 lookup table: a float RGBA array per pixel would
    # cost ~30 bytes a pixel (≈300 MB at 1400 × 1700 px)
    lut = (get_cmap(cmap)(np.linspace(0.0, 1.0, 256)) * 255).round().astype("uint8")
    scaled = np.where(finite, (dest - vmin) * (255.0 / (vmax - vmin)), 0.0)
    rgba = lut[np.clip(np.rint(scaled), 0, 255).astype("uint8")]
    if hillshade:
        lat_c = 0.5 * (south + north)
        px = (right - left) / width * np.cos(np.radians(lat_c))
        py = (top - bottom) / height * np.cos(np.radians(lat_c))
        shaded = _hillshade(rgba[..., :3].astype("float32") / 255.0, dest, px, py, vert_exag)
        rgba[..., :3] = np.rint(shaded * 255.0).astype("uint8")
    rgba[..., 3] = np.where(finite, 255, 0).astype("uint8")
    if land is not None:
        clip = shapely.clip_by_rect(land, west - 0.1, south - 0.1, east + 0.1, north + 0.1)
        if not clip.is_empty:
            tr = Transformer.from_crs(_WGS84, _MERC, always_xy=True)
            merc = shapely.transform(clip, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
            mask = rasterio.features.rasterize(
                [(merc, 1)], out_shape=(height, width), transform=dst_transform, fill=0, dtype="uint8"
            )
            rgba[mask == 1, 3] = 0
    return Overlay(
        rgba=rgba,
        elevation=dest,
        bounds=(west, south, east, north),
        vmin=float(vmin),
        vmax=float(vmax),
        cmap=cmap,
    )
