r"""Limits and sanitising for input from outside: uploaded files, shared links, drawings.

The app is used by several people at once and fed files from anywhere. Everything here
keeps one hostile or broken input from costing unbounded memory or time, from running a
script in someone's browser, or from crashing the server. See ``docs/security.md``.

Limits
------
=============================  ============  ==============================================
:data:`MAX_UPLOAD_BYTES`       10 MB         size of one route file (also the KML inside a KMZ)
:data:`MAX_ROUTES_PER_FILE`    50            routes read from one file
:data:`MAX_VERTICES_PER_ROUTE` 5,000         waypoints of one route
:data:`MAX_VERTICES_PER_FILE`  50,000        coordinate positions / points in one file
:data:`MAX_FEATURES_PER_FILE`  10,000        GeoJSON features or KML placemarks in one file
:data:`MAX_ROUTES_PER_SESSION` 50            uploaded, edited and drawn routes of one user
:data:`MAX_VERTICES_PER_SESSION` 100,000     their waypoints together
:data:`MAX_EDITOR_ROWS`        5,000         rows of the waypoint editor (one route)
:data:`MAX_SESSION_GRID_BYTES` 500 MB        grids one session uploaded, on disk
:data:`SESSION_GRID_MAX_AGE_S` 12 h          age at which a session's grid folder is removed
:data:`MAX_NAME_CHARS`         200           a route or waypoint name
:data:`MAX_XML_DEPTH`          64            element nesting in KML / GPX
:data:`MAX_XML_ELEMENTS`       1,000,000     elements in KML / GPX
:data:`MAX_ZIP_MEMBERS`        1,000         entries of a KMZ archive
:data:`MAX_ZIP_RATIO`          200           uncompressed / compressed size of the KML in a KMZ
=============================  ============  ==============================================

Examples
--------
>>> clean_text("  <b>Route\u202e 1</b>\x00\n ")
'<b>Route 1</b>'
>>> md_escape("![x](u)")
'\\!\\[x\\]\\(u\\)'
>>> check_xml(b"<gpx><rte><rtept lat='1' lon='2'/></rte></gpx>", "GPX")["rtept"]
1
>>> csv_cell("=HYPERLINK(\"http://x\")"), csv_cell(-168.5), csv_cell("Cape Dezhnev")
('\'=HYPERLINK("http://x")', -168.5, 'Cape Dezhnev')
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from collections import Counter

from mapapp.core.errors import InputError, RouteFileError

__all__ = [
    "CSV_FORMULA_TRIGGERS",
    "MAX_EDITOR_ROWS",
    "MAX_SESSION_GRID_BYTES",
    "SESSION_GRID_MAX_AGE_S",
    "MAX_FEATURES_PER_FILE",
    "MAX_NAME_CHARS",
    "MAX_ROUTES_PER_FILE",
    "MAX_ROUTES_PER_SESSION",
    "MAX_UPLOAD_BYTES",
    "MAX_VERTICES_PER_FILE",
    "MAX_VERTICES_PER_ROUTE",
    "MAX_VERTICES_PER_SESSION",
    "MAX_XML_DEPTH",
    "MAX_XML_ELEMENTS",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "bounded_decompress",
    "check_session_budget",
    "check_waypoint_count",
    "csv_cell",
    "check_xml",
    "positive_number",
    "clean_text",
    "md_escape",
    "read_kmz_kml",
    "short_repr",
]

#: Size of one route file, bytes (also the largest KML a KMZ may expand to).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Routes one file may hold.
MAX_ROUTES_PER_FILE = 50
#: Waypoints of one route (simplify longer GPS tracks first).
MAX_VERTICES_PER_ROUTE = 5000
#: Coordinate positions (GeoJSON), rows (CSV) or points (GPX) in one file.
MAX_VERTICES_PER_FILE = 50_000
#: GeoJSON features or KML placemarks in one file.
MAX_FEATURES_PER_FILE = 10_000
#: Uploaded, edited and drawn routes one session may hold (presets not counted).
MAX_ROUTES_PER_SESSION = 50
#: Waypoints of those routes together.
MAX_VERTICES_PER_SESSION = 100_000
#: Rows the waypoint editor accepts for one route (the per-route waypoint limit).
MAX_EDITOR_ROWS = MAX_VERTICES_PER_ROUTE
#: Bytes of grids one session may hold in its own upload folder (converted COGs, sidecars).
MAX_SESSION_GRID_BYTES = 500 * 1024 * 1024
#: Seconds after its last change at which a session's grid folder is removed at start-up.
SESSION_GRID_MAX_AGE_S = 12 * 3600
#: First characters that make a spreadsheet read a CSV text cell as a formula (OWASP's CSV
#: injection list — ``=``, ``+``, ``-``, ``@``, tab, carriage return — plus NUL from ASVS 1.2.10).
CSV_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
#: Longest route or waypoint name kept, characters (longer ones are cut, ending in "…").
MAX_NAME_CHARS = 200
#: Deepest element nesting accepted in KML / GPX (Google Earth files stay below 20).
MAX_XML_DEPTH = 64
#: Most XML elements in one KML / GPX file.
MAX_XML_ELEMENTS = 1_000_000
#: Most entries in a KMZ archive.
MAX_ZIP_MEMBERS = 1000
#: Largest uncompressed/compressed size ratio of the KML in a KMZ (text compresses ~10:1).
MAX_ZIP_RATIO = 200

# C0/C1 controls (tab/newline handled apart), bidi overrides and isolates ("Trojan Source"),
# the BOM / zero-width no-break space, and lone surrogates (cannot be encoded as UTF-8).
_DROP = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_SPACES = re.compile("[\t\n\r\x0b\x0c\u2028\u2029]+")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$^=&\"'])")


def positive_number(value, what: str, unit: str) -> float:
    """``value`` as a finite number > 0, or one sentence naming ``what`` and its ``unit``.

    >>> positive_number("2.5", "corridor", "km")
    2.5
    >>> positive_number("x", "corridor", "km")
    Traceback (most recent call last):
    ...
    mapapp.core.errors.InputError: corridor must be a number of km, got 'x'
    >>> positive_number(float("nan"), "sampling step", "metres")
    Traceback (most recent call last):
    ...
    mapapp.core.errors.InputError: sampling step must be a positive number of metres, got nan
    """
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be a number of {unit}, got {value!r}") from exc
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{what} must be a positive number of {unit}, got {value!r}")
    return v


def clean_text(value, max_chars: int = MAX_NAME_CHARS) -> str:
    """A name from a file or a link as safe plain text.

    Control characters, bidirectional overrides and lone surrogates are removed, line breaks
    and tabs become one space, and the text is cut to ``max_chars`` characters. HTML is
    *kept* (it is text; every place that shows it escapes it).

    Parameters
    ----------
    value : object
        Usually a str; ``None`` gives ``""``; anything else goes through ``str``.
    max_chars : int
        Longest result, characters (a cut text ends in "…").

    Returns
    -------
    str
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 16 * max_chars:  # do not clean megabytes only to cut them
        text = text[: 16 * max_chars]
    text = _DROP.sub("", _SPACES.sub(" ", text)).strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def short_repr(value, max_chars: int = 60) -> str:
    """``repr(value)`` cut to ``max_chars`` characters (for error messages)."""
    text = repr(value) if not isinstance(value, (list, dict, tuple)) else _short_container(value)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _short_container(value) -> str:
    kind = type(value).__name__
    try:
        n = len(value)
    except TypeError:  # pragma: no cover - containers have a length
        n = 0
    if n > 8:
        return f"a {kind} of {n} items"
    text = repr(value)
    return text if len(text) <= 200 else f"a {kind} of {n} items"


