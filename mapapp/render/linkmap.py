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

from mapapp.core.errors import ExportError
from mapapp.core.geodesy import densify, unwrap_lons
from mapapp.core.jsonenc import dumps
from mapapp.io.export import export_bytes
from mapapp.link import data as ldata
from mapapp.link.data import wide_dir
from mapapp.link.surface import LAND_FILE, _elevation, _projected_land, to_xy

__all__ = ["EXPORT_FORMATS", "PATH_COLOURS", "WEB_CENTRE_LON", "build_link_map",
           "coastline_geojson", "display_lons", "draw_link_inset", "inset_extent",
           "link_export_bytes", "relief_png"]

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


    geoms = [g for lv, gs in _projected_land() if lv == 1 for g in gs]
    big = [g for g in geoms if g.area > 25e6]  # drop islands under 25 km² at inset scale
    return shapely.simplify(shapely.union_all(big), 2000.0)


def _project_route(route):

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


    ax = fig.add_axes(rect)
    ax.set_facecolor("#dfeaf2")
    pts = []
    for p in result.paths:
        x, y = _project_route(p.route)
        pts.extend(zip(x, y, strict=False))
    sx, sy = _project_route(result.strait_route)
    pts.extend(zip(sx, sy, strict=False))
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
        right = float(rx) > (x0 + x1) / 2  # labels point inwards, never off the inset
        ax.annotate(label, (float(rx), float(ry)), xytext=(-3 if right else 3, 3),
                    textcoords="offset points", ha="right" if right else "left",
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
    title = (f"Whole link: {tot['length_km']:,.0f} km of connecting railway,\n"
             f"US$ {c['low']:,.0f}–{c['high']:,.0f} bn ({c['price_year']} prices)")
    ax.text(0.01, 0.985, title, transform=ax.transAxes, fontsize=5.8, va="top", ha="left",
            zorder=6, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                            "pad": 1.2})
    texts.append(title)
    note = "Least-cost paths on ETOPO5 5′ relief · LAEA 175°E 64°N"
    ax.text(0.01, 0.01, note, transform=ax.transAxes, fontsize=4.5, color="#333333", zorder=6)
    texts.append(note)
    for side in ax.spines.values():
        side.set_linewidth(0.6)
    if lay is not None:
        lay.texts.extend(texts)
        lay.notes.append("link inset: " + title.replace("\n", " "))
    return ax


# ============================================================================ web map
#: Centre longitude of the whole-link web map (degrees, 0..360 convention): every
#: longitude drawn lies within 180° of it, so lines stay continuous over 180°.
WEB_CENTRE_LON = 175.0


def display_lons(lons) -> np.ndarray:
    """Continuous longitudes next to :data:`WEB_CENTRE_LON` (a line's shape is kept).

    >>> display_lons([-169.7, -168.1]).tolist()
    [190.3, 191.9]
    >>> display_lons([129.9, 180.5, -179.5]).tolist()
    [129.9, 180.5, 180.5]
    """

    return np.round(unwrap_lons(lons, reference=WEB_CENTRE_LON), 9)


@lru_cache(maxsize=1)
def relief_png(max_width: int = 1321) -> tuple[str, list]:
    """The wide relief as a PNG data URL resampled to Web-Mercator rows, and its Leaflet
    bounds ``[[S, W], [N, E]]`` (W, E in 0..360)."""
    import io

    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from PIL import Image


    arr, (lon0, lat0, px) = _elevation()
    nrow, ncol = arr.shape
    s_lat, n_lat = lat0 - (nrow - 1) * px - px / 2, lat0 + px / 2

    def merc(lat):
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    ys = np.linspace(merc(n_lat), merc(s_lat), nrow * 2)
    lats = np.degrees(2 * np.arctan(np.exp(ys)) - np.pi / 2)
    rows = np.clip(np.round((lat0 - lats) / px).astype(int), 0, nrow - 1)
    img = arr[rows, :]
    sea = colormaps["Blues"]
    land = colormaps["terrain"]
    levels = [-8000, -4000, -2000, -1000, -200, -50, 0, 200, 500, 1000, 1500, 2000, 3000, 5000]
    colours = [sea(v) for v in np.linspace(0.9, 0.25, 6)] + [land(v) for v in
                                                             np.linspace(0.25, 0.95, 7)]
    norm = BoundaryNorm(levels, len(colours))
    rgba = (ListedColormap(colours)(norm(np.nan_to_num(img))) * 255).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="PNG", optimize=True)
    import base64

    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    w = lon0 - px / 2
    e = lon0 + (ncol - 1) * px + px / 2
    return url, [[float(s_lat), float(w)], [float(n_lat), float(e)]]


