"""The catalogue of public bathymetry grids, and careful downloads of them.

:data:`CATALOGUE` lists where better grids than the embedded ETOPO5 come from, what they
are and how mapapp gets them (exact request formats: ``bering-facts.md`` §5):

* ``gmrt`` — GMRT GridServer, a GeoTIFF cut to any bounding box (``--resolution``
  low / med / high / max);
* ``etopo2022`` — NOAA NCEI ETOPO 2022 GeoTIFF files: 15″ tiles of 15° × 15° named by their
  north-west corner (all tiles a box touches are mosaicked and cut), or the single global
  30″ / 60″ files (1.6 GB / 466 MB — prefer ``etopo2022-erddap`` for those);
* ``etopo2022-erddap`` — an ERDDAP ``griddap`` subset of ETOPO 2022 (variable ``z``);
* ``gebco`` and ``ibcao`` — no bounding-box API: the entry explains where to download them,
  then ``python -m mapapp data import FILE``.

:func:`download` is a resumable HTTP download into a ``*.partial`` file (which the app never
lists): it retries with backoff, resumes with an HTTP ``Range`` request when the server
supports it (``If-Range`` guards against a file that changed meanwhile), checks the size
against ``Content-Length`` / ``Content-Range`` and the SHA-256 or MD5 when one is given.
It uses the standard library's ``urllib`` rather than pooch because pooch cannot resume.

:func:`fetch` plans the request(s), downloads, then converts with
:func:`mapapp.data.gridio.import_grid` into a Cloud-Optimised GeoTIFF plus provenance sidecar
in ``geodata/bathymetry/``, renamed into place only when complete and valid.

Service base URLs can be overridden by environment variables (tests point them at a local
server): ``MAPAPP_GMRT_URL``, ``MAPAPP_ETOPO_URL``, ``MAPAPP_ERDDAP_URL``
(``MAPAPP_ERDDAP_LON360=1`` for ERDDAP servers indexed 0–360°, such as PIFSC's).

Examples
--------
>>> plan = plan_fetch("gmrt", "-170.2,65.3,-167.8,66.3", "high")
>>> print(plan.urls[0])  # doctest: +NORMALIZE_WHITESPACE
https://www.gmrt.org/services/GridServer?west=-170.2&east=-167.8&south=65.3&north=66.3&layer=topo&format=geotiff&resolution=high
>>> plan.name
'gmrt_high_170.20W_65.30N_167.80W_66.30N'
>>> etopo_tiles((-170.2, 65.3, -167.8, 66.3))  # the strait
['N75W180']
>>> etopo_tiles(AOI)  # its east edge, 164.5°W, is past the tile edge at 165°W
['N75W180', 'N75W165']
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mapapp.core.errors import FetchError, InputError, MapAppError
from mapapp.core.paths import bathymetry_dir

__all__ = [
    "AOI",
    "CATALOGUE",
    "DownloadResult",
    "FetchPlan",
    "FetchResult",
    "Source",
    "catalogue",
    "download",
    "etopo_tiles",
    "fetch",
    "parse_bbox",
    "plan_fetch",
    "safe_name",
    "service_url",
]

#: Default area of interest (W, S, E, N degrees): the suggested AOI of bering-facts.md §5,
#: every place of the strait, no antimeridian crossing.
AOI = (-174.0, 63.5, -164.5, 66.5)

Progress = Callable[[int, "int | None"], None]

_USER_AGENT = "mapapp-data-fetch/1 (Bering Strait route explorer; python-urllib)"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """One catalogue entry.

    Attributes
    ----------
    id : str
        What ``data fetch`` takes.
    name, resolution, crs, licence, citation : str
        As shown to the user.
    method : str
        ``embedded`` (already here), ``bbox`` (a server cuts the box), ``tiles`` (fixed
        files, mosaicked and cut here) or ``manual`` (download by hand, then ``data import``).
    how : str
        How it is fetched, in one paragraph.
    resolutions : tuple of str
        Accepted ``--resolution`` values (first = default); empty when not applicable.
    env : str
        Environment variable overriding the service base URL.
    base_url : str
        Default service base URL.
    info_url : str
        Where to read about the dataset.
    """

    id: str
    name: str
    resolution: str
    crs: str
    licence: str
    citation: str
    method: str
    how: str
    resolutions: tuple[str, ...] = ()
    env: str = ""
    base_url: str = ""
    info_url: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["resolutions"] = list(self.resolutions)
        if self.env:
            d["base_url"] = service_url(self.id)
        return d


_GMRT_CITE = (
    "Ryan, W.B.F. et al. (2009), Global Multi-Resolution Topography synthesis, "
    "Geochem. Geophys. Geosyst. 10, Q03014, doi:10.1029/2008GC002332"
)
_ETOPO_CITE = (
    "NOAA National Centers for Environmental Information (2022): ETOPO 2022 15 Arc-Second "
    "Global Relief Model. doi:10.25921/fd45-gt74"
)

CATALOGUE: dict[str, Source] = {
    s.id: s
    for s in (
        Source(
            id="etopo5",
            name="ETOPO5 5′ (embedded)",
            resolution="5′ (≈3.8 km E-W × 9.3 km N-S at 66°N); the Diomedes are not resolved",
            crs="EPSG:4326",
            licence="Public domain (US Government work)",
            citation="NOAA National Geophysical Data Center (1988), Data Announcement 88-MGG-02, "
            "Digital relief of the Surface of the Earth (ETOPO5)",
            method="embedded",
            how="Included in geodata/bathymetry/ (lon -175…-160, lat 63.5…68.5); nothing to fetch.",
            info_url="https://packages.debian.org/bookworm/ferret-datasets",
        ),
        Source(
            id="gmrt",
            name="GMRT GridServer (Global Multi-Resolution Topography)",
            resolution="≤100 m per node (≈61 m where multibeam exists); max ≈ 2 GB per request",
            crs="EPSG:4326",
            licence="CC BY 4.0",
            citation=_GMRT_CITE,
            method="bbox",
            how="GET {base}?west=W&east=E&south=S&north=N&layer=topo&format=geotiff"
            "&resolution=R — a GeoTIFF cut to the box. Large boxes are silently coarsened "
            "by the server (40°×40° at max → ≈977 m).",
            resolutions=("high", "low", "med", "max"),
            env="MAPAPP_GMRT_URL",
            base_url="https://www.gmrt.org/services/GridServer",
            info_url="https://www.gmrt.org/services/GridServer/info",
        ),
        Source(
            id="etopo2022",
            name="ETOPO 2022 (NOAA NCEI GeoTIFF files, ice surface)",
            resolution="15″ (≈190 m E-W × 460 m N-S at 66°N), 30″ or 60″; vertical EGM2008 ≈ MSL",
            crs="EPSG:4326",
            licence="Public domain (US Government work)",
            citation=_ETOPO_CITE,
            method="tiles",
            how="15″: the 15°×15° GeoTIFF tiles the box touches, named by their north-west "
            "corner ({base}/15s/15s_surface_elev_gtif/ETOPO_2022_v1_15s_N75W180_surface.tif "
            "covers the whole strait; 3600×3600 px), mosaicked and cut to the box. 30″ and "
            "60″ exist only as single global files (≈1.6 GB / 466 MB), downloaded whole then "
            "cut: use etopo2022-erddap for a small subset instead.",
            resolutions=("15s", "30s", "60s"),
            env="MAPAPP_ETOPO_URL",
            base_url="https://www.ngdc.noaa.gov/mgg/global/relief/ETOPO2022/data",
            info_url="https://www.ncei.noaa.gov/products/etopo-global-relief-model",
        ),
        Source(
            id="etopo2022-erddap",
            name="ETOPO 2022 subset from an ERDDAP griddap server",
            resolution="15″, 30″ or 60″ (as etopo2022)",
            crs="EPSG:4326",
            licence="Public domain (US Government work)",
            citation=_ETOPO_CITE,
            method="bbox",
            how="GET {base}/griddap/ETOPO_2022_v1_15s.nc?z[(S):(N)][(W):(E)] — a NetCDF "
            "subset of variable z. CoastWatch (default) indexes longitude −180…180; the PIFSC "
            "mirror (https://oceanwatch.pifsc.noaa.gov/erddap, which also has 30s) uses 0…360: "
            "set MAPAPP_ERDDAP_URL to it and MAPAPP_ERDDAP_LON360=1.",
            resolutions=("15s", "30s", "60s"),
            env="MAPAPP_ERDDAP_URL",
            base_url="https://coastwatch.pfeg.noaa.gov/erddap",
            info_url="https://coastwatch.pfeg.noaa.gov/erddap/griddap/ETOPO_2022_v1_15s.html",
        ),
        Source(
            id="gebco",
            name="GEBCO grid (latest annual release)",
            resolution="15″ global; ice-surface and sub-ice versions; TID source-type grid",
            crs="EPSG:4326",
            licence="Public domain (cite: GEBCO Compilation Group, <year>, GEBCO <year> Grid)",
            citation="GEBCO Compilation Group (<year>) GEBCO <year> Grid — use the year and "
            "DOI shown on the download page",
            method="manual",
            how="No bounding-box API. Open https://download.gebco.net, enter the box (e.g. "
            "N 66.5, S 63.5, W -174, E -164.5), tick GeoTIFF or netCDF under 'GEBCO Grid', add "
            "to the basket, download and unzip; then run "
            "`python -m mapapp data import gebco_….tif` (or the .nc: variable 'elevation'). "
            "The global netCDF (≈4 GB zip) is at https://dap.ceda.ac.uk/bodc/gebco/global/ — "
            "import it with --bbox W,S,E,N to keep only the strait.",
            info_url="https://download.gebco.net",
        ),
        Source(
            id="ibcao",
            name="IBCAO v5.0 (International Bathymetric Chart of the Arctic Ocean)",
            resolution="100 m (v5, secondary source) / 200 m (v4); covers ≥ 64°N",
            crs="EPSG:3996 (polar stereographic, true scale 75°N)",
            licence="See the distributor's terms (not recorded in the project's references)",
            citation="Jakobsson, M. et al. (2024), The International Bathymetric Chart of the "
            "Arctic Ocean Version 5.0, Sci. Data 11, 1420, doi:10.1038/s41597-024-04278-w",
            method="manual",
            how="No bounding-box API. Download the GeoTIFF or netCDF grid from the IBCAO pages "
            "(linked from the paper, doi:10.1038/s41597-024-04278-w, and from gebco.net), then "
            "run `python -m mapapp data import IBCAO_v5_….tif [--bbox W,S,E,N]`. The native "
            "polar stereographic CRS (EPSG:3996) is kept; mapapp reprojects on the fly for "
            "display and sampling. The strait (≈65.7°N) is near the grid's southern edge.",
            info_url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11663226",
        ),
    )
}


def service_url(source_id: str) -> str:
    """The base URL of a source's service (``$MAPAPP_*_URL`` when set), without trailing /."""
    src = CATALOGUE[source_id]
    url = os.environ.get(src.env, "") if src.env else ""
    return (url or src.base_url).rstrip("/")


