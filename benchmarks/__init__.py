"""Benchmarks of mapapp: speed, payload and memory, side by side with peers.

Not part of the test suite. ``python -m benchmarks [--quick] [--only NAME,...] [--out FILE]``
prints one table and writes ``benchmarks/RESULTS.md`` (see ``benchmarks/README.md``).
"""
