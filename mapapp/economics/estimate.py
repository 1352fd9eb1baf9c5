"""A tunnel's programme: cost in constant dollars, whole-programme schedule, island access,
spoil, the design band and feasibility warnings.

:func:`estimate` takes a :class:`~mapapp.engineering.tunnel.TunnelResult` (geometry only) and
applies the model of :mod:`mapapp.economics.model` at the two ends of every input's range:
the **low** figure uses every favourable end at once, the **high** figure every unfavourable
end, so the range is the widest the inputs allow (the Monte Carlo in ``mapapp.uncertainty``
gives the distribution in between).

Loop mode gets no estimate: its cost is a **floor** (the Boring Company's own as-built cost per
km in Las Vegas, brought to base-year dollars), never a prediction, because no shallow, dry,
urban 12-ft tunnel is comparable with 100 km of subsea tunnel.

Examples
--------
>>> from mapapp.economics.estimate import Phase
>>> Phase("fit-out", 2.6, 6.2, "breakthrough to service").to_dict()["high_years"]
6.2
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mapapp.core import references as refs
from mapapp.core.jsonenc import plain
from mapapp.data.bathymetry import open_grid
from mapapp.economics import model as m
from mapapp.economics.prices import BASE_YEAR, Money, fmt_usd_bn, to_base
from mapapp.engineering.profile import sample_profile
from mapapp.engineering.tunnel import TunnelParams, TunnelResult, tunnel_for_route

__all__ = [
    "AccessSite",
    "CostEstimate",
    "DesignBand",
    "DesignPoint",
    "Phase",
    "ProgrammeEstimate",
    "Schedule",
    "design_band",
    "estimate",
    "estimate_for_route",
    "name_island",
]

#: Known islands of the strait (lon, lat, name, notes key in references.FACTS).
_ISLANDS = (
    (-169.0569, 65.7811, "Big Diomede (Ratmanov)", "big_diomede"),
    (-168.9208, 65.7542, "Little Diomede (Kruzenshtern)", "little_diomede"),
    (-168.7426, 65.6253, "Fairway Rock", None),
)


def name_island(lon, lat, max_km: float = 8.0):
    """The known island nearest to (lon, lat) within ``max_km``, as (name, fact key), or None.

    >>> name_island(-168.93, 65.75)[0]
    'Little Diomede (Kruzenshtern)'
    """
    if lon is None or lat is None:
        return None
    best, best_d = None, max_km
    for x, y, name, key in _ISLANDS:
        dx = (lon - x) * 111.32 * math.cos(math.radians(lat))
        dy = (lat - y) * 110.57
        d = math.hypot(dx, dy)
        if d <= best_d:
            best, best_d = (name, key), d
    return best


@dataclass(frozen=True)
class Phase:
    """One phase of the programme, years at the favourable and unfavourable ends."""

    name: str
    low_years: float
    high_years: float
    basis: str

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"name": self.name, "low_years": self.low_years, "high_years": self.high_years,
                "basis": self.basis}


@dataclass(frozen=True)
class Schedule:
    """Whole-programme schedule: phases, machines, and the total on the critical path.

    The total is not the sum of the phases: TBM procurement runs alongside site works, and
    the programme ends when the last section is holed through and fitted out.
    """

    phases: tuple[Phase, ...]
    tbm_count: int
    faces: int
    sections_km: tuple[float, ...]
    longest_section_km: float
    low_years: float
    high_years: float
    assumptions: tuple[str, ...]

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"phases": [p.to_dict() for p in self.phases], "tbm_count": self.tbm_count,
                "faces": self.faces, "sections_km": list(self.sections_km),
                "longest_section_km": self.longest_section_km,
                "low_years": self.low_years, "high_years": self.high_years,
                "assumptions": list(self.assumptions)}


@dataclass(frozen=True)
class CostEstimate:
    """Cost range in US$ bn of ``base_year``; ``floor`` True means not an estimate."""

    low_busd: float
    central_busd: float | None
    high_busd: float | None
    base_year: int
    floor: bool
    basis: str
    n_bores: int
    tunnel_km: float
    unit_cost: m.UnitCostFit | None = None

    def label(self) -> str:
        """E.g. ``'US$13.6–199.0 bn (2025 prices)'`` or ``'floor US$2.1 bn (2025 prices)'``."""
        if self.floor:
            return "floor " + fmt_usd_bn(self.low_busd, self.base_year)
        return (f"US${self.low_busd:,.1f}–{self.high_busd:,.1f} bn ({self.base_year} prices)")

    def to_dict(self) -> dict:
        """Plain JSON."""
        d = {"low_busd": self.low_busd, "central_busd": self.central_busd,
             "high_busd": self.high_busd, "currency": "USD", "price_year": self.base_year,
             "floor": self.floor, "basis": self.basis, "n_bores": self.n_bores,
             "tunnel_km": self.tunnel_km, "label": self.label()}
        if self.unit_cost is not None:
            u = self.unit_cost
            d["unit_cost_musd_per_bore_km"] = {
                "low": u.low, "central": u.central, "high": u.high, "n": u.n,
                "class": u.klass, "price_year": u.base_year, "projects": dict(u.values)}
        return d


@dataclass(frozen=True)
class AccessSite:
    """A launch site: portal or island shaft, with the spoil its drives bring out."""

    name: str
    kind: str
    chainage_km: float
    lon: float | None
    lat: float | None
    shaft_depth_m: float | None
    drives_km: float
    spoil_m3: float
    spoil_bulked_m3_low: float
    spoil_bulked_m3_high: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"name": self.name, "kind": self.kind, "chainage_km": self.chainage_km,
                "lon": self.lon, "lat": self.lat, "shaft_depth_m": self.shaft_depth_m,
                "drives_km": self.drives_km, "spoil_m3": self.spoil_m3,
                "spoil_bulked_m3_low": self.spoil_bulked_m3_low,
                "spoil_bulked_m3_high": self.spoil_bulked_m3_high, "notes": list(self.notes)}


@dataclass(frozen=True)
class DesignPoint:
    """One design (cover, grade) and what it gives."""

    cover_m: float
    grade_pct: float
    tunnel_km: float
    max_depth_m: float
    cost_low_busd: float | None
    cost_high_busd: float | None

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"cover_m": self.cover_m, "grade_pct": self.grade_pct,
                "tunnel_km": self.tunnel_km, "max_depth_m": self.max_depth_m,
                "cost_low_busd": self.cost_low_busd, "cost_high_busd": self.cost_high_busd}


@dataclass(frozen=True)
class DesignBand:
    """Tunnel length, depth and cost over the defensible range of cover and grade."""

    points: tuple[DesignPoint, ...]
    chosen: DesignPoint
    base_year: int

    @property
    def length_km(self) -> tuple[float, float]:
        """Shortest and longest tunnel of the band, km."""
        v = [p.tunnel_km for p in self.points]
        return min(v), max(v)

    @property
    def depth_m(self) -> tuple[float, float]:
        """Shallowest and deepest crown of the band, m below sea level."""
        v = [p.max_depth_m for p in self.points]
        return min(v), max(v)

    @property
    def cost_busd(self) -> tuple[float | None, float | None]:
        """Lowest low and highest high cost of the band, US$ bn of ``base_year``."""
        lo = [p.cost_low_busd for p in self.points if p.cost_low_busd is not None]
        hi = [p.cost_high_busd for p in self.points if p.cost_high_busd is not None]
        return (min(lo) if lo else None, max(hi) if hi else None)

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"points": [p.to_dict() for p in self.points], "chosen": self.chosen.to_dict(),
                "length_km": list(self.length_km), "depth_m": list(self.depth_m),
                "cost_busd": list(self.cost_busd), "currency": "USD",
                "price_year": self.base_year}


@dataclass
class ProgrammeEstimate:
    """Everything the claims scorecard needs for one route and mode. ``geometry`` is what a
    Monte Carlo needs to re-run the model on sampled inputs
    (:func:`mapapp.economics.model.whole_programme_years`, ``programme_cost_busd``)."""

    tunnel: TunnelResult
    mode: str
    cost: CostEstimate
    schedule: Schedule
    access: tuple[AccessSite, ...]
    band: DesignBand | None
    warnings: tuple[str, ...]
    assumptions: tuple[str, ...]
    inputs: tuple[m.ModelInput, ...]
    sources: tuple[str, ...] = field(default_factory=tuple)
    geometry: m.ProgrammeGeometry | None = None

    @property
    def base_year(self) -> int:
        """Price year of every cost figure."""
        return self.cost.base_year

    def to_dict(self) -> dict:
        """The tunnel's geometry (``TunnelResult.to_dict``) plus cost, schedule, access, band,
        warnings — every money figure with ``currency`` and ``price_year``."""
        d = self.tunnel.to_dict()
        d.update({
            "mode": self.mode,
            "currency": "USD",
            "price_year": self.base_year,
            "cost_busd_low": self.cost.low_busd,
            "cost_busd_high": self.cost.high_busd,
            "cost": self.cost.to_dict(),
            "duration_years_low": self.schedule.low_years,
            "duration_years_high": self.schedule.high_years,
            "schedule": self.schedule.to_dict(),
            "access_sites": [a.to_dict() for a in self.access],
            "design_band": self.band.to_dict() if self.band else None,
            "warnings": list(self.warnings),
            "assumptions": list(self.assumptions),
            "inputs": [i.to_dict() for i in self.inputs],
            "geometry": self.geometry,
            "sources": list(self.sources),
        })
        return plain(d)


# ---------------------------------------------------------------------------- pieces
def _cost(tunnel: TunnelResult, mode: str, inputs: dict, base_year: int) -> CostEstimate:
    n_bores = tunnel.params.total_bores
    km = tunnel.tunnel_length_m / 1000.0
    if mode == "loop":
        lvcc = refs.UNIT_COSTS["boring_lvcc"]
        per_km = float(to_base(Money(lvcc.usd_m_per_km_low, "USD", lvcc.year), base_year))
        floor = per_km * km / 1000.0
        return CostEstimate(floor, None, None, base_year, True,
                            f"floor, not an estimate: the Boring Company's as-built Las Vegas "
                            f"Loop cost, US${per_km:.1f} M per route-km ({base_year} prices), × "
                            f"{km:.1f} km", n_bores, km)
    u = inputs["unit_cost_musd_per_bore_km"]
    arctic = inputs["arctic_cost_factor"]
    fit = m.unit_cost_fit(m.MODE_CLASS[mode], base_year=base_year)
    low = float(m.tunnel_cost_busd(km, n_bores, u.low, arctic.low))
    high = float(m.tunnel_cost_busd(km, n_bores, u.high, arctic.high))
    central = float(m.tunnel_cost_busd(km, n_bores, fit.central, 1.0))
    return CostEstimate(low, central, high, base_year, False,
                        f"{km:.1f} km × {n_bores} bores × US${u.low:.0f}–{u.high:.0f} M per "
                        f"bore-km ({base_year} prices; {u.source}) × Arctic factor "
                        f"{arctic.low:g}–{arctic.high:g} (assumption)", n_bores, km, fit)


def _shaft_depth(site) -> float | None:
    if site.kind != "island" or site.crown_m is None:
        return None
    return float((site.site_elevation_m or 0.0) - site.crown_m)


def _schedule(tunnel: TunnelResult, inputs: dict) -> tuple[Schedule, list[tuple]]:
    sites = tunnel.shaft_sites
    sections = np.array(tunnel.sections_m(), "float64")
    d_max = tunnel.params.max_diameter_m
    depths = [(_shaft_depth(s) + d_max) if s.kind == "island" else None for s in sites]
    i = inputs

    def site_years(k, end):
        s = sites[k]
        if s.kind == "portal":
            return getattr(i["portal_site_years"], end)
        return float(m.island_site_years(depths[k], getattr(i["shaft_sink_m_per_day"], end),
                                         getattr(i["launch_years"], end),
                                         getattr(i["season_factor"], end)))

    geom = m.ProgrammeGeometry(tunnel.tunnel_length_m / 1000.0, tunnel.params.total_bores,
                               tuple(float(x) for x in sections),
                               tuple(s.kind for s in sites), tuple(depths))
    totals = [float(m.whole_programme_years(
        geom, *(getattr(i[name], end) for name in (
            "procurement_years", "portal_site_years", "shaft_sink_m_per_day", "launch_years",
            "season_factor", "tbm_rate_m_per_day", "fitout_years"))))
        for end in ("favourable", "unfavourable")]
    n_bores = tunnel.params.total_bores
    faces = 2 * len(sections) * n_bores
    longest = float(sections.max())
    rate = i["tbm_rate_m_per_day"]
    islands = [k for k, s in enumerate(sites) if s.kind == "island"]
    phases = [
        Phase("TBM procurement and delivery", i["procurement_years"].low,
              i["procurement_years"].high, i["procurement_years"].source),
        Phase("Portal works and launch pits", i["portal_site_years"].low,
              i["portal_site_years"].high, "assumption"),
    ]
    if islands:
        lo = max(site_years(k, "favourable") for k in islands)
        hi = max(site_years(k, "unfavourable") for k in islands)
        deep = max(depths[k] for k in islands)
        phases.append(Phase(
            f"Island shafts ({deep:.0f} m deepest) and TBM launch, × Arctic season "
            f"{i['season_factor'].low:g}–{i['season_factor'].high:g}", lo, hi,
            f"shaft sinking {i['shaft_sink_m_per_day'].low:g}–"
            f"{i['shaft_sink_m_per_day'].high:g} m/day (assumption); "
            f"{i['season_factor'].source}"))
    phases += [
        Phase(f"Boring: longest section {longest / 1000:.1f} km from both ends "
              f"({rate.low:g}–{rate.high:g} m/day per face)",
              float(m.boring_years(longest / 2, rate.high)),
              float(m.boring_years(longest / 2, rate.low)), rate.source),
        Phase("Fit-out, systems and commissioning", i["fitout_years"].low,
              i["fitout_years"].high, i["fitout_years"].source),
    ]
    assumptions = (
        f"{len(sections)} section(s) between launch sites, each bored from both ends: "
        f"{faces} faces = {faces} TBMs ({n_bores} bores × {2 * len(sections)} faces)",
        "TBM procurement runs alongside site works; faces start when both are done",
        "a section ends when its two faces meet; the programme when the last is fitted out",
    )
    sched = Schedule(tuple(phases), faces, faces,
                     tuple(float(x) / 1000 for x in sections), longest / 1000,
                     totals[0], totals[1], assumptions)
    return sched, list(zip(sites, depths, strict=True)), geom


def _access(tunnel: TunnelResult, site_depths, inputs) -> tuple[AccessSite, ...]:
    sites = [s for s, _ in site_depths]
    sections = tunnel.sections_m()
    area = tunnel.params.bore_area_m2
    bulk = inputs["bulking_factor"]
    out = []
    for k, (s, depth) in enumerate(site_depths):
        drive = (0.5 * sections[k - 1] if k > 0 else 0.0) + (
            0.5 * sections[k] if k < len(sections) else 0.0)
        vol = float(m.spoil_m3(area, drive))
        named = name_island(s.lon, s.lat) if s.kind == "island" else None
        notes = []
        name = s.name
        if named:
            name = f"{s.name}: {named[0]}"
            if named[1]:
                notes.append(refs.FACTS[named[1]].text)
        if s.kind == "island":
            notes.append(f"{vol * bulk.low / 1e6:.1f}–{vol * bulk.high / 1e6:.1f} million m³ of "
                         "broken rock to place on or near the island, or to ship out in the "
                         "ice-free season")
        out.append(AccessSite(name, s.kind, s.chainage_m / 1000.0, s.lon, s.lat, depth,
                              drive / 1000.0, vol, vol * bulk.low, vol * bulk.high,
                              tuple(notes)))
    del sites
    return tuple(out)


def _warnings(tunnel: TunnelResult, mode: str, sched: Schedule, access) -> list[str]:
    w = list(tunnel.warnings)
    longest = tunnel.longest_stretch_without_access_m / 1000.0
    prec = refs.FACTS["longest_undersea_drive"]
    if longest > prec.value:
        w.append(f"the longest undersea stretch between access points, {longest:.1f} km, is "
                 f"longer than any ever built ({prec.text}).")
    else:
        w.append(f"longest undersea stretch between access points {longest:.1f} km: within "
                 f"precedent ({prec.text}).")
    if mode == "road":
        road = refs.FACTS["longest_subsea_road"]
        sec = sched.longest_section_km
        if sec > road.value:
            w.append(f"road: {sec:.1f} km between ventilation access points, longer than "
                     f"the {road.text} — ventilation of such a road tunnel is unproven.")
    if mode == "loop":
        w.append("loop: " + refs.FACTS["freight_bore"].text + "; the proposal is a rail and "
                 "cargo link.")
    w.append("frozen ground near the shores: " + refs.FACTS["subsea_permafrost"].text + ".")
    w.append("seismicity: " + refs.FACTS["seismicity"].text + ".")
    for a in access:
        if a.kind == "island":
            w.append(f"{a.name}: shaft ≈ {a.shaft_depth_m:.0f} m deep to the tunnel invert; "
                     + "; ".join(a.notes) + ".")
    return w


def estimate(tunnel: TunnelResult, *, base_year: int = BASE_YEAR,
             band: DesignBand | None = None) -> ProgrammeEstimate:
    """Cost, schedule, access, warnings for a designed tunnel (mode from its parameters)."""
    mode = tunnel.params.mode
    table = m.input_table(mode, base_year=base_year)
    inputs = {i.name: i for i in table}
    cost = _cost(tunnel, mode, inputs, base_year)
    sched, site_depths, geom = _schedule(tunnel, inputs)
    access = _access(tunnel, site_depths, inputs)
    warnings = _warnings(tunnel, mode, sched, access)
    assumptions = [f"{i.name} {i.low:g}–{i.high:g} {i.unit}: {i.why}"
                   for i in table if i.assumption]
    assumptions += tunnel.params.assumptions()
    sources = []
    for i in table:
        sources.extend(u for u in i.sources if u not in sources)
    sources.extend(u for u in tunnel.params.sources() if u not in sources)
    return ProgrammeEstimate(tunnel, mode, cost, sched, access, band, tuple(warnings),
                             tuple(assumptions), table, tuple(sources), geom)


def _grade_range(mode: str, params: TunnelParams) -> tuple[float, ...]:
    if mode == "rail":
        return (1.0, 1.25)
    if mode == "road":
        return (4.0, 5.0)
    return (params.max_grade_pct,)


def design_band(route, grid, params: TunnelParams, profile, *, base_year: int = BASE_YEAR,
                covers=(50.0, 100.0), grades=None) -> DesignBand:
    """Length, depth and cost for every (cover, grade) of the defensible range, plus the
    chosen design ``params``; the profile is sampled once and reused."""
    mode = params.mode
    grades = grades or _grade_range(mode, params)
    inputs = m.inputs_by_name(mode, base_year=base_year)
    pts = []

    def point(p: TunnelParams) -> DesignPoint:
        t = tunnel_for_route(route, grid, p, profile=profile)
        km = t.tunnel_length_m / 1000.0
        if mode == "loop":
            lo, hi = _cost(t, mode, inputs, base_year).low_busd, None
        else:
            u, a = inputs["unit_cost_musd_per_bore_km"], inputs["arctic_cost_factor"]
            lo = float(m.tunnel_cost_busd(km, p.total_bores, u.low, a.low))
            hi = float(m.tunnel_cost_busd(km, p.total_bores, u.high, a.high))
        return DesignPoint(p.cover_m, p.max_grade_pct, km, t.max_depth_below_sea_level_m, lo, hi)

    for c in covers:
        for g in grades:
            pts.append(point(params.replace(cover_m=float(c), max_grade_pct=float(g))))
    chosen = point(params)
    return DesignBand(tuple(pts + [chosen]), chosen, base_year)


def estimate_for_route(route, grid=None, *, mode: str | None = None,
                       params: TunnelParams | None = None, base_year: int = BASE_YEAR,
                       band: bool = True, step_m: float | None = None,
                       land_source: str = "gshhg") -> ProgrammeEstimate:
    """Profile the route once, design its tunnel, and estimate the programme (with the design
    band unless ``band=False``)."""

    if grid is None:

        grid = open_grid()
    params = params or TunnelParams.preset(mode or route.mode)
    profile = sample_profile(route, grid, step_m=step_m, land_source=land_source)
    tunnel = tunnel_for_route(route, grid, params, profile=profile)
    b = design_band(route, grid, params, profile, base_year=base_year) if band else None
    return estimate(tunnel, base_year=base_year, band=b)
