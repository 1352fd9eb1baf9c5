"""Economics layer: money at constant prices, the cost and schedule model, the claims.

Modules
-------
prices
    :class:`~mapapp.economics.prices.Money` (amount, currency, price year) and
    :func:`~mapapp.economics.prices.to_base` (US$ of a base year; exchange at the price
    year's annual rate, then US CPI-U).
"""
