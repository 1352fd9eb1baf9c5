"""The shareable state of the app, encoded in URL query parameters and back.

Parameters (all optional; values are plain strings, as in ``st.query_params``):

======== =====================================================================================
``c``    view centre ``"lat,lon"`` in degrees (5 decimals)
``z``    zoom level, integer 0..20
``p``    shown preset ids, comma-separated (``dmitriev-2025,direct-shortest``)
``r``    drawn / uploaded routes: ``"1."`` + base64url (no padding) of zlib-compressed
         JSON ``[{"i": id, "n": name, "m": mode, "o": origin, "p": polyline, "w": names}]``
         where ``p`` is the Google encoded polyline of the waypoints (precision 5, i.e.
         about 1 m; longitudes kept continuous) and ``w`` the waypoint names (omitted when
         all empty)
``s``    selected route id
``d``    dataset name (letters, digits, ``._-``; at most 100 characters)
======== =====================================================================================

Sizes are bounded: at most :data:`MAX_ROUTES` routes of at most :data:`MAX_WAYPOINTS`
waypoints each, and :data:`MAX_PARAM_CHARS` characters per parameter; :func:`encode_state`
refuses larger states with :class:`~mapapp.core.errors.InputError` (share a file instead).

Decoding is strict per parameter: :func:`decode_state` validates each parameter on its own.
By default it returns a :class:`UrlState` holding everything that validated and, in
``state.errors``, one message per parameter it had to drop (a tampered ``r`` drops the
routes, not the view). With ``strict=True`` it raises :class:`~mapapp.core.errors.InputError`
at the first bad parameter instead. The ``decode_*`` helpers for single parameters always
raise.

Examples
--------
>>> from mapapp.routes.route import Route
>>> r = Route.from_coords("mine", "Mine", [(-169.7, 66.0, "start"), (-168.1, 65.7)])
>>> q = encode_state(UrlState(center=(65.75, -168.98), zoom=9, presets=["direct-shortest"],
...                           routes=[r], selected="mine"))
>>> sorted(q)
['c', 'p', 'r', 's', 'z']
>>> s = decode_state(q)
>>> s.zoom, s.presets, s.routes[0].name, s.routes[0].waypoints[0].name, s.errors
(9, ['direct-shortest'], 'Mine', 'start', [])
>>> decode_state({"z": "99", "c": "65.7,-169"}).errors
['z: zoom 99 is outside 0..20']
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from mapapp.core.errors import InputError, RouteError
from mapapp.core.safety import clean_text, short_repr
from mapapp.routes.presets import preset_ids
from mapapp.routes.route import MODES, Route, Waypoint, slugify

__all__ = [
    "MAX_PARAM_CHARS",
    "MAX_ROUTES",
    "MAX_WAYPOINTS",
    "UrlState",
    "decode_center",
    "decode_polyline",
    "decode_presets",
    "decode_routes",
    "decode_state",
    "decode_zoom",
    "encode_polyline",
    "encode_routes",
    "encode_state",
]

#: Most routes carried in a URL.
MAX_ROUTES = 20
#: Most waypoints per route carried in a URL.
MAX_WAYPOINTS = 500
#: Longest value of one query parameter, characters.
MAX_PARAM_CHARS = 8000
_MAX_JSON_BYTES = 256 * 1024
_MAX_PRESETS = 50
_MAX_NAME = 120
_PREFIX = "1."
# a plain file name: no separators, no leading dot (".", "..", hidden files); fullmatch only
_DATASET_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")
_ID_RE = re.compile(r"[a-z0-9-]{1,60}")
_URL_ORIGINS = ("drawn", "uploaded", "optimised")


@dataclass
class UrlState:
    """What a shared link restores.

    Attributes
    ----------
    center : (lat, lon) or None
        View centre, degrees.
    zoom : int or None
        Web-map zoom level.
    presets : list of str
        Ids of the preset routes shown.
    routes : list of Route
        Drawn / uploaded / optimised routes (presets are referenced by id, not copied).
    selected : str or None
        Id of the selected route.
    dataset : str or None
        Name of the bathymetry dataset shown.
    errors : list of str
        Decoding only: one message per parameter that was dropped.
    """

    center: tuple[float, float] | None = None
    zoom: int | None = None
    presets: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    selected: str | None = None
    dataset: str | None = None
    errors: list[str] = field(default_factory=list)


# --- polyline (Google's encoded polyline algorithm) ---------------------------------------


def _enc_value(v: int) -> str:
    v = ~(v << 1) if v < 0 else v << 1
    out = []
    while v >= 0x20:
        out.append(chr((0x20 | (v & 0x1F)) + 63))
        v >>= 5
    out.append(chr(v + 63))
    return "".join(out)


def encode_polyline(coords, precision: int = 5) -> str:
    """Encode ``[(lon, lat), …]`` (degrees) as a Google encoded polyline (lat first).

    Examples
    --------
    >>> encode_polyline([(-120.2, 38.5), (-120.95, 40.7), (-126.453, 43.252)])
    '_p~iF~ps|U_ulLnnqC_mqNvxq`@'
    """
    f = 10**precision
    out, plat, plon = [], 0, 0
    for lon, lat in coords:
        ilat, ilon = round(lat * f), round(lon * f)
        out.append(_enc_value(ilat - plat) + _enc_value(ilon - plon))
        plat, plon = ilat, ilon
    return "".join(out)


def decode_polyline(text: str, precision: int = 5) -> list[tuple[float, float]]:
    """Inverse of :func:`encode_polyline`: ``[(lon, lat), …]`` in degrees.

    Raises
    ------
    InputError
        On characters outside the polyline alphabet or a truncated value.
    """
    if not isinstance(text, str):
        raise InputError("a polyline must be text")
    values, cur, shift = [], 0, 0
    for ch in text:
        b = ord(ch) - 63
        if not 0 <= b < 64:
            raise InputError(f"invalid character {ch!r} in an encoded polyline")
        cur |= (b & 0x1F) << shift
        shift += 5
        if shift > 60:
            raise InputError("an encoded polyline value is too long")
        if b < 0x20:
            values.append(~(cur >> 1) if cur & 1 else cur >> 1)
            cur, shift = 0, 0
    if shift or len(values) % 2:
        raise InputError("the encoded polyline is truncated")
    f = 10**precision
    coords, lat, lon = [], 0, 0
    for k in range(0, len(values), 2):
        lat += values[k]
        lon += values[k + 1]
        coords.append((lon / f, lat / f))
    return coords


# --- routes --------------------------------------------------------------------------------


def encode_routes(routes) -> str:
    """The ``r`` parameter for a list of routes (see the module docstring).

    Raises
    ------
    InputError
        More than :data:`MAX_ROUTES` routes, a route with more than
        :data:`MAX_WAYPOINTS` waypoints, or a result longer than :data:`MAX_PARAM_CHARS`.
    """
    routes = list(routes)
    if len(routes) > MAX_ROUTES:
        raise InputError(
            f"{len(routes)} routes are too many to share in a link (limit {MAX_ROUTES}); "
            "export them to a file instead"
        )
    items = []
    for r in routes:
        if len(r.waypoints) > MAX_WAYPOINTS:
            raise InputError(
                f"route {r.name!r} has {len(r.waypoints)} waypoints, too many to share in a link "
                f"(limit {MAX_WAYPOINTS}); export it to a file instead"
            )
        item = {
            "i": r.id,
            "n": r.name[:_MAX_NAME],
            "p": encode_polyline([(w.lon, w.lat) for w in r.waypoints]),
        }
        if r.mode != "rail":
            item["m"] = r.mode
        item["o"] = r.origin if r.origin in _URL_ORIGINS else "drawn"
        names = [w.name[:_MAX_NAME] for w in r.waypoints]
        if any(names):
            item["w"] = names
        items.append(item)
    raw = json.dumps(items, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text = _PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    if len(text) > MAX_PARAM_CHARS:
        raise InputError(
            f"these routes need {len(text)} characters, too long for a link (limit "
            f"{MAX_PARAM_CHARS}); remove waypoints or export them to a file instead"
        )
    return text


def decode_routes(text: str) -> list[Route]:
    """Routes from the ``r`` parameter.

    Raises
    ------
    InputError
        Too long, not base64url, not zlib data, not the expected JSON, or an invalid route
        (coordinates out of range, too many routes or waypoints …).
    """
    if not isinstance(text, str) or not text:
        raise InputError("the routes parameter is empty")
    if len(text) > MAX_PARAM_CHARS:
        raise InputError(f"the routes parameter is longer than {MAX_PARAM_CHARS} characters")
    if not text.startswith(_PREFIX):
        raise InputError("the routes parameter has an unknown format (expected version '1.')")
    body = text[len(_PREFIX) :]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        d = zlib.decompressobj()
        raw = d.decompress(packed, _MAX_JSON_BYTES)
        if d.unconsumed_tail:
            raise InputError("the routes parameter expands to too much data")
        items = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("the routes parameter is corrupted (was the link cut short?)") from None
    except RecursionError:
        raise InputError("the routes parameter is corrupted (nested too deeply)") from None
    if not isinstance(items, list):
        raise InputError("the routes parameter does not hold a list of routes")
    if len(items) > MAX_ROUTES:
        raise InputError(f"the link holds {len(items)} routes; at most {MAX_ROUTES} are accepted")
    routes, ids = [], set()
    for k, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("p"), str):
            raise InputError(f"route {k} in the link is malformed")
        coords = decode_polyline(item["p"])
        if len(coords) > MAX_WAYPOINTS:
            raise InputError(f"route {k} in the link has more than {MAX_WAYPOINTS} waypoints")
        names = item.get("w") or [""] * len(coords)
        if not isinstance(names, list) or len(names) != len(coords):
            raise InputError(f"route {k} in the link has mismatched waypoint names")
        mode = item.get("m", "rail")
        if not isinstance(mode, str) or mode not in MODES:
            raise InputError(f"route {k} in the link has an unknown mode {short_repr(mode)}")
        origin = item.get("o", "drawn")
        if not isinstance(origin, str) or origin not in _URL_ORIGINS:
            raise InputError(f"route {k} in the link has an invalid origin {short_repr(origin)}")
        name = clean_text(item.get("n"), _MAX_NAME) or f"Shared route {k}"
        rid = item.get("i") or slugify(name)
        if not isinstance(rid, str) or not _ID_RE.fullmatch(rid) or rid in ids:
            raise InputError(
                f"route {k} in the link has an invalid or repeated id {short_repr(rid)}"
            )
        ids.add(rid)
        try:
            wps = [
                Waypoint(lon, lat, clean_text(n, _MAX_NAME))
                for (lon, lat), n in zip(coords, names, strict=True)
            ]
            routes.append(Route(id=rid, name=name, waypoints=wps, mode=mode, origin=origin))
        except RouteError as exc:
            raise InputError(f"route {k} in the link is invalid: {exc}") from None
    return routes


# --- whole state ---------------------------------------------------------------------------


def _first(value):
    """A query value as one string (st.query_params gives str; parse_qs gives lists)."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else str(value)


