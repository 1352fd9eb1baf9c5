"""``python -m mapapp optimize`` (alias ``optimise``) as a subprocess: GeoJSON written as the
export command writes it, summaries, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import shapely

from mapapp.core.geodesy import densify, distance
from mapapp.io.export import geojson_bytes
from mapapp.io.routeio import read_routes
from mapapp.routes.route import Route
from tests.conftest import REPO, write_grid


def cli(*argv):
    proc = subprocess.run([sys.executable, "-m", "mapapp", *map(str, argv)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def flat(tmp_path):
    """40 m of water, lon -171..-167, lat 64.5..66.5, 1′ pixels (synthetic)."""
    return write_grid(tmp_path / "flat.tif", np.full((120, 240), -40.0, dtype="float32"),
                      west=-171.0, north=66.5, res=1 / 60)


def zones_file(tmp_path, *boxes, name="zones.geojson"):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(b)}
        for b in boxes]}
    path = tmp_path / name
    path.write_text(json.dumps(fc))
    return path


def test_optimize_writes_rfc7946_geojson_that_reimports(tmp_path, flat):
    out = tmp_path / "opt.geojson"
    box = shapely.box(-169.2, 65.3, -168.8, 65.9)
    code, stdout, err = cli("optimize", "--start", "-170.5,65.5", "--end", "-167.5,65.5",
                            "--dataset", flat, "--land", "none", "--avoid",
                            zones_file(tmp_path, box), "--mode", "road", "--out", out)
    assert code == 0, err
    assert err == ""
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    (feat,) = fc["features"]
    assert feat["geometry"]["type"] == "LineString"
    props = feat["properties"]
    assert props["origin"] == "optimised" and props["mode"] == "road"
    assert props["name"] == "Optimised: 170.500°W 65.500°N → 167.500°W 65.500°N"
    coords = np.array(feat["geometry"]["coordinates"])
    assert coords[0].tolist() == [-170.5, 65.5] and coords[-1].tolist() == [-167.5, 65.5]
    assert (np.abs(coords[:, 0]) <= 180).all()
    # exactly the bytes `export` writes for the same route
    route = Route.from_dict({**props, "waypoints": coords.tolist()})
    assert out.read_bytes() == geojson_bytes([route])
    # it re-imports and keeps out of the zone
    (back,) = read_routes(out)
    assert np.allclose(back.lons, coords[:, 0]) and np.allclose(back.lats, coords[:, 1])
    d = densify(back.lons, back.lats, 20)
    assert not shapely.contains_xy(box, d.lons, d.lats).any()
    assert f"wrote {out}" in stdout
    assert "straight line" in stdout and "not allowed" in stdout


def test_optimise_alias_places_and_json(tmp_path):
    code, stdout, err = cli("optimise", "--start", "Cape Dezhnev", "--end",
                            "cape prince of wales", "--via", "Big Diomede", "--json")
    assert code == 0, err
    res = json.loads(stdout)
    names = [w[2] for w in res["route"]["waypoints"] if w[2]]
    assert names == ["Cape Dezhnev", "Big Diomede", "Cape Prince of Wales"]
    straight = float(distance(-169.6519, 66.0792, -168.12, 65.64)) / 1000
    assert straight <= res["cost"]["length_km"] <= 1.3 * straight
    assert res["straight"]["length_km"] == pytest.approx(straight, abs=1e-6)
    c = res["cost"]
    assert c["total"] == pytest.approx(c["sea"] + c["depth"] + c["land"])
    assert res["weights"] == {"sea_per_m": 1.0, "depth_per_m": 0.01, "land_per_m": 1.0}


def test_summary_and_preset_comparison(tmp_path):
    code, stdout, err = cli("optimize", "--start=-169.6519,66.0792", "--end", "-168.0847,65.5964",
                            "--corridor-km", "15", "--depth-weight", "0.02", "--compare")
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0].startswith("Optimised: 169.652°W 66.079°N → 168.085°W 65.596°N (rail)")
    assert any(line.startswith("Straight line") for line in lines)
    assert any("Dmitriev 2025" in line for line in lines)  # a preset row
    assert "cost in equivalent km" in stdout


@pytest.mark.parametrize("argv,msg", [
    (["--start", "Atlantis", "--end", "Cape Dezhnev"], "neither LON,LAT"),
    (["--start", "0,0", "--end", "Cape Dezhnev"], "outside the grid"),
    (["--start", "Cape Dezhnev", "--end", "Wales", "--corridor-km", "-2"], "corridor"),
    (["--start", "Cape Dezhnev", "--end", "Wales", "--depth-weight", "-1"], "cost weight"),
    (["--start", "Cape Dezhnev", "--end", "Wales", "--via", "Nome", "--corridor-km", "10"],
     "outside the corridor"),
    (["--start", "Cape Dezhnev"], "required"),
    (["--start", "Cape Dezhnev", "--end", "Wales", "--dataset", "/nonexistent.tif"],
     "not found"),
])
def test_bad_inputs_exit_2_with_one_line(argv, msg):
    code, stdout, err = cli("optimize", *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and msg in err
    assert "Traceback" not in err


def test_bad_avoid_files_exit_2(tmp_path, flat):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{ nope")
    base = ["optimize", "--start", "-170.5,65.5", "--end", "-167.5,65.5", "--dataset", flat,
            "--land", "none"]
    for path, msg in ((bad, "cannot read no-go zones"), (tmp_path / "missing.kml", "not found"),
                      (zones_file(tmp_path, shapely.box(-170.6, 65.4, -170.4, 65.6)),
                       "start (-170.5000, 65.5000) is inside a no-go zone")):
        code, _, err = cli(*base, "--avoid", path)
        assert code == 2 and err.count("\n") == 1 and msg in err, err
    # an unwritable output: nothing written, one line
    code, _, err = cli(*base, "--out", tmp_path / "no" / "such" / "dir.geojson")
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
