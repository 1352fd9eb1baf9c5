"""What the sweep evaluates per route: tunnel geometry over the design band, and the model.

Geometry
--------
The tunnel length and the longest drive between access points depend on the rock cover,
the gradient and the grid's depths. :func:`route_context` profiles the route once on the
grid, then designs the tunnel (:func:`mapapp.engineering.tunnel.design_tunnel`, public
API) on a lattice of cover × gradient × vertical grid bias, and stores the two lengths on
that lattice. A scenario's lengths are interpolated (trilinear, clipped to the lattice)
from it: a few hundred designs instead of one per scenario, and a context of a few kB that
travels to the workers instead of the grid.

The grid bias is one vertical offset for the whole route (metres, positive = shallower
sea), drawn from N(0, σ) with σ the grid's vertical uncertainty
(:func:`mapapp.uncertainty.distributions.vertical_uncertainty`): a route-wide, fully
correlated error, the case that moves the deepest point and hence the ramps most.

Model
-----
:func:`default_model` gives the cost and schedule model the sweep runs. It prefers the
project's economics model (``mapapp.economics``) when that package is installed, and
otherwise falls back to :func:`interim_model`, built from the engineering references that
the tunnel model already uses (:mod:`mapapp.core.references`, mixed price years — its
results say so).

Examples
--------
>>> trilinear((np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0])),
...           np.arange(8.0).reshape(2, 2, 2),
...           np.array([0.5]), np.array([0.5]), np.array([0.5])).tolist()
[3.5]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mapapp.core import references as refs
from mapapp.core.errors import InputError
from mapapp.uncertainty.distributions import Distribution, InputSpec, vertical_uncertainty
from mapapp.uncertainty.sweep import SweepModel

__all__ = [
    "RouteContext",
    "claims_of",
    "default_model",
    "interim_model",
    "route_context",
    "trilinear",
]

_DAYS_PER_YEAR = 365.25

#: Design band per mode: (cover low, cover high) m, (grade low, grade high) %.
DESIGN_BAND = {
    "rail": ((50.0, 100.0), (1.0, 1.25)),
    "road": ((50.0, 100.0), (4.0, 5.0)),
    "loop": ((50.0, 100.0), (4.0, 6.0)),
}
_BAND_SOURCE = (
    "cover: 50 m (Norwegian subsea rule) to 100 m (Seikan) — mapapp.core.references "
    "COVER_FIGURES; gradient: rail 1.0 % (heavy freight) to 1.25 % (mainline), road 4–5 % "
    "(EU directive 2004/54 limit 5 %) — GRADE_LIMITS; the band as set in issue 13"
)


@dataclass
class RouteContext:
    """One route as the sweep's workers see it (small, picklable).

    Attributes
    ----------
    route_id, route_name, mode : str
    covers_m, grades_pct, biases_m : ndarray
        The lattice axes: rock cover (m), gradient (%), vertical grid bias (m).
    tunnel_km, drive_km : ndarray
        Tunnel length and longest stretch between access points (km) on the lattice,
        shape ``(covers, grades, biases)``.
    faces : int
        Faces per bore at the nominal design (2 per stretch).
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
    drive_km: np.ndarray
    faces: int
    grid_name: str
    sigma_m: float
    claims: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def lengths(self, cover, grade, bias) -> tuple[np.ndarray, np.ndarray]:
        """Tunnel length and longest drive (km) for arrays of cover (m), grade (%), bias (m)."""
        axes = (self.covers_m, self.grades_pct, self.biases_m)
        return (trilinear(axes, self.tunnel_km, cover, grade, bias),
                trilinear(axes, self.drive_km, cover, grade, bias))


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


