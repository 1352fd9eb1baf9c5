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
