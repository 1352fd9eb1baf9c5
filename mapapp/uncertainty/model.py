"""What the sweep evaluates per route: tunnel geometry over the design band, and the
economics model (issue 13) as a :class:`~mapapp.uncertainty.sweep.SweepModel`.

Geometry
--------
Tunnel length, the sections between launch sites and the island shaft depths depend on the
rock cover, the gradient and the grid's depths. :func:`route_context` profiles the route
once, then designs the tunnel (:func:`mapapp.engineering.tunnel.design_tunnel`, public API)
on a lattice of cover × gradient × vertical grid bias and stores those quantities on it.
A scenario's geometry is interpolated (trilinear, clipped to the lattice): a few dozen
designs instead of one per scenario, and a context of a few kB that travels to the workers
instead of the grid.

The grid bias is one vertical offset for the whole route (m, positive = shallower sea)
drawn from N(0, σ), σ the grid's vertical uncertainty
(:func:`mapapp.uncertainty.distributions.vertical_uncertainty`): a route-wide, fully
correlated error, the case that moves the deepest point and hence the ramps most.

Model
-----
:func:`economics_model` wraps :mod:`mapapp.economics.model` (its stable, vectorised API
and its input table): cost = ``tunnel_cost_busd(tunnel km, bores, unit cost, Arctic
factor)`` in US$ of the base year; duration = ``programme_years(sections, site years,
procurement, TBM rate, fit-out)`` with island sites from ``island_site_years(shaft depth,
sinking rate, launch, season factor)``. Each input of the economics table becomes a
distribution by :data:`SHAPES` (shape and why); its range and source are the table's.

Examples
--------
>>> trilinear((np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0])),
...           np.arange(8.0).reshape(2, 2, 2),
...           np.array([0.5]), np.array([0.5]), np.array([0.5])).tolist()
[3.5]
>>> to_distribution("tbm_rate_m_per_day", 5.9, 25.6).kind
'lognormal'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import Grid, open_grid
from mapapp.economics import model as econ
from mapapp.economics.prices import BASE_YEAR
from mapapp.engineering.profile import sample_profile
from mapapp.engineering.tunnel import TunnelParams, design_tunnel
from mapapp.uncertainty.distributions import Distribution, InputSpec, vertical_uncertainty
from mapapp.uncertainty.sweep import SweepModel

__all__ = [
    "SHAPES",
    "RouteContext",
    "claims_of",
    "default_model",
    "economics_fn",
    "economics_model",
    "model_versions",
    "route_context",
    "to_distribution",
    "trilinear",
]

#: Design band per mode: (cover low, cover high) m, (grade low, grade high) % — the same
#: band as the economics input table (cover_m, grade_pct); loop uses road's cover.
DESIGN_BAND = {
    "rail": ((50.0, 100.0), (1.0, 1.25)),
    "road": ((50.0, 100.0), (4.0, 5.0)),
    "loop": ((50.0, 100.0), (4.0, 6.0)),
}


@dataclass
class RouteContext:
    """One route as the sweep's workers see it (small, picklable).

    Attributes
    ----------
    route_id, route_name, mode : str
    covers_m, grades_pct, biases_m : ndarray
        The lattice axes: rock cover (m), gradient (%), vertical grid bias (m).
    tunnel_km : ndarray
        Tunnel length portal to portal (km), shape ``(covers, grades, biases)``.
    sections_m : ndarray
        Lengths between consecutive launch sites (m), shape ``(covers, grades, biases, k)``.
    shaft_m : ndarray
        Shaft depth at each launch site to the invert (m; NaN at portals), shape
        ``(covers, grades, biases, k + 1)``.
    site_kinds : tuple of str
        ``"portal"`` or ``"island"`` per launch site, in chainage order.
    n_bores : int
        Full-length bores of the mode's preset.
    grid_name : str
    sigma_m : float
        Vertical uncertainty of the grid used, m.
    claims : list of dict
        ``{key, quantity, claimed, bound, unit, text}`` (see :func:`claims_of`).
    notes : list of str
    """

    route_id: str
    route_name: str
    mode: str
    covers_m: np.ndarray
    grades_pct: np.ndarray
    biases_m: np.ndarray
    tunnel_km: np.ndarray
    sections_m: np.ndarray
    shaft_m: np.ndarray
    site_kinds: tuple
    n_bores: int
    grid_name: str
    sigma_m: float
    claims: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def axes(self):
        return (self.covers_m, self.grades_pct, self.biases_m)

    def tunnel_length(self, cover, grade, bias) -> np.ndarray:
        """Tunnel length (km) for arrays of cover (m), grade (%) and bias (m)."""
        return trilinear(self.axes, self.tunnel_km, cover, grade, bias)

    def sections(self, cover, grade, bias) -> np.ndarray:
        """Section lengths (m), shape ``(n, k)``."""
        k = self.sections_m.shape[-1]
        return np.stack([trilinear(self.axes, self.sections_m[..., j], cover, grade, bias)
                         for j in range(k)], axis=-1)

    def shafts(self, cover, grade, bias) -> np.ndarray:
        """Shaft depths (m; NaN at portals), shape ``(n, k + 1)``."""
        cols = []
        for j, kind in enumerate(self.site_kinds):
            if kind == "island":
                cols.append(trilinear(self.axes, self.shaft_m[..., j], cover, grade, bias))
            else:
                cols.append(np.full(np.shape(cover), np.nan))
        return np.stack(cols, axis=-1)


def trilinear(axes, values, x, y, z) -> np.ndarray:
    """Trilinear interpolation on a regular lattice, points clipped to it (vectorised)."""
    idx, frac = [], []
    for ax, v in zip(axes, (x, y, z), strict=True):
        v = np.clip(np.asarray(v, dtype="float64"), ax[0], ax[-1])
        if ax.size == 1:
            idx.append(np.zeros(v.shape, dtype=int))
            frac.append(np.zeros(v.shape))
            continue
        i = np.clip(np.searchsorted(ax, v, side="right") - 1, 0, ax.size - 2)
        idx.append(i)
        frac.append((v - ax[i]) / (ax[i + 1] - ax[i]))
    out = 0.0
    for dx in (0, 1):
        for dy in (0, 1):
            for dz in (0, 1):
                ix = np.minimum(idx[0] + dx, values.shape[0] - 1)
                iy = np.minimum(idx[1] + dy, values.shape[1] - 1)
                iz = np.minimum(idx[2] + dz, values.shape[2] - 1)
                w = ((frac[0] if dx else 1 - frac[0]) * (frac[1] if dy else 1 - frac[1])
                     * (frac[2] if dz else 1 - frac[2]))
                out = out + w * values[ix, iy, iz]
    return np.asarray(out, dtype="float64")


_QUANTITY = {
    "length_km": "length_km", "tunnel_length_km": "length_km",
    "cost_busd": "cost_busd", "traditional_cost_busd": "cost_busd",
    "duration_years": "duration_years",
}


def claims_of(route) -> list[dict]:
    """The route's claims the sweep can test: length, cost and duration ones.

    A claim with ``bound`` ``"lower"`` is met at or above its value; every other one
    (``"upper"``, or a length stated without a bound, read as "no longer than") at or
    below it. Claims given as ranges or lists are left out.
    """
    rows = []
    for key, claim in (getattr(route, "claims", None) or {}).items():
        info = claim if isinstance(claim, dict) else {"value": claim}
        q = _QUANTITY.get(key)
        value = info.get("value")
        if q is None or isinstance(value, (list, tuple, dict)) or value is None:
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        rows.append({"key": key, "quantity": q, "claimed": value,
                     "bound": "lower" if info.get("bound") == "lower" else "upper",
                     "unit": info.get("unit") or "", "text": info.get("text") or ""})
    return rows


def _shaft_depth(site, d_max: float) -> float:
    if site.kind != "island" or site.crown_m is None:
        return float("nan")
    return float((site.site_elevation_m or 0.0) - site.crown_m + d_max)


def route_context(route, grid=None, *, mode: str | None = None, n_cover: int = 3,
                  n_grade: int = 3, n_bias: int = 5, bias_sigmas: float = 3.0) -> RouteContext:
    """Profile ``route`` on ``grid`` and tabulate its tunnel over the design band.

    Parameters
    ----------
    route : Route
    grid : Grid, path or None
        Bathymetry (default: the embedded ETOPO5).
    mode : str, optional
        ``"rail"`` or ``"road"`` (default: the route's own).
    n_cover, n_grade, n_bias : int
        Lattice points along cover, gradient and grid bias.
    bias_sigmas : float
        The bias axis spans ± this many σ of the grid's vertical uncertainty.

    Returns
    -------
    RouteContext

    Raises
    ------
    InputError
        Loop mode (its cost is a floor, not an estimate: nothing to sweep).
    """

    mode = mode or route.mode
    if mode == "loop":
        raise InputError(
            f"{route.name}: loop mode has no cost estimate to sweep (its cost is a floor, not "
            "an estimate — see docs/tunnel-model.md); use --mode rail or --mode road")
    g = grid if isinstance(grid, Grid) else open_grid(grid)
    (c0, c1), (g0, g1) = DESIGN_BAND[mode]
    vu = vertical_uncertainty(g.info.name)
    covers = np.linspace(c0, c1, n_cover)
    grades = np.linspace(g0, g1, n_grade)
    biases = np.linspace(-bias_sigmas * vu.sigma_m, bias_sigmas * vu.sigma_m, n_bias)
    profile = sample_profile(route, g)
    base_elev = profile["elevation_m"].to_numpy(dtype="float64").copy()
    base = TunnelParams.preset(mode)
    d_max = base.max_diameter_m
    shape = (n_cover, n_grade, n_bias)
    tunnel = np.empty(shape)
    sections, shafts, kinds, notes = None, None, None, []
    for k, b in enumerate(biases):
        prof = profile.copy()
        prof["elevation_m"] = base_elev + b
        for i, c in enumerate(covers):
            for j, gr in enumerate(grades):
                res = design_tunnel(prof, base.replace(cover_m=float(c), max_grade_pct=float(gr)),
                                    route=route)
                sites = res.shaft_sites
                these = tuple(s.kind for s in sites)
                if kinds is None:
                    kinds = these
                    sections = np.empty((*shape, len(sites) - 1))
                    shafts = np.empty((*shape, len(sites)))
                if these != kinds:  # a design with other launch sites: keep the first layout
                    raise InputError(
                        f"{route.name}: the launch sites change across the design band "
                        f"({'/'.join(kinds)} vs {'/'.join(these)}); the sweep needs one layout")
                tunnel[i, j, k] = res.tunnel_length_m / 1000.0
                sections[i, j, k] = res.sections_m()
                shafts[i, j, k] = [_shaft_depth(s, d_max) for s in sites]
    notes.append(f"grid {g.info.name}: vertical uncertainty σ = {vu.sigma_m:g} m"
                 + (" (an assumption)" if vu.assumption else "") + f" — {vu.basis}")
    return RouteContext(
        route_id=route.id, route_name=route.name, mode=mode, covers_m=covers,
        grades_pct=grades, biases_m=biases, tunnel_km=tunnel, sections_m=sections,
        shaft_m=shafts, site_kinds=kinds, n_bores=int(base.total_bores),
        grid_name=g.info.name, sigma_m=vu.sigma_m, claims=claims_of(route), notes=notes)


# =============================================================================== shapes
#: How each input of the economics table becomes a distribution: (shape, why).
#: ``lognormal90``: lognormal with the table's low/high as P5/P95 (a 90 % interval);
#: ``lognormal80``: as P10/P90; ``uniform``: over low–high.
SHAPES = {
    "unit_cost_musd_per_bore_km": (
        "lognormal90", "lognormal: the economics model fits a log-normal to the reference "
        "class and gives its 90 % prediction interval, read here as P5/P95"),
    "tbm_rate_m_per_day": (
        "lognormal80", "lognormal: positive, most drives near the slow end and a few fast; "
        "the slowest and fastest of a handful of whole-drive averages read as P10/P90"),
    "fitout_years": (
        "uniform", "uniform: the cited cases spread over the range without a clear mode"),
    "procurement_years": (
        "uniform", "uniform between the one cited delivery time and an assumed slow end"),
    "arctic_cost_factor": ("uniform", "uniform: an assumed range, no evidence for either end"),
    "portal_site_years": ("uniform", "uniform: an assumed range, no evidence for either end"),
    "shaft_sink_m_per_day": ("uniform", "uniform: an assumed range, no evidence for either end"),
    "launch_years": ("uniform", "uniform: an assumed range, no evidence for either end"),
    "season_factor": (
        "uniform", "uniform between an assumed enclosed-work factor and the open-water window"),
    "cover_m": ("uniform", "uniform: a design choice inside the band, no evidence for either end"),
    "grade_pct": ("uniform",
                  "uniform: a design choice inside the band, no evidence for either end"),
}
#: Plain-words labels of the inputs (charts, tornado).
LABELS = {
    "unit_cost_musd_per_bore_km": "Unit cost per bore-km",
    "arctic_cost_factor": "Arctic cost factor",
    "tbm_rate_m_per_day": "Sustained TBM rate",
    "procurement_years": "TBM procurement",
    "portal_site_years": "Portal site works",
    "shaft_sink_m_per_day": "Shaft sinking rate",
    "launch_years": "TBM launch",
    "season_factor": "Arctic season factor",
    "fitout_years": "Fit-out and commissioning",
    "cover_m": "Rock cover",
    "grade_pct": "Gradient",
}
#: Inputs of the economics table that do not enter length, cost or duration here:
#: ``overrun_factor`` applies to claimed budgets (the model's costs are outturns already);
#: ``bulking_factor`` to spoil volumes.
UNUSED = ("overrun_factor", "bulking_factor")
_Z95 = 1.6448536269514722
_Z90 = 1.2815515655446004


def to_distribution(name: str, low: float, high: float) -> Distribution:
    """The distribution of an economics input from its range (see :data:`SHAPES`)."""
    shape = SHAPES.get(name, ("uniform", ""))[0]
    if low == high:
        return Distribution.fixed(low)
    if shape == "lognormal90":
        import math

        mu = 0.5 * (math.log(low) + math.log(high))
        return Distribution("lognormal", mu, (math.log(high) - math.log(low)) / (2 * _Z95))
    if shape == "lognormal80":
        return Distribution.lognormal_p10_p90(low, high)
    return Distribution.uniform(low, high)


def economics_model(mode: str = "rail", sigma_m: float = 20.0) -> SweepModel:
    """The economics model of issue 13 as a sweep model (inputs from its input table)."""

    if mode not in ("rail", "road"):
        raise InputError(f"the sweep models rail or road tunnels, not {mode!r}")
    inputs = []
    for i in econ.input_table(mode):
        if i.name in UNUSED:
            continue
        why = SHAPES.get(i.name, ("uniform", "uniform: no evidence about the shape"))[1]
        inputs.append(InputSpec(
            i.name, LABELS.get(i.name, i.name.replace("_", " ").capitalize()), i.unit,
            to_distribution(i.name, i.low, i.high),
            i.source + (f" ({'; '.join(i.sources[:3])})" if i.sources else ""), why,
            assumption=bool(i.assumption)))
    inputs.append(InputSpec(
        "grid_bias_m", "Grid depth error", "m", Distribution.normal(0.0, sigma_m),
        "per-dataset vertical uncertainty, docs/uncertainty.md (mapapp.uncertainty."
        "distributions.VERTICAL_UNCERTAINTY)",
        "normal about zero: a depth error is as likely up as down; one offset for the whole "
        "route (fully correlated) is the case that moves the ramps most", assumption=True))
    return SweepModel(
        name=f"economics model (mapapp.economics.model), {mode}",
        inputs=tuple(inputs), fn=economics_fn, price_year=int(BASE_YEAR),
        notes=("costs are outturn costs in constant US$ of the base year (reference class); "
               "the overrun factor applies to claimed budgets and is not sampled",
               "inputs are independent; the tunnel geometry is interpolated over the design "
               "band (cover × gradient × grid bias)"),
        versions={"model": "mapapp.economics.model"},
    )


def economics_fn(ctx: RouteContext, s: dict) -> dict:
    """Length, cost and duration of every scenario (vectorised; see :func:`economics_model`)."""

    cover, grade, bias = s["cover_m"], s["grade_pct"], s["grid_bias_m"]
    length = ctx.tunnel_length(cover, grade, bias)
    cost = econ.tunnel_cost_busd(length, ctx.n_bores, s["unit_cost_musd_per_bore_km"],
                                 s["arctic_cost_factor"])
    sections = ctx.sections(cover, grade, bias)  # (n, k)
    shafts = ctx.shafts(cover, grade, bias)  # (n, k + 1)
    site = np.empty_like(shafts)
    for j, kind in enumerate(ctx.site_kinds):
        if kind == "island":
            site[:, j] = econ.island_site_years(shafts[:, j], s["shaft_sink_m_per_day"],
                                                s["launch_years"], s["season_factor"])
        else:
            site[:, j] = s["portal_site_years"]
    duration = econ.programme_years(sections, site[:, :-1], site[:, 1:],
                                    s["procurement_years"], s["tbm_rate_m_per_day"],
                                    s["fitout_years"])
    return {"length_km": length, "cost_busd": cost, "duration_years": duration}


def default_model(mode: str = "rail", sigma_m: float = 20.0) -> SweepModel:
    """The model the CLI and the app sweep: :func:`economics_model`."""
    return economics_model(mode, sigma_m)


def model_versions(model: SweepModel) -> dict:
    """The model's versions plus mapapp's and the libraries'."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"mapapp": "0.1.0", "numpy": np.__version__, **model.versions}
    for pkg in ("dask", "distributed"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None

    out["price_base_year"] = int(BASE_YEAR)
    return out
