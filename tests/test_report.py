"""Report figures: geometry checked independently (pyproj), outputs parsed (PIL, XML, PDF
structure), bathymetry warped from an analytic raster made in the test."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pyproj
import pytest
from PIL import Image

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import open_grid
from mapapp.render.report import (
    ReportLayout,
    ReportOptions,
    build_figure,
    parse_bbox,
    render_report,
    short_label,
)
from mapapp.routes.route import Route
from tests.conftest import plane

GEOD = pyproj.Geod(ellps="WGS84")  # independent of mapapp.core.geodesy
LAEA = "+proj=laea +lat_0=65.75 +lon_0=-168.9769 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

DEZHNEV = (-169.6519, 66.0792, "Cape Dezhnev")
BIG_D = (-169.0569, 65.7811, "Big Diomede")
LITTLE_D = (-168.9208, 65.7542, "Little Diomede")
CPW = (-168.0847, 65.5964, "Cape Prince of Wales")


@pytest.fixture(scope="module")
def grid():
    return open_grid()


@pytest.fixture(scope="module")
def routes():
    return [
        Route.from_coords("via-diomedes", "Via the Diomedes (test)", [DEZHNEV, BIG_D, LITTLE_D, CPW]),
        Route.from_coords("direct", "Direct line", [DEZHNEV[:2], CPW[:2]]),
    ]


@pytest.fixture(scope="module")
def svg_and_layout(routes, grid):
    return render_report(routes, grid,
                         ReportOptions(size_in=(10, 8), title="Test title ÆØ", date="2026-01-02"),
                         fmt="svg", return_layout=True)


def _to_lonlat(x, y):
    tr = pyproj.Transformer.from_crs(pyproj.CRS.from_proj4(LAEA), "EPSG:4326", always_xy=True)
    return tr.transform(x, y)


def test_layout_projection_is_the_strait_laea(svg_and_layout):
    _, lay = svg_and_layout
    assert isinstance(lay, ReportLayout)
    assert pyproj.CRS(lay.crs).equals(pyproj.CRS.from_proj4(LAEA))


# --------------------------------------------------------------------------- scale bar
@pytest.mark.parametrize("bbox", [None, "-175,63.6,-171.5,64.6", "-166,66.8,-161,68.3"])
def test_scale_bar_is_true_where_drawn(routes, grid, bbox):
    _, lay = render_report(routes, grid, ReportOptions(dpi=40, size_in=(8, 6), bbox=bbox),
                           return_layout=True)
    (x0, y0), (x1, y1) = lay.scale_bar_xy
    assert y0 == y1 and x1 > x0
    xmin, xmax, ymin, ymax = lay.extent
    assert xmin < x0 < x1 < xmax and ymin < y0 < ymax  # drawn inside the map
    (lon0, lon1), (lat0, lat1) = _to_lonlat([x0, x1], [y0, y1])
    dist = GEOD.inv(lon0, lat0, lon1, lat1)[2]
    claimed = lay.scale_bar_km * 1000.0
    assert abs(dist - claimed) / claimed < 0.01
    assert abs(dist - claimed) < 1.0  # solved to well under a metre
    assert lay.scale_bar_km in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250)
    assert f"{lay.scale_bar_km:g} km" in lay.texts


def test_scale_bar_off_centre_differs_from_projected_length(routes, grid):
    # ~1700 km south of the projection centre the LAEA scale east-west is 1/cos(c/2) ≈ 1.009:
    # a bar drawn at its nominal projected length would be ~0.9 % off; ours is corrected
    _, lay = render_report(routes, grid,
                           ReportOptions(dpi=40, size_in=(8, 6), bbox="-173,50,-165,52"),
                           return_layout=True)
    (x0, y0), (x1, _) = lay.scale_bar_xy
    claimed = lay.scale_bar_km * 1000
    assert abs((x1 - x0) - claimed) / claimed > 0.005
    (lon0, lon1), (lat0, lat1) = _to_lonlat([x0, x1], [y0, y0])
    assert GEOD.inv(lon0, lat0, lon1, lat1)[2] == pytest.approx(claimed, abs=1.0)


# --------------------------------------------------------------------------- north arrow
@pytest.mark.parametrize("bbox", ["-166,65,-162,66.5", "-175,64,-171,65.5"])
def test_north_arrow_points_to_true_north(routes, grid, bbox):
    _, lay = render_report(routes, grid, ReportOptions(dpi=40, size_in=(8, 6), bbox=bbox),
                           return_layout=True)
    (tx, ty), (hx, hy) = lay.north_xy, lay.north_tip_xy
    drawn = np.degrees(np.arctan2(hx - tx, hy - ty))  # clockwise from grid up
    assert drawn == pytest.approx(lay.north_angle_deg, abs=1e-9)
    lon, lat = _to_lonlat(tx, ty)
    conv = pyproj.Proj(LAEA).get_factors(lon, lat).meridian_convergence
    assert abs(conv) > 1.0  # far enough from the central meridian to matter
    # grid convergence: the angle from true north to grid north; true north is -conv from up
    assert drawn == pytest.approx(-conv, abs=0.02)


# --------------------------------------------------------------------------- outputs
@pytest.mark.parametrize("dpi, size", [(72, (8, 6)), (150, (7, 5)), (600, (6, 4.5))])
def test_png_pixel_size_is_dpi_times_size(routes, grid, dpi, size):
    png = render_report(routes, grid, ReportOptions(dpi=dpi, size_in=size), fmt="png")
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (round(dpi * size[0]), round(dpi * size[1]))
    assert img.info["dpi"][0] == pytest.approx(dpi, abs=0.05)  # stored as pixels per metre


def test_png_is_not_blank(routes, grid):
    png = render_report(routes, grid, ReportOptions(dpi=50, size_in=(8, 6)))
    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000)
    assert len(colours) > 500  # bathymetry gradient, land, lines, text


@pytest.mark.parametrize("dpi", [601, 1000, 0, 12.5, "x"])
def test_bad_dpi_is_refused(routes, grid, dpi):
    with pytest.raises(InputError, match="DPI"):
        render_report(routes, grid, ReportOptions(dpi=dpi))


def test_bad_format_and_size_are_refused(routes, grid):
    with pytest.raises(InputError, match="format"):
        render_report(routes, grid, fmt="jpg")
    with pytest.raises(InputError, match="size"):
        render_report(routes, grid, ReportOptions(size_in=(5, 4)))


def test_pdf_parses(routes, grid):
    pdf = render_report(routes, grid, ReportOptions(size_in=(10, 8)), fmt="pdf")
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    # the cross-reference table is where startxref says it is
    offset = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf).group(1))
    assert pdf[offset:offset + 4] == b"xref"
    count = int(re.search(rb"xref\s+0 (\d+)", pdf[offset:]).group(1))
    assert count > 10
    # a single page of 10 x 8 in = 720 x 576 pt
    assert re.search(rb"/MediaBox \[\s*0 0 720 576\s*\]", pdf)
    assert b"/Type /Font" in pdf  # text kept as text (embedded TrueType)


def test_svg_parses_and_keeps_text_as_text(svg_and_layout):
    svg, lay = svg_and_layout
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "720pt" and root.get("height") == "576pt"
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    texts = re.sub(r"\s+", " ", texts)
    assert "Test title ÆØ" in texts
    for entry in ("Land (GSHHG)", "USA–USSR maritime boundary (1990)", "Via the Diomedes (test)",
                  "Direct line", "International Date Line (conventional)"):
        assert entry in texts, entry
    assert "NOAA National Geophysical Data Center" in texts
    assert "GSHHG" in texts and "Wessel & Smith" in texts and "LGPL" in texts
    assert "Depth below sea level (m)" in texts
    assert "2026-01-02" in texts
    assert "Big Diomede" in texts  # a place label
    assert "true north" in texts
    # no glyphs drawn as paths
    assert b"DejaVuSans-" not in svg
    assert lay.notes == []


def test_legend_and_attributions_in_layout(svg_and_layout):
    _, lay = svg_and_layout
    assert "Via the Diomedes (test)" in lay.legend and "Direct line" in lay.legend
    assert any("Public domain" in a for a in lay.attributions)
    assert any(a.startswith("Coastline: GSHHG") for a in lay.attributions)


def test_out_path_receives_same_bytes(tmp_path, routes, grid):
    out = tmp_path / "fig.png"
    data = render_report(routes, grid, ReportOptions(dpi=40, size_in=(8, 6)), out=out)
    assert out.read_bytes() == data


# --------------------------------------------------------------------------- content
def test_bathymetry_is_warped_into_the_projection(grid_factory):
    # analytic seabed z = 30*lon + 100*lat - 1600 (m), all below sea level here. Bilinear
    # resampling reproduces a plane; GDAL's warper approximates the coordinate
    # transformation to 1/8 source pixel, so allow 1/8 pixel of slope (0.8 m): a flipped,
    # mirrored or half-pixel-shifted image is off by metres to hundreds of metres
    a, b, c = 30.0, 100.0, -1600.0
    west, north, res, shape = -172.0, 67.0, 0.05, (60, 120)
    path = grid_factory(plane(a, b, c, west=west, north=north, res=res, shape=shape),
                        west=west, north=north, res=res)
    g = open_grid(path)
    r = Route.from_coords("s", "Sea", [(-168.9, 65.3), (-168.5, 65.5)])
    fig, lay = build_figure([r], g, ReportOptions(dpi=40, size_in=(8, 6),
                                                  bbox="-169.8,65.1,-168,66.2", places=False))
    img = fig.axes[0].images[0]
    depth = np.asarray(img.get_array(), dtype=float)
    xmin, xmax, ymin, ymax = img.get_extent()
    ny, nx = depth.shape
    for row, col in ((ny // 2, nx // 2), (ny // 4, 3 * nx // 4), (3 * ny // 4, nx // 5)):
        x = xmin + (col + 0.5) * (xmax - xmin) / nx
        y = ymax - (row + 0.5) * (ymax - ymin) / ny
        lon, lat = _to_lonlat(x, y)
        expected = -(a * lon + b * lat + c)
        assert expected > 0
        assert depth[row, col] == pytest.approx(expected, abs=0.125 * (a + b) * res)
    assert depth.shape[1] >= 200  # at least 200 pixels across


def test_profile_and_table_panels(routes, grid):
    fig, lay = build_figure(routes, grid, ReportOptions(dpi=40, size_in=(10, 9), profile=True,
                                                        metrics_table=True))
    prof = [ax for ax in fig.axes if ax.get_xlabel() == "Chainage along route (km)"]
    assert len(prof) == 1
    from mapapp.engineering.profile import sample_profile

    df = sample_profile(routes[1], grid)
    lines = [ln for ln in prof[0].lines if len(ln.get_xdata()) == len(df)]
    km = np.asarray(lines[-1].get_xdata(), float)
    assert km[-1] == pytest.approx(GEOD.inv(DEZHNEV[0], DEZHNEV[1], CPW[0], CPW[1])[2] / 1000,
                                   abs=0.01)
    assert "Route" in lay.texts and "Subsea (km)" in lay.texts
    assert "Via the Diomedes" in lay.texts  # short label in the table
    assert lay.notes == []


def test_tunnel_crown_in_profile(routes, grid):
    from mapapp.engineering.tunnel import tunnel_for_route

    res = tunnel_for_route(routes[1], grid)
    fig, lay = build_figure(routes[1:], grid, ReportOptions(dpi=40, size_in=(8, 7), profile=True),
                            tunnels={"direct": res})
    prof = next(ax for ax in fig.axes if ax.get_xlabel() == "Chainage along route (km)")
    crowns = [ln for ln in prof.lines if ln.get_linestyle() == "--"]
    assert crowns and float(np.nanmin(crowns[0].get_ydata())) == pytest.approx(
        float(np.nanmin(res.alignment["tunnel_z_m"])), abs=1e-6)
    assert "Tunnel crown" in lay.texts


def test_without_places(routes, grid):
    _, lay = render_report(routes, grid, ReportOptions(dpi=40, size_in=(8, 6), places=False),
                           return_layout=True)
    assert not any("maritime boundary" in e for e in lay.legend)
    assert not any("geodata/context" in a for a in lay.attributions)


# --------------------------------------------------------------------------- helpers
def test_parse_bbox():
    assert parse_bbox("-171, 65, -167, 66.5") == (-171.0, 65.0, -167.0, 66.5)
    assert parse_bbox("175,60,-165,70") == (175.0, 60.0, 195.0, 70.0)  # across 180°
    for bad in ("1,2,3", "a,b,c,d", "-171,66,-167,65", "-171,65,-167,95", "0,0,90,10"):
        with pytest.raises(InputError):
            parse_bbox(bad)


def test_short_label():
    assert short_label("Direct shortest crossing, mainland to mainland (reference)") == (
        "Direct shortest crossing")
    assert short_label("Plain") == "Plain"
    assert len(short_label("x" * 80)) <= 30


def test_map_across_the_antimeridian(grid):
    r = Route.from_coords("x180", "Across 180", [(179.0, 66.0), (-179.0, 66.5)])
    _, lay = render_report([r], grid, ReportOptions(bbox="175,64,-175,68", dpi=40, size_in=(8, 6)),
                           return_layout=True)
    west, _, east, _ = lay.bbox
    assert west < 180.0 < east  # continuous longitudes across 180°
    assert "180°" in lay.texts  # graticule label of the antimeridian
    (x0, y0), (x1, _) = lay.scale_bar_xy
    (lon0, lon1), (lat0, lat1) = _to_lonlat([x0, x1], [y0, y0])
    assert GEOD.inv(lon0, lat0, lon1, lat1)[2] == pytest.approx(lay.scale_bar_km * 1000, rel=1e-4)


def test_osm_land_is_attributed(routes, grid):
    _, lay = render_report(routes, grid, ReportOptions(dpi=40, size_in=(8, 6), land_source="osm"),
                           return_layout=True)
    assert "Land (OSM)" in lay.legend
    assert any("OpenStreetMap" in a and "ODbL" in a for a in lay.attributions)
    assert not any("GSHHG" in a for a in lay.attributions)
