"""Grids uploaded in the app belong to the session that uploaded them.

Every browser session gets its own folder ``<root>/<session id>/`` (root:
``$MAPAPP_SESSION_GRIDS``, default ``<system temp>/mapapp-session-grids``). An upload is
converted there by :func:`mapapp.data.gridimport.import_grid`; the session lists its own
grids next to the shared ones of ``geodata/bathymetry/``, other sessions never see them.

* **Budget**: a session's folder may hold at most :data:`mapapp.core.safety.MAX_SESSION_GRID_BYTES`
  (``$MAPAPP_SESSION_GRID_MB`` overrides, in MB). An upload is refused before conversion when
  its size alone would pass the budget, and its result is discarded when the converted grid
  does.
* **Clean-up**: :func:`remove_session` when the session ends (the app's sweeper asks the
  server which of the sessions whose folders this process made, :func:`own_sessions`, are
  still alive), and :func:`remove_stale` at start-up for folders
  untouched for :data:`mapapp.core.safety.SESSION_GRID_MAX_AGE_S` (``$MAPAPP_SESSION_GRID_MAX_AGE_H``
  overrides, in hours) — what a crash or a restart left behind.
* **Sharing is an operator action**: ``python -m mapapp data import FILE`` puts a grid into the
  shared folder; ``MAPAPP_SHARED_GRID_UPLOADS=1`` makes the app's uploads go there instead
  (a single-user desk install). Nothing else writes into ``geodata/bathymetry/``.

The root must be on the replica's own disk (each replica cleans only its own sessions'
folders; see ``deploy/README.md``).

Examples
--------
>>> session_key("4f7b2c1e-9a0d-4e55-8a7e-0c1d2e3f4a5b")
'4f7b2c1e-9a0d-4e55-8a7e-0c1d2e3f4a5b'
>>> session_key("../etc")
Traceback (most recent call last):
...
mapapp.core.errors.InputError: session id '../etc' is not a plain id (letters, digits, '-', 8-64 characters)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from mapapp.core import safety
from mapapp.core.errors import InputError
from mapapp.core.paths import bathymetry_dir
from mapapp.data.bathymetry import provenance_path
from mapapp.data.files import discard
from mapapp.data.gridimport import IMPORT_SUFFIXES, ImportResult, default_stem, import_grid

__all__ = [
    "budget_bytes",
    "import_upload",
    "max_age_s",
    "own_sessions",
    "remove_session",
    "remove_stale",
    "session_dir",
    "session_key",
    "session_root",
    "shared_uploads",
    "sweep",
    "upload_file_name",
    "usage_bytes",
]

_KEY_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")

# sessions whose folders this process made: only these are swept when they end (another
# process on the same machine may share the root; its folders are not ours to judge)
_OWN: set[str] = set()
_OWN_LOCK = threading.Lock()


def session_root() -> Path:
    """Folder holding one sub-folder per session (``$MAPAPP_SESSION_GRIDS`` or the temp dir)."""
    env = os.environ.get("MAPAPP_SESSION_GRIDS", "").strip()
    return Path(env) if env else Path(tempfile.gettempdir()) / "mapapp-session-grids"


def session_key(session_id: str) -> str:
    """``session_id`` checked as a folder name (Streamlit's ids are UUIDs)."""
    sid = str(session_id)
    if not _KEY_RE.match(sid):
        raise InputError(
            f"session id {safety.short_repr(sid)} is not a plain id (letters, digits, '-', "
            "8-64 characters)"
        )
    return sid


def session_dir(session_id: str, create: bool = False) -> Path:
    """The session's own grid folder (made when ``create``)."""
    folder = session_root() / session_key(session_id)
    if create:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _OWN_LOCK:
            _OWN.add(folder.name)
    return folder


def own_sessions() -> list[str]:
    """Ids of the sessions whose folders this process created (and has not removed)."""
    with _OWN_LOCK:
        return sorted(_OWN)


def shared_uploads() -> bool:
    """True when the operator set ``MAPAPP_SHARED_GRID_UPLOADS=1``: uploads go to the shared
    folder and every user sees them."""
    return os.environ.get("MAPAPP_SHARED_GRID_UPLOADS", "").strip() == "1"


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def budget_bytes() -> int:
    """Disk budget of one session's grids, bytes (``$MAPAPP_SESSION_GRID_MB`` in MB)."""
    default_mb = safety.MAX_SESSION_GRID_BYTES / (1024 * 1024)
    return int(_env_number("MAPAPP_SESSION_GRID_MB", default_mb) * 1024 * 1024)


def max_age_s() -> float:
    """Age after which an untouched session folder is removed at start-up, seconds."""
    default_h = safety.SESSION_GRID_MAX_AGE_S / 3600
    return _env_number("MAPAPP_SESSION_GRID_MAX_AGE_H", default_h) * 3600


def usage_bytes(folder: Path) -> int:
    """Bytes of the files in ``folder`` (0 when it does not exist)."""
    total = 0
    try:
        entries = list(Path(folder).iterdir())
    except FileNotFoundError:
        return 0
    for p in entries:
        try:
            if p.is_file():
                total += p.stat().st_size
        except FileNotFoundError:
            pass
    return total


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def upload_file_name(name: str) -> str:
    """A safe local file name for an uploaded grid: the browser's name without folders,
    cleaned as grid names are (:func:`mapapp.data.gridimport.default_stem`), keeping an
    importable suffix (GDAL picks the reader by it).

    >>> upload_file_name("../../My survey (2024).TIF")
    'My_survey_2024.tif'
    >>> upload_file_name("évora.nc"), upload_file_name("..nc"), upload_file_name("x.exe")
    ('vora.nc', 'grid.nc', 'x.exe')
    """
    base = Path(str(name).replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    try:
        stem = default_stem(Path(base))
    except InputError:
        stem = "grid"
    return stem + (suffix if suffix in IMPORT_SUFFIXES else "")


def import_upload(path: Path, session_id: str, *, size: int | None = None,
                  **import_kw) -> ImportResult:
    """Import an uploaded grid file for one session (or for everyone, see :func:`shared_uploads`).

    Parameters
    ----------
    path : Path
        The uploaded file, saved somewhere temporary.
    session_id : str
        The uploading session.
    size : int, optional
        Its size in bytes (default: from the file).
    **import_kw
        Passed to :func:`mapapp.data.gridimport.import_grid` (``positive_down``, ``crs`` …);
        ``folder`` is decided here, and ``force`` only applies to the session's own grids
        (a shared grid is never replaced from the app).

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        The session's budget would be exceeded (before or after conversion), or any refusal
        of :func:`import_grid`.
    """
    import_kw.pop("folder", None)
    if shared_uploads():
        import_kw.pop("force", None)
        return import_grid(path, folder=bathymetry_dir(), **import_kw)
    folder = session_dir(session_id, create=True)
    budget = budget_bytes()
    used = usage_bytes(folder)
    size = Path(path).stat().st_size if size is None else int(size)
    if used + size > budget:
        raise InputError(
            f"this upload ({_mb(size)}) would take your grids to {_mb(used + size)}; a session "
            f"may hold {_mb(budget)} (MAPAPP_SESSION_GRID_MB). Use a smaller box, or ask the "
            "operator to add the grid for everyone with `python -m mapapp data import`"
        )
    res = import_grid(path, folder=folder, **import_kw)
    after = usage_bytes(folder)
    if after > budget:
        discard(res.path, provenance_path(res.path))
        raise InputError(
            f"the converted grid is {_mb(after - used)}, which takes your grids past the "
            f"session budget of {_mb(budget)}; it was removed. Import a smaller box"
        )
    os.utime(folder)  # its age counts from the last change
    return res


def remove_session(session_id: str) -> bool:
    """Delete a session's grid folder; True when there was one."""
    folder = session_dir(session_id)
    with _OWN_LOCK:
        _OWN.discard(folder.name)
    if not folder.exists():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def remove_stale(max_age: float | None = None, now: float | None = None) -> list[str]:
    """Delete session folders not changed for ``max_age`` seconds (default :func:`max_age_s`).

    Returns
    -------
    list of str
        The session ids whose folders were removed.
    """
    max_age = max_age_s() if max_age is None else float(max_age)
    now = time.time() if now is None else float(now)
    root = session_root()
    removed = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        if not folder.is_dir() or not _KEY_RE.match(folder.name):
            continue
        try:
            newest = max([folder.stat().st_mtime]
                         + [p.stat().st_mtime for p in folder.iterdir()])
        except FileNotFoundError:
            continue
        if now - newest > max_age:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def sweep(known: Iterable[str], is_alive: Callable[[str], bool]) -> list[str]:
    """Remove the folders of the sessions in ``known`` that ``is_alive`` says have ended.

    Returns
    -------
    list of str
        The ended session ids (whose folders are gone now).
    """
    ended = [sid for sid in list(known) if not is_alive(sid)]
    for sid in ended:
        remove_session(sid)
    return ended
