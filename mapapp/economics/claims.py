"""The claims scorecard: each claim of a route's proposal against the model's range.

For a route with claims (length, cost, duration — see ``geodata/presets/README.md``) the
scorecard gives, per claim, the claim with its quote and sources, the computed range (money in
US$ of the base year), a plain verdict and the assumptions behind it; beside it the other
published estimates for the same link, each with its source, brought to base-year dollars.

Verdicts
--------
* ``"within range"`` — the claim (or part of a claimed range) lies inside ``[low, high]``;
* ``"below the lowest estimate by 1.7×"`` / ``"above the highest estimate by 1.2×"`` — cost
  and duration, as ratios;
* ``"13.4 km longer than the longest design in the band"`` — lengths, as differences;
* loop mode: ``"below the floor by 4.0×"`` or ``"above the floor — a floor is not an
  estimate"``.

Examples
--------
>>> verdict(8.0, "upper", 13.6, 200.0)
'below the lowest estimate by 1.7×'
>>> verdict([98, 112], None, 96.4, 109.3, kind="length")
'within the design band'
>>> verdict(112.7, None, 96.4, 109.3, kind="length")
'3.4 km longer than the longest design in the band'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapapp.core import references as refs
from mapapp.economics.estimate import ProgrammeEstimate
from mapapp.economics.prices import Money, PriceError, fmt_money, to_base

__all__ = ["ClaimCheck", "OtherEstimate", "Scorecard", "claim_texts", "scorecard", "verdict"]

#: The three claims users come to check: quantity → (label, unit, claim keys in presets).
QUANTITIES = {
    "length_km": ("Tunnel length", "km", ("length_km", "tunnel_length_km")),
    "cost_busd": ("Cost", "US$ bn", ("cost_busd",)),
    "duration_years": ("Build time", "years", ("duration_years",)),
}


def _span(claimed) -> tuple[float, float]:
    if isinstance(claimed, (list, tuple)):
        vals = [float(v) for v in claimed if v is not None]
        return min(vals), max(vals)
    return float(claimed), float(claimed)


def verdict(claimed, bound, low, high, *, kind: str = "ratio") -> str:
    """Plain-words verdict of a claim against a computed range.

    Parameters
    ----------
    claimed : float or [low, high]
        The claim (a range is within when it overlaps ``[low, high]``).
    bound : str or None
        ``"upper"`` ("less than"), ``"lower"`` ("more than") or None.
    low, high : float
        Computed range; ``high=None`` means ``low`` is a floor, not an estimate.
    kind : str
        ``"ratio"`` (cost, duration: ×) or ``"length"`` (km difference, against a design band).
    """
    c_lo, c_hi = _span(claimed)
    if bound == "lower":  # "more than X": the claim is [X, ∞)
        c_hi = float("inf")
    if high is None:
        if c_hi < low:
            return f"below the floor by {low / c_hi:.1f}×"
        return "above the floor — a floor is not an estimate"
    if c_hi < low:
        if kind == "length":
            return f"{low - c_hi:.1f} km shorter than the shortest design in the band"
        return f"below the lowest estimate by {low / c_hi:.1f}×"
    if c_lo > high:
        if kind == "length":
            return f"{c_lo - high:.1f} km longer than the longest design in the band"
        return f"above the highest estimate by {c_lo / high:.1f}×"
    return "within the design band" if kind == "length" else "within range"


@dataclass(frozen=True)
class ClaimCheck:
    """One claim against the model. Money in US$ bn of ``price_year`` (None for non-money)."""

    quantity: str
    label: str
    claimed: float | list
    bound: str | None
    unit: str
    low: float | None
    high: float | None
    central: float | None
    price_year: int | None
    verdict: str
    quote: str
    sources: tuple[str, ...]
    assumptions: tuple[str, ...]
    as_reported: str = ""
    if_overrun: str = ""

    def to_dict(self) -> dict:
        """Plain JSON (``price_year`` and ``currency`` only for money)."""
        d = {"quantity": self.quantity, "label": self.label, "claimed": self.claimed,
             "bound": self.bound, "unit": self.unit, "low": self.low, "high": self.high,
             "central": self.central, "verdict": self.verdict, "quote": self.quote,
             "sources": list(self.sources), "assumptions": list(self.assumptions)}
        if self.price_year is not None:
            d["price_year"] = self.price_year
            d["currency"] = "USD"
            d["as_reported"] = self.as_reported
            d["if_overrun"] = self.if_overrun
        return d


@dataclass(frozen=True)
class OtherEstimate:
    """Another published estimate for the same link, as reported and in base-year US$."""

    who: str
    what: str
    as_reported: str
    low_busd: float | None
    high_busd: float | None
    price_year: int
    years: tuple[float | None, float | None]
    sources: tuple[str, ...]

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {"who": self.who, "what": self.what, "as_reported": self.as_reported,
                "low_busd": self.low_busd, "high_busd": self.high_busd, "currency": "USD",
                "price_year": self.price_year, "years_low": self.years[0],
                "years_high": self.years[1], "sources": list(self.sources)}


@dataclass
class Scorecard:
    """The scorecard of one route."""

    route_id: str
    route_name: str
    mode: str
    base_year: int
    floor: bool
    claims: tuple[ClaimCheck, ...]
    estimate: ProgrammeEstimate
    others: tuple[OtherEstimate, ...] = field(default_factory=tuple)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Feasibility and precedent warnings of the estimate."""
        return self.estimate.warnings

    def to_dict(self) -> dict:
        """The JSON object of ``python -m mapapp claims --json`` for this route."""
        e = self.estimate
        return {
            "route_id": self.route_id,
            "route_name": self.route_name,
            "mode": self.mode,
            "currency": "USD",
            "price_year": self.base_year,
            "floor": self.floor,
            "claims": [c.to_dict() for c in self.claims],
            "cost": e.cost.to_dict(),
            "schedule": e.schedule.to_dict(),
            "design_band": e.band.to_dict() if e.band else None,
            "access_sites": [a.to_dict() for a in e.access],
            "warnings": list(self.warnings),
            "assumptions": list(e.assumptions),
            "other_estimates": [o.to_dict() for o in self.others],
            "tunnel_length_km": e.tunnel.tunnel_length_m / 1000.0,
            "inputs": [i.to_dict() for i in e.inputs],
            "sources": list(e.sources),
            "caveat": e.tunnel.caveat,
        }


