"""Cost and schedule ranges of connecting railways, scaled from reference railways.

Cost
----
Each reference railway (``geodata/railheads/railheads.json``: Amur–Yakutsk Tommot–Nizhny
Bestyakh, the Nizhny Bestyakh–Magadan plan, the Northern Rail Extension estimate,
Qinghai–Tibet, Bovanenkovo–Sabetta) gives a cost per km: its US-dollar figure as printed by
the source, divided by its length, in dollars of its price year. Each is brought to
**constant US dollars of the base year** with the project's price-level module
(:func:`mapapp.economics.prices.to_base`: US CPI-U). A connecting path of ``L`` km then
costs between ``L × lowest`` and ``L × highest`` of those constant-dollar costs per km:
a range, not an estimate — the references differ in terrain, era and country, and two
of them are plans.

Schedule
--------
``L / fastest`` to ``L / slowest`` of the reference build rates (km per year: the
Qinghai–Tibet line's 222 km/yr achieved, the Nizhny Bestyakh–Magadan plan's 165, the
Amur–Yakutsk line's peak of 123 and its 24 km/yr average over 1985–2019), for one
construction front; several fronts shorten it, funding stops lengthen it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapapp.core.errors import DatasetError
from mapapp.economics import prices
from mapapp.link import data as ldata

__all__ = [
    "CostRange",
    "cost_sources",
    "default_base_year",
    "link_cost",
    "per_km_range",
    "schedule_range",
    "sum_ranges",
]


def _prices():

    return prices


def default_base_year() -> int:
    """The price module's base year (constant dollars of that year)."""
    return int(_prices().BASE_YEAR)


@dataclass(frozen=True)
class CostRange:
    """A cost range in US$ bn of ``price_year``.

    Attributes
    ----------
    low, high : float
        US$ bn.
    price_year : int
        Year of the constant dollars.
    currency : str
        Always ``"USD"``.
    basis : str
        How the range was made, in plain words.
    """

    low: float
    high: float
    price_year: int
    currency: str = "USD"
    basis: str = ""

    def label(self) -> str:
        """E.g. ``'US$ 10.2–41.0 bn (2025 prices)'``.

        >>> CostRange(10.24, 41.0, 2025).label()
        'US$ 10.2–41.0 bn (2025 prices)'
        """
        return f"US$ {self.low:,.1f}–{self.high:,.1f} bn ({self.price_year} prices)"

    def to_dict(self) -> dict:
        return {"low": round(self.low, 2), "high": round(self.high, 2),
                "price_year": self.price_year, "currency": self.currency,
                "basis": self.basis}


def _per_km_base(ref: ldata.ReferenceRailway, base_year: int) -> tuple[float, float]:
    """(low, high) US dollars per km of ``base_year`` for one reference railway."""
    p = _prices()
    lo, hi = ref.usd_per_km
    f = p.to_base(p.Money(1.0, "USD", ref.price_year), base_year)
    return lo * f, hi * f


def per_km_range(base_year: int) -> tuple[float, float, str, str]:
    """Lowest and highest reference cost per km (US$ of ``base_year``) and the ids of the
    references that set them."""
    refs = ldata.reference_railways()
    vals = {k: _per_km_base(r, base_year) for k, r in refs.items()}
    lo_id = min(vals, key=lambda k: vals[k][0])
    hi_id = max(vals, key=lambda k: vals[k][1])
    return vals[lo_id][0], vals[hi_id][1], lo_id, hi_id


def link_cost(length_km: float, base_year: int) -> CostRange:
    """Cost range of ``length_km`` km of new railway, US$ bn of ``base_year``."""
    lo, hi, lo_id, hi_id = per_km_range(base_year)
    refs = ldata.reference_railways()
    basis = (f"{length_km:,.0f} km × US$ {lo / 1e6:.1f}–{hi / 1e6:.1f} M/km ({base_year} prices; "
             f"lowest: {refs[lo_id].name}, highest: {refs[hi_id].name})")
    return CostRange(length_km * lo / 1e9, length_km * hi / 1e9, base_year, "USD", basis)


def sum_ranges(ranges, base_year: int) -> CostRange:
    """The sum of cost ranges of the same price year."""
    ranges = list(ranges)
    if any(r.price_year != base_year for r in ranges):
        raise DatasetError("cost ranges of different price years cannot be added")
    return CostRange(sum(r.low for r in ranges), sum(r.high for r in ranges), base_year, "USD",
                     "sum of the paths' ranges")


def schedule_range(length_km: float) -> tuple[float, float]:
    """(fastest, slowest) years to build ``length_km`` km at the reference build rates.

    >>> [round(v, 1) for v in schedule_range(2220.0)]   # 2,220 km at 222 and 24 km/yr
    [10.0, 92.5]
    """
    rates = [float(v) for r in ldata.reference_railways().values()
             for v in r.build_rates.values()]
    return length_km / max(rates), length_km / min(rates)


def cost_sources(base_year: int) -> list[dict]:
    """Every reference railway with its cost per km in its own and in base-year dollars."""
    out = []
    for ref in ldata.reference_railways().values():
        lo, hi = ref.usd_per_km
        blo, bhi = _per_km_base(ref, base_year)
        out.append({
            "id": ref.id, "name": ref.name, "length_km": ref.length_km,
            "amount": [ref.amount_low, ref.amount_high], "currency": ref.currency,
            "usd_as_published": [ref.usd_low, ref.usd_high], "price_year": ref.price_year,
            "price_year_basis": ref.price_year_basis,
            "usd_per_km_m": [round(lo / 1e6, 3), round(hi / 1e6, 3)],
            "usd_per_km_m_base_year": [round(blo / 1e6, 3), round(bhi / 1e6, 3)],
            "base_year": base_year, "build_rates_km_per_yr": ref.build_rates,
            "note": ref.note, "sources": list(ref.sources),
        })
    return out
