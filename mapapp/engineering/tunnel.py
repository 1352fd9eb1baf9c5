"""The geometry of a bored tunnel along a route: alignment, portals, access points, quantities.

Money and time are not here: :mod:`mapapp.economics` turns a :class:`TunnelResult` into a cost
range in constant dollars and a whole-programme schedule. The model is documented in
``docs/tunnel-model.md``; every parameter default comes from :mod:`mapapp.core.references`,
with its source.

Stages of :func:`design_tunnel`, in order (one function each):

1. :func:`_ground` — the surface level each sample stands for (terrain on land, seabed at sea);
2. :func:`_ceiling` — the highest the crown may be at each sample;
3. :func:`lower_envelope` — the shallowest profile under the ceiling within the gradient;
4. :func:`_portals` — where the tunnel meets the ground, or how far beyond the route it must go;
5. :func:`_access` — portals, islands (shaft sites) and shore landfalls; undersea stretches.

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
from mapapp.core.jsonenc import plain
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.profile import sample_profile, surface_runs
from mapapp.routes.route import MODES, Route

__all__ = [
    "AccessPoint",
    "Bore",
    "Stretch",
    "TunnelParams",
    "TunnelResult",
    "bores_from_ref",
    "design_tunnel",
    "lower_envelope",
    "tunnel_for_route",
]

#: Vertical tolerance (m) for "at grade" and "meets the portal".
Z_TOL_M = 1e-6


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
    grade_ref, cover_ref, bores_ref : str
        Reference behind each value, or ``"user"`` when set by hand.
    """

    mode: str = "rail"
    max_grade_pct: float = 1.25
    cover_m: float = 50.0
    bores: tuple[Bore, ...] = field(default_factory=lambda: _bores_from_ref("channel_tunnel"))
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
        return refs.sources_for(self.grade_ref, self.cover_ref, self.bores_ref)

    def to_dict(self) -> dict:
        """Plain-JSON representation."""
        d = dataclasses.asdict(self)
        d["bores"] = [dataclasses.asdict(b) for b in self.bores]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TunnelParams:
        """The parameters :meth:`to_dict` wrote (checked again, as on construction).

        >>> p = TunnelParams.preset("road", cover_m=60)
        >>> TunnelParams.from_dict(p.to_dict()) == p
        True
        >>> TunnelParams.from_dict({"bores": [{"diameter_m": 0.1}]})
        Traceback (most recent call last):
        ...
        mapapp.core.errors.InputError: bore diameter must be 0.5–30 m and count ≥ 1, got 0.1 m × 1
        """
        d = dict(d)
        if "bores" in d:
            d["bores"] = tuple(Bore(**b) for b in d["bores"])
        return cls(**d)

    @property
    def max_diameter_m(self) -> float:
        """Largest bore diameter, m."""
        return max(b.diameter_m for b in self.bores)

    @property
    def bore_area_m2(self) -> float:
        """Excavated cross-section of all bores together, m²."""
        return sum(b.count * b.area_m2 for b in self.bores)


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


@dataclass(frozen=True)
class AccessPoint:
    """A place where the tunnel can be reached from the surface.

    ``kind``: ``"portal"`` (where the tunnel meets the ground), ``"island"`` (an island the
    tunnel passes under: a shaft site), ``"shore"`` (a mainland shore landfall, for reading).
    Chainage and levels in m; ``lon``/``lat`` in degrees (None beyond the route's ends).
    For islands, ``start_m``/``end_m`` bound the island along the route, ``site_elevation_m``
    is its lowest ground on the route and ``crown_m`` the deepest crown level under it (a
    launch shaft sunk near the shore, where ships can land plant and take spoil, reaches the
    tunnel there); for portals and shore landfalls ``crown_m`` is the crown level there.
    """

    kind: str
    name: str
    chainage_m: float
    lon: float | None
    lat: float | None
    elevation_m: float | None = None
    approach_m: float | None = None
    start_m: float | None = None
    end_m: float | None = None
    site_elevation_m: float | None = None
    crown_m: float | None = None

    @property
    def length_m(self) -> float | None:
        """Length of an island along the route, m."""
        return None if self.start_m is None else self.end_m - self.start_m

    def to_dict(self) -> dict:
        """Plain JSON (None fields dropped)."""
        d = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if self.start_m is not None:
            d["length_m"] = self.length_m
        return d


