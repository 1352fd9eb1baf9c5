"""Writing files safely: whole or not at all, with the permissions any other tool would give.

:func:`atomic_write` is the project's one atomic writer: exports, figures, CLI outputs, grid
provenance sidecars and remote-grid VRTs all go through it (JSON through
:func:`atomic_write_json`, which encodes with :mod:`mapapp.core.jsonenc`). Only files that
GDAL or a resumable download writes in place use the ``.partial`` rule of
:mod:`mapapp.data.files` instead, because their writer needs a path, not bytes.

Examples
--------
>>> import os, stat, tempfile
>>> folder = tempfile.mkdtemp()
>>> old = os.umask(0o022)
>>> p = atomic_write(os.path.join(folder, "a.txt"), b"hello")
>>> oct(stat.S_IMODE(p.stat().st_mode)), p.read_bytes()
('0o644', b'hello')
>>> _ = os.umask(old)
>>> q = atomic_write_json(os.path.join(folder, "b.json"), {"z": 1, "a": float("nan")})
>>> q.read_text(encoding="utf-8").splitlines()
['{', '  "z": 1,', '  "a": null', '}']
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from mapapp.core.errors import ExportError
from mapapp.core.jsonenc import dumps

__all__ = ["atomic_write", "atomic_write_json", "current_umask"]


def current_umask() -> int:
    """The process's file-creation mask (e.g. ``0o022``), read without changing it where the
    system allows (``/proc/self/status`` on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def atomic_write(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (a temporary file in the same folder, then
    ``os.replace``), so that readers see the old file or the new one, never half of one.

    A new file gets mode ``0o666`` less the umask, as ``open()`` would give it (a temporary
    file alone would be ``0o600``, unreadable to a web server or a colleague); a file that is
    replaced keeps its mode.

    Raises
    ------
    ExportError
        When the folder does not exist or is not writable; no partial file is left.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist; create it first")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~current_umask()
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return path


def atomic_write_json(path, obj, *, indent: int = 2, sort_keys: bool = False) -> Path:
    """Write ``obj`` as UTF-8 JSON (:func:`mapapp.core.jsonenc.dumps`: dataclasses and NumPy
    values made plain, NaN as ``null``; keys in their own order unless ``sort_keys``) with a
    final newline, through :func:`atomic_write`.

    Raises
    ------
    ExportError
        As :func:`atomic_write`; no partial file is left.
    """
    text = dumps(obj, indent=indent, sort_keys=sort_keys) + "\n"
    return atomic_write(path, text.encode("utf-8"))
