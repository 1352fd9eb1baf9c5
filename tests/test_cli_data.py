"""``python -m mapapp data list | fetch | import | remote``: parsed outputs, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
import rasterio

from mapapp.cli import main
from mapapp.cli.data_cmd import ProgressBar
from mapapp.data.bathymetry import Grid, read_provenance
from tests.conftest import REPO, write_grid
from tests.test_fetch import LocalServer, gmrt_like, make_geodata, partials
from tests.test_gridio import write_nc


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    return make_geodata(tmp_path, monkeypatch)


@pytest.fixture
def server():
    srv = LocalServer()
    srv.thread.start()
    yield srv
    srv.stop()


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_every_source_and_the_local_grids(geodata, tmp_path, capsys):
    write_grid(geodata / "fine.tif", np.full((40, 80), -30, "int16"), res=0.025,
               provenance={"source": "multibeam test"})
    code, out, err = run(capsys, "data", "list", "--json")
    assert code == 0 and err == ""
    cat = json.loads(out)
    by_id = {s["id"]: s for s in cat["sources"]}
    assert list(by_id) == ["etopo5", "gmrt", "etopo2022", "etopo2022-erddap", "gebco", "ibcao"]
    assert by_id["gmrt"]["resolutions"] == ["high", "low", "med", "max"]
    assert by_id["etopo2022"]["resolutions"] == ["15s", "30s", "60s"]
    assert by_id["ibcao"]["crs"].startswith("EPSG:3996")
    assert by_id["gebco"]["method"] == "manual" and "download.gebco.net" in by_id["gebco"]["how"]
    assert by_id["etopo2022-erddap"]["licence"].startswith("Public domain")
    local = {g["file"]: g for g in cat["local"]}
    assert set(local) == {"etopo5_bering_5arcmin.tif", "fine.tif"}
    assert local["fine.tif"]["bounds_deg"] == [-170.0, 65.0, -168.0, 66.0]
    assert local["fine.tif"]["source"] == "multibeam test"
    assert local["etopo5_bering_5arcmin.tif"]["resolution"].startswith("5′ × 5′")


def test_list_text_shows_commands(geodata, capsys, monkeypatch):
    monkeypatch.setenv("MAPAPP_GMRT_URL", "http://127.0.0.1:1/gs")
    code, out, _ = run(capsys, "data", "list")
    assert code == 0
    assert "python -m mapapp data fetch gmrt --bbox=-174,63.5,-164.5,66.5 --resolution " \
           "high|low|med|max" in out
    assert "GET http://127.0.0.1:1/gs?west=W" in out  # the override is what is shown
    assert "etopo5_bering_5arcmin.tif: 5′ × 5′" in out
    assert "data import IBCAO_v5_" in out


def test_fetch_prints_the_file_and_a_progress_bar(geodata, server, tmp_path, capsys, monkeypatch):
    body, z = gmrt_like(tmp_path)
    server.add("/gs", body)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    code, out, err = run(capsys, "data", "fetch", "gmrt", "--bbox=-170.2,65.3,-167.8,66.3",
                         "--resolution", "med", "--name", "strait_gmrt")
    assert code == 0, err
    assert out.splitlines()[0] == (f"{geodata / 'strait_gmrt.tif'} (240×100 px, 36″ × 36″ "
                                   "(≈458 m E-W × 1.1 km N-S at 65.8°N))")
    assert f"{len(body) / 1e6:.1f}/{len(body) / 1e6:.1f} MB" in err and "100%" in err
    q = urllib.parse.parse_qs(server.requests("/gs")[0]["query"])
    assert q["resolution"] == ["med"] and q["west"] == ["-170.2"]
    with rasterio.open(geodata / "strait_gmrt.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), z)


def test_fetch_json_and_dry_run(geodata, server, tmp_path, capsys, monkeypatch):
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    code, out, _ = run(capsys, "data", "fetch", "gmrt", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["bbox"] == [-174.0, 63.5, -164.5, 66.5] and server.log == []
    assert plan["urls"] == [f"{server.url}/gs?west=-174&east=-164.5&south=63.5&north=66.5"
                            "&layer=topo&format=geotiff&resolution=high"]
    code, out, _ = run(capsys, "data", "fetch", "gmrt", "--json", "--name", "j")
    res = json.loads(out)
    assert code == 0 and res["downloaded_bytes"] == len(body)
    assert res["path"] == str(geodata / "j.tif")
    assert read_provenance(geodata / "j.tif")["request_bbox"] == [-174.0, 63.5, -164.5, 66.5]


@pytest.mark.parametrize("argv, message", [
    (["gmrt", "--bbox=170,60,-170,65"], "crosses the 180° meridian"),
    (["gmrt", "--bbox=-170,66,-168,65"], "is empty"),
    (["gebco"], "download.gebco.net"),
    (["ibcao"], "EPSG:3996"),
    (["nope"], "unknown source 'nope'"),
    (["gmrt", "--resolution", "15s"], "resolution '15s' is not offered by gmrt"),
    (["gmrt", "--retries", "-1"], "--retries must be 0 or more"),
])
def test_fetch_input_errors_are_one_line(geodata, capsys, argv, message):
    code, out, err = run(capsys, "data", "fetch", *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_fetch_404_and_truncation_are_one_line(geodata, server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/none")
    code, _, err = run(capsys, "data", "fetch", "gmrt", "--retries", "0")
    assert code == 2 and err.startswith("error: the server has no such grid: ")
    body, _ = gmrt_like(tmp_path)
    server.add("/gs", body, truncate_at=777, ranges=False)
    monkeypatch.setenv("MAPAPP_GMRT_URL", server.url + "/gs")
    code, _, err = run(capsys, "data", "fetch", "gmrt", "--retries", "0", "--name", "t")
    last = err.strip().splitlines()[-1]
    assert code == 2
    assert last.startswith(f"error: download incomplete (got 777 of {len(body)} bytes)")
    assert last.endswith("run the command again to resume")
    assert len(partials(geodata)) == 2 and not (geodata / "t.tif").exists()


def test_import_formats_and_sign_flags(geodata, tmp_path, capsys):
    depths = np.full((20, 40), 40.0, "float32")
    depths[:, 20:] = 20.0
    tif = write_grid(tmp_path / "depths.tif", depths, west=-170, north=66, res=0.05)
    code, out, err = run(capsys, "data", "import", tif, "--positive-down", "--name", "d",
                         "--licence", "CC0", "--source", "test survey")
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"{geodata / 'd.tif'} (40×20 px, 3′ × 3′")
    assert "input depths positive down (flipped) — stated by the user" in out
    g = Grid(geodata / "d.tif")
    assert g.sample([-169.5, -168.5], [65.5, 65.5]).tolist() == [-40.0, -20.0]
    assert g.info.licence == "CC0" and g.info.source == "test survey"
    # --positive-up on the same values: kept as they are, with a warning on stderr
    code, out, err = run(capsys, "data", "import", tif, "--positive-up", "--name", "u")
    assert code == 0 and "warning: depths.tif: the sign was forced" in err
    assert Grid(geodata / "u.tif").sample([-169.5], [65.5]).tolist() == [40.0]
    lat = 65 + (np.arange(20) + 0.5) * 0.05
    lon = -170 + (np.arange(40) + 0.5) * 0.05
    nc = write_nc(tmp_path / "e.nc", "elevation", np.full((20, 40), -33.0, "f4"), lat=lat, lon=lon)
    code, out, _ = run(capsys, "data", "import", nc, "--json")
    res = json.loads(out)
    assert code == 0 and res["grid"]["crs"] == "EPSG:4326"
    assert res["crs_basis"].startswith("CF latitude/longitude")
    assert Grid(res["path"]).sample([-169.0], [65.5]).tolist() == [-33.0]


def test_import_errors_are_one_line(geodata, tmp_path, capsys):
    asc = tmp_path / "a.asc"
    asc.write_text("ncols 2\nnrows 2\nxllcorner -170\nyllcorner 65\ncellsize 0.1\n"
                   "NODATA_value -9999\n-1 -2\n-3 -4\n")
    code, out, err = run(capsys, "data", "import", asc)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("error: a.asc has no coordinate reference system; give it with --crs")
    code, out, err = run(capsys, "data", "import", asc, "--crs", "EPSG:4326", "--positive-up")
    assert code == 0
    code, _, err = run(capsys, "data", "import", asc, "--crs", "EPSG:999999")
    assert code == 2 and "--crs 'EPSG:999999' is not a CRS" in err
    code, _, err = run(capsys, "data", "import", asc, "--positive-up", "--positive-down")
    assert code == 2 and "not allowed with argument" in err
    code, _, err = run(capsys, "data", "import", tmp_path / "missing.nc")
    assert code == 2 and err.startswith("error: grid file not found")


def test_remote_refuses_hosts_outside_the_allowlist(geodata, capsys, monkeypatch):
    monkeypatch.delenv("MAPAPP_REMOTE_HOSTS", raising=False)
    code, _, err = run(capsys, "data", "remote", "https://example.com/x.tif")
    assert code == 2 and "host example.com is not in the allowlist" in err
    code, _, err = run(capsys, "data", "remote", "file:///etc/passwd")
    assert code == 2 and "only http:// and https://" in err


def test_progress_bar_formats():
    import io

    buf = io.StringIO()
    bar = ProgressBar(buf, width=10)
    for done in (0, 500_000, 1_000_000):
        bar("gmrt 1/1", done, 1_000_000)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "gmrt 1/1 [..........]   0% 0.0/1.0 MB"
    assert lines[-1] == "gmrt 1/1 [##########] 100% 1.0/1.0 MB"
    buf = io.StringIO()
    ProgressBar(buf)("erddap 1/1", 2_500_000, None)
    assert buf.getvalue() == "erddap 1/1 2.5 MB (size not announced)\n"

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = ProgressBar(tty, width=4)
    bar("a", 1_000_000, None)
    bar.close()
    bar("b", 0, 2_000_000)
    bar("b", 2_000_000, 2_000_000)
    bar.close()  # nothing left open: no extra newline
    assert tty.getvalue() == ("\ra 1.0 MB (size not announced)\n"
                              "\rb [....]   0% 0.0/2.0 MB\rb [####] 100% 2.0/2.0 MB\n")


def test_subprocess_has_no_traceback(tmp_path):
    env = {**os.environ, "MAPAPP_GEODATA": str(tmp_path / "none")}
    proc = subprocess.run([sys.executable, "-m", "mapapp", "data", "fetch", "gmrt",
                           "--bbox", "1,2,3"], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: bounding box '1,2,3' must be four numbers")
    assert "Traceback" not in proc.stderr
