"""Docstring examples of the core modules are run as tests (after shapely/pyproj)."""

import doctest
import importlib

import pytest

MODULES = [
    "mapapp.core.geodesy",
    "mapapp.data.coastline",
    "mapapp.data.bathymetry",
    "mapapp.render.overlay",
    "mapapp.render.isobaths",
    "mapapp.data.context",
    "mapapp.data.datasets",
    "mapapp.engineering.pointinfo",
    "mapapp.render.mapview",
    "mapapp.render.mapcard",
    "mapapp.ui.plainwords",
    "mapapp.ui.tunnel_panel",
    "mapapp.routes.route",
    "mapapp.routes.presets",
    "mapapp.routes.metrics",
    "mapapp.io.routeio",
    "mapapp.io.urlstate",
    "mapapp.engineering.profile",
    "mapapp.engineering.tunnel",
    "mapapp.core.references",
    "mapapp.io.export",
    "mapapp.engineering.optimise",
    "mapapp.data.files",
    "mapapp.data.catalogue",
    "mapapp.data.download",
    "mapapp.data.gridimport",
    "mapapp.data.remote",
    "mapapp.data.fetch",
    "mapapp.data.uploads",
    "mapapp.core.safety",
    "mapapp.economics.prices",
    "mapapp.economics.model",
    "mapapp.economics.estimate",
    "mapapp.economics.claims",
    "mapapp.economics.backtest",
    "mapapp.core.jsonenc",
    "mapapp.session.routeset",
    "mapapp.uncertainty.cluster",
    "mapapp.uncertainty.distributions",
    "mapapp.uncertainty.sweep",
    "mapapp.uncertainty.model",
    "mapapp.uncertainty.ensemble",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
