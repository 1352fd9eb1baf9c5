"""Faults: missing or damaged data files, and exports that fail half-way.

* A missing or damaged bathymetry grid is listed with the reason and the app falls back to
  the embedded default (or, when the default itself is gone, says so and uses another grid).
* Missing coastline / context / preset files: the app says which file and how to fix it,
  without a traceback (run in a fresh interpreter each: those loaders cache per process).
* Exports are atomic (temporary file + ``os.replace``): a failure at any step leaves
  neither a partial file nor a temporary file, and an existing file is kept intact.

(No internet — basemap tiles blocked while the map still renders — is a real-browser test:
``tests/browser/test_hostile_browser.py``.)
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mapapp.core import paths
from mapapp.core.errors import DatasetError, ExportError
from mapapp.data import bathymetry, datasets
from mapapp.io import export
from mapapp.render import report
from mapapp.routes.route import Route
from tests.conftest import REPO, fill_disk_halfway, write_grid

APP = str(REPO / "mapapp" / "app.py")
DEFAULT = paths.DEFAULT_GRID_NAME
ROUTE = Route.from_coords("demo", "Demo", [(-169.6519, 66.0792), (-168.0847, 65.5964)])


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", root)
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    return root


def truncate(path, keep=5000):
    """Keep the header (the file still opens) but lose the data blocks."""
    path.write_bytes(path.read_bytes()[:keep])


def extra_grid(root):
    return write_grid(root / "bathymetry" / "extra.tif", np.full((10, 20), -30, "int16"))


def run_app(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at) -> str:
    return " | ".join(c.value for c in at.sidebar.caption)


def active_grid(at) -> str:
    """The active grid's note (the "About & data" popover under the title)."""
    return " ".join(m.value for m in at.markdown if m.value.startswith("Active grid:"))


# --------------------------------------------------------------------------- grids
def test_damaged_grid_reads_raise_dataset_error(geodata):
    path = geodata / "bathymetry" / DEFAULT
    truncate(path)
    grid = bathymetry.Grid(path)  # the header is intact
    for call in (lambda: grid.sample([-169.0], [65.5]), lambda: grid.value_range(),
                 lambda: grid.read_bbox((-170, 65, -168, 66))):
        with pytest.raises(DatasetError, match=f"{DEFAULT} is damaged: GDAL cannot read its "
                                               "values \\(truncated or corrupt file\\)"):
            call()
    (entry,) = datasets.list_datasets()
    assert entry.info is None and "is damaged" in entry.error


def test_missing_default_says_so_and_uses_another_grid(geodata):
    (geodata / "bathymetry" / DEFAULT).unlink()
    extra_grid(geodata)
    at = run_app()
    assert not at.error
    assert f"⚠ The embedded default grid {DEFAULT} is missing from geodata/bathymetry/; " \
           "restore it from the repository." in captions(at)
    assert "**extra.tif**" in active_grid(at)


def test_missing_default_and_nothing_else_is_a_clear_error(geodata):
    (geodata / "bathymetry" / DEFAULT).unlink()
    at = run_app()
    assert [e.value for e in at.error] == [
        "No usable bathymetry grid in geodata/bathymetry/. Restore the repository's geodata."]
    assert "embedded default grid" in captions(at)


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p.write_bytes(b"II*\x00garbage"), f"cannot open grid {DEFAULT}"),
    (truncate, "is damaged: GDAL cannot read its values"),
    (lambda p: p.write_bytes(b""), f"cannot open grid {DEFAULT}"),
])
def test_damaged_default_is_listed_with_reason(geodata, damage, reason):
    damage(geodata / "bathymetry" / DEFAULT)
    at = run_app()
    assert [e.value for e in at.error] == [
        "No usable bathymetry grid in geodata/bathymetry/. Restore the repository's geodata."]
    assert f"⚠ {DEFAULT}: " in captions(at) and reason in captions(at)
    extra_grid(geodata)  # with another grid the app runs on it
    at = run_app()
    assert not at.error and "**extra.tif**" in active_grid(at)
    assert reason in captions(at)


def test_link_to_a_damaged_grid_falls_back_to_the_default(geodata):
    truncate(extra_grid(geodata), keep=400)
    at = run_app({"d": "extra.tif"})
    assert not at.error, [e.value for e in at.error]
    assert any("Dataset 'extra.tif' is not available; using etopo5_bering_5arcmin.tif." in w.value
               for w in at.sidebar.warning)
    assert "⚠ extra.tif: " in captions(at)
    assert "5′ × 5′" in active_grid(at)


