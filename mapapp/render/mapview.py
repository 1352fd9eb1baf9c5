"""The folium map: one builder for the app, the standalone HTML export and the CLI.

streamlit-folium remounts the map whenever the *base map's* script changes, losing the
view and any drawing. So the base map (:func:`base_map`) holds only what never changes
within a session — controls (scale, mouse position, fullscreen, draw, camera) and panes —
and everything that depends on the user's choices is built by :func:`map_layers` as
:class:`folium.FeatureGroup` objects, which the app passes through
``st_folium(feature_group_to_add=…)``. :func:`build_map` puts the same base map and the same
layers on one map for the standalone HTML file, so an exported map looks like the screen.

What the map shows is a :class:`MapSettings` (the sidebar's choices); the data it is drawn
from is a :class:`MapData` (:func:`map_data` computes it; the app builds it from its caches).

Every data layer carries its attribution, so Leaflet's attribution control lists exactly the
sources of the layers shown, and updates when a layer is switched off or on.

No Streamlit here.

Examples
--------
>>> m = build_map(MapSettings(basemap="none"))
>>> html = m.get_root().render()
>>> "Cape Dezhnev" in html and "leaflet-control-scale" not in html  # scale is added in JS
True
>>> "Coastline: GSHHG 2.3.6" in html  # the coastline layer carries its attribution
True
"""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass

import branca.colormap
import folium
import folium.plugins
import numpy as np
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from mapapp.core.errors import InputError
from mapapp.core.geodesy import STRAIT_CENTER
from mapapp.data.bathymetry import Grid, GridInfo, open_grid
from mapapp.data.coastline import SOURCES as LAND_SOURCES
from mapapp.data.coastline import display_land, land_geometry
from mapapp.data.context import load_lines, load_places
from mapapp.render.assets import DOM_TO_IMAGE_JS_URL
from mapapp.render.isobaths import isobaths
from mapapp.render.overlay import COLORMAPS, get_cmap, render_overlay
from mapapp.render.report import short_label
from mapapp.routes.route import route_colour