def route_context(route, grid=None, *, n_cover: int = 3, n_grade: int = 4, n_bias: int = 7,
                  bias_sigmas: float = 3.0) -> RouteContext:
    """Profile ``route`` on ``grid`` and tabulate its tunnel over the design band.

    Parameters
    ----------
    route : Route
    grid : Grid, path or None
        Bathymetry (default: the embedded ETOPO5).
    n_cover, n_grade, n_bias : int
        Lattice points along cover, gradient and grid bias.
    bias_sigmas : float
        The bias axis spans ± this many σ of the grid's vertical uncertainty.

    Returns
    -------
    RouteContext
    """
    from mapapp.data.bathymetry import Grid, open_grid
    from mapapp.engineering.profile import sample_profile
    from mapapp.engineering.tunnel import TunnelParams, design_tunnel

    g = grid if isinstance(grid, Grid) else open_grid(grid)
    mode = route.mode if route.mode in DESIGN_BAND else "rail"
    (c0, c1), (g0, g1) = DESIGN_BAND[mode]
    vu = vertical_uncertainty(g.info.name)
    covers = np.linspace(c0, c1, n_cover)
    grades = np.linspace(g0, g1, n_grade)
    biases = np.linspace(-bias_sigmas * vu.sigma_m, bias_sigmas * vu.sigma_m, n_bias)
    profile = sample_profile(route, g)
    base_elev = profile["elevation_m"].to_numpy(dtype="float64").copy()
    tunnel = np.empty((n_cover, n_grade, n_bias))
    drive = np.empty_like(tunnel)
    faces = 2
    base = TunnelParams.preset(mode)
    for k, b in enumerate(biases):
        prof = profile.copy()
        prof.attrs = dict(profile.attrs)
        prof["elevation_m"] = base_elev + b
        for i, c in enumerate(covers):
            for j, gr in enumerate(grades):
                res = design_tunnel(prof, base.replace(cover_m=float(c),
                                                       max_grade_pct=float(gr)))
                tunnel[i, j, k] = res.tunnel_length_m / 1000.0
                drive[i, j, k] = res.longest_stretch_without_access_m / 1000.0
                if k == n_bias // 2 and i == 0 and j == n_grade - 1:
                    faces = int(res.faces_per_bore)
    return RouteContext(
        route_id=route.id, route_name=route.name, mode=mode, covers_m=covers,
        grades_pct=grades, biases_m=biases, tunnel_km=tunnel, drive_km=drive, faces=faces,
        grid_name=g.info.name, sigma_m=vu.sigma_m, claims=claims_of(route),
        notes=[f"grid {g.info.name}: vertical uncertainty σ = {vu.sigma_m:g} m"
               + (" (an assumption)" if vu.assumption else "") + f" — {vu.basis}"],
    )


# =============================================================================== interim
def _geometry_inputs(mode: str, sigma_m: float) -> list[InputSpec]:
    (c0, c1), (g0, g1) = DESIGN_BAND[mode]
    return [
        InputSpec("cover_m", "Rock cover", "m", Distribution.uniform(c0, c1), _BAND_SOURCE,
                  "uniform: a design choice inside the band, no evidence for either end"),
        InputSpec("grade_pct", "Gradient", "%", Distribution.uniform(g0, g1), _BAND_SOURCE,
                  "uniform: a design choice inside the band, no evidence for either end"),
        InputSpec("grid_bias_m", "Grid depth error", "m", Distribution.normal(0.0, sigma_m),
                  "per-dataset vertical uncertainty, mapapp.uncertainty.distributions."
                  "VERTICAL_UNCERTAINTY",
                  "normal about zero: a depth error is as likely up as down; route-wide "
                  "(fully correlated) is the case that moves the ramps most",
                  assumption=True),
    ]


