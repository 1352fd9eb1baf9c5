"""Browser metrics in headless Debian Chromium (Playwright) against live ``streamlit run``.

Definitions (the same in ``benchmarks/RESULTS.md``):

*Updated* (warm interaction)
    The time from the ``pointerdown`` on an option of the "Selected route" select box to the
    first DOM mutation after which all of these hold, timed in the page with
    ``performance.now()`` (a MutationObserver on the page and on the map's iframe checks
    the conditions on every change, plus a requestAnimationFrame loop):

    * Streamlit is idle: ``[data-testid=stApp]`` has ``data-test-script-state=notRunning``;
    * mapapp — the map shows the new selection: in the streamlit-folium iframe exactly the
      new route's polyline is drawn thick (``stroke-width=6``, its colour), and the profile
      chart's title (Vega SVG) names the new route;
    * bare app — the text "Selected: <option>" is on the page.

*Cold start*
    From ``subprocess.Popen(streamlit run …)`` to an interactive map in a browser already
    running: the Leaflet container is visible, the bathymetry is drawn (mapapp: the image
    overlay has loaded; leafmap: all tiles in view have loaded), the route is drawn and
    Streamlit is idle (polled every 50 ms).

*Page payload*
    Bytes the browser receives for the default view of a new session (fresh browser
    context, empty cache), counted with the Chrome DevTools Protocol: for HTTP, the sum of
    ``Network.loadingFinished.encodedDataLength`` (bytes on the wire: headers + body as
    transferred, i.e. after gzip); for the WebSocket, the sum of the payloads of
    ``Network.webSocketFrameReceived`` (base64-decoded binary frames: Streamlit's
    protobuf messages as delivered to the page, i.e. inflated). When the WebSocket
    negotiated permessage-deflate, its wire bytes are estimated by deflating each message
    on its own with the negotiated window (an upper bound). Counted until the map is ready
    and no network event has happened for 2 s.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = REPO_ROOT / "mapapp" / "app.py"
APPS = Path(__file__).resolve().parent / "apps"
BARE_APP = APPS / "bare.py"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
BARE_OPTIONS = ["Route A", "Route B", "Route C"]  # as in apps/bare.py
QUIET_S = 2.0  # network silence that ends a payload count


def chromium_path() -> str:
    """``$MAPAPP_CHROMIUM`` or ``/usr/bin/chromium``."""
    return os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium")


def chromium_version() -> str:
    """``Chromium 1xx.… built on …`` (empty when Chromium is missing)."""
    try:
        out = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``streamlit run`` from the repository root (process group of its own).

    ``static_dir`` runs a copy of ``script`` from a temporary folder whose ``static`` links
    to it (Streamlit serves ``<script folder>/static`` at ``/app/static``).
    """

    def __init__(self, script: Path, env: dict | None = None, static_dir: Path | None = None):
        self.script, self.env, self.static_dir = Path(script), env or {}, static_dir
        self.proc: subprocess.Popen | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix="mapapp-bench-"))
        self.log = self.tmp / "streamlit.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = 0.0

    def start(self) -> float:
        """Start the server; returns the ``time.perf_counter()`` just before ``Popen``."""
        script = self.script.resolve()
        if self.static_dir is not None:
            shutil.copy(script, self.tmp / script.name)
            (self.tmp / "static").symlink_to(Path(self.static_dir).resolve(), True)
            script = self.tmp / script.name
        env = {**os.environ, **self.env}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH"))
                                            if p)
        cmd = [sys.executable, "-m", "streamlit", "run", str(script),
               "--server.headless", "true", "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        self.started = time.perf_counter()
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self.started

    def wait_healthy(self, timeout: float = 120.0) -> float:
        """Wait for ``/_stcore/health``; returns the seconds since :meth:`start`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.05)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"streamlit {self.script.name} did not start: {tail}")

    def peak_rss_mb(self) -> float | None:
        """Peak resident memory of the server process so far (``VmHWM``), MiB."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(wait)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Server:
        self.start()
        self.wait_healthy()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Browser:
    """Playwright + one headless Chromium for the whole run (started lazily)."""

    def __init__(self):
        self._pw = self._browser = None

    @property
    def browser(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            path = chromium_path()
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                raise RuntimeError(f"Chromium not found at {path}: apt-get install chromium "
                                   "(or set MAPAPP_CHROMIUM)")
            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        return self._browser

    def new_page(self):
        """A page in a fresh context (empty cache) that can reach only this machine."""
        ctx = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.blocked = []

        def route(r):
            parts = urlsplit(r.request.url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
                page.blocked.append(r.request.url)
                r.abort("blockedbyclient")
            else:
                r.continue_()

        ctx.route("**/*", route)
        return page

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._pw.stop()
        self._pw = self._browser = None


# ------------------------------------------------------------------------------ payload
@dataclass
class NetLog:
    """Bytes received by one page, from CDP Network events (see the module doc)."""

    urls: dict = field(default_factory=dict)
    wire: dict = field(default_factory=lambda: defaultdict(int))
    body: dict = field(default_factory=lambda: defaultdict(int))
    frames: list = field(default_factory=list)
    ws_extensions: str = ""
    last_event: float = 0.0

    def attach(self, page) -> NetLog:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        self.last_event = time.monotonic()

        def on(name, fn):
            def handler(p):
                self.last_event = time.monotonic()
                fn(p)
            cdp.on(name, handler)

        on("Network.responseReceived",
           lambda p: self.urls.__setitem__(p["requestId"], p["response"]["url"]))
        on("Network.dataReceived",
           lambda p: self.body.__setitem__(p["requestId"],
                                           self.body[p["requestId"]] + p["dataLength"]))
        on("Network.loadingFinished",
           lambda p: self.wire.__setitem__(p["requestId"], p["encodedDataLength"]))
        on("Network.webSocketFrameReceived", self._frame)
        on("Network.webSocketHandshakeResponseReceived", self._handshake)
        self._cdp = cdp
        return self

    def _frame(self, p) -> None:
        r = p["response"]
        data = r["payloadData"]
        self.frames.append(base64.b64decode(data) if r["opcode"] == 2 else data.encode())

    def _handshake(self, p) -> None:
        headers = {k.lower(): v for k, v in p["response"].get("headers", {}).items()}
        self.ws_extensions = headers.get("sec-websocket-extensions", "")

    def http_wire(self) -> int:
        return sum(self.wire.values())

    def http_body(self) -> int:
        return sum(self.body.values())

    def ws_bytes(self) -> int:
        return sum(len(f) for f in self.frames)

    def ws_compressed(self) -> bool:
        """Whether the WebSocket negotiated permessage-deflate."""
        return "permessage-deflate" in self.ws_extensions

    def ws_wire(self) -> int:
        """WebSocket bytes on the wire: the payloads, or with permessage-deflate an estimate
        (CDP reports inflated payloads): each message deflated on its own with the
        negotiated window — an upper bound, as the server may reuse its context."""
        return deflated_size(self.frames, self.ws_extensions)

    def total(self) -> int:
        return self.http_wire() + self.ws_wire()

    def wait_quiet(self, page, quiet: float = QUIET_S, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last_event < quiet:
            page.wait_for_timeout(100)

    def compressed_estimate(self, base_url: str) -> dict:
        """What gzip (level 6) would make of the same bytes: HTTP bodies fetched again
        from ``base_url`` and gzipped, WebSocket messages deflated one by one (what
        permessage-deflate without context takeover would send). Bytes."""
        http = 0
        for rid, u in self.urls.items():
            parts = urlsplit(u)
            if parts.scheme not in ("http", "https") or not u.startswith(base_url):
                http += self.wire.get(rid, 0)
                continue
            try:
                with urllib.request.urlopen(u, timeout=30) as r:
                    http += len(gzip.compress(r.read(), 6)) + 300  # ~headers
            except OSError:
                http += self.wire.get(rid, 0)
        ws = sum(len(zlib.compress(f, 6)) for f in self.frames)
        return {"http": http, "ws": ws, "total": http + ws}

    def by_url(self) -> list[tuple[str, int, int]]:
        """(url path, wire bytes, decoded body bytes), biggest first."""
        rows = [(urlsplit(u).path, self.wire.get(i, 0), self.body.get(i, 0))
                for i, u in self.urls.items()]
        return sorted(rows, key=lambda r: -r[1])


def deflated_size(frames: list[bytes], extensions: str) -> int:
    """Bytes of ``frames`` as sent: deflated one by one when ``extensions`` has
    permessage-deflate (window bits from ``server_max_window_bits``), else as they are."""
    if "permessage-deflate" not in extensions:
        return sum(len(f) for f in frames)
    import re

    m = re.search(r"server_max_window_bits=(\d+)", extensions)
    bits = int(m.group(1)) if m else 15
    total = 0
    for f in frames:
        c = zlib.compressobj(6, zlib.DEFLATED, -bits)
        total += len(c.compress(f) + c.flush(zlib.Z_SYNC_FLUSH)) - 4  # RFC 7692 drops 4 B
    return total


def ws_breakdown(frames: list[bytes]) -> list[tuple[str, int]]:
    """What the WebSocket carried, biggest first: decoded Streamlit ForwardMsgs.

    The streamlit-folium component's JSON arguments are split by key, and its feature-group
    JavaScript by feature group (names from the layer control); data-URL images inside
    are counted on their own.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sizes: dict[str, int] = defaultdict(int)
    for raw in frames:
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: count it whole
            sizes["undecoded frames"] += len(raw)
            continue
        kind = msg.WhichOneof("type") or "?"
        if kind != "delta":
            sizes[f"message: {kind}"] += len(raw)
            continue
        dk = msg.delta.WhichOneof("type")
        if dk != "new_element":
            sizes[f"delta: {dk}"] += len(raw)
            continue
        el = msg.delta.new_element
        ek = el.WhichOneof("type")
        if ek == "component_instance" and el.component_instance.json_args:
            args = json.loads(el.component_instance.json_args)
            rest = len(raw)
            for key, part in _component_parts(el.component_instance.component_name, args):
                sizes[key] += part
                rest -= part
            sizes[f"element: {ek} (framing)"] += max(rest, 0)
        else:
            sizes[f"element: {ek}"] += len(raw)
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def _component_parts(name: str, args: dict):
    short = name.rsplit(".", 1)[-1]
    fg_js = args.get("feature_group") if isinstance(args.get("feature_group"), str) else ""
    names = _fg_names(args.get("layer_control") or "")
    for key, value in args.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if key == "feature_group" and fg_js:
            yield from _split_feature_groups(short, fg_js, names)
        else:
            data_urls = _data_url_bytes(text)
            if data_urls:
                yield f"{short}.{key}: data-URL images", data_urls
            yield f"{short}.{key}", len(text.encode()) - data_urls


def _data_url_bytes(text: str) -> int:
    import re

    return sum(len(m.group(0)) for m in re.finditer(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+",
                                                     text))


def _fg_names(layer_control_js: str) -> dict[str, str]:
    import re

    return {var: json.loads(f'"{name}"') for name, var in
            re.findall(r'"((?:[^"\\]|\\.)+)"\s*:\s*(feature_group_\w+)', layer_control_js)}


def _split_feature_groups(short: str, js: str, names: dict[str, str]):
    import re

    starts = [(m.start(), m.group(1)) for m in
              re.finditer(r"var (feature_group_\w+) = L\.featureGroup", js)]
    if not starts:
        yield f"{short}.feature_group", len(js.encode())
        return
    if starts[0][0] > 0:
        yield f"{short}.feature_group (preamble)", len(js[:starts[0][0]].encode())
    for (a, var), (b, _) in zip(starts, [*starts[1:], (len(js), "")], strict=True):
        chunk = js[a:b]
        label = f"{short} layer “{names.get(var, var)}”"
        urls = _data_url_bytes(chunk)
        if urls:
            yield f"{label}: data-URL image", urls
        yield label, len(chunk.encode()) - urls


# ------------------------------------------------------------------------------ page checks
_STATE = "document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state')"
# JS prelude: false while Streamlit runs; ``d`` = the folium map's document (or null)
_IDLE_MAP_DOC = (f"if ({_STATE} !== 'notRunning') return false;\n"
                 f"  const f = document.querySelector('{FOLIUM_IFRAME}');\n"
                 "  const d = f && f.contentDocument;")

MAPAPP_READY = f"""() => {{
  {_IDLE_MAP_DOC}
  if (!d || !d.querySelector('.leaflet-container')) return false;
  const img = d.querySelector('img.leaflet-image-layer');
  if (!img || !img.complete || !img.naturalWidth) return false;
  return d.querySelectorAll('path[stroke-width="6"]').length > 0;
}}"""

PEER_READY = f"""() => {{
  if ({_STATE} !== 'notRunning') return false;
  for (const f of document.querySelectorAll('iframe')) {{
    const d = f.contentDocument;
    if (!d || !d.querySelector('.leaflet-container')) continue;
    const tiles = d.querySelectorAll('img.leaflet-tile');
    const loaded = d.querySelectorAll('img.leaflet-tile-loaded');
    if (tiles.length && tiles.length === loaded.length && d.querySelector('path')) return true;
  }}
  return false;
}}"""

# JS: is there a markdown element whose text is exactly the expression ``text``?
_MARKDOWN_IS = ("Array.from(document.querySelectorAll('[data-testid=stMarkdownContainer]'))"
                ".some(e => e.innerText.trim() === {text})")

BARE_UPDATED = f"""(want) => {{
  if ({_STATE} !== 'notRunning') return false;
  return {_MARKDOWN_IS.format(text="'Selected: ' + want.name")};
}}"""

MAPAPP_UPDATED = f"""(want) => {{
  {_IDLE_MAP_DOC}
  if (!d) return false;
  const thick = Array.from(d.querySelectorAll('path[stroke-width="6"]'))
    .map(p => (p.getAttribute('stroke') || '').toLowerCase());
  if (!thick.length || thick.some(c => c !== want.colour.toLowerCase())) return false;
  // the profile tab: the chart (all shown routes, the selected one emphasised) and, beside it,
  // the selected route's portals and access points under its name
  if (!document.querySelector('[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas')) return false;
  return {_MARKDOWN_IS.format(text="'Portals and access points — ' + want.name")};
}}"""

MAPAPP_LEGEND = f"""(want) => {{
  {_IDLE_MAP_DOC}
  if (!d) return false;
  return (d.querySelector('.mapapp-route-legend-control') !== null) === want.legend;
}}"""

MAPAPP_RECOLOURED = f"""(want) => {{
  {_IDLE_MAP_DOC}
  const img = d && d.querySelector('img.mapapp-bathymetry');
  return !!img && img.getAttribute('src') !== want.prev && img.complete && img.naturalWidth > 0;
}}"""

_BATHY_SRC = (f"() => {{ const f = document.querySelector('{FOLIUM_IFRAME}'); "
              "const i = f && f.contentDocument.querySelector('img.mapapp-bathymetry'); "
              "return i ? i.getAttribute('src') : null; }")

# Installs window.__bench: start (pointerdown on an option), done (first time cond holds).
_INSTALL = """(condSrc) => {
  window.__benchCond = eval(condSrc);
  const cond = (w) => window.__benchCond(w);
  const b = window.__bench = {start: null, done: null, want: null, sawRunning: false,
                               runStart: null, runEnd: null};
  const check = () => {
    if (b.start === null || b.done !== null) return;
    const s = document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state');
    if (s === 'running' && !b.sawRunning) { b.sawRunning = true; b.runStart = performance.now(); }
    if (s !== 'running' && b.sawRunning && b.runEnd === null) b.runEnd = performance.now();
    try { if (cond(b.want)) b.done = performance.now(); } catch (e) {}
  };
  const opts = {attributes: true, childList: true, subtree: true, characterData: true};
  new MutationObserver(check).observe(document, opts);
  let watched = new Set();
  const hook = () => {
    for (const f of document.querySelectorAll('iframe')) {
      const d = f.contentDocument;
      if (d && !watched.has(d)) { watched.add(d); new MutationObserver(check).observe(d, opts); }
    }
  };
  const loop = () => { hook(); check(); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  document.addEventListener('pointerdown', e => {
    if (e.target.closest && e.target.closest('[role=option], [data-testid=stCheckbox]')) {
      b.start = performance.now(); b.done = null; b.sawRunning = false;
      b.runStart = null; b.runEnd = null;
    }
  }, true);
}"""


def _wait_idle(page, stable_ms: int = 600, timeout: float = 60.0) -> None:
    """Wait until Streamlit has been idle for ``stable_ms`` in a row."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        if page.evaluate(f"() => {_STATE}") == "notRunning":
            idle_since = idle_since or time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= stable_ms:
                return
        else:
            idle_since = None
        page.wait_for_timeout(50)
    raise RuntimeError("the app did not become idle")


class Switcher:
    """Switches "Selected route" on one page, cycling through ``choices``, and times it.

    ``choices``: dicts with ``name`` (option text) and whatever ``updated_js`` reads (e.g.
    ``colour``). Each :meth:`switch` returns ``(ms, saw_running, run_ms, ws_frames,
    ws_extensions)``: the pointerdown-to-updated time, whether the page saw the script state
    flip to running, the span it showed running (None if not seen), the WebSocket messages it
    received (inflated) and the WebSocket's negotiated extensions.
    """

    def __init__(self, page, updated_js: str, choices: list[dict], log: NetLog,
                 label: str = "Selected route", checkbox: bool = False, install: bool = True):
        self.page, self.choices, self.log, self.i = page, choices, log, 0
        self.updated_js = f"({updated_js})"
        if install:
            page.evaluate(_INSTALL, self.updated_js)
        self.checkbox = checkbox
        kind = "stCheckbox" if checkbox else "stSelectbox"
        self.box = page.locator(f"[data-testid={kind}]").filter(has_text=label)

    def switch(self) -> tuple[float, bool, float | None, list[bytes], str]:
        page, log = self.page, self.log
        self.i += 1
        want = dict(self.choices[self.i % len(self.choices)])
        _wait_idle(page)
        log.wait_quiet(page, quiet=0.5)
        n_frames = len(log.frames)
        if want.pop("_prev_src", False):
            want["prev"] = page.evaluate(_BATHY_SRC)
        # several Switchers share a page: this one's condition is the one checked
        page.evaluate("(src) => { window.__benchCond = eval(src); }", self.updated_js)
        if self.checkbox:
            page.evaluate("(w) => { window.__bench.want = w; window.__bench.start = null; }", want)
            self.box.locator("label").click()
        else:
            option = page.get_by_role("option", name=want["name"], exact=True)
            for attempt in range(4):  # a late repaint (chart, layer) can close the list again
                self.box.get_by_role("combobox").click()
                try:
                    option.wait_for(state="visible", timeout=5_000)
                    break
                except Exception:  # noqa: BLE001 - open it again (timing starts at the option)
                    if attempt == 3:
                        raise
                    page.keyboard.press("Escape")
                    _wait_idle(page)
            page.evaluate("(w) => { window.__bench.want = w; window.__bench.start = null; }",
                          want)
            option.click()
        page.wait_for_function("() => window.__bench.done !== null", timeout=60_000,
                               polling=100)
        dt, ran, run = page.evaluate(
            "() => { const b = window.__bench; return [b.done - b.start, b.sawRunning, "
            "b.runEnd !== null && b.runStart !== null ? b.runEnd - b.runStart : null]; }")
        _wait_idle(page)
        log.wait_quiet(page, quiet=0.5)
        return dt, bool(ran), run, log.frames[n_frames:], log.ws_extensions


def _summary(results: list) -> dict:
    times = [r[0] for r in results]
    runs = [r[2] for r in results if r[2] is not None]
    ws = [sum(len(f) for f in r[3]) for r in results]
    return {"times_ms": times, "run_ms": runs, "saw_running": sum(r[1] for r in results),
            "ws_bytes": ws, "ws_parts": ws_breakdown([f for r in results for f in r[3]]),
            "median_ms": statistics.median(times),
            "median_run_ms": statistics.median(runs) if runs else None,
            "median_ws_bytes": statistics.median(ws),
            "median_ws_wire": statistics.median(deflated_size(r[3], r[4]) for r in results)}


def route_choices() -> list[dict]:
    """The app's default routes: option name and the colour the map draws them in."""
    from mapapp.routes import presets
    from mapapp.routes.route import route_colour
    from mapapp.ui.routes_panel import DEFAULT_PRESETS

    out = []
    for i, pid in enumerate(DEFAULT_PRESETS):
        r = presets.get_preset(pid)
        out.append({"name": r.name, "colour": r.colour or route_colour(i)})
    return out


@contextlib.contextmanager
def _bare_and_mapapp(br: Browser):
    """Both servers running and both pages ready, side by side (so that interleaved timings see
    the same machine load). Yields ``(bare_switcher, app_page, app_log, app_server)``; the
    pages' contexts are closed afterwards."""
    with Server(BARE_APP) as bare_srv, Server(APP) as app_srv:
        bare_page, app_page = br.new_page(), br.new_page()
        try:
            bare_log, app_log = NetLog().attach(bare_page), NetLog().attach(app_page)
            bare_page.goto(bare_srv.url)
            bare_page.wait_for_selector("text=Selected: ", timeout=60_000)
            app_page.goto(app_srv.url)
            app_page.wait_for_function(MAPAPP_READY, timeout=120_000, polling=100)
            bare = Switcher(bare_page, BARE_UPDATED, [{"name": o} for o in BARE_OPTIONS],
                            bare_log)
            yield bare, app_page, app_log, app_srv
        finally:
            bare_page.context.close()
            app_page.context.close()


def warm_interaction(br: Browser, n: int, warmup: int = 3) -> dict:
    """Median switch times of mapapp and of the bare app, interleaved in the same run.

    Both servers run at once; after a warm-up (mapapp: a cycle through every route, so the
    tunnel figures are cached), the switches alternate bare, mapapp, bare, … so that both
    see the same machine load.
    """
    with _bare_and_mapapp(br) as (bare, app_page, app_log, app_srv):
        app_page.get_by_role("tab", name="Profile & tunnel").click()
        app_page.wait_for_selector("[data-testid=stVegaLiteChart]", timeout=60_000)
        choices = route_choices()
        app = Switcher(app_page, MAPAPP_UPDATED, choices, app_log)
        for _ in range(warmup):
            bare.switch()
        for _ in range(max(warmup, len(choices))):
            app.switch()
        got = {"bare": [], "mapapp": []}
        for _ in range(n):
            got["bare"].append(bare.switch())
            got["mapapp"].append(app.switch())
        res = {k: _summary(v) for k, v in got.items()}
        res["mapapp_blocked"] = list(app_page.blocked)
        res["server_rss_mb"] = app_srv.peak_rss_mb()
    pairs = [a[0] / b[0] for a, b in zip(got["mapapp"], got["bare"], strict=True)]
    res["ratio"] = res["mapapp"]["median_ms"] / res["bare"]["median_ms"]
    res["pair_ratios"] = pairs
    return res


def warm_controls(br: Browser, n: int, warmup: int = 2) -> dict:
    """Median times of two sidebar changes in mapapp — the route legend switched off/on (a
    layer toggle) and the colormap changed (a new bathymetry image) — and of the bare app's
    rerun, interleaved on one run (bare, toggle, bare, colormap, …)."""
    from mapapp.render.overlay import COLORMAPS

    with _bare_and_mapapp(br) as (bare, app_page, app_log, _):
        toggle = Switcher(app_page, MAPAPP_LEGEND, [{"legend": True}, {"legend": False}],
                          app_log, label="Route legend on the map", checkbox=True)
        cmaps = [{"name": c, "_prev_src": True} for c in COLORMAPS[:3]]
        colour = Switcher(app_page, MAPAPP_RECOLOURED, cmaps[1:] + cmaps[:1], app_log,
                          label="Colormap", install=False)
        for _ in range(warmup):
            bare.switch()
            toggle.switch()
        for _ in range(len(cmaps)):  # every image rendered once: caches warm
            colour.switch()
        got = {"bare": [], "toggle": [], "colour": []}
        for _ in range(n):
            got["bare"].append(bare.switch())
            got["toggle"].append(toggle.switch())
            got["bare"].append(bare.switch())
            got["colour"].append(colour.switch())
    res = {k: _summary(v) for k, v in got.items()}
    for k in ("toggle", "colour"):
        res[f"{k}_ratio"] = res[k]["median_ms"] / res["bare"]["median_ms"]
    return res


def cold_start(br: Browser, script: Path, ready_js: str, env: dict | None = None,
               static_dir: Path | None = None, query: str = "",
               payload: bool = True) -> dict:
    """Seconds from ``streamlit run`` to an interactive map; then the payload of a new session.

    Returns ``seconds``, ``healthy_s`` (server answering), and with ``payload`` the
    :class:`NetLog` figures of a second, fresh session on the same server.
    """
    srv = Server(script, env=env, static_dir=static_dir)
    page = br.new_page()
    try:
        t0 = srv.start()
        healthy = srv.wait_healthy()
        page.goto(srv.url + query)
        page.wait_for_function(ready_js, timeout=180_000, polling=50)
        out = {"seconds": time.perf_counter() - t0, "healthy_s": healthy,
               "blocked": list(page.blocked)}
        page.context.close()
        if payload:
            page = br.new_page()
            log = NetLog().attach(page)
            page.goto(srv.url + query)
            page.wait_for_function(ready_js, timeout=180_000, polling=100)
            log.wait_quiet(page)
            _wait_idle(page)
            log.wait_quiet(page)
            out.update(total=log.total(), http_wire=log.http_wire(), http_body=log.http_body(),
                       ws=log.ws_bytes(), ws_wire=log.ws_wire(),
                       ws_compressed=log.ws_compressed(), ws_frames=len(log.frames),
                       ws_extensions=log.ws_extensions, by_url=log.by_url(),
                       ws_parts=ws_breakdown(log.frames), blocked_payload=list(page.blocked),
                       compressed=log.compressed_estimate(srv.url))
        out["server_rss_mb"] = srv.peak_rss_mb()
        return out
    finally:
        try:
            page.context.close()
        except Exception:  # noqa: BLE001 - already closed
            pass
        srv.stop()


# ------------------------------------------------------------------------------ 16× grid
SYNTHETIC_NAME = "synthetic_16x.tif"


def write_geodata_16x(folder: Path) -> Path:
    """A geodata folder whose bathymetry holds a synthetic grid with 16× ETOPO5's pixels.

    Same extent as the embedded ETOPO5, 4× finer in each direction (1.25′): ETOPO5
    resampled bilinearly plus a ±1 m ripple about 8 pixels long, so that the finer grid has
    a little detail of its own (a plain upsampling would compress unrealistically well;
    a stronger ripple would fill the shallows with spurious 10 m isobaths). Benchmark
    data only; the other geodata folders are links to the real ones. Returns the folder
    (for ``MAPAPP_GEODATA``).
    """
    import numpy as np
    import rasterio
    from rasterio.enums import Resampling

    from mapapp.core.paths import geodata_dir

    real = geodata_dir()
    (folder / "bathymetry").mkdir(parents=True)
    for sub in ("coastline", "context", "presets"):
        (folder / sub).symlink_to(real / sub, target_is_directory=True)
    src_path = real / "bathymetry" / "etopo5_bering_5arcmin.tif"
    (folder / "bathymetry" / src_path.name).symlink_to(src_path)
    with rasterio.open(src_path) as src:
        h, w = src.height * 4, src.width * 4
        z = src.read(1, out_shape=(h, w), resampling=Resampling.bilinear).astype("float32")
        prof = src.profile.copy()
        transform = src.transform * src.transform.scale(src.width / w, src.height / h)
    rows, cols = np.mgrid[0:h, 0:w]
    z += (1.0 * np.sin(cols * 0.8) * np.cos(rows * 0.7)).astype("float32")
    prof.update(width=w, height=h, transform=transform, dtype="float32", compress="deflate",
                tiled=True, blockxsize=256, blockysize=256)
    prof.pop("nodata", None)
    out = folder / "bathymetry" / SYNTHETIC_NAME
    with rasterio.open(out, "w", **prof) as dst:
        dst.write(z, 1)
    return folder