# --------------------------------------------------------------------------- other data files
PROBE = textwrap.dedent("""
    import json
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file({app!r}, default_timeout=120)
    at.run()
    print(json.dumps({{"exceptions": [e.value for e in at.exception],
                      "errors": [e.value for e in at.error]}}))
""")


@pytest.fixture
def fresh_app(tmp_path):
    """Run the app once in a new interpreter on a damaged copy of geodata/."""

    def run(damage) -> dict:
        root = tmp_path / "geodata"
        shutil.copytree(REPO / "geodata", root)
        damage(root)
        env = {**os.environ, "MAPAPP_GEODATA": str(root), "PYTHONPATH": str(REPO)}
        out = subprocess.run([sys.executable, "-c", PROBE.format(app=APP)], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=240)
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    return run


@pytest.mark.parametrize("damage, message", [
    (lambda r: shutil.rmtree(r / "coastline"),
     "coastline file missing: {root}/coastline/gshhg_full_bering.gpkg (restore geodata/ from "
     "the repository)"),
    (lambda r: (r / "coastline" / "gshhg_full_bering.gpkg").write_bytes(b"SQLite format 3\0"),
     "cannot read coastline gshhg_full_bering.gpkg: "),
    (lambda r: (r / "context" / "places.geojson").unlink(),
     "context layer missing: {root}/context/places.geojson (restore geodata/ from the "
     "repository)"),
    (lambda r: (r / "presets" / "routes.json").write_text("{oops"),
     "preset file {root}/presets/routes.json is not valid JSON (line 1)"),
])
def test_missing_or_corrupt_data_files_are_named(fresh_app, tmp_path, damage, message):
    result = fresh_app(damage)
    assert result["exceptions"] == []
    expected = message.format(root=tmp_path / "geodata")
    # the app markdown-escapes messages (backslashes before punctuation): compare the text
    shown = [re.sub(r"\\(.)", r"\1", e) for e in result["errors"]]
    assert any(e.startswith(expected) for e in shown), result["errors"]


# --------------------------------------------------------------------------- atomic exports
def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_export_failing_at_rename_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "routes.kml"

    def fail(*_a):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ExportError, match=f"cannot write {target}: Invalid cross-device link"):
        export.write_export([ROUTE], "kml", target)
    assert leftovers(tmp_path) == []


def test_export_failing_mid_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "routes.geojson"
    target.write_bytes(b"previous export")
    fill_disk_halfway(monkeypatch)  # the atomic writer's temporary file: half, then ENOSPC
    with pytest.raises(ExportError, match="No space left on device"):
        export.write_export([ROUTE], "geojson", target)
    assert leftovers(tmp_path) == ["routes.geojson"]
    assert target.read_bytes() == b"previous export"


def test_export_into_a_read_only_or_missing_folder(tmp_path, monkeypatch):
    with pytest.raises(ExportError, match="folder .*nowhere does not exist; create it first"):
        export.write_export([ROUTE], "gpx", tmp_path / "nowhere" / "x.gpx")

    def denied(*_a, **_k):  # what mkstemp raises in a read-only folder (root ignores chmod)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ExportError, match="cannot write .*x.gpx: Permission denied"):
        export.write_export([ROUTE], "gpx", tmp_path / "x.gpx")
    assert leftovers(tmp_path) == []


def test_export_interrupted_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupt(*_a):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        export.write_export([ROUTE], "csv", tmp_path / "x.csv")
    assert leftovers(tmp_path) == []


def test_report_figure_written_atomically(tmp_path, monkeypatch):
    out = tmp_path / "fig.svg"
    monkeypatch.setattr(os, "replace", lambda *_a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(ExportError, match="I/O error"):
        report.render_report([ROUTE], bathymetry.open_grid(),
                             report.ReportOptions(dpi=50, size_in=(6, 5)), out=out,
                             fmt="svg")
    assert leftovers(tmp_path) == []
    monkeypatch.undo()
    data = report.render_report([ROUTE], bathymetry.open_grid(),
                                report.ReportOptions(dpi=50, size_in=(6, 5)), out=out,
                                fmt="svg")
    assert out.read_bytes() == data and leftovers(tmp_path) == ["fig.svg"]


def test_cli_export_to_a_missing_folder_is_one_line(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "mapapp", "export", "dmitriev-2025", "--out",
         str(tmp_path / "no" / "x.kml")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"error: cannot write {tmp_path / 'no' / 'x.kml'}: folder {tmp_path / 'no'} does not "
        "exist; create it first"]
    assert "Traceback" not in out.stderr
