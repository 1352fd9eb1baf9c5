"""Remote Cloud-Optimised GeoTIFFs: register a URL as a grid the app can list and read.

:func:`register_remote` checks an http(s) URL against an allowlist of hosts
(``$MAPAPP_REMOTE_HOSTS``, comma-separated; default :data:`DEFAULT_REMOTE_HOSTS`), opens it
through GDAL's ``/vsicurl/`` and writes ``<name>.vrt`` (a one-source VRT that GDAL reads
with the remote file's own overviews) plus a provenance sidecar. Views then read only the
tiles they need. This is also how replicas can share grids without a shared disk: see
``deploy/README.md``.

Examples
--------
>>> check_remote_url("https://www.gmrt.org/x.tif", hosts=("www.gmrt.org",))
'https://www.gmrt.org/x.tif'
"""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import rasterio
import rasterio.warp
from pyproj import CRS
from rasterio.errors import RasterioError

from mapapp.core.errors import InputError
from mapapp.core.files import atomic_write, atomic_write_json
from mapapp.core.paths import bathymetry_dir
from mapapp.data.bathymetry import provenance_path
from mapapp.data.catalogue import safe_name
from mapapp.data.files import discard
from mapapp.data.gridimport import (
    GDAL_TYPES,
    check_name_free,
    default_stem,
    is_metres,
    vrt_element,
)

__all__ = ["DEFAULT_REMOTE_HOSTS", "check_remote_url", "register_remote", "remote_hosts"]

#: Hosts a remote COG may come from by default (the data services of the catalogue).
DEFAULT_REMOTE_HOSTS = (
    "www.gmrt.org",
    "www.ngdc.noaa.gov",
    "coastwatch.pfeg.noaa.gov",
    "oceanwatch.pifsc.noaa.gov",
    "dap.ceda.ac.uk",
)

_WGS84 = CRS.from_epsg(4326)

def remote_hosts() -> tuple[str, ...]:
    """The allowlist: ``$MAPAPP_REMOTE_HOSTS`` (comma-separated) or the default list.

    An entry is a host name (``example.org``; ``.example.org`` also allows its subdomains)
    with the default port only, or ``host:PORT`` for that port only, or ``host:*`` for any
    port. IP addresses are accepted only when listed literally.
    """
    env = os.environ.get("MAPAPP_REMOTE_HOSTS")
    if env is None:
        return DEFAULT_REMOTE_HOSTS
    return tuple(h.strip().lower() for h in env.split(",") if h.strip())


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def check_remote_url(url: str, hosts=None) -> str:
    """Validate the URL of a remote COG: http(s), an allowlisted host, no credentials.

    Returns
    -------
    str
        The URL (stripped).

    Raises
    ------
    InputError
        Another scheme, credentials in the URL, a host (or IP, or port) not allowed.

    Examples
    --------
    >>> check_remote_url("https://www.gmrt.org/x.tif", hosts=("www.gmrt.org",))
    'https://www.gmrt.org/x.tif'
    """
    url = str(url).strip()
    hosts = tuple(h.lower() for h in (remote_hosts() if hosts is None else hosts))
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"only http:// and https:// URLs can be opened, not {parts.scheme or url!r}")
    if parts.username or parts.password:
        raise InputError("URLs with a user name or password are not accepted")
    host = (parts.hostname or "").lower()
    if not host:
        raise InputError(f"the URL {url!r} has no host")
    default_port = port is None or port == {"http": 80, "https": 443}[parts.scheme.lower()]
    allowed = False
    for entry in hosts:
        name, _, eport = entry.partition(":") if not entry.startswith("[") else (entry, "", "")
        if name.startswith("."):
            match = (host.endswith(name) or host == name[1:]) and not _is_ip(host)
        else:
            match = host == name
        if eport == "*":
            port_ok = True
        elif eport:
            port_ok = port is not None and eport == str(port)
        else:
            port_ok = default_port
        if match and port_ok:
            allowed = True
            break
    if not allowed:
        kind = "IP address" if _is_ip(host) else "host"
        where = f"{host}:{port}" if port else host
        raise InputError(
            f"{kind} {where} is not in the allowlist of remote data hosts "
            f"({', '.join(hosts) or 'empty'}); an administrator can extend it with the "
            "MAPAPP_REMOTE_HOSTS environment variable"
        )
    return url


def _check_resolves_public(host: str, hosts) -> None:
    """Refuse a host name that resolves to a private/loopback address (unless the address is
    itself allowlisted)."""
    if _is_ip(host):
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise InputError(f"cannot resolve {host}: {exc}") from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if (addr.is_private or addr.is_loopback or addr.is_link_local) and \
                str(addr) not in {h.split(":")[0] for h in hosts}:
            raise InputError(f"{host} resolves to a private address ({addr}); refused")


