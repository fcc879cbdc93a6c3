"""BLAS thread control through ``threadpoolctl``.

NumPy's matrix products run in the BLAS library (OpenBLAS here), which starts one thread per core
by default. On a machine shared with other work, or with many small products, extra threads cost
more in synchronisation than they give; on an idle machine with large products they pay off.
These helpers make the choice explicit and measurable.
"""

from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["get_blas_threads", "blas_threads"]


def get_blas_threads():
    """The number of threads the loaded BLAS libraries use now (the largest, if several).

    Example:
        >>> with blas_threads(1):
        ...     get_blas_threads()
        1
    """
    counts = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    if not counts:
        raise RuntimeError("no BLAS library is loaded (import numpy first)")
    return max(counts)


def blas_threads(n):
    """Context manager that limits BLAS to ``n`` threads inside its block (``n >= 1``)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"blas_threads expects a positive int, got {n!r}")
    return threadpool_limits(limits=n, user_api="blas")
