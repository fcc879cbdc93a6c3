"""Fixed sinusoidal position encodings (Vaswani et al., 2017, section 3.5)."""

import numbers

import numpy as np

from tinytorch.tensor import Tensor


def sinusoidal_positions(num_positions, embedding_dim, base=10000.0, dtype=None):
    r"""The sinusoidal position table of "Attention Is All You Need".

    .. math::
        PE_{(p, 2i)} = \sin\!\left(p / \text{base}^{2i/D}\right), \qquad
        PE_{(p, 2i+1)} = \cos\!\left(p / \text{base}^{2i/D}\right)

    Each pair of columns is a rotation at its own frequency, from one turn per :math:`2\pi`
    positions down to one per :math:`2\pi \cdot \text{base}`; so :math:`PE_{p+k}` is a fixed linear
    function of :math:`PE_p` for every offset :math:`k`, and the table needs no training and no
    parameters. An odd ``embedding_dim`` ends with a sine column.

    Args:
        num_positions: number of positions :math:`T`.
        embedding_dim: size of each vector :math:`D`.
        base: wavelength scale. Default: 10000.0 (the paper's).
        dtype: floating point dtype of the result. Default: float32.

    Returns:
        Tensor of shape :math:`(T, D)` that does not require grad.

    Not in PyTorch.

    Example:
        >>> pe = sinusoidal_positions(50, 4)
        >>> pe.shape
        (50, 4)
        >>> pe[0]
        tensor([0., 1., 0., 1.])
        >>> [round(v, 3) for v in pe[1].tolist()]
        [0.841, 0.54, 0.01, 1.0]
    """
    # BEGIN SOLUTION
    for name, value in (("num_positions", num_positions), ("embedding_dim", embedding_dim)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"sinusoidal_positions: {name} must be a non-negative int, got {value!r}")
    if not base > 0:
        raise ValueError(f"sinusoidal_positions: base must be positive, got {base!r}")
    dtype = np.dtype(np.float32 if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"sinusoidal_positions: dtype must be floating point, got {dtype}")
    position = np.arange(num_positions, dtype=np.float64)[:, None]  # (T, 1)
    # One frequency per column pair: base^(-2i/D) for 2i = 0, 2, 4, ...
    inv_freq = base ** (-np.arange(0, embedding_dim, 2, dtype=np.float64) / embedding_dim)  # (ceil(D/2),)
    angle = position * inv_freq  # (T, ceil(D/2))
    table = np.empty((num_positions, embedding_dim), dtype=np.float64)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, : embedding_dim // 2])
    return Tensor(table.astype(dtype))
    # END SOLUTION
