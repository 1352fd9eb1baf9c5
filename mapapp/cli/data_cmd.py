"""``data`` subcommands: the grid catalogue, downloads and imports.

``python -m mapapp data list [--json]`` — catalogue of public grids and the grids present;
``python -m mapapp data fetch SOURCE [--bbox W,S,E,N] [--resolution R] [--name N]`` —
download and install a COG with provenance (progress on stderr);
``python -m mapapp data import FILE [--positive-down | --positive-up] [--name N]
[--crs EPSG:XXXX] [--bbox W,S,E,N]`` — convert a local GeoTIFF / NetCDF / Esri ASCII grid;
``python -m mapapp data remote URL [--name N]`` — register a remote COG (allowlisted hosts).
The main CLI (:mod:`mapapp.cli`) discovers :func:`register`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from mapapp.core.errors import InputError
from mapapp.data.bathymetry import Grid
from mapapp.data.catalogue import catalogue, plan_fetch
from mapapp.data.fetch import fetch
from mapapp.data.gridimport import import_grid
from mapapp.data.remote import register_remote

__all__ = ["cmd_fetch", "cmd_import", "cmd_list", "cmd_remote", "register", "ProgressBar"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` command (``list``, ``fetch``, ``import``, ``remote``)."""
    parser = subparsers.add_parser(
        "data",
        help="bathymetry grids: catalogue, fetch, import",
        description="Get better bathymetry than the embedded ETOPO5: list the public grids, "
        "fetch one for a bounding box, or import a file you have. Grids go to "
        "geodata/bathymetry/ as Cloud-Optimised GeoTIFFs with a provenance sidecar.",
    )
    sub = parser.add_subparsers(dest="data_command", metavar="{list,fetch,import,remote}",
                                required=True)

    p = sub.add_parser("list", help="the catalogue and the grids already present")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "fetch", help="download a grid for a bounding box",
        description="Download from a catalogue source (gmrt, etopo2022, etopo2022-erddap), "
        "verify, and install as a COG. Interrupted downloads resume when run again.",
    )
    p.add_argument("source", help="catalogue id (see `data list`)")
    p.add_argument("--bbox", default=None,
                   help="W,S,E,N in degrees (default the strait AOI -174,63.5,-164.5,66.5); "
                   "write --bbox=-170,65,-168,66 because of the leading minus")
    p.add_argument("--resolution", default=None, help="e.g. high (gmrt) or 15s (etopo)")
    p.add_argument("--name", default=None, help="output file name (without .tif)")
    p.add_argument("--sha256", default=None, help="expected SHA-256 of the download")
    p.add_argument("--retries", type=int, default=3, help="retries after a failure (3)")
    p.add_argument("--force", action="store_true", help="replace a grid of the same name")
    p.add_argument("--dry-run", action="store_true", help="print the request, download nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser(
        "import", help="convert a local grid file into the app's data folder",
        description="GeoTIFF, NetCDF (elevation, z, … variables) or Esri ASCII (.asc) → COG "
        "with overviews + provenance. The native CRS is kept.",
    )
    p.add_argument("file", help="grid file")
    sign = p.add_mutually_exclusive_group()
    sign.add_argument("--positive-down", action="store_true",
                      help="the file stores depths positive down")
    sign.add_argument("--positive-up", action="store_true",
                      help="the file stores elevations (negative below sea level)")
    p.add_argument("--name", default=None, help="output file name (without .tif)")
    p.add_argument("--crs", default=None, help="CRS when the file has none, e.g. EPSG:4326")
    p.add_argument("--bbox", default=None, help="keep only W,S,E,N (degrees)")
    p.add_argument("--source", default=None, help="source text for the provenance sidecar")
    p.add_argument("--licence", default=None, help="licence for the provenance sidecar")
    p.add_argument("--citation", default=None, help="citation for the provenance sidecar")
    p.add_argument("--force", action="store_true", help="replace a grid of the same name")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "remote", help="register a remote Cloud-Optimised GeoTIFF by URL",
        description="Writes <name>.vrt pointing at the URL (http/https, hosts allowlisted by "
        "MAPAPP_REMOTE_HOSTS).",
    )
    p.add_argument("url")
    p.add_argument("--name", default=None)
    p.add_argument("--positive-down", action="store_true")
    p.add_argument("--licence", default="")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_remote)
    return parser


