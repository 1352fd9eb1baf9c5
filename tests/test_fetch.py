"""Downloads against a local HTTP server on 127.0.0.1 (never the internet).

The server (a threaded ``http.server`` in a fixture) serves grids written by the tests and can
misbehave on purpose: 404, a body shorter than its Content-Length, a cut first response, no
Range support, an HTML page instead of a grid.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import shutil
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import rasterio
from scipy.io import netcdf_file

from mapapp.core.errors import FetchError, InputError
from mapapp.data import catalogue, datasets, fetch
from mapapp.data.bathymetry import Grid, read_provenance
from tests.conftest import REPO, write_grid


# ------------------------------------------------------------------------------ the server
class Route:
    """What the server answers for one path."""

    def __init__(self, body: bytes, *, ranges=True, truncate_at=None, cut_first=None,
                 content_type="application/octet-stream", etag='"v1"', status=200):
        self.body = body
        self.ranges = ranges
        self.truncate_at = truncate_at  # always stop after this many body bytes
        self.cut_first = cut_first  # the first response stops after this many bytes
        self.content_type = content_type
        self.etag = etag
        self.status = status
        self.served = 0


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with configurable routes and a request log."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[dict] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _route(self):
                parts = urllib.parse.urlsplit(self.path)
                state.log.append({"method": self.command, "path": parts.path,
                                  "query": urllib.parse.unquote(parts.query),
                                  "range": self.headers.get("Range"),
                                  "if_range": self.headers.get("If-Range")})
                return state.routes.get(parts.path)

            def do_HEAD(self):
                self._serve(head=True)

            def do_GET(self):
                self._serve(head=False)

            def _serve(self, head):
                route = self._route()
                if route is None or route.status == 404:
                    body = b'Error {\n    code=404;\n    message="Not Found: no such grid";\n}\n'
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                    return
                body, start, status = route.body, 0, 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and route.ranges and (if_range in (None, route.etag)):
                    first, _, last = rng.removeprefix("bytes=").partition("-")
                    start = int(first)
                    end = int(last) if last else len(body) - 1
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                    body = route.body[start:end + 1]
                self.send_response(status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", route.etag)
                if route.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{start + len(body) - 1}/{len(route.body)}")
                self.end_headers()
                if head:
                    return
                limit = len(body)
                if route.truncate_at is not None:
                    limit = min(limit, route.truncate_at)
                if route.cut_first is not None and route.served == 0:
                    limit = min(limit, route.cut_first)
                route.served += 1
                self.wfile.write(body[:limit])
                if limit < len(body):
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(1)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start_process(self):
        """Serve from a child process instead of a thread: needed when GDAL (``/vsicurl/``)
        is the client, because GDAL holds the GIL while it waits for the answer. Routes must
        be added before; the request log is shared through a manager."""
        ctx = multiprocessing.get_context("fork")
        self._manager = ctx.Manager()
        self.log = self._manager.list()
        self.proc = ctx.Process(target=self.httpd.serve_forever, daemon=True)
        self.proc.start()
        return self

    def stop(self):
        if getattr(self, "proc", None) is not None:
            self.proc.terminate()
            self.proc.join(5)
            self._manager.shutdown()
        else:
            self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, body: bytes, **kw) -> str:
        self.routes[path] = Route(body, **kw)
        return self.url + path

    def requests(self, path: str) -> list[dict]:
        return [r for r in self.log if r["path"] == path]


@pytest.fixture
def server():
    srv = LocalServer()
    srv.thread.start()
    yield srv
    srv.stop()


def make_geodata(tmp_path, monkeypatch) -> Path:
    """A writable copy of geodata (bathymetry + coastline) as MAPAPP_GEODATA; service URL
    overrides cleared. Returns the bathymetry folder."""
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata" / "bathymetry", root / "bathymetry")
    (root / "coastline").symlink_to(REPO / "geodata" / "coastline")
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    for var in ("MAPAPP_GMRT_URL", "MAPAPP_ETOPO_URL", "MAPAPP_ERDDAP_URL", "MAPAPP_ERDDAP_LON360"):
        monkeypatch.delenv(var, raising=False)
    return root / "bathymetry"


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    return make_geodata(tmp_path, monkeypatch)


# ------------------------------------------------------------------------------ test grids
def gmrt_like(tmp_path, west=-170.2, north=66.3, res=0.01, shape=(100, 240)) -> tuple[bytes, np.ndarray]:
    """A float32 GeoTIFF: z = -30 - 0.1*row + 0.01*col (exact, distinct values)."""
    rows, cols = np.indices(shape)
    z = (-30.0 - 0.1 * rows + 0.01 * cols).astype("float32")
    path = write_grid(tmp_path / "gmrt_src.tif", z, west=west, north=north, res=res)
    return path.read_bytes(), z


def erddap_like(lat, lon, z, var="z", positive=None) -> bytes:
    """A CF NetCDF as ERDDAP returns it: latitude ascending, no grid mapping."""
    buf = io.BytesIO()
    f = netcdf_file(buf, "w")
    f.createDimension("latitude", lat.size)
    f.createDimension("longitude", lon.size)
    v = f.createVariable("latitude", "f8", ("latitude",))
    v[:] = lat
    v.units = "degrees_north"
    v = f.createVariable("longitude", "f8", ("longitude",))
    v[:] = lon
    v.units = "degrees_east"
    v = f.createVariable(var, "f4", ("latitude", "longitude"))
    v[:] = z
    v.units = "meters"
    if positive:
        v.positive = positive
    f.flush()
    data = buf.getvalue()
    f.close()
    return data


def listed(folder: Path) -> set[str]:
    return {e.name for e in datasets.list_datasets(folder)}


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


# ------------------------------------------------------------------------------ planning
def test_plan_builds_the_documented_requests(monkeypatch):
    monkeypatch.delenv("MAPAPP_ERDDAP_LON360", raising=False)
    for var in ("MAPAPP_GMRT_URL", "MAPAPP_ETOPO_URL", "MAPAPP_ERDDAP_URL"):
        monkeypatch.delenv(var, raising=False)
    g = catalogue.plan_fetch("gmrt", "-170.2,65.3,-167.8,66.3", "max")
    assert g.urls == ["https://www.gmrt.org/services/GridServer?west=-170.2&east=-167.8"
                      "&south=65.3&north=66.3&layer=topo&format=geotiff&resolution=max"]
    e = catalogue.plan_fetch("etopo2022", None, "15s")
    assert e.bbox == catalogue.AOI and e.crop
    assert e.urls == [f"https://www.ngdc.noaa.gov/mgg/global/relief/ETOPO2022/data/15s/"
                      f"15s_surface_elev_gtif/ETOPO_2022_v1_15s_{t}_surface.tif"
                      for t in ("N75W180", "N75W165")]
    e60 = catalogue.plan_fetch("etopo2022", None, "60s")
    assert e60.urls[0].endswith("60s/60s_surface_elev_gtif/ETOPO_2022_v1_60s_N90W180_surface.tif")
    r = catalogue.plan_fetch("etopo2022-erddap", "-174,63.5,-164.5,66.5", "15s")
    assert urllib.parse.unquote(r.urls[0]) == ("https://coastwatch.pfeg.noaa.gov/erddap/griddap/"
                                               "ETOPO_2022_v1_15s.nc?z[(63.5):(66.5)][(-174):(-164.5)]")
    monkeypatch.setenv("MAPAPP_ERDDAP_LON360", "1")
    r = catalogue.plan_fetch("etopo2022-erddap", "-174,63.5,-164.5,66.5", "30s")
    assert urllib.parse.unquote(r.urls[0]).endswith("ETOPO_2022_v1_30s.nc?z[(63.5):(66.5)][(186):(195.5)]")
    monkeypatch.setenv("MAPAPP_GMRT_URL", "http://127.0.0.1:9/gs/")
    assert catalogue.plan_fetch("gmrt").urls[0].startswith("http://127.0.0.1:9/gs?west=-174&")


def test_etopo_tiles_by_north_west_corner():
    assert catalogue.etopo_tiles((-170.2, 65.3, -167.8, 66.3)) == ["N75W180"]
    assert catalogue.etopo_tiles((-174.0, 63.5, -164.5, 66.5)) == ["N75W180", "N75W165"]
    assert catalogue.etopo_tiles((-170, 58, -160, 62)) == ["N75W180", "N75W165", "N60W180", "N60W165"]
    assert catalogue.etopo_tiles((10, -20, 20, -16)) == ["S15E000", "S15E015"]
    assert catalogue.etopo_tiles((-165, 60, -150, 75)) == ["N75W165"]


@pytest.mark.parametrize("bbox, words", [
    ("170,60,-170,65", ["crosses the 180", "split it into --bbox=170,60,180,65 and --bbox=-180,60,-170,65"]),
    ("-168,65,-170,66", ["crosses the 180"]),
    ("-170,66,-168,65", ["empty"]),
    ("-170,65,-170,66", ["empty"]),
    ("-190,65,-170,66", ["within -180…180"]),
    ("-170,65,-168,95", ["within -90…90"]),
    ("-170,65,-168", ["four numbers"]),
    ("a,b,c,d", ["four numbers"]),
])
def test_bad_boxes_are_refused_with_a_fix(bbox, words):
    with pytest.raises(InputError) as exc:
        catalogue.parse_bbox(bbox)
    for w in words:
        assert w in str(exc.value)


def test_manual_and_unknown_sources_explain_what_to_do():
    with pytest.raises(InputError, match=r"download\.gebco\.net.*data import"):
        catalogue.plan_fetch("gebco")
    with pytest.raises(InputError, match=r"EPSG:3996|polar stereographic"):
        catalogue.plan_fetch("ibcao")
    with pytest.raises(InputError, match="already included"):
        catalogue.plan_fetch("etopo5")
    with pytest.raises(InputError, match="unknown source 'nope'; choose one of etopo5, gmrt"):
        catalogue.plan_fetch("nope")
    with pytest.raises(InputError, match="choose one of high, low, med, max"):
        catalogue.plan_fetch("gmrt", resolution="ultra")
    with pytest.raises(InputError, match="no folders"):
        catalogue.plan_fetch("gmrt", name="../evil")


def test_catalogue_entries_are_complete(geodata):
    cat = catalogue.catalogue()
    ids = [s["id"] for s in cat["sources"]]
    assert ids == ["etopo5", "gmrt", "etopo2022", "etopo2022-erddap", "gebco", "ibcao"]
    for s in cat["sources"]:
        for key in ("name", "resolution", "licence", "citation", "how", "crs"):
            assert s[key], (s["id"], key)
    assert cat["local"][0]["file"] == "etopo5_bering_5arcmin.tif"
    assert cat["local"][0]["size_px"] == [181, 61]


# ------------------------------------------------------------------------------ success
def test_gmrt_fetch_writes_a_cog_with_provenance(server, geodata, tmp_path, monkeypatch):
    body, z = gmrt_like(tmp_path)
    server.add("/services/GridServer", body, content_type="image/tiff")
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/services/GridServer")
    seen = []
    res = fetch.fetch("gmrt", "-170.2,65.3,-167.8,66.3", "max", backoff_s=0,
                      progress=lambda label, done, total: seen.append((done, total)))
    assert res.path == geodata / "gmrt_max_170.20W_65.30N_167.80W_66.30N.tif"
    q = urllib.parse.parse_qs(server.requests("/services/GridServer")[0]["query"])
    assert q == {"west": ["-170.2"], "east": ["-167.8"], "south": ["65.3"], "north": ["66.3"],
                 "layer": ["topo"], "format": ["geotiff"], "resolution": ["max"]}
    assert seen[-1] == (len(body), len(body))
    with rasterio.open(res.path) as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert ds.tags(ns="IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE"
        assert ds.block_shapes[0] == (512, 512)
        np.testing.assert_array_equal(ds.read(1), z)
        assert ds.bounds == pytest.approx((-170.2, 65.3, -167.8, 66.3))
    prov = read_provenance(res.path)
    assert prov["url"] == res.plan.urls[0] and prov["url"].startswith(server.url)
    assert prov["request_bbox"] == [-170.2, 65.3, -167.8, 66.3]
    assert prov["licence"] == "CC BY 4.0" and "Q03014" in prov["citation"]
    assert prov["positive_down"] is False and prov["retrieved"][:2] == "20"
    assert prov["download_sha256"] == [hashlib.sha256(body).hexdigest()]
    assert partials(geodata) == []
    assert res.path.name in listed(geodata)
    g = Grid(res.path)
    # pixel (row 10, col 20) centre
    assert g.sample([-170.2 + 20.5 * 0.01], [66.3 - 10.5 * 0.01])[0] == pytest.approx(-30.8, abs=1e-4)


def test_erddap_netcdf_subset_is_converted_north_up(server, geodata, monkeypatch):
    lat = 65.3 + (np.arange(20) + 0.5) * 0.05  # ascending, as ERDDAP returns it
    lon = -170.2 + (np.arange(48) + 0.5) * 0.05
    z = (-20.0 - 100 * (lat[:, None] - 65.3) + 0 * lon[None, :]).astype("float32")
    server.add("/erddap/griddap/ETOPO_2022_v1_15s.nc", erddap_like(lat, lon, z))
    monkeypatch.setenv("MAPAPP_ERDDAP_URL", server.url + "/erddap")
    res = fetch.fetch("etopo2022-erddap", "-170.2,65.3,-167.8,66.3", "15s", name="erd",
                      backoff_s=0)
    assert server.requests("/erddap/griddap/ETOPO_2022_v1_15s.nc")[0]["query"] == \
        "z[(65.3):(66.3)][(-170.2):(-167.8)]"
    with rasterio.open(res.path) as ds:
        arr = ds.read(1)
        assert ds.crs.to_epsg() == 4326
        np.testing.assert_allclose(arr, z[::-1], atol=1e-5)  # first row = northernmost
    g = Grid(res.path)
    assert g.sample([lon[3]], [lat[7]])[0] == pytest.approx(float(z[7, 3]), abs=1e-4)
    assert read_provenance(res.path)["crs_basis"].startswith("CF latitude/longitude")
    assert partials(geodata) == []


def test_etopo_tiles_are_mosaicked_and_cut(server, geodata, tmp_path, monkeypatch):
    # two 15° tiles at 0.25° (60 × 60 px); values encode the tile and pixel
    base = "/data/15s/15s_surface_elev_gtif/"
    for k, west in enumerate((-180.0, -165.0)):
        rows, cols = np.indices((60, 60))
        z = (-1000.0 * (k + 1) - rows - 0.01 * cols).astype("float32")
        p = write_grid(tmp_path / f"t{k}.tif", z, west=west, north=75.0, res=0.25, nodata=-99999.0)
        name = "N75W180" if k == 0 else "N75W165"
        server.add(f"{base}ETOPO_2022_v1_15s_{name}_surface.tif", p.read_bytes())
    monkeypatch.setenv("MAPAPP_ETOPO_URL", server.url + "/data")
    res = fetch.fetch("etopo2022", "-166.1,65.3,-163.9,66.3", "15s", name="tiles", backoff_s=0)
    with rasterio.open(res.path) as ds:
        # snapped outward to whole 0.25° pixels: -166.25 … -163.75, 65.25 … 66.5
        assert ds.bounds == pytest.approx((-166.25, 65.25, -163.75, 66.5))
        assert (ds.width, ds.height) == (10, 5)
        arr = ds.read(1)
    # column 0 is tile 0's col 55 (-166.25), column 5 is tile 1's col 1; row 0 = tile row 34
    assert arr[0, 0] == pytest.approx(-1000 - 34 - 0.55)
    assert arr[0, 4] == pytest.approx(-1000 - 34 - 0.59)
    assert arr[0, 5] == pytest.approx(-2034.0)  # tile 1, col 0
    assert arr[4, 9] == pytest.approx(-2000 - 38 - 0.04)
    assert partials(geodata) == []


# ------------------------------------------------------------------------------ failures
def test_404_is_reported_plainly_and_leaves_nothing(server, geodata, monkeypatch):
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/missing")
    before = sorted(p.name for p in geodata.iterdir())
    with pytest.raises(FetchError) as exc:
        fetch.fetch("gmrt", "-170,65,-168,66", backoff_s=0)
    msg = str(exc.value)
    assert msg.startswith("the server has no such grid: http://127.0.0.1")
    assert "HTTP 404" in msg and "no such grid" in msg
    assert sorted(p.name for p in geodata.iterdir()) == before


def test_truncated_body_is_incomplete_and_never_listed(server, geodata, tmp_path, monkeypatch):
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body, truncate_at=1000, ranges=False)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    with pytest.raises(FetchError) as exc:
        fetch.fetch("gmrt", "-170,65,-168,66", name="trunc", retries=2, backoff_s=0)
    assert str(exc.value).startswith(
        f"download incomplete (got 1000 of {len(body)} bytes) from {server.url}/gs?")
    assert str(exc.value).endswith("run the command again to resume")
    assert len(server.requests("/gs")) == 3  # 1 + 2 retries
    assert not (geodata / "trunc.tif").exists()
    left = partials(geodata)
    assert len(left) == 2 and all(n.startswith("trunc.") for n in left)  # file + resume notes
    assert listed(geodata) == {"etopo5_bering_5arcmin.tif"}


def test_bad_hash_discards_the_file(server, geodata, tmp_path, monkeypatch):
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    wrong = "0" * 64
    with pytest.raises(FetchError) as exc:
        fetch.fetch("gmrt", "-170,65,-168,66", name="h", sha256=wrong, backoff_s=0)
    msg = str(exc.value)
    assert msg.startswith("checksum mismatch for http://127.0.0.1")
    assert f"expected sha256 {wrong}, got {hashlib.sha256(body).hexdigest()}" in msg
    assert "the file was discarded" in msg
    assert partials(geodata) == [] and not (geodata / "h.tif").exists()
    # the right hash passes
    res = fetch.fetch("gmrt", "-170,65,-168,66", name="h", sha256=hashlib.sha256(body).hexdigest(),
                      backoff_s=0)
    assert res.path.exists()


def test_interrupted_then_resumed_with_range(server, geodata, tmp_path, monkeypatch):
    body, z = gmrt_like(tmp_path)
    cut = len(body) // 3
    server.add("/gs", body, cut_first=cut)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    with pytest.raises(FetchError, match=rf"got {cut} of {len(body)} bytes.*to resume"):
        fetch.fetch("gmrt", "-170,65,-168,66", name="res", retries=0, backoff_s=0)
    assert listed(geodata) == {"etopo5_bering_5arcmin.tif"}
    res = fetch.fetch("gmrt", "-170,65,-168,66", name="res", backoff_s=0)
    reqs = server.requests("/gs")
    assert [r["range"] for r in reqs] == [None, f"bytes={cut}-"]
    assert reqs[1]["if_range"] == '"v1"'
    assert res.downloads[0].resumed and res.downloads[0].size == len(body)
    with rasterio.open(res.path) as ds:
        np.testing.assert_array_equal(ds.read(1), z)
    assert partials(geodata) == []


def test_cut_response_is_retried_within_one_run(server, geodata, tmp_path, monkeypatch):
    body, z = gmrt_like(tmp_path)
    server.add("/gs", body, cut_first=5000)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    res = fetch.fetch("gmrt", "-170,65,-168,66", name="auto", retries=1, backoff_s=0)
    assert [r["range"] for r in server.requests("/gs")] == [None, "bytes=5000-"]
    assert res.downloads[0].attempts == 2
    with rasterio.open(res.path) as ds:
        np.testing.assert_array_equal(ds.read(1), z)


def test_server_without_range_restarts_from_zero(server, geodata, tmp_path, monkeypatch):
    body, z = gmrt_like(tmp_path)
    server.add("/gs", body, cut_first=5000, ranges=False)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    res = fetch.fetch("gmrt", "-170,65,-168,66", name="norange", retries=1, backoff_s=0)
    assert [r["range"] for r in server.requests("/gs")] == [None, "bytes=5000-"]
    assert res.downloads[0].size == len(body)  # the 200 answer replaced the partial file
    with rasterio.open(res.path) as ds:
        np.testing.assert_array_equal(ds.read(1), z)


def test_changed_file_is_not_spliced(server, geodata, tmp_path, monkeypatch):
    """If-Range: when the file changed (new ETag) the server sends it whole."""
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body, cut_first=4000)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    with pytest.raises(FetchError):
        fetch.fetch("gmrt", "-170,65,-168,66", name="chg", retries=0, backoff_s=0)
    body2, z2 = gmrt_like(tmp_path, res=0.02, shape=(50, 120))
    server.routes["/gs"] = Route(body2, etag='"v2"')
    res = fetch.fetch("gmrt", "-170,65,-168,66", name="chg", backoff_s=0)
    with rasterio.open(res.path) as ds:
        np.testing.assert_array_equal(ds.read(1), z2)


def test_html_instead_of_a_grid_is_discarded(server, geodata, monkeypatch):
    server.add("/gs", b"<html><body>Service temporarily unavailable</body></html>",
               content_type="text/html")
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    with pytest.raises(FetchError, match=r"did not return a usable grid \(text/html\).*discarded"):
        fetch.fetch("gmrt", "-170,65,-168,66", name="html", backoff_s=0)
    assert partials(geodata) == [] and not (geodata / "html.tif").exists()


def test_unreachable_server(geodata, monkeypatch):
    monkeypatch.setenv("MAPAPP_GMRT_URL", "http://127.0.0.1:9/gs")  # discard port: refused
    with pytest.raises(FetchError, match=r"download failed after 2 attempts .*cannot reach"):
        fetch.fetch("gmrt", "-170,65,-168,66", name="x", retries=1, backoff_s=0)


def test_existing_name_needs_force(server, geodata, tmp_path, monkeypatch):
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    fetch.fetch("gmrt", "-170,65,-168,66", name="twice", backoff_s=0)
    with pytest.raises(InputError, match="already exists.*--force"):
        fetch.fetch("gmrt", "-170,65,-168,66", name="twice", backoff_s=0)
    assert len(server.requests("/gs")) == 1  # refused before downloading
    fetch.fetch("gmrt", "-170,65,-168,66", name="twice", force=True, backoff_s=0)
    assert len(server.requests("/gs")) == 2
    (geodata / "other.nc").write_bytes(b"x")  # would share other.provenance.json
    with pytest.raises(InputError, match="other.nc already exists .*choose another name"):
        fetch.fetch("gmrt", "-170,65,-168,66", name="other", backoff_s=0)
    assert len(server.requests("/gs")) == 2
