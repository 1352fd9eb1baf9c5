"""Property-based fuzzing of the shared-link decoder (:mod:`mapapp.io.urlstate`).

Query strings come from anyone who can send a link. Whatever they hold, ``decode_state``
returns a state (dropping what is bad, with one clear message per dropped parameter), the
strict decoders raise only :class:`~mapapp.core.errors.InputError`, and whatever was accepted
can be encoded again for the app's own link (no exception on the way back either).
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapapp.core.errors import InputError
from mapapp.io.urlstate import (
    MAX_PARAM_CHARS,
    MAX_ROUTES,
    MAX_WAYPOINTS,
    decode_routes,
    decode_state,
    encode_polyline,
    encode_state,
)
from tests.test_fuzz_importers import HOSTILE, assert_clear, mutate, mutations, unsafe_char

KNOWN = ["dmitriev-2025", "direct-shortest", "ibstrg-1990s"]
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)
RUNS: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzzed shared links:", dict(RUNS))


def pack(raw: bytes) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


names = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=6,
)
coords = st.lists(
    st.tuples(st.floats(-200.0, -140.0), st.floats(-95.0, 95.0)), min_size=0, max_size=8
)
polyline = st.one_of(
    coords.map(encode_polyline),
    coords.map(encode_polyline),
    st.text(max_size=20),
    st.text(st.characters(min_codepoint=63, max_codepoint=126), max_size=30),
    junk,
)
item = st.fixed_dictionaries(
    {"p": polyline},
    optional={
        "i": st.sampled_from(["mine", "a-b", "UPPER", "x" * 61, "", "../x"]) | junk,
        "n": names | junk,
        "m": st.sampled_from(["rail", "road", "loop", "boat"]) | junk,
        "o": st.sampled_from(["drawn", "uploaded", "optimised", "preset"]) | junk,
        "w": st.lists(names, max_size=8) | junk,
    },
)


@st.composite
def r_values(draw) -> str:
    kind = draw(st.sampled_from(["items", "items", "items", "json", "bomb", "deep", "text"]))
    if kind == "items":
        raw = json.dumps(draw(st.lists(item, max_size=4)), allow_nan=True).encode(
            "utf-8", "surrogatepass")
    elif kind == "json":
        raw = json.dumps(draw(junk), allow_nan=True).encode("utf-8", "surrogatepass")
    elif kind == "bomb":  # tiny link, huge expansion
        raw = b"[" + b" " * draw(st.integers(200_000, 3_000_000)) + b"]"
    elif kind == "deep":
        n = draw(st.integers(500, 50_000))
        raw = b"[" * n + b"]" * n
    else:
        return draw(st.text(max_size=40))
    text = pack(raw)
    cut = mutate(text.encode(), draw(mutations))
    return cut.decode("utf-8", "replace")


value = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["65.7,-168.9", "nan,1", "1e999,0", "9" * 5000, "-0", "20", "21", "-1",
                     ",", "dmitriev-2025,evil", "../../etc/passwd", "..", ".hidden",
                     "etopo5_bering_5arcmin.tif", "a\n", "x" * (MAX_PARAM_CHARS + 1)]),
)
params = st.dictionaries(
    st.sampled_from(["c", "z", "p", "s", "d", "r", "utm"]),
    st.one_of(value, r_values(), st.lists(value, max_size=3)),
    max_size=7,
)


@FUZZ
@given(q=params)
def test_fuzz_decode_state(q):
    RUNS["decode_state"] += 1
    state = decode_state(q, known_presets=KNOWN)
    for err in state.errors:
        assert_clear(InputError(err))
        assert err[:2] in {"c:", "z:", "p:", "s:", "d:", "r:"}, err
    assert len(state.routes) <= MAX_ROUTES
    for r in state.routes:
        assert 2 <= len(r.waypoints) <= MAX_WAYPOINTS
        assert not any(unsafe_char(ch) for ch in r.name)
        for w in r.waypoints:
            assert math.isfinite(w.lon) and -90 <= w.lat <= 90
            assert not any(unsafe_char(ch) for ch in w.name)
    if state.dataset is not None:
        assert "/" not in state.dataset and not state.dataset.startswith(".")
    # the app writes its own link back from what it accepted: that must never blow up
    try:
        encode_state(state)
    except InputError as exc:
        assert_clear(exc)
    try:
        decode_state(q, strict=True, known_presets=KNOWN)
    except InputError as exc:
        RUNS["strict rejections"] += 1
        assert_clear(exc)


@FUZZ
@given(text=r_values())
def test_fuzz_decode_routes(text):
    RUNS["decode_routes"] += 1
    try:
        routes = decode_routes(text)
    except InputError as exc:
        assert_clear(exc)
        return
    RUNS["decode_routes (accepted)"] += 1
    assert all(2 <= len(r.waypoints) for r in routes)
