"""Gradient checking: compare the engine's gradients with central differences.

`gradcheck(func, inputs)` builds the full Jacobian of `func` twice, once by
backpropagation and once numerically with

    d out / d x_j  ~  (func(x + eps e_j) - func(x - eps e_j)) / (2 eps)

for every element j of every input that requires grad, and checks each entry with
`|analytical - numerical| <= atol + rtol * |numerical|`. A mismatch raises
`GradcheckError` with a table naming the input, the element, both values and the
errors. `gradgradcheck` does the same for the gradient itself (second order), and
`numerical_grad` gives the central-difference gradient of a scalar function directly.
"""
import warnings

import numpy as np

from autograd.engine import Node, enable_grad, grad, no_grad


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree (the message has the table)."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _flat(node):
    return np.array(node.data, dtype=np.float64).reshape(-1)


def _assign(node, flat):
    if isinstance(node.data, float):
        node.data = float(flat[0])
    else:
        node.data = flat.reshape(node.data.shape).astype(node.data.dtype)


def _evaluate(func, inputs):
    with no_grad():
        outputs = _as_tuple(func(*inputs))
    return [_flat(o) if isinstance(o, Node) else np.array(o, dtype=np.float64).reshape(-1)
            for o in outputs]


def _numerical_jacobians(func, inputs, node, eps):
    """One array per output, of shape (output size, input size)."""
    base = _flat(node)
    columns = []
    for j in range(base.size):
        shifted = base.copy()
        shifted[j] = base[j] + eps
        _assign(node, shifted)
        plus = _evaluate(func, inputs)
        shifted[j] = base[j] - eps
        _assign(node, shifted)
        minus = _evaluate(func, inputs)
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    _assign(node, base)
    if not columns:
        return [np.zeros((out.size, 0)) for out in _evaluate(func, inputs)]
    return [np.stack([column[k] for column in columns], axis=1) for k in range(len(columns[0]))]


def numerical_grad(func, inputs, eps=1e-6):
    """Central-difference gradient of a scalar-valued `func` at `inputs`.

    Returns one entry per input: a float for a `Value`, an array of the input's shape
    for a `Tensor`. The inputs are restored afterwards.
    """
    inputs = _as_tuple(inputs)
    outputs = _evaluate(func, inputs)
    if len(outputs) != 1 or outputs[0].size != 1:
        raise ValueError("numerical_grad: func must return one scalar; got outputs of sizes "
                         f"{[o.size for o in outputs]}")
    result = []
    for node in inputs:
        (jacobian,) = _numerical_jacobians(func, inputs, node, eps)
        column = jacobian[0]
        result.append(float(column[0]) if isinstance(node.data, float)
                      else column.reshape(np.shape(node.data)))
    return tuple(result)


def _analytical_jacobians(outputs, node):
    """Rows of d(output)/d(node) by one backward pass per output element."""
    jacobians = []
    size = _flat(node).size
    for output in outputs:
        flat = _flat(output)
        rows = np.zeros((flat.size, size))
        if isinstance(output, Node) and output.requires_grad:
            for i in range(flat.size):
                onehot = np.zeros(flat.size)
                onehot[i] = 1.0
                seed = 1.0 if isinstance(output.data, float) else \
                    onehot.reshape(np.shape(output.data)).astype(output.data.dtype)
                (g,) = grad(output, node, grad_outputs=seed, retain_graph=True,
                            allow_unused=True)
                if g is not None:
                    rows[i] = _flat(g) if isinstance(g, Node) else np.ravel(g)
        jacobians.append(rows)
    return jacobians


def _element(node, j):
    shape = np.shape(node.data)
    return "()" if not shape else str(tuple(int(i) for i in np.unravel_index(j, shape)))


def _table(failures, limit=10):
    header = ("input", "element", "output", "numerical", "analytical", "abs error", "rel error")
    rows = [header] + [
        (str(i), elem, out, f"{n:.6g}", f"{a:.6g}", f"{abs(a - n):.3g}",
         f"{abs(a - n) / max(abs(n), 1e-300):.3g}")
        for i, elem, out, n, a in failures[:limit]]
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more mismatched entries")
    return "\n".join(lines)


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the gradients of `func` at `inputs` against central differences.

    `func(*inputs)` returns a Value or Tensor (or a tuple of them). Every element of
    every input that requires grad is checked, for every output element. Returns True,
    or raises `GradcheckError` (returns False with `raise_exception=False`). Use
    float64 inputs: float32 rounding swamps the finite differences (a warning says so).
    """
    inputs = _as_tuple(inputs)
    checked = [(i, x) for i, x in enumerate(inputs) if isinstance(x, Node) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    for index, node in checked:
        dtype = getattr(node.data, "dtype", np.float64)
        if dtype != np.float64:
            warnings.warn(f"gradcheck: input {index} is {dtype}, not float64; finite "
                          "differences at this precision are unreliable", stacklevel=2)
    outputs = _as_tuple(func(*inputs))
    failures = []
    for index, node in checked:
        numerical = _numerical_jacobians(func, inputs, node, eps)
        analytical = _analytical_jacobians(outputs, node)
        for k, (num, ana) in enumerate(zip(numerical, analytical)):
            bad = ~(np.abs(ana - num) <= atol + rtol * np.abs(num))
            for row, col in zip(*np.nonzero(bad)):
                out = _element(outputs[k], row) if len(outputs) == 1 else f"{k}:{_element(outputs[k], row)}"
                failures.append((index, _element(node, col), out, num[row, col], ana[row, col]))
    if not failures:
        return True
    if not raise_exception:
        return False
    failures.sort(key=lambda f: -abs(f[4] - f[3]))
    raise GradcheckError(
        f"gradcheck: backpropagated and numerical gradients disagree at {len(failures)} "
        f"entries (eps={eps}, atol={atol}, rtol={rtol}).\n"
        "Each row: d output[element] / d input[element]; 'numerical' is the central "
        "difference, 'analytical' is what backward computed.\n" + _table(failures))


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True):
    """Check second derivatives: gradcheck of the map (inputs, v) -> v^T d func / d inputs.

    `grad_outputs` (the vectors v, one per output) are random when not given, and are
    checked too, as in PyTorch.
    """
    inputs = _as_tuple(inputs)
    outputs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_random_like(o, rng) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Node) and x.requires_grad]

    def first_derivatives(*args):
        ins, vectors = args[:count], args[count:]
        with enable_grad():  # the numerical pass evaluates under no_grad
            outs = _as_tuple(func(*ins))
            grads = grad(list(outs), [ins[i] for i in wanted], grad_outputs=list(vectors),
                         create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _random_like(output, rng):
    front = type(output)
    if isinstance(output.data, float):
        return front(float(rng.standard_normal()), requires_grad=True)
    return front(rng.standard_normal(output.data.shape).astype(output.data.dtype),
                 requires_grad=True)
