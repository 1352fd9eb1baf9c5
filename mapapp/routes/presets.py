"""Preset candidate alignments (published proposals and references), with their claims.

The presets live in ``geodata/presets/routes.json`` (see ``geodata/presets/README.md`` for
how every waypoint was chosen). Each becomes a :class:`~mapapp.routes.route.Route` with
``origin="preset"``, its published ``claims``, the ``sources`` (URLs) behind them and
``notes`` saying whether the source gives any geometry.

Claims are stored as published: ``{key: {"value": …, "unit": …, "text": …, "bound": …}}``.
``value`` is a number, a ``[low, high]`` range, or — for ``segments_km`` only — a list with
one entry per undersea segment (``null`` where the source gives none). ``bound`` is
``"upper"`` for "less than" figures and ``"lower"`` for "more than".

Examples
--------
>>> [r.id for r in load_presets()][:2]
['dmitriev-2025', 'razbegin-2025']
>>> r = get_preset("direct-shortest")
>>> r.origin, round(r.length_m() / 1000, 2)
('preset', 81.75)
>>> claim_value(get_preset("dmitriev-2025"), "length_km")
112.7
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.paths import geodata_dir
from mapapp.routes.route import Route

__all__ = ["claim_value", "get_preset", "load_presets", "preset_ids", "presets_path"]


def presets_path() -> Path:
    """``geodata/presets/routes.json`` (or under ``$MAPAPP_GEODATA``)."""
    return geodata_dir() / "presets" / "routes.json"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[dict, ...]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"preset file {path} is not valid JSON (line {exc.lineno}): {exc.msg}"
        ) from exc
    routes = doc.get("routes") if isinstance(doc, dict) else None
    if not isinstance(routes, list):
        raise DatasetError(f"preset file {path} has no 'routes' list")
    return tuple(routes)


def load_presets() -> list[Route]:
    """All preset routes, in file order (fresh objects on each call: safe to modify).

    Raises
    ------
    DatasetError
        If the preset file is missing or malformed.
    """
    path = presets_path()
    if not path.exists():
        raise DatasetError(f"preset file missing: {path} (restore geodata/ from the repository)")
    out = []
    for d in _load(str(path), path.stat().st_mtime):
        route = Route.from_dict(json.loads(json.dumps(d)))  # deep copy of the cached dict
        route.origin = "preset"
        out.append(route)
    return out


def preset_ids() -> list[str]:
    """Identifiers of all presets, in file order."""
    return [r.id for r in load_presets()]


def get_preset(preset_id: str) -> Route:
    """The preset with this id.

    Raises
    ------
    InputError
        If there is no such preset; the message lists the valid ids.
    """
    presets = load_presets()
    for r in presets:
        if r.id == preset_id:
            return r
    raise InputError(
        f"no preset route {preset_id!r}; choose one of: {', '.join(r.id for r in presets)}"
    )


def claim_value(route: Route, key: str, default=None):
    """The ``value`` of a claim (number, range or list), or ``default`` if not claimed.

    Accepts both the structured form ``{"value": …}`` and a bare number.
    """
    claim = route.claims.get(key)
    if claim is None:
        return default
    if isinstance(claim, dict):
        return claim.get("value", default)
    return claim
