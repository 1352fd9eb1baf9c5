"""Grid uploads belong to their session; faults while importing or reading grids (issue 18).

* Per-session folders: an upload lands in its session's folder only, counts against the
  session's disk budget (checked before and after conversion), and the folder goes when the
  session ends (sweep) or, left over from before a restart, by age.
* Sharing is the operator's: only ``MAPAPP_SHARED_GRID_UPLOADS=1`` sends uploads to the
  shared folder.
* The disk full during an import: nothing half-written stays or is listed.
* A grid truncated on disk while the app runs: a clear message and the default grid.
* The waypoint-count check the waypoint editor uses.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from rasterio.errors import RasterioError
from streamlit.testing.v1 import AppTest

from mapapp.core import paths, safety
from mapapp.core.errors import DatasetError, InputError
from mapapp.data import datasets, gridimport, uploads
from tests.conftest import REPO, fill_disk_halfway, write_grid

SID_A = "0a1b2c3d-0000-4000-8000-00000000000a"
SID_B = "0a1b2c3d-0000-4000-8000-00000000000b"


@pytest.fixture
def geodata(tmp_path, monkeypatch):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata" / "bathymetry", root / "bathymetry")
    (root / "coastline").symlink_to(REPO / "geodata" / "coastline")
    (root / "context").symlink_to(REPO / "geodata" / "context")
    for extra in (REPO / "geodata").iterdir():
        if not (root / extra.name).exists():
            (root / extra.name).symlink_to(extra)
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    monkeypatch.setenv("MAPAPP_SESSION_GRIDS", str(tmp_path / "sessions"))
    monkeypatch.delenv("MAPAPP_SHARED_GRID_UPLOADS", raising=False)
    monkeypatch.delenv("MAPAPP_SESSION_GRID_MB", raising=False)
    monkeypatch.setattr(uploads, "_OWN", set())  # this process's sessions: none yet
    return root / "bathymetry"


def a_grid(folder: Path, name="upload.tif", shape=(40, 80)) -> Path:
    """A small elevation GeoTIFF over the strait (−20 … −59 m, all below sea level)."""
    z = (-20.0 - np.indices(shape)[0]).astype("float32")
    return write_grid(folder / name, z, west=-170.0, north=66.0, res=0.025)


def listed(folder: Path) -> list[str]:
    return [e.name for e in datasets.list_datasets(folder)]


# --------------------------------------------------------------------------- isolation
def test_an_upload_goes_to_its_session_only(geodata, tmp_path):
    src = a_grid(tmp_path)
    shared_before = listed(geodata)
    res = uploads.import_upload(src, SID_A, positive_down=False)
    assert res.path.parent == tmp_path / "sessions" / SID_A
    assert listed(uploads.session_dir(SID_A)) == ["upload.tif"]
    assert listed(geodata) == shared_before  # nothing new for everyone
    assert not uploads.session_dir(SID_B).exists()  # the other session has nothing


def test_only_the_operator_flag_shares_an_upload(geodata, tmp_path, monkeypatch):
    monkeypatch.setenv("MAPAPP_SHARED_GRID_UPLOADS", "1")
    res = uploads.import_upload(a_grid(tmp_path), SID_A, positive_down=False, force=True)
    assert res.path == geodata / "upload.tif"
    assert "upload.tif" in listed(geodata)
    assert not (tmp_path / "sessions" / SID_A).exists()


@pytest.mark.parametrize("bad", ["../../etc", "", "a/b", "short", "x" * 65, "..%2f"])
def test_session_ids_cannot_leave_the_root(geodata, bad):
    with pytest.raises(InputError, match="is not a plain id"):
        uploads.session_dir(bad)


# --------------------------------------------------------------------------- budget
def test_budget_refuses_before_converting(geodata, tmp_path, monkeypatch):
    monkeypatch.setenv("MAPAPP_SESSION_GRID_MB", "1")
    src = a_grid(tmp_path)
    with pytest.raises(InputError, match=r"would take your grids to 2 MB; a session may hold 1 MB"):
        uploads.import_upload(src, SID_A, size=2 * 1024 * 1024, positive_down=False)
    assert listed(uploads.session_dir(SID_A)) == []


def test_budget_removes_a_converted_grid_that_does_not_fit(geodata, tmp_path, monkeypatch):
    first = uploads.import_upload(a_grid(tmp_path), SID_A, positive_down=False)
    used = uploads.usage_bytes(uploads.session_dir(SID_A))
    assert used == first.path.stat().st_size + first.provenance_path.stat().st_size
    # a budget with room for the first grid and a tenth of another
    monkeypatch.setenv("MAPAPP_SESSION_GRID_MB", str(used * 1.1 / 2**20))
    second = a_grid(tmp_path, "second.tif")
    with pytest.raises(InputError, match="past the session budget.*it was removed"):
        uploads.import_upload(second, SID_A, size=1, positive_down=False)
    assert listed(uploads.session_dir(SID_A)) == ["upload.tif"]
    assert uploads.usage_bytes(uploads.session_dir(SID_A)) == used


# --------------------------------------------------------------------------- clean-up
def test_sweep_removes_the_folders_of_ended_sessions(geodata, tmp_path):
    for sid in (SID_A, SID_B):
        uploads.import_upload(a_grid(tmp_path), sid, positive_down=False)
    ended = uploads.sweep([SID_A, SID_B], is_alive=lambda sid: sid == SID_B)
    assert ended == [SID_A]
    assert not uploads.session_dir(SID_A).exists()
    assert listed(uploads.session_dir(SID_B)) == ["upload.tif"]


def test_the_sweeper_judges_only_this_process_folders(geodata, tmp_path):
    other = tmp_path / "sessions" / SID_B  # made by another server sharing the root
    other.mkdir(parents=True)
    (other / "theirs.tif").write_bytes(b"x")
    uploads.import_upload(a_grid(tmp_path), SID_A, positive_down=False)
    assert SID_A in uploads.own_sessions() and SID_B not in uploads.own_sessions()
    assert uploads.sweep(uploads.own_sessions(), is_alive=lambda sid: False) == [SID_A]
    assert not (tmp_path / "sessions" / SID_A).exists()
    assert (other / "theirs.tif").exists()
    assert SID_A not in uploads.own_sessions()


def test_stale_folders_go_by_age_at_start_up(geodata, tmp_path):
    for sid in (SID_A, SID_B):
        uploads.import_upload(a_grid(tmp_path), sid, positive_down=False)
    old = time.time() - 13 * 3600  # older than the 12 h default
    folder = uploads.session_dir(SID_A)
    for p in [*folder.iterdir(), folder]:
        os.utime(p, (old, old))
    assert uploads.remove_stale() == [SID_A]
    assert not folder.exists() and uploads.session_dir(SID_B).is_dir()
    # a folder whose files are recent stays even if the folder itself looks old
    later = time.time() + 13 * 3600
    assert uploads.remove_stale(max_age=14 * 3600, now=later) == []
    assert uploads.remove_stale(max_age=12 * 3600, now=later + 3600) == [SID_B]


# --------------------------------------------------------------------------- faults: disk full
def test_disk_full_while_writing_the_cog_leaves_nothing(geodata, tmp_path, monkeypatch):
    src = a_grid(tmp_path)
    before = sorted(p.name for p in geodata.iterdir())

    def full_disk(src_xml, dst, **kw):
        Path(dst).write_bytes(b"II*\x00" + b"\x00" * 4096)  # half a file, then ENOSPC
        raise RasterioError(f"{dst}: Free disk space available is 0 bytes: No space left on device")

    monkeypatch.setattr(gridimport.rasterio.shutil, "copy", full_disk)
    with pytest.raises(DatasetError, match="the disk holding .* is full; nothing was kept"):
        gridimport.import_grid(src, positive_down=False)
    assert sorted(p.name for p in geodata.iterdir()) == before
    assert "upload.tif" not in listed(geodata)


def test_disk_full_while_writing_the_sidecar_leaves_nothing(geodata, tmp_path, monkeypatch):
    src = a_grid(tmp_path)
    before = sorted(p.name for p in geodata.iterdir())
    fill_disk_halfway(monkeypatch)  # the atomic writer's temporary file: half, then ENOSPC
    with pytest.raises(DatasetError, match="is full; nothing was kept"):
        gridimport.import_grid(src, positive_down=False)
    assert sorted(p.name for p in geodata.iterdir()) == before


def test_disk_full_during_a_session_upload_keeps_the_budget_untouched(geodata, tmp_path,
                                                                      monkeypatch):
    def full_disk(src_xml, dst, **kw):
        Path(dst).write_bytes(b"\x00" * 10_000)
        raise RasterioError("write error: No space left on device")

    monkeypatch.setattr(gridimport.rasterio.shutil, "copy", full_disk)
    with pytest.raises(DatasetError, match="is full"):
        uploads.import_upload(a_grid(tmp_path), SID_A, positive_down=False)
    assert listed(uploads.session_dir(SID_A)) == []
    assert uploads.usage_bytes(uploads.session_dir(SID_A)) == 0


# --------------------------------------------------------------------------- faults: truncated
def _notes(at) -> str:
    """The page's notes: the grid detail is in the header's "About & data" popover."""
    return " ".join(e.value for e in [*at.info, *at.markdown, *at.caption])


def test_grid_truncated_while_the_app_runs_falls_back_to_the_default(geodata):
    extra = write_grid(geodata / "extra.tif", np.full((10, 20), -30, "int16"))
    at = AppTest.from_file(str(REPO / "mapapp" / "app.py"), default_timeout=120)
    at.query_params["d"] = "extra.tif"
    at.run()
    assert not at.exception and "**extra.tif**" in _notes(at)
    extra.write_bytes(extra.read_bytes()[:400])  # damaged in place: the folder's mtime stays
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Dataset 'extra.tif' is not available; using etopo5_bering_5arcmin.tif." in w.value
               for w in at.sidebar.warning)
    assert any(c.value.startswith("⚠ extra.tif: ") for c in at.sidebar.caption)
    assert "5′ × 5′" in _notes(at)
    assert paths.DEFAULT_GRID_NAME in at.sidebar.selectbox(key="dataset").value


# --------------------------------------------------------------------------- waypoint editor cap
def test_waypoint_count_is_capped_per_route_and_per_session():
    safety.check_waypoint_count(5000)
    safety.check_waypoint_count(4000, other_session_waypoints=96_000)
    with pytest.raises(InputError, match="5,001 waypoints; one route holds at most 5,000"):
        safety.check_waypoint_count(5001)
    with pytest.raises(InputError, match="100,001 waypoints; a session holds at most 100,000"):
        safety.check_waypoint_count(4001, other_session_waypoints=96_000)
