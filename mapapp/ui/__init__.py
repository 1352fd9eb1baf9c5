"""Streamlit UI pieces (the only package besides app.py that imports Streamlit).

Each module holds one panel: widgets and session state, calling the core.
"""