__all__ = [
    "BASEMAPS",
    "CONTEXT_ATTRIBUTION",
    "DEFAULT_VIEW",
    "PIXEL_RATIOS",
    "SCREENSHOT_HIDDEN",
    "TITLE_STRIP_PX",
    "MapCamera",
    "MapData",
    "MapSettings",
    "View",
    "base_map",
    "basemap_layer",
    "bathymetry_layer",
    "isobath_layer",
    "land_layer",
    "context_layer",
    "routes_layer",
    "route_display_colour",
    "route_legend_html",
    "route_legend_layer",
    "caption_layer",
    "point_layer",
    "Attribution",
    "Legend",
    "legend_html",
    "figure_caption",
    "grid_attribution",
    "map_data",
    "map_layers",
    "overlay_width",
    "build_map",
    "ClickToScroll",
    "LAND_ZOOMS",
    "PlaceSearch",
    "StaticGeoJson",
    "context_geojson",
    "isobath_geojson",
    "land_geojson",
    "pixel_metres",
    "place_list",
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

#: Pixel ratios the camera offers (output pixels per screen CSS pixel).
PIXEL_RATIOS = (1, 2, 3)
#: Height of the optional title line above the map in the camera's PNG, CSS pixels (the PNG
#: gets ``TITLE_STRIP_PX × ratio`` more rows).
TITLE_STRIP_PX = 28
#: Selectors of the map's interactive parts, hidden in the camera's PNG (zoom, draw, layers,
#: fullscreen, the mouse position readout and the camera itself); the scale bar, legends
#: and attribution stay.
SCREENSHOT_HIDDEN = (
    ".leaflet-control-zoom",
    ".leaflet-draw",
    ".leaflet-control-layers",
    ".leaflet-control-zoom-fullscreen",
    ".leaflet-control-fullscreen",
    ".leaflet-control-mouseposition",
    ".mapapp-camera",
)


@dataclass(frozen=True)
class MapSettings:
    """What the map shows and how: the sidebar's choices as plain values.

    Attributes
    ----------
    dataset_path : str or None
        Bathymetry grid file; None for the embedded ETOPO5 grid.
    dataset_name : str
        The grid's file name (for the session's dataset choice).
    cmap : str
        Colormap of the bathymetry (one of :data:`~mapapp.render.overlay.COLORMAPS`).
    vmin, vmax : float or None
        Colour range, metres of elevation (negative below sea level); None: the data range
        in view, capped at 0 m.
    opacity : float
        Opacity of the bathymetry image, 0–1.
    hillshade : bool
        Shade the relief (sun from the north-west).
    isobath_interval : float
        Metres between isobaths; 0 for none.
    basemap : str
        A key of :data:`BASEMAPS` (tiles need internet; "none" works offline).
    land_source : str
        Coastline drawn: "gshhg" (GSHHG, Wessel & Smith) or "osm" (OpenStreetMap).
    route_legend : bool
        Show the route legend (name and colour of each route) on the map.

    Examples
    --------
    >>> MapSettings(cmap="cmo.ice", isobath_interval=20).isobath_interval
    20.0
    >>> MapSettings(basemap="Bing")
    Traceback (most recent call last):
    ...
    mapapp.core.errors.InputError: unknown basemap 'Bing': choose one of none, OpenStreetMap, Esri Ocean, OpenTopoMap
    """

    dataset_path: str | None = None
    dataset_name: str = ""
    cmap: str = COLORMAPS[0]
    vmin: float | None = None
    vmax: float | None = None
    opacity: float = 0.85
    hillshade: bool = False
    isobath_interval: float = 10.0
    basemap: str = "none"
    land_source: str = "gshhg"
    route_legend: bool = True

    def __post_init__(self):
        if self.basemap not in BASEMAPS:
            raise InputError(f"unknown basemap {self.basemap!r}: choose one of {', '.join(BASEMAPS)}")
        if self.land_source not in LAND_SOURCES:
            raise InputError(f"unknown land source {self.land_source!r}: choose one of "
                             f"{', '.join(LAND_SOURCES)}")
        if self.cmap not in COLORMAPS:
            raise InputError(f"unknown colormap {self.cmap!r}: choose one of {', '.join(COLORMAPS)}")
        if not 0.0 <= float(self.opacity) <= 1.0:
            raise InputError(f"opacity {self.opacity} must be between 0 and 1")
        if float(self.isobath_interval) < 0:
            raise InputError(f"isobath interval {self.isobath_interval} m must be 0 (off) or more")
        if self.vmin is not None and self.vmax is not None and not self.vmin < self.vmax:
            raise InputError(f"colour range {self.vmin}..{self.vmax} m needs min < max")
        object.__setattr__(self, "isobath_interval", float(self.isobath_interval))
        object.__setattr__(self, "opacity", float(self.opacity))


@dataclass(frozen=True)
class MapData:
    """The data the map's layers are drawn from (see :func:`map_data`).

    Attributes
    ----------
    grid_info : GridInfo
        The bathymetry grid's description (name, resolution, source, licence).
    overlay : Overlay
        The rendered bathymetry, or any object with ``cmap``, ``vmin``, ``vmax`` (m),
        ``leaflet_bounds`` and ``data_url()`` (the app passes a cached copy).
    land : geopandas.GeoDataFrame
        Land polygons for display (lon/lat degrees).
    isobaths : geopandas.GeoDataFrame or None
        Isobaths with ``depth_m`` and ``label`` (None when off).
    places, lines : geopandas.GeoDataFrame
        Named places and the boundary/date lines (:mod:`mapapp.data.context`).
    files : dict, optional
        URLs of the same data as files the browser fetches and caches (the app's static
        folder): ``"bathymetry"`` (PNG), ``"land"`` (``[(max_zoom, url), …]``),
        ``"isobaths"``, ``"context"`` (GeoJSON). A missing key: that layer is inline.
    """

    grid_info: GridInfo
    overlay: object
    land: object
    isobaths: object
    places: object
    lines: object
    files: dict | None = None


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


class MapCamera(JSCSSMixin, MacroElement):
    """A camera button that saves the map *as seen* as a PNG, made in the user's browser.

    One click saves: the interactive controls (:data:`SCREENSHOT_HIDDEN`) are hidden while
    the picture is taken, so the PNG keeps the map, the scale bar, the legends and the
    attribution. The "⋯" button beside it opens the choices: pixel ratio
    (:data:`PIXEL_RATIOS`; the PNG is the map's size in CSS pixels times the ratio, default
    2 for print) and an optional title line above the map (:data:`TITLE_STRIP_PX` CSS pixels
    high) with the text of :func:`caption_layer` and the date. The file name is
    ``bering-strait-map-DATE.png``. Rendering uses dom-to-image-more (no server involved).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .mapapp-camera a { cursor: pointer; font: bold 15px/30px sans-serif; }
        .mapapp-camera svg { vertical-align: middle; }
        .leaflet-container .leaflet-control-attribution { font-size: 11px; line-height: 1.35;
            max-width: 430px; }
        .mapapp-camera a.mapapp-camera-busy { opacity: .4; cursor: progress; }
        .mapapp-camera { position: relative; }
        .mapapp-camera-options { display: none; position: absolute; left: 36px; top: -2px;
            background: #fff; padding: 6px 8px; font: 12px/1.6 sans-serif; white-space: nowrap;
            border: 2px solid rgba(0, 0, 0, .2); border-radius: 4px; background-clip: padding-box; }
        .mapapp-camera-open .mapapp-camera-options { display: block; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var hidden = {{ this.hidden|tojson }};
            var strip = {{ this.strip }};
            var ratios = {{ this.ratios|tojson }};
            function today() { return new Date().toISOString().slice(0, 10); }
            function capture(ratio, title) {
                var node = map.getContainer();
                var w = node.clientWidth, h = node.clientHeight;
                var off = Array.prototype.slice.call(node.querySelectorAll(hidden.join(',')));
                var before = off.map(function (el) { return el.style.visibility; });
                off.forEach(function (el) { el.style.visibility = 'hidden'; });
                // the text kept in the picture is in the system's sans-serif: embedding the
                // page's web fonts (icon fonts of the hidden controls) would fetch megabytes
                // for each picture, and cannot from a page opened as a file
                var fonts = domtoimage.impl.fontFaces, resolveAll = fonts.resolveAll;
                fonts.resolveAll = function () { return Promise.resolve(''); };
                function restore() {
                    fonts.resolveAll = resolveAll;
                    off.forEach(function (el, i) { el.style.visibility = before[i]; });
                }
                return domtoimage.toCanvas(node, {width: w, height: h, scale: ratio,
                                                  bgcolor: '#ffffff'})
                    .then(function (shot) {
                        restore();
                        if (!title) { return shot; }
                        var out = document.createElement('canvas');
                        var top = Math.round(strip * ratio);
                        out.width = shot.width;
                        out.height = shot.height + top;
                        var ctx = out.getContext('2d');
                        ctx.fillStyle = '#ffffff';
                        ctx.fillRect(0, 0, out.width, top);
                        ctx.fillStyle = '#111111';
                        ctx.font = 'bold ' + (13 * ratio) + 'px sans-serif';
                        ctx.textBaseline = 'middle';
                        var text = title, pad = 8 * ratio;
                        while (text.length > 4 && ctx.measureText(text).width > out.width - 2 * pad) {
                            text = text.slice(0, -2);
                        }
                        if (text !== title) { text = text.slice(0, -1) + '…'; }
                        ctx.fillText(text, pad, top / 2);
                        ctx.drawImage(shot, 0, top);
                        return out;
                    }, function (err) { restore(); throw err; });
            }
            function save(canvas) {
                canvas.toBlob(function (blob) {
                    var a = document.createElement('a');
                    a.download = 'bering-strait-map-' + today() + '.png';
                    a.href = URL.createObjectURL(blob);
                    document.body.appendChild(a);
                    a.click();
                    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 40000);
                }, 'image/png');
            }
            var Camera = L.Control.extend({
                options: {position: 'topleft'},
                onAdd: function () {
                    var div = L.DomUtil.create('div', 'leaflet-bar mapapp-camera');
                    var shoot = L.DomUtil.create('a', 'mapapp-camera-save', div);
                    shoot.href = '#';
                    shoot.title = 'Save the map as seen (PNG)';
                    shoot.setAttribute('role', 'button');
                    shoot.setAttribute('aria-label', shoot.title);
                    shoot.innerHTML = '<svg width="18" height="18" viewBox="0 0 24 24" '
                        + 'aria-hidden="true"><path fill="#333" d="M9 4h6l1.5 2H20a2 2 0 0 1 2 '
                        + '2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h3.5z"/>'
                        + '<circle cx="12" cy="13" r="4.2" fill="#fff"/>'
                        + '<circle cx="12" cy="13" r="2.6" fill="#333"/></svg>';
                    var more = L.DomUtil.create('a', 'mapapp-camera-more', div);
                    more.href = '#';
                    more.title = 'Screenshot options';
                    more.setAttribute('role', 'button');
                    more.setAttribute('aria-label', more.title);
                    more.innerHTML = '&#8943;';
                    var form = L.DomUtil.create('div', 'mapapp-camera-options', div);
                    form.innerHTML = 'Pixel ratio: ' + ratios.map(function (r) {
                        return '<label><input type="radio" name="mapapp-ratio" value="' + r + '"'
                            + (r === {{ this.default_ratio }} ? ' checked' : '') + '> ' + r
                            + '×</label> ';
                    }).join('') + '<br><label><input type="checkbox" class="mapapp-camera-title">'
                        + ' Title line (routes, dataset, date)</label>';
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    L.DomEvent.on(more, 'click', function (e) {
                        L.DomEvent.preventDefault(e);
                        div.classList.toggle('mapapp-camera-open');
                    });
                    L.DomEvent.on(shoot, 'click', function (e) {
                        L.DomEvent.preventDefault(e);
                        if (shoot.classList.contains('mapapp-camera-busy')) { return; }
                        var picked = form.querySelector('input[name="mapapp-ratio"]:checked');
                        var ratio = picked ? Number(picked.value) : 1;
                        var title = form.querySelector('.mapapp-camera-title').checked
                            ? (map.mapappCaption || 'Bering Strait') + ' · ' + today() : null;
                        shoot.classList.add('mapapp-camera-busy');
                        capture(ratio, title).then(save).catch(function (err) {
                            console.error('map screenshot failed', err);
                        }).then(function () { shoot.classList.remove('mapapp-camera-busy'); });
                    });
                    return div;
                }
            });
            new Camera().addTo(map);
        })();
        {% endmacro %}
        """
    )

    default_js = [("dom-to-image-more", DOM_TO_IMAGE_JS_URL)]

    def __init__(self, default_ratio: int = 2):
        super().__init__()
        self._name = "MapCamera"
        if default_ratio not in PIXEL_RATIOS:
            raise InputError(f"pixel ratio {default_ratio} must be one of {PIXEL_RATIOS}")
        self.default_ratio = int(default_ratio)
        self.ratios = list(PIXEL_RATIOS)
        self.hidden = list(SCREENSHOT_HIDDEN)
        self.strip = int(TITLE_STRIP_PX)


