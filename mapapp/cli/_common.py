"""Helpers shared by CLI commands: turning ROUTE arguments into routes, opening grids.

A ROUTE argument is either a **route file** (GeoJSON, KML/KMZ, GPX, CSV — read with
:func:`mapapp.io.routeio.read_routes`; every route in it is used) or a **preset id** (see
:func:`mapapp.routes.presets.preset_ids`). An existing file wins over a preset of the same name.
"""

from __future__ import annotations

from pathlib import Path

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import open_grid
from mapapp.io.routeio import ROUTE_SUFFIXES, read_routes
from mapapp.routes.presets import get_preset
from mapapp.routes.route import Route

__all__ = ["looks_like_path", "open_dataset", "resolve_routes"]

def looks_like_path(spec: str) -> bool:
    """True when ``spec`` is meant as a file (has a path separator or a route-file suffix)."""
    return "/" in spec or "\\" in spec or Path(spec).suffix.lower() in ROUTE_SUFFIXES


def resolve_routes(specs) -> list[Route]:
    """Routes named by CLI arguments, in order.

    Parameters
    ----------
    specs : iterable of str
        Preset ids or paths of route files.

    Returns
    -------
    list of Route
        One per preset; every route of each file.

    Raises
    ------
    InputError
        No argument, a missing file, or an unknown preset id (the message lists the ids).
    RouteFileError
        A file that cannot be read as routes.
    """
    specs = [str(s) for s in (specs or [])]
    if not specs:
        raise InputError("give at least one ROUTE: a preset id or a route file")
    routes: list[Route] = []
    for spec in specs:
        path = Path(spec)
        if path.is_file():
            routes.extend(read_routes(path))
        elif looks_like_path(spec):
            raise InputError(
                f"route file not found: {spec} (give an existing route file "
                f"({' '.join(ROUTE_SUFFIXES)}) or a preset id)"
            )
        else:
            routes.append(get_preset(spec))
    return routes


def open_dataset(path: str | None):
    """The grid at ``path`` (``--dataset``), or the embedded ETOPO5 grid when None."""
    return open_grid(path)
