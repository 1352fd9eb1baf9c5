"""The folium map: a static base map plus layers that change.

streamlit-folium remounts the map whenever the *base map's* script changes, losing the
view and any drawing. So the base map (:func:`base_map`) holds only what never changes
within a session — controls (scale, mouse position, fullscreen, draw) and panes — and
everything that depends on the user's choices is built as a :class:`folium.FeatureGroup`
by the ``*_layer`` functions and passed through ``st_folium(feature_group_to_add=…)``.
:func:`build_map` puts the same layers on one map for standalone HTML and tests.

No Streamlit here.

Examples
--------
>>> m = build_map(basemap="none")
>>> html = m.get_root().render()
>>> "Cape Dezhnev" in html and "leaflet-control-scale" not in html  # scale is added in JS
True
"""

from __future__ import annotations

import html as _html
import json
from dataclasses import dataclass

import branca.colormap
import folium
import folium.plugins
import numpy as np
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from mapapp.core.geodesy import STRAIT_CENTER
from mapapp.render.assets import SCREENSHOTER_JS_URL

__all__ = [
    "BASEMAPS",
    "DEFAULT_VIEW",
    "base_map",
    "basemap_layer",
    "bathymetry_layer",
    "isobath_layer",
    "land_layer",
    "context_layer",
    "routes_layer",
    "point_layer",
    "Legend",
    "legend_html",
    "build_map",
]

#: Basemaps: label -> (tile URL or None, attribution). Tiles need internet; "none" is offline.
BASEMAPS = {
    "none": (None, ""),
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors (ODbL)",
    ),
    "Esri Ocean": (
        "https://server.arcgisonline.com/ArcGIS/rest/services/Ocean/World_Ocean_Base/MapServer/tile/{z}/{y}/{x}",
        "Tiles © Esri — Sources: GEBCO, NOAA, CHS, OSU, UNH, CSUMB, National Geographic, DeLorme, NAVTEQ, Esri",
    ),
    "OpenTopoMap": (
        "https://tile.opentopomap.org/{z}/{x}/{y}.png",
        "Map data © OpenStreetMap contributors, SRTM | style © OpenTopoMap (CC-BY-SA)",
    ),
}


@dataclass(frozen=True)
class View:
    """A map view: centre (lat, lon in degrees) and zoom level."""

    lat: float
    lon: float
    zoom: int


#: The strait with both capes in view.
DEFAULT_VIEW = View(lat=STRAIT_CENTER[1], lon=STRAIT_CENTER[0], zoom=8)

_PANES = (("mapapp-bathymetry", 250), ("mapapp-land", 390), ("mapapp-routes", 450))


