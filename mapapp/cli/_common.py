"""Helpers shared by CLI commands: turning ROUTE arguments into routes, opening grids, and the
one set of argparse validators for numbers.

The validators (:func:`whole_number`, :func:`number`, :func:`number_pair` and the ready-made
:data:`POSITIVE_INT`, :data:`SEED`) are argparse ``type=`` callables: a bad value becomes one
plain sentence, printed by :func:`mapapp.cli.main` as
``error: python -m mapapp CMD: argument --OPTION: expected …, got …`` (exit status 2). They
check only what a number must be to be read at all (a whole number, at least 1, two numbers);
limits that belong to the model (a grade, a DPI) are checked by the core, which says why.

>>> POSITIVE_INT("3"), SEED("0"), number()("2.5"), number_pair("P10,P90", "0.005,0.02")("1, 2")
(3, 0, 2.5, (1.0, 2.0))
>>> POSITIVE_INT("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a whole number of at least 1, got 0

A ROUTE argument is either a **route file** (GeoJSON, KML/KMZ, GPX, CSV — read with
:func:`mapapp.io.routeio.read_routes`; every route in it is used) or a **preset id** (see
:func:`mapapp.routes.presets.preset_ids`). An existing file wins over a preset of the same name.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import open_grid
from mapapp.io.routeio import ROUTE_SUFFIXES, read_routes
from mapapp.routes.presets import get_preset
from mapapp.routes.route import Route

__all__ = [
    "POSITIVE_INT",
    "SEED",
    "looks_like_path",
    "number",
    "number_pair",
    "open_dataset",
    "resolve_routes",
    "whole_number",
]

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


# ----------------------------------------------------------------------------- validators
def whole_number(minimum: int | None = None, *, what: str = "a whole number"
                 ) -> Callable[[str], int]:
    """An argparse type: the text as an ``int``, at least ``minimum`` (when given).

    ``what`` names the value in the message (``"a seed"`` → "expected a seed of at least 0,
    got -3").
    """
    def parse(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected {what} of at least {minimum}, got {value}")
        return value

    parse.__name__ = what  # argparse names the type by it in its own messages
    return parse


def number(minimum: float | None = None, *, above: bool = False, what: str = "a number"
           ) -> Callable[[str], float]:
    """An argparse type: the text as a finite ``float``; at least ``minimum`` (or, with
    ``above``, more than it) when given."""
    def parse(text: str) -> float:
        try:
            value = float(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        if minimum is not None and (value <= minimum if above else value < minimum):
            word = "more than" if above else "at least"
            raise argparse.ArgumentTypeError(
                f"expected {what} of {word} {minimum:g}, got {value:g}")
        return value

    parse.__name__ = what
    return parse


def number_pair(names: str, example: str, *, positive_increasing: bool = False
                ) -> Callable[[str], tuple[float, float]]:
    """An argparse type: two numbers separated by a comma, spaces or ``x`` (``"10,8"``,
    ``"10x8"``), e.g. ``names="WIDTH,HEIGHT"``; with ``positive_increasing`` they must
    satisfy 0 < first ≤ second (a P10,P90 range)."""
    def parse(text: str) -> tuple[float, float]:
        parts = [p for p in re.split(r"[,\s]+", re.sub("[xX×]", ",", str(text).strip())) if p]
        try:
            first, second = (float(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected two numbers {names} such as {example}, got {text!r}") from None
        if positive_increasing and not 0 < first <= second:
            a, b = names.split(",")
            raise argparse.ArgumentTypeError(f"expected 0 < {a} ≤ {b}, got {text!r}")
        return first, second

    parse.__name__ = names
    return parse


#: A count of things (samples, runs, workers, scenarios): a whole number ≥ 1.
POSITIVE_INT = whole_number(1)
#: A random seed: a whole number ≥ 0.
SEED = whole_number(0, what="a seed")
