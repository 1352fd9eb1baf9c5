"""Reader-facing wording of the model's notes and warnings.

The core speaks in the model's terms ("57 sample(s) where grid and coastline disagree were set
to sea level"). A reader needs to know what a note means *for the answer*. :func:`plain`
rewrites the messages it knows into that form; the core's own sentence stays available as the
technical detail (:func:`show_warnings` puts it in an expander). Messages it does not know
are shown as they are.
"""

from __future__ import annotations

import re

import streamlit as st

from mapapp.core.safety import md_escape

__all__ = ["plain", "resolution_line", "resolution_detail", "show_warnings"]

_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d+) sample\(s\) where grid and coastline disagree were set to sea level"),
     "The grid is too coarse to see the coast exactly: at {0} points along the route it "
     "disagrees with the coastline, so land and sea there (the shores, and the Diomedes if "
     "the route crosses them) come from the coastline instead. Depths near the coast are "
     "approximate."),
    (re.compile(r"^(\d+) land sample\(s\) \(≈([^)]*)\) have no grid value"),
     "The grid has no height for {1} of land on this route: the ground there is taken to be "
     "at sea level, so the tunnel may be shorter or shallower than it would really be."),
    (re.compile(r"^(\d+) sea sample\(s\) \(≈([^)]*)\) have no grid value"),
     "The grid has no depth for {1} of sea on this route (outside the grid or no data): the "
     "tunnel's rock cover cannot be checked there, so its depth there is not reliable."),
    (re.compile(r"^the (start|end) portal cannot be reached within the route at ([\d.]+) %: "
                r"([\d.]+) km of approach"),
     "The line as drawn is too short for the tunnel to climb back to the surface at its "
     "{0} at a {1} % gradient: {2} km of approach tunnel is added on land beyond the route's "
     "{0} (counted in the tunnel length)."),
    (re.compile(r"^the route (start|end)s at sea"),
     "The route {0}s at sea: the model puts the {0} portal on land beyond it at sea level. "
     "Draw the route onto land for a real portal."),
    (re.compile(r"^the longest undersea stretch between access points, ([\d.]+) km, is longer "
                r"than any ever built \(longest undersea tunnel section ever built: ([^,]+), "
                r"([\d.]+) km"),
     "No tunnel has ever been built with so long a stretch under the sea without access "
     "({0} km here; the record is the {1}'s {2} km): ventilation, rescue and supply over "
     "that distance are untried."),
    (re.compile(r"^longest undersea stretch between access points ([\d.]+) km: within precedent "
                r"\(longest undersea tunnel section ever built: ([^,]+), ([\d.]+) km"),
     "The longest stretch under the sea without access ({0} km) is within what has been "
     "built ({1}: {2} km)."),
]


def plain(message: str) -> str:
    """The reader-facing sentence for one of the core's warnings (the message itself when
    no rule applies). Numbers are carried over from the message; nothing is added.

    >>> plain("57 sample(s) where grid and coastline disagree were set to sea level (see x).")[:57]
    'The grid is too coarse to see the coast exactly: at 57 po'
    >>> plain("the end portal cannot be reached within the route at 1.25 %: 5.67 km of "
    ...       "approach beyond the route end is needed (included in the tunnel length).").split(": ")[1]
    "5.67 km of approach tunnel is added on land beyond the route's end (counted in the tunnel length)."
    >>> plain("seismicity: a belt")
    'seismicity: a belt'
    """
    for pattern, text in _RULES:
        m = pattern.match(message)
        if m:
            return text.format(*m.groups())
    return message


def resolution_line(info: dict) -> str:
    """One short line on the active grid and what its resolution means for the answer
    (``info`` is a dataset entry's ``info``: ``name``, ``resolution``, ``coarse``).

    >>> resolution_line({"name": "ETOPO5", "resolution": "5′", "coarse": True})
    'Depths from ETOPO5: too coarse to see the Diomedes, so the island shores come from the coastline; depths are indicative.'
    >>> resolution_line({"name": "GEBCO", "resolution": "15″", "coarse": False})
    'Depths from GEBCO.'
    """
    head = f"Depths from {info['name']}"
    if info["coarse"]:
        return (head + ": too coarse to see the Diomedes, so the island shores come from the "
                "coastline; depths are indicative.")
    return head + "."


def resolution_detail(info: dict) -> str:
    """The technical detail behind :func:`resolution_line` (markdown)."""
    text = f"Active grid: **{info['name']}**, resolution {info['resolution']}."
    if info["coarse"]:
        text += (" Its cells are larger than the Diomede Islands, so land and sea come from the "
                 "GSHHG coastline; the seabed between grid points is interpolated, which "
                 "smooths channels and shoals. Finer public grids: `python -m mapapp data fetch` "
                 "or `data import` (then pick them in the sidebar).")
    return text


def show_warnings(messages, *, kind: str = "warning", title: str = "Technical detail") -> None:
    """Show each message in plain words (``st.warning`` or ``st.info``), with the core's
    own sentences in one expander below them. Texts are markdown-escaped."""
    messages = list(messages)
    if not messages:
        return
    show = st.warning if kind == "warning" else st.info
    changed = False
    for m in messages:
        p = plain(m)
        changed |= p != m
        show(md_escape(p[:1].upper() + p[1:]))
    if changed:
        with st.expander(title):
            for m in messages:
                st.markdown("- " + md_escape(m))
