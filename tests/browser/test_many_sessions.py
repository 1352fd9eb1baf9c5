"""Many users at once: 10 browser sessions against one ``streamlit run`` server on loopback.

All ten render the map; a route drawn in one session and a file uploaded in another appear
there only (per-user data lives in ``st.session_state``; caches hold derived data keyed by
their inputs). The server's resident memory is read from ``/proc/<pid>/status`` (``VmRSS``
before the sessions, ``VmHWM`` = peak) and printed (run with ``-s`` to see it).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: The route uploader (the sidebar also has a grid uploader).
ROUTE_UPLOAD = '[data-testid="stFileUploaderDropzoneInput"][accept*=".geojson"]'
SESSIONS = 10
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
DRAWN = "Drawn route 1"
UPLOADED = "Only in session two"


def server_pid(url: str) -> int:
    """Pid of the ``streamlit run`` process serving ``url`` (found by its --server.port)."""
    port = str(urlsplit(url).port)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and b"--server.port" in args:
            i = args.index(b"--server.port")
            if i + 1 < len(args) and args[i + 1].decode() == port:
                return int(entry.name)
    pytest.fail(f"no streamlit process on port {port}")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak resident set) of a process, MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024.0
    return out


def table_texts(page) -> list[str]:
    return page.locator('[data-testid="stDataFrame"]').first.locator("td").all_inner_texts()


def wait_table_has(page, text, timeout=90_000):
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        if any(text in t for t in table_texts(page)):
            return
        page.wait_for_timeout(250)
    pytest.fail(f"{text!r} not in the comparison table: {table_texts(page)[:40]}")


def route_tooltips(frame) -> list[str]:
    return frame.evaluate(
        """() => { const out = [];
            map_div.eachLayer(l => { if (l instanceof L.Polyline && l.getTooltip
                                         && l.getTooltip()) out.push(l.getTooltip().getContent()); });
            return out; }"""
    )


def offline_context(browser):
    """A browser context (one user) that can reach only this machine."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(r):
        host = urlsplit(r.request.url).hostname
        if urlsplit(r.request.url).scheme in ("http", "https") and host not in LOCAL_HOSTS:
            r.abort("blockedbyclient")
        else:
            r.continue_()

    ctx.route("**/*", route)
    return ctx


