"""The app's Uncertainty tab (Streamlit AppTest): a Monte Carlo runs in the background and
its results appear; the corridor layer's image is placed right on a Web-Mercator map."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "mapapp" / "app.py")


def _errors(at):
    return [e.value for e in at.exception] + [e.value for e in at.error]


@pytest.mark.slow
def test_uncertainty_tab_runs_a_sweep_in_the_background():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not _errors(at)
    at.selectbox(key="uq_samples").select(2000).run()
    at.button(key="uq_run_sweep").click().run()
    assert not _errors(at)
    deadline = time.time() + 120
    texts = []
    while time.time() < deadline:
        at.run()
        texts = [m.value for m in at.markdown]
        if any("**How likely is each claim?**" in t for t in texts):  # the results, not the intro
            break
        time.sleep(1)
    assert not _errors(at)
    claims = [t for t in texts if t.startswith("- ") and "scenarios" in t]
    assert any("cost at most 8" in t for t in claims), claims
    assert any("2,000 scenarios" in t for t in claims)


def test_corridor_png_rows_follow_web_mercator():
    from PIL import Image

    from mapapp.ui.uncertainty_panel import corridor_png

    class R:  # a raster lit on one row only, at 65.5°N, between 65 and 66°N
        bounds = (-170.0, 65.0, -168.0, 66.0)
        frequency = np.zeros((100, 10), dtype="float32")

    R.frequency[50, :] = 1.0  # row 50 covers 65.50–65.49°N
    with Image.open(io.BytesIO(corridor_png(R))) as im:
        alpha = np.asarray(im)[..., 3]
    lit = np.nonzero(alpha[:, 0])[0]
    assert lit.size >= 1 and np.all(alpha[:, 0][alpha[:, 0] > 0] == 255)

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    # where 65.495°N falls between the top (66°N) and the bottom (65°N) in Mercator y
    want = (merc(66.0) - merc(65.495)) / (merc(66.0) - merc(65.0)) * 100
    assert abs(lit.mean() + 0.5 - want) < 1.0
    assert np.all(alpha[: lit.min(), 0] == 0) and np.all(alpha[lit.max() + 1:, 0] == 0)
