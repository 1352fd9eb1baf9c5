"""The Monte Carlo of length, cost and duration: percentiles, claim probabilities, sensitivity.

A :class:`SweepModel` is a list of uncertain inputs (:class:`~mapapp.uncertainty.
distributions.InputSpec`) and a vectorised function ``fn(context, samples)`` that maps
arrays of sampled inputs (one array per input name) to arrays of the three outputs
:data:`OUTPUTS` — ``length_km`` (km), ``cost_busd`` (US$ bn of the model's price year) and
``duration_years`` (years). ``context`` is a small picklable object describing one route
(see :mod:`mapapp.uncertainty.model`).

:func:`run_sweep` splits the N scenarios into chunks (:func:`~mapapp.uncertainty.cluster.
chunk_sizes`); chunk *i* draws its inputs from the *i*-th child of
``SeedSequence(seed)``, in the order of the model's inputs. Every route uses the **same**
draws (common random numbers), so differences between routes are not sampling noise. The
outputs are gathered in chunk order: the same seed gives the same numbers in-process, on
one worker or on a hundred.

Per route, a :class:`SweepResult` holds

* P10/P50/P90 of each output (``numpy.percentile``, linear interpolation);
* for each claim of the route's proposal, the share of scenarios that meet it — ``≤`` the
  claimed value for an upper bound (and for a length claim without a bound), ``≥`` for a
  lower bound — with its Monte Carlo standard error ``√(p(1−p)/N)`` and in words
  (:func:`likelihood_words`, the IPCC calibrated scale);
* a sensitivity ranking: a tornado of one-at-a-time swings, each input moved from its P10
  to its P90 with every other input at its median (the chart users know; exact, no
  sampling noise), ranked by the swing of the cost.

Examples
--------
>>> likelihood_words(0.03)
'very unlikely'
>>> likelihood_words(0.5)
'about as likely as not'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mapapp.core.errors import InputError
from mapapp.uncertainty.cluster import (
    DEFAULT_CHUNK,
    InProcessRunner,
    Runner,
    chunk_seeds,
    chunk_sizes,
)
from mapapp.uncertainty.distributions import InputSpec

__all__ = [
    "OUTPUTS",
    "ClaimProbability",
    "Percentiles",
    "Sensitivity",
    "attach_to_scorecards",
    "SweepModel",
    "SweepResult",
    "likelihood_words",
    "run_sweep",
    "sweep_chunk",
]

#: The outputs every model returns, with their units.
OUTPUTS = {"length_km": "km", "cost_busd": "US$ bn", "duration_years": "years"}
#: The outputs in words.
QUANTITY_WORDS = {"length_km": "tunnel length", "cost_busd": "cost",
                  "duration_years": "duration"}
#: Largest number of scenarios per sweep (memory of the gathered outputs: 24 B each).
MAX_SAMPLES = 50_000_000

#: IPCC AR5 calibrated likelihood language (Mastrandrea et al. 2010, Guidance Note for Lead
#: Authors of the IPCC AR5 on Consistent Treatment of Uncertainties, Table 1):
#: (lowest probability, words), checked from the top.
_LIKELIHOOD = (
    (0.99, "virtually certain"),
    (0.90, "very likely"),
    (0.66, "likely"),
    (0.33, "about as likely as not"),
    (0.10, "unlikely"),
    (0.01, "very unlikely"),
    (0.0, "exceptionally unlikely"),
)


def likelihood_words(p: float) -> str:
    """Words for a probability on the IPCC AR5 calibrated scale."""
    for lo, words in _LIKELIHOOD:
        if p >= lo:
            return words
    return _LIKELIHOOD[-1][1]


@dataclass(frozen=True)
class SweepModel:
    """A model the sweep can run.

    Attributes
    ----------
    name : str
        What it is (shown with the results).
    inputs : tuple of InputSpec
        The uncertain inputs, sampled in this order.
    fn : callable
        ``fn(context, samples: dict[str, ndarray]) -> dict[str, ndarray]`` with the keys of
        :data:`OUTPUTS`; a top-level function (the workers import it).
    price_year : int or None
        Price year of ``cost_busd`` (US$ of that year); None when the model mixes years.
    notes : tuple of str
        Assumptions and limits to show with the results.
    versions : dict
        Versions of the model and its data (reported in the JSON).
    """

    name: str
    inputs: tuple[InputSpec, ...]
    fn: Callable
    price_year: int | None = None
    notes: tuple[str, ...] = ()
    versions: dict = field(default_factory=dict)

    def __post_init__(self):
        names = [s.name for s in self.inputs]
        if len(set(names)) != len(names):
            raise InputError(f"duplicate model inputs: {names}")


@dataclass(frozen=True)
class Percentiles:
    """P10, P50 and P90 of one output, in its unit."""

    p10: float
    p50: float
    p90: float

    def to_dict(self) -> dict:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90}


@dataclass(frozen=True)
class ClaimProbability:
    """The chance that a claim holds, over the sweep's scenarios.

    Attributes
    ----------
    key : str
        The claim's key in the proposal (e.g. ``"cost_busd"``).
    quantity : str
        Which output it is about: a key of :data:`OUTPUTS`.
    claimed : float
        The claimed value, in the output's unit.
    bound : str
        ``"upper"`` (met when the output ≤ claimed) or ``"lower"`` (≥ claimed).
    probability : float
        Share of scenarios meeting the claim (0–1).
    std_error : float
        Monte Carlo standard error of ``probability``.
    unit, text : str
        The claim's unit and quote.
    """

    key: str
    quantity: str
    claimed: float
    bound: str
    probability: float
    std_error: float
    unit: str = ""
    text: str = ""

    @property
    def words(self) -> str:
        return likelihood_words(self.probability)

    def sentence(self, samples: int) -> str:
        """E.g. "“under $8 bn”: very unlikely (0.3 % of 20,000 scenarios)"."""
        what = {"upper": "at most", "lower": "at least"}[self.bound]
        pct = 100 * self.probability
        share = (f"none of {samples:,} scenarios" if self.probability == 0 else
                 f"all {samples:,} scenarios" if self.probability == 1 else
                 f"{pct:.1f} % of {samples:,} scenarios")
        unit = OUTPUTS[self.quantity]
        return (f"{QUANTITY_WORDS[self.quantity]} {what} {self.claimed:g} {unit}: "
                f"{self.words} ({share})")

    def to_dict(self) -> dict:
        return {"key": self.key, "quantity": self.quantity, "claimed": self.claimed,
                "bound": self.bound, "probability": self.probability,
                "std_error": self.std_error, "words": self.words, "unit": self.unit,
                "text": self.text}


@dataclass(frozen=True)
class Sensitivity:
    """One bar of the tornado: an input moved from its P10 to its P90, others at median.

    ``low``/``high`` are the input's values (its unit); ``cost_low``/``cost_high`` (US$ bn),
    ``duration_low``/``duration_high`` (years) and ``length_low``/``length_high`` (km) the
    outputs there; ``swing_*`` the absolute differences.
    """

    name: str
    label: str
    unit: str
    low: float
    high: float
    cost_low: float
    cost_high: float
    duration_low: float
    duration_high: float
    length_low: float
    length_high: float

    @property
    def swing_cost(self) -> float:
        return abs(self.cost_high - self.cost_low)

    @property
    def swing_duration(self) -> float:
        return abs(self.duration_high - self.duration_low)

    @property
    def swing_length(self) -> float:
        return abs(self.length_high - self.length_low)

    def to_dict(self) -> dict:
        return {"input": self.name, "label": self.label, "unit": self.unit, "low": self.low,
                "high": self.high, "cost_busd": [self.cost_low, self.cost_high],
                "duration_years": [self.duration_low, self.duration_high],
                "length_km": [self.length_low, self.length_high],
                "swing_cost_busd": self.swing_cost,
                "swing_duration_years": self.swing_duration,
                "swing_length_km": self.swing_length}


@dataclass
class SweepResult:
    """The Monte Carlo of one route.

    Attributes
    ----------
    route_id, route_name : str
    samples, seed : int
    price_year : int or None
        Year of the US$ of ``cost_busd``.
    percentiles : dict of str → Percentiles
        Keys of :data:`OUTPUTS`.
    claims : list of ClaimProbability
    sensitivity : list of Sensitivity
        Ranked: largest cost swing first.
    outputs : dict of str → ndarray
        Every scenario's outputs (for histograms; not in :meth:`to_dict`).
    model : SweepModel
    runner : str
        Where it ran (e.g. "LocalCluster, 2 workers").
    versions : dict
    notes : list of str
    """

    route_id: str
    route_name: str
    samples: int
    seed: int
    price_year: int | None
    percentiles: dict[str, Percentiles]
    claims: list[ClaimProbability]
    sensitivity: list[Sensitivity]
    outputs: dict[str, np.ndarray] = field(repr=False)
    model: SweepModel = field(repr=False)
    runner: str = ""
    versions: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON object of ``python -m mapapp sweep --json`` for this route."""
        return {
            "route_id": self.route_id,
            "route_name": self.route_name,
            "percentiles": {k: v.to_dict() for k, v in self.percentiles.items()},
            "units": dict(OUTPUTS),
            "claims": [c.to_dict() for c in self.claims],
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "inputs": [s.to_dict() for s in self.model.inputs],
            "seed": self.seed,
            "samples": self.samples,
            "price_year": self.price_year,
            "currency": "USD",
            "model": self.model.name,
            "runner": self.runner,
            "notes": list(self.notes),
            "versions": dict(self.versions),
        }


