"""Streamlit AppTest: the app runs, and every sidebar control has its effect on the map."""

import hashlib
import json
import re
import shutil
from pathlib import Path

import cmocean
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
    # one plain line under the title, the grid's resolution in the "About & data" popover
    line = " ".join(c.value for c in app.caption)
    assert "too coarse to see the Diomedes" in line and "ETOPO5" in line
    assert not app.info  # no banner pushing the map down
    detail = " ".join(m.value for m in app.markdown)
    assert "5′ × 5′" in detail and "Diomede" in detail


def _map_layers(at) -> str:
    """The changing layers the app handed to the map (streamlit-folium's component arguments:
    the JavaScript of the feature groups), as one text."""
    comps = [e for e in at.main if type(e).__name__ == "UnknownElement"
             and e.type == "component_instance" and "st_folium" in e.proto.component_name]
    assert len(comps) == 1, [getattr(e, "type", "") for e in at.main]
    args = json.loads(comps[0].proto.json_args)
    return args["feature_group"]


def _first_stop(layers: str) -> np.ndarray:
    """RGB (0..255) of the first colour stop of the legend's gradient."""
    m = re.search(r"linear-gradient\(to right, #([0-9a-fA-F]{6}) 0%", layers)
    assert m, "no legend gradient in the map layers"
    return np.array([int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4)], float)


def _image(layers: str) -> str:
    """The bathymetry overlay image (data URL or file URL) in the layers."""
    m = re.search(r'L\.imageOverlay\(\s*"([^"]+)"', layers)
    assert m, "no image overlay in the map layers"
    return m.group(1)


def _isobath_labels(layers: str) -> set[int]:
    """Depths (m) of the isobath labels: the layers name a content-hashed GeoJSON file in the
    app's static folder; its label points carry the text "<depth> m"."""
    from mapapp.ui import cache

    m = re.search(r"gen/(isobaths-([0-9a-f]{16})\.json)", layers)
    assert m, "no isobath file in the map layers"
    data = (cache.GEN_DIR / m.group(1)).read_bytes()
    assert hashlib.sha256(data).hexdigest()[:16] == m.group(2)  # the name is the content hash
    feats = json.loads(data)["features"]
    return {int(f["properties"]["label"].removesuffix(" m")) for f in feats
            if "label" in f["properties"]}


def test_each_sidebar_control_changes_the_map(app):
    sb = app.sidebar
    before = _map_layers(app)
    # colormap: the legend's first colour stop is the colormap's colour at the range minimum
    # (within one unit per channel: the legend truncates to 0..255)
    sb.selectbox(key="cmap").select("cmo.ice").run()
    _no_errors(app)
    ice0 = np.array(cmocean.cm.ice(0.0)[:3]) * 255
    assert np.abs(_first_stop(_map_layers(app)) - ice0).max() <= 1.0
    assert np.abs(_first_stop(before) - ice0).max() > 10
    # opacity of the overlay
    sb.slider(key="opacity").set_value(0.5).run()
    _no_errors(app)
    assert re.search(r'"opacity":\s*0\.5\b', _map_layers(app))
    # hillshade changes the overlay's pixels
    plain_image = _image(_map_layers(app))
    sb.checkbox(key="hillshade").check().run()
    _no_errors(app)
    assert _image(_map_layers(app)) != plain_image
    # isobaths: off removes the labelled lines; every 20 m gives labels that are multiples of 20
    sb.selectbox(key="isobath").select(0).run()
    _no_errors(app)
    assert "mapapp-isobath-label" not in _map_layers(app)
    assert not re.search(r"gen/isobaths-", _map_layers(app))
    sb.selectbox(key="isobath").select(20).run()
    _no_errors(app)
    labels = _isobath_labels(_map_layers(app))
    assert labels and all(v % 20 == 0 for v in labels), labels
    # basemap tiles
    assert "tile.openstreetmap.org" not in _map_layers(app)
    sb.selectbox(key="basemap").select("OpenStreetMap").run()
    _no_errors(app)
    assert "tile.openstreetmap.org" in _map_layers(app)
    # colour range: the legend's end ticks
    rng = [s for s in sb.slider if str(s.key).startswith("range::")][0]
    rng.set_value((-60, -10)).run()
    _no_errors(app)
    ticks = re.findall(r"\\u003e(-?\d+)\\u003c/span", _map_layers(app))
    assert ticks[:1] == ["-60"] and ticks[4:5] == ["-10"], ticks
    # the dataset picker's effect: test_removed_dataset_falls_back_to_default switches grids


def test_removed_dataset_falls_back_to_default(tmp_path, monkeypatch):
    root = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", root)
    extra = write_grid(root / "bathymetry" / "extra.tif", np.full((10, 20), -30, "int16"))
    monkeypatch.setenv("MAPAPP_GEODATA", str(root))
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.sidebar.selectbox(key="dataset").select("extra.tif").run()
    _no_errors(at)
    assert "extra.tif" in " ".join(c.value for c in at.caption).replace("\\", "")
    extra.unlink()
    at.run()
    _no_errors(at)
    assert any("not available" in w.value for w in at.sidebar.warning)
    assert "5′ × 5′" in " ".join(m.value for m in at.markdown)  # the popover's grid detail
