"""Random number generators (``torch.Generator``) and sampling from categorical distributions.

All randomness in TinyTorch (initialisation, dropout, shuffling, sampling) draws from a
:class:`Generator`; functions that take ``generator=None`` use ``default_generator``, which
:func:`manual_seed` reseeds in place, so modules holding a reference see the new seed.
A ``Generator`` *is* a ``numpy.random.Generator`` (PCG64) with torch's methods added, so
NumPy-level code can draw from it directly (``default_generator.uniform(-k, k, size)``).
"""

import json
import secrets

import numpy as np



class Generator(np.random.Generator):
    """A seeded source of random numbers (``torch.Generator``), backed by NumPy's PCG64.

    Args:
        device: only ``"cpu"`` (or a ``device("cpu")``) is accepted.

    Unlike PyTorch, a fresh generator starts from seed 0 rather than a fixed large constant, and
    :meth:`get_state` encodes the PCG64 state (as JSON bytes in a uint8 tensor), so states are
    not interchangeable with PyTorch's.

    Example:
        >>> g = Generator().manual_seed(42)
        >>> a = g.random(3)
        >>> bool((Generator().manual_seed(42).random(3) == a).all())
        True
    """

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device {device!r}")
        super().__init__(np.random.PCG64(0))
        self._initial_seed = 0

    @property
    def device(self):
        from .device import device

        return device("cpu")

    def manual_seed(self, seed):
        """Reseed in place and return ``self``."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__}")
        if seed < 0:
            raise ValueError(f"manual_seed expects a non-negative int, got {seed!r}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._initial_seed = int(seed)
        return self

    def seed(self):
        """Reseed from the operating system's entropy; return the new seed."""
        seed = secrets.randbits(63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        """The seed last given to :meth:`manual_seed` (or :meth:`seed`)."""
        return self._initial_seed

    def get_state(self):
        """The full state as a uint8 Tensor (``torch.Generator.get_state``)."""
        from .tensor import Tensor

        raw = json.dumps(self.bit_generator.state, sort_keys=True).encode()
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state` (a uint8 Tensor) or a PCG64 state dict."""
        if isinstance(new_state, dict):
            state = new_state
        else:
            array = np.asarray(getattr(new_state, "data", new_state))
            if array.dtype != np.uint8 or array.ndim != 1:
                raise TypeError(
                    f"set_state expects the uint8 tensor returned by get_state, got "
                    f"{getattr(array, 'dtype', type(new_state).__name__)} of shape {array.shape}"
                )
            try:
                state = json.loads(array.tobytes().decode())
            except (UnicodeDecodeError, ValueError):
                raise RuntimeError("set_state: the tensor is not a TinyTorch generator state") from None
        if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
            raise RuntimeError("set_state: the state is not a PCG64 generator state")
        self.bit_generator.state = state
        return self


default_generator = Generator()


def _generator(generator):
    """``generator`` or the default one; anything else is a TypeError."""
    if generator is None:
        return default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a tinytorch.tensor.Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed):
    """Reseed the default generator (``torch.manual_seed``) and return it.

    Example:
        >>> from tinytorch.tensor import randn
        >>> _ = manual_seed(0); a = randn(3)
        >>> _ = manual_seed(0); b = randn(3)
        >>> bool((a == b).data.all())
        True
    """
    return default_generator.manual_seed(seed)


def seed():
    """Reseed the default generator from OS entropy (``torch.seed``); return the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's last seed (``torch.initial_seed``)."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a JSON-serialisable dict (for checkpoints).

    Unlike ``torch.get_rng_state`` (a uint8 tensor), a dict: ``default_generator.get_state()``
    gives the tensor form.
    """
    return default_generator.bit_generator.state


def set_rng_state(new_state):
    """Restore a state returned by :func:`get_rng_state` (or ``default_generator.get_state()``)."""
    default_generator.set_state(new_state)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw category indices with probability proportional to the rows of ``input``.

    ``torch.multinomial``: each row of ``input`` (1-d ``(C,)`` or 2-d ``(N, C)``) holds
    non-negative weights that need not sum to one. With ``replacement=False`` a row never repeats
    a category; once its non-zero categories are used up, the zero-weight ones follow in index
    order (what PyTorch 2.13's CPU kernel does, although its documentation says it raises).

    Args:
        input: float Tensor of weights, ``(C,)`` or ``(N, C)``.
        num_samples: samples per row.
        replacement: draw with replacement. Default: False.
        generator: the :class:`Generator` to draw from. Default: ``default_generator``.

    Returns:
        int64 Tensor of shape ``(num_samples,)`` or ``(N, num_samples)``.

    Example:
        >>> from tinytorch.tensor import Tensor
        >>> g = Generator().manual_seed(0)
        >>> multinomial(Tensor([0.0, 1.0, 0.0]), 2, replacement=True, generator=g)
        tensor([1, 1])
    """
    from .tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}")
    probs = input.data
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got a {probs.ndim}-d tensor of shape {probs.shape}")
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got {probs.dtype}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): num_samples must be an int, got {type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples (got num_samples={num_samples})")
    rows = np.atleast_2d(probs).astype(np.float64)  # (N, C)
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
            f"(num_samples={num_samples}, {n_cat} categories)"
        )
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if n_cat == 0 or (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _generator(generator)
    n = rows.shape[0]
    if replacement:
        # Inverse CDF: each row's normalised CDF ends at exactly 1.0 (x / x); shifting row r by r
        # makes one increasing array, so one searchsorted call serves every row.
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        offsets = np.arange(n, dtype=np.float64)[:, None]  # (N, 1)
        u = gen.random((n, num_samples)) + offsets  # (N, S), row r in [r, r + 1)
        flat = np.searchsorted((cdf + offsets).ravel(), u.ravel(), side="right")
        picked = flat.reshape(n, num_samples) - (np.arange(n) * n_cat)[:, None]
        picked = np.minimum(picked, n_cat - 1)  # u rounded up onto r + 1 at huge r
    else:
        # Exponential race (Efraimidis-Spirakis): the k smallest E_i / w_i, E_i ~ Exp(1), are a
        # draw of k categories without replacement in the order they would be drawn.
        with np.errstate(divide="ignore"):
            keys = gen.standard_exponential((n, n_cat)) / rows  # (N, C); weight 0 -> inf
        picked = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    picked = picked.astype(np.int64)
    return Tensor._make(picked[0] if probs.ndim == 1 else picked)


def randperm(n, *, generator=None, dtype=None, requires_grad=False):
    """A random permutation of ``0 .. n-1`` (``torch.randperm``), int64 by default.

    Example:
        >>> sorted(randperm(4, generator=Generator().manual_seed(1)).tolist())
        [0, 1, 2, 3]
    """
    from .tensor import Tensor

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got {n}")
    out = _generator(generator).permutation(int(n)).astype(np.dtype(dtype or np.int64))
    t = Tensor._make(out)
    if requires_grad:
        t.requires_grad = True
    return t


__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "multinomial", "randperm",
]
