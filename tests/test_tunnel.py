"""The tunnel model: exact alignments on analytic profiles, properties, references, real grid."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapapp.core import references as refs
from mapapp.core.errors import InputError, TunnelError
from mapapp.data.bathymetry import open_grid
from mapapp.engineering.profile import surface_runs
from mapapp.engineering.tunnel import (
    Bore,
    TunnelParams,
    design_tunnel,
    lower_envelope,
    tunnel_for_route,
)
from mapapp.routes.route import Route

RAIL = TunnelParams.preset("rail")
G = 0.0125


def profile(s, elev, surface, **attrs) -> pd.DataFrame:
    df = pd.DataFrame({"chainage_m": np.asarray(s, float), "elevation_m": np.asarray(elev, float),
                       "surface": list(surface)})
    df.attrs.update(attrs)
    return df


def flat_strait(land_start_m, land_end_m, length_m, seabed=-40.0, step=100.0, ground=0.0):
    """Land (at ``ground``) for s < land_start_m and s > land_end_m, flat seabed between."""
    s = np.arange(0.0, length_m + step / 2, step)
    land = (s < land_start_m) | (s > land_end_m)
    return profile(s, np.where(land, ground, seabed), np.where(land, "land", "sea"))


def route_part(df):
    return df[~df["virtual"]]


# --------------------------------------------------------------------- lower envelope
def test_lower_envelope_is_the_cone_minimum():
    s = np.array([0.0, 10.0, 25.0, 40.0, 100.0])
    c = np.array([5.0, np.nan, -10.0, np.inf, 0.0])
    z = lower_envelope(s, c, 0.5)
    brute = [min(cj + 0.5 * abs(si - sj) for sj, cj in zip(s, c, strict=True)
                 if np.isfinite(cj)) for si in s]
    np.testing.assert_allclose(z, brute)
    assert z.tolist() == [2.5, -2.5, -10.0, -2.5, 0.0]


# ------------------------------------------------------------------ exact alignments
def test_flat_strait_exact():
    # land at 0 m for s < 10 km and s > 60 km (100 m samples), seabed -40 m between
    res = design_tunnel(flat_strait(10_000, 60_000, 70_000), RAIL)
    # ceiling -90 under the sea; at 1.25 % the alignment reaches ground 90 / 0.0125 = 7.2 km
    # inland of the first/last sea sample (10 000 and 60 000 m)
    a = route_part(res.alignment)
    s = a["chainage_m"].to_numpy()
    expected = np.minimum(0.0, -90.0 + G * np.maximum(0, np.maximum(10_000 - s, s - 60_000)))
    np.testing.assert_allclose(a["tunnel_z_m"], expected, atol=1e-9)
    assert res.portal_start_m == 2_800 and res.portal_end_m == 67_200
    assert res.tunnel_length_m == pytest.approx(64_400)
    assert res.approach_needed_m_start == res.approach_needed_m_end == 0
    assert res.subsea_length_m == pytest.approx(50_100)  # shores half-way between samples
    assert res.max_water_depth_m == 40 and res.max_depth_below_sea_level_m == pytest.approx(90)
    assert res.max_invert_depth_below_sea_level_m == pytest.approx(97.6)  # + 7.6 m bore
    assert res.max_grade_pct == pytest.approx(1.25)
    area = 2 * math.pi / 4 * 7.6**2 + math.pi / 4 * 4.8**2
    assert res.excavated_volume_m3 == pytest.approx(area * 64_400)
    # access: two portals and two shore landfalls; one undersea stretch, two faces per bore
    assert [p.kind for p in res.access_points] == ["portal", "shore", "shore", "portal"]
    assert [p.chainage_m for p in res.access_points] == [2_800, 9_950, 60_050, 67_200]
    assert res.sections_m() == [64_400]
    assert res.longest_stretch_without_access_m == pytest.approx(50_100)
    assert res.faces_per_bore == 2
    assert res.warnings == []
    assert not hasattr(res, "cost_busd_low")  # money lives in mapapp.economics


def test_short_land_needs_approach_beyond_the_ends():
    # only 1 km of land at each end: the portal cannot be reached at 1.25 %
    res = design_tunnel(flat_strait(1_000, 49_000, 50_000), RAIL)
    # at s = 0: z = -90 + 0.0125 × 1000 = -77.5 -> 77.5 / 0.0125 = 6.2 km more needed
    assert res.approach_needed_m_start == pytest.approx(6_200)
    assert res.approach_needed_m_end == pytest.approx(6_200)
    assert res.portal_start_m == pytest.approx(-6_200)
    assert res.portal_end_m == pytest.approx(56_200)
    assert res.tunnel_length_m == pytest.approx(62_400)
    assert res.max_grade_pct == pytest.approx(1.25)
    a = res.alignment
    assert a["virtual"].sum() == 2
    ends = a[a["virtual"]]
    assert ends["chainage_m"].tolist() == pytest.approx([-6_200, 56_200])
    assert ends["tunnel_z_m"].tolist() == [0.0, 0.0]
    assert route_part(a)["tunnel_z_m"].iloc[0] == pytest.approx(-77.5)
    assert any("6.20 km of approach beyond the route start" in w for w in res.warnings)


def test_steeper_mode_needs_less_approach():
    df = flat_strait(1_000, 49_000, 50_000)
    road = design_tunnel(df, TunnelParams.preset("road"))
    # 5 %: 90 m in 1.8 km, the route has 1 km (first sea sample at 1 000 m)
    assert road.approach_needed_m_start == pytest.approx(800)
    loop = design_tunnel(df, TunnelParams.preset("loop"))
    assert loop.approach_needed_m_start == pytest.approx(90 / 0.08 - 1000)


def test_route_starting_at_sea_gets_a_portal_at_sea_level_beyond_it():
    s = np.arange(0.0, 20_001, 100.0)
    df = profile(s, np.where(s > 15_000, 0.0, -30.0), np.where(s > 15_000, "land", "sea"))
    res = design_tunnel(df, RAIL)
    assert res.approach_needed_m_start == pytest.approx(80 / G)  # from -80 m up to 0 m
    assert res.portal_start_elevation_m == 0.0
    assert any("starts at sea" in w for w in res.warnings)
    kinds = [p.kind for p in res.access_points]
    assert kinds[0] == "portal" and kinds.count("shore") == 2


def test_island_is_an_access_point_and_splits_the_drive():
    s = np.arange(0.0, 80_001, 100.0)
    island = (s >= 40_000) & (s <= 43_000)
    land = (s < 10_000) | (s > 70_000) | island
    df = profile(s, np.where(land, 0.0, -40.0), np.where(land, "land", "sea"))
    res = design_tunnel(df, RAIL)
    assert [p.kind for p in res.access_points] == [
        "portal", "shore", "island", "shore", "portal"]
    isl = res.islands[0]
    assert (isl.start_m, isl.end_m) == (39_950, 43_050)
    assert isl.chainage_m == (39_950 + 43_050) / 2 and isl.site_elevation_m == 0.0
    # the deepest crown under the island is at its shore (cell edge 39 950): the last sea
    # sample is at -90 m (40 m water + 50 m cover), 50 m further the crown may rise 1.25 % × 50
    assert isl.crown_m == pytest.approx(-90.0 + 0.0125 * 50)
    assert [st.length_m for st in res.stretches] == pytest.approx([30_000, 27_000])
    assert res.longest_stretch_without_access_m == pytest.approx(30_000)
    assert res.faces_per_bore == 4
    # launch sites: portal 2 800, island 41 500, portal 77 200 (7.2 km ramps inland)
    assert res.sections_m() == pytest.approx([41_500 - 2_800, 77_200 - 41_500])
    # under the island the tunnel keeps its cover below the (sea-level) terrain
    a = route_part(res.alignment)
    assert (a.loc[island, "tunnel_z_m"] <= -50 + 1e-9).all()


def test_gentle_seabed_is_followed_exactly():
    # seabed slope 0.4 % < 1.25 %: the shallowest tunnel is exactly seabed − cover
    s = np.arange(0.0, 60_001, 200.0)
    bed = -20.0 - 0.004 * np.minimum(s - 10_000, 50_000 - s)
    land = (s < 10_000) | (s > 50_000)
    df = profile(s, np.where(land, 5.0, bed), np.where(land, "land", "sea"))
    res = design_tunnel(df, RAIL)
    a = route_part(res.alignment)
    sea = a["surface"] == "sea"
    np.testing.assert_allclose(a.loc[sea, "tunnel_z_m"], a.loc[sea, "seabed_m"] - 50, atol=1e-9)
    assert res.max_water_depth_m == pytest.approx(100.0)  # -20 - 0.004 × 20 000
    assert res.max_depth_below_sea_level_m == pytest.approx(150.0)


def test_cliff_in_the_seabed():
    # shallow shelf -20 m up to 30 km, then a cliff down to -80 m: the alignment must dive
    # at 1.25 % *before* the cliff to be at -130 m under it
    s = np.arange(0.0, 60_001, 100.0)
    land = (s < 5_000) | (s > 55_000)
    bed = np.where(s < 30_000, -20.0, -80.0)
    df = profile(s, np.where(land, 0.0, bed), np.where(land, "land", "sea"))
    res = design_tunnel(df, RAIL)
    a = route_part(res.alignment)
    x = a["chainage_m"].to_numpy()
    inside = (x >= 5_000) & (x <= 30_000)
    expected = np.minimum(-70.0, -130.0 + G * (30_000 - x[inside]))
    np.testing.assert_allclose(a["tunnel_z_m"].to_numpy()[inside], expected, atol=1e-9)
    assert res.max_depth_below_sea_level_m == pytest.approx(130.0)


def test_nan_under_the_sea_is_reported_not_enforced():
    s = np.arange(0.0, 30_001, 100.0)
    land = (s < 5_000) | (s > 25_000)
    bed = np.where((s > 14_000) & (s < 16_000), np.nan, -40.0)
    res = design_tunnel(profile(s, np.where(land, 0.0, bed), np.where(land, "land", "sea")), RAIL)
    assert any("no grid value" in w and "not enforced" in w for w in res.warnings)
    assert res.max_water_depth_m == 40.0
    json.dumps(res.to_dict(), allow_nan=False)


def test_profiles_without_sea_or_malformed_are_tunnel_errors():
    with pytest.raises(TunnelError, match="does not cross the sea"):
        design_tunnel(profile([0, 100, 200], [5, 6, 7], ["land"] * 3), RAIL,
                      route=Route.from_coords("dry", "Dry", [(-170, 66), (-169, 66)]))
    with pytest.raises(TunnelError, match="non-decreasing"):
        design_tunnel(profile([0, 200, 100], [-5, -6, -7], ["sea"] * 3), RAIL)
    with pytest.raises(TunnelError, match="'sea' or 'land'"):
        design_tunnel(profile([0, 100], [-5, -6], ["sea", "lake"]), RAIL)
    with pytest.raises(TunnelError, match="lacks column"):
        design_tunnel(pd.DataFrame({"chainage_m": [0, 1]}), RAIL)


# -------------------------------------------------------------------------- properties
@st.composite
def profiles(draw):
    n = draw(st.integers(2, 60))
    steps = draw(st.lists(st.floats(1.0, 3_000.0), min_size=n - 1, max_size=n - 1))
    s = np.concatenate([[0.0], np.cumsum(steps)])
    elev = np.array(draw(st.lists(st.floats(-300.0, 300.0), min_size=n, max_size=n)))
    land = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if land.all():
        land[draw(st.integers(0, n - 1))] = False
    return profile(s, elev, np.where(land, "land", "sea"))


@settings(max_examples=150, deadline=None)
@given(profiles(), st.floats(0.2, 12.0), st.floats(0.0, 120.0))
def test_alignment_properties(df, grade_pct, cover):
    params = TunnelParams.preset("rail", max_grade_pct=grade_pct, cover_m=cover)
    res = design_tunnel(df, params)
    g = grade_pct / 100
    a = route_part(res.alignment)
    s, z = a["chainage_m"].to_numpy(), a["tunnel_z_m"].to_numpy()
    elev, land = df["elevation_m"].to_numpy(), (df["surface"] == "land").to_numpy()
    ground = np.where(land, np.maximum(elev, 0), np.minimum(elev, 0))
    runs = surface_runs(df["surface"])
    ends = np.zeros(len(df), bool)
    if runs[0][2] == "land":
        ends[: runs[0][1] + 1] = True
    if runs[-1][2] == "land":
        ends[runs[-1][0]:] = True
    # never above seabed − cover under the sea, terrain − cover under islands, ground at ends
    ceiling = np.where(ends, ground, ground - cover)
    assert (z <= ceiling + 1e-9).all()
    assert (z[~land] <= ground[~land] - cover + 1e-9).all()
    # never steeper than the limit
    assert (np.abs(np.diff(z)) <= g * np.diff(s) + 1e-9).all()
    assert res.max_grade_pct <= grade_pct + 1e-9
    # the shallowest such profile: the exact lower envelope of cones
    brute = np.min(ceiling[None, :] + g * np.abs(s[:, None] - s[None, :]), axis=1)
    np.testing.assert_allclose(z, brute, atol=1e-7)
    # meets the portals (ground at the ends, sea level if the route ends at sea)
    p0 = ground[0] if land[0] else 0.0
    p1 = ground[-1] if land[-1] else 0.0
    assert z[0] + g * res.approach_needed_m_start == pytest.approx(p0, abs=1e-6)
    assert z[-1] + g * res.approach_needed_m_end == pytest.approx(p1, abs=1e-6)
    assert res.approach_needed_m_start >= 0 and res.approach_needed_m_end >= 0
    # lengths, ranges
    assert res.tunnel_length_m == pytest.approx(res.portal_end_m - res.portal_start_m)
    assert res.tunnel_length_m >= res.subsea_length_m - 1e-6
    assert res.longest_stretch_without_access_m <= res.tunnel_length_m + 1e-6
    json.dumps(res.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------- parameters
def test_presets_come_from_the_references():
    rail, road, loop = (TunnelParams.preset(m) for m in ("rail", "road", "loop"))
    assert (rail.max_grade_pct, road.max_grade_pct, loop.max_grade_pct) == (1.25, 5.0, 8.0)
    assert rail.cover_m == road.cover_m == loop.cover_m == 50.0
    assert [(b.diameter_m, b.count, b.role) for b in rail.bores] == [
        (7.6, 2, "running"), (4.8, 1, "service")]
    assert rail.running_bores == 2 and rail.total_bores == 3
    assert [(b.diameter_m, b.count) for b in loop.bores] == [(3.66, 2)]  # 12 ft
    assert road.running_bores == 2
    assert any("no Boring Company" in a for a in loop.assumptions())
    assert rail.assumptions() == []
    for p in (rail, road, loop):
        assert p.sources() and all(u.startswith("http") for u in p.sources())


def test_overrides_are_marked_as_user_values():
    p = TunnelParams.preset("rail", cover_m=100, max_grade_pct=None)
    assert (p.cover_m, p.cover_ref, p.max_grade_pct, p.grade_ref) == (
        100.0, "user", 1.25, "rail_mainline")
    assert "cover set by the user (no reference)" in p.assumptions()
    assert p.replace(cover_m=60).cover_m == 60


@pytest.mark.parametrize("kw,match", [
    ({"max_grade_pct": 0}, "gradient"),
    ({"max_grade_pct": 45}, "gradient"),
    ({"max_grade_pct": float("nan")}, "finite"),
    ({"cover_m": -1}, "cover"),
    ({"cover_m": "deep"}, "number"),
    ({"bores": (Bore(0.1, 1),)}, "diameter"),
    ({"bores": ()}, "at least one bore"),
    ({"colour": "red"}, "unknown tunnel parameter"),
])
def test_bad_parameters_are_input_errors(kw, match):
    with pytest.raises(InputError, match=match):
        TunnelParams.preset("rail", **kw)
    with pytest.raises(InputError, match="mode"):
        TunnelParams.preset("hyperloop")


def test_reference_figures_are_consistent_with_their_published_values():
    u = refs.UNIT_COSTS
    assert u["channel_tunnel"].usd_m_per_km_low == pytest.approx(14_500 / 50.45, abs=0.05)
    assert u["gotthard_base"].usd_m_per_km_low == pytest.approx(10_200 / 57.09, abs=0.05)
    assert u["gotthard_base"].usd_m_per_km_high == pytest.approx(10_600 / 57.09, abs=0.05)
    assert u["boring_lvcc"].usd_m_per_km_low == pytest.approx(28 / 1.609344, abs=0.05)
    assert u["boring_lvcc"].usd_m_per_km_high == pytest.approx(31 / 1.609344, abs=0.05)
    assert u["claim_8bn"].usd_m_per_km_low == pytest.approx(8_000 / 112, abs=0.05)
    assert u["claim_8bn"].usd_m_per_km_high == pytest.approx(8_000 / 100)
    a = refs.ADVANCE_RATES
    assert a["channel_early"].m_per_day == pytest.approx(60 / 7, abs=0.005)
    assert a["prufrock_target"].m_per_day == pytest.approx(1609.344 / 7, abs=0.5)
    assert a["norway_drill_blast"].m_per_day == pytest.approx(5_800 / (54 * 7), abs=0.05)
    assert refs.BORE_REFERENCES["road_twin"].bores[0][0] == pytest.approx(
        math.sqrt(4 * 78 / math.pi), abs=0.005)
    for table in (refs.GRADE_LIMITS, refs.COVER_FIGURES, refs.BORE_REFERENCES, refs.UNIT_COSTS,
                  refs.ADVANCE_RATES, refs.BENCHMARK_TUNNELS):
        for key, item in table.items():
            assert item.key == key and item.sources
            assert all(url.startswith(("http://", "https://")) for url in item.sources)
    for d in refs.MODE_DEFAULTS.values():
        assert d["grade_ref"] in refs.GRADE_LIMITS and d["bores_ref"] in refs.BORE_REFERENCES


# ------------------------------------------------------------------------------ output
def test_to_dict_has_the_required_keys():
    df = flat_strait(10_000, 60_000, 70_000)
    route = Route.from_coords("t", "Test", [(-170, 66), (-169, 66)])
    d = design_tunnel(df, RAIL, route=route, grid_label="a test grid").to_dict()
    for key in ("tunnel_length_km", "subsea_length_km", "max_depth_below_sea_level_m",
                "max_water_depth_m", "max_grade_pct"):
        assert isinstance(d[key], float), key
    assert d["tunnel_length_km"] == pytest.approx(64.4)
    assert (d["route_id"], d["route_name"]) == ("t", "Test")
    assert [a["kind"] for a in d["access_points"]] == ["portal", "shore", "shore", "portal"]
    assert "indicative" in d["caveat"].lower() and "a test grid" in d["caveat"]
    assert not any("cost" in k or "duration" in k for k in d)
    json.dumps(d, allow_nan=False)


# ------------------------------------------------------------- synthetic raster, end to end
def test_tunnel_for_route_on_a_flat_synthetic_grid(grid_factory):
    g = open_grid(grid_factory(np.full((10, 20), -40.0, "float32")))  # lon -170..-168

    def coast(lons, lats):
        lons = np.asarray(lons)
        return (lons < -169.6) | (lons > -168.4)

    r = Route.from_coords("flat", "Flat", [(-169.95, 65.5), (-168.05, 65.5)])
    res = tunnel_for_route(r, g, RAIL, step_m=100, land_mask=coast)
    assert res.max_water_depth_m == pytest.approx(40.0, abs=1e-9)
    assert res.max_depth_below_sea_level_m == pytest.approx(90.0)
    a = route_part(res.alignment)
    first_sea = a.loc[a["surface"] == "sea", "chainage_m"].min()
    last_sea = a.loc[a["surface"] == "sea", "chainage_m"].max()
    # the land is clipped to sea level (the grid says -40 there): portals 7.2 km inland
    assert res.portal_start_m == pytest.approx(first_sea - 7_200, abs=100)
    assert res.tunnel_length_m == pytest.approx(last_sea - first_sea + 14_400, abs=200)
    assert "Flat" == res.route_name and res.step_m == pytest.approx(100, rel=1e-2)


# ------------------------------------------------------------------------ real ETOPO5
def test_real_etopo5_diomede_route():
    # Cape Dezhnev -> Big Diomede -> Little Diomede -> Cape Prince of Wales (fact base §2)
    r = Route.from_coords("diomede", "Diomede", [(-169.6519, 66.0792), (-169.0569, 65.7811),
                                                 (-168.9208, 65.7542), (-168.0847, 65.5964)],
                          claims={"cost_busd": {"value": 8, "bound": "upper"}})
    res = tunnel_for_route(r, open_grid())
    from mapapp.economics.estimate import estimate
    # published water depths: 30–50 m average, max 53–55 m (fact base §3c)
    assert 30.0 <= res.max_water_depth_m <= 55.0
    assert 25.0 <= res.mean_water_depth_m <= 50.0
    # with gentle 5′ slopes the deepest crown is the deepest seabed + 50 m of cover
    assert res.max_depth_below_sea_level_m == pytest.approx(res.max_water_depth_m + 50, abs=0.5)
    # two islands; undersea legs of 36–43 km between shore and island (fact base §3a)
    assert len(res.islands) == 2
    assert 33_000 <= res.longest_stretch_without_access_m <= 45_000
    assert res.faces_per_bore == 6
    # route 92.1 km; approaches add at most 2 × 100 m / 1.25 % = 16 km
    assert 92_000 <= res.tunnel_length_m <= 92_100 + 16_000
    assert res.subsea_length_m < res.route_length_m
    # as-built unit costs put the tunnel well above the "$8 bn" claim
    assert estimate(res).cost.low_busd > 8.0
    assert "ETOPO5" in res.caveat and "5′ × 5′" in res.caveat
