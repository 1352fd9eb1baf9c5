"""The benchmark runner: run the benchmarks, print one table, write ``benchmarks/RESULTS.md``.

A benchmark is a function ``bench(ctx: Context) -> list[Measurement]`` registered in
:data:`BENCHES` (run in that order; ``--only`` picks some by name). A benchmark that fails
becomes one "error" row with the reason; the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"
OPS = {"<=": "≤", ">=": "≥"}


@dataclass
class Measurement:
    """One row of the table.

    Parameters
    ----------
    name : str
        What was measured (one line).
    value : float or None
        The figure, in ``unit``; None when it could not be measured (``note`` says why).
    unit : str
        ``"s"``, ``"ms"``, ``"MB"`` (10⁶ bytes), ``"MiB"``, ``"×"`` or ``""``.
    target : (str, float) or None
        ``("<=", 2.0)`` or ``(">=", 50.0)`` in ``unit``; None for a figure shown as a note.
    note : str
        Why it misses, what it is compared with, or why it is missing (RESULTS.md).
    group : str
        ``"mapapp"`` or ``"peer"`` (peers get their own table in RESULTS.md too).
    """

    name: str
    value: float | None
    unit: str = ""
    target: tuple[str, float] | None = None
    note: str = ""
    group: str = "mapapp"
    digits: int | None = None

    @property
    def status(self) -> str:
        """``pass``, ``FAIL``, ``note`` (no target) or ``n/a`` (no value)."""
        if self.value is None:
            return "n/a"
        if self.target is None:
            return "note"
        op, limit = self.target
        ok = self.value <= limit if op == "<=" else self.value >= limit
        return "pass" if ok else "FAIL"

    def value_text(self) -> str:
        if self.value is None:
            return "—"
        return fmt_number(self.value, self.unit, self.digits)

    def target_text(self) -> str:
        if self.target is None:
            return ""
        op, limit = self.target
        digits = 0 if float(limit).is_integer() else min(3, len(repr(float(limit))) -
                                                             repr(float(limit)).index(".") - 1)
        return f"{OPS[op]} {fmt_number(limit, self.unit, digits)}"


def fmt_number(value: float, unit: str = "", digits: int | None = None) -> str:
    """``1234.5, "ms"`` → ``"1,234 ms"``; ``2.345, "×"`` → ``"2.35×"``; ``0.61, "s"`` → ``"0.61 s"``."""
    if digits is None:
        a = abs(value)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 0.1 else 3
    text = f"{value:,.{digits}f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "×" else f"{text} {unit}"


@dataclass
class Context:
    """What benchmarks share: the mode, one browser, results for later ratios, sections."""

    quick: bool = False
    browser: object = None
    results: dict = field(default_factory=dict)
    sections: list = field(default_factory=list)  # (title, markdown)

    def section(self, title: str, text: str) -> None:
        self.sections.append((title, text.rstrip() + "\n"))


Bench = Callable[[Context], list[Measurement]]
BENCHES: dict[str, Bench] = {}


def register(name: str):
    def deco(fn: Bench) -> Bench:
        BENCHES[name] = fn
        return fn
    return deco


# ------------------------------------------------------------------------------ output
def table_rows(ms: list[Measurement]) -> list[tuple[str, str, str, str]]:
    return [(m.name, m.value_text(), m.target_text(), m.status) for m in ms]


def text_table(ms: list[Measurement]) -> str:
    """The plain-text table printed on stdout."""
    head = ("metric", "value", "target", "result")
    rows = [head, *table_rows(ms)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join((c.rjust(w) if i in (1, 2) else c.ljust(w))
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(ms: list[Measurement]) -> str:
    lines = ["| metric | value | target | result |", "| --- | ---: | ---: | --- |"]
    for name, value, target, status in table_rows(ms):
        status = f"**{status}**" if status == "FAIL" else status
        lines.append(f"| {_md_cell(name)} | {value} | {target} | {status} |")
    return "\n".join(lines) + "\n"


def machine_info() -> dict[str, str]:
    """CPU, cores, RAM, OS, Python, package and Chromium versions, date, load."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")))
        ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    os_name = platform.platform()
    try:
        rel = dict(line.split("=", 1) for line in
                   Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = f"{rel.get('PRETTY_NAME', '').strip(chr(34))} (kernel {platform.release()})"
    except OSError:
        pass
    pkgs = []
    for name in ("streamlit", "streamlit-folium", "folium", "rasterio", "numpy", "shapely",
                 "pyproj", "matplotlib", "scikit-image", "playwright", "leafmap",
                 "localtileserver"):
        try:
            pkgs.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    try:
        import rasterio

        pkgs.append(f"GDAL {rasterio.__gdal_version__}")
    except ImportError:
        pass
    from benchmarks.browser import chromium_version

    commit = ""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "RAM": ram,
        "OS": os_name,
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Packages": ", ".join(pkgs),
        "Browser": chromium_version() or "Chromium not found",
        "Date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "Commit": commit,
        "Load average (1 min) at start": f"{os.getloadavg()[0]:.2f}",
    }


