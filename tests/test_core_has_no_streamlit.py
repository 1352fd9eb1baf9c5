"""The core never imports Streamlit (only mapapp/app.py and mapapp/ui/ may)."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "mapapp"


def test_no_streamlit_import_outside_ui():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in ("ui", "static") or rel.name == "app.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("streamlit", "streamlit_folium") for n in names):
                offenders.append(str(rel))
    assert not offenders, offenders
