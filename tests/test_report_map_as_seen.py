"""The report figure's map drawn *as seen* on the web map (render.report with a map style)."""

import pytest

from mapapp.data.bathymetry import open_grid
from mapapp.render.mapview import MapSettings
from mapapp.render.report import ReportOptions, build_figure
from mapapp.routes.route import Route

A = Route.from_coords("a", "Alpha crossing", [(-169.6, 66.0), (-168.1, 65.6)])
B = Route.from_coords("b", "Bravo crossing", [(-169.9, 65.9), (-168.0, 65.5)])


@pytest.fixture(scope="module")
def grid():
    return open_grid()


def _map_image(fig):
    return next(im for ax in fig.axes for im in ax.get_images())


def test_style_sets_colours_range_isobaths_and_coastline(grid):
    style = MapSettings(cmap="viridis", vmin=-60, vmax=-5, isobath_interval=20,
                        land_source="osm")
    fig, lay = build_figure([A, B], grid,
                            ReportOptions(dpi=50, size_in=(8, 6), map_style=style, selected="b"))
    img = _map_image(fig)
    assert img.cmap.name == "viridis" and img.get_clim() == (-60.0, -5.0)
    assert "Elevation (m; negative = below sea level)" in lay.texts
    assert "Land (OSM)" in lay.legend and "Isobaths every 20 m" in lay.legend
    assert "Alpha crossing" in lay.legend and "Bravo crossing (selected)" in lay.legend
    assert any("© OpenStreetMap contributors" in a for a in lay.attributions)
    assert not any("GSHHG" in a for a in lay.attributions)


def test_default_range_is_the_data_range_capped_at_sea_level(grid):
    fig, _ = build_figure([A], grid,
                          ReportOptions(dpi=50, size_in=(8, 6), map_style=MapSettings()))
    lo, hi = _map_image(fig).get_clim()
    data = _map_image(fig).get_array()
    assert hi == 0.0 and lo == pytest.approx(float(data.min()))
    assert lo < -40  # the strait is deeper than 40 m in ETOPO5


def test_route_legend_off_and_no_isobaths(grid):
    style = MapSettings(isobath_interval=0, route_legend=False)
    fig, lay = build_figure([A, B], grid, ReportOptions(dpi=50, size_in=(8, 6), map_style=style))
    assert not any(e.startswith("Isobaths") for e in lay.legend)
    assert "Alpha crossing" not in lay.legend and "Bravo crossing" not in lay.legend
    map_ax = _map_image(fig).axes
    assert not [c for c in map_ax.collections if type(c).__name__ == "QuadContourSet"]


def test_without_style_the_figure_keeps_its_standard_depth_style(grid):
    fig, lay = build_figure([A], grid, ReportOptions(dpi=50, size_in=(8, 6)))
    img = _map_image(fig)
    assert img.get_clim()[0] == 0.0 and img.get_clim()[1] > 0  # depth, positive down
    assert "Depth below sea level (m)" in lay.texts and "Isobaths every 10 m" in lay.legend
    assert "Alpha crossing" in lay.legend
    assert [c for c in img.axes.collections if type(c).__name__ == "QuadContourSet"]
