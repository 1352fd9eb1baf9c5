"""The import rules of docs/architecture.md: layers import downwards only, no circles, and
Streamlit only in the UI. Read from the source with ``ast`` (function-level imports count)."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mapapp"

#: Layer of each sub-package, lowest first (docs/architecture.md has the same table).
LAYERS = {
    "core": 0,
    "data": 1,
    "routes": 2,
    "engineering": 3,
    "economics": 4,
    "uncertainty": 5,
    "link": 5,
    "io": 6,
    "session": 7,
    "render": 7,
    "ui": 8,
    "cli": 8,
}
TOP = 9  # mapapp/app.py, mapapp/__main__.py, mapapp/__init__.py
STREAMLIT = ("streamlit", "streamlit_folium")


def modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "static":
            continue
        name = ".".join(("mapapp", *rel.with_suffix("").parts)).removesuffix(".__init__")
        yield name, path


def imports(name, path):
    """(imported module, line) pairs of mapapp and Streamlit imports in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod, node.lineno
            for a in node.names:  # `from mapapp.data import bathymetry` imports a module
                yield f"{mod}.{a.name}", node.lineno


def layer(module: str) -> tuple[str, int]:
    parts = module.split(".")
    if len(parts) < 2:
        return "", TOP
    return parts[1], LAYERS.get(parts[1], TOP)


def test_every_sub_package_has_a_layer():
    subs = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert subs <= set(LAYERS), f"give {sorted(subs - set(LAYERS))} a layer in LAYERS and docs"
    loose = sorted(p.name for p in PKG.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "app.py"], loose


def test_layers_import_downwards_only():
    bad = []
    known = {n for n, _ in modules()}
    for name, path in modules():
        pkg, rank = layer(name)
        for mod, line in imports(name, path):
            if not mod.startswith("mapapp.") or mod not in known:
                continue
            other, other_rank = layer(mod)
            if other != pkg and other_rank >= rank:
                bad.append(f"{path.relative_to(PKG.parent)}:{line} {name} -> {mod}")
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_circles():
    known = {n for n, _ in modules()}
    graph = defaultdict(set)
    for name, path in modules():
        for mod, _ in imports(name, path):
            if mod in known and mod != name and not name.startswith(mod + "."):
                graph[name].add(mod)
    state, stack, cycles = {}, [], []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(known):
        if n not in state:
            visit(n)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_streamlit_only_in_the_ui_and_the_app():
    bad = []
    for name, path in modules():
        if name.startswith("mapapp.ui") or name == "mapapp.app":
            continue
        for mod, line in imports(name, path):
            if mod.split(".")[0] in STREAMLIT:
                bad.append(f"{path.relative_to(PKG.parent)}:{line} imports {mod}")
    assert not bad, bad


@pytest.mark.parametrize("bad_import, expected", [
    ("from mapapp.ui import state", "mapapp.core.x -> mapapp.ui.state"),
    ("from mapapp.io.export import FORMATS", "mapapp.core.x -> mapapp.io.export"),
])
def test_the_layer_check_can_fail(tmp_path, bad_import, expected):
    """The checker itself: an upward import in a core module is reported."""
    f = tmp_path / "x.py"
    f.write_text(bad_import + "\n")
    found = [m for m, _ in imports("mapapp.core.x", f)]
    target = expected.split(" -> ")[1]
    assert target in found
    assert layer(target)[1] > layer("mapapp.core.x")[1]