@lru_cache(maxsize=1)
def coastline_geojson(tolerance_deg: float = 0.03) -> dict:
    """GSHHG wide-area land outlines (level 1) simplified for display, longitudes 0..360."""
    import pyogrio
    import shapely


    df = pyogrio.read_dataframe(wide_dir() / LAND_FILE)
    df = df[(df["level"] == 1) & (df["orig_area_km2"].astype(float) > 50.0)]
    geoms = shapely.simplify(df.geometry.values, tolerance_deg)
    feats = [{"type": "Feature", "properties": {},
              "geometry": shapely.geometry.mapping(g)} for g in geoms if not g.is_empty]
    return {"type": "FeatureCollection", "features": feats}


def _popup_html(name: str, text: str, sources) -> str:
    import html as _html

    links = "".join(
        f'<li><a href="{_html.escape(s, quote=True)}" target="_blank" rel="noopener">'
        f"{_html.escape(s[:70])}</a></li>" for s in sources
        if str(s).startswith(("http://", "https://")))
    out = f"<b>{_html.escape(name)}</b><br>{_html.escape(text)}"
    if links:
        out += f"<br><small>Sources:</small><ul style='margin:0;padding-left:16px'>{links}</ul>"
    return out.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def build_link_map(strait_route, result=None, height: int = 560, railheads=None):
    """The whole-link web map (folium): relief, land, railheads and via places with sourced
    popups, the Kolyma Highway as the towns on it, the strait route and its portals, and the
    connecting paths of ``result``.

    Every longitude is continuous next to 175°E (Alaska at 190–230°), so nothing jumps
    across the world at 180° and no overlay is split.

    Parameters
    ----------
    strait_route : Route
    result : LinkResult, optional
    height : int
        Pixels.
    railheads : iterable of Railhead, optional
        Markers drawn (default: every railhead inside the wide-area data).
    """
    import html as _html

    import folium


    m = folium.Map(location=[63.5, WEB_CENTRE_LON], zoom_start=3, tiles=None,
                   control_scale=True, height=height, world_copy_jump=False, min_zoom=2,
                   max_zoom=10)
    folium.map.CustomPane("link-relief", z_index=250, pointer_events=False).add_to(m)
    url, bounds = relief_png()
    relief = folium.FeatureGroup(name="Relief (ETOPO5 5′)")
    folium.raster_layers.ImageOverlay(image=url, bounds=bounds, opacity=0.9, pane="link-relief",
                                      interactive=False, cross_origin=False, zindex=1,
                                      name="relief", className="mapapp-link-relief").add_to(relief)
    relief.add_to(m)
    land = folium.FeatureGroup(name="Land (GSHHG 2.3.6 high)")
    folium.GeoJson(coastline_geojson(), name="land", interactive=False,
                   style_function=lambda _f: {"color": "#4d3b22", "weight": 0.8,
                                              "fill": False}).add_to(land)
    land.add_to(m)
    heads = folium.FeatureGroup(name="Railheads and network ends")
    shown = list(railheads) if railheads is not None else [
        r for r in ldata.railheads().values() if r.in_wide_area]
    for r in shown:
        folium.Marker(
            [r.lat, float(display_lons([r.lon])[0])],
            tooltip=_html.escape(f"Railhead: {r.name}"),
            popup=folium.Popup(_popup_html(r.name, r.status, r.sources), max_width=380),
            icon=folium.Icon(color="black", icon="train", prefix="fa"),
        ).add_to(heads)
    heads.add_to(m)
    vias = folium.FeatureGroup(name="Via places")
    for p in ldata.places().values():
        folium.CircleMarker([p.lat, float(display_lons([p.lon])[0])], radius=4, color="#222",
                            weight=1, fill=True, fill_color="#ffffff", fill_opacity=1,
                            tooltip=_html.escape(p.name),
                            popup=folium.Popup(_popup_html(p.name, p.note, p.sources),
                                               max_width=380)).add_to(vias)
    vias.add_to(m)
    roads = folium.FeatureGroup(name="Kolyma Highway (towns on it, joined)")
    for c in ldata.corridors():
        clons = display_lons([p.lon for p in c.points])
        folium.PolyLine([[p.lat, float(lo)] for p, lo in zip(c.points, clons, strict=False)],
                        color="#555555", weight=2, dash_array="6 6",
                        tooltip=_html.escape(f"{c.name}: {c.length_km:,.0f} km"),
                        popup=folium.Popup(_popup_html(c.name, c.note, c.sources), max_width=380),
                        class_name="mapapp-link-corridor").add_to(roads)
    roads.add_to(m)
    strait = folium.FeatureGroup(name=f"Strait route: {_html.escape(strait_route.name)}")
    lons = display_lons(strait_route.lons)
    folium.PolyLine(list(zip(strait_route.lats.tolist(), lons.tolist(), strict=False)), color="#D55E00",
                    weight=5, tooltip=_html.escape(strait_route.name),
                    class_name="mapapp-link-strait").add_to(strait)
    for w, lon in ((strait_route.waypoints[0], lons[0]), (strait_route.waypoints[-1], lons[-1])):
        folium.CircleMarker([w.lat, float(lon)], radius=6, color="#D55E00", weight=2,
                            fill=True, fill_color="#ffffff", fill_opacity=1,
                            tooltip=_html.escape(f"Portal: {w.name}")).add_to(strait)
    strait.add_to(m)
    if result is not None:
        paths = folium.FeatureGroup(name="Connecting railways (least-cost paths)")
        for p in result.paths:
            plons = display_lons(p.route.lons)
            tip = (f"{p.railhead.name} → portal: {p.length_km:,.0f} km "
                   f"(straight {p.geodesic_km:,.0f} km); {p.cost.label()}")
            folium.PolyLine(list(zip(p.route.lats.tolist(), plons.tolist(), strict=False)),
                            color=PATH_COLOURS.get(p.side, "#333333"), weight=4,
                            tooltip=_html.escape(tip),
                            class_name="mapapp-link-path").add_to(paths)
        paths.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