def _other_estimates(base_year: int) -> tuple[OtherEstimate, ...]:
    out = []
    for e in refs.BERING_ESTIMATES.values():
        def conv(v, e=e):
            if v is None:
                return None
            try:
                return float(to_base(Money(v, e.currency, e.price_year), base_year))
            except PriceError:
                return None
        rep = (fmt_money(e.low_bn, e.currency, e.price_year, "bn", 0) if e.high_bn is None
               else f"{fmt_money(e.low_bn, e.currency, e.price_year, 'bn', 0).split(' bn')[0]}"
                    f"–{e.high_bn:g} bn ({e.price_year} prices)")
        if e.high_bn is None and e.low_bn is not None:
            rep = "more than " + rep
        out.append(OtherEstimate(e.who, e.what, rep, conv(e.low_bn), conv(e.high_bn),
                                 base_year, (e.years_low, e.years_high), e.sources))
    return tuple(out)


def _claim_price_year(info: dict, default: int) -> int:
    y = info.get("price_year")
    return int(y) if y else default


def scorecard(est: ProgrammeEstimate, route) -> Scorecard:
    """Check the route's length, cost and duration claims against ``est``."""
    by = est.base_year
    claims = dict(route.claims or {})
    checks = []
    band = est.band
    for q, (label, unit, keys) in QUANTITIES.items():
        key = next((k for k in keys if k in claims), None)
        if key is None:
            continue
        info = claims[key] if isinstance(claims[key], dict) else {"value": claims[key]}
        claimed, bound = info.get("value"), info.get("bound")
        if claimed is None:
            continue
        quote = info.get("text") or str(claimed)
        sources = tuple(route.sources)
        if q == "length_km":
            if band:
                lo, hi = band.length_km
                central = band.chosen.tunnel_km
                assumptions = (
                    f"design band: cover {', '.join(f'{p.cover_m:g}' for p in band.points[:-1][::2])}"
                    f" m × grade {', '.join(sorted({f'{p.grade_pct:g}' for p in band.points}))} %;"
                    f" chosen {band.chosen.cover_m:g} m / {band.chosen.grade_pct:g} % gives "
                    f"{central:.1f} km",
                    "tunnel length portal to portal, including approaches beyond the route",
                )
            else:
                lo = hi = central = est.tunnel.tunnel_length_m / 1000.0
                assumptions = ("tunnel length portal to portal at the chosen design",)
            checks.append(ClaimCheck(q, label, claimed, bound, unit, lo, hi, central, None,
                                     verdict(claimed, bound, lo, hi, kind="length"), quote,
                                     sources, assumptions))
        elif q == "cost_busd":
            py = _claim_price_year(info, by)
            c = est.cost
            c_lo, c_hi = _span(claimed)
            as_rep = (fmt_money(c_lo, "USD", py, "bn", 1) if c_lo == c_hi
                      else f"US${c_lo:g}–{c_hi:g} bn ({py} prices)")
            conv = [float(to_base(Money(v, "USD", py), by)) for v in (c_lo, c_hi)]
            claimed_base = conv[0] if c_lo == c_hi else conv
            if c.floor:
                lo, hi, central = c.low_busd, None, None
                assumptions = (c.basis, "loop bores (2 × 3.66 m) cannot carry rail freight")
                if_over = ""
            else:
                lo, hi, central = c.low_busd, c.high_busd, c.central_busd
                if band and band.cost_busd[1] is not None:
                    hi = max(hi, band.cost_busd[1])
                over = next(i for i in est.inputs if i.name == "overrun_factor")
                if_over = (f"a US${conv[1]:.1f} bn budget overrunning like the average rail "
                           f"project (+{over.high - 1:.0%}) ends at US${conv[1] * over.high:.1f}"
                           f" bn ({by} prices)")
                assumptions = (c.basis, "high end includes the design band (cover 50–100 m)",
                               "outturn cost of the tunnel only: no approach railways, rolling "
                               "stock or financing")
            checks.append(ClaimCheck(q, label, claimed_base, bound, f"US$ bn ({by} prices)", lo,
                                     hi, central, by, verdict(claimed_base, bound, lo, hi),
                                     quote, sources, assumptions, as_reported=as_rep,
                                     if_overrun=if_over))
        else:
            s = est.schedule
            checks.append(ClaimCheck(q, label, claimed, bound, unit, s.low_years, s.high_years,
                                     None, None, verdict(claimed, bound, s.low_years,
                                                         s.high_years),
                                     quote, sources,
                                     tuple(f"{p.name}: {p.low_years:.1f}–{p.high_years:.1f} yr"
                                           for p in s.phases) + s.assumptions))
    return Scorecard(route.id, route.name, est.mode, by, est.cost.floor, tuple(checks), est,
                     _other_estimates(by))


