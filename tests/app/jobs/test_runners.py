"""Where CPU-heavy calls run: the process pool's stop."""

from __future__ import annotations

import threading
import time

from retrowalk.app.jobs.runners import ProcessRunner


def _pool_threads() -> list[threading.Thread]:
    """The process pools' own threads (``concurrent.futures``' manager threads)."""
    return [t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"]


def test_shutdown_returns_with_the_pools_thread_ended_during_a_running_call() -> None:
    """A server stopped while an analysis runs: the pool's own thread has ended when
    ``shutdown()`` returns, the running call finished and nothing queued left. Left
    running, that thread closed its wake-up pipe while the interpreter's exit handler
    wrote to it, and a stopped server could print an ``OSError`` traceback."""
    before = set(_pool_threads())
    runner = ProcessRunner(max_workers=1)
    results: list[object] = []
    call = threading.Thread(target=lambda: results.append(runner.call(time.sleep, 1.0)))
    call.start()
    deadline = time.monotonic() + 60
    while not (set(_pool_threads()) - before):  # the pool has started: the call is in it
        assert time.monotonic() < deadline, "the pool did not start"
        time.sleep(0.01)
    time.sleep(0.2)
    runner.shutdown()
    assert not [t for t in set(_pool_threads()) - before if t.is_alive()]
    call.join(timeout=30)
    assert results == [None]
