"""The benchmarks run by ``python -m benchmarks``, in order (names for ``--only``).

interaction  warm route switch in mapapp vs a bare Streamlit rerun (Chromium)
controls     warm layer toggle and colormap change in mapapp vs a bare Streamlit rerun
startup      cold start of mapapp; payload of its default view and of a bare Streamlit page
payload16    payload with a synthetic grid of 16× ETOPO5's pixels, and its growth
leafmap      the leafmap peer: cold start and payload (same browser, same run)
sampling     profile sampling vs naive per-point rasterio.sample, 10⁵ points
optimise     the optimiser (benchmarks/optimise.py), default grid and synthetic grids
large_grid   the large-COG benchmark (benchmarks/large_grid.py)
report       report figure, PNG at 300 DPI
uncertainty  Monte Carlo and ensembles on Dask (benchmarks/uncertainty.py)
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import browser, peers
from benchmarks.runner import Context, Measurement, fmt_number, register

ROOT = Path(__file__).resolve().parents[1]
MB = 1e6


def _browser(ctx: Context) -> browser.Browser:
    if ctx.browser is None:
        ctx.browser = browser.Browser()
    return ctx.browser


def _mb(n: float) -> str:
    return f"{n / MB:.2f} MB"


def _kb(n: float) -> str:
    return f"{n / 1e3:,.0f} kB"


# ------------------------------------------------------------------------------ interaction
@register("interaction")
def interaction(ctx: Context) -> list[Measurement]:
    n = 6 if ctx.quick else 15
    r = browser.warm_interaction(_browser(ctx), n=n)
    app, bare = r["mapapp"], r["bare"]
    ctx.results["interaction"] = r
    per = {k: v / n for k, v in app["ws_parts"]}
    top = sorted(per.items(), key=lambda kv: -kv[1])[:8]
    fg = sum(v for k, v in per.items() if k.startswith("st_folium layer"))
    run_ms = app["median_run_ms"]
    script = apptest_rerun_ms(n)
    r["apptest_ms"] = script
    prof = dict(script["profile"])
    note = (
        f"A switch reruns the explore fragment (map, selector, tabs), not the header or the "
        f"sidebar. Server side it takes {fmt_number(script['mapapp'], 'ms')} (bare app "
        f"{fmt_number(script['bare'], 'ms')}), {script['mapapp'] / bare['median_ms']:.1f}× "
        f"the bare app's whole browser-measured switch; of a profiled run, streamlit-folium "
        f"turning the layers into JavaScript takes "
        f"{prof.get('streamlit_folium/__init__.py:st_folium', 0):.0f} ms (Jinja: "
        f"{prof.get('jinja2/environment.py:from_string', 0):.0f} ms) and the tunnel tab "
        f"{prof.get('ui/tunnel_panel.py:panel', 0):.0f} ms. In the browser, Streamlit "
        f"showed it running for a median {fmt_number(run_ms or 0, 'ms')} of the "
        f"{fmt_number(app['median_ms'], 'ms')}; each switch sends "
        f"{_kb(app['median_ws_bytes'])} of messages ({_kb(fg)} of it the map's layers, "
        "which streamlit-folium re-sends whole and rebuilds in the iframe whenever any "
        "of them changes; the static layers are now file URLs fetched once, so the rebuild "
        "re-uses the fetched data). What remains: the tabs' tables and chart are re-sent "
        "and re-drawn on every switch, and the map's feature groups are rebuilt."
    )
    ctx.section("Warm interaction: where one switch's server-side script time goes",
                "cProfile of one warm switch run by AppTest (cumulative ms; nested, so rows "
                "overlap; profiling slows it down):\n\n| function | ms |\n| --- | ---: |\n"
                + "".join(f"| `{k}` | {v:.0f} |\n" for k, v in script["profile"]))
    ctx.section("Warm interaction: what one route switch re-sends (mapapp, mean per switch)",
                _parts_table(top) + f"\nSwitch times (ms), mapapp: "
                f"{', '.join(f'{t:.0f}' for t in app['times_ms'])}; bare: "
                f"{', '.join(f'{t:.0f}' for t in bare['times_ms'])} (interleaved: bare, mapapp, "
                f"bare, …; median of the paired ratios "
                f"{statistics.median(r['pair_ratios']):.2f}×). The page saw the "
                f"script-state flip to running in {app['saw_running']}/{n} (mapapp) and "
                f"{bare['saw_running']}/{n} (bare) switches.\n")
    return [
        Measurement(f"Warm route switch, mapapp: map + profile updated (median of {n})",
                    app["median_ms"], "ms"),
        Measurement("Server side only: one switch's script rerun, mapapp (AppTest, no browser,"
                    f" median of {n})", script["mapapp"], "ms",
                    note=f"bare app: {fmt_number(script['bare'], 'ms')}; the rest of the "
                    "browser-measured time is sending the messages and the browser rebuilding "
                    "the map layers, chart and tables"),
        Measurement(f"Warm rerun, bare Streamlit app: text updated (median of {n})",
                    bare["median_ms"], "ms"),
        Measurement("WebSocket messages per route switch, mapapp (as received, inflated; "
                    "median)", app["median_ws_bytes"] / 1e3, "kB", ("<=", 60.0),
                    note=f"≈ {_kb(app['median_ws_wire'])} on the wire (permessage-deflate); "
                    "biggest parts: " + ", ".join(f"{k} {_kb(v)}" for k, v in top[:4])),
        Measurement("Warm interaction ratio mapapp / bare Streamlit", r["ratio"], "×",
                    ("<=", 2.0), note=note if r["ratio"] > 2.0 else
                    f"script run {fmt_number(run_ms or 0, 'ms')}; "
                    f"{_kb(app['median_ws_bytes'])} per switch"),
    ]


@register("controls")
def controls(ctx: Context) -> list[Measurement]:
    n = 4 if ctx.quick else 10
    r = browser.warm_controls(_browser(ctx), n=n)
    ctx.results["controls"] = r
    bare = r["bare"]["median_ms"]
    out = [Measurement(f"Warm rerun, bare Streamlit app (median of {2 * n}, interleaved with "
                       "the two below)", bare, "ms")]
    for key, what in (("toggle", "Warm layer toggle (route legend off/on) / bare rerun"),
                      ("colour", "Warm colormap change (new bathymetry image) / bare rerun")):
        a = r[key]
        out.append(Measurement(
            f"{what}, median of {n}", r[f"{key}_ratio"], "×", ("<=", 2.0),
            note=f"{fmt_number(a['median_ms'], 'ms')} vs {fmt_number(bare, 'ms')}; "
            f"{_kb(a['median_ws_bytes'])} over the WebSocket per change (inflated). A sidebar "
            "change reruns the whole script (the sidebar is outside the fragment) and "
            "streamlit-folium rebuilds every layer in the iframe"
            + ("; the colormap change also decodes a new PNG" if key == "colour" else "")))
    return out


def apptest_rerun_ms(n: int) -> dict[str, float]:
    """Median in-process script time of a "Selected route" switch (Streamlit's AppTest).

    Runs the script in this process without a browser or WebSocket: what the server spends
    computing a rerun (AppTest polls for the end every few ms, so add a few ms of slack).
    """
    from streamlit.testing.v1 import AppTest

    out = {}
    for name, path, key in (("mapapp", browser.APP, "selected_route"),
                            ("bare", browser.BARE_APP, None)):
        at = AppTest.from_file(str(path), default_timeout=300)
        at.run()
        box = at.selectbox(key=key) if key else at.selectbox[0]
        k = len(box.options)
        times = []
        for i in range(k + n):  # a warm-up cycle through every option first
            box = at.selectbox(key=key) if key else at.selectbox[0]
            t0 = time.perf_counter()
            box.select_index((i + 1) % k).run()
            if i >= k:
                times.append((time.perf_counter() - t0) * 1000)
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception[0].value}")
        out[name] = statistics.median(times)
    out["profile"] = _profile_switch()
    return out


_PROFILED = '''import cProfile
import streamlit as st
src = open(APP, encoding="utf-8").read()
pr = cProfile.Profile()
pr.enable()
exec(compile(src, APP, "exec"), {"__name__": "__main__", "__file__": APP, "__package__": None})
pr.disable()
if st.session_state.get("_bench_profile"):
    pr.dump_stats(OUT)
'''


def _profile_switch() -> list[tuple[str, float]]:
    """cProfile of one warm switch's script run (AppTest): cumulative ms of the app's own
    functions and of the library calls they spend most in, biggest first."""
    import pstats

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "switch.prof"
        wrapper = Path(tmp) / "profiled_app.py"
        wrapper.write_text(f"APP = {str(browser.APP)!r}\nOUT = {str(out)!r}\n" + _PROFILED)
        at = AppTest.from_file(str(wrapper), default_timeout=300)
        at.run()
        k = len(at.selectbox(key="selected_route").options)
        for i in range(k):
            at.selectbox(key="selected_route").select_index((i + 1) % k).run()
        at.session_state["_bench_profile"] = True
        at.selectbox(key="selected_route").select_index(1).run()
        stats = pstats.Stats(str(out)).stats
    keep = ("/mapapp/", "streamlit_folium/__init__", "vega_charts.py", "jinja2/environment.py",
            "arrow.py", "dataframe")
    rows = {}
    for (fname, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.items():
        if any(k in fname for k in keep) and not func.startswith("<"):
            short = fname.split("/mapapp/")[-1] if "/mapapp/" in fname else fname.rsplit(
                "site-packages/", 1)[-1]
            rows[f"{short}:{func}"] = rows.get(f"{short}:{func}", 0.0) + ct * 1000
    return sorted(rows.items(), key=lambda kv: -kv[1])[:14]


def _parts_table(parts, unit=_kb) -> str:
    lines = ["| item | bytes |", "| --- | ---: |"]
    lines += [f"| {k.replace('|', '/')} | {unit(v)} |" for k, v in parts]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ startup
@register("startup")
def startup(ctx: Context) -> list[Measurement]:
    br = _browser(ctx)
    repeats = 1 if ctx.quick else 3
    runs = [browser.cold_start(br, browser.APP, browser.MAPAPP_READY, payload=(i == 0))
            for i in range(repeats)]
    first = runs[0]
    cold = statistics.median(r["seconds"] for r in runs)
    bare_ready = ("() => document.body.innerText.includes('Selected: Route A') && "
                  "document.querySelector('[data-testid=stApp]')"
                  "?.getAttribute('data-test-script-state') === 'notRunning'")
    bare = browser.cold_start(br, browser.BARE_APP, bare_ready)
    ctx.results["startup"] = {"cold_s": cold, "payload": first["total"], "ws": first["ws"],
                              "bare": bare}
    http_top = [(p, w) for p, w, _ in first["by_url"][:10]]
    comp = first["compressed"]
    mapapp_only = first["total"] - bare["total"]
    ws_parts = first["ws_parts"]
    big = [(k, v) for k, v in ws_parts if v >= 20_000]
    vendor = sum(w for p, w, _ in first["by_url"] if "/app/static/vendor/" in p)
    component = sum(w for p, w, _ in first["by_url"] if p.startswith("/component/"))
    st_static = sum(w for p, w, _ in first["by_url"] if p.startswith("/static/"))
    note = (
        f"Streamlit's own front end is most of it: the bare one-select-box app already "
        f"receives {_mb(bare['total'])} ({_mb(bare['compressed']['total'])} if gzipped), "
        f"more than the target on its own. Of mapapp's {_mb(first['total'])}: Streamlit "
        f"front-end files {_mb(st_static)} (mapapp uses more of its lazily loaded chunks "
        f"than the bare app: dataframes, Vega charts), Leaflet and plugins {_mb(vendor)}, the "
        f"streamlit-folium component {_mb(component)}, WebSocket {_mb(first['ws_wire'])} "
        f"({_mb(first['ws'])} of messages) — "
        + ", ".join(f"{k} {_kb(v)}" for k, v in big[:5])
        + ". Streamlit serves its files without gzip"
        + ("; the WebSocket is compressed (permessage-deflate)" if first["ws_compressed"]
           else "; the WebSocket is not compressed (no permessage-deflate)")
        + f". With gzip on the files too it would be {_mb(comp['total'])}. "
        "The map's own data is now small (the overlay PNG, the land for the shown zoom, "
        "isobaths and places are cacheable files); what remains is Streamlit's front end: "
        "serve it behind a compressing reverse proxy"
        + ("" if first["ws_compressed"] else
           " (and `server.enableWebsocketCompression = true` for the WebSocket part)")
        + ", and keep the first screen free of elements that pull in Streamlit's big lazy "
        "chunks (the Vega-Lite chart and the dataframes: render them only when their tab "
        "is opened)."
    )
    ctx.section(
        "Page payload of the default view (mapapp, ETOPO5)",
        f"Total {_mb(first['total'])}: HTTP {_mb(first['http_wire'])} on the wire "
        f"({_mb(first['http_body'])} decoded), WebSocket {_mb(first['ws_wire'])} "
        + ("(estimated, permessage-deflate) " if first["ws_compressed"] else "")
        + f"({_mb(first['ws'])} inflated) in {first['ws_frames']} messages. Gzip "
        f"estimate {_mb(comp['total'])}. "
        f"Bare Streamlit page: {_mb(bare['total'])}; mapapp adds {_mb(mapapp_only)}.\n\n"
        "Biggest HTTP responses:\n\n" + _parts_table(http_top)
        + "\nWhat the WebSocket carried (Streamlit messages, inflated sizes; the map "
        "component's layers split by feature group):\n\n" + _parts_table(ws_parts[:12]))
    return [
        Measurement(f"Cold start: `streamlit run` → interactive map (median of {repeats})",
                    cold, "s",
                    note=f"server answering after {first['healthy_s']:.1f} s; the rest is "
                    "the first script run (imports, coastline, overlay, isobaths, tunnel "
                    "figures) and the browser's loading"),
        Measurement("Page payload, default view (HTTP wire + WebSocket)", first["total"] / MB,
                    "MB", ("<=", 1.5), note=note if first["total"] > 1.5 * MB else ""),
        Measurement("Page weight beyond a bare Streamlit page, gzip-compressed (mapapp − bare,"
                    " both gzip estimates)", (comp["total"] - bare["compressed"]["total"]) / MB,
                    "MB", ("<=", 0.5),
                    note=f"raw: {_mb(mapapp_only)} beyond bare; mapapp gzip {_mb(comp['total'])}"
                    f", bare gzip {_mb(bare['compressed']['total'])}: what a compressing proxy "
                    "sends. Beyond the bare page, most of it is Streamlit's own lazily loaded "
                    "front-end chunks for the dataframes and the Vega-Lite chart, which the "
                    "bare page never loads; the map's data files are small"
                    if comp["total"] - bare["compressed"]["total"] > 0.5 * MB else ""),
        Measurement("Page payload, bare Streamlit app (reference)", bare["total"] / MB, "MB",
                    note="Streamlit's floor on this version: the yardstick for the 1.5 MB "
                    "target"),
        Measurement("Streamlit server peak RSS after one session (mapapp)",
                    first["server_rss_mb"], "MiB"),
    ]


# ------------------------------------------------------------------------------ payload16
@register("payload16")
def payload16(ctx: Context) -> list[Measurement]:
    br = _browser(ctx)
    base, base_ws = (ctx.results.get("startup", {}).get(k) for k in ("payload", "ws"))
    if base is None:
        first = browser.cold_start(br, browser.APP, browser.MAPAPP_READY)
        base, base_ws = first["total"], first["ws"]
    with tempfile.TemporaryDirectory() as tmp:
        geo = browser.write_geodata_16x(Path(tmp) / "geodata")
        r = browser.cold_start(br, browser.APP, browser.MAPAPP_READY,
                               env={"MAPAPP_GEODATA": str(geo)},
                               query=f"?d={browser.SYNTHETIC_NAME}")
    growth = r["total"] / base
    parts = r["ws_parts"]
    note = (
        "The map's layers scale with the grid: " + ", ".join(
            f"{k} {_kb(v)}" for k, v in parts[:3])
        + f" (ETOPO5: {_mb(base)} in all). The overlay PNG is drawn at ~4 screen pixels per "
        "grid cell up to 1400 px wide, and isobaths are traced at the grid's resolution and "
        "sent whole. Fix: render the overlay at the map's pixel size (independent of the "
        "grid), simplify isobaths to ~1 screen pixel at the shown zoom (or send them as "
        "tiles/vector tiles), and drop contour rings smaller than a few pixels."
    ) if growth > 1.1 else ""
    ctx.section("Page payload with the 16× synthetic grid",
                f"Synthetic grid: ETOPO5's extent at 1.25′ (724 × 244 px = 16 × 181 × 61), "
                f"ETOPO5 resampled bilinearly plus a ±1 m ripple; selected through the "
                f"link (`?d={browser.SYNTHETIC_NAME}`). Total {_mb(r['total'])} (HTTP "
                f"{_mb(r['http_wire'])}, WebSocket {_mb(r['ws'])}); cold start "
                f"{r['seconds']:.1f} s.\n\n" + _parts_table(parts[:8]))
    return [
        Measurement("Page payload, synthetic grid 16× the pixels", r["total"] / MB, "MB",
                    ("<=", 1.5), note="the same Streamlit front end as the default view "
                    "(see that row) plus a bigger overlay and isobaths (see the growth row)"
                    if r["total"] > 1.5 * MB else ""),
        Measurement("Payload growth 16× grid / ETOPO5", growth, "×", ("<=", 1.1), note=note),
        Measurement("Map data growth 16× grid / ETOPO5 (WebSocket messages, inflated)",
                    r["ws"] / base_ws if base_ws else None, "×",
                    note="the total's growth is diluted by the fixed front-end files; this is "
                    "what grows with the grid"),
    ]


# ------------------------------------------------------------------------------ leafmap
@register("leafmap")
def leafmap(ctx: Context) -> list[Measurement]:
    why = peers.leafmap_available()
    if why:
        return [Measurement("leafmap peer: cold start and payload", None, group="peer",
                            note=why)]
    repeats = 1 if ctx.quick else 3
    br = _browser(ctx)
    runs, ours = [], []
    for i in range(repeats):  # interleaved with mapapp's, so both see the same load
        ours.append(browser.cold_start(br, browser.APP, browser.MAPAPP_READY,
                                       payload=False)["seconds"])
        runs.append(peers.leafmap_cold_start(br, payload=(i == 0)))
    cold = statistics.median(r["seconds"] for r in runs)
    paired = statistics.median(a / r["seconds"] for a, r in zip(ours, runs, strict=True))
    first = runs[0]
    vers = ", ".join(f"{k} {v}" for k, v in peers.leafmap_versions().items())
    ms = [
        Measurement(f"leafmap ({vers}) folium page, ETOPO5 + 1 route: cold start "
                    f"(median of {repeats})", cold, "s", group="peer",
                    note=peers.env_note() + f"; blocked requests: {len(first['blocked'])}"),
        Measurement("leafmap folium page: payload (HTTP wire + WebSocket)",
                    first["total"] / MB, "MB", group="peer",
                    note=f"gzip estimate {_mb(first['compressed']['total'])}; raster tiles "
                    "come from localtileserver over HTTP"),
    ]
    theirs = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    ms.append(Measurement(
        f"Cold start ratio mapapp / leafmap page (median of {repeats} interleaved pairs)",
        paired, "×", ("<=", 1.0), group="peer",
        note=f"mapapp's cold starts in these pairs: {', '.join(f'{t:.1f}' for t in ours)} s; "
        f"leafmap's: {theirs} s. mapapp's first run also computes the land overlay, "
        "isobaths, three routes' metrics and tunnel figures and renders tables and a chart; "
        "the leafmap page shows the grid and one line. leafmap pays for importing leafmap "
        "(≈ 2 s) and starting a tile server instead"))
    st = ctx.results.get("startup")
    if st:
        ms += [
            Measurement("Payload ratio mapapp / leafmap page", st["payload"] / first["total"],
                        "×", group="peer",
                        note="leafmap's page is a static components.html iframe (no "
                        "dataframe/Vega chunks) and its raster arrives as a few PNG tiles "
                        "instead of a base64 data URL; mapapp also sends land, isobaths, "
                        "places, tables and the profile"),
        ]
    return ms


# ------------------------------------------------------------------------------ sampling
@register("sampling")
def sampling(ctx: Context) -> list[Measurement]:
    pts = 100_000
    rows = peers.sampling(pts, synthetic=not ctx.quick)
    ms = []
    lines = ["| grid | method | points | seconds | speed-up |", "| --- | --- | ---: | ---: | ---: |"]
    for grid, method, n, t, s in rows:
        lines.append(f"| {grid} | {method} | {n:,} | {t:.4f} | {s:.0f}× |")
    naive_t = {g: t for g, m, _, t, _ in rows if m.startswith("naive")}
    for grid, method, n, t, s in rows:
        if method.startswith("mapapp Grid.sample") and "uncompressed" not in method:
            raw = next((r for r in rows if r[0] == grid and "uncompressed" in r[1]), None)
            note = "" if s >= 50 else (
                f"the naive loop costs {naive_t[grid] / n * 1e6:.0f} µs per point; "
                f"Grid.sample's {t * 1000:.0f} ms is mostly GDAL inflating the "
                "DEFLATE-compressed 512 × 512 tiles along the 814 km route, a cost that does "
                "not shrink with fewer points"
                + (f" — on an uncompressed copy of the same grid it takes "
                   f"{raw[3] * 1000:.0f} ms ({raw[4]:.0f}×)" if raw else "")
                + ". The per-point work is already vectorised; fix: store large grids with a "
                "codec that inflates faster (ZSTD) or let GDAL decode tiles in parallel "
                "(GDAL_NUM_THREADS) in mapapp.data.gridimport's COG options")
            ms.append(Measurement(f"Profile sampling vs naive per-point rasterio.sample "
                                  f"({n:,} points, {grid})", s, "×", (">=", 50.0), note=note))
        if method.startswith("mapapp sample_profile"):
            ms.append(Measurement(f"Whole profile (densify + sample + coastline) vs naive "
                                  f"per-point sampling ({grid})", s, "×",
                                  note="includes the geodesic densification and the "
                                  "GSHHG land test the naive loop does not do"))
    naive = {g: t for g, m, _, t, _ in rows if m.startswith("naive")}
    ours = {g: t for g, m, _, t, _ in rows
            if m.startswith("mapapp Grid") and "uncompressed" not in m}
    for g in naive:
        if g not in ours:
            continue
        ms.append(Measurement(f"QGIS-style per-point sampling / mapapp Grid.sample time "
                              f"({g})", naive[g] / ours[g], "×", group="peer",
                              note="same points; one rasterio sample call per point with the "
                              "dataset open, as a 'sample raster values' loop does"))
    ctx.section("Profile sampling (benchmarks/profile_sampling.py)", "\n".join(lines) + "\n")
    return ms


# ------------------------------------------------------------------------------ optimise
@register("optimise")
def optimise(ctx: Context) -> list[Measurement]:
    script = ROOT / "benchmarks" / "optimise.py"
    if not script.exists():
        return [Measurement("Optimiser", None, note="not available yet "
                            "(benchmarks/optimise.py does not exist)")]
    sys.path.insert(0, str(script.parent))
    import optimise as ob  # benchmarks/optimise.py

    repeat = 1 if ctx.quick else 3
    cases = ["etopo5", *(f"{r}x{c}" for r, c in ob.SYNTHETIC)]
    rows = []
    for case in cases:
        out = subprocess.run([sys.executable, str(script), "--case", case, "--repeat",
                              str(repeat)], capture_output=True, text=True, cwd=ROOT,
                             timeout=1800)
        if out.returncode:
            raise RuntimeError(f"benchmarks/optimise.py --case {case}: "
                               f"{out.stderr.strip().splitlines()[-1:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    import numpy as np

    syn = [r for r in rows if "x" in r["case"]]
    slope = float(np.polyfit(np.log([r["cells"] for r in syn]),
                             np.log([r["time_s"] for r in syn]), 1)[0])
    lines = ["| case | solver cells | time s | prepare | solve | shape | RSS MiB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {ob.label(r['case'])} | {r['cells']:,} | {r['time_s']:.2f} | "
                     f"{r['prep_s']:.2f} | {r['solve_s']:.2f} | {r['shape_s']:.2f} | "
                     f"{r['rss_mb']:.0f} |")
    ctx.section(f"Optimiser (benchmarks/optimise.py, best of {repeat})", "\n".join(lines) + "\n")

    def miss(r):
        if r["time_s"] <= 2.0:
            return ""
        part = max(("prep_s", "solve_s", "shape_s"), key=lambda k: r[k])
        return (f"the slowest stage is {part[:-2]} ({r[part]:.2f} s of {r['time_s']:.2f} s; "
                f"{r['cells']:,} solver cells)")

    et, big = rows[0], syn[-1]
    return [
        Measurement(f"Optimiser, {ob.label('etopo5')} (default grid)", et["time_s"], "s",
                    ("<=", 2.0), note=miss(et)),
        Measurement(f"Optimiser, {ob.label(big['case'])} grid", big["time_s"], "s",
                    ("<=", 2.0), note=miss(big)),
        Measurement("Optimiser growth exponent (time ∝ cells^k, 3 synthetic sizes)", slope,
                    "", note="1 = linear in the number of cells"),
    ]


# ------------------------------------------------------------------------------ large grid
LARGE_TARGET_MIB = 400.0


@register("large_grid")
def large_grid(ctx: Context) -> list[Measurement]:
    script = ROOT / "benchmarks" / "large_grid.py"
    if not script.exists():
        return [Measurement("Large grid (40,000 × 20,000 COG): first render, profile, peak "
                            "RSS", None, note="not available yet (benchmarks/large_grid.py "
                            "does not exist)")]
    cmd = [sys.executable, str(script)] + (["--quick"] if ctx.quick else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3 * 3600)
    wall = time.perf_counter() - t0
    shown = " ".join(["python", "benchmarks/large_grid.py", *cmd[2:]])
    ctx.section(f"Large grid (`{shown}`, {wall / 60:.1f} min)",
                proc.stdout.strip()[-6000:] + "\n")
    rows = _parse_large(proc.stdout)
    if proc.returncode or not rows:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [Measurement("Large grid benchmark", None,
                            note=f"benchmarks/large_grid.py exited with {proc.returncode} "
                            f"and no table ({why})")]
    size = rows[0]["grid"].replace("synthetic ", "")
    by_op = {r["op"]: r for r in rows}
    peak = max(rows, key=lambda r: r["rss"])
    ms = []
    for key, label in (("render whole", "first render of the whole grid, 1400 px"),
                       ("render 2°×1° view", "render of a 2°×1° view, 1400 px"),
                       ("profile 100 km", "100 km profile")):
        r = next((v for k, v in by_op.items() if k.startswith(key)), None)
        if r:
            ms.append(Measurement(f"Large grid {size}: {label}", r["time"], "s",
                                  note=f"peak RSS {r['rss']:.0f} MiB; read "
                                  f"{r['detail'].replace(' | ', '; ', 1)}"))
    small = {r["op"]: r for r in _parse_large(proc.stdout, "ETOPO5")}
    same = small.get(peak["op"])
    read = next((r for r in rows if "grid read" in r["op"]), None)
    note = (f"includes the process's baseline of {peak['base']:.0f} MiB (Python, GDAL, "
            "geopandas, the coastline)")
    if peak["rss"] > LARGE_TARGET_MIB:
        note += (
            f". The peak is the overlay render ({peak['op']}: {peak['detail']}), not the grid: "
            + (f"the same operation on the 181 × 61 px ETOPO5 peaks at {same['rss']:.0f} MiB, "
               if same else "")
            + (f"and the grid read alone at {read['rss']:.0f} MiB. " if read else "")
            + "What grows is colouring a ~1400 × 1700 px image in mapapp.render.overlay."
            "render_overlay: matplotlib's colormap returns float64 RGBA (≈ 76 MB at that "
            "size), then `np.dstack` and `rgba * 255` make two more float64 copies before "
            "the uint8 cast. Fix: `get_cmap(cmap)(norm(values), bytes=True)` gives uint8 "
            "RGBA directly (≈ 9.5 MB) with the alpha set in uint8; and import geopandas/"
            "matplotlib lazily (the baseline alone is over half the target)")
    ms.append(Measurement(
        f"Large grid {size}: peak RSS (highest operation: {peak['op'].strip()})", peak["rss"],
        "MiB", ("<=", LARGE_TARGET_MIB), note=note))
    return ms


def _parse_large(out: str, prefix: str = "synthetic") -> list[dict]:
    """The rows of large_grid.py's table whose grid starts with ``prefix`` (s, MiB)."""
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or not cells[0].startswith(prefix):
            continue
        num = [re.match(r"[0-9.]+", c) for c in cells[2:5]]
        if not all(num):
            continue
        rows.append({"grid": cells[0], "op": cells[1], "time": float(num[0].group()),
                     "rss": float(num[1].group()), "base": float(num[2].group()),
                     "detail": " | ".join(cells[5:])})
    return rows


# ------------------------------------------------------------------------------ report
@register("report")
def report(ctx: Context) -> list[Measurement]:
    from mapapp.data.bathymetry import open_grid
    from mapapp.render.report import render_report
    from mapapp.routes import presets
    from mapapp.ui.routes_panel import DEFAULT_PRESETS

    grid = open_grid()
    routes = [presets.get_preset(p) for p in DEFAULT_PRESETS]
    render_report(routes, grid, fmt="png", dpi=72)  # warm-up: imports, coastline, fonts
    repeat = 1 if ctx.quick else 3
    ms = []
    for label, kw in (("map", {}), ("map + profile + metrics table",
                                    {"profile": True, "metrics_table": True})):
        best, size = float("inf"), 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            data = render_report(routes, grid, fmt="png", dpi=300, **kw)
            best = min(best, time.perf_counter() - t0)
            size = len(data)
        ms.append(Measurement(f"Report figure, PNG 300 DPI, 10×8 in, {label} "
                              f"(best of {repeat}, warm)", best, "s",
                              note=f"3 preset routes, ETOPO5; {size / MB:.1f} MB PNG"))
    return ms


# ------------------------------------------------------------------------------ uncertainty
@register("uncertainty")
def uncertainty(ctx: Context) -> list[Measurement]:
    script = ROOT / "benchmarks" / "uncertainty.py"
    cmd = [sys.executable, str(script)] + (["--quick"] if ctx.quick else [])
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [Measurement("Uncertainty benchmark", None,
                            note=f"benchmarks/uncertainty.py exited with {proc.returncode} ({why})")]
    m = json.loads(lines[-1])
    shown = " ".join(["python", "benchmarks/uncertainty.py", *cmd[2:]])
    ctx.section(f"Uncertainty on Dask (`{shown}`, {wall / 60:.1f} min)",
                "\n".join(lines[:-1]) + "\n")
    n = f"N = {m['n']:,}, chunks of {m['chunk']:,}"
    e = m["estimate_100w"]
    return [
        Measurement(f"Monte Carlo scenarios/s, in-process ({n})", m["inprocess_rate"], ""),
        Measurement(f"Monte Carlo scenarios/s, LocalCluster 1 worker ({n})", m["dask_1w_rate"],
                    "", note=f"cluster start-up {m['start_1w_s']:.1f} s not counted"),
        Measurement(f"Monte Carlo scenarios/s, LocalCluster 2 workers ({n})",
                    m["dask_2w_rate"], "",
                    note=f"parallel efficiency {100 * m['efficiency_2w']:.0f} %"),
        Measurement("Dask per-task overhead (no-op tasks, 2 workers)",
                    1000 * m["overhead_task_s"], "ms"),
        Measurement("Monte Carlo per-task cost (5,000 scenarios)", 1000 * m["task_s"], "ms"),
        Measurement("Worker RSS after a sweep (largest of 2)", max(m["worker_rss_2w_mb"]),
                    "MiB"),
        Measurement("Monte Carlo time growth exponent (time ∝ N^k)", m["scaling_slope"], ""),
        Measurement("Ensemble optimiser runs/s, in-process", m["ensemble_inproc_runs_s"], ""),
        Measurement("Ensemble optimiser runs/s, 2 workers", m["ensemble_2w_runs_s"], ""),
        Measurement("Estimate: 10⁶ scenarios on 100 workers", e["total_s"], "s",
                    note="from the measured per-task cost and overhead (see the section)"),
    ]