def _num(v) -> str:
    if isinstance(v, (list, tuple)):
        return "–".join(f"{x:g}" for x in v)
    return f"{v:,.1f}" if isinstance(v, float) and not float(v).is_integer() else f"{v:g}"


def claim_texts(claim: dict) -> dict:
    """The strings a scorecard card shows for one claim (a :meth:`ClaimCheck.to_dict`):
    ``label``, ``claimed``, ``computed``, ``verdict``, ``as_reported``, ``if_overrun``. Money
    strings always carry the currency and the price year.

    >>> claim_texts({"label": "Cost", "claimed": 8.0, "bound": "upper", "unit": "US$ bn",
    ...              "low": 13.6, "high": 200.0, "price_year": 2025, "verdict": "v"})["computed"]
    'US$13.6–200.0 bn (2025 prices)'
    """
    bound = {"upper": "< ", "lower": "> "}.get(claim.get("bound") or "", "")
    money = "price_year" in claim
    y = claim.get("price_year")
    lo, hi = claim.get("low"), claim.get("high")
    if money:
        claimed = f"{bound}US${_num(claim['claimed'])} bn ({y} prices)"
        if hi is None:
            computed = f"floor US${lo:,.1f} bn ({y} prices) — not an estimate"
        else:
            computed = f"US${lo:,.1f}–{hi:,.1f} bn ({y} prices)"
    else:
        unit = claim["unit"]
        claimed = f"{bound}{_num(claim['claimed'])} {unit}"
        computed = f"{lo:,.1f}–{hi:,.1f} {unit}" if hi is not None else f"{lo:,.1f} {unit}"
    return {"label": claim["label"], "claimed": claimed, "computed": computed,
            "verdict": claim["verdict"], "as_reported": claim.get("as_reported", ""),
            "if_overrun": claim.get("if_overrun", "")}
