"""A benchmark process's peak resident memory, read and reset (Linux ``VmHWM``).

``VmHWM``, not ``ru_maxrss``: Linux carries a process's ``ru_maxrss`` over into
the processes it starts, so every worker of a local cluster would report the
peak of the process that started it as its own.
"""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """This process's peak resident memory in MB since :func:`reset_peak` (or its start)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak() -> None:
    """Start this process's peak memory (``VmHWM``) afresh at its present size."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
