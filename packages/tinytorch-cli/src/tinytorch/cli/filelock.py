"""A portable exclusive lock on a file: ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows.

Both kinds of lock belong to the open file, so the operating system releases them when the
process dies: a killed ``tito`` never leaves a stale lock behind. The platform module is imported
only when a lock is taken, so importing ``tinytorch.cli`` works everywhere.
"""

import contextlib
import os
import time


def _lock_posix(fh):
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    return lambda: fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _lock_windows(fh):
    import msvcrt

    fh.seek(0)
    while True:  # LK_LOCK retries for 10 s and then raises; keep waiting like flock does
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
            break
        except OSError:
            time.sleep(0.05)

    def unlock():
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

    return unlock


@contextlib.contextmanager
def exclusive_lock(path):
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` block.

    Example:
        >>> import tempfile, pathlib
        >>> lock = pathlib.Path(tempfile.mkdtemp()) / "x.lock"
        >>> with exclusive_lock(lock):
        ...     lock.exists()
        True
    """
    with open(path, "a+b") as fh:
        unlock = _lock_windows(fh) if os.name == "nt" else _lock_posix(fh)
        try:
            yield
        finally:
            unlock()
