"""Where CPU-heavy calls run: in the calling thread or in a process pool."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from retrowalk.app.jobs.locks import _die_with_parent

R = TypeVar("R")


# -- where CPU-heavy calls run --------------------------------------------------------
class CpuRunner(Protocol):
    """Runs a picklable function somewhere and returns its result."""

    def call(self, fn: Callable[..., R], *args: Any) -> R: ...

    def shutdown(self) -> None: ...


class InlineRunner:
    """Runs calls in the calling thread (tests, small installs)."""

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        return fn(*args)

    def shutdown(self) -> None:
        return None


class ProcessRunner:
    """Runs calls in a pool of worker processes so requests keep flowing.

    The processes die with this one (see :mod:`retrowalk.app.jobs.locks`). They are started
    from one long-lived thread: the parent-death signal follows the *thread*
    that started a process, and request threads come and go.

    Parameters
    ----------
    max_workers
        Processes in the pool.
    """

    def __init__(self, max_workers: int = 2) -> None:
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._submitter = ThreadPoolExecutor(1, thread_name_prefix="retrowalk-pool")
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.max_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )

    def call(self, fn: Callable[..., R], *args: Any) -> R:
        with self._lock:
            pool = self._pool
        try:
            # submit() starts pool processes on demand: do it on the long-lived thread.
            future = self._submitter.submit(pool.submit, fn, *args).result()
            return future.result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            raise

    def shutdown(self) -> None:
        """Cancel queued calls and wait for the running ones and the pool's own thread.

        Waiting costs nothing extra: the interpreter waits for that thread at
        exit anyway. Not waiting here left the thread closing its wake-up pipe
        while the exit's handler wrote to it, so a server stopped during an
        analysis could print an ``OSError`` traceback (Python 3.11's
        ``concurrent.futures``; about 1 stop in 25 on a busy machine).
        """
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._submitter.shutdown(wait=False)
