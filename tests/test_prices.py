"""Price levels: CPI-U ratios and exchange rates, checked against the tables parsed here
and against figures published elsewhere (Federal Reserve G.5A, reference-class.md §D)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from mapapp.core.errors import MapAppError
from mapapp.economics import prices
from mapapp.economics.prices import Money, cpi_ratio, fx_rate, to_base
from tests.conftest import REPO

ECON = REPO / "geodata" / "economics"


def _table(name):
    with (ECON / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))


def test_cpi_ratio_from_the_table_by_hand():
    rows = {int(r["year"]): float(r["index"]) for r in _table("cpi_u_annual.csv")}
    assert cpi_ratio(1994, 2025) == pytest.approx(rows[2025] / rows[1994])
    # the same years typed from reference-class.md §D (BLS CUUR0000SA0): 321.943 / 148.2
    assert cpi_ratio(1994, 2025) == pytest.approx(321.943 / 148.2, rel=1e-12)
    assert cpi_ratio(2010, 2020) == pytest.approx(258.811 / 218.056, rel=1e-12)
    assert cpi_ratio(2025, 2025) == 1.0


@pytest.mark.parametrize("year, value", [(1987, 113.6), (1988, 118.3), (1994, 148.2),
                                         (2000, 172.2), (2014, 236.736), (2016, 240.007),
                                         (2023, 304.702), (2024, 313.689)])
def test_cpi_matches_reference_file(year, value):
    assert prices.cpi(year) == value


# Federal Reserve G.5A annual averages (reference-class.md §D, [101]–[104]): the ECB-derived
# annual means must agree within 0.5 %.
@pytest.mark.parametrize("cur, year, fed, quote", [
    ("EUR", 2014, 1.3297, "usd_per"), ("EUR", 2015, 1.1096, "usd_per"),
    ("EUR", 2020, 1.1410, "usd_per"), ("EUR", 2023, 1.0817, "usd_per"),
    ("CHF", 2014, 0.9147, "per_usd"), ("CHF", 2015, 0.9628, "per_usd"),
    ("CHF", 2023, 0.8984, "per_usd"), ("JPY", 2015, 121.05, "per_usd"),
    ("JPY", 2025, 149.5686, "per_usd"), ("GBP", 2024, 1.2781, "usd_per"),
    ("GBP", 2025, 1.3192, "usd_per"), ("DKK", 2015, 6.7263, "per_usd"),
    ("NOK", 2015, 8.0681, "per_usd"), ("CNY", 2015, 6.2827, "per_usd"),
])
def test_exchange_rates_agree_with_federal_reserve(cur, year, fed, quote):
    expected = 1.0 / fed if quote == "usd_per" else fed
    assert fx_rate(cur, year) == pytest.approx(expected, rel=5e-3)


def test_to_base_by_hand():
    # £4.8 bn of 1985 (Channel Tunnel estimate): × 1.2974 US$/£ (ERP 2003 B-110) × CPI ratio
    expected = 4.8 * 1.2974 * 321.943 / 107.6
    assert to_base(Money(4.8, "GBP", 1985)) == pytest.approx(expected, rel=1e-5)
    # CHF 4.3 bn of 2007 → 2020 US$: rate from the table, CPI typed from BLS
    rate = {(r["currency"], int(r["year"])): float(r["units_per_usd"])
            for r in _table("fx_annual.csv")}[("CHF", 2007)]
    cpi = {int(r["year"]): float(r["index"]) for r in _table("cpi_u_annual.csv")}
    got = to_base(Money(4.3, "chf", 2007), base_year=2020)
    assert got == pytest.approx(4.3 / rate * cpi[2020] / cpi[2007])


def test_to_base_vectorised():
    amounts = np.array([1.0, 2.0, 4.0])
    out = to_base(Money(amounts, "USD", 2010))
    assert out == pytest.approx(amounts * 321.943 / 218.056)


def test_every_fx_row_has_a_known_source():
    keys = {r["key"] for r in _table("sources.csv")}
    rows = _table("fx_annual.csv") + _table("cpi_u_annual.csv")
    assert rows and all(r["source"] in keys for r in rows)
    assert all(r["url"].startswith("http") for r in _table("sources.csv"))


@pytest.mark.parametrize("money, words", [
    (Money(1.0, "GBP", 1990), "no GBP exchange rate for 1990"),
    (Money(1.0, "XYZ", 2010), "unknown currency 'XYZ'"),
    (Money(1.0, "USD", 1900), "no CPI-U value for 1900"),
])
def test_missing_rates_say_so(money, words):
    with pytest.raises(MapAppError, match=words):
        to_base(money)


def test_bad_money_is_refused_in_one_sentence():
    with pytest.raises(MapAppError, match="must be a number"):
        Money("lots", "USD", 2020)
    with pytest.raises(MapAppError, match="whole year"):
        Money(1.0, "USD", 2020.5)


def test_labels_carry_currency_and_year():
    assert Money(10.5, "EUR", 2023).label() == "EUR 10.5 bn (2023 prices)"
    assert prices.fmt_usd_bn(12.345, 2025) == "US$12.3 bn (2025 prices)"
