"""gzip for browsers: static files compressed once, large pages and JSON per response.

Static files (the stylesheet, the scripts and the 4.8 MB ``plotly.min.js``) are
compressed the first time a browser asks for them and kept in memory and on disk,
keyed by the file's path, size and modification time; every later request is
answered from that copy. A large file is sent plain to that first browser while
its copy is made in the background. Pages and JSON above :data:`MIN_GZIP_BYTES` are compressed as
they are sent (:class:`GzipMiddleware`). A client that does not send
``Accept-Encoding: gzip`` gets the plain bytes, with no extra work.

Static responses carry ``Cache-Control`` (:data:`STATIC_CACHE_CONTROL`) with
their ``ETag`` and ``Last-Modified``, so a browser revalidates them at most
once a day.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import threading
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

MIN_GZIP_BYTES = 1024
# Files up to this size are compressed while the first request waits (milliseconds).
COMPRESS_NOW_BYTES = 512 * 1024
GZIP_LEVEL = 6
STATIC_PREFIX = "/static/"
STATIC_CACHE_CONTROL = "public, max-age=86400"
COMPRESSIBLE_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)


def accepts_gzip(headers: Headers) -> bool:
    """True when the client said it accepts gzip (``Accept-Encoding``)."""
    return "gzip" in headers.get("accept-encoding", "").lower()


def compressible(media_type: str) -> bool:
    return media_type.startswith(COMPRESSIBLE_TYPES)


class GzipFileCache:
    """gzip copies of files, made once per file version and kept in memory.

    Parameters
    ----------
    max_bytes
        Largest total size of the compressed copies kept; the oldest go first.
    level
        gzip compression level.
    directory
        Where compressed copies are also written, so that other server processes
        and later starts read them instead of compressing again (``plotly.min.js``
        takes a second or two); ``None`` keeps them in memory only.
    """

    def __init__(
        self,
        max_bytes: int = 64 * 1024 * 1024,
        level: int = GZIP_LEVEL,
        directory: Path | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.level = level
        self.directory = directory
        self._copies: dict[tuple[str, int, int], bytes] = {}
        self._pending: set[tuple[str, int, int]] = set()
        self._lock = threading.Lock()

    def at(self, directory: Path) -> GzipFileCache:
        """This cache, its copies in memory shared, writing and reading its copies on
        disk in ``directory``: one per app, so that a copy still being made in the
        background for one app's folder never lands in another's."""
        view = GzipFileCache(self.max_bytes, self.level, directory)
        view._copies, view._pending, view._lock = self._copies, self._pending, self._lock
        return view

    def get(self, path: str | os.PathLike[str], stat: os.stat_result | None = None) -> bytes:
        """The gzip bytes of ``path`` (compressed now if this version is not cached)."""
        found = self.cached(path, stat)
        if found is None:
            key = self._key(path, stat)
            found = self._compress(path, key)  # outside the lock: other files go on
            with self._lock:
                self._keep(key, found)
        return found

    def cached(
        self, path: str | os.PathLike[str], stat: os.stat_result | None = None
    ) -> bytes | None:
        """The gzip bytes of ``path`` if this version was compressed before, else ``None``."""
        key = self._key(path, stat)
        with self._lock:
            found = self._copies.get(key) or self._from_disk(key)
            if found is not None:
                self._keep(key, found)
            return found

    def prepare(self, path: str | os.PathLike[str], stat: os.stat_result | None = None) -> None:
        """Compress ``path`` in a background thread (once), for the requests after this one."""
        key = self._key(path, stat)
        with self._lock:
            if key in self._copies or key in self._pending:
                return
            self._pending.add(key)

        def work() -> None:
            try:
                self.get(path, stat)
            except OSError as exc:
                log.warning("no gzip copy of %s: %s", path, exc)
            finally:
                with self._lock:
                    self._pending.discard(key)

        threading.Thread(target=work, name="gzip-copy", daemon=True).start()

    @staticmethod
    def _key(path: str | os.PathLike[str], stat: os.stat_result | None) -> tuple[str, int, int]:
        stat = stat or os.stat(path)
        return (str(path), stat.st_size, stat.st_mtime_ns)

    def _keep(self, key: tuple[str, int, int], data: bytes) -> None:
        if self._copies.get(key) is data:
            return
        for old in [k for k in self._copies if k[0] == key[0]]:
            del self._copies[old]
        while self._copies and sum(map(len, self._copies.values())) + len(data) > self.max_bytes:
            del self._copies[next(iter(self._copies))]
        self._copies[key] = data

    def _disk_path(self, key: tuple[str, int, int]) -> Path | None:
        if self.directory is None:
            return None
        name = hashlib.sha256(repr((*key, self.level)).encode()).hexdigest()[:32]
        return self.directory / f"{name}.gz"

    def _from_disk(self, key: tuple[str, int, int]) -> bytes | None:
        stored = self._disk_path(key)
        try:
            return stored.read_bytes() if stored is not None else None
        except OSError:
            return None

    def _compress(self, path: str | os.PathLike[str], key: tuple[str, int, int]) -> bytes:
        data = gzip.compress(Path(path).read_bytes(), compresslevel=self.level, mtime=0)
        stored = self._disk_path(key)
        if stored is not None:
            try:
                stored.parent.mkdir(parents=True, exist_ok=True)
                part = stored.with_name(f"{stored.name}.{os.getpid()}.part")
                part.write_bytes(data)
                os.replace(part, stored)
            except OSError:
                pass  # the copy in memory still serves this process
        return data


FILE_CACHE = GzipFileCache()
# Reports are written once under a new name and never changed: their gzip copies
# are kept in memory (the newest few, up to the size limit).
REPORT_CACHE = GzipFileCache(max_bytes=32 * 1024 * 1024)


async def file_response(
    path: str | os.PathLike[str],
    scope: Scope,
    media_type: str | None = None,
    stat: os.stat_result | None = None,
    cache: GzipFileCache = FILE_CACHE,
) -> Response:
    """A static file: its cached gzip copy when the client accepts gzip, else the file.

    Both carry ``Cache-Control``, ``ETag`` and ``Last-Modified`` (a matching
    ``If-None-Match`` gets 304).
    """
    plain = FileResponse(path, media_type=media_type, stat_result=stat or os.stat(path))
    return await compressed(plain, scope, cache)


async def compressed(plain: Response, scope: Scope, cache: GzipFileCache = FILE_CACHE) -> Response:
    """``plain`` (a file response of a static file) answered from the gzip cache if it can."""
    plain.headers["Cache-Control"] = STATIC_CACHE_CONTROL
    request_headers = Headers(scope=scope)
    if not isinstance(plain, FileResponse) or plain.status_code != 200:
        return plain
    etag = plain.headers.get("etag")
    if etag and etag in request_headers.get("if-none-match", ""):
        return Response(status_code=304, headers=_cache_headers(plain))
    media_type = plain.headers.get("content-type", "")
    size = int(plain.headers.get("content-length", "0"))
    if size < MIN_GZIP_BYTES or not compressible(media_type) or not accepts_gzip(request_headers):
        plain.headers.append("Vary", "Accept-Encoding")
        return plain
    if size <= COMPRESS_NOW_BYTES:
        body: bytes | None = await anyio.to_thread.run_sync(
            cache.get, plain.path, plain.stat_result
        )
    else:
        # A large file (Plotly: 4.8 MB, a second or more to compress) is sent plain
        # while its gzip copy is made in the background for the next requests.
        body = await anyio.to_thread.run_sync(cache.cached, plain.path, plain.stat_result)
        if body is None:
            cache.prepare(plain.path, plain.stat_result)
    if body is None:
        plain.headers.append("Vary", "Accept-Encoding")
        return plain
    headers = _cache_headers(plain)
    headers["Content-Encoding"] = "gzip"
    headers["Vary"] = "Accept-Encoding"
    return Response(body, headers=headers, media_type=media_type)


def _cache_headers(plain: Response) -> dict[str, str]:
    return {
        name: plain.headers[name]
        for name in ("cache-control", "etag", "last-modified")
        if name in plain.headers
    }


class CompressedStaticFiles(StaticFiles):
    """:class:`StaticFiles` that sends the cached gzip copy (from ``cache``) when the
    client accepts it."""

    def __init__(self, *, directory: str, cache: GzipFileCache = FILE_CACHE) -> None:
        super().__init__(directory=directory)
        self.cache = cache

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        return await compressed(response, scope, self.cache)


class GzipMiddleware(GZipMiddleware):
    """Starlette's gzip for responses above ``minimum_size``, skipped outright when the
    client does not accept gzip (no wrapper on its responses at all) and for static
    files (:func:`compressed` answers those)."""

    def __init__(
        self, app: ASGIApp, minimum_size: int = MIN_GZIP_BYTES, compresslevel: int = GZIP_LEVEL
    ) -> None:
        super().__init__(app, minimum_size=minimum_size, compresslevel=compresslevel)
        self.plain_app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Static files are answered from their cached copies (or plain while a
        # copy is being made), never compressed per request.
        if (
            scope["type"] != "http"
            or scope["path"].startswith(STATIC_PREFIX)
            or not accepts_gzip(Headers(scope=scope))
        ):
            await self.plain_app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
