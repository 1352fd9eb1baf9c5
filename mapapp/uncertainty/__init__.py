"""Uncertainty at scale: Monte Carlo sweeps of cost and schedule, alignment ensembles, on Dask.

Modules
-------
:mod:`~mapapp.uncertainty.cluster`
    Where the work runs: in-process, a :class:`distributed.LocalCluster` (default) or an
    existing Dask cluster (``--scheduler ADDRESS`` / ``$MAPAPP_DASK_SCHEDULER``); chunks,
    seeds, progress, cancellation and retries.
:mod:`~mapapp.uncertainty.distributions`
    Input distributions (lognormal, uniform, triangular, normal) with their source and the
    reason for their shape; per-dataset vertical uncertainty of the bathymetry grids.
:mod:`~mapapp.uncertainty.sweep`
    The Monte Carlo of length, cost and duration per route: percentiles, the probability of
    meeting each claim, a sensitivity ranking.
:mod:`~mapapp.uncertainty.ensemble`
    Alignment ensembles: the least-cost optimiser over sampled weights, via/no-go choices and
    grid perturbations; a corridor frequency raster (COG) and the spread of path lengths.

Nothing here imports Streamlit; the app's view is :mod:`mapapp.ui.uncertainty_panel`.
Method and sources: ``docs/uncertainty.md``.
"""
