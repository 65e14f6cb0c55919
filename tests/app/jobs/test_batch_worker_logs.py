"""What a batch's local workers log: a heartbeat lost as the cluster closes is left out."""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Run in a process of its own (the workers write to its stderr): a local cluster of one
#: worker, which logs a lost heartbeat as Dask's worker does (``logger.exception`` of an
#: OSError) and one other error, then the cluster closes.
_SCRIPT = textwrap.dedent(
    """
    import logging
    from dask.distributed import Client
    from retrowalk.app.jobs.batch import local_cluster

    def log_in_worker():
        log = logging.getLogger("distributed.worker")
        try:
            raise OSError("Stream is closed")
        except OSError:
            log.exception("Failed to communicate with scheduler during heartbeat.")
            log.exception("Something else went wrong in the worker.")

    if __name__ == "__main__":
        cluster = local_cluster(1)
        with Client(cluster) as client:
            client.run(log_in_worker)
        cluster.close()
    """
)


def test_a_heartbeat_lost_as_the_cluster_closes_is_not_logged_other_errors_are() -> None:
    """A worker whose heartbeat the closing scheduler no longer answers logged it as an
    error with a traceback at the end of a batch that went well (on a busy machine, once
    in a sweep of Ctrl-C as a batch closed); the local workers now leave that one out,
    and still log every other error."""
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "Something else went wrong in the worker." in run.stderr, run.stderr
    assert "OSError: Stream is closed" in run.stderr, run.stderr  # its traceback shows
    assert "during heartbeat" not in run.stderr, run.stderr
    assert run.stderr.count("Traceback") == 1, run.stderr