@dataclass(frozen=True)
class Stretch:
    """A stretch of tunnel under the sea between two access points, chainage in m."""

    start_m: float
    end_m: float

    @property
    def length_m(self) -> float:
        """Length, m."""
        return self.end_m - self.start_m

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"start_m": self.start_m, "end_m": self.end_m, "length_m": self.length_m}


@dataclass
class TunnelResult:
    """Everything :func:`design_tunnel` computes. Lengths m, levels m (positive up).

    Tunnel levels are the **crown** (top of the bore), from which the cover is measured;
    ``max_invert_depth_below_sea_level_m`` adds the largest bore diameter.

    ``alignment`` is a DataFrame for charts with columns ``chainage_m, lon, lat, surface,
    seabed_m`` (seabed or terrain used), ``ceiling_m``, ``tunnel_z_m``, ``cover_m``
    (surface − tunnel), ``in_tunnel`` and ``virtual`` (True on the two rows that end the
    approaches beyond the route, if any; their lon/lat are NaN). :meth:`to_dict` gives the
    scalar results and tables as plain JSON for output; code passes the result itself.
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
    access_points: list[AccessPoint]
    stretches: list[Stretch]
    longest_stretch_without_access_m: float
    faces_per_bore: int
    grid_name: str
    step_m: float
    warnings: list[str]
    caveat: str

    @property
    def islands(self) -> list[AccessPoint]:
        """Access points of kind ``island``."""
        return [a for a in self.access_points if a.kind == "island"]

    @property
    def shaft_sites(self) -> list[AccessPoint]:
        """Portals and islands in chainage order: where TBMs can be launched."""
        return [a for a in self.access_points if a.kind in ("portal", "island")]

    def sections_m(self) -> list[float]:
        """Lengths between consecutive launch sites (portal → island → … → portal), m."""
        sites = self.shaft_sites
        return [b.chainage_m - a.chainage_m for a, b in zip(sites[:-1], sites[1:], strict=True)]

    def crown_at(self, chainage_m: float) -> float:
        """Tunnel crown level at a chainage (linear between samples), m."""
        a = self.alignment.sort_values("chainage_m")
        return float(np.interp(chainage_m, a["chainage_m"], a["tunnel_z_m"]))

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
            "access_points": [a.to_dict() for a in self.access_points],
            "stretches": [st.to_dict() for st in self.stretches],
            "params": self.params.to_dict(),
            "assumptions": self.params.assumptions(),
            "sources": self.params.sources(),
            "grid_name": self.grid_name,
            "step_m": self.step_m,
            "warnings": list(self.warnings),
            "caveat": self.caveat,
        }
        return plain(d)


# ---------------------------------------------------------------------------- the model
def _check_profile(profile: pd.DataFrame):
    if not isinstance(profile, pd.DataFrame):
        raise TunnelError("the tunnel needs the route's profile (from sample_profile)")
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


def _cells(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges (half-way between samples) and widths, m."""
    edges = np.concatenate([[s[0]], 0.5 * (s[1:] + s[:-1]), [s[-1]]])
    return edges, np.diff(edges)


