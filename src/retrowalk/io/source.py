"""Where the bytes of one table come from: a file on disk or a member of a zip."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from retrowalk.core.errors import InputError

HEAD_BYTES = 64 * 1024
# Limits on what a zip archive may unpack to, checked on the sizes the archive
# declares (``zipfile`` never returns more bytes than a member declares, and a
# forged size fails its CRC check), so a zip bomb is refused before anything is
# decompressed.
MAX_MEMBER_BYTES = 512 * 1024**2
MAX_ARCHIVE_BYTES = 1024**3
MAX_RATIO = 100.0
# Members smaller than this may compress better than ``MAX_RATIO`` (text of zeros).
RATIO_FLOOR_BYTES = 1024**2


class Source:
    """One table's bytes: a file on disk, or a zip member read on first use.

    Attributes
    ----------
    display
        Name used in messages (``"rec.zip:Accelerometer.csv"`` for zip members).
    path
        The file on disk, when the table is a file.
    """

    def __init__(
        self,
        display: str,
        path: Path | None = None,
        data: bytes | None = None,
        *,
        archive: Path | None = None,
        member: str | None = None,
        member_size: int | None = None,
    ) -> None:
        self.display = display
        self.path = path
        self._data = data
        self._archive = archive
        self._member = member
        self._member_size = member_size
        #: A file's first bytes as read (at least HEAD_BYTES asked for), and whether
        #: they are the whole file: later heads are cut from them.
        self._head: bytes | None = None
        self._head_whole = False

    @classmethod
    def file(cls, path: Path, data: bytes | None = None) -> Source:
        """A file on disk; ``data``: its bytes when already read (then read from them)."""
        return cls(str(path), path=path, data=data)

    @property
    def is_member(self) -> bool:
        """True for a zip member not yet read into memory."""
        return self._data is None and self._archive is not None and self._member is not None

    @property
    def data(self) -> bytes | None:
        """The bytes of a zip member (``None`` for a file on disk); read whole on first use."""
        if self._data is None and self._archive is not None and self._member is not None:
            try:
                with zipfile.ZipFile(self._archive) as zf:
                    self._data = zf.read(self._member)
            except _DAMAGED_MEMBER as exc:
                raise InputError(self.display, f"cannot be extracted ({exc})") from None
        return self._data

    def __repr__(self) -> str:
        return f"Source({self.display!r})"

    @property
    def name(self) -> str:
        """The bare file name (``"Accelerometer.csv"``)."""
        return Path(self.display.split(":")[-1]).name

    def size(self) -> int:
        if self.is_member and self._member_size is not None:
            return self._member_size
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def head(self, n: int = HEAD_BYTES) -> bytes:
        if self.is_member:  # only the first n bytes are decompressed
            with self.open() as fh:
                return fh.read(n)
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        kept = self._head
        if kept is not None and (n <= len(kept) or self._head_whole):
            return kept[:n]
        wanted = max(n, HEAD_BYTES)  # the sniffer's head, kept for the reader's looks
        try:
            with self.path.open("rb") as fh:
                kept = fh.read(wanted)
        except OSError as exc:
            raise InputError(self.display, f"cannot be read ({exc.strerror or exc})") from None
        self._head, self._head_whole = kept, len(kept) < wanted
        return kept[:n]

    def tail(self, n: int = 4096) -> bytes:
        if self.is_member:  # decompressed as a stream, keeping only the end
            kept = b""
            with self.open() as fh:
                while chunk := fh.read(1 << 20):
                    kept = (kept + chunk)[-n:]
            return kept
        if self.data is not None:
            return self.data[-n:]
        assert self.path is not None
        with self.path.open("rb") as fh:
            size = fh.seek(0, io.SEEK_END)
            fh.seek(max(size - n, 0))
            return fh.read()

    def open(self) -> BinaryIO:
        """A binary stream of the bytes; a zip member is decompressed while it is read."""
        if self.is_member:
            assert self._archive is not None and self._member is not None
            try:
                zf = zipfile.ZipFile(self._archive)
                stream = zf.open(self._member)
            except (
                zipfile.BadZipFile,
                OSError,
                RuntimeError,
                NotImplementedError,
                KeyError,
            ) as exc:
                raise InputError(self.display, f"cannot be extracted ({exc})") from None
            return cast(BinaryIO, _MemberStream(zf, stream, self.display))
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def lines(self, start: int = 0) -> Iterator[tuple[int, str]]:
        """``(1-based line number, text)`` from byte offset ``start`` (diagnostics only)."""
        with self.open() as fh:
            fh.seek(start)
            before = b""
            if start:
                fh.seek(0)
                before = fh.read(start)
            first = before.count(b"\n") + 1
            text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
            for i, line in enumerate(text, start=first):
                yield i, line.rstrip("\r\n")


#: What reading a damaged zip member raises (a bad CRC, compressed data that does
#: not decompress, a member cut off).
_DAMAGED_MEMBER = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


class _MemberStream(io.RawIOBase):
    """A zip member being decompressed; closing it closes the archive too. A member
    that does not decompress is an :class:`InputError` naming it (``display``)."""

    def __init__(self, archive: zipfile.ZipFile, stream: IO[bytes], display: str) -> None:
        super().__init__()
        self._archive = archive
        self._stream = stream
        self._display = display

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return self._stream.read(-1 if size is None else size)
        except _DAMAGED_MEMBER as exc:
            raise InputError(self._display, f"cannot be extracted ({exc})") from None

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._archive.close()
        super().close()


def _mb(n: float) -> str:
    return f"{n / 1024**2:.0f} MB"


def check_archive(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive that would unpack to too much (a zip bomb) before unpacking it.

    Raises
    ------
    InputError
        Naming the first member that is too large or compressed too well, or the
        total size.
    """
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > MAX_MEMBER_BYTES:
            raise InputError(
                path,
                f"archive member {info.filename} unpacks to {_mb(size)}, more than the "
                f"{_mb(MAX_MEMBER_BYTES)} limit for one member",
            )
        if size > RATIO_FLOOR_BYTES and size / packed > MAX_RATIO:
            raise InputError(
                path,
                f"archive member {info.filename} unpacks to {size / packed:.0f} times its "
                f"packed size ({_mb(size)}); refused as a possible zip bomb "
                f"(limit {MAX_RATIO:.0f} times)",
            )
    if total > MAX_ARCHIVE_BYTES:
        raise InputError(
            path,
            f"the archive unpacks to {_mb(total)}, more than the {_mb(MAX_ARCHIVE_BYTES)} limit",
        )


def zip_members(path: Path) -> dict[str, Source]:
    """The files of a zip archive as sources, keyed by their path inside the archive.

    Nothing is decompressed here; :func:`check_archive` refuses a zip bomb first.

    Raises
    ------
    InputError
        When the archive is damaged or would unpack to too much.
    """
    out: dict[str, Source] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            check_archive(path, infos)
            for info in infos:
                if info.is_dir():
                    continue
                name = info.filename
                if name.startswith("__MACOSX/") or Path(name).name.startswith("._"):
                    continue
                out[name] = Source(
                    f"{path}:{name}", archive=path, member=name, member_size=info.file_size
                )
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise InputError(path, f"damaged or unreadable zip archive ({exc})") from None
    return out


def folder_members(folder: Path) -> dict[str, Source]:
    """The files of an export folder (recursively) as sources, keyed by relative path."""
    out: dict[str, Source] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            out[p.relative_to(folder).as_posix()] = Source.file(p)
    return out
