"""Which entries ``torch.topk`` picks, ties included, so that pruning masks equal PyTorch's.

When several entries tie with the k-th value, any choice among them is a correct top-k, and
PyTorch's CPU kernel makes its choice through the C++ standard library: ``std::partial_sort``
when ``64 * k <= n`` and ``std::nth_element`` otherwise (libstdc++: a heap select, or an
introselect with median-of-three pivots), comparing values only, with NaN ordered above every
number. :func:`topk_indices` selects the same entries:

- when the k-th value is not shared with an entry left out, the selection is unique, and it is
  found with one vectorised ``np.partition``;
- otherwise it replays libstdc++'s algorithm step by step on the entries' ranks. That is a Python
  loop (one-off cost of pruning, never on a training path), and is only reached for real ties,
  e.g. weights that are exactly zero or channels of equal norm.
"""

import numpy as np

__all__ = ["topk_indices"]


def topk_indices(values, k, largest):
    """Indices (sorted, int64) of the ``k`` entries ``torch.topk(values, k, largest=largest)``
    returns for the 1-d array ``values`` on CPU.

    Example:
        >>> topk_indices(np.array([3.0, 1.0, 2.0, 1.0]), 2, largest=False).tolist()
        [1, 3]
    """
    values = np.asarray(values).reshape(-1)
    n = values.size
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for {n} values")
    if k == 0:
        return np.empty(0, dtype=np.int64)
    if k == n:
        return np.arange(n, dtype=np.int64)
    # Ranks: equal values share a rank, NaN ranks above every number (as in PyTorch's comparator).
    ranks = np.unique(values, return_inverse=True)[1].reshape(-1)
    ordered = -ranks if largest else ranks
    kth = np.partition(ordered, k - 1)[k - 1]
    chosen = ordered <= kth
    if np.count_nonzero(chosen) == k:  # no tie straddles the cut: the selection is unique
        return np.flatnonzero(chosen).astype(np.int64)
    return np.sort(np.asarray(_libstdcxx_select(ranks.tolist(), k, largest), dtype=np.int64))


def _libstdcxx_select(keys, k, largest):
    """The first ``k`` positions of libstdc++'s partial_sort / nth_element over indices."""
    queue = list(range(len(keys)))
    if largest:
        def comp(a, b):
            return keys[a] > keys[b]
    else:
        def comp(a, b):
            return keys[a] < keys[b]
    if k * 64 <= len(keys):
        _heap_select(queue, 0, k, len(keys), comp)
    else:
        _nth_element(queue, k - 1, comp)
    return queue[:k]


def _adjust_heap(q, first, hole, length, value, comp):
    top = second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if comp(q[first + second], q[first + second - 1]):
            second -= 1
        q[first + hole] = q[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        q[first + hole] = q[first + second - 1]
        hole = second - 1
    parent = (hole - 1) // 2
    while hole > top and comp(q[first + parent], value):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value


def _heap_select(q, first, middle, last, comp):
    length = middle - first
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(q, first, parent, length, q[first + parent], comp)
    for i in range(middle, last):
        if comp(q[i], q[first]):
            value, q[i] = q[i], q[first]
            _adjust_heap(q, first, 0, length, value, comp)


def _move_median_to_first(q, result, a, b, c, comp):
    if comp(q[a], q[b]):
        pick = b if comp(q[b], q[c]) else (c if comp(q[a], q[c]) else a)
    else:
        pick = a if comp(q[a], q[c]) else (c if comp(q[b], q[c]) else b)
    q[result], q[pick] = q[pick], q[result]


def _unguarded_partition(q, first, last, pivot, comp):
    while True:
        while comp(q[first], q[pivot]):
            first += 1
        last -= 1
        while comp(q[pivot], q[last]):
            last -= 1
        if first >= last:
            return first
        q[first], q[last] = q[last], q[first]
        first += 1


def _insertion_sort(q, first, last, comp):
    for i in range(first + 1, last):
        value = q[i]
        if comp(value, q[first]):
            q[first + 1:i + 1] = q[first:i]
            q[first] = value
        else:
            j = i
            while comp(value, q[j - 1]):
                q[j] = q[j - 1]
                j -= 1
            q[j] = value


def _nth_element(q, nth, comp):
    first, last = 0, len(q)
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last, comp)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        mid = first + (last - first) // 2
        _move_median_to_first(q, first, first + 1, mid, last - 1, comp)
        cut = _unguarded_partition(q, first + 1, last, first, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last, comp)