def _ground(elev, land, cells, adjusted_count: int) -> tuple[np.ndarray, list[str]]:
    """Stage 1: surface level consistent with the coastline (land ≥ 0, sea ≤ 0), and the
    warnings about samples without a grid value."""
    warnings = []
    nan = np.isnan(elev)
    ground = np.where(land, np.maximum(elev, 0.0), np.minimum(elev, 0.0))
    if (land & nan).any():
        ground[land & nan] = 0.0
        warnings.append(
            f"{int((land & nan).sum())} land sample(s) (≈{_km(cells[land & nan].sum())}) have no "
            "grid value: terrain assumed at sea level there."
        )
    if (~land & nan).any():
        warnings.append(
            f"{int((~land & nan).sum())} sea sample(s) (≈{_km(cells[~land & nan].sum())}) have no "
            "grid value (outside the grid or nodata): the cover constraint is not enforced there."
        )
    if adjusted_count:
        warnings.append(
            f"{adjusted_count} sample(s) where grid and coastline disagree were set to "
            "sea level (see the profile's elevation_grid_m)."
        )
    return ground, warnings


def _ceiling(ground, land, nan, runs, cover_m) -> np.ndarray:
    """Stage 2: highest allowed crown level — ground − cover under the sea and islands, the
    ground itself under the mainland at either end (the approaches may surface there)."""
    n = ground.size
    lead_end = runs[0][1] if runs[0][2] == "land" else -1
    trail_start = runs[-1][0] if runs[-1][2] == "land" else n
    ceiling = ground - cover_m
    ceiling[: lead_end + 1] = ground[: lead_end + 1]
    ceiling[trail_start:] = ground[trail_start:]
    ceiling[~land & nan] = np.inf
    return ceiling


@dataclass(frozen=True)
class _Portals:
    level_start: float
    level_end: float
    approach_start: float
    approach_end: float
    i0: int
    i1: int
    s_start: float
    s_end: float


def _portals(s, z, ground, land, runs, g) -> tuple[_Portals, list[str]]:
    """Stage 4: portal levels (ground, or sea level if the route ends at sea), approaches
    needed beyond the route, and the first/last samples inside the tunnel."""
    n = s.size
    warnings = []
    p0 = float(ground[0]) if land[0] else 0.0
    p1 = float(ground[-1]) if land[-1] else 0.0
    for at, is_sea in (("start", not land[0]), ("end", not land[-1])):
        if is_sea:
            warnings.append(
                f"the route {at}s at sea: its {at} portal is assumed at sea level on land "
                f"beyond the route {at} (draw the route onto land for a real portal)."
            )
    a0 = max(0.0, (p0 - z[0]) / g) if p0 - z[0] > Z_TOL_M else 0.0
    a1 = max(0.0, (p1 - z[-1]) / g) if p1 - z[-1] > Z_TOL_M else 0.0
    for at, a in (("start", a0), ("end", a1)):
        if a > 0:
            warnings.append(
                f"the {at} portal cannot be reached within the route at {100 * g:g} "
                f"%: {a / 1000:.2f} km of approach beyond the route {at} is needed (included "
                "in the tunnel length)."
            )
    lead_end = runs[0][1] if runs[0][2] == "land" else -1
    trail_start = runs[-1][0] if runs[-1][2] == "land" else n
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
    return _Portals(p0, p1, a0, a1, i0, i1, float(s_start), float(s_end)), warnings