class ClickToScroll(MacroElement):
    """The mouse wheel scrolls the page until the map is clicked (or with Ctrl/⌘ held).

    Leaflet's wheel zoom starts disabled; a click (or tap) on the map turns it on, and it
    turns off again when the pointer leaves the map. With Ctrl or ⌘ held the wheel zooms
    at once. A short hint says so the first time the wheel is used over the idle map.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .mapapp-wheel-hint { position: absolute; left: 50%; top: 50%; z-index: 1000;
            transform: translate(-50%, -50%); background: rgba(0,0,0,.65); color: #fff;
            font: 14px/1.4 sans-serif; padding: 6px 12px; border-radius: 4px;
            pointer-events: none; display: none; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, box = map.getContainer(), timer = null;
            var hint = L.DomUtil.create('div', 'mapapp-wheel-hint', box);
            hint.textContent = 'Click the map to zoom with the wheel (or hold Ctrl)';
            map.scrollWheelZoom.disable();
            box.dataset.wheelZoom = 'off';
            function on() { map.scrollWheelZoom.enable(); box.dataset.wheelZoom = 'on';
                            hint.style.display = 'none'; }
            function off() { map.scrollWheelZoom.disable(); box.dataset.wheelZoom = 'off'; }
            map.on('click', on);
            box.addEventListener('mousedown', on);
            box.addEventListener('mouseleave', off);
            box.addEventListener('wheel', function (e) {
                if (map.scrollWheelZoom.enabled()) { return; }
                if (e.ctrlKey || e.metaKey) {
                    e.preventDefault();
                    map.setZoomAround(map.mouseEventToContainerPoint(e),
                                      map.getZoom() + (e.deltaY < 0 ? 1 : -1));
                    return;
                }
                hint.style.display = 'block';
                clearTimeout(timer);
                timer = setTimeout(function () { hint.style.display = 'none'; }, 1200);
            }, {passive: false});
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ClickToScroll"


class PlaceSearch(MacroElement):
    """A search box for the named places (offline: the list is in the page, no geocoder).

    Typing offers the names (an HTML ``datalist``); choosing one, or pressing Enter on a
    name or an unambiguous start of one, centres the map on the place at zoom ≥ ``zoom``.
    ``places`` is a list of ``(name, lat, lon)`` in degrees.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .mapapp-search input { width: 180px; font: 13px sans-serif; padding: 4px 6px;
            border: 0; border-radius: 4px; }
        .mapapp-search { box-shadow: 0 1px 5px rgba(0,0,0,.4); border-radius: 4px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, places = {{ this.places|tojson }};
            // bottom right, above the mouse position: the top right holds the route legend,
            // which must not be pushed down over the strait on a short map
            var ctl = L.control({position: 'bottomright'});
            ctl.onAdd = function () {
                var div = L.DomUtil.create('div', 'mapapp-search leaflet-control');
                var input = L.DomUtil.create('input', '', div), list = L.DomUtil.create('datalist', '', div);
                list.id = 'mapapp-places';
                input.setAttribute('list', list.id);
                input.type = 'search';
                input.placeholder = 'Find a place…';
                input.setAttribute('aria-label', 'Find a place on the map');
                places.forEach(function (p) {
                    var o = document.createElement('option'); o.value = p[0]; list.appendChild(o);
                });
                function go() {
                    var q = input.value.trim().toLowerCase();
                    if (!q) { return; }
                    var hit = places.filter(function (p) { return p[0].toLowerCase() === q; });
                    if (!hit.length) {
                        hit = places.filter(function (p) { return p[0].toLowerCase().indexOf(q) === 0; });
                    }
                    if (hit.length !== 1) { input.style.outline = '2px solid #d62728'; return; }
                    input.style.outline = '';
                    map.setView([hit[0][1], hit[0][2]], Math.max(map.getZoom(), {{ this.zoom }}));
                    map.fire('mapapp:place', {name: hit[0][0]});
                }
                input.addEventListener('change', go);
                input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, places, zoom: int = 10):
        super().__init__()
        self._name = "PlaceSearch"
        self.places = [[str(n), round(float(lat), 6), round(float(lon), 6)] for n, lat, lon in places]
        self.zoom = int(zoom)


def place_list(places) -> list[tuple[str, float, float]]:
    """``(name, lat, lon)`` of each place of a places GeoDataFrame (degrees), for :class:`PlaceSearch`."""
    return [(str(r["name"]), float(r.geometry.y), float(r.geometry.x)) for _, r in places.iterrows()]


def base_map(
    view: View = DEFAULT_VIEW, height: int | str = 640, draw: bool = True, sync_url: bool = False,
    places=None, click_to_scroll: bool = False,
) -> folium.Map:
    """The static part of the map (no tiles: basemaps come as a layer).

    Parameters
    ----------
    view : View
        Initial centre and zoom.
    height : int or str
        Height in pixels, or a CSS length such as ``"100%"`` (the standalone HTML fills
        the browser window).
    draw : bool
        Add the Draw control (polylines for routes, polygons for no-go zones; edit and
        delete enabled).
    sync_url : bool
        Keep the view in the page URL (:class:`ViewToUrl`), for shareable links.
    places : list of (str, float, float), optional
        ``(name, lat, lon)`` for the place search box (:class:`PlaceSearch`); default: the
        named places of ``geodata/context``; ``[]``: no search box.
    click_to_scroll : bool
        The wheel scrolls the page until the map is clicked (:class:`ClickToScroll`): for a
        map embedded in a longer page.

    Every map has a measure tool (folium's MeasureControl, leaflet-measure 2.1.7): lengths
    by the haversine formula and areas by the spherical polygon formula, both on a sphere
    of radius 6 371 000 m — great-circle, not WGS84-ellipsoid, figures (within about 0.5 %
    of the ellipsoidal ones at these latitudes).
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
    # the camera next: high in the top-left stack, so that on a short map the legends in the
    # bottom-left corner never cover it or its options
    MapCamera().add_to(m)
    folium.plugins.MousePosition(
        position="bottomright",
        separator=" | ",
        num_digits=4,
        prefix="lat | lon:",
        empty_string="",  # nothing (not "Unavailable") while the pointer is off the map
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
    # top right, above the layer switch and the route legend: the top-left stack (zoom,
    # full screen, camera, draw) already reaches the bottom-left legends on a short map
    folium.plugins.MeasureControl(
        position="topright",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="hectares",
        secondary_area_unit="sqmiles",
    ).add_to(m)
    if places is None:
        places = place_list(load_places())
    if places:
        PlaceSearch(places).add_to(m)
    if click_to_scroll:
        ClickToScroll().add_to(m)
    if sync_url:
        ViewToUrl().add_to(m)
    return m


def basemap_layer(name: str) -> folium.FeatureGroup | None:
    """Tiles of a basemap as a layer (``None`` for "none"); the tiles carry their attribution."""
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
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }} + ' leaflet-control');
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

    def __init__(self, html: str, position: str = "bottomleft", css_class: str = "mapapp-legend"):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position
        self.css_class = css_class


def legend_html(cmap_name: str, vmin: float, vmax: float, title: str, note: str = "") -> str:
    """Compact legend: a CSS gradient from a branca colormap and ticks in metres."""
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


class Attribution(MacroElement):
    """The data source of its parent layer, for Leaflet's attribution control.

    Leaflet lists a layer's ``attribution`` option while the layer is on the map (and drops
    it when the layer is switched off). folium passes a FeatureGroup's options where
    ``L.featureGroup`` expects its layers, so the option is set here, before the group is
    added to the map. ``text`` is plain text (HTML-escaped here).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.setOptions({{ this._parent.get_name() }}, {attribution: {{ this.html|tojson }}});
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Attribution"
        self.text = text
        self.html = _html.escape(text)


