"""``python -m mapapp routes`` / ``measure`` run as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "routes"


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("MAPAPP_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "mapapp", *args], capture_output=True, text=True, cwd=cwd or REPO,
        env=env, timeout=300,
    )


def test_routes_json_lists_presets_with_metrics():
    p = run("routes", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    by_id = {d["id"]: d for d in data}
    assert {"dmitriev-2025", "direct-shortest", "hypothetical-fairway-rock"} <= set(by_id)
    d = by_id["direct-shortest"]
    assert d["length_km"] == pytest.approx(81.75, abs=0.01)
    assert d["subsea_km"] == pytest.approx(81.75, abs=0.01) and d["land_km"] == 0.0
    assert d["legs_km"] == [d["length_km"]]
    dm = by_id["dmitriev-2025"]
    assert len(dm["legs_km"]) == 5
    assert sum(dm["legs_km"]) == pytest.approx(dm["length_km"], abs=0.003)
    assert dm["subsea_km"] + dm["land_km"] == pytest.approx(dm["length_km"], abs=0.002)
    assert dm["landfalls"] == [
        "Chukotka mainland", "Big Diomede", "Little Diomede", "Seward Peninsula mainland"
    ]
    claim = next(c for c in dm["claims"] if c["claim"] == "length_km")
    assert claim["claimed_value"] == 112.7
    assert claim["difference_km"] == pytest.approx(dm["length_km"] - 112.7, abs=0.002)
    assert dm["sources"] and dm["straight_km"] > 0 and dm["sinuosity"] > 1


def test_routes_table():
    p = run("routes")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "length", "subsea"]
    row = next(ln for ln in lines if ln.startswith("direct-shortest"))
    assert row.split()[1:4] == ["81.75", "81.75", "0.00"]


def test_measure_preset_and_file_with_several_routes():
    p = run("measure", "ibstrg-1990s", str(DATA / "google_earth.kml"), "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert [d["id"] for d in data] == [
        "ibstrg-1990s", "dezhnev-to-prince-of-wales", "uelen-diomedes-wales"
    ]
    straight, hop = data[1], data[2]
    assert straight["length_km"] == pytest.approx(89.6, abs=0.05)  # bering-facts §3b
    assert hop["length_km"] == pytest.approx(102.6, abs=0.05)
    assert len(hop["legs_km"]) == 3
    assert hop["legs_km"][1] == pytest.approx(6.9, abs=0.05)  # §3b: Big-Little Diomede centres
    assert hop["origin"] == "uploaded" and hop["claims"] == []


def test_measure_csv_file(tmp_path):
    f = tmp_path / "pts.csv"
    f.write_text("name;lat;lon\nDezhnev;66,0792;-169,6519\nCPW;65,5964;-168,0847\n")
    p = run("measure", str(f), "--json")
    assert p.returncode == 0, p.stderr
    (d,) = json.loads(p.stdout)
    assert d["name"] == "pts" and d["length_km"] == pytest.approx(89.6, abs=0.05)
    assert d["waypoints"][0][2] == "Dezhnev"


@pytest.mark.parametrize(
    "args, message",
    [
        (["measure", "no-such-preset"], "error: no preset route 'no-such-preset'; choose one of"),
        (["measure", "missing.geojson"], "error: route file not found: missing.geojson"),
        (["measure"], "error: "),
        (["routes", "--land", "moon"], "error: "),
    ],
)
def test_bad_input_exit_2_one_line(args, message):
    p = run(*args)
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr.startswith(message)
    assert len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_bad_file_exit_2(tmp_path):
    f = tmp_path / "broken.geojson"
    f.write_text('{"type": "FeatureCollection",\n "features": [,]}')
    p = run("measure", str(f))
    assert p.returncode == 2
    assert p.stderr.strip() == "error: malformed JSON at line 2, column 15: Expecting value"