def md_escape(text) -> str:
    """Text made literal for Streamlit's markdown (messages, captions).

    Every character markdown, Streamlit's ``:color[…]`` directives or LaTeX (``$…$``) could
    act on is backslash-escaped, so a name like ``![x](http://host/beacon.png)`` is shown,
    never fetched.
    """
    return _MD_SPECIAL.sub(r"\\\1", clean_text(text, 10 * MAX_NAME_CHARS))


# --------------------------------------------------------------------------- XML
class _Refused(Exception):
    """Raised inside expat handlers to stop parsing."""


def check_xml(data: bytes, kind: str, root: str | None = None) -> Counter:
    """Parse XML once with expat, refusing what is dangerous; count the elements.

    A document type declaration (``<!DOCTYPE``), entity declarations and external entities
    are refused outright (entity expansion "billion laughs", external entities reading local
    files: "XXE"), as are UTF-16/32 files, nesting deeper than :data:`MAX_XML_DEPTH` and
    more than :data:`MAX_XML_ELEMENTS` elements. Nothing is fetched or expanded.

    Parameters
    ----------
    data : bytes
        The file.
    kind : str
        "KML" or "GPX", for the messages.
    root : str, optional
        Required local name of the root element (e.g. ``"kml"``).

    Returns
    -------
    collections.Counter
        Number of elements per local name (namespace prefix removed).

    Raises
    ------
    RouteFileError
        Malformed XML (with line and column), a DTD or entity, too deep or too large.
    """
    import pyexpat

    if data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or data[:2] in (
        b"\xff\xfe",
        b"\xfe\xff",
    ) or b"\x00" in data[:512]:
        raise RouteFileError(f"the {kind} file is UTF-16/32 text; save it as UTF-8")
    counts: Counter = Counter()
    state = {"depth": 0, "n": 0, "root": None}

    def start(name, _attrs):
        local = name.rsplit(":", 1)[-1]
        if state["root"] is None:
            state["root"] = local
        counts[local] += 1
        state["depth"] += 1
        state["n"] += 1
        if state["depth"] > MAX_XML_DEPTH:
            raise _Refused(f"elements are nested more than {MAX_XML_DEPTH} deep")
        if state["n"] > MAX_XML_ELEMENTS:
            raise _Refused(f"it has more than {MAX_XML_ELEMENTS:,} XML elements")

    def end(_name):
        state["depth"] -= 1

    def doctype(*_a):
        raise _Refused(
            "it declares a document type (<!DOCTYPE …>); KML and GPX files need none, and "
            "DTDs can carry XML attacks — remove the declaration"
        )

    def entity(*_a):
        raise _Refused("it declares XML entities (<!ENTITY …>); remove them")

    def external(*_a):
        raise _Refused("it refers to an external entity; remove it")

    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise RouteFileError(f"the {kind} file is refused: {exc}") from None
    except pyexpat.ExpatError as exc:
        raise RouteFileError(
            f"malformed {kind} (XML error at line {exc.lineno}, column {exc.offset + 1}: "
            f"{pyexpat.ErrorString(exc.code)})"
        ) from None
    except (ValueError, LookupError, UnicodeError):  # unknown or broken encoding declaration
        raise RouteFileError(f"the {kind} file has an unsupported text encoding; use UTF-8") from None
    if root is not None and state["root"] != root:
        raise RouteFileError(f"not a {kind} file: no <{root}> element")
    return counts


