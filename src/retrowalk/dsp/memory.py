"""Sample arrays of long recordings kept in a temporary file, not in memory.

A day of 100 Hz acceleration and angular rate is 415 MB of float64. The
readers put such a recording into an anonymous temporary file mapped into
memory (:func:`empty_samples`), and the stages that walk through it in chunks
hand each finished chunk back to the operating system (:func:`release`): the
pages stay in the file (the page cache), so reading them again costs a page
fault, but they no longer count towards the process's resident memory. Peak
memory then follows the chunk length, not the recording length.

Arrays held in ordinary memory pass through every function here unchanged,
so callers need not know which kind they hold.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import mmap
import tempfile
from collections.abc import Iterator
from functools import cache, lru_cache

import numpy as np

__all__ = [
    "FILE_BACKED_BYTES",
    "RELEASE_ROWS",
    "block_means",
    "empty_samples",
    "is_file_backed",
    "keep_freed_heap",
    "release",
    "row_chunks",
]

#: Sample arrays larger than this are kept in a temporary file (about 7.8 h of
#: 100 Hz three-axis float64 samples).
FILE_BACKED_BYTES = 64 * 1024**2

#: Rows handled at a time by the chunked helpers here (about 1.4 h at 100 Hz).
RELEASE_ROWS = 1 << 19


def empty_samples(shape: tuple[int, ...], *, file_backed: bool | None = None) -> np.ndarray:
    """An uninitialised float64 array, in a temporary file when it is large.

    Parameters
    ----------
    shape
        Shape of the array.
    file_backed
        Force (``True``) or forbid (``False``) the temporary file; ``None``
        decides by size (:data:`FILE_BACKED_BYTES`).
    """
    nbytes = int(math.prod(shape)) * 8  # math.prod: np.prod costs more than a short array
    if file_backed is None:
        file_backed = nbytes > FILE_BACKED_BYTES
    if not file_backed or nbytes == 0:
        return np.empty(shape, dtype=np.float64)
    _large_arrays_from_the_system()
    with tempfile.TemporaryFile(prefix="retrowalk-samples-") as fh:
        fh.truncate(nbytes)
        # the mapping outlives the file handle; the unlinked file goes with it
        mapped = mmap.mmap(fh.fileno(), nbytes)
    return np.frombuffer(mapped, dtype=np.float64).reshape(shape)


def _mapping(x: np.ndarray) -> mmap.mmap | None:
    base: object = x
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def is_file_backed(x: np.ndarray) -> bool:
    """Whether ``x`` (or the array it views) lives in a file made by :func:`empty_samples`."""
    return _mapping(x) is not None


def release(x: np.ndarray, start: int = 0, stop: int | None = None) -> None:
    """Drop rows ``start:stop`` of a file-backed array (or a view of its rows) from memory.

    The values stay in the file and are read back on the next access. Does
    nothing for arrays in ordinary memory.
    """
    mapped = _mapping(x)
    if mapped is None or x.size == 0 or x.strides[0] <= 0:
        return
    n = x.shape[0]
    stop = n if stop is None else min(stop, n)
    start = max(start, 0)
    if stop <= start:
        return
    row = x.strides[0]
    origin = np.frombuffer(mapped, dtype=np.uint8).ctypes.data
    first = x.ctypes.data - origin + start * row
    last = x.ctypes.data - origin + stop * row
    page = mmap.PAGESIZE
    # only whole pages inside the rows, and the pages just before them: reading
    # the rows maps in the rest of a large page-cache block (a folio, up to
    # 2 MiB) that began in the rows before, which a sequential reader has
    # already handed back
    first = max(-(-first // page) * page - _FOLIO_BYTES, 0)
    last = (last // page) * page
    if last > first:
        mapped.madvise(mmap.MADV_DONTNEED, first, last - first)


#: The largest block of a file the kernel maps in at once on a read (a page
#: cache folio of a huge page's size): :func:`release` hands back this much
#: before the rows too.
_FOLIO_BYTES = 2 * 1024**2


@cache
def _large_arrays_from_the_system() -> None:
    """Fix glibc's mmap threshold at its initial 256 KiB (once, for a long recording).

    glibc raises the threshold up to 32 MiB each time a large block is freed,
    after which the many temporary arrays of a long recording's stages come
    from the heap, whose freed middle is never handed back: resident memory
    then ratchets up stage after stage. With the threshold fixed, every array
    above 256 KiB is mapped on its own and returned to the system when freed
    (glibc ``mallopt(M_MMAP_THRESHOLD)``; other C libraries are left alone).
    The top pad of :func:`keep_freed_heap`, if set, goes back to glibc's
    default, and is not asked for again.
    """
    _HEAP["file_backed"] = True
    _mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
    if _HEAP["kept"]:
        _mallopt(_M_TOP_PAD, DEFAULT_TOP_PAD_BYTES)
        _HEAP["kept"] = False


def keep_freed_heap() -> None:
    """Keep up to :data:`KEEP_FREED_BYTES` of freed heap in the process, not hand it back.

    An hour's stages make and free many arrays of megabytes. glibc returns the
    top of its heap to the system as soon as more than about twice its (risen)
    mmap threshold lies free there, and the next stage's arrays then fault
    their pages in afresh, each page zeroed by the kernel: about 7,000 page
    faults an analysed hour, some 6 % of its time. With a top pad of
    :data:`KEEP_FREED_BYTES` (glibc ``mallopt(M_TOP_PAD)``) that much stays
    mapped between stages. Setting it stops glibc raising its mmap threshold
    as large blocks are freed, so the threshold is set too, to the highest
    glibc would raise it to (:data:`HEAP_ARRAYS_BYTES`): an hour's arrays come
    from the heap however few have been freed before (at the initial 128 KiB
    each would be mapped on its own and faulted in anew every time). Peak
    memory is the same; between analyses the process keeps at most
    :data:`KEEP_FREED_BYTES` more. Asked for by the analysis of a long
    recording held in memory; never once a recording has gone into a
    temporary file (:func:`_large_arrays_from_the_system`, whose point is
    memory that follows the chunk, not the recording). Other C libraries are
    left alone.
    """
    if _HEAP["kept"] or _HEAP["file_backed"]:
        return
    if _mallopt(_M_MMAP_THRESHOLD, HEAP_ARRAYS_BYTES):
        _HEAP["kept"] = _mallopt(_M_TOP_PAD, KEEP_FREED_BYTES)


#: Freed heap :func:`keep_freed_heap` keeps at the top of the heap.
KEEP_FREED_BYTES = 64 * 1024**2
#: The mmap threshold :func:`keep_freed_heap` sets (arrays up to it come from
#: the heap): the highest glibc's dynamic threshold reaches on 64-bit systems.
HEAP_ARRAYS_BYTES = 32 * 1024**2
#: glibc's own top pad (``mallopt(3)``), put back for a recording in a file.
DEFAULT_TOP_PAD_BYTES = 128 * 1024
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
#: Whether the top pad is set, and whether a recording went into a file.
_HEAP = {"kept": False, "file_backed": False}


def _mallopt(param: int, value: int) -> bool:
    """glibc's ``mallopt(param, value)``; False where there is none (another C library)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return False
    return bool(mallopt(ctypes.c_int(param), ctypes.c_int(value)))


