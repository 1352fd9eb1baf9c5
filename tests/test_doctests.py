"""Docstring examples of the core modules are run as tests (after shapely/pyproj)."""

import doctest
import importlib

import pytest

MODULES = [
    "mapapp.geodesy",
    "mapapp.coastline",
    "mapapp.bathymetry",
    "mapapp.overlay",
    "mapapp.isobaths",
    "mapapp.context",
    "mapapp.datasets",
    "mapapp.pointinfo",
    "mapapp.mapview",
    "mapapp.routes",
    "mapapp.presets",
    "mapapp.metrics",
    "mapapp.routeio",
    "mapapp.urlstate",
    "mapapp.profile",
    "mapapp.tunnel",
    "mapapp.references",
    "mapapp.export",
    "mapapp.optimise",
    "mapapp.fetch",
    "mapapp.gridio",
    "mapapp.safety",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
