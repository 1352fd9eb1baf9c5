"""``python -m mapapp export|render|html``: exit statuses, one-line errors, files parsed back."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import gpxpy
import pytest
from PIL import Image

from mapapp.cli import main

PRESET = "direct-shortest"
REPO = Path(__file__).resolve().parents[1]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_geojson_preset(tmp_path, capsys):
    out = tmp_path / "r.geojson"
    code, stdout, err = run(["export", PRESET, "dmitriev-2025", "--format", "geojson",
                             "--out", str(out)], capsys)
    assert code == 0 and err == ""
    assert stdout.startswith(f"wrote {out}")
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert [f["properties"]["id"] for f in doc["features"]] == [PRESET, "dmitriev-2025"]


def test_export_format_from_suffix_gpx(tmp_path, capsys):
    out = tmp_path / "r.gpx"
    code, _, _ = run(["export", "dmitriev-2025", "-o", str(out)], capsys)
    assert code == 0
    gpx = gpxpy.parse(out.read_text())
    assert len(gpx.routes) == 1 and len(gpx.routes[0].points) == 6


def test_export_route_file_to_csv(tmp_path, capsys):
    src = tmp_path / "mine.geojson"
    src.write_text(json.dumps({"type": "Feature", "properties": {"name": "Mine"}, "geometry": {
        "type": "LineString", "coordinates": [[-169.6519, 66.0792], [-168.0847, 65.5964]]}}))
    out = tmp_path / "w.csv"
    code, _, err = run(["export", str(src), "--format", "csv", "--out", str(out)], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["lon"], r["lat"]) for r in rows] == [("-169.6519", "66.0792"),
                                                   ("-168.0847", "65.5964")]


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["export", "no-such-preset", "--format", "kml", "--out", "{tmp}/x.kml"], "preset"),
        (["export", PRESET, "--out", "{tmp}/x.docx"], "--format"),
        (["export", PRESET, "--format", "kml", "--out", "{tmp}/missing/x.kml"], "does not exist"),
        (["export", PRESET, "--format", "shp", "--out", "{tmp}/x.shp"], "invalid choice"),
        (["render", PRESET, "--out", "{tmp}/x.png", "--dpi", "700"], "600"),
        (["render", PRESET, "--out", "{tmp}/x.png", "--bbox", "1,2,3"], "W,S,E,N"),
        (["render", PRESET, "--out", "{tmp}/x.png", "--size", "big"], "--size"),
        (["render", PRESET, "--out", "{tmp}/x.jpg"], "--format"),
        (["render", PRESET, "--out", "{tmp}/x.png", "--dataset", "{tmp}/none.tif"], "not found"),
    ],
)
def test_errors_are_one_line_with_status_2(tmp_path, capsys, argv, needle):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert needle in err
    assert "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []  # nothing half-written


def test_render_png_size(tmp_path, capsys):
    out = tmp_path / "fig.png"
    code, stdout, err = run(["render", PRESET, "--out", str(out), "--dpi", "50", "--size", "8,6",
                             "--title", "CLI figure"], capsys)
    assert code == 0, err
    assert Image.open(out).size == (400, 300)
    assert "50 dpi" in stdout


def test_render_svg_with_profile(tmp_path, capsys):
    out = tmp_path / "fig.svg"
    code, _, err = run(["render", PRESET, "--out", str(out), "--profile", "--table",
                        "--title", "SVG from the CLI"], capsys)
    assert code == 0, err
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "SVG from the CLI" in text
    assert "Chainage along route (km)" in text and "Subsea (km)" in text


def test_html(tmp_path, capsys):
    out = tmp_path / "map.html"
    code, _, err = run(["html", PRESET, "--out", str(out)], capsys)
    assert code == 0, err
    page = out.read_text()
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "L.map(" in page
    assert "Direct shortest crossing" in page


def test_module_entry_point(tmp_path):
    out = tmp_path / "r.kml"
    proc = subprocess.run([sys.executable, "-m", "mapapp", "export", PRESET, "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "<Placemark" in out.read_text()
    proc = subprocess.run([sys.executable, "-m", "mapapp", "render", PRESET, "--out",
                           str(tmp_path / "x.png"), "--dpi", "9999"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and proc.stdout == ""
