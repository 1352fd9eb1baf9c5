"""Presets: content, provenance, and the landfall waypoints pinned to the GSHHG coastline."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from mapapp.core.errors import DatasetError, InputError
from mapapp.core.geodesy import distance
from mapapp.core.paths import geodata_dir
from mapapp.data.coastline import closest_shore_points, is_land, nearest_shore_point
from mapapp.routes.presets import claim_value, get_preset, load_presets, preset_ids

REQUIRED = {
    "dmitriev-2025",
    "razbegin-2025",
    "tkm-world-link-2007",
    "ibstrg-1990s",
    "direct-shortest",
    "hypothetical-fairway-rock",
}
CPW_A = (-168.0847, 65.5964)
CPW_B = (-168.12, 65.64)


def test_all_required_presets_exist_with_sources_and_notes():
    presets = load_presets()
    assert REQUIRED <= {r.id for r in presets}
    for r in presets:
        assert r.origin == "preset"
        assert r.sources and all(re.match(r"https?://", u) for u in r.sources), r.id
        assert "geometry" in r.notes.lower(), r.id
        assert len(r.waypoints) >= 2


def test_claim_figures_as_published():
    assert claim_value(get_preset("dmitriev-2025"), "length_km") == 112.7  # 70 mi
    assert claim_value(get_preset("dmitriev-2025"), "cost_busd") == 8
    assert get_preset("dmitriev-2025").claims["cost_busd"]["bound"] == "upper"
    assert claim_value(get_preset("razbegin-2025"), "segments_km") == [51, 4.5, 51]
    assert claim_value(get_preset("tkm-world-link-2007"), "length_km") == 103
    assert claim_value(get_preset("ibstrg-1990s"), "segments_km") == [36.4, None, 36.25]
    # the strait's width is not a tunnel-length claim
    assert claim_value(get_preset("direct-shortest"), "strait_min_width_km") == [82, 86]
    assert "length_km" not in get_preset("direct-shortest").claims
    # Razbegin carries his own estimate, not Dmitriev's
    assert claim_value(get_preset("razbegin-2025"), "cost_busd") == [7, 15]
    assert claim_value(get_preset("razbegin-2025"), "duration_years") == [7, 15]
    assert claim_value(get_preset("razbegin-2025"), "corridor_cost_busd") == [35, 40]
    assert get_preset("hypothetical-fairway-rock").claims == {}
    assert "HYPOTHETICAL" in get_preset("hypothetical-fairway-rock").name
    # the stored km value is the quoted statute miles converted (1 mi = 1.609344 km, exact)
    length = get_preset("dmitriev-2025").claims["length_km"]
    miles = float(re.search(r"(\d+(?:\.\d+)?)-mile", length["text"]).group(1))
    assert miles == 70
    assert length["value"] == pytest.approx(miles * 1.609344, abs=0.05)


def test_unknown_preset_lists_the_ids():
    with pytest.raises(InputError, match="dmitriev-2025"):
        get_preset("nope")


def test_presets_are_fresh_copies():
    a = get_preset("direct-shortest")
    a.waypoints[0].name = "changed"
    assert get_preset("direct-shortest").waypoints[0].name != "changed"


def test_cape_prince_of_wales_coordinates_against_gshhg():
    """Both published coordinates are on land; B is the one at the cape (westernmost point)."""
    assert is_land(*CPW_A) and is_land(*CPW_B)
    _, _, da = nearest_shore_point(*CPW_A, "Seward Peninsula mainland")
    _, _, db = nearest_shore_point(*CPW_B, "Seward Peninsula mainland")
    assert da == pytest.approx(562, abs=2)
    assert db == pytest.approx(528, abs=2)
    assert distance(*CPW_A, *CPW_B) / 1000 == pytest.approx(5.13, abs=0.01)
    # the recorded choice: the preset's CPW landfall is the shore point nearest to B
    cpw = get_preset("ibstrg-1990s").waypoints[-1]
    lon, lat, _ = nearest_shore_point(*CPW_B, "Seward Peninsula mainland")
    assert distance(cpw.lon, cpw.lat, lon, lat) < 2.0


def test_razbegin_follows_his_published_segments():
    r = get_preset("razbegin-2025")
    legs = [x / 1000 for x in r.legs_m()]
    # 51 km portal -> Big Diomede site, 4.5 km between the island sites, 51 km to the portal
    # (bent at the Seward Peninsula shore point so as not to cross Lopp Lagoon)
    assert legs[0] == pytest.approx(51.0, abs=0.01) and legs[1] == pytest.approx(4.5, abs=0.01)
    assert sum(legs[2:]) == pytest.approx(51.0, abs=0.01)
    assert 98 <= r.length_m() / 1000 <= 112
    bd, ld = r.waypoints[1], r.waypoints[2]
    assert is_land(bd.lon, bd.lat) and is_land(ld.lon, ld.lat)
    assert is_land(r.waypoints[0].lon, r.waypoints[0].lat)
    assert is_land(r.waypoints[-1].lon, r.waypoints[-1].lat)
    # the island sites lie on the line through the Diomedes' closest shore points
    a, b, gap = closest_shore_points("Big Diomede", "Little Diomede")
    assert distance(bd.lon, bd.lat, *a) + gap + distance(*b, ld.lon, ld.lat) == pytest.approx(
        4500, abs=5)
    slon, slat, _ = nearest_shore_point(r.waypoints[3].lon, r.waypoints[3].lat,
                                        "Seward Peninsula mainland")
    assert distance(r.waypoints[3].lon, r.waypoints[3].lat, slon, slat) < 2.0


@pytest.mark.parametrize("pid", ["dmitriev-2025"])
def test_shortest_island_chain_is_the_closest_shore_pairs(pid):
    wps = get_preset(pid).waypoints
    pairs = [
        closest_shore_points("Chukotka mainland", "Big Diomede"),
        closest_shore_points("Big Diomede", "Little Diomede"),
        closest_shore_points("Little Diomede", "Seward Peninsula mainland"),
    ]
    expected = [p for a, b, _ in pairs for p in (a, b)]
    assert len(wps) == 6
    for w, (lon, lat) in zip(wps, expected, strict=True):
        assert distance(w.lon, w.lat, lon, lat) < 2.0  # stored to 1e-5 degrees


def test_direct_crossing_is_the_mainland_closest_pair():
    r = get_preset("direct-shortest")
    a, b, d = closest_shore_points("Chukotka mainland", "Seward Peninsula mainland")
    assert distance(r.waypoints[0].lon, r.waypoints[0].lat, *a) < 2.0
    assert distance(r.waypoints[1].lon, r.waypoints[1].lat, *b) < 2.0
    assert r.length_m() == pytest.approx(d, abs=3.0)


def _shore_distance_m(w, landmass):
    return nearest_shore_point(w.lon, w.lat, landmass)[2]


@pytest.mark.parametrize(
    "pid, landmasses",
    [
        ("tkm-world-link-2007", ["Chukotka mainland", "Big Diomede", "Big Diomede",
                                 "Little Diomede", "Little Diomede", "Seward Peninsula mainland"]),
        ("ibstrg-1990s", ["Chukotka mainland", "Big Diomede", "Big Diomede",
                          "Little Diomede", "Little Diomede", "Seward Peninsula mainland"]),
        ("hypothetical-fairway-rock", ["Chukotka mainland", "Big Diomede", "Big Diomede",
                                       "Little Diomede", "Little Diomede", None,
                                       "Seward Peninsula mainland"]),
    ],
)
def test_waypoints_are_landfalls_on_the_gshhg_coast_not_centres(pid, landmasses):
    wps = get_preset(pid).waypoints
    assert len(wps) == len(landmasses)
    for w, land in zip(wps, landmasses, strict=True):
        if land is None:  # Fairway Rock: absent from GSHHG; the centre of its OSM polygon
            assert not is_land(w.lon, w.lat) and is_land(w.lon, w.lat, source="osm")
            assert distance(w.lon, w.lat, -168.7426, 65.6253) < 250  # published position
            continue
        assert _shore_distance_m(w, land) < 2.0, (pid, w)


def test_tkm_length_close_to_its_claim():
    # claimed ~103 km; landfalls at Uelen / Wales shores give 103.07 km
    assert get_preset("tkm-world-link-2007").length_m() / 1000 == pytest.approx(103.07, abs=0.02)


def test_missing_or_broken_preset_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPAPP_GEODATA", str(tmp_path))
    with pytest.raises(DatasetError, match="preset file missing"):
        load_presets()
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "routes.json").write_text('{"routes": [\n  {"id": }\n]}')
    with pytest.raises(DatasetError, match="not valid JSON"):
        load_presets()


def test_preset_file_under_mapapp_geodata(tmp_path, monkeypatch):
    shutil.copytree(geodata_dir() / "presets", tmp_path / "presets")
    doc = json.loads((tmp_path / "presets" / "routes.json").read_text())
    doc["routes"] = doc["routes"][:1]
    (tmp_path / "presets" / "routes.json").write_text(json.dumps(doc))
    monkeypatch.setenv("MAPAPP_GEODATA", str(tmp_path))
    assert preset_ids() == ["dmitriev-2025"]
