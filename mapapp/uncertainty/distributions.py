"""Input distributions of the Monte Carlo, each with its source and why it has that shape.

A :class:`Distribution` samples with a :class:`numpy.random.Generator` (vectorised) and has
analytic quantiles (:meth:`Distribution.ppf`), which the tests use to check that a sweep
recovers known percentiles. An :class:`InputSpec` names one model input: its unit, its
distribution, where its numbers come from and why the shape was chosen.

Shapes used
-----------
* **lognormal** from a published low/high read as P10/P90: positive quantities whose
  errors multiply and whose right tail is long — costs per km, cost-overrun factors
  (overruns are "systemically fat-tailed", Flyvbjerg et al. 2018) and sustained TBM rates.
* **uniform** over a design band: a design *choice* (cover, gradient) with no evidence
  favouring one end of the band.
* **triangular**: a bounded duration with a most likely value.
* **normal**: a vertical error of a bathymetry grid, symmetric about zero.

Examples
--------
>>> d = Distribution.lognormal_p10_p90(2.0, 8.0)
>>> round(d.median, 6), round(float(d.ppf(0.9)), 6)
(4.0, 8.0)
>>> Distribution.uniform(50, 100).ppf([0.1, 0.5]).tolist()
[55.0, 75.0]
>>> vertical_uncertainty("etopo5_bering_5arcmin").sigma_m
20.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

from mapapp.core.errors import InputError

__all__ = [
    "Distribution",
    "InputSpec",
    "VERTICAL_UNCERTAINTY",
    "VerticalUncertainty",
    "vertical_uncertainty",
]

_Z90 = NormalDist().inv_cdf(0.9)  # 1.2816: P90 of the standard normal


@dataclass(frozen=True)
class Distribution:
    """A univariate distribution (vectorised sampling, analytic quantiles).

    Attributes
    ----------
    kind : str
        ``"lognormal"`` (``a`` = μ, ``b`` = σ of the log), ``"uniform"`` (``a``..``b``),
        ``"triangular"`` (``a`` low, ``c`` mode, ``b`` high), ``"normal"`` (``a`` mean,
        ``b`` standard deviation) or ``"fixed"`` (``a``).
    a, b, c : float
        Parameters, in the unit of the input (log-units for the lognormal's μ, σ).
    """

    kind: str
    a: float
    b: float = 0.0
    c: float = 0.0

    def __post_init__(self):
        if self.kind not in ("lognormal", "uniform", "triangular", "normal", "fixed"):
            raise InputError(f"unknown distribution {self.kind!r}")
        vals = (self.a, self.b, self.c)
        if not all(math.isfinite(float(v)) for v in vals):
            raise InputError(f"distribution parameters must be finite, got {vals}")
        if self.kind in ("lognormal", "normal") and self.b < 0:
            raise InputError("a spread must be ≥ 0")
        if self.kind == "uniform" and self.b < self.a:
            raise InputError(f"uniform needs low ≤ high, got {self.a} > {self.b}")
        if self.kind == "triangular" and not self.a <= self.c <= self.b:
            raise InputError("triangular needs low ≤ mode ≤ high")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def lognormal_p10_p90(cls, p10: float, p90: float) -> Distribution:
        """Lognormal whose 10th and 90th percentiles are ``p10`` and ``p90`` (> 0)."""
        if not (p10 > 0 and p90 >= p10):
            raise InputError(f"lognormal needs 0 < P10 ≤ P90, got {p10}, {p90}")
        mu = 0.5 * (math.log(p10) + math.log(p90))
        sigma = (math.log(p90) - math.log(p10)) / (2 * _Z90)
        return cls("lognormal", mu, sigma)

    @classmethod
    def lognormal(cls, median: float, sigma_log: float) -> Distribution:
        """Lognormal with the given median and σ of the natural log."""
        if not median > 0:
            raise InputError(f"lognormal needs a median > 0, got {median}")
        return cls("lognormal", math.log(median), float(sigma_log))

    @classmethod
    def uniform(cls, low: float, high: float) -> Distribution:
        return cls("uniform", float(low), float(high))

    @classmethod
    def triangular(cls, low: float, mode: float, high: float) -> Distribution:
        return cls("triangular", float(low), float(high), float(mode))

    @classmethod
    def normal(cls, mean: float, sd: float) -> Distribution:
        return cls("normal", float(mean), float(sd))

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        return cls("fixed", float(value))

    # ------------------------------------------------------------------ use
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (float64) from ``rng``."""
        k = self.kind
        if k == "lognormal":
            return rng.lognormal(self.a, self.b, n) if self.b > 0 else np.full(n, math.exp(self.a))
        if k == "uniform":
            return rng.uniform(self.a, self.b, n)
        if k == "triangular":
            if self.a == self.b:
                return np.full(n, self.a)
            return rng.triangular(self.a, self.c, self.b, n)
        if k == "normal":
            return rng.normal(self.a, self.b, n)
        return np.full(n, self.a)

    def ppf(self, q) -> np.ndarray:
        """Quantiles at probabilities ``q`` (0 < q < 1), analytic."""
        q = np.asarray(q, dtype="float64")
        k = self.kind
        if k in ("lognormal", "normal"):
            z = np.vectorize(NormalDist().inv_cdf)(q)
            x = self.a + self.b * z
            return np.exp(x) if k == "lognormal" else x
        if k == "uniform":
            return self.a + q * (self.b - self.a)
        if k == "triangular":
            lo, hi, mode = self.a, self.b, self.c
            if hi == lo:
                return np.full_like(q, lo)
            f = (mode - lo) / (hi - lo)
            return np.where(q < f, lo + np.sqrt(q * (hi - lo) * (mode - lo)),
                            hi - np.sqrt((1 - q) * (hi - lo) * (hi - mode)))
        return np.full_like(q, self.a)

    @property
    def median(self) -> float:
        return float(self.ppf(0.5))

    def describe(self, unit: str = "") -> str:
        """Plain words, e.g. "lognormal, P10 2 / P50 4 / P90 8 US$ m/km"."""
        p10, p50, p90 = (float(v) for v in self.ppf([0.1, 0.5, 0.9]))
        u = f" {unit}" if unit else ""
        if self.kind == "fixed":
            return f"fixed at {self.a:g}{u}"
        if self.kind == "uniform":
            return f"uniform {self.a:g}–{self.b:g}{u}"
        if self.kind == "triangular":
            return f"triangular {self.a:g}–{self.b:g}{u}, most likely {self.c:g}"
        return f"{self.kind}, P10 {p10:.3g} / P50 {p50:.3g} / P90 {p90:.3g}{u}"

    def to_dict(self) -> dict:
        p10, p50, p90 = (float(v) for v in self.ppf([0.1, 0.5, 0.9]))
        return {"kind": self.kind, "a": self.a, "b": self.b, "c": self.c,
                "p10": p10, "p50": p50, "p90": p90}


@dataclass(frozen=True)
class InputSpec:
    """One uncertain input of the model.

    Attributes
    ----------
    name : str
        Key passed to the model (e.g. ``"cost_per_km_musd"``).
    label : str
        Plain words for charts.
    unit : str
        Unit of the values (e.g. ``"US$ m (2025) per km"``, ``"m/day"``).
    dist : Distribution
    source : str
        Where the numbers come from (citation or URL; the economics model's table).
    why : str
        Why this shape.
    assumption : bool
        True when a number is not from a source (shown as an assumption).
    """

    name: str
    label: str
    unit: str
    dist: Distribution
    source: str
    why: str
    assumption: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "unit": self.unit,
                "distribution": self.dist.to_dict(), "describe": self.dist.describe(self.unit),
                "source": self.source, "why": self.why, "assumption": self.assumption}