def grid_attribution(info: GridInfo) -> str:
    """Plain-text attribution of a bathymetry grid, from its provenance (source, licence).

    The source is cut before "via …" or a ";" (how the file reached us is in geodata/).

    >>> grid_attribution(open_grid().info)
    'Bathymetry: ETOPO5 5-arc-minute global relief, NOAA NGDC (1988) — Public domain (US Government work)'
    """
    source = re.split(r";| via ", info.source or info.citation or "")[0].strip(" ,")
    text = f"Bathymetry: {source or info.name + ' (source not stated)'}"
    return f"{text} — {info.licence}" if info.licence else text


def bathymetry_layer(overlay, info, opacity: float = 0.85, url: str | None = None) -> folium.FeatureGroup:
    """The rendered grid (an :class:`~mapapp.render.overlay.Overlay`) with its legend.

    ``info`` is the grid's :class:`~mapapp.data.bathymetry.GridInfo`: its name and resolution are
    stated in the layer name and the legend, its source in the attribution. ``url``: the
    overlay's PNG as a file the browser fetches and caches (default: inline data URL).
    """
    fg = folium.FeatureGroup(name=f"Bathymetry: {_html.escape(info.name)}")  # control: HTML
    Attribution(grid_attribution(info)).add_to(fg)
    image = folium.raster_layers.ImageOverlay(
        image="data:," if url else overlay.data_url(),
        bounds=overlay.leaflet_bounds,
        opacity=float(opacity),
        pane="mapapp-bathymetry",
        interactive=False,
        cross_origin=False,
        zindex=1,
        name="bathymetry",
        className="mapapp-bathymetry",
    )
    if url:  # folium reads a string without a scheme as a local file name: set the URL as is
        image.url = url
    image.add_to(fg)
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