def test_ten_concurrent_sessions_are_isolated(
    vendored_assets, app_url, browser, wait_for_map, draw_polyline, tmp_path
):
    pid = server_pid(app_url)
    before = memory_mb(pid)
    contexts = [offline_context(browser) for _ in range(SESSIONS)]
    try:
        pages = [ctx.new_page() for ctx in contexts]
        errors = {i: [] for i in range(SESSIONS)}
        for i, pg in enumerate(pages):
            pg.on("pageerror", lambda exc, i=i: errors[i].append(str(exc)))
        pages[0].goto(app_url)  # one user first: imports and shared caches are paid once
        wait_for_map(pages[0], timeout=120_000)
        wait_table_has(pages[0], "Dmitriev 2025")
        one = memory_mb(pid)
        started = time.monotonic()
        for pg in pages[1:]:  # then nine more start at once
            pg.goto(app_url, wait_until="commit")
        frames = [wait_for_map(pg, timeout=120_000) for pg in pages]
        for pg in pages:
            wait_table_has(pg, "Dmitriev 2025")
        all_rendered_s = time.monotonic() - started
        after_render = memory_mb(pid)

        # user 1 draws a route, user 2 uploads one
        draw_polyline(pages[0], frames[0], [(66.0, -169.6), (65.8, -168.9), (65.62, -168.15)])
        upload = tmp_path / "mine.geojson"
        upload.write_text(json.dumps({"type": "Feature", "properties": {"name": UPLOADED},
                                      "geometry": {"type": "LineString", "coordinates": [
                                          [-169.65, 66.07], [-169.05, 65.78], [-168.09, 65.6]]}}))
        pages[1].locator(ROUTE_UPLOAD).set_input_files(
            str(upload))
        wait_table_has(pages[0], DRAWN)
        wait_table_has(pages[1], UPLOADED)

        # every other session reruns (its own widget) and still shows neither
        for pg in pages[2:]:
            pg.get_by_text("Hillshade").click()
        for i, (pg, frame) in enumerate(zip(pages, frames, strict=True)):
            pg.wait_for_timeout(500)
            texts = " ".join(table_texts(pg))
            tips = " ".join(route_tooltips(frame))
            query = parse_qs(urlsplit(pg.evaluate("location.href")).query)
            assert (DRAWN in texts) == (i == 0), (i, texts)
            assert (UPLOADED in texts) == (i == 1), (i, texts)
            assert (DRAWN in tips) == (i == 0) and (UPLOADED in tips) == (i == 1), (i, tips)
            assert ("r" in query) == (i in (0, 1)), (i, query)
            assert frame.evaluate("() => drawnItems.getLayers().length") == (1 if i == 0 else 0)
            assert pg.locator('[data-testid="stException"]').count() == 0
            assert errors[i] == [], (i, errors[i])
        peak = memory_mb(pid)
    finally:
        for ctx in contexts:
            ctx.close()
    print(
        f"\n{SESSIONS} concurrent sessions on one server (pid {pid}); the last "
        f"{SESSIONS - 1} started together rendered in {all_rendered_s:.1f} s\n"
        f"  server RSS before any session    {before['VmRSS']:8.1f} MB\n"
        f"  server RSS with 1 session        {one['VmRSS']:8.1f} MB\n"
        f"  server RSS with {SESSIONS} sessions       {after_render['VmRSS']:8.1f} MB\n"
        f"  server RSS after draw + upload   {peak['VmRSS']:8.1f} MB\n"
        f"  server peak RSS (VmHWM)          {peak['VmHWM']:8.1f} MB\n"
        f"  each further session (peak - 1 session) / {SESSIONS - 1}: "
        f"{(peak['VmHWM'] - one['VmRSS']) / (SESSIONS - 1):.1f} MB"
    )
    assert peak["VmHWM"] >= before["VmRSS"] > 0
    assert os.path.exists(f"/proc/{pid}")  # the server survived


