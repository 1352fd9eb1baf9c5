import numpy as np
import pytest

from mapapp.core.errors import InputError
from mapapp.data import bathymetry
from mapapp.render import isobaths
from tests.conftest import plane


def test_contour_of_a_plane_is_at_the_analytic_longitude(grid_factory):
    # z = 20*(lon + 170) - 70: the -20 m isobath is the meridian lon = -167.5
    z = plane(20.0, 0.0, 20 * 170 - 70, west=-170.0, north=66.0, res=0.05, shape=(20, 60))
    g = bathymetry.open_grid(grid_factory(z.astype("float32"), res=0.05))
    lines = isobaths.isobaths(g, g.info.bounds, interval_m=20)
    assert sorted(lines["depth_m"]) == [-60.0, -40.0, -20.0]
    line20 = lines[lines["depth_m"] == -20.0].geometry.iloc[0]
    xs = np.array(line20.coords)[:, 0]
    np.testing.assert_allclose(xs, -167.5, atol=1e-6)
    assert set(lines["label"]) == {"20 m", "40 m", "60 m"}


def test_land_parts_removed():
    from mapapp.data.coastline import land_geometry

    g = bathymetry.open_grid()
    lines = isobaths.isobaths(g, (-170.2, 65.3, -167.8, 66.3), 10, land=land_geometry())
    assert not any(geom.intersection(land_geometry()).length > 1e-9 for geom in lines.geometry)


def test_levels_and_bad_interval():
    assert isobaths.isobath_levels(-80, 20) == [-20.0, -40.0, -60.0, -80.0]
    assert isobaths.isobath_levels(5, 10) == []
    with pytest.raises(InputError):
        isobaths.isobath_levels(-80, 0)
    with pytest.raises(InputError, match="isobaths"):
        isobaths.isobath_levels(-8000, 1)