def isobath_layer(lines, interval_m: float, url: str | None = None) -> folium.FeatureGroup:
    """Isobaths (GeoDataFrame from :func:`mapapp.render.isobaths.isobaths`) with depth labels
    (contoured from the bathymetry grid, whose attribution covers them).

    With ``url`` (a file holding :func:`isobath_geojson` of ``lines``) the browser fetches
    the lines and labels; without it they are written into the page as folium elements.
    """
    fg = folium.FeatureGroup(name=f"Isobaths ({interval_m:g} m)")
    if url:
        StaticGeoJson([(99, {"url": url})], {
            "pane": "mapapp-land", "style": {"color": "#1b3a5c", "weight": 1, "opacity": 0.6},
            "labelClass": "mapapp-isobath-label",
        }).add_to(fg)
    elif len(lines):
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


def land_layer(land, attribution: str, levels=None) -> folium.FeatureGroup:
    """Land polygons (display-simplified GeoDataFrame) with their attribution (plain text).

    ``levels``: ``[(max_zoom, url), …]`` of files holding :func:`land_geojson` simplified
    for each zoom (:data:`LAND_ZOOMS`); the browser fetches the one for the current zoom.
    Without it the polygons of ``land`` are written into the page.
    """
    fg = folium.FeatureGroup(name="Land (coastline)")
    Attribution(attribution).add_to(fg)
    if levels:
        StaticGeoJson([(z, {"url": u}) for z, u in levels], {
            "pane": "mapapp-land", "interactive": False,
            "style": {"color": "#5b4a2f", "weight": 1, "fillColor": "#e8e0c8", "fillOpacity": 0.9},
        }).add_to(fg)
        return fg
    folium.GeoJson(
        land[["geometry"]].__geo_interface__,
        name="land",
        style_function=lambda _f: {
            "color": "#5b4a2f",
            "weight": 1,
            "fillColor": "#e8e0c8",
            "fillOpacity": 0.9,
        },
        pane="mapapp-land",
        interactive=False,
    ).add_to(fg)
    return fg


#: Attribution of :func:`context_layer` (each feature's popup lists its own sources).
CONTEXT_ATTRIBUTION = "Places, 1990 maritime boundary, date line: geodata/context (sources per feature)"


def context_layer(places, lines, url: str | None = None) -> folium.FeatureGroup:
    """Places (with tooltips and sourced popups), maritime boundary and date line.

    With ``url`` (a file holding :func:`context_geojson`) the browser fetches them.
    """
    fg = folium.FeatureGroup(name="Places, boundary, date line")
    Attribution(CONTEXT_ATTRIBUTION).add_to(fg)
    if url:
        StaticGeoJson([(99, {"url": url})]).add_to(fg)
        return fg
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