# --------------------------------------------------------------------------- zip / zlib
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    zlib.error,
    OSError,
    ValueError,
)


def read_zip_members(data: bytes, wanted, label: str, max_bytes: int = MAX_UPLOAD_BYTES,
                     what: str = "file") -> dict[str, bytes]:
    """The members of a zip archive that ``wanted(name)`` accepts, read with bounded memory.

    The archive may hold at most :data:`MAX_ZIP_MEMBERS` entries; the members read may
    expand to at most ``max_bytes`` bytes together (checked while decompressing: a lying
    header does not help), each at a ratio of at most :data:`MAX_ZIP_RATIO`; encrypted entries
    and archives nested in archives are refused. Nothing is written to disk, so entry names
    (``../../x``) do not matter. ``label`` names the archive in messages ("KMZ", "zip") and
    ``what`` its members ("KML", "shapefile part").

    Returns
    -------
    dict
        Entry name -> bytes, in archive order (directories skipped).

    Raises
    ------
    RouteFileError
    """
    limit = f"{max_bytes / 1024 / 1024:.1f} MB"
    out: dict[str, bytes] = {}
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise RouteFileError(
                    f"the {label} archive has {len(infos):,} entries; at most "
                    f"{MAX_ZIP_MEMBERS:,} are accepted"
                )
            for info in infos:
                if info.is_dir() or not wanted(info.filename):
                    continue
                if info.flag_bits & 0x1:
                    raise RouteFileError(f"the {what} inside the {label} archive is encrypted")
                if info.file_size > max_bytes:
                    raise RouteFileError(
                        f"the {what} inside the {label} archive is "
                        f"{info.file_size / 1024 / 1024:.1f} MB uncompressed; the limit is {limit}"
                    )
                if total + info.file_size > max_bytes:
                    raise RouteFileError(
                        f"the {label} archive expands to more than {limit} uncompressed; the "
                        f"limit is {limit}"
                    )
                if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(
                    info.compress_size, 1
                ):
                    raise RouteFileError(
                        f"the {label} archive is refused: its {what} is compressed more than "
                        f"{MAX_ZIP_RATIO}:1, which real files never are (a zip bomb?)"
                    )
                with zf.open(info) as fh:
                    member = fh.read(max_bytes - total + 1)
                total += len(member)
                if total > max_bytes:
                    raise RouteFileError(
                        f"the {label} archive expands to more than {limit}; the limit is {limit}"
                    )
                if member[:2] == b"PK":
                    raise RouteFileError(
                        f"the {label} archive holds another archive; nested archives are refused"
                    )
                out[info.filename] = member
    except RouteFileError:
        raise
    except _ZIP_ERRORS as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise RouteFileError(
            f"the {label} file is not a valid zip archive" + (f" ({detail})" if detail else "")
        ) from None
    return out


