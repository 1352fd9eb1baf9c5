"""AppTest: waypoint editing, bad edits refused, optimiser results become routes, URL state."""

from pathlib import Path

import pyproj
import pytest
from streamlit.testing.v1 import AppTest

from mapapp.io import urlstate
from mapapp.routes.route import Route

APP = str(Path(__file__).resolve().parents[1] / "mapapp" / "app.py")


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _apply_edit(at, rows, name=None, route_id="dmitriev-2025"):
    # AppTest cannot type into the data editor: set its state the way the widget does
    at.session_state[f"wp-{route_id}"] = {"edited_rows": rows, "added_rows": [],
                                          "deleted_rows": []}
    if name is not None:
        at.text_input[0].set_value(name)
    next(b for b in at.button if b.label == "Apply").click()
    at.run()


def test_invalid_edit_is_refused_and_nothing_is_lost(app):
    before = {k: r.to_dict() for k, r in app.session_state["routeset"].added.items()}
    _apply_edit(app, {1: {"lat": 95.0}})
    assert not app.exception
    assert any("Not applied" in e.value and "latitude" in e.value for e in app.error)
    assert {k: r.to_dict() for k, r in app.session_state["routeset"].added.items()} == before
    assert app.session_state["selected_route"] == "dmitriev-2025"


def test_editing_a_preset_makes_a_selected_copy(app):
    _apply_edit(app, {0: {"name": "Portal near Uelen"}}, name="My variant")
    assert not app.exception, app.exception
    user = app.session_state["routeset"].added
    assert "dmitriev-2025-edited" in user
    edited = user["dmitriev-2025-edited"]
    assert edited.name == "My variant" and edited.waypoints[0].name == "Portal near Uelen"
    assert edited.origin == "drawn" and edited.claims == {}
    assert app.session_state["selected_route"] == "dmitriev-2025-edited"


def test_optimised_route_is_added_and_selected(app):
    next(b for b in app.button if b.label == "Find the least-cost route").click()
    app.run()
    assert not app.exception, app.exception
    sel = app.session_state["selected_route"]
    assert sel.startswith("optimised-")
    r = app.session_state["routeset"].added[sel]
    assert r.origin == "optimised" and len(r.waypoints) >= 2


def test_shared_link_state_is_restored():
    r = Route.from_coords("mine", "Mine", [(-169.7, 66.0), (-168.5, 65.8), (-168.1, 65.6)])
    params = urlstate.encode_state(urlstate.UrlState(presets=["ibstrg-1990s"], routes=[r],
                                                     selected="mine"))
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["shown_presets"] == ["ibstrg-1990s"]
    assert at.session_state["selected_route"] == "mine"
    assert at.session_state["routeset"].added["mine"].name == "Mine"


def test_tampered_link_is_reported_and_defaults_apply():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["r"] = "1.not-base64!!"
    at.query_params["z"] = "999"
    at.run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning).replace("\\", "")
    assert "shared link was ignored" in warnings and "r:" in warnings and "z:" in warnings
    assert at.session_state["shown_presets"]  # defaults still shown


def _paste(at, text, name=""):
    at.sidebar.text_area(key="paste_text").set_value(text)
    at.sidebar.text_input(key="paste_name").set_value(name)
    next(b for b in at.sidebar.button if b.label == "Add route").click()
    at.run()


def test_pasted_coordinates_become_a_selected_route(app):
    # Dezhnev -> Wales, latitude first as copied from a map site; length by pyproj directly
    pts = [(-169.6519, 66.0792), (-168.0847, 65.5964)]
    _paste(app, "\n".join(f"{lat}, {lon}" for lon, lat in pts), "From a map site")
    assert not app.exception, app.exception
    rs = app.session_state["routeset"]
    r = rs.selected()
    assert r.name == "From a map site" and app.session_state["selected_route"] == r.id
    expected_km = pyproj.Geod(ellps="WGS84").inv(*pts[0], *pts[1])[2] / 1000
    assert r.length_m() / 1000 == pytest.approx(expected_km, abs=1e-6)
    assert any(f"{expected_km:.1f} km" in s.value.replace("\\", "") for s in app.sidebar.success)


def test_bad_pasted_text_is_refused_and_nothing_is_lost(app):
    before = [r.id for r in app.session_state["routeset"].routes()]
    _paste(app, "-169.6, 66.0\nnot a point")
    assert not app.exception, app.exception
    errors = " ".join(e.value for e in app.sidebar.error)
    assert "Not added" in errors and "line 2" in errors and "is not two numbers" in errors
    assert [r.id for r in app.session_state["routeset"].routes()] == before