# --- layers fetched as files --------------------------------------------------------------------

#: Web Mercator metres per pixel at zoom 0 on the equator (256-pixel tiles; EPSG:3857 radius).
_MERC_M_PER_PX_Z0 = 2 * np.pi * 6378137.0 / 256

#: Zoom levels the display land is simplified for: the level for zoom z is the first one ≥ z
#: (the last one above it), so the simplification stays within about one screen pixel.
LAND_ZOOMS = (6, 8, 10, 12)


def pixel_metres(zoom: float) -> float:
    """Web Mercator metres per screen pixel at ``zoom`` (on the ground: times cos(latitude)).

    >>> round(pixel_metres(8), 1)
    611.5
    """
    return float(_MERC_M_PER_PX_Z0 / 2 ** zoom)


def _rounded(geom, ndigits: int = 5):
    """``geom`` with coordinates rounded to ``ndigits`` decimals of a degree (5: ≈ 1.1 m)."""
    return shapely.set_precision(geom, 10.0 ** -ndigits, mode="pointwise")


def land_geojson(land, zoom: float | None = None) -> dict:
    """Land polygons (lon/lat degrees) as a GeoJSON FeatureCollection for display.

    With ``zoom``, simplified in Web Mercator with a tolerance of one screen pixel at that
    zoom (:func:`pixel_metres`), coordinates rounded to 1e-5° (≈ 1 m). Display only: land and
    sea in the core are decided by the full-resolution coastline.

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(-169, 65, -168, 66)], crs=4326)
    >>> land_geojson(g, 8)["features"][0]["geometry"]["type"]
    'Polygon'
    """
    gdf = land[["geometry"]]
    if zoom is not None:
        merc = gdf.to_crs(3857)
        merc = merc.set_geometry(merc.geometry.simplify(pixel_metres(zoom), preserve_topology=True))
        gdf = merc.to_crs(4326)
    geoms = [_rounded(g) for g in gdf.geometry if g is not None and not g.is_empty]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": g.__geo_interface__}
                         for g in geoms if not g.is_empty]}


def isobath_geojson(lines) -> dict:
    """Isobaths as GeoJSON: the lines (tooltip = depth label) and one label point at the middle
    of the longest part of each line longer than 0.05° (``label``: escaped HTML text)."""
    feats = []
    for _, row in lines.iterrows():
        geom = row.geometry
        label = _text(row["label"])
        feats.append({"type": "Feature", "properties": {"tooltip": f"depth {label}"},
                      "geometry": _rounded(geom).__geo_interface__})
        parts = list(getattr(geom, "geoms", [geom]))
        longest = max(parts, key=lambda g: g.length)
        if longest.length < 0.05:
            continue
        pt = longest.interpolate(0.5, normalized=True)
        feats.append({"type": "Feature", "properties": {"label": label},
                      "geometry": {"type": "Point", "coordinates": [round(pt.x, 5), round(pt.y, 5)]}})
    return {"type": "FeatureCollection", "features": feats}


_CONTEXT_STYLES = {
    "maritime_boundary": {"color": "#c2185b", "weight": 2, "dashArray": "8 6"},
    "date_line": {"color": "#6a1b9a", "weight": 2, "dashArray": "2 6"},
}


def context_geojson(places, lines) -> dict:
    """Places, maritime boundary and date line as GeoJSON, each feature with its style, an
    escaped tooltip and a popup listing its sources (HTML)."""
    feats = []
    for _, row in lines.iterrows():
        feats.append({"type": "Feature", "geometry": row.geometry.__geo_interface__, "properties": {
            "style": _CONTEXT_STYLES.get(row["kind"], {}), "tooltip": _text(row["name"]),
            "popup": _js_safe(_source_html(row["name"], row["description"], row["sources"]))}})
    for _, row in places.iterrows():
        settlement = row["kind"] == "settlement"
        feats.append({"type": "Feature", "geometry": row.geometry.__geo_interface__, "properties": {
            "style": {"radius": 4 if settlement else 5, "color": "#222", "weight": 1, "fill": True,
                      "fillColor": "#ffffff" if settlement else "#ffcc00", "fillOpacity": 1},
            "tooltip": _text(row["name"]),
            "popup": _js_safe(_source_html(row["name"], row["description"], row["sources"]))}})
    return {"type": "FeatureCollection", "features": feats}


