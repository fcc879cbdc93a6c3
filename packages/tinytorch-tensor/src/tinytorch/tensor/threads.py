"""``torch.set_num_threads`` / ``torch.get_num_threads``: the BLAS thread count.

PyTorch's intra-op threads run its own kernels; TinyTorch's heavy kernels (matrix products,
convolutions as one GEMM) run in NumPy's BLAS library, and every other op runs on one thread. So
these set and read the BLAS thread count, through ``threadpoolctl`` when it is installed; without
it they raise a RuntimeError rather than pretend (module 18 has the context-manager form).
"""

import builtins

__all__ = ["get_num_threads", "set_num_threads"]


def _threadpoolctl(name):
    try:
        import threadpoolctl
    except ImportError:
        raise RuntimeError(f"{name}() needs the threadpoolctl package to reach the BLAS library") from None
    return threadpoolctl


def _blas_counts(threadpoolctl):
    return [p["num_threads"] for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]


def get_num_threads():
    """The number of threads NumPy's BLAS library uses now (the largest, if several are loaded).

    Example:
        >>> set_num_threads(1); get_num_threads()
        1
    """
    counts = _blas_counts(_threadpoolctl("get_num_threads"))
    if not counts:
        raise RuntimeError("get_num_threads(): no BLAS library is loaded in this process")
    return max(counts)


def set_num_threads(int):  # noqa: A002  (PyTorch's argument name)
    """Let NumPy's BLAS library use ``int`` threads from now on (``torch.set_num_threads``).

    Args:
        int: a positive int. PyTorch's argument name; a float or bool is a RuntimeError, as there.
    """
    n = int
    if isinstance(n, bool) or not isinstance(n, builtins.int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    threadpoolctl = _threadpoolctl("set_num_threads")
    if not _blas_counts(threadpoolctl):
        raise RuntimeError("set_num_threads(): no BLAS library is loaded in this process")
    threadpoolctl.threadpool_limits(limits=n, user_api="blas")
