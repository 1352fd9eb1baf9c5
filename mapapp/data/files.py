"""Conventions for files in a grid folder, shared by downloads, imports and listings.

Anything being written has ``.partial`` in its name until it is complete and checked; the
dataset list never shows such a file (:func:`is_partial`), and a finished file is renamed
into place in one step (``os.replace``), so a reader sees either nothing or the whole file.

Examples
--------
>>> is_partial(Path("gmrt.partial.tif")), is_partial(Path("gmrt.tif"))
(True, False)
>>> discard(Path("/nonexistent/never-there.partial"))  # a missing file is not an error
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["PARTIAL", "discard", "is_partial", "write_json_atomic"]

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


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` as indented UTF-8 JSON to ``path`` via ``<path>.partial`` and a rename.

    A failure (disk full …) removes the partial file and re-raises.
    """
    path = Path(path)
    tmp = path.with_name(path.name + PARTIAL)
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise
