"""``claims`` (the claims scorecard of routes) and ``backtest`` (leave-one-out model check)."""

from __future__ import annotations

import argparse
import json

from mapapp.economics.backtest import backtest
from mapapp.economics.claims import scorecard
from mapapp.economics.estimate import estimate_for_route
from mapapp.economics.prices import BASE_YEAR

from ._common import open_dataset, resolve_routes

__all__ = ["cmd_backtest", "cmd_claims", "format_backtest", "format_scorecard", "register"]


def _rng(lo, hi, fmt="{:.1f}") -> str:
    if lo is None:
        return "—"
    if hi is None:
        return f"≥ {fmt.format(lo)} (floor)"
    return f"{fmt.format(lo)}–{fmt.format(hi)}"


def _claimed(c) -> str:
    v = c.claimed
    bound = {"upper": "< ", "lower": "> "}.get(c.bound or "", "")
    if isinstance(v, (list, tuple)):
        return bound + "–".join(f"{x:.4g}" for x in v)
    return f"{bound}{v:.4g}"


def format_scorecard(sc) -> str:
    """Plain text: one block per claim, then schedule, design band, warnings, other estimates."""
    e = sc.estimate
    y = sc.base_year
    lines = [f"{sc.route_id} — {sc.route_name} ({sc.mode}; money in US$ of {y})", ""]
    for c in sc.claims:
        unit = c.unit
        lines.append(f"  {c.label}: claimed {_claimed(c)} {unit} — {c.quote}")
        if c.as_reported:
            lines.append(f"    as reported: {c.as_reported}")
        lines.append(f"    computed {_rng(c.low, c.high)} {unit}"
                     + (f" (central {c.central:.1f})" if c.central is not None else ""))
        lines.append(f"    verdict: {c.verdict}")
        if c.if_overrun:
            lines.append(f"    {c.if_overrun}")
        for a in c.assumptions:
            lines.append(f"      · {a}")
    if sc.floor:
        lines.append("  Loop mode: the cost is a FLOOR, not an estimate.")
    s = e.schedule
    lines += ["", f"  Whole programme: {s.low_years:.1f}–{s.high_years:.1f} years, "
                  f"{s.tbm_count} TBMs ({s.faces} faces), sections "
                  + " / ".join(f"{k:.1f}" for k in s.sections_km) + " km"]
    for p in s.phases:
        lines.append(f"    {p.name}: {p.low_years:.1f}–{p.high_years:.1f} yr")
    if e.band:
        b = e.band
        lo, hi = b.cost_busd
        lines += ["", f"  Design band (cover × grade): tunnel {b.length_km[0]:.1f}–"
                      f"{b.length_km[1]:.1f} km, crown {b.depth_m[0]:.0f}–{b.depth_m[1]:.0f} m "
                      f"below sea level, cost {_rng(lo, hi)} US$ bn ({y} prices)"]
        for p in b.points[:-1]:
            lines.append(f"    cover {p.cover_m:g} m, grade {p.grade_pct:g} %: {p.tunnel_km:.1f} km,"
                         f" {p.max_depth_m:.0f} m, {_rng(p.cost_low_busd, p.cost_high_busd)} "
                         f"US$ bn ({y} prices)")
    lines += ["", "  Access sites:"]
    for a in e.access:
        shaft = f", shaft {a.shaft_depth_m:.0f} m" if a.shaft_depth_m is not None else ""
        lines.append(f"    {a.name} (km {a.chainage_km:.1f}{shaft}): drives {a.drives_km:.1f} km,"
                     f" spoil {a.spoil_m3 / 1e6:.1f} million m³ in place, "
                     f"{a.spoil_bulked_m3_low / 1e6:.1f}–{a.spoil_bulked_m3_high / 1e6:.1f} "
                     "bulked")
    lines += ["", "  Warnings:"] + [f"    ! {w}" for w in sc.warnings]
    lines += ["", "  Other published estimates for this link:"]
    for o in sc.others:
        lines.append(f"    {o.who}: {o.what} — as reported {o.as_reported}; "
                     f"{_rng(o.low_busd, o.high_busd)} US$ bn ({o.price_year} prices)"
                     if o.high_busd is not None else
                     f"    {o.who}: {o.what} — as reported {o.as_reported}; "
                     f"≥ {o.low_busd:.1f} US$ bn ({o.price_year} prices)")
    lines += ["", "  " + e.tunnel.caveat]
    return "\n".join(lines)


