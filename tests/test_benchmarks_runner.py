"""The benchmark runner's table and RESULTS.md, from fake measurements (nothing is timed)."""

from benchmarks.browser import _fg_names, _split_feature_groups, ws_breakdown
from benchmarks.runner import Measurement, fmt_number, markdown_table, results_markdown, text_table

FAKE = [
    Measurement("Warm interaction ratio mapapp / bare Streamlit", 6.58, "×", ("<=", 2.0),
                note="the whole script reruns"),
    Measurement("Profile sampling vs naive per-point rasterio.sample", 240.4, "×", (">=", 50.0)),
    Measurement("Cold start", 10.17, "s", note="server answering after 1.1 s"),
    Measurement("Optimiser", None, note="not available yet"),
    Measurement("leafmap payload", 2.9046, "MB", group="peer"),
]


def test_status_follows_target_direction_and_missing_values():
    assert [m.status for m in FAKE] == ["FAIL", "pass", "note", "n/a", "note"]
    assert Measurement("x", 2.0, "×", ("<=", 2.0)).status == "pass"  # the limit itself passes
    assert Measurement("x", 49.9, "×", (">=", 50.0)).status == "FAIL"


def test_numbers_are_rounded_by_magnitude():
    assert fmt_number(1234.5, "ms") == "1,234 ms"  # banker's rounding of .5 is fine here
    assert fmt_number(6.578, "×") == "6.58×"
    assert fmt_number(10.17, "s") == "10.2 s"
    assert fmt_number(0.0123, "s") == "0.012 s"
    assert FAKE[0].target_text() == "≤ 2×" and FAKE[1].target_text() == "≥ 50×"


def test_text_table_has_one_aligned_row_per_measurement():
    lines = text_table(FAKE).splitlines()
    assert lines[0].split() == ["metric", "value", "target", "result"]
    assert len(lines) == 2 + len(FAKE)
    assert lines[2].endswith("6.58×    ≤ 2×  FAIL")
    assert lines[5].rstrip().endswith("—          n/a")
    # value column right-aligned: every row's value ends at the same column
    ends = {line.index(v) + len(v) for line, v in zip(lines[2:], ["6.58×", "240×", "10.2 s",
                                                                  "—", "2.90 MB"], strict=True)}
    assert len(ends) == 1


def test_markdown_table_and_results_file():
    md = markdown_table(FAKE)
    assert md.splitlines()[2] == (
        "| Warm interaction ratio mapapp / bare Streamlit | 6.58× | ≤ 2× | **FAIL** |")
    text = results_markdown(FAKE, {"CPU": "Test CPU, 2 logical cores", "RAM": "1.0 GiB"},
                            [("Payload breakdown", "| item | bytes |")], "quick", 90.0)
    assert text.startswith("# Benchmark results\n")
    assert "`python -m benchmarks --quick` (quick run, 1.5 min)" in text
    assert "| CPU | Test CPU, 2 logical cores |" in text
    misses = text.split("## Misses and what stands in the way")[1].split("##")[0]
    assert "**Warm interaction ratio mapapp / bare Streamlit** — 6.58× (target ≤ 2×) misses "\
        "its target. the whole script reruns" in misses
    assert "**Optimiser** — not measured: not available yet" in misses
    assert "Profile sampling" not in misses  # passes are not misses
    peers = text.split("## Side by side with peers")[1].split("##")[0]
    assert "| leafmap payload | 2.90 MB |  | note |" in peers and "Cold start" not in peers
    assert "## Payload breakdown\n\n| item | bytes |" in text


def test_feature_groups_are_split_by_layer_control_name():
    js = ('var feature_group_feature_group_0 = L.featureGroup({});'
          ' var image_overlay_0 = L.imageOverlay("data:image/png;base64,QUJD", b);'
          'var feature_group_feature_group_1 = L.featureGroup({}); land();')
    lc = ('overlays : { "Bathymetry: ETOPO5 5\\u2032" : feature_group_feature_group_0,'
          ' "Land" : feature_group_feature_group_1, }')
    names = _fg_names(lc)
    assert names == {"feature_group_feature_group_0": "Bathymetry: ETOPO5 5′",
                     "feature_group_feature_group_1": "Land"}
    parts = dict(_split_feature_groups("st_folium", js, names))
    assert parts["st_folium layer “Bathymetry: ETOPO5 5′”: data-URL image"] == len(
        "data:image/png;base64,QUJD")
    assert sum(parts.values()) == len(js.encode())
    assert parts["st_folium layer “Land”"] == len(js) - js.index("var feature_group_feature_group_1")


def test_ws_breakdown_decodes_streamlit_messages():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = "Selected: Route A"
    raw = msg.SerializeToString()
    assert ws_breakdown([raw, b"\xff\xff"]) == [("element: markdown", len(raw)),
                                                ("undecoded frames", 2)]


def test_large_grid_table_is_parsed():
    from benchmarks.suites import _parse_large

    out = (
        "built in 3 s: 40.1 MB on disk (64.0 MB raw)\n"
        "| grid                       | operation                    |     time |  peak RSS | "
        "baseline | bytes read | detail\n"
        "|---|---|---|---|---|---|---\n"
        "| ETOPO5 (embedded)          | render whole, 1400 px        |   0.05 s |    210 MB |"
        "   200 MB |     1.0 kB | 1400×467 px\n"
        "| synthetic 8000×4000        | render whole, 1400 px        |   1.23 s |    350 MB |"
        "   250 MB |    12.3 MB | 1400×467 px\n"
        "| synthetic 8000×4000        |   of which the grid read     |   0.40 s |    301 MB |"
        "   249 MB |     9.0 MB | 3402×1701 px read\n"
    )
    rows = _parse_large(out)
    assert [(r["op"], r["time"], r["rss"], r["base"]) for r in rows] == [
        ("render whole, 1400 px", 1.23, 350.0, 250.0), ("of which the grid read", 0.4, 301.0, 249.0)]
    assert rows[0]["grid"] == "synthetic 8000×4000" and rows[1]["detail"] == "9.0 MB | 3402×1701 px read"


def test_busy_machine_is_flagged():
    import os

    cores = os.cpu_count() or 1
    busy = results_markdown(FAKE, {"Load average (1 min) at start": f"{cores + 1.5:.2f}"}, [],
                            "full")
    calm = results_markdown(FAKE, {"Load average (1 min) at start": "0.00"}, [], "full")
    assert f"load average up to {cores + 1.5:.1f} on {cores} logical cores" in busy
    assert "The machine was busy" not in calm


def test_websocket_wire_bytes_follow_the_negotiated_compression():
    import zlib

    from benchmarks.browser import deflated_size

    frames = [b"feature_group " * 500, b"x"]
    assert deflated_size(frames, "") == 7001
    ext = "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"
    got = deflated_size(frames, ext)
    assert got < 200
    # each message inflates back with the negotiated window (RFC 7692 tail re-added)
    c = zlib.compressobj(6, zlib.DEFLATED, -12)
    body = c.compress(frames[0]) + c.flush(zlib.Z_SYNC_FLUSH)
    assert zlib.decompressobj(-12).decompress(body) == frames[0]
