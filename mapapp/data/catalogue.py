"""The catalogue of public bathymetry grids, bounding boxes, grid names and fetch plans.

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

:func:`plan_fetch` turns a request into URLs without touching the network; the download
itself is :mod:`mapapp.data.download`, the conversion :mod:`mapapp.data.gridimport`, and
:mod:`mapapp.data.fetch` runs the three in order.

:func:`parse_bbox` is the one bounding-box parser of the app (CLI, UI, figures, fetches).
Its rule at 180°: longitudes are written in −180…180 and a box whose west edge is east of
its east edge (``175,60,-165,70``) crosses the antimeridian. Maps and figures accept such a
box and get it back *unwrapped* — east + 360, so west < east always holds and east − west is
the width (``(175, 60, 195, 70)``); data requests, which the services answer in −180…180
only, refuse it and say which two boxes to fetch instead.

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
>>> parse_bbox("175,60,-165,70", cross_180=True)
(175.0, 60.0, 195.0, 70.0)
"""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from mapapp.core.errors import InputError
from mapapp.data.datasets import list_datasets

__all__ = [
    "AOI",
    "CATALOGUE",
    "FetchPlan",
    "Source",
    "bbox_tag",
    "catalogue",
    "etopo_tiles",
    "parse_bbox",
    "plan_fetch",
    "safe_name",
    "service_url",
]

#: Default area of interest (W, S, E, N degrees): the suggested AOI of bering-facts.md §5,
#: every place of the strait, no antimeridian crossing.
AOI = (-174.0, 63.5, -164.5, 66.5)


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
def parse_bbox(value, *, cross_180: bool = False) -> tuple[float, float, float, float]:
    """A validated bounding box (west, south, east, north) in degrees.

    Parameters
    ----------
    value : str or sequence
        ``"W,S,E,N"`` (commas and/or spaces) or four numbers, degrees; longitudes within
        −180…180, latitudes within −90…90.
    cross_180 : bool
        What west > east means. Either way it is a box across the 180° meridian. True (maps,
        figures): returned unwrapped, east + 360° (so west < east ≤ 540). False (data
        requests, served in −180…180 only): refused, naming the two boxes to ask for.

    Returns
    -------
    tuple of float
        (west, south, east, north), degrees, with west < east and south < north.

    Raises
    ------
    InputError
        Not four numbers; a non-finite one; outside ±180 / ±90; south ≥ north; west = east;
        west > east unless ``cross_180``.

    Examples
    --------
    >>> parse_bbox("-170.2, 65.3, -167.8, 66.3")
    (-170.2, 65.3, -167.8, 66.3)
    >>> parse_bbox("170 60 -170 65", cross_180=True)
    (170.0, 60.0, 190.0, 65.0)
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
    if w > e and not cross_180:
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
    if w > e:
        e += 360.0
    return (w, s, e, n)


def bbox_tag(bbox) -> str:
    """A file-name tag for a box, e.g. ``170.20W_65.30N_167.80W_66.30N``."""
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
    stem = safe_name(name) if name else f"{src.id.replace('-', '_')}_{res}_{bbox_tag(box)}"
    return FetchPlan(src, box, res, urls, stem, crop, suffix)


