"""Money with a currency and a price year, and its value in US dollars of a base year.

Every money figure in mapapp is a :class:`Money`: an amount, the currency it was published
in (ISO 4217 code) and the year whose prices it is expressed in. :func:`to_base` brings it to
**US dollars of a base year** (2025 unless told otherwise) in two steps:

1. convert to US dollars at the **annual average exchange rate of the price year**
   (``geodata/economics/fx_annual.csv``);
2. move the dollars from the price year to the base year with the **US CPI-U** ratio
   ``CPI(base) / CPI(price year)`` (``geodata/economics/cpi_u_annual.csv``, BLS series
   CUUR0000SA0, annual averages).

So ``to_base(Money(a, c, y), b) = a / rate[c, y] × CPI[b] / CPI[y]``, in the same scale
as ``a`` (billions in, billions out).

Limits, in plain words
----------------------
* CPI-U measures US consumer prices, not tunnel-building costs; construction costs have
  risen faster than consumer prices in most decades, so old projects brought forward with
  CPI-U are, if anything, *under*-stated in today's money.
* "Exchange first, then US inflation" and "local inflation first, then today's rate" give
  different answers when a currency's real value moved (the Swiss franc and the yen by tens
  of percent over these decades). The first is used throughout; it is the usual choice
  for comparing project costs internationally, and the project's price tables exist only for it.
* A project's outturn cost is usually a sum of nominal payments spread over many years. The
  reference class (``geodata/economics/reference_class.csv``) records which price year each
  figure is in; for a nominal outturn that is the completion year, which again errs low.
* Rates before 1999 come from Federal Reserve tables and, for a few yen years, a weak
  secondary table (flagged in ``sources.csv``); where no rate is stored the conversion fails
  with a message rather than guessing.

Examples
--------
>>> round(cpi_ratio(1994, 2025), 4)          # 321.943 / 148.2
2.1724
>>> round(to_base(Money(14.5, "USD", 1994)), 2)  # Channel Tunnel's US$14.5 bn of 1994
31.5
>>> m = Money(4.8, "GBP", 1985)                  # its 1985 estimate, £4.8 bn
>>> round(to_base(m), 2)
18.63
>>> fmt_usd_bn(31.5, 2025)
'US$31.5 bn (2025 prices)'
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mapapp.core.errors import InputError
from mapapp.core.paths import geodata_dir

__all__ = [
    "BASE_YEAR",
    "Money",
    "PriceError",
    "cpi",
    "cpi_ratio",
    "fmt_money",
    "fmt_usd_bn",
    "fx_rate",
    "price_sources",
    "to_base",
    "to_base_factor",
]

#: Default base year of every "constant dollar" figure.
BASE_YEAR = 2025


class PriceError(InputError):
    """A money figure cannot be brought to the base year (unknown currency, missing year)."""


def economics_dir() -> Path:
    """Folder holding the price tables (``geodata/economics``)."""
    return geodata_dir() / "economics"


def _rows(name: str) -> list[dict]:
    path = economics_dir() / name
    try:
        with path.open(encoding="utf-8") as fh:
            lines = [ln for ln in fh if not ln.startswith("#")]
    except OSError as exc:
        raise PriceError(f"price table {path} cannot be read ({exc.strerror}); restore "
                         "geodata/economics from the repository") from exc
    return list(csv.DictReader(lines))


@functools.lru_cache(maxsize=4)
def _cpi_table(folder: str) -> dict[int, float]:
    return {int(r["year"]): float(r["index"]) for r in _rows("cpi_u_annual.csv")}


@functools.lru_cache(maxsize=4)
def _fx_table(folder: str) -> dict[tuple[str, int], tuple[float, str]]:
    return {(r["currency"], int(r["year"])): (float(r["units_per_usd"]), r["source"])
            for r in _rows("fx_annual.csv")}


@functools.lru_cache(maxsize=4)
def _source_table(folder: str) -> dict[str, dict]:
    return {r["key"]: r for r in _rows("sources.csv")}


def _key() -> str:
    return str(economics_dir())


def _year(value, what: str) -> int:
    try:
        y = int(value)
    except (TypeError, ValueError) as exc:
        raise PriceError(f"{what} must be a year such as 2025, got {value!r}") from exc
    if y != value and not (isinstance(value, float) and value.is_integer()):
        raise PriceError(f"{what} must be a whole year, got {value!r}")
    return y


def cpi(year: int) -> float:
    """CPI-U annual average of ``year`` (1982–84 = 100).

    >>> cpi(2024)
    313.689
    """
    y = _year(year, "price year")
    table = _cpi_table(_key())
    if y not in table:
        raise PriceError(f"no CPI-U value for {y}: the table covers {min(table)}–{max(table)}; "
                         "choose a price year in that span")
    return table[y]


def cpi_ratio(from_year: int, to_year: int = BASE_YEAR) -> float:
    """``CPI(to_year) / CPI(from_year)``: how many dollars of ``to_year`` buy what one dollar
    bought in ``from_year`` (dimensionless).

    >>> round(cpi_ratio(2010, 2020), 4)      # 258.811 / 218.056
    1.1869
    """
    return cpi(to_year) / cpi(from_year)


def fx_rate(currency: str, year: int) -> float:
    """Annual average units of ``currency`` per US dollar in ``year`` (1.0 for USD).

    >>> fx_rate("USD", 1971)
    1.0
    >>> round(fx_rate("GBP", 1985), 6)        # 1 / 1.2974 US$ per £
    0.770772
    """
    cur = str(currency).upper()
    y = _year(year, "price year")
    if cur == "USD":
        return 1.0
    table = _fx_table(_key())
    if (cur, y) not in table:
        years = sorted(yy for cc, yy in table if cc == cur)
        if not years:
            known = sorted({cc for cc, _ in table} | {"USD"})
            raise PriceError(f"unknown currency {cur!r}; the exchange-rate table has "
                             f"{', '.join(known)}")
        raise PriceError(f"no {cur} exchange rate for {y} in geodata/economics/fx_annual.csv "
                         f"(it has {cur} for {_spans(years)}); add the annual average with "
                         "its source, or state the figure in another price year")
    return table[(cur, y)][0]


def _spans(years: list[int]) -> str:
    out, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(f"{start}" if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


@dataclass(frozen=True)
class Money:
    """An amount of money in a currency at the prices of one year.

    Attributes
    ----------
    amount : float
        In units of ``currency`` at any scale (e.g. billions); :func:`to_base` keeps the scale.
    currency : str
        ISO 4217 code: USD, EUR, GBP, CHF, JPY, DKK, NOK, SEK, CNY, KRW, TRY.
    price_year : int
        The year whose prices the amount is in (for a nominal outturn: the year it was
        reported as final).
    """

    amount: float
    currency: str
    price_year: int

    def __post_init__(self):
        a = self.amount
        if not isinstance(a, np.ndarray):
            try:
                a = float(a)
            except (TypeError, ValueError) as exc:
                raise PriceError(f"a money amount must be a number, got {self.amount!r}") from exc
            if not math.isfinite(a):
                raise PriceError(f"a money amount must be finite, got {self.amount!r}")
        object.__setattr__(self, "amount", a)
        object.__setattr__(self, "currency", str(self.currency).upper())
        object.__setattr__(self, "price_year", _year(self.price_year, "price year"))

    def label(self, scale: str = "bn") -> str:
        """As reported, e.g. ``'GBP 4.8 bn (1985 prices)'``.

        >>> Money(4.8, "GBP", 1985).label()
        'GBP 4.8 bn (1985 prices)'
        """
        return fmt_money(self.amount, self.currency, self.price_year, scale)


def to_base_factor(currency: str, price_year: int, base_year: int = BASE_YEAR) -> float:
    """Multiplier from ``currency`` of ``price_year`` to US$ of ``base_year``:
    ``CPI[base] / (rate[currency, price_year] · CPI[price_year])``.

    >>> round(to_base_factor("USD", 2010, 2025), 4)     # 321.943 / 218.056
    1.4764
    """
    return cpi_ratio(price_year, base_year) / fx_rate(currency, price_year)


def to_base(money: Money, base_year: int = BASE_YEAR):
    """``money`` in US dollars of ``base_year`` (same scale as ``money.amount``; arrays work).

    Raises
    ------
    PriceError
        Unknown currency, or no exchange rate / CPI value for the year.
    """
    if not isinstance(money, Money):
        raise PriceError(f"to_base needs a Money(amount, currency, price_year), got {money!r}")
    return money.amount * to_base_factor(money.currency, money.price_year, base_year)


def price_sources(currency: str, price_year: int) -> list[str]:
    """URLs behind a conversion of ``currency`` of ``price_year`` (CPI-U, then the rate).

    >>> price_sources("USD", 2000)
    ['https://www.bls.gov/cpi/']
    """
    src = _source_table(_key())
    out = [src["bls_cpiu_via_cpi_pkg"]["url"]]
    cur = str(currency).upper()
    if cur != "USD":
        fx_rate(cur, price_year)
        key = _fx_table(_key())[(cur, int(price_year))][1]
        out.append(src[key]["url"])
    return out


_SCALES = {"bn": 1.0, "M": 1.0}


def fmt_money(amount: float, currency: str, price_year: int, scale: str = "bn",
              digits: int = 1) -> str:
    """A money figure with its currency and price year, e.g. ``'EUR 10.5 bn (2023 prices)'``.

    >>> fmt_money(1.0, "USD", 2019, "M", 2)
    'US$1.00 M (2019 prices)'
    """
    cur = str(currency).upper()
    num = f"{amount:,.{digits}f}"
    text = f"US${num}" if cur == "USD" else f"{cur} {num}"
    return f"{text} {scale} ({int(price_year)} prices)"


def fmt_usd_bn(value: float, base_year: int = BASE_YEAR, digits: int = 1) -> str:
    """Billions of US dollars of ``base_year``, labelled.

    >>> fmt_usd_bn(8, 2025, 0)
    'US$8 bn (2025 prices)'
    """
    return fmt_money(value, "USD", base_year, "bn", digits)