def cmd_claims(args: argparse.Namespace) -> int:
    """Print the claims scorecard of each route (text or JSON)."""


    routes = resolve_routes(args.routes)
    grid = open_dataset(args.dataset)
    cards = [scorecard(estimate_for_route(r, grid, mode=args.mode, base_year=args.base_year,
                                          step_m=args.step_m), r) for r in routes]
    if args.json:
        print(json.dumps([c.to_dict() for c in cards], indent=2, ensure_ascii=False,
                         allow_nan=False))
    else:
        print("\n\n".join(format_scorecard(c) for c in cards))
    return 0


def format_backtest(rows, base_year: int) -> str:
    """A table: project, cost actual vs range, duration actual vs range."""
    def cell(c, fmt):
        if c is None:
            return "—"
        mark = "inside" if c.inside else "MISS"
        return f"{fmt.format(c.actual)} in {fmt.format(c.low)}–{fmt.format(c.high)} {mark}"

    head = ("project", "cost as reported", f"cost, US$ bn ({base_year} prices)", "duration, years")
    body = [(r.project, r.cost_as_reported if r.cost else "—", cell(r.cost, "{:.1f}"),
             cell(r.duration, "{:.1f}")) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [head, *body]]
    misses = sum(1 for r in rows for c in (r.cost, r.duration) if c is not None and not c.inside)
    checks = sum(1 for r in rows for c in (r.cost, r.duration) if c is not None)
    lines += ["", f"{checks - misses} of {checks} checks inside their leave-one-out range; "
                  f"{misses} miss(es), explained in docs/tunnel-model.md."]
    return "\n".join(lines)


def cmd_backtest(args: argparse.Namespace) -> int:
    """Leave-one-out backtest of the cost and schedule model."""

    rows = backtest(args.base_year)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False,
                         allow_nan=False))
    else:
        print(format_backtest(rows, args.base_year))
    return 0


def register(subparsers) -> None:
    """Add the ``claims`` and ``backtest`` commands."""
    c = subparsers.add_parser(
        "claims",
        help="claims scorecard: each proposal's length, cost and time against the model",
        description="For each route, compare its proposal's claims (length, cost, duration) "
        "with a reference-class estimate: cost in constant US dollars, a whole-programme "
        "schedule, the design band, island access, spoil and warnings (docs/tunnel-model.md).",
    )
    c.add_argument("routes", nargs="+", metavar="ROUTE", help="preset ids or route files")
    c.add_argument("--mode", choices=("rail", "road", "loop"),
                   help="tunnel mode (default: each route's own); loop gives a floor only")
    c.add_argument("--base-year", type=int, default=BASE_YEAR, metavar="YEAR",
                   help=f"price year of every US$ figure (default {BASE_YEAR})")
    c.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    c.add_argument("--step-m", type=float, metavar="M", help="profile sampling step, metres")
    c.add_argument("--json", action="store_true", help="print a JSON array, one object per route")
    c.set_defaults(func=cmd_claims)

    b = subparsers.add_parser(
        "backtest",
        help="leave-one-out backtest of the cost and schedule model on built projects",
        description="For each built reference project, predict its cost and duration from "
        "its own length, bores and longest drive with the project left out of the reference "
        "class, and show whether the real figure falls inside the range.",
    )
    b.add_argument("--base-year", type=int, default=BASE_YEAR, metavar="YEAR",
                   help=f"price year of every US$ figure (default {BASE_YEAR})")
    b.add_argument("--json", action="store_true", help="print a JSON array, one per project")
    b.set_defaults(func=cmd_backtest)
