"""Where the bytes of one table come from: a file on disk or a member of a zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from retrowalk.errors import InputError

HEAD_BYTES = 64 * 1024
# A member of a zip export is read into memory; refuse absurd ones.
MAX_MEMBER_BYTES = 1 << 30


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
    ) -> None:
        self.display = display
        self.path = path
        self._data = data
        self._archive = archive
        self._member = member

    @classmethod
    def file(cls, path: Path) -> Source:
        return cls(str(path), path=path)

    @property
    def data(self) -> bytes | None:
        """The bytes of a zip member (``None`` for a file on disk)."""
        if self._data is None and self._archive is not None and self._member is not None:
            try:
                with zipfile.ZipFile(self._archive) as zf:
                    self._data = zf.read(self._member)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                raise InputError(self.display, f"cannot be extracted ({exc})") from None
        return self._data

    def __repr__(self) -> str:
        return f"Source({self.display!r})"

    @property
    def name(self) -> str:
        """The bare file name (``"Accelerometer.csv"``)."""
        return Path(self.display.split(":")[-1]).name

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def head(self, n: int = HEAD_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        try:
            with self.path.open("rb") as fh:
                return fh.read(n)
        except OSError as exc:
            raise InputError(self.display, f"cannot be read ({exc.strerror or exc})") from None

    def tail(self, n: int = 4096) -> bytes:
        if self.data is not None:
            return self.data[-n:]
        assert self.path is not None
        with self.path.open("rb") as fh:
            size = fh.seek(0, io.SEEK_END)
            fh.seek(max(size - n, 0))
            return fh.read()

    def open(self) -> BinaryIO:
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


def zip_members(path: Path) -> dict[str, Source]:
    """The files of a zip archive as sources, keyed by their path inside the archive.

    Raises
    ------
    InputError
        When the archive is damaged or a member is too large.
    """
    out: dict[str, Source] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = info.filename
                if name.startswith("__MACOSX/") or Path(name).name.startswith("._"):
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    raise InputError(
                        path, f"archive member {name} is too large ({info.file_size} bytes)"
                    )
                out[name] = Source(f"{path}:{name}", archive=path, member=name)
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
