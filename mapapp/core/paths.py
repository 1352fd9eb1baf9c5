"""Where mapapp finds its embedded data.

``MAPAPP_GEODATA`` overrides the data folder (tests point it to a temporary copy).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent
STATIC_DIR = PACKAGE_DIR / "static"


def geodata_dir() -> Path:
    """The embedded-data folder (``geodata/`` at the repository root, or ``$MAPAPP_GEODATA``)."""
    env = os.environ.get("MAPAPP_GEODATA")
    return Path(env).resolve() if env else REPO_ROOT / "geodata"


def bathymetry_dir() -> Path:
    """Folder scanned for bathymetry grids (GeoTIFF / NetCDF)."""
    return geodata_dir() / "bathymetry"


def coastline_dir() -> Path:
    """Folder holding the land polygons."""
    return geodata_dir() / "coastline"


def context_dir() -> Path:
    """Folder holding places, the maritime boundary and the date line."""
    return geodata_dir() / "context"


DEFAULT_GRID_NAME = "etopo5_bering_5arcmin.tif"
