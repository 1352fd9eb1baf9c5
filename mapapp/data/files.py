"""Conventions for files in a grid folder, shared by downloads, imports and listings.

A file that GDAL or a resumable download writes in place has ``.partial`` in its name until
it is complete and checked; the dataset list never shows such a file (:func:`is_partial`),
and a finished file is renamed into place in one step (``os.replace``), so a reader sees
either nothing or the whole file. Files made as bytes in memory (provenance sidecars, VRTs)
are written with :func:`mapapp.core.files.atomic_write` / ``atomic_write_json`` instead.

Examples
--------
>>> is_partial(Path("gmrt.partial.tif")), is_partial(Path("gmrt.tif"))
(True, False)
>>> discard(Path("/nonexistent/never-there.partial"))  # a missing file is not an error
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PARTIAL", "discard", "is_partial"]

#: Marker in the name of every file still being written.
PARTIAL = ".partial"


def is_partial(path: Path) -> bool:
    """True when ``path`` names a file still being written (never listed)."""
    return PARTIAL in Path(path).name


def discard(*paths: Path) -> None:
    """Delete files that may or may not exist (a missing one is skipped)."""
    for p in paths:
        try:
            Path(p).unlink()
        except FileNotFoundError:
            pass

