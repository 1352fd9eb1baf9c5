"""Real-browser test harness: Debian Chromium driven by Playwright, against a live Streamlit.

Fixtures
--------
chromium_path
    ``/usr/bin/chromium`` or ``$MAPAPP_CHROMIUM``; the session fails when it is missing.
browser
    One headless Chromium per session (never ``playwright install``).
streamlit_app
    Factory ``start(script, env=None, static_dir=None, base_path="") -> base URL`` starting
    ``streamlit run`` on a free port; servers stop at the end of the module.
app_url
    Base URL of ``mapapp/app.py`` (module scope).
vendored_assets
    Makes sure ``mapapp/static/vendor`` is installed (runs ``npm pack`` when it is not).
page
    A fresh page per test whose requests to hosts other than 127.0.0.1/localhost are aborted.
    It records ``page.console_errors``, ``page.page_errors``, ``page.blocked_requests`` and
    ``page.bad_responses`` (local responses with status >= 400), and leaves a screenshot in
    ``test-artifacts/<test name>.png``.

wait_for_map
    The helper :func:`wait_for_map` (``frame = wait_for_map(page)``), as a fixture so that
    tests need not import this conftest.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, Playwright, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
APP_SCRIPT = REPO_ROOT / "mapapp" / "app.py"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
STARTUP_TIMEOUT = 60.0  # s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium executable; fails (never skips) when it is missing."""
    path = os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path}: install it with 'apt-get install chromium' "
            "(or set MAPAPP_CHROMIUM to a Chromium executable)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright, chromium_path: str) -> Iterator[Browser]:
    """Headless Debian Chromium, shared by the session."""
    b = playwright_instance.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield b
    b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the process group of ``proc`` (SIGTERM, then SIGKILL after 10 s)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    _stop(proc)
    state = f"exited with {proc.returncode}" if proc.returncode is not None else "timed out"
    pytest.fail(
        f"streamlit at {url} did not become healthy ({state} after at most "
        f"{STARTUP_TIMEOUT:.0f} s); its output:\n{log.read_text(errors='replace')[-5000:]}",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def streamlit_app() -> Iterator[Callable[..., str]]:
    """Factory starting ``streamlit run`` from the repository root; returns the base URL.

    ``start(script, env=None, static_dir=None, base_path="")``: ``env`` adds environment
    variables; ``static_dir`` runs a copy of ``script`` from a temporary folder whose
    ``static`` is a link to ``static_dir`` (Streamlit serves ``<script folder>/static`` at
    ``/app/static``); ``base_path`` sets ``server.baseUrlPath`` (and ends the returned URL).
    The repository root is put on ``PYTHONPATH`` so scripts can import ``mapapp``.
    """
    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="mapapp-st-"))

    def start(
        script: str | Path,
        env: dict[str, str] | None = None,
        static_dir: str | Path | None = None,
        base_path: str = "",
    ) -> str:
        script = Path(script).resolve()
        if static_dir is not None:
            home = Path(tempfile.mkdtemp(dir=tmp))
            shutil.copy(script, home / script.name)
            (home / "static").symlink_to(Path(static_dir).resolve(), target_is_directory=True)
            script = home / script.name
        port = _free_port()
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH")) if p
        )
        options = {
            "server.headless": "true",
            "server.port": str(port),
            "server.address": "127.0.0.1",
            "browser.gatherUsageStats": "false",
            "server.fileWatcherType": "none",
            "server.baseUrlPath": base_path.strip("/"),
        }
        cmd = [sys.executable, "-m", "streamlit", "run", str(script)]
        for key, value in options.items():
            cmd += [f"--{key}", value]
        log = tmp / f"streamlit-{port}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}" + (
            f"/{base_path.strip('/')}" if base_path.strip("/") else ""
        )
        _wait_healthy(url, proc, log)
        return url

    yield start
    for proc in procs:
        _stop(proc)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def app_url(streamlit_app: Callable[..., str]) -> str:
    """Base URL of a running ``mapapp/app.py``."""
    return streamlit_app(APP_SCRIPT)


@pytest.fixture(scope="session")
def vendored_assets() -> Path:
    """The installed vendor dir; installs it with npm when missing (fails without npm)."""
    from mapapp.core.errors import AssetError
    from mapapp.render.assets import VENDOR_DIR, assets_status, install_assets

    if not assets_status().installed:
        try:
            install_assets(progress=lambda line: print(line, file=sys.stderr))
        except AssetError as exc:
            pytest.fail(f"cannot install the offline assets: {exc}", pytrace=False)
    status = assets_status()
    if not status.installed:
        pytest.fail(f"offline assets still missing: {status.missing}", pytrace=False)
    return VENDOR_DIR


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new page in a new context that can reach only this machine (see module doc)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.console_errors, pg.page_errors = [], []
    pg.blocked_requests, pg.bad_responses = [], []

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            pg.blocked_requests.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    context.route("**/*", route)
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))
    pg.on("response", lambda r: r.status >= 400 and pg.bad_responses.append(f"{r.status} {r.url}"))
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def draw_polyline(page: Page, frame: Frame, points) -> None:
    """Draw a polyline with the mouse through ``points`` ((lat, lon), degrees) using the
    Leaflet.draw toolbar, then finish it."""
    page.locator(FOLIUM_IFRAME).scroll_into_view_if_needed()
    frame.locator("a.leaflet-draw-draw-polyline").click()
    for lat, lon in points:
        x, y = frame.evaluate(
            "([a, b]) => { const p = map_div.latLngToContainerPoint([a, b]); return [p.x, p.y]; }",
            [lat, lon],
        )
        box = page.locator(FOLIUM_IFRAME).bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(300)
    frame.locator('a[title="Finish drawing"]').click()


@pytest.fixture(name="draw_polyline")
def draw_polyline_fixture() -> Callable[..., None]:
    """The :func:`draw_polyline` helper."""
    return draw_polyline


@pytest.fixture(name="wait_for_map")
def wait_for_map_fixture() -> Callable[..., Frame]:
    """The :func:`wait_for_map` helper."""
    return wait_for_map


def wait_for_map(page: Page, timeout: float = 60_000) -> Frame:
    """Wait for the streamlit-folium iframe and a visible ``.leaflet-container`` in it.

    Parameters
    ----------
    page : Page
    timeout : float
        Milliseconds for each of the two waits.

    Returns
    -------
    Frame
        The map's iframe.
    """
    handle = page.wait_for_selector(FOLIUM_IFRAME, state="visible", timeout=timeout)
    frame = handle.content_frame()
    assert frame is not None, "streamlit-folium iframe has no content frame"
    frame.wait_for_selector(".leaflet-container", state="visible", timeout=timeout)
    return frame
