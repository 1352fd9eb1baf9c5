"""The routes of one user session: presets shown, added and drawn routes, the selection.

A :class:`RouteSet` is what the app keeps per browser session (the UI stores one in
Streamlit's session state and does nothing else with routes); the CLI and the tests use it
the same way. It has one id rule (:func:`mapapp.routes.route.unique_id`), one session budget
(:func:`mapapp.core.safety.check_session_budget`) and one notion of "the selected route".

Kinds of route, in the order they are listed (and coloured):

* **presets** shown, by id (:mod:`mapapp.routes.presets`); never copied;
* **added** routes: uploaded, optimised, and edited copies (an edited preset or drawing becomes
  an added route with its own id; the original stays as it was);
* **drawn** routes: rebuilt from the map's Draw plugin every time its drawings change.

Examples
--------
>>> rs = RouteSet(shown_presets=["direct-shortest"])
>>> [r.id for r in rs.routes()]
['direct-shortest']
>>> from mapapp.routes.route import Route
>>> r = rs.add(Route.from_coords("direct-shortest", "Mine", [(-169.7, 66.0), (-168.1, 65.6)],
...                              origin="uploaded"))
>>> r.id, rs.selected().id
('direct-shortest-2', 'direct-shortest-2')
>>> rs.edit("direct-shortest", [(-169.7, 66.0), (-168.9, 65.8), (-168.1, 65.6)]).id
'direct-shortest-edited'
>>> rs.remove("direct-shortest-2"); [r.id for r in rs.routes()]
['direct-shortest', 'direct-shortest-edited']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from mapapp.core import safety
from mapapp.core.errors import InputError, MapAppError
from mapapp.io import routeio
from mapapp.io.urlstate import UrlState
from mapapp.routes import presets
from mapapp.routes.route import Route, route_colour, unique_id, waypoints_from_rows

__all__ = ["DEFAULT_PRESETS", "RouteSet", "UploadOutcome"]

#: Presets shown to a new session (and by a shared link that names none).
DEFAULT_PRESETS = ("dmitriev-2025", "ibstrg-1990s", "direct-shortest")


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one uploaded file: the names of the routes added, or why none were."""

    filename: str
    added: tuple[str, ...] = ()
    error: str | None = None

    @property
    def message(self) -> str:
        """One plain sentence for the user (raw text: escape it before showing it as markdown)."""
        if self.error:
            return f"{self.filename}: {self.error}"
        return f"{self.filename}: added {', '.join(self.added)}"