def register_remote(url: str, *, name: str | None = None, folder: Path | None = None,
                    positive_down: bool | None = None, licence: str = "",
                    force: bool = False, hosts=None) -> Path:
    """Make a remote COG appear among the app's grids: writes ``<name>.vrt`` + sidecar.

    Parameters
    ----------
    url : str
        http(s) URL of a Cloud-Optimised GeoTIFF on an allowlisted host.
    name : str, optional
        Entry name (default: the URL's file name).
    folder : Path, optional
        Default ``geodata/bathymetry``.
    positive_down : bool, optional
        Recorded in the sidecar (default: the file's ``positive`` tag, else elevations).
    licence : str
        Recorded in the sidecar.
    force : bool
        Replace an entry of the same name.
    hosts : sequence of str, optional
        Allowlist (default :func:`remote_hosts`).

    Returns
    -------
    Path
        The ``.vrt`` written.

    Raises
    ------
    InputError
        URL refused, not a single-band georeferenced raster, not tiled (every read would
        fetch whole rows), or a name already taken.
    """
    hosts = tuple(remote_hosts() if hosts is None else hosts)
    url = check_remote_url(url, hosts)
    host = urllib.parse.urlsplit(url).hostname or ""
    _check_resolves_public(host, hosts)
    stem = safe_name(name) if name else default_stem(Path(urllib.parse.urlsplit(url).path))
    folder = Path(folder or bathymetry_dir())
    dest = folder / f"{stem}.vrt"
    if dest.exists() and not force:
        raise InputError(f"{dest.name} already exists; choose another name or use force")
    check_name_free(folder, stem, ".vrt")
    vsi = "/vsicurl/" + url
    env = dict(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR", GDAL_HTTP_TIMEOUT="30",
               GDAL_HTTP_MAX_RETRY="2", GDAL_PAM_ENABLED="NO")
    try:
        with rasterio.Env(**env), rasterio.open(vsi) as ds:
            if ds.count != 1 or ds.crs is None or not ds.transform.is_rectilinear:
                raise InputError(
                    f"{url} is not a single-band, georeferenced, north-up grid "
                    f"({ds.count} bands, CRS {ds.crs})"
                )
            block_h, block_w = ds.block_shapes[0]
            if block_w >= ds.width and ds.width * ds.height > 4_000_000:
                raise InputError(
                    f"{url} is not tiled: every view would download whole rows. Convert it to a "
                    "COG (gdal_translate -of COG) or download it and use `data import`"
                )
            units = (ds.units[0] or "").lower()
            if not is_metres(units):
                raise InputError(f"{url}: vertical units {units!r}; only metres are supported")
            tags = {**ds.tags(), **ds.tags(1)}
            vrt_xml = _remote_vrt(ds, vsi)
            overviews = list(ds.overviews(1))
            bounds = rasterio.warp.transform_bounds(ds.crs, _WGS84, *ds.bounds, densify_pts=21)
            size = [ds.width, ds.height]
            crs_text = ds.crs.to_string()
    except RasterioError as exc:
        raise InputError(f"cannot open {url} as a grid: {exc}") from None
    if positive_down is None:
        positive_down = any(k.lower().endswith("positive") and str(v).lower() == "down"
                            for k, v in tags.items())
    folder.mkdir(parents=True, exist_ok=True)
    side = provenance_path(dest)
    had_side = side.exists()
    # the sidecar first, the VRT last: the grid is listed only once both are whole
    atomic_write_json(side, {
        "name": stem,
        "source": f"remote COG {url}",
        "url": url,
        "registered": datetime.now(UTC).isoformat(timespec="seconds"),
        "licence": licence,
        "positive_down": bool(positive_down),
        "crs": crs_text,
        "bbox": [round(v, 6) for v in bounds],
        "size_px": size,
        "overviews": overviews,
        "units": "m",
        "tool": "mapapp remote COG",
    })
    try:
        atomic_write(dest, vrt_xml.encode("utf-8"))
    except BaseException:
        if not had_side:
            discard(side)
        raise
    return dest


def _remote_vrt(ds, vsi: str) -> str:
    """A one-source VRT of an opened dataset (GDAL exposes the source's overviews)."""
    root = ET.Element("VRTDataset", rasterXSize=str(ds.width), rasterYSize=str(ds.height))
    vrt_element(root, "SRS", ds.crs.to_wkt())
    vrt_element(root, "GeoTransform", ", ".join(repr(float(v)) for v in ds.transform.to_gdal()))
    gdal_type = GDAL_TYPES[ds.dtypes[0]]
    band = vrt_element(root, "VRTRasterBand", dataType=gdal_type, band=1)
    if ds.nodata is not None:
        vrt_element(band, "NoDataValue", repr(float(ds.nodata)))
    vrt_element(band, "UnitType", "m")
    src = vrt_element(band, "SimpleSource")
    vrt_element(src, "SourceFilename", vsi, relativeToVRT=0)
    vrt_element(src, "SourceBand", 1)
    bh, bw = ds.block_shapes[0]
    vrt_element(src, "SourceProperties", RasterXSize=ds.width, RasterYSize=ds.height,
         DataType=gdal_type, BlockXSize=bw, BlockYSize=bh)
    vrt_element(src, "SrcRect", xOff=0, yOff=0, xSize=ds.width, ySize=ds.height)
    vrt_element(src, "DstRect", xOff=0, yOff=0, xSize=ds.width, ySize=ds.height)
    return ET.tostring(root, encoding="unicode")
