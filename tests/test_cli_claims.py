"""``python -m mapapp claims`` and ``backtest``: the JSON shapes of issue 13, parsed."""

from __future__ import annotations

import json

import pytest

from mapapp.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def dmitriev_rail():
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["claims", "dmitriev-2025", "--json"]) == 0
    return json.loads(buf.getvalue())


def test_claims_json_shape(dmitriev_rail):
    doc = dmitriev_rail
    assert isinstance(doc, list) and len(doc) == 1
    card = doc[0]
    assert card["route_id"] == "dmitriev-2025" and card["price_year"] == 2025
    quantities = [c["quantity"] for c in card["claims"]]
    assert quantities == ["length_km", "cost_busd", "duration_years"]
    for c in card["claims"]:
        assert {"quantity", "claimed", "unit", "low", "high", "verdict", "sources"} <= set(c)
        assert c["sources"] and all(u.startswith("http") for u in c["sources"])
    cost = card["claims"][1]
    assert cost["price_year"] == 2025 and cost["currency"] == "USD"
    assert cost["claimed"] == 8.0 and cost["verdict"].startswith("below the lowest estimate by")
    assert cost["low"] > 8.0
    sched = card["schedule"]
    assert sched["tbm_count"] == 18  # 3 bores × 2 faces × 3 sections (two islands)
    assert [p["name"].split(" ")[0] for p in sched["phases"]] == [
        "TBM", "Portal", "Island", "Boring:", "Fit-out,"]
    assert all(p["low_years"] <= p["high_years"] for p in sched["phases"])
    assert card["warnings"] and any("37.9 km" in w for w in card["warnings"])
    band = card["design_band"]
    lo, hi = band["length_km"]
    # the band spans cover 50–100 m and grade 1.0–1.25 %: the gentler, deeper design is longer
    assert hi - lo > 5.0 and band["price_year"] == 2025
    length = card["claims"][0]
    assert (length["low"], length["high"]) == (lo, hi)
    others = {o["who"]: o for o in card["other_estimates"]}
    assert any("Ter-Martirosyan" in k for k in others) and any("65" in o["as_reported"]
                                                                 for o in others.values())


def test_loop_mode_is_a_floor(capsys):
    code, out, _ = run(capsys, "claims", "dmitriev-2025", "--mode", "loop", "--json")
    assert code == 0
    (card,) = json.loads(out)
    assert card["mode"] == "loop" and card["floor"] is True
    cost = next(c for c in card["claims"] if c["quantity"] == "cost_busd")
    assert cost["high"] is None and "floor" in cost["verdict"]
    assert "floor" in card["cost"]["label"]
    code, out, _ = run(capsys, "claims", "dmitriev-2025", "--mode", "loop")
    assert "FLOOR, not an estimate" in out


def test_claims_text_and_base_year(capsys):
    code, out, _ = run(capsys, "claims", "razbegin-2025", "--base-year", "2020")
    assert code == 0
    assert "money in US$ of 2020" in out and "(2020 prices)" in out
    assert "Whole programme" in out and "TBMs" in out and "Design band" in out


def test_backtest_json_shape(capsys):
    code, out, err = run(capsys, "backtest", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert isinstance(rows, list) and rows
    for r in rows:
        assert {"project", "cost", "duration"} <= set(r)
        for part in ("cost", "duration"):
            if r[part] is not None:
                assert {"actual", "low", "high", "inside"} <= set(r[part])
                assert isinstance(r[part]["inside"], bool)
    assert {"channel", "gotthard", "seikan"} <= {r["project"] for r in rows}
    code, out, _ = run(capsys, "backtest")
    assert "MISS" in out and "leave-one-out" in out


@pytest.mark.parametrize("argv, message", [
    (["claims", "no-such-route"], "no preset route"),
    (["claims", "dmitriev-2025", "--base-year", "1850"], "no CPI-U value for 1850"),
    (["claims", "dmitriev-2025", "--mode", "ferry"], "invalid choice"),
    (["backtest", "--base-year", "3000"], "no CPI-U value for 3000"),
])
def test_errors_are_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and message in err
