"""The whole link's embedded data: railheads, via places, published figures, wide-area grids.

Everything here is read from ``geodata/railheads/railheads.json`` (cited facts transcribed from
the project's fact base; every entry keeps its source URLs) and ``geodata/wide/`` (ETOPO5
relief, GSHHG high-resolution land and WDBII rivers for lon 120°E–230°E, lat 50–75°N, with
longitudes running continuously over 180°: see ``geodata/wide/PROVENANCE.md``).

Longitudes: the records keep the published −180..180 values; :func:`wide_lon` gives the
0..360 value used by the wide-area files (−169° → 191°).

Cited records here and in :mod:`mapapp.core.references` follow one convention: a frozen
dataclass per figure, the unit in each field's name (``length_km``, ``usd_low``), the figure
as published (no derived value stored) and ``sources``, a tuple of URLs. They are separate
types on purpose, because they hold different things from different files:

* these are read from a data file (``geodata/railheads/railheads.json``) and mirror its
  fields (``id``, ``side``, ``section``, money in whole currency units as printed);
  ``core.references`` are Python literals the tunnel and cost model read by ``key``;
* :class:`PublishedCost` is a published cost of the whole link's *railways*, with the length
  it covers and possibly no price year (The Times' "> $99 bn" is undated), whereas
  ``core.references.PublishedEstimate`` is a dated estimate of the *strait crossing* in
  billions with a build time, converted to constant dollars by the claims scorecard;
* :class:`PublishedLength` is a low–high range of km on one side, marked approximate or a
  section, whereas ``core.references.Fact`` is one value with the sentence it comes from.

Examples
--------
>>> rh = railhead("nizhny-bestyakh")
>>> rh.side, rh.lat, rh.in_wide_area
('russia', 61.967, True)
>>> railhead("fort-nelson").in_wide_area
False
>>> wide_lon(-147.72306)
212.27694
>>> [p.id for p in published_lengths("russia")][:2]
['razbegin-2025-russia', 'bbc-2011-russia']
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.paths import geodata_dir

__all__ = [
    "SIDES",
    "WIDE_BOUNDS",
    "Corridor",
    "Place",
    "PublishedCost",
    "PublishedLength",
    "Railhead",
    "ReferenceRailway",
    "corridors",
    "default_railheads",
    "find_place",
    "permafrost_note",
    "places",
    "published_costs",
    "published_lengths",
    "railhead",
    "railheads",
    "reference_railways",
    "wide_dir",
    "wide_lon",
]

#: The two sides of the strait, as used in results and JSON.
SIDES = ("russia", "north_america")
#: Extent of the wide-area data, degrees (lon 0..360 convention): W, S, E, N.
WIDE_BOUNDS = (120.0, 50.0, 230.0, 75.0)


def wide_dir() -> Path:
    """Folder of the wide-area grids (``geodata/wide``)."""
    return geodata_dir() / "wide"


def wide_lon(lon: float) -> float:
    """A longitude (degrees, any range) in the wide-area convention 0..360.

    >>> wide_lon(191.0), wide_lon(-169.0), wide_lon(129.9)
    (191.0, 191.0, 129.9)
    """
    return round(float(lon) % 360.0, 9)


@dataclass(frozen=True)
class Railhead:
    """A railhead or network end.

    Attributes
    ----------
    id, name : str
    side : str
        ``"russia"`` or ``"north_america"``.
    lat, lon : float
        WGS84 degrees (lon −180..180, as published).
    status : str
        What is there, in the sources' words (paraphrased).
    sources : tuple of str
        URLs.
    default : bool
        Used when no railhead is chosen for its side.
    """

    id: str
    name: str
    side: str
    lat: float
    lon: float
    status: str
    sources: tuple[str, ...]
    default: bool = False

    @property
    def in_wide_area(self) -> bool:
        """True when the point lies inside the wide-area data (paths can be computed)."""
        w, s, e, n = WIDE_BOUNDS
        return w <= wide_lon(self.lon) <= e and s <= self.lat <= n


@dataclass(frozen=True)
class Place:
    """A via place (Magadan, Anadyr, Nome …): degrees, with a note and sources."""

    id: str
    name: str
    lat: float
    lon: float
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Corridor:
    """An existing land corridor drawn for context (e.g. the Kolyma Highway), as the places it
    passes in order: not the road's own line.

    Attributes
    ----------
    points : tuple of Place
        In order along the corridor.
    length_km : float
        Published length, km.
    """

    id: str
    name: str
    points: tuple
    length_km: float
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PublishedLength:
    """A published length of new railway on one side (km, as a low–high pair; ``approx`` when
    the source says "about", ``section`` when it covers only part of the way). Not a
    ``core.references.Fact``: a range per side, not one value (see the module notes)."""

    id: str
    side: str
    label: str
    low_km: float
    high_km: float
    approx: bool
    sources: tuple[str, ...]
    section: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "low_km": self.low_km,
                "high_km": self.high_km, "approx": self.approx,
                "section": self.section or None, "sources": list(self.sources)}


@dataclass(frozen=True)
class PublishedCost:
    """A published cost of the whole link's railways: ``low``/``high`` in whole units of
    ``currency`` of ``price_year`` (None when the source gives no year), for ``length_km`` of
    line when stated. Not a ``core.references.PublishedEstimate`` (a dated estimate of the
    strait crossing in billions): see the module notes."""

    id: str
    label: str
    length_km: float | None
    low: float | None
    high: float | None
    currency: str
    price_year: int | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceRailway:
    """A built or planned railway whose cost per km and build rate scale the link.

    Attributes
    ----------
    length_km : float
    usd_low, usd_high : float
        Cost in US dollars as printed by the source (its own conversion), of ``price_year``.
    amount_low, amount_high, currency : float, float, str
        The figure in its original currency.
    price_year : int
        Year of the prices (see ``price_year_basis``).
    build_rates : dict
        Label -> km per year (sourced or derived, see ``build_rate_basis``).
    """

    id: str
    name: str
    length_km: float
    usd_low: float
    usd_high: float
    amount_low: float
    amount_high: float
    currency: str
    price_year: int
    price_year_basis: str
    note: str
    sources: tuple[str, ...]
    build_rates: dict = field(default_factory=dict)
    build_rate_basis: str = ""

    @property
    def usd_per_km(self) -> tuple[float, float]:
        """(low, high) US dollars per km, of ``price_year``.

        >>> r = reference_railways()["qinghai-tibet"]
        >>> round(r.usd_per_km[0] / 1e6, 2)    # 3.6e9 / 1142 km
        3.15
        """
        return self.usd_low / self.length_km, self.usd_high / self.length_km


def _pair(v) -> tuple:
    if isinstance(v, (list, tuple)):
        return (v[0], v[-1])
    return (v, v)


def _path() -> Path:
    return geodata_dir() / "railheads" / "railheads.json"


@lru_cache(maxsize=2)
def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"railhead data {path} cannot be read ({exc}); restore "
                           "geodata/railheads from the repository") from exc


def _doc() -> dict:
    return _load(str(_path()))


def railheads() -> dict[str, Railhead]:
    """All railheads by id, in file order."""
    out = {}
    for r in _doc()["railheads"]:
        out[r["id"]] = Railhead(r["id"], r["name"], r["side"], float(r["lat"]), float(r["lon"]),
                                r["status"], tuple(r["sources"]), bool(r.get("default")))
    return out


def railhead(key: str) -> Railhead:
    """The railhead with id or name ``key`` (case-insensitive).

    Raises
    ------
    InputError
        Unknown railhead (the message lists the ids).
    """
    k = str(key).strip().lower()
    for r in railheads().values():
        if k in (r.id, r.name.lower()):
            return r
    raise InputError(f"unknown railhead {key!r}; choose one of {', '.join(railheads())}")


def default_railheads() -> list[Railhead]:
    """The default railhead of each side (Nizhny Bestyakh, Fairbanks)."""
    return [r for r in railheads().values() if r.default]


def places() -> dict[str, Place]:
    """Via places by id."""
    return {p["id"]: Place(p["id"], p["name"], float(p["lat"]), float(p["lon"]), p["note"],
                           tuple(p["sources"])) for p in _doc()["places"]}


def find_place(key: str) -> Place | None:
    """A via place or railhead by id or name (case-insensitive), else None."""
    k = str(key).strip().lower()
    for p in places().values():
        if k in (p.id, p.name.lower()):
            return p
    for r in railheads().values():
        if k in (r.id, r.name.lower()):
            return Place(r.id, r.name, r.lat, r.lon, r.status, r.sources)
    return None


def corridors() -> list[Corridor]:
    """Context corridors (the Kolyma Highway as the towns on it).

    >>> [p.name for p in corridors()[0].points]
    ['Nizhny Bestyakh', 'Khandyga', 'Ust-Nera', 'Susuman', 'Magadan']
    """
    out = []
    for c in _doc().get("corridors", []):
        pts = []
        for key in c["places"]:
            p = find_place(key)
            if p is None:
                raise DatasetError(f"corridor {c['id']} names an unknown place {key!r}")
            pts.append(p)
        out.append(Corridor(c["id"], c["name"], tuple(pts), float(c["length_km"]), c["note"],
                            tuple(c["sources"])))
    return out


def published_lengths(side: str | None = None) -> list[PublishedLength]:
    """Published lengths of new railway, optionally for one side."""
    out = []
    for p in _doc()["published_lengths"]:
        lo, hi = _pair(p["length_km"])
        out.append(PublishedLength(p["id"], p["side"], p["label"], float(lo), float(hi),
                                   bool(p.get("approx")), tuple(p["sources"]),
                                   p.get("section", "")))
    return [p for p in out if side is None or p.side == side]


def published_costs() -> list[PublishedCost]:
    """Published costs of the whole link (not converted)."""
    out = []
    for p in _doc()["published_costs"]:
        lo, hi = _pair(p["amount"])
        out.append(PublishedCost(p["id"], p["label"], p.get("length_km"), lo, hi, p["currency"],
                                 p.get("price_year"), tuple(p["sources"])))
    return out


def reference_railways() -> dict[str, ReferenceRailway]:
    """Reference railways by id."""
    out = {}
    for r in _doc()["reference_railways"]:
        ulo, uhi = _pair(r["usd_equivalent"])
        alo, ahi = _pair(r["amount"])
        length = float(r["length_km"])
        if not (length > 0 and math.isfinite(ulo) and math.isfinite(uhi)):
            raise DatasetError(f"reference railway {r['id']} has no usable length or cost")
        out[r["id"]] = ReferenceRailway(
            r["id"], r["name"], length, float(ulo), float(uhi), float(alo), float(ahi),
            r["currency"], int(r["price_year"]), r.get("price_year_basis", ""),
            r.get("note", ""), tuple(r["sources"]), dict(r.get("build_rate_km_per_yr") or {}),
            r.get("build_rate_basis", ""))
    return out


def permafrost_note(side: str) -> dict:
    """What the sources say about permafrost on a side: ``share`` (fraction or None),
    ``statement`` and ``sources``."""
    d = _doc()["permafrost"][side]
    return {"share": d.get("share"), "statement": d["statement"], "sources": list(d["sources"])}