def _access(profile, s, z, ground, land, runs, edges, por: _Portals):
    """Stage 5: access points (portals, islands, shore landfalls) and undersea stretches."""
    intervals = []  # (lo, hi, kind, first sample, last sample) along the tunnel
    if por.approach_start > 0 and not land[0]:
        intervals.append((por.s_start, s[0], "mainland", 0, 0))
    for k, (a, b, val) in enumerate(runs):
        lo, hi = edges[a], edges[b + 1]
        if val == "land":
            kind = "mainland" if (k == 0 or k == len(runs) - 1) else "island"
        else:
            kind = "sea"
        if k == 0 and val == "land":
            lo = por.s_start
        if k == len(runs) - 1 and val == "land":
            hi = por.s_end
        intervals.append((lo, hi, kind, a, b))
    if por.approach_end > 0 and not land[-1]:
        intervals.append((s[-1], por.s_end, "mainland", s.size - 1, s.size - 1))

    def crown(at):
        return float(np.interp(at, s, z))

    access: list[AccessPoint] = []
    stretches: list[Stretch] = []
    lon, lat = _interp_xy(profile, max(por.s_start, s[0]))
    access.append(AccessPoint("portal", "start portal", por.s_start, lon, lat,
                              por.level_start, por.approach_start, crown_m=por.level_start))
    for j, (lo, hi, kind, a, b) in enumerate(intervals):
        if kind == "island":
            mid = 0.5 * (lo + hi)
            lon, lat = _interp_xy(profile, mid)
            site = float(max(0.0, ground[a:b + 1].min()))
            deepest = min(crown(lo), crown(hi), float(z[a:b + 1].min()))
            access.append(AccessPoint("island", "island", mid, lon, lat, start_m=float(lo),
                                      end_m=float(hi), site_elevation_m=site, crown_m=deepest))
        elif kind == "sea":
            stretches.append(Stretch(float(lo), float(hi)))
            for edge, other in ((lo, j - 1), (hi, j + 1)):
                if 0 <= other < len(intervals) and intervals[other][2] == "mainland":
                    lon, lat = _interp_xy(profile, edge)
                    access.append(AccessPoint("shore", "shore landfall", float(edge), lon, lat,
                                              0.0, crown_m=crown(edge)))
    lon, lat = _interp_xy(profile, min(por.s_end, s[-1]))
    access.append(AccessPoint("portal", "end portal", por.s_end, lon, lat, por.level_end,
                              por.approach_end, crown_m=por.level_end))
    access.sort(key=lambda p: p.chainage_m)
    k = 0
    for i, p in enumerate(access):
        if p.kind == "island":
            k += 1
            access[i] = dataclasses.replace(p, name=f"island {k}")
    return access, stretches


def design_tunnel(
    profile: pd.DataFrame,
    params: TunnelParams | None = None,
    *,
    route: Route | None = None,
    grid_label: str | None = None,
) -> TunnelResult:
    """Design the shallowest tunnel along a route's profile.

    Parameters
    ----------
    profile : pandas.DataFrame
        The route's profile from :func:`mapapp.engineering.profile.sample_profile`: needs
        ``chainage_m`` m, ``elevation_m`` m positive up, ``surface`` sea/land; ``lon``/``lat``
        degrees place the access points; an ``adjusted`` column (samples where grid and
        coastline disagreed) is counted. Nothing is read from ``profile.attrs``.
    params : TunnelParams, optional
        Defaults to the preset of ``route.mode`` (rail without a route).
    route : Route, optional
        The route the profile belongs to: its id and name label the result.
    grid_label : str, optional
        Plain-words description of the grid (name and resolution) for the caveat.

    Returns
    -------
    TunnelResult

    Raises
    ------
    TunnelError
        If the profile is malformed or never crosses the sea.
    """
    s, elev, surf = _check_profile(profile)
    if params is None:
        params = TunnelParams.preset(route.mode if route is not None else "rail")
    name = route.name if route is not None else "route"
    land = surf == "land"
    if land.all():
        raise TunnelError(
            f"{name} does not cross the sea according to the coastline: nothing to tunnel "
            "under. Extend the route across the strait."
        )
    g = params.max_grade_pct / 100.0
    edges, cells = _cells(s)
    nan = np.isnan(elev)
    adjusted = int(profile["adjusted"].astype(bool).sum()) if "adjusted" in profile else 0

    ground, warnings = _ground(elev, land, cells, adjusted)                     # stage 1
    runs = surface_runs(surf)
    ceiling = _ceiling(ground, land, nan, runs, params.cover_m)                 # stage 2
    z = lower_envelope(s, ceiling, g)                                           # stage 3
    por, portal_warnings = _portals(s, z, ground, land, runs, g)                # stage 4
    warnings += portal_warnings
    access, stretches = _access(profile, s, z, ground, land, runs, edges, por)  # stage 5

    tunnel_len = por.s_end - por.s_start
    span = slice(por.i0, por.i1 + 1)
    ds, dz = np.diff(s[span]), np.diff(z[span])
    ok = ds > 0
    grades = np.abs(dz[ok]) / ds[ok]
    max_grade = max(float(grades.max()) if grades.size else 0.0,
                    g if (por.approach_start or por.approach_end) else 0.0)
    max_grade = min(max_grade, g)  # rounding only: the envelope is g-Lipschitz
    sea_ok = ~land & ~nan
    max_water = float(-ground[sea_ok].min()) if sea_ok.any() else float("nan")
    mean_water = (float(-(ground[sea_ok] * cells[sea_ok]).sum() / cells[sea_ok].sum())
                  if cells[sea_ok].sum() > 0 else float("nan"))
    max_depth = float(-z[span].min())
    step = float(np.median(np.diff(s))) if s.size > 1 else 0.0
    grid_label = grid_label or "an unnamed grid"
    caveat = (
        f"Indicative geometry from a simple model on {grid_label}, sampled every {step:.0f} m: "
        "depths and lengths change with the grid's resolution (a coarse grid smooths the "
        "seabed and misses channels and islands). No geology, ventilation or safety spacing "
        "is modelled."
    )
    return TunnelResult(
        route_id=route.id if route is not None else "route",
        route_name=name,
        params=params,
        alignment=_alignment_frame(profile, s, surf, ground, ceiling, z, por),
        route_length_m=float(s[-1] - s[0]),
        tunnel_length_m=float(tunnel_len),
        subsea_length_m=float(cells[~land].sum()),
        max_depth_below_sea_level_m=max_depth,
        max_invert_depth_below_sea_level_m=max_depth + params.max_diameter_m,
        max_water_depth_m=max_water,
        mean_water_depth_m=mean_water,
        max_grade_pct=100.0 * max_grade,
        portal_start_m=por.s_start,
        portal_end_m=por.s_end,
        portal_start_elevation_m=por.level_start,
        portal_end_elevation_m=por.level_end,
        approach_needed_m_start=float(por.approach_start),
        approach_needed_m_end=float(por.approach_end),
        excavated_volume_m3=float(params.bore_area_m2 * tunnel_len),
        access_points=access,
        stretches=stretches,
        longest_stretch_without_access_m=float(max(st.length_m for st in stretches)),
        faces_per_bore=2 * len(stretches),
        grid_name=grid_label,
        step_m=step,
        warnings=warnings,
        caveat=caveat,
    )