# =============================================================================== chunks
def sweep_chunk(fn: Callable, inputs: tuple[InputSpec, ...], contexts: list,
                seed: np.random.SeedSequence, n: int) -> list[dict[str, np.ndarray]]:
    """One chunk: draw ``n`` scenarios from ``seed`` and evaluate them for every route.

    Runs on a worker. The draws depend only on ``seed``, ``n`` and the inputs' order.

    Returns
    -------
    list of dict
        Per context, ``{output: float64 array of n}``.
    """
    rng = np.random.default_rng(seed)
    samples = {spec.name: spec.dist.sample(rng, n) for spec in inputs}
    out = []
    for ctx in contexts:
        res = fn(ctx, samples)
        out.append({k: np.asarray(res[k], dtype="float64").reshape(n) for k in OUTPUTS})
    return out


def _claims_for(context, pct_arrays: dict[str, np.ndarray]) -> list[ClaimProbability]:
    rows = []
    for c in getattr(context, "claims", ()) or ():
        arr = pct_arrays[c["quantity"]]
        n = arr.size
        if c["bound"] == "lower":
            p = float(np.count_nonzero(arr >= c["claimed"])) / n
        else:
            p = float(np.count_nonzero(arr <= c["claimed"])) / n
        rows.append(ClaimProbability(
            key=c["key"], quantity=c["quantity"], claimed=float(c["claimed"]),
            bound=c["bound"], probability=p, std_error=math.sqrt(p * (1 - p) / n),
            unit=c.get("unit") or "", text=c.get("text") or ""))
    return rows


