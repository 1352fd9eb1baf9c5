"""Display rendering: Web Mercator reprojection, colours, land mask, nodata."""

import numpy as np
import pytest
from pyproj import Transformer

from mapapp.core.errors import InputError
from mapapp.data import bathymetry
from mapapp.data.coastline import land_geometry
from mapapp.render import overlay

MERC = Transformer.from_crs(3857, 4326, always_xy=True)


def _row_lat(ov: overlay.Overlay, row: float) -> float:
    left, bottom, right, top = overlay.mercator_bounds(ov.bounds)
    h = ov.rgba.shape[0]
    y = top - (row + 0.5) * (top - bottom) / h
    return MERC.transform(left, y)[1]


def test_known_latitude_lands_on_the_right_row(grid_factory):
    # 64..68°N at 0.01°: one row of -100 m (lat 66.000..65.990), the rest -10 m
    data = np.full((400, 100), -10.0, "float32")
    data[200, :] = -100.0
    g = bathymetry.open_grid(grid_factory(data, west=-170.0, north=68.0, res=0.01))
    ov = overlay.render_overlay(g, g.info.bounds, width_px=100, vmin=-100, vmax=0)
    rows = np.flatnonzero(ov.elevation[:, 50] < -55)
    assert rows.size >= 1
    lat = _row_lat(ov, rows.mean())
    assert lat == pytest.approx(65.995, abs=0.01)
    # a lon/lat stretch (no reprojection) would put the row at the linear position instead
    linear_row = (68.0 - 65.995) / 4.0 * ov.rgba.shape[0]
    assert abs(rows.mean() - linear_row) > 3


def test_nodata_is_transparent_and_colours_follow_cmap(grid_factory):
    data = np.full((20, 20), -50.0, "float32")
    data[:, :10] = np.nan
    g = bathymetry.open_grid(grid_factory(data, nodata=float("nan"), west=-170, north=66, res=0.05))
    ov = overlay.render_overlay(g, g.info.bounds, width_px=40, cmap="viridis", vmin=-100, vmax=0)
    assert (ov.rgba[:, :15, 3] == 0).all()
    assert (ov.rgba[:, 25:, 3] == 255).all()
    expected = np.round(np.array(overlay.get_cmap("viridis")(0.5)[:3]) * 255)
    np.testing.assert_allclose(ov.rgba[5, 30, :3], expected, atol=1)


def test_land_is_masked_by_the_coastline():
    g = bathymetry.open_grid()
    ov = overlay.render_overlay(g, (-169.3, 65.6, -168.7, 65.9), width_px=300, land=land_geometry())
    left, bottom, right, top = overlay.mercator_bounds(ov.bounds)
    fwd = Transformer.from_crs(4326, 3857, always_xy=True)

    def alpha_at(lon, lat):
        x, y = fwd.transform(lon, lat)
        col = int((x - left) / (right - left) * ov.rgba.shape[1])
        row = int((top - y) / (top - bottom) * ov.rgba.shape[0])
        return ov.rgba[row, col, 3]

    assert alpha_at(-169.06, 65.78) == 0  # Big Diomede: land although the grid says -20 m
    assert alpha_at(-168.80, 65.70) == 255  # open water


def test_hillshade_changes_colour_not_alpha():
    g = bathymetry.open_grid()
    bbox = (-171, 65, -167, 67)
    flat = overlay.render_overlay(g, bbox, width_px=120)
    shaded = overlay.render_overlay(g, bbox, width_px=120, hillshade=True)
    np.testing.assert_array_equal(flat.rgba[..., 3], shaded.rgba[..., 3])
    assert np.abs(flat.rgba[..., :3].astype(int) - shaded.rgba[..., :3]).mean() > 1


def test_png_and_leaflet_bounds():
    ov = overlay.render_overlay(bathymetry.open_grid(), (-170, 65, -168, 66), width_px=64)
    assert ov.png.startswith(b"\x89PNG") and ov.data_url().startswith("data:image/png;base64,")
    assert ov.leaflet_bounds == [[65, -170], [66, -168]]


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"width_px": 5}, "between 16 and 4096"),
        ({"vmin": 0, "vmax": -10}, "min < max"),
        ({"cmap": "no-such-map"}, "unknown colormap"),
    ],
)
def test_bad_parameters(kw, msg):
    with pytest.raises(InputError, match=msg):
        overlay.render_overlay(bathymetry.open_grid(), (-170, 65, -168, 66), **kw)


def test_view_outside_grid():
    with pytest.raises(InputError, match="does not overlap"):
        overlay.render_overlay(bathymetry.open_grid(), (0, 0, 1, 1))
