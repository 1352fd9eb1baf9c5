"""``data fetch``: plan, download and import a public grid in one call.

:func:`fetch` runs the three steps of the data layer in order — the plan from
:mod:`mapapp.data.catalogue`, the resumable verified download of
:mod:`mapapp.data.download`, the conversion of :mod:`mapapp.data.gridimport` — into a
Cloud-Optimised GeoTIFF plus provenance sidecar in ``geodata/bathymetry/``, renamed into
place only when complete and valid. Downloads stay as ``*.partial`` files (never listed)
until the import succeeds, so an interrupted fetch resumes when run again.

Grids fetched this way are shared by every user of the server: fetching and importing are
operator actions (the CLI), never something a browser session does.

Examples
--------
>>> part_path(Path("/data"), "gmrt_strait", "https://example.org/a.tif", ".tif").name
'gmrt_strait.b393818de4.tif.download.partial'
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mapapp.core.errors import FetchError, InputError, MapAppError
from mapapp.core.paths import bathymetry_dir
from mapapp.data import gridimport
from mapapp.data.catalogue import FetchPlan, bbox_tag, plan_fetch
from mapapp.data.download import DownloadResult, download
from mapapp.data.files import PARTIAL, discard

__all__ = ["FetchResult", "fetch", "part_path"]


@dataclass(frozen=True)
class FetchResult:
    """A fetched grid: the COG, its sidecar, the plan and what was downloaded."""

    path: Path
    provenance_path: Path
    plan: FetchPlan
    downloads: list[DownloadResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "provenance": str(self.provenance_path),
            **self.plan.to_dict(),
            "downloaded_bytes": sum(d.size for d in self.downloads),
            "warnings": list(self.warnings),
        }


def part_path(folder: Path, stem: str, url: str, suffix: str) -> Path:
    """Where the download of ``url`` for grid ``stem`` goes (stable across runs: resumable)."""
    key = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    return folder / f"{stem}.{key}{suffix}.download{PARTIAL}"


def fetch(
    source_id: str,
    bbox=None,
    resolution: str | None = None,
    name: str | None = None,
    *,
    folder: Path | None = None,
    force: bool = False,
    sha256: str | None = None,
    retries: int = 3,
    backoff_s: float = 1.0,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> FetchResult:
    """Download a grid from the catalogue and install it as a COG with provenance.

    Parameters
    ----------
    source_id, bbox, resolution, name
        As :func:`mapapp.data.catalogue.plan_fetch`.
    folder : Path, optional
        Destination (default ``geodata/bathymetry``).
    force : bool
        Replace an existing grid of the same name.
    sha256 : str, optional
        Expected SHA-256 of the download (only for a single-file request).
    retries, backoff_s
        As :func:`mapapp.data.download.download`.
    progress : callable, optional
        ``progress(label, bytes_done, bytes_total_or_None)``.

    Returns
    -------
    FetchResult

    Raises
    ------
    InputError, FetchError
        Bad request, download or verification failure; or :class:`DatasetError` when what
        was downloaded is not a usable grid (it is then discarded).
    """
    plan = plan_fetch(source_id, bbox, resolution, name)
    folder = Path(folder or bathymetry_dir())
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{plan.name}.tif"
    if dest.exists() and not force:
        raise InputError(
            f"{dest.name} already exists in {folder}; use --force to replace it or --name "
            "to choose another name"
        )
    gridimport.check_name_free(folder, plan.name, ".tif")
    if sha256 and len(plan.urls) != 1:
        raise InputError("--sha256 applies to a single file, but this request has several")
    results = []
    for i, url in enumerate(plan.urls, 1):
        label = f"{plan.source.id} {i}/{len(plan.urls)}"

        def report(done, total, _label=label):
            if progress:
                progress(_label, done, total)

        part = part_path(folder, plan.name, url, plan.raw_suffix)
        results.append(download(url, part, sha256=sha256, retries=retries,
                                backoff_s=backoff_s, progress=report))
    src = plan.source
    prov = {
        "name": f"{src.name} {plan.resolution} ({bbox_tag(plan.bbox)})",
        "source": src.name,
        "source_id": src.id,
        "url": plan.urls[0] if len(plan.urls) == 1 else plan.urls,
        "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
        "request_bbox": list(plan.bbox),
        "resolution_requested": plan.resolution,
        "licence": src.licence,
        "citation": src.citation,
        "download_sha256": [r.sha256 for r in results],
        "download_bytes": [r.size for r in results],
        "tool": "python -m mapapp data fetch",
    }
    raws = [r.path for r in results]
    try:
        out = gridimport.import_grid(
            raws,
            name=plan.name,
            positive_down=False,
            sign_basis=f"{src.id} publishes elevations in metres, positive up",
            bbox=plan.bbox if plan.crop else None,
            folder=folder,
            force=force,
            provenance=prov,
            original_name=", ".join(u.rsplit("/", 1)[-1].split("?")[0] for u in plan.urls),
        )
    except Exception as exc:
        for r in results:
            discard(r.path, r.path.with_name(r.path.name + ".json"))
        ctype = results[0].content_type if results else ""
        detail = str(exc) if isinstance(exc, MapAppError) else f"{type(exc).__name__}: {exc}"
        raise FetchError(
            f"the server did not return a usable grid ({ctype or 'unknown type'}): {detail}; "
            "the download was discarded"
        ) from exc
    for r in results:
        discard(r.path, r.path.with_name(r.path.name + ".json"))
    return FetchResult(out.path, out.provenance_path, plan, results, list(out.warnings))
