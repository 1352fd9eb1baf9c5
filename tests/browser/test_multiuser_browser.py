"""Many users, one server (issue 18), in a real browser on loopback.

* Two sessions: one uploads a grid; the other never sees it in its dataset list; when the
  first session ends (its tab closed), its grid folder is removed by the server's sweeper.
* The server killed (SIGKILL) and restarted mid-session: reopening the shared URL restores
  the routes and the view.

Each test starts its own ``streamlit run`` (on a fixed port, so the restarted server answers
the same URL) with the session-grid settings shortened: ``server.disconnectedSessionTTL`` 2 s,
a sweep every second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import APP_SCRIPT, REPO_ROOT, _free_port, _stop, _wait_healthy
from tests.conftest import write_grid

GRID_UPLOAD = '[data-testid="stFileUploaderDropzoneInput"][accept*=".nc"]'


def launch(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``streamlit run mapapp/app.py`` on 127.0.0.1:``port`` (own process group)."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=full_env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    _wait_healthy(f"http://127.0.0.1:{port}", proc, log)
    return proc


@pytest.fixture
def server_env(tmp_path):
    """A private copy of the grids and a private session-grid root."""
    root = tmp_path / "geodata"
    root.mkdir()
    src = REPO_ROOT / "geodata"
    for item in src.iterdir():
        if item.name == "bathymetry":
            shutil.copytree(item, root / item.name)
        else:
            (root / item.name).symlink_to(item)
    sessions = tmp_path / "sessions"
    env = {
        "MAPAPP_GEODATA": str(root),
        "MAPAPP_SESSION_GRIDS": str(sessions),
        "MAPAPP_SESSION_SWEEP_S": "1",
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "2",
    }
    for var in ("MAPAPP_SHARED_GRID_UPLOADS", "MAPAPP_SESSION_GRID_MB"):
        os.environ.pop(var, None)
    return env, root / "bathymetry", sessions


def dataset_options(page) -> list[str]:
    """The labels offered by the sidebar's "Bathymetry dataset" select box (opened again when a
    rerun that was still under way closed it)."""
    options = page.get_by_role("option")
    for _ in range(6):
        page.get_by_role("combobox", name="Bathymetry dataset").click()
        try:
            expect(options.first).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
            page.wait_for_timeout(1000)
    expect(options.first).to_be_visible(timeout=10_000)
    texts = options.all_inner_texts()
    page.keyboard.press("Escape")
    return texts


def wait_table_has(page, text, timeout_s=90.0):
    """Wait until the comparison table (a canvas grid: read its cells) mentions ``text``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cells = page.locator('[data-testid="stDataFrame"]').first.locator("td").all_inner_texts()
        if any(text in c for c in cells):
            return
        page.wait_for_timeout(250)
    pytest.fail(f"{text!r} not in the comparison table: {cells[:40]}")


def session_folders(sessions: Path) -> dict[str, list[str]]:
    if not sessions.is_dir():
        return {}
    return {d.name: sorted(p.name for p in d.iterdir()) for d in sessions.iterdir() if d.is_dir()}


