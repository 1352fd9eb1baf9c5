"""The one atomic writer (mapapp.core.files): whole files or nothing, JSON through jsonenc,
and no second writer anywhere in the package."""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import mapapp
from mapapp.core import files
from mapapp.core.errors import DatasetError, ExportError
from mapapp.data import files as data_files
from mapapp.data import gridimport
from mapapp.io import export
from tests.conftest import plane, write_grid

PACKAGE = Path(mapapp.__file__).parent


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@dataclass
class Leg:
    km: float
    depths_m: object


def test_json_is_written_whole_with_plain_values(tmp_path):
    path = files.atomic_write_json(tmp_path / "leg.json",
                                   {"b": Leg(np.float64(1.5), np.array([-30.0, np.nan])), "a": 1})
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    # keys keep their order; NumPy values and NaN become JSON numbers and null
    assert list(json.loads(text)) == ["b", "a"]
    assert json.loads(text) == {"b": {"km": 1.5, "depths_m": [-30.0, None]}, "a": 1}


def test_a_failed_json_write_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    target = tmp_path / "x.provenance.json"
    target.write_text('{"old": true}\n')

    def full(*_a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(ExportError, match=f"cannot write {re.escape(str(target))}: No space"):
        files.atomic_write_json(target, {"new": True})
    assert names(tmp_path) == ["x.provenance.json"]
    assert target.read_text() == '{"old": true}\n'


def test_grid_import_with_a_full_disk_at_the_sidecar_keeps_nothing(tmp_path, monkeypatch):
    """The provenance sidecar goes through the one writer; a full disk there is still the
    import's one-sentence 'disk is full' error and leaves neither grid nor sidecar."""
    folder = tmp_path / "grids"
    z = plane(2.0, -3.0, 500.0, west=-170.0, north=66.0, res=0.05, shape=(20, 40))
    src = write_grid(tmp_path / "survey.tif", z.astype("float32"), west=-170.0, north=66.0,
                     res=0.05)

    def full(*_a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)  # the sidecar is the first file put in place
    with pytest.raises(DatasetError, match="the disk holding .* is full; nothing was kept"):
        gridimport.import_grid(src, folder=folder)
    assert names(folder) == []


def test_the_data_package_has_no_writer_of_its_own():
    assert not hasattr(data_files, "write_json_atomic")
    assert "atomic_write" not in export.__all__


def test_no_temporary_file_is_renamed_into_place_outside_the_writer():
    """``os.replace`` / ``Path.replace`` appear only in the one writer and in the grid import
    (GDAL writes the ``.partial`` COG itself, by path)."""
    pattern = re.compile(r"\bos\.replace\(|\.replace\((?:part|tmp|dest)\b")
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                   if pattern.search(p.read_text(encoding="utf-8")))
    assert users == ["core/files.py", "data/gridimport.py"]
