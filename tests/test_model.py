"""Cost and schedule model: every expected value is worked out here from the inputs."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from mapapp.core import references as refs
from mapapp.core.errors import MapAppError
from mapapp.economics import model as m
from tests.conftest import REPO


def test_schedule_by_hand():
    # Two sections: 40 km between a portal (ready at 0.75 yr) and an island (shaft 110 m at
    # 2 m/day + 0.25 yr launch, × season 2.4), and 4 km between two islands.
    shaft = (110 / 2 / 365.25 + 0.25) * 2.4
    proc, rate, fit = 1.5, 10.0, 3.0
    # section 1: faces start at max(1.5, 0.75) = 1.5 and max(1.5, shaft)
    a1, b1 = 1.5, max(1.5, shaft)
    v = rate * 365.25
    done1 = (a1 + b1) / 2 + 40_000 / (2 * v)          # both faces are needed (40 km is long)
    assert 40_000 / v > b1 - a1
    done2 = max(1.5, shaft) + 4_000 / (2 * v)
    expected = max(done1, done2) + fit
    site_island = m.island_site_years(110, 2.0, 0.25, 2.4)
    assert float(site_island) == pytest.approx(shaft)
    got = m.programme_years([40_000, 4_000], [0.75, site_island], [site_island, site_island],
                            proc, rate, fit)
    assert float(got) == pytest.approx(expected)


def test_schedule_vectorised_over_samples():
    rates = np.array([5.0, 10.0, 20.0])
    got = m.programme_years([36_525.0], [0.0], [0.0], 1.0, rates, 2.0)
    # two faces over 36.525 km at r m/day: 36_525 / (2 r 365.25) = 50 / r years
    assert got.shape == (3,)
    assert got == pytest.approx(1.0 + 50.0 / rates + 2.0)


def test_one_face_alone_when_the_other_starts_too_late():
    # 3.6525 km at 10 m/day: one face needs exactly 1 yr; the other starts at 5 yr
    assert float(m.section_done_years(3652.5, 0.0, 5.0, 10.0)) == pytest.approx(1.0)


def test_cost_and_spoil_by_hand():
    assert float(m.tunnel_cost_busd(96.0, 3, 150.0, 1.2)) == pytest.approx(96 * 3 * 150 * 1.2 / 1000)
    area = math.pi / 4 * 7.6**2
    assert float(m.spoil_m3(area, 20_000, 1.5)) == pytest.approx(area * 20_000 * 1.5)


def _ref_rows():
    with (REPO / "geodata" / "economics" / "reference_class.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))


def test_unit_cost_fit_from_the_table_by_hand():
    # US$-denominated members only, so the conversion is CPI alone (BLS values typed here)
    cpi = {1990: 130.7, 1994: 148.2, 2025: 321.943}
    rows = {r["key"]: r for r in _ref_rows()}
    ch = rows["channel"]
    ch_unit = (float(ch["cost_bn"]) * cpi[2025] / cpi[1994] * 1000
               / (float(ch["length_km"]) * int(ch["n_bores"])))
    se = rows["seikan"]
    se_unit = (float(se["cost_bn"]) * cpi[2025] / cpi[1990] * 1000
               / (float(se["length_km"]) * int(se["n_bores"])))
    fit = m.unit_cost_fit("rail_tunnel", exclude=("gotthard", "lotschberg"))
    assert fit.values == pytest.approx({"channel": ch_unit, "seikan": se_unit})
    logs = np.log([ch_unit, se_unit])
    half = 6.3138 * np.std(logs, ddof=1) * math.sqrt(1.5)
    assert fit.low == pytest.approx(math.exp(logs.mean() - half))
    assert fit.high == pytest.approx(math.exp(logs.mean() + half))
    assert fit.central == pytest.approx(math.exp(logs.mean()))


def test_t_table_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in range(1, 31):
        assert m.student_t95(df) == pytest.approx(stats.t.ppf(0.95, df), abs=1e-4)


def test_input_table_ranges_come_from_the_references():
    t = m.inputs_by_name("rail")
    rates = [r.m_per_day for r in refs.SUSTAINED_RATES.values()]
    assert (t["tbm_rate_m_per_day"].low, t["tbm_rate_m_per_day"].high) == (min(rates), max(rates))
    fits = [f.years for f in refs.FITOUT_DURATIONS.values()]
    assert (t["fitout_years"].low, t["fitout_years"].high) == (min(fits), max(fits))
    assert t["season_factor"].high == pytest.approx(12 / 5)
    assert t["procurement_years"].low == pytest.approx(13 / 12)
    for i in t.values():
        assert i.low <= i.high, i.name
        assert i.source and i.why and i.unit, i.name
        assert i.assumption or i.sources, f"{i.name} has neither a source nor the assumption flag"
    # leave-one-out drops a project's own rates and fit-out
    loo = m.inputs_by_name("rail", exclude=("channel",))
    assert loo["tbm_rate_m_per_day"].high == 12.8
    assert "channel" not in m.unit_cost_fit(exclude=("channel",)).values


def test_loop_has_no_unit_cost_class():
    assert "unit_cost_musd_per_bore_km" not in m.inputs_by_name("loop")


def test_bad_mode_and_tiny_class_are_refused():
    with pytest.raises(MapAppError, match="not one of"):
        m.input_table("ferry")
    with pytest.raises(MapAppError, match="need two"):
        m.unit_cost_fit("rail_tunnel", exclude=("channel", "seikan", "gotthard"))


def test_whole_programme_vectorised_equals_each_sample():
    g = m.ProgrammeGeometry(96.0, 3, (44_000.0, 8_400.0, 43_800.0),
                            ("portal", "island", "island", "portal"), (None, 76.0, 78.0, None))
    rng = np.random.default_rng(1)
    n = 50
    samples = {"procurement_years": rng.uniform(1.08, 2.0, n),
               "portal_site_years": rng.uniform(0.5, 1.0, n),
               "shaft_sink_m_per_day": rng.uniform(1.0, 3.0, n),
               "launch_years": rng.uniform(0.25, 0.5, n),
               "season_factor": rng.uniform(1.2, 2.4, n),
               "tbm_rate_m_per_day": rng.uniform(5.9, 25.6, n),
               "fitout_years": rng.uniform(2.6, 6.2, n)}
    out = m.whole_programme_years(g, **samples)
    assert out.shape == (n,)
    for k in range(n):
        s = {key: v[k] for key, v in samples.items()}
        island = [(d / s["shaft_sink_m_per_day"] / 365.25 + s["launch_years"])
                  * s["season_factor"] for d in (76.0, 78.0)]
        site = [s["portal_site_years"], *island, s["portal_site_years"]]
        v = s["tbm_rate_m_per_day"] * 365.25
        done = []
        for j, length in enumerate(g.sections_m):
            a = max(s["procurement_years"], site[j])
            b = max(s["procurement_years"], site[j + 1])
            alone = min(a, b) + length / v
            done.append(alone if alone <= max(a, b) else (a + b) / 2 + length / (2 * v))
        assert out[k] == pytest.approx(max(done) + s["fitout_years"])
    cost = m.programme_cost_busd(g, np.array([100.0, 200.0]), 1.5)
    assert cost.tolist() == pytest.approx([96 * 3 * 100 * 1.5 / 1000, 96 * 3 * 200 * 1.5 / 1000])
