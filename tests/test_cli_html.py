"""``python -m mapapp html`` with the map-style options: the file carries them."""

import json
import re

from mapapp.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _legend_ticks(page: str) -> list[str]:
    m = re.search(r"L\.DomUtil\.create\('div', \"mapapp-legend\" \+ ' leaflet-control'\);\s*"
                  r"div\.innerHTML = (\".*?\");", page)
    assert m, "no bathymetry legend"
    return re.findall(r">(-?\d+)</span>", json.loads(m.group(1)))


def test_html_style_options(tmp_path, capsys):
    out = tmp_path / "map.html"
    code, stdout, err = run(["html", "dmitriev-2025", "ibstrg-1990s", "--cmap", "cmo.ice",
                             "--range=-60,0", "--isobaths", "20", "--land", "osm",
                             "--no-route-legend", "--out", str(out)], capsys)
    assert code == 0, err
    page = out.read_text("utf-8")
    assert _legend_ticks(page) == ["-60", "-45", "-30", "-15", "0"]
    assert "Isobaths (20 m)" in page
    assert "\\u00a9 OpenStreetMap contributors" in page  # the OSM land's credit (JSON-escaped ©)
    assert "Coastline: GSHHG" not in page  # no GSHHG credit (place notes may still name it)
    assert "mapapp-route-legend-control" not in page
    assert re.search(r"#map_\w+ \{[^}]*height: 100(\.0)?%", page)  # fills the window


def test_html_default_has_route_legend_and_gshhg(tmp_path, capsys):
    out = tmp_path / "map.html"
    code, _, err = run(["html", "dmitriev-2025", "--isobaths", "0", "--out", str(out)], capsys)
    assert code == 0, err
    page = out.read_text("utf-8")
    assert "mapapp-route-legend-control" in page and "Coastline: GSHHG 2.3.6" in page
    assert "Isobaths (" not in page


def test_html_bad_range_is_one_line(tmp_path, capsys):
    for bad in ("--range=a,b", "--range=0,-10", "--range=-10"):
        code, _, err = run(["html", "dmitriev-2025", bad, "--out", str(tmp_path / "m.html")], capsys)
        assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
        assert not (tmp_path / "m.html").exists()
