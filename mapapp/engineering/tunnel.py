"""What a bored tunnel along a route would take: alignment, quantities, cost, schedule.

The model is deliberately simple and fully documented in ``docs/tunnel-model.md``; every
parameter default comes from :mod:`mapapp.core.references`, with its source.

Vertical alignment
------------------
On the profile samples ``s_i`` (chainage, m) each sample carries a *ceiling* ``c_i``, the
highest the tunnel may be there:

* under the sea: ``seabed − cover``;
* under an island (a land stretch between two sea stretches): ``terrain − cover``;
* under the mainland at either end of the route: ``terrain`` (the approach ramps may come
  up to the surface there; that is where the portals are).

The tunnel is the *shallowest* profile ``z(s)`` that stays at or below every ceiling and
never exceeds the gradient ``g``: the lower envelope of cones

    z_i = min_j ( c_j + g · |s_i − s_j| ),

computed exactly on the samples in O(n) with two running minima (:func:`lower_envelope`).
Portals are at ground level at the route's ends (sea level if a route ends at sea). If the
envelope at an end lies below the portal, the gradient cannot reach the portal within the
route: the alignment is extended *beyond* the end, virtually, at the gradient, over
``approach_needed_m = (portal − z_end) / g`` — reported, never hidden. Where the envelope
reaches the ground inland of the shore the line is at grade: the portal is the last
at-grade sample before the tunnel dives continuously to the sea.

Examples
--------
>>> lower_envelope([0, 100, 200, 300], [0.0, -60.0, -60.0, 0.0], 0.5).tolist()
[-10.0, -60.0, -60.0, -10.0]
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mapapp.core import references as refs
from mapapp.core.errors import InputError, TunnelError
from mapapp.engineering.profile import sample_profile, surface_runs
from mapapp.routes.route import MODES

__all__ = [
    "Bore",
    "TunnelParams",
    "TunnelResult",
    "bores_from_ref",
    "compare_claims",
    "design_tunnel",
    "lower_envelope",
    "tunnel_for_route",
]

#: Vertical tolerance (m) for "at grade" and "meets the portal".
Z_TOL_M = 1e-6
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Bore:
    """A bore (tube) of the tunnel system: diameter in metres, how many, its role."""

    diameter_m: float
    count: int = 1
    role: str = "running"

    @property
    def area_m2(self) -> float:
        """Excavated cross-section of one bore, m² (π/4 · D²)."""
        return math.pi / 4.0 * self.diameter_m**2


def bores_from_ref(key: str) -> tuple[Bore, ...]:
    """The bores of a layout in :data:`mapapp.core.references.BORE_REFERENCES`.

    >>> [(b.diameter_m, b.count, b.role) for b in bores_from_ref("channel_tunnel")]
    [(7.6, 2, 'running'), (4.8, 1, 'service')]
    """
    if key not in refs.BORE_REFERENCES:
        raise InputError(f"unknown bore layout {key!r}; choose from {', '.join(refs.BORE_REFERENCES)}")
    return tuple(Bore(d, n, role) for d, n, role in refs.BORE_REFERENCES[key].bores)


_bores_from_ref = bores_from_ref  # earlier private name, kept for callers


@dataclass(frozen=True)
class TunnelParams:
    """Parameters of the tunnel model (see :meth:`preset` for the per-mode defaults).

    Attributes
    ----------
    mode : str
        ``"rail"``, ``"road"`` or ``"loop"``.
    max_grade_pct : float
        Largest longitudinal gradient, percent (0 < g ≤ 30).
    cover_m : float
        Minimum rock cover between the tunnel and the seabed (or island terrain), metres.
    bores : tuple of Bore
        The tubes bored (all of them, for the excavated volume).
    cost_refs : tuple of str
        Keys of :data:`mapapp.core.references.UNIT_COSTS` spanning the cost range.
    rate_refs : tuple of str
        Keys of :data:`mapapp.core.references.ADVANCE_RATES` spanning the schedule range.
    grade_ref, cover_ref, bores_ref : str
        Reference behind each value, or ``"user"`` when set by hand.
    """

    mode: str = "rail"
    max_grade_pct: float = 1.25
    cover_m: float = 50.0
    bores: tuple[Bore, ...] = field(default_factory=lambda: _bores_from_ref("channel_tunnel"))
    cost_refs: tuple[str, ...] = ("gotthard_base", "channel_tunnel")
    rate_refs: tuple[str, ...] = ("typical_sustained", "hard_rock_good")
    grade_ref: str = "rail_mainline"
    cover_ref: str = "norway_rule"
    bores_ref: str = "channel_tunnel"

    def __post_init__(self):
        if self.mode not in MODES:
            raise InputError(f"tunnel mode {self.mode!r} is not one of {', '.join(MODES)}")
        g = _finite(self.max_grade_pct, "maximum gradient (%)")
        if not 0.0 < g <= 30.0:
            raise InputError(f"maximum gradient must be > 0 and ≤ 30 %, got {g:g} %")
        c = _finite(self.cover_m, "rock cover (m)")
        if not 0.0 <= c <= 1000.0:
            raise InputError(f"rock cover must be between 0 and 1000 m, got {c:g} m")
        object.__setattr__(self, "max_grade_pct", g)
        object.__setattr__(self, "cover_m", c)
        bores = tuple(self.bores)
        if not bores:
            raise InputError("the tunnel needs at least one bore")
        for b in bores:
            if not (0.5 <= float(b.diameter_m) <= 30.0) or int(b.count) < 1:
                raise InputError(
                    f"bore diameter must be 0.5–30 m and count ≥ 1, got {b.diameter_m} m × {b.count}"
                )
        object.__setattr__(self, "bores", bores)
        for name, table, keys in (
            ("unit-cost", refs.UNIT_COSTS, self.cost_refs),
            ("advance-rate", refs.ADVANCE_RATES, self.rate_refs),
        ):
            if not keys:
                raise InputError(f"choose at least one {name} reference")
            bad = [k for k in keys if k not in table]
            if bad:
                raise InputError(
                    f"unknown {name} reference {', '.join(bad)}; choose from {', '.join(table)}"
                )
        object.__setattr__(self, "cost_refs", tuple(self.cost_refs))
        object.__setattr__(self, "rate_refs", tuple(self.rate_refs))

    @classmethod
    def preset(cls, mode: str = "rail", **overrides) -> TunnelParams:
        """Defaults for ``mode`` from :data:`mapapp.core.references.MODE_DEFAULTS`.

        Keyword arguments override single fields; an overridden gradient, cover or bore
        layout is marked as ``"user"`` (its reference no longer applies). ``None`` values
        are ignored, so CLI options can be passed straight through.

        >>> p = TunnelParams.preset("road", cover_m=60)
        >>> p.max_grade_pct, p.cover_m, p.cover_ref, len(p.bores)
        (5.0, 60.0, 'user', 1)
        """
        if mode not in refs.MODE_DEFAULTS:
            raise InputError(f"tunnel mode {mode!r} is not one of {', '.join(MODES)}")
        d = refs.MODE_DEFAULTS[mode]
        base = {
            "mode": mode,
            "max_grade_pct": refs.GRADE_LIMITS[d["grade_ref"]].max_grade_pct,
            "cover_m": refs.COVER_FIGURES[d["cover_ref"]].cover_m_low,
            "bores": _bores_from_ref(d["bores_ref"]),
            "cost_refs": d["cost_refs"],
            "rate_refs": d["rate_refs"],
            "grade_ref": d["grade_ref"],
            "cover_ref": d["cover_ref"],
            "bores_ref": d["bores_ref"],
        }
        overrides = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(overrides) - set(base)
        if unknown:
            raise InputError(f"unknown tunnel parameter(s): {', '.join(sorted(unknown))}")
        for key, ref in (("max_grade_pct", "grade_ref"), ("cover_m", "cover_ref"),
                         ("bores", "bores_ref")):
            if key in overrides and overrides[key] != base[key] and ref not in overrides:
                overrides[ref] = "user"
        return cls(**{**base, **overrides})

    def replace(self, **changes) -> TunnelParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def running_bores(self) -> int:
        """Number of running (traffic) bores — multiplies per-tube unit costs."""
        return sum(b.count for b in self.bores if b.role == "running") or sum(
            b.count for b in self.bores
        )

    @property
    def total_bores(self) -> int:
        """Number of bores of every role."""
        return sum(b.count for b in self.bores)

    def assumptions(self) -> list[str]:
        """Plain-words list of what these parameters assume without a source."""
        out = []
        grade = refs.GRADE_LIMITS.get(self.grade_ref)
        if grade is not None and grade.assumption:
            out.append(f"gradient {self.max_grade_pct:g} %: {grade.basis}")
        bore = refs.BORE_REFERENCES.get(self.bores_ref)
        if bore is not None and bore.assumption:
            out.append(f"bores: {bore.basis}")
        for key, ref in (("gradient", self.grade_ref), ("cover", self.cover_ref),
                         ("bores", self.bores_ref)):
            if ref == "user":
                out.append(f"{key} set by the user (no reference)")
        return out

    def sources(self) -> list[str]:
        """URLs behind every reference these parameters use."""
        return refs.sources_for(self.grade_ref, self.cover_ref, self.bores_ref,
                                *self.cost_refs, *self.rate_refs)

    def to_dict(self) -> dict:
        """Plain-JSON representation."""
        d = dataclasses.asdict(self)
        d["bores"] = [dataclasses.asdict(b) for b in self.bores]
        d["cost_refs"] = list(self.cost_refs)
        d["rate_refs"] = list(self.rate_refs)
        return d


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be a number, got {value!r}") from exc
    if not math.isfinite(v):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    return v


def lower_envelope(s, ceiling, grade: float) -> np.ndarray:
    """Shallowest profile below every ceiling with slope at most ``grade``.

    ``z_i = min_j (ceiling_j + grade · |s_i − s_j|)``, exactly, in O(n): a forward
    running minimum of ``ceiling − grade·s`` and a backward one of ``ceiling + grade·s``.

    Parameters
    ----------
    s : array-like
        Chainage, metres, non-decreasing.
    ceiling : array-like
        Highest allowed level at each sample, metres; NaN or +inf = no constraint.
    grade : float
        Largest slope, m/m (e.g. 0.0125 for 1.25 %).

    Returns
    -------
    numpy.ndarray
        Levels in metres (``+inf`` only if no sample has a constraint).
    """
    s = np.asarray(s, dtype="float64")
    c = np.asarray(ceiling, dtype="float64")
    c = np.where(np.isnan(c), np.inf, c)
    fwd = grade * s + np.minimum.accumulate(c - grade * s)
    bwd = np.minimum.accumulate((c + grade * s)[::-1])[::-1] - grade * s
    return np.minimum(np.minimum(fwd, bwd), c)


@dataclass
class TunnelResult:
    """Everything :func:`design_tunnel` computes. Lengths m, levels m (positive up).

    Tunnel levels are the **crown** (top of the bore), from which the cover is measured;
    ``max_invert_depth_below_sea_level_m`` adds the largest bore diameter.

    ``alignment`` is a DataFrame for charts with columns ``chainage_m, lon, lat, surface,
    seabed_m`` (seabed or terrain used), ``ceiling_m``, ``tunnel_z_m``, ``cover_m``
    (surface − tunnel), ``in_tunnel`` and ``virtual`` (True on the two rows that end the
    approaches beyond the route, if any; their lon/lat are NaN). :meth:`to_dict` gives the
    scalar results and tables as plain JSON.
    """

    route_id: str
    route_name: str
    params: TunnelParams
    alignment: pd.DataFrame
    route_length_m: float
    tunnel_length_m: float
    subsea_length_m: float
    max_depth_below_sea_level_m: float
    max_invert_depth_below_sea_level_m: float
    max_water_depth_m: float
    mean_water_depth_m: float
    max_grade_pct: float
    portal_start_m: float
    portal_end_m: float
    portal_start_elevation_m: float
    portal_end_elevation_m: float
    approach_needed_m_start: float
    approach_needed_m_end: float
    excavated_volume_m3: float
    access_points: list[dict]
    stretches: list[dict]
    longest_stretch_without_access_m: float
    faces_per_bore: int
    costs: list[dict]
    cost_busd_low: float
    cost_busd_high: float
    cost_low_ref: str
    cost_high_ref: str
    durations: list[dict]
    duration_years_low: float
    duration_years_high: float
    duration_low_ref: str
    duration_high_ref: str
    claims: dict
    claims_comparison: list[dict]
    grid_name: str
    grid_resolution: str
    step_m: float
    warnings: list[str]
    caveat: str

    @property
    def islands(self) -> list[dict]:
        """Access points of kind ``island``."""
        return [a for a in self.access_points if a["kind"] == "island"]

    def to_dict(self) -> dict:
        """Plain-JSON results (NaN → None); lengths in km where the key says so."""
        d = {
            "route_id": self.route_id,
            "route_name": self.route_name,
            "mode": self.params.mode,
            "route_length_km": self.route_length_m / 1000,
            "tunnel_length_km": self.tunnel_length_m / 1000,
            "subsea_length_km": self.subsea_length_m / 1000,
            "max_depth_below_sea_level_m": self.max_depth_below_sea_level_m,
            "max_invert_depth_below_sea_level_m": self.max_invert_depth_below_sea_level_m,
            "max_water_depth_m": self.max_water_depth_m,
            "mean_water_depth_m": self.mean_water_depth_m,
            "max_grade_pct": self.max_grade_pct,
            "portal_start_chainage_km": self.portal_start_m / 1000,
            "portal_end_chainage_km": self.portal_end_m / 1000,
            "portal_start_elevation_m": self.portal_start_elevation_m,
            "portal_end_elevation_m": self.portal_end_elevation_m,
            "approach_needed_m_start": self.approach_needed_m_start,
            "approach_needed_m_end": self.approach_needed_m_end,
            "excavated_volume_m3": self.excavated_volume_m3,
            "longest_stretch_without_access_km": self.longest_stretch_without_access_m / 1000,
            "faces_per_bore": self.faces_per_bore,
            "cost_busd_low": self.cost_busd_low,
            "cost_busd_high": self.cost_busd_high,
            "cost_low_ref": self.cost_low_ref,
            "cost_high_ref": self.cost_high_ref,
            "duration_years_low": self.duration_years_low,
            "duration_years_high": self.duration_years_high,
            "duration_low_ref": self.duration_low_ref,
            "duration_high_ref": self.duration_high_ref,
            "access_points": self.access_points,
            "stretches": self.stretches,
            "costs": self.costs,
            "durations": self.durations,
            "claims": self.claims,
            "claims_comparison": self.claims_comparison,
            "params": self.params.to_dict(),
            "assumptions": self.params.assumptions(),
            "sources": self.params.sources(),
            "grid_name": self.grid_name,
            "grid_resolution": self.grid_resolution,
            "step_m": self.step_m,
            "warnings": list(self.warnings),
            "caveat": self.caveat,
        }
        return _jsonable(d)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


# ---------------------------------------------------------------------------- the model
def _check_profile(profile: pd.DataFrame):
    missing = {"chainage_m", "elevation_m", "surface"} - set(profile.columns)
    if missing:
        raise TunnelError(f"profile lacks column(s) {', '.join(sorted(missing))}")
    if len(profile) < 2:
        raise TunnelError("profile needs at least two samples")
    s = profile["chainage_m"].to_numpy(dtype="float64")
    if not np.isfinite(s).all() or (np.diff(s) < 0).any():
        raise TunnelError("profile chainage must be finite and non-decreasing")
    surf = profile["surface"].astype(str).to_numpy()
    bad = set(np.unique(surf)) - {"sea", "land"}
    if bad:
        raise TunnelError(f"profile surface must be 'sea' or 'land', found {sorted(bad)}")
    return s, profile["elevation_m"].to_numpy(dtype="float64"), surf


def _interp_xy(profile: pd.DataFrame, at_m: float) -> tuple[float | None, float | None]:
    if "lon" not in profile.columns:
        return None, None
    s = profile["chainage_m"].to_numpy(dtype="float64")
    if at_m < s[0] or at_m > s[-1]:
        return None, None
    lon = float(np.interp(at_m, s, profile["lon"].to_numpy(dtype="float64")))
    lat = float(np.interp(at_m, s, profile["lat"].to_numpy(dtype="float64")))
    return lon, lat


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km"


def design_tunnel(
    profile: pd.DataFrame,
    params: TunnelParams | None = None,
    *,
    claims: dict | None = None,
) -> TunnelResult:
    """Design the shallowest tunnel along a profile and estimate what it takes.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`mapapp.engineering.profile.sample_profile` (needs ``chainage_m`` m,
        ``elevation_m`` m positive up, ``surface`` sea/land; ``lon``/``lat`` degrees
        are used to place access points). Its ``attrs`` supply the route name, claims and
        grid description when present.
    params : TunnelParams, optional
        Defaults to the preset of the profile's route mode (``attrs["mode"]``) or rail.
    claims : dict, optional
        The proposal's claims to show beside the computed figures (default
        ``profile.attrs["claims"]``).

    Returns
    -------
    TunnelResult

    Raises
    ------
    TunnelError
        If the profile is malformed or never crosses the sea.
    """
    s, elev, surf = _check_profile(profile)
    attrs = dict(profile.attrs)
    if params is None:
        params = TunnelParams.preset(attrs.get("mode") or "rail")
    claims = dict(attrs.get("claims") or {}) if claims is None else dict(claims)
    name = str(attrs.get("route_name") or attrs.get("route_id") or "route")
    land = surf == "land"
    sea = ~land
    if not sea.any():
        raise TunnelError(
            f"{name} does not cross the sea according to the coastline: nothing to tunnel "
            "under. Extend the route across the strait."
        )
    n = s.size
    g = params.max_grade_pct / 100.0
    cover = params.cover_m
    warnings: list[str] = []
    cells = np.diff(np.concatenate([[s[0]], 0.5 * (s[1:] + s[:-1]), [s[-1]]]))
    edges = np.concatenate([[s[0]], 0.5 * (s[1:] + s[:-1]), [s[-1]]])

    # surface level consistent with the coastline; NaN handling
    nan = np.isnan(elev)
    ground = np.where(land, np.maximum(elev, 0.0), np.minimum(elev, 0.0))
    if (land & nan).any():
        ground[land & nan] = 0.0
        warnings.append(
            f"{int((land & nan).sum())} land sample(s) (≈{_km(cells[land & nan].sum())}) have no "
            "grid value: terrain assumed at sea level there."
        )
    if (sea & nan).any():
        warnings.append(
            f"{int((sea & nan).sum())} sea sample(s) (≈{_km(cells[sea & nan].sum())}) have no grid "
            "value (outside the grid or nodata): the cover constraint is not enforced there."
        )
    if attrs.get("adjusted_count"):
        warnings.append(
            f"{attrs['adjusted_count']} sample(s) where grid and coastline disagree were set to "
            "sea level (see the profile's elevation_grid_m)."
        )

    runs = surface_runs(surf)
    lead_end = runs[0][1] if runs[0][2] == "land" else -1
    trail_start = runs[-1][0] if runs[-1][2] == "land" else n
    ceiling = ground - cover  # sea and islands
    ceiling[: lead_end + 1] = ground[: lead_end + 1]
    ceiling[trail_start:] = ground[trail_start:]
    ceiling[sea & nan] = np.inf

    portal0 = float(ground[0]) if land[0] else 0.0
    portal1 = float(ground[-1]) if land[-1] else 0.0
    for at, is_sea in (("start", sea[0]), ("end", sea[-1])):
        if is_sea:
            warnings.append(
                f"the route {at}s at sea: its {at} portal is assumed at sea level on land "
                f"beyond the route {at} (draw the route onto land for a real portal)."
            )

    z = lower_envelope(s, ceiling, g)
    a0 = max(0.0, (portal0 - z[0]) / g) if portal0 - z[0] > Z_TOL_M else 0.0
    a1 = max(0.0, (portal1 - z[-1]) / g) if portal1 - z[-1] > Z_TOL_M else 0.0
    for at, a in (("start", a0), ("end", a1)):
        if a > 0:
            warnings.append(
                f"the {at} portal cannot be reached within the route at {params.max_grade_pct:g} "
                f"%: {a / 1000:.2f} km of approach beyond the route {at} is needed (included "
                "in the tunnel length)."
            )

    at_grade = z >= ground - Z_TOL_M
    if a0 > 0 or lead_end < 0:
        i0 = 0
    else:
        i0 = int(np.flatnonzero(at_grade[: lead_end + 1])[-1])
    if a1 > 0 or trail_start >= n:
        i1 = n - 1
    else:
        i1 = trail_start + int(np.flatnonzero(at_grade[trail_start:])[0])
    s_start = s[0] - a0 if a0 > 0 else s[i0]
    s_end = s[-1] + a1 if a1 > 0 else s[i1]
    tunnel_len = float(s_end - s_start)

    span = slice(i0, i1 + 1)
    ds, dz = np.diff(s[span]), np.diff(z[span])
    ok = ds > 0
    grades = np.abs(dz[ok]) / ds[ok]
    max_grade = max(float(grades.max()) if grades.size else 0.0, g if (a0 or a1) else 0.0)
    max_grade = min(max_grade, g)  # rounding only: the envelope is g-Lipschitz

    sea_ground = ground[sea & ~nan]
    max_water = float(-sea_ground.min()) if sea_ground.size else float("nan")
    sea_ok = sea & ~nan
    mean_water = (float(-(ground[sea_ok] * cells[sea_ok]).sum() / cells[sea_ok].sum())
                  if cells[sea_ok].sum() > 0 else float("nan"))
    max_depth = float(-z[span].min())
    volume = sum(b.count * b.area_m2 for b in params.bores) * tunnel_len

    # access points and stretches without access
    intervals = []  # (lo, hi, kind) along the tunnel
    if a0 > 0 and sea[0]:
        intervals.append((s_start, s[0], "mainland"))
    for k, (a, b, val) in enumerate(runs):
        lo, hi = edges[a], edges[b + 1]
        if val == "land":
            kind = "mainland" if (k == 0 or k == len(runs) - 1) else "island"
        else:
            kind = "sea"
        if k == 0 and val == "land":
            lo = s_start
        if k == len(runs) - 1 and val == "land":
            hi = s_end
        intervals.append((lo, hi, kind))
    if a1 > 0 and sea[-1]:
        intervals.append((s[-1], s_end, "mainland"))
    access, stretches = [], []
    lon, lat = _interp_xy(profile, s[0])
    if s_start >= s[0]:
        lon, lat = _interp_xy(profile, s_start)
    access.append(_point("portal", "start portal", s_start, lon, lat, portal0, a0))
    for j, (lo, hi, kind) in enumerate(intervals):
        if kind == "island":
            lon, lat = _interp_xy(profile, 0.5 * (lo + hi))
            access.append({**_point("island", f"island {len(access)}", 0.5 * (lo + hi), lon, lat),
                           "start_m": lo, "end_m": hi, "length_m": hi - lo})
        elif kind == "sea":
            stretches.append({"start_m": lo, "end_m": hi, "length_m": hi - lo})
            for edge, other in ((lo, j - 1), (hi, j + 1)):
                if 0 <= other < len(intervals) and intervals[other][2] == "mainland":
                    lon, lat = _interp_xy(profile, edge)
                    access.append(_point("shore", "shore landfall", edge, lon, lat, 0.0))
    lon, lat = _interp_xy(profile, s[-1])
    if s_end <= s[-1]:
        lon, lat = _interp_xy(profile, s_end)
    access.append(_point("portal", "end portal", s_end, lon, lat, portal1, a1))
    access.sort(key=lambda p: p["chainage_m"])
    for k, p in enumerate(a for a in access if a["kind"] == "island"):
        p["name"] = f"island {k + 1}"
    longest = max(st["length_m"] for st in stretches)
    faces_per_bore = 2 * len(stretches)

    costs, c_lo, c_hi, c_lo_ref, c_hi_ref = _costs(params, tunnel_len)
    durs, d_lo, d_hi, d_lo_ref, d_hi_ref = _durations(params, longest)

    alignment = _alignment_frame(profile, s, surf, ground, ceiling, z, i0, i1, s_start, s_end,
                                 portal0, portal1, a0, a1)
    grid_name = str(attrs.get("grid_name") or "an unnamed grid")
    grid_res = str(attrs.get("grid_resolution") or "resolution unknown")
    step = float(attrs.get("step_m") or (np.median(np.diff(s)) if n > 1 else 0.0))
    caveat = (
        f"Indicative figures from a simple geometric model on {grid_name} ({grid_res}), "
        f"sampled every {step:.0f} m: depths, lengths and hence costs change with the grid's "
        "resolution (a coarse grid smooths the seabed and misses channels and islands). No "
        "geology, ventilation, safety spacing, financing or inflation is modelled; costs are "
        "in each reference's own currency year."
    )
    result = TunnelResult(
        route_id=str(attrs.get("route_id") or "route"),
        route_name=name,
        params=params,
        alignment=alignment,
        route_length_m=float(s[-1] - s[0]),
        tunnel_length_m=tunnel_len,
        subsea_length_m=float(cells[sea].sum()),
        max_depth_below_sea_level_m=max_depth,
        max_invert_depth_below_sea_level_m=max_depth + max(b.diameter_m for b in params.bores),
        max_water_depth_m=max_water,
        mean_water_depth_m=mean_water,
        max_grade_pct=100.0 * max_grade,
        portal_start_m=float(s_start),
        portal_end_m=float(s_end),
        portal_start_elevation_m=portal0,
        portal_end_elevation_m=portal1,
        approach_needed_m_start=float(a0),
        approach_needed_m_end=float(a1),
        excavated_volume_m3=float(volume),
        access_points=access,
        stretches=stretches,
        longest_stretch_without_access_m=float(longest),
        faces_per_bore=faces_per_bore,
        costs=costs,
        cost_busd_low=c_lo,
        cost_busd_high=c_hi,
        cost_low_ref=c_lo_ref,
        cost_high_ref=c_hi_ref,
        durations=durs,
        duration_years_low=d_lo,
        duration_years_high=d_hi,
        duration_low_ref=d_lo_ref,
        duration_high_ref=d_hi_ref,
        claims=claims,
        claims_comparison=[],
        grid_name=grid_name,
        grid_resolution=grid_res,
        step_m=step,
        warnings=warnings,
        caveat=caveat,
    )
    result.claims_comparison = compare_claims(claims, result)
    return result


def _point(kind, name, at_m, lon, lat, elevation_m=None, approach_m=None) -> dict:
    p = {"kind": kind, "name": name, "chainage_m": float(at_m), "lon": lon, "lat": lat}
    if elevation_m is not None:
        p["elevation_m"] = float(elevation_m)
    if approach_m is not None:
        p["approach_m"] = float(approach_m)
    return p


def _costs(params: TunnelParams, length_m: float):
    rows = []
    for key, u in refs.UNIT_COSTS.items():
        factor = params.running_bores if u.basis == "per_tube" else 1
        rows.append({
            "ref": key,
            "label": u.label,
            "kind": u.kind,
            "year": u.year,
            "basis": u.basis,
            "usd_m_per_km_low": u.usd_m_per_km_low * factor,
            "usd_m_per_km_high": u.usd_m_per_km_high * factor,
            "cost_busd_low": u.usd_m_per_km_low * factor * length_m / 1e6,
            "cost_busd_high": u.usd_m_per_km_high * factor * length_m / 1e6,
            "in_range": key in params.cost_refs,
            "sources": list(u.sources),
        })
    used = [r for r in rows if r["in_range"]]
    lo = min(used, key=lambda r: r["cost_busd_low"])
    hi = max(used, key=lambda r: r["cost_busd_high"])
    return rows, lo["cost_busd_low"], hi["cost_busd_high"], lo["ref"], hi["ref"]


def _durations(params: TunnelParams, longest_m: float):
    rows = []
    for key, a in refs.ADVANCE_RATES.items():
        days = longest_m / 2.0 / a.m_per_day
        rows.append({
            "ref": key,
            "label": a.label,
            "kind": a.kind,
            "m_per_day": a.m_per_day,
            "drive_m": longest_m / 2.0,
            "years": days / _DAYS_PER_YEAR,
            "in_range": key in params.rate_refs,
            "sources": list(a.sources),
        })
    used = [r for r in rows if r["in_range"]]
    fast = min(used, key=lambda r: r["years"])
    slow = max(used, key=lambda r: r["years"])
    return rows, fast["years"], slow["years"], fast["ref"], slow["ref"]


def _alignment_frame(profile, s, surf, ground, ceiling, z, i0, i1, s_start, s_end,
                     portal0, portal1, a0, a1) -> pd.DataFrame:
    idx = np.arange(s.size)
    df = pd.DataFrame({
        "chainage_m": s,
        "lon": profile["lon"].to_numpy(dtype="float64") if "lon" in profile else np.nan,
        "lat": profile["lat"].to_numpy(dtype="float64") if "lat" in profile else np.nan,
        "surface": surf,
        "seabed_m": ground,
        "ceiling_m": np.where(np.isfinite(ceiling), ceiling, np.nan),
        "tunnel_z_m": z,
        "cover_m": ground - z,
        "in_tunnel": (idx >= i0) & (idx <= i1),
        "virtual": np.zeros(s.size, dtype=bool),
    })
    extra = []
    for at, level, a in ((s_start, portal0, a0), (s_end, portal1, a1)):
        if a > 0:
            extra.append({"chainage_m": at, "lon": np.nan, "lat": np.nan, "surface": "land",
                          "seabed_m": level, "ceiling_m": level, "tunnel_z_m": level,
                          "cover_m": 0.0, "in_tunnel": True, "virtual": True})
    if extra:
        df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
        df = df.sort_values("chainage_m", kind="stable").reset_index(drop=True)
    return df


#: claim key → (computed key, what it is)
_CLAIM_KEYS = {
    "length_km": ("tunnel_length_km", "tunnel length, km"),
    "tunnel_length_km": ("tunnel_length_km", "tunnel length, km"),
    "subsea_length_km": ("subsea_length_km", "length under the sea, km"),
    "segments_km": ("stretches_km", "undersea stretches between access points, km"),
    "legs_km": ("stretches_km", "undersea stretches between access points, km"),
    "cost_busd": ("cost_busd", "tunnel cost, US$ bn"),
    "duration_years": ("duration_years", "build time, years (model: boring only)"),
    "max_depth_m": ("max_water_depth_m", "maximum water depth, m"),
    "mean_depth_m": ("mean_water_depth_m", "mean water depth, m"),
}


def compare_claims(claims: dict, result: TunnelResult) -> list[dict]:
    """Pair a proposal's claims with the computed figures.

    Parameters
    ----------
    claims : dict
        ``{key: value}`` or the presets' structured form ``{key: {"value", "unit",
        "bound", "text"}}``.
    result : TunnelResult

    Returns
    -------
    list of dict
        One row per claim: ``claim`` (key), ``quantity`` (plain words), ``claimed``
        (number, ``[low, high]`` or list), ``bound`` (``"upper"``/``"lower"``/None),
        ``unit``, ``text`` and ``computed`` (number, ``[low, high]`` range or list; None
        where the model computes nothing comparable, e.g. a whole rail corridor's cost).
    """
    computed = {
        "tunnel_length_km": result.tunnel_length_m / 1000,
        "subsea_length_km": result.subsea_length_m / 1000,
        "cost_busd": [result.cost_busd_low, result.cost_busd_high],
        "duration_years": [result.duration_years_low, result.duration_years_high],
        "max_water_depth_m": result.max_water_depth_m,
        "mean_water_depth_m": result.mean_water_depth_m,
        "stretches_km": [st["length_m"] / 1000 for st in result.stretches],
    }
    rows = []
    for key, claim in claims.items():
        info = claim if isinstance(claim, dict) else {"value": claim}
        ckey, what = _CLAIM_KEYS.get(key, (None, key.replace("_", " ")))
        rows.append({
            "claim": key,
            "quantity": what,
            "claimed": info.get("value"),
            "bound": info.get("bound"),
            "unit": info.get("unit"),
            "text": info.get("text"),
            "computed": computed.get(ckey) if ckey else None,
        })
    return rows


def tunnel_for_route(
    route,
    grid=None,
    params: TunnelParams | None = None,
    *,
    step_m: float | None = None,
    land_source: str = "gshhg",
    land_mask=None,
) -> TunnelResult:
    """Profile a route and design its tunnel in one call.

    Parameters
    ----------
    route : mapapp.routes.route.Route
    grid : mapapp.data.bathymetry.Grid, optional
        Default: the embedded ETOPO5 grid.
    params : TunnelParams, optional
        Default: the preset of ``route.mode``.
    step_m, land_source, land_mask
        Passed to :func:`mapapp.engineering.profile.sample_profile`.
    """
    if grid is None:
        from mapapp.data.bathymetry import open_grid

        grid = open_grid()
    profile = sample_profile(route, grid, step_m=step_m, land_source=land_source,
                             land_mask=land_mask)
    return design_tunnel(profile, params or TunnelParams.preset(route.mode))
