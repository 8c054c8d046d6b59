"""Making tensors: `tensor`, `zeros`, `ones`, `full`, `randn`, `rand`, `arange`, `eye`,
the `*_like` forms and `from_numpy`. Random draws use the library's generator, so
`manual_seed(n)` makes them reproducible. Floating results default to float32."""
import numpy as np

from autograd import random
from autograd.tensor import DEFAULT_DTYPE, Tensor


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _make(array, requires_grad):
    return Tensor._wrap(array, requires_grad=requires_grad)


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of `data` (a number, nested lists or an array)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with a numpy array (changes show in both)."""
    return Tensor._wrap(np.asarray(array))


def zeros(*size, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _make(np.zeros(_shape(size), dtype=dtype), requires_grad)


def ones(*size, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _make(np.ones(_shape(size), dtype=dtype), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = DEFAULT_DTYPE if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    return _make(np.full(tuple(size), fill_value, dtype=dtype), requires_grad)


def randn(*size, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Standard normal draws."""
    return _make(random.generator().standard_normal(_shape(size)).astype(dtype), requires_grad)


def rand(*size, dtype=DEFAULT_DTYPE, requires_grad=False):
    """Uniform draws on [0, 1)."""
    return _make(random.generator().random(_shape(size)).astype(dtype), requires_grad)


def randint(low, high, size, dtype=np.int64):
    """Integers drawn uniformly from [low, high)."""
    return _make(random.generator().integers(low, high, size=tuple(size)).astype(dtype), False)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """start, start + step, ... below end (int64 for integer arguments, else float32)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if integral else DEFAULT_DTYPE
    return _make(np.arange(start, end, step).astype(dtype), requires_grad)


def eye(n, m=None, dtype=DEFAULT_DTYPE, requires_grad=False):
    return _make(np.eye(n, m, dtype=dtype), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return zeros(*np.shape(t.data), dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return ones(*np.shape(t.data), dtype=dtype or t.dtype, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return full(np.shape(t.data), fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False):
    return randn(*np.shape(t.data), dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t, dtype=None, requires_grad=False):
    return rand(*np.shape(t.data), dtype=dtype or t.dtype, requires_grad=requires_grad)


__all__ = ["tensor", "from_numpy", "zeros", "ones", "full", "randn", "rand", "randint",
           "arange", "eye", "zeros_like", "ones_like", "full_like", "randn_like", "rand_like"]
