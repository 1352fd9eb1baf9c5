"""Careful HTTP downloads: resume, retry with backoff, verify size and checksum.

:func:`download` writes into a ``*.partial`` file (which the app never lists): it retries
with backoff, resumes with an HTTP ``Range`` request when the server supports it
(``If-Range`` guards against a file that changed meanwhile), checks the size against
``Content-Length`` / ``Content-Range`` and the SHA-256 or MD5 when one is given.

Why the standard library and not a download package: the grids run to gigabytes over
links that drop, so resuming a partial file matters more than anything else here. pooch
(once listed in requirements.txt, never imported, now dropped) restarts an interrupted
download from zero and keeps no ``If-Range`` validator; requests/httpx would add a
dependency for what ``urllib`` already does in the ~150 lines below. Nothing here knows
about grids: the catalogue (:mod:`mapapp.data.catalogue`) says what to download.

Examples
--------
>>> download("ftp://example.org/x.tif", Path("x.partial"))
Traceback (most recent call last):
...
mapapp.core.errors.InputError: only http(s) URLs can be downloaded, not 'ftp://example.org/x.tif'
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mapapp.core.errors import FetchError, InputError
from mapapp.data.files import PARTIAL, discard

__all__ = ["DownloadResult", "Progress", "download"]

#: ``progress(bytes_done, bytes_total_or_None)``.
Progress = Callable[[int, "int | None"], None]

_USER_AGENT = "mapapp-data-fetch/1 (Bering Strait route explorer; python-urllib)"
_CHUNK = 1 << 20


# ------------------------------------------------------------------------------ download
@dataclass(frozen=True)
class DownloadResult:
    """A completed download: the ``.partial`` file, its size (bytes) and SHA-256."""

    path: Path
    size: int
    sha256: str
    attempts: int
    resumed: bool
    content_type: str = ""


class _Restart(Exception):
    """The partial file cannot be continued: start from zero."""


def _read_meta(meta: Path) -> dict:
    try:
        d = json.loads(meta.read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def _http_message(url: str, exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(600).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the body is only a hint
        body = ""
    body = re.sub(r"<[^>]+>", " ", body)
    body = " ".join(body.split())[:240]
    hint = f" — server said: {body}" if body else ""
    if exc.code == 404:
        return f"the server has no such grid: {url} (HTTP 404){hint}"
    return f"the server refused the request {url}: HTTP {exc.code} {exc.reason}{hint}"


def _total_from(resp, have: int) -> int | None:
    if resp.status == 206:
        m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.headers.get("Content-Range", ""))
        if not m or int(m.group(1)) != have:
            raise _Restart()
        return None if m.group(3) == "*" else int(m.group(3))
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _attempt(url, part, meta, have, progress, timeout) -> tuple[int, int | None, str]:
    """One HTTP request appending to ``part``; returns (bytes on disk, total or None, type)."""
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    old = _read_meta(meta) if have else {}
    if have:
        headers["Range"] = f"bytes={have}-"
        validator = old.get("etag") or old.get("last_modified")
        if validator:
            headers["If-Range"] = validator
    req = urllib.request.Request(url, headers=headers)
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have and old.get("total") == have:
            return have, have, old.get("content_type", "")
        if exc.code == 416:
            raise _Restart() from exc
        raise
    with resp:
        if resp.status not in (200, 206):
            raise FetchError(f"unexpected HTTP status {resp.status} from {url}")
        if resp.status == 200:
            have = 0
        total = _total_from(resp, have)
        ctype = resp.headers.get("Content-Type", "")
        meta.write_text(json.dumps({
            "url": url,
            "etag": resp.headers.get("ETag", ""),
            "last_modified": resp.headers.get("Last-Modified", ""),
            "total": total,
            "content_type": ctype,
        }))
        with open(part, "ab" if have else "wb") as fh:
            got = have
            if progress:
                progress(got, total)
            while True:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                fh.write(chunk)
                got += len(chunk)
                if progress:
                    progress(got, total)
    return got, total, ctype


def _file_digest(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def download(
    url: str,
    part: Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    retries: int = 3,
    backoff_s: float = 1.0,
    timeout_s: float = 60.0,
    progress: Progress | None = None,
) -> DownloadResult:
    """Download ``url`` into ``part`` (a ``*.partial`` path), resuming what is already there.

    Parameters
    ----------
    url : str
        http(s) URL.
    part : Path
        Destination; its name must contain ``.partial`` so the app never lists it. A JSON
        file ``<part>.json`` beside it records the URL and validators for resuming.
    sha256, md5 : str, optional
        Expected digest (hex). On mismatch the file is deleted.
    retries : int
        Further attempts after a failed one (network error, truncated body, HTTP 5xx); each
        continues with ``Range: bytes=N-`` when the server honours it.
    backoff_s : float
        Seconds before the first retry, doubled each time.
    timeout_s : float
        Socket timeout per operation, seconds.
    progress : callable, optional
        ``progress(bytes_done, bytes_total_or_None)``.

    Returns
    -------
    DownloadResult

    Raises
    ------
    FetchError
        404 ("the server has no such grid: …"), another HTTP error, an unreachable host, a
        body shorter than announced after the last retry ("download incomplete (got N of M
        bytes); run the command again to resume" — the partial file is kept for that), or a
        checksum mismatch ("checksum mismatch …, the file was discarded").
    """
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"only http(s) URLs can be downloaded, not {url!r}")
    part = Path(part)
    if PARTIAL not in part.name:
        raise ValueError("download() writes only to *.partial files")
    meta = part.with_name(part.name + ".json")
    if part.exists() and _read_meta(meta).get("url") != url:
        discard(part, meta)  # a leftover from another request
    resumed = part.exists() and part.stat().st_size > 0
    last = ""
    got, total, ctype = 0, None, ""
    attempt = 0
    for attempt in range(1, retries + 2):
        have = part.stat().st_size if part.exists() else 0
        try:
            got, total, ctype = _attempt(url, part, meta, have, progress, timeout_s)
        except _Restart:
            discard(part, meta)
            last = "the server could not continue the partial file; restarted"
            continue
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code not in (408, 429):
                raise FetchError(_http_message(url, exc)) from None
            last = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            last = f"{type(exc).__name__}: {reason}"
            if isinstance(exc, urllib.error.URLError) and not part.exists():
                host = urllib.parse.urlsplit(url).netloc
                last = f"cannot reach {host} ({reason})"
        else:
            if total is None or got == total:
                break
            if got > total:
                discard(part, meta)
                last = f"received {got} bytes but {total} were announced; restarted"
                continue
            last = f"got {got} of {total} bytes"
        if attempt <= retries and backoff_s > 0:
            time.sleep(backoff_s * 2 ** (attempt - 1))
    else:
        have = part.stat().st_size if part.exists() else 0
        total = _read_meta(meta).get("total") if have else None
        if total and have < total:
            raise FetchError(
                f"download incomplete (got {have} of {total} bytes) from {url}; "
                "run the command again to resume"
            )
        raise FetchError(
            f"download failed after {retries + 1} attempts from {url}: {last}; check the "
            "connection (or the MAPAPP_*_URL override) and run the command again"
        )
    for algo, want in (("sha256", sha256), ("md5", md5)):
        if want:
            have_digest = _file_digest(part, algo)
            if have_digest.lower() != want.strip().lower():
                discard(part, meta)
                raise FetchError(
                    f"checksum mismatch for {url}: expected {algo} {want.strip().lower()}, "
                    f"got {have_digest}; the file was discarded. Run the command again; if it "
                    "persists the server's file differs from the published checksum."
                )
    digest = sha256.strip().lower() if sha256 else _file_digest(part, "sha256")
    return DownloadResult(part, got, digest, attempt, resumed, ctype)


