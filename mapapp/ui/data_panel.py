"""'Add a grid' panel: upload a grid file, open a remote COG, and how to fetch public grids.

* Upload: any GeoTIFF / NetCDF / Esri ASCII grid up to ``$MAPAPP_MAX_GRID_UPLOAD_MB`` (default
  200 MB; Streamlit's own ``server.maxUploadSize`` must be at least as large) is converted by
  :func:`mapapp.data.uploads.import_upload` into **this session's own folder**: other users
  never see it, it counts against the session's disk budget and is deleted when the session
  ends. Only the operator shares a grid (``python -m mapapp data import``, or
  ``MAPAPP_SHARED_GRID_UPLOADS=1`` for a single-user install). The dataset list is keyed by
  the folders' contents, so the new grid appears by itself on the next rerun.
* Remote COG: an http(s) URL on an allowlisted host (``$MAPAPP_REMOTE_HOSTS``) is registered
  by :func:`mapapp.data.remote.register_remote` as ``<name>.vrt`` in the session's folder.
* A caption lists the catalogue with the CLI commands that fetch each source.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import streamlit as st

from mapapp.core import safety
from mapapp.core.errors import MapAppError
from mapapp.data import catalogue, remote, uploads
from mapapp.data.gridimport import IMPORT_SUFFIXES

from . import cache

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "catalogue_markdown", "max_upload_mb", "panel"]

#: Upload limit when ``MAPAPP_MAX_GRID_UPLOAD_MB`` is not set, MB.
DEFAULT_MAX_UPLOAD_MB = 200

_SIGNS = {
    "detect": None,
    "elevations (negative below sea level)": False,
    "depths (positive down)": True,
}


def max_upload_mb() -> int:
    """The upload limit in MB (``$MAPAPP_MAX_GRID_UPLOAD_MB``, default 200; invalid → 200)."""
    raw = os.environ.get("MAPAPP_MAX_GRID_UPLOAD_MB", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if value > 0 else DEFAULT_MAX_UPLOAD_MB


def catalogue_markdown() -> str:
    """One markdown line per catalogue source, with the command that gets it."""
    lines = []
    for s in catalogue.CATALOGUE.values():
        if s.method == "embedded":
            cmd = "included"
        elif s.method == "manual":
            cmd = f"download from {s.info_url if s.id == 'gebco' else 'the IBCAO pages'}, then "
            cmd += "`python -m mapapp data import FILE`"
        else:
            res = f" --resolution {s.resolutions[0]}" if s.resolutions else ""
            cmd = f"`python -m mapapp data fetch {s.id} --bbox=-174,63.5,-164.5,66.5{res}`"
        lines.append(f"- **{s.name}** — {s.resolution}; {s.licence}: {cmd}")
    return "\n".join(lines)


def _import_upload(up, sign: str, crs: str, force: bool) -> None:
    limit = max_upload_mb()
    if up.size > limit * 1024 * 1024:
        st.session_state["grid_message"] = (
            "error", f"{safety.md_escape(up.name)} is {up.size / 1e6:.0f} MB; the limit is "
            f"{limit} MB (MAPAPP_MAX_GRID_UPLOAD_MB). For larger files use "
            "`python -m mapapp data import FILE`.")
        return
    sid = cache.session_id() or "no-session-0"
    fname = uploads.upload_file_name(up.name)
    with tempfile.TemporaryDirectory(prefix="mapapp_upload_") as tmp:
        path = Path(tmp) / fname
        with open(path, "wb") as fh:
            up.seek(0)
            shutil.copyfileobj(up, fh, 1 << 20)
        try:
            with st.spinner(f"Converting {fname} to a cloud-optimised GeoTIFF…"):
                res = uploads.import_upload(path, sid, size=up.size,
                                            positive_down=_SIGNS[sign],
                                            crs=crs.strip() or None, force=force)
        except MapAppError as exc:
            st.session_state["grid_message"] = (
                "error", "The grid was not added: " + safety.md_escape(str(exc)))
            return
        except OSError as exc:  # the session folder itself cannot be written
            st.session_state["grid_message"] = (
                "error", safety.md_escape(f"cannot store {fname}: {exc.strerror or exc}"))
            return
    notes = " ".join(safety.md_escape(w) for w in res.warnings)
    where = ("shared with every user (MAPAPP_SHARED_GRID_UPLOADS)" if uploads.shared_uploads()
             else "visible in this session only, deleted when it ends")
    st.session_state["grid_message"] = (
        "success",
        f"Imported {safety.md_escape(res.path.name)}: {safety.md_escape(res.info.resolution_label)}"
        f", {safety.md_escape(res.info.crs)}; values "
        f"{'were depths (flipped)' if res.source_positive_down else 'are elevations'} — "
        f"{safety.md_escape(res.sign_basis)}. {where.capitalize()}; choose it under "
        f"“Bathymetry dataset”. {notes}",
    )


def _register(url: str, name: str) -> None:
    try:
        folder = (None if uploads.shared_uploads()
                  else uploads.session_dir(cache.session_id() or "no-session-0", create=True))
        with st.spinner("Opening the remote grid…"):
            path = remote.register_remote(url, name=name.strip() or None, folder=folder)
    except MapAppError as exc:
        st.session_state["grid_message"] = (
            "error", "The remote grid was not added: " + safety.md_escape(str(exc)))
        return
    st.session_state["grid_message"] = (
        "success", f"Registered {safety.md_escape(path.name)}; choose it under “Bathymetry "
        "dataset”. Views read only the tiles they need from the server.")


def panel() -> None:
    """The 'Add a grid' expander."""
    limit = max_upload_mb()
    # keyed: a message appearing above it in the sidebar must not re-mount (collapse) it
    with st.expander("Add a grid", expanded=False, key="grid_panel"):
        msg = st.session_state.pop("grid_message", None)
        if msg:
            (st.error if msg[0] == "error" else st.success)(msg[1])
        up = st.file_uploader(
            "Grid file (GeoTIFF, NetCDF, Esri ASCII)",
            type=[s.lstrip(".") for s in IMPORT_SUFFIXES],
            key="grid_upload",
            help=f"Up to {limit} MB (MAPAPP_MAX_GRID_UPLOAD_MB). It is converted to a "
            "cloud-optimised GeoTIFF with overviews; its own CRS is kept. "
            + ("Every user will see it." if uploads.shared_uploads() else
               f"Only you see it, until this session ends; your grids may take "
               f"{uploads.budget_bytes() / 2**20:.0f} MB on the server."),
        )
        sign = st.radio("The file stores", list(_SIGNS), horizontal=True, key="grid_sign",
                        help="'detect': the file's CF 'positive' attribute, else the coastline "
                        "test (sea cells above 0 m → depths), else elevations.")
        crs = st.text_input("CRS if the file has none", key="grid_crs",
                            placeholder="EPSG:4326 (lon/lat) or EPSG:3996 (IBCAO)")
        # replaces one of this session's own grids; shared grids are never replaced from here
        force = not uploads.shared_uploads() and st.checkbox(
            "Replace my grid of the same name", key="grid_force")
        if st.button("Import the grid", key="grid_import", disabled=up is None):
            _import_upload(up, sign, crs, force)
            st.rerun()
        st.divider()
        url = st.text_input("Remote cloud-optimised GeoTIFF (http/https URL)", key="remote_url",
                            help="Allowed hosts: " + ", ".join(remote.remote_hosts())
                            + " (MAPAPP_REMOTE_HOSTS).")
        name = st.text_input("Name for it (optional)", key="remote_name")
        if st.button("Open the remote grid", key="remote_open", disabled=not url.strip()):
            _register(url, name)
            st.rerun()
        st.caption("Public grids (run in a terminal, then they appear in the dataset list):\n"
                   + catalogue_markdown())
