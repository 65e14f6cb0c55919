"""Job locks and the lifetime of analysis processes.

A claimed analysis job is held by two file locks in ``data_dir/locks``
(``flock``, so the kernel releases them when the holder dies, however it dies):
the *claim* lock, held by the worker thread from before the claim until the
result is written, and the *run* lock, held by the process doing the analysis.

Analysis processes die with the process that started them: the parent-death
signal (Linux ``prctl(PR_SET_PDEATHSIG)``) kills them at once, and a heartbeat
thread in each of them exits when its parent is gone (other systems, or a
signal missed while starting).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

R = TypeVar("R")
# How often an analysis process checks that its parent is still alive.
HEARTBEAT_S = 0.5
PR_SET_PDEATHSIG = 1


# -- job locks (released by the kernel when the holder dies) -------------------------
def job_lock_path(data_dir: Path, recording_id: int, kind: str) -> Path:
    """The ``"claim"`` or ``"run"`` lock file of a recording's analysis job."""
    return data_dir / "locks" / f"recording-{recording_id}.{kind}.lock"


def _try_lock(path: Path) -> int | None:
    """An fd holding an exclusive ``flock`` on ``path``, or ``None`` if someone holds it.

    Lock files are removed by their holder when it is done (:func:`_release`);
    a lock taken on a file that was removed meanwhile is dropped and taken again
    on the current file.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return None
            raise
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the file was removed by its last holder: lock the new one


def _unlock(fd: int) -> None:
    os.close(fd)  # closing the only descriptor releases the flock


def _release(fd: int, path: Path) -> None:
    """Remove the lock file (while still holding it) and release the lock."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _unlock(fd)


def job_is_held(data_dir: Path, recording_id: int) -> bool:
    """True while a live process holds the claim or the run lock of a recording."""
    for kind in ("claim", "run"):
        path = job_lock_path(data_dir, recording_id, kind)
        fd = _try_lock(path)
        if fd is None:
            return True
        _release(fd, path)
    return False


@contextlib.contextmanager
def _held(path: Path, wait_s: float) -> Iterator[None]:
    """Hold the lock at ``path``, waiting up to ``wait_s`` for a dying holder to go."""
    deadline = time.monotonic() + wait_s
    while (fd := _try_lock(path)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} is still held by another process")
        time.sleep(0.2)
    try:
        yield
    finally:
        _release(fd, path)


def run_locked(lock_path: str, fn: Callable[..., R], *args: Any) -> R:
    """Call ``fn(*args)`` holding the job's run lock (in the analysis process)."""
    with _held(Path(lock_path), wait_s=120.0):
        return fn(*args)


# -- analysis processes die with their parent ------------------------------------------
def ignore_ctrl_c() -> None:
    """In a worker process: Ctrl+C is left to the process that started it.

    Ctrl+C at a terminal reaches every process of a command. The server and the
    batch stop their worker processes themselves (an analysis cut short is taken
    up again by the next start or run), so a worker ignores it instead of
    printing its own traceback. Only the main thread can set a signal handler;
    elsewhere nothing changes.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _die_with_parent(parent_pid: int) -> None:
    """Initializer of every analysis process (see the module docstring); it leaves
    Ctrl+C to the server (:func:`ignore_ctrl_c`)."""
    ignore_ctrl_c()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)

    def heartbeat() -> None:
        while True:
            time.sleep(HEARTBEAT_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=heartbeat, name="retrowalk-heartbeat", daemon=True).start()


# -- a folder that several processes may use at once ------------------------------------
#: What flock fails with on a file system without file locks (some network file systems).
_NO_LOCKS = (errno.ENOLCK, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP)


class SharedUse:
    """A process's use of a folder that other processes may use at the same time (a
    batch's output folder, which two batches may write at once): a shared ``flock`` on
    the lock file ``path``, held from :meth:`__enter__` to :meth:`__exit__`.

    Entering waits while a process holds the file alone (:meth:`alone`). The kernel
    releases the lock when its holder dies, however it dies. On a file system without
    file locks nothing is held, and :meth:`alone` is never true.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.locks = True  # False: the file system has no file locks

    def __enter__(self) -> SharedUse:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # never removed: others hold it
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in _NO_LOCKS:
                raise
            self.locks = False
            return self
        self._fd = fd
        return self

    def alone(self) -> bool:
        """Hold the folder alone if no other process uses it now: True when it does (until
        :meth:`__exit__`; a process entering meanwhile waits). False when another holds
        it; the shared hold may then be lost (``flock`` converts a lock by releasing it
        first), so call this only once the shared use is over."""
        import fcntl

        if self._fd is None:
            return False
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        return True

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            self._fd = None
