"""Every money figure in the CLI, the app, the exports and the figures states its currency and
price year. These checks read the outputs as a user would and fail on any money figure that
does not say which year's prices it is in (quoted source text, inside “…”, is exempt)."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mapapp.cli import main

MONEY = re.compile(r"(US\$|USD|€|£|¥|\$)\s?\d|\d\s?(US\$|USD)\b|US\$ ?(bn|M)\b|USD bn")
YEAR = re.compile(r"\b(1[89]|20)\d\d prices\b")
QUOTED = re.compile(r"“[^”]*”")


def unlabelled(text: str) -> list[str]:
    """Lines of ``text`` with a money figure but no '(YYYY prices)'."""
    bad = []
    for line in str(text).replace("\\", "").splitlines():
        plain = QUOTED.sub("", line)
        if MONEY.search(plain) and not YEAR.search(plain):
            bad.append(line)
    return bad


def test_the_checker_itself():
    assert unlabelled("cost US$13.6–200.0 bn (2025 prices)") == []
    assert unlabelled("cost US$13.6 bn") == ["cost US$13.6 bn"]
    assert unlabelled("cost (US$ bn)") == ["cost (US$ bn)"]
    assert unlabelled("quoted “could reduce it to <$8B” only") == []
    assert unlabelled("€10.5 bn estimate") != []


_MONEY_KEY = re.compile(r"busd|usd|cost")


def unlabelled_json(obj, labelled: bool = False, path: str = "$") -> list[str]:
    """Paths of JSON numbers that are money (key mentions busd/usd/cost, a cost claim, or a
    unit naming US$) without a ``price_year`` on the way down or a unit '(YYYY prices)'."""
    bad = []
    if isinstance(obj, dict):
        unit = str(obj.get("unit", ""))
        here = labelled or "price_year" in obj or bool(YEAR.search(unit))
        money_dict = obj.get("quantity") == "cost_busd" or "US$" in unit or "USD" in unit
        for k, v in obj.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if (_MONEY_KEY.search(k) or (money_dict and k in ("low", "high", "claimed",
                                                                  "central", "actual"))) \
                        and not here:
                    bad.append(f"{path}.{k}")
            elif isinstance(v, (dict, list)):
                sub_label = here or (k == "cost" and isinstance(v, dict) and "price_year" in v)
                bad += unlabelled_json(v, sub_label, f"{path}.{k}")
            elif isinstance(v, str) and k not in ("text", "quote", "what", "published",
                                                    "cost_scope"):
                bad += [f"{path}.{k}: {line}" for line in unlabelled(v)]
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            bad += unlabelled_json(v, labelled, f"{path}[{i}]")
    return bad


def test_the_json_checker_itself():
    assert unlabelled_json({"cost_busd_low": 3.0}) == ["$.cost_busd_low"]
    assert unlabelled_json({"price_year": 2025, "x": {"cost_busd_low": 3.0}}) == []
    assert unlabelled_json({"quantity": "cost_busd", "low": 1.0}) == ["$.low"]


def _cli(*argv) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main([str(a) for a in argv]) == 0
    return buf.getvalue()


@pytest.mark.parametrize("argv", [
    ["claims", "dmitriev-2025", "razbegin-2025", "ibstrg-1990s"],
    ["claims", "dmitriev-2025", "--mode", "loop"],
    ["claims", "tkm-world-link-2007", "--mode", "road"],
    ["tunnel", "dmitriev-2025", "direct-shortest"],
    ["backtest"],
    ["routes"],
    ["measure", "razbegin-2025", "tkm-world-link-2007"],
])
def test_cli_text_money_has_a_price_year(argv):
    out = _cli(*argv)
    assert unlabelled(out) == []


@pytest.mark.parametrize("argv", [
    ["claims", "dmitriev-2025", "razbegin-2025", "--json"],
    ["claims", "dmitriev-2025", "--mode", "loop", "--json"],
    ["tunnel", "dmitriev-2025", "--json"],
    ["backtest", "--json"],
])
def test_cli_json_money_has_a_price_year(argv):
    assert unlabelled_json(json.loads(_cli(*argv))) == []


def test_exports_money_has_a_price_year():
    from mapapp.data.bathymetry import open_grid
    from mapapp.economics.estimate import estimate_for_route
    from mapapp.io import export
    from mapapp.routes.presets import get_preset

    r = get_preset("dmitriev-2025")
    est = estimate_for_route(r, open_grid(), band=False)
    doc = json.loads(export.tunnel_json_bytes({r.id: est}, routes=[r]))
    assert unlabelled_json(doc) == []
    root = ET.fromstring(export.kml_bytes([r], tunnels={r.id: est}))
    text = " ".join(e.text or "" for e in root.iter())
    desc = re.sub(r"<[^>]+>", "\n", text)
    assert "Tunnel model: cost, low" in desc
    assert unlabelled(desc) == []
    fc = json.loads(export.geojson_bytes([r], tunnels={r.id: est}))
    assert unlabelled_json(fc) == []


def test_report_figure_money_has_a_price_year():
    from mapapp.data.bathymetry import open_grid
    from mapapp.economics.claims import scorecard
    from mapapp.economics.estimate import estimate_for_route
    from mapapp.render.report import ReportOptions, render_report
    from mapapp.routes.presets import get_preset

    g = open_grid()
    cards = []
    for pid, mode in (("dmitriev-2025", None), ("razbegin-2025", "loop")):
        r = get_preset(pid)
        cards.append(scorecard(estimate_for_route(r, g, mode=mode), r))
    _, lay = render_report([get_preset("dmitriev-2025")], g,
                           ReportOptions(dpi=40, size_in=(10, 10), metrics_table=True),
                           scorecards=cards, return_layout=True)
    assert any("US$" in t for t in lay.texts)
    assert unlabelled("\n".join(lay.texts)) == []


def test_app_money_has_a_price_year():
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "mapapp" / "app.py")
    at = AppTest.from_file(app, default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    texts += [f"{m.label}: {m.value}" for m in at.metric]
    texts += [w.value for w in at.warning] + [i.value for i in at.info]
    joined = "\n".join(str(t) for t in texts)
    assert "Claims vs the model" in " ".join(e.value for e in at.subheader)
    assert "(2025 prices)" in joined.replace("\\", "")
    assert unlabelled(joined) == []
    for df in at.dataframe:
        cols = [str(c) for c in df.value.columns]
        assert unlabelled("\n".join(cols)) == [], cols
        cells = [str(v) for v in df.value.astype(str).to_numpy().ravel()]
        assert unlabelled("\n".join(cells)) == []