# ============================================================================ exports
#: Formats of the connecting-alignment export.
EXPORT_FORMATS = ("geojson", "kml", "gpx", "gpkg", "csv")


def link_export_bytes(result, fmt: str, include_strait: bool = True) -> bytes:
    """The connecting alignments (and the strait route) in every route format, written by
    :mod:`mapapp.io.export` (lines cut at the antimeridian in GeoJSON, RFC 7946 §3.1.9)
    without the strait metrics, which mean nothing thousands of km inland. GeoJSON features
    also carry each path's figures in ``properties.link``.

    Parameters
    ----------
    result : LinkResult
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    include_strait : bool
        Also write the strait route itself (its ``properties.link`` is absent).
    """
    import json


    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of "
                          f"{', '.join(EXPORT_FORMATS)}")
    routes = result.routes() + ([result.strait_route] if include_strait else [])
    data = export_bytes(routes, fmt, metrics=False)
    if fmt != "geojson":
        return data
    fc = json.loads(data)
    by_id = {p.route.id: p.to_dict() for p in result.paths}
    for f in fc["features"]:
        link = by_id.get(f.get("id"))
        if link is not None:
            f["properties"]["kind"] = "connecting_railway"
            f["properties"]["link"] = link

    return (dumps(fc, indent=1, sort_keys=False) + "\n").encode("utf-8")
