"""Offline copies of the web assets folium loads from CDNs.

Folium and its plugins put ``<script>``/``<link>`` tags for Leaflet, jQuery, Bootstrap,
Leaflet.draw … pointing at public CDNs into every map; with no internet the map stays blank.
This module pins exactly the files our maps use (:data:`PACKAGES`), copies them from the
npm registry into ``mapapp/static/vendor/<package>@<version>/`` (:func:`install_assets`),
and rewrites a map's ``default_js``/``default_css`` to those copies (:func:`localize`).

Streamlit serves ``mapapp/static/`` at ``/app/static/`` (``enableStaticServing`` in
``.streamlit/config.toml``). streamlit-folium draws the map in a component iframe whose
document is ``/component/streamlit_folium.st_folium/index.html``, and inserts a tag for every
URL it collects from the elements' ``default_js``/``default_css``; relative URLs resolve
against that document, so :data:`COMPONENT_BASE_URL` (``../../app/static/vendor``) reaches
``/app/static/vendor`` also when Streamlit runs under a ``server.baseUrlPath``.

streamlit-folium also hard-codes two d3 CDN URLs when a branca ``ColorMap`` is a direct
child of the map; our maps have no ColorMap, so d3 is not vendored.

:func:`standalone_html` embeds the local files in one HTML document for saving to disk.
No Streamlit import here: the CLI (``python -m mapapp assets install``) uses this module too.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import mimetypes
import posixpath
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from branca.element import MacroElement
from jinja2 import Template

from mapapp.core.errors import AssetError
from mapapp.core.paths import STATIC_DIR

__all__ = [
    "COMPONENT_BASE_URL",
    "MANIFEST_NAME",
    "PACKAGES",
    "DOM_TO_IMAGE_JS_URL",
    "SCREENSHOTER_JS_URL",
    "VENDOR_DIR",
    "AssetsStatus",
    "NpmPackage",
    "assets_status",
    "dropped_assets",
    "install_assets",
    "localize",
    "standalone_html",
]

VENDOR_DIR = STATIC_DIR / "vendor"
MANIFEST_NAME = "MANIFEST.json"
COMPONENT_BASE_URL = "../../app/static/vendor"
"""Base URL of the vendor dir, relative to the streamlit-folium component iframe."""

_JSDELIVR = "https://cdn.jsdelivr.net"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_AWESOME_MARKERS = f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers"
_MOUSE_POSITION = f"{_JSDELIVR}/gh/ardhi/Leaflet.MousePosition/src/L.Control.MousePosition.min"
SCREENSHOTER_JS_URL = (
    f"{_JSDELIVR}/npm/leaflet-simple-map-screenshoter@0.5.0/dist/leaflet-simple-map-screenshoter.js"
)
"""Client-side "save map as PNG" Leaflet plugin (bundles dom-to-image-more); not used by
folium itself: a feature that needs it adds this URL to an element's ``default_js``."""
DOM_TO_IMAGE_JS_URL = f"{_JSDELIVR}/npm/dom-to-image-more@2.16.0/dist/dom-to-image-more.min.js"
"""DOM-to-canvas library behind the map's camera button (renders at a chosen pixel ratio)."""
_AWESOME_ROTATE_CSS_URL = (
    f"{_JSDELIVR}/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css"
)
_DROPPED = {
    _AWESOME_ROTATE_CSS_URL: (
        "folium's leaflet.awesome.rotate.css is not published on the npm registry; without it "
        "markers made with folium.Icon(angle=...) are not rotated"
    ),
}


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package and the files the map takes from it.

    Parameters
    ----------
    name, version : str
        npm package name and exact version.
    integrity : str
        Subresource-integrity hash (``sha512-…``) of the registry tarball, as npm's
        ``dist.integrity``; the downloaded tarball must match it.
    files : tuple of (str, str)
        ``(CDN URL, path inside the package)`` for every file folium links to.
    extra : tuple of str
        Glob patterns (inside the package) of further files loaded at run time but not named
        by a CSS ``url()`` (files named by the vendored CSS are added automatically).
    """

    name: str
    version: str
    integrity: str
    files: tuple[tuple[str, str], ...]
    extra: tuple[str, ...] = ()

    @property
    def dirname(self) -> str:
        """Folder of the package under the vendor dir: ``<name>@<version>``."""
        return f"{self.name}@{self.version}"


PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet",
        "1.9.3",
        "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
        (
            (f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.js", "dist/leaflet.js"),
            (f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.css", "dist/leaflet.css"),
        ),
        extra=("dist/images/*.png",),
    ),
    NpmPackage(
        "jquery",
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        (("https://code.jquery.com/jquery-3.7.1.min.js", "dist/jquery.min.js"),),
    ),
    NpmPackage(
        "bootstrap",
        "5.2.2",
        "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ==",
        (
            (
                f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
                "dist/js/bootstrap.bundle.min.js",
            ),
            (
                f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
                "dist/css/bootstrap.min.css",
            ),
        ),
    ),
    # The upstream 2.0.2 release (cdnjs' source) as republished on npm; licence MIT.
    NpmPackage(
        "drmonty-leaflet-awesome-markers",
        "2.0.2",
        "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
        (
            (f"{_AWESOME_MARKERS}.js", "js/leaflet.awesome-markers.js"),
            (f"{_AWESOME_MARKERS}.css", "css/leaflet.awesome-markers.css"),
        ),
    ),
    NpmPackage(
        "@fortawesome/fontawesome-free",
        "6.2.0",
        "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
        (
            (
                f"{_JSDELIVR}/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
                "css/all.min.css",
            ),
        ),
    ),
    # Bootstrap 3 glyphicons alone (folium.Icon's default prefix is "glyphicon").
    NpmPackage(
        "@neos21/bootstrap3-glyphicons",
        "1.0.7",
        "sha512-JfvPdx8W2+kVhW+8fj2kIJNS0tesU21hrWF7TBHtYDHpVfcFGU/yn3Eh02sJiNfZABkutP3oU0Ftw8LGF43Jng==",
        (
            (
                "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
                "dist/css/bootstrap3-glyphicons.min.css",
            ),
        ),
    ),
    NpmPackage(
        "leaflet-draw",
        "1.0.2",
        "sha512-iCcbXE9okhwznoTXjxVjoGFoKeiWGsgmWPKrPAeHUvtWZWK4t6YF6815D13wZoMxX2UM6tOmD7/VofCxx3S0+w==",
        (
            (f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.js", "dist/leaflet.draw.js"),
            (f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.css", "dist/leaflet.draw.css"),
        ),
    ),
    # jsDelivr minifies on the fly; the package ships the unminified file.
    NpmPackage(
        "leaflet.fullscreen",
        "3.0.0",
        "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        (
            (
                f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
                "Control.FullScreen.js",
            ),
            (
                f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",
                "Control.FullScreen.css",
            ),
        ),
    ),
    # folium links the GitHub master of ardhi/Leaflet.MousePosition; this is its npm release.
    NpmPackage(
        "leaflet-mouse-position",
        "1.2.0",
        "sha512-iKS25GZDRdoKZn0O5sjTyNcBYrq/wenLiOidj4jJ5iD4SfhyqVj+bJHgBwuMxOlf8Vc/9B1ZPlqYV4QA97nyFg==",
        (
            (f"{_MOUSE_POSITION}.js", "src/L.Control.MousePosition.js"),
            (f"{_MOUSE_POSITION}.css", "src/L.Control.MousePosition.css"),
        ),
    ),
    NpmPackage(
        "leaflet-simple-map-screenshoter",
        "0.5.0",
        "sha512-yTrPTenq+ua9X0FaZxM0xHeapA4lM641M4d6V7G0WIStUbN1hGF6SVKdJpfa3PqRBM5ZDdFKfZ4W1F8Djsz2cg==",
        ((SCREENSHOTER_JS_URL, "dist/leaflet-simple-map-screenshoter.js"),),
    ),
    # folium's MeasureControl links the GitHub tag 2.1.7; this is the same release on npm (MIT).
    # The minified CSS folium names is not in the package: the plain one is.
    NpmPackage(
        "leaflet-measure",
        "2.1.7",
        "sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==",
        (
            (f"{_JSDELIVR}/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
             "dist/leaflet-measure.min.js"),
            (f"{_JSDELIVR}/gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
             "dist/leaflet-measure.css"),
        ),
    ),
    NpmPackage(
        "dom-to-image-more",
        "2.16.0",
        "sha512-RyjtkaM/zVy90uJ20lT+/G7MwBZx6l/ePliq5CQOeAnPeew7aUGS6IqRWBkHpstU+POmhaKA8A9H9qf476gisQ==",
        ((DOM_TO_IMAGE_JS_URL, "dist/dom-to-image-more.min.js"),),
    ),
)

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_LICENSE_NAME = re.compile(r"^(mit-)?(licen[cs]e|copying)([-.].*)?$", re.IGNORECASE)
_MANIFEST_FORMAT = 1


def dropped_assets() -> dict[str, str]:
    """CDN assets that local mode leaves out, with the reason.

    Returns
    -------
    dict of str to str
        CDN URL -> a sentence the UI can show.
    """
    return dict(_DROPPED)


# --------------------------------------------------------------------------------------
# install


def install_assets(
    dest: str | Path | None = None,
    npm: str = "npm",
    *,
    packages: Iterable[NpmPackage] = PACKAGES,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Download the pinned packages with ``npm pack`` and build the vendor dir.

    The new dir is built next to ``dest`` and renamed into place only when complete, so a
    failure leaves the previous dir (or none) untouched. Nothing is downloaded when ``dest``
    already holds a verified copy of the same packages (unless ``force``).

    Parameters
    ----------
    dest : str or Path, optional
        Vendor dir to create; default :data:`VENDOR_DIR` (``mapapp/static/vendor``).
    npm : str
        npm executable (name on ``PATH`` or path).
    packages : iterable of NpmPackage
        Packages to vendor; default all of :data:`PACKAGES`.
    force : bool
        Download again even when an up-to-date copy is present.
    progress : callable, optional
        Called with one line of text per package.

    Returns
    -------
    dict
        The manifest written to ``dest/MANIFEST.json``.

    Raises
    ------
    AssetError
        npm is missing, a package cannot be fetched or its tarball fails its integrity check.
    """
    dest = Path(dest) if dest is not None else VENDOR_DIR
    packages = tuple(packages)
    if not force:
        current = _read_manifest(dest)
        if current is not None and _up_to_date(dest, current, packages):
            return current
    npm_path = shutil.which(npm)
    if npm_path is None:
        raise AssetError(
            f"npm ({npm!r}) was not found; install Node.js and npm (apt-get install npm) "
            "to download the offline map assets"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".vendor-build-", dir=dest.parent))
    try:
        manifest: dict[str, Any] = {
            "format": _MANIFEST_FORMAT,
            "packages": {},
            "files": [],
            "dropped": dropped_assets(),
        }
        with tempfile.TemporaryDirectory(prefix="mapapp-npm-") as download:
            for pkg in packages:
                if progress:
                    progress(f"assets: fetching {pkg.name}@{pkg.version}")
                tarball = _npm_pack(npm_path, pkg, Path(download))
                info, files = _extract(pkg, tarball, build / pkg.dirname)
                manifest["packages"][pkg.dirname] = info
                manifest["files"].extend(files)
        (build / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        _swap_into_place(build, dest)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return manifest


def _up_to_date(dest: Path, manifest: dict, packages: tuple[NpmPackage, ...]) -> bool:
    """``manifest`` describes exactly ``packages`` and every file in ``dest`` verifies."""
    recorded = manifest["packages"]
    urls = {e["url"] for e in manifest["files"]}
    return (
        sorted(recorded) == sorted(p.dirname for p in packages)
        and all(recorded[p.dirname].get("integrity") == p.integrity for p in packages)
        and all(url in urls for p in packages for url, _ in p.files)
        and not _missing_files(dest, manifest, verify=True)
    )


def _npm_pack(npm_path: str, pkg: NpmPackage, workdir: Path) -> Path:
    """Fetch ``pkg``'s tarball into ``workdir`` and check it against the pinned integrity."""
    spec = f"{pkg.name}@{pkg.version}"
    try:
        run = subprocess.run(
            [npm_path, "pack", spec, "--json", "--silent"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssetError(f"cannot run npm to fetch {spec}: {exc}") from exc
    if run.returncode != 0:
        tail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise AssetError(f"npm could not fetch {spec} (is the npm registry reachable?): {tail}")
    try:
        tarball = workdir / json.loads(run.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise AssetError(f"unexpected output from 'npm pack {spec}'") from exc
    algo, _, expected = pkg.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise AssetError(
            f"the tarball of {spec} does not match its pinned integrity {pkg.integrity}"
        )
    return tarball


def _extract(pkg: NpmPackage, tarball: Path, out: Path) -> tuple[dict, list[dict]]:
    """Copy the needed files of ``tarball`` to ``out``; return package info and file entries."""
    with tarfile.open(tarball, "r:gz") as tar:
        members = {}
        for m in tar.getmembers():
            if m.isfile():
                rel = posixpath.normpath(m.name.split("/", 1)[-1])
                if not rel.startswith(("..", "/")):
                    members[rel] = m

        def read(rel: str) -> bytes:
            if rel not in members:
                raise AssetError(f"{pkg.dirname} has no file {rel!r}")
            return tar.extractfile(members[rel]).read()

        meta = json.loads(read("package.json"))
        licence = _licence(meta)
        wanted: dict[str, str | None] = {path: url for url, path in pkg.files}
        for pattern in pkg.extra:
            for rel in fnmatch.filter(members, pattern):
                wanted.setdefault(rel, None)
        for url, path in pkg.files:
            if path.endswith(".css"):
                for ref in _css_refs(read(path).decode("utf-8", "replace")):
                    rel = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
                    if rel in members:
                        wanted.setdefault(rel, urljoin(url, ref))
        licence_files = sorted(r for r in members if "/" not in r and _LICENSE_NAME.match(r))
        for rel in licence_files:
            wanted.setdefault(rel, None)
        entries = []
        for rel, url in sorted(wanted.items()):
            data = read(rel)
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            entries.append(
                {
                    "path": f"{pkg.dirname}/{rel}",
                    "url": url,
                    "package": pkg.name,
                    "version": pkg.version,
                    "license": licence,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
            )
    info = {
        "name": pkg.name,
        "version": pkg.version,
        "license": licence,
        "license_files": [f"{pkg.dirname}/{r}" for r in licence_files],
        "integrity": pkg.integrity,
    }
    return info, entries


def _licence(meta: dict) -> str:
    """SPDX-ish licence string of a ``package.json``."""
    lic = meta.get("license") or meta.get("licenses") or "UNKNOWN"
    if isinstance(lic, list):
        return " OR ".join(str(x.get("type", x) if isinstance(x, dict) else x) for x in lic)
    return str(lic.get("type", lic) if isinstance(lic, dict) else lic)


def _css_refs(css: str) -> Iterator[str]:
    """Relative file references of ``url()`` in a stylesheet, without query or fragment."""
    for _, ref in _CSS_URL.findall(css):
        ref = ref.strip()
        if ref.startswith(("data:", "#", "/")) or "://" in ref:
            continue
        ref = re.split(r"[?#]", ref, maxsplit=1)[0]
        if ref:
            yield ref


def _swap_into_place(build: Path, dest: Path) -> None:
    """Replace ``dest`` by the complete ``build`` dir (two renames on one file system)."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}-old-{build.name}")
        dest.rename(old)
    try:
        build.rename(dest)
    except OSError:
        if old is not None:
            old.rename(dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------------------
# status


@dataclass(frozen=True)
class AssetsStatus:
    """Whether the local copies are usable.

    Attributes
    ----------
    installed : bool
        The manifest exists and every file it lists (and every pinned CDN URL) is present.
    vendor_dir : Path
        The dir that was checked.
    missing : tuple of str
        Pinned CDN URLs with no local copy, then manifest paths missing on disk (or, with
        ``verify``, whose sha256 differs).
    dropped : dict of str to str
        CDN URLs left out in local mode, with the reason (see :func:`dropped_assets`).
    total_bytes : int
        Size of the vendored files, in bytes.
    """

    installed: bool
    vendor_dir: Path
    missing: tuple[str, ...] = ()
    dropped: dict[str, str] = field(default_factory=dropped_assets)
    total_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "installed": self.installed,
            "vendor_dir": str(self.vendor_dir),
            "missing": list(self.missing),
            "dropped": self.dropped,
            "total_bytes": self.total_bytes,
        }


def assets_status(vendor_dir: str | Path | None = None, *, verify: bool = False) -> AssetsStatus:
    """Check the local copies.

    Parameters
    ----------
    vendor_dir : str or Path, optional
        Default :data:`VENDOR_DIR`.
    verify : bool
        Also compare every file's sha256 with the manifest (reads all files, ~10 MB).

    Returns
    -------
    AssetsStatus
    """
    vendor_dir = Path(vendor_dir) if vendor_dir is not None else VENDOR_DIR
    manifest = _read_manifest(vendor_dir)
    if manifest is None:
        return AssetsStatus(False, vendor_dir, (f"{vendor_dir / MANIFEST_NAME}",))
    have = {e["url"] for e in manifest["files"] if e.get("url")}
    missing = [url for pkg in PACKAGES for url, _ in pkg.files if url not in have]
    missing += _missing_files(vendor_dir, manifest, verify=verify)
    size = sum(e["size"] for e in manifest["files"])
    return AssetsStatus(not missing, vendor_dir, tuple(missing), total_bytes=size)


def _read_manifest(vendor_dir: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((vendor_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(manifest, dict) and manifest.get("format") == _MANIFEST_FORMAT
    return manifest if ok else None


def _missing_files(vendor_dir: Path, manifest: dict, *, verify: bool) -> list[str]:
    """Manifest paths absent from ``vendor_dir`` or of another size (or sha256, if verify)."""

    def ok(entry: dict) -> bool:
        path = vendor_dir / entry["path"]
        if not path.is_file() or path.stat().st_size != entry["size"]:
            return False
        return not verify or hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]

    return [entry["path"] for entry in manifest["files"] if not ok(entry)]


# --------------------------------------------------------------------------------------
# use


def _local_urls(vendor_dir: Path) -> dict[str, str] | None:
    """CDN URL -> path under the vendor dir, for files present; None when not installed."""
    manifest = _read_manifest(vendor_dir)
    if manifest is None:
        return None
    return {
        e["url"]: e["path"]
        for e in manifest["files"]
        if e.get("url") and (vendor_dir / e["path"]).is_file()
    }


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


class _IconImagePath(MacroElement):
    """Sets ``L.Icon.Default.imagePath`` before the map's layers are created.

    Leaflet finds its marker images through ``leaflet.css``; streamlit-folium runs the map
    before that stylesheet applies, and Leaflet 1.9.3's fallback drops the ``images/``
    folder, so default markers (and Leaflet.draw's) would 404 without this.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        'if (typeof L.Icon.Default.imagePath !== "string") '
        "{ L.Icon.Default.imagePath = {{ this.path|tojson }}; }"
        "{% endmacro %}"
    )

    def __init__(self, path: str) -> None:
        super().__init__()
        self._name = "IconImagePath"
        self.path = path


_ICON_PATH_NAME = "mapapp_leaflet_icon_path"


def localize(
    element: Any, base_url: str = COMPONENT_BASE_URL, vendor_dir: str | Path | None = None
) -> list[str]:
    """Point the JS/CSS links of ``element`` and all its descendants to the local copies.

    Each element's ``default_js``/``default_css`` is replaced by an instance attribute (the
    folium classes are not changed). Without an installed vendor dir nothing changes. In local
    mode the assets of :func:`dropped_assets` are removed; other URLs with no local copy stay,
    and an element whose Leaflet is local gets a first child setting Leaflet's marker image
    path (see :class:`_IconImagePath`).

    Parameters
    ----------
    element : branca.element.Element
        A ``folium.Map`` or any element tree (walked through ``_children``; call it after
        adding the plugins).
    base_url : str
        URL of the vendor dir as seen by the page showing the map; the default suits the
        streamlit-folium iframe.
    vendor_dir : str or Path, optional
        Default :data:`VENDOR_DIR`.

    Returns
    -------
    list of str
        URLs still loaded from the internet (all of them when the copies are not installed).
    """
    local = _local_urls(Path(vendor_dir) if vendor_dir is not None else VENDOR_DIR)
    base = base_url.rstrip("/") + "/"
    remote: list[str] = []
    for el in _walk(element):
        for attr in ("default_js", "default_css"):
            links = getattr(el, attr, None)
            if not links:
                continue
            new = []
            for name, url in links:
                if local is not None and url in local:
                    if local[url].endswith("/leaflet.js"):
                        _set_icon_path(el, base + posixpath.dirname(local[url]) + "/images/")
                    url = base + local[url]
                elif local is not None and url in _DROPPED:
                    continue
                elif not url.startswith(base) and url not in remote:
                    remote.append(url)
                new.append((name, url))
            setattr(el, attr, new)
    return remote


def _set_icon_path(element: Any, path: str) -> None:
    children = getattr(element, "_children", None)
    if children is None or not hasattr(element, "add_child"):
        return
    element.add_child(_IconImagePath(path), name=_ICON_PATH_NAME)
    children.move_to_end(_ICON_PATH_NAME, last=False)


def standalone_html(element: Any, vendor_dir: str | Path | None = None) -> str:
    """Render ``element``'s figure as one HTML document with the local JS/CSS embedded.

    Scripts and stylesheets become inline ``<script>``/``<style>``; images and ``woff2`` fonts
    named by the CSS become ``data:`` URIs (older font formats, only fallbacks, are left as
    dangling relative URLs; Font Awesome's legacy family aliases are left out). Dropped
    assets are removed. Without installed copies the CDN links are kept. Works whether or
    not :func:`localize` was called on ``element``. An empty map is about 1.2 MB.

    Parameters
    ----------
    element : branca.element.Element
        A ``folium.Map`` (or any element of a figure).
    vendor_dir : str or Path, optional
        Default :data:`VENDOR_DIR`.

    Returns
    -------
    str
        The HTML document.
    """
    vendor_dir = Path(vendor_dir) if vendor_dir is not None else VENDOR_DIR
    html = element.get_root().render()
    manifest = _read_manifest(vendor_dir)
    if manifest is None:
        return html
    by_url = {e["url"]: e["path"] for e in manifest["files"] if e.get("url")}
    paths = [e["path"] for e in manifest["files"]]

    def lookup(url: str) -> Path | None:
        rel = by_url.get(url) or next((p for p in paths if url.endswith("/" + p)), None)
        path = vendor_dir / rel if rel else None
        return path if path is not None and path.is_file() else None

    def script(match: re.Match) -> str:
        url = match.group(1)
        if url in _DROPPED:
            return ""
        path = lookup(url)
        if path is None:
            return match.group(0)
        code = re.sub(r"</(script)", r"<\\/\1", path.read_text("utf-8"), flags=re.IGNORECASE)
        code = f"<script>\n{code}\n</script>"
        if path.name == "leaflet.js":
            code += _leaflet_icon_script(path.parent / "images")
        return code

    def style(match: re.Match) -> str:
        url = match.group(1)
        if url in _DROPPED:
            return ""
        path = lookup(url)
        if path is None:
            return match.group(0)
        return f"<style>\n{_inline_css_urls(path)}\n</style>"

    html = re.sub(r'<script src="([^"]+)"></script>', script, html)
    return re.sub(r'<link rel="stylesheet" href="([^"]+)"\s*/?>', style, html)


_DATA_URI_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".svg", ".woff2")
# Font Awesome 6 repeats its fonts under legacy family names (v4/v5 shims for CSS naming
# those families; folium's "fa fa-…" classes use the v6 ones): embedding them would add
# ~0.9 MB of duplicate data: URIs, so inline mode leaves these @font-face rules out.
_LEGACY_FONT_FACES = re.compile(
    r'@font-face\{font-family:"(?:FontAwesome|Font Awesome 5 [^"]*)";[^}]*\}'
)


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or (
        "font/woff2" if path.suffix == ".woff2" else "application/octet-stream"
    )
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _inline_css_urls(css_path: Path) -> str:
    """The stylesheet with its image and woff2 references replaced by ``data:`` URIs.

    SVG fonts (``format("svg")``, an obsolete fallback) are not embedded.
    """
    css = _LEGACY_FONT_FACES.sub("", css_path.read_text("utf-8"))

    def repl(match: re.Match) -> str:
        ref = match.group(2).strip()
        after = css[match.end() : match.end() + 20].replace("'", '"').replace(" ", "")
        if ref.startswith("data:") or "://" in ref or after.startswith('format("svg")'):
            return match.group(0)
        target = css_path.parent / re.split(r"[?#]", ref, maxsplit=1)[0]
        if target.suffix.lower() in _DATA_URI_SUFFIXES and target.is_file():
            return f'url("{_data_uri(target)}")'
        return match.group(0)

    return _CSS_URL.sub(repl, css)


def _leaflet_icon_script(images: Path) -> str:
    """Make ``L.Icon.Default`` use embedded images (its path detection needs real URLs)."""
    names = {
        "iconUrl": "marker-icon.png",
        "iconRetinaUrl": "marker-icon-2x.png",
        "shadowUrl": "marker-shadow.png",
    }
    options = {k: _data_uri(images / v) for k, v in names.items() if (images / v).is_file()}
    if not options:
        return ""
    return (
        "<script>L.Icon.Default.imagePath = '';"
        f"L.Icon.Default.mergeOptions({json.dumps(options)});</script>"
    )
