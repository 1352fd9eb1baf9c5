"""Connecting alignments in every route format (GeoJSON, KML, GPX, GeoPackage, CSV).

The paths are :class:`~mapapp.routes.route.Route` objects, written by
:mod:`mapapp.io.export` (lines cut at the antimeridian in GeoJSON, RFC 7946 §3.1.9) without
the strait metrics, which mean nothing thousands of km inland. GeoJSON features also carry
the link figures of each path (``properties.link``: railhead, side, lengths, river
crossings, permafrost, cost range with currency and price year, published lengths).
"""

from __future__ import annotations

import json

from mapapp.core.errors import ExportError

__all__ = ["FORMATS", "link_export_bytes"]

#: Formats of the connecting-alignment export.
FORMATS = ("geojson", "kml", "gpx", "gpkg", "csv")


def link_export_bytes(result, fmt: str, include_strait: bool = True) -> bytes:
    """The paths of a :class:`~mapapp.link.model.LinkResult` in ``fmt``.

    Parameters
    ----------
    result : LinkResult
    fmt : str
        One of :data:`FORMATS`.
    include_strait : bool
        Also write the strait route itself (its ``properties.link`` is absent).
    """
    from mapapp.io.export import export_bytes

    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    routes = result.routes() + ([result.strait_route] if include_strait else [])
    data = export_bytes(routes, fmt, metrics=False)
    if fmt != "geojson":
        return data
    fc = json.loads(data)
    by_id = {p.route.id: p.to_dict() for p in result.paths}
    for f in fc["features"]:
        link = by_id.get(f.get("id"))
        if link is not None:
            f["properties"]["kind"] = "connecting_railway"
            f["properties"]["link"] = link
    return (json.dumps(fc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
