"""Make the README screenshot: start the app, open it in headless Chromium, save a PNG.

The window is 1440×900 CSS px, the first screen a reader sees: the map and, under it, the
claims scorecard of the selected route (the Dmitriev proposal on first load).

Usage: python scripts/make_screenshot.py [docs/img/app-map.png]
Needs Debian's chromium and the offline assets (python -m mapapp assets install).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]


def main(out: str = "docs/img/app-map.png") -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "mapapp/app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("MAPAPP_CHROMIUM", "/usr/bin/chromium"),
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            frame = page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]',
                                           timeout=60_000).content_frame()
            frame.wait_for_selector("img.mapapp-bathymetry", timeout=60_000)
            frame.wait_for_selector(".mapapp-route-legend-item", timeout=60_000)
            page.get_by_text("Claims vs the model", exact=False).first.wait_for(timeout=120_000)
            # wait until the script has finished (Streamlit's "running" indicator is gone)
            page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                                   timeout=120_000)
            page.wait_for_timeout(2500)
            page.screenshot(path=str(REPO / out))
            browser.close()
        print(f"wrote {out}")
        return 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
