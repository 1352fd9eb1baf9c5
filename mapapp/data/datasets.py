"""The catalogue of bathymetry grids available to the app.

Any GeoTIFF / NetCDF / Esri ASCII grid in ``geodata/bathymetry/`` is listed, with its
resolution, extent and source (from a ``<name>.provenance.json`` sidecar when present).
Files that cannot be opened are listed with the reason instead of breaking the list.

Examples
--------
>>> entries = list_datasets()
>>> entries[0].name, entries[0].is_default, entries[0].error
('etopo5_bering_5arcmin.tif', True, '')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.paths import DEFAULT_GRID_NAME, bathymetry_dir
from mapapp.data.bathymetry import GRID_SUFFIXES, Grid, GridInfo
from mapapp.data.files import is_partial

__all__ = ["DatasetEntry", "list_datasets", "resolve_dataset"]


@dataclass(frozen=True)
class DatasetEntry:
    """One grid file: its description, or why it cannot be used."""

    name: str
    path: Path
    info: GridInfo | None
    error: str = ""

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_GRID_NAME

    @property
    def label(self) -> str:
        if self.info is None:
            return f"{self.name} — unusable: {self.error}"
        return f"{self.info.name} — {self.info.resolution_label}"


def _candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in GRID_SUFFIXES and not p.name.startswith(".")
        and not is_partial(p)
    ]
    # the embedded default first, then by name
    return sorted(files, key=lambda p: (p.name != DEFAULT_GRID_NAME, p.name.lower()))


def list_datasets(folder: Path | None = None) -> list[DatasetEntry]:
    """Every grid in ``folder`` (default ``geodata/bathymetry``), default grid first."""
    out = []
    for path in _candidates(folder or bathymetry_dir()):
        try:
            grid = Grid(path)
            grid.value_range()  # a grid with no valid value at all (all nodata) is unusable
            out.append(DatasetEntry(path.name, path, grid.info))
        except DatasetError as exc:
            out.append(DatasetEntry(path.name, path, None, str(exc)))
    return out


def resolve_dataset(name: str | None, folder: Path | None = None) -> Path:
    """Path of a grid named by file name within the data folder (no path traversal).

    ``None`` or ``""`` gives the embedded default. An absolute or relative path outside the
    folder, or a name with separators, is refused with :class:`InputError`.
    """
    folder = (folder or bathymetry_dir()).resolve()
    if not name:
        return folder / DEFAULT_GRID_NAME
    name = str(name)
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise InputError(f"dataset name {name!r} must be a plain file name inside {folder}")
    path = (folder / name).resolve()
    if path.parent != folder:
        raise InputError(f"dataset name {name!r} must be a plain file name inside {folder}")
    if not path.is_file():
        known = ", ".join(e.name for e in list_datasets(folder)) or "none"
        raise InputError(f"no dataset named {name!r} in {folder}; available: {known}")
    return path
