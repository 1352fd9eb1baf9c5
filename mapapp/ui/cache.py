"""Cached bridges from the UI to the core.

Datasets and rendered layers are cached across reruns and sessions (read-only shared
data: the functions return immutable bytes / dicts, never objects a session mutates).
Cache keys include the file's modification time, so a replaced grid is re-read. A session's
own uploaded grids (:mod:`mapapp.data.uploads`) are listed for that session only; the cache
key of a listing is the folder's contents, which only that session's folder path reaches.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import geopandas as gpd
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mapapp.core import paths
from mapapp.core.errors import MapAppError
from mapapp.core.files import atomic_write
from mapapp.data import bathymetry, coastline, context, datasets, uploads
from mapapp.render import assets, isobaths, mapview, overlay
from mapapp.routes.route import Route

#: Generated layer files (content-hashed names), served by Streamlit at /app/static/gen/.
GEN_DIR = Path(os.environ.get("MAPAPP_STATIC_GEN") or assets.STATIC_DIR / "gen")
#: URL of :data:`GEN_DIR` as seen from the streamlit-folium iframe (/component/…/index.html).
GEN_URL = "../../app/static/gen"
#: Content-hashed files are never rewritten, so they are cheap to check.
_published: set[str] = set()
#: id(bytes) -> (the bytes, URL) for the shared cached byte strings (kept alive, so no id reuse).
_memo: dict[int, tuple[bytes, str]] = {}


def route_cached(max_entries: int):
    """``st.cache_data`` for functions of routes: a Route is keyed by its
    :meth:`~mapapp.routes.route.Route.fingerprint` (no JSON round trips at the call sites)."""
    return st.cache_data(show_spinner=False, max_entries=max_entries,
                         hash_funcs={Route: Route.fingerprint})


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=16)
def _grid(path: str, mtime: float) -> bathymetry.Grid:
    return bathymetry.Grid(path)


def grid(path: str) -> bathymetry.Grid:
    """The opened grid at ``path`` (cached; reopened when the file changes)."""
    return _grid(path, _mtime(path))


#: Prefix of the dataset names of a session's own grids (never valid in a link).
SESSION_PREFIX = "session/"


def session_id() -> str | None:
    """This browser session's id (Streamlit's), or None outside a running session."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def session_grid_folder() -> Path | None:
    """The folder of this session's own uploaded grids (None when it has none yet)."""
    sid = session_id()
    if not sid:
        return None
    try:
        folder = uploads.session_dir(sid)
    except MapAppError:
        return None
    return folder if folder.is_dir() else None


def _signature(folder: Path) -> tuple:
    """What changes when a grid in ``folder`` is added, removed, replaced or damaged in place
    (names, sizes and modification times; a truncated file changes size and time)."""
    try:
        return tuple(sorted((p.name, st_.st_size, st_.st_mtime_ns)
                            for p in folder.iterdir() for st_ in [p.stat()]))
    except OSError:
        return ()


def dataset_entries() -> list[dict]:
    """The shared grids of geodata/bathymetry, then this session's own uploads, as plain dicts.

    Rescanned when a file in either folder changes. Each dict has ``name`` (unique; a session
    grid's is ``session/<file>``), ``path``, ``label``, ``error``, ``info`` and ``scope``
    (``shared`` or ``session``). Other sessions' uploads are never listed.
    """
    housekeeping()
    folder = paths.bathymetry_dir()
    out = _dataset_entries(str(folder), _signature(folder), "shared")
    own = session_grid_folder()
    if own is not None:
        out = out + _dataset_entries(str(own), _signature(own), "session")
    return out


def link_dataset(name: str) -> str | None:
    """The dataset name to put in a shared link: None for a session's own upload (no one
    else can open it, so the link keeps the recipient's default grid).

    >>> link_dataset("session/mine.tif") is None, link_dataset("gmrt_high.tif")
    (True, 'gmrt_high.tif')
    """
    return None if str(name).startswith(SESSION_PREFIX) else name


@st.cache_data(show_spinner=False, max_entries=64)
def _dataset_entries(folder: str, signature: tuple, scope: str) -> list[dict]:
    out = []
    for e in datasets.list_datasets(Path(folder)):
        mine = scope == "session"
        out.append(
            {
                "name": f"{SESSION_PREFIX}{e.name}" if mine else e.name,
                "path": str(e.path),
                "label": f"{e.label} (your upload, this session only)" if mine else e.label,
                "error": e.error,
                "info": e.info.describe() if e.info else None,
                "scope": scope,
            }
        )
    return out


def _alive(sid: str) -> bool:
    """True while the server still knows the session (connected, or disconnected but within
    ``server.disconnectedSessionTTL`` and so able to reconnect)."""
    if not Runtime.exists():
        return True
    runtime = Runtime.instance()
    mgr = getattr(runtime, "_session_mgr", None)
    if mgr is not None and hasattr(mgr, "get_session_info"):
        return mgr.get_session_info(sid) is not None
    return runtime.is_active_session(sid)


def _sweep_forever(interval_s: float) -> None:
    while True:
        time.sleep(interval_s)
        try:
            uploads.sweep(uploads.own_sessions(), _alive)
        except Exception:  # noqa: BLE001 - housekeeping must never stop; next round retries
            continue


@st.cache_resource(show_spinner=False)
def housekeeping() -> dict:
    """Once per server process: remove session grid folders older than the age limit (left
    by a crash or a restart), then start a thread that removes a session's folder soon after
    the session ends (every ``$MAPAPP_SESSION_SWEEP_S`` seconds, default 30)."""
    removed = uploads.remove_stale()
    try:
        interval = float(os.environ.get("MAPAPP_SESSION_SWEEP_S", "30"))
    except ValueError:
        interval = 30.0
    interval = interval if interval > 0 else 30.0
    threading.Thread(target=_sweep_forever, args=(interval,), daemon=True,
                     name="mapapp-session-grid-sweeper").start()
    return {"removed_at_start": removed, "sweep_interval_s": interval}


@st.cache_data(show_spinner=False, max_entries=64)
def _overlay(path, mtime, bbox, width_px, cmap, vmin, vmax, hillshade, land_source="gshhg"):
    g = grid(path)
    ov = overlay.render_overlay(
        g, bbox, width_px=width_px, cmap=cmap, vmin=vmin, vmax=vmax, hillshade=hillshade,
        land=coastline.land_geometry(land_source),
    )
    return {"data_url": ov.data_url(), "bounds": ov.bounds, "vmin": ov.vmin, "vmax": ov.vmax,
            "cmap": ov.cmap, "png_bytes": len(ov.png), "png": ov.png}


def rendered_overlay(path, bbox, width_px, cmap, vmin, vmax, hillshade, land_source="gshhg") -> dict:
    """The bathymetry overlay as a data URL plus its bounds (cached); land from ``land_source``
    is left transparent."""
    return _overlay(path, _mtime(path), tuple(bbox), int(width_px), cmap, vmin, vmax, bool(hillshade),
                    land_source)


@st.cache_data(show_spinner=False, max_entries=32)
def _isobaths(path, mtime, bbox, interval, land_source="gshhg"):
    lines = isobaths.isobaths(grid(path), bbox, interval, land=coastline.land_geometry(land_source))
    return lines.to_json()


def isobath_geojson(path, bbox, interval, land_source="gshhg") -> str:
    """Isobaths as a GeoJSON string (cached)."""
    return _isobaths(path, _mtime(path), tuple(bbox), float(interval), land_source)


def isobath_lines(path, bbox, interval, land_source="gshhg") -> gpd.GeoDataFrame:
    """Isobaths as a GeoDataFrame (EPSG:4326; ``depth_m`` in metres, ``label``), read back
    from the cached GeoJSON."""
    return _lines_from_geojson(isobath_geojson(path, bbox, interval, land_source))


def _lines_from_geojson(text: str) -> gpd.GeoDataFrame:
    gj = json.loads(text)
    return (gpd.GeoDataFrame.from_features(gj["features"], crs=4326) if gj["features"]
            else gpd.GeoDataFrame({"depth_m": [], "label": []}, geometry=[], crs=4326))


@st.cache_resource(show_spinner=False)
def display_land(source: str = "gshhg"):
    """Simplified land polygons for display (shared, read-only)."""
    return coastline.display_land(source)


@st.cache_resource(show_spinner=False)
def context_layers():
    """(places, lines) GeoDataFrames (shared, read-only)."""
    return context.load_places(), context.load_lines()


@st.cache_data(show_spinner=False, max_entries=8)
def value_range(path: str, mtime: float, bbox) -> tuple[float, float]:
    """(min, max) elevation of the grid in the box, metres."""
    return grid(path).value_range(bbox)


def publish(data: bytes, ext: str, stem: str = "layer") -> str | None:
    """Write ``data`` to :data:`GEN_DIR` under its content hash and return its URL for the map's
    iframe; None when the folder is not writable (the caller then sends the data inline).

    The name is ``stem-`` and the first 16 hex digits of the SHA-256 of the bytes, so a file
    never changes once written and the browser may cache it for as long as it likes.
    """
    hit = _memo.get(id(data))
    if hit is not None and hit[0] is data and hit[1].endswith(f".{ext}") and f"/{stem}-" in hit[1]:
        return hit[1]
    name = f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    path = GEN_DIR / name
    if name not in _published and not path.is_file():
        try:
            GEN_DIR.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except (OSError, MapAppError):
            return None
    _published.add(name)
    url = f"{GEN_URL}/{name}"
    if len(_memo) < 256:
        _memo[id(data)] = (data, url)
    return url


def _dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@st.cache_resource(show_spinner=False, max_entries=4)
def land_files(source: str = "gshhg") -> tuple[tuple[float, bytes], ...]:
    """The display land as GeoJSON bytes simplified for each of :data:`mapview.LAND_ZOOMS`."""
    land = coastline.load_land(source)
    return tuple((z, _dumps(mapview.land_geojson(land, z))) for z in mapview.LAND_ZOOMS)


@st.cache_resource(show_spinner=False, max_entries=32)
def _isobath_file(path, mtime, bbox, interval, land_source) -> bytes:
    lines = _lines_from_geojson(_isobaths(path, mtime, bbox, interval, land_source))
    return _dumps(mapview.isobath_geojson(lines))


def isobath_file(path, bbox, interval, land_source="gshhg") -> bytes:
    """:func:`mapview.isobath_geojson` of the isobaths as bytes (cached)."""
    return _isobath_file(path, _mtime(path), tuple(bbox), float(interval), land_source)


@st.cache_resource(show_spinner=False)
def context_file() -> bytes:
    """:func:`mapview.context_geojson` of the places and lines as bytes (shared)."""
    places, lines = context_layers()
    return _dumps(mapview.context_geojson(places, lines))


@st.cache_resource(show_spinner=False)
def place_list() -> tuple:
    """(name, lat, lon) of the named places, for the map's search box."""
    return tuple(mapview.place_list(context_layers()[0]))