# --------------------------------------------------------------------------- load: 20 × 60 s
#: Sessions and seconds of the load test (the issue's 20 × 60 s; the environment may lower
#: them for a quick local try, never CI).
LOAD_SESSIONS = int(os.environ.get("MAPAPP_LOAD_SESSIONS", "20"))
TOUR_S = float(os.environ.get("MAPAPP_LOAD_TOUR_S", "60"))
#: Every fifth session also uploads a grid (its own; converted on the server).
GRID_EVERY = 5
GRID_UPLOAD = '[data-testid="stFileUploaderDropzoneInput"][accept*=".nc"]'
#: Playwright's limit for one action in the tour, ms (a slower action counts as a failure).
ACTION_TIMEOUT_MS = 60_000
#: Longest wait for a session's script run to finish before its next action, ms.
IDLE_TIMEOUT_MS = 120_000
IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
                 return app && app.getAttribute('data-test-script-state') === 'notRunning'; }"""


def own_route_file(folder: Path, k: int) -> Path:
    path = folder / f"session{k}.geojson"
    lat = 65.5 + 0.02 * k
    path.write_text(json.dumps({"type": "Feature", "properties": {"name": f"Session {k} only"},
                                "geometry": {"type": "LineString", "coordinates": [
                                    [-169.6, lat + 0.4], [-169.0, lat + 0.2], [-168.1, lat]]}}))
    return path


def parse_download(path: Path) -> set[str]:
    """Route names in a downloaded GeoJSON or waypoint CSV (raises if it does not parse)."""
    import csv
    import io

    if path.suffix == ".geojson":
        fc = json.loads(path.read_text())
        assert fc["type"] == "FeatureCollection" and fc["features"]
        return {f["properties"]["name"] for f in fc["features"]}
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert rows and all(float(r["lon"]) < 0 for r in rows)  # negative longitudes stay numbers
    return {r["route_name"] for r in rows}


async def _tour_all(url: str, chromium: str, pid: int, folder: Path, grid: Path) -> dict:
    """Open LOAD_SESSIONS pages, then run every session's tour concurrently for TOUR_S."""
    import asyncio

    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    report = {"errors": {k: [] for k in range(LOAD_SESSIONS)}, "failed": [], "slow": [],
              "retried": [], "exported": set(), "downloads": 0,
              "actions": 0, "rss": [], "leaks": [], "exceptions": 0, "load_s": 0.0,
              "tour_s": 0.0}
    stop = asyncio.Event()

    async def sample_memory():
        while not stop.is_set():
            report["rss"].append(memory_mb(pid)["VmRSS"])
            await asyncio.sleep(0.5)

    async def open_session(browser, k):
        ctx = await browser.new_context(viewport={"width": 1280, "height": 900},
                                        accept_downloads=True)
        page = await ctx.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        page.on("pageerror", lambda exc: report["errors"][k].append(str(exc)))
        await page.goto(url, wait_until="commit", timeout=300_000)
        handle = await page.wait_for_selector(IFRAME, state="visible", timeout=300_000)
        frame = await handle.content_frame()
        await frame.wait_for_selector(".leaflet-container", state="visible", timeout=300_000)
        return ctx, page, frame

    async def map_frame(page):
        """The map's iframe now (a rerun may have replaced the one found before)."""
        handle = await page.wait_for_selector(IFRAME, state="visible")
        frame = await handle.content_frame()
        await frame.wait_for_selector(".leaflet-container", state="visible")
        return frame

    async def draw(page, points):
        await page.locator(IFRAME).scroll_into_view_if_needed()
        frame = await map_frame(page)
        await frame.locator("a.leaflet-draw-draw-polyline").click()
        for lat, lon in points:
            x, y = await frame.evaluate(
                "([a, b]) => { const p = map_div.latLngToContainerPoint([a, b]); "
                "return [p.x, p.y]; }", [lat, lon])
            box = await page.locator(IFRAME).bounding_box()
            await page.mouse.click(box["x"] + x, box["y"] + y)
            await page.wait_for_timeout(300)
        await frame.locator('a[title="Finish drawing"]').click()

    async def export(page, k, n, label):
        await page.get_by_role("tab", name="Export").click()
        # a rerun between the click and the fetch cancels the browser's download (Streamlit
        # serves the file from the previous run's media): click again, up to three times; a
        # download the browser cancelled every time is reported, it has no file to parse
        for attempt in (1, 2, 3):
            async with page.expect_download() as info:
                await page.get_by_role("button", name=label, exact=True).click()
            dl = await info.value
            path = folder / f"s{k}-{n}-{dl.suggested_filename}"
            try:
                await dl.save_as(path)
                break
            except Exception as exc:  # noqa: BLE001 - Playwright's Error "canceled"
                if "canceled" not in str(exc):
                    raise
                report["retried"].append(f"session {k} {label} (attempt {attempt} cancelled)")
        else:
            return
        names = parse_download(path)
        others = {f"Session {j} only" for j in range(LOAD_SESSIONS) if j != k}
        if names & others:
            report["leaks"].append(f"session {k} export holds {sorted(names & others)}")
        report["downloads"] += 1
        report["exported"].add(k)

    async def tour(k, page, frame, deadline):
        loop = asyncio.get_running_loop()
        script = ["upload", "grid", "draw"] if k % GRID_EVERY == 0 else ["upload", "draw"]
        cycle = ["switch", "export-csv", "switch", "export-geojson"]
        n = 0
        while loop.time() < deadline:
            action = script[n] if n < len(script) else cycle[(n - len(script)) % len(cycle)]
            try:  # like a user: act once the previous action's rerun has finished
                await page.wait_for_function(IDLE, timeout=IDLE_TIMEOUT_MS)
                if action == "upload":
                    await page.locator(ROUTE_UPLOAD).set_input_files(str(own_route_file(folder, k)))
                    await page.get_by_text(f"session{k}.geojson").wait_for()  # it reached the server
                elif action == "grid":
                    await page.get_by_text("Add a grid").click()
                    await page.locator(GRID_UPLOAD).set_input_files(str(grid))
                    await page.get_by_role("button", name="Import the grid").click()
                    await page.get_by_text("Imported survey.tif").wait_for()
                elif action == "draw":
                    lat = 65.55 + 0.01 * k
                    await draw(page, [(lat + 0.4, -169.5), (lat + 0.2, -168.9), (lat, -168.2)])
                elif action == "switch":
                    box = page.get_by_role("combobox", name="Selected route")
                    await box.scroll_into_view_if_needed()
                    await box.click()  # then the keyboard: the next route in the list
                    await page.keyboard.press("ArrowDown")
                    await page.keyboard.press("Enter")
                else:
                    label = "CSV of waypoints" if action == "export-csv" else "GeoJSON (RFC 7946)"
                    await export(page, k, n, label)
            except Exception as exc:  # noqa: BLE001 - counted and reported by the test
                lines = str(exc).splitlines()
                kind = "slow" if type(exc).__name__ == "TimeoutError" else "failed"
                report[kind].append(f"session {k} {action}: {type(exc).__name__}: "
                                        f"{lines[0][:160]} … {' / '.join(lines[-3:])[:300]}")
            n += 1
            report["actions"] += 1
            await asyncio.sleep(0.2)

    async def check(k, page, frame):
        await page.wait_for_function(IDLE, timeout=IDLE_TIMEOUT_MS)
        await page.get_by_role("tab", name="Compare routes").click()  # the table is on it
        frame = await map_frame(page)
        deadline = asyncio.get_running_loop().time() + 120
        texts = ""
        while asyncio.get_running_loop().time() < deadline:
            cells = await page.locator('[data-testid="stDataFrame"]').first.locator(
                "td").all_inner_texts()
            texts = " ".join(cells)
            if f"Session {k} only" in texts:
                break
            await page.wait_for_timeout(500)
        else:
            report["leaks"].append(f"session {k} lost its own route: {texts[:200]}")
        tips = " ".join(await frame.evaluate(
            """() => { const out = [];
                map_div.eachLayer(l => { if (l instanceof L.Polyline && l.getTooltip
                    && l.getTooltip()) out.push(l.getTooltip().getContent()); });
                return out; }"""))
        query = parse_qs(urlsplit(page.url).query)
        from mapapp.io import urlstate

        names = {r.name for r in urlstate.decode_state({q: v[0] for q, v in query.items()}).routes}
        for j in range(LOAD_SESSIONS):
            other = f"Session {j} only"
            if j != k and (other in texts or other in tips or other in names):
                report["leaks"].append(f"session {k} shows {other}")
        if f"Session {k} only" not in names:
            report["leaks"].append(f"session {k}'s link lacks its route")
        report["exceptions"] += await page.locator('[data-testid="stException"]').count()

    async with async_playwright() as pw:
        # 20 pages in one browser: none may be throttled as a background tab
        browser = await pw.chromium.launch(executable_path=chromium, args=[
            *CHROMIUM_ARGS, "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"])
        sampler = asyncio.create_task(sample_memory())
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        first = await open_session(browser, 0)  # imports and shared caches paid once
        rest = await asyncio.gather(*(open_session(browser, k) for k in range(1, LOAD_SESSIONS)))
        sessions = [first, *rest]
        report["load_s"] = loop.time() - t0
        t1 = loop.time()
        await asyncio.gather(*(tour(k, page, frame, t1 + TOUR_S)
                               for k, (_, page, frame) in enumerate(sessions)))
        report["tour_s"] = loop.time() - t1
        await asyncio.gather(*(check(k, page, frame) for k, (_, page, frame) in enumerate(sessions)))
        stop.set()
        await sampler
        for ctx, _, _ in sessions:
            await ctx.close()
        await browser.close()
    return report


