"""The sweep's numbers for the report figure's claims scorecard (P10–P90 bars).

:func:`sweep_for_scorecards` runs a small Monte Carlo per route (in-process, seed 0 unless
given) and attaches its percentiles and claim probabilities to the scorecards with
:func:`mapapp.uncertainty.sweep.attach_to_scorecards`; the report's scorecard panel then
draws a P10–P90 bar with the claim marked on each card.
"""

from __future__ import annotations

from mapapp.core.errors import InputError
from mapapp.uncertainty.model import default_model, route_context
from mapapp.uncertainty.sweep import attach_to_scorecards, run_sweep

__all__ = ["sweep_for_scorecards"]


def sweep_for_scorecards(scorecards, routes, grid, samples: int, seed: int = 0,
                         runner=None) -> list[dict]:
    """Scorecard dicts with ``claim["uncertainty"]`` for every claim the sweep covers.

    Routes whose mode has no estimate (loop: a floor) keep their cards without bars.
    """

    samples = int(samples)
    if samples < 1:
        raise InputError(f"--uncertainty needs at least 1 scenario, got {samples}")
    results = []
    for r in routes:
        if r.mode == "loop":
            continue
        ctx = route_context(r, grid)
        results += run_sweep([ctx], default_model(ctx.mode, ctx.sigma_m), samples, seed,
                             runner=runner)
    return attach_to_scorecards(scorecards, results)
