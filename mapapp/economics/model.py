"""Reference-class cost and whole-programme schedule model, as vectorised NumPy functions.

Everything here is a first-order, reference-class estimate: costs scale the outturn cost of
built tunnels (brought to constant US dollars with :mod:`mapapp.economics.prices`) by the
length of bore to be built; the schedule adds up the phases real projects went through, at
the whole-drive averages they achieved. ``docs/tunnel-model.md`` explains it in plain words.

Stable API (used by the Monte Carlo in ``mapapp.uncertainty``)
--------------------------------------------------------------
Every function below takes NumPy arrays (or scalars) and broadcasts; none reads global state.
Units are in the argument names.

``tunnel_cost_busd(tunnel_km, n_bores, unit_cost_musd_per_bore_km, arctic_cost_factor=1.0)``
    Outturn cost, US$ bn of the base year: ``tunnel_km · n_bores · unit_cost / 1000 · arctic``.
``claim_outturn_busd(claimed_busd, overrun_factor)``
    What a budget claim becomes at a given overrun factor (``claimed · overrun``).
``boring_years(drive_m, tbm_rate_m_per_day)``
    One face driving ``drive_m`` at a sustained rate: ``drive / rate / 365.25``.
``island_site_years(shaft_depth_m, shaft_sink_m_per_day, launch_years, season_factor)``
    Shaft sinking and TBM launch on an island: ``(depth / sink / 365.25 + launch) · season``.
``section_done_years(section_m, start_a_years, start_b_years, tbm_rate_m_per_day)``
    A section bored from both ends, faces starting at ``a`` and ``b``, meeting where they meet:
    ``(a + b) / 2 + section / (2 · rate)`` (or one face alone if it finishes before the other
    starts).
``programme_years(sections_m, site_a_years, site_b_years, procurement_years,
tbm_rate_m_per_day, fitout_years)``
    Whole programme: each section's faces start when both their TBMs are delivered and their
    site is ready (``max(procurement, site)``); the last section to be holed through, plus
    fit-out and commissioning. Section arrays have shape ``(k,)``; every other input is a
    scalar or shape ``(n,)`` and the result has that shape.
``spoil_m3(bore_area_m2, drive_m, bulking_factor=1.0)``
    Excavated (``bulking_factor=1``) or bulked spoil volume, m³.
``whole_programme_years(geometry, procurement_years, portal_site_years, shaft_sink_m_per_day,
launch_years, season_factor, tbm_rate_m_per_day, fitout_years)``
    :func:`programme_years` for a :class:`ProgrammeGeometry` (sections, launch-site kinds,
    shaft depths — from ``ProgrammeEstimate.geometry``), island sites through
    :func:`island_site_years`: one call per route for a whole Monte Carlo sample.
``programme_cost_busd(geometry, unit_cost_musd_per_bore_km, arctic_cost_factor=1.0)``
    :func:`tunnel_cost_busd` for a :class:`ProgrammeGeometry`.

The inputs, their units, ranges and sources are listed by :func:`input_table` (one
:class:`ModelInput` per input). Ranges derived from the reference class (unit cost, TBM rate,
fit-out) are computed, never typed in; the rest carry a source or say "assumption".

Examples
--------
>>> float(tunnel_cost_busd(100.0, 3, 150.0))        # 100 km × 3 bores × US$150 M
45.0
>>> round(float(boring_years(18_262.5, 10.0)), 3)   # 18.26 km at 10 m/day
5.0
>>> float(section_done_years(20_000.0, 1.0, 1.0, 10_000.0 / 365.25))  # 2 faces × 10 km/yr
2.0
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from mapapp.core import references as refs
from mapapp.core.errors import InputError
from mapapp.economics.prices import BASE_YEAR, Money, PriceError, cpi, economics_dir, to_base

__all__ = [
    "DAYS_PER_YEAR",
    "ModelInput",
    "ProgrammeGeometry",
    "ReferenceProject",
    "UnitCostFit",
    "boring_years",
    "claim_outturn_busd",
    "input_table",
    "inputs_by_name",
    "island_site_years",
    "load_reference_class",
    "programme_cost_busd",
    "programme_years",
    "section_done_years",
    "spoil_m3",
    "student_t95",
    "tunnel_cost_busd",
    "unit_cost_fit",
    "whole_programme_years",
]

DAYS_PER_YEAR = 365.25
#: Reference class used for the unit cost of each tunnel mode (loop has none: it is a floor).
#: Road uses the long rail tunnels too: the only subsea road tunnels with a known outturn are
#: 8–9 km long (Jiaozhou, Xiang'an) or include a bridge (Tokyo Bay), and their three figures
#: spread thirty-fold; long road tubes are of similar diameter to rail running tunnels.
MODE_CLASS = {"rail": "rail_tunnel", "road": "rail_tunnel"}


# ---------------------------------------------------------------------------- the functions
def tunnel_cost_busd(tunnel_km, n_bores, unit_cost_musd_per_bore_km, arctic_cost_factor=1.0):
    """Outturn cost of the tunnel system, US$ bn of the base year.

    Parameters
    ----------
    tunnel_km : array-like
        Tunnel length portal to portal, km.
    n_bores : array-like
        Full-length bores (running + service), count.
    unit_cost_musd_per_bore_km : array-like
        Outturn cost per km of bore, US$ million of the base year.
    arctic_cost_factor : array-like
        Multiplier for remote Arctic work (1 = none), dimensionless.

    >>> tunnel_cost_busd(np.array([50.0, 100.0]), 2, 100.0).tolist()
    [10.0, 20.0]
    """
    return (np.asarray(tunnel_km, "float64") * np.asarray(n_bores, "float64")
            * np.asarray(unit_cost_musd_per_bore_km, "float64") / 1000.0
            * np.asarray(arctic_cost_factor, "float64"))


def claim_outturn_busd(claimed_busd, overrun_factor):
    """A budget claim at a given overrun factor (1.45 = +45 %), US$ bn.

    >>> float(claim_outturn_busd(8.0, 1.45))
    11.6
    """
    return np.asarray(claimed_busd, "float64") * np.asarray(overrun_factor, "float64")


def boring_years(drive_m, tbm_rate_m_per_day):
    """Years for one face to drive ``drive_m`` metres at a sustained rate (m per calendar day).

    >>> float(boring_years(365.25 * 20, 20.0))
    1.0
    """
    return np.asarray(drive_m, "float64") / np.asarray(tbm_rate_m_per_day, "float64") / DAYS_PER_YEAR


def island_site_years(shaft_depth_m, shaft_sink_m_per_day, launch_years, season_factor):
    """Island shaft sinking plus TBM launch, years, stretched by the Arctic season factor.

    >>> float(island_site_years(365.25, 1.0, 0.5, 2.0))     # (1 yr + 0.5 yr) × 2
    3.0
    """
    depth = np.asarray(shaft_depth_m, "float64")
    sink = np.asarray(shaft_sink_m_per_day, "float64")
    return (depth / sink / DAYS_PER_YEAR + np.asarray(launch_years, "float64")) * np.asarray(
        season_factor, "float64")


def section_done_years(section_m, start_a_years, start_b_years, tbm_rate_m_per_day):
    """When a section driven from both ends is holed through, years from the programme start.

    Faces advance at the same rate; the first face drives alone until the second starts.

    >>> float(section_done_years(3652.5, 0.0, 2.0, 10.0))   # one face finishes alone in 1 yr
    1.0
    >>> float(section_done_years(7305.0, 0.0, 0.0, 10.0))   # two faces, 1 yr each
    1.0
    """
    length = np.asarray(section_m, "float64")
    a = np.asarray(start_a_years, "float64")
    b = np.asarray(start_b_years, "float64")
    v = np.asarray(tbm_rate_m_per_day, "float64") * DAYS_PER_YEAR  # m per year per face
    first, second = np.minimum(a, b), np.maximum(a, b)
    alone = first + length / v
    together = 0.5 * (a + b) + length / (2.0 * v)
    return np.where(alone <= second, alone, together)


def programme_years(sections_m, site_a_years, site_b_years, procurement_years,
                    tbm_rate_m_per_day, fitout_years):
    """Whole-programme duration, years: last section holed through, then fit-out.

    Parameters
    ----------
    sections_m : array-like, shape (k,)
        Length of each section between access points, m.
    site_a_years, site_b_years : array-like, shape (k,) or (n, k)
        Site preparation at each section's two ends (portal works, or island shaft + launch), years.
    procurement_years : scalar or shape (n,)
        TBM contract to delivery, years.
    tbm_rate_m_per_day : scalar or shape (n,)
        Sustained advance per face, m per calendar day.
    fitout_years : scalar or shape (n,)
        Final breakthrough to service, years.

    >>> programme_years([10_000.0], [0.5], [0.5], 1.0, 10_000 / 365.25, 3.0).item()
    4.5
    """
    sections = np.asarray(sections_m, "float64")
    proc = np.asarray(procurement_years, "float64")[..., None]
    rate = np.asarray(tbm_rate_m_per_day, "float64")[..., None]
    a = np.maximum(proc, np.asarray(site_a_years, "float64"))
    b = np.maximum(proc, np.asarray(site_b_years, "float64"))
    done = section_done_years(sections, a, b, rate).max(axis=-1)
    return done + np.asarray(fitout_years, "float64")


@dataclass(frozen=True)
class ProgrammeGeometry:
    """What the schedule and cost need from a designed tunnel (no money, no time).

    ``sections_m`` has one entry per section between consecutive launch sites; ``site_kinds``
    and ``shaft_depths_m`` one per launch site (``"portal"`` or ``"island"``; depth in m to the
    invert, None for portals), in chainage order.
    """

    tunnel_km: float
    n_bores: int
    sections_m: tuple[float, ...]
    site_kinds: tuple[str, ...]
    shaft_depths_m: tuple[float | None, ...]


def whole_programme_years(geometry: ProgrammeGeometry, procurement_years, portal_site_years,
                          shaft_sink_m_per_day, launch_years, season_factor,
                          tbm_rate_m_per_day, fitout_years):
    """Whole-programme duration of ``geometry``, years; every other input is a scalar or an
    array of shape ``(n,)`` (Monte Carlo samples) and the result has that shape.

    >>> g = ProgrammeGeometry(50.0, 2, (36_525.0,), ("portal", "portal"), (None, None))
    >>> whole_programme_years(g, 1.0, 0.5, 1.0, 0.25, 2.0, np.array([5.0, 10.0]), 2.0).tolist()
    [13.0, 8.0]
    """
    sites = []
    for kind, depth in zip(geometry.site_kinds, geometry.shaft_depths_m, strict=True):
        if kind == "portal":
            sites.append(np.asarray(portal_site_years, "float64"))
        else:
            sites.append(island_site_years(depth, shaft_sink_m_per_day, launch_years,
                                           season_factor))
    site = np.stack(np.broadcast_arrays(*sites), axis=-1)
    return programme_years(np.asarray(geometry.sections_m, "float64"), site[..., :-1],
                           site[..., 1:], procurement_years, tbm_rate_m_per_day, fitout_years)


def programme_cost_busd(geometry: ProgrammeGeometry, unit_cost_musd_per_bore_km,
                        arctic_cost_factor=1.0):
    """Outturn cost of ``geometry``, US$ bn of the unit cost's price year (arrays broadcast).

    >>> g = ProgrammeGeometry(100.0, 3, (100_000.0,), ("portal", "portal"), (None, None))
    >>> float(programme_cost_busd(g, 150.0))
    45.0
    """
    return tunnel_cost_busd(geometry.tunnel_km, geometry.n_bores, unit_cost_musd_per_bore_km,
                            arctic_cost_factor)


def spoil_m3(bore_area_m2, drive_m, bulking_factor=1.0):
    """Spoil volume, m³: ``area · length · bulking`` (bulking 1 = in-situ volume).

    >>> float(spoil_m3(50.0, 1000.0, 1.5))
    75000.0
    """
    return (np.asarray(bore_area_m2, "float64") * np.asarray(drive_m, "float64")
            * np.asarray(bulking_factor, "float64"))


# ---------------------------------------------------------------------------- reference class
@dataclass(frozen=True)
class ReferenceProject:
    """One row of ``geodata/economics/reference_class.csv`` (lengths km, depths m, years)."""

    key: str
    name: str
    klass: str
    status: str
    length_km: float
    undersea_km: float | None
    max_depth_bsl_m: float | None
    n_bores: int | None
    main_diameter_m: float | None
    start_year: float | None
    open_year: float | None
    tbm_count: int | None
    longest_drive_km: float | None
    longest_drive_basis: str
    cost: Money | None
    cost_scope: str
    in_cost_class: bool
    budget: Money | None
    in_duration_class: bool
    note: str
    sources: tuple[str, ...]

    @property
    def bore_km(self) -> float | None:
        """Length × full-length bores, km."""
        return self.length_km * self.n_bores if self.n_bores else None

    @property
    def duration_years(self) -> float | None:
        """Main construction start → service, years."""
        if self.start_year is None or self.open_year is None:
            return None
        return self.open_year - self.start_year

    def cost_busd(self, base_year: int = BASE_YEAR) -> float | None:
        """Outturn (or latest) cost in US$ bn of ``base_year``; None when not convertible."""
        if self.cost is None:
            return None
        try:
            return float(to_base(self.cost, base_year))
        except PriceError:
            return None

    def unit_cost_musd_per_bore_km(self, base_year: int = BASE_YEAR) -> float | None:
        """Cost per km of bore, US$ M of ``base_year``."""
        c, bk = self.cost_busd(base_year), self.bore_km
        return None if c is None or not bk else 1000.0 * c / bk


def _num(text: str):
    text = (text or "").strip()
    return float(text) if text else None


def _money(amount, currency, year):
    a = _num(amount)
    if a is None or not (currency or "").strip() or not (year or "").strip():
        return None
    return Money(a, currency.strip(), int(float(year)))


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> tuple[ReferenceProject, ...]:
    path = economics_dir() / "reference_class.csv"
    try:
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    except OSError as exc:
        raise InputError(f"reference class {path} cannot be read ({exc.strerror}); restore "
                         "geodata/economics from the repository") from exc
    out = []
    for r in rows:
        nb = _num(r["n_bores"])
        tbm = _num(r["tbm_count"])
        out.append(ReferenceProject(
            key=r["key"], name=r["name"], klass=r["class"], status=r["status"],
            length_km=float(r["length_km"]), undersea_km=_num(r["undersea_km"]),
            max_depth_bsl_m=_num(r["max_depth_bsl_m"]), n_bores=int(nb) if nb else None,
            main_diameter_m=_num(r["main_diameter_m"]), start_year=_num(r["start_year"]),
            open_year=_num(r["open_year"]), tbm_count=int(tbm) if tbm else None,
            longest_drive_km=_num(r["longest_drive_km"]),
            longest_drive_basis=r["longest_drive_basis"],
            cost=_money(r["cost_bn"], r["cost_currency"], r["cost_price_year"]),
            cost_scope=r["cost_scope"], in_cost_class=r["in_cost_class"].strip() == "1",
            budget=_money(r["budget_bn"], r["budget_currency"], r["budget_price_year"]),
            in_duration_class=r["in_duration_class"].strip() == "1", note=r["note"],
            sources=tuple(u.strip() for u in r["sources"].split(" ; ") if u.strip()),
        ))
    return tuple(out)


def load_reference_class() -> tuple[ReferenceProject, ...]:
    """Every project of the reference class, in file order."""
    return _load(str(economics_dir()))


#: Two-sided 90 % Student-t quantiles t(0.95, df) for df = 1 … 30.
_T95 = (6.3138, 2.9200, 2.3534, 2.1318, 2.0150, 1.9432, 1.8946, 1.8595, 1.8331, 1.8125,
        1.7959, 1.7823, 1.7709, 1.7613, 1.7531, 1.7459, 1.7396, 1.7341, 1.7291, 1.7247,
        1.7207, 1.7171, 1.7139, 1.7109, 1.7081, 1.7056, 1.7033, 1.7011, 1.6991, 1.6973)


def student_t95(df: int) -> float:
    """Student-t 95th percentile for ``df`` degrees of freedom (1.645 beyond 30).

    >>> student_t95(3)
    2.3534
    """
    if df < 1:
        raise InputError("a prediction interval needs at least two reference projects")
    return _T95[df - 1] if df <= 30 else 1.6449


@dataclass(frozen=True)
class UnitCostFit:
    """Log-normal fit of cost per bore-km over a reference class, US$ M of ``base_year``.

    ``low``/``high`` bound the 90 % prediction interval for one new project
    (``exp(mean ± t(0.95, n−1) · sd · √(1 + 1/n))`` of the logs); ``central`` is the geometric
    mean; ``values`` maps each project used to its own figure.
    """

    klass: str
    base_year: int
    low: float
    central: float
    high: float
    n: int
    log_sd: float
    values: dict = field(default_factory=dict)


def unit_cost_fit(klass: str = "rail_tunnel", *, exclude=(), base_year: int = BASE_YEAR,
                  projects=None) -> UnitCostFit:
    """Fit the unit cost of the built projects of ``klass`` (``in_cost_class``), leaving out
    ``exclude`` (project keys).

    Raises
    ------
    InputError
        Fewer than two projects remain.
    """
    projects = load_reference_class() if projects is None else projects
    vals = {}
    for p in projects:
        if p.klass != klass or p.status != "built" or not p.in_cost_class or p.key in exclude:
            continue
        u = p.unit_cost_musd_per_bore_km(base_year)
        if u is not None and u > 0:
            vals[p.key] = u
    n = len(vals)
    if n < 2:
        raise InputError(f"the {klass} reference class has {n} project(s) with a cost after "
                         "leaving out " + (", ".join(exclude) or "none") + "; need two")
    logs = np.log(np.array(list(vals.values())))
    mean, sd = float(logs.mean()), float(logs.std(ddof=1))
    half = student_t95(n - 1) * sd * math.sqrt(1.0 + 1.0 / n)
    return UnitCostFit(klass, int(base_year), math.exp(mean - half), math.exp(mean),
                       math.exp(mean + half), n, sd, vals)


# ---------------------------------------------------------------------------- input table
@dataclass(frozen=True)
class ModelInput:
    """One input of the model: its name (the function argument), unit, range and why.

    ``low`` ≤ ``high`` numerically; ``better`` says which end makes the programme cheaper
    or quicker (``"high"`` for rates, ``"low"`` for everything else), and
    :attr:`favourable` / :attr:`unfavourable` return those ends.
    """

    name: str
    unit: str
    low: float
    high: float
    source: str
    why: str
    assumption: bool = False
    sources: tuple[str, ...] = ()
    better: str = "low"

    @property
    def favourable(self) -> float:
        """The value giving the lowest cost / shortest time."""
        return self.high if self.better == "high" else self.low

    @property
    def unfavourable(self) -> float:
        """The value giving the highest cost / longest time."""
        return self.low if self.better == "high" else self.high

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"name": self.name, "unit": self.unit, "low": self.low, "high": self.high,
                "better": self.better, "source": self.source, "why": self.why,
                "assumption": self.assumption, "sources": list(self.sources)}


def _urls(*groups) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups:
        out.extend(u for u in g if u not in out)
    return tuple(out)


def input_table(mode: str = "rail", *, exclude=(), base_year: int = BASE_YEAR) -> tuple[ModelInput, ...]:
    """Every model input with its range for ``mode``; ``exclude`` drops reference projects
    (leave-one-out). Derived ranges come from the reference class and tables of
    :mod:`mapapp.core.references`.
    """
    if mode not in ("rail", "road", "loop"):
        raise InputError(f"tunnel mode {mode!r} is not one of rail, road, loop")
    cpi(base_year)  # an unknown base year fails here, in one sentence
    rates = [r for r in refs.SUSTAINED_RATES.values() if r.project not in exclude]
    fits = [f for f in refs.FITOUT_DURATIONS.values() if f.project not in exclude]
    if not rates or not fits:
        raise InputError("no sustained-rate or fit-out reference left after exclusions")
    rate_lo = min(rates, key=lambda r: r.m_per_day)
    rate_hi = max(rates, key=lambda r: r.m_per_day)
    fit_lo = min(fits, key=lambda f: f.years)
    fit_hi = max(fits, key=lambda f: f.years)
    window = refs.FACTS["work_window"]
    delivery = refs.FACTS["tbm_delivery"]
    rail_over = refs.OVERRUN_STATS["flyvbjerg2002_rail"]
    table = []
    if mode in MODE_CLASS:
        fit = unit_cost_fit(MODE_CLASS[mode], exclude=exclude, base_year=base_year)
        srcs = _urls(*(p.sources for p in load_reference_class() if p.key in fit.values))
        table.append(ModelInput(
            "unit_cost_musd_per_bore_km", f"US$ M ({base_year} prices) per km of bore",
            fit.low, fit.high,
            f"90 % prediction interval of a log-normal fit to {fit.n} built "
            f"{MODE_CLASS[mode].replace('_', ' ')}s ({', '.join(fit.values)}), outturn costs "
            f"in US$ ({base_year} prices)",
            "outturn costs of comparable built tunnels per km of bore; few projects, so a wide "
            "interval", sources=srcs))
    table += [
        ModelInput("arctic_cost_factor", "×", 1.0, 1.5, "assumption",
                   "remote Arctic sites, sealift only in the summer window, island camps; no "
                   "published factor found", assumption=True),
        ModelInput("overrun_factor", "×", 1.0, 1.0 + rail_over.mean_overrun,
                   f"{rail_over.label}: mean real overrun +{rail_over.mean_overrun:.0%}",
                   "applied to *claimed budgets* to show what they become if they overrun like "
                   "the average rail project (model costs are outturns already)",
                   sources=rail_over.sources),
        ModelInput("tbm_rate_m_per_day", "m per calendar day per face", rate_lo.m_per_day,
                   rate_hi.m_per_day,
                   f"whole-drive averages: slowest {rate_lo.label}, fastest {rate_hi.label}",
                   "sustained averages of real drives including stoppages, not record days",
                   sources=_urls(rate_lo.sources, rate_hi.sources), better="high"),
        ModelInput("procurement_years", "years", delivery.value / 12.0, 2.0,
                   "13 months contract-to-delivery (Channel Tunnel TBMs); 2 years is an "
                   "assumption for ordering a dozen or more large TBMs at once",
                   "TBM delivery is often the critical path", assumption=True,
                   sources=delivery.sources),
        ModelInput("portal_site_years", "years", 0.5, 1.0, "assumption",
                   "portal works, launch pits and site set-up on the mainland before boring",
                   assumption=True),
        ModelInput("shaft_sink_m_per_day", "m per day", 1.0, 3.0, "assumption",
                   "sinking a large launch shaft through rock on an island", assumption=True,
                   better="high"),
        ModelInput("launch_years", "years", 0.25, 0.5, "assumption",
                   "assembling and launching TBMs at the foot of a shaft", assumption=True),
        ModelInput("season_factor", "×", 1.2, 12.0 / window.value,
                   f"{window.text}: 12 / {window.value:g} = {12.0 / window.value:.1f}; 1.2 is an "
                   "assumption for enclosed shaft work supplied from summer stockpiles",
                   "island surface work and sealift happen only in the ice-free season",
                   sources=window.sources),
        ModelInput("fitout_years", "years", fit_lo.years, fit_hi.years,
                   f"final breakthrough to service: {fit_lo.label} {fit_lo.years:g} yr, "
                   f"{fit_hi.label} {fit_hi.years:g} yr",
                   "track, systems, testing and commissioning after the last breakthrough",
                   sources=_urls(fit_lo.sources, fit_hi.sources)),
        ModelInput("cover_m", "m", 50.0, 100.0,
                   "Norwegian subsea rule ≥ 50 m; Seikan ≈ 100 m below the seabed",
                   "rock between the tunnel crown and the seabed",
                   sources=_urls(refs.COVER_FIGURES["norway_rule"].sources,
                                 refs.COVER_FIGURES["seikan"].sources)),
        ModelInput("bulking_factor", "×", 1.3, 1.6, "assumption",
                   "excavated rock occupies more volume once broken", assumption=True),
    ]
    if mode == "rail":
        table.append(ModelInput("grade_pct", "%", 1.0, 1.25,
                                "1.25 % mainline rail (TSI 12.5 ‰); 1.0 % for heavy freight "
                                "(freight lines generally < 1.5 %)",
                                "a gentler grade makes a longer, deeper-reaching approach",
                                sources=refs.GRADE_LIMITS["rail_mainline"].sources,
                                better="high"))
    elif mode == "road":
        table.append(ModelInput("grade_pct", "%", 4.0, 5.0,
                                "EU Directive 2004/54/EC ≤ 5 %; 4 % is an assumption for "
                                "long heavy-vehicle climbs",
                                "road gradient", assumption=True,
                                sources=refs.GRADE_LIMITS["road_eu"].sources, better="high"))
    return tuple(table)


def inputs_by_name(mode: str = "rail", **kw) -> dict[str, ModelInput]:
    """:func:`input_table` as a dict keyed by input name."""
    return {i.name: i for i in input_table(mode, **kw)}