def test_grid_upload_is_private_and_goes_when_the_session_ends(
    vendored_assets, browser, wait_for_map, server_env, tmp_path
):
    env, shared, sessions = server_env
    shared_before = sorted(p.name for p in shared.iterdir())
    grid = write_grid(tmp_path / "my_survey.tif",
                      (-20.0 - np.indices((40, 80))[0]).astype("float32"),
                      west=-170.0, north=66.0, res=0.025)
    port = _free_port()
    proc = launch(port, env, tmp_path / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    ctx_a = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx_b = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        errors = []
        for pg in (a, b):
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
        a.goto(url)
        b.goto(url)
        wait_for_map(a, timeout=120_000)
        wait_for_map(b, timeout=120_000)

        a.get_by_text("Add a grid").click()
        a.locator(GRID_UPLOAD).set_input_files(str(grid))
        a.get_by_role("button", name="Import the grid").click()
        expect(a.get_by_text("Imported my_survey.tif")).to_be_visible(timeout=120_000)
        expect(a.get_by_text("visible in this session only")).to_be_visible()

        # on disk: one session folder holding the COG and its sidecar; the shared folder as before
        folders = session_folders(sessions)
        assert list(folders.values()) == [["my_survey.provenance.json", "my_survey.tif"]]
        assert sorted(p.name for p in shared.iterdir()) == shared_before

        # A lists it, marked as its own; B (rerun by a widget) does not
        assert any("my_survey" in t and "this session only" in t for t in dataset_options(a))
        b.get_by_text("Hillshade").click()
        b.wait_for_timeout(1000)
        assert not any("my_survey" in t for t in dataset_options(b))

        # A chooses it: the map shows it; B is unaffected
        a.get_by_role("combobox", name="Bathymetry dataset").click()
        a.get_by_role("option", name="my_survey").first.click()
        expect(a.get_by_text("Depths from my_survey")).to_be_visible(timeout=60_000)  # header line
        deadline = time.monotonic() + 30  # the link drops d: no one else can open this grid
        while "d" in parse_qs(urlsplit(a.evaluate("location.href")).query):
            assert time.monotonic() < deadline, a.evaluate("location.href")
            a.wait_for_timeout(250)
        expect(b.get_by_text("Depths from ETOPO5")).to_be_visible()

        # A's tab closes: its folder goes within TTL (2 s) + sweep (1 s) + slack
        ctx_a.close()
        deadline = time.monotonic() + 30
        while session_folders(sessions) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert session_folders(sessions) == {}
        b.get_by_text("Hillshade").click()
        b.wait_for_timeout(1000)
        assert b.locator('[data-testid="stException"]').count() == 0
        assert errors == []
    finally:
        for ctx in (ctx_a, ctx_b):
            try:
                ctx.close()
            except Exception:  # noqa: BLE001 - already closed above
                pass
        _stop(proc)


def test_server_killed_mid_session_the_shared_url_restores_routes_and_view(
    vendored_assets, browser, wait_for_map, draw_polyline, server_env, tmp_path
):
    env, _, _ = server_env
    port = _free_port()
    log = tmp_path / "streamlit.log"
    proc = launch(port, env, log)
    url = f"http://127.0.0.1:{port}/?c=65.9,-169.2&z=8"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(url)
        frame = wait_for_map(page, timeout=120_000)
        draw_polyline(page, frame, [(66.0, -169.6), (65.8, -168.9), (65.62, -168.15)])
        wait_table_has(page, "Drawn route 1")
        deadline = time.monotonic() + 30
        while "r" not in parse_qs(urlsplit(page.evaluate("location.href")).query):
            assert time.monotonic() < deadline, "the link never got the drawn route"
            page.wait_for_timeout(250)
        shared_url = page.evaluate("location.href")
        query = parse_qs(urlsplit(shared_url).query)
        assert query["c"] == ["65.9,-169.2"] and query["z"] == ["8"]

        os.killpg(proc.pid, 9)  # no clean shutdown
        proc.wait(10)
        page.wait_for_timeout(1000)
        proc = launch(port, env, log)  # same port: the same URL reaches the new server

        fresh = ctx.new_page()
        fresh.goto(shared_url)
        frame2 = wait_for_map(fresh, timeout=120_000)
        wait_table_has(fresh, "Drawn route 1")
        centre = frame2.evaluate("() => { const c = map_div.getCenter(); "
                                 "return [c.lat, c.lng, map_div.getZoom()]; }")
        assert centre[2] == 8
        assert abs(centre[0] - 65.9) < 0.01 and abs(centre[1] - (-169.2)) < 0.01
        tips = frame2.evaluate(
            """() => { const out = [];
                map_div.eachLayer(l => { if (l instanceof L.Polyline && l.getTooltip
                    && l.getTooltip()) out.push(l.getTooltip().getContent()); });
                return out; }""")
        assert any("Drawn route 1" in t for t in tips), tips
        assert fresh.locator('[data-testid="stException"]').count() == 0
    finally:
        ctx.close()
        _stop(proc)
