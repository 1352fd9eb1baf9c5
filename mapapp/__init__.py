"""Bering Strait tunnel route explorer.

A pure core (bathymetry, coastline, routes, geodesy, profile, tunnel, export, report …)
with a thin Streamlit UI (:mod:`mapapp.app`) and a CLI (``python -m mapapp``).
No module of the core imports Streamlit.
"""

__version__ = "0.1.0"
