"""The app's session state: one table of keys, one typed accessor.

Everything a browser session keeps lives in ``st.session_state`` (never in module globals or
caches, which all sessions share). No other module of the UI uses a bare key string: it asks
:data:`session` (typed values the app owns) or names a widget with :class:`Widget`.

========================  ==================  ============================================
key                       type                what
========================  ==================  ============================================
``routeset``              RouteSet            the session's routes and selection
``initial_view``          View                where the map opens (from a shared link)
``link_dataset``          str or None         the grid a shared link names
``link_errors``           list[str]           parts of a shared link that were ignored
``flash``                 list[(kind, text)]  messages to show once (kind: success/error)
``clicked_point``         dict or None        depth or "land" at the last map click
``grid_message``          (kind, text)        outcome of the last grid upload/import
``figure``                tuple or None       the last report figure (bytes, name, mime)
``html``                  tuple or None       the last standalone HTML map (map key, bytes)
``opt_last``              dict or None        the last optimiser run (inputs and result)
``dataset``               str                 widget: the grid shown (sidebar)
``shown_presets``         list[str]           widget: the presets multiselect
``selected_route``        str                 widget: the selected-route select box
``comparison-table``      DataframeState      widget: the comparison table (a row selects)
``upload``                UploadedFile        widget: the route uploader
``paste_text``            str                 widget: the "paste coordinates" box
``paste_name``            str                 widget: the name of the pasted route
``wp-<route id>``         dict                widget: the waypoint editor of a route
========================  ==================  ============================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import streamlit as st

from mapapp.render.mapview import DEFAULT_VIEW, View
from mapapp.session.routeset import RouteSet

__all__ = ["Widget", "session"]

T = TypeVar("T")


class Widget:
    """Keys of the widgets whose values other code reads or sets."""

    DATASET = "dataset"
    PRESETS = "shown_presets"
    SELECTED = "selected_route"
    COMPARISON = "comparison-table"
    UPLOAD = "upload"
    PASTE = "paste_text"
    PASTE_NAME = "paste_name"

    @staticmethod
    def waypoints(route_id: str) -> str:
        return f"wp-{route_id}"


class _Slot(Generic[T]):
    """One session-state value with its key, type and default."""

    def __init__(self, key: str, default: Callable[[], T]):
        self.key, self.default = key, default

    def __get__(self, obj, owner=None) -> T:
        if self.key not in st.session_state:
            st.session_state[self.key] = self.default()
        return st.session_state[self.key]

    def __set__(self, obj, value: T) -> None:
        st.session_state[self.key] = value


class _Session:
    """Typed access to this browser session's state (see the module's key table)."""

    routes: RouteSet = _Slot("routeset", RouteSet)
    initial_view: View = _Slot("initial_view", lambda: DEFAULT_VIEW)
    link_dataset: str | None = _Slot("link_dataset", lambda: None)
    link_errors: list[str] = _Slot("link_errors", list)
    flash: list[tuple[str, str]] = _Slot("flash", list)
    clicked_point: dict | None = _Slot("clicked_point", lambda: None)
    figure: tuple | None = _Slot("figure", lambda: None)
    html: tuple | None = _Slot("html", lambda: None)

    @property
    def started(self) -> bool:
        """True once this session has been set up (defaults and shared link applied)."""
        return "routeset" in st.session_state

    def take_flash(self) -> list[tuple[str, str]]:
        """The one-time messages, removed as they are read."""
        out, self.flash = list(self.flash), []
        return out


#: This browser session's state.
session = _Session()
