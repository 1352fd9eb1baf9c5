"""Errors raised by mapapp.

Every error the core raises on purpose derives from :class:`MapAppError`. Its message is
written for the user: it says what is wrong and how to fix it. The UI shows it in a box and
the CLI prints ``error: <message>`` and exits with status 2; neither shows a traceback.
"""

from __future__ import annotations

__all__ = [
    "MapAppError",
    "InputError",
    "DatasetError",
    "RouteError",
    "RouteFileError",
    "AssetError",
    "ExportError",
    "FetchError",
    "TunnelError",
]


class MapAppError(Exception):
    """Root of every error mapapp raises deliberately."""


class InputError(MapAppError, ValueError):
    """A value given by the user (form field, CLI argument, URL parameter) is invalid."""


class DatasetError(MapAppError):
    """A bathymetry grid or vector dataset is missing, unreadable or unusable."""


class RouteError(InputError):
    """A route is invalid (too few waypoints, coordinates out of range …)."""


class RouteFileError(RouteError):
    """A route file (GeoJSON, KML, GPX, CSV …) cannot be read as routes."""


class AssetError(MapAppError):
    """The offline web assets (Leaflet & plugins) cannot be installed or found."""


class ExportError(MapAppError):
    """An export (GeoJSON, KML, GPX, GeoPackage, CSV, figure) cannot be written."""


class FetchError(DatasetError):
    """A remote dataset cannot be downloaded or verified."""


class TunnelError(MapAppError):
    """The tunnel model cannot be computed for the given route and parameters."""
