"""Bare Streamlit app: one select box and one line of text (the rerun baseline).

Run by ``python -m benchmarks`` (``benchmarks/browser.py``): switching the select box reruns
this script, and the time until "Selected: <name>" shows is the cost of a Streamlit rerun
on this machine — the yardstick of the warm-interaction ratio.
"""

import streamlit as st

OPTIONS = ["Route A", "Route B", "Route C"]

choice = st.selectbox("Selected route", OPTIONS)
st.markdown(f"Selected: {choice}")