class RouteSet:
    """The routes of one session (see the module docstring).

    Parameters
    ----------
    shown_presets : iterable of str
        Ids of the presets to show; unknown ids are dropped.
    """

    def __init__(self, shown_presets: Iterable[str] = DEFAULT_PRESETS):
        self.shown_presets: list[str] = []
        self.added: dict[str, Route] = {}
        self.drawn: list[Route] = []
        self.selected_id: str | None = None
        self._uploads_seen: set[str] = set()
        self.set_presets(shown_presets)

    # ------------------------------------------------------------------ links
    @classmethod
    def from_link(cls, state: UrlState, presets_given: bool = True) -> RouteSet:
        """The route set a shared link restores (``presets_given``: the link names its presets;
        otherwise the defaults are shown)."""
        rs = cls(state.presets if presets_given else DEFAULT_PRESETS)
        for r in state.routes:
            rs.add(r, select=False)
        if state.selected:
            rs.selected_id = state.selected
        return rs

    def to_link(self, dataset: str | None = None) -> UrlState:
        """What a shared link must carry to restore this set (presets by id, others whole)."""
        return UrlState(presets=list(self.shown_presets),
                        routes=[r for r in self.routes() if r.origin != "preset"],
                        selected=self.selected_id, dataset=dataset)

    # ------------------------------------------------------------------ listing
    def set_presets(self, ids: Iterable[str]) -> None:
        """Show these presets (in this order); unknown ids are dropped."""
        known = set(presets.preset_ids())
        self.shown_presets = [i for i in dict.fromkeys(ids) if i in known]

    def own(self) -> list[Route]:
        """The session's own routes (added, then drawn): what its budget counts."""
        return [*self.added.values(), *self.drawn]

    def routes(self) -> list[Route]:
        """Every route shown: presets, added, drawn; each with its colour (its own, or the
        palette's by position)."""
        shown = [presets.get_preset(i) for i in self.shown_presets] + self.own()
        return [r if r.colour else r.copy(colour=route_colour(k)) for k, r in enumerate(shown)]

    def ids(self) -> set[str]:
        return {r.id for r in self.routes()}

    def get(self, route_id: str) -> Route:
        """The shown route with this id (:class:`InputError` when there is none)."""
        for r in self.routes():
            if r.id == route_id:
                return r
        raise InputError(f"no route with id {route_id!r} is shown")

    # ------------------------------------------------------------------ selection
    def select(self, route_id: str | None) -> None:
        self.selected_id = route_id

    def selected(self) -> Route | None:
        """The selected route; the first shown one when the selection is gone (and that one
        becomes the selection); ``None`` when nothing is shown."""
        routes = self.routes()
        if not routes:
            return None
        for r in routes:
            if r.id == self.selected_id:
                return r
        self.selected_id = routes[0].id
        return routes[0]

    # ------------------------------------------------------------------ changes
    def add(self, route: Route, select: bool = True) -> Route:
        """Add a route (uploaded, optimised …) under an id no shown route has; returns it."""
        safety.check_session_budget(self.own(), [route])
        route = route.copy(id=unique_id(route.id, self.ids()))
        self.added[route.id] = route
        if select:
            self.selected_id = route.id
        return route

    def upload(self, filename: str, data: bytes,
               max_bytes: int = safety.MAX_UPLOAD_BYTES) -> UploadOutcome | None:
        """Read a route file and add its routes; ``None`` when this very file (name and bytes)
        was already read in this session. A file that cannot be used adds nothing and changes
        nothing: its outcome carries the reason."""
        digest = hashlib.sha1(filename.encode("utf-8", "replace") + b"\0" + data).hexdigest()
        if digest in self._uploads_seen:
            return None
        self._uploads_seen.add(digest)
        taken = self.ids() | {r.name for r in self.routes()}
        try:
            routes = routeio.read_routes(data, filename=filename, max_bytes=max_bytes,
                                         existing_ids=taken)
            safety.check_session_budget(self.own(), routes)
        except MapAppError as exc:
            return UploadOutcome(filename, error=str(exc))
        added = [self.add(r, select=False) for r in routes]
        if added:
            self.selected_id = added[-1].id
        return UploadOutcome(filename, added=tuple(r.name for r in added))

    def paste(self, text: str, name: str = "") -> Route:
        """Add the route in pasted text (see :func:`mapapp.io.routeio.routes_from_text`: one
        point per line or WKT) and select it. Bad text raises
        :class:`~mapapp.core.errors.RouteFileError` and changes nothing."""
        routes = routeio.routes_from_text(text, name or "pasted route",
                                          existing_ids=self.ids())
        safety.check_session_budget(self.own(), routes)
        added = [self.add(r, select=False) for r in routes]
        self.selected_id = added[-1].id
        return added[-1]

    def sync_drawings(self, features) -> bool:
        """Rebuild the drawn routes from the Draw plugin's features (GeoJSON dicts); True when
        they changed. A newly drawn line becomes the selection. Raises
        :class:`~mapapp.core.errors.RouteError` for an unusable drawing (nothing changes)."""
        if features is None:
            return False
        others = [presets.get_preset(i).name for i in self.shown_presets]
        others += [r.name for r in self.added.values()]
        new = routeio.routes_from_drawings(features, others)
        if [r.to_dict() for r in new] == [r.to_dict() for r in self.drawn]:
            return False
        old_ids = {r.id for r in self.drawn}
        self.drawn = new
        fresh = [r.id for r in new if r.id not in old_ids]
        if fresh:
            self.selected_id = fresh[-1]
        return True

    def edit(self, route_id: str, rows, name: str | None = None) -> Route:
        """Replace a route's waypoints (table rows, see
        :func:`~mapapp.routes.route.waypoints_from_rows`) and optionally its name.

        An added route is changed in place; a preset or a drawing gets an edited copy
        (``<id>-edited``; a preset's claims no longer apply to it) and the drawing leaves the
        drawn list. Bad rows raise :class:`~mapapp.core.errors.RouteError` and change
        nothing; so does an edit past the per-route or per-session waypoint limits.
        """
        old = self.get(route_id)
        waypoints = waypoints_from_rows(rows)
        others = [r for r in self.own() if r.id != old.id]
        safety.check_waypoint_count(len(waypoints), sum(len(r.waypoints) for r in others))
        name = (name or "").strip() or old.name
        new = old.with_waypoints(waypoints, name=name)
        safety.check_session_budget(others, [new])
        if old.origin == "preset":
            new = new.copy(id=unique_id(f"{old.id}-edited", self.ids()),
                           name=new.name if new.name != old.name else f"{old.name} (edited)")
        elif old.id not in self.added:  # a drawing: the edit becomes a route of its own
            self.drawn = [r for r in self.drawn if r.id != old.id]
            new = new.copy(id=unique_id(f"{old.id}-edited", self.ids()))
        self.added.pop(old.id, None)
        self.added[new.id] = new
        self.selected_id = new.id
        return new

    def remove(self, route_id: str) -> None:
        """Remove an added or drawn route (presets are hidden with :meth:`set_presets`)."""
        self.added.pop(route_id, None)
        self.drawn = [r for r in self.drawn if r.id != route_id]
