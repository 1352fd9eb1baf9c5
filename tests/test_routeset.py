"""RouteSet: the session's routes without Streamlit (add, upload, edit-copy, remove, select, ids)."""

import json

import pytest

from mapapp.core import safety
from mapapp.core.errors import InputError, RouteError
from mapapp.io.urlstate import UrlState
from mapapp.routes.route import PALETTE, Route
from mapapp.session.routeset import DEFAULT_PRESETS, RouteSet

LINE = [(-169.7, 66.0), (-168.9, 65.8), (-168.1, 65.6)]


def geojson_bytes(name, coords=LINE, rid=None):
    props = {"name": name} | ({"id": rid} if rid else {})
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords}}]}).encode()


def test_a_new_set_shows_the_default_presets_and_selects_the_first():
    rs = RouteSet()
    assert [r.id for r in rs.routes()] == list(DEFAULT_PRESETS)
    assert rs.selected().id == DEFAULT_PRESETS[0] and rs.selected_id == DEFAULT_PRESETS[0]


def test_unknown_presets_are_dropped_and_colours_follow_the_order():
    rs = RouteSet(["nope", "ibstrg-1990s", "ibstrg-1990s", "direct-shortest"])
    assert rs.shown_presets == ["ibstrg-1990s", "direct-shortest"]
    rs.add(Route.from_coords("x", "X", LINE, origin="uploaded"))
    colours = [r.colour for r in rs.routes()]
    # presets carry their own colour or take the palette's by position; the added one is third
    assert colours[2] == PALETTE[2]


def test_ids_never_collide_and_follow_one_rule():
    rs = RouteSet(["direct-shortest"])
    a = rs.add(Route.from_coords("direct-shortest", "A", LINE, origin="uploaded"))
    b = rs.add(Route.from_coords("direct-shortest", "B", LINE, origin="uploaded"))
    assert (a.id, b.id) == ("direct-shortest-2", "direct-shortest-3")
    long = "r" * 60
    c = rs.add(Route.from_coords(long, "C", LINE, origin="uploaded"))
    d = rs.add(Route.from_coords(long, "D", LINE, origin="uploaded"))
    assert c.id == long and d.id == "r" * 58 + "-2" and len(d.id) == 60


def test_upload_adds_selects_and_ignores_the_same_file_twice():
    rs = RouteSet([])
    out = rs.upload("mine.geojson", geojson_bytes("Mine"))
    assert out.error is None and out.added == ("Mine",)
    assert rs.selected().name == "Mine"
    assert rs.upload("mine.geojson", geojson_bytes("Mine")) is None
    assert len(rs.added) == 1


def test_a_bad_upload_changes_nothing_and_says_why():
    rs = RouteSet([])
    rs.upload("good.geojson", geojson_bytes("Good"))
    before = {k: r.to_dict() for k, r in rs.added.items()}
    out = rs.upload("bad.geojson", b"{not json")
    assert out.error and out.message.startswith("bad.geojson: ")
    assert {k: r.to_dict() for k, r in rs.added.items()} == before


def test_editing_a_preset_makes_a_selected_copy_without_claims():
    rs = RouteSet(["dmitriev-2025"])
    new = rs.edit("dmitriev-2025", LINE, name="")
    assert new.id == "dmitriev-2025-edited" and new.name.endswith("(edited)")
    assert new.claims == {} and new.origin == "drawn"
    assert rs.selected_id == new.id
    assert [w.lon for w in rs.get("dmitriev-2025").waypoints] != [p[0] for p in LINE]
    again = rs.edit("dmitriev-2025", LINE)
    assert again.id == "dmitriev-2025-edited-2"


def test_editing_an_added_route_changes_it_in_place():
    rs = RouteSet([])
    r = rs.add(Route.from_coords("a", "A", LINE, origin="uploaded"))
    e = rs.edit(r.id, LINE[:2], name="Shorter")
    assert e.id == "a" and list(rs.added) == ["a"] and len(rs.added["a"].waypoints) == 2


def test_a_bad_edit_changes_nothing():
    rs = RouteSet([])
    r = rs.add(Route.from_coords("a", "A", LINE, origin="uploaded"))
    with pytest.raises(RouteError, match="row 2: latitude"):
        rs.edit(r.id, [(-169.0, 65.0), (-168.0, 95.0)])
    assert rs.added["a"].to_dict() == r.to_dict()


def test_the_waypoint_editor_is_capped_per_route_and_per_session():
    rs = RouteSet([])
    r = rs.add(Route.from_coords("a", "A", LINE, origin="uploaded"))
    n = safety.MAX_VERTICES_PER_ROUTE + 1
    rows = [(-170.0 + 1e-4 * i, 65.0) for i in range(n)]
    with pytest.raises(InputError, match=f"{n:,} waypoints"):
        rs.edit(r.id, rows)
    assert len(rs.added["a"].waypoints) == 3


def test_drawings_become_routes_and_a_new_one_is_selected():
    rs = RouteSet([])
    feat = {"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [list(p) for p in LINE]}}
    assert rs.sync_drawings([feat]) is True
    assert len(rs.drawn) == 1 and rs.selected_id == rs.drawn[0].id
    assert rs.sync_drawings([feat]) is False  # nothing changed
    edited = rs.edit(rs.drawn[0].id, LINE[:2])
    assert rs.drawn == [] and edited.id.endswith("-edited")


def test_remove_and_selection_falls_back_to_the_first_route():
    rs = RouteSet(["ibstrg-1990s"])
    r = rs.add(Route.from_coords("a", "A", LINE, origin="uploaded"))
    assert rs.selected_id == r.id
    rs.remove(r.id)
    assert rs.selected().id == "ibstrg-1990s"
    with pytest.raises(InputError, match="no route with id 'a'"):
        rs.get("a")


def test_a_link_round_trips():
    rs = RouteSet(["ibstrg-1990s"])
    rs.add(Route.from_coords("mine", "Mine", LINE, origin="uploaded"))
    state = rs.to_link("etopo5")
    assert state.presets == ["ibstrg-1990s"] and [r.id for r in state.routes] == ["mine"]
    back = RouteSet.from_link(UrlState(presets=state.presets, routes=state.routes,
                                       selected="mine"))
    assert [r.id for r in back.routes()] == ["ibstrg-1990s", "mine"]
    assert back.selected().id == "mine"
    assert RouteSet.from_link(UrlState(), presets_given=False).shown_presets == list(DEFAULT_PRESETS)


def test_the_session_budget_holds_for_added_routes():
    rs = RouteSet([])
    for i in range(safety.MAX_ROUTES_PER_SESSION):
        rs.add(Route.from_coords(f"r{i}", f"R{i}", LINE, origin="uploaded"), select=False)
    with pytest.raises(InputError, match="at most 50"):
        rs.add(Route.from_coords("one-more", "One more", LINE, origin="uploaded"))