def _alignment_frame(profile, s, surf, ground, ceiling, z, por: _Portals) -> pd.DataFrame:
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
        "in_tunnel": (idx >= por.i0) & (idx <= por.i1),
        "virtual": np.zeros(s.size, dtype=bool),
    })
    extra = []
    for at, level, a in ((por.s_start, por.level_start, por.approach_start),
                         (por.s_end, por.level_end, por.approach_end)):
        if a > 0:
            extra.append({"chainage_m": at, "lon": np.nan, "lat": np.nan, "surface": "land",
                          "seabed_m": level, "ceiling_m": level, "tunnel_z_m": level,
                          "cover_m": 0.0, "in_tunnel": True, "virtual": True})
    if extra:
        df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
        df = df.sort_values("chainage_m", kind="stable").reset_index(drop=True)
    return df


def grid_label(grid) -> str:
    """Plain-words grid description: ``"NAME (RESOLUTION)"``."""
    info = grid.info
    return f"{info.name} ({info.resolution_label})"


def tunnel_for_route(
    route: Route,
    grid=None,
    params: TunnelParams | None = None,
    *,
    step_m: float | None = None,
    land_source: str = "gshhg",
    land_mask=None,
    profile: pd.DataFrame | None = None,
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
    profile : pandas.DataFrame, optional
        A profile of this route already sampled on ``grid`` (reused, e.g. for a design band).
    """
    if grid is None:

        grid = open_grid()
    if profile is None:
        profile = sample_profile(route, grid, step_m=step_m, land_source=land_source,
                                 land_mask=land_mask)
    return design_tunnel(profile, params or TunnelParams.preset(route.mode), route=route,
                         grid_label=grid_label(grid))