def row_chunks(n: int, rows: int = RELEASE_ROWS) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive row ranges covering ``n`` rows."""
    for start in range(0, n, rows):
        yield start, min(start + rows, n)


@lru_cache(maxsize=32)
def _averaging(block: int, k: int) -> np.ndarray:
    """The ``(block k, k)`` matrix of :func:`block_means` (read-only: it is shared).

    Made once per block length and channel count, not on every call: a short
    recording's means cost less than building the matrix.
    """
    averaging = np.kron(np.full((block, 1), 1.0 / max(block, 1)), np.eye(k))
    averaging.flags.writeable = False
    return averaging


def block_means(
    x: np.ndarray, block: int, n_blocks: int, *, file_backed: bool = False
) -> np.ndarray:
    """``x[: n_blocks * block].reshape(n_blocks, block, -1).mean(axis=1)``, chunk by chunk.

    Each chunk's means are one matrix product (a row of ``block`` samples of
    ``k`` channels times the ``(block k, k)`` averaging matrix), the numbers
    of the one-line form to rounding; a file-backed ``x`` is released as it
    is read. With ``file_backed`` the result is put in a temporary file too,
    released as written.
    """
    k = math.prod(x.shape[1:])  # np.prod costs more than a short array
    averaging = _averaging(block, k)
    per = max(RELEASE_ROWS // max(block, 1), 1)
    if n_blocks <= per and not file_backed and _mapping(x) is None:
        # one chunk in memory (a short recording's): its product is the result
        part = np.asarray(x[: n_blocks * block], dtype=np.float64)
        return (part.reshape(n_blocks, block * k) @ averaging).reshape(n_blocks, *x.shape[1:])
    out = empty_samples((n_blocks, *x.shape[1:]), file_backed=file_backed)
    for b0 in range(0, n_blocks, per):
        b1 = min(b0 + per, n_blocks)
        part = np.asarray(x[b0 * block : b1 * block], dtype=np.float64)
        means = part.reshape(b1 - b0, block * k) @ averaging
        out[b0:b1] = means.reshape(b1 - b0, *x.shape[1:])
        release(x, b0 * block, b1 * block)
        release(out, b0, b1)
    return out