def interim_model(mode: str = "rail", sigma_m: float = 20.0) -> SweepModel:
    """A first-order cost and schedule model from the engineering references.

    Used only while the project's economics model (issue 13) is not installed.

    * cost = tunnel length × cost per km; the cost per km is lognormal with P10/P90 at the
      low and high ends of the mode's unit-cost references (``mapapp.core.references.
      UNIT_COSTS``, outturn costs **in their own price years**, so ``price_year`` is None);
    * duration = TBM procurement + boring of the longest drive from both ends at a sustained
      rate + fit-out. Sustained rate lognormal, P10 7 m/day (Gotthard, 4 TBMs, whole-drive
      average) to P90 25.6 m/day (Channel, UK marine running tunnel south, best whole-drive
      average); procurement 13 months (Channel TBMs, contract to delivery) to 2 years
      (assumption); fit-out 2.1 years (Lötschberg) to 6.2 years (Gotthard), final
      breakthrough to service (shared/reference/reference-class.md §C).
    """
    if mode not in DESIGN_BAND:
        raise InputError(f"mode {mode!r} is not one of {', '.join(DESIGN_BAND)}")
    keys = refs.MODE_DEFAULTS[mode]["cost_refs"]
    units = [refs.UNIT_COSTS[k] for k in keys]
    bores = 2 if mode in ("rail", "loop") else 1
    lo = min(u.usd_m_per_km_low * (bores if u.basis == "per_tube" else 1) for u in units)
    hi = max(u.usd_m_per_km_high * (bores if u.basis == "per_tube" else 1) for u in units)
    rc = "shared/reference/reference-class.md §C"
    inputs = _geometry_inputs(mode, sigma_m) + [
        InputSpec("cost_per_km_musd", "Cost per km", "US$ m per km (mixed price years)",
                  Distribution.lognormal_p10_p90(lo, hi),
                  "mapapp.core.references.UNIT_COSTS " + ", ".join(keys) + ": "
                  + "; ".join(s for k in keys for s in refs.UNIT_COSTS[k].sources[:1]),
                  "lognormal: a positive cost whose errors multiply, with a long right "
                  "tail; the references' low/high read as P10/P90"),
        InputSpec("tbm_rate_m_per_day", "Sustained TBM rate", "m/day per face",
                  Distribution.lognormal_p10_p90(7.0, 25.6),
                  f"{rc}: Gotthard 4 TBMs ≈7 m/machine-day; Channel UK marine south 25.6 m/day",
                  "lognormal: positive, most drives near the slow end, a few fast ones"),
        InputSpec("procurement_years", "TBM procurement", "years",
                  Distribution.uniform(13 / 12, 2.0),
                  f"{rc}: Channel TBMs 13 months contract to delivery; 2 years an assumption",
                  "uniform between the one cited case and an assumed slow end",
                  assumption=True),
        InputSpec("fitout_years", "Fit-out and commissioning", "years",
                  Distribution.uniform(2.1, 6.2),
                  f"{rc}: final breakthrough to service, Lötschberg 2.1 – Gotthard 6.2 years",
                  "uniform: six cases spread over the range without a clear mode"),
    ]
    return SweepModel(
        name="interim reference-range model (mapapp.core.references; economics model "
             "not installed)",
        inputs=tuple(inputs), fn=interim_fn, price_year=None,
        notes=("costs are in the price years of their sources (mixed), not one base year: "
               "install the economics model (issue 13) for constant dollars",
               "duration omits shafts and the Arctic season; boring is from both ends of "
               "the longest stretch between access points"),
        versions={"model": "interim-1"},
    )


def interim_fn(ctx: RouteContext, s: dict) -> dict:
    """The interim model, vectorised (see :func:`interim_model`)."""
    length, drive = ctx.lengths(s["cover_m"], s["grade_pct"], s["grid_bias_m"])
    cost = length * s["cost_per_km_musd"] / 1000.0
    boring = drive * 1000.0 / 2.0 / s["tbm_rate_m_per_day"] / _DAYS_PER_YEAR
    duration = s["procurement_years"] + boring + s["fitout_years"]
    return {"length_km": length, "cost_busd": cost, "duration_years": duration}


def default_model(mode: str = "rail", sigma_m: float = 20.0) -> SweepModel:
    """The economics model's sweep adapter when installed, else :func:`interim_model`."""
    try:
        from mapapp.uncertainty import econ_adapter  # present once issue 13 is merged
    except ImportError:
        return interim_model(mode, sigma_m)
    return econ_adapter.sweep_model(mode, sigma_m)


def _versions() -> dict:
    import numpy

    return {"numpy": numpy.__version__}


def model_versions(model: SweepModel) -> dict:
    """The model's versions plus mapapp's and the libraries'."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"mapapp": "0.1.0", **_versions(), **model.versions}
    for pkg in ("dask", "distributed"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out

