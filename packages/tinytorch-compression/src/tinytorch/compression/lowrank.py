r"""Low-rank factorisation of ``Linear`` layers by the singular value decomposition.

A weight :math:`W \in \mathbb{R}^{out \times in}` with singular values :math:`s_1 \ge s_2 \ge \dots`
is replaced by the best rank-:math:`r` approximation (Eckart-Young)
:math:`W \approx U_r \operatorname{diag}(s_r) V_r^T`, run as two smaller layers,
``Linear(in, r, bias=False)`` with weight :math:`\operatorname{diag}(\sqrt{s_r}) V_r^T` followed by
``Linear(r, out)`` with weight :math:`U_r \operatorname{diag}(\sqrt{s_r})` and the original bias.
Parameters fall from :math:`out \cdot in` to :math:`r (out + in)`; the rank is chosen as the
smallest one that keeps a given fraction of the energy :math:`\sum_{i \le r} s_i^2 / \sum_i s_i^2`
(the squared Frobenius norm), so the relative error of the weight is
:math:`\sqrt{1 - \text{energy}}` at most.
"""

import numbers

import numpy as np

from tinytorch.layers import Linear, Parameter, Sequential

__all__ = ["rank_for_energy", "factorize_linear"]


def rank_for_energy(singular_values, energy):
    """The smallest rank whose leading singular values keep ``energy`` of the sum of squares.

    Example:
        >>> rank_for_energy(np.array([3.0, 2.0, 1.0]), 0.9)  # 9/14 < 0.9 <= 13/14
        2
    """
    if isinstance(energy, bool) or not isinstance(energy, numbers.Real) or not 0.0 < energy <= 1.0:
        raise ValueError(f"energy must be a fraction in (0, 1], got {energy!r}")
    s2 = np.asarray(singular_values, dtype=np.float64) ** 2
    if s2.ndim != 1 or s2.size == 0:
        raise ValueError(f"rank_for_energy: singular_values must be a non-empty 1-D array, got shape {s2.shape}")
    if s2.sum() == 0:
        return 1
    kept = np.cumsum(s2) / s2.sum()
    # A tiny tolerance so that energy=1.0 does not demand the round-off of the last value.
    return int(np.searchsorted(kept, energy - 1e-12) + 1)


def factorize_linear(linear, energy=None, rank=None):
    r"""Replace ``linear`` by two Linear layers of rank ``rank`` (or the rank keeping ``energy``).

    Args:
        linear: a :class:`tinytorch.layers.Linear`.
        energy: fraction of the squared singular values to keep, in ``(0, 1]``.
        rank: the rank itself, ``1 <= rank <= min(in, out)``. Give exactly one of the two.

    Returns:
        ``Sequential(Linear(in, r, bias=False), Linear(r, out, bias))``, a new module (``linear``
        is untouched).

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> layer = Linear(8, 6)
        >>> low = factorize_linear(layer, rank=6)  # full rank: the same function
        >>> x = Tensor(np.ones((2, 8), np.float32))
        >>> bool(np.allclose(low(x).data, layer(x).data, atol=1e-5))
        True
    """
    if not isinstance(linear, Linear):
        raise TypeError(f"factorize_linear expects a Linear layer, got {type(linear).__name__}")
    if (energy is None) == (rank is None):
        raise ValueError("give exactly one of energy= or rank=")
    w = linear.weight.data.astype(np.float64)  # (out, in)
    # BEGIN SOLUTION
    u, s, vt = np.linalg.svd(w, full_matrices=False)  # (out, k), (k,), (k, in)
    if rank is None:
        rank = rank_for_energy(s, energy)
    elif isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or not 1 <= rank <= s.size:
        raise ValueError(f"rank must be an int in [1, {s.size}], got {rank!r}")
    root = np.sqrt(s[:rank])
    dtype = linear.weight.dtype
    first = Linear(linear.in_features, rank, bias=False)
    second = Linear(rank, linear.out_features, bias=linear.bias is not None)
    first.weight = Parameter((root[:, None] * vt[:rank]).astype(dtype))  # (r, in)
    second.weight = Parameter((u[:, :rank] * root).astype(dtype))  # (out, r)
    # END SOLUTION
    if linear.bias is not None:
        second.bias = Parameter(linear.bias.data.copy())
    return Sequential(first, second)
