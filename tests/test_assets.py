"""Offline web assets: manifest, localize, standalone HTML, install (no browser)."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import folium
import pytest
from folium.plugins import Draw, Fullscreen, MousePosition

from mapapp.core.errors import AssetError, MapAppError
from mapapp.render import assets
from mapapp.render.assets import (
    MANIFEST_NAME,
    PACKAGES,
    NpmPackage,
    assets_status,
    dropped_assets,
    install_assets,
    localize,
    standalone_html,
)

PNG = bytes.fromhex(  # 1x1 transparent PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
)


def _fake_vendor(root: Path) -> Path:
    """A vendor dir holding a small stand-in for every pinned file, plus its manifest."""
    files = []
    for pkg in PACKAGES:
        for url, rel in pkg.files:
            body = f"/* {pkg.dirname}/{rel} */\n"
            if rel.endswith(".css"):
                body += ".x { background: url(img/dot.png) } .y { src: url(f.ttf) }\n"
            files.append((f"{pkg.dirname}/{rel}", url, body.encode(), pkg))
            if rel.endswith(".css"):
                img = f"{pkg.dirname}/{Path(rel).parent.as_posix()}/img/dot.png"
                files.append((img, None, PNG, pkg))
    for rel in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        files.append((f"leaflet@1.9.3/dist/images/{rel}", None, PNG, PACKAGES[0]))
    entries = []
    for path, url, data, pkg in files:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        entries.append(
            {
                "path": path,
                "url": url,
                "package": pkg.name,
                "version": pkg.version,
                "license": "MIT",
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }
        )
    manifest = {
        "format": 1,
        "files": entries,
        "dropped": dropped_assets(),
        "packages": {p.dirname: {"name": p.name, "version": p.version} for p in PACKAGES},
    }
    (root / MANIFEST_NAME).write_text(json.dumps(manifest))
    return root


def _map() -> folium.Map:
    m = folium.Map(location=[65.8, -169.0], zoom_start=5, tiles=None)
    Draw().add_to(m)
    Fullscreen().add_to(m)
    MousePosition().add_to(m)
    folium.Marker([65.7, -168.5]).add_to(m)
    return m


def _links(m: folium.Map) -> list[str]:
    urls = []
    for el in assets._walk(m):
        for attr in ("default_js", "default_css"):
            urls += [url for _, url in getattr(el, attr, None) or []]
    return urls


def test_manifest_covers_every_cdn_url_of_our_map() -> None:
    pinned = {url for pkg in PACKAGES for url, _ in pkg.files}
    needed = set(_links(_map()))
    assert needed - pinned == set(dropped_assets())
    assert assets.SCREENSHOTER_JS_URL in pinned
    assert len({pkg.name for pkg in PACKAGES}) == len(PACKAGES)


def test_localize_rewrites_to_local_urls(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    m = _map()
    class_js = list(folium.Map.default_js)

    remote = localize(m, base_url="/app/static/vendor/", vendor_dir=vendor)

    assert remote == []
    urls = _links(m)
    assert urls and all(u.startswith("/app/static/vendor/") for u in urls), urls
    assert "/app/static/vendor/leaflet@1.9.3/dist/leaflet.js" in urls
    assert not set(dropped_assets()) & set(urls)
    assert folium.Map.default_js == class_js  # the class is untouched
    assert "/app/static/vendor/leaflet@1.9.3/dist/images/" in m.get_root().render()
    assert "cdn.jsdelivr.net" not in m.get_root().render()
    # a fresh map still links the CDN
    assert "cdn.jsdelivr.net" in folium.Map().get_root().render()
    # idempotent
    assert localize(m, base_url="/app/static/vendor", vendor_dir=vendor) == []
    assert _links(m) == urls


def test_localize_keeps_cdn_urls_without_local_copies(tmp_path: Path) -> None:
    m = _map()
    before = _links(m)
    remote = localize(m, vendor_dir=tmp_path / "nothing")
    assert _links(m) == before
    assert remote == list(dict.fromkeys(before))
    assert "leaflet_icon" not in " ".join(m._children)


def test_localize_leaves_unknown_urls_remote(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    m = _map()
    m.default_js = [*m.default_js, ("other", "https://example.org/other.js")]
    assert localize(m, vendor_dir=vendor) == ["https://example.org/other.js"]


def test_assets_status(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    status = assets_status(vendor, verify=True)
    assert status.installed and status.missing == ()
    assert status.total_bytes > 0
    assert json.loads(json.dumps(status.to_dict()))["installed"] is True

    (vendor / "jquery@3.7.1/dist/jquery.min.js").unlink()
    status = assets_status(vendor)
    assert not status.installed
    assert status.missing == ("jquery@3.7.1/dist/jquery.min.js",)

    assert not assets_status(tmp_path / "empty").installed


def test_status_verify_detects_modified_file(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    target = vendor / "leaflet@1.9.3/dist/leaflet.js"
    target.write_bytes(target.read_bytes().upper())  # same size, other content
    assert assets_status(vendor).installed
    assert not assets_status(vendor, verify=True).installed


def test_standalone_html_inlines_local_files(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    html = standalone_html(_map(), vendor_dir=vendor)
    assert "/* leaflet@1.9.3/dist/leaflet.js */" in html
    assert "/* leaflet-draw@1.0.2/dist/leaflet.draw.css */" in html
    assert "<script src=" not in html
    assert '<link rel="stylesheet"' not in html
    assert 'url("data:image/png;base64,' in html  # CSS image embedded
    assert "url(f.ttf)" in html  # non-woff2 font fallback left alone
    assert "L.Icon.Default.mergeOptions" in html
    assert "awesome.rotate" not in html


def test_inline_css_embeds_images_and_woff2_only(tmp_path: Path) -> None:
    (tmp_path / "f").mkdir()
    for name in ("a.woff2", "a.svg", "a.ttf", "i.png"):
        (tmp_path / "f" / name).write_bytes(PNG)
    css = tmp_path / "x.css"
    css.write_text(
        '@font-face{font-family:"FontAwesome";src:url(f/a.woff2) format("woff2")}'
        '@font-face{font-family:"Font Awesome 6 Free";src:url(f/a.woff2) format("woff2"),'
        'url(f/a.ttf) format("truetype"),url("f/a.svg#x") format("svg")}'
        ".i{background:url('f/i.png?v=1')}"
    )
    out = assets._inline_css_urls(css)
    assert '"FontAwesome"' not in out
    assert out.count("data:font/woff2;base64,") == 1
    assert "url(f/a.ttf)" in out and 'url("f/a.svg#x")' in out
    assert 'url("data:image/png;base64,' in out


def test_standalone_html_after_localize(tmp_path: Path) -> None:
    vendor = _fake_vendor(tmp_path / "vendor")
    m = _map()
    localize(m, vendor_dir=vendor)
    html = standalone_html(m, vendor_dir=vendor)
    assert "/* jquery@3.7.1/dist/jquery.min.js */" in html
    assert "<script src=" not in html


def test_standalone_html_without_copies_keeps_cdn(tmp_path: Path) -> None:
    html = standalone_html(_map(), vendor_dir=tmp_path / "nothing")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in html


def test_install_without_npm_raises(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="npm"):
        install_assets(tmp_path / "vendor", npm="no-such-npm-executable")
    assert not (tmp_path / "vendor").exists()
    assert issubclass(AssetError, MapAppError)


# -- real npm (the npm registry is reachable on dev machines and CI) ---------------------

TINY = next(p for p in PACKAGES if p.name == "leaflet.fullscreen")  # ~6 kB tarball


@pytest.fixture(scope="module")
def npm() -> str:
    path = shutil.which("npm")
    if path is None:
        pytest.fail(
            "npm is not installed: 'apt-get install npm' (needed to vendor the map assets)",
            pytrace=False,
        )
    return path


def test_install_real_package(tmp_path: Path, npm: str) -> None:
    dest = tmp_path / "static" / "vendor"
    lines: list[str] = []
    manifest = install_assets(dest, npm=npm, packages=[TINY], progress=lines.append)

    assert lines == ["assets: fetching leaflet.fullscreen@3.0.0"]
    assert json.loads((dest / MANIFEST_NAME).read_text()) == manifest
    by_path = {e["path"]: e for e in manifest["files"]}
    js = by_path["leaflet.fullscreen@3.0.0/Control.FullScreen.js"]
    assert js["url"] == TINY.files[0][0]
    assert js["license"] == "MIT License"
    data = (dest / js["path"]).read_bytes()
    assert js["sha256"] == hashlib.sha256(data).hexdigest() and js["size"] == len(data)
    assert "leaflet.fullscreen@3.0.0/LICENSE" in by_path
    svg = by_path["leaflet.fullscreen@3.0.0/icon-fullscreen.svg"]  # found through the CSS
    assert svg["url"] == "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/icon-fullscreen.svg"
    assert [p.name for p in dest.parent.iterdir()] == ["vendor"]  # no build dirs left

    # up to date: nothing is fetched (a missing npm would raise otherwise)
    assert install_assets(dest, npm="no-such-npm-executable", packages=[TINY]) == manifest

    # a local change is repaired by the next install
    (dest / js["path"]).write_text("broken")
    install_assets(dest, npm=npm, packages=[TINY])
    assert (dest / js["path"]).read_bytes() == data


def test_install_failure_keeps_previous_dir(tmp_path: Path, npm: str) -> None:
    dest = tmp_path / "vendor"
    install_assets(dest, npm=npm, packages=[TINY])
    before = sorted(p.relative_to(dest) for p in dest.rglob("*"))

    tampered = NpmPackage(TINY.name, TINY.version, "sha512-AAAA", TINY.files)
    with pytest.raises(AssetError, match="integrity"):
        install_assets(dest, npm=npm, packages=[tampered], force=True)
    missing = NpmPackage("leaflet.fullscreen", "0.0.0-does-not-exist", "sha512-AAAA", ())
    with pytest.raises(AssetError, match="could not fetch"):
        install_assets(dest, npm=npm, packages=[TINY, missing])

    assert sorted(p.relative_to(dest) for p in dest.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["vendor"]


def test_cli_status_and_install(tmp_path: Path, npm: str, capsys, monkeypatch) -> None:
    from mapapp.cli import assets_cmd as cli_assets
    from mapapp.cli import main as cli_main

    parser = argparse.ArgumentParser()
    cli_assets.register(parser.add_subparsers(dest="command", required=True))
    dest = str(tmp_path / "v")

    args = parser.parse_args(["assets", "status", "--json", "--dest", dest])
    assert args.func(args) == 1
    assert json.loads(capsys.readouterr().out)["installed"] is False

    real_install = cli_assets.install_assets
    monkeypatch.setattr(
        cli_assets, "install_assets", lambda *a, **k: real_install(*a, packages=[TINY], **k)
    )
    args = parser.parse_args(["assets", "install", "--dest", dest])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert err == "assets: fetching leaflet.fullscreen@3.0.0\n"
    assert "from 1 packages" in out

    monkeypatch.setenv("PATH", "")
    assert cli_main(["assets", "install", "--dest", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("error: npm ('npm') was not found")


def test_cli_install_optional_without_npm(tmp_path: Path, capsys, monkeypatch) -> None:
    from mapapp.cli import main as cli_main

    monkeypatch.setenv("PATH", "")
    dest = tmp_path / "v"
    assert cli_main(["assets", "install", "--optional", "--dest", str(dest)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: offline assets not installed") and "CDNs" in err
    assert not dest.exists()