class StaticGeoJson(MacroElement):
    """GeoJSON added to its parent layer, fetched from a URL or given inline.

    ``levels`` is a list of ``(max_zoom, source)``: at zoom z the first level with
    ``max_zoom ≥ z`` (else the last) is shown, swapped on ``zoomend``; a source is
    ``{"url": …}`` (fetched once per page and kept: the map's iframe outlives reruns, so a
    rerun that rebuilds the layer fetches nothing) or ``{"data": …}`` (inline). Feature
    properties ``style`` (Leaflet path options), ``tooltip``, ``popup`` (HTML) and ``label``
    (a text label at a point, in a ``div`` of class ``options["labelClass"]``) are applied;
    other points become circle markers. ``options``: ``pane``, ``interactive``, ``style``
    (defaults for every feature), ``labelClass``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var fg = {{ this._parent.get_name() }};
            var levels = {{ this.levels|tojson }}, opts = {{ this.options|tojson }};
            var store = window.mapappStatic = window.mapappStatic || {};
            var map = null, current = null, shown = null;
            function load(src) {
                if (src.data) { return Promise.resolve(src.data); }
                if (!store[src.url]) {
                    store[src.url] = fetch(src.url).then(function (r) {
                        if (!r.ok) { delete store[src.url]; throw new Error(src.url + ': ' + r.status); }
                        return r.json();
                    });
                }
                return store[src.url];
            }
            function build(data) {
                return L.geoJson(data, {
                    pane: opts.pane, interactive: opts.interactive !== false,
                    style: function (f) {
                        return Object.assign({}, opts.style || {}, (f.properties || {}).style || {});
                    },
                    pointToLayer: function (f, ll) {
                        var p = f.properties || {};
                        if (p.label !== undefined) {
                            return L.marker(ll, {interactive: false, pane: opts.pane, icon: L.divIcon({
                                className: '', iconSize: [40, 12], iconAnchor: [20, 6],
                                html: '<div class="' + (opts.labelClass || '') + '">' + p.label + '</div>'})});
                        }
                        return L.circleMarker(ll, Object.assign({pane: opts.pane}, p.style || {}));
                    },
                    onEachFeature: function (f, l) {
                        var p = f.properties || {};
                        if (p.tooltip) { l.bindTooltip(p.tooltip); }
                        if (p.popup) { l.bindPopup(p.popup, {maxWidth: 360}); }
                    }
                });
            }
            function pick(z) {
                for (var i = 0; i < levels.length; i++) { if (z <= levels[i][0]) { return levels[i]; } }
                return levels[levels.length - 1];
            }
            function show() {
                if (!map) { return; }
                var lv = pick(map.getZoom());
                if (lv === current) { return; }
                current = lv;
                load(lv[1]).then(function (data) {
                    if (current !== lv) { return; }
                    var layer = build(data);
                    if (shown) { fg.removeLayer(shown); }
                    shown = layer;
                    fg.addLayer(layer);
                    fg.fire('mapapp:loaded');
                }).catch(function (e) { console.error('mapapp layer', e); });
            }
            function added(m) { map = m; map.on('zoomend', show); show(); }
            fg.on('add', function (e) { added(e.target._map); });
            fg.on('remove', function () { if (map) { map.off('zoomend', show); } map = null; });
            if (fg._map) { added(fg._map); }
            else if (levels.length === 1) { current = levels[0]; load(levels[0][1]).then(function (d) {
                if (!shown) { shown = build(d); fg.addLayer(shown); } }); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, levels, options: dict | None = None):
        super().__init__()
        self._name = "StaticGeoJson"
        self.levels = [[float(z), dict(src)] for z, src in levels]
        self.options = dict(options or {})


def _source(data: dict, url: str | None) -> dict:
    return {"url": url} if url else {"data": data}


def route_display_colour(route, index: int) -> str:
    """The colour a route is drawn in: its own, else the shared palette's ``index``-th
    (:func:`mapapp.routes.route.route_colour`, as in exports and the report figure).

    >>> from mapapp.routes.route import Route
    >>> route_display_colour(Route.from_coords("a", "A", [(-169, 66), (-168, 65.6)]), 1)
    '#0072B2'
    """
    return route.colour or route_colour(index)


def routes_layer(routes, colours=None, selected: str | None = None, labels=None) -> folium.FeatureGroup:
    """Routes as polylines (continuous longitudes), each in its colour, with a tooltip.

    Parameters
    ----------
    routes : list of Route
    colours : list of str, optional
        One CSS colour per route (default: :func:`route_display_colour`).
    selected : str, optional
        Id of the route drawn thicker.
    labels : list of str, optional
        Tooltip text per route (plain text; escaped here). Default: name and length.
    """
    fg = folium.FeatureGroup(name="Routes")
    for i, r in enumerate(routes):
        colour = (colours[i] if colours else None) or route_display_colour(r, i)
        text = labels[i] if labels else f"{r.name} — {r.length_m() / 1000:.1f} km"
        weight = 6 if selected == r.id else 4
        if selected == r.id:  # a white halo under the selected route
            folium.PolyLine([[w.lat, w.lon] for w in r.waypoints], color="#ffffff", weight=11,
                            opacity=0.85, interactive=False, pane="mapapp-routes",
                            class_name="mapapp-selected-halo").add_to(fg)
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


class _Caption(MacroElement):
    """Sets ``map.mapappCaption`` (the camera's title line) while its parent layer is on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }}, text = {{ this.text|tojson }}, map = null;
            function show(m) { map = m; map.mapappCaption = text; }
            layer.on('add', function (e) { show(e.target._map); });
            layer.on('remove', function () {
                if (map && map.mapappCaption === text) { delete map.mapappCaption; }
            });
            if (layer._map) { show(layer._map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Caption"
        self.text = text


def figure_caption(routes, grid_name: str) -> str:
    """The camera's title line without the date (added in the browser when saved).

    >>> from mapapp.routes.route import Route
    >>> r = Route.from_coords("a", "Dmitriev 2025 (via the Diomedes)", [(-169, 66), (-168, 65.6)])
    >>> figure_caption([r], "ETOPO5 5′")
    'Bering Strait crossing: Dmitriev 2025 · bathymetry ETOPO5 5′'
    """
    names = ", ".join(short_label(r.name) for r in routes) or "no route"
    return f"Bering Strait crossing: {names} · bathymetry {grid_name}"


def caption_layer(text: str) -> folium.FeatureGroup:
    """An empty layer carrying the camera's title line (plain text; see :class:`MapCamera`)."""
    fg = folium.FeatureGroup(name="Figure caption", control=False)
    _Caption(text).add_to(fg)
    return fg


def route_legend_html(routes, selected: str | None = None, colours=None) -> str:
    """The route legend: a colour swatch and the name of each route; the selected one bold
    and marked "(selected)". Names are HTML-escaped.

    >>> from mapapp.routes.route import Route
    >>> r = Route.from_coords("a", "A <b>", [(-169, 66), (-168, 65.6)])
    >>> "A &lt;b&gt;" in route_legend_html([r], "a") and "(selected)" in route_legend_html([r], "a")
    True
    """
    rows = []
    for i, r in enumerate(routes):
        colour = _html.escape((colours[i] if colours else None) or route_display_colour(r, i),
                              quote=True)
        chosen = r.id == selected
        name = f"<b>{_html.escape(r.name)}</b> <i>(selected)</i>" if chosen else _html.escape(r.name)
        rows.append(
            f'<div class="mapapp-route-legend-item" data-route-id="{_html.escape(r.id, quote=True)}">'
            f'<span style="display:inline-block;width:18px;height:{5 if chosen else 3}px;'
            f'background:{colour};vertical-align:middle;margin-right:6px"></span>{name}</div>'
        )
    return (
        '<div class="mapapp-route-legend" style="background:rgba(255,255,255,.9);padding:4px 8px;'
        'border-radius:4px;font:12px/1.5 sans-serif;max-width:320px">'
        f"<b>Routes</b>{''.join(rows)}</div>"
    )


def route_legend_layer(routes, selected: str | None = None, colours=None) -> folium.FeatureGroup:
    """The route legend as a layer of its own ("Route legend" in the layer control)."""
    fg = folium.FeatureGroup(name="Route legend")
    Legend(route_legend_html(routes, selected, colours), position="topright",
           css_class="mapapp-route-legend-control").add_to(fg)
    return fg


def overlay_width(info: GridInfo) -> int:
    """Width of the rendered bathymetry, pixels: about 4 screen pixels per grid cell,
    between 256 and 1400 (the same on screen and in the exported HTML).

    >>> overlay_width(open_grid().info)
    724
    """
    return int(min(1400, max(256, info.width * 4)))


def map_data(settings: MapSettings, grid: Grid | None = None) -> MapData:
    """Compute the data for :func:`map_layers` (the app uses its caches instead).

    Parameters
    ----------
    settings : MapSettings
    grid : Grid, optional
        Default: the grid at ``settings.dataset_path`` (the embedded one when None).
    """
    grid = grid or open_grid(settings.dataset_path)
    bbox = grid.info.bounds
    land = land_geometry(settings.land_source)
    ov = render_overlay(grid, bbox, width_px=overlay_width(grid.info), cmap=settings.cmap,
                        vmin=settings.vmin, vmax=settings.vmax, hillshade=settings.hillshade,
                        land=land)
    lines = (isobaths(grid, bbox, settings.isobath_interval, land=land)
             if settings.isobath_interval else None)
    return MapData(grid_info=grid.info, overlay=ov, land=display_land(settings.land_source),
                   isobaths=lines, places=load_places(), lines=load_lines())


def map_layers(settings: MapSettings, data: MapData, routes=(), *, selected: str | None = None,
               labels=None, colours=None, extra=()) -> list[folium.FeatureGroup]:
    """The layers that change with the user's choices, in drawing order.

    Basemap tiles, bathymetry with its legend, land, isobaths, places and lines, the routes,
    the route legend (when ``settings.route_legend``), the camera's caption, then ``extra``.
    Every data layer carries its attribution.

    Parameters
    ----------
    settings : MapSettings
    data : MapData
    routes : sequence of Route
    selected : str, optional
        Id of the selected route (drawn thicker, marked in the legend).
    labels : list of str, optional
        Tooltip per route (see :func:`routes_layer`).
    colours : list of str, optional
        Colour per route (default :func:`route_display_colour` by position): an export of
        some of the shown routes passes their colours on screen.
    extra : sequence of FeatureGroup
        Added last (e.g. a clicked point).
    """
    routes = list(routes)
    out = []
    tiles = basemap_layer(settings.basemap)
    if tiles is not None:
        out.append(tiles)
    files = data.files or {}
    out.append(bathymetry_layer(data.overlay, data.grid_info, settings.opacity,
                                url=files.get("bathymetry")))
    out.append(land_layer(data.land, LAND_SOURCES[settings.land_source][2], files.get("land")))
    if settings.isobath_interval and data.isobaths is not None:
        out.append(isobath_layer(data.isobaths, settings.isobath_interval, files.get("isobaths")))
    out.append(context_layer(data.places, data.lines, files.get("context")))
    if routes:
        out.append(routes_layer(routes, colours, selected=selected, labels=labels))
        if settings.route_legend:
            out.append(route_legend_layer(routes, selected, colours))
    out.append(caption_layer(figure_caption(routes, data.grid_info.name)))
    out.extend(extra)
    return out


def build_map(
    settings: MapSettings | None = None,
    routes=(),
    grid: Grid | None = None,
    *,
    data: MapData | None = None,
    selected: str | None = None,
    labels=None,
    colours=None,
    view: View = DEFAULT_VIEW,
    draw: bool = False,
    height: int | str = "100%",
) -> folium.Map:
    """The whole map on one page — base map, :func:`map_layers` and a layer control — for the
    standalone HTML file and tests. With the app's ``settings`` and ``data`` it shows what
    the app shows; ``height="100%"`` fills the browser window.
    """
    settings = settings or MapSettings()
    data = data or map_data(settings, grid)
    m = base_map(view, height=height, draw=draw)
    for fg in map_layers(settings, data, routes, selected=selected, labels=labels, colours=colours):
        fg.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
