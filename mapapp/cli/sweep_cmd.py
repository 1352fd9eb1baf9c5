"""``sweep``: Monte Carlo of length, cost and duration per route, on Dask.

Examples (shell)::

    python -m mapapp sweep dmitriev-2025 --samples 20000 --seed 1 --json
    python -m mapapp sweep dmitriev-2025 razbegin-2025 --samples 100000 --out results/
    dask scheduler --port 8786 &  dask worker tcp://127.0.0.1:8786 &
    python -m mapapp sweep dmitriev-2025 --samples 20000 --seed 1 \\
        --scheduler tcp://127.0.0.1:8786 --json

By default the sweep runs on a Dask ``LocalCluster`` on this machine (one worker process
per core); ``--scheduler ADDRESS`` (or ``$MAPAPP_DASK_SCHEDULER``) uses an existing cluster
and ``--in-process`` no Dask at all. The same seed gives the same numbers on any of them.

``--json`` prints a list with one object per route: ``percentiles`` (``length_km``,
``cost_busd``, ``duration_years``, each ``p10``/``p50``/``p90``), ``claims`` (each with
``quantity``, ``claimed`` and ``probability``), ``sensitivity``, ``seed``, ``samples``,
``price_year`` and ``versions``. ``--out DIR`` writes that JSON as ``sweep.json`` and every
scenario's outputs as ``<route>-scenarios.csv``. Method: ``docs/uncertainty.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mapapp.core.errors import ExportError
from mapapp.core.files import atomic_write, atomic_write_json
from mapapp.core.jsonenc import dumps
from mapapp.uncertainty.cluster import DEFAULT_CHUNK, open_runner
from mapapp.uncertainty.model import default_model, model_versions, route_context
from mapapp.uncertainty.sweep import run_sweep

from ._common import POSITIVE_INT, SEED, open_dataset, resolve_routes

__all__ = ["cmd_sweep", "progress_printer", "register"]


def progress_printer(label: str, stream=None):
    """A ``progress(done, total)`` callback drawing a one-line bar on a terminal (else
    nothing)."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return None
    t0 = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        el = time.perf_counter() - t0
        stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                     f"chunks, {el:.1f} s")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the sweep and print (or write) its results."""


    routes = resolve_routes(args.routes)
    grid = open_dataset(args.dataset)
    contexts = [route_context(r, grid, mode=args.mode) for r in routes]
    modes = {c.mode for c in contexts}
    results = []
    with open_runner(args.scheduler, args.workers, in_process=args.in_process) as runner:
        for mode in sorted(modes):
            group = [c for c in contexts if c.mode == mode]
            model = default_model(mode, group[0].sigma_m)
            model = type(model)(**{**model.__dict__, "versions": model_versions(model)})
            results += run_sweep(group, model, args.samples, args.seed, runner=runner,
                                 chunk=args.chunk, progress=progress_printer("sweep"))
    order = {c.route_id: i for i, c in enumerate(contexts)}
    results.sort(key=lambda r: order.get(r.route_id, 0))
    payload = [r.to_dict() for r in results]
    if args.out:
        _write_out(Path(args.out), payload, results)
    if args.json:
        print(dumps(payload, indent=1, sort_keys=False))
        return 0
    for r in results:
        print("\n".join(_summary(r)))
        print()
    if args.out:
        print(f"wrote {Path(args.out) / 'sweep.json'} and one scenarios CSV per route")
    return 0


def _write_out(folder: Path, payload: list, results) -> None:
    import numpy as np


    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror}") from None
    atomic_write_json(folder / "sweep.json", payload, indent=1)
    for r in results:
        cols = list(r.outputs)
        arr = np.column_stack([r.outputs[k] for k in cols])
        lines = [",".join(cols)] + [",".join(f"{v:.6g}" for v in row) for row in arr]
        atomic_write(folder / f"{r.route_id}-scenarios.csv",
                     ("\n".join(lines) + "\n").encode("utf-8"))


def _summary(r) -> list[str]:
    money = f"US$ bn of {r.price_year}" if r.price_year else "US$ bn, mixed price years"
    units = {"length_km": "km", "cost_busd": money, "duration_years": "years"}
    lines = [f"{r.route_name} — {r.samples:,} scenarios, seed {r.seed}, {r.runner}"]
    for k, p in r.percentiles.items():
        lines.append(f"  {k:<15} P10 {p.p10:9.2f}  P50 {p.p50:9.2f}  P90 {p.p90:9.2f}  "
                     f"({units[k]})")
    if r.claims:
        lines.append("  claims:")
        lines += [f"    {c.sentence(r.samples)}" for c in r.claims]
    lines.append("  what moves the result most (one input from its P10 to its P90, the "
                 "others at their medians):")
    for s in [s for s in r.sensitivity if s.swing_cost > 0][:3]:
        lines.append(f"    cost      {s.label:<28} {s.cost_low:7.2f} → {s.cost_high:7.2f} "
                     "US$ bn")
    by_dur = sorted(r.sensitivity, key=lambda s: -s.swing_duration)
    for s in [s for s in by_dur if s.swing_duration > 0][:3]:
        lines.append(f"    duration  {s.label:<28} {s.duration_low:7.2f} → "
                     f"{s.duration_high:7.2f} years")
    lines += [f"  note: {n}" for n in r.notes]
    return lines


def add_cluster_options(p) -> None:
    """``--scheduler``, ``--workers``, ``--in-process`` (shared with ``ensemble``)."""
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="existing Dask scheduler, e.g. tcp://127.0.0.1:8786 (default: "
                   "$MAPAPP_DASK_SCHEDULER, else a LocalCluster on this machine)")
    p.add_argument("--workers", type=POSITIVE_INT, metavar="N",
                   help="worker processes of the LocalCluster (default: one per core)")
    p.add_argument("--in-process", action="store_true",
                   help="run in this process, without Dask")


def register(subparsers) -> None:
    """Add the ``sweep`` command."""

    p = subparsers.add_parser(
        "sweep",
        help="Monte Carlo of length, cost and duration per route (Dask)",
        description="Sample the cost and schedule model's uncertain inputs SAMPLES times "
        "and report P10/P50/P90 of length, cost and duration, the probability of each "
        "claim and which input moves the result most (docs/uncertainty.md).",
    )
    p.add_argument("routes", nargs="+", metavar="ROUTE", help="preset ids or route files")
    p.add_argument("--samples", type=POSITIVE_INT, default=20_000, metavar="N",
                   help="scenarios (default 20000)")
    p.add_argument("--seed", type=SEED, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--mode", choices=("rail", "road", "loop"),
                   help="tunnel mode (default: each route's own)")
    p.add_argument("--dataset", metavar="PATH", help="bathymetry grid (default: embedded ETOPO5)")
    p.add_argument("--chunk", type=POSITIVE_INT, default=DEFAULT_CHUNK, metavar="C",
                   help=f"scenarios per task (default {DEFAULT_CHUNK}; the same seed gives "
                   "the same numbers only with the same chunk)")
    add_cluster_options(p)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--out", metavar="DIR",
                   help="write sweep.json and <route>-scenarios.csv into DIR")
    p.set_defaults(func=cmd_sweep)