def catalogue(include_local: bool = True, folder: Path | None = None) -> dict:
    """The catalogue as plain data: remote ``sources`` and the grids already ``local``.

    Returns
    -------
    dict
        ``{"sources": [Source.to_dict(), …], "local": [{name, path, resolution, bounds_deg,
        crs, source, licence, error}, …]}``.
    """
    out = {"sources": [s.to_dict() for s in CATALOGUE.values()], "local": []}
    if include_local:
        from mapapp.data.datasets import list_datasets

        for e in list_datasets(folder):
            d = {"file": e.name, "path": str(e.path), "error": e.error}
            if e.info is not None:
                d.update(
                    name=e.info.name,
                    resolution=e.info.resolution_label,
                    bounds_deg=[round(v, 5) for v in e.info.bounds],
                    size_px=[e.info.width, e.info.height],
                    crs=e.info.crs,
                    source=e.info.source,
                    licence=e.info.licence,
                )
            out["local"].append(d)
    return out


# ------------------------------------------------------------------------------ bbox & names
def parse_bbox(value) -> tuple[float, float, float, float]:
    """A validated bounding box (west, south, east, north) in degrees.

    Parameters
    ----------
    value : str or sequence
        ``"W,S,E,N"`` or four numbers.

    Raises
    ------
    InputError
        Not four numbers; west ≥ east; south ≥ north; outside ±180 / ±90. A box crossing the
        antimeridian (west > east) is refused with how to write or split it.

    Examples
    --------
    >>> parse_bbox("-170.2, 65.3, -167.8, 66.3")
    (-170.2, 65.3, -167.8, 66.3)
    """
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
    else:
        parts = list(value)
    try:
        w, s, e, n = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise InputError(
            f"bounding box {value!r} must be four numbers W,S,E,N in degrees, "
            "e.g. --bbox=-170.2,65.3,-167.8,66.3"
        ) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise InputError(f"bounding box {value!r} has a non-finite number")
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise InputError(
            f"bounding box longitudes {w}, {e} must be within -180…180 "
            "(write 190°E as -170)"
        )
    if not (-90 <= s <= 90 and -90 <= n <= 90):
        raise InputError(f"bounding box latitudes {s}, {n} must be within -90…90")
    if w > e:
        raise InputError(
            f"bounding box {w:g},{s:g},{e:g},{n:g} crosses the 180° meridian (west {w:g} > "
            f"east {e:g}); grids are fetched in -180…180: split it into "
            f"--bbox={w:g},{s:g},180,{n:g} and --bbox=-180,{s:g},{e:g},{n:g} and fetch each, "
            "or keep to one side of 180°"
        )
    if w == e or s >= n:
        raise InputError(
            f"bounding box {w:g},{s:g},{e:g},{n:g} is empty: need west < east and south < north"
        )
    return (w, s, e, n)


