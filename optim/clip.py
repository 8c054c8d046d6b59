"""Gradient clipping: `clip_grad_norm_` (rescale all gradients together) and
`clip_grad_value_` (clamp each entry). Both change the gradients in place, between
`backward()` and `optimizer.step()`::

    loss.backward()
    clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

In-place is safe here: the library never lets the gradients of two different
parameters share memory.
"""
import math

import numpy as np

from autograd.engine import Node
from autograd.tensor import Tensor
from autograd.value import Value


def _as_list(parameters):
    return [parameters] if isinstance(parameters, Node) else list(parameters)


def _grad_arrays(parameters):
    """The gradient of each parameter that has one, as an array (0-d for a Value)."""
    grads = []
    for p in parameters:
        if isinstance(p, Value):
            grads.append(np.array(float(p.grad)))
        elif p.grad is not None:
            grads.append(p.grad.data)
    return grads


def _vector_norm(array, norm_type):
    """The p-norm of all entries of `array` (inf: the largest |entry|)."""
    flat = np.abs(np.ravel(array))
    if flat.size == 0:
        return flat.dtype.type(0)
    if norm_type == math.inf:
        return flat.max()
    if norm_type == -math.inf:
        return flat.min()
    if norm_type == 0:
        return flat.dtype.type(np.count_nonzero(flat))
    if norm_type == 1:
        return flat.sum()
    if norm_type == 2:
        return np.sqrt(np.dot(flat, flat))
    return np.sum(flat ** norm_type) ** (1.0 / norm_type)


def get_total_norm(grads, norm_type=2.0, error_if_nonfinite=False):
    """The norm of all gradient arrays together, as if they were concatenated into one
    vector: the norm of the vector of each array's norm (as PyTorch computes it)."""
    norm_type = float(norm_type)
    if not grads:
        return np.float32(0.0)
    dtype = np.result_type(*[g.dtype for g in grads])
    norms = np.array([_vector_norm(g, norm_type) for g in grads], dtype=dtype)
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite ({total}), so it cannot be clipped. To disable this error and "
            "scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return total


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients so that their total norm is at most `max_norm`; return the
    total norm from before clipping.

    The lecture notes' clipping by norm, ``G_new = G / ||G|| * z``, with z = max_norm,
    applied only when ``||G|| > z`` (PyTorch's rule)::

        total_norm = || (||g_1||, ||g_2||, ...) ||        (the norm of all gradients as one vector)
        clip_coef  = min(max_norm / (total_norm + 1e-6), 1)
        g_i = g_i * clip_coef                               (in place, for every parameter)

    The 1e-6 is PyTorch's constant: it keeps the division finite when every gradient
    is zero (total_norm = 0 gives a huge coefficient, clamped to 1, so nothing
    changes), at the price that a clipped gradient ends with norm slightly below
    max_norm (max_norm * total_norm / (total_norm + 1e-6)). The clamp at 1 means small
    gradients are never scaled up, so the direction and size of an ordinary step are
    untouched.

    `norm_type` may be any p >= 1, or math.inf for the largest |entry|. Parameters
    without a gradient are skipped. The returned norm is a 0-d `Tensor` (in the
    gradients' dtype) as in PyTorch, or a float when every parameter is a `Value`.
    With `error_if_nonfinite=True` a nan or inf total norm raises RuntimeError instead of
    scaling by it (which would turn every gradient into zeros or nans).
    """
    parameters = _as_list(parameters)
    total = get_total_norm(_grad_arrays(parameters), norm_type, error_if_nonfinite)
    clip_coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # inf * 0 when the norm is inf: nan, as PyTorch
        for p in parameters:
            if isinstance(p, Value):
                p.grad = float(p.grad * clip_coef)
            elif p.grad is not None:
                p.grad.data *= clip_coef
    if parameters and all(isinstance(p, Value) for p in parameters):
        return float(total)
    return Tensor._wrap(np.asarray(total))


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into [-clip_value, clip_value], in place.

    Unlike clipping by norm this changes the gradient's direction; it is a cruder guard
    against a single exploding entry. Parameters without a gradient are skipped.
    """
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for p in _as_list(parameters):
        if isinstance(p, Value):
            p.grad = min(max(p.grad, -clip_value), clip_value)
        elif p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)