def decode_center(text: str) -> tuple[float, float]:
    """``"lat,lon"`` -> (lat, lon) degrees; InputError if malformed or out of range."""
    parts = str(text).split(",")
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"centre {short_repr(str(text))} is not 'lat,lon' in degrees") from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InputError("centre coordinates must be finite numbers")
    if not -90 <= lat <= 90:
        raise InputError(f"centre latitude {lat:g} is outside -90..90")
    if not -540 <= lon <= 540:
        raise InputError(f"centre longitude {lon:g} is outside -540..540")
    return lat, lon


def decode_zoom(text: str) -> int:
    """Zoom level 0..20; InputError otherwise."""
    try:
        z = int(str(text))
    except ValueError:
        raise InputError(f"zoom {short_repr(str(text))} is not a whole number") from None
    if not 0 <= z <= 20:
        raise InputError(f"zoom {z} is outside 0..20")
    return z


def decode_presets(text: str, known=None) -> list[str]:
    """Comma-separated preset ids; InputError on an unknown id or too many."""
    ids = [p for p in str(text).split(",") if p]
    if len(ids) > _MAX_PRESETS:
        raise InputError(f"too many preset ids (limit {_MAX_PRESETS})")
    if known is None:

        known = preset_ids()
    bad = [p for p in ids if p not in known]
    if bad:
        raise InputError(f"unknown preset id(s): {', '.join(repr(b[:60]) for b in bad)}")
    return list(dict.fromkeys(ids))