def _bbox_tag(bbox) -> str:
    w, s, e, n = bbox

    def lon(v):
        return f"{abs(v):.2f}{'W' if v < 0 else 'E'}"

    def lat(v):
        return f"{abs(v):.2f}{'S' if v < 0 else 'N'}"

    return f"{lon(w)}_{lat(s)}_{lon(e)}_{lat(n)}"


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")


def safe_name(name: str) -> str:
    """A grid file stem from a user-given name (no folders, no suffix, no odd characters).

    >>> safe_name("My grid 2025.tif")
    'My_grid_2025'
    """
    stem = str(name).strip()
    for suffix in (".tif", ".tiff", ".TIF", ".TIFF"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = re.sub(r"\s+", "_", stem)
    if not _NAME_RE.match(stem) or ".." in stem or ".partial" in stem:
        raise InputError(
            f"name {name!r} must be 1-120 letters, digits, '.', '_' or '-' (no folders), "
            "e.g. --name gmrt_strait"
        )
    return stem


# ------------------------------------------------------------------------------ planning
@dataclass(frozen=True)
class FetchPlan:
    """What :func:`fetch` will request.

    Attributes
    ----------
    source : Source
    bbox : tuple
        (W, S, E, N) degrees.
    resolution : str
    urls : list of str
        One or more files to download (ETOPO tiles: one per tile).
    name : str
        Output file stem in ``geodata/bathymetry``.
    crop : bool
        True when the downloads cover more than the box and are cut here.
    raw_suffix : str
        Format of the downloads (``.tif`` or ``.nc``).
    """

    source: Source
    bbox: tuple[float, float, float, float]
    resolution: str
    urls: list[str]
    name: str
    crop: bool
    raw_suffix: str

    def to_dict(self) -> dict:
        return {
            "source": self.source.id,
            "bbox": list(self.bbox),
            "resolution": self.resolution,
            "urls": list(self.urls),
            "name": self.name,
            "crop": self.crop,
        }


def etopo_tiles(bbox) -> list[str]:
    """Names (north-west corners, e.g. ``N75W180``) of the 15° ETOPO 2022 15″ tiles a box
    touches, north to south then west to east."""
    w, s, e, n = bbox
    tops = range(int(math.floor(s / 15)) * 15 + 15, int(math.ceil(n / 15)) * 15 + 1, 15)
    lefts = range(int(math.floor(w / 15)) * 15, int(math.ceil(e / 15)) * 15, 15)
    names = []
    for top in sorted(tops, reverse=True):
        for left in lefts:
            ns = f"{'N' if top >= 0 else 'S'}{abs(top):02d}"
            ew = f"{'E' if left >= 0 else 'W'}{abs(left):03d}"
            names.append(ns + ew)
    return names


def _fmt(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


def plan_fetch(source_id: str, bbox=None, resolution: str | None = None,
               name: str | None = None) -> FetchPlan:
    """Validate a fetch request and build its URL(s); no network.

    Parameters
    ----------
    source_id : str
        A :data:`CATALOGUE` id with method ``bbox`` or ``tiles``.
    bbox : str or sequence, optional
        W,S,E,N degrees (default :data:`AOI`).
    resolution : str, optional
        One of the source's ``resolutions`` (default its first).
    name : str, optional
        Output file stem (default ``<source>_<resolution>_<box>``).

    Raises
    ------
    InputError
        Unknown source, a manual or embedded source (the message says how to get it), a bad
        box or resolution.
    """
    src = CATALOGUE.get(source_id)
    if src is None:
        raise InputError(
            f"unknown source {source_id!r}; choose one of {', '.join(CATALOGUE)} "
            "(see `python -m mapapp data list`)"
        )
    if src.method == "embedded":
        raise InputError(f"{src.name} is already included: {src.how}")
    if src.method == "manual":
        raise InputError(f"{src.name} cannot be fetched automatically. {src.how}")
    box = AOI if bbox is None else parse_bbox(bbox)
    res = resolution or src.resolutions[0]
    if res not in src.resolutions:
        raise InputError(
            f"resolution {res!r} is not offered by {src.id}; choose one of "
            f"{', '.join(src.resolutions)}"
        )
    base = service_url(src.id)
    w, s, e, n = box
    crop = False
    if src.id == "gmrt":
        query = urllib.parse.urlencode(
            {"west": _fmt(w), "east": _fmt(e), "south": _fmt(s), "north": _fmt(n),
             "layer": "topo", "format": "geotiff", "resolution": res}
        )
        urls, suffix = [f"{base}?{query}"], ".tif"
    elif src.id == "etopo2022":
        tiles = etopo_tiles(box) if res == "15s" else ["N90W180"]
        urls = [
            f"{base}/{res}/{res}_surface_elev_gtif/ETOPO_2022_v1_{res}_{t}_surface.tif"
            for t in tiles
        ]
        suffix, crop = ".tif", True
    else:  # etopo2022-erddap
        if os.environ.get("MAPAPP_ERDDAP_LON360", "") in ("1", "yes", "true"):
            w, e = w % 360.0, e % 360.0 if e % 360.0 != 0 else 360.0
            if w > e:
                raise InputError(
                    "with a 0…360° ERDDAP server the box must not cross 0°/360°; split it"
                )
        query = f"z[({_fmt(s)}):({_fmt(n)})][({_fmt(w)}):({_fmt(e)})]"
        urls = [
            f"{base}/griddap/ETOPO_2022_v1_{res}.nc?" + urllib.parse.quote(query, safe="():.-")
        ]
        suffix = ".nc"
    stem = safe_name(name) if name else f"{src.id.replace('-', '_')}_{res}_{_bbox_tag(box)}"
    return FetchPlan(src, box, res, urls, stem, crop, suffix)


# ------------------------------------------------------------------------------ download
@dataclass(frozen=True)
class DownloadResult:
    """A completed download: the ``.partial`` file, its size (bytes) and SHA-256."""

    path: Path
    size: int
    sha256: str
    attempts: int
    resumed: bool
    content_type: str = ""


class _Restart(Exception):
    """The partial file cannot be continued: start from zero."""


def _read_meta(meta: Path) -> dict:
    try:
        d = json.loads(meta.read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def _discard(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _http_message(url: str, exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(600).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the body is only a hint
        body = ""
    body = re.sub(r"<[^>]+>", " ", body)
    body = " ".join(body.split())[:240]
    hint = f" — server said: {body}" if body else ""
    if exc.code == 404:
        return f"the server has no such grid: {url} (HTTP 404){hint}"
    return f"the server refused the request {url}: HTTP {exc.code} {exc.reason}{hint}"


def _total_from(resp, have: int) -> int | None:
    if resp.status == 206:
        m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.headers.get("Content-Range", ""))
        if not m or int(m.group(1)) != have:
            raise _Restart()
        return None if m.group(3) == "*" else int(m.group(3))
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _attempt(url, part, meta, have, progress, timeout) -> tuple[int, int | None, str]:
    """One HTTP request appending to ``part``; returns (bytes on disk, total or None, type)."""
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    old = _read_meta(meta) if have else {}
    if have:
        headers["Range"] = f"bytes={have}-"
        validator = old.get("etag") or old.get("last_modified")
        if validator:
            headers["If-Range"] = validator
    req = urllib.request.Request(url, headers=headers)
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have and old.get("total") == have:
            return have, have, old.get("content_type", "")
        if exc.code == 416:
            raise _Restart() from exc
        raise
    with resp:
        if resp.status not in (200, 206):
            raise FetchError(f"unexpected HTTP status {resp.status} from {url}")
        if resp.status == 200:
            have = 0
        total = _total_from(resp, have)
        ctype = resp.headers.get("Content-Type", "")
        meta.write_text(json.dumps({
            "url": url,
            "etag": resp.headers.get("ETag", ""),
            "last_modified": resp.headers.get("Last-Modified", ""),
            "total": total,
            "content_type": ctype,
        }))
        with open(part, "ab" if have else "wb") as fh:
            got = have
            if progress:
                progress(got, total)
            while True:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                fh.write(chunk)
                got += len(chunk)
                if progress:
                    progress(got, total)
    return got, total, ctype


def _file_digest(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def download(
    url: str,
    part: Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    retries: int = 3,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
    progress: Progress | None = None,
) -> DownloadResult:
    """Download ``url`` into ``part`` (a ``*.partial`` path), resuming what is already there.

    Parameters
    ----------
    url : str
        http(s) URL.
    part : Path
        Destination; its name must contain ``.partial`` so the app never lists it. A JSON
        file ``<part>.json`` beside it records the URL and validators for resuming.
    sha256, md5 : str, optional
        Expected digest (hex). On mismatch the file is deleted.
    retries : int
        Further attempts after a failed one (network error, truncated body, HTTP 5xx); each
        continues with ``Range: bytes=N-`` when the server honours it.
    backoff_s : float
        Seconds before the first retry, doubled each time.
    timeout_s : float
        Socket timeout per operation, seconds.
    progress : callable, optional
        ``progress(bytes_done, bytes_total_or_None)``.

    Returns
    -------
    DownloadResult

    Raises
    ------
    FetchError
        404 ("the server has no such grid: …"), another HTTP error, an unreachable host, a
        body shorter than announced after the last retry ("download incomplete (got N of M
        bytes); run the command again to resume" — the partial file is kept for that), or a
        checksum mismatch ("checksum mismatch …, the file was discarded").
    """
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"only http(s) URLs can be downloaded, not {url!r}")
    part = Path(part)
    if ".partial" not in part.name:
        raise ValueError("download() writes only to *.partial files")
    meta = part.with_name(part.name + ".json")
    if part.exists() and _read_meta(meta).get("url") != url:
        _discard(part, meta)  # a leftover from another request
    resumed = part.exists() and part.stat().st_size > 0
    last = ""
    got, total, ctype = 0, None, ""
    attempt = 0
    for attempt in range(1, retries + 2):
        have = part.stat().st_size if part.exists() else 0
        try:
            got, total, ctype = _attempt(url, part, meta, have, progress, timeout_s)
        except _Restart:
            _discard(part, meta)
            last = "the server could not continue the partial file; restarted"
            continue
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code not in (408, 429):
                raise FetchError(_http_message(url, exc)) from None
            last = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"{type(exc).__name__}: {reason}"
            if isinstance(exc, urllib.error.URLError) and not part.exists():
                host = urllib.parse.urlsplit(url).netloc
                last = f"cannot reach {host} ({reason})"
        else:
            if total is None or got == total:
                break
            if got > total:
                _discard(part, meta)
                last = f"received {got} bytes but {total} were announced; restarted"
                continue
            last = f"got {got} of {total} bytes"
        if attempt <= retries and backoff_s > 0:
            time.sleep(backoff_s * 2 ** (attempt - 1))
    else:
        have = part.stat().st_size if part.exists() else 0
        total = _read_meta(meta).get("total") if have else None
        if total and have < total:
            raise FetchError(
                f"download incomplete (got {have} of {total} bytes) from {url}; "
                "run the command again to resume"
            )
        raise FetchError(
            f"download failed after {retries + 1} attempts from {url}: {last}; check the "
            "connection (or the MAPAPP_*_URL override) and run the command again"
        )
    for algo, want in (("sha256", sha256), ("md5", md5)):
        if want:
            have_digest = _file_digest(part, algo)
            if have_digest.lower() != want.strip().lower():
                _discard(part, meta)
                raise FetchError(
                    f"checksum mismatch for {url}: expected {algo} {want.strip().lower()}, "
                    f"got {have_digest}; the file was discarded. Run the command again; if it "
                    "persists the server's file differs from the published checksum."
                )
    digest = sha256.strip().lower() if sha256 else _file_digest(part, "sha256")
    return DownloadResult(part, got, digest, attempt, resumed, ctype)


# ------------------------------------------------------------------------------ fetch
@dataclass(frozen=True)
class FetchResult:
    """A fetched grid: the COG, its sidecar, the plan and what was downloaded."""

    path: Path
    provenance_path: Path
    plan: FetchPlan
    downloads: list[DownloadResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "provenance": str(self.provenance_path),
            **self.plan.to_dict(),
            "downloaded_bytes": sum(d.size for d in self.downloads),
            "warnings": list(self.warnings),
        }


def _part_path(folder: Path, stem: str, url: str, suffix: str) -> Path:
    key = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return folder / f"{stem}.{key}{suffix}.download.partial"


def fetch(
    source_id: str,
    bbox=None,
    resolution: str | None = None,
    name: str | None = None,
    *,
    folder: Path | None = None,
    force: bool = False,
    sha256: str | None = None,
    retries: int = 3,
    backoff_s: float = 1.0,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> FetchResult:
    """Download a grid from the catalogue and install it as a COG with provenance.

    Parameters
    ----------
    source_id, bbox, resolution, name
        As :func:`plan_fetch`.
    folder : Path, optional
        Destination (default ``geodata/bathymetry``).
    force : bool
        Replace an existing grid of the same name.
    sha256 : str, optional
        Expected SHA-256 of the download (only for a single-file request).
    retries, backoff_s
        As :func:`download`.
    progress : callable, optional
        ``progress(label, bytes_done, bytes_total_or_None)``.

    Returns
    -------
    FetchResult

    Raises
    ------
    InputError, FetchError
        Bad request, download or verification failure; or :class:`DatasetError` when what
        was downloaded is not a usable grid (it is then discarded).
    """
    from mapapp.data import gridio

    plan = plan_fetch(source_id, bbox, resolution, name)
    folder = Path(folder or bathymetry_dir())
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{plan.name}.tif"
    if dest.exists() and not force:
        raise InputError(
            f"{dest.name} already exists in {folder}; use --force to replace it or --name "
            "to choose another name"
        )
    gridio.check_name_free(folder, plan.name, ".tif")
    if sha256 and len(plan.urls) != 1:
        raise InputError("--sha256 applies to a single file, but this request has several")
    results = []
    for i, url in enumerate(plan.urls, 1):
        label = f"{plan.source.id} {i}/{len(plan.urls)}"

        def report(done, total, _label=label):
            if progress:
                progress(_label, done, total)

        part = _part_path(folder, plan.name, url, plan.raw_suffix)
        results.append(download(url, part, sha256=sha256, retries=retries,
                                backoff_s=backoff_s, progress=report))
    src = plan.source
    prov = {
        "name": f"{src.name} {plan.resolution} ({_bbox_tag(plan.bbox)})",
        "source": src.name,
        "source_id": src.id,
        "url": plan.urls[0] if len(plan.urls) == 1 else plan.urls,
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
        "request_bbox": list(plan.bbox),
        "resolution_requested": plan.resolution,
        "licence": src.licence,
        "citation": src.citation,
        "download_sha256": [r.sha256 for r in results],
        "download_bytes": [r.size for r in results],
        "tool": "python -m mapapp data fetch",
    }
    raws = [r.path for r in results]
    try:
        out = gridio.import_grid(
            raws,
            name=plan.name,
            positive_down=False,
            sign_basis=f"{src.id} publishes elevations in metres, positive up",
            bbox=plan.bbox if plan.crop else None,
            folder=folder,
            force=force,
            provenance=prov,
            original_name=", ".join(u.rsplit("/", 1)[-1].split("?")[0] for u in plan.urls),
        )
    except Exception as exc:
        for r in results:
            _discard(r.path, r.path.with_name(r.path.name + ".json"))
        ctype = results[0].content_type if results else ""
        detail = str(exc) if isinstance(exc, MapAppError) else f"{type(exc).__name__}: {exc}"
        raise FetchError(
            f"the server did not return a usable grid ({ctype or 'unknown type'}): {detail}; "
            "the download was discarded"
        ) from exc
    for r in results:
        _discard(r.path, r.path.with_name(r.path.name + ".json"))
    return FetchResult(out.path, out.provenance_path, plan, results, list(out.warnings))
