"""Monte Carlo machinery in-process: distributions, chunking and seeds, analytic percentiles,
claim probabilities, the tornado, the CLI's JSON shape and its one-line errors."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from mapapp.cli import main
from mapapp.core.errors import InputError, MapAppError
from mapapp.uncertainty.cluster import (
    ClusterError,
    InProcessRunner,
    RunCancelled,
    chunk_seeds,
    chunk_sizes,
    open_runner,
)
from mapapp.uncertainty.distributions import Distribution, InputSpec, vertical_uncertainty
from mapapp.uncertainty.model import claims_of, trilinear
from mapapp.uncertainty.sweep import SweepModel, likelihood_words, run_sweep


# ------------------------------------------------------------------ a model with known answers
@dataclass
class Ctx:
    route_id: str = "r"
    route_name: str = "R"
    length_km: float = 100.0
    claims: list = field(default_factory=list)


def lognormal_fn(ctx, s):
    # cost = the sampled lognormal; length fixed; duration = a uniform
    n = s["cost"].size
    return {"length_km": np.full(n, ctx.length_km), "cost_busd": s["cost"],
            "duration_years": s["years"]}


def linear_fn(ctx, s):
    # cost = 2 a + b, duration = a (for the tornado)
    return {"length_km": np.full(s["a"].size, ctx.length_km),
            "cost_busd": 2 * s["a"] + s["b"], "duration_years": s["a"]}


def _model(fn=lognormal_fn, inputs=None):
    inputs = inputs or (
        InputSpec("cost", "Cost", "US$ bn", Distribution.lognormal_p10_p90(2.0, 8.0), "test",
                  "test"),
        InputSpec("years", "Years", "years", Distribution.uniform(6.0, 10.0), "test", "test"),
    )
    return SweepModel("test", tuple(inputs), fn, price_year=2025)


# ------------------------------------------------------------------ distributions
def test_lognormal_from_p10_p90_by_hand():
    d = Distribution.lognormal_p10_p90(2.0, 8.0)
    # hand: mu = ln 4; sigma = ln 4 / (2 z90), z90 = 1.281552
    assert d.a == pytest.approx(math.log(4.0))
    assert d.b == pytest.approx(math.log(4.0) / (2 * 1.2815516), rel=1e-6)
    assert d.ppf([0.1, 0.5, 0.9]).tolist() == pytest.approx([2.0, 4.0, 8.0])


def test_triangular_and_uniform_quantiles_by_hand():
    t = Distribution.triangular(0.0, 0.0, 1.0)  # density 2(1 - x): F(x) = 1 - (1 - x)²
    assert float(t.ppf(0.75)) == pytest.approx(0.5)
    assert Distribution.uniform(2, 4).ppf([0.25]).tolist() == [2.5]


@pytest.mark.parametrize("bad", [lambda: Distribution.lognormal_p10_p90(0, 1),
                                 lambda: Distribution.uniform(3, 1),
                                 lambda: Distribution("weibull", 1.0),
                                 lambda: Distribution.normal(0, float("nan"))])
def test_bad_distributions_are_input_errors(bad):
    with pytest.raises(InputError):
        bad()


def test_vertical_uncertainty_coarse_grid_is_wider():
    assert vertical_uncertainty("ETOPO5 5′ (embedded, coarse)").sigma_m == 20.0
    assert vertical_uncertainty("etopo2022_15s_bering").sigma_m == 10.0
    assert vertical_uncertainty("gmrt_max").sigma_m < vertical_uncertainty("etopo5").sigma_m
    unknown = vertical_uncertainty("my_survey")
    assert unknown.assumption and unknown.sigma_m == 20.0


# ------------------------------------------------------------------ chunks and seeds
def test_chunk_sizes_cover_every_scenario():
    assert chunk_sizes(10_001, 5_000) == [5000, 5000, 1]
    assert sum(chunk_sizes(123_457, 999)) == 123_457
    with pytest.raises(InputError):
        chunk_sizes(0)


def test_chunk_seeds_are_the_spawned_children():
    kids = np.random.SeedSequence(42).spawn(3)
    mine = chunk_seeds(42, 3)
    for a, b in zip(kids, mine, strict=True):
        assert np.random.default_rng(a).random(4).tolist() == \
            np.random.default_rng(b).random(4).tolist()
    with pytest.raises(InputError):
        chunk_seeds(-1, 2)


def test_in_process_runner_progress_and_cancel():
    seen = []
    with InProcessRunner() as r:
        assert r.map(divmod, [(7, 2), (9, 4)], progress=lambda d, t: seen.append((d, t))) == \
            [(3, 1), (2, 1)]
    assert seen == [(1, 2), (2, 2)]
    with pytest.raises(RunCancelled):
        InProcessRunner().map(divmod, [(1, 1)], cancel=lambda: True)


def test_bad_scheduler_address_is_one_sentence():
    with pytest.raises(ClusterError) as e:
        open_runner("not an address")
    assert "\n" not in str(e.value) and "tcp://" in str(e.value)
    assert isinstance(e.value, MapAppError)


# ------------------------------------------------------------------ the sweep
def test_lognormal_percentiles_recovered_within_sampling_error():
    n = 200_000
    (r,) = run_sweep([Ctx()], _model(), n, seed=3, chunk=20_000)
    sigma = math.log(4.0) / (2 * 1.2815516)
    # standard error of a sample quantile in log space: sqrt(p(1-p)/n) / phi(z_p) * sigma
    for p, z, want in ((0.1, -1.2815516, 2.0), (0.5, 0.0, 4.0), (0.9, 1.2815516, 8.0)):
        phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        se_log = math.sqrt(p * (1 - p) / n) / phi * sigma
        got = getattr(r.percentiles["cost_busd"], f"p{round(p * 100)}")
        assert abs(math.log(got / want)) < 4 * se_log, (p, got, want)
    # uniform 6..10: P10 6.4, P90 9.6
    assert r.percentiles["duration_years"].p10 == pytest.approx(6.4, abs=0.03)
    assert r.percentiles["duration_years"].p90 == pytest.approx(9.6, abs=0.03)
    assert r.percentiles["length_km"].p50 == 100.0


def test_same_seed_same_numbers_and_other_seed_differs():
    a = run_sweep([Ctx()], _model(), 12_345, seed=7, chunk=1000)[0]
    b = run_sweep([Ctx()], _model(), 12_345, seed=7, chunk=1000)[0]
    c = run_sweep([Ctx()], _model(), 12_345, seed=8, chunk=1000)[0]
    assert a.to_dict()["percentiles"] == b.to_dict()["percentiles"]
    assert np.array_equal(a.outputs["cost_busd"], b.outputs["cost_busd"])
    assert a.percentiles["cost_busd"] != c.percentiles["cost_busd"]


def test_claim_probabilities_match_the_distribution():
    claims = [{"key": "cost_busd", "quantity": "cost_busd", "claimed": 4.0, "bound": "upper"},
              {"key": "big", "quantity": "cost_busd", "claimed": 8.0, "bound": "lower"},
              {"key": "duration_years", "quantity": "duration_years", "claimed": 7.0,
               "bound": "upper"}]
    n = 100_000
    (r,) = run_sweep([Ctx(claims=claims)], _model(), n, seed=1)
    got = {c.key: c for c in r.claims}
    # P(cost ≤ median) = 0.5; P(cost ≥ P90) = 0.1; P(U(6,10) ≤ 7) = 0.25
    for key, want in (("cost_busd", 0.5), ("big", 0.1), ("duration_years", 0.25)):
        se = math.sqrt(want * (1 - want) / n)
        assert abs(got[key].probability - want) < 4 * se
        assert got[key].std_error == pytest.approx(se, rel=0.05)
    assert got["cost_busd"].words == "about as likely as not"  # p ≈ 0.5


def test_tornado_ranks_by_cost_swing_by_hand():
    inputs = (InputSpec("a", "A", "", Distribution.uniform(0.0, 10.0), "t", "t"),
              InputSpec("b", "B", "", Distribution.uniform(0.0, 30.0), "t", "t"))
    (r,) = run_sweep([Ctx()], _model(linear_fn, inputs), 10, seed=0)
    # a: P10 1 → P90 9 moves cost 2·8 = 16; b: 3 → 27 moves it 24 → b first
    assert [s.name for s in r.sensitivity] == ["b", "a"]
    b, a = r.sensitivity
    assert b.swing_cost == pytest.approx(24.0) and a.swing_cost == pytest.approx(16.0)
    assert a.swing_duration == pytest.approx(8.0) and b.swing_duration == 0.0
    # others at their medians: cost at a's P10 = 2·1 + 15
    assert a.cost_low == pytest.approx(17.0)


def test_likelihood_words_scale():
    assert [likelihood_words(p) for p in (0.995, 0.95, 0.7, 0.2, 0.05, 0.001)] == [
        "virtually certain", "very likely", "likely", "unlikely", "very unlikely",
        "exceptionally unlikely"]


def test_trilinear_reproduces_a_linear_function():
    axes = (np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0]), np.array([-1.0, 1.0]))
    X, Y, Z = np.meshgrid(*axes, indexing="ij")
    vals = 2 * X + 3 * Y - Z + 1
    x, y, z = np.array([0.5, 2.0, 5.0]), np.array([1.0, 0.5, 1.0]), np.array([0.0, 0.5, 9.0])
    # the last point is clipped to the lattice: (3, 1, 1)
    assert trilinear(axes, vals, x, y, z).tolist() == pytest.approx(
        [2 * 0.5 + 3 - 0 + 1, 4 + 1.5 - 0.5 + 1, 6 + 3 - 1 + 1])


def test_claims_of_reads_bounds():
    class R:
        claims = {"length_km": {"value": 112.7, "unit": "km"},
                  "cost_busd": {"value": 8, "bound": "upper"},
                  "traditional_cost_busd": {"value": 65, "bound": "lower"},
                  "segments_km": {"value": [36, 36]}}

    rows = {c["key"]: c for c in claims_of(R())}
    assert set(rows) == {"length_km", "cost_busd", "traditional_cost_busd"}
    assert rows["traditional_cost_busd"]["quantity"] == "cost_busd"
    assert rows["traditional_cost_busd"]["bound"] == "lower"
    assert rows["length_km"]["bound"] == "upper"


# ------------------------------------------------------------------ CLI (in-process)
def test_cli_sweep_json_shape(capsys):
    assert main(["sweep", "dmitriev-2025", "--samples", "2000", "--seed", "1", "--in-process",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and len(out) == 1
    r = out[0]
    for key in ("percentiles", "claims", "sensitivity", "seed", "samples", "price_year",
                "versions"):
        assert key in r
    assert set(r["percentiles"]) == {"length_km", "cost_busd", "duration_years"}
    for p in r["percentiles"].values():
        assert set(p) == {"p10", "p50", "p90"} and p["p10"] <= p["p50"] <= p["p90"]
    assert r["seed"] == 1 and r["samples"] == 2000
    assert {c["quantity"] for c in r["claims"]} >= {"length_km", "cost_busd",
                                                   "duration_years"}
    assert all(0.0 <= c["probability"] <= 1.0 and "claimed" in c for c in r["claims"])
    # the Dmitriev preset claims "under $8 bn": its claimed value is read from the preset
    assert any(c["quantity"] == "cost_busd" and c["claimed"] == 8.0 for c in r["claims"])


def test_cli_sweep_out_dir_writes_scenarios(tmp_path, capsys):
    assert main(["sweep", "direct-shortest", "--samples", "300", "--in-process",
                 "--out", str(tmp_path / "o")]) == 0
    data = json.loads((tmp_path / "o" / "sweep.json").read_text())
    lines = (tmp_path / "o" / "direct-shortest-scenarios.csv").read_text().splitlines()
    assert lines[0] == "length_km,cost_busd,duration_years" and len(lines) == 301
    costs = np.array([float(x.split(",")[1]) for x in lines[1:]])
    # the P50 in the JSON is the median of the scenarios written (to 6 significant digits)
    assert np.median(costs) == pytest.approx(data[0]["percentiles"]["cost_busd"]["p50"],
                                             rel=1e-5)


@pytest.mark.parametrize("argv, words", [
    (["sweep", "no-such-route", "--in-process"], "preset"),
    (["sweep", "dmitriev-2025", "--samples", "0"], "at least 1"),
    (["sweep", "dmitriev-2025", "--seed", "-3"], "seed"),
    (["sweep", "dmitriev-2025", "--scheduler", "bogus address"], "scheduler address"),
    (["ensemble", "--start", "Uelen", "--end", "Wales", "--out", "x.png"], ".tif"),
])
def test_cli_errors_are_one_line(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and words in err


# ------------------------------------------------------------------ the economics adapter
def test_economics_fn_matches_a_hand_computation_at_a_lattice_node():
    from mapapp.data.bathymetry import open_grid
    from mapapp.engineering.profile import sample_profile
    from mapapp.engineering.tunnel import TunnelParams, design_tunnel
    from mapapp.routes.presets import get_preset
    from mapapp.uncertainty.model import economics_fn, route_context

    route = get_preset("direct-shortest")
    ctx = route_context(route)
    assert ctx.site_kinds == ("portal", "portal")  # no island on the shortest line
    # the tunnel designed directly at cover 75 m, grade 1.125 %, grid as is (a lattice node)
    prof = sample_profile(route, open_grid())
    res = design_tunnel(prof, TunnelParams.preset("rail").replace(cover_m=75.0,
                                                                  max_grade_pct=1.125),
                        route=route)
    one = lambda v: np.array([float(v)])  # noqa: E731
    s = {"cover_m": one(75), "grade_pct": one(1.125), "grid_bias_m": one(0),
         "unit_cost_musd_per_bore_km": one(200), "arctic_cost_factor": one(1.2),
         "tbm_rate_m_per_day": one(10), "procurement_years": one(1.5),
         "portal_site_years": one(0.75), "shaft_sink_m_per_day": one(2),
         "launch_years": one(0.3), "season_factor": one(1.5), "fitout_years": one(4)}
    out = economics_fn(ctx, s)
    km = res.tunnel_length_m / 1000
    assert out["length_km"][0] == pytest.approx(km, rel=1e-9)
    # cost: km × bores × US$ 200 M × 1.2, in US$ bn
    assert out["cost_busd"][0] == pytest.approx(km * ctx.n_bores * 200 * 1.2 / 1000)
    # duration: both faces start when TBMs (1.5 yr) and portals (0.75 yr) are ready, meet in
    # the middle at 10 m/day each, then 4 years of fit-out
    section = res.sections_m()[0]
    assert out["duration_years"][0] == pytest.approx(1.5 + section / 2 / 10 / 365.25 + 4)


def test_loop_mode_is_refused_in_words():
    from mapapp.routes.presets import get_preset
    from mapapp.uncertainty.model import route_context

    with pytest.raises(InputError, match="floor"):
        route_context(get_preset("direct-shortest"), mode="loop")


# ------------------------------------------------------------------ report scorecard bars
def test_attach_to_scorecards_uses_the_sweep_percentiles():
    from mapapp.uncertainty.sweep import attach_to_scorecards

    claims = [{"key": "cost_busd", "quantity": "cost_busd", "claimed": 4.0, "bound": "upper"}]
    (r,) = run_sweep([Ctx(claims=claims)], _model(), 5000, seed=2)
    cards = [{"route_id": "r", "claims": [{"quantity": "cost_busd", "claimed": 4.0},
                                          {"quantity": "other", "claimed": 1.0}]},
             {"route_id": "elsewhere", "claims": [{"quantity": "cost_busd", "claimed": 4.0}]}]
    out = attach_to_scorecards(cards, [r])
    u = out[0]["claims"][0]["uncertainty"]
    costs = r.outputs["cost_busd"]
    assert u["p10"] == np.percentile(costs, 10) and u["p90"] == np.percentile(costs, 90)
    assert u["probability"] == np.count_nonzero(costs <= 4.0) / costs.size
    assert "uncertainty" not in out[0]["claims"][1] and "uncertainty" not in out[1]["claims"][0]
    assert "uncertainty" not in cards[0]["claims"][0]  # the input is not modified


def test_render_scorecard_with_uncertainty_bars(tmp_path, capsys):
    out = tmp_path / "r.png"
    assert main(["render", "dmitriev-2025", "--scorecard", "--uncertainty", "500",
                 "--out", str(out)]) == 0
    from PIL import Image

    with Image.open(out) as im:
        assert im.format == "PNG" and im.size[0] > 500


def test_economics_fn_agrees_with_the_economics_models_own_programme_on_an_island_route():
    from mapapp.data.bathymetry import open_grid
    from mapapp.economics import model as econ
    from mapapp.engineering.profile import sample_profile
    from mapapp.engineering.tunnel import TunnelParams, design_tunnel
    from mapapp.routes.presets import get_preset
    from mapapp.uncertainty.model import economics_fn, route_context

    route = get_preset("dmitriev-2025")
    ctx = route_context(route)
    assert "island" in ctx.site_kinds
    params = TunnelParams.preset("rail").replace(cover_m=100.0, max_grade_pct=1.0)
    res = design_tunnel(sample_profile(route, open_grid()), params, route=route)
    d_max = params.max_diameter_m
    geometry = econ.ProgrammeGeometry(
        res.tunnel_length_m / 1000, params.total_bores, tuple(res.sections_m()),
        tuple(s.kind for s in res.shaft_sites),
        tuple((s.site_elevation_m or 0.0) - s.crown_m + d_max if s.kind == "island" else None
              for s in res.shaft_sites))
    draws = {"unit_cost_musd_per_bore_km": 150.0, "arctic_cost_factor": 1.25,
             "tbm_rate_m_per_day": 12.0, "procurement_years": 1.5, "portal_site_years": 0.8,
             "shaft_sink_m_per_day": 2.0, "launch_years": 0.4, "season_factor": 2.0,
             "fitout_years": 4.0}
    s = {k: np.array([v]) for k, v in draws.items()}
    s.update(cover_m=np.array([100.0]), grade_pct=np.array([1.0]), grid_bias_m=np.array([0.0]))
    out = economics_fn(ctx, s)
    want_years = econ.whole_programme_years(
        geometry, draws["procurement_years"], draws["portal_site_years"],
        draws["shaft_sink_m_per_day"], draws["launch_years"], draws["season_factor"],
        draws["tbm_rate_m_per_day"], draws["fitout_years"])
    assert out["duration_years"][0] == pytest.approx(float(want_years), rel=1e-9)
    assert out["cost_busd"][0] == pytest.approx(
        float(econ.programme_cost_busd(geometry, 150.0, 1.25)), rel=1e-9)
