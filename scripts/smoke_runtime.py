"""Runtime-only smoke test: run with a Python whose environment has requirements.txt alone.

Proves that the README's run command gives a working product: every module imports, every
route format reads, every export is written, a figure renders, the app script runs. Any
missing runtime dependency fails here (exit status 1, one line per failure).
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import mapapp  # noqa: E402

failures: list[str] = []


def cli(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "mapapp", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        failures.append(f"python -m mapapp {' '.join(args)}: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def main() -> int:
    for info in pkgutil.walk_packages(mapapp.__path__, "mapapp."):
        if info.name in ("mapapp.app", "mapapp.__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - report every failure, then exit 1
            failures.append(f"import {info.name}: {type(exc).__name__}: {exc}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = []
        for fmt, suffix in (("geojson", ".geojson"), ("kml", ".kml"), ("gpx", ".gpx"),
                            ("gpkg", ".gpkg"), ("csv", ".csv")):
            f = out / f"routes{suffix}"
            cli("export", "dmitriev-2025", "ibstrg-1990s", "--format", fmt, "--out", str(f))
            files.append(f)
        kmz = out / "routes.kmz"
        with zipfile.ZipFile(kmz, "w") as z:
            z.write(out / "routes.kml", "doc.kml")
        files.append(kmz)
        for f in files:
            if f.exists():
                text = cli("measure", str(f), "--json")
                if f.exists() and '"length_km"' not in text:
                    failures.append(f"measure {f.name}: no length in the output")
        cli("render", "dmitriev-2025", "--out", str(out / "fig.png"), "--dpi", "72",
            "--profile")
        cli("html", "dmitriev-2025", "--out", str(out / "map.html"))
        for name in ("fig.png", "map.html"):
            if not (out / name).is_file() or (out / name).stat().st_size == 0:
                failures.append(f"{name} was not written")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "mapapp" / "app.py"), default_timeout=180).run()
    if at.exception:
        failures.append(f"app: {at.exception[0].value}")
    for line in failures:
        print(f"runtime smoke: FAILED {line}", file=sys.stderr)
    print(f"runtime smoke: {'failed' if failures else 'passed'} "
          f"({len(failures)} failure(s))")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
