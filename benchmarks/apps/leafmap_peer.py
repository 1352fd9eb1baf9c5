"""Peer app: leafmap's folium backend showing a GeoTIFF and one route in a bare Streamlit page.

This is what a user would write instead of mapapp with leafmap's documented recipe
(``leafmap.foliumap.Map`` + ``add_raster`` + ``to_streamlit``). ``add_raster`` serves the
GeoTIFF as PNG tiles from a local tile server (localtileserver, in this process).

Run by ``python -m benchmarks`` (``benchmarks/peers.py``) from a copy of this file in a
temporary folder whose ``static`` links to ``mapapp/static`` so that Leaflet and the folium
plugins load from the same local copies mapapp uses (the machine has no internet; leafmap's
default CDN links would not load). Environment: ``BENCH_GRID`` (GeoTIFF path, default: the
embedded ETOPO5) and ``BENCH_ROUTE`` (JSON list of [lon, lat]).
"""

import json
import os

import folium
import leafmap.foliumap as leafmap
import streamlit as st

from mapapp.render.assets import localize

st.set_page_config(layout="wide")
grid = os.environ.get("BENCH_GRID", "geodata/bathymetry/etopo5_bering_5arcmin.tif")
route = json.loads(os.environ.get("BENCH_ROUTE", "[[-169.6, 66.0], [-168.2, 65.6]]"))

m = leafmap.Map(center=[65.8, -169.0], zoom=6, tiles=None, height=620)
m.add_raster(grid, colormap="terrain", layer_name="bathymetry")
folium.PolyLine([[lat, lon] for lon, lat in route], color="#D55E00", weight=6).add_to(m)
localize(m)
m.to_streamlit(height=620)
