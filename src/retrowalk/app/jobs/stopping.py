"""Ctrl-C (SIGINT) and SIGTERM during a batch: where they stop it, and a second one.

A signal handler raises :class:`KeyboardInterrupt` wherever the main thread is; raised
while a local cluster starts or closes, while the tables are put in place or while the
stop itself is under way, it left a cluster half closed (a traceback at exit), a folder
with a mixture of two runs' tables, or the command without its "Stopped" line. So a
batch lets a stop raise only where it waits for work that can be cut short and given
up (:meth:`StopRequests.cut_short`): analysing, gathering the tables, tidying
``parts/``. Elsewhere a stop asked is noted, and the batch stops at its next such step
(:meth:`StopRequests.check`), or, once its tables are written, ends as a complete run.

Once a stop is under way (asked, or a :class:`KeyboardInterrupt` raised otherwise),
another signal stops at once: ``at_once`` (the command line says so and exits; the
work done is kept as the first stop would keep it, since every part, done marker and
table is written aside and put in place whole). Without ``at_once`` it is ignored and
the first stop goes on.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["StopRequests", "current", "stop_requests"]

_STOPS = (signal.SIGINT, signal.SIGTERM)


class StopRequests:
    """The stops asked of one batch, by signals to its main thread (:func:`stop_requests`)."""

    def __init__(self, at_once: Callable[[int], None] | None = None) -> None:
        self.at_once = at_once
        #: A stop was asked (a signal came) or is under way (:meth:`stopping`).
        self.asked = False
        #: The signal of a stop asked and not raised yet (:meth:`check` raises it).
        self.waiting: int | None = None
        self._open = False  # in cut_short: a stop asked raises at once
        self._previous: dict[int, Callable[[int, FrameType | None], Any]] = {}

    def _received(self, signum: int, frame: FrameType | None) -> None:
        if self.asked:  # a second stop while the first is under way
            if self.at_once is not None:
                self.at_once(signum)
            return
        self.asked = True
        if self._open:
            self._open = False  # the stop that follows is never cut short itself
            self._previous[signum](signum, frame)  # raises KeyboardInterrupt
        self.waiting = signum

    def check(self) -> None:
        """Raise the stop asked and not raised yet (:class:`KeyboardInterrupt`, by the
        handler the signal had before: SIGTERM's tells the command its exit code)."""
        signum, self.waiting = self.waiting, None
        if signum is not None:
            self._previous.get(signum, _interrupt)(signum, None)

    @contextmanager
    def cut_short(self) -> Iterator[None]:
        """Within the block, a stop raises :class:`KeyboardInterrupt` where the main thread
        is (one asked before raises as the block begins): for work a stop may cut at any
        point. Catch it around the ``with``: it may come as the block ends."""
        self._open = True
        try:
            self.check()
            yield
        finally:
            self._open = False

    @contextmanager
    def held(self) -> Iterator[None]:
        """Within :meth:`cut_short`'s block, a stop asked during this one is noted, not
        raised, and raises as it ends: for a call a stop must not cut in two. Dask's
        blocking client calls are such: a :class:`KeyboardInterrupt` raised in one before
        its event loop has taken the call up made Dask log a traceback of its own
        (``NameError: cannot access free variable 'future'``) on top of the stop's line."""
        was, self._open = self._open, False
        try:
            yield
        finally:
            self._open = was and not self.asked
        if was:
            self.check()

    def no_more_cuts(self) -> None:
        """From here to the end of :meth:`cut_short`'s block, a stop is noted, not raised."""
        self._open = False

    def stopping(self) -> None:
        """A stop is under way (however it was raised): a signal now is a second one."""
        self._open = False
        self.asked = True
        self.waiting = None

    def finished(self) -> None:
        """The batch has ended (stopped or complete): a signal now is ignored."""
        self.stopping()
        self.at_once = None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


_current: StopRequests | None = None


def current() -> StopRequests | None:
    """The :class:`StopRequests` of the batch running in this process, if any."""
    return _current


@contextmanager
def stop_requests(
    at_once: Callable[[int], None] | None = None, *, then_ignore: bool = False
) -> Iterator[StopRequests]:
    """Within the block, Ctrl-C and SIGTERM to the main thread are a batch's stop requests
    (:class:`StopRequests`); a signal whose handler is not Python's (ignored, or
    SIGTERM's default) keeps it. Nested, the outer block's requests are used. Outside
    the main thread no signal arrives, and only a :class:`KeyboardInterrupt` raised by
    the code itself stops a batch.

    ``then_ignore``: Ctrl-C is ignored after the block, not handled as before it: for a
    process that ends with the batch. As it exits, Python gives every signal its
    system default back, and a Ctrl-C then killed it (exit code -2) once it had said
    how the batch ended; ignored, it is ignored to the end.
    """
    global _current
    if _current is not None:
        yield _current
        return
    requests = StopRequests(at_once)
    if threading.current_thread() is not threading.main_thread():
        yield requests
        return
    for stop in _STOPS:
        previous = signal.getsignal(stop)
        if callable(previous):
            requests._previous[stop] = previous
    _current = requests
    for signum in requests._previous:
        signal.signal(signum, requests._received)
    try:
        yield requests
    finally:
        for signum, previous in requests._previous.items():
            ignore = then_ignore and signum == signal.SIGINT
            signal.signal(signum, signal.SIG_IGN if ignore else previous)
        _current = None