class ProgressBar:
    """A one-line progress bar on stderr (``\\r``-updated on a terminal, else a few lines)."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._label = None
        self._step = -1

    def __call__(self, label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        new = label != self._label
        if new:
            self._label, self._step = label, -1
        if self.tty:
            if not (final or new) and now - self._last < 0.1:
                return
            self._last = now
            self.stream.write("\r" + self._line(label, done, total))
            if final:
                self.stream.write("\n")
                self._label = None
        else:  # a log: one line per quarter
            step = 4 if final else (int(4 * done / total) if total else 0)
            if step == self._step:
                return
            self._step = step
            self.stream.write(self._line(label, done, total) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End an unfinished ``\r`` line (size not announced, or an interruption)."""
        if self.tty and self._label is not None:
            self.stream.write("\n")
            self.stream.flush()
            self._label = None

    def _line(self, label, done, total) -> str:
        mb = done / 1e6
        if total:
            frac = min(done / total, 1.0)
            fill = int(self.width * frac)
            bar = "#" * fill + "." * (self.width - fill)
            return f"{label} [{bar}] {frac:4.0%} {mb:.1f}/{total / 1e6:.1f} MB"
        return f"{label} {mb:.1f} MB (size not announced)"


def cmd_list(args: argparse.Namespace) -> int:
    """Print the catalogue (sources, then grids present)."""

    cat = catalogue()
    if args.json:
        print(json.dumps(cat, indent=2, ensure_ascii=False))
        return 0
    print("Public grids (python -m mapapp data fetch ID / data import FILE):")
    for s in cat["sources"]:
        res = f" --resolution {'|'.join(s['resolutions'])}" if s["resolutions"] else ""
        print(f"\n  {s['id']}: {s['name']}")
        print(f"    resolution: {s['resolution']}; CRS {s['crs']}")
        print(f"    licence:    {s['licence']}")
        print(f"    cite:       {s['citation']}")
        how = s["how"].replace("{base}", s.get("base_url") or "")
        print(f"    how:        {how}")
        if s["method"] in ("bbox", "tiles"):
            print(f"    fetch:      python -m mapapp data fetch {s['id']} "
                  f"--bbox=-174,63.5,-164.5,66.5{res}")
    print("\nGrids in geodata/bathymetry:")
    for g in cat["local"]:
        if g["error"]:
            print(f"  {g['file']}: unusable — {g['error']}")
            continue
        box = ", ".join(f"{v:g}" for v in g["bounds_deg"])
        print(f"  {g['file']}: {g['resolution']}; extent W,S,E,N {box}; {g['crs']}; "
              f"source: {g['source'] or 'not stated'}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download and install a grid; progress on stderr, the result on stdout."""

    if args.dry_run:
        plan = plan_fetch(args.source, args.bbox, args.resolution, args.name)
        if args.json:
            print(json.dumps(plan.to_dict(), indent=2))
        else:
            for url in plan.urls:
                print(url)
            print(f"→ {plan.name}.tif" + (" (cut to the box)" if plan.crop else ""))
        return 0
    if args.retries < 0:

        raise InputError("--retries must be 0 or more")
    bar = ProgressBar()
    try:
        res = fetch(args.source, args.bbox, args.resolution, args.name, force=args.force,
                    sha256=args.sha256, retries=args.retries, progress=bar)
    finally:
        bar.close()
    for note in res.warnings:
        print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(res.to_dict(), indent=2))
    else:

        info = Grid(res.path).info
        print(f"{res.path} ({info.width}×{info.height} px, {info.resolution_label})")
        print(f"provenance: {res.provenance_path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a local grid file."""

    pos = True if args.positive_down else (False if args.positive_up else None)
    prov = {k: v for k, v in (("source", args.source), ("licence", args.licence),
                              ("citation", args.citation)) if v}
    res = import_grid(args.file, name=args.name, positive_down=pos, crs=args.crs,
                      bbox=args.bbox, force=args.force, provenance=prov or None)
    for note in res.warnings:
        print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(res.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"{res.path} ({res.info.width}×{res.info.height} px, {res.info.resolution_label})")
        print(f"CRS {res.info.crs} ({res.crs_basis}); input "
              f"{'depths positive down (flipped)' if res.source_positive_down else 'elevations'}"
              f" — {res.sign_basis}")
        print(f"provenance: {res.provenance_path}")
    return 0


def cmd_remote(args: argparse.Namespace) -> int:
    """Register a remote COG."""

    path = register_remote(args.url, name=args.name, positive_down=args.positive_down or None,
                           licence=args.licence, force=args.force)
    print(path)
    return 0