class ViewToUrl(MacroElement):
    """Keeps ``c=lat,lon`` and ``z=zoom`` in the page URL in step with the map view.

    Runs in the browser only (no server round trip, so panning never reruns the app):
    on every ``moveend`` it rewrites the query string of the top page with
    ``history.replaceState``, and re-applies it each second in case the page rewrote its
    query string in between (Streamlit does when other state changes).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var moved = false;
            function write() {
                try {
                    var w = window.parent || window;
                    var u = new URL(w.location.href);
                    var c = map.getCenter();
                    var lng = ((c.lng + 180) % 360 + 360) % 360 - 180;
                    var v = c.lat.toFixed(5) + ',' + lng.toFixed(5);
                    var z = String(map.getZoom());
                    if (u.searchParams.get('c') !== v || u.searchParams.get('z') !== z) {
                        u.searchParams.set('c', v);
                        u.searchParams.set('z', z);
                        w.history.replaceState(w.history.state, '', u.toString());
                    }
                } catch (e) { /* another origin: nothing to keep */ }
            }
            map.on('moveend', function () { moved = true; write(); });
            setInterval(function () { if (moved) { write(); } }, 1000);
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ViewToUrl"


class MapScreenshot(JSCSSMixin, MacroElement):
    """A camera button that saves the map *as seen* (layers, routes, legend) as a PNG.

    Made in the user's browser by leaflet-simple-map-screenshoter (no server involved);
    the file name carries the date.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.simpleMapScreenshoter({
            position: 'topleft',
            mimeType: 'image/png',
            screenName: function () {
                return 'bering-strait-map-' + new Date().toISOString().slice(0, 10);
            },
            hideElementsWithSelectors: ['.leaflet-control-zoom', '.leaflet-draw',
                                        '.leaflet-control-layers', '.leaflet-control-fullscreen'],
            caption: null
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    default_js = [("leaflet-simple-map-screenshoter", SCREENSHOTER_JS_URL)]

    def __init__(self):
        super().__init__()
        self._name = "MapScreenshot"


def base_map(
    view: View = DEFAULT_VIEW, height: int = 640, draw: bool = True, sync_url: bool = False
) -> folium.Map:
    """The static part of the map (no tiles: basemaps come as a layer).

    Parameters
    ----------
    view : View
        Initial centre and zoom.
    height : int
        Height in pixels.
    draw : bool
        Add the Draw control (polylines for routes, polygons for no-go zones; edit and
        delete enabled).
    sync_url : bool
        Keep the view in the page URL (:class:`ViewToUrl`), for shareable links.
    """
    m = folium.Map(
        location=[view.lat, view.lon],
        zoom_start=view.zoom,
        tiles=None,
        control_scale=True,
        height=height,
        world_copy_jump=False,
        min_zoom=3,
        max_zoom=16,
    )
    for name, z in _PANES:
        folium.map.CustomPane(name, z_index=z, pointer_events=name != "mapapp-bathymetry").add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MousePosition(
        position="bottomright",
        separator=" | ",
        num_digits=4,
        prefix="lat | lon:",
    ).add_to(m)
    if draw:
        folium.plugins.Draw(
            export=False,
            position="topleft",
            draw_options={
                "polyline": {"shapeOptions": {"color": "#d62728", "weight": 4}},
                "polygon": {"shapeOptions": {"color": "#7f7f7f"}},
                "rectangle": False,
                "circle": False,
                "circlemarker": False,
                "marker": False,
            },
            edit_options={"edit": True, "remove": True},
        ).add_to(m)
    if sync_url:
        ViewToUrl().add_to(m)
    MapScreenshot().add_to(m)
    return m


def basemap_layer(name: str) -> folium.FeatureGroup | None:
    """Tiles of a basemap as a layer (``None`` for "none")."""
    url, attribution = BASEMAPS.get(name, (None, ""))
    if url is None:
        return None
    fg = folium.FeatureGroup(name=f"Basemap: {name}", control=False)
    folium.TileLayer(tiles=url, attr=attribution, name=name, max_zoom=16).add_to(fg)
    return fg


class Legend(MacroElement):
    """A legend control that shows while its parent layer is on the map.

    Unlike ``branca.colormap.ColorMap`` added to a map, it needs no d3 and lives inside a
    FeatureGroup, so it can change without remounting the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function () {
                var div = L.DomUtil.create('div', 'mapapp-legend leaflet-control');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            layer.on('add', function (e) { ctl.addTo(e.target._map); });
            layer.on('remove', function () { ctl.remove(); });
            if (layer._map) { ctl.addTo(layer._map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomleft"):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position


def legend_html(cmap_name: str, vmin: float, vmax: float, title: str, note: str = "") -> str:
    """Compact legend: a CSS gradient from a branca colormap and ticks in metres."""
    from mapapp.render.overlay import get_cmap

    cmap = get_cmap(cmap_name)
    stops = np.linspace(0, 1, 11)
    colors = [cmap(s) for s in stops]
    bcm = branca.colormap.LinearColormap(
        [tuple(float(c) for c in col) for col in colors], vmin=vmin, vmax=vmax
    )
    gradient = ", ".join(
        f"{bcm.rgb_hex_str(vmin + s * (vmax - vmin))} {s * 100:.0f}%" for s in stops
    )
    ticks = np.linspace(vmin, vmax, 5)
    tick_html = "".join(
        f'<span style="position:absolute;left:{i * 25}%;transform:translateX(-50%)">{t:.0f}</span>'
        for i, t in enumerate(ticks)
    )
    note_html = f'<div style="margin-top:16px;color:#444">{_html.escape(note)}</div>' if note else ""
    return (
        '<div style="background:rgba(255,255,255,.9);padding:6px 14px 6px 10px;border-radius:4px;'
        'font:12px/1.3 sans-serif;min-width:220px">'
        f"<b>{_html.escape(title)}</b>"
        f'<div style="height:12px;margin-top:4px;background:linear-gradient(to right, {gradient})"></div>'
        f'<div style="position:relative;height:14px">{tick_html}</div>'
        f"{note_html}</div>"
    )


def bathymetry_layer(overlay, info, opacity: float = 0.85) -> folium.FeatureGroup:
    """The rendered grid (an :class:`~mapapp.render.overlay.Overlay`) with its legend.

    ``info`` is the grid's :class:`~mapapp.data.bathymetry.GridInfo`: its name and resolution are
    stated in the layer name and the legend.
    """
    fg = folium.FeatureGroup(name=f"Bathymetry: {_html.escape(info.name)}")  # control: HTML
    folium.raster_layers.ImageOverlay(
        image=overlay.data_url(),
        bounds=overlay.leaflet_bounds,
        opacity=float(opacity),
        pane="mapapp-bathymetry",
        interactive=False,
        cross_origin=False,
        zindex=1,
        name="bathymetry",
        className="mapapp-bathymetry",
    ).add_to(fg)
    Legend(
        legend_html(
            overlay.cmap,
            overlay.vmin,
            overlay.vmax,
            "Elevation (m; negative = below sea level)",
            f"{info.name}: {info.resolution_label}",
        )
    ).add_to(fg)
    return fg


def _js_safe(html: str) -> str:
    """HTML made safe inside the JavaScript template literal (`` `…` ``) folium puts tooltip
    and popup HTML in: backslash, backtick and ``$`` (``${…}`` would run) become entities."""
    return html.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _text(value) -> str:
    """User text for a tooltip: HTML-escaped and template-literal safe (see :func:`_js_safe`)."""
    return _js_safe(_html.escape(str(value)))


def _geojson(gdf, name, style, tooltip_fields=None, aliases=None, pane=None) -> folium.GeoJson:
    tooltip = None
    if tooltip_fields:
        tooltip = folium.GeoJsonTooltip(fields=tooltip_fields, aliases=aliases or tooltip_fields)
    return folium.GeoJson(
        gdf.__geo_interface__,
        name=name,
        style_function=lambda _f: style,
        tooltip=tooltip,
        **({"pane": pane} if pane else {}),
    )


def _escaped(gdf, fields):
    """Copy of ``gdf`` with text fields HTML-escaped (tooltips render HTML)."""
    out = gdf.copy()
    for f in fields:
        out[f] = [_html.escape(str(v)) for v in out[f]]
    return out


def isobath_layer(lines, interval_m: float) -> folium.FeatureGroup:
    """Isobaths (GeoDataFrame from :func:`mapapp.render.isobaths.isobaths`) with depth labels."""
    fg = folium.FeatureGroup(name=f"Isobaths ({interval_m:g} m)")
    if len(lines):
        _geojson(
            lines[["depth_m", "label", "geometry"]],
            "isobaths",
            {"color": "#1b3a5c", "weight": 1, "opacity": 0.6},
            ["label"],
            ["depth"],
            pane="mapapp-land",
        ).add_to(fg)
        for _, row in lines.iterrows():
            geom = row.geometry
            parts = list(getattr(geom, "geoms", [geom]))
            longest = max(parts, key=lambda g: g.length)
            if longest.length < 0.05:
                continue
            pt = longest.interpolate(0.5, normalized=True)
            folium.Marker(
                [pt.y, pt.x],
                icon=folium.DivIcon(
                    html=f'<div class="mapapp-isobath-label">{_html.escape(row.label)}</div>',
                    icon_size=(40, 12),
                    icon_anchor=(20, 6),
                ),
            ).add_to(fg)
    return fg


def land_layer(land, attribution: str) -> folium.FeatureGroup:
    """Land polygons (display-simplified GeoDataFrame)."""
    fg = folium.FeatureGroup(name="Land (coastline)")
    folium.GeoJson(
        land[["geometry"]].__geo_interface__,
        name="land",
        style_function=lambda _f: {
            "color": "#5b4a2f",
            "weight": 1,
            "fillColor": "#e8e0c8",
            "fillOpacity": 0.9,
        },
        attr=attribution,
        pane="mapapp-land",
        interactive=False,
    ).add_to(fg)
    return fg


def context_layer(places, lines) -> folium.FeatureGroup:
    """Places (with tooltips and sourced popups), maritime boundary and date line."""
    fg = folium.FeatureGroup(name="Places, boundary, date line")
    styles = {
        "maritime_boundary": {"color": "#c2185b", "weight": 2, "dashArray": "8 6"},
        "date_line": {"color": "#6a1b9a", "weight": 2, "dashArray": "2 6"},
    }
    for _, row in lines.iterrows():
        style = styles.get(row["kind"], {})
        folium.GeoJson(
            {"type": "Feature", "geometry": row.geometry.__geo_interface__, "properties": {}},
            style_function=lambda _f, s=style: s,
            tooltip=_text(row["name"]),
            popup=folium.Popup(_js_safe(_source_html(row["name"], row["description"], row["sources"])),
                               max_width=360),
        ).add_to(fg)
    for _, row in places.iterrows():
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=5 if row["kind"] != "settlement" else 4,
            color="#222",
            weight=1,
            fill=True,
            fill_color="#ffcc00" if row["kind"] != "settlement" else "#ffffff",
            fill_opacity=1,
            tooltip=_text(row["name"]),
            popup=folium.Popup(_js_safe(_source_html(row["name"], row["description"], row["sources"])),
                               max_width=360),
        ).add_to(fg)
    return fg


def _source_html(name, description, sources) -> str:
    if isinstance(sources, str):
        try:
            sources = json.loads(sources)
        except ValueError:
            sources = [sources]
    sources = [] if sources is None else list(sources)
    links = "".join(
        f'<li><a href="{_html.escape(s, quote=True)}" target="_blank" rel="noopener">'
        f"{_html.escape(s[:60])}</a></li>"
        for s in sources
        if str(s).startswith(("http://", "https://"))
    )
    return (
        f"<b>{_html.escape(str(name))}</b><br>{_html.escape(str(description))}"
        f"<br><small>Sources:</small><ul style='margin:0;padding-left:16px'>{links}</ul>"
    )


def routes_layer(routes, colours=None, selected: str | None = None, labels=None) -> folium.FeatureGroup:
    """Routes as polylines (continuous longitudes), each in its colour, with a tooltip.

    Parameters
    ----------
    routes : list of Route
    colours : list of str, optional
        One CSS colour per route (default: ``route.colour`` or a palette).
    selected : str, optional
        Id of the route drawn thicker.
    labels : list of str, optional
        Tooltip text per route (plain text; escaped here). Default: name and length.
    """
    fg = folium.FeatureGroup(name="Routes")
    palette = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324"]
    for i, r in enumerate(routes):
        colour = (colours[i] if colours else None) or r.colour or palette[i % len(palette)]
        text = labels[i] if labels else f"{r.name} — {r.length_m() / 1000:.1f} km"
        weight = 6 if selected == r.id else 4
        folium.PolyLine(
            [[w.lat, w.lon] for w in r.waypoints],
            color=colour,
            weight=weight,
            opacity=0.95,
            tooltip=_text(text),
            pane="mapapp-routes",
        ).add_to(fg)
        for w in r.waypoints:
            folium.CircleMarker(
                [w.lat, w.lon],
                radius=3,
                color=colour,
                fill=True,
                fill_opacity=1,
                tooltip=_text(w.name or r.name),
                pane="mapapp-routes",
            ).add_to(fg)
    return fg


def point_layer(lat: float, lon: float, text: str) -> folium.FeatureGroup:
    """A marker at a clicked point with a permanent label (plain text, escaped)."""
    fg = folium.FeatureGroup(name="Clicked point", control=False)
    folium.CircleMarker(
        [lat, lon],
        radius=6,
        color="#000",
        fill=True,
        fill_color="#ff5722",
        fill_opacity=1,
        tooltip=folium.Tooltip(_text(text), permanent=True),
    ).add_to(fg)
    return fg


def build_map(
    routes=(),
    grid=None,
    *,
    basemap: str = "none",
    cmap: str | None = None,
    isobath_interval_m: float | None = 10.0,
    hillshade: bool = False,
    opacity: float = 0.85,
    view: View = DEFAULT_VIEW,
    draw: bool = False,
    width_px: int = 1200,
) -> folium.Map:
    """A complete map with every layer on it (for standalone HTML export and tests)."""
    from mapapp.data.bathymetry import open_grid
    from mapapp.data.coastline import SOURCES, display_land, land_geometry
    from mapapp.data.context import load_lines, load_places
    from mapapp.render.isobaths import isobaths
    from mapapp.render.overlay import COLORMAPS, render_overlay

    grid = grid or open_grid()
    m = base_map(view, draw=draw)
    layers = []
    tiles = basemap_layer(basemap)
    if tiles is not None:
        layers.append(tiles)
    bbox = grid.info.bounds
    ov = render_overlay(grid, bbox, width_px=width_px, cmap=cmap or COLORMAPS[0],
                        hillshade=hillshade, land=land_geometry())
    layers.append(bathymetry_layer(ov, grid.info, opacity))
    layers.append(land_layer(display_land(), SOURCES["gshhg"][2]))
    if isobath_interval_m:
        layers.append(isobath_layer(isobaths(grid, bbox, isobath_interval_m, land=land_geometry()),
                                    isobath_interval_m))
    layers.append(context_layer(load_places(), load_lines()))
    if routes:
        layers.append(routes_layer(list(routes)))
    for fg in layers:
        fg.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