def tornado(model: SweepModel, context) -> list[Sensitivity]:
    """One-at-a-time swings of every input, P10 → P90, others at their medians; ranked."""
    k = len(model.inputs)
    med = {s.name: np.full(2 * k + 1, s.dist.median) for s in model.inputs}
    lows, highs = [], []
    for i, s in enumerate(model.inputs):
        lo, hi = (float(v) for v in s.dist.ppf([0.1, 0.9]))
        med[s.name][1 + 2 * i] = lo
        med[s.name][2 + 2 * i] = hi
        lows.append(lo)
        highs.append(hi)
    out = model.fn(context, med)
    cost = np.asarray(out["cost_busd"], dtype="float64")
    dur = np.asarray(out["duration_years"], dtype="float64")
    length = np.asarray(out["length_km"], dtype="float64")
    rows = [
        Sensitivity(s.name, s.label, s.unit, lows[i], highs[i],
                    float(cost[1 + 2 * i]), float(cost[2 + 2 * i]),
                    float(dur[1 + 2 * i]), float(dur[2 + 2 * i]),
                    float(length[1 + 2 * i]), float(length[2 + 2 * i]))
        for i, s in enumerate(model.inputs)
    ]
    rows.sort(key=lambda r: (-r.swing_cost, -r.swing_duration, -r.swing_length, r.name))
    return rows


