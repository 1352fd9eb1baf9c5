"""deploy/nginx/mapapp.conf in front of two real replicas, on loopback (issue 18).

Debian's nginx (scripts/test.sh installs it when missing and run as root) runs the shipped
configuration with only the ports changed; two ``streamlit run mapapp/app.py`` replicas
stand behind it. Checked: the sticky cookie keeps a browser on one replica and different
browsers spread over both; responses are gzip-compressed and decompress to exactly what the
replica sent; the WebSocket upgrade passes through with permessage-deflate; health checks
answer through the proxy.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mapapp.ui import cache

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "deploy" / "nginx" / "mapapp.conf"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else "")
    if not path:
        pytest.fail("nginx is missing: install Debian's nginx (scripts/test.sh does when run as "
                    "root)", pytrace=False)
    return path


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout=90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"{url} did not come up; log:\n{log.read_text(errors='replace')[-3000:]}",
                pytrace=False)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(5)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """(proxy port, [replica ports]) with nginx and two replicas running."""
    tmp = tmp_path_factory.mktemp("proxy")
    nginx = nginx_binary()
    procs = []
    replicas = [free_port(), free_port()]
    try:
        for port in replicas:
            log = tmp / f"replica-{port}.log"
            env = {**os.environ, "PYTHONPATH": str(REPO),
                   "MAPAPP_SESSION_GRIDS": str(tmp / f"grids-{port}")}
            with open(log, "wb") as out:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", str(REPO / "mapapp" / "app.py"),
                     "--server.headless", "true", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                     "--server.fileWatcherType", "none"],
                    cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True))
            wait_http(f"http://127.0.0.1:{port}/_stcore/health", procs[-1], log)
        listen = free_port()
        text = CONF.read_text()
        text = text.replace("server 127.0.0.1:8501", f"server 127.0.0.1:{replicas[0]}")
        text = text.replace("server 127.0.0.1:8502", f"server 127.0.0.1:{replicas[1]}")
        text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
        assert text.count(str(listen)) == 1 and all(str(p) in text for p in replicas)
        (tmp / "mapapp.conf").write_text(text)
        for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (tmp / d).mkdir()
        (tmp / "nginx.conf").write_text(f"""
            daemon off;
            worker_processes 1;
            pid {tmp}/nginx.pid;
            error_log {tmp}/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                types {{ text/html html; application/javascript js; text/css css; }}
                access_log {tmp}/access.log;
                client_body_temp_path {tmp}/body;
                proxy_temp_path {tmp}/proxy;
                fastcgi_temp_path {tmp}/fastcgi;
                uwsgi_temp_path {tmp}/uwsgi;
                scgi_temp_path {tmp}/scgi;
                include {tmp}/mapapp.conf;
            }}
        """)
        if os.geteuid() == 0:  # workers as root only in this throw-away test (temp dirs)
            conf = (tmp / "nginx.conf").read_text().replace("daemon off;", "daemon off;\nuser root;")
            (tmp / "nginx.conf").write_text(conf)
        log = tmp / "nginx.out"
        with open(log, "wb") as out:
            procs.append(subprocess.Popen(
                [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True))
        time.sleep(0.3)
        if procs[-1].poll() is not None:
            pytest.fail(f"nginx did not start: {log.read_text()} "
                        f"{(tmp / 'error.log').read_text() if (tmp / 'error.log').exists() else ''}",
                        pytrace=False)
        wait_http(f"http://127.0.0.1:{listen}/_stcore/health", procs[-1], tmp / "error.log")
        yield listen, replicas
    finally:
        for proc in reversed(procs):
            stop(proc)


def get(port: int, path: str = "/", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def replica_of(resp) -> int:
    return int(resp.getheader("X-Mapapp-Replica").rsplit(":", 1)[1])


def test_the_sticky_cookie_keeps_a_browser_on_one_replica(proxy):
    port, replicas = proxy
    resp, _ = get(port)
    assert resp.status == 200
    cookie = re.match(r"mapapp_replica=([^;]+);", resp.getheader("Set-Cookie")).group(1)
    first = replica_of(resp)
    assert first in replicas
    for _ in range(10):
        again, _ = get(port, "/_stcore/health", {"Cookie": f"mapapp_replica={cookie}"})
        assert replica_of(again) == first
        assert f"mapapp_replica={cookie};" in again.getheader("Set-Cookie")
    # forty browsers (forty cookies) use both replicas
    seen = {replica_of(get(port, "/_stcore/health", {"Cookie": f"mapapp_replica=b{i}"})[0])
            for i in range(40)}
    assert seen == set(replicas)


def test_responses_are_gzipped_and_decompress_to_the_original(proxy):
    port, replicas = proxy
    resp, html = get(port, "/", {"Cookie": "mapapp_replica=x"})
    script = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', html).group(1).decode()
    zipped, body = get(port, "/" + script, {"Accept-Encoding": "gzip", "Cookie": "mapapp_replica=x"})
    assert zipped.status == 200 and zipped.getheader("Content-Encoding") == "gzip"
    _, direct = get(replicas[0], "/" + script)  # straight from a replica, uncompressed
    assert gzip.decompress(body) == direct
    assert len(body) < 0.5 * len(direct)  # JavaScript compresses well
    plain, raw = get(port, "/" + script, {"Cookie": "mapapp_replica=x"})
    assert plain.getheader("Content-Encoding") is None and raw == direct


def test_map_layer_files_are_gzipped_and_cached_for_a_year(proxy):
    """A content-hashed layer file (mapapp/ui/cache.publish) through the proxy: gzip, and a
    Cache-Control that lets browsers keep it (its name changes when its content does)."""
    port, replicas = proxy
    data = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"tooltip": f"depth {i} m"},
         "geometry": {"type": "Point", "coordinates": [-169 + i / 100, 65.5]}}
        for i in range(200)]}).encode()
    url = cache.publish(data, "json", "proxytest")
    assert url is not None, "mapapp/static/gen is not writable"
    path = "/app/static/gen/" + url.rsplit("/", 1)[1]
    try:
        resp, body = get(port, path, {"Accept-Encoding": "gzip", "Cookie": "mapapp_replica=g"})
        assert resp.status == 200 and resp.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(body) == data
        assert len(body) < 0.3 * len(data)
        assert resp.getheader("Cache-Control") == "public, max-age=31536000, immutable"
        assert resp.getheader("Set-Cookie").startswith("mapapp_replica=g;")
    finally:
        (cache.GEN_DIR / url.rsplit("/", 1)[1]).unlink(missing_ok=True)


def test_the_websocket_upgrades_through_the_proxy_with_compression(proxy):
    port, _ = proxy
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall((
            "GET /_stcore/stream HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: streamlit\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            f"Origin: http://127.0.0.1:{port}\r\nCookie: mapapp_replica=ws\r\n\r\n"
        ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    status, *lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
    assert status.startswith("HTTP/1.1 101"), head
    assert "permessage-deflate" in headers.get("sec-websocket-extensions", "")