def encode_state(state: UrlState) -> dict[str, str]:
    """Query parameters for a state (empty parts are left out).

    Raises
    ------
    InputError
        If the routes are too large for a link (see :func:`encode_routes`) or a value is
        invalid (e.g. a dataset name with other characters than letters, digits, ``._-``).
    """
    q: dict[str, str] = {}
    if state.center is not None:
        lat, lon = decode_center(f"{state.center[0]},{state.center[1]}")
        q["c"] = f"{lat:.5f},{lon:.5f}"
    if state.zoom is not None:
        q["z"] = str(decode_zoom(str(int(state.zoom))))
    if state.presets:
        q["p"] = ",".join(dict.fromkeys(state.presets))
    if state.routes:
        q["r"] = encode_routes(state.routes)
    if state.selected:
        q["s"] = str(state.selected)
    if state.dataset:
        if not isinstance(state.dataset, str) or not _DATASET_RE.fullmatch(state.dataset):
            raise InputError(f"dataset name {state.dataset!r} cannot be put in a link")
        q["d"] = state.dataset
    return q


def decode_state(params: Mapping, strict: bool = False, known_presets=None) -> UrlState:
    """The state in query parameters (see the module docstring for the behaviour on errors).

    Parameters
    ----------
    params : mapping
        Query parameters, e.g. ``st.query_params`` or ``urllib.parse.parse_qs(…)`` (list
        values: the last one counts). Unknown keys are ignored.
    strict : bool
        Raise :class:`InputError` at the first bad parameter instead of dropping it.
    known_presets : iterable of str, optional
        Valid preset ids (default: :func:`mapapp.routes.presets.preset_ids`).

    Returns
    -------
    UrlState
        With ``errors`` listing ``"<param>: <message>"`` for each dropped parameter; the
        selected id is dropped if it names neither a shown preset nor a decoded route.
    """
    state = UrlState()
    decoders = {
        "c": ("center", decode_center),
        "z": ("zoom", decode_zoom),
        "p": ("presets", lambda t: decode_presets(t, known_presets)),
        "r": ("routes", decode_routes),
    }
    for key, (attr, fn) in decoders.items():
        if key not in params:
            continue
        value = _first(params[key])
        if len(value) > MAX_PARAM_CHARS:
            err = InputError(f"value longer than {MAX_PARAM_CHARS} characters")
        else:
            try:
                setattr(state, attr, fn(value))
                continue
            except InputError as exc:
                err = exc
        if strict:
            raise InputError(f"link parameter {key!r}: {err}") from None
        state.errors.append(f"{key}: {err}")
    if "d" in params:
        value = _first(params["d"])
        if _DATASET_RE.fullmatch(value):
            state.dataset = value
        elif strict:
            raise InputError(f"link parameter 'd': invalid dataset name {value[:100]!r}")
        else:
            state.errors.append(f"d: invalid dataset name {value[:100]!r}")
    if "s" in params:
        value = _first(params["s"])
        valid = set(state.presets) | {r.id for r in state.routes}
        if value in valid:
            state.selected = value
        elif strict:
            raise InputError(f"link parameter 's': no shown route has the id {value[:60]!r}")
        else:
            state.errors.append(f"s: no shown route has the id {value[:60]!r}")
    return state