def results_markdown(ms: list[Measurement], machine: dict, sections: list, mode: str,
                     elapsed_s: float | None = None, only: str = "") -> str:
    """The whole RESULTS.md text."""
    flags = (" --quick" if mode == "quick" else "") + (f" --only {only}" if only else "")
    out = ["# Benchmark results", "",
           f"Generated by `python -m benchmarks{flags}` "
           f"({mode} run"
           + (f", {elapsed_s / 60:.1f} min" if elapsed_s is not None else "")
           + "). Do not edit by hand: rerun it. How each figure is measured: "
           "`benchmarks/README.md` and the module docs of `benchmarks/`.", "",
           "## Machine", "", "| | |", "| --- | --- |"]
    out += [f"| {k} | {_md_cell(v)} |" for k, v in machine.items()]
    out += [""]
    loads = [float(v) for k, v in machine.items() if k.startswith("Load average")]
    cores = os.cpu_count() or 1
    if loads and max(loads) > cores:
        out += [f"> **The machine was busy** (load average up to {max(loads):.1f} on {cores} "
                "logical cores: other work ran beside the benchmark). Absolute times are "
                "inflated and vary from run to run; the ratios are taken in the same run, "
                "the interaction and cold-start ones interleaved, to limit the effect.", ""]
    out += ["## Results", "", markdown_table(ms)]
    misses = [m for m in ms if m.status in ("FAIL", "n/a")]
    out += ["## Misses and what stands in the way", ""]
    if not misses:
        out += ["Every target is met.", ""]
    for m in misses:
        if m.status == "FAIL":
            head = f"{m.value_text()} (target {m.target_text()}) misses its target."
        else:
            head = "not measured:"
        out += [f"- **{m.name}** — {head} "
                f"{m.note or 'No note: this is a defect of the benchmark.'}", ""]
    notes = [m for m in ms if m.status in ("pass", "note") and m.note]
    if notes:
        out += ["## Notes on the other figures", ""]
        out += [f"- **{m.name}**: {m.note}" for m in notes] + [""]
    peers = [m for m in ms if m.group == "peer"]
    if peers:
        out += ["## Side by side with peers", "", markdown_table(peers)]
    for title, text in sections:
        out += [f"## {title}", "", text]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------------------ running
def run(names: list[str], quick: bool) -> tuple[list[Measurement], Context]:
    ctx = Context(quick=quick)
    ms: list[Measurement] = []
    try:
        for name in names:
            t0 = time.perf_counter()
            print(f"[{name}] …", file=sys.stderr, flush=True)
            try:
                got = BENCHES[name](ctx)
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not stop the rest
                traceback.print_exc(file=sys.stderr)
                got = [Measurement(f"{name}: benchmark failed", None,
                                   note=f"{type(exc).__name__}: {exc}"[:500])]
            ms += got
            print(f"[{name}] {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        if ctx.browser is not None:
            ctx.browser.close()
    return ms, ctx


def main(argv: list[str] | None = None) -> int:
    from benchmarks import suites  # noqa: F401 - registers the benchmarks

    ap = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmarks, print one table and write benchmarks/RESULTS.md.")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repeats and smaller inputs (a few minutes; for CI)")
    ap.add_argument("--only", default="",
                    help=f"comma-separated benchmarks to run, of: {', '.join(BENCHES)}")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="where to write the results (default benchmarks/RESULTS.md); "
                         "'-' to write nothing")
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 when a target is missed or a figure is missing")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"error: unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHES)}",
              file=sys.stderr)
        return 2
    machine = machine_info()
    t0 = time.perf_counter()
    ms, ctx = run(names, args.quick)
    elapsed = time.perf_counter() - t0
    machine["Load average (1 min) at end"] = f"{os.getloadavg()[0]:.2f}"
    print(text_table(ms))
    if str(args.out) != "-":
        text = results_markdown(ms, machine, ctx.sections, "quick" if args.quick else "full",
                                elapsed, only=",".join(names) if args.only else "")
        args.out.write_text(text, encoding="utf-8")
        print(f"\nwrote {args.out}", file=sys.stderr)
    bad = [m for m in ms if m.status in ("FAIL", "n/a")]
    return 1 if (args.strict and bad) else 0
