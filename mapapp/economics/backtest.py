"""Leave-one-out backtest: does the model's range contain each built project's real outturn?

For every built project of the reference class (``geodata/economics/reference_class.csv``)
the model is re-run **without that project** — its own cost leaves the unit-cost fit, its own
drives leave the sustained-rate range and its own fit-out leaves the fit-out range — and
given only the project's length, bores, longest drive and price year:

* cost: ``length × bores × [unit-cost interval]`` in US$ of the base year, against its
  outturn brought to the same dollars;
* duration: procurement ‖ portal works, then its longest drive at the sustained rates, then
  fit-out (:func:`mapapp.economics.model.programme_years` with one section), against main
  construction start → service.

Misses are reported, not hidden; ``docs/tunnel-model.md`` explains each one.

Examples
--------
>>> rows = backtest()
>>> sorted(rows[0].to_dict())
['class', 'cost', 'duration', 'name', 'notes', 'project']
>>> rows[0].to_dict()["cost"]["as_reported"]
'US$14.5 bn (1994 prices)'

"""

from __future__ import annotations

from dataclasses import dataclass

from mapapp.core.errors import InputError
from mapapp.economics import model as m
from mapapp.economics.prices import BASE_YEAR, cpi

__all__ = ["Check", "BacktestRow", "backtest"]


@dataclass(frozen=True)
class Check:
    """A real figure against its leave-one-out range."""

    actual: float
    low: float
    high: float
    unit: str
    price_year: int | None = None

    @property
    def inside(self) -> bool:
        """True when ``low ≤ actual ≤ high``."""
        return self.low <= self.actual <= self.high

    def to_dict(self) -> dict:
        """Plain JSON."""
        d = {"actual": self.actual, "low": self.low, "high": self.high,
             "inside": self.inside, "unit": self.unit}
        if self.price_year is not None:
            d["currency"] = "USD"
            d["price_year"] = self.price_year
        return d


@dataclass(frozen=True)
class BacktestRow:
    """One built project: its cost and duration checks (None where not comparable)."""

    project: str
    name: str
    klass: str
    cost: Check | None
    duration: Check | None
    notes: tuple[str, ...]
    cost_as_reported: str = ""

    def to_dict(self) -> dict:
        """The JSON object of ``python -m mapapp backtest --json`` for this project."""
        cost = self.cost.to_dict() if self.cost else None
        if cost is not None:
            cost["as_reported"] = self.cost_as_reported
        return {"project": self.project, "name": self.name, "class": self.klass,
                "cost": cost, "duration": self.duration.to_dict() if self.duration else None,
                "notes": list(self.notes)}


def _cost_check(p: m.ReferenceProject, base_year: int):
    if not p.in_cost_class:
        return None, f"cost not compared: {p.cost_scope or 'not found'}"
    actual = p.cost_busd(base_year)
    if actual is None or not p.bore_km:
        return None, "cost not compared: no convertible cost or bore count"
    try:
        fit = m.unit_cost_fit(p.klass, exclude=(p.key,), base_year=base_year)
    except InputError as exc:
        return None, f"cost not compared: {exc}"
    return (Check(actual, fit.low * p.bore_km / 1000.0, fit.high * p.bore_km / 1000.0,
                  f"US$ bn ({base_year} prices)", base_year),
            f"cost: {p.bore_km:g} bore-km × US${fit.low:.0f}–{fit.high:.0f} M per bore-km "
            f"(fit to {', '.join(fit.values)})")


def _duration_check(p: m.ReferenceProject, mode: str):
    if not p.in_duration_class or p.duration_years is None or not p.longest_drive_km:
        return None, "duration not compared"
    t = m.inputs_by_name(mode, exclude=(p.key,)) if mode != "loop" else None
    ends = []
    for end in ("favourable", "unfavourable"):
        proc = getattr(t["procurement_years"], end)
        site = getattr(t["portal_site_years"], end)
        ends.append(float(m.programme_years(
            [2000.0 * p.longest_drive_km], [site], [site], proc,
            getattr(t["tbm_rate_m_per_day"], end), getattr(t["fitout_years"], end))))
    return (Check(p.duration_years, ends[0], ends[1], "years"),
            f"duration: longest drive {p.longest_drive_km:g} km ({p.longest_drive_basis}); "
            f"rates {t['tbm_rate_m_per_day'].low:g}–{t['tbm_rate_m_per_day'].high:g} m/day, "
            f"fit-out {t['fitout_years'].low:g}–{t['fitout_years'].high:g} yr without this "
            "project")


def backtest(base_year: int = BASE_YEAR) -> list[BacktestRow]:
    """Leave-one-out checks for every built project of the reference class."""
    cpi(base_year)  # an unknown base year fails here, in one sentence
    rows = []
    for p in m.load_reference_class():
        if p.status != "built":
            continue
        cost, cnote = _cost_check(p, base_year)
        mode = "rail" if p.klass == "rail_tunnel" else "road"
        dur, dnote = _duration_check(p, mode)
        if cost is None and dur is None:
            continue
        notes = tuple(n for n in (cnote, dnote, p.note) if n)
        rows.append(BacktestRow(p.key, p.name, p.klass, cost, dur, notes,
                                p.cost.label() if p.cost else ""))
    return rows
