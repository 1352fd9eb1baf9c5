"""``assets`` subcommands of the mapapp CLI.

``python -m mapapp assets install [--dest DIR] [--force]`` downloads the offline copies of
Leaflet and the folium plugins; ``python -m mapapp assets status [--json]`` reports them.
The main CLI (:mod:`mapapp.cli`) discovers :func:`register`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mapapp.core.errors import AssetError
from mapapp.render.assets import VENDOR_DIR, assets_status, install_assets

__all__ = ["cmd_install", "cmd_status", "register"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``assets`` command (with ``install`` and ``status``) to ``subparsers``.

    Each leaf parser sets ``func``: a handler taking the parsed Namespace and returning the
    exit code.

    Returns
    -------
    argparse.ArgumentParser
        The ``assets`` parser.
    """
    parser = subparsers.add_parser(
        "assets",
        help="offline copies of Leaflet and the folium plugins",
        description="Manage the offline copies of the map's JavaScript/CSS (from npm).",
    )
    sub = parser.add_subparsers(dest="assets_command", metavar="{install,status}", required=True)
    install = sub.add_parser(
        "install",
        help="download the pinned packages with npm into the vendor dir",
        description=f"Download the pinned npm packages and build the vendor dir "
        f"(default {VENDOR_DIR}). Needs npm and the npm registry.",
    )
    install.add_argument("--dest", type=Path, default=None, help="vendor dir to create")
    install.add_argument("--force", action="store_true", help="download even if up to date")
    install.add_argument(
        "--optional",
        action="store_true",
        help="if npm or the registry is unavailable, say so and exit 0 (the map then loads "
        "its assets from public CDNs)",
    )
    install.set_defaults(func=cmd_install)
    status = sub.add_parser("status", help="tell whether the local copies are installed")
    status.add_argument("--dest", type=Path, default=None, help="vendor dir to check")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=cmd_status)
    return parser


def cmd_install(args: argparse.Namespace) -> int:
    """Run ``assets install``; progress goes to stderr. Returns 0 (errors raise AssetError,
    except with ``--optional``, which reports them as a warning and returns 0)."""
    try:
        manifest = install_assets(
            args.dest,
            force=getattr(args, "force", False),
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except AssetError as exc:
        if not getattr(args, "optional", False):
            raise
        print(f"warning: offline assets not installed ({exc}); the map will load Leaflet "
              "and its plugins from public CDNs", file=sys.stderr)
        return 0
    size = sum(entry["size"] for entry in manifest["files"])
    dest = args.dest or VENDOR_DIR
    print(
        f"{len(manifest['files'])} files ({size} bytes) from "
        f"{len(manifest['packages'])} packages in {dest}"
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Run ``assets status``. Returns 0 when the local copies are installed, else 1."""
    status = assets_status(getattr(args, "dest", None), verify=True)
    if args.json:
        print(json.dumps(status.to_dict(), indent=2))
    else:
        state = "installed" if status.installed else "NOT installed"
        print(f"offline assets {state} in {status.vendor_dir} ({status.total_bytes} bytes)")
        for item in status.missing:
            print(f"  missing: {item}")
        for url, reason in status.dropped.items():
            print(f"  left out in local mode: {url}\n    ({reason})")
        if not status.installed:
            print("  run: python -m mapapp assets install")
    return 0 if status.installed else 1