# =============================================================================== grids
@dataclass(frozen=True)
class VerticalUncertainty:
    """The vertical error of a bathymetry grid in the strait, one standard deviation.

    Attributes
    ----------
    key : str
        Dataset family (matched against the grid's name).
    sigma_m : float
        Standard deviation of the depth error, metres.
    basis : str
        What the number rests on.
    sources : tuple of str
    assumption : bool
        True: the σ itself is a stated assumption built on the sources, not a published σ
        for this area.
    """

    key: str
    sigma_m: float
    basis: str
    sources: tuple[str, ...] = field(default_factory=tuple)
    assumption: bool = True


_SMITH_1993 = ("Smith, W.H.F. (1993), On the accuracy of digital bathymetric data, J. Geophys. "
               "Res.; abstract at https://discovery.researcher.life/article/on-the-accuracy-of-"
               "digital-bathymetric-data/9dae9d14f217355ab47e237d45453d93")
_ETOPO5_DOC = ("NOAA NGDC (1988), Data Announcement 88-MGG-02, ETOPO5 (its description: "
               "oceanic data shallower than 200 m hold very little detail), as quoted at "
               "https://qeeebo.com/questions/wha/13/66b/what-is-etopo5-and-how-was-it-generated")
_ETOPO22 = ("The Earth Topography 2022 (ETOPO 2022) Global DEM dataset, ESSD preprint "
            "essd-2024-250, https://essd.copernicus.org/preprints/essd-2024-250/ (global RMSE "
            "7.17 m against ICESat-2, on land)")