def run_sweep(contexts: list, model: SweepModel, samples: int, seed: int = 0, *,
              runner: Runner | None = None, chunk: int = DEFAULT_CHUNK, progress=None,
              cancel=None) -> list[SweepResult]:
    """Run the Monte Carlo for every route context.

    Parameters
    ----------
    contexts : list
        One per route (picklable; ``route_id``, ``route_name`` and ``claims`` attributes
        are used when present).
    model : SweepModel
    samples : int
        Scenarios N (the same draws for every route).
    seed : int
        Seed of ``numpy.random.SeedSequence``.
    runner : Runner, optional
        Where chunks run (default in-process).
    chunk : int
        Scenarios per chunk (sets memory per task; results do not depend on it only
        through the chunking of the random streams: keep it fixed to compare runs).
    progress, cancel : callable, optional
        See :meth:`mapapp.uncertainty.cluster.Runner.map`.

    Returns
    -------
    list of SweepResult
    """
    samples = int(samples)
    if samples > MAX_SAMPLES:
        raise InputError(f"at most {MAX_SAMPLES:,} samples per sweep, got {samples:,}")
    if not contexts:
        raise InputError("give at least one route to sweep")
    sizes = chunk_sizes(samples, chunk)
    seeds = chunk_seeds(seed, len(sizes))
    runner = runner or InProcessRunner()
    args = [(model.fn, model.inputs, list(contexts), s, n) for s, n in zip(seeds, sizes,
                                                                             strict=True)]
    parts = runner.map(sweep_chunk, args, progress=progress, cancel=cancel, name="sweep")
    results = []
    for j, ctx in enumerate(contexts):
        outs = {k: np.concatenate([p[j][k] for p in parts]) for k in OUTPUTS}
        pct = {}
        for k, arr in outs.items():
            if not np.all(np.isfinite(arr)):
                bad = int(np.count_nonzero(~np.isfinite(arr)))
                raise InputError(f"the model gave {bad} non-finite {k} values for "
                                 f"{getattr(ctx, 'route_name', 'a route')}; check its inputs")
            p10, p50, p90 = (float(v) for v in np.percentile(arr, [10, 50, 90]))
            pct[k] = Percentiles(p10, p50, p90)
        results.append(SweepResult(
            route_id=str(getattr(ctx, "route_id", f"route-{j + 1}")),
            route_name=str(getattr(ctx, "route_name", f"Route {j + 1}")),
            samples=samples, seed=int(seed), price_year=model.price_year,
            percentiles=pct, claims=_claims_for(ctx, outs),
            sensitivity=tornado(model, ctx), outputs=outs, model=model,
            runner=runner.description, versions=dict(model.versions),
            notes=list(model.notes) + list(getattr(ctx, "notes", ()) or ()),
        ))
    return results


def attach_to_scorecards(scorecards, results) -> list[dict]:
    """Claims scorecards (dicts or objects with ``to_dict``) with the sweep's P10/P50/P90 and
    claim probability added to each claim the sweep covers, as ``claim["uncertainty"]``
    (``p10``, ``p50``, ``p90`` in the claim's output unit, ``probability``, ``samples``,
    ``seed``, ``price_year``). Scorecards are matched to results by ``route_id``."""
    by_route = {r.route_id: r for r in results}
    out = []
    for sc in scorecards or []:
        d = sc.to_dict() if hasattr(sc, "to_dict") else dict(sc)
        d = {**d, "claims": [dict(c) for c in d.get("claims", [])]}
        r = by_route.get(d.get("route_id"))
        if r is not None:
            for c in d["claims"]:
                q = c.get("quantity")
                if q not in r.percentiles:
                    continue
                p = r.percentiles[q]
                prob = next((x.probability for x in r.claims if x.quantity == q
                             and math.isclose(x.claimed, float(c.get("claimed") or math.nan))),
                            None)
                c["uncertainty"] = {"p10": p.p10, "p50": p.p50, "p90": p.p90,
                                    "probability": prob, "samples": r.samples, "seed": r.seed,
                                    "price_year": r.price_year}
        out.append(d)
    return out
