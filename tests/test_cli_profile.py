"""``python -m mapapp profile`` and ``tunnel``: outputs parsed, errors as one line + exit 2."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from mapapp.cli import main
from mapapp.cli._common import resolve_routes
from mapapp.core.errors import InputError
from mapapp.core.geodesy import geodesic_length
from tests.conftest import REPO, plane

A = [(-169.8, 65.5), (-168.2, 65.5)]  # inside the synthetic grids (lon -170..-168)
B = [(-169.7, 65.2), (-169.0, 65.8), (-168.3, 65.4)]


def route_file(tmp_path, *lines, name="routes.geojson"):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"R{i}"},
         "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]}}
        for i, coords in enumerate(lines)]}
    path = tmp_path / name
    path.write_text(json.dumps(fc))
    return str(path)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def step_grid(grid_factory):
    """+10 m west of -169.5 and east of -168.5 (land by sign), -40 m between (20 × 10 px)."""
    lon = -170 + (np.arange(20) + 0.5) * 0.1
    row = np.where((lon < -169.5) | (lon > -168.5), 10.0, -40.0)
    return grid_factory(np.tile(row, (10, 1)).astype("float32"))


# ------------------------------------------------------------------------------ profile
def test_profile_csv_on_an_analytic_plane(tmp_path, capsys, grid_factory):
    grid = grid_factory(plane(3.0, -5.0, 784.5))  # -57 … -44 m: all sea by sign
    out = tmp_path / "p.csv"
    code, stdout, err = run(capsys, "profile", route_file(tmp_path, B), "--dataset", grid,
                            "--step-m", 500, "--land-source", "grid", "--csv", out)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0])[:6] == ["chainage_m", "lon", "lat", "elevation_m", "surface", "leg"]
    lon = np.array([float(r["lon"]) for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])
    elev = np.array([float(r["elevation_m"]) for r in rows])
    np.testing.assert_allclose(elev, 3 * lon - 5 * lat + 784.5, atol=1e-5)
    chain = np.array([float(r["chainage_m"]) for r in rows])
    assert chain[-1] == pytest.approx(geodesic_length([c[0] for c in B], [c[1] for c in B]), abs=1e-3)
    assert np.diff(chain).max() <= 500 + 1e-6
    assert {r["surface"] for r in rows} == {"sea"} and {r["leg"] for r in rows} == {"0", "1"}
    assert f"wrote {out}" in stdout and f"{len(rows):,} rows" in stdout


def test_profile_to_stdout_with_several_routes(tmp_path, capsys, grid_factory):
    grid = step_grid(grid_factory)
    code, stdout, err = run(capsys, "profile", route_file(tmp_path, A, B), "--dataset", grid,
                            "--land-source", "grid", "--csv", "-")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert list(rows[0])[0] == "route_id"
    assert [k for k in dict.fromkeys(r["route_id"] for r in rows)] == ["r0", "r1"]
    land = [r for r in rows if r["surface"] == "land"]
    assert land and all(float(r["elevation_m"]) > 0 for r in land)
    assert "r0:" in err and "r1:" in err  # the summary goes to stderr with --csv -


def test_profile_of_a_preset_on_the_embedded_grid(tmp_path, capsys):
    out = tmp_path / "d.csv"
    code, stdout, _ = run(capsys, "profile", "direct-shortest", "--csv", out)
    assert code == 0
    rows = list(csv.DictReader(out.open()))
    (route,) = resolve_routes(["direct-shortest"])
    assert float(rows[-1]["chainage_m"]) == pytest.approx(route.length_m(), abs=1e-3)
    depth = -min(float(r["elevation_m"]) for r in rows if r["surface"] == "sea")
    assert 30 <= depth <= 55  # published strait depths (fact base §3c)
    assert "ETOPO5" in stdout


# ------------------------------------------------------------------------------- tunnel
def test_tunnel_json_on_a_synthetic_strait(tmp_path, capsys, grid_factory):
    grid = step_grid(grid_factory)
    code, stdout, err = run(capsys, "tunnel", route_file(tmp_path, A), "--dataset", grid,
                            "--land-source", "grid", "--step-m", 100, "--json")
    assert code == 0 and err == ""
    (d,) = json.loads(stdout)
    for key in ("tunnel_length_km", "subsea_length_km", "max_depth_below_sea_level_m",
                "max_water_depth_m", "max_grade_pct", "cost_busd_low", "cost_busd_high",
                "duration_years_low", "duration_years_high"):
        assert isinstance(d[key], float), key
    assert d["max_water_depth_m"] == pytest.approx(40.0)
    assert d["max_depth_below_sea_level_m"] == pytest.approx(90.0)  # 40 m + 50 m cover
    assert d["max_grade_pct"] == pytest.approx(1.25)
    assert d["mode"] == "rail" and d["params"]["cover_m"] == 50.0
    # ramps on land at 1.25 %: at least 50 m (cover below the 0 m shore) -> 4 km per side,
    # at most from +10 m ground down to -90 m -> 8 km per side
    assert 8.0 <= d["tunnel_length_km"] - d["subsea_length_km"] <= 16.0


def test_tunnel_options_change_the_design(tmp_path, capsys, grid_factory):
    grid = step_grid(grid_factory)
    f = route_file(tmp_path, A)
    _, out, _ = run(capsys, "tunnel", f, "--dataset", grid, "--land-source", "grid",
                    "--mode", "road", "--cover-m", 70, "--max-grade-pct", 4, "--json")
    (d,) = json.loads(out)
    assert d["mode"] == "road" and d["params"]["max_grade_pct"] == 4.0
    assert d["max_depth_below_sea_level_m"] == pytest.approx(110.0)
    assert d["params"]["cover_ref"] == "user"
    # the base year moves every dollar figure by the CPI-U ratio (BLS: 258.811 / 321.943)
    _, out, _ = run(capsys, "tunnel", f, "--dataset", grid, "--land-source", "grid", "--json")
    (d25,) = json.loads(out)
    _, out, _ = run(capsys, "tunnel", f, "--dataset", grid, "--land-source", "grid",
                    "--base-year", 2020, "--json")
    (d20,) = json.loads(out)
    assert (d25["price_year"], d20["price_year"]) == (2025, 2020)
    assert d20["cost_busd_low"] == pytest.approx(d25["cost_busd_low"] * 258.811 / 321.943)
    assert d20["duration_years_low"] == d25["duration_years_low"]


def test_tunnel_several_routes_table_and_json(tmp_path, capsys, grid_factory):
    grid = step_grid(grid_factory)
    f = route_file(tmp_path, A, B)
    code, out, _ = run(capsys, "tunnel", f, "--dataset", grid, "--land-source", "grid", "--json")
    assert code == 0 and [d["route_id"] for d in json.loads(out)] == ["r0", "r1"]
    code, out, _ = run(capsys, "tunnel", f, "--dataset", grid, "--land-source", "grid")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["r0", "r1"]
    assert "tunnel length incl. approaches (km)" in out and "Indicative" in out


def test_tunnel_of_presets_shows_claims(capsys):
    code, out, _ = run(capsys, "tunnel", "dmitriev-2025")
    assert code == 0
    assert "cost (outturn, constant dollars)" in out and "bn (2025 prices)" in out
    assert "python -m mapapp claims" in out


# ------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("argv,message", [
    (["profile", "ROUTE", "--step-m", "0", "--csv", "OUT"], "positive"),
    (["profile", "ROUTE", "--step-m", "1e9", "--csv", "OUT"], "coarser than the grid"),
    (["profile", "ROUTE", "--step-m", "x", "--csv", "OUT"], "invalid float"),
    (["profile", "ROUTE"], "--csv"),
    (["profile", "no-such-preset", "--csv", "OUT"], "no preset route"),
    (["profile", "missing.geojson", "--csv", "OUT"], "route file not found"),
    (["profile", "ROUTE", "--csv", "NOFOLDER/out.csv"], "does not exist"),
    (["profile", "ROUTE", "--dataset", "nope.tif", "--csv", "OUT"], "not found"),
    (["tunnel", "ROUTE", "--max-grade-pct", "0"], "gradient"),
    (["tunnel", "ROUTE", "--cover-m", "-3"], "cover"),
    (["tunnel", "ROUTE", "--mode", "hyperloop"], "invalid choice"),
    (["tunnel", "ROUTE", "--base-year", "1800"], "no CPI-U value for 1800"),
    (["tunnel"], "required"),
])
def test_errors_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    f = route_file(tmp_path, A)
    argv = [a.replace("ROUTE", f).replace("OUT", str(tmp_path / "o.csv"))
            .replace("NOFOLDER", str(tmp_path / "missing")) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_dry_route_is_a_tunnel_error(tmp_path, capsys, grid_factory):
    grid = grid_factory(np.full((10, 20), 25.0, "float32"))  # all land by sign
    code, _, err = run(capsys, "tunnel", route_file(tmp_path, A), "--dataset", grid,
                       "--land-source", "grid")
    assert code == 2 and "does not cross the sea" in err


def test_resolver_reads_files_and_presets(tmp_path):
    routes = resolve_routes([route_file(tmp_path, A, B), "direct-shortest"])
    assert [r.id for r in routes] == ["r0", "r1", "direct-shortest"]
    assert routes[0].origin == "uploaded" and routes[2].origin == "preset"
    with pytest.raises(InputError, match="at least one ROUTE"):
        resolve_routes([])


def test_module_entry_point(tmp_path):
    out = tmp_path / "x.csv"
    proc = subprocess.run([sys.executable, "-m", "mapapp", "profile", "direct-shortest",
                           "--csv", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("chainage_m,lon,lat,elevation_m,surface,leg")
