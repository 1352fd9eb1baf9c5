"""The whole-link inset of the report figure: railheads, connecting paths, the strait route.

Drawn in :data:`mapapp.link.surface.LINK_CRS` (Lambert azimuthal equal-area, 175°E 64°N),
so the map is continuous over 180° and areas are true; land from the wide-area GSHHG
polygons (``geodata/wide``), simplified to about 2 km for drawing.

Examples
--------
>>> inset_extent([(-2.0e6, -5.0e5), (1.0e6, 4.0e5)], aspect=1.5)[:2]
(-2450000.0, 1450000.0)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["draw_link_inset", "inset_extent", "PATH_COLOURS"]

#: Colours of the connecting paths by side (Okabe & Ito: reddish purple, sky blue).
PATH_COLOURS = {"russia": "#CC79A7", "north_america": "#56B4E9"}


def inset_extent(xy, aspect: float, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) in metres around projected points, grown by ``margin`` of the
    span on each side and widened or heightened to ``aspect`` (width / height)."""
    xy = np.asarray(xy, dtype="float64")
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    w, h = x1 - x0, y1 - y0
    x0, x1 = x0 - margin * w, x1 + margin * w
    y0, y1 = y0 - margin * h, y1 + margin * h
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (aspect * h - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return float(round(x0)), float(round(x1)), float(round(y0)), float(round(y1))


@lru_cache(maxsize=1)
def _land_outline():
    """Projected land polygons (level 1), simplified to 2 km, as one geometry."""
    import shapely

    from mapapp.link.surface import _projected_land

    geoms = [g for lv, gs in _projected_land() if lv == 1 for g in gs]
    big = [g for g in geoms if g.area > 25e6]  # drop islands under 25 km² at inset scale
    return shapely.simplify(shapely.union_all(big), 2000.0)


def _project_route(route):
    from mapapp.core.geodesy import densify
    from mapapp.link.surface import to_xy

    d = densify(route.lons, route.lats, 5000.0)
    return to_xy(d.lons, d.lats)


def draw_link_inset(fig, rect, result, lay=None):
    """Draw the whole-link map into a new axes at ``rect`` (figure fractions).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    rect : (left, bottom, width, height)
        Figure fractions.
    result : mapapp.link.model.LinkResult
    lay : ReportLayout, optional
        Its ``texts`` and ``legend`` receive what the inset writes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import shapely
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    from mapapp.link.surface import to_xy

    ax = fig.add_axes(rect)
    ax.set_facecolor("#dfeaf2")
    pts = []
    for p in result.paths:
        x, y = _project_route(p.route)
        pts.extend(zip(x, y))
    sx, sy = _project_route(result.strait_route)
    pts.extend(zip(sx, sy))
    fw, fh = fig.get_size_inches()
    aspect = (rect[2] * fw) / (rect[3] * fh)
    x0, x1, y0, y1 = inset_extent(pts, aspect)
    land = _land_outline().intersection(shapely.box(x0, y0, x1, y1))
    for poly in shapely.get_parts(land):
        if poly.geom_type != "Polygon":
            continue
        verts, codes = [], []
        for ring in [poly.exterior, *poly.interiors]:
            c = np.asarray(ring.coords)
            verts.extend(c.tolist())
            codes.extend([MPath.MOVETO] + [MPath.LINETO] * (len(c) - 2) + [MPath.CLOSEPOLY])
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor="#efe6d2", edgecolor="#6b6b6b",
                               lw=0.3, zorder=1))
    texts = []
    for p in result.paths:
        x, y = _project_route(p.route)
        colour = PATH_COLOURS.get(p.side, "#333333")
        ax.plot(x, y, color=colour, lw=1.6, zorder=3)
        rx, ry = to_xy(p.railhead.lon, p.railhead.lat)
        ax.plot([rx], [ry], marker="s", ms=4, color="black", zorder=4)
        label = f"{p.railhead.name}: {p.length_km:,.0f} km"
        ax.annotate(label, (float(rx), float(ry)), xytext=(3, 3), textcoords="offset points",
                    fontsize=5.5, zorder=5)
        texts.append(label)
        for v in p.vias:
            vx, vy = to_xy(v.lon, v.lat)
            ax.plot([vx], [vy], marker="o", ms=2.5, color=colour, mec="black", mew=0.4,
                    zorder=4)
            ax.annotate(v.name, (float(vx), float(vy)), xytext=(3, -6),
                        textcoords="offset points", fontsize=5, zorder=5)
            texts.append(v.name)
    ax.plot(sx, sy, color="#D55E00", lw=2.0, zorder=4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    tot = result.totals()["connecting_railways"]
    c = tot["cost_busd"]
    title = (f"Whole link: {tot['length_km']:,.0f} km of connecting railway, "
             f"US$ {c['low']:,.0f}–{c['high']:,.0f} bn ({c['price_year']} prices)")
    ax.set_title(title, fontsize=6, pad=2, loc="left")
    texts.append(title)
    note = "Least-cost paths on ETOPO5 5′ relief · LAEA 175°E 64°N"
    ax.text(0.01, 0.01, note, transform=ax.transAxes, fontsize=4.5, color="#333333", zorder=6)
    texts.append(note)
    for side in ax.spines.values():
        side.set_linewidth(0.6)
    if lay is not None:
        lay.texts.extend(texts)
        lay.notes.append("link inset: " + title)
    return ax