@pytest.mark.slow
@pytest.mark.load
def test_twenty_sessions_touring_for_a_minute(vendored_assets, streamlit_app, chromium_path,
                                              tmp_path):
    """20 sessions at once, each touring for 60 s: upload a route (every fifth also a grid),
    draw one, then switch the selected route and export (waypoint CSV, GeoJSON; every file
    parsed) in turn. Driven concurrently (Playwright's async API, one page per session), so
    the server's reruns overlap. Afterwards no session shows another's routes (table, map,
    link, exports); error counts and the server's peak memory are printed (``-s``) and
    bounded. Loopback only; bounded by TOUR_S and the per-action timeout."""
    import threading

    import numpy as np

    from tests.browser.conftest import APP_SCRIPT
    from tests.conftest import write_grid

    sessions_dir = tmp_path / "session-grids"
    url = streamlit_app(APP_SCRIPT, env={"MAPAPP_SESSION_GRIDS": str(sessions_dir)})
    pid = server_pid(url)
    base = memory_mb(pid)
    grid = write_grid(tmp_path / "survey.tif", (-20.0 - np.indices((40, 80))[0]).astype("float32"),
                      west=-170.0, north=66.0, res=0.025)
    out: dict = {}

    def run():  # its own thread: the session's sync Playwright owns this one's event loop
        import asyncio

        try:
            out["report"] = asyncio.run(_tour_all(url, chromium_path, pid, tmp_path, grid))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            out["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=1200)
    assert not worker.is_alive(), "the load test did not finish within 20 minutes"
    if "error" in out:
        raise out["error"]
    rep = out["report"]
    peak = memory_mb(pid)
    grids = ({d.name: sorted(p.name for p in d.iterdir()) for d in sessions_dir.iterdir()}
             if sessions_dir.is_dir() else {})
    page_errors = sum(len(v) for v in rep["errors"].values())
    print(
        f"\n{LOAD_SESSIONS} sessions, all open in {rep['load_s']:.0f} s, then touring together "
        f"for {rep['tour_s']:.0f} s on one server (pid {pid}):\n"
        f"  actions {rep['actions']}, failed {len(rep['failed'])}, timed out (driver waited "
        f"> {ACTION_TIMEOUT_MS / 1000:.0f} s) {len(rep['slow'])}, downloads parsed "
        f"{rep['downloads']} (re-clicked after a cancel {len(rep['retried'])}), sessions that "
        f"exported {len(rep['exported'])}/{LOAD_SESSIONS}\n"
        f"  page errors {page_errors}, exceptions shown {rep['exceptions']}, "
        f"isolation failures {len(rep['leaks'])}\n"
        f"  server RSS before the sessions {base['VmRSS']:8.1f} MB\n"
        f"  server RSS, max sampled        {max(rep['rss'] or [0]):8.1f} MB\n"
        f"  server peak RSS (VmHWM)        {peak['VmHWM']:8.1f} MB\n"
        f"  session grid folders {len(grids)}"
        + "".join(f"\n    {line}" for line in (rep["failed"] + rep["leaks"] + rep["slow"]
                                                    + rep["retried"])[:40])
    )
    assert rep["leaks"] == []
    assert rep["failed"] == []
    assert page_errors == 0, rep["errors"]
    assert rep["exceptions"] == 0
    # every download made was parsed (a parse failure is in rep["failed"]); how many sessions
    # reached their exports depends on the machine (8 of 20 on 2 cores in CI, none when another
    # browser test ran beside it): reported above, not failed — a driver timeout is the machine
    assert peak["VmHWM"] < 3000  # MB: bounded (about 0.5 GB + 15 MB per session measured)
    assert len(grids) <= len(range(0, LOAD_SESSIONS, GRID_EVERY))
    assert all(any(n.endswith(".tif") for n in files) for files in grids.values())
    assert os.path.exists(f"/proc/{pid}")