#: Vertical uncertainty per dataset family, coarse grids wider. Matched in order by
#: substring of the grid's name; the last entry applies to unknown grids.
VERTICAL_UNCERTAINTY: tuple[VerticalUncertainty, ...] = (
    VerticalUncertainty(
        "etopo5", 20.0,
        "ETOPO5 at sea is gridded from contour charts (not soundings) with large errors "
        "(Smith 1993) and little detail shallower than 200 m (NGDC); the median crossover "
        "error of ship soundings alone is 26 m (Smith 1993). σ = 20 m in ≈50 m of water is "
        "an assumption on that basis.",
        (_SMITH_1993, _ETOPO5_DOC)),
    VerticalUncertainty(
        "etopo", 10.0,
        "ETOPO 2022 (15″–60″) merges modern bathymetry compilations; its published accuracy "
        "(7.17 m RMSE) is for land only. σ = 10 m at sea is an assumption, half ETOPO5's.",
        (_ETOPO22,)),
    VerticalUncertainty(
        "gebco", 10.0,
        "GEBCO 15″ grids use soundings where they exist (TID grid tells which); no σ is "
        "published for the strait. σ = 10 m is an assumption, as for ETOPO 2022.",
        ("GEBCO Compilation Group, GEBCO Grid (annual release), https://www.gebco.net",)),
    VerticalUncertainty(
        "ibcao", 10.0,
        "IBCAO v5 (100–200 m cells) is built from soundings where available; no σ for the "
        "strait is published. σ = 10 m is an assumption.",
        ("Jakobsson, M. et al. (2024), IBCAO v5.0, Sci. Data 11, 1420, "
         "doi:10.1038/s41597-024-04278-w",)),
    VerticalUncertainty(
        "gmrt", 5.0,
        "GMRT uses multibeam swaths at ≈61–100 m where they exist; σ = 5 m is an assumption "
        "(multibeam depth errors are metres in shallow water).",
        ("GMRT GridServer, https://www.gmrt.org/services/GridServer/info",)),
    VerticalUncertainty(
        "", 20.0,
        "Unknown grid: treated like the coarsest grid (ETOPO5, σ = 20 m), an assumption.",
        (_SMITH_1993,)),
)


def vertical_uncertainty(grid_name: str) -> VerticalUncertainty:
    """The vertical uncertainty that applies to a grid, by its name (case-insensitive)."""
    name = str(grid_name or "").lower()
    for v in VERTICAL_UNCERTAINTY:
        if v.key in name:
            return v
    return VERTICAL_UNCERTAINTY[-1]
