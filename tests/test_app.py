"""Streamlit AppTest: the app runs, and every sidebar control reruns cleanly."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, write_grid

APP = str(Path(__file__).resolve().parents[1] / "mapapp" / "app.py")


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_app_runs_and_states_resolution(app):
    _no_errors(app)
    assert app.title[0].value == "Bering Strait tunnel route explorer"
    infos = " ".join(i.value for i in app.info)
    assert "5′ × 5′" in infos and "coarse" in infos and "Diomede" in infos


def test_each_sidebar_control_reruns(app):
    sb = app.sidebar
    sb.selectbox(key="cmap").select("cmo.ice").run()
    _no_errors(app)
    sb.slider(key="opacity").set_value(0.5).run()
    _no_errors(app)
    sb.checkbox(key="hillshade").check().run()
    _no_errors(app)
    sb.selectbox(key="isobath").select(0).run()
    _no_errors(app)
    sb.selectbox(key="isobath").select(20).run()
    _no_errors(app)
    sb.selectbox(key="basemap").select("OpenStreetMap").run()
    _no_errors(app)
    rng = [s for s in sb.slider if str(s.key).startswith("range::")][0]
    rng.set_value((-60, -10)).run()
    _no_errors(app)
    sb.selectbox(key="dataset").select("etopo5_bering_5arcmin.tif").run()
    _no_errors(app)


def test_removed_dataset_falls_back_to_default(tmp_path, monkeypatch):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", root)
    extra = write_grid(root / "bathymetry" / "extra.tif", np.full((10, 20), -30, "int16"))
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.sidebar.selectbox(key="dataset").select("extra.tif").run()
    _no_errors(at)
    assert "extra.tif" in " ".join(i.value for i in at.info)
    extra.unlink()
    at.run()
    _no_errors(at)
    assert any("not available" in w.value for w in at.sidebar.warning)
    assert "5′ × 5′" in " ".join(i.value for i in at.info)