def read_kmz_kml(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The KML inside a KMZ archive (``doc.kml`` at the root, else the first ``*.kml``
    entry), read with the bounds of :func:`read_zip_members`.

    Raises
    ------
    RouteFileError
    """
    kmls = read_zip_members(data, lambda n: n.lower().endswith(".kml"), "KMZ", max_bytes,
                            what="KML")
    if not kmls:
        raise RouteFileError("the KMZ archive contains no .kml file")
    return kmls.get("doc.kml", next(iter(kmls.values())))


def bounded_decompress(data: bytes, max_bytes: int) -> bytes:
    """zlib-decompress at most ``max_bytes`` bytes (a "zip bomb" stops there).

    Raises
    ------
    InputError
        Not zlib data, truncated, or expanding to more than ``max_bytes``.

    Examples
    --------
    >>> bounded_decompress(zlib.compress(b"abc"), 10)
    b'abc'
    """
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, max_bytes)
    except zlib.error:
        raise InputError("the data is not zlib-compressed (corrupted?)") from None
    if d.unconsumed_tail:
        raise InputError(f"the data expands to more than {max_bytes:,} bytes")
    if not d.eof:
        raise InputError("the compressed data is truncated")
    return out


# --------------------------------------------------------------------------- per session
def check_session_budget(existing, new) -> None:
    """Refuse routes that would take a session over its limits.

    Parameters
    ----------
    existing, new : iterable of Route
        The session's own routes (uploaded, edited, drawn; not presets) and those to add.

    Raises
    ------
    InputError
        More than :data:`MAX_ROUTES_PER_SESSION` routes or
        :data:`MAX_VERTICES_PER_SESSION` waypoints together.
    """
    existing, new = list(existing), list(new)
    n = len(existing) + len(new)
    if n > MAX_ROUTES_PER_SESSION:
        raise InputError(
            f"this would make {n} routes; a session holds at most {MAX_ROUTES_PER_SESSION} "
            "(remove some first)"
        )
    v = sum(len(r.waypoints) for r in existing) + sum(len(r.waypoints) for r in new)
    if v > MAX_VERTICES_PER_SESSION:
        raise InputError(
            f"this would make {v:,} waypoints; a session holds at most "
            f"{MAX_VERTICES_PER_SESSION:,} (remove or simplify some routes first)"
        )


def check_waypoint_count(n_rows: int, other_session_waypoints: int = 0) -> None:
    """Refuse a waypoint table (the editor's rows for one route) that is too long.

    Parameters
    ----------
    n_rows : int
        Waypoints the edited route would have.
    other_session_waypoints : int
        Waypoints of the session's other own routes (not presets), counted against
        :data:`MAX_VERTICES_PER_SESSION`.

    Raises
    ------
    InputError
        More than :data:`MAX_EDITOR_ROWS` rows, or the session over its waypoint budget.

    Examples
    --------
    >>> check_waypoint_count(5000)
    >>> check_waypoint_count(5001)
    Traceback (most recent call last):
    ...
    mapapp.core.errors.InputError: the route has 5,001 waypoints; one route holds at most 5,000 (delete rows or simplify it)
    """
    n = int(n_rows)
    if n > MAX_EDITOR_ROWS:
        raise InputError(
            f"the route has {n:,} waypoints; one route holds at most {MAX_EDITOR_ROWS:,} "
            "(delete rows or simplify it)"
        )
    total = n + int(other_session_waypoints)
    if total > MAX_VERTICES_PER_SESSION:
        raise InputError(
            f"this would make {total:,} waypoints; a session holds at most "
            f"{MAX_VERTICES_PER_SESSION:,} (remove or simplify some routes first)"
        )


# --------------------------------------------------------------------------- CSV cells
def csv_cell(value):
    """A CSV cell that a spreadsheet shows as the text it is, never runs as a formula.

    Text starting with one of :data:`CSV_FORMULA_TRIGGERS` gets a leading apostrophe, as
    OWASP's CSV-injection guidance says (spreadsheets take ``'`` as "this is text"). Only
    ``str`` values are touched: numbers (a longitude of −168.5 included) stay numbers.
    Quoting of separators and quotes inside a cell is the CSV writer's job (RFC 4180).

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    object
        ``value`` itself, or for risky text ``"'" + value``.

    Examples
    --------
    >>> csv_cell("-5 m"), csv_cell("@SUM(A1)"), csv_cell(-5), csv_cell("")
    ("'-5 m", "'@SUM(A1)", -5, '')
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_TRIGGERS):
        return "'" + value
    return value
