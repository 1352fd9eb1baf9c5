"""Test app: a folium map with the plugins we use, localized to the vendored assets.

Run by tests/browser/test_assets_offline.py (``streamlit run`` with ``static`` linked to
``mapapp/static``). No tiles, so a working page needs no request off this machine.
"""

import folium
import numpy as np
import streamlit as st
from folium.plugins import Draw, Fullscreen, MousePosition
from folium.utilities import image_to_url
from streamlit_folium import st_folium

from mapapp.render.assets import assets_status, localize

m = folium.Map(location=[65.8, -169.0], zoom_start=6, tiles=None)
folium.GeoJson(
    {
        "type": "Polygon",
        "coordinates": [[[-170, 65], [-167, 65], [-167, 66.5], [-170, 66.5], [-170, 65]]],
    },
    name="corridor",
    style_function=lambda _: {"color": "#0044ff", "weight": 3},
).add_to(m)
rgba = np.zeros((8, 8, 4), dtype=np.uint8)
rgba[..., 0], rgba[..., 3] = 255, 200  # red, mostly opaque
folium.raster_layers.ImageOverlay(
    image_to_url(rgba),
    bounds=[[64.5, -172.0], [65.5, -170.5]],
    name="overlay",
).add_to(m)
folium.Marker([66.0, -168.0], icon=folium.Icon(icon="info-sign")).add_to(m)
folium.Marker([64.2, -166.5], tooltip="default Leaflet icon").add_to(m)
folium.Marker([64.8, -167.5], icon=folium.Icon(icon="ship", prefix="fa", color="green")).add_to(m)
Draw().add_to(m)
Fullscreen().add_to(m)
MousePosition().add_to(m)

remote = localize(m)
st.write("assets installed:", assets_status().installed)
st.write("remote assets:", remote)
st_folium(m, height=420, width=700, key="offline_map")
