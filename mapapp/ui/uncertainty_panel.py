"""The "Uncertainty" view: how likely each claim is, and how sure the best alignment is.

Two parts, each running in the background so the rest of the page stays usable:

* **Monte Carlo** of the selected routes (:func:`mapapp.uncertainty.sweep.run_sweep` with the
  economics model): distributions of length, cost and duration with the claim marked
  (Altair), the probability of each claim in words, and the tornado chart of sensitivities.
* **Alignment ensemble** (:func:`mapapp.uncertainty.ensemble.run_ensemble`): the corridor
  frequency raster, shown on the map by :func:`map_layers` (the app adds it to the map's
  layers) and downloadable as a COG.

Jobs run in a thread of the server (or on a Dask cluster when ``$MAPAPP_DASK_SCHEDULER`` is
set, or a local one when chosen); a progress bar updates once a second in a fragment and a
*Cancel* button stops the job. Finished jobs are kept per inputs (route geometry, grid and
its modification time, samples, seed, mode …), so coming back to the same inputs shows the
result at once. Session state keys start with ``uq_``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import threading
import time
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mapapp.core.errors import MapAppError
from mapapp.core.safety import md_escape
from mapapp.data.bathymetry import open_grid
from mapapp.data.context import load_places
from mapapp.routes.route import Route
from mapapp.uncertainty.cluster import SCHEDULER_ENV, DaskRunner, InProcessRunner
from mapapp.uncertainty.ensemble import EnsembleSpec, run_ensemble, write_corridor_cog
from mapapp.uncertainty.model import default_model, model_versions, route_context
from mapapp.uncertainty.sweep import run_sweep

from . import cache

RUN_CHOICES = {
    "thread": "this server (background thread)",
    "local": "a local Dask cluster (one worker per core)",
    "env": "the Dask scheduler in $MAPAPP_DASK_SCHEDULER",
}
MAX_JOBS = 24


# =============================================================================== jobs
@dataclass
class Job:
    """A background computation: progress, result or error, cancellation."""

    key: str
    kind: str
    label: str
    done: int = 0
    total: int = 0
    result: object = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return self.finished is None


@st.cache_resource(show_spinner=False)
def _jobs() -> dict:
    """Jobs shared by every session of this server (results are immutable)."""
    return {}


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def _runner(choice: str):

    if choice == "env":
        return DaskRunner(os.environ.get(SCHEDULER_ENV))
    if choice == "local":
        return DaskRunner(None)
    return InProcessRunner()


def _start(key: str, kind: str, label: str, work, choice: str) -> Job:
    """Start ``work(runner, progress, cancel)`` in a thread unless a job with ``key`` exists."""
    jobs = _jobs()
    job = jobs.get(key)
    if job is not None and (job.running or job.error is None):
        return job
    job = Job(key, kind, label)
    jobs[key] = job
    for old in sorted(jobs.values(), key=lambda j: j.started)[:-MAX_JOBS]:
        if not old.running:
            jobs.pop(old.key, None)

    def progress(done, total):
        job.done, job.total = done, total

    def target():
        try:
            with _runner(choice) as runner:
                job.result = work(runner, progress, job.cancel.is_set)
        except MapAppError as exc:
            job.error = str(exc)
        except Exception as exc:  # shown in one line, never a traceback
            job.error = f"internal error ({type(exc).__name__}: {exc})"
        finally:
            job.finished = time.time()

    threading.Thread(target=target, name=f"mapapp-{kind}-{key}", daemon=True).start()
    return job


def _job(key: str | None) -> Job | None:
    return _jobs().get(key) if key else None


@st.fragment(run_every=1.0)
def _progress(key: str) -> None:
    """Progress of a running job, refreshed every second; reruns the app when it ends."""
    job = _job(key)
    if job is None:
        return
    if not job.running:
        st.rerun(scope="app")
    frac = job.done / job.total if job.total else 0.0
    st.progress(min(frac, 1.0), text=f"{job.label}: {job.done} of {job.total or '?'} chunks, "
                f"{time.time() - job.started:.0f} s")
    if st.button("Cancel", key=f"uq_cancel_{key}"):
        job.cancel.set()


# =============================================================================== sweep
def _sweep_work(routes_json: list[str], grid_path: str, samples: int, seed: int, mode: str):
    def work(runner, progress, cancel):

        routes = [Route.from_dict(json.loads(r)) for r in routes_json]
        grid = open_grid(grid_path)
        ctxs = [route_context(r, grid, mode=mode) for r in routes]
        model = default_model(mode, ctxs[0].sigma_m)
        model = type(model)(**{**model.__dict__, "versions": model_versions(model)})
        return run_sweep(ctxs, model, samples, seed, runner=runner, progress=progress,
                         cancel=cancel)

    return work


def _hist(values: np.ndarray, bins: int = 60) -> pd.DataFrame:
    counts, edges = np.histogram(values, bins=bins)
    return pd.DataFrame({"x0": edges[:-1], "x1": edges[1:], "share": counts / values.size})


def distribution_chart(result, quantity: str, unit: str) -> alt.LayerChart:
    """Histogram of one output with P10/P50/P90 and the claims on it marked."""
    data = _hist(result.outputs[quantity])
    bars = alt.Chart(data).mark_rect(opacity=0.75, color="#4c78a8").encode(
        x=alt.X("x0:Q", title=f"{quantity.replace('_', ' ')} ({unit})"), x2="x1:Q",
        y=alt.Y("share:Q", title="share of scenarios", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("x0:Q", format=".3g", title="from"),
                 alt.Tooltip("x1:Q", format=".3g", title="to"),
                 alt.Tooltip("share:Q", format=".1%")])
    p = result.percentiles[quantity]
    pct = pd.DataFrame({"x": [p.p10, p.p50, p.p90], "label": ["P10", "P50", "P90"]})
    layers = [bars,
              alt.Chart(pct).mark_rule(strokeDash=[4, 3], color="#555").encode(
                  x="x:Q", tooltip=["label", alt.Tooltip("x:Q", format=".3g")])]
    claims = [c for c in result.claims if c.quantity == quantity]
    if claims:
        cd = pd.DataFrame({"x": [c.claimed for c in claims],
                           "label": [f"claim: {'≤' if c.bound == 'upper' else '≥'} "
                                     f"{c.claimed:g} ({100 * c.probability:.1f} %)"
                                     for c in claims]})
        layers += [alt.Chart(cd).mark_rule(color="#d62728", size=2).encode(x="x:Q"),
                   alt.Chart(cd).mark_text(color="#d62728", align="left", dx=4, dy=-6,
                                           baseline="top").encode(
                       x="x:Q", y=alt.value(4), text="label:N")]
    return alt.layer(*layers).properties(height=200)


def tornado_chart(result, what: str = "cost") -> alt.LayerChart:
    """Tornado: each input from its P10 to its P90 (others at median), widest bar on top."""
    key = {"cost": ("cost_low", "cost_high", "US$ bn"),
           "duration": ("duration_low", "duration_high", "years")}[what]
    rows = [{"input": s.label, "at P10": getattr(s, key[0]), "at P90": getattr(s, key[1]),
             "swing": abs(getattr(s, key[1]) - getattr(s, key[0]))}
            for s in result.sensitivity]
    df = pd.DataFrame(rows).sort_values("swing", ascending=False)
    df = df[df["swing"] > 0]
    order = list(df["input"])
    bars = alt.Chart(df).mark_bar(color="#f58518").encode(
        y=alt.Y("input:N", sort=order, title=None),
        x=alt.X("at P10:Q", title=f"{what} ({key[2]})", scale=alt.Scale(zero=False)),
        x2="at P90:Q",
        tooltip=["input", alt.Tooltip("at P10:Q", format=".3g"),
                 alt.Tooltip("at P90:Q", format=".3g"), alt.Tooltip("swing:Q", format=".3g")])
    return bars.properties(height=max(120, 22 * len(df)))


def _show_sweep(results) -> None:
    for r in results:
        money = f"US$ bn of {r.price_year}" if r.price_year else "US$ bn"
        st.markdown(f"#### {md_escape(r.route_name)}")
        st.caption(f"{r.samples:,} scenarios, seed {r.seed}, run on {r.runner}; "
                   f"model: {r.model.name}.")
        cols = st.columns(3)
        for col, (q, unit, fmt) in zip(cols, (("length_km", "km", "{:.1f}"),
                                              ("cost_busd", money, "{:.1f}"),
                                              ("duration_years", "years", "{:.1f}")),
                                       strict=True):
            p = r.percentiles[q]
            col.metric(f"{q.replace('_', ' ')} — P50 ({unit})", fmt.format(p.p50),
                       help=f"P10 {fmt.format(p.p10)}, P90 {fmt.format(p.p90)}")
        if r.claims:
            st.markdown("**How likely is each claim?** (IPCC likelihood scale)")
            for c in r.claims:
                quote = f" — {md_escape(c.text)}" if c.text else ""
                st.markdown(f"- {md_escape(c.sentence(r.samples))}{quote}")
        else:
            st.caption("This route carries no length, cost or duration claim.")
        for q, unit in (("length_km", "km"), ("cost_busd", money),
                        ("duration_years", "years")):
            st.altair_chart(distribution_chart(r, q, unit), width="stretch")
        st.markdown("**What moves the result most** (one input from its P10 to its P90, the "
                    "others at their medians)")
        c1, c2 = st.columns(2)
        c1.altair_chart(tornado_chart(r, "cost"), width="stretch")
        c2.altair_chart(tornado_chart(r, "duration"), width="stretch")
        with st.expander("Inputs: distributions, sources and why that shape"):
            st.dataframe(pd.DataFrame([{
                "input": s.label, "unit": s.unit, "distribution": s.dist.describe(),
                "source": s.source, "why this shape": s.why,
                "assumption": "yes" if s.assumption else ""} for s in r.model.inputs]),
                hide_index=True, width="stretch")
        for n in r.notes:
            st.caption(md_escape(n))
        st.download_button("Download the results (JSON)",
                           json.dumps(r.to_dict(), ensure_ascii=False, indent=1),
                           file_name=f"{r.route_id}-sweep.json", mime="application/json",
                           key=f"uq_dl_{r.route_id}_{r.seed}_{r.samples}")


# =============================================================================== ensemble
def _ensemble_work(start: str, end: str, via: tuple, grid_path: str, runs: int, seed: int):
    def work(runner, progress, cancel):

        spec = EnsembleSpec(start=start, end=end, optional_via=via, grid=grid_path)
        return run_ensemble(spec, runs, seed, runner=runner, progress=progress, cancel=cancel)

    return work


def _mercator_rows(freq: np.ndarray, south: float, north: float) -> np.ndarray:
    """Resample a lat/lon raster's rows so they are evenly spaced in Web Mercator (Leaflet
    stretches an image overlay linearly in projected metres)."""
    rows = freq.shape[0]

    def merc(lat):
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    y = np.linspace(merc(north), merc(south), rows, endpoint=False) + \
        (merc(south) - merc(north)) / rows / 2
    lat = np.degrees(2 * np.arctan(np.exp(y)) - np.pi / 2)
    src = np.clip(((north - lat) / (north - south) * rows).astype(int), 0, rows - 1)
    return freq[src]


def corridor_png(result) -> bytes:
    """The frequency raster as a PNG: transparent at 0, yellow → red with the share."""
    from matplotlib import colormaps
    from PIL import Image

    w, s, e, n = result.bounds
    f = _mercator_rows(result.frequency, s, n)
    rgba = (colormaps["YlOrRd"](np.clip(f, 0, 1)) * 255).astype("uint8")
    rgba[..., 3] = np.where(f > 0, (80 + 175 * np.clip(f, 0, 1)).astype("uint8"), 0)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def corridor_layer(result):
    """A folium layer with the corridor frequency raster (for the map's layers)."""
    import folium

    w, s, e, n = result.bounds
    url = "data:image/png;base64," + base64.b64encode(corridor_png(result)).decode()
    p10, p50, p90 = result.length_percentiles
    name = (f"Corridor frequency ({result.ok} runs; length P10–P90 {p10:.0f}–{p90:.0f} km)")
    fg = folium.FeatureGroup(name=html.escape(name))
    folium.raster_layers.ImageOverlay(image=url, bounds=[[s, w], [n, e]], opacity=0.85,
                                      interactive=False, cross_origin=False, zindex=5,
                                      name="corridor").add_to(fg)
    return fg


def map_layers() -> list:
    """Layers this view adds to the map (the last finished ensemble of this session)."""
    job = _job(st.session_state.get("uq_ensemble_key"))
    if job is None or job.running or job.result is None or not st.session_state.get(
            "uq_show_corridor", True):
        return []
    try:
        return [corridor_layer(job.result)]
    except Exception:  # a map layer never breaks the page
        return []


def _show_ensemble(result) -> None:
    st.markdown("\n".join(f"- {md_escape(line)}" for line in result.summary_lines()))
    st.checkbox("Show the corridor on the map", value=True, key="uq_show_corridor")
    lens = pd.DataFrame({"length_km": result.lengths_km})
    st.altair_chart(alt.Chart(lens).mark_bar().encode(
        x=alt.X("length_km:Q", bin=alt.Bin(maxbins=30), title="path length (km)"),
        y=alt.Y("count():Q", title="runs")).properties(height=160), width="stretch")
    from tempfile import TemporaryDirectory


    with TemporaryDirectory() as tmp:
        path = write_corridor_cog(result, os.path.join(tmp, "corridor.tif"))
        data = path.read_bytes()
    st.download_button("Download the corridor raster (COG GeoTIFF)", data,
                       file_name="corridor.tif", mime="image/tiff", key="uq_dl_cog")


# =============================================================================== panel
def panel(routes: list[Route], selected: Route | None, grid_path: str) -> None:
    """The Uncertainty tab."""
    st.markdown("How likely is each claim, and how sure is the best alignment? Thousands of "
                "model runs with the uncertain inputs sampled from their distributions "
                "(sources and shapes in docs/uncertainty.md).")

    choices = ["thread", "local"] + (["env"] if os.environ.get(SCHEDULER_ENV) else [])
    run_on = st.selectbox("Run on", choices, format_func=RUN_CHOICES.get, key="uq_run_on")
    sweep_tab, ens_tab = st.tabs(["Claims: Monte Carlo", "Alignment ensemble"])
    with sweep_tab:
        names = {r.id: r.name for r in routes}
        default = [selected.id] if selected is not None and selected.id in names else \
            list(names)[:1]
        ids = st.multiselect("Routes", list(names), default=default, format_func=names.get,
                             key="uq_routes")
        c1, c2, c3 = st.columns(3)
        samples = c1.selectbox("Scenarios", [2_000, 20_000, 100_000, 1_000_000], index=1,
                               key="uq_samples")
        seed = int(c2.number_input("Seed", 0, 2**31 - 1, 1, key="uq_seed"))
        mode = c3.selectbox("Mode", ["rail", "road"], key="uq_mode",
                            help="Loop mode has no estimate to sweep (its cost is a floor).")
        chosen = [r for r in routes if r.id in ids]
        rj = [json.dumps(r.to_dict(), sort_keys=True) for r in chosen]
        key = _key("sweep", rj, grid_path, cache._mtime(grid_path), samples, seed, mode)
        job = _job(key)
        if st.button("Run the Monte Carlo", type="primary", disabled=not chosen,
                     key="uq_run_sweep"):
            job = _start(key, "sweep", "Monte Carlo", _sweep_work(rj, grid_path, samples, seed,
                                                                  mode), run_on)
        if job is None:
            st.caption("Results appear here; the page stays usable while they run.")
        elif job.running:
            _progress(key)
        elif job.error:
            st.error(md_escape(job.error))
        else:
            _show_sweep(job.result)
    with ens_tab:

        places = sorted(str(p) for p in load_places()["name"])
        c1, c2 = st.columns(2)
        start = c1.selectbox("Start", places, index=places.index("Cape Dezhnev")
                             if "Cape Dezhnev" in places else 0, key="uq_start")
        end = c2.selectbox("End", places, index=places.index("Cape Prince of Wales")
                           if "Cape Prince of Wales" in places else 0, key="uq_end")
        via = st.multiselect("Optional via points (each taken by half the runs)", places,
                             key="uq_via")
        c3, c4 = st.columns(2)
        runs = c3.selectbox("Runs", [20, 100, 200, 500], index=1, key="uq_runs")
        eseed = int(c4.number_input("Seed", 0, 2**31 - 1, 1, key="uq_eseed"))
        ekey = _key("ensemble", start, end, via, grid_path, cache._mtime(grid_path), runs, eseed)
        if st.button("Run the ensemble", type="primary", key="uq_run_ens",
                     disabled=start == end):
            _start(ekey, "ensemble", "Alignment ensemble",
                   _ensemble_work(start, end, tuple(via), grid_path, runs, eseed), run_on)
            st.session_state["uq_ensemble_key"] = ekey
        ejob = _job(st.session_state.get("uq_ensemble_key"))
        if ejob is None:
            st.caption("Each run is the least-cost optimiser with sampled weights, optional "
                       "via points and a perturbed grid; the corridor appears on the map.")
        elif ejob.running:
            _progress(ejob.key)
        elif ejob.error:
            st.error(md_escape(ejob.error))
        else:
            _show_ensemble(ejob.result)
