"""URL state: round trips, strict validation of tampered links, size bounds."""

from __future__ import annotations

import base64
import json
import urllib.parse
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapapp.core.errors import InputError
from mapapp.io.urlstate import (
    MAX_ROUTES,
    MAX_WAYPOINTS,
    UrlState,
    decode_polyline,
    decode_routes,
    decode_state,
    encode_polyline,
    encode_routes,
    encode_state,
)
from mapapp.routes.route import Route

KNOWN = ["dmitriev-2025", "direct-shortest"]


def _route(rid="mine", name="Mine", origin="drawn"):
    return Route.from_coords(
        rid, name, [(-169.6519, 66.0792, "Dezhnev"), (-169.0569, 65.7811), (-168.0847, 65.5964)],
        origin=origin, mode="loop",
    )


def test_polyline_reference_example():
    # the worked example of Google's "Encoded Polyline Algorithm Format" documentation
    pts = [(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)]
    assert encode_polyline(pts) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
    back = decode_polyline("_p~iF~ps|U_ulLnnqC_mqNvxq`@")
    assert [c for p in back for c in p] == pytest.approx([c for p in pts for c in p])


def test_full_state_round_trip_through_a_real_url():
    state = UrlState(center=(65.75, -168.9769), zoom=9, presets=["direct-shortest"],
                     routes=[_route(), _route("up", "Uploaded", "uploaded")], selected="up",
                     dataset="etopo5_bering_5arcmin.tif")
    q = encode_state(state)
    url = "http://localhost:8501/?" + urllib.parse.urlencode(q)
    back = decode_state(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query),
                        known_presets=KNOWN)
    assert back.errors == []
    assert back.center == (65.75, -168.9769) and back.zoom == 9
    assert back.presets == ["direct-shortest"] and back.selected == "up"
    assert back.dataset == "etopo5_bering_5arcmin.tif"
    a, b = back.routes
    assert (a.id, a.name, a.mode, a.origin) == ("mine", "Mine", "loop", "drawn")
    assert b.origin == "uploaded"
    assert [w.name for w in a.waypoints] == ["Dezhnev", "", ""]
    # 5 decimals: within 1e-5 degrees (about 1 m)
    assert a.lons.tolist() == pytest.approx(_route().lons.tolist(), abs=1e-5)
    assert a.length_m() == pytest.approx(_route().length_m(), abs=2.0)


def test_continuous_longitudes_survive():
    r = Route.from_coords("am", "Across", [(179.5, 66.0), (-179.5, 66.1)])
    (back,) = decode_routes(encode_routes([r]))
    assert back.lons.tolist() == pytest.approx([-180.5, -179.5])


def test_presets_are_referenced_not_copied():
    q = encode_state(UrlState(presets=["dmitriev-2025", "dmitriev-2025"]))
    assert q == {"p": "dmitriev-2025"}


def test_tampered_routes_are_dropped_but_the_view_is_kept():
    good = encode_state(UrlState(center=(65.7, -169.0), zoom=8, routes=[_route()]))
    bad = dict(good, r=good["r"][:-6] + "AAAAAA")
    s = decode_state(bad)
    assert s.center == (65.7, -169.0) and s.zoom == 8 and s.routes == []
    assert len(s.errors) == 1 and s.errors[0].startswith("r: ")
    with pytest.raises(InputError, match="link parameter 'r'"):
        decode_state(bad, strict=True)


def _pack(items) -> str:
    raw = json.dumps(items).encode()
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "empty"),
        ("2.abc", "unknown format"),
        ("1.!!!!", "corrupted"),
        ("1." + base64.urlsafe_b64encode(b"not zlib").decode(), "corrupted"),
        (_pack({"a": 1}), "list of routes"),
        (_pack([{"n": "x"}]), "route 1 in the link is malformed"),
        (_pack([{"p": "_p~iF~ps|U", "m": "boat"}]), "unknown mode"),
        (_pack([{"p": "_p~iF~ps|U", "o": "preset"}]), "invalid origin"),
        (_pack([{"p": "_p~iF~ps|U_ulLnnqC", "i": "Bad Id!"}]), "invalid or repeated id"),
        (_pack([{"p": "_p~iF~ps|U_ulLnnqC", "w": ["a"]}]), "mismatched waypoint names"),
        (_pack([{"p": "_p~iF~ps|U"}]), "invalid: route .* needs at least two"),
        (_pack([{"p": encode_polyline([(0, 0), (0, 0.001)]).replace("?", "~~~~~~~~~~~~~~")}]),
         "too long|truncated"),
        (_pack([{"p": "_p~iF~ps|U_ulLnnqC"}] * (MAX_ROUTES + 1)), "at most"),
        ("1." + base64.urlsafe_b64encode(zlib.compress(b"[" + b" " * 300_000 + b"]")).decode(),
         "too much data"),
    ],
)
def test_malformed_routes_parameter(value, message):
    with pytest.raises(InputError, match=message):
        decode_routes(value)


def test_out_of_range_latitude_in_polyline():
    p = encode_polyline([(-169.0, 95.0), (-168.0, 65.0)])
    with pytest.raises(InputError, match="latitude 95"):
        decode_routes(_pack([{"p": p}]))


@pytest.mark.parametrize(
    "params, error",
    [
        ({"z": "99"}, "z: zoom 99 is outside 0..20"),
        ({"z": "abc"}, "z: zoom 'abc' is not a whole number"),
        ({"c": "100,-169"}, "c: centre latitude 100 is outside -90..90"),
        ({"c": "nan,1"}, "c: centre coordinates must be finite numbers"),
        ({"c": "65.7"}, "c: centre '65.7' is not 'lat,lon' in degrees"),
        ({"p": "dmitriev-2025,evil"}, "p: unknown preset id(s): 'evil'"),
        ({"d": "../../etc/passwd"}, "d: invalid dataset name '../../etc/passwd'"),
        ({"s": "nobody"}, "s: no shown route has the id 'nobody'"),
        ({"c": "1," * 5000}, "c: value longer than 8000 characters"),
    ],
)
def test_each_bad_parameter_is_reported(params, error):
    s = decode_state(params, known_presets=KNOWN)
    assert s.errors == [error]
    with pytest.raises(InputError):
        decode_state(params, strict=True, known_presets=KNOWN)


def test_unknown_parameters_are_ignored():
    assert decode_state({"utm_source": "x", "embed": "true"}) == UrlState()


def test_encode_refuses_oversized_states():
    many = [_route(f"r{i}", f"R{i}") for i in range(MAX_ROUTES + 1)]
    with pytest.raises(InputError, match="too many to share"):
        encode_routes(many)
    long = Route.from_coords(
        "long", "Long", [(-170 + i * 0.001, 65 + (i % 7) * 0.01) for i in range(MAX_WAYPOINTS + 1)]
    )
    with pytest.raises(InputError, match="waypoints, too many"):
        encode_routes([long])
    with pytest.raises(InputError, match="dataset name"):
        encode_state(UrlState(dataset="a b/c"))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-200.0, -140.0), st.floats(-89.0, 89.0)), min_size=2,
             max_size=20)
)
def test_polyline_round_trip_property(pts):
    back = decode_polyline(encode_polyline(pts))
    assert len(back) == len(pts)
    for (x, y), (bx, by) in zip(pts, back, strict=True):
        assert abs(x - bx) <= 0.5e-5 + 1e-9 and abs(y - by) <= 0.5e-5 + 1e-9
